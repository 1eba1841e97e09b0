package dynamodb_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// replay is a prebuilt request served straight into the handler: the
// per-op cost measured is the server's alone.
type replay struct {
	req  *http.Request
	body *bytes.Reader
	w    emutest.Discard
}

func newReplay(target string, body []byte) *replay {
	r := &replay{body: bytes.NewReader(body), w: emutest.Discard{H: http.Header{}}}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", nil)
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261123/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123456789abcdef")
	req.ContentLength = int64(len(body))
	r.req = req
	return r
}

func (r *replay) serve(h http.Handler, body []byte) int {
	r.body.Reset(body)
	r.req.Body = io.NopCloser(r.body)
	r.req.ContentLength = int64(len(body))
	r.w.Reset()
	r.w.Status = 200
	h.ServeHTTP(&r.w, r.req)
	return r.w.Status
}

const benchTable = `{"TableName":"bench","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}`

// item1KB is a PutItem body of about 1 KB (10 attributes).
func item1KB(id string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"TableName":"bench","Item":{"id":{"S":%q}`, id)
	for i := 0; i < 8; i++ {
		fmt.Fprintf(&b, `,"attr%d":{"S":%q}`, i, strings.Repeat(string(rune('a'+i)), 110))
	}
	b.WriteString(`,"n":{"N":"12345.678"}}}`)
	return []byte(b.String())
}

func benchHandler(b *testing.B) http.Handler {
	e := emulator.New()
	b.Cleanup(func() { e.Close() })
	h := e.Handler()
	if code := newReplay("DynamoDB_20120810.CreateTable", nil).serve(h, []byte(benchTable)); code != 200 {
		b.Fatalf("create table: %d", code)
	}
	return h
}

// BenchmarkPutItemHandler: server CPU of a 1 KB PutItem (new keys).
func BenchmarkPutItemHandler(b *testing.B) {
	h := benchHandler(b)
	bodies := make([][]byte, 4096)
	for i := range bodies {
		bodies[i] = item1KB(fmt.Sprintf("user-%08d", i))
	}
	r := newReplay("DynamoDB_20120810.PutItem", nil)
	b.ReportAllocs()
	m := emutest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		if code := r.serve(h, bodies[i%len(bodies)]); code != 200 {
			b.Fatalf("status %d", code)
		}
	}
	m.Report()
}

// BenchmarkGetItemHandler: server CPU of a 1 KB GetItem.
func BenchmarkGetItemHandler(b *testing.B) {
	h := benchHandler(b)
	put := newReplay("DynamoDB_20120810.PutItem", nil)
	gets := make([][]byte, 1024)
	for i := range gets {
		id := fmt.Sprintf("user-%08d", i)
		put.serve(h, item1KB(id))
		gets[i] = []byte(fmt.Sprintf(`{"TableName":"bench","Key":{"id":{"S":%q}}}`, id))
	}
	r := newReplay("DynamoDB_20120810.GetItem", nil)
	b.ReportAllocs()
	m := emutest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		if code := r.serve(h, gets[i%len(gets)]); code != 200 {
			b.Fatalf("status %d", code)
		}
	}
	m.Report()
}

// BenchmarkUpdateItemHandler: server CPU of a conditional ADD on a counter.
func BenchmarkUpdateItemHandler(b *testing.B) {
	h := benchHandler(b)
	body := []byte(`{"TableName":"bench","Key":{"id":{"S":"counter"}},"UpdateExpression":"ADD n :one SET updated = :t","ConditionExpression":"attribute_not_exists(locked)","ExpressionAttributeValues":{":one":{"N":"1"},":t":{"S":"2026-11-23T12:00:00Z"}},"ReturnValues":"UPDATED_NEW"}`)
	r := newReplay("DynamoDB_20120810.UpdateItem", nil)
	b.ReportAllocs()
	m := emutest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		if code := r.serve(h, body); code != 200 {
			b.Fatalf("status %d", code)
		}
	}
	m.Report()
}

// BenchmarkQuery10Handler: server CPU of a Query returning 10 items of 1 KB.
func BenchmarkQuery10Handler(b *testing.B) {
	e := emulator.New()
	b.Cleanup(func() { e.Close() })
	h := e.Handler()
	create := `{"TableName":"bench","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]}`
	newReplay("DynamoDB_20120810.CreateTable", nil).serve(h, []byte(create))
	put := newReplay("DynamoDB_20120810.PutItem", nil)
	payload := strings.Repeat("x", 960)
	for p := 0; p < 100; p++ {
		for s := 0; s < 10; s++ {
			put.serve(h, fmt.Appendf(nil, `{"TableName":"bench","Item":{"pk":{"S":"p%d"},"sk":{"N":"%d"},"payload":{"S":"%s"}}}`, p, s, payload))
		}
	}
	bodies := make([][]byte, 100)
	for p := range bodies {
		bodies[p] = fmt.Appendf(nil, `{"TableName":"bench","KeyConditionExpression":"pk = :p AND sk >= :z","ExpressionAttributeValues":{":p":{"S":"p%d"},":z":{"N":"0"}}}`, p)
	}
	r := newReplay("DynamoDB_20120810.Query", nil)
	b.ReportAllocs()
	m := emutest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		if code := r.serve(h, bodies[i%len(bodies)]); code != 200 {
			b.Fatalf("status %d", code)
		}
	}
	m.Report()
}

// BenchmarkMapWrite is the floor the PutItem figure is compared with: a
// 1 KB value stored in a mutex-guarded Go map.
func BenchmarkMapWrite(b *testing.B) {
	var mu sync.Mutex
	m := map[string][]byte{}
	keys := make([]string, 4096)
	for i := range keys {
		keys[i] = fmt.Sprintf("user-%08d", i)
	}
	val := item1KB("x")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v := append([]byte(nil), val...)
		mu.Lock()
		m[keys[i%len(keys)]] = v
		mu.Unlock()
	}
}

// sdkTarget returns an SDK client for BENCH_ENDPOINT or an embedded
// emulator, with the bench table created.
func sdkTarget(b *testing.B) *ddb.Client {
	cfg, _ := emutest.BenchConfig(b)
	cfg.RetryMaxAttempts = 3
	c := ddb.NewFromConfig(cfg)
	_, err := c.CreateTable(context.Background(), &ddb.CreateTableInput{TableName: aws.String("bench"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}}})
	if err != nil && !strings.Contains(err.Error(), "ResourceInUse") {
		b.Fatal(err)
	}
	return c
}

func sdkItem(id string) map[string]types.AttributeValue {
	it := map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: id}, "n": &types.AttributeValueMemberN{Value: "12345.678"}}
	for i := 0; i < 8; i++ {
		it[fmt.Sprintf("attr%d", i)] = &types.AttributeValueMemberS{Value: strings.Repeat(string(rune('a'+i)), 110)}
	}
	return it
}

// runClients runs b.N calls spread over 16 concurrent clients and reports
// ops/s and the process CPU per op (client and server together when the
// emulator is embedded).
func runClients(b *testing.B, call func(i int) error) {
	const clients = 16
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	b.ResetTimer()
	start, c0 := time.Now(), emutest.ProcessCPU()
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				if err := call(i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), emutest.ProcessCPU()-c0
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "proc-cpu-us/op")
}

func BenchmarkSDKPutItem16Clients(b *testing.B) {
	c := sdkTarget(b)
	ctx := context.Background()
	items := make([]map[string]types.AttributeValue, 1024)
	for i := range items {
		items[i] = sdkItem(fmt.Sprintf("user-%08d", i))
	}
	runClients(b, func(i int) error {
		_, err := c.PutItem(ctx, &ddb.PutItemInput{TableName: aws.String("bench"), Item: items[i%len(items)]})
		return err
	})
}

func BenchmarkSDKGetItem16Clients(b *testing.B) {
	c := sdkTarget(b)
	ctx := context.Background()
	for i := 0; i < 1024; i++ {
		if _, err := c.PutItem(ctx, &ddb.PutItemInput{TableName: aws.String("bench"), Item: sdkItem(fmt.Sprintf("user-%08d", i))}); err != nil {
			b.Fatal(err)
		}
	}
	runClients(b, func(i int) error {
		out, err := c.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String("bench"), Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: fmt.Sprintf("user-%08d", i%1024)}}})
		if err == nil && out.Item == nil {
			err = fmt.Errorf("item %d missing", i%1024)
		}
		return err
	})
}

// BenchmarkQuery100Of1M loads 1,000,000 items of ~1 KB (10,000 partitions
// of 100) and queries whole partitions. It needs DYNAMODB_BENCH_1M=1 (it
// takes about a minute and 2 GB): go test -run '^$' -bench Query100Of1M.
func BenchmarkQuery100Of1M(b *testing.B) {
	if os.Getenv("DYNAMODB_BENCH_1M") == "" {
		b.Skip("set DYNAMODB_BENCH_1M=1 to load a 1,000,000-item table")
	}
	const partitions, perPartition = 10000, 100
	e := emulator.New()
	b.Cleanup(func() { e.Close() })
	h := e.Handler()
	create := `{"TableName":"bench","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]}`
	if code := newReplay("DynamoDB_20120810.CreateTable", nil).serve(h, []byte(create)); code != 200 {
		b.Fatalf("create: %d", code)
	}
	payload := strings.Repeat("x", 960)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	loadStart := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := newReplay("DynamoDB_20120810.PutItem", nil)
			var body []byte
			for p := w; p < partitions; p += 2 {
				for s := 0; s < perPartition; s++ {
					body = fmt.Appendf(body[:0], `{"TableName":"bench","Item":{"pk":{"S":"part-%06d"},"sk":{"N":"%d"},"payload":{"S":"%s"}}}`, p, s, payload)
					if code := r.serve(h, body); code != 200 {
						b.Errorf("put: %d", code)
						return
					}
				}
			}
		}(w)
	}
	wg.Wait()
	loadTime := time.Since(loadStart)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	items := float64(partitions * perPartition)
	bytesPerItem := float64(after.HeapAlloc-before.HeapAlloc) / items
	rng := rand.New(rand.NewSource(1))
	r := newReplay("DynamoDB_20120810.Query", nil)
	lat := make([]time.Duration, 0, b.N)
	var body []byte
	m := emutest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		body = fmt.Appendf(body[:0], `{"TableName":"bench","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"part-%06d"}}}`, rng.Intn(partitions))
		t0 := time.Now()
		if code := r.serve(h, body); code != 200 {
			b.Fatalf("query: %d", code)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	m.Report()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(bytesPerItem, "heap-B/item")
	b.ReportMetric(items/loadTime.Seconds(), "load-items/s")
}
