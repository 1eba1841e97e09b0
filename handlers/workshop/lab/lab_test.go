package lab

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// fakeCloud records what the functions do; objects are kept by "bucket/key".
type fakeCloud struct {
	objects  map[string][]byte
	meta     map[string]map[string]string
	calls    []string
	items    []*dynamodb.PutItemInput
	updates  []*dynamodb.UpdateItemInput
	queryOut []map[string]dtypes.AttributeValue
	publish  []*sns.PublishInput
}

func newFake() *fakeCloud {
	return &fakeCloud{objects: map[string][]byte{}, meta: map[string]map[string]string{}}
}

var uploaded = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

func (f *fakeCloud) HeadObject(_ context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	if _, ok := f.objects[*in.Bucket+"/"+*in.Key]; !ok {
		return nil, errors.New("NotFound")
	}
	return &s3.HeadObjectOutput{ContentType: aws.String("image/png"), LastModified: &uploaded}, nil
}
func (f *fakeCloud) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(f.objects[*in.Bucket+"/"+*in.Key]))}, nil
}
func (f *fakeCloud) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	b, _ := io.ReadAll(in.Body)
	f.objects[*in.Bucket+"/"+*in.Key], f.meta[*in.Bucket+"/"+*in.Key] = b, in.Metadata
	f.calls = append(f.calls, "s3.PutObject")
	return &s3.PutObjectOutput{}, nil
}
func (f *fakeCloud) ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	return &s3.ListObjectsV2Output{KeyCount: aws.Int32(int32(len(f.objects)))}, nil
}
func (f *fakeCloud) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.items = append(f.items, in)
	f.calls = append(f.calls, "dynamodb.PutItem")
	return &dynamodb.PutItemOutput{}, nil
}
func (f *fakeCloud) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	f.updates = append(f.updates, in)
	f.calls = append(f.calls, "dynamodb.UpdateItem")
	return &dynamodb.UpdateItemOutput{}, nil
}
func (f *fakeCloud) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return &dynamodb.QueryOutput{Items: f.queryOut}, nil
}
func (f *fakeCloud) Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	return &dynamodb.ScanOutput{Count: int32(len(f.items))}, nil
}
func (f *fakeCloud) CreateTopic(_ context.Context, in *sns.CreateTopicInput, _ ...func(*sns.Options)) (*sns.CreateTopicOutput, error) {
	return &sns.CreateTopicOutput{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:" + *in.Name)}, nil
}
func (f *fakeCloud) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	f.publish = append(f.publish, in)
	f.calls = append(f.calls, "sns.Publish")
	return &sns.PublishOutput{MessageId: aws.String("m-1")}, nil
}
func (f *fakeCloud) Invoke(context.Context, *lambda.InvokeInput, ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	return &lambda.InvokeOutput{Payload: []byte(`{"status":"sent"}`)}, nil
}
func (f *fakeCloud) ListFunctions(context.Context, *lambda.ListFunctionsInput, ...func(*lambda.Options)) (*lambda.ListFunctionsOutput, error) {
	return &lambda.ListFunctionsOutput{}, nil
}

func newLab(f *fakeCloud) *Lab {
	return &Lab{S3: f, DynamoDB: f, SNS: f, Lambda: f, Settings: SettingsFromEnv(func(string) string { return "" }),
		Now: func() time.Time { return uploaded.Add(time.Minute) }, NewID: func() string { return "id-1" }}
}

func TestAnS3NotificationAndADirectCallProcessTheSameImageAlike(t *testing.T) {
	var notification ImageEvent
	if err := json.Unmarshal([]byte(`{"Records":[{"eventSource":"aws:s3","s3":{"bucket":{"name":"in"},"object":{"key":"uploads/my+photo%281%29.png"}}}]}`), &notification); err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]ImageEvent{"direct": {Bucket: "in", Key: "uploads/my photo(1).png"}, "notification": notification} {
		f := newFake()
		f.objects["in/uploads/my photo(1).png"] = bytes.Repeat([]byte{7}, 3000)
		out, err := newLab(f).ProcessImages(context.Background(), e)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(out["body"].(string), `"originalKey":"uploads/my photo(1).png"`) || out["statusCode"] != 200 {
			t.Errorf("%s: answered %v", name, out)
		}
		if got := len(f.objects["lab-images-processed/processed/uploads/my photo(1).png"]); got != 3000 {
			t.Errorf("%s: processed copy of %d bytes, want 3000", name, got)
		}
		if got := len(f.objects["lab-images-thumbnails/thumbnails/uploads/my photo(1).png"]); got != ThumbnailBytes {
			t.Errorf("%s: thumbnail of %d bytes, want %d", name, got, ThumbnailBytes)
		}
		if m := f.meta["lab-images-thumbnails/thumbnails/uploads/my photo(1).png"]; m["thumbnail-size"] != ThumbnailSize || m["image-id"] != ImageID("in", "uploads/my photo(1).png") {
			t.Errorf("%s: thumbnail metadata %v", name, m)
		}
		item := f.items[0].Item
		if *f.items[0].TableName != "LabImageMetadata" || sOf(item["Status"]) != "processed" || sOf(item["OriginalKey"]) != "uploads/my photo(1).png" ||
			item["UploadTimestamp"].(*dtypes.AttributeValueMemberN).Value != "1796637600" || sOf(item["ProcessedAt"]) != "2026-12-07T10:01:00.000000+00:00" {
			t.Errorf("%s: item %#v", name, item)
		}
	}
	if _, err := newLab(newFake()).ProcessImages(context.Background(), ImageEvent{Bucket: "in"}); !errors.Is(err, ErrBadEvent) {
		t.Errorf("an event without a key: %v, want ErrBadEvent", err)
	}
}

func TestABatchIsArchivedGzippedUnderItsFirstEntrysHourAndIndexed(t *testing.T) {
	f := newFake()
	out, err := newLab(f).HandleLogs(context.Background(), LogEvent{BatchID: "b1", Logs: []LogEntry{
		{Timestamp: "2026-12-07T11:00:00.000Z", Level: "INFO", Message: "late"},
		{Timestamp: "2026-12-07T10:59:59.500Z", Level: "ERROR", Service: "api", Message: "early"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	const key = "lab-logs-archive/logs/2026/12/07/10/b1.json.gz"
	if out["s3Key"] != "logs/2026/12/07/10/b1.json.gz" || out["indexed"] != 2 {
		t.Errorf("answered %v", out)
	}
	zr, err := gzip.NewReader(bytes.NewReader(f.objects[key]))
	if err != nil {
		t.Fatalf("%s is not gzip: %v", key, err)
	}
	raw, _ := io.ReadAll(zr)
	var batch LogEvent
	if err := json.Unmarshal(raw, &batch); err != nil || batch.BatchID != "b1" || len(batch.Logs) != 2 {
		t.Errorf("archived %s (%v)", raw, err)
	}
	if len(f.items) != 2 || sOf(f.items[0].Item["Service"]) != "unknown" || sOf(f.items[1].Item["LogLevel"]) != "ERROR" {
		t.Errorf("indexed %v", f.items)
	}
	for _, bad := range []LogEvent{{}, {Logs: []LogEntry{{Timestamp: "2026-12-07T10:00:00Z", Level: "FATAL"}}}, {Logs: []LogEntry{{Timestamp: "yesterday", Level: "INFO"}}}} {
		if _, err := newLab(newFake()).HandleLogs(context.Background(), bad); !errors.Is(err, ErrBadEvent) {
			t.Errorf("%+v: %v, want ErrBadEvent", bad, err)
		}
	}
}

func TestANotificationIsRecordedBeforeItIsPublishedAndItsQueueCopyMarksItDelivered(t *testing.T) {
	f := newFake()
	l := newLab(f)
	if _, err := l.HandleNotification(context.Background(), NotificationEvent{ID: "n1", Type: "order", Priority: "high", Message: "hi"}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(f.calls, ",") != "dynamodb.PutItem,sns.Publish,dynamodb.UpdateItem" {
		t.Errorf("calls %v: the history must be written before publishing", f.calls)
	}
	p := f.publish[0]
	if *p.MessageAttributes["type"].StringValue != "order" || *p.MessageAttributes["priority"].StringValue != "high" {
		t.Errorf("attributes %v", p.MessageAttributes)
	}
	envelope, _ := json.Marshal(map[string]any{"Message": *p.Message, "MessageAttributes": map[string]any{
		"type": map[string]string{"Type": "String", "Value": "order"}, "priority": map[string]string{"Type": "String", "Value": "high"}}})
	var sqsEvent NotificationEvent
	json.Unmarshal([]byte(`{"Records":[{"eventSource":"aws:sqs","messageId":"q1","body":`+string(mustJSON(string(envelope)))+`}]}`), &sqsEvent)
	out, err := l.HandleNotification(context.Background(), sqsEvent)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.publish) != 1 {
		t.Error("a queue's copy was published again")
	}
	u := f.updates[len(f.updates)-1]
	if sOf(u.Key["NotificationId"]) != "n1" || sOf(u.ExpressionAttributeValues[":s"]) != "delivered" || sOf(u.ExpressionAttributeValues[":p"]) != "high" {
		t.Errorf("delivery update %+v (answered %v)", u, out)
	}
}

func TestTheRouterAnswersUnknownPathsWith404ListingTheEndpointsAndCORSEverywhere(t *testing.T) {
	l := newLab(newFake())
	for path, want := range map[string]int{"nowhere": 404, "health": 200, "stats": 200} {
		resp, err := l.Route(context.Background(), events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/" + path, PathParameters: map[string]string{"proxy": path}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != want || resp.Headers["Access-Control-Allow-Origin"] != "*" {
			t.Errorf("GET /%s: %d %v, want %d with CORS", path, resp.StatusCode, resp.Headers, want)
		}
		if want == 404 && !strings.Contains(resp.Body, `"available_endpoints":["GET /health"`) {
			t.Errorf("404 body %s", resp.Body)
		}
	}
	resp, _ := l.Route(context.Background(), events.APIGatewayProxyRequest{HTTPMethod: "POST", PathParameters: map[string]string{"proxy": "notifications"}, Body: `{"message":"x"}`})
	if resp.StatusCode != 201 {
		t.Errorf("POST /notifications: %d %s", resp.StatusCode, resp.Body)
	}
}

func mustJSON(s string) []byte { b, _ := json.Marshal(s); return b }
