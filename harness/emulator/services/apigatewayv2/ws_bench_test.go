package apigatewayv2

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
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/groundstack/groundstack/harness/emulator/emutest/benchcpu"
)

// raiseFileLimit lifts this process's open-file limit to its hard limit
// (many connections, two descriptors each when both ends are local).
func raiseFileLimit(tb testing.TB) uint64 {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		tb.Fatal(err)
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
	return l.Cur
}

// envHelperClients makes the test binary a client process holding idle
// WebSocket connections: "url n".
const envHelperClients = "GROUNDSTACK_WS_HELPER_CLIENTS"

// TestWSHelperClients is not a test: run by BenchmarkWSIdleConnectionMemory
// in a child process (its own descriptors, its own heap), it opens n
// connections with bare handshakes, prints "ready" and holds them until
// its stdin closes.
func TestWSHelperClients(t *testing.T) {
	spec := os.Getenv(envHelperClients)
	if spec == "" {
		t.Skip("helper process for BenchmarkWSIdleConnectionMemory")
	}
	raiseFileLimit(t)
	url, ns, _ := strings.Cut(spec, " ")
	n, _ := strconv.Atoi(ns)
	addr, path, _ := strings.Cut(strings.TrimPrefix(url, "http://"), "/")
	conns := make([]net.Conn, 0, n)
	for range n {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(nc, "GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", path, addr)
		resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
		if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
			t.Fatalf("handshake %d: %v %v", len(conns), resp, err)
		}
		conns = append(conns, nc)
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
}

// BenchmarkWSIdleConnectionMemory holds 10,000 idle connections (from a
// child process) and reports the server's heap and stack per connection
// (each connection's $connect runs on a fake invoker).
func BenchmarkWSIdleConnectionMemory(b *testing.B) {
	const n = 10000
	if limit := raiseFileLimit(b); limit < n+200 {
		b.Skipf("open-file limit %d is below %d", limit, n+200)
	}
	for range b.N {
		f := newWSFixture(b, chatStage())
		f.plane.hub.SetOptions(f.plane.hub.Options()) // defaults: no ping for 30 s
		before := heapAndStack()
		cmd := exec.Command(os.Args[0], "-test.run=^TestWSHelperClients$", "-test.v")
		cmd.Env = append(os.Environ(), envHelperClients+"="+f.url+" "+strconv.Itoa(n))
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		for sc.Scan() && sc.Text() != "ready" {
		}
		for deadline := time.Now().Add(30 * time.Second); f.plane.hub.Len() < n && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		if got := f.plane.hub.Len(); got != n {
			b.Fatalf("%d connections open, want %d", got, n)
		}
		after := heapAndStack()
		b.ReportMetric(float64(after-before)/n, "bytes/conn")
		if p := os.Getenv("WS_HEAP_PROFILE"); p != "" {
			f, _ := os.Create(p)
			_ = pprof.WriteHeapProfile(f)
			f.Close()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			b.Logf("stack in use %d, heap in use %d", m.StackInuse, m.HeapInuse)
		}
		stdin.Close()
		_ = cmd.Wait()
	}
}

// heapAndStack is the memory the Go runtime holds for live objects and
// goroutine stacks, after a collection.
func heapAndStack() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse)
}

// BenchmarkWSConnect measures upgrades per second, each with its $connect
// invocation (fake invoker) and, as the client hangs up, $disconnect.
func BenchmarkWSConnect(b *testing.B) {
	raiseFileLimit(b)
	f := newWSFixture(b, chatStage())
	url := "ws" + strings.TrimPrefix(f.url, "http")
	m := benchcpu.Start(b)
	start := time.Now()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c, _, err := websocket.Dial(context.Background(), url, nil)
			if err != nil {
				b.Error(err)
				return
			}
			c.CloseNow()
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "conns/s")
	m.Report()
}

// discardWriter is a ResponseWriter that keeps only the status.
type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(s int)           { d.status = s }

// BenchmarkWSPostToConnection measures the @connections POST handler
// (called directly with a pre-built request) delivering 64 bytes to a
// connection whose client reads them; cpu-us/op includes the client's reads.
func BenchmarkWSPostToConnection(b *testing.B) {
	f := newWSFixture(b, chatStage())
	c, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(f.url, "http"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseNow()
	var id string
	for deadline := time.Now().Add(5 * time.Second); id == "" && time.Now().Before(deadline); {
		f.plane.hub.Range(func(cid string) { id = cid })
	}
	got := make(chan int, 1)
	go func() {
		n := 0
		for {
			if _, _, err := c.Read(context.Background()); err != nil {
				got <- n
				return
			}
			n++
		}
	}()
	payload := bytes.Repeat([]byte("x"), 64)
	req, _ := http.NewRequest(http.MethodPost, f.url+"/@connections/"+id, nil)
	w := &discardWriter{h: http.Header{}}
	m := benchcpu.Start(b)
	for range b.N {
		req.Body = io.NopCloser(bytes.NewReader(payload))
		req.ContentLength = int64(len(payload))
		w.status = 0
		f.plane.serveConnections(w, req, "api1", "dev", id)
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
	m.Report()
}

// BenchmarkWSFanOut posts one message to each of 200 connections over
// HTTP (as a broadcast Lambda does, 8 requests in flight) and waits until
// every client has read it; it reports the fan-out's p50 and p99.
func BenchmarkWSFanOut(b *testing.B) {
	const conns = 200
	raiseFileLimit(b)
	f := newWSFixture(b, chatStage())
	url := "ws" + strings.TrimPrefix(f.url, "http")
	clients := make([]*websocket.Conn, conns)
	delivered := make(chan struct{}, conns*4)
	for i := range clients {
		c, _, err := websocket.Dial(context.Background(), url, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer c.CloseNow()
		clients[i] = c
		go func() {
			for {
				if _, _, err := c.Read(context.Background()); err != nil {
					return
				}
				delivered <- struct{}{}
			}
		}()
	}
	var ids []string
	for deadline := time.Now().Add(5 * time.Second); len(ids) < conns && time.Now().Before(deadline); {
		ids = ids[:0]
		f.plane.hub.Range(func(id string) { ids = append(ids, id) })
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	lat := make([]time.Duration, 0, b.N)
	m := benchcpu.Start(b)
	for range b.N {
		start := time.Now()
		work := make(chan string, conns)
		for _, id := range ids {
			work <- id
		}
		close(work)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for id := range work {
					resp, err := client.Post(f.url+"/@connections/"+id, "application/octet-stream", strings.NewReader(`{"data":"hello everyone"}`))
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			})
		}
		for range conns {
			<-delivered
		}
		lat = append(lat, time.Since(start))
		wg.Wait()
	}
	m.Report()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
