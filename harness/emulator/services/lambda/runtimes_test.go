package lambda_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	lambdasvc "github.com/groundstack/groundstack/harness/emulator/services/lambda"
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
	return logEventsMatching(t, e, name, "")
}

// logEventsMatching returns the events a CloudWatch filter pattern matches,
// every page of them.
func logEventsMatching(t *testing.T, e *emulator.Emulator, name, pattern string) []string {
	t.Helper()
	logs := cwl.NewFromConfig(emutest.Config(e.URL()))
	in := &cwl.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/" + name)}
	if pattern != "" {
		in.FilterPattern = aws.String(pattern)
	}
	var msgs []string
	for p := cwl.NewFilterLogEventsPaginator(logs, in); p.HasMorePages(); {
		out, err := p.NextPage(bg)
		if err != nil {
			t.Fatalf("logs of %s: %v", name, err)
		}
		for _, ev := range out.Events {
			msgs = append(msgs, aws.ToString(ev.Message))
		}
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
	t.Parallel()
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
		Event              map[string]int
		AwsRequestID       string `json:"aws_request_id"`
		FunctionName       string `json:"function_name"`
		FunctionVersion    string `json:"function_version"`
		InvokedFunctionArn string `json:"invoked_function_arn"`
		MemoryLimitInMB    string `json:"memory_limit_in_mb"`
		LogGroupName       string `json:"log_group_name"`
		LogStreamName      string `json:"log_stream_name"`
		Remaining          int
		ClientContext      map[string]string `json:"client_context"`
		Identity           []*string
		Version, Region    string
		ExecutionEnv       string `json:"execution_env"`
		Cwd                bool
	}
	if err := json.Unmarshal(out.Payload, &r); err != nil {
		t.Fatalf("payload %s: %v", out.Payload, err)
	}
	if r.Event["n"] != 7 || r.FunctionName != name || r.FunctionVersion != "$LATEST" || r.MemoryLimitInMB != "128" ||
		r.InvokedFunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:"+name || r.LogGroupName != "/aws/lambda/"+name ||
		!strings.Contains(r.LogStreamName, "[$LATEST]") || r.Remaining <= 0 || r.Remaining > 60000 || r.AwsRequestID == "" ||
		r.ClientContext["k"] != "v" || len(r.Identity) != 2 || r.Identity[0] != nil || r.Region != "us-east-1" || !r.Cwd {
		t.Fatalf("context: %s", out.Payload)
	}
	if r.ExecutionEnv != "AWS_Lambda_python3.8" {
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

type runtimeError struct {
	Message    string   `json:"errorMessage"`
	Type       string   `json:"errorType"`
	RequestID  *string  `json:"requestId"`
	StackTrace []string `json:"stackTrace"`
	Trace      []string `json:"trace"`
}

func TestPythonErrorsAsAWSShapesThem(t *testing.T) {
	t.Parallel()
	needs(t, "python3")
	e, c := start(t)
	cases := []struct {
		name, handler string
		files         map[string]string
		wantType      string
		wantMsg       string
		wantTrace     string // a line the stack trace must hold
		inLog         string
	}{
		{"module missing", "nothere.handler", map[string]string{"app.py": "def handler(e, c): return 1"},
			"Runtime.ImportModuleError", "Unable to import module 'nothere': No module named 'nothere'", "", "[ERROR] Runtime.ImportModuleError: Unable to import module 'nothere'"},
		{"import inside the module fails", "app.handler", map[string]string{"app.py": "import requests_that_is_not_there\ndef handler(e, c): return 1"},
			"Runtime.ImportModuleError", "Unable to import module 'app': No module named 'requests_that_is_not_there'", "", ""},
		{"no handler file in the zip", "lambda_function.lambda_handler", map[string]string{"README.md": "nothing here"},
			"Runtime.ImportModuleError", "Unable to import module 'lambda_function': No module named 'lambda_function'", "", ""},
		{"syntax error", "app.handler", map[string]string{"app.py": "def handler(e, c)\n    return 1\n"},
			"Runtime.UserCodeSyntaxError", "Syntax error in module 'app': ", "Line 1", ""},
		{"handler missing", "app.nope", map[string]string{"app.py": "def handler(e, c): return 1"},
			"Runtime.HandlerNotFound", "Handler 'nope' missing on module 'app'", "", ""},
		{"malformed handler", "app", map[string]string{"app.py": "def handler(e, c): return 1"},
			"Runtime.MalformedHandlerName", "Bad handler 'app': not enough values to unpack (expected 2, got 1)", "", ""},
		{"handler raises", "app.handler", map[string]string{"app.py": "class OrderError(Exception):\n    pass\n\ndef handler(e, c):\n    raise OrderError('order 42 is gone')\n"},
			"OrderError", "order 42 is gone", "in handler", "[ERROR] OrderError: order 42 is gone"},
		{"result not JSON", "app.handler", map[string]string{"app.py": "def handler(e, c): return {'s': {1, 2}}"},
			"Runtime.MarshalError", "Unable to marshal response: Object of type set is not JSON serializable", "", ""},
		{"package module", "pkg/mod.handler", map[string]string{"pkg/__init__.py": "", "pkg/mod.py": "def handler(e, c): raise ValueError('from a package')"},
			"ValueError", "from a package", "pkg/mod.py", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := createCode(t, c, types.RuntimePython39, tc.handler, tc.files)
			out := invoke(t, c, name, `{}`)
			if aws.ToString(out.FunctionError) != "Unhandled" {
				t.Fatalf("FunctionError %q, payload %s", aws.ToString(out.FunctionError), out.Payload)
			}
			var re runtimeError
			if err := json.Unmarshal(out.Payload, &re); err != nil {
				t.Fatalf("payload %s", out.Payload)
			}
			if re.Type != tc.wantType || !strings.HasPrefix(re.Message, tc.wantMsg) || re.RequestID == nil || re.StackTrace == nil {
				t.Fatalf("got %s", out.Payload)
			}
			if tc.wantTrace != "" && !strings.Contains(strings.Join(re.StackTrace, ""), tc.wantTrace) {
				t.Fatalf("stack trace without %q: %s", tc.wantTrace, out.Payload)
			}
			if tc.wantType == "OrderError" && *re.RequestID == "" {
				t.Fatalf("a handler's error carries the request id: %s", out.Payload)
			}
			if tc.inLog != "" {
				eventually(t, "error in the log", func() error {
					all := strings.Join(logEvents(t, e, name), "\n")
					if !strings.Contains(all, tc.inLog) || !strings.Contains(all, "Traceback (most recent call last):") {
						return fmt.Errorf("log %q", all)
					}
					return nil
				})
			}
			// The function still works the next time (a new instance after
			// an init failure, the same one after a handler error).
			out = invoke(t, c, name, `{}`)
			if aws.ToString(out.FunctionError) != "Unhandled" {
				t.Fatalf("second invocation: %s", out.Payload)
			}
		})
	}
}

func TestPythonBoto3ReachesTheEmulator(t *testing.T) {
	t.Parallel()
	needs(t, "python3")
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		t.Skip("the machine's python3 has no boto3 (Debian package python3-boto3)")
	}
	_, c := start(t)
	// As lab handlers are written: no region, credentials or endpoint given.
	name := createCode(t, c, types.RuntimePython312, "lambda_function.lambda_handler", map[string]string{"lambda_function.py": `
import boto3
client = boto3.client("lambda")
s3 = boto3.client("s3")

def lambda_handler(event, context):
    names = [f["FunctionName"] for f in client.list_functions()["Functions"]]
    s3.create_bucket(Bucket="from-python")
    s3.put_object(Bucket="from-python", Key="a/b.txt", Body=b"hello")
    got = s3.get_object(Bucket="from-python", Key="a/b.txt")
    return {"names": names, "region": client.meta.region_name, "s3": got["Body"].read().decode()}
`})
	out := invoke(t, c, name, `{}`)
	if out.FunctionError != nil || !strings.Contains(string(out.Payload), `"names": ["`+name+`"]`) || !strings.Contains(string(out.Payload), `"region": "us-east-1"`) ||
		!strings.Contains(string(out.Payload), `"s3": "hello"`) {
		t.Fatalf("boto3 from a handler: %s", out.Payload)
	}
}

func TestPythonHandlerPrintingTenMegabytes(t *testing.T) {
	t.Parallel()
	needs(t, "python3")
	e, c := start(t)
	name := createCode(t, c, types.RuntimePython311, "app.handler", map[string]string{"app.py": `
import sys
def handler(event, context):
    line = "x" * 1023
    for i in range(10 * 1024):
        print(line)
    sys.stdout.write("y" * (3 << 20))
    print()
    return {"done": True}
`})
	for i := 0; i < 2; i++ {
		out := invoke(t, c, name, `{}`, func(in *awslambda.InvokeInput) { in.LogType = types.LogTypeTail })
		if out.FunctionError != nil || string(out.Payload) != `{"done": true}` {
			t.Fatalf("10 MB of prints: %s", out.Payload)
		}
		if tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult)); len(tail) > 4096 || !strings.Contains(string(tail), "REPORT RequestId") {
			t.Fatalf("tail of %d bytes: %q", len(tail), tail)
		}
	}
	eventually(t, "bounded logs", func() error {
		ev := logEvents(t, e, name)
		total, dropped := 0, 0
		for _, m := range ev {
			total += len(m)
			if strings.Contains(m, "log lines of this invocation were dropped") {
				dropped++
			}
		}
		// Each invocation printed 13 MB; CloudWatch got at most 8 MB of it.
		if total > 2*(8<<20)+(1<<20) || dropped != 2 {
			return fmt.Errorf("%d bytes in %d events, %d notes of dropped lines", total, len(ev), dropped)
		}
		return nil
	})
}

func TestNodeHandlers(t *testing.T) {
	t.Parallel()
	needs(t, "node")
	e, c := start(t)
	report := `({event, id: context.awsRequestId, fn: context.functionName, version: context.functionVersion,
		arn: context.invokedFunctionArn, mem: context.memoryLimitInMB, group: context.logGroupName,
		remaining: context.getRemainingTimeInMillis(), waits: context.callbackWaitsForEmptyEventLoop,
		env: process.env.AWS_EXECUTION_ENV})`
	cases := []struct {
		name, rt, handler string
		files             map[string]string
	}{
		{"CommonJS async", "nodejs20.x", "index.handler", map[string]string{
			"index.js": "exports.handler = async (event, context) => { console.log('hello', event.n); return " + report + "; };"}},
		{"ES module mjs", "nodejs22.x", "index.handler", map[string]string{
			"index.mjs": "import { join } from 'node:path';\nexport const handler = async (event, context) => { console.info('joined', join('a', 'b')); return " + report + "; };"}},
		{"type module", "nodejs18.x", "src/app.handler", map[string]string{
			"package.json": `{"type":"module"}`,
			"src/app.js":   "export async function handler(event, context) { return " + report + "; }"}},
		{"callback", "nodejs20.x", "cb.handler", map[string]string{
			"cb.js": "exports.handler = (event, context, callback) => { setTimeout(() => callback(null, " + report + "), 10); };"}},
		{"callback answers before the loop empties", "nodejs20.x", "cb.handler", map[string]string{
			"cb.js": "exports.handler = (event, context, callback) => { context.callbackWaitsForEmptyEventLoop = false; setTimeout(() => {}, 30000); callback(null, " + report + "); };"}},
		{"nested export", "nodejs20.x", "lib/h.api.get", map[string]string{
			"lib/h.js": "exports.api = { get: async (event, context) => " + report + " };"}},
		{"package from node_modules", "nodejs20.x", "index.handler", map[string]string{
			"node_modules/greeter/index.js": "module.exports = (n) => 'hi ' + n;",
			"index.js":                      "const greet = require('greeter');\nexports.handler = async (event, context) => { console.log(greet(event.n)); return " + report + "; };"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := createCode(t, c, types.Runtime(tc.rt), tc.handler, tc.files, func(in *awslambda.CreateFunctionInput) { in.Timeout = aws.Int32(20) })
			out := invoke(t, c, name, `{"n":5}`)
			if out.FunctionError != nil {
				t.Fatalf("function error: %s", out.Payload)
			}
			var r struct {
				Event     map[string]int
				ID, Fn    string
				Version   string
				Arn, Mem  string
				Group     string
				Remaining int
				Waits     bool
				Env       string
			}
			if err := json.Unmarshal(out.Payload, &r); err != nil {
				t.Fatalf("payload %s", out.Payload)
			}
			if r.Event["n"] != 5 || r.ID == "" || r.Fn != name || r.Version != "$LATEST" || r.Mem != "128" || r.Group != "/aws/lambda/"+name ||
				r.Arn != "arn:aws:lambda:us-east-1:000000000000:function:"+name || r.Remaining <= 0 || r.Env != "AWS_Lambda_"+tc.rt {
				t.Fatalf("context: %s", out.Payload)
			}
			if tc.name == "CommonJS async" {
				eventually(t, "console.log in Lambda's format", func() error {
					all := strings.Join(logEvents(t, e, name), "\n")
					if !regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t` + r.ID + `\tINFO\thello 5`).MatchString(all) {
						return fmt.Errorf("log %q", all)
					}
					return nil
				})
			}
			// Warm: the same instance answers again.
			if out := invoke(t, c, name, `{"n":6}`); out.FunctionError != nil || !strings.Contains(string(out.Payload), `"n":6`) {
				t.Fatalf("second invocation: %s", out.Payload)
			}
		})
	}
}

func TestNodeErrorsAsAWSShapesThem(t *testing.T) {
	t.Parallel()
	needs(t, "node")
	e, c := start(t)
	cases := []struct {
		name, handler string
		files         map[string]string
		wantType      string
		wantMsg       string
		inLog         string
	}{
		{"module missing", "nothere.handler", map[string]string{"index.js": "exports.handler = async () => 1;"},
			"Runtime.ImportModuleError", "Error: Cannot find module 'nothere'", ""},
		{"no handler file in the zip", "index.handler", map[string]string{"README.md": "nothing"},
			"Runtime.ImportModuleError", "Error: Cannot find module 'index'", ""},
		{"handler not exported", "index.nope", map[string]string{"index.js": "exports.handler = async () => 1;"},
			"Runtime.HandlerNotFound", "index.nope is undefined or not exported", ""},
		{"syntax error", "index.handler", map[string]string{"index.js": "exports.handler = async () => { return 1 ;"},
			"Runtime.UserCodeSyntaxError", "SyntaxError: ", ""},
		{"syntax error in an ES module", "index.handler", map[string]string{"index.mjs": "export const handler = async () => {"},
			"Runtime.UserCodeSyntaxError", "SyntaxError: ", ""},
		{"async handler throws", "index.handler", map[string]string{"index.js": "class OrderError extends Error { constructor(m) { super(m); this.name = 'OrderError'; } }\nexports.handler = async () => { throw new OrderError('order 42 is gone'); };"},
			"OrderError", "order 42 is gone", "Invoke Error"},
		{"callback with an error", "index.handler", map[string]string{"index.js": "exports.handler = (e, c, cb) => cb(new TypeError('bad type'));"},
			"TypeError", "bad type", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := createCode(t, c, types.RuntimeNodejs20x, tc.handler, tc.files)
			out := invoke(t, c, name, `{}`)
			var re runtimeError
			if err := json.Unmarshal(out.Payload, &re); err != nil || aws.ToString(out.FunctionError) != "Unhandled" {
				t.Fatalf("FunctionError %q payload %s", aws.ToString(out.FunctionError), out.Payload)
			}
			if re.Type != tc.wantType || !strings.HasPrefix(re.Message, tc.wantMsg) || len(re.Trace) == 0 {
				t.Fatalf("got %s", out.Payload)
			}
			if tc.inLog != "" {
				eventually(t, "error in the log", func() error {
					all := strings.Join(logEvents(t, e, name), "\n")
					if !strings.Contains(all, "\tERROR\t"+tc.inLog) || !strings.Contains(all, tc.wantMsg) {
						return fmt.Errorf("log %q", all)
					}
					return nil
				})
			}
		})
	}
}

func TestNodeCallbackWaitsForEmptyEventLoop(t *testing.T) {
	t.Parallel()
	needs(t, "node")
	e, c := start(t)
	name := createCode(t, c, types.RuntimeNodejs20x, "index.handler", map[string]string{"index.js": `
exports.handler = (event, context, callback) => {
  setTimeout(() => console.log("timer fired"), 200);
  callback(null, "answered");
};`})
	out := invoke(t, c, name, `{}`)
	if out.FunctionError != nil || string(out.Payload) != `"answered"` {
		t.Fatalf("payload %s", out.Payload)
	}
	// The runtime answered once the timer had run: its line is the
	// invocation's, before END.
	eventually(t, "timer line before END", func() error {
		ev := logEvents(t, e, name)
		timer, end := -1, -1
		for i, m := range ev {
			if strings.HasSuffix(m, "\tINFO\ttimer fired") {
				timer = i
			}
			if strings.HasPrefix(m, "END RequestId:") {
				end = i
			}
		}
		if timer < 0 || end < 0 || timer > end {
			return fmt.Errorf("events %q", ev)
		}
		return nil
	})
}

func TestRuntimeWithoutInterpreter(t *testing.T) {
	// No python3 or node where the emulator looks.
	t.Setenv("PATH", t.TempDir())
	_, c := start(t)
	for rt, pkg := range map[types.Runtime]string{types.RuntimePython39: "python3", types.RuntimeNodejs20x: "nodejs"} {
		name := createCode(t, c, rt, "app.handler", map[string]string{"app.py": "", "app.js": ""})
		_, err := c.Invoke(bg, &awslambda.InvokeInput{FunctionName: aws.String(name)})
		wantCode(t, err, "InvalidRuntimeException", "install the Debian package "+pkg)
		var ae interface{ ErrorMessage() string }
		if errors.As(err, &ae) && strings.Contains(ae.ErrorMessage(), "\n") {
			t.Fatalf("the reason is not one line: %q", ae.ErrorMessage())
		}
	}
}

// TestRuntimesWithTheCLI drives a Python and a Node.js function with the
// real aws CLI, as a lab script would: create-function with fileb://,
// invoke with --payload.
func TestRuntimesWithTheCLI(t *testing.T) {
	t.Parallel()
	e, _ := start(t)
	cli := func(args ...string) string {
		t.Helper()
		out, errOut, code := emutest.CLI(t, e.URL(), args...)
		if code != 0 {
			t.Fatalf("aws %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
		}
		return out
	}
	dir := t.TempDir()
	for _, fn := range []struct {
		program, rt, handler, file, code string
	}{
		{"python3", "python3.9", "lambda_function.lambda_handler", "lambda_function.py",
			"import json\ndef lambda_handler(event, context):\n    return {'statusCode': 200, 'body': json.dumps({'bucket': event['bucket'], 'key': event['key']})}\n"},
		{"node", "nodejs20.x", "index.handler", "index.js",
			"exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ bucket: event.bucket, key: event.key }) });\n"},
	} {
		t.Run(fn.rt, func(t *testing.T) {
			needs(t, fn.program)
			zipPath := filepath.Join(dir, fn.rt+".zip")
			if err := os.WriteFile(zipPath, zipOf(t, map[string]string{fn.file: fn.code}), 0o600); err != nil {
				t.Fatal(err)
			}
			name := "cli-" + strings.ReplaceAll(fn.rt, ".", "-")
			out := cli("lambda", "create-function", "--function-name", name, "--runtime", fn.rt, "--handler", fn.handler,
				"--role", role, "--zip-file", "fileb://"+zipPath, "--timeout", "30", "--description", "lab function")
			if !strings.Contains(out, `"Runtime": "`+fn.rt+`"`) {
				t.Fatalf("create-function: %s", out)
			}
			outFile := filepath.Join(dir, name+".json")
			out = cli("lambda", "invoke", "--function-name", name, "--payload", `{"bucket":"originals","key":"cat.jpg"}`, outFile)
			got, _ := os.ReadFile(outFile)
			var resp struct {
				StatusCode int
				Body       string
			}
			if err := json.Unmarshal(got, &resp); err != nil || resp.StatusCode != 200 || resp.Body != `{"bucket": "originals", "key": "cat.jpg"}` && resp.Body != `{"bucket":"originals","key":"cat.jpg"}` {
				t.Fatalf("invoke: %s / %s", out, got)
			}
			if !strings.Contains(out, `"StatusCode": 200`) || strings.Contains(out, "FunctionError") {
				t.Fatalf("invoke: %s", out)
			}
		})
	}
}

// TestFiftyColdStartsInParallel: 50 simultaneous invocations of a cold
// function each get their own instance, started side by side. Each
// handler waits until 50 handlers have started, so serialised starts
// would never finish; instances are counted, not timed.
func TestFiftyColdStartsInParallel(t *testing.T) {
	t.Parallel()
	needs(t, "python3")
	e, c := start(t)
	// A loaded 2-core machine may take longer than AWS's 10 s to start 50
	// interpreters; what is checked is that they start side by side.
	service(t, e).Tune(lambdasvc.Tuning{InitTimeout: 3 * time.Minute})
	const n = 50
	dir := sharedDir(t)
	name := createCode(t, c, types.RuntimePython312, "app.handler", map[string]string{"app.py": `
import os, time
def handler(event, context):
    d = os.environ["RENDEZVOUS"]
    open(os.path.join(d, context.aws_request_id), "w").close()
    deadline = time.time() + 240
    while len(os.listdir(d)) < int(os.environ["EXPECTED"]) and time.time() < deadline:
        time.sleep(0.02)
    return {"pid": os.getpid(), "seen": len(os.listdir(d))}
`}, func(in *awslambda.CreateFunctionInput) {
		in.Timeout = aws.Int32(300)
		in.Environment = &types.Environment{Variables: map[string]string{"RENDEZVOUS": dir, "EXPECTED": fmt.Sprint(n)}}
	})
	var wg sync.WaitGroup
	pids := make([]int, n)
	began := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := c.Invoke(bg, &awslambda.InvokeInput{FunctionName: aws.String(name)})
			if err != nil || out.FunctionError != nil {
				t.Errorf("invoke: %v %s", err, out.Payload)
				return
			}
			var r struct{ Pid, Seen int }
			json.Unmarshal(out.Payload, &r)
			if r.Seen < n {
				t.Errorf("an instance gave up waiting: %s", out.Payload)
			}
			pids[i] = r.Pid
		}()
	}
	wg.Wait()
	t.Logf("%d cold starts side by side, all answered in %v", n, time.Since(began)) // a figure, not a check
	distinct := map[int]bool{}
	for _, p := range pids {
		distinct[p] = true
	}
	if len(distinct) != n {
		t.Fatalf("%d invocations ran on %d instances", n, len(distinct))
	}
}

// TestAccountConcurrencyThrottles: past the account's unreserved
// concurrency an invocation gets 429 TooManyRequestsException with
// Reason ConcurrentInvocationLimitExceeded, and runs again once a slot is
// free. (The account limit is turned down to 2 for the test; AWS's is
// 1,000.)
func TestAccountConcurrencyThrottles(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	svc := service(t, e)
	svc.Tune(lambdasvc.Tuning{AccountConcurrency: 2})
	name := createFn(t, c)
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out := invoke(t, c, name, `{"mode":"sleep","ms":4000}`); out.FunctionError != nil {
				t.Errorf("sleep: %s", out.Payload)
			}
		}()
	}
	// Both hold their slot once both instances exist.
	eventually(t, "two instances", func() error {
		if n := len(svc.Executor().PIDs()); n != 2 {
			return fmt.Errorf("%d instances", n)
		}
		return nil
	})
	_, err := c.Invoke(bg, &awslambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"mode":"echo"}`)})
	wantCode(t, err, "TooManyRequestsException", "Rate Exceeded.")
	var tm *types.TooManyRequestsException
	if !errors.As(err, &tm) || tm.Reason != types.ThrottleReasonConcurrentInvocationLimitExceeded {
		t.Fatalf("reason: %v", err)
	}
	settings, err := c.GetAccountSettings(bg, &awslambda.GetAccountSettingsInput{})
	if err != nil || settings.AccountLimit.ConcurrentExecutions != 2 {
		t.Fatalf("account settings: %+v %v", settings, err)
	}
	wg.Wait()
	if out := invoke(t, c, name, `{"mode":"echo"}`); out.FunctionError != nil {
		t.Fatalf("after the others finished: %s", out.Payload)
	}
	// A function with reserved concurrency has its own slots.
	reserved := createFn(t, c)
	if _, err := c.PutFunctionConcurrency(bg, &awslambda.PutFunctionConcurrencyInput{FunctionName: aws.String(reserved), ReservedConcurrentExecutions: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if out := invoke(t, c, reserved, `{"mode":"echo"}`); out.FunctionError != nil {
		t.Fatalf("reserved: %s", out.Payload)
	}
}

// TestPythonTimeoutKillsWhatTheHandlerStarted: at the deadline the
// instance's whole process group goes, a child the handler started too.
func TestPythonTimeoutKillsWhatTheHandlerStarted(t *testing.T) {
	t.Parallel()
	needs(t, "python3")
	_, c := start(t)
	dir := sharedDir(t)
	name := createCode(t, c, types.RuntimePython312, "app.handler", map[string]string{"app.py": `
import os, subprocess, time
def handler(event, context):
    child = subprocess.Popen(["sleep", "300"])
    with open(os.path.join(os.environ["PIDDIR"], "child"), "w") as f:
        f.write(str(child.pid))
    time.sleep(300)
`}, func(in *awslambda.CreateFunctionInput) {
		in.Timeout = aws.Int32(3) // room for a busy machine to start the child
		in.Environment = &types.Environment{Variables: map[string]string{"PIDDIR": dir}}
	})
	out := invoke(t, c, name, `{}`)
	var re runtimeError
	json.Unmarshal(out.Payload, &re)
	if aws.ToString(out.FunctionError) != "Unhandled" || re.Type != "Sandbox.Timedout" || !strings.HasSuffix(re.Message, "Task timed out after 3.00 seconds") {
		t.Fatalf("timeout: %s", out.Payload)
	}
	b, err := os.ReadFile(filepath.Join(dir, "child"))
	if err != nil {
		t.Fatalf("the handler never started its child: %v", err)
	}
	var pid int
	fmt.Sscan(string(b), &pid)
	waitGone(t, pid)
}
