package groundstack_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack"
)

func run(t *testing.T, opts ...groundstack.Option) *groundstack.Cloud {
	t.Helper()
	gs, err := groundstack.Run(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gs.Close() })
	return gs
}

// TestConfigNeedsNoHostSettings: with HOME an empty directory and no AWS_*
// variable, Config still reaches the cloud (nothing is read from ~/.aws
// or the environment), and the host's variables, when set, change nothing.
func TestConfigNeedsNoHostSettings(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	gs := run(t, groundstack.WithRegion("eu-west-1"))
	cfg := gs.Config()
	if cfg.Region != "eu-west-1" || aws.ToString(cfg.BaseEndpoint) != gs.Endpoint() {
		t.Fatalf("Config: region %q endpoint %q, want eu-west-1 and %s", cfg.Region, aws.ToString(cfg.BaseEndpoint), gs.Endpoint())
	}
	ctx := context.Background()
	db := dynamodb.NewFromConfig(cfg)
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("tab"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	}); err != nil {
		t.Fatalf("CreateTable with no ~/.aws and no AWS_*: %v", err)
	}
	d, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("tab")})
	if err != nil {
		t.Fatal(err)
	}
	if arn := aws.ToString(d.Table.TableArn); !strings.HasPrefix(arn, "arn:aws:dynamodb:eu-west-1:000000000000:") {
		t.Errorf("table ARN %s: want the region and the default account", arn)
	}

	// Host settings pointing elsewhere are ignored too.
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	t.Setenv("AWS_REGION", "ap-south-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAELSEWHERE")
	if _, err := dynamodb.NewFromConfig(gs.Config()).ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Errorf("ListTables with AWS_* set elsewhere: %v", err)
	}
}

func TestCloseTwice(t *testing.T) {
	t.Parallel()
	gs, err := groundstack.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := gs.Close(); err != nil {
		t.Fatalf("first Close: %v", err)
	}
	if err := gs.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	once := func(o *sqs.Options) { o.RetryMaxAttempts = 1 }
	if _, err := sqs.NewFromConfig(gs.Config(), once).ListQueues(context.Background(), &sqs.ListQueuesInput{}); err == nil {
		t.Error("the cloud still answers after Close")
	}
}

func TestResetEmpties(t *testing.T) {
	t.Parallel()
	gs := run(t, groundstack.WithServices("sqs", "dynamodb"))
	ctx := context.Background()
	q := sqs.NewFromConfig(gs.Config())
	for _, n := range []string{"a", "b"} {
		if _, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := gs.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	out, err := q.ListQueues(ctx, &sqs.ListQueuesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.QueueUrls) != 0 {
		t.Errorf("queues after Reset: %v", out.QueueUrls)
	}
}

// TestStrictAuth: Config signs with the key pair made at start, the usual
// test credentials are refused, and Reset (a signed control call) works.
func TestStrictAuth(t *testing.T) {
	t.Parallel()
	gs := run(t, groundstack.WithStrictAuth(), groundstack.WithServices("sqs"))
	ctx := context.Background()
	if _, err := sqs.NewFromConfig(gs.Config()).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")}); err != nil {
		t.Fatalf("signed with Config's key: %v", err)
	}
	bad := gs.Config()
	bad.Credentials = credentials.NewStaticCredentialsProvider("test", "test", "")
	_, err := sqs.NewFromConfig(bad).ListQueues(ctx, &sqs.ListQueuesInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("test/test in strict mode: %v, want an AWS error", err)
	}
	if err := gs.Reset(ctx); err != nil {
		t.Fatalf("Reset in strict mode: %v", err)
	}
}

func TestFaultsFromTheStart(t *testing.T) {
	t.Parallel()
	gs := run(t, groundstack.WithFaults(groundstack.FaultRule{Service: "sqs", Operation: "CreateQueue", Error: "QueueDeletedRecently"}))
	_, err := sqs.NewFromConfig(gs.Config()).CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("q")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || !strings.Contains(ae.ErrorCode(), "QueueDeletedRecently") {
		t.Fatalf("CreateQueue under a fault: %v, want QueueDeletedRecently", err)
	}
	if err := gs.Faults().Clear(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := sqs.NewFromConfig(gs.Config()).CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("q")}); err != nil {
		t.Fatalf("after Faults().Clear: %v", err)
	}
}

// TestSnapshotAtStart: a cloud started from another's snapshot holds its
// resources; a second cloud reached by WithEndpoint sees them, and its
// Close leaves the first running.
func TestSnapshotAtStart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := run(t)
	if _, err := sqs.NewFromConfig(src.Config()).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("kept")}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := src.Emulator().SaveSnapshot(&buf, false); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cloud.snapshot")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	gs := run(t, groundstack.WithSnapshot(path))
	ext := run(t, groundstack.WithEndpoint(gs.Endpoint()), groundstack.WithServices("sqs"))
	if ext.Backend() != groundstack.External || ext.Emulator() != nil {
		t.Errorf("backend %q, emulator %v: want endpoint and none", ext.Backend(), ext.Emulator())
	}
	out, err := sqs.NewFromConfig(ext.Config()).ListQueues(ctx, &sqs.ListQueuesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.QueueUrls) != 1 || !strings.HasSuffix(out.QueueUrls[0], "/kept") {
		t.Errorf("queues of the cloud loaded from the snapshot: %v", out.QueueUrls)
	}
	if err := ext.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := sqs.NewFromConfig(gs.Config()).ListQueues(ctx, &sqs.ListQueuesInput{}); err != nil {
		t.Errorf("the cloud after an endpoint Cloud's Close: %v", err)
	}
}

func TestLogsGoToTheWriter(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	gs := run(t, groundstack.WithLogs(&buf), groundstack.WithStrictAuth())
	bad := gs.Config()
	bad.Credentials = credentials.NewStaticCredentialsProvider("test", "test", "")
	_, _ = sqs.NewFromConfig(bad).ListQueues(context.Background(), &sqs.ListQueuesInput{})
	gs.Close()
	if buf.String() == "" {
		t.Error("nothing logged")
	}
}

func TestRunRefusesBadSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []groundstack.Option
		want string
	}{
		{"unknown service", []groundstack.Option{groundstack.WithServices("s4")}, `no service named "s4"`},
		{"account", []groundstack.Option{groundstack.WithAccount("12")}, "twelve digits"},
		{"port", []groundstack.Option{groundstack.WithPort(70000)}, "not a TCP port"},
		{"backend", []groundstack.Option{groundstack.WithBackend("cloud9")}, `unknown backend "cloud9"`},
		{"container not linked", []groundstack.Option{groundstack.WithBackend(groundstack.Container)}, "groundstack/container"},
		{"endpoint without URL", []groundstack.Option{groundstack.WithBackend(groundstack.External)}, "WithEndpoint"},
	} {
		gs, err := groundstack.Run(context.Background(), tc.opts...)
		if err == nil {
			gs.Close()
			t.Errorf("%s: Run succeeded", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want it to say %q", tc.name, err, tc.want)
		}
	}
}

// TestImportsNoTestFramework: a project importing groundstack links no
// test framework and no container library (go list -deps).
func TestImportsNoTestFramework(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"testing", "github.com/onsi/", "github.com/stretchr/testify", "github.com/testcontainers/"} {
			if dep == banned || strings.HasSuffix(banned, "/") && strings.HasPrefix(dep, banned) {
				t.Errorf("groundstack imports %s", dep)
			}
		}
	}
}
