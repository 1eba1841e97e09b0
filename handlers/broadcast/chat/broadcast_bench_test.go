package chat

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// processCPU is this process's user+system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBroadcast200 is one sendmessage's fan-out to 200 connections
// through real SigV4-signed HTTP posts to a do-nothing @connections server
// on loopback: what the function itself costs (signing, HTTP, the bounded
// fan-out), apart from the gateway. cpu-us/post is this process's CPU
// (function and the trivial server) per post.
func BenchmarkBroadcast200(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	ctx := context.Background()
	db := newFakeDB()
	for i := range 200 {
		db.tables["Connections"] = ensure(db.tables["Connections"])
		id := fmt.Sprintf("conn%03d=", i)
		db.tables["Connections"][id] = nil
	}
	fan := DefaultFanOut
	if n, err := strconv.Atoi(os.Getenv("FAN_OUT")); err == nil && n > 0 {
		fan = n
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("AKID", "secret", ""))}
	c := &Chat{DB: db, Poster: NewManagement(cfg, fan), Settings: Settings{ConnectionsTable: "Connections", FanOut: fan}}
	data := []byte(strings.Repeat("x", 64))
	b.ResetTimer()
	cpu0, t0 := processCPU(), time.Now()
	for b.Loop() {
		out, err := c.Broadcast(ctx, srv.URL+"/prod", data)
		if err != nil || out.Delivered != 200 {
			b.Fatalf("%+v %v", out, err)
		}
	}
	posts := float64(b.N * 200)
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/posts, "cpu-us/post")
	b.ReportMetric(float64(time.Since(t0).Microseconds())/float64(b.N)/1000, "ms/fan-out")
}

func ensure[M ~map[K]V, K comparable, V any](m M) M {
	if m == nil {
		return M{}
	}
	return m
}
