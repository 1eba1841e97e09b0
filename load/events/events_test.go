package events

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/handlers/eventprobe/trace"
	"github.com/groundstack/groundstack/load/report"
)

// fakePath delivers its events to the collector over HTTP as the probe
// function does, after delay, except that it loses the events drop says
// and delivers twice the ones dup says.
type fakePath struct {
	name     string
	setupErr error
	delay    time.Duration
	drop     func(id string) bool
	dup      func(id string) bool
	early    bool // deliver before Produce returns
	env      *Env
	wg       sync.WaitGroup
	produced atomic.Int64
	closed   atomic.Bool
}

func (f *fakePath) Name() string { return f.name }
func (f *fakePath) Setup(_ context.Context, env *Env) error {
	f.env = env
	return f.setupErr
}

func (f *fakePath) Produce(_ context.Context, id string) error {
	f.produced.Add(1)
	if f.drop != nil && f.drop(id) {
		return nil
	}
	n := 1
	if f.dup != nil && f.dup(id) {
		n = 2
	}
	deliver := func() {
		for range n {
			rep := trace.Report{Function: f.name, StartNS: time.Now().UnixNano(), Events: []trace.Sighting{{ID: id, Via: "fake"}}}
			b, _ := json.Marshal(rep)
			resp, err := http.Post(f.env.CollectorURL, "application/json", bytes.NewReader(b))
			if err == nil {
				resp.Body.Close()
			}
		}
	}
	if f.early {
		deliver()
		return nil
	}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		time.Sleep(f.delay)
		deliver()
	}()
	return nil
}

func (f *fakePath) Close(context.Context) error {
	f.wg.Wait()
	f.closed.Store(true)
	return nil
}

func TestRunCountsLostDuplicatedAndUnsupported(t *testing.T) {
	t.Parallel()
	lossy := &fakePath{name: "lossy", delay: time.Millisecond,
		// open-loop events numbered …5 are lost (all waited for at once);
		// idle events numbered …2 are delivered twice
		drop: func(id string) bool {
			_, _, ph, seq, _ := trace.Parts(id)
			return ph == "r" && strings.HasSuffix(seq, "5")
		},
		dup: func(id string) bool {
			_, _, ph, seq, _ := trace.Parts(id)
			return ph == "i" && strings.HasSuffix(seq, "2")
		},
	}
	early := &fakePath{name: "early", early: true}
	missing := &fakePath{name: "missing", setupErr: &SetupError{Step: "CreateEventSourceMapping", Err: &smithy.GenericAPIError{Code: "UnknownOperationException", Message: "Unknown operation"}}}
	refused := &fakePath{name: "refused", setupErr: &SetupError{Step: "CreateQueue", Err: &smithy.GenericAPIError{Code: "InvalidParameterValue", Message: "no"}}}
	silent := &fakePath{name: "silent", drop: func(string) bool { return true }}

	// generous deadlines: a loaded machine must not turn a late delivery into a loss
	res, err := RunPaths(context.Background(), Options{
		Idle: 20, Rate: 200, Duration: 200 * time.Millisecond, Deadline: 3 * time.Second, Warmup: time.Second, Run: "t1",
	}, []Path{lossy, early, missing, refused, silent})
	if err != nil {
		t.Fatal(err)
	}

	idle, ok := res.Row("lossy", PhaseIdle)
	if !ok || idle.Status != StatusMeasured {
		t.Fatalf("lossy idle row: %+v", idle)
	}
	// idle seq 0…19: 2 and 12 delivered twice
	if idle.Accepted != 20 || idle.Seen != 20 || idle.Lost != 0 || idle.Duplicates != 2 {
		t.Errorf("lossy idle: accepted %d seen %d lost %d dup %d; want 20 20 0 2", idle.Accepted, idle.Seen, idle.Lost, idle.Duplicates)
	}
	if idle.Via["fake"] != 20 || idle.FromSend.Count != 20 || idle.Count != 20 {
		t.Errorf("lossy idle: via %v, histograms %d and %d", idle.Via, idle.Count, idle.FromSend.Count)
	}
	rate, _ := res.Row("lossy", PhaseRate)
	wantLost := int64(0)
	for i := int64(1); i <= rate.Produced; i++ { // open-loop events are numbered from 1
		if i%10 == 5 {
			wantLost++
		}
	}
	if rate.Status != StatusMeasured || rate.Accepted < 10 || rate.Lost != wantLost || rate.Seen != rate.Accepted-wantLost || rate.IntendedRate != 200 || rate.MetTarget {
		t.Errorf("lossy rate row (want %d lost): %+v", wantLost, rate)
	}
	if len(rate.LostIDs) == 0 || !strings.HasSuffix(rate.LostIDs[0], "5") {
		t.Errorf("lossy rate: lost IDs %v", rate.LostIDs)
	}

	// seen before the call returned: counted as 0, never negative
	e, _ := res.Row("early", PhaseIdle)
	if e.Seen != 20 || e.Early != 20 || e.Max > 1 {
		t.Errorf("early idle: seen %d early %d max %v ms", e.Seen, e.Early, e.Max)
	}

	for name, want := range map[string]string{"missing": StatusUnsupported, "refused": StatusFailed, "silent": StatusFailed} {
		for _, ph := range []string{PhaseIdle, PhaseRate} {
			r, ok := res.Row(name, ph)
			if !ok || r.Status != want || r.Reason == "" || r.MetTarget {
				t.Errorf("%s %s: %+v, want status %s with a reason", name, ph, r, want)
			}
		}
	}
	if r, _ := res.Row("silent", PhaseIdle); !strings.Contains(r.Reason, "warm-up") {
		t.Errorf("silent: reason %q does not say the warm-up failed", r.Reason)
	}
	if silent.produced.Load() < 1 || missing.produced.Load() != 0 {
		t.Errorf("produced: silent %d (want ≥ 1 warm-up event), missing %d (want 0)", silent.produced.Load(), missing.produced.Load())
	}
	for _, p := range []*fakePath{lossy, early, missing, refused, silent} {
		if !p.closed.Load() {
			t.Errorf("%s was not closed", p.name)
		}
	}
	if res.MetTargets {
		t.Error("a run with losses met its targets")
	}
	// unsupported paths are left out of the verdict, failed ones are not
	only := func(rows ...Row) *Result { r := &Result{Rows: rows}; r.judge(); return r }
	status := func(s string) report.EventPath { return report.EventPath{Status: s} }
	good := Row{EventPath: status(StatusMeasured), MetTarget: true}
	if !only(good, Row{EventPath: status(StatusUnsupported)}).MetTargets || only(good, Row{EventPath: status(StatusFailed)}).MetTargets || only(Row{EventPath: status(StatusUnsupported)}).MetTargets {
		t.Error("the verdict counts unsupported paths, or ignores failed ones, or passes with nothing measured")
	}

	table, md := res.Table(), res.Markdown()
	for _, want := range []string{"lossy", "idle", "200/s", "unsupported", "UnknownOperationException", "load average"} {
		if !strings.Contains(table, want) || !strings.Contains(md, want) {
			t.Errorf("table or Markdown lacks %q:\n%s\n%s", want, table, md)
		}
	}

	// the JSON keeps the histograms
	dir := t.TempDir()
	files, err := res.Write(dir)
	if err != nil || len(files) != 2 {
		t.Fatal(files, err)
	}
	var back Result
	b, _ := json.Marshal(res)
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if r, _ := back.Row("lossy", PhaseIdle); r.Hist.Count() != 20 {
		t.Errorf("histogram after a JSON round trip holds %d values, want 20", r.Hist.Count())
	}
}

func TestBookOrdersAndStrays(t *testing.T) {
	t.Parallel()
	b := NewBook()
	tl := b.NewTally()
	t0 := time.Unix(1000, 0)
	ch := tl.Expect("gsev.r.p.i.1")
	tl.Expect("gsev.r.p.i.2")
	tl.Expect("gsev.r.p.i.3")
	b.Seen(t0.Add(5*time.Millisecond), []trace.Sighting{{ID: "gsev.r.p.i.1", Via: "sqs"}, {ID: "gsev.other.p.i.1"}})
	select {
	case <-ch:
	default:
		t.Fatal("the first sighting did not close the event's channel")
	}
	tl.Accepted("gsev.r.p.i.1", t0)
	tl.Accepted("gsev.r.p.i.2", t0)
	tl.Failed("gsev.r.p.i.3")
	b.Seen(t0.Add(9*time.Millisecond), []trace.Sighting{{ID: "gsev.r.p.i.1"}})
	c := tl.Counts()
	if c.Produced != 3 || c.Accepted != 2 || c.Failed != 1 || c.Seen != 1 || c.Lost != 1 || c.Duplicates != 1 || c.Early != 0 {
		t.Fatalf("counts %+v", c)
	}
	// the histogram keeps 3 significant digits
	if got := c.Freshness.Max(); got < 4990*time.Microsecond || got > 5010*time.Microsecond {
		t.Errorf("freshness %v, want 5ms (the first sighting)", got)
	}
	if b.Strays() != 1 {
		t.Errorf("strays %d, want 1", b.Strays())
	}
	// Wait returns at the deadline of an event never seen
	done := make(chan struct{})
	go func() { tl.Wait(time.Millisecond, nil); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not return after the deadline")
	}
}

func TestCollectorRefusesMalformedReports(t *testing.T) {
	t.Parallel()
	b := NewBook()
	c, err := StartCollector(b, "127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tl := b.NewTally()
	tl.Expect("gsev.r.p.i.1")
	for _, tc := range []struct {
		body string
		want int
	}{
		{`{"start_ns":1,"events":[{"id":"gsev.r.p.i.1"}]}`, http.StatusNoContent},
		{`{"start_ns":1,"events":[{"id":"not-an-id"}]}`, http.StatusBadRequest},
		{`{"start_ns":0,"events":[]}`, http.StatusBadRequest},
		{`{"start_ns":`, http.StatusBadRequest},
		{`[]`, http.StatusBadRequest},
	} {
		resp, err := http.Post(c.URL(), "application/json", strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.body, resp.StatusCode, tc.want)
		}
	}
	if c.Reports() != 1 || c.Malformed() != 4 {
		t.Errorf("reports %d malformed %d, want 1 and 4", c.Reports(), c.Malformed())
	}
	if resp, err := http.Get(c.URL()); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET answered %d", resp.StatusCode)
		}
	}
}

func TestCollectorAdvertisesAnotherHost(t *testing.T) {
	t.Parallel()
	c, err := StartCollector(NewBook(), "127.0.0.1:0", "host.docker.internal")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !strings.HasPrefix(c.URL(), "http://host.docker.internal:") || strings.HasSuffix(c.URL(), ":0/report") {
		t.Errorf("URL %q", c.URL())
	}
}

func TestParseStat(t *testing.T) {
	// a command with spaces and parentheses; utime 150, stime 50, cutime 20, cstime 5
	line := "4242 (a (b) c) S 17 4242 4242 0 -1 4194560 100 0 0 0 150 50 20 5 20 0 3 0 1 1 1"
	own, reaped, ppid, err := parseStat(line)
	if err != nil || ppid != 17 || own != 200*clockTick || reaped != 25*clockTick {
		t.Errorf("parseStat = %v %v %d %v, want %v %v 17", own, reaped, ppid, err, 200*clockTick, 25*clockTick)
	}
	for _, bad := range []string{"", "1 (x) S 2", "1 (x) S 2 3 4 5 6 7 8 9 10 11 x 1 1 1"} {
		if _, _, _, err := parseStat(bad); err == nil {
			t.Errorf("parseStat(%q) accepted", bad)
		}
	}
	if _, err := SelfCPU().Read(); err != nil {
		t.Errorf("SelfCPU: %v", err)
	}
	// grandchildren count (a zygote's instances); strangers and cycles do not
	procs := [][3]int{{10, 1, 5}, {11, 10, 7}, {12, 11, 11}, {13, 2, 100}, {14, 14, 1000}}
	got := descendantsCPU(1, func(yield func(pid, ppid int, cpu time.Duration)) {
		for _, p := range procs {
			yield(p[0], p[1], time.Duration(p[2]))
		}
	})
	if got != 23 {
		t.Errorf("descendants' CPU %d, want 23", got)
	}
}

func TestUnsupported(t *testing.T) {
	if !Unsupported(&SetupError{Step: "x", Err: &smithy.GenericAPIError{Code: "NotImplemented"}}) {
		t.Error("NotImplemented is unsupported")
	}
	if Unsupported(&smithy.GenericAPIError{Code: "AccessDenied"}) || Unsupported(errors.New("boom")) {
		t.Error("a refusal is not unsupported")
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, o := range []Options{{Paths: []string{"nope"}}, {Rate: 1e6}, {Run: "Has.Dot"}, {Rate: 100_000, Duration: time.Hour}, {Idle: 3_000_000}} {
		if o.Validate() == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if err := (Options{Paths: PathNames, Run: "abc123"}).Validate(); err != nil {
		t.Error(err)
	}
}

// httpPath produces with one HTTP request, carrying the context as the
// SDK does.
type httpPath struct{ url string }

func (h httpPath) Name() string                      { return "http" }
func (h httpPath) Setup(context.Context, *Env) error { return nil }
func (h httpPath) Close(context.Context) error       { return nil }
func (h httpPath) Produce(ctx context.Context, _ string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.url, strings.NewReader("x"))
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	return err
}

func TestProduceNotesWhenTheRequestWasWritten(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	b := NewBook()
	tl := b.NewTally()
	id := "gsev.r.http.i.1"
	tl.Expect(id)
	expected := b.events[id].sent
	if err := produce(context.Background(), httpPath{srv.URL}, tl, id); err != nil {
		t.Fatal(err)
	}
	if sent := b.events[id].sent; !sent.After(expected) {
		t.Errorf("the send time %v was not moved to the request's write (Expect at %v)", sent, expected)
	}
}

// Traffic fed by a caller counts as a rate phase does: losses, duplicates,
// failed set-ups reported with their reason, resources closed.
func TestTrafficCountsWhatItWasFed(t *testing.T) {
	t.Parallel()
	lossy := &fakePath{name: "lossy", delay: time.Millisecond,
		drop: func(id string) bool { _, _, _, seq, _ := trace.Parts(id); return strings.HasSuffix(seq, "3") },
		dup:  func(id string) bool { _, _, _, seq, _ := trace.Parts(id); return strings.HasSuffix(seq, "7") },
	}
	clean := &fakePath{name: "clean"}
	refused := &fakePath{name: "refused", setupErr: &SetupError{Step: "CreateQueue", Err: errors.New("no")}}
	ctx := context.Background()
	tr, err := startTraffic(ctx, Options{Deadline: 3 * time.Second, Warmup: time.Second, Run: "tr"}, []Path{lossy, clean, refused})
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.Paths(); len(got) != 3 || !tr.Ready(0) || !tr.Ready(1) || tr.Ready(2) {
		t.Fatalf("paths %v ready %v %v %v", got, tr.Ready(0), tr.Ready(1), tr.Ready(2))
	}
	var wg sync.WaitGroup
	for range 40 {
		for i := range 3 {
			wg.Add(1)
			go func() { defer wg.Done(); tr.Fire(ctx, i) }()
		}
	}
	wg.Wait()
	figs := tr.Finish(ctx, []Fed{{Intended: 42, Dropped: 2, Seconds: 2}, {Intended: 40, Seconds: 2}, {Intended: 40, Seconds: 2}})
	if err := tr.Close(ctx); err != nil {
		t.Fatal(err)
	}
	l, c, r := figs[0], figs[1], figs[2]
	// 1…40: 3, 13, 23, 33 lost; 7, 17, 27, 37 twice
	if l.Path != "lossy" || l.Status != StatusMeasured || l.Accepted != 40 || l.Lost != 4 || l.Seen != 36 || l.Duplicates != 4 ||
		l.Dropped != 2 || l.IntendedRate != 21 || l.AchievedRate != 20 || l.Count != 36 || len(l.LostIDs) != 4 {
		t.Errorf("lossy: %+v", *l)
	}
	if c.Accepted != 40 || c.Seen != 40 || c.Lost != 0 || c.Via["fake"] != 40 || c.Count != 40 {
		t.Errorf("clean: %s", c.Line())
	}
	if r.Status != StatusFailed || !strings.Contains(r.Reason, "CreateQueue: no") || r.Produced != 0 || refused.produced.Load() != 0 {
		t.Errorf("refused: %+v (produced %d)", *r, refused.produced.Load())
	}
	for _, p := range []*fakePath{lossy, clean, refused} {
		if !p.closed.Load() {
			t.Errorf("%s was not closed", p.name)
		}
	}
}

// Folding settles old events into the counts and forgets them: the
// figures stay the same, the book shrinks, and a late sighting is a stray.
func TestFoldKeepsTheFiguresAndForgets(t *testing.T) {
	b := NewBook()
	tl := b.NewTally()
	now := time.Now()
	for i := range 6 {
		id := trace.ID("f", "p", "l", int64(i))
		tl.Expect(id)
		switch i {
		case 0:
			tl.Failed(id)
		case 1: // under way: never folded
		default:
			tl.Accepted(id, now)
		}
		if i >= 3 {
			b.Seen(now.Add(time.Duration(i)*time.Millisecond), []trace.Sighting{{ID: id, Via: "sqs"}})
		}
	}
	before := tl.Counts()
	if n := tl.Fold(time.Now().Add(time.Hour)); n != 5 {
		t.Fatalf("folded %d, want 5 (all but the one under way)", n)
	}
	after := tl.Counts()
	if before.Accepted != after.Accepted || before.Lost != after.Lost || before.Seen != after.Seen || before.Failed != after.Failed ||
		after.Lost != 1 || after.Seen != 3 || after.Freshness.Count() != 3 || after.Freshness.Max() != before.Freshness.Max() {
		t.Errorf("before %+v after %+v", before, after)
	}
	if len(b.events) != 1 || len(tl.ids) != 1 {
		t.Errorf("book holds %d events, tally %d ids; want 1 each", len(b.events), len(tl.ids))
	}
	b.Seen(time.Now(), []trace.Sighting{{ID: trace.ID("f", "p", "l", 3), Via: "sqs"}})
	if b.Strays() != 1 || tl.Counts().Duplicates != 0 {
		t.Errorf("a sighting of a folded event: %d strays, %d duplicates", b.Strays(), tl.Counts().Duplicates)
	}
	if n := tl.Fold(now.Add(-time.Hour)); n != 0 {
		t.Errorf("folded %d events newer than the cutoff", n)
	}
}
