package lab

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// Whatever JSON an invoker sends, the functions answer or return an
// error; they never panic (aws-lambda-go would turn a panic into an
// error, but a panic is a bug).
func FuzzEvents(f *testing.F) {
	for _, seed := range []string{
		`{"bucket":"in","key":"a.png"}`,
		`{"Records":[{"s3":{"bucket":{"name":"in"},"object":{"key":"a%2"}}}]}`,
		`{"batch_id":"b","logs":[{"timestamp":"2026-12-07T10:00:00.000Z","level":"INFO"}]}`,
		`{"action":"query","level":"ERROR","start":"a","end":"b"}`,
		`{"Records":[{"eventSource":"aws:sqs","messageId":"m","body":"{\"Message\":\"{}\"}"}]}`,
		`{"message":"x","type":"","priority":""}`,
		`{"httpMethod":"POST","pathParameters":{"proxy":"notifications"},"body":"{"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ctx := context.Background()
		fake := newFake()
		fake.objects["in/a.png"] = []byte("png")
		l := newLab(fake)
		var img ImageEvent
		if json.Unmarshal(b, &img) == nil {
			l.ProcessImages(ctx, img)
		}
		var logs LogEvent
		if json.Unmarshal(b, &logs) == nil {
			l.HandleLogs(ctx, logs)
		}
		var n NotificationEvent
		if json.Unmarshal(b, &n) == nil {
			l.HandleNotification(ctx, n)
		}
		var req events.APIGatewayProxyRequest
		if json.Unmarshal(b, &req) == nil {
			l.Route(ctx, req)
		}
	})
}
