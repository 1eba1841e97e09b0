package emulator_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator"
)

func TestManyEmulatorsOnRandomPorts(t *testing.T) {
	var urls []string
	for i := 0; i < 3; i++ {
		e := emulator.New()
		if err := e.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		urls = append(urls, e.URL())
	}
	seen := map[string]bool{}
	for _, u := range urls {
		if seen[u] {
			t.Fatalf("two emulators share %s", u)
		}
		seen[u] = true
		resp, err := http.Get(u + "/_localstack/health")
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Services map[string]string `json:"services"`
			Edition  string            `json:"edition"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || body.Edition != "community" {
			t.Fatalf("health: %d %+v", resp.StatusCode, body)
		}
	}
}

func TestCloseTwice(t *testing.T) {
	e := emulator.New()
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
}
