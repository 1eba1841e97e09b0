package crash_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	"github.com/groundstack/groundstack/harness/emulator/persist"
)

// kills is how many times TestCrashConsistency kills the emulator: 10 in
// make test, 50 in make crash.
var (
	kills  = flag.Int("kills", 10, "how many times the emulator is killed")
	policy = flag.String("fsync", "batch", "the child's fsync policy: always or batch (off loses writes, as documented)")
)

// childDir, in the environment, makes the test binary the emulator child
// instead of running tests: it serves on a free port with that data
// directory, prints its URL and waits to be killed.
const childDir = "GROUNDSTACK_CRASH_CHILD_DIR"

// childFsync carries -fsync to the child.
const childFsync = "GROUNDSTACK_CRASH_CHILD_FSYNC"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childDir); dir != "" {
		f, err := persist.ParseFsync(os.Getenv(childFsync))
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		e := emulator.New(emulator.WithDataDir(dir, f))
		if err := e.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		fmt.Println(e.URL())
		select {}
	}
	os.Exit(m.Run())
}

// child is an emulator process on a data directory.
type child struct {
	cmd *exec.Cmd
	url string
}

func startChild(t *testing.T, dir string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childDir+"="+dir, childFsync+"="+*policy)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the emulator child did not start: %v", err)
	}
	c := &child{cmd: cmd, url: strings.TrimSpace(line)}
	t.Cleanup(c.kill)
	return c
}

func (c *child) kill() {
	if c.cmd.ProcessState == nil {
		_ = c.cmd.Process.Kill() // SIGKILL
		_ = c.cmd.Wait()
	}
}

// ledger is what the storm had acknowledged, and every transaction it
// attempted.
type ledger struct {
	mu       sync.Mutex
	items    map[string]bool     // acknowledged puts, by id
	txs      map[string]bool     // transaction id → acknowledged
	sent     map[string][]string // queue → bodies acknowledged sent
	deleted  map[string]bool     // bodies acknowledged deleted
	deleting map[string]bool     // bodies a delete was sent for
	objects  map[string]*object  // S3 key → a put or multipart complete attempted
}

// object is an S3 write the storm attempted: the MD5 of the bytes it
// wrote, and whether the emulator acknowledged it.
type object struct {
	md5       string
	multipart bool
	acked     bool
}

func newLedger() *ledger {
	return &ledger{items: map[string]bool{}, txs: map[string]bool{}, sent: map[string][]string{}, deleted: map[string]bool{},
		deleting: map[string]bool{}, objects: map[string]*object{}}
}

// bucket is the S3 bucket the storm writes to.
const bucket = "crash"

// body is the deterministic content of an S3 write: size bytes derived
// from the key, so a body written in part cannot pass for a whole one.
func body(key string, size int) []byte {
	b := make([]byte, size)
	var x uint64 = 14695981039346656037
	for _, c := range []byte(key) {
		x = (x ^ uint64(c)) * 1099511628211
	}
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
	return b
}

func md5hex(b []byte) string {
	h := md5.Sum(b)
	return hex.EncodeToString(h[:])
}

func s3client(url string) *s3.Client {
	return s3.NewFromConfig(emutest.Config(url), func(o *s3.Options) { o.UsePathStyle = true })
}

func sv(v string) ddb.AttributeValue { return &ddb.AttributeValueMemberS{Value: v} }

func TestCrashConsistency(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	l := newLedger()
	c := startChild(t, dir)
	cfg := emutest.Config(c.url)
	db := dynamodb.NewFromConfig(cfg)
	for _, name := range []string{"items", "pairs"} {
		if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: ddb.BillingModePayPerRequest,
			AttributeDefinitions: []ddb.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddb.ScalarAttributeTypeS}},
			KeySchema:            []ddb.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddb.KeyTypeHash}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s3client(c.url).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for round := range *kills {
		queue := fmt.Sprint("q", round)
		wait := storm(t, c.url, l, round, queue, time.Duration(100+rnd.IntN(300))*time.Millisecond)
		c.kill()
		wait()
		c = startChild(t, dir)
		verify(t, c.url, l, queue)
	}
	acked := 0
	for _, o := range l.objects {
		if o.acked {
			acked++
		}
	}
	t.Logf("%d kills: %d puts, %d transactions, %d S3 writes (%d acknowledged) attempted and checked", *kills, len(l.items), len(l.txs), len(l.objects), acked)
}

// storm writes from several goroutines until the emulator is killed at
// about after: DynamoDB puts and transactions, SQS sends and deletes, S3
// puts (small bodies, and every eighth over 1 MiB) and multipart uploads
// completed.
// It returns once the kill is due; the caller kills, then waits for the
// writers with the function it returns.
func storm(t *testing.T, url string, l *ledger, round int, queue string, after time.Duration) func() {
	ctx := context.Background()
	cfg := emutest.Config(url)
	db, q, s3c := dynamodb.NewFromConfig(cfg), sqs.NewFromConfig(cfg), s3client(url)
	// Received messages stay visible (the SDK omits a zero
	// VisibilityTimeout), so one received when the kill came is still
	// there to be found.
	qurl, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(queue), Attributes: map[string]string{"VisibilityTimeout": "0"}})
	if err != nil {
		t.Fatal(err)
	}
	stop := time.Now().Add(after)
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; time.Now().Before(stop); n++ {
				id := fmt.Sprintf("r%d-w%d-%d", round, w, n)
				switch w {
				case 0:
					if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("items"), Item: map[string]ddb.AttributeValue{"id": sv(id), "v": sv(strings.Repeat("x", n%200))}}); err == nil {
						l.mu.Lock()
						l.items[id] = true
						l.mu.Unlock()
					}
				case 1:
					l.mu.Lock()
					l.txs[id] = false
					l.mu.Unlock()
					_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []ddb.TransactWriteItem{
						{Put: &ddb.Put{TableName: aws.String("items"), Item: map[string]ddb.AttributeValue{"id": sv(id)}}},
						{Put: &ddb.Put{TableName: aws.String("pairs"), Item: map[string]ddb.AttributeValue{"id": sv(id + "-a")}}},
						{Put: &ddb.Put{TableName: aws.String("pairs"), Item: map[string]ddb.AttributeValue{"id": sv(id + "-b")}}},
					}})
					if err == nil {
						l.mu.Lock()
						l.txs[id] = true
						l.mu.Unlock()
					}
				case 2:
					if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: qurl.QueueUrl, MessageBody: aws.String(id)}); err == nil {
						l.mu.Lock()
						l.sent[queue] = append(l.sent[queue], id)
						l.mu.Unlock()
					}
				case 3:
					got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: qurl.QueueUrl, MaxNumberOfMessages: 2})
					if err != nil {
						continue
					}
					for _, m := range got.Messages {
						l.mu.Lock()
						l.deleting[*m.Body] = true
						l.mu.Unlock()
						if _, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: qurl.QueueUrl, ReceiptHandle: m.ReceiptHandle}); err == nil {
							l.mu.Lock()
							l.deleted[*m.Body] = true
							l.mu.Unlock()
						}
					}
				case 4:
					size := 1 + n%4096
					if n%8 == 7 {
						size = 1<<20 + 1 + n%65536
					}
					b := body(id, size)
					o := &object{md5: md5hex(b)}
					l.mu.Lock()
					l.objects[id] = o
					l.mu.Unlock()
					if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(id), Body: bytes.NewReader(b)}); err == nil {
						l.mu.Lock()
						o.acked = true
						l.mu.Unlock()
					}
				case 5:
					multipart(ctx, s3c, l, id)
				}
			}
		}()
	}
	// The kill lands while the writers still write.
	time.Sleep(time.Until(stop) - 20*time.Millisecond)
	return wg.Wait
}

// multipart uploads the object key in two parts (the first of the 5 MiB
// minimum, the second small) and completes it, recording the complete
// once it is attempted and acknowledged once it is.
func multipart(ctx context.Context, s3c *s3.Client, l *ledger, key string) {
	b := body(key, 5<<20+1+len(key)*100)
	up, err := s3c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return
	}
	var parts []s3types.CompletedPart
	for i, p := range [][]byte{b[:5<<20], b[5<<20:]} {
		got, err := s3c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			return
		}
		parts = append(parts, s3types.CompletedPart{ETag: got.ETag, PartNumber: aws.Int32(int32(i + 1))})
	}
	o := &object{md5: md5hex(b), multipart: true}
	l.mu.Lock()
	l.objects[key] = o
	l.mu.Unlock()
	if _, err := s3c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}}); err == nil {
		l.mu.Lock()
		o.acked = true
		l.mu.Unlock()
	}
}

// verifyObjects checks the restarted emulator's bucket: every
// acknowledged S3 write there with its exact bytes, and any other object
// (a write not acknowledged that happened) whole, never a part.
func verifyObjects(t *testing.T, s3c *s3.Client, l *ledger) {
	t.Helper()
	ctx := context.Background()
	present := map[string]bool{}
	p := s3.NewListObjectsV2Paginator(s3c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("list objects after a restart: %v", err)
		}
		for _, o := range page.Contents {
			present[*o.Key] = true
		}
	}
	for key := range present {
		if l.objects[key] == nil {
			t.Fatalf("object %s, never written, is there", key)
		}
	}
	for key, o := range l.objects {
		if !present[key] {
			if o.acked {
				t.Fatalf("acknowledged object %s (multipart %v) lost", key, o.multipart)
			}
			continue
		}
		got, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("get object %s after a restart: %v", key, err)
		}
		h := md5.New()
		_, err = io.Copy(h, got.Body)
		got.Body.Close()
		if err != nil {
			t.Fatalf("read object %s after a restart: %v", key, err)
		}
		if sum := hex.EncodeToString(h.Sum(nil)); sum != o.md5 {
			t.Fatalf("object %s (multipart %v, acknowledged %v): MD5 %s, want %s", key, o.multipart, o.acked, sum, o.md5)
		}
		if !o.multipart && strings.Trim(aws.ToString(got.ETag), `"`) != o.md5 {
			t.Fatalf("object %s: ETag %s, want %s", key, aws.ToString(got.ETag), o.md5)
		}
	}
}

// verify checks the restarted emulator: every acknowledged put and
// transaction there, no transaction in part, every acknowledged message
// there unless acknowledged deleted, none acknowledged deleted there.
func verify(t *testing.T, url string, l *ledger, queue string) {
	t.Helper()
	ctx := context.Background()
	cfg := emutest.Config(url)
	db, q := dynamodb.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	have := map[string]bool{}
	for _, table := range []string{"items", "pairs"} {
		p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(table)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("scan after a restart: %v", err)
			}
			for _, it := range page.Items {
				have[table+"/"+it["id"].(*ddb.AttributeValueMemberS).Value] = true
			}
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for id := range l.items {
		if !have["items/"+id] {
			t.Fatalf("acknowledged put %s lost", id)
		}
	}
	for id, acked := range l.txs {
		n := 0
		for _, k := range []string{"items/" + id, "pairs/" + id + "-a", "pairs/" + id + "-b"} {
			if have[k] {
				n++
			}
		}
		if n != 0 && n != 3 || acked && n != 3 {
			t.Fatalf("transaction %s (acknowledged %v): %d of its 3 items", id, acked, n)
		}
	}
	qurl, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(queue)})
	if err != nil {
		t.Fatalf("queue %s after a restart: %v", queue, err)
	}
	present := map[string]bool{}
	for {
		got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: qurl.QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Messages) == 0 {
			break
		}
		for _, m := range got.Messages {
			present[*m.Body] = true
		}
	}
	for _, body := range l.sent[queue] {
		if !present[body] && !l.deleting[body] { // a delete not acknowledged may have happened
			t.Fatalf("acknowledged message %s lost", body)
		}
	}
	for body := range present {
		if l.deleted[body] {
			t.Fatalf("message %s, acknowledged deleted, is back", body)
		}
	}
	verifyObjects(t, s3client(url), l)
}
