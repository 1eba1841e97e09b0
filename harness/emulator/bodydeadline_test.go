package emulator_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// The attack: a client sends headers and then trickles (or stops sending)
// its body; the connection and its handler were held forever.
func TestTrickledBodiesDoNotHoldConnections(t *testing.T) {
	for _, c := range []struct {
		name    string
		trickle time.Duration // between bytes; 0 stops after the first bytes
	}{
		{"stalled", 0},
		{"trickled below the minimum rate", 50 * time.Millisecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, _ := emutest.Start(t, emulator.WithBodyTimeouts(300*time.Millisecond, 300*time.Millisecond, 1000))
			conn, err := net.Dial("tcp", strings.TrimPrefix(e.URL(), "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			body := `{"Name":"` + strings.Repeat("a", 2000) + `"}`
			head := "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: secretsmanager.CreateSecret\r\n" +
				"Content-Type: application/x-amz-json-1.1\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
			conn.Write([]byte(head + body[:10]))
			stop := make(chan struct{})
			defer close(stop)
			if c.trickle > 0 {
				go func() {
					for i := 10; i < len(body); i++ {
						select {
						case <-stop:
							return
						case <-time.After(c.trickle):
						}
						if _, err := conn.Write([]byte{body[i]}); err != nil {
							return
						}
					}
				}()
			}
			// Without the limits this read would wait for the whole body
			// (forever, when stalled); the bound here is generous.
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Fatal("the emulator still waits for the body")
				}
				return // closed: the connection was let go
			}
			resp.Body.Close()
			if resp.StatusCode < 400 {
				t.Fatalf("a trickled body was accepted: %d", resp.StatusCode)
			}
		})
	}
}

// Honest slow uploads within the limits still arrive.
func TestSlowButSteadyBodiesArrive(t *testing.T) {
	e, _ := emutest.Start(t, emulator.WithBodyTimeouts(500*time.Millisecond, 200*time.Millisecond, 100))
	r, w := io.Pipe()
	go func() {
		body := `{"Name":"steady","SecretString":"` + strings.Repeat("s", 200) + `"}`
		for i := 0; i < len(body); i += 20 {
			w.Write([]byte(body[i:min(i+20, len(body))]))
			time.Sleep(20 * time.Millisecond)
		}
		w.Close()
	}()
	req, _ := http.NewRequest("POST", e.URL()+"/", r)
	req.Header.Set("X-Amz-Target", "secretsmanager.CreateSecret")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("steady upload: %d", resp.StatusCode)
	}
}
