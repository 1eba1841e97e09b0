package expr

import (
	"sync"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// TestConcurrentUse: parsed expressions are shared by concurrent requests
// (run with -race).
func TestConcurrentUse(t *testing.T) {
	values := Values{":n": attr.Int(1), ":s": attr.String("x"), ":l": attr.List([]attr.Value{attr.Int(9)})}
	c, err := ParseCondition("FilterExpression", "n > :n AND size(l) > :n", nil, values, nil)
	if err != nil {
		t.Fatal(err)
	}
	up, err := ParseUpdate("SET n = n + :n, l[7] = :s, m.a.c = :s REMOVE l[0] ADD ss :l2", nil, Values{":n": attr.Int(1), ":s": attr.String("x"), ":l2": attr.StringSet([]string{"q"})}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseProjection("m.a, l[1], id", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	item := decodeItemT(t, "")
	want := string(attr.AppendItem(nil, mustApply(t, up, item)))
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if !c.Matches(item) {
					t.Error("condition changed its mind")
					return
				}
				out, err := up.Apply(item)
				if err != nil || string(attr.AppendItem(nil, out)) != want {
					t.Error("update result changed", err)
					return
				}
				_ = p.Apply(out)
			}
		}()
	}
	wg.Wait()
}

func mustApply(t *testing.T, up *Update, item attr.Item) attr.Item {
	t.Helper()
	out, err := up.Apply(item)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
