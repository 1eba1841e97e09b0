package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// faultsCall sends method with body to /_groundstack/faults and returns
// the status and body.
func faultsCall(t *testing.T, base, method, query, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+"/_groundstack/faults"+query, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// The issue's own rule, verbatim: every matching call fails with that
// AWS error until DELETE, and nothing else is touched.
func TestFaultRuleInItsSimplestShape(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, cfg := emutest.Start(t)
	db := dynamodb.NewFromConfig(cfg)
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("orders"),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	}); err != nil {
		t.Fatal(err)
	}
	put := func() error {
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"),
			Item: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "1"}}})
		return err
	}
	status, body := faultsCall(t, e.URL(), "POST", "", `{"service":"dynamodb","operation":"PutItem","error":"ProvisionedThroughputExceededException","probability":1}`)
	if status != 200 || !strings.Contains(body, `"id"`) {
		t.Fatalf("add: %d %s", status, body)
	}
	for range 3 {
		err := put()
		var pe *ddbtypes.ProvisionedThroughputExceededException
		if !errors.As(err, &pe) || httpStatus(err) != 400 {
			t.Fatalf("PutItem under the fault: %v", err)
		}
	}
	if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("orders"),
		Key: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "1"}}}); err != nil {
		t.Fatalf("GetItem is not PutItem: %v", err)
	}
	status, body = faultsCall(t, e.URL(), "GET", "", "")
	var list struct {
		Faults []struct {
			Hits int `json:"hits"`
		} `json:"faults"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || status != 200 || len(list.Faults) != 1 || list.Faults[0].Hits != 3 {
		t.Fatalf("list: %d %s", status, body)
	}
	if status, body := faultsCall(t, e.URL(), "DELETE", "", ""); status != 200 {
		t.Fatalf("clear: %d %s", status, body)
	}
	if err := put(); err != nil {
		t.Fatalf("after DELETE: %v", err)
	}
}

// Resources, error statuses, latency, dropped connections, counts and
// the SDK's retries.
func TestFaultRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, cfg := emutest.Start(t)
	s := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	for _, b := range []string{"hot-bucket", "cold-bucket"} {
		if _, err := s.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
	}
	add := func(rule string) string {
		t.Helper()
		status, body := faultsCall(t, e.URL(), "POST", "", rule)
		if status != 200 {
			t.Fatalf("add %s: %d %s", rule, status, body)
		}
		var out struct {
			Faults []struct {
				ID string `json:"id"`
			} `json:"faults"`
		}
		_ = json.Unmarshal([]byte(body), &out)
		return out.Faults[0].ID
	}

	// S3's SlowDown on one bucket only, with S3's status.
	id := add(`{"service":"s3","operation":"Get*","resource":"hot-*","error":"SlowDown"}`)
	_, err := s.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("hot-bucket"), Key: aws.String("k")})
	if apiCode(err) != "SlowDown" || httpStatus(err) != 503 {
		t.Fatalf("GetObject of the hot bucket: %v", err)
	}
	if _, err := s.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cold-bucket"), Key: aws.String("k")}); err != nil {
		t.Fatalf("another bucket: %v", err)
	}
	if status, _ := faultsCall(t, e.URL(), "DELETE", "?id="+id, ""); status != 200 {
		t.Fatal("remove by id")
	}
	if status, _ := faultsCall(t, e.URL(), "DELETE", "?id="+id, ""); status != 404 {
		t.Fatal("removing a rule twice")
	}

	// A fault that hits twice: the SDK's standard retryer (3 attempts)
	// gets through, as handlers on AWS do.
	add(`{"service":"sqs","operation":"ListQueues","error":"ThrottlingException","times":2}`)
	retrying := cfg.Copy()
	retrying.RetryMaxAttempts = 3
	if _, err := sqs.NewFromConfig(retrying).ListQueues(ctx, &sqs.ListQueuesInput{}); err != nil {
		t.Fatalf("retried through two throttles: %v", err)
	}

	// Latency delays the call, which then runs.
	add(`{"service":"sqs","operation":"CreateQueue","latency":"300ms"}`)
	start := time.Now()
	if _, err := sqs.NewFromConfig(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("slow")}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Fatalf("CreateQueue took %v under a 300ms latency fault", d)
	}

	// A dropped connection is no AWS error at all.
	add(`{"service":"sqs","operation":"GetQueueUrl","drop":true}`)
	_, err = sqs.NewFromConfig(cfg).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("slow")})
	if err == nil || apiCode(err) != "" {
		t.Fatalf("dropped connection: %v", err)
	}

	// A probability hits about that share of calls.
	add(`{"service":"sqs","operation":"GetQueueAttributes","error":"InternalFailure","probability":0.5}`)
	failed := 0
	for range 200 {
		_, err := sqs.NewFromConfig(cfg).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(e.URL() + "/000000000000/slow")})
		if apiCode(err) == "InternalFailure" && httpStatus(err) == 500 {
			failed++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if failed < 40 || failed > 160 {
		t.Fatalf("probability 0.5 hit %d of 200 calls", failed)
	}

	// A window not yet open matches nothing.
	add(`{"service":"sqs","operation":"DeleteQueue","error":"InternalFailure","start":"2999-01-01T00:00:00Z"}`)
	if _, err := sqs.NewFromConfig(cfg).DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(e.URL() + "/000000000000/slow")}); err != nil {
		t.Fatalf("a rule in the future: %v", err)
	}
}

// Rules that cannot work are refused, saying why; none of a batch is
// added when one is bad.
func TestFaultRulesRefused(t *testing.T) {
	t.Parallel()
	e, _ := emutest.Start(t)
	for _, bad := range []string{
		`{"service":"dynamodb"}`,
		`{"service":"dynamodb","error":"X","probability":2}`,
		`{"service":"dynamodb","error":"X","probability":0}`,
		`{"service":"dynamodb","error":"X","drop":true}`,
		`{"service":"dynamodb","error":"X","status":200}`,
		`{"service":"dynamodb","latency":"soon"}`,
		`{"service":"dynamodb","operation":"[","error":"X"}`,
		`{"service":"dynamodb","error":"X","end":"2030-01-01T00:00:00Z","duration":"1m"}`,
		`{"service":"dynamodb","error":"X","colour":"red"}`,
		`[{"service":"sqs","error":"X"},{"service":"dynamodb"}]`,
		`{"service":"dynamodb","crash":true}`,
		`{"target":"moon","latency":"1s"}`,
		`{"target":"ssh","error":"X"}`,
		`{"target":"delivery","drop":true}`,
		`{"target":"cold-start","service":"lambda","operation":"Invoke","crash":true}`,
		`{"target":"invoke","crash":true,"drop":true}`,
		`{"target":"websocket","drop":true,"status":500}`,
		`not json`,
	} {
		if status, body := faultsCall(t, e.URL(), "POST", "", bad); status != 400 || !strings.Contains(body, `"error"`) {
			t.Errorf("%s: %d %s", bad, status, body)
		}
	}
	if _, body := faultsCall(t, e.URL(), "GET", "", ""); !strings.Contains(body, `"faults":[]`) {
		t.Fatalf("refused rules were kept: %s", body)
	}
}
