package main

import (
	"os/exec"
	"testing"
)

// What up prints is pasted into a shell: a quoted value comes out of it
// exactly, whatever characters a password has.
func TestShellQuoteSurvivesTheShell(t *testing.T) {
	for _, s := range []string{"", "plain", `it's "x" $HOME ; rm -rf / ` + "`id`", `\'\\`, "tab\tnewline\n"} {
		out, err := exec.Command("bash", "-c", "printf %s "+shellQuote(s)).Output()
		if err != nil || string(out) != s {
			t.Errorf("%q came out as %q (%v)", s, out, err)
		}
	}
}
