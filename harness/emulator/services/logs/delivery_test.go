package logs

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/sdkclient"
)

// fakeLambda records invocations as the Lambda service's link would
// receive them; it knows one function.
type fakeLambda struct {
	mu    sync.Mutex
	calls []cloud.InvokeRequest
	got   chan struct{}
}

const fnARN = "arn:aws:lambda:us-east-1:000000000000:function:sink"

func (f *fakeLambda) FunctionExists(arn string) bool { return arn == fnARN }

func (f *fakeLambda) Invoke(_ context.Context, req cloud.InvokeRequest) (cloud.InvokeResult, error) {
	f.mu.Lock()
	f.calls = append(f.calls, req)
	f.mu.Unlock()
	f.got <- struct{}{}
	return cloud.InvokeResult{}, nil
}

// Events matching a subscription filter reach the function asynchronously
// as awslogs.data = base64(gzip(JSON)), as aws-lambda-go reads them.
func TestSubscriptionDeliversToLambda(t *testing.T) {
	env := cloud.DefaultEnv()
	fake := &fakeLambda{got: make(chan struct{}, 16)}
	env.Links.Set(cloud.LinkLambda, cloud.FunctionInvoker(fake))
	s := New(env)
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := cwl.NewFromConfig(sdkclient.Config(srv.URL, "us-east-1"))
	ctx := context.Background()
	if _, err := c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/app")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("/app"), LogStreamName: aws.String("s1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutSubscriptionFilter(ctx, &cwl.PutSubscriptionFilterInput{LogGroupName: aws.String("/app"), FilterName: aws.String("errs"),
		FilterPattern: aws.String("ERROR"), DestinationArn: aws.String(fnARN)}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	if _, err := c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("/app"), LogStreamName: aws.String("s1"), LogEvents: []types.InputLogEvent{
		{Timestamp: aws.Int64(now), Message: aws.String("ERROR one")},
		{Timestamp: aws.Int64(now + 1), Message: aws.String("all good")},
		{Timestamp: aws.Int64(now + 2), Message: aws.String("ERROR two")},
	}}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-fake.got:
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery")
	}
	fake.mu.Lock()
	call := fake.calls[0]
	fake.mu.Unlock()
	if !call.Async || call.Function != fnARN || call.Region != "us-east-1" {
		t.Fatalf("invocation %+v", call)
	}
	var ev events.CloudwatchLogsEvent
	if err := json.Unmarshal(call.Payload, &ev); err != nil {
		t.Fatal(err)
	}
	data, err := ev.AWSLogs.Parse()
	if err != nil {
		t.Fatalf("parse awslogs: %v", err)
	}
	if data.MessageType != "DATA_MESSAGE" || data.Owner != "000000000000" || data.LogGroup != "/app" || data.LogStream != "s1" ||
		len(data.SubscriptionFilters) != 1 || data.SubscriptionFilters[0] != "errs" || len(data.LogEvents) != 2 ||
		data.LogEvents[0].Message != "ERROR one" || data.LogEvents[1].Message != "ERROR two" || data.LogEvents[0].Timestamp != now || data.LogEvents[0].ID == "" {
		t.Fatalf("data %+v", data)
	}
	// a non-matching batch delivers nothing
	if _, err := c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("/app"), LogStreamName: aws.String("s1"), LogEvents: []types.InputLogEvent{
		{Timestamp: aws.Int64(now + 3), Message: aws.String("fine")}}}); err != nil {
		t.Fatal(err)
	}
	// other services' writes (Lambda's own logs) are delivered too
	s.Store().WriteLogs("us-east-1", "/app", "s2", []cloud.LogEvent{{Timestamp: time.UnixMilli(now + 4), Message: "ERROR from a writer"}})
	select {
	case <-fake.got:
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery of the writer's event")
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if len(fake.calls) != 2 || !strings.Contains(string(gunzipData(t, fake.calls[1].Payload)), "ERROR from a writer") {
		t.Fatalf("%d calls", len(fake.calls))
	}
}

func gunzipData(t *testing.T, payload []byte) []byte {
	t.Helper()
	var env struct {
		Awslogs struct{ Data string } `json:"awslogs"`
	}
	json.Unmarshal(payload, &env)
	raw, _ := base64.StdEncoding.DecodeString(env.Awslogs.Data)
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(zr)
	return b
}
