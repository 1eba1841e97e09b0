package ec2host_test

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/groundstack/groundstack/harness/ec2host"
)

func TestExitCodes(t *testing.T) {
	f := start(t, nil)
	c := f.dial(t)
	cases := []struct {
		cmd    string
		code   int
		signal string
	}{
		{"true", 0, ""},
		{"exit 1", 1, ""},
		{"exit 2", 2, ""},
		{"exit 255", 255, ""},
		{"no-such-command-here", 127, ""},
		{"kill -KILL $$", 137, "KILL"},
		{"kill -TERM $$", 143, "TERM"},
		{"sh -c 'kill -KILL $$'; exit $?", 137, ""}, // a child's death, reported by the shell
	}
	for _, tc := range cases {
		t.Run(tc.cmd, func(t *testing.T) {
			r := exec(t, c, tc.cmd, nil)
			if r.err != nil {
				t.Fatal(r.err)
			}
			if r.code != tc.code || r.signal != tc.signal {
				t.Fatalf("code %d signal %q, want %d %q (stderr %q)", r.code, r.signal, tc.code, tc.signal, r.stderr)
			}
		})
	}
}

func TestStdoutStderrSeparate(t *testing.T) {
	f := start(t, nil)
	r := exec(t, f.dial(t), "echo out1; echo err1 >&2; echo out2; printf err2 >&2; exit 3", nil)
	if string(r.stdout) != "out1\nout2\n" || string(r.stderr) != "err1\nerr2" || r.code != 3 {
		t.Fatalf("%+v", r)
	}
}

func TestCleanEnvironmentInSandbox(t *testing.T) {
	t.Setenv("GROUNDSTACK_LEAK_CANARY", "leaked")
	f := start(t, nil)
	c := f.dial(t)
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Setenv("LC_ALL", "C"); err != nil {
		t.Fatalf("LC_* refused: %v", err)
	}
	if err := s.Setenv("EVIL", "1"); err == nil {
		t.Fatal("arbitrary env accepted")
	}
	out, err := s.Output("pwd; env")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	dir, _ := filepath.EvalSymlinks(f.h.Dir())
	if pwd, _ := filepath.EvalSymlinks(lines[0]); pwd != dir {
		t.Fatalf("pwd = %q, want %q", lines[0], f.h.Dir())
	}
	env := map[string]string{}
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, "=")
		env[k] = v
	}
	want := map[string]string{
		"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": f.h.Dir(), "LANG": "C.UTF-8",
		"USER": "ec2-user", "LC_ALL": "C",
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	for _, k := range []string{"GROUNDSTACK_LEAK_CANARY", "EVIL", "AWS_CA_BUNDLE"} {
		if _, ok := env[k]; ok {
			t.Errorf("%s leaked into the command's environment", k)
		}
	}
	if !strings.HasPrefix(env["SSH_CONNECTION"], "127.0.0.1 ") {
		t.Errorf("SSH_CONNECTION = %q", env["SSH_CONNECTION"])
	}
}

func TestStdin(t *testing.T) {
	f := start(t, nil)
	c := f.dial(t)
	if r := exec(t, c, "tr a-z A-Z", []byte("hello\n")); string(r.stdout) != "HELLO\n" {
		t.Fatalf("%+v", r)
	}
	// A client that never closes stdin still gets the exit status.
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	s.Stdout = &out
	if err := s.Run("echo ignored-stdin; exit 5"); err == nil {
		t.Fatal("want exit 5")
	} else if code, _, _ := exitOf(err); code != 5 || out.String() != "ignored-stdin\n" {
		t.Fatalf("code %d out %q", code, out.String())
	}
}

func TestOutputCap(t *testing.T) {
	f := start(t, func(c *ec2host.Config) { c.OutputCap = 1000 })
	c := f.dial(t)
	r := exec(t, c, "head -c 5000 /dev/zero; head -c 1500 /dev/zero | tr '\\0' e >&2; exit 7", nil)
	if r.code != 7 {
		t.Fatalf("code %d, want the real exit code 7", r.code)
	}
	if len(r.stdout) != 1000 {
		t.Fatalf("stdout %d bytes, want 1000", len(r.stdout))
	}
	errs := string(r.stderr)
	if !strings.HasPrefix(errs, strings.Repeat("e", 1000)) ||
		!strings.Contains(errs, "stdout truncated: 4000 bytes over the 1000-byte cap were dropped") ||
		!strings.Contains(errs, "stderr truncated: 500 bytes over the 1000-byte cap were dropped") {
		t.Fatalf("stderr = %q", errs[min(len(errs), 1000):])
	}
	// Under the cap nothing is said.
	if r := exec(t, c, "head -c 1000 /dev/zero", nil); len(r.stdout) != 1000 || len(r.stderr) != 0 {
		t.Fatalf("at the cap: %d bytes out, stderr %q", len(r.stdout), r.stderr)
	}
}

func TestTimeoutKillsProcessGroup(t *testing.T) {
	f := start(t, func(c *ec2host.Config) { c.CommandTimeout = 500 * time.Millisecond })
	c := f.dial(t)
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, _ := s.StdoutPipe()
	var errb bytes.Buffer
	s.Stderr = &errb
	if err := s.Start("sleep 300 & echo $!; wait"); err != nil {
		t.Fatal(err)
	}
	pid := readPID(t, out)
	go io.Copy(io.Discard, out)
	code, _, other := exitOf(s.Wait())
	if other != nil || code != 124 {
		t.Fatalf("code %d err %v, want 124", code, other)
	}
	if !strings.Contains(errb.String(), "command timed out after 500ms") {
		t.Fatalf("stderr = %q", errb.String())
	}
	waitGone(t, pid)
}

func TestClientGoneKillsProcessGroup(t *testing.T) {
	for _, how := range []string{"close channel", "signal KILL", "signal TERM", "close connection"} {
		t.Run(how, func(t *testing.T) {
			f := start(t, nil)
			c := f.dial(t)
			s, err := c.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			out, _ := s.StdoutPipe()
			if err := s.Start("sleep 300 & echo $!; wait"); err != nil {
				t.Fatal(err)
			}
			pid := readPID(t, out)
			go io.Copy(io.Discard, out)
			switch how {
			case "close channel":
				s.Close()
			case "signal KILL":
				s.Signal(gossh.SIGKILL)
			case "signal TERM":
				s.Signal(gossh.SIGTERM)
			case "close connection":
				c.Close()
			}
			waitGone(t, pid)
			if strings.HasPrefix(how, "signal") {
				code, sig, _ := exitOf(s.Wait())
				if want := strings.TrimPrefix(how, "signal "); sig != want || code < 128 {
					t.Fatalf("after %s: code %d signal %q", how, code, sig)
				}
			}
		})
	}
}

func TestStdoutClosedEarly(t *testing.T) {
	f := start(t, nil)
	c := f.dial(t)
	for _, cmd := range []string{
		"exec 1>&-; echo still-here >&2; exit 3",
		"echo first; exec >&-; sleep 0.2; echo still-here >&2; exit 3",
		"exec 1>&- 0<&-; echo still-here >&2; exit 3",
	} {
		r := exec(t, c, cmd, nil)
		if r.code != 3 || string(r.stderr) != "still-here\n" {
			t.Fatalf("%s: %+v", cmd, r)
		}
	}
}

func TestBinaryOutputIntact(t *testing.T) {
	f := start(t, nil)
	data := make([]byte, 300<<10)
	rand.Read(data)
	for i := range 256 {
		data[i] = byte(i) // every byte value, NUL and \r\n included
	}
	r := exec(t, f.dial(t), "cat", data)
	if r.code != 0 || !bytes.Equal(r.stdout, data) {
		t.Fatalf("code %d, %d bytes back of %d, equal=%v", r.code, len(r.stdout), len(data), bytes.Equal(r.stdout, data))
	}
}

func TestInteractiveShellWithoutPTY(t *testing.T) {
	f := start(t, nil)
	s, err := f.dial(t).NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err == nil {
		t.Fatal("pty-req accepted")
	}
	var out bytes.Buffer
	s.Stdout = &out
	s.Stdin = strings.NewReader("echo from-shell\nexit 4\n")
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	code, _, _ := exitOf(s.Wait())
	if code != 4 || out.String() != "from-shell\n" {
		t.Fatalf("code %d out %q", code, out.String())
	}
}

func TestParallelSessions(t *testing.T) {
	f := start(t, nil)
	shared := f.dial(t)
	for _, mode := range []string{"one connection", "ten connections"} {
		t.Run(mode, func(t *testing.T) {
			var wg sync.WaitGroup
			errs := make(chan error, 10)
			for i := range 10 {
				wg.Go(func() {
					c := shared
					if mode == "ten connections" {
						var err error
						if c, err = gossh.Dial("tcp", f.h.Addr(), f.config("ec2-user")); err != nil {
							errs <- err
							return
						}
						defer c.Close()
					}
					s, err := c.NewSession()
					if err != nil {
						errs <- err
						return
					}
					defer s.Close()
					out, err := s.Output(fmt.Sprintf("sleep 0.2; echo %d; exit 0", i))
					if err != nil || string(out) != fmt.Sprintf("%d\n", i) {
						errs <- fmt.Errorf("session %d: out %q err %v", i, out, err)
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

func TestFilesWrittenByCommandsStayInDir(t *testing.T) {
	f := start(t, nil)
	exec(t, f.dial(t), "echo hi > note.txt", nil)
	b, err := os.ReadFile(filepath.Join(f.h.Dir(), "note.txt"))
	if err != nil || string(b) != "hi\n" {
		t.Fatalf("note.txt = %q, %v", b, err)
	}
}

// Many fast commands in a row: the exec reply must reach the client before
// the command's exit closes the channel.
func TestManyFastExecs(t *testing.T) {
	f := start(t, nil)
	c := f.dial(t)
	for i := range 200 {
		if r := exec(t, c, "true", nil); r.err != nil || r.code != 0 {
			t.Fatalf("exec %d: %+v", i, r)
		}
	}
}
