package lambda

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/lambda/runtime"
)

// --- InvokeWithResponseStream: the function runs as Invoke runs it and its
// whole result is sent as one PayloadChunk event, then InvokeComplete, in
// AWS's event stream encoding. Handlers cannot stream (the runtimes have
// no streaming response mode): the answer comes when the function ends.

type invokeStreamInput struct {
	FunctionName   *string   `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"256"`
	Qualifier      *string   `json:"-" location:"querystring" name:"Qualifier" min:"1" max:"128" pattern:"\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"`
	InvocationType string    `json:"-" location:"header" name:"X-Amz-Invocation-Type" member:"invocationType" enum:"RequestResponse,DryRun"`
	LogType        string    `json:"-" location:"header" name:"X-Amz-Log-Type" member:"logType" enum:"None,Tail"`
	ClientContext  string    `json:"-" location:"header" name:"X-Amz-Client-Context" member:"clientContext"`
	TenantId       *string   `json:"-" location:"header" name:"X-Amz-Tenant-Id" member:"tenantId" min:"1" max:"256" pattern:"[a-zA-Z0-9\\._:\\/=+\\-@ ]+"` // checked; tenant isolation is not emulated
	Payload        io.Reader `json:"-" location:"body" sensitive:"true"`
}

func (s *Service) invokeWithResponseStream(c *awsproto.Call, in *invokeStreamInput) (*streamOutput, error) {
	out, err := s.invoke(c, &invokeInput{FunctionName: in.FunctionName, Qualifier: in.Qualifier, InvocationType: in.InvocationType,
		LogType: in.LogType, ClientContext: in.ClientContext, Payload: in.Payload})
	if err != nil {
		return nil, err
	}
	return &streamOutput{out}, nil
}

// streamOutput writes InvokeWithResponseStream's answer.
type streamOutput struct{ *invokeOutput }

// completeEvent is InvokeWithResponseStreamCompleteEvent.
type completeEvent struct {
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorDetails string `json:"ErrorDetails,omitempty"`
	LogResult    string `json:"LogResult,omitempty"`
}

func (o *streamOutput) Respond(w http.ResponseWriter, c *awsproto.Call) error {
	h := w.Header()
	h[headerRequestID] = []string{c.RequestID}
	if o.res == nil {
		w.WriteHeader(o.status) // DryRun
		return nil
	}
	defer o.res.Release()
	h["Content-Type"] = []string{"application/vnd.amazon.eventstream"}
	h[headerExecVersion] = []string{o.v.Name}
	w.WriteHeader(http.StatusOK)
	var done completeEvent
	if o.res.Outcome == runtime.Succeeded {
		_, _ = w.Write(eventMessage("PayloadChunk", "application/octet-stream", o.res.Payload))
	} else {
		var doc struct {
			Message string `json:"errorMessage"`
		}
		_ = json.Unmarshal(o.res.Payload, &doc)
		done.ErrorCode, done.ErrorDetails = o.res.ErrorType, doc.Message
		if done.ErrorCode == "" {
			done.ErrorCode = "Unhandled"
		}
	}
	if o.tail {
		done.LogResult = base64.StdEncoding.EncodeToString(o.res.LogTail)
	}
	b, _ := json.Marshal(done)
	_, _ = w.Write(eventMessage("InvokeComplete", "application/json", b))
	return nil
}

// eventMessage is one event of Lambda's response stream.
func eventMessage(eventType, contentType string, payload []byte) []byte {
	return awsproto.EventStreamMessage([][2]string{{":event-type", eventType}, {":content-type", contentType}, {":message-type", "event"}}, payload)
}
