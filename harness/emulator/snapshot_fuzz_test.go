package emulator_test

import (
	"bytes"
	"compress/gzip"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator"
)

// A snapshot is untrusted input (a file handed around CI jobs): loading
// any bytes answers an error or loads, and never panics.
func FuzzSnapshotLoad(f *testing.F) {
	good, err := os.ReadFile("../../fixtures/snapshots/v1.snapshot")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	var zipped bytes.Buffer
	zipped.WriteString("groundstack-snapshot v1\n")
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write(good[len("groundstack-snapshot v1\n"):])
	_ = zw.Close()
	f.Add(zipped.Bytes())
	f.Add(good[:len(good)/3])
	f.Add([]byte("groundstack-snapshot v1\n{\"format\":\"groundstack-snapshot\",\"version\":1,\"accounts\":[{\"account\":\"000000000000\",\"services\":{\"sqs\":{\"version\":1,\"state\":{\"queues\":[{\"region\":\"r\",\"name\":\"q.fifo\",\"fifo\":true,\"lastNumber\":2,\"lastReceipt\":1,\"messages\":[{\"number\":2,\"state\":\"inflight\",\"visibleAt\":\"2030-01-01T00:00:00Z\",\"groupId\":\"g\"},{\"number\":1,\"state\":\"visible\",\"groupId\":\"g\"}]}]}}}}]}"))
	f.Add([]byte("groundstack-snapshot v1\n{\"format\":\"groundstack-snapshot\",\"version\":1,\"accounts\":[{\"account\":\"000000000000\",\"services\":{\"secretsmanager\":{\"version\":1,\"state\":{\"secrets\":[{\"region\":\"r\",\"name\":\"a\",\"arn\":\"x\",\"primaryRegion\":\"s\",\"replicas\":[{\"region\":\"r\"}],\"versions\":[{\"id\":\"v\",\"secretString\":\"\",\"stages\":[\"AWSCURRENT\",\"AWSCURRENT\"]}]}]}},\"sns\":{\"version\":1,\"state\":{\"topics\":[],\"subscriptions\":[{\"arn\":\"a\",\"topicArn\":\"t\"}]}}}}]}"))
	e := emulator.New()
	defer e.Close()
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = e.LoadSnapshot(bytes.NewReader(data), true)
		var out bytes.Buffer
		if err := e.SaveSnapshot(&out, false); err != nil {
			t.Fatalf("saving what loaded: %v", err)
		}
	})
}

// Without the fuzzer, a fixed sweep of the fixture with one to three bytes
// changed or dropped: each loads or is refused, and what loaded saves.
func TestSnapshotLoadSurvivesMutations(t *testing.T) {
	t.Parallel()
	good, err := os.ReadFile("../../fixtures/snapshots/v1.snapshot")
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
