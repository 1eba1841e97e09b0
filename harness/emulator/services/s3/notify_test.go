package s3_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	"github.com/groundstack/groundstack/harness/emulator/emutest/lambdago"
	s3svc "github.com/groundstack/groundstack/harness/emulator/services/s3"
)

// Event notifications against fake destinations: the S3 service alone,
// its links filled with fakes that record what they are sent.

const (
	fakeQueue    = "arn:aws:sqs:us-east-1:000000000000:events"
	fakeQueue2   = "arn:aws:sqs:us-east-1:000000000000:other"
	fakeTopic    = "arn:aws:sns:us-east-1:000000000000:events"
	fakeFunction = "arn:aws:lambda:us-east-1:000000000000:function:on-object"
)

// sink records deliveries; Queues, Topics and FunctionInvoker at once.
type sink struct {
	cloud.Queues // the methods S3 never calls
	mu           sync.Mutex
	exists       map[string]bool
	got          map[string][]string // by ARN: bodies, messages, payloads
	subjects     []string
	async        []bool
	fail         error
}

func newSink(arns ...string) *sink {
	s := &sink{exists: map[string]bool{}, got: map[string][]string{}}
	for _, a := range arns {
		s.exists[a] = true
	}
	return s
}

func (s *sink) record(arn, doc string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.got[arn] = append(s.got[arn], doc)
	return nil
}

func (s *sink) QueueExists(arn string) bool    { s.mu.Lock(); defer s.mu.Unlock(); return s.exists[arn] }
func (s *sink) TopicExists(arn string) bool    { return s.QueueExists(arn) }
func (s *sink) FunctionExists(arn string) bool { return s.QueueExists(arn) }
func (s *sink) SendMessage(arn string, m cloud.QueueMessage) (string, error) {
	return "id", s.record(arn, m.Body)
}
func (s *sink) Publish(arn string, m cloud.TopicMessage) (string, error) {
	s.mu.Lock()
	s.subjects = append(s.subjects, m.Subject)
	s.mu.Unlock()
	return "id", s.record(arn, m.Message)
}
func (s *sink) Invoke(_ context.Context, r cloud.InvokeRequest) (cloud.InvokeResult, error) {
	s.mu.Lock()
	s.async = append(s.async, r.Async)
	s.mu.Unlock()
	return cloud.InvokeResult{}, s.record(r.Function, string(r.Payload))
}

// take returns and forgets what arn was sent.
func (s *sink) take(arn string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.got[arn]
	delete(s.got, arn)
	return out
}

// startWithSink serves the S3 service alone with its destinations in d.
func startWithSink(t *testing.T, d *sink) (*s3.Client, string) {
	t.Helper()
	env := cloud.DefaultEnv()
	env.Links.Set(cloud.LinkSQS, cloud.Queues(d))
	env.Links.Set(cloud.LinkSNS, cloud.Topics(d))
	env.Links.Set(cloud.LinkLambda, cloud.FunctionInvoker(d))
	svc := s3svc.New(env)
	srv := httptest.NewServer(svc)
	t.Cleanup(func() { srv.Close(); svc.Close() })
	return s3.NewFromConfig(emutest.Config(srv.URL)), srv.URL
}

func rules(kv ...string) *types.NotificationConfigurationFilter {
	f := &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{}}
	for i := 0; i < len(kv); i += 2 {
		f.Key.FilterRules = append(f.Key.FilterRules, types.FilterRule{Name: types.FilterRuleName(kv[i]), Value: aws.String(kv[i+1])})
	}
	return f
}

func eventList(names ...string) []types.Event {
	out := make([]types.Event, len(names))
	for i, n := range names {
		out[i] = types.Event(n)
	}
	return out
}

func putNotification(c *s3.Client, bucket string, cfg types.NotificationConfiguration) error {
	_, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket), NotificationConfiguration: &cfg})
	return err
}

func TestNotificationConfigurationRoundTrip(t *testing.T) {
	t.Parallel()
	d := newSink(fakeQueue, fakeTopic, fakeFunction)
	c, _ := startWithSink(t, d)
	mustCreateBucket(t, c, "conf")

	got, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("conf")})
	if err != nil || len(got.QueueConfigurations)+len(got.TopicConfigurations)+len(got.LambdaFunctionConfigurations) != 0 || got.EventBridgeConfiguration != nil {
		t.Fatalf("fresh bucket: %+v, %v", got, err)
	}

	err = putNotification(c, "conf", types.NotificationConfiguration{
		QueueConfigurations: []types.QueueConfiguration{{
			Id: aws.String("to-queue"), QueueArn: aws.String(fakeQueue),
			Events: eventList("s3:ObjectCreated:*"), Filter: rules("prefix", "in/", "suffix", ".txt"),
		}},
		TopicConfigurations: []types.TopicConfiguration{{
			TopicArn: aws.String(fakeTopic), Events: eventList("s3:ObjectRemoved:Delete"),
		}},
		LambdaFunctionConfigurations: []types.LambdaFunctionConfiguration{{
			Id: aws.String("to-fn"), LambdaFunctionArn: aws.String(fakeFunction),
			Events: eventList("s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload"), Filter: rules("prefix", "out/"),
		}},
		EventBridgeConfiguration: &types.EventBridgeConfiguration{},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err = c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("conf")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.QueueConfigurations) != 1 || len(got.TopicConfigurations) != 1 || len(got.LambdaFunctionConfigurations) != 1 || got.EventBridgeConfiguration == nil {
		t.Fatalf("got %+v", got)
	}
	q := got.QueueConfigurations[0]
	if aws.ToString(q.Id) != "to-queue" || aws.ToString(q.QueueArn) != fakeQueue || len(q.Events) != 1 || q.Events[0] != "s3:ObjectCreated:*" {
		t.Errorf("queue configuration %+v", q)
	}
	// S3 returns rule names capitalised.
	if fr := q.Filter.Key.FilterRules; len(fr) != 2 || fr[0].Name != "Prefix" || aws.ToString(fr[0].Value) != "in/" || fr[1].Name != "Suffix" || aws.ToString(fr[1].Value) != ".txt" {
		t.Errorf("queue filter %+v", fr)
	}
	if tc := got.TopicConfigurations[0]; aws.ToString(tc.Id) == "" || aws.ToString(tc.TopicArn) != fakeTopic || tc.Filter != nil {
		t.Errorf("topic configuration %+v: want a generated Id and no filter", tc)
	}
	if fc := got.LambdaFunctionConfigurations[0]; aws.ToString(fc.LambdaFunctionArn) != fakeFunction || len(fc.Events) != 2 {
		t.Errorf("function configuration %+v", fc)
	}

	// The test event went to the queue and the topic, not to the function.
	for _, arn := range []string{fakeQueue, fakeTopic} {
		docs := d.take(arn)
		if len(docs) != 1 {
			t.Fatalf("%s got %d test events, want 1", arn, len(docs))
		}
		var te struct{ Service, Event, Time, Bucket, RequestId, HostId string }
		if err := json.Unmarshal([]byte(docs[0]), &te); err != nil {
			t.Fatal(err)
		}
		if te.Service != "Amazon S3" || te.Event != "s3:TestEvent" || te.Bucket != "conf" || te.RequestId == "" || te.HostId == "" || !eventTime.MatchString(te.Time) {
			t.Errorf("test event %s", docs[0])
		}
	}
	if d.subjects[0] != "Amazon S3 Notification" {
		t.Errorf("SNS subject %q", d.subjects[0])
	}
	if n := len(d.take(fakeFunction)); n != 0 {
		t.Errorf("function got %d test events", n)
	}

	// An empty configuration turns notifications off.
	if err := putNotification(c, "conf", types.NotificationConfiguration{}); err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("conf")})
	if len(got.QueueConfigurations)+len(got.TopicConfigurations)+len(got.LambdaFunctionConfigurations) != 0 || got.EventBridgeConfiguration != nil {
		t.Errorf("after the empty put: %+v", got)
	}
	mustPut(t, c, "conf", "in/a.txt", []byte("x"))
	if n := len(d.take(fakeQueue)); n != 0 {
		t.Errorf("queue got %d events with notifications off", n)
	}

	_, err = c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("nope")})
	wantAPIError(t, err, "NoSuchBucket", 404)
	err = putNotification(c, "nope", types.NotificationConfiguration{})
	wantAPIError(t, err, "NoSuchBucket", 404)
}

var eventTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

func TestNotificationConfigurationErrors(t *testing.T) {
	t.Parallel()
	d := newSink(fakeQueue, fakeQueue2, fakeTopic, fakeFunction)
	c, url := startWithSink(t, d)
	mustCreateBucket(t, c, "bad")
	queue := func(arn string, evs []string, f *types.NotificationConfigurationFilter) types.QueueConfiguration {
		return types.QueueConfiguration{QueueArn: aws.String(arn), Events: eventList(evs...), Filter: f}
	}
	for _, tc := range []struct {
		name string
		cfg  types.NotificationConfiguration
		msg  string // "" means accepted
	}{
		{"unknown event", types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			queue(fakeQueue, []string{"s3:ObjectCreated:Pot"}, nil)}}, "The event is not supported for notifications"},
		{"bad rule name", types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			queue(fakeQueue, []string{"s3:ObjectCreated:*"}, rules("infix", "a"))}}, "filter rule name must be either prefix or suffix"},
		{"two prefixes", types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			queue(fakeQueue, []string{"s3:ObjectCreated:*"}, rules("prefix", "a", "prefix", "b"))}}, "Cannot specify more than one prefix rule in a filter."},
		{"two suffixes", types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			queue(fakeQueue, []string{"s3:ObjectCreated:*"}, rules("suffix", "a", "Suffix", "b"))}}, "Cannot specify more than one suffix rule in a filter."},
		{"long filter value", types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			queue(fakeQueue, []string{"s3:ObjectCreated:*"}, rules("prefix", strings.Repeat("p", 1025)))}}, "Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation"},
		{"wildcard overlaps its member", types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			queue(fakeQueue, []string{"s3:ObjectCreated:*"}, nil), queue(fakeQueue2, []string{"s3:ObjectCreated:Put"}, nil)}},
			"Configurations overlap. Configurations on the same bucket cannot share a common event type."},
		{"prefix and suffix can match one key", types.NotificationConfiguration{
			QueueConfigurations: []types.QueueConfiguration{queue(fakeQueue, []string{"s3:ObjectCreated:Put"}, rules("prefix", "images/"))},
			TopicConfigurations: []types.TopicConfiguration{{TopicArn: aws.String(fakeTopic), Events: eventList("s3:ObjectCreated:*"), Filter: rules("suffix", ".jpg")}}},
			"Configurations overlap. Configurations on the same bucket cannot share a common event type."},
		{"nested prefixes", types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			queue(fakeQueue, []string{"s3:ObjectRemoved:*"}, rules("prefix", "a/")), queue(fakeQueue2, []string{"s3:ObjectRemoved:Delete"}, rules("prefix", "a/b/"))}},
			"Configurations overlap. Configurations on the same bucket cannot share a common event type."},
		{"disjoint prefixes", types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			queue(fakeQueue, []string{"s3:ObjectCreated:*"}, rules("prefix", "a/")), queue(fakeQueue2, []string{"s3:ObjectCreated:*"}, rules("prefix", "b/"))}}, ""},
		{"disjoint suffixes", types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			queue(fakeQueue, []string{"s3:ObjectCreated:*"}, rules("prefix", "i/", "suffix", ".jpg")), queue(fakeQueue2, []string{"s3:ObjectCreated:*"}, rules("prefix", "i/", "suffix", ".png"))}}, ""},
		{"disjoint events", types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			queue(fakeQueue, []string{"s3:ObjectCreated:*"}, nil), queue(fakeQueue, []string{"s3:ObjectRemoved:*"}, nil)}}, ""},
		{"bad ARN", types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			queue("arn:aws:sns:us-east-1:000000000000:events", []string{"s3:ObjectCreated:*"}, nil)}}, "The ARN could not be parsed"},
		{"missing queue", types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			queue("arn:aws:sqs:us-east-1:000000000000:gone", []string{"s3:ObjectCreated:*"}, nil)}}, "Unable to validate the following destination configurations"},
		{"missing topic", types.NotificationConfiguration{TopicConfigurations: []types.TopicConfiguration{
			{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:gone"), Events: eventList("s3:ObjectCreated:*")}}}, "Unable to validate the following destination configurations"},
		{"missing function", types.NotificationConfiguration{LambdaFunctionConfigurations: []types.LambdaFunctionConfiguration{
			{LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:gone"), Events: eventList("s3:ObjectCreated:*")}}}, "Unable to validate the following destination configurations"},
	} {
		err := putNotification(c, "bad", tc.cfg)
		if tc.msg == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		wantAPIError(t, err, "InvalidArgument", 400)
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorMessage() != tc.msg {
			t.Errorf("%s: message %q, want %q", tc.name, ae.ErrorMessage(), tc.msg)
		}
	}

	// The elements S3 adds: which destination, and why.
	doc := `<NotificationConfiguration><QueueConfiguration><Queue>arn:aws:sqs:us-east-1:000000000000:gone</Queue>` +
		`<Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>`
	status, body := rawPut(t, url+"/bad?notification", doc, nil)
	if status != 400 || !strings.Contains(body, "<ArgumentName>arn:aws:sqs:us-east-1:000000000000:gone</ArgumentName>") ||
		!strings.Contains(body, "<ArgumentValue>The destination queue does not exist</ArgumentValue>") {
		t.Errorf("missing queue: %d %s", status, body)
	}
	// x-amz-skip-destination-validation: stored unchecked, no test event.
	d.take(fakeQueue)
	if status, body := rawPut(t, url+"/bad?notification", doc, map[string]string{"x-amz-skip-destination-validation": "true"}); status != 200 {
		t.Errorf("skipping validation: %d %s", status, body)
	}
	for _, bad := range []string{"", "<NotificationConfiguration><QueueConfiguration><Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>",
		"<NotificationConfiguration><QueueConfiguration><Queue>" + fakeQueue + "</Queue></QueueConfiguration></NotificationConfiguration>",
		"<WebsiteConfiguration/>", "<NotificationConfiguration>"} {
		if status, body := rawPut(t, url+"/bad?notification", bad, nil); status != 400 || !strings.Contains(body, "<Code>MalformedXML</Code>") {
			t.Errorf("%q: %d %s", bad, status, body)
		}
	}
	if n := len(d.take(fakeQueue)); n != 0 {
		t.Errorf("%d test events sent while refusing or skipping validation", n)
	}
	// Every pair is checked for overlap, so the number of destinations is bounded.
	var many strings.Builder
	many.WriteString("<NotificationConfiguration>")
	for i := 0; i <= 1000; i++ {
		many.WriteString("<QueueConfiguration><Queue>" + fakeQueue + "</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>prefix</Name><Value>" +
			strconv.Itoa(i) + "/</Value></FilterRule></S3Key></Filter></QueueConfiguration>")
	}
	many.WriteString("</NotificationConfiguration>")
	if status, body := rawPut(t, url+"/bad?notification", many.String(), nil); status != 400 || !strings.Contains(body, "at most 1000 notification configurations") {
		t.Errorf("1001 configurations: %d %s", status, body)
	}
	// A destination that refuses the test event fails the PUT.
	d.fail = errors.New("refused")
	err := putNotification(c, "bad", types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{queue(fakeQueue, []string{"s3:ObjectCreated:*"}, nil)}})
	wantAPIError(t, err, "InvalidArgument", 400)
}

// rawPut sends an unsigned PUT (the service alone does not check
// signatures) and returns the status and body.
func rawPut(t *testing.T, url, body string, headers map[string]string) (int, string) {
	t.Helper()
	r, _ := http.NewRequest("PUT", url, strings.NewReader(body))
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// s3Event parses one delivered document as a Lambda handler would.
func s3Event(t *testing.T, doc string) events.S3EventRecord {
	t.Helper()
	var ev events.S3Event
	if err := json.Unmarshal([]byte(doc), &ev); err != nil || len(ev.Records) != 1 {
		t.Fatalf("not an S3 event (%v): %s", err, doc)
	}
	return ev.Records[0]
}

func TestNotificationEvents(t *testing.T) {
	t.Parallel()
	d := newSink(fakeQueue, fakeTopic, fakeFunction)
	c, _ := startWithSink(t, d)
	mustCreateBucket(t, c, "evt")
	mustCreateBucket(t, c, "quiet")
	err := putNotification(c, "evt", types.NotificationConfiguration{
		QueueConfigurations: []types.QueueConfiguration{{Id: aws.String("created"), QueueArn: aws.String(fakeQueue),
			Events: eventList("s3:ObjectCreated:Put", "s3:ObjectCreated:CompleteMultipartUpload"), Filter: rules("prefix", "in/", "suffix", ".txt")}},
		TopicConfigurations: []types.TopicConfiguration{{Id: aws.String("copied"), TopicArn: aws.String(fakeTopic),
			Events: eventList("s3:ObjectCreated:Copy")}},
		LambdaFunctionConfigurations: []types.LambdaFunctionConfiguration{{Id: aws.String("removed"), LambdaFunctionArn: aws.String(fakeFunction),
			Events: eventList("s3:ObjectRemoved:*")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d.take(fakeQueue)
	d.take(fakeTopic)

	// PUT: filtered by prefix and suffix; the key URL-encoded as S3 does.
	key := "in/a b+(c).txt"
	out := mustPut(t, c, "evt", key, []byte("hello"))
	mustPut(t, c, "evt", "in/a.bin", []byte("no suffix"))
	mustPut(t, c, "evt", "out/a.txt", []byte("no prefix"))
	mustPut(t, c, "quiet", key, []byte("no configuration"))
	docs := d.take(fakeQueue)
	if len(docs) != 1 {
		t.Fatalf("queue got %d events, want 1: %q", len(docs), docs)
	}
	rec := s3Event(t, docs[0])
	reqID, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	if rec.EventVersion != "2.1" || rec.EventSource != "aws:s3" || rec.AWSRegion != "us-east-1" || rec.EventName != "ObjectCreated:Put" ||
		rec.EventTime.IsZero() || rec.PrincipalID.PrincipalID != "AWS:"+emutest.AccessKey || rec.RequestParameters.SourceIPAddress != "127.0.0.1" ||
		rec.ResponseElements["x-amz-request-id"] != reqID || rec.ResponseElements["x-amz-id-2"] == "" {
		t.Errorf("record %s", docs[0])
	}
	s := rec.S3
	if s.SchemaVersion != "1.0" || s.ConfigurationID != "created" || s.Bucket.Name != "evt" || s.Bucket.Arn != "arn:aws:s3:::evt" || s.Bucket.OwnerIdentity.PrincipalID == "" {
		t.Errorf("s3 entity %+v", s)
	}
	if o := s.Object; o.Key != "in/a+b%2B%28c%29.txt" || o.URLDecodedKey != key || o.Size != 5 || o.ETag != strings.Trim(aws.ToString(out.ETag), `"`) || o.Sequencer == "" || o.VersionID != "" {
		t.Errorf("object %+v", o)
	}
	var raw map[string]any
	json.Unmarshal([]byte(docs[0]), &raw)
	if tm := raw["Records"].([]any)[0].(map[string]any)["eventTime"].(string); !eventTime.MatchString(tm) {
		t.Errorf("eventTime %q", tm)
	}
	firstSeq := s.Object.Sequencer

	// Copy: to the topic only (the queue wants Put and multipart).
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("evt"), Key: aws.String("in/copy.txt"), CopySource: aws.String("evt/in/a.bin")})
	if err != nil {
		t.Fatal(err)
	}
	if docs := d.take(fakeTopic); len(docs) != 1 || s3Event(t, docs[0]).EventName != "ObjectCreated:Copy" || s3Event(t, docs[0]).S3.Object.Size != 9 {
		t.Errorf("copy: %q", docs)
	}
	if docs := d.take(fakeQueue); len(docs) != 0 {
		t.Errorf("copy reached the queue: %q", docs)
	}

	// CompleteMultipartUpload.
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("evt"), Key: aws.String("in/big.txt")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("evt"), Key: aws.String("in/big.txt"), UploadId: mp.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("one part"))})
	if err != nil {
		t.Fatal(err)
	}
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("evt"), Key: aws.String("in/big.txt"), UploadId: mp.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}})
	if err != nil {
		t.Fatal(err)
	}
	docs = d.take(fakeQueue)
	if len(docs) != 1 {
		t.Fatalf("multipart: %q", docs)
	}
	if r := s3Event(t, docs[0]); r.EventName != "ObjectCreated:CompleteMultipartUpload" || r.S3.Object.ETag != strings.Trim(aws.ToString(done.ETag), `"`) ||
		r.S3.Object.Size != 8 || r.S3.Object.Sequencer <= firstSeq {
		t.Errorf("multipart event %s (first sequencer %s)", docs[0], firstSeq)
	}

	// Deletes: one event per key that existed, async to the function;
	// removal events carry no size or eTag.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("evt"), Key: aws.String("out/a.txt")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("evt"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String(key)}, {Key: aws.String("in/a.bin")}, {Key: aws.String("never-was")}}}})
	if err != nil {
		t.Fatal(err)
	}
	docs = d.take(fakeFunction)
	if len(docs) != 3 {
		t.Fatalf("function got %d events, want 3: %q", len(docs), docs)
	}
	for i, want := range []string{"out/a.txt", key, "in/a.bin"} {
		r := s3Event(t, docs[i])
		if r.EventName != "ObjectRemoved:Delete" || r.S3.Object.URLDecodedKey != want || r.S3.ConfigurationID != "removed" {
			t.Errorf("delete event %d: %s", i, docs[i])
		}
		if strings.Contains(docs[i], `"size"`) || strings.Contains(docs[i], `"eTag"`) {
			t.Errorf("removal event with size or eTag: %s", docs[i])
		}
	}
	for _, a := range d.async {
		if !a {
			t.Error("a function was invoked synchronously")
		}
	}

	// A failed delivery is logged; the write stands.
	d.fail = errors.New("queue deleted")
	mustPut(t, c, "evt", "in/after.txt", []byte("kept"))
	d.fail = nil
	if b, _ := mustGet(t, c, "evt", "in/after.txt"); string(b) != "kept" {
		t.Errorf("object after a failed delivery: %q", b)
	}

	// Deleting the bucket drops its configuration.
	for _, k := range []string{"in/copy.txt", "in/big.txt", "in/after.txt"} {
		c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("evt"), Key: aws.String(k)})
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("evt")}); err != nil {
		t.Fatal(err)
	}
	d.take(fakeFunction)
	mustCreateBucket(t, c, "evt")
	got, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("evt")})
	if err != nil || len(got.QueueConfigurations)+len(got.TopicConfigurations)+len(got.LambdaFunctionConfigurations) != 0 {
		t.Errorf("recreated bucket: %+v %v", got, err)
	}
	mustPut(t, c, "evt", "in/x.txt", []byte("x"))
	if n := len(d.take(fakeQueue)); n != 0 {
		t.Errorf("recreated bucket notified %d times", n)
	}
}

// Filters match the key as events write it: a space is '+', a '+' is %2B.
func TestNotificationFilterMatchesEncodedKey(t *testing.T) {
	t.Parallel()
	d := newSink(fakeQueue)
	c, _ := startWithSink(t, d)
	mustCreateBucket(t, c, "encoded")
	err := putNotification(c, "encoded", types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{
		QueueArn: aws.String(fakeQueue), Events: eventList("s3:ObjectCreated:*"), Filter: rules("prefix", "my+dir/")}}})
	if err != nil {
		t.Fatal(err)
	}
	d.take(fakeQueue)
	mustPut(t, c, "encoded", "my dir/a", []byte("x"))
	mustPut(t, c, "encoded", "my+dir/b", []byte("x"))
	docs := d.take(fakeQueue)
	if len(docs) != 1 || s3Event(t, docs[0]).S3.Object.URLDecodedKey != "my dir/a" {
		t.Errorf("events %q, want the one of \"my dir/a\"", docs)
	}
}

// TestEventDocumentShape compares an event with the example of AWS's
// documentation (testdata/README.md): the same members in the same order
// at every level. versionId is absent here: groundstack's buckets are never
// versioned, and S3 sends it only for versioned ones.
func TestEventDocumentShape(t *testing.T) {
	t.Parallel()
	golden, err := os.ReadFile("testdata/s3-put-event-aws-doc.json")
	if err != nil {
		t.Fatal(err)
	}
	ours := s3svc.EventDocument(s3svc.BucketInfo{Name: "amzn-s3-demo-bucket", Region: "us-west-2"}, "testConfigRule",
		s3svc.ObjectChange{Event: "ObjectCreated:Put", Key: "HappyFace.jpg", Size: 1024, ETag: `"d41d8cd98f00b204e9800998ecf8427e"`, Created: true},
		s3svc.EventSource{Principal: "AIDAJDPLRKLG7UEXAMPLE", SourceIP: "172.16.0.1", RequestID: "C3D13FE58DE4C810", HostID: "h", Sequencer: "0055AED6DCD90281E5"})
	want, got := jsonPaths(t, golden), jsonPaths(t, ours)
	wantNoVersion := []string{}
	for _, p := range want {
		if p != "Records.s3.object.versionId" {
			wantNoVersion = append(wantNoVersion, p)
		}
	}
	if strings.Join(got, "\n") != strings.Join(wantNoVersion, "\n") {
		t.Errorf("members differ from AWS's example:\n got: %q\nwant: %q", got, wantNoVersion)
	}
	// aws-lambda-go's sample (events/testdata) has the same members, in
	// another order.
	sample := jsonPaths(t, lambdago.Sample(t, "s3-event.json"))
	sort.Strings(sample)
	sortedGot := append([]string(nil), got...)
	sort.Strings(sortedGot)
	if sampleNoVersion := slices.DeleteFunc(sample, func(p string) bool { return p == "Records.s3.object.versionId" }); !slices.Equal(sortedGot, sampleNoVersion) {
		t.Errorf("members differ from aws-lambda-go's sample:\n got: %q\nwant: %q", sortedGot, sampleNoVersion)
	}
	var g, o events.S3Event
	json.Unmarshal(golden, &g)
	json.Unmarshal(ours, &o)
	gr, or := g.Records[0], o.Records[0]
	gr.EventTime, or.EventTime = gr.EventTime.UTC(), gr.EventTime.UTC()
	gr.S3.Object.VersionID, gr.EventVersion = "", or.EventVersion
	gr.ResponseElements["x-amz-id-2"] = "h"
	gr.S3.Bucket.OwnerIdentity = or.S3.Bucket.OwnerIdentity // the owner's customer ID is ours
	if gb, _ := json.Marshal(gr); string(gb) != string(must(json.Marshal(or))) {
		t.Errorf("values differ:\n got: %s\nwant: %s", must(json.Marshal(or)), gb)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// jsonPaths lists a document's member paths in document order.
func jsonPaths(t *testing.T, doc []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(doc))
	var (
		paths []string
		walk  func(prefix string) error
	)
	walk = func(prefix string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				p := strings.TrimPrefix(prefix+"."+k.(string), ".")
				paths = append(paths, p)
				if err := walk(p); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		case json.Delim('['):
			for dec.More() {
				if err := walk(prefix); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
		return nil
	}
	if err := walk(""); err != nil {
		t.Fatalf("%v in %s", err, doc)
	}
	return paths
}

func TestEventKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"HappyFace.jpg":       "HappyFace.jpg",
		"a/b c.txt":           "a/b+c.txt",
		"x+y=z&w":             "x%2By%3Dz%26w",
		"ñ":                   "%C3%B1",
		"star*_dash-dot.~":    "star*_dash-dot.%7E",
		"folder/sub/(1):2.md": "folder/sub/%281%29%3A2.md",
	} {
		if got := s3svc.EventKey(in); got != want {
			t.Errorf("EventKey(%q) = %q, want %q", in, got, want)
		}
	}
}
