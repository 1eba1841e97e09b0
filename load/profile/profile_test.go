package profile

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNamedProfiles(t *testing.T) {
	cases := []struct {
		name    string
		clients int
		orders  float64 // orders/s
		reads   float64 // dashboard reads/s
	}{
		{"baseline", 1, 0.2, 1},
		{"baseline", 5, 1, 5},
		{"year1", 1, 1.2, 6},
		{"year2", 1, 2.4, 12},
		{"year2", 0, 2.4, 12},
	}
	for _, tc := range cases {
		p, ok := Named(tc.name, tc.clients)
		if !ok {
			t.Fatalf("%s is not named", tc.name)
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, at := range []time.Duration{0, 30 * time.Second, 59 * time.Second} {
			o, r := p.KindRateAt(Orders, at), p.KindRateAt(Pedidos, at)+p.KindRateAt(Metrics, at)
			if !close(o, tc.orders) || !close(r, tc.reads) || p.KindRateAt(Logins, at) != 0 {
				t.Errorf("%s×%d at %v: orders %g/s reads %g/s, want %g and %g", tc.name, tc.clients, at, o, r, tc.orders, tc.reads)
			}
		}
		if p.Length() != time.Minute {
			t.Errorf("%s lasts %v", tc.name, p.Length())
		}
	}
	r, _ := Named("ramp", 1)
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if r.Ramp.Steps() != 50 || r.RateAt(0) != 100 || r.RateAt(4999*time.Millisecond) != 100 || r.RateAt(5*time.Second) != 200 || r.RateAt(time.Hour) != 5000 {
		t.Errorf("ramp: %d steps, rates %g %g %g", r.Ramp.Steps(), r.RateAt(0), r.RateAt(5*time.Second), r.RateAt(time.Hour))
	}
	if _, ok := Named("year3", 1); ok {
		t.Error("year3 is named")
	}
}

func close(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestParse(t *testing.T) {
	good := []struct {
		name, src string
		length    time.Duration
		at        time.Duration
		rate      float64
		orders    float64 // share
	}{
		{"yaml ramp-up and hold", `
name: black-friday
rate:
  - {at: 0s, rps: 10}
  - {at: 1m, rps: 110}
  - {at: 2m, rps: 110}
mix: {orders: 8, pedidos: 1, metrics: 1}
`, 2 * time.Minute, 30 * time.Second, 60, 0.8},
		{"json with seconds as numbers", `{"rate":[{"at":0,"rps":5},{"at":10,"rps":15}],"duration":"20s"}`, 20 * time.Second, 15 * time.Second, 15, 1},
		{"ramp", "ramp: {start: 10, step: 10, every: 2s, max: 50}\nmix: {orders: 1, metrics: 1}", 10 * time.Second, 5 * time.Second, 30, 0.5},
		{"fractional seconds", "rate: [{at: 0, rps: 1}, {at: 0.5, rps: 3}]", 500 * time.Millisecond, 250 * time.Millisecond, 2, 1},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse([]byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			if p.Length() != tc.length || !close(p.RateAt(tc.at), tc.rate) || !close(p.Mix.Share(Orders), tc.orders) {
				t.Errorf("length %v, rate at %v %g, orders share %g", p.Length(), tc.at, p.RateAt(tc.at), p.Mix.Share(Orders))
			}
		})
	}
	bad := []struct{ name, src, want string }{
		{"empty", "", "empty profile"},
		{"not yaml", "rate: [", "did not find expected"},
		{"unknown field", "rate: [{at: 0s, rps: 1}]\nduration: 5s\nrat: 3", "line 3: field rat not found"},
		{"bad duration", "rate: [{at: soon, rps: 1}]", `"soon" is not a duration`},
		{"no rate", "mix: {orders: 1}", "at least one point"},
		{"both", "rate: [{at: 0s, rps: 1}]\nramp: {start: 1, step: 1, every: 1s, max: 2}", "either rate or ramp"},
		{"negative rate", "rate: [{at: 0s, rps: -1}]\nduration: 1s", "rps must be from 0"},
		{"huge rate", "rate: [{at: 0s, rps: 1e9}]\nduration: 1s", "rps must be from 0"},
		{"time goes back", "rate: [{at: 5s, rps: 1}, {at: 1s, rps: 1}]", "is not after"},
		{"zero length", "rate: [{at: 0s, rps: 1}]", "the profile is empty"},
		{"negative mix", "rate: [{at: 0s, rps: 1}]\nduration: 1s\nmix: {orders: -1}", "weights must be finite"},
		{"ramp too fast", "ramp: {start: 1, step: 1, every: 10ms, max: 2}", "at least 1s"},
		{"ramp backwards", "ramp: {start: 10, step: 1, every: 1s, max: 2}", "max must be"},
		{"ramp no step", "ramp: {start: 10, step: 0, every: 1s, max: 20}", "step must be > 0"},
		{"too long", "rate: [{at: 0s, rps: 1}]\nduration: 100h", "duration must be"},
		{"two documents", "rate: [{at: 0s, rps: 1}]\nduration: 1s\n---\nname: x", "more than one document"},
		{"a list", "- 1\n- 2", "cannot unmarshal"},
		{"nan", "rate: [{at: 0s, rps: .nan}]\nduration: 1s", "rps must be from 0"},
		{"events without paths", "rate: [{at: 0s, rps: 1}]\nduration: 1s\nevents: {rate: 10}", "name at least one path"},
		{"events with rate and share", "rate: [{at: 0s, rps: 1}]\nduration: 1s\nevents: {paths: [sns-sqs], rate: 10, share: 1}", "either rate"},
		{"events with neither", "rate: [{at: 0s, rps: 1}]\nduration: 1s\nevents: {paths: [sns-sqs]}", "either rate"},
		{"events path twice", "rate: [{at: 0s, rps: 1}]\nduration: 1s\nevents: {paths: [sns-sqs, sns-sqs], rate: 1}", "named twice"},
		{"events odd path", "rate: [{at: 0s, rps: 1}]\nduration: 1s\nevents: {paths: [\"SNS SQS\"], rate: 1}", `path "SNS SQS"`},
		{"events negative", "rate: [{at: 0s, rps: 1}]\nduration: 1s\nevents: {paths: [sns-sqs], share: -1}", "finite and ≥ 0"},
		{"events huge", "rate: [{at: 0s, rps: 1}]\nduration: 1s\nevents: {paths: [sns-sqs], rate: 1e9}", "≤ 100000 events/s"},
		{"events unknown field", "rate: [{at: 0s, rps: 1}]\nduration: 1s\nevents: {path: [sns-sqs], rate: 1}", "field path not found"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "profile.") || strings.Contains(err.Error(), "\n") {
				t.Errorf("message shows Go internals or spans lines: %q", err)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "steady.yaml")
	os.WriteFile(good, []byte("rate: [{at: 0s, rps: 3}]\nduration: 10s\n"), 0o644)
	broken := filepath.Join(dir, "broken.json")
	os.WriteFile(broken, []byte(`{"rate": [}`), 0o644)
	p, err := Load(good, 1)
	if err != nil || p.Name != "steady" || p.RateAt(0) != 3 {
		t.Fatalf("%+v %v", p, err)
	}
	cases := []struct{ spec, want string }{
		{"year3", `unknown profile "year3" (known: baseline, year1, year2, ramp; or a .yaml/.json file)`},
		{filepath.Join(dir, "missing.yaml"), "missing.yaml: no such file or directory"},
		{broken, "broken.json: "},
	}
	for _, tc := range cases {
		_, err := Load(tc.spec, 1)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%q): %v, want %q", tc.spec, err, tc.want)
		}
	}
}

func TestShard(t *testing.T) {
	p, _ := Named("year2", 1)
	var sum float64
	for i := 1; i <= 3; i++ {
		s, err := p.Shard(i, 3)
		if err != nil {
			t.Fatal(err)
		}
		sum += s.KindRateAt(Orders, 0)
		if s.Sessions < 1 {
			t.Errorf("shard %d has no session", i)
		}
	}
	if !close(sum, 2.4) {
		t.Errorf("shards add up to %g orders/s", sum)
	}
	r, _ := Named("ramp", 1)
	s, _ := r.Shard(2, 4)
	if s.Ramp.Start != 25 || s.Ramp.Step != 25 || s.Ramp.Max != 1250 || r.Ramp.Start != 100 {
		t.Errorf("ramp shard %+v (original %+v)", s.Ramp, r.Ramp)
	}
	for _, bad := range []string{"0/2", "3/2", "1", "a/b", "1/0", "1/2x", " 1/2"} {
		if _, _, err := ParseShard(bad); err == nil {
			t.Errorf("shard %q accepted", bad)
		}
	}
	if i, n, err := ParseShard("2/5"); i != 2 || n != 5 || err != nil {
		t.Errorf("2/5: %d %d %v", i, n, err)
	}
}

func TestEventsFollowTheRateOrHoldTheirOwn(t *testing.T) {
	shared, err := Parse([]byte("rate: [{at: 0s, rps: 10}, {at: 10s, rps: 110}]\nevents: {paths: [sns-sqs, s3-lambda], share: 0.5}"))
	if err != nil {
		t.Fatal(err)
	}
	if got := shared.EventRateAt(5 * time.Second); !close(got, 30) {
		t.Errorf("share 0.5 of 60 requests/s: %g events/s per path", got)
	}
	if got := shared.EventPaths(); len(got) != 2 || got[1] != "s3-lambda" {
		t.Errorf("paths %v", got)
	}
	fixed, err := Parse([]byte("rate: [{at: 0s, rps: 10}]\nduration: 4s\nevents: {paths: [sqs-lambda], rate: 1000}"))
	if err != nil {
		t.Fatal(err)
	}
	if !close(fixed.EventRateAt(0), 1000) || !close(fixed.EventRateAt(3*time.Second), 1000) {
		t.Errorf("a fixed rate moved: %g", fixed.EventRateAt(3*time.Second))
	}
	// shards split a fixed rate and a share alike, and leave the original alone
	s, _ := fixed.Shard(1, 4)
	t2, _ := shared.Shard(2, 2)
	if !close(s.EventRateAt(0), 250) || !close(fixed.EventRateAt(0), 1000) || !close(t2.EventRateAt(5*time.Second), 15) {
		t.Errorf("shards: %g (original %g), %g", s.EventRateAt(0), fixed.EventRateAt(0), t2.EventRateAt(5*time.Second))
	}
	if (Profile{}).EventRateAt(0) != 0 || (Profile{}).EventPaths() != nil {
		t.Error("a profile without events has event traffic")
	}
}

func TestRateInterpolates(t *testing.T) {
	p := Profile{Rate: []Point{{Duration(10 * time.Second), 100}, {Duration(20 * time.Second), 200}, {Duration(30 * time.Second), 0}}, Mix: Mix{Orders: 1}}
	cases := map[time.Duration]float64{0: 100, 10 * time.Second: 100, 15 * time.Second: 150, 20 * time.Second: 200, 25 * time.Second: 100, time.Minute: 0}
	for at, want := range cases {
		if got := p.RateAt(at); !close(got, want) {
			t.Errorf("rate at %v = %g, want %g", at, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("rate: [{at: 0s, rps: 10}, {at: 1m, rps: 20}]\nmix: {orders: 1, pedidos: 1}"))
	f.Add([]byte(`{"ramp":{"start":1,"step":1,"every":"1s","max":3}}`))
	f.Add([]byte("duration: 1e300\nrate: [{at: -1, rps: 1}]"))
	f.Add([]byte("rate: [{at: 0s, rps: 10}]\nduration: 1s\nevents: {paths: [sns-sqs, ddb-lambda], share: 2}"))
	f.Add([]byte("ramp: {start: 1, step: 1, every: 1s, max: 3}\nevents: {paths: [s3-sqs], rate: 50}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(b)
		if err != nil {
			return
		}
		// a valid profile has a finite, bounded shape
		if l := p.Length(); l <= 0 || l > MaxDuration {
			t.Fatalf("length %v", l)
		}
		for _, at := range []time.Duration{0, p.Length() / 2, p.Length()} {
			if r := p.RateAt(at); math.IsNaN(r) || r < 0 || r > MaxRate {
				t.Fatalf("rate %g at %v", r, at)
			}
			if r := p.EventRateAt(at); math.IsNaN(r) || r < 0 || r > MaxRate {
				t.Fatalf("event rate %g at %v", r, at)
			}
		}
	})
}
