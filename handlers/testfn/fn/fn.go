// Package fn is testfn, a Lambda handler for testing the platform itself: the
// event's "mode" picks a behaviour (echo, sleep, crash, panic, error, big
// logs or responses, environment and context reports, an SDK call, a look
// for a secret in the environments of the processes above it; the limits'
// attacks: write into a directory, allocate memory, wait on a URL).
// API Gateway and Function URL events are echoed back as HTTP responses.
// TESTFN_INIT=hang|crash|print in the function's environment changes what
// happens before the handler starts.
package fn

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Mode     string          `json:"mode"`
	Ms       int             `json:"ms"`
	Message  string          `json:"message"`
	LogKB    int             `json:"logKB"`
	ReturnKB int             `json:"returnKB"`
	Keys     []string        `json:"keys"`
	Service  string          `json:"service"`
	Lines    []string        `json:"lines"`
	Value    json.RawMessage `json:"value"`
	Path     string          `json:"path"`
	MB       int             `json:"mb"`

	// Set on API Gateway and Function URL events.
	RequestContext        json.RawMessage   `json:"requestContext"`
	QueryStringParameters map[string]string `json:"queryStringParameters"`
}

// Two builds run it: handlers/testfn, without the AWS SDK (1.2 MB zipped
// instead of 4.5: tests create hundreds of functions, and every byte of a
// CreateFunction is encoded, signed and decoded under -race), and
// handlers/testfn/sdk, which sets SDK and Send for mode "sdk" and
// TESTFN_REPORT_QUEUE.
var (
	// SDK makes one call with the SDK's default configuration; nil without the SDK.
	SDK func(ctx context.Context, service string) (any, error)
	// Send sends body to the queue at url; nil without the SDK.
	Send func(ctx context.Context, url string, body []byte) error
)

// errNoSDK answers what needs the SDK in the build without it.
var errNoSDK = errors.New("testfn built without the AWS SDK: deploy handlers/testfn/sdk for mode sdk and TESTFN_REPORT_QUEUE")

// Main runs the handler.
func Main() {
	if mb, err := strconv.Atoi(os.Getenv("TESTFN_CHILD_ALLOC_MB")); err == nil {
		// the child of mode "spawnalloc"
		allocMB(mb)
		time.Sleep(time.Hour)
	}
	switch os.Getenv("TESTFN_INIT") {
	case "hang":
		time.Sleep(time.Hour)
	case "crash":
		fmt.Println("init: crashing on purpose")
		os.Exit(3)
	case "print":
		fmt.Println("init: hello from init")
	}
	lambda.Start(handle)
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	if ok, err := reportBatch(ctx, raw, time.Now()); ok {
		return nil, err
	}
	var ev event
	if err := json.Unmarshal(raw, &ev); err != nil {
		// Not an object (a string, a number…): echo it.
		return raw, nil
	}
	if len(ev.RequestContext) > 0 {
		return httpResponse(raw, ev)
	}
	switch ev.Mode {
	case "", "echo":
		return raw, nil
	case "value":
		return ev.Value, nil
	case "sleep":
		fmt.Printf("sleeping pid=%d\n", os.Getpid())
		time.Sleep(time.Duration(ev.Ms) * time.Millisecond)
		return map[string]int{"slept": ev.Ms, "pid": os.Getpid()}, nil
	case "crash":
		fmt.Printf("crashing on purpose pid=%d\n", os.Getpid())
		os.Exit(2)
	case "panic":
		panic(orDefault(ev.Message, "testfn panic"))
	case "error":
		return nil, errors.New(orDefault(ev.Message, "testfn error"))
	case "print":
		for _, l := range ev.Lines {
			fmt.Println(l)
		}
		return "printed", nil
	case "big":
		line := strings.Repeat("x", 99)
		for i := 0; i < ev.LogKB*1024/100; i++ {
			fmt.Println(line)
		}
		return strings.Repeat("y", ev.ReturnKB*1024), nil
	case "env":
		return environment(ev.Keys), nil
	case "ctx":
		return contextReport(ctx), nil
	case "sdk":
		if SDK == nil {
			return nil, errNoSDK
		}
		return SDK(ctx, ev.Service)
	case "procenv":
		return ancestorsHolding(ev.Message), nil
	case "write":
		return writeMB(ev.Path, ev.MB), nil
	case "alloc":
		return allocMB(ev.MB), nil
	case "spawnalloc":
		return spawnAlloc(ev.MB)
	case "wait":
		return waitOn(ctx, ev.Message)
	}
	return nil, fmt.Errorf("unknown mode %q", ev.Mode)
}

// ancestorsHolding is the attack of a function that looks for the
// emulator's secret in the environment and command line of every process
// above it (/proc/$PPID/environ and up): it reports the pids where it
// found needle and those it could read at all.
func ancestorsHolding(needle string) map[string][]int {
	out := map[string][]int{"found": {}, "read": {}}
	for pid := os.Getppid(); pid > 1; {
		for _, f := range []string{"environ", "cmdline"} {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, f))
			if err != nil {
				continue
			}
			if f == "environ" {
				out["read"] = append(out["read"], pid)
			}
			if needle != "" && strings.Contains(string(b), needle) {
				out["found"] = append(out["found"], pid)
			}
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			break
		}
		// pid (comm) state ppid …: comm may hold spaces and parentheses.
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) < 2 {
			break
		}
		if pid, err = strconv.Atoi(f[1]); err != nil {
			break
		}
	}
	return out
}

// writeMB writes mb MiB (at least a byte) to the file at path and reports
// how far it got and the error that stopped it ("" when none).
func writeMB(path string, mb int) map[string]any {
	f, err := os.Create(path)
	if err != nil {
		return map[string]any{"written": 0, "error": err.Error()}
	}
	defer f.Close()
	chunk := make([]byte, 1<<20)
	written := 0
	for i := 0; i < max(mb, 1); i++ {
		b := chunk
		if mb == 0 {
			b = chunk[:1]
		}
		n, err := f.Write(b)
		written += n
		if err != nil {
			return map[string]any{"written": written, "error": err.Error()}
		}
	}
	if err := f.Sync(); err != nil {
		return map[string]any{"written": written, "error": err.Error()}
	}
	return map[string]any{"written": written, "error": ""}
}

var hoard [][]byte

// allocMB allocates and touches mb MiB, a MiB at a time, and keeps it.
func allocMB(mb int) map[string]int {
	for i := 0; i < mb; i++ {
		b := make([]byte, 1<<20)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		hoard = append(hoard, b)
	}
	return map[string]int{"allocated": mb}
}

// spawnAlloc starts a child process that allocates mb MiB and waits for
// it (memory limits must count what a handler starts).
func spawnAlloc(mb int) (any, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "TESTFN_CHILD_ALLOC_MB="+strconv.Itoa(mb))
	if err := cmd.Run(); err != nil {
		return nil, err
	}
	return map[string]int{"allocated": mb}, nil
}

// waitOn GETs url and returns when it answers (tests hold invocations in
// flight with it).
func waitOn(ctx context.Context, url string) (any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	return map[string]int{"status": res.StatusCode, "pid": os.Getpid()}, nil
}

// httpResponse answers an API Gateway / Function URL event; the query
// parameter "mode" picks the shape (default: echo the event as JSON).
func httpResponse(raw json.RawMessage, ev event) (any, error) {
	q := ev.QueryStringParameters
	switch q["mode"] {
	case "error":
		return nil, errors.New("testfn http error")
	case "raw":
		return map[string]string{"hello": "world"}, nil
	case "string":
		return "hello from testfn", nil
	case "status":
		code, _ := strconv.Atoi(q["code"])
		return map[string]any{
			"statusCode": code,
			"headers":    map[string]string{"Content-Type": "text/plain", "X-Testfn": "yes"},
			"cookies":    []string{"a=1; Path=/", "b=2"},
			"body":       "status " + q["code"],
		}, nil
	case "binary":
		return map[string]any{
			"statusCode":      200,
			"headers":         map[string]string{"Content-Type": "application/octet-stream"},
			"body":            base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 255}),
			"isBase64Encoded": true,
		}, nil
	}
	return map[string]any{
		"statusCode": 200,
		"headers":    map[string]string{"Content-Type": "application/json"},
		"body":       string(raw),
	}, nil
}

func environment(keys []string) any {
	if len(keys) == 0 {
		env := os.Environ()
		sort.Strings(env)
		return env
	}
	out := make(map[string]*string, len(keys))
	for _, k := range keys {
		if v, ok := os.LookupEnv(k); ok {
			out[k] = &v
		} else {
			out[k] = nil
		}
	}
	return out
}

func contextReport(ctx context.Context) any {
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	r := map[string]any{
		"functionName":    lambdacontext.FunctionName,
		"functionVersion": lambdacontext.FunctionVersion,
		"memoryLimitMB":   lambdacontext.MemoryLimitInMB,
		"logGroupName":    lambdacontext.LogGroupName,
		"logStreamName":   lambdacontext.LogStreamName,
		"remainingMs":     time.Until(deadline).Milliseconds(),
		"pid":             os.Getpid(),
	}
	if lc != nil {
		r["awsRequestId"] = lc.AwsRequestID
		r["invokedFunctionArn"] = lc.InvokedFunctionArn
		r["clientContext"] = lc.ClientContext
	}
	return r
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
