package run

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundstack/groundstack/harness/backend"
	"github.com/groundstack/groundstack/load/loadtest"
	"github.com/groundstack/groundstack/load/profile"
	"github.com/groundstack/groundstack/load/report"
)

// steady is rps requests/s for d, split by mix.
func steady(rps float64, d time.Duration, mix profile.Mix) profile.Profile {
	return profile.Profile{Name: "test", Duration: profile.Duration(d), Rate: []profile.Point{{At: 0, RPS: rps}}, Mix: mix}
}

var ordersOnly = profile.Mix{Orders: 1}

func checkOK(t *testing.T, r *report.Result, wantOK map[string]bool) {
	t.Helper()
	for _, c := range r.Thresholds {
		if want, ok := wantOK[c.Expr]; ok && want != c.OK {
			t.Errorf("threshold %s: ok=%v (observed %s)", c.Expr, c.OK, c.Shown)
		}
	}
}

func TestRunAgainstATarget(t *testing.T) {
	api, srv := loadtest.Start("courier-app", "pw")
	defer srv.Close()
	var progress bytes.Buffer
	p := steady(100, time.Second, profile.Mix{Orders: 6, Pedidos: 2, Metrics: 2})
	p.Sessions = 2
	res, err := Run(context.Background(), Options{Profile: p, Target: srv.URL + "/", Password: "pw", Budget: time.Second, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	o := res.Requests[profile.Orders]
	if res.Status != report.StatusComplete || !res.Passed || o.Intended != 60 || o.OK != 60 || o.Failed != 0 {
		t.Fatalf("%s\norders %+v", res.Line(), o)
	}
	if res.Requests[profile.Pedidos].OK != 20 || res.Requests[profile.Metrics].OK != 20 {
		t.Errorf("reads: %+v %+v", res.Requests[profile.Pedidos], res.Requests[profile.Metrics])
	}
	// 2 writer sessions, 1 reader, and the pre-flight login
	if l := res.Requests[profile.Logins]; l.OK != 3 || api.Logins.Load() != 4 {
		t.Errorf("logins %+v (server saw %d)", l, api.Logins.Load())
	}
	f := res.Freshness
	if f.Accepted != 60 || f.Seen != 60 || f.Lost != 0 || f.Pending != 0 || f.Reads == 0 || api.Count() != 60 {
		t.Errorf("freshness %+v, stored %d", f, api.Count())
	}
	if res.Target.APIURL != srv.URL || !strings.Contains(res.Target.How, "no LocalStack-style health check") {
		t.Errorf("target %+v", res.Target)
	}
	if len(res.Series.Buckets) == 0 || res.Machine.CPUs == 0 {
		t.Errorf("series %d buckets, machine %+v", len(res.Series.Buckets), res.Machine)
	}
	_ = progress.String() // a 1 s run may end before the first line
}

func TestLostAndFailingOrdersFailThresholds(t *testing.T) {
	api, srv := loadtest.Start("courier-app", "pw")
	defer srv.Close()
	api.Hide = loadtest.HideIDs("-000007")
	var n atomic.Int64 // the fake API serves requests concurrently
	api.Fail = func(r *http.Request) int {
		if r.URL.Path == "/registrar_pedido_entregado" {
			if n.Add(1)%10 == 0 {
				return 503
			}
		}
		return 0
	}
	res, err := Run(context.Background(), Options{Profile: steady(50, time.Second, ordersOnly), Target: srv.URL, Password: "pw", Budget: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	o := res.Requests[profile.Orders]
	if o.Failed != 5 || o.ByStatus["503"] != 5 || !strings.Contains(o.LastError, "HTTP 503") {
		t.Errorf("orders %+v", o)
	}
	if res.Freshness.Lost != 1 || len(res.Freshness.LostIDs) != 1 || !strings.HasSuffix(res.Freshness.LostIDs[0], "-000007") {
		t.Errorf("freshness %+v", res.Freshness)
	}
	checkOK(t, res, map[string]bool{"lost==0": false, "errors<0.1%": false, "freshness.p99<=2s": true})
	if res.Passed || res.Status != report.StatusComplete {
		t.Errorf("passed %v status %s", res.Passed, res.Status)
	}
}

// TestBadTargets: each way a target can be wrong stops the run with one
// line saying why, and a result marked failed.
func TestBadTargets(t *testing.T) {
	closed := func() string {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := l.Addr().String()
		l.Close()
		return "http://" + addr
	}()
	_, fails := loadtest.Start("courier-app", "pw")
	defer fails.Close()
	failing, _ := loadtest.Start("courier-app", "pw")
	failing.Fail = func(*http.Request) int { return 502 }
	failSrv := http.Handler(failing)
	srv5xx := startHandler(t, failSrv)
	readsFail, _ := loadtest.Start("courier-app", "pw")
	readsFail.Fail = func(r *http.Request) int {
		if r.URL.Path == "/pedidos" {
			return 500
		}
		return 0
	}
	srvReads := startHandler(t, readsFail)
	cases := []struct {
		name, target, password, want string
	}{
		{"unreachable", closed, "pw", "is unreachable: connection refused"},
		{"not a URL", "ftp://example", "pw", "is not an http(s) URL"},
		{"5xx everywhere", srv5xx, "pw", "the API answered HTTP 502 to POST /token"},
		{"5xx on reads", srvReads, "pw", "the API answered HTTP 500 to GET /pedidos"},
		{"wrong password", fails.URL, "nope", "login as courier-app refused (HTTP 401)"},
		{"no password", fails.URL, "", "--target needs the API's credentials"},
		{"not the API", fails.URL + "/elsewhere", "pw", "POST /token answered HTTP 404"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Run(context.Background(), Options{Profile: steady(10, time.Second, ordersOnly), Target: tc.target, Password: tc.password})
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err %v, want %q on one line", err, tc.want)
			}
			if res == nil || res.Status != report.StatusFailed || res.Error != err.Error() || res.Passed || res.Complete {
				t.Errorf("result %+v", res)
			}
		})
	}
}

func startHandler(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestInterruptWritesAPartialResult(t *testing.T) {
	_, srv := loadtest.Start("courier-app", "pw")
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(700*time.Millisecond, cancel)
	res, err := Run(ctx, Options{Profile: steady(50, time.Minute, ordersOnly), Target: srv.URL + "/", Password: "pw", StopGrace: 300 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "interrupted after") {
		t.Fatalf("err %v", err)
	}
	o := res.Requests[profile.Orders]
	if res.Status != report.StatusInterrupted || res.Complete || res.Passed || o.Sent == 0 || o.Sent > 1000 || res.Seconds >= 60 {
		t.Errorf("%s: %+v", res.Line(), o)
	}
	if len(res.Thresholds) != 4 {
		t.Errorf("thresholds %+v", res.Thresholds)
	}
}

// TestRampFindsTheStepThatBreaks: a target that turns slow (orders shown
// 1.5 s late) from 4.5 s on: steps 0 and 1 (0–4 s) hold, step 2 breaks,
// and the run stops there.
func TestRampFindsTheStepThatBreaks(t *testing.T) {
	api, srv := loadtest.Start("courier-app", "pw")
	defer srv.Close()
	var first time.Time
	api.Hide = func(_ string, received, now time.Time) bool {
		if first.IsZero() {
			first = received
		}
		// Writes of step 2 (from 6 s) stay hidden 3.5 s, far past the 2 s
		// budget; the budget itself is far above what a loaded 2-core
		// machine adds to a healthy step (0.7 s seen at load 30).
		return received.Sub(first) > 6800*time.Millisecond && now.Sub(received) < 3500*time.Millisecond
	}
	p := profile.Profile{Name: "ramp-test", Ramp: &profile.Ramp{Start: 20, Step: 20, Every: profile.Duration(3 * time.Second), Max: 200, P99: profile.Duration(2 * time.Second)}, Mix: ordersOnly}
	res, err := Run(context.Background(), Options{Profile: p, Target: srv.URL + "/", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	r := res.Ramp
	if r == nil || r.CapacityStep != 1 || r.CapacityRPS != 40 || !strings.Contains(r.StoppedBy, "step 2 (60 requests/s) broke") {
		t.Fatalf("ramp %+v", r)
	}
	if len(r.Steps) < 3 || len(r.Steps) > 5 || res.Seconds > 30 {
		t.Errorf("%d steps in %.1fs: the run did not stop at the break", len(r.Steps), res.Seconds)
	}
	if !r.Steps[0].Held || !r.Steps[1].Held || r.Steps[2].Held {
		t.Errorf("steps %+v %+v %+v", r.Steps[0], r.Steps[1], r.Steps[2])
	}
}

// Event traffic beside the flow: the paths made on a real (embedded) cloud
// while the flow is a fake API, fed by the same scheduler, every event
// followed to its consumer, judged, and the resources removed after.
func TestEventsBesideTheFlow(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b, err := backend.StartEmbedded(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	_, srv := loadtest.Start("courier-app", "pw")
	defer srv.Close()
	p := steady(20, time.Second, ordersOnly).WithEvents(&profile.Events{Paths: []string{"sns-sqs", "sqs-longpoll"}, Rate: 40})
	// no timing beyond the budget: the machine may be loaded
	checks, _ := report.Thresholds([]string{"freshness.max<=10s", "lost==0", "errors<0.1%", "events.lost==0", "events.max<=10s"}, nil)
	res, err := Run(ctx, Options{Profile: p, Target: srv.URL, Password: "pw", Budget: 5 * time.Second, Thresholds: checks,
		Events: EventOptions{Endpoint: b.Endpoint()}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Events) != 2 {
		t.Fatalf("events %+v", res.Events)
	}
	for _, e := range res.Events {
		if !e.Measured() || e.Produced < 30 || e.Accepted != e.Produced || e.Seen != e.Accepted || e.Lost != 0 || e.Count != e.Seen || e.IntendedRate <= 0 {
			t.Errorf("%s", e.Line())
		}
	}
	if !res.Passed || res.Requests[profile.Orders].OK != 20 {
		t.Errorf("%s\n%+v", res.Line(), res.Thresholds)
	}
	out, err := sqs.NewFromConfig(b.Config()).ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("gsbench-")})
	if err != nil || len(out.QueueUrls) != 0 {
		t.Errorf("queues left after the run: %v %v", out.QueueUrls, err)
	}
}
