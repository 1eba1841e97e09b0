package crash_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
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
}

func newLedger() *ledger {
	return &ledger{items: map[string]bool{}, txs: map[string]bool{}, sent: map[string][]string{}, deleted: map[string]bool{}, deleting: map[string]bool{}}
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
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for round := range *kills {
		queue := fmt.Sprint("q", round)
		wait := storm(t, c.url, l, round, queue, time.Duration(100+rnd.IntN(300))*time.Millisecond)
		c.kill()
		wait()
		c = startChild(t, dir)
		verify(t, c.url, l, queue)
	}
	t.Logf("%d kills: %d puts, %d transactions attempted and checked", *kills, len(l.items), len(l.txs))
}

// storm writes from several goroutines until the emulator is killed at
// about after: DynamoDB puts and transactions, SQS sends and deletes.
// It returns once the kill is due; the caller kills, then waits for the
// writers with the function it returns.
func storm(t *testing.T, url string, l *ledger, round int, queue string, after time.Duration) func() {
	ctx := context.Background()
	cfg := emutest.Config(url)
	db, q := dynamodb.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	// Received messages stay visible (the SDK omits a zero
	// VisibilityTimeout), so one received when the kill came is still
	// there to be found.
	qurl, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(queue), Attributes: map[string]string{"VisibilityTimeout": "0"}})
	if err != nil {
		t.Fatal(err)
	}
	stop := time.Now().Add(after)
	var wg sync.WaitGroup
	for w := range 4 {
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
				}
			}
		}()
	}
	// The kill lands while the writers still write.
	time.Sleep(time.Until(stop) - 20*time.Millisecond)
	return wg.Wait
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
}
