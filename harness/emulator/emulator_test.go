package emulator_test

import (
	"encoding/json"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
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

// A client's spare connection that never carried a request would hold
// Shutdown for its 5-second grace; Close must drop it instead.
func TestCloseDropsUnusedConnections(t *testing.T) {
	e := emulator.New()
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", e.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The server sees the connection as new once it has accepted it.
	time.Sleep(20 * time.Millisecond)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(time.Minute))
	if n, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatalf("read %d bytes from a connection Close should have dropped", n)
	}
}

// Every operation of every service has an input whose tags make a plan:
// plans are built lazily at run time, so a bad tag would otherwise answer
// 500 on every call of its operation.
func TestEveryOperationHasAValidPlan(t *testing.T) {
	emulator.New()
	if err := awsproto.CheckPlans(); err != nil {
		t.Fatal(err)
	}
}
