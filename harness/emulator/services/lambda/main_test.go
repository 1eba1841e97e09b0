package lambda_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/deploy"
	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	lambdasvc "github.com/groundstack/groundstack/harness/emulator/services/lambda"
)

// testfnZip is handlers/testfn, built once per test binary (the build
// cache makes a re-run instant); testfnPath is the zip on disk.
// testfnSDKZip is handlers/testfn/sdk, testfn with the AWS SDK, for mode
// "sdk" and TESTFN_REPORT_QUEUE only: it is twice the size.
var (
	testfnZip    []byte
	testfnPath   string
	testfnSha    string
	testfnSDKZip []byte
)

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	var err error
	testfnPath, testfnSha, err = deploy.BuildHandler(ctx, "../../../../handlers/testfn")
	var sdkPath string
	if err == nil {
		sdkPath, _, err = deploy.BuildHandler(ctx, "../../../../handlers/testfn/sdk")
	}
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "build testfn:", err)
		os.Exit(1)
	}
	if testfnZip, err = os.ReadFile(testfnPath); err == nil {
		testfnSDKZip, err = os.ReadFile(sdkPath)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

var bg = context.Background()

const role = "arn:aws:iam::000000000000:role/lambda-role"

// start starts an emulator and returns it with a Lambda client.
func start(t *testing.T, opts ...emulator.Option) (*emulator.Emulator, *awslambda.Client) {
	t.Helper()
	e, cfg := emutest.Start(t, opts...)
	return e, awslambda.NewFromConfig(cfg)
}

// service returns the emulator's Lambda service.
func service(t testing.TB, e *emulator.Emulator) *lambdasvc.Service {
	t.Helper()
	for _, s := range e.Services() {
		if l, ok := s.(*lambdasvc.Service); ok {
			return l
		}
	}
	t.Fatal("no lambda service")
	return nil
}

// createStub creates a function that the test never invokes, from a zip of
// a few bytes: under -race every megabyte of a CreateFunction costs about
// 0.15 s of CPU, and control-plane tests create many functions.
func createStub(t *testing.T, c *awslambda.Client, mutate ...func(*awslambda.CreateFunctionInput)) string {
	t.Helper()
	stub := zipOf(t, map[string]string{"bootstrap": "#!/bin/sh\nexit 1\n"})
	return createFn(t, c, append([]func(*awslambda.CreateFunctionInput){func(in *awslambda.CreateFunctionInput) { in.Code.ZipFile = stub }}, mutate...)...)
}

// withSDK makes createFn deploy testfn with the AWS SDK.
func withSDK(in *awslambda.CreateFunctionInput) { in.Code.ZipFile = testfnSDKZip }

var fnSeq atomic.Int64

// createFn creates a testfn function and returns its name.
func createFn(t *testing.T, c *awslambda.Client, mutate ...func(*awslambda.CreateFunctionInput)) string {
	t.Helper()
	name := fmt.Sprintf("fn-%s-%d", strings.ReplaceAll(strings.ToLower(t.Name()), "/", "-"), fnSeq.Add(1))
	if len(name) > 64 {
		name = name[len(name)-64:]
		name = strings.TrimLeft(name, "-_")
	}
	in := &awslambda.CreateFunctionInput{
		FunctionName: aws.String(name),
		Runtime:      types.RuntimeProvidedal2023,
		Role:         aws.String(role),
		Handler:      aws.String("bootstrap"),
		Code:         &types.FunctionCode{ZipFile: testfnZip},
		Timeout:      aws.Int32(10),
	}
	for _, m := range mutate {
		m(in)
	}
	if _, err := c.CreateFunction(bg, in); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return name
}

func invoke(t *testing.T, c *awslambda.Client, name, payload string, mutate ...func(*awslambda.InvokeInput)) *awslambda.InvokeOutput {
	t.Helper()
	in := &awslambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(payload)}
	for _, m := range mutate {
		m(in)
	}
	out, err := c.Invoke(bg, in)
	if err != nil {
		t.Fatalf("invoke %s %s: %v", name, payload, err)
	}
	return out
}

// wantCode asserts err is an API error with code (and, when msg is not
// empty, a message containing msg).
func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want code %s, got %s (%s)", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	if msg != "" && !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("want message containing %q, got %q", msg, ae.ErrorMessage())
	}
}

// zipOf builds a zip of name → content (mode 0755).
func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(0o755)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// alive reports whether process pid exists (and is not a zombie).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// waitGone waits (bounded) until pid has exited and been reaped.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d still running", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// lambdaAuth signs nothing: it only names the lambda credential scope (the
// emulator does not check signatures unless strict).
const lambdaAuth = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=x"

// raw sends a request the SDK would refuse to send and returns the status,
// the error type and the body.
func raw(t *testing.T, e *emulator.Emulator, method, path string, body []byte, header map[string]string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.URL()+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", lambdaAuth)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), string(b)
}
