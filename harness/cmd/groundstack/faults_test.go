package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator"
)

// groundstack faults add/list/clear against a running emulator, the
// rule from flags and as JSON, and the errors a user sees.
func TestFaultsCommand(t *testing.T) {
	e := emulator.New()
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	env := func(k string) string {
		if k == "GROUNDSTACK_ENDPOINT" {
			return e.URL()
		}
		return ""
	}
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := runFaults(args, &out, env)
		return out.String(), err
	}
	if _, err := run("add", "--service", "dynamodb", "--operation", "PutItem", "--error", "ProvisionedThroughputExceededException", "--probability", "0.05"); err != nil {
		t.Fatal(err)
	}
	if _, err := run("add", `{"service":"s3","error":"SlowDown","id":"s3-slow"}`); err != nil {
		t.Fatal(err)
	}
	out, err := run("list")
	if err != nil || !strings.Contains(out, `"ProvisionedThroughputExceededException"`) || !strings.Contains(out, `"probability": 0.05`) || !strings.Contains(out, `"s3-slow"`) {
		t.Fatalf("list: %v\n%s", err, out)
	}
	if len(e.Faults().List()) != 2 {
		t.Fatalf("rules in force: %+v", e.Faults().List())
	}
	if _, err := run("add", "--service", "dynamodb"); err == nil || !strings.Contains(err.Error(), `needs "error", "latency" or "drop"`) {
		t.Fatalf("a rule without an effect: %v", err)
	}
	if _, err := run("clear", "--id", "s3-slow"); err != nil {
		t.Fatal(err)
	}
	if _, err := run("clear", "--id", "s3-slow"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("clearing a rule twice: %v", err)
	}
	if _, err := run("clear"); err != nil || len(e.Faults().List()) != 0 {
		t.Fatalf("clear: %v %+v", err, e.Faults().List())
	}
	if _, err := run("explode"); err == nil {
		t.Fatal("an unknown subcommand was accepted")
	}
}
