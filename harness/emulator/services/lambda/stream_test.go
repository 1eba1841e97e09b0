package lambda_test

import (
	"encoding/base64"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestInvokeWithResponseStream reads the event stream with the SDK's own
// decoder: the whole result in PayloadChunk events, then InvokeComplete.
func TestInvokeWithResponseStream(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createFn(t, c)
	for _, tc := range []struct {
		name, payload string
		logType       types.LogType
		want, errCode string
		wantLog       bool
	}{
		{"echo", `{"mode":"echo","n":[1,2,3]}`, "", `{"mode":"echo","n":[1,2,3]}`, "", false},
		{"tail", `{"mode":"echo"}`, types.LogTypeTail, `{"mode":"echo"}`, "", true},
		{"function error", `{"mode":"error"}`, "", "", "errorString", false},
	} {
		// Not parallel: the SDK's event stream decoder (smithy-go v1.28.8)
		// shares one codec between the streams of a client, a data race.
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.InvokeWithResponseStream(bg, &awslambda.InvokeWithResponseStreamInput{
				FunctionName: aws.String(name), Payload: []byte(tc.payload), LogType: tc.logType})
			if err != nil {
				t.Fatal(err)
			}
			if out.StatusCode != 200 || aws.ToString(out.ExecutedVersion) != "$LATEST" {
				t.Fatalf("status %d version %q", out.StatusCode, aws.ToString(out.ExecutedVersion))
			}
			stream := out.GetStream()
			defer stream.Close()
			var got []byte
			var done *types.InvokeWithResponseStreamCompleteEvent
			for ev := range stream.Events() {
				switch e := ev.(type) {
				case *types.InvokeWithResponseStreamResponseEventMemberPayloadChunk:
					got = append(got, e.Value.Payload...)
				case *types.InvokeWithResponseStreamResponseEventMemberInvokeComplete:
					done = &e.Value
				}
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
			if done == nil || string(got) != tc.want || aws.ToString(done.ErrorCode) != tc.errCode {
				t.Fatalf("payload %q complete %+v", got, done)
			}
			if tc.errCode != "" && aws.ToString(done.ErrorDetails) == "" {
				t.Fatalf("no error details: %+v", done)
			}
			if logs, _ := base64.StdEncoding.DecodeString(aws.ToString(done.LogResult)); tc.wantLog != (len(logs) > 0) {
				t.Fatalf("log result %q", aws.ToString(done.LogResult))
			}
		})
	}
	// DryRun answers 204 with no stream; a missing function is Invoke's error.
	out, err := c.InvokeWithResponseStream(bg, &awslambda.InvokeWithResponseStreamInput{FunctionName: aws.String(name), InvocationType: types.ResponseStreamingInvocationTypeDryRun})
	if err != nil || out.StatusCode != 204 {
		t.Fatalf("dry run: %+v %v", out, err)
	}
	_, err = c.InvokeWithResponseStream(bg, &awslambda.InvokeWithResponseStreamInput{FunctionName: aws.String("nosuchfn")})
	wantExact(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nosuchfn")
}
