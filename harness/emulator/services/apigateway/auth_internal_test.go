package apigateway

import (
	"sync"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/services/execapi"
)

func TestWildcardMatch(t *testing.T) {
	arn := "arn:aws:execute-api:us-east-1:000000000000:abc123/prod/GET/pets/42"
	for _, c := range []struct {
		pattern string
		want    bool
	}{
		{"*", true},
		{arn, true},
		{"arn:aws:execute-api:us-east-1:000000000000:abc123/*", true},
		{"arn:aws:execute-api:*:*:abc123/prod/GET/*", true},
		{"arn:aws:execute-api:us-east-1:000000000000:abc123/*/GET/pets/*", true},
		{"arn:aws:execute-api:us-east-1:000000000000:abc123/prod/GET/pets/4?", true},
		{"arn:aws:execute-api:us-east-1:000000000000:abc123/prod/POST/*", false},
		{"arn:aws:execute-api:us-east-1:000000000000:abc123/prod/GET/pets", false},
		{"arn:aws:execute-api:us-east-1:000000000000:abc123/prod/GET/pets/4", false},
		{"arn:aws:execute-api:us-east-1:000000000000:other/*", false},
		{"*/dev/*", false},
		{"**", true},
		{"", false},
	} {
		if got := wildcardMatch(c.pattern, arn); got != c.want {
			t.Errorf("wildcardMatch(%q) = %v, want %v", c.pattern, got, c.want)
		}
	}
	// a '*' in the resource is a character like any other
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "*0", true},
		{"a/*", "a/*/b", true},
		{"a/*/c", "a/*/b", false},
		{"a/?", "a/*", true},
	} {
		if got := wildcardMatch(c.pattern, c.s); got != c.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

func TestPolicyEvaluation(t *testing.T) {
	const arn = "arn:aws:execute-api:us-east-1:000000000000:abc/prod/GET/pets"
	for _, c := range []struct {
		doc  string
		want execapi.Effect
	}{
		{`{"Statement":{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}}`, effectAllow},
		{`{"Statement":[{"Effect":"Allow","Action":["execute-api:*"],"Resource":["` + arn + `"]}]}`, effectAllow},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"*/GET/*"}]}`, effectDeny},
		{`{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*/POST/*"}]}`, effectNone},
		{`{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, effectNone},
		{`{"Statement":[{"Effect":"Allow","Action":"EXECUTE-API:invoke","Resource":"*"}]}`, effectAllow},
		{`{"Statement":[{"Effect":"Allow","NotAction":"s3:*","NotResource":"*/POST/*"}]}`, effectAllow},
	} {
		out, ok := parseAuthorizerOutput([]byte(`{"principalId":"p","policyDocument":` + c.doc + `}`))
		if !ok {
			t.Fatalf("policy %s refused", c.doc)
		}
		if got := out.policy.Evaluate(arn); got != c.want {
			t.Errorf("%s: %v, want %v", c.doc, got, c.want)
		}
	}
}

func TestAuthorizerOutputRefused(t *testing.T) {
	for _, payload := range []string{
		``, `null`, `[]`, `"Allow"`, `{}`, `{"principalId":"p"}`,
		`{"principalId":"p","policyDocument":{"Statement":[]}}`,
		`{"principalId":"p","policyDocument":{"Statement":"Allow"}}`,
		`{"principalId":"p","policyDocument":{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]},"context":{"a":{"b":1}}}`,
		`{"principalId":"p","policyDocument":{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]},"context":{"a":[1]}}`,
	} {
		if _, ok := parseAuthorizerOutput([]byte(payload)); ok {
			t.Errorf("authorizer output %q accepted", payload)
		}
	}
	out, ok := parseAuthorizerOutput([]byte(`{"principalId":"p","policyDocument":{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]},` +
		`"context":{"s":"x","n":1.5,"b":false,"z":null},"usageIdentifierKey":"k"}`))
	if !ok || out.context["s"] != "x" || out.context["n"] != "1.5" || out.context["b"] != "false" || len(out.context) != 3 || out.usageKey != "k" {
		t.Fatalf("output %+v %v", out, ok)
	}
}

// Identities whose values would join to the same string never share a
// cached verdict.
func TestAuthCacheKeysDoNotCollide(t *testing.T) {
	a := authCacheKey("api", "prod", "z", []string{"a\x00b", "c"})
	b := authCacheKey("api", "prod", "z", []string{"a", "b\x00c"})
	c := authCacheKey("api", "prod", "z", []string{"ab", "c"})
	d := authCacheKey("api", "prod", "z", []string{"a", "bc"})
	if a == b || c == d {
		t.Fatalf("cache keys collide: %q %q / %q %q", a, b, c, d)
	}
}

func TestAuthCacheIsBounded(t *testing.T) {
	c := newAuthCache()
	now := time.Unix(1000, 0)
	for i := 0; i < maxAuthCache+500; i++ {
		c.put(authCacheKey("a", "s", "z", []string{time.Duration(i).String()}), &authResult{}, now.Add(time.Hour), now)
	}
	if n := len(c.entries); n > maxAuthCache {
		t.Fatalf("%d entries, bound %d", n, maxAuthCache)
	}
	key := authCacheKey("a", "s", "z", []string{"late"})
	c.put(key, &authResult{principalID: "late"}, now.Add(time.Second), now)
	if r, ok := c.get(key, now); !ok || r.principalID != "late" {
		t.Fatal("fresh entry missing")
	}
	if _, ok := c.get(key, now.Add(time.Second)); ok {
		t.Fatal("expired entry served")
	}
}

func TestMeterTokenBucketAndQuotaPeriods(t *testing.T) {
	m := &meter{}
	t0 := time.Date(2026, 3, 31, 23, 59, 0, 0, time.UTC) // a Tuesday, the month's last day
	th := &Throttle{RateLimit: 1, BurstLimit: 2}
	// the bucket starts full (burst), then refills at the rate
	for i, want := range []Verdict{Admitted, Admitted, Throttled} {
		if got := m.admit(t0, th, nil); got != want {
			t.Fatalf("call %d: %v, want %v", i, got, want)
		}
	}
	if got := m.admit(t0.Add(time.Second), th, nil); got != Admitted {
		t.Fatalf("after one refill: %v", got)
	}
	if got := m.admit(t0.Add(time.Second), th, nil); got != Throttled {
		t.Fatalf("bucket empty again: %v", got)
	}
	if got := m.admit(t0.Add(time.Hour), th, nil); got != Admitted {
		t.Fatalf("bucket refilled: %v", got)
	}

	for _, c := range []struct {
		period string
		same   time.Time // still in t0's period
		next   time.Time // in the next one
	}{
		{"DAY", t0.Add(30 * time.Second), t0.Add(2 * time.Minute)},
		{"WEEK", time.Date(2026, 4, 5, 23, 0, 0, 0, time.UTC), time.Date(2026, 4, 6, 0, 0, 0, 0, time.UTC)},
		{"MONTH", t0.Add(30 * time.Second), t0.Add(2 * time.Minute)},
	} {
		m := &meter{}
		q := &Quota{Limit: 3, Offset: 1, Period: c.period}
		for i, want := range []Verdict{Admitted, Admitted, QuotaExhausted} {
			if got := m.admit(t0, nil, q); got != want {
				t.Fatalf("%s call %d: %v, want %v", c.period, i, got, want)
			}
		}
		if got := m.admit(c.same, nil, q); got != QuotaExhausted {
			t.Fatalf("%s same period: %v", c.period, got)
		}
		// a new period starts from zero: the offset counted in the first only
		for i := 0; i < 3; i++ {
			if got := m.admit(c.next, nil, q); got != Admitted {
				t.Fatalf("%s next period call %d: %v", c.period, i, got)
			}
		}
		if got := m.admit(c.next, nil, q); got != QuotaExhausted {
			t.Fatalf("%s next period over: %v", c.period, got)
		}
	}
}

func FuzzAuthorizerOutput(f *testing.F) {
	for _, seed := range []string{
		`{"principalId":"p","policyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]},"context":{"a":1}}`,
		`{"principalId":"p","policyDocument":{"Statement":{"Effect":"Deny","Action":["*"],"Resource":["arn:*/GET/*"]}}}`,
		`{"policyDocument":{"Statement":[{"Effect":"Allow","NotAction":"x","NotResource":"?"}]},"usageIdentifierKey":"k"}`,
		`{}`, `[`, `null`,
	} {
		f.Add([]byte(seed), "arn:aws:execute-api:us-east-1:000000000000:abc/prod/GET/pets")
	}
	f.Fuzz(func(t *testing.T, payload []byte, arn string) {
		out, ok := parseAuthorizerOutput(payload)
		if !ok {
			return
		}
		e := out.policy.Evaluate(arn)
		if e != effectNone && e != effectAllow && e != effectDeny {
			t.Fatalf("verdict %v", e)
		}
	})
}

func FuzzWildcardMatch(f *testing.F) {
	f.Add("arn:*:execute-api:*/GET/*", "arn:aws:execute-api:us-east-1:1:a/prod/GET/x")
	f.Add("a?c*", "abcdef")
	f.Add("***?", "")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		got := wildcardMatch(pattern, s)
		if pattern == s && !got {
			t.Fatalf("%q does not match itself", s)
		}
		if pattern == "*" && !got {
			t.Fatalf("* does not match %q", s)
		}
	})
}

// Concurrent calls with one key take exactly the bucket's tokens and the
// quota's allowance, never more.
func TestAdmitUnderConcurrency(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	s := NewStore("000000000000", func() time.Time { return now }, func() string { return "0123456789abcdef0123456789abcdef" })
	for _, c := range []struct {
		throttle *Throttle
		quota    *Quota
		want     Verdict
		admitted int
	}{
		{&Throttle{RateLimit: 0, BurstLimit: 20}, nil, Throttled, 20},
		{nil, &Quota{Limit: 30, Period: "DAY"}, QuotaExhausted, 30},
	} {
		s.Reset()
		a := s.CreateAPI("us-east-1", NewAPI{Name: "a"})
		a.deployments["d"] = &Deployment{ID: "d"}
		a.stages["prod"] = &Stage{Name: "prod", DeploymentID: "d"}
		p, err := s.CreateUsagePlan("us-east-1", NewUsagePlan{Name: "p", Stages: []PlanStage{{APIID: a.ID, Stage: "prod"}}, Throttle: c.throttle, Quota: c.quota})
		if err != nil {
			t.Fatal(err)
		}
		k, err := s.CreateAPIKey("us-east-1", NewAPIKey{Name: "k", Enabled: true, Value: "0123456789abcdefghijklmnop"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddPlanKey(p.ID, k.ID, "API_KEY"); err != nil {
			t.Fatal(err)
		}
		results := make(chan Verdict, 100)
		var wg sync.WaitGroup
		for g := 0; g < 10; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					_, v := s.Admit(k.Value, a.ID, "prod", "/", "GET", now)
					results <- v
				}
			}()
		}
		wg.Wait()
		close(results)
		counts := map[Verdict]int{}
		for v := range results {
			counts[v]++
		}
		if counts[Admitted] != c.admitted || counts[c.want] != 100-c.admitted {
			t.Errorf("verdicts %v, want %d admitted and the rest %v", counts, c.admitted, c.want)
		}
	}
}
