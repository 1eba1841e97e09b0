package trace

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestIDRoundTrip(t *testing.T) {
	id := ID("a1b2", "s3-lambda", "i", 42)
	if id != "gsev.a1b2.s3-lambda.i.42" {
		t.Fatalf("ID = %q", id)
	}
	run, path, phase, seq, ok := Parts(id)
	if !ok || run != "a1b2" || path != "s3-lambda" || phase != "i" || seq != "42" {
		t.Fatalf("Parts(%q) = %q %q %q %q %v", id, run, path, phase, seq, ok)
	}
	for _, bad := range []string{"", "gsev.", "gsev.a.b.c", "gsev.a.b.c.d.e", "gsev.a..c.d", "xgsev.a.b.c.d"} {
		if _, _, _, _, ok := Parts(bad); ok {
			t.Errorf("Parts(%q) accepted", bad)
		}
	}
}

func TestIDsInText(t *testing.T) {
	got := IDs([]byte(`x gsev.r.p.i.1 and "gsev.r.p.i.2" again gsev.r.p.i.1. gsev.broken.1 gsev.r.p.i.3\"`))
	want := []string{"gsev.r.p.i.1", "gsev.r.p.i.2", "gsev.r.p.i.3"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("IDs = %q, want %q", got, want)
	}
}

// Records shaped as AWS documents them (Lambda developer guide's sample
// events), cut to the fields that matter, with an ID in the payload.
const (
	s3Record  = `{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventName":"ObjectCreated:Put","s3":{"s3SchemaVersion":"1.0","bucket":{"name":"b","arn":"arn:aws:s3:::b"},"object":{"key":"gsev.r.s3-lambda.i.7","size":1}}}`
	ddbRecord = `{"eventID":"1","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1","dynamodb":{"Keys":{"id":{"S":"gsev.r.ddb-lambda.i.3"}},"NewImage":{"id":{"S":"gsev.r.ddb-lambda.i.3"}},"SequenceNumber":"111","StreamViewType":"NEW_IMAGE"}}`
)

func TestFindThroughEnvelopes(t *testing.T) {
	s3Event := `{"Records":[` + s3Record + `]}`
	snsNote := map[string]string{"Type": "Notification", "MessageId": "m", "TopicArn": "arn:aws:sns:us-east-1:000000000000:t", "Message": s3Event}
	noteJSON, _ := json.Marshal(snsNote)
	sqsRecord, _ := json.Marshal(map[string]any{"messageId": "1", "body": string(noteJSON), "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:q"})
	snsRecord, _ := json.Marshal(map[string]any{"EventSource": "aws:sns", "EventVersion": "1.0", "Sns": map[string]any{"Type": "Notification", "Message": "gsev.r.sns-lambda.x.9"}})

	cases := []struct {
		name, event string
		want        []Sighting
	}{
		{"s3", s3Event, []Sighting{{"gsev.r.s3-lambda.i.7", "s3"}}},
		{"dynamodb, key and image once", `{"Records":[` + ddbRecord + `]}`, []Sighting{{"gsev.r.ddb-lambda.i.3", "dynamodb"}}},
		{"s3 through sns and sqs", `{"Records":[` + string(sqsRecord) + `]}`, []Sighting{{"gsev.r.s3-lambda.i.7", "s3>sns>sqs"}}},
		{"sns", `{"Records":[` + string(snsRecord) + `]}`, []Sighting{{"gsev.r.sns-lambda.x.9", "sns"}}},
		{"not a records event", `{"mode":"gsev.r.p.i.1"}`, []Sighting{{"gsev.r.p.i.1", ""}}},
		{"no ids", `{"Records":[{"eventSource":"aws:s3","s3":{"object":{"key":"s3:TestEvent"}}}]}`, nil},
	}
	for _, c := range cases {
		got := Find([]byte(c.event))
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: Find = %+v, want %+v", c.name, got, c.want)
		}
	}

	// a queue consumer outside Lambda sees the SNS notification as its body
	got := FindInMessage(noteJSON, "sqs")
	if want := []Sighting{{"gsev.r.s3-lambda.i.7", "s3>sns>sqs"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("FindInMessage = %+v, want %+v", got, want)
	}
	if got := FindInMessage([]byte("gsev.r.q.i.1"), "sqs"); !reflect.DeepEqual(got, []Sighting{{"gsev.r.q.i.1", "sqs"}}) {
		t.Errorf("FindInMessage(raw) = %+v", got)
	}
}

func FuzzFind(f *testing.F) {
	f.Add([]byte(`{"Records":[` + s3Record + `]}`))
	f.Add([]byte(`{"Records":[{"eventSource":"aws:sqs","body":"{\"Type\":\"Notification\",\"Message\":\"gsev.a.b.c.1\"}"}]}`))
	f.Add([]byte("gsev.gsev.gsev."))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, s := range Find(b) {
			if _, _, _, _, ok := Parts(s.ID); !ok || len(s.ID) > MaxIDLen {
				t.Fatalf("Find returned a malformed ID %q", s.ID)
			}
		}
		FindInMessage(b, "sqs")
	})
}
