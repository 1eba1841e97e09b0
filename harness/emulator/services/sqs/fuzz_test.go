package sqs

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

func fuzzService() *Service {
	env := cloud.DefaultEnv()
	env.Now = func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }
	return New(env)
}

// seedQueues creates a standard and a FIFO queue holding a message each.
func seedQueues(svc *Service) {
	svc.Reset()
	callJSON(svc, "CreateQueue", `{"QueueName":"seed"}`)
	callJSON(svc, "CreateQueue", `{"QueueName":"seed.fifo","Attributes":{"FifoQueue":"true","ContentBasedDeduplication":"true"}}`)
	callJSON(svc, "SendMessage", `{"QueueUrl":"seed","MessageBody":"hello"}`)
	callJSON(svc, "SendMessage", `{"QueueUrl":"seed.fifo","MessageBody":"hello","MessageGroupId":"g"}`)
}

// FuzzJSONOperations sends arbitrary bodies to every operation through the
// JSON protocol: the answer is never a 500 and always JSON.
func FuzzJSONOperations(f *testing.F) {
	svc := fuzzService()
	var ops []string // sorted: a failing input picks the same operation when replayed
	for _, op := range svc.api.Operations() {
		ops = append(ops, op.Name)
	}
	for i, body := range []string{
		`{}`, `{"QueueUrl":"seed","MessageBody":"x"}`, `{"QueueUrl":"seed.fifo","MessageBody":"x","MessageGroupId":"g","DelaySeconds":-1}`,
		`{"QueueUrl":"seed","MessageAttributes":{"a":{"DataType":"Binary","BinaryValue":"AAEC"}},"MessageBody":"\u0000"}`,
		`{"QueueUrl":"seed","MaxNumberOfMessages":10,"AttributeNames":["All"],"MessageAttributeNames":["a.*"]}`,
		`{"QueueUrl":"seed","Entries":[{"Id":"a","MessageBody":"x"},{"Id":"a"}]}`, `{"QueueUrl":"seed","ReceiptHandle":"AQEBAAAA"}`,
		`{"QueueName":"q","Attributes":{"RedrivePolicy":"{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:seed\",\"maxReceiveCount\":1}"}}`,
		`{"SourceArn":"arn:aws:sqs:us-east-1:000000000000:seed"}`, `{"TaskHandle":"eHh4"}`, `{"QueueUrl":"http://h/queue/us-east-1/000000000000/seed"}`,
		`{"QueueNamePrefix":"s","MaxResults":1,"NextToken":"!!"}`, `[1,2]`, `{"QueueUrl":["x"]}`, `{"QueueUrl":"seed","VisibilityTimeout":99999999999}`,
	} {
		f.Add(uint8(i), body)
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		seedQueues(svc)
		op := ops[int(which)%len(ops)]
		if op == "ReceiveMessage" && strings.Contains(body, "WaitTimeSeconds") {
			return // a long poll would only slow the fuzzer down
		}
		code, out, _ := callJSON(svc, op, body)
		if code >= 500 {
			t.Fatalf("%s %q: %d %s", op, body, code, out)
		}
		if out != "" && !json.Valid([]byte(out)) {
			t.Fatalf("%s %q: answer is not JSON: %s", op, body, out)
		}
	})
}

// FuzzQueryForms sends arbitrary query protocol forms: never a 500, always
// well-formed XML.
func FuzzQueryForms(f *testing.F) {
	svc := fuzzService()
	for _, form := range []string{
		"Action=SendMessage&QueueUrl=seed&MessageBody=x&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v",
		"Action=ReceiveMessage&QueueUrl=seed&AttributeName.1=All&MessageAttributeName.1=All&MaxNumberOfMessages=10",
		"Action=CreateQueue&QueueName=x&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=5&Tag.1.Key=k&Tag.1.Value=v",
		"Action=SendMessageBatch&QueueUrl=seed&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=b&SendMessageBatchRequestEntry.2.Id=a",
		"Action=DeleteMessageBatch&QueueUrl=seed&DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle=zz",
		"Action=GetQueueAttributes&QueueUrl=seed&AttributeName.member.1=All", "Action=ListQueues", "Action=Bogus", "QueueUrl=seed",
		"Action=SendMessage&QueueUrl=seed&MessageBody=%ff%fe", "Action=TagQueue&QueueUrl=seed&Tag.0.Key=k&Tag.x.Value=v",
		"Action=SendMessage&QueueUrl=seed.fifo&MessageBody=x&MessageGroupId=g&DelaySeconds=x",
		"Action=SetQueueAttributes&QueueUrl=seed&Attribute.1.Name=Policy&Attribute.1.Value=%7B",
	} {
		f.Add(form)
	}
	f.Fuzz(func(t *testing.T, form string) {
		if strings.Contains(form, "WaitTimeSeconds") {
			return
		}
		seedQueues(svc)
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		svc.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%q: %d %s", form, w.Code, w.Body.String())
		}
		d := xml.NewDecoder(strings.NewReader(w.Body.String()))
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%q: answer is not XML (%v): %s", form, err, w.Body.String())
			}
		}
	})
}

func callJSON(h http.Handler, op, body string) (int, string, http.Header) {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "AmazonSQS."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code, w.Body.String(), w.Header()
}

// FuzzSendMessageDecode checks SendMessage's one-pass reader against
// encoding/json: whatever valid body json accepts, it reads the same.
func FuzzSendMessageDecode(f *testing.F) {
	for _, s := range []string{
		`{"QueueUrl":"q","MessageBody":"x"}`, `{"QueueUrl":"q","MessageBody":"{\"a\":\"\u00e9\\n\"}","DelaySeconds":5}`,
		`{"QueueUrl":null,"MessageBody":"x","MessageGroupId":"g","MessageDeduplicationId":"d"}`,
		`{"QueueUrl":"q","MessageBody":"x","MessageAttributes":{"a":{"DataType":"String","StringValue":"v"}}}`,
		`{"QueueUrl":"q","MessageBody":"x","MessageSystemAttributes":{"AWSTraceHeader":{"DataType":"String","StringValue":"t"}}}`,
		`{"QueueUrl":"q","Other":1}`, ` { "QueueUrl" : "q" , "DelaySeconds" : 1e3 } `, `{"MessageBody":"\xff"}`, `[]`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return
		}
		var want sendMessageInput
		werr := json.Unmarshal(body, &want)
		var got sendMessageInput
		gerr := got.DecodeBody(body)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%q: json %v, fast %v", body, werr, gerr)
		}
		if werr == nil && !reflect.DeepEqual(want, got) {
			t.Fatalf("%q: json %+v, fast %+v", body, want, got)
		}
	})
}
