package newcomer_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The walk's budget on a loaded 2-core machine: starting up with every
// flow deployed, then each command.
const (
	upTimeout      = 3 * time.Minute
	commandTimeout = 90 * time.Second
)

// documented is what `up`'s commands answer, by what they do: every
// command up prints must match one of these (a new command needs its
// promise written here), and its output must match the answer.
var documented = []struct{ command, answer *regexp.Regexp }{
	{regexp.MustCompile(`^export AWS_`), regexp.MustCompile(`^$`)},
	{regexp.MustCompile(`^aws --endpoint-url \S+ s3 mb s3://demo$`), regexp.MustCompile(`make_bucket: demo`)},
	{regexp.MustCompile(`^TOKEN=\$\(curl .*/token' `), regexp.MustCompile(`^$`)},
	{regexp.MustCompile(`^curl .*/registrar_pedido_entregado' `), regexp.MustCompile(`"message":"Pedido registrado".*"pedido_id":"TRY-1"`)},
	{regexp.MustCompile(`^curl .*/pedidos\?limit=5' `), regexp.MustCompile(`"pedido_id":"TRY-1".*"pedido_id":"DEMO-`)},
	{regexp.MustCompile(`^curl .*/metrics' `), regexp.MustCompile(`"pedidos_dia":(9|\d\d)\b`)},
	{regexp.MustCompile(`^aws --endpoint-url \S+ s3 ls s3://scriptrunner-scripts/scripts/$`), regexp.MustCompile(`(?m) report\.py$`)},
	{regexp.MustCompile(`^curl .*/invoke' .*"scriptname":"report.py"`), regexp.MustCompile(`"status":"ok".*"exit_code":0`)},
	{regexp.MustCompile(`^aws --endpoint-url \S+ logs filter-log-events --log-group-name /scriptrunner/executions$`), regexp.MustCompile(`\\"script\\":\\"report.py\\"`)},
	{regexp.MustCompile(`^curl .*/prod/_user_request_/health'$`), regexp.MustCompile(`"status":"healthy"`)},
	{regexp.MustCompile(`^curl .*/prod/_user_request_/stats'$`), regexp.MustCompile(`"logs":[1-9]\d*,"notifications":[1-9]`)},
	{regexp.MustCompile(`^awslocal lambda invoke --function-name workshop-go-dashboard `), regexp.MustCompile(`"functions":\[[^]]*"workshop-go-router"`)},
	{regexp.MustCompile(`^awslocal dynamodb scan --table-name Messages --query Count$`), regexp.MustCompile(`^\d+\s*$`)},
	{regexp.MustCompile(`^curl .* -X POST .*/prod/_user_request_/requests'$`), regexp.MustCompile(`"request_id":"[0-9a-f-]{36}".*"status":"pending"`)},
	{regexp.MustCompile(`^curl .*/prod/_user_request_/requests\?page=1&count=25'$`), regexp.MustCompile(`"requests":\[\{.*"total":[1-9]`)},
	{regexp.MustCompile(`^curl .* -X PUT .*/prod/_user_request_/users/wallet'$`), regexp.MustCompile(`"billetera":[1-9]\d*`)},
}

// A printed command is a line's text after its label ("  try:   aws …")
// that starts as one of these.
var commandStart = regexp.MustCompile(`^(export |aws |awslocal |curl |[A-Z_]+=\$\()`)

// labelled strips the label of an output line: "    try:   curl …" -> "curl …".
var labelled = regexp.MustCompile(`^\s+(?:[a-zA-Z][a-zA-Z ()]*:)?\s+(.*)$`)

func TestNewcomerWalk(t *testing.T) {
	for _, tool := range []string{"aws", "curl", "bash", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the newcomer walk runs the commands a user pastes and needs %s, which is not installed (make deps installs the aws CLI)", tool)
		}
	}
	root := moduleRoot(t)
	began := time.Now()
	bin := buildCLI(t, root)
	t.Logf("built the CLI in %s", time.Since(began).Round(time.Millisecond))
	home := t.TempDir()
	env := freshMachineEnv(t, home, bin)

	began = time.Now()
	up := startUp(t, root, env, bin)
	t.Logf("groundstack up --flows all was ready in %s and printed:\n%s", time.Since(began).Round(time.Millisecond), up.banner)

	// Two terminals at once (the commands are independent of each other's):
	// up's commands, and the README's examples.
	t.Run("every command up prints", func(t *testing.T) {
		t.Parallel()
		walkUpsCommands(t, up, home, env)
	})
	t.Run("every README example", func(t *testing.T) {
		t.Parallel()
		walkReadme(t, up, root, bin, env)
	})
}

// walkUpsCommands runs every command up printed, in order, as a user
// pastes them into one terminal: what a line exports stays set for the
// lines after it.
func walkUpsCommands(t *testing.T, up *upProcess, home string, env []string) {
	var session shellSession
	commands := printedCommands(up.banner)
	if len(commands) < len(documented) {
		t.Fatalf("up printed %d commands, want at least %d:\n%s", len(commands), len(documented), up.banner)
	}
	for _, cmd := range commands {
		answer := promised(cmd)
		if answer == nil {
			t.Errorf("up prints a command the walk has no documented answer for (add it to documented): %s", cmd)
			continue
		}
		began := time.Now()
		out, err := session.run(t, home, env, cmd)
		t.Logf("%s  %.60s", time.Since(began).Round(time.Millisecond), cmd)
		if err != nil {
			t.Errorf("as printed by up, %s\nfailed: %v\n%s", cmd, err, out)
			continue
		}
		if !answer.MatchString(out) {
			t.Errorf("as printed by up, %s\nanswered %q, want %s", cmd, out, answer)
		}
	}
	checkURLs(t, up)
}

// walkReadme runs the README's console examples in a directory with its
// README.md and bin/ as after make build; the one change made to them is
// the port, 4566 in the README and a free one here.
func walkReadme(t *testing.T, up *upProcess, root, bin string, env []string) {
	work := t.TempDir()
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "README.md"), readme, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(bin, filepath.Join(work, "bin")); err != nil {
		t.Fatal(err)
	}
	examples := consoleExamples(string(readme))
	if len(examples) < 5 {
		t.Fatalf("the README has %d console examples; the walk expects its quick start at least", len(examples))
	}
	var session shellSession
	for _, ex := range examples {
		cmd := strings.ReplaceAll(ex.command, "127.0.0.1:4566", "127.0.0.1:"+up.port)
		began := time.Now()
		out, err := session.run(t, work, env, cmd)
		t.Logf("%s  README: %s", time.Since(began).Round(time.Millisecond), ex.command)
		if err != nil {
			t.Errorf("README line %d: %s\nfailed: %v\n%s", ex.line, ex.command, err, out)
			continue
		}
		if missing := ex.missingFrom(strings.ReplaceAll(out, "127.0.0.1:"+up.port, "127.0.0.1:4566")); missing != "" {
			t.Errorf("README line %d: %s\nanswered:\n%s\nwithout the documented line %q", ex.line, ex.command, out, missing)
		}
	}
}

// The README's console blocks are read as the walk promises: commands
// after "$ ", their documented lines under them, "…" for any text.
func TestConsoleExamplesAreRead(t *testing.T) {
	readme := "text\n```console\n$ aws s3 ls\n… README.md\n\n$ true\n```\n```sh\n$ not-run\n```\n"
	ex := consoleExamples(readme)
	if len(ex) != 2 || ex[0].command != "aws s3 ls" || ex[0].line != 3 || len(ex[0].output) != 1 || ex[1].command != "true" || len(ex[1].output) != 0 {
		t.Fatalf("%+v", ex)
	}
	if m := ex[0].missingFrom("2026-12-07 09:00:00  12 README.md"); m != "" {
		t.Errorf("a matching line is missing: %q", m)
	}
	if m := ex[0].missingFrom("2026-12-07 09:00:00  12 OTHER.md\nREADME"); m == "" {
		t.Error("a line without README.md matched")
	}
	banner := "  try:       aws --endpoint-url http://x s3 mb s3://demo\n    dashboard:     http://x/\n" +
		"             export B=2\n    log in:        TOKEN=$(curl x)\n    invoke:        POST http://x\n"
	got := printedCommands(banner)
	want := []string{"aws --endpoint-url http://x s3 mb s3://demo", "export B=2", "TOKEN=$(curl x)"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("commands %q, want %q", got, want)
	}
}

// moduleRoot is the checkout this test runs in.
func moduleRoot(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Clean(filepath.Join(wd, "..", ".."))
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod two levels above %s", wd)
	}
	return root
}

// buildCLI builds groundstack and groundstack-flows into a temporary bin/
// with awslocal beside them, as make build does.
func buildCLI(t *testing.T, root string) string {
	bin := t.TempDir()
	// -s -w: no symbol tables or DWARF, as make build; the link is the slow part.
	cmd := exec.Command("go", "build", "-ldflags=-s -w", "-o", bin+string(filepath.Separator), "./harness/cmd/groundstack", "./harness/cmd/groundstack-flows")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if err := os.Symlink("groundstack", filepath.Join(bin, "awslocal")); err != nil {
		t.Fatal(err)
	}
	return bin
}

// freshMachineEnv is the environment of someone who just cloned the
// repository: HOME empty (no ~/.aws), no AWS_* or GROUNDSTACK_* variables,
// bin/ on the PATH as make build's awslocal line suggests. Go's own
// settings are kept, so the handlers' builds use this machine's caches.
func freshMachineEnv(t *testing.T, home, bin string) []string {
	env := []string{"HOME=" + home, "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
	for _, k := range []string{"TMPDIR", "LANG", "LC_ALL", "TERM", "USER"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH", "GOENV", "GOFLAGS", "GOPROXY", "GOROOT", "GOTOOLCHAIN").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	for i, k := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOENV", "GOFLAGS", "GOPROXY", "GOROOT", "GOTOOLCHAIN"} {
		if lines := strings.Split(string(out), "\n"); i < len(lines) && lines[i] != "" {
			env = append(env, k+"="+lines[i])
		}
	}
	// Run from the checkout, groundstack would bring the checkout's own
	// bin/groundstack-flows up to date; the walk leaves the checkout alone.
	return append(env, "GROUNDSTACK_FLOWS_BINARY="+filepath.Join(bin, "groundstack-flows"))
}

// upProcess is a running `groundstack up` and what it printed up to
// "Ctrl-C to stop.".
type upProcess struct {
	port, endpoint, banner string
}

// startUp runs `groundstack up --flows all` on a free port from the
// checkout (the handlers are built from its sources) and stops it with
// Ctrl-C when the test ends.
func startUp(t *testing.T, root string, env []string, bin string) *upProcess {
	port := freePort(t)
	cmd := exec.Command(filepath.Join(bin, "groundstack"), "up", "--port", port, "--flows", "all")
	cmd.Dir = root
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("groundstack up after Ctrl-C: %v\n%s", err, stderr.String())
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Errorf("groundstack up did not stop within 30 s of Ctrl-C")
		}
	})

	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, stdout)
	}()
	var banner strings.Builder
	deadline := time.After(upTimeout)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("groundstack up ended before it was ready:\n%s\nstderr:\n%s", banner.String(), stderr.String())
			}
			banner.WriteString(line + "\n")
			if strings.HasPrefix(line, "Ctrl-C to stop") {
				go func() {
					for range lines {
					}
				}()
				return &upProcess{port: port, endpoint: "http://127.0.0.1:" + port, banner: banner.String()}
			}
		case <-deadline:
			t.Fatalf("groundstack up --flows all not ready after %s:\n%s\nstderr:\n%s", upTimeout, banner.String(), stderr.String())
		}
	}
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// printedCommands are the commands in up's output, in order.
func printedCommands(banner string) []string {
	var out []string
	for _, line := range strings.Split(banner, "\n") {
		m := labelled.FindStringSubmatch(line)
		if m != nil && commandStart.MatchString(m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// promised is the documented answer of a printed command, or nil.
func promised(cmd string) *regexp.Regexp {
	for _, d := range documented {
		if d.command.MatchString(cmd) {
			return d.answer
		}
	}
	return nil
}

// checkURLs checks what up prints beside the commands: the URLs that need
// no DNS answer, come first, and the ones that do say so.
func checkURLs(t *testing.T, up *upProcess) {
	for _, want := range []string{
		"  health:    " + up.endpoint + "/_localstack/health\n",
		"    dashboard:     " + up.endpoint + "/_aws/s3-website/cargo-express-monitoring/\n",
		"    Function URL:  " + up.endpoint + "/_aws/lambda-url/",
		"DELIVERIES_DEMO_PASSWORD",
		"    demo orders:   8 delivered today",
	} {
		if !strings.Contains(up.banner, want) {
			t.Errorf("up's output lacks %q", want)
		}
	}
	for _, line := range strings.Split(up.banner, "\n") {
		if strings.Contains(line, "localhost.localstack.cloud") && !strings.Contains(line, "needs *.localhost.localstack.cloud DNS") {
			t.Errorf("a host-form URL without its DNS note: %s", line)
		}
	}
	for _, path := range []string{"/_localstack/health", "/_aws/s3-website/cargo-express-monitoring/"} {
		resp, err := http.Get(up.endpoint + path)
		if err != nil {
			t.Errorf("GET %s: %v", path, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s", path, resp.Status)
		}
	}
}

// shellSession runs commands as pasted into one terminal: each in bash,
// after the lines that set variables before it (export, TOKEN=$(…)).
type shellSession struct{ state []string }

func (s *shellSession) run(t *testing.T, dir string, env []string, command string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	script := "set -eo pipefail\n" + strings.Join(append(append([]string(nil), s.state...), command), "\n")
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("still running after %s", commandTimeout)
	}
	if err == nil && (strings.HasPrefix(command, "export ") || regexp.MustCompile(`^[A-Z_]+=\$\(`).MatchString(command)) {
		s.state = append(s.state, command)
	}
	return strings.TrimSpace(string(out)), err
}

// example is a README console line ("$ command") and the lines it
// documents below it.
type example struct {
	line    int
	command string
	output  []string
}

// consoleExamples reads the README's ```console blocks: "$ " starts a
// command, the lines under it are its documented output, in which "…"
// stands for any text.
func consoleExamples(readme string) []example {
	var out []example
	in := false
	for i, line := range strings.Split(readme, "\n") {
		switch {
		case strings.HasPrefix(line, "```console"):
			in = true
		case in && strings.HasPrefix(line, "```"):
			in = false
		case in && strings.HasPrefix(line, "$ "):
			out = append(out, example{line: i + 1, command: strings.TrimPrefix(line, "$ ")})
		case in && len(out) > 0 && strings.TrimSpace(line) != "":
			out[len(out)-1].output = append(out[len(out)-1].output, line)
		}
	}
	return out
}

// missingFrom returns the first documented line that no line of got
// matches, or "".
func (e example) missingFrom(got string) string {
	lines := strings.Split(got, "\n")
	for _, want := range e.output {
		parts := strings.Split(strings.TrimSpace(want), "…")
		found := false
		for _, l := range lines {
			if matchesInOrder(l, parts) {
				found = true
				break
			}
		}
		if !found {
			return want
		}
	}
	return ""
}

func matchesInOrder(line string, parts []string) bool {
	for _, p := range parts {
		i := strings.Index(line, p)
		if i < 0 {
			return false
		}
		line = line[i+len(p):]
	}
	return true
}

// lockedBuffer is a bytes.Buffer written by a process and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// make build puts awslocal on the PATH: a link in AWSLOCAL_DIR to the
// checkout's bin/awslocal, with the line to add when that directory is not
// on the PATH; someone else's awslocal (LocalStack's) is left alone.
func TestMakeLinksAWSLocal(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	root := moduleRoot(t)
	dir := filepath.Join(t.TempDir(), "bin")
	link := filepath.Join(dir, "awslocal")
	run := func() string {
		cmd := exec.Command("make", "-s", "--no-print-directory", "awslocal", "AWSLOCAL_DIR="+dir)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make awslocal: %v\n%s", err, out)
		}
		return string(out)
	}
	out := run()
	if target, err := os.Readlink(link); err != nil || target != filepath.Join(root, "bin", "awslocal") {
		t.Fatalf("link %s -> %q (%v)\n%s", link, target, err, out)
	}
	if !strings.Contains(out, `export PATH="`+dir+`:$PATH"`) {
		t.Errorf("no PATH line for a directory off the PATH:\n%s", out)
	}
	if out := run(); !strings.Contains(out, link+" -> ") {
		t.Errorf("a second run does not keep its own link:\n%s", out)
	}

	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(link, []byte("#!/bin/sh\necho localstack's\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	out = run()
	if b, _ := os.ReadFile(link); string(b) != "#!/bin/sh\necho localstack's\n" || !strings.Contains(out, "left alone") {
		t.Errorf("another awslocal was replaced or not reported:\n%s", out)
	}
}
