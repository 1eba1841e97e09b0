package lambda

import (
	"slices"
	"testing"
	"time"
)

type noExec struct{}

func (noExec) Retire(bool) {}

// The code cache kept every upload after delete, reset and shutdown: the
// store now says when no version refers to a code any more.
func TestStoreReleasesCodeNothingUses(t *testing.T) {
	t.Parallel()
	s := NewStore("000000000000", func() string { return "id" }, func(*Function, *Version) Executor { return noExec{} })
	var released []string
	s.OnCodeReleased(func(hex string) { released = append(released, hex) })
	create := func(name, hex string) {
		t.Helper()
		rt, role, h := "provided.al2023", "arn:aws:iam::000000000000:role/r", "bootstrap"
		if _, _, err := s.Create("us-east-1", name, ConfigChange{Runtime: &rt, Role: &role, Handler: &h,
			Code: &Code{Sha256: hex, Hex: hex, Size: 1}}, nil, false, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	create("a", "shared")
	create("b", "shared")
	create("c", "own")
	if err := s.Delete("us-east-1", "a", ""); err != nil {
		t.Fatal(err)
	}
	if len(released) != 0 {
		t.Fatalf("released %v while b still runs it", released)
	}
	newCode := "newer"
	if _, _, err := s.Update("us-east-1", "c", "", ConfigChange{Code: &Code{Sha256: newCode, Hex: newCode, Size: 1}}, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	s.Reset()
	slices.Sort(released)
	if !slices.Equal(released, []string{"newer", "own", "shared"}) {
		t.Fatalf("released %v", released)
	}
}
