package attr

import (
	"strconv"
	"strings"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator/emutest/benchcpu"
)

// item1KB is a typical ~1 KB item: keys, strings, numbers, a nested map,
// a list and a set.
var item1KB = []byte(`{"pk":{"S":"customer#0001234567"},"sk":{"S":"order#2024-11-23T10:15:00Z#000042"},` +
	`"status":{"S":"SHIPPED"},"total":{"N":"1234.56"},"qty":{"N":"3"},"createdAt":{"N":"1732356900"},` +
	`"email":{"S":"someone.with.a.long.name@example.com"},"note":{"S":"` + strings.Repeat("lorem ipsum dolor sit amet ", 12) + `"},` +
	`"address":{"M":{"street":{"S":"1 Infinite Loop"},"city":{"S":"Cupertino"},"zip":{"S":"95014"},"country":{"S":"US"}}},` +
	`"lines":{"L":[{"M":{"sku":{"S":"SKU-0001"},"price":{"N":"10.5"},"n":{"N":"1"}}},{"M":{"sku":{"S":"SKU-0002"},"price":{"N":"1224.06"},"n":{"N":"2"}}}]},` +
	`"tags":{"SS":["priority","gift","express"]},"paid":{"BOOL":true},"coupon":{"NULL":true},"blob":{"B":"` + strings.Repeat("QUJD", 40) + `"}}`)

// flat1KB is a 1 KB item (Item.Size ≈ 1024) of ten scalar attributes.
var flat1KB = func() []byte {
	b := []byte(`{"pk":{"S":"customer#0001234567"},"sk":{"S":"order#000042"},"n":{"N":"1234.56"}`)
	for i := 0; i < 7; i++ {
		b = append(b, `,"attr`+strconv.Itoa(i)+`":{"S":"`+strings.Repeat("x", 135)+`"}`...)
	}
	return append(b, '}')
}()

func BenchmarkDecodeItem1KB(b *testing.B) {
	b.SetBytes(int64(len(item1KB)))
	b.ReportAllocs()
	m := benchcpu.Start(b)
	for i := 0; i < b.N; i++ {
		if _, err := DecodeItem(item1KB); err != nil {
			b.Fatal(err)
		}
	}
	m.Report()
}

func BenchmarkAppendItem1KB(b *testing.B) {
	it, err := DecodeItem(item1KB)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 4096)
	b.SetBytes(int64(len(item1KB)))
	b.ReportAllocs()
	m := benchcpu.Start(b)
	for i := 0; i < b.N; i++ {
		buf = AppendItem(buf[:0], it)
	}
	m.Report()
}

func BenchmarkItemSize1KB(b *testing.B) {
	it, _ := DecodeItem(item1KB)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = it.Size()
	}
}

func BenchmarkCompareNumbers(b *testing.B) {
	x, _ := Number("123456.789")
	y, _ := Number("123456.79")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = Compare(x, y)
	}
}

func BenchmarkCanonicalNumber(b *testing.B) {
	in := []string{"1234.56", "1.50", "1e3", strconv.Itoa(1732356900)}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_, _ = CanonicalNumber(in[i&3])
	}
}

// TestItemMemory reports the retained heap per decoded 1 KB item (the
// table must hold 1 KB items in ≤ 2 KB each). Run with -v to see it.
func TestItemMemory(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	for _, tc := range []struct {
		name   string
		json   []byte
		budget int
	}{
		{"flat", flat1KB, 2048},
		{"documents", item1KB, 3072},
	} {
		const n = 20000
		items := make([]Item, n)
		before := heapInUse()
		for i := range items {
			it, err := DecodeItem(tc.json)
			if err != nil {
				t.Fatal(err)
			}
			items[i] = it
		}
		per := (heapInUse() - before) / n
		t.Logf("%s: retained heap per item (%d bytes of JSON, Item.Size %d): %d bytes", tc.name, len(tc.json), items[0].Size(), per)
		if per > tc.budget {
			t.Errorf("%s: a decoded item retains %d bytes; budget %d", tc.name, per, tc.budget)
		}
	}
}

// BenchmarkAddNumbers is ADD and SET a = a + :n on counters and amounts.
func BenchmarkAddNumbers(b *testing.B) {
	pairs := [][2]string{{"1732356900", "1"}, {"12.5", "-0.75"}, {"99999999999999999999999999999999999999", "1"}, {"0.000001", "1000000"}}
	var vs [4][2]Value
	for i, p := range pairs {
		vs[i][0], _ = Number(p[0])
		vs[i][1], _ = Number(p[1])
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p := vs[i&3]
		if _, err := AddNumbers(p[0], p[1], i&4 != 0); err != nil {
			b.Fatal(err)
		}
	}
}
