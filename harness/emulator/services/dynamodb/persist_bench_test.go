package dynamodb_test

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	"github.com/groundstack/groundstack/harness/emulator/persist"
)

// BenchmarkPutItemDataDir: server CPU of a 1 KB PutItem from 32 writers
// at once, in memory and with a data directory under each fsync policy
// (docs/persistence.md compares them). Each writer waits for its answer,
// so under batch and always the writers share group commits.
func BenchmarkPutItemDataDir(b *testing.B) {
	for _, mode := range []string{"memory", "batch", "always", "off"} {
		b.Run(mode, func(b *testing.B) {
			var opts []emulator.Option
			if mode != "memory" {
				f, _ := persist.ParseFsync(mode)
				opts = append(opts, emulator.WithDataDir(b.TempDir(), f))
			}
			e := emulator.New(opts...)
			b.Cleanup(func() { e.Close() })
			h := e.Handler()
			if code := newReplay("DynamoDB_20120810.CreateTable", nil).serve(h, []byte(benchTable)); code != 200 {
				b.Fatalf("create table: %d", code)
			}
			bodies := make([][]byte, 4096)
			for i := range bodies {
				bodies[i] = item1KB(fmt.Sprintf("user-%08d", i))
			}
			var n atomic.Int64
			b.SetParallelism(128) // 256 writers on 2 cores
			m := emutest.StartCPU(b)
			b.RunParallel(func(pb *testing.PB) {
				r := newReplay("DynamoDB_20120810.PutItem", nil)
				for pb.Next() {
					if code := r.serve(h, bodies[n.Add(1)%int64(len(bodies))]); code != 200 {
						b.Errorf("status %d", code)
						return
					}
				}
			})
			m.Report()
		})
	}
}

// BenchmarkRestart1M measures a restart on a data directory holding
// 1,000,000 items of ~1 KB (10,000 partitions of 100): the time from
// emulator.New to a restored table, as a clean shutdown left it (one
// checkpoint) and after a crash (the checkpoint plus 10,000 records). It
// needs DYNAMODB_BENCH_1M=1 (a few minutes and 3 GB): go test -run '^$'
// -bench Restart1M -benchtime 1x.
func BenchmarkRestart1M(b *testing.B) {
	if os.Getenv("DYNAMODB_BENCH_1M") == "" {
		b.Skip("set DYNAMODB_BENCH_1M=1 to restore a 1,000,000-item table")
	}
	dir := b.TempDir()
	e := emulator.New(emulator.WithDataDir(dir, persist.FsyncOff))
	h := e.Handler()
	create := `{"TableName":"bench","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]}`
	if code := newReplay("DynamoDB_20120810.CreateTable", nil).serve(h, []byte(create)); code != 200 {
		b.Fatalf("create: %d", code)
	}
	payload := strings.Repeat("x", 960)
	r := newReplay("DynamoDB_20120810.PutItem", nil)
	var body []byte
	for p := range 10000 {
		for s := range 100 {
			body = fmt.Appendf(body[:0], `{"TableName":"bench","Item":{"pk":{"S":"p%05d"},"sk":{"N":"%d"},"v":{"S":%q}}}`, p, s, payload)
			if code := r.serve(h, body); code != 200 {
				b.Fatalf("put: %d", code)
			}
		}
	}
	if err := e.Close(); err != nil { // a checkpoint of every item
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		e2 := emulator.New(emulator.WithDataDir(dir, persist.FsyncOff))
		b.ReportMetric(time.Since(start).Seconds(), "restart-s")
		if p := e2.Persistence(); len(p.Failed) > 0 {
			b.Fatal(p.Failed)
		}
		b.StopTimer()
		e2.Close()
		b.StartTimer()
	}
}
