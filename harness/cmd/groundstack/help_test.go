package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestEveryCommandsHelp walks every subcommand of the built binary (those
// groundstack-flows serves included) and checks that NAME --help answers
// with exit 0 and a manual page's sections, and that the flags it lists
// are the ones completion offers.
func TestEveryCommandsHelp(t *testing.T) {
	bin := buildCLI(t)
	env := flowsEnv(t)
	help := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Errorf("groundstack %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return stdout.String()
	}
	flagLine := regexp.MustCompile(`(?m)^  -([a-z][a-z0-9-]*)`)
	for _, c := range commands {
		out := help(c.name, "--help")
		for _, sub := range c.subs {
			if c.name != "completion" {
				out += help(c.name, sub, "--help")
			}
		}
		for _, section := range []string{"Usage:", "Description:", "Examples:", "Exit status:", "Flags:"} {
			if !strings.Contains(out, section) {
				t.Errorf("groundstack %s --help has no %q section:\n%s", c.name, section, out)
			}
		}
		if !strings.Contains(out, "groundstack "+c.name) && !strings.Contains(out, "groundstack --version") {
			t.Errorf("groundstack %s --help does not show the command's use", c.name)
		}
		var listed []string
		for _, m := range flagLine.FindAllStringSubmatch(out, -1) {
			if !slices.Contains(listed, m[1]) {
				listed = append(listed, m[1])
			}
		}
		slices.Sort(listed)
		want := slices.Sorted(slices.Values(slices.Compact(slices.Sorted(slices.Values(c.flags)))))
		if !slices.Equal(listed, want) {
			t.Errorf("groundstack %s: --help lists flags %v, completion offers %v", c.name, listed, want)
		}
	}
	overview := help("help")
	for _, c := range commands {
		if c.name != "help" && !strings.Contains(overview, "groundstack "+c.name) {
			t.Errorf("groundstack help does not list %s", c.name)
		}
	}
	cmd := exec.Command(bin, "nonesuch")
	cmd.Env = env
	var ee *exec.ExitError
	if err := cmd.Run(); !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Errorf("an unknown command: %v, want exit status 2", err)
	}
	if v := help("--version"); !strings.HasPrefix(v, "groundstack ") {
		t.Errorf("--version printed %q", v)
	}
}

// TestCompletionScripts: each shell's script names every command; bash's
// parses (bash -n) and completes commands and flags when sourced; zsh's
// and fish's parse when those shells are installed.
func TestCompletionScripts(t *testing.T) {
	scripts := map[string]string{}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		var b bytes.Buffer
		if err := runCompletion([]string{sh}, &b); err != nil {
			t.Fatalf("completion %s: %v", sh, err)
		}
		scripts[sh] = b.String()
		for _, c := range commands {
			if !strings.Contains(b.String(), c.name) {
				t.Errorf("the %s script lacks %s", sh, c.name)
			}
		}
	}
	if err := runCompletion([]string{"tcsh"}, &bytes.Buffer{}); !errors.As(err, new(usageError)) {
		t.Errorf("completion tcsh: %v, want a usage error", err)
	}
	dir := t.TempDir()
	for sh, check := range map[string][]string{"bash": {"-n"}, "zsh": {"-n"}, "fish": {"--no-execute"}} {
		path, err := exec.LookPath(sh)
		if err != nil {
			if sh == "bash" {
				t.Fatal("bash is needed to check the bash script")
			}
			t.Logf("%s not installed: its script's syntax is not checked", sh)
			continue
		}
		f := dir + "/groundstack." + sh
		if err := os.WriteFile(f, []byte(scripts[sh]), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(path, append(check, f)...).CombinedOutput(); err != nil {
			t.Errorf("%s %v: %v\n%s", sh, check, err, out)
		}
	}
	complete := func(words ...string) []string {
		t.Helper()
		script := "source " + dir + "/groundstack.bash\nCOMP_WORDS=(" + strings.Join(words, " ") + ")\nCOMP_CWORD=" +
			string(rune('0'+len(words)-1)) + "\n_groundstack\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
		out, err := exec.Command("bash", "-c", script).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", words, err, out)
		}
		return strings.Fields(string(out))
	}
	if got := complete("groundstack", "lo"); !slices.Equal(got, []string{"logs", "load"}) {
		t.Errorf("groundstack lo<TAB> = %v", got)
	}
	if got := complete("groundstack", "logs", "--fi"); !slices.Equal(got, []string{"--filter"}) {
		t.Errorf("groundstack logs --fi<TAB> = %v", got)
	}
	if got := complete("groundstack", "faults", ""); !slices.Equal(got, []string{"add", "list", "clear"}) {
		t.Errorf("groundstack faults <TAB> = %v", got)
	}
	if got := complete("groundstack", "completion", "z"); !slices.Equal(got, []string{"zsh"}) {
		t.Errorf("groundstack completion z<TAB> = %v", got)
	}
}
