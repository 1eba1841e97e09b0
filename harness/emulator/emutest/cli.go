package emutest

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"
)

// A new `aws` process costs about 0.65 s of CPU (Python start-up and
// imports); make test runs hundreds of CLI commands. When the `aws` on the
// PATH is CLI v1 and python3 imports the same awscli version, commands run in
// a few long-lived Python workers instead, through the CLI's own driver
// (awscli.clidriver, exactly what the `aws` script calls), at ~35 ms each.
// Anything else (CLI v2, a mismatch, no python3) runs one process per
// command as before. GROUNDSTACK_CLI_PROCESS=1 forces processes.

//go:embed awscli_worker.py
var workerScript string

const (
	cliTimeout = 60 * time.Second
	maxWorkers = 3
)

var cliVersionRE = regexp.MustCompile(`^aws-cli/(1\.[0-9.]+) `)

type cliPool struct {
	once    sync.Once
	enabled bool
	free    chan *cliWorker // idle workers
	mu      sync.Mutex
	started int // workers alive, at most maxWorkers
}

var pool = &cliPool{free: make(chan *cliWorker, maxWorkers)}

type cliWorker struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	answers *bufio.Reader
	done    chan struct{}
}

type cliRequest struct {
	Args []string          `json:"args"`
	Env  map[string]string `json:"env"`
	Cwd  string            `json:"cwd"`
}

type cliAnswer struct {
	Version string `json:"version"`
	Code    int    `json:"code"`
	Stdout  string `json:"stdout"`
	Stderr  string `json:"stderr"`
}

// usable says, once per test binary, whether workers can stand in for the
// `aws` on the PATH: it must be CLI v1 and python3 must import that version.
func (p *cliPool) usable(bin string) bool {
	p.once.Do(func() {
		if os.Getenv("GROUNDSTACK_CLI_PROCESS") == "1" {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, "--version")
		cmd.Env = CLIEnv()
		out, err := cmd.CombinedOutput()
		if err != nil {
			return
		}
		m := cliVersionRE.FindStringSubmatch(strings.TrimSpace(string(out)))
		if m == nil {
			return
		}
		w, err := startWorker()
		if err != nil {
			return
		}
		if w.version != m[1] {
			w.close()
			return
		}
		p.enabled, p.started = true, 1
		p.free <- w.cliWorker
	})
	return p.enabled
}

type startedWorker struct {
	*cliWorker
	version string
}

func startWorker() (startedWorker, error) {
	cmd := exec.Command("python3", "-c", workerScript)
	cmd.Env = CLIEnv()
	ar, aw, err := os.Pipe() // answers, fd 3
	if err != nil {
		return startedWorker{}, err
	}
	rr, rw, err := os.Pipe() // requests, fd 4
	if err != nil {
		ar.Close()
		aw.Close()
		return startedWorker{}, err
	}
	cmd.ExtraFiles = []*os.File{aw, rr}
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard // stdin: /dev/null, as for a process
	err = cmd.Start()
	aw.Close()
	rr.Close()
	if err != nil {
		ar.Close()
		rw.Close()
		return startedWorker{}, err
	}
	in := rw
	w := &cliWorker{cmd: cmd, in: in, answers: bufio.NewReaderSize(ar, 1<<16), done: make(chan struct{})}
	go func() { cmd.Wait(); ar.Close(); close(w.done) }()
	var hello cliAnswer
	if err := w.read(&hello, cliTimeout); err != nil {
		w.close()
		return startedWorker{}, err
	}
	return startedWorker{w, hello.Version}, nil
}

func (w *cliWorker) read(a *cliAnswer, timeout time.Duration) error {
	type result struct {
		line []byte
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := w.answers.ReadBytes('\n')
		ch <- result{line, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return fmt.Errorf("aws CLI worker: %w", r.err)
		}
		return json.Unmarshal(r.line, a)
	case <-time.After(timeout):
		w.close()
		<-ch
		return errors.New("aws CLI worker: no answer in " + timeout.String())
	}
}

func (w *cliWorker) close() {
	w.in.Close()
	if w.cmd.Process != nil {
		w.cmd.Process.Kill()
	}
	<-w.done
}

// get returns an idle worker, a new one while fewer than maxWorkers run,
// or waits for one to be free.
func (p *cliPool) get() (*cliWorker, error) {
	select {
	case w := <-p.free:
		return w, nil
	default:
	}
	p.mu.Lock()
	if p.started < maxWorkers {
		p.started++
		p.mu.Unlock()
		sw, err := startWorker()
		if err != nil {
			p.lost()
			return nil, err
		}
		return sw.cliWorker, nil
	}
	p.mu.Unlock()
	return <-p.free, nil
}

func (p *cliPool) lost() {
	p.mu.Lock()
	p.started--
	p.mu.Unlock()
}

// run runs one command line in a worker; a worker that fails is dropped and
// the command's error returned.
func (p *cliPool) run(args []string, env []string) (cliAnswer, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return cliAnswer{}, err
	}
	req := cliRequest{Args: args, Env: map[string]string{}, Cwd: cwd}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		req.Env[k] = v
	}
	line, err := json.Marshal(req)
	if err != nil {
		return cliAnswer{}, err
	}
	w, err := p.get()
	if err != nil {
		return cliAnswer{}, err
	}
	if _, err := w.in.Write(append(line, '\n')); err != nil {
		w.close()
		p.lost()
		return cliAnswer{}, err
	}
	var a cliAnswer
	if err := w.read(&a, cliTimeout); err != nil {
		w.close()
		p.lost()
		return cliAnswer{}, err
	}
	p.free <- w
	return a, nil
}

// runProcess runs the CLI as its own process.
func runProcess(bin string, args []string, env []string) (stdout, stderr string, code int, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return o.String(), e.String(), 0, err
		}
		return o.String(), e.String(), ee.ExitCode(), nil
	}
	return o.String(), e.String(), 0, nil
}
