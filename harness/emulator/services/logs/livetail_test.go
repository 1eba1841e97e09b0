package logs_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// noHostPrefix keeps StartLiveTail on the emulator's host (the SDK would
// send it to stream-<host>).
func noHostPrefix(o *cwl.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("NoHostPrefix", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
		}), middleware.Before)
	})
}

func TestStartLiveTail(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	mkGroup(t, c, "/tail", "s1", "s2")
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out, err := c.StartLiveTail(ctx, &cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"/tail"}, LogEventFilterPattern: aws.String("ERROR"),
		LogStreamNamePrefixes: []string{"s1"}}, noHostPrefix)
	if err != nil {
		t.Fatal(err)
	}
	stream := out.GetStream()
	defer stream.Close()
	first := <-stream.Events()
	start, ok := first.(*types.StartLiveTailResponseStreamMemberSessionStart)
	if !ok || start.Value.SessionId == nil || start.Value.LogGroupIdentifiers[0] != "/tail" {
		t.Fatalf("first event %#v", first)
	}
	put(t, c, "/tail", "s1", time.Now(), "ERROR one", "fine")
	put(t, c, "/tail", "s2", time.Now(), "ERROR elsewhere")
	var got []types.LiveTailSessionLogEvent
	for len(got) == 0 {
		ev, ok := <-stream.Events()
		if !ok {
			t.Fatalf("stream ended: %v", stream.Err())
		}
		if u, ok := ev.(*types.StartLiveTailResponseStreamMemberSessionUpdate); ok {
			got = append(got, u.Value.SessionResults...)
		}
	}
	if len(got) != 1 || *got[0].Message != "ERROR one" || *got[0].LogStreamName != "s1" || *got[0].LogGroupIdentifier != "/tail" {
		t.Fatalf("events %+v", got)
	}

	_, err = c.StartLiveTail(ctx, &cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"/none"}}, noHostPrefix)
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = c.StartLiveTail(ctx, &cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"/tail", "/tail2"}, LogStreamNames: []string{"s1"}}, noHostPrefix)
	wantCode(t, err, "InvalidParameterException", "logStreamNames and logStreamNamePrefixes can only be specified with a single log group.")
}
