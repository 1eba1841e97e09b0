package expr

import (
	"testing"

	"github.com/groundstack/groundstack/harness/emulator/emutest/benchcpu"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

const benchCondition = "attribute_exists(id) AND #s = :s AND n BETWEEN :lo AND :hi AND (contains(ss, :m) OR begins_with(m.s, :p)) AND size(l) > :z"

func benchFixtures(b *testing.B) (Names, Values, attr.Item) {
	values, err := attr.DecodeValues([]byte(`{":s":{"S":"hello world"},":lo":{"N":"1"},":hi":{"N":"100"},":m":{"S":"b"},":p":{"S":"i"},":z":{"N":"1"},":one":{"N":"1"},":l":{"L":[{"S":"y"}]},":set":{"SS":["d"]},":now":{"N":"1732356900"}}`))
	if err != nil {
		b.Fatal(err)
	}
	item, err := attr.DecodeItem([]byte(sampleItem))
	if err != nil {
		b.Fatal(err)
	}
	return Names{"#s": "s"}, Values(values), item
}

func BenchmarkParseCondition(b *testing.B) {
	names, values, _ := benchFixtures(b)
	b.ReportAllocs()
	m := benchcpu.Start(b)
	for i := 0; i < b.N; i++ {
		if _, err := ParseCondition("FilterExpression", benchCondition, names, values, nil); err != nil {
			b.Fatal(err)
		}
	}
	m.Report()
}

func BenchmarkConditionEval(b *testing.B) {
	names, values, item := benchFixtures(b)
	c, err := ParseCondition("FilterExpression", benchCondition, names, values, nil)
	if err != nil {
		b.Fatal(err)
	}
	if !c.Matches(item) {
		b.Fatal("benchmark condition should hold")
	}
	b.ReportAllocs()
	m := benchcpu.Start(b)
	for i := 0; i < b.N; i++ {
		c.Matches(item)
	}
	m.Report()
}

// BenchmarkConditionEvalSimple is the common Scan filter: one comparison.
func BenchmarkConditionEvalSimple(b *testing.B) {
	names, values, item := benchFixtures(b)
	c, err := ParseCondition("FilterExpression", "#s = :s", names, values, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c.Matches(item)
	}
}

const benchUpdate = "SET n = n + :one, updatedAt = :now, l = list_append(l, :l), m.a.c = :one REMOVE t ADD ss :set"

func BenchmarkParseUpdate(b *testing.B) {
	names, values, _ := benchFixtures(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := ParseUpdate(benchUpdate, nil, values, nil); err != nil {
			b.Fatal(err)
		}
	}
	_ = names
}

func BenchmarkUpdateApply(b *testing.B) {
	_, values, item := benchFixtures(b)
	up, err := ParseUpdate(benchUpdate, nil, values, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	m := benchcpu.Start(b)
	for i := 0; i < b.N; i++ {
		if _, err := up.Apply(item); err != nil {
			b.Fatal(err)
		}
	}
	m.Report()
}

// BenchmarkUpdateApplyCounter is the hot counter idiom.
func BenchmarkUpdateApplyCounter(b *testing.B) {
	_, values, item := benchFixtures(b)
	up, err := ParseUpdate("SET n = if_not_exists(n, :z) + :one", nil, values, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := up.Apply(item); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProjection(b *testing.B) {
	_, _, item := benchFixtures(b)
	p, err := ParseProjection("id, n, m.a.b, l[2].k", nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.Apply(item)
	}
}
