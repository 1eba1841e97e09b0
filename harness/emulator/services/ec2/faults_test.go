package ec2_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// faults sends method with body to the emulator's /_groundstack/faults.
func (f fixture) faults(t *testing.T, method, body string) {
	t.Helper()
	req, err := http.NewRequest(method, f.e.URL()+"/_groundstack/faults", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s faults %s: %d %s", method, body, resp.StatusCode, b)
	}
}

// An instance's host asks the rules targeting ssh by the instance's id or
// private DNS name, in the instance's region.
func TestHostAsksTheSSHFaultRules(t *testing.T) {
	f, l := withHosts(t)
	ins := f.run(t, 2)
	id, other := aws.ToString(ins[0].InstanceId), aws.ToString(ins[1].InstanceId)
	f.waitRunning(t, id, other)
	h, o := l.host(t, id), l.host(t, other)
	if h.spec.Fault == nil {
		t.Fatal("the host was launched without its fault check")
	}
	if hit := h.spec.Fault(false); hit != nil {
		t.Fatalf("no rule, hit %+v", hit)
	}

	f.faults(t, "POST", `{"target":"ssh","service":"ec2","resource":"`+id+`","drop":true}`)
	if hit := h.spec.Fault(false); hit == nil || !hit.Drop {
		t.Fatalf("outage of %s: %+v", id, hit)
	}
	if hit := o.spec.Fault(false); hit != nil {
		t.Fatalf("the outage of %s hit %s: %+v", id, other, hit)
	}
	f.faults(t, "DELETE", "")
	if hit := h.spec.Fault(false); hit != nil {
		t.Fatalf("after DELETE: %+v", hit)
	}

	f.faults(t, "POST", `[{"target":"ssh","resource":"ip-127-0-0-1.ec2.internal","latency":"10ms"},
		{"target":"ssh","service":"ec2","region":"eu-west-1","resource":"i-*","drop":true}]`)
	if hit := o.spec.Fault(false); hit == nil || hit.Drop || hit.Delay <= 0 {
		t.Fatalf("latency by host name: %+v", hit)
	}
	// the periodic checks ask only the rules that drop: a delay neither
	// answers them nor counts their asking as a hit
	if hit := o.spec.Fault(true); hit != nil {
		t.Fatalf("a drop-only check hit a latency rule: %+v", hit)
	}
	if rules := f.e.Faults().List(); rules[0].Hits != 1 {
		t.Fatalf("the latency rule's hits: %d, want 1", rules[0].Hits)
	}
	f.faults(t, "DELETE", "")
	f.faults(t, "POST", `{"target":"ssh","service":"ec2","region":"eu-west-1","resource":"i-*","drop":true}`)
	if hit := h.spec.Fault(false); hit != nil {
		t.Fatalf("an outage in eu-west-1 hit a host in us-east-1: %+v", hit)
	}
	f.faults(t, "POST", `{"target":"api","service":"ec2","operation":"DescribeInstances","latency":"1ms"}`)
	if hit := h.spec.Fault(false); hit != nil {
		t.Fatalf("an api rule hit the host: %+v", hit)
	}
}
