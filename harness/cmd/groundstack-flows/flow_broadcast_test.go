package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/groundstack/groundstack/harness/deploy/broadcast"
)

// The chat command up prints runs as pasted: the URL with its token comes
// out of the shell as one argument, exactly.
func TestBroadcastSummaryCommandSurvivesTheShell(t *testing.T) {
	st := broadcast.Names(broadcast.DefaultName)
	st.APIID, st.Stage, st.Token = "a1b2c3", "prod", "Zx-_09ab"
	st.URL = "ws://127.0.0.1:4566/_aws/execute-api/a1b2c3/prod"
	st.HostURL = "ws://a1b2c3.execute-api.localhost.localstack.cloud:4566/prod"
	st.ManagementURL = "http://127.0.0.1:4566/_aws/execute-api/a1b2c3/prod"
	out := broadcastSummary(st)
	var cmd string
	for _, line := range strings.Split(out, "\n") {
		if _, c, ok := strings.Cut(line, "chat:"); ok {
			cmd = strings.TrimSpace(c)
		}
	}
	if !strings.HasPrefix(cmd, "bin/groundstack ws ") {
		t.Fatalf("no chat command in:\n%s", out)
	}
	arg := strings.TrimPrefix(cmd, "bin/groundstack ws ")
	got, err := exec.Command("bash", "-c", "printf %s "+arg).Output()
	if err != nil || string(got) != "ws://127.0.0.1:4566/_aws/execute-api/a1b2c3/prod?token=Zx-_09ab" {
		t.Fatalf("the shell made %q of %s (%v)", got, arg, err)
	}
	for _, want := range []string{st.HostURL, `{"action":"sendmessage","data":"hi"}`, st.ManagementURL + "/@connections/", "awslocal dynamodb scan --table-name Messages --query Count", "| bin/groundstack ws 'ws://"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

func TestBroadcastIsAKnownFlow(t *testing.T) {
	if knownFlows["broadcast"] == nil {
		t.Fatal("broadcast is not registered")
	}
}
