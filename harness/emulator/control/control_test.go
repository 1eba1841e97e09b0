package control_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/control"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return resp.StatusCode
}

func writeScript(t *testing.T, dir, name, body string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), mode); err != nil {
		t.Fatal(err)
	}
}

// Init hooks run in name order once the edge is ready, see the edge through
// AWS_ENDPOINT_URL, and are reported in LocalStack's shape.
func TestReadyHooks(t *testing.T) {
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready.d")
	os.Mkdir(ready, 0o755)
	out := filepath.Join(dir, "seen")
	writeScript(t, ready, "01-endpoint.sh", "echo \"$AWS_ENDPOINT_URL\" > '"+out+"'\n", 0o644)
	writeScript(t, ready, "02-fails.sh", "echo broken >&2; exit 3\n", 0o644)
	writeScript(t, ready, "03-not-executable", "#!/bin/sh\necho hi\n", 0o644)
	writeScript(t, ready, "04-python.py", "import os\nopen(os.path.join('"+dir+"','py'),'w').write(os.environ['AWS_DEFAULT_REGION'])\n", 0o644)

	e, _ := emutest.Start(t, emulator.WithInitDir(dir))
	var rep control.InitReport
	deadline := time.Now().Add(30 * time.Second)
	for {
		getJSON(t, e.URL()+control.PathLocalStackInit, &rep)
		if rep.Completed["READY"] || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !rep.Completed["READY"] {
		t.Fatalf("hooks never completed: %+v", rep)
	}
	states := map[string]string{}
	var order []string
	for _, s := range rep.Scripts {
		states[s.Name] = s.State
		order = append(order, s.Name)
		if s.Stage != "READY" {
			t.Errorf("%s: stage %q", s.Name, s.Stage)
		}
	}
	if strings.Join(order, ",") != "01-endpoint.sh,02-fails.sh,03-not-executable,04-python.py" {
		t.Fatalf("order %v", order)
	}
	want := map[string]string{"01-endpoint.sh": "SUCCESSFUL", "02-fails.sh": "ERROR", "03-not-executable": "ERROR"}
	for name, st := range want {
		if states[name] != st {
			t.Errorf("%s: %s, want %s", name, states[name], st)
		}
	}
	seen, _ := os.ReadFile(out)
	if strings.TrimSpace(string(seen)) != e.URL() {
		t.Fatalf("hook saw AWS_ENDPOINT_URL=%q, want %q", seen, e.URL())
	}
	if _, err := exec.LookPath("python3"); err == nil {
		region, _ := os.ReadFile(filepath.Join(dir, "py"))
		if states["04-python.py"] != "SUCCESSFUL" || string(region) != "us-east-1" {
			t.Fatalf("python hook: %s, wrote %q", states["04-python.py"], region)
		}
	}
}

func TestNoInitDirIsReadyAtOnce(t *testing.T) {
	e, _ := emutest.Start(t)
	var rep control.InitReport
	getJSON(t, e.URL()+control.PathLocalStackInit, &rep)
	if !rep.Completed["READY"] || len(rep.Scripts) != 0 {
		t.Fatalf("%+v", rep)
	}
}

func TestHealthResetAndState(t *testing.T) {
	e, _ := emutest.Start(t)
	var health struct {
		Services map[string]string `json:"services"`
		Edition  string            `json:"edition"`
		Version  string            `json:"version"`
	}
	if code := getJSON(t, e.URL()+control.PathLocalStackHealth, &health); code != 200 {
		t.Fatalf("health %d", code)
	}
	for _, name := range []string{"s3", "dynamodb", "lambda", "secretsmanager", "sts", "iam", "logs", "apigateway"} {
		if health.Services[name] != "running" {
			t.Errorf("health lacks %s: %v", name, health.Services)
		}
	}
	if health.Edition != "community" || health.Version == "" {
		t.Fatalf("%+v", health)
	}

	var gs struct {
		Status       string   `json:"status"`
		Services     []string `json:"services"`
		Capabilities []string `json:"capabilities"`
	}
	if getJSON(t, e.URL()+control.PathHealth, &gs); gs.Status != "ok" || len(gs.Services) != len(health.Services) {
		t.Fatalf("%+v", gs)
	}
	// What the built-in services serve (apigatewayv2 serves WebSocket APIs).
	for _, c := range []string{"reset", "health", "function-url-paths", "website-paths", "ec2-hosts", "websocket-apis"} {
		if !slices.Contains(gs.Capabilities, c) {
			t.Errorf("capabilities %v lack %s", gs.Capabilities, c)
		}
	}

	post := func(path string) (int, map[string]any) {
		resp, err := http.Post(e.URL()+path, "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}
	if code, body := post(control.PathReset + "?service=s3,sts"); code != 200 || len(body["reset"].([]any)) != 2 {
		t.Fatalf("partial reset: %d %v", code, body)
	}
	if code, body := post(control.PathReset + "?service=nonesuch"); code != 400 || !strings.Contains(body["error"].(string), "nonesuch") {
		t.Fatalf("unknown service reset: %d %v", code, body)
	}
	if code, _ := post(control.PathReset); code != 200 {
		t.Fatalf("reset %d", code)
	}
	var state struct {
		Services map[string]map[string]any `json:"services"`
	}
	getJSON(t, e.URL()+control.PathState, &state)
	if state.Services["s3"]["buckets"] != float64(0) {
		t.Fatalf("state after reset: %v", state.Services["s3"])
	}
	var nf map[string]any
	if code := getJSON(t, e.URL()+"/_groundstack/nonesuch", &nf); code != 404 {
		t.Fatalf("unknown control path: %d", code)
	}
}

// GET /_localstack/init while hooks run and finish must not race with them
// (run with -race: the report used to share the hooks' map with the
// encoder). The hooks' last write happens once per emulator, so a few
// emulators give the race detector a few chances.
func TestInitReportWhileHooksRun(t *testing.T) {
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready.d")
	os.Mkdir(ready, 0o755)
	for _, name := range []string{"01-a.sh", "02-b.sh", "03-c.sh"} {
		writeScript(t, ready, name, "sleep 0.05\n", 0o644)
	}
	for range 5 {
		e, _ := emutest.Start(t, emulator.WithInitDir(dir))
		// Bounds a hang only; nothing here depends on how fast hooks run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for ctx.Err() == nil {
					var rep control.InitReport
					if err := fetchJSON(ctx, e.URL()+control.PathLocalStackInit, &rep); err != nil {
						if ctx.Err() == nil {
							t.Error(err)
							cancel()
						}
						return
					}
					if rep.Completed["READY"] {
						cancel()
					}
				}
			})
		}
		wg.Wait()
		if errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
			t.Fatal("the hooks never completed")
		}
		cancel()
		e.Close()
	}
}

func fetchJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// longHooks writes a hook that would run for minutes (its sleep a child of
// the script, as an aws CLI call would be) and one after it; it returns the
// init dir, a way to wait for the script's and the sleep's pids, and the
// file the second hook would create.
func longHooks(t *testing.T) (dir string, pids func() (script, sleep int), after string) {
	t.Helper()
	dir = t.TempDir()
	ready := filepath.Join(dir, "ready.d")
	os.Mkdir(ready, 0o755)
	pidFile, after := filepath.Join(dir, "pids"), filepath.Join(dir, "after")
	writeScript(t, ready, "01-long.sh", "sleep 300 &\necho $$ $! > '"+pidFile+".tmp'\nmv '"+pidFile+".tmp' '"+pidFile+"'\nwait\n", 0o644)
	writeScript(t, ready, "02-after.sh", "touch '"+after+"'\n", 0o644)
	return dir, func() (int, int) {
		t.Helper()
		// Bounds a hang only: the hook starts as soon as the edge is up.
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if b, err := os.ReadFile(pidFile); err == nil {
				var script, sleep int
				if _, err := fmt.Sscan(string(b), &script, &sleep); err != nil {
					t.Fatalf("pid file %q: %v", b, err)
				}
				return script, sleep
			}
		}
		t.Fatal("the long hook never started")
		return 0, 0
	}, after
}

// procState is pid's state letter in /proc ("" once it has been reaped).
func procState(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	// pid (comm) state …: comm may hold spaces and parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) == 0 {
		t.Fatalf("/proc/%d/stat: %q", pid, b)
	}
	return f[0]
}

// closeWithin runs close and fails the test if it has not returned after
// a minute (a Close that waits on a hook it never cancelled).
func closeWithin(t *testing.T, close func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("close: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Close did not return: it waits on a hook it never cancelled")
	}
}

// checkStopped checks what Close must have done to the long hook: the
// script itself reaped before Close returned (so Close waited for it), its
// sleep killed with it (the sleep is not our child: its reaper may take a
// moment, far less than the 300 s it would sleep), and no later hook run.
func checkStopped(t *testing.T, script, sleep int, after string) {
	t.Helper()
	if st := procState(t, script); st != "" {
		t.Errorf("the hook's script (pid %d) is in state %q after Close returned, not reaped", script, st)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		st := procState(t, sleep)
		if st == "" || st == "Z" {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the hook's sleep (pid %d) still runs (state %s) after Close", sleep, st)
			break
		}
	}
	if _, err := os.Stat(after); err == nil {
		t.Error("a hook started after Close")
	}
}

// Emulator.Close cancels a hook that would run for minutes, kills what it
// started, and returns only once it has stopped; no later hook starts.
func TestEmulatorCloseStopsRunningHooks(t *testing.T) {
	dir, pids, after := longHooks(t)
	e := emulator.New(emulator.WithInitDir(dir))
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	script, sleep := pids()
	closeWithin(t, e.Close)
	checkStopped(t, script, sleep, after)
}

// Plane.Close leaves the report as the hooks left it: the killed one
// failed, the next never ran, READY never completed.
func TestPlaneCloseStopsRunningHooks(t *testing.T) {
	dir, pids, after := longHooks(t)
	p := control.New(cloud.DefaultEnv(), "test", nil)
	p.StartInitHooks(dir, "http://127.0.0.1:4566")
	t.Cleanup(func() { p.Close() })
	script, sleep := pids()
	closeWithin(t, p.Close)
	checkStopped(t, script, sleep, after)
	rep := p.InitReport()
	states := map[string]string{}
	for _, s := range rep.Scripts {
		states[s.Name] = s.State
	}
	if rep.Completed["READY"] || states["01-long.sh"] != "ERROR" || states["02-after.sh"] != "UNKNOWN" {
		t.Fatalf("report after Close: %+v", rep)
	}
}

// webSocketService stands for an apigatewayv2 service that serves
// WebSocket APIs: the capability comes from the service registered.
type webSocketService struct{ http.Handler }

func (webSocketService) Name() string                { return "apigatewayv2" }
func (webSocketService) Routes() []cloud.Route       { return nil }
func (webSocketService) Protocol() awsproto.Protocol { return awsproto.RestJSON }
func (webSocketService) Reset()                      {}
func (webSocketService) Capabilities() []string      { return []string{"websocket-apis", "reset"} }

func TestCapabilitiesComeFromServices(t *testing.T) {
	for _, tc := range []struct {
		name     string
		services []cloud.Service
		want     []string
	}{
		{"none", nil, []string{"health", "reset"}},
		{"websocket", []cloud.Service{webSocketService{http.NotFoundHandler()}}, []string{"health", "reset", "websocket-apis"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(control.New(cloud.DefaultEnv(), "test", tc.services))
			defer srv.Close()
			var gs struct {
				Capabilities []string `json:"capabilities"`
			}
			getJSON(t, srv.URL+control.PathHealth, &gs)
			if !slices.Equal(gs.Capabilities, tc.want) {
				t.Fatalf("capabilities %v, want %v", gs.Capabilities, tc.want)
			}
		})
	}
}
