package lambda_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// needs skips a test when the machine lacks an interpreter (the refusal
// itself is TestRuntimeWithoutInterpreter's business).
func needs(t *testing.T, program string) {
	t.Helper()
	if _, err := exec.LookPath(program); err != nil {
		t.Skipf("no %s on this machine (Debian package %s)", program, map[string]string{"python3": "python3", "node": "nodejs"}[program])
	}
}

// createCode creates a function of runtime rt from files and returns its name.
func createCode(t *testing.T, c *awslambda.Client, rt types.Runtime, handler string, files map[string]string, mutate ...func(*awslambda.CreateFunctionInput)) string {
	t.Helper()
	return createFn(t, c, append([]func(*awslambda.CreateFunctionInput){func(in *awslambda.CreateFunctionInput) {
		in.Runtime = rt
		in.Handler = aws.String(handler)
		in.Code = &types.FunctionCode{ZipFile: zipOf(t, files)}
		in.Timeout = aws.Int32(60)
	}}, mutate...)...)
}

// logEvents returns every event of a function's log group, oldest first.
func logEvents(t *testing.T, e *emulator.Emulator, name string) []string {
	t.Helper()
	_, cfg := e, emutest.Config(e.URL())
	logs := cwl.NewFromConfig(cfg)
	out, err := logs.FilterLogEvents(bg, &cwl.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/" + name)})
	if err != nil {
		t.Fatalf("logs of %s: %v", name, err)
	}
	var msgs []string
	for _, ev := range out.Events {
		msgs = append(msgs, aws.ToString(ev.Message))
	}
	return msgs
}

// eventually retries check until it passes (logs are written as the
// invocation ends; a loaded machine may lag).
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

const pyContext = `
import json, logging, os, sys
logger = logging.getLogger()
logger.setLevel(logging.INFO)
print("init line")

def handler(event, context):
    print("hello from print")
    logger.info("hello from logging %s", event.get("n"))
    logger.debug("not shown")
    return {
        "event": event,
        "aws_request_id": context.aws_request_id,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "client_context": context.client_context and context.client_context.custom,
        "identity": [context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id],
        "version": "%d.%d.%d" % sys.version_info[:3],
        "region": os.environ.get("AWS_REGION"),
        "execution_env": os.environ.get("AWS_EXECUTION_ENV"),
        "cwd": os.getcwd() == os.environ["LAMBDA_TASK_ROOT"],
    }
`

func TestPythonHandlerContextAndLogs(t *testing.T) {
	needs(t, "python3")
	e, c := start(t)
	name := createCode(t, c, types.RuntimePython38, "app.handler", map[string]string{"app.py": pyContext})
	cc := `{"custom":{"k":"v"},"env":{},"client":null}`
	out := invoke(t, c, name, `{"n":7}`, func(in *awslambda.InvokeInput) {
		in.ClientContext = aws.String(b64(cc))
	})
	if out.FunctionError != nil {
		t.Fatalf("function error: %s", out.Payload)
	}
	var r struct {
		Event                                          map[string]int
		AwsRequestID                                   string `json:"aws_request_id"`
		FunctionName                                   string `json:"function_name"`
		FunctionVersion                                string `json:"function_version"`
		InvokedFunctionArn                             string `json:"invoked_function_arn"`
		MemoryLimitInMB                                string `json:"memory_limit_in_mb"`
		LogGroupName                                   string `json:"log_group_name"`
		LogStreamName                                  string `json:"log_stream_name"`
		Remaining                                      int
		ClientContext                                  map[string]string `json:"client_context"`
		Identity                                       []*string
		Version, Region, ExecutionEnv                  string
		Cwd                                            bool
		ExecutionEnvUnused                             string `json:"-"`
	}
	if err := json.Unmarshal(out.Payload, &r); err != nil {
		t.Fatalf("payload %s: %v", out.Payload, err)
	}
	r.ExecutionEnv = "" // checked below from the raw payload
	if r.Event["n"] != 7 || r.FunctionName != name || r.FunctionVersion != "$LATEST" || r.MemoryLimitInMB != "128" ||
		r.InvokedFunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:"+name || r.LogGroupName != "/aws/lambda/"+name ||
		!strings.Contains(r.LogStreamName, "[$LATEST]") || r.Remaining <= 0 || r.Remaining > 60000 || r.AwsRequestID == "" ||
		r.ClientContext["k"] != "v" || len(r.Identity) != 2 || r.Identity[0] != nil || r.Region != "us-east-1" || !r.Cwd {
		t.Fatalf("context: %s", out.Payload)
	}
	if !strings.Contains(string(out.Payload), `"execution_env": "AWS_Lambda_python3.8"`) {
		t.Errorf("AWS_EXECUTION_ENV: %s", out.Payload)
	}
	eventually(t, "log lines", func() error {
		ev := logEvents(t, e, name)
		all := strings.Join(ev, "\n")
		for _, want := range []string{"init line", "START RequestId: " + r.AwsRequestID, "hello from print",
			"[INFO]\t", "\t" + r.AwsRequestID + "\thello from logging 7", "END RequestId: " + r.AwsRequestID, "REPORT RequestId: " + r.AwsRequestID} {
			if !strings.Contains(all, want) {
				return fmt.Errorf("no %q in %q", want, ev)
			}
		}
		if strings.Contains(all, "not shown") {
			return fmt.Errorf("a DEBUG record under level INFO was logged: %q", ev)
		}
		t.Logf("events: %q", ev)
		// The first line names the interpreter when it is not 3.8.
		if !strings.HasPrefix(r.Version, "3.8.") && !strings.HasPrefix(ev[0], "groundstack: runtime python3.8 runs on Python "+r.Version+" (") {
			return fmt.Errorf("first line %q does not say Python %s runs", ev[0], r.Version)
		}
		return nil
	})
}

func b64(s string) string {
	return strings.TrimSpace(base64Std(s))
}

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
