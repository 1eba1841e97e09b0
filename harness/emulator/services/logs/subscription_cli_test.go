package logs_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// echoBootstrap is a custom runtime in a few lines of shell: it prints
// each event it receives (to the function's log group) and answers {}.
const echoBootstrap = `#!/bin/sh
api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation"
while true; do
  h=$(mktemp)
  ev=$(curl -sS -D "$h" "$api/next")
  id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$h" | tr -d '\r' | cut -d' ' -f2)
  rm -f "$h"
  echo "EVENT $ev"
  curl -sS -X POST -d '{}' "$api/$id/response" >/dev/null
done
`

// A subscription filter the aws CLI puts delivers matching events to a
// real function, which sees awslogs.data.
func TestCLIPutSubscriptionFilterToLambda(t *testing.T) {
	t.Parallel()
	e, cfg := emutest.Start(t)
	c := cwl.NewFromConfig(cfg)
	lc := awslambda.NewFromConfig(cfg)
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	w, _ := zw.CreateHeader(h)
	w.Write([]byte(echoBootstrap))
	zw.Close()
	fn := must(lc.CreateFunction(ctx, &awslambda.CreateFunctionInput{FunctionName: aws.String("sink"), Runtime: lambdatypes.RuntimeProvidedal2023,
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Handler: aws.String("bootstrap"), Code: &lambdatypes.FunctionCode{ZipFile: zb.Bytes()},
		Timeout: aws.Int32(10)})).ok(t)
	mkGroup(t, c, "/cli/sub", "s")

	_, stderr, code := emutest.CLI(t, e.URL(), "logs", "put-subscription-filter", "--log-group-name", "/cli/sub", "--filter-name", "errs",
		"--filter-pattern", "ERROR", "--destination-arn", *fn.FunctionArn)
	if code != 0 {
		t.Fatalf("put-subscription-filter: %d %s", code, stderr)
	}
	_, stderr, code = emutest.CLI(t, e.URL(), "logs", "put-subscription-filter", "--log-group-name", "/cli/sub", "--filter-name", "x",
		"--filter-pattern", "", "--destination-arn", "arn:aws:lambda:us-east-1:000000000000:function:missing")
	if code == 0 || !strings.Contains(stderr, "InvalidParameterException") {
		t.Fatalf("missing function: %d %s", code, stderr)
	}
	put(t, c, "/cli/sub", "s", time.Now(), "ERROR disk full", "all fine")

	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/sink"), FilterPattern: aws.String("EVENT")})
		if err == nil && len(out.Events) > 0 {
			msg := *out.Events[0].Message
			payload := strings.TrimSpace(strings.TrimPrefix(msg, "EVENT "))
			doc := decodeAwslogs(t, []byte(payload))
			evs, _ := doc["logEvents"].([]any)
			if doc["messageType"] != "DATA_MESSAGE" || doc["logGroup"] != "/cli/sub" || len(evs) != 1 ||
				evs[0].(map[string]any)["message"] != "ERROR disk full" {
				t.Fatalf("delivered %v", doc)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no delivery seen in the function's logs (err %v)", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
