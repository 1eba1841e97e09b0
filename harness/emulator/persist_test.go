package emulator_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	"github.com/groundstack/groundstack/harness/emulator/persist"
)

// startPersisted starts an emulator on dir; the caller closes it.
func startPersisted(t *testing.T, dir string) (*emulator.Emulator, aws.Config) {
	t.Helper()
	e := emulator.New(emulator.WithDataDir(dir, persist.FsyncBatch))
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	return e, emutest.Config(e.URL())
}

func TestDataDirSurvivesRestarts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, acfg := startPersisted(t, dir)
	handle := seedSnapshotState(t, acfg)
	observe(t, acfg, a.URL()[len("http://"):]) // reading secrets marks them accessed: once first
	before := observe(t, acfg, a.URL()[len("http://"):])
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	// A clean restart (from checkpoints), then changes, then a restart
	// that replays their records.
	b, bcfg := startPersisted(t, dir)
	after := observe(t, bcfg, b.URL()[len("http://"):])
	if d := lineDiff(before, after); d != "" {
		t.Errorf("observed state differs after a restart:\n%s", d)
	}
	db := dynamodb.NewFromConfig(bcfg)
	must(db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("orders"),
		Item: map[string]ddb.AttributeValue{"pk": &ddb.AttributeValueMemberS{Value: "late"}, "sk": &ddb.AttributeValueMemberN{Value: "9"}}}))
	must(db.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String("orders"),
		Key: map[string]ddb.AttributeValue{"pk": &ddb.AttributeValueMemberS{Value: "c0"}, "sk": &ddb.AttributeValueMemberN{Value: "0"}}}))
	mid := observe(t, bcfg, b.URL()[len("http://"):])
	b.Close()

	c, ccfg := startPersisted(t, dir)
	defer c.Close()
	if d := lineDiff(mid, observe(t, ccfg, c.URL()[len("http://"):])); d != "" {
		t.Errorf("observed state differs after a second restart:\n%s", d)
	}
	_ = handle
	rep := c.Persistence()
	// every service that keeps state persists; the report names those
	// that do not (STS keeps no resources a restart must restore)
	if rep == nil || rep.Restored.Services < 4 || !contains(rep.NotPersisted, "sts") || contains(rep.NotPersisted, "lambda") || contains(rep.NotPersisted, "s3") {
		t.Errorf("persistence report: %+v", rep)
	}
	resp, err := http.Get(c.URL() + "/_groundstack/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Persistence emulator.PersistenceReport `json:"persistence"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || st.Persistence.DataDir != dir {
		t.Errorf("state's persistence: %+v %v", st.Persistence, err)
	}
}

func TestDataDirResetEmptiesIt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, acfg := startPersisted(t, dir)
	seedSnapshotState(t, acfg)
	resp, err := http.Post(a.URL()+"/_groundstack/reset", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	a.Close()
	b, bcfg := startPersisted(t, dir)
	defer b.Close()
	tables := must(dynamodb.NewFromConfig(bcfg).ListTables(context.Background(), &dynamodb.ListTablesInput{}))
	if len(tables.TableNames) != 0 {
		t.Fatalf("tables after a reset and a restart: %v", tables.TableNames)
	}
}

func TestDataDirOfANewerFormatIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "FORMAT"), []byte("999\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := emulator.New(emulator.WithDataDir(dir, persist.FsyncBatch))
	defer e.Close()
	if err := e.Start(); err == nil || !strings.Contains(err.Error(), "newer groundstack") {
		t.Fatalf("start on a newer data directory: %v", err)
	}
}

func TestDataDirTornTailIsCutAndReported(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, acfg := startPersisted(t, dir)
	db := dynamodb.NewFromConfig(acfg)
	must(db.CreateTable(context.Background(), &dynamodb.CreateTableInput{TableName: aws.String("torn"), BillingMode: ddb.BillingModePayPerRequest,
		AttributeDefinitions: []ddb.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddb.ScalarAttributeTypeS}},
		KeySchema:            []ddb.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddb.KeyTypeHash}}}))
	must(db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("torn"), Item: map[string]ddb.AttributeValue{"id": &ddb.AttributeValueMemberS{Value: "kept"}}}))
	a.Close()
	// Half a record at the end of the last segment, as a crash mid-write
	// leaves it.
	segs, _ := filepath.Glob(filepath.Join(dir, "accounts", "000000000000", "dynamodb", "log", "seg-*.wal"))
	if len(segs) == 0 {
		t.Fatal("no DynamoDB segment")
	}
	seg := segs[len(segs)-1]
	f, err := os.OpenFile(seg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	torn := []byte{200, 0, 0, 0, 1, 2, 3, 4, 1, '{', '"'}
	if _, err := f.Write(torn); err != nil {
		t.Fatal(err)
	}
	f.Close()
	b, bcfg := startPersisted(t, dir)
	defer b.Close()
	got := must(dynamodb.NewFromConfig(bcfg).GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("torn"),
		Key: map[string]ddb.AttributeValue{"id": &ddb.AttributeValueMemberS{Value: "kept"}}}))
	if got.Item == nil {
		t.Fatal("the item before the torn tail is gone")
	}
	if rep := b.Persistence(); len(rep.TornTails) != 1 || rep.TornTails[0].Bytes != int64(len(torn)) {
		t.Fatalf("torn tails reported: %+v", rep.TornTails)
	}
}

func TestDataDirKeepsALoadedSnapshot(t *testing.T) {
	t.Parallel()
	src, scfg := emutest.Start(t)
	seedSnapshotState(t, scfg)
	file := saveSnapshot(t, src.URL())
	dir := t.TempDir()
	a, _ := startPersisted(t, dir)
	if status, body := snapshotCall(t, a.URL(), "/_groundstack/snapshot/load", file); status != http.StatusOK {
		t.Fatalf("load: %d %s", status, body)
	}
	a.Close()
	b, bcfg := startPersisted(t, dir)
	defer b.Close()
	if d := lineDiff(observe(t, scfg, src.URL()[len("http://"):]), observe(t, bcfg, b.URL()[len("http://"):])); d != "" {
		// Reading secrets marks them accessed: compare once both were read.
		if d = lineDiff(observe(t, scfg, src.URL()[len("http://"):]), observe(t, bcfg, b.URL()[len("http://"):])); d != "" {
			t.Errorf("a loaded snapshot differs after a restart:\n%s", d)
		}
	}
}

// TestDataDirS3ObjectsSurviveRestarts restarts on a copy of the data
// directory taken while the emulator runs (as a crash leaves it: records,
// no checkpoint of them), then after a clean shutdown (a checkpoint):
// S3 objects, whose bodies are files of the blob directory the records
// and the checkpoint name, come back with their bytes.
func TestDataDirS3ObjectsSurviveRestarts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	a, acfg := startPersisted(t, dir)
	c := s3.NewFromConfig(acfg, func(o *s3.Options) { o.UsePathStyle = true })
	must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("kept")}))
	bodies := map[string]string{"small": "hello", "large": strings.Repeat("0123456789abcdef", 80_000)}
	for k, b := range bodies {
		must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kept"), Key: aws.String(k), Body: strings.NewReader(b)}))
	}
	crashed := t.TempDir()
	if err := os.CopyFS(crashed, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{crashed, dir} {
		e, cfg := startPersisted(t, d)
		c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
		for k, want := range bodies {
			got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kept"), Key: aws.String(k)})
			if err != nil {
				t.Fatalf("%s after a restart on %s: %v", k, d, err)
			}
			b, err := io.ReadAll(got.Body)
			got.Body.Close()
			if err != nil || string(b) != want {
				t.Errorf("%s after a restart on %s: %d bytes (%v), want %d", k, d, len(b), err, len(want))
			}
		}
		e.Close()
	}
}

// What the emulator changes through its own internal edge (a CloudFormation
// stack's resources, the console's calls) is logged and durable before the
// change that made it is answered, as a client's change is: a crash just
// after CreateStack answered keeps the stack's queue (SQS is persisted
// whole, which only the edge's mark of a change saves).
func TestDataDirInternalChangesAreDurable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	a, acfg := startPersisted(t, dir)
	cf := cloudformation.NewFromConfig(acfg)
	must(cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("kept"),
		TemplateBody: aws.String(`{"Resources":{"Q":{"Type":"AWS::SQS::Queue","Properties":{"QueueName":"kept-by-a-stack"}}}}`)}))
	d, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("kept")})
	if err != nil || len(d.Stacks) != 1 || d.Stacks[0].StackStatus != cftypes.StackStatusCreateComplete {
		t.Fatalf("stack: %v %+v", err, d)
	}
	crashed := t.TempDir()
	if err := os.CopyFS(crashed, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	e, cfg := startPersisted(t, crashed)
	defer e.Close()
	q, err := sqs.NewFromConfig(cfg).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("kept-by-a-stack")})
	if err != nil {
		t.Fatalf("the stack's queue after a crash: %v", err)
	}
	t.Logf("queue %s", aws.ToString(q.QueueUrl))
}
