package s3

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// discardJournal is a cloud.Journal that keeps nothing but its blob
// directory, and does not sync (the benchmark measures the service).
type discardJournal struct{ dir string }

func (j discardJournal) Record(context.Context, any) {}
func (j discardJournal) BlobDir() string             { return j.dir }
func (j discardJournal) SyncBlob(f *os.File) error   { return nil }
func newJournaled(dir string) *Service {
	env := cloud.DefaultEnv()
	svc := New(env)
	svc.SetJournal(discardJournal{dir})
	return svc
}

// BenchmarkLoadCheckpoint10k restores a checkpoint of 10,000 objects (in
// ten buckets) from its JSON, as a restart of groundstack up --data-dir
// does before it serves: decoding, finding each body file, rebuilding the
// store. Bodies are not read or copied.
func BenchmarkLoadCheckpoint10k(b *testing.B) {
	dir := b.TempDir()
	live := journaled10k(b, dir)
	defer live.Close()
	cp, err := live.Checkpoint()
	if err != nil {
		b.Fatal(err)
	}
	raw, err := json.Marshal(cp)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		svc := newJournaled(dir)
		if err := svc.LoadCheckpoint(stateVersion, raw); err != nil {
			b.Fatal(err)
		}
		if _, n, _ := svc.store.Summary(); n != 10000 {
			b.Fatalf("%d objects", n)
		}
		b.StopTimer()
		svc.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(raw)), "checkpoint-bytes")
}

// BenchmarkCheckpoint10k takes (and encodes) a checkpoint of 10,000
// objects, as a compaction does.
func BenchmarkCheckpoint10k(b *testing.B) {
	live := journaled10k(b, b.TempDir())
	defer live.Close()
	for b.Loop() {
		cp, err := live.Checkpoint()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(cp); err != nil {
			b.Fatal(err)
		}
	}
}

// journaled10k is a journaled S3 of 10,000 small objects in ten buckets.
func journaled10k(b *testing.B, dir string) *Service {
	live := newJournaled(dir)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range 10 {
		bucket := fmt.Sprint("bucket-", i)
		live.store.CreateBucket(bg, bucket, "us-east-1", now)
		for k := range 1000 {
			o := &Object{Key: fmt.Sprintf("dir/%d/object-%05d.json", k%10, k), Body: BytesBody([]byte(fmt.Sprintf(`{"n":%d}`, k))),
				Headers: Headers{ContentType: "application/json"}, Meta: map[string]string{"k": fmt.Sprint(k)}}
			if err := o.Seal(now); err != nil {
				b.Fatal(err)
			}
			if err := live.store.PutObject(bg, bucket, o, PutCondition{}, "Put"); err != nil {
				b.Fatal(err)
			}
		}
	}
	return live
}
