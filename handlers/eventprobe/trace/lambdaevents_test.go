package trace

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// Events as aws-lambda-go marshals them (the shapes Lambda hands a Go
// function), each carrying one ID, some through several envelopes.
func TestFindInAWSLambdaGoEvents(t *testing.T) {
	id := ID("r", "p", "i", 1)
	s3ev := events.S3Event{Records: []events.S3EventRecord{{EventSource: "aws:s3", EventName: "ObjectCreated:Put",
		S3: events.S3Entity{Bucket: events.S3Bucket{Name: "b"}, Object: events.S3Object{Key: id, URLDecodedKey: id}}}}}
	s3json := mustMarshal(t, s3ev)
	snsNote := mustMarshal(t, events.SNSEntity{Type: "Notification", MessageID: "m", Message: string(s3json)})
	cases := map[string]struct {
		event any
		via   string
	}{
		"s3":               {s3ev, "s3"},
		"dynamodb":         {events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{{EventSource: "aws:dynamodb", EventName: "INSERT", Change: events.DynamoDBStreamRecord{Keys: map[string]events.DynamoDBAttributeValue{"id": events.NewStringAttribute(id)}, NewImage: map[string]events.DynamoDBAttributeValue{"id": events.NewStringAttribute(id)}}}}}, "dynamodb"},
		"sqs":              {events.SQSEvent{Records: []events.SQSMessage{{EventSource: "aws:sqs", Body: id}}}, "sqs"},
		"sns":              {events.SNSEvent{Records: []events.SNSEventRecord{{EventSource: "aws:sns", SNS: events.SNSEntity{Message: id}}}}, "sns"},
		"s3 in sns":        {events.SNSEvent{Records: []events.SNSEventRecord{{EventSource: "aws:sns", SNS: events.SNSEntity{Message: string(s3json)}}}}, "s3>sns"},
		"s3 in sqs":        {events.SQSEvent{Records: []events.SQSMessage{{EventSource: "aws:sqs", Body: string(s3json)}}}, "s3>sqs"},
		"s3 in sns in sqs": {events.SQSEvent{Records: []events.SQSMessage{{EventSource: "aws:sqs", Body: string(snsNote)}}}, "s3>sns>sqs"},
	}
	for name, c := range cases {
		got := Find(mustMarshal(t, c.event))
		if len(got) != 1 || got[0].ID != id || got[0].Via != c.via {
			t.Errorf("%s: Find = %+v, want %s via %s", name, got, id, c.via)
		}
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
