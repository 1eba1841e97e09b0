package emulator_test

import (
	"bytes"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator"
)

// Without the fuzzer, a fixed sweep of each fixture with one to three
// bytes changed or dropped: each loads or is refused, and what loaded
// saves.
func TestSnapshotLoadSurvivesMutations(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"v1.snapshot", "s3-v1.snapshot"} {
		t.Run(name, func(t *testing.T) { mutateFixture(t, "../../fixtures/snapshots/"+name) })
	}
}

func mutateFixture(t *testing.T, path string) {
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	e := emulator.New()
	defer e.Close()
	r := rand.New(rand.NewPCG(1, 2))
	loaded := 0
	for range 2000 {
		in := append([]byte{}, good...)
		for range 1 + r.IntN(3) {
			p := r.IntN(len(in))
			switch r.IntN(3) {
			case 0:
				in[p] = "0123456789"[r.IntN(10)]
			case 1:
				in[p] = byte(r.IntN(256))
			default:
				in = append(in[:p], in[p+1:]...)
			}
		}
		if _, err := e.LoadSnapshot(bytes.NewReader(in), true); err == nil {
			loaded++
		}
		var out bytes.Buffer
		if err := e.SaveSnapshot(&out, false); err != nil {
			t.Fatalf("saving what loaded: %v", err)
		}
	}
	if loaded == 0 {
		t.Error("no mutation loaded: the sweep tests only the parser")
	}
}
