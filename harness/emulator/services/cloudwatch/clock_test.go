package cloudwatch_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestClockEndpoint(t *testing.T) {
	t.Parallel()
	c := start(t)
	call := func(method, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, c.e.URL()+"/_groundstack/clock", strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var out map[string]any
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %q: not JSON: %s", method, body, b)
		}
		return resp.StatusCode, out
	}
	status, out := call("GET", "")
	if status != 200 || out["now"] == nil || out["offsetSeconds"].(float64) > 1 {
		t.Fatalf("GET: %d %v", status, out)
	}
	status, out = call("POST", `{"advanceSeconds":3600}`)
	if status != 200 || out["offsetSeconds"].(float64) < 3599 {
		t.Fatalf("advance 1h: %d %v", status, out)
	}
	future := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	if status, out = call("POST", `{"set":"`+future+`"}`); status != 200 || out["offsetSeconds"].(float64) < 47*3600 {
		t.Fatalf("set: %d %v", status, out)
	}
	for _, bad := range []string{`nope`, `{"advance":"-5m"}`, `{"advance":"soon"}`, `{}`, `{"advanceSeconds":-1}`,
		`{"set":"2001-01-01T00:00:00Z"}`, `{"set":"tomorrow"}`, `{"set":"` + future + `","advance":"1m"}`} {
		if status, out := call("POST", bad); status != 400 || out["error"] == nil {
			t.Errorf("%s: %d %v", bad, status, out)
		}
	}
	// Reset gives the clock back to the wall.
	resp, err := http.Post(c.e.URL()+"/_groundstack/reset?service=cloudwatch", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, out := call("GET", ""); out["offsetSeconds"].(float64) > 1 {
		t.Fatalf("after reset: %v", out)
	}
}
