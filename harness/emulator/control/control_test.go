package control_test

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator"
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
		Status   string   `json:"status"`
		Services []string `json:"services"`
	}
	if getJSON(t, e.URL()+control.PathHealth, &gs); gs.Status != "ok" || len(gs.Services) != len(health.Services) {
		t.Fatalf("%+v", gs)
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
