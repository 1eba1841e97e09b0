package lambda_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	lambdasvc "github.com/groundstack/groundstack/harness/emulator/services/lambda"
)

type lambdaError struct {
	Message    string            `json:"errorMessage"`
	Type       string            `json:"errorType"`
	StackTrace []json.RawMessage `json:"stackTrace"`
}

func TestInvokeOutcomes(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createFn(t, c)
	cases := []struct {
		name      string
		payload   string
		funcError string
		check     func(t *testing.T, payload []byte)
	}{
		{"echo", `{"mode":"echo","n":[1,2,3]}`, "", func(t *testing.T, p []byte) {
			if string(p) != `{"mode":"echo","n":[1,2,3]}` {
				t.Fatalf("payload %s", p)
			}
		}},
		{"empty payload is {}", ``, "", func(t *testing.T, p []byte) {
			if string(p) != `{}` {
				t.Fatalf("payload %s", p)
			}
		}},
		{"string event", `"just a string"`, "", func(t *testing.T, p []byte) {
			if string(p) != `"just a string"` {
				t.Fatalf("payload %s", p)
			}
		}},
		{"handler error", `{"mode":"error","message":"boom"}`, "Unhandled", func(t *testing.T, p []byte) {
			var e lambdaError
			json.Unmarshal(p, &e)
			if e.Message != "boom" || e.Type != "errorString" {
				t.Fatalf("error payload %s", p)
			}
		}},
		{"panic", `{"mode":"panic","message":"oh no"}`, "Unhandled", func(t *testing.T, p []byte) {
			var e lambdaError
			json.Unmarshal(p, &e)
			if e.Message != "oh no" || e.Type != "string" || len(e.StackTrace) == 0 {
				t.Fatalf("panic payload %s", p)
			}
		}},
		{"after panic: a new instance", `{"mode":"echo"}`, "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := invoke(t, c, name, tc.payload)
			if out.StatusCode != 200 || aws.ToString(out.FunctionError) != tc.funcError || aws.ToString(out.ExecutedVersion) != "$LATEST" {
				t.Fatalf("status %d error %q version %q payload %s", out.StatusCode, aws.ToString(out.FunctionError), aws.ToString(out.ExecutedVersion), out.Payload)
			}
			if tc.check != nil {
				tc.check(t, out.Payload)
			}
		})
	}
}

func TestInvokeTimeoutReplacesInstance(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createFn(t, c, func(in *awslambda.CreateFunctionInput) { in.Timeout = aws.Int32(1) })
	ctxReport(t, c, name, "")
	t0 := time.Now()
	out := invoke(t, c, name, `{"mode":"sleep","ms":5000}`, func(in *awslambda.InvokeInput) { in.LogType = types.LogTypeTail })
	took := time.Since(t0)
	slept := pidInTail(t, out)
	var e lambdaError
	json.Unmarshal(out.Payload, &e)
	if aws.ToString(out.FunctionError) != "Unhandled" || e.Type != "Sandbox.Timedout" ||
		!regexp.MustCompile(`^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$`).MatchString(e.Message) {
		t.Fatalf("timeout: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
	if took > 4*time.Second {
		t.Fatalf("the timeout answered after %v", took)
	}
	tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if !regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [0-9a-f-]{36} Task timed out after 1\.00 seconds\n`).Match(tail) ||
		!strings.Contains(string(tail), "\tStatus: timeout") {
		t.Errorf("timeout tail:\n%s", tail)
	}
	waitGone(t, slept)
	if after := ctxReport(t, c, name, ""); after.pid == slept {
		t.Fatal("the timed-out instance was reused")
	}
}

// pidInTail finds "pid=N" in an invocation's log tail.
func pidInTail(t *testing.T, out *awslambda.InvokeOutput) int {
	t.Helper()
	tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	m := regexp.MustCompile(`pid=(\d+)`).FindSubmatch(tail)
	if m == nil {
		t.Fatalf("no pid in the log tail:\n%s", tail)
	}
	var pid int
	fmt.Sscanf(string(m[1]), "%d", &pid)
	return pid
}

func TestInvokeCrashReplacesInstance(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createFn(t, c)
	ctxReport(t, c, name, "")
	out := invoke(t, c, name, `{"mode":"crash"}`, func(in *awslambda.InvokeInput) { in.LogType = types.LogTypeTail })
	crashed := pidInTail(t, out)
	var e lambdaError
	json.Unmarshal(out.Payload, &e)
	if aws.ToString(out.FunctionError) != "Unhandled" || e.Type != "Runtime.ExitError" ||
		!regexp.MustCompile(`^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 2$`).MatchString(e.Message) {
		t.Fatalf("crash: %s", out.Payload)
	}
	tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	for _, want := range []string{"crashing on purpose", "Runtime.ExitError\n", "Status: error\tError Type: Runtime.ExitError"} {
		if !strings.Contains(string(tail), want) {
			t.Errorf("tail lacks %q:\n%s", want, tail)
		}
	}
	waitGone(t, crashed)
	if after := ctxReport(t, c, name, ""); after.pid == crashed {
		t.Fatal("the crashed instance was reused")
	}
}

func TestInitTimeout(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	service(t, e).Tune(lambdasvc.Tuning{InitTimeout: 300 * time.Millisecond})
	name := createFn(t, c, func(in *awslambda.CreateFunctionInput) {
		in.Environment = &types.Environment{Variables: map[string]string{"TESTFN_INIT": "hang"}}
	})
	out := invoke(t, c, name, `{}`)
	var e2 lambdaError
	json.Unmarshal(out.Payload, &e2)
	if aws.ToString(out.FunctionError) != "Unhandled" || e2.Type != "Runtime.Unknown" || !strings.Contains(e2.Message, "Runtime failed to start") {
		t.Fatalf("init timeout: %s", out.Payload)
	}
	deadline := time.Now().Add(3 * time.Second)
	for len(service(t, e).Executor().PIDs()) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the hung instance was not killed")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestInvokeLogTail(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createFn(t, c)
	out := invoke(t, c, name, `{"mode":"print","lines":["first line","second line"]}`, func(in *awslambda.InvokeInput) {
		in.LogType = types.LogTypeTail
	})
	tail, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(tail), "\n"), "\n")
	rid := aws.ToString(requestIDOf(out))
	want := []*regexp.Regexp{
		regexp.MustCompile(`^INIT_START Runtime Version: `),
		regexp.MustCompile(`^START RequestId: ` + rid + ` Version: \$LATEST$`),
		regexp.MustCompile(`^first line$`),
		regexp.MustCompile(`^second line$`),
		regexp.MustCompile(`^END RequestId: ` + rid + `$`),
		regexp.MustCompile(`^REPORT RequestId: ` + rid + `\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t$`),
	}
	if len(lines) != len(want) {
		t.Fatalf("tail:\n%s", tail)
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d %q does not match %s", i, lines[i], re)
		}
	}
	// A big log: the tail is the last 4 KB, ending with REPORT.
	out = invoke(t, c, name, `{"mode":"big","logKB":64}`, func(in *awslambda.InvokeInput) { in.LogType = types.LogTypeTail })
	tail, _ = base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if len(tail) != 4096 || !strings.Contains(string(tail), "\nREPORT RequestId: ") || strings.Contains(string(tail), "INIT_START") {
		t.Fatalf("big tail: %d bytes\n%s", len(tail), tail)
	}
}

// requestIDOf returns the invocation's request ID from the response metadata.
func requestIDOf(out *awslambda.InvokeOutput) *string {
	id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	return &id
}

func TestInvokeErrors(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	name := createFn(t, c)
	_, err := c.Invoke(bg, &awslambda.InvokeInput{FunctionName: aws.String("nope")})
	wantCode(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope")
	_, err = c.Invoke(bg, &awslambda.InvokeInput{FunctionName: aws.String(name), Qualifier: aws.String("nope")})
	wantCode(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:"+name+":nope")
	_, err = c.Invoke(bg, &awslambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte("not json")})
	wantCode(t, err, "InvalidRequestContentException", "Could not parse request body into json: ")
	big := append(append([]byte(`"`), bytes.Repeat([]byte("a"), 6291456)...), '"')
	_, err = c.Invoke(bg, &awslambda.InvokeInput{FunctionName: aws.String(name), Payload: big})
	wantCode(t, err, "RequestTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation")
	var tooLarge *types.RequestTooLargeException
	if !errors.As(err, &tooLarge) {
		t.Fatalf("not the modeled RequestTooLargeException: %T", err)
	}
	_, err = c.Invoke(bg, &awslambda.InvokeInput{FunctionName: aws.String(name), ClientContext: aws.String("%%%")})
	wantCode(t, err, "InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON object.")

	dry := invoke(t, c, name, `{}`, func(in *awslambda.InvokeInput) { in.InvocationType = types.InvocationTypeDryRun })
	if dry.StatusCode != 204 {
		t.Fatalf("DryRun status %d", dry.StatusCode)
	}
	ev := invoke(t, c, name, `{"mode":"echo"}`, func(in *awslambda.InvokeInput) { in.InvocationType = types.InvocationTypeEvent })
	if ev.StatusCode != 202 || len(ev.Payload) != 0 {
		t.Fatalf("Event status %d payload %q", ev.StatusCode, ev.Payload)
	}
	// A response over 6 MB is the function's error, as on AWS.
	out := invoke(t, c, name, `{"mode":"big","returnKB":7000}`)
	var le lambdaError
	json.Unmarshal(out.Payload, &le)
	if aws.ToString(out.FunctionError) != "Unhandled" || le.Type != "Function.ResponseSizeTooLarge" ||
		le.Message != "Response payload size exceeded maximum allowed payload size (6291556 bytes)." {
		t.Fatalf("too large response: %s", out.Payload)
	}
	// The client context reaches the handler.
	cc := base64.StdEncoding.EncodeToString([]byte(`{"custom":{"k":"v"}}`))
	out = invoke(t, c, name, `{"mode":"ctx"}`, func(in *awslambda.InvokeInput) { in.ClientContext = aws.String(cc) })
	if !strings.Contains(string(out.Payload), `"custom":{"k":"v"}`) {
		t.Fatalf("client context: %s", out.Payload)
	}
	_ = e
}

func TestReservedConcurrencyThrottles(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createFn(t, c)
	if _, err := c.PutFunctionConcurrency(bg, &awslambda.PutFunctionConcurrencyInput{FunctionName: aws.String(name), ReservedConcurrentExecutions: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	invoke(t, c, name, `{}`) // warm one instance
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 1 {
				time.Sleep(200 * time.Millisecond) // let the first one start
			}
			_, errs[i] = c.Invoke(bg, &awslambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"mode":"sleep","ms":1500}`)})
		}()
	}
	wg.Wait()
	if errs[0] != nil {
		t.Fatalf("first: %v", errs[0])
	}
	wantCode(t, errs[1], "TooManyRequestsException", "Rate Exceeded.")
	var tm *types.TooManyRequestsException
	if !errors.As(errs[1], &tm) || tm.Reason != types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded {
		t.Fatalf("throttle reason: %v", errs[1])
	}
	// Sequential invocations reuse the one instance and are never throttled.
	for i := 0; i < 20; i++ {
		invoke(t, c, name, `{}`)
	}
	// Reserved concurrency 0 throttles everything.
	c.PutFunctionConcurrency(bg, &awslambda.PutFunctionConcurrencyInput{FunctionName: aws.String(name), ReservedConcurrentExecutions: aws.Int32(0)})
	_, err := c.Invoke(bg, &awslambda.InvokeInput{FunctionName: aws.String(name)})
	wantCode(t, err, "TooManyRequestsException", "")
}

func TestParallelInvocationsScaleOut(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createFn(t, c)
	const n = 4
	pids := make([]int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Long enough that the invocations overlap however slowly a
			// loaded machine sends them; each reports the instance it ran on.
			out := invoke(t, c, name, `{"mode":"sleep","ms":1500}`)
			if aws.ToString(out.FunctionError) != "" {
				t.Errorf("sleep: %s", out.Payload)
			}
			var r struct{ Pid int }
			json.Unmarshal(out.Payload, &r)
			pids[i] = r.Pid
		}()
	}
	wg.Wait()
	distinct := map[int]bool{}
	for _, p := range pids {
		distinct[p] = true
	}
	if len(distinct) < 2 {
		t.Fatalf("parallel invocations shared one instance: %v", pids)
	}
}

func TestEventInvocationRetries(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	service(t, e).Tune(lambdasvc.Tuning{AsyncRetryBase: 50 * time.Millisecond})
	logsClient := cwl.NewFromConfig(emutest.Config(e.URL()))
	failing := createFn(t, c)
	ok := createFn(t, c)
	fail := invoke(t, c, failing, `{"mode":"error","message":"always"}`, func(in *awslambda.InvokeInput) { in.InvocationType = types.InvocationTypeEvent })
	good := invoke(t, c, ok, `{"mode":"echo"}`, func(in *awslambda.InvokeInput) { in.InvocationType = types.InvocationTypeEvent })
	if fail.StatusCode != 202 || good.StatusCode != 202 {
		t.Fatalf("status %d %d", fail.StatusCode, good.StatusCode)
	}
	// Three runs (one try and two retries) of the failing event, one of the good one.
	count := func(fn string) int {
		out, err := logsClient.FilterLogEvents(bg, &cwl.FilterLogEventsInput{
			LogGroupName: aws.String("/aws/lambda/" + fn), FilterPattern: aws.String(`"START RequestId"`)})
		if err != nil {
			return -1
		}
		return len(out.Events)
	}
	deadline := time.Now().Add(10 * time.Second)
	for count(failing) < 3 || count(ok) < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("runs: failing %d, ok %d", count(failing), count(ok))
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // no fourth run
	if n := count(failing); n != 3 {
		t.Fatalf("failing event ran %d times", n)
	}
	if n := count(ok); n != 1 {
		t.Fatalf("good event ran %d times", n)
	}
	// Every run carries the same request ID.
	out, _ := logsClient.FilterLogEvents(bg, &cwl.FilterLogEventsInput{
		LogGroupName: aws.String("/aws/lambda/" + failing), FilterPattern: aws.String(`"START RequestId"`)})
	ids := map[string]bool{}
	for _, ev := range out.Events {
		ids[strings.Fields(aws.ToString(ev.Message))[2]] = true
	}
	if len(ids) != 1 {
		t.Fatalf("request ids %v", ids)
	}
}

func TestCleanEnvironment(t *testing.T) {
	// Things on the host that must not reach a function.
	for k, v := range map[string]string{
		"AWS_PROFILE": "leak", "AWS_CA_BUNDLE": "/leak.pem", "HTTPS_PROXY": "http://leak:1", "http_proxy": "http://leak:2",
		"GOFLAGS": "-leak", "AWS_ACCESS_KEY_ID": "AKIALEAK", "SECRET_OF_HOST": "leak",
	} {
		t.Setenv(k, v)
	}
	e, c := start(t)
	name := createFn(t, c, func(in *awslambda.CreateFunctionInput) {
		in.Environment = &types.Environment{Variables: map[string]string{"MY_SETTING": "42"}}
		in.MemorySize = aws.Int32(512)
	})
	out := invoke(t, c, name, `{"mode":"env"}`)
	var list []string
	if err := json.Unmarshal(out.Payload, &list); err != nil {
		t.Fatalf("env: %s", out.Payload)
	}
	env := map[string]string{}
	for _, kv := range list {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_CA_BUNDLE", "HTTPS_PROXY", "http_proxy", "GOFLAGS", "SECRET_OF_HOST"} {
		if _, ok := env[k]; ok {
			t.Errorf("%s leaked into the function", k)
		}
	}
	want := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        name,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + name,
		"AWS_REGION":                      "us-east-1",
		"AWS_DEFAULT_REGION":              "us-east-1",
		"AWS_ENDPOINT_URL":                e.URL(),
		"TZ":                              ":UTC",
		"_HANDLER":                        "bootstrap",
		"MY_SETTING":                      "42",
		"PATH":                            "/usr/local/bin:/usr/bin:/bin:/opt/bin",
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	// The execution role's session, never the host's keys.
	if !regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`).MatchString(env["AWS_ACCESS_KEY_ID"]) || len(env["AWS_SECRET_ACCESS_KEY"]) != 40 || len(env["AWS_SESSION_TOKEN"]) < 100 {
		t.Errorf("credentials %q %q %q: want an execution role's session", env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"])
	}
	for _, k := range []string{"HOME", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "AWS_LAMBDA_RUNTIME_API", "AWS_LAMBDA_LOG_STREAM_NAME"} {
		if env[k] == "" {
			t.Errorf("%s not set", k)
		}
	}
	if !regexp.MustCompile(`^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$`).MatchString(env["AWS_LAMBDA_LOG_STREAM_NAME"]) {
		t.Errorf("log stream %q", env["AWS_LAMBDA_LOG_STREAM_NAME"])
	}
	if !regexp.MustCompile(`^127\.0\.0\.1:\d+$`).MatchString(env["AWS_LAMBDA_RUNTIME_API"]) {
		t.Errorf("runtime API %q", env["AWS_LAMBDA_RUNTIME_API"])
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	t.Logf("function environment: %v", keys)
}

func TestHandlerUsesDefaultSDKConfig(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createFn(t, c, withSDK)
	out := invoke(t, c, name, `{"mode":"sdk","service":"lambda"}`)
	var r struct {
		Functions []string `json:"functions"`
		Region    string   `json:"region"`
	}
	if err := json.Unmarshal(out.Payload, &r); err != nil || aws.ToString(out.FunctionError) != "" {
		t.Fatalf("sdk lambda: %s", out.Payload)
	}
	if len(r.Functions) != 1 || r.Functions[0] != name || r.Region != "us-east-1" {
		t.Fatalf("the handler saw %+v", r)
	}
	// The handler is its execution role's session named after the function, as on AWS.
	out = invoke(t, c, name, `{"mode":"sdk","service":"sts"}`)
	if aws.ToString(out.FunctionError) != "" || !strings.Contains(string(out.Payload), `"account":"000000000000"`) ||
		!strings.Contains(string(out.Payload), `"arn":"arn:aws:sts::000000000000:assumed-role/lambda-role/`+name+`"`) {
		t.Fatalf("sdk sts: %s", out.Payload)
	}
}

func TestLogsReachCloudWatch(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	name := createFn(t, c)
	invoke(t, c, name, `{"mode":"print","lines":["hello cloudwatch"]}`)
	invoke(t, c, name, `{"mode":"echo"}`)
	lc := cwl.NewFromConfig(emutest.Config(e.URL()))
	streams, err := lc.DescribeLogStreams(bg, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("/aws/lambda/" + name)})
	if err != nil {
		t.Fatal(err)
	}
	if len(streams.LogStreams) != 1 {
		t.Fatalf("streams %v", streams.LogStreams)
	}
	stream := aws.ToString(streams.LogStreams[0].LogStreamName)
	if !regexp.MustCompile(`^` + time.Now().UTC().Format("2006/01/02") + `/\[\$LATEST\][0-9a-f]{32}$`).MatchString(stream) {
		t.Fatalf("stream name %q", stream)
	}
	evs, err := lc.GetLogEvents(bg, &cwl.GetLogEventsInput{LogGroupName: aws.String("/aws/lambda/" + name), LogStreamName: aws.String(stream), StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, ev := range evs.Events {
		msgs = append(msgs, strings.Fields(aws.ToString(ev.Message) + " ")[0])
	}
	got := strings.Join(msgs, " ")
	if got != "INIT_START START hello END REPORT START END REPORT" {
		t.Fatalf("log events: %s", got)
	}
	if !strings.Contains(aws.ToString(evs.Events[4].Message), "Init Duration:") || strings.Contains(aws.ToString(evs.Events[7].Message), "Init Duration:") {
		t.Fatalf("Init Duration belongs to the cold start only")
	}
}

func TestInvokeThroughLink(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	name := createFn(t, c)
	var inv cloud.FunctionInvoker = service(t, e)
	res, err := inv.Invoke(bg, cloud.InvokeRequest{Function: "arn:aws:lambda:us-east-1:000000000000:function:" + name, Payload: []byte(`{"mode":"echo","via":"link"}`)})
	if err != nil || string(res.Payload) != `{"mode":"echo","via":"link"}` || res.ExecutedVersion != "$LATEST" || res.RequestID == "" {
		t.Fatalf("link invoke: %+v %v", res, err)
	}
	res, err = inv.Invoke(bg, cloud.InvokeRequest{Function: name, Payload: []byte(`{"mode":"error"}`)})
	if err != nil || res.FunctionError != "Unhandled" {
		t.Fatalf("link error: %+v %v", res, err)
	}
	_, err = inv.Invoke(bg, cloud.InvokeRequest{Function: "nope"})
	var ae *awsproto.Error
	if !errors.As(err, &ae) || ae.Code != "ResourceNotFoundException" || ae.Status != 404 {
		t.Fatalf("link not found: %v", err)
	}
	res, err = inv.Invoke(bg, cloud.InvokeRequest{Function: name, Payload: []byte(`{}`), Async: true})
	if err != nil || res.RequestID == "" {
		t.Fatalf("async link: %+v %v", res, err)
	}
}

// TestNoProcessLeaks counts the children of this process: DeleteFunction
// and the emulator's Close must reap every instance.
func TestNoProcessLeaks(t *testing.T) {
	before := childBootstraps(t)
	e, c := start(t)
	svc := service(t, e)
	names := []string{createFn(t, c), createFn(t, c), createFn(t, c)}
	var wg sync.WaitGroup
	for _, n := range names {
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				invoke(t, c, n, `{"mode":"sleep","ms":200}`)
			}()
		}
	}
	wg.Wait()
	pids := svc.Executor().PIDs()
	if len(pids) < 3 {
		t.Fatalf("only %d instances", len(pids))
	}
	if got := childBootstraps(t) - before; got != len(pids) {
		t.Fatalf("%d bootstrap children, executor tracks %d", got, len(pids))
	}
	// Deleting a function kills its instances, even one mid-invocation.
	busy := make(chan *awslambda.InvokeOutput, 1)
	go func() {
		out, _ := c.Invoke(bg, &awslambda.InvokeInput{FunctionName: aws.String(names[0]), Payload: []byte(`{"mode":"sleep","ms":5000}`)})
		busy <- out
	}()
	time.Sleep(300 * time.Millisecond)
	perFunction := len(svc.Executor().PIDs())
	if _, err := c.DeleteFunction(bg, &awslambda.DeleteFunctionInput{FunctionName: aws.String(names[0])}); err != nil {
		t.Fatal(err)
	}
	select {
	case out := <-busy:
		if out == nil || aws.ToString(out.FunctionError) != "Unhandled" {
			t.Fatalf("in-flight invocation of a deleted function: %+v", out)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("deleting the function did not end its invocation")
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(svc.Executor().PIDs()) >= perFunction {
		if time.Now().After(deadline) {
			t.Fatalf("instances after delete: %v", svc.Executor().PIDs())
		}
		time.Sleep(10 * time.Millisecond)
	}
	all := svc.Executor().PIDs()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range append(pids, all...) {
		if alive(p) {
			t.Errorf("process %d survived Close", p)
		}
	}
	if got := childBootstraps(t) - before; got != 0 {
		t.Fatalf("%d bootstrap children after Close", got)
	}
}

// childBootstraps counts live processes whose parent is this test process
// and whose command is bootstrap.
func childBootstraps(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc")
	}
	me := os.Getpid()
	n := 0
	for _, ent := range ents {
		var pid int
		if _, err := fmt.Sscanf(ent.Name(), "%d", &pid); err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		s := string(b)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < 0 || s[open+1:close] != "bootstrap" {
			continue
		}
		var state string
		var ppid int
		fmt.Sscanf(s[close+2:], "%s %d", &state, &ppid)
		if ppid == me && state != "Z" {
			n++
		}
	}
	return n
}

func TestInvokeAsyncAndDryRun(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	name := createFn(t, c)
	//lint:ignore SA1019 AWS still serves InvokeAsync, and so do we
	out, err := c.InvokeAsync(bg, &awslambda.InvokeAsyncInput{FunctionName: aws.String(name), InvokeArgs: strings.NewReader(`{"mode":"echo"}`)})
	if err != nil || out.Status != 202 {
		t.Fatalf("InvokeAsync: %+v %v", out, err)
	}
	//lint:ignore SA1019 AWS still serves InvokeAsync, and so do we
	_, err = c.InvokeAsync(bg, &awslambda.InvokeAsyncInput{FunctionName: aws.String(name), InvokeArgs: strings.NewReader(`not json`)})
	wantCode(t, err, "InvalidRequestContentException", "Could not parse request body into json")
	status, code, body := raw(t, e, "POST", "/2014-11-13/functions/"+name+"/invoke-async", bytes.Repeat([]byte("a"), 1048577), nil)
	if status != 413 || code != "RequestTooLargeException" || !strings.Contains(body, "Request must be smaller than 1048576 bytes for the InvokeFunction operation") {
		t.Fatalf("InvokeAsync too large: %d %s %s", status, code, body)
	}
	// DryRun checks the request and the function, and says so with 204 and
	// the request id.
	req, _ := http.NewRequest("POST", e.URL()+"/2015-03-31/functions/"+name+"/invocations", strings.NewReader(`{}`))
	req.Header.Set("Authorization", lambdaAuth)
	req.Header.Set("X-Amz-Invocation-Type", "DryRun")
	resp, b := do(t, req)
	if resp.StatusCode != 204 || len(b) != 0 || len(resp.Header.Get("X-Amzn-Requestid")) != 36 {
		t.Fatalf("DryRun: %d %v %q", resp.StatusCode, resp.Header, b)
	}
	_, err = c.Invoke(bg, &awslambda.InvokeInput{FunctionName: aws.String("nope"), InvocationType: "DryRun"})
	wantCode(t, err, "ResourceNotFoundException", "")
}
