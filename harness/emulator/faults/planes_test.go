package faults

import (
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

func TestDataPlaneRules(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	n := 0
	e := New(func() time.Time { return now }, func() string { n++; return "r" + string(rune('0'+n)) })
	if hit := e.Fault(cloud.PlaneColdStart, "lambda", "us-east-1", "orders-api"); hit != nil {
		t.Fatalf("no rule, hit %+v", hit)
	}
	for _, r := range []Rule{
		{Service: "dynamodb", Operation: "PutItem", Error: "ThrottlingException"},              // api: never a plane's
		{Target: cloud.PlaneColdStart, Service: "lambda", Resource: "orders-*", Latency: "2s"}, // one function's starts
		{Target: cloud.PlaneInvoke, Resource: "arn:aws:lambda:*:function:crashy", Crash: true, Times: 1},
		{Target: cloud.PlaneSSH, Region: "eu-west-1", Drop: true},
	} {
		if _, err := e.Add(r); err != nil {
			t.Fatalf("%+v: %v", r, err)
		}
	}
	if hit := e.Fault(cloud.PlaneColdStart, "lambda", "us-east-1", "payments"); hit != nil {
		t.Errorf("cold start of another function: %+v", hit)
	}
	if hit := e.Fault(cloud.PlaneColdStart, "lambda", "us-east-1", "orders-api"); hit == nil || hit.Delay != 2*time.Second || hit.Crash || hit.Rule != "r2" {
		t.Errorf("cold start of orders-api: %+v", hit)
	}
	if hit := e.Fault(cloud.PlaneInvoke, "lambda", "us-east-1", "crashy", "arn:aws:lambda:us-east-1:000000000000:function:crashy"); hit == nil || !hit.Crash {
		t.Errorf("invoke of crashy: %+v", hit)
	}
	if hit := e.Fault(cloud.PlaneInvoke, "lambda", "us-east-1", "crashy", "arn:aws:lambda:us-east-1:000000000000:function:crashy"); hit != nil {
		t.Errorf("a rule with times 1 hit twice: %+v", hit)
	}
	if hit := e.Fault(cloud.PlaneSSH, "ec2", "us-east-1", "i-1"); hit != nil {
		t.Errorf("ssh outage in another region: %+v", hit)
	}
	if hit := e.Fault(cloud.PlaneSSH, "ec2", "eu-west-1", "i-1"); hit == nil || !hit.Drop {
		t.Errorf("ssh outage: %+v", hit)
	}
	if hit := e.Fault(cloud.PlaneDelivery, "dynamodb", "us-east-1", "orders"); hit != nil {
		t.Errorf("an api rule hit a delivery: %+v", hit)
	}
	var none *Engine
	if none.Fault(cloud.PlaneSSH, "ec2", "eu-west-1") != nil {
		t.Error("a nil engine hit")
	}
	rules := e.List()
	if rules[0].Target != TargetAPI || rules[1].Hits != 1 || rules[2].Hits != 1 || rules[3].Hits != 1 {
		t.Errorf("listed: %+v", rules)
	}
}

// The periodic checks of open connections ask only the rules that drop:
// they neither answer to nor use up a rule that delays.
func TestDroppedAsksOnlyRulesThatDrop(t *testing.T) {
	e := New(time.Now, func() string { return "slow" })
	if _, err := e.Add(Rule{Target: cloud.PlaneWebSocket, Latency: "1s", Times: 2}); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if e.Dropped(cloud.PlaneWebSocket, "apigatewayv2", "us-east-1", "abc123") {
			t.Fatal("a latency rule dropped")
		}
	}
	if hit := e.Fault(cloud.PlaneWebSocket, "apigatewayv2", "us-east-1", "abc123"); hit == nil || hit.Delay != time.Second {
		t.Fatalf("the latency rule was used up by the drop checks: %+v", hit)
	}
	if _, err := e.Add(Rule{ID: "cut", Target: cloud.PlaneWebSocket, Drop: true, Times: 1}); err != nil {
		t.Fatal(err)
	}
	if !e.Dropped(cloud.PlaneWebSocket, "apigatewayv2", "us-east-1", "abc123") || e.Dropped(cloud.PlaneWebSocket, "apigatewayv2", "us-east-1", "abc123") {
		t.Fatal("a drop rule with times 1 did not drop exactly once")
	}
	if rules := e.List(); rules[0].Hits != 1 || rules[1].Hits != 1 {
		t.Fatalf("hits: %+v", rules)
	}
}
