package main

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/coder/websocket"

	"github.com/groundstack/groundstack/harness/cmd/internal/clitest"
	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/sdkclient"
)

var cli clitest.Binaries

// buildCLI builds groundstack and groundstack-flows once for this test
// binary, side by side, and returns groundstack's path. Commands that
// need groundstack-flows get it through flowsEnv.
func buildCLI(t *testing.T) string { return filepath.Join(cli.Dir(t), "groundstack") }

// flowsEnv points groundstack at the groundstack-flows buildCLI built.
func flowsEnv(t *testing.T) []string {
	return append(os.Environ(), envFlowsBinary+"="+filepath.Join(cli.Dir(t), flowsName))
}

func TestMain(m *testing.M) {
	code := m.Run()
	cli.Remove()
	os.Exit(code)
}

// rssKiB reads a process's resident set size from /proc.
func rssKiB(t *testing.T, pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

func TestUpServesAndStopsCleanly(t *testing.T) {
	bin := buildCLI(t)
	cmd := exec.Command(bin, "up", "--port", "0")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(stdout)
	endpoint := ""
	var banner []string
	for sc.Scan() {
		line := sc.Text()
		banner = append(banner, line)
		if f := strings.Fields(line); len(f) == 2 && f[0] == "endpoint:" {
			endpoint = f[1]
		}
		if strings.HasPrefix(line, "Ctrl-C") {
			break
		}
	}
	if !strings.HasPrefix(endpoint, "http://127.0.0.1:") {
		t.Fatalf("no loopback endpoint in banner:\n%s", strings.Join(banner, "\n"))
	}
	// A machine without ~/.aws needs credentials and a region: the banner
	// gives the lines to paste (scenarios/newcomer runs them).
	text := strings.Join(banner, "\n")
	for _, want := range []string{
		"export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1\n",
		"export AWS_ENDPOINT_URL=" + endpoint + "\n",
		"try:       aws --endpoint-url " + endpoint + " s3 mb s3://demo",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("banner lacks %q:\n%s", want, text)
		}
	}
	resp, err := http.Get(endpoint + "/_localstack/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health: %v %v", resp, err)
	}
	resp.Body.Close()
	time.Sleep(200 * time.Millisecond)
	t.Logf("idle RSS of groundstack up: %d KiB", rssKiB(t, cmd.Process.Pid))

	cmd.Process.Signal(syscall.SIGINT)
	go func() {
		for sc.Scan() {
		}
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after Ctrl-C: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("groundstack up did not stop on Ctrl-C")
	}
}

func TestUpRefusesBadInput(t *testing.T) {
	bin := buildCLI(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"up", "--flows", "nonesuch"}, `unknown flow "nonesuch"`},
		{[]string{"up", "--port", "nan"}, "invalid value"},
		{[]string{"up", "--watch"}, "give --flows too"},
		{[]string{"up", "--ws-idle-timeout", "soon"}, `--ws-idle-timeout "soon": want a positive Go duration`},
		{[]string{"up", "--ws-max-lifetime", "-1s"}, `--ws-max-lifetime "-1s": want a positive Go duration`},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"up", "--data-dir", t.TempDir(), "--fsync", "sometimes"}, `--fsync: fsync policy "sometimes": want always, batch or off`},
		{[]string{"up", "--port", "0", "--data-dir", newerDataDir(t)}, "written by a newer groundstack"},
	}
	for _, c := range cases {
		cmd := exec.Command(bin, c.args...)
		cmd.Env = flowsEnv(t)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.want) {
			t.Errorf("%v: err=%v out=%s", c.args, err, out)
		}
	}
	// a bad flag: exit 2, its error once, on one line
	for _, args := range [][]string{{"up", "--nonesuch"}, {"up", "--port", "nan"}, {"up", "stray"}, {"ec2host", "--nonesuch"}} {
		cmd := exec.Command(bin, args...)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
			t.Errorf("%v: %v, want exit 2", args, err)
		}
		if lines := strings.Split(strings.TrimSpace(stderr.String()), "\n"); len(lines) != 1 || stdout.Len() > 0 {
			t.Errorf("%v: want one line on stderr, got stdout %q stderr %q", args, stdout.String(), stderr.String())
		}
	}
	// A busy port gets a sentence, not a stack trace.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	out, err := exec.Command(bin, "up", "--port", port).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "port "+port+" is already in use") || strings.Contains(string(out), "goroutine") {
		t.Errorf("busy port: err=%v out=%s", err, out)
	}
	out, err = exec.Command(bin, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "groundstack ") {
		t.Fatalf("version: %v %s", err, out)
	}
}

// newerDataDir is a data directory of a format from the future.
func newerDataDir(t *testing.T) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "FORMAT"), []byte("99\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Help is asked for, so it is printed on stdout with exit status 0; up's
// lists the flows --flows can name.
func TestHelpExitsZero(t *testing.T) {
	bin := buildCLI(t)
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"up", "--help"}, []string{"Usage:", "groundstack up", "-flows", "-port", "Flows (--flows): none", "all, bondmarket, broadcast, deliveries, scriptrunner"}},
		{[]string{"up", "-h"}, []string{"-flows"}},
		{[]string{"--help"}, []string{"Usage:", "groundstack up", "groundstack logs", "groundstack ws"}},
		{[]string{"help"}, []string{"Usage:"}},
		{[]string{"ec2host", "--help"}, []string{"-authorized-key-file"}},
		{[]string{"ws", "--help"}, []string{"groundstack ws", "-header", "-linger", "sendmessage"}},
	}
	for _, c := range cases {
		cmd := exec.Command(bin, c.args...)
		cmd.Env = flowsEnv(t)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Errorf("%v: %v, want exit 0\n%s", c.args, err, stderr.String())
		}
		for _, w := range c.want {
			if !strings.Contains(stdout.String(), w) {
				t.Errorf("%v: stdout lacks %q:\n%s", c.args, w, stdout.String())
			}
		}
		if strings.Contains(stdout.String()+stderr.String(), "help requested") {
			t.Errorf("%v: says %q", c.args, "flag: help requested")
		}
	}
}

func TestParseKeys(t *testing.T) {
	k, err := parseKeys("AKID:secret, other:x")
	if err != nil || k["AKID"] != "secret" || k["other"] != "x" {
		t.Fatalf("%v %v", k, err)
	}
	for _, bad := range []string{"", "nokey", ":x", "a:"} {
		if _, err := parseKeys(bad); err == nil {
			t.Errorf("parseKeys(%q) accepted", bad)
		}
	}
}

func TestOriginOptionsFromTheEnvironment(t *testing.T) {
	env := map[string]string{"EXTRA_CORS_ALLOWED_ORIGINS": "https://a.example, https://b.example"}
	e := emulator.New(originOptions(func(k string) string { return env[k] })...)
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	status := func(origin string) int {
		req, _ := http.NewRequest("POST", e.URL()+"/_groundstack/state", nil)
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if status("https://b.example") == http.StatusForbidden || status("https://c.example") != http.StatusForbidden {
		t.Fatalf("listed origins: b %d, c %d", status("https://b.example"), status("https://c.example"))
	}
}

// GROUNDSTACK_WS_IDLE_TIMEOUT reaches the WebSocket APIs of `groundstack up`:
// an idle client is closed as AWS closes it (1001 "Going away").
func TestUpWebSocketIdleTimeoutFromEnvironment(t *testing.T) {
	t.Parallel()
	bin := buildCLI(t)
	cmd := exec.Command(bin, "up", "--port", "0", "--mqtt-port", "0")
	cmd.Env = append(os.Environ(), envWSIdleTimeout+"=300ms")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	endpoint := ""
	for endpoint == "" && sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "endpoint:" {
			endpoint = f[1]
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if endpoint == "" {
		t.Fatal("no endpoint in the banner")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := apigatewayv2.NewFromConfig(sdkclient.Config(endpoint, "us-east-1"))
	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("idle"), ProtocolType: "WEBSOCKET",
		RouteSelectionExpression: aws.String("$request.body.action")})
	if err != nil {
		t.Fatal(err)
	}
	integ, err := c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: "MOCK"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("$default"),
		Target: aws.String("integrations/" + *integ.IntegrationId)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: api.ApiId, StageName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(endpoint, "http")+"/_aws/execute-api/"+*api.ApiId+"/dev", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	_, _, err = ws.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusGoingAway || ce.Reason != "Going away" {
		t.Fatalf("want 1001 \"Going away\" after 300 ms idle, got %v", err)
	}
}
