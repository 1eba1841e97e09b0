package control

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// InitReport is GET /_localstack/init's answer, in LocalStack's shape.
type InitReport struct {
	Completed map[string]bool `json:"completed"`
	Scripts   []HookScript    `json:"scripts"`
}

// HookScript is one init script and how it went.
type HookScript struct {
	Stage  string `json:"stage"`
	Name   string `json:"name"`
	State  string `json:"state"` // UNKNOWN, RUNNING, SUCCESSFUL, ERROR
	Output string `json:"output,omitempty"`
}

// InitReport is a copy of the init hooks' report, safe to read while they run.
func (p *Plane) InitReport() InitReport {
	p.mu.Lock()
	defer p.mu.Unlock()
	return InitReport{Completed: maps.Clone(p.hooks.Completed), Scripts: slices.Clone(p.hooks.Scripts)}
}

// hookTimeout bounds one init script; hookWaitDelay bounds how long a
// killed script's leftover children may hold its output open.
const (
	hookTimeout   = 5 * time.Minute
	hookWaitDelay = 2 * time.Second
)

// StartInitHooks marks the READY stage pending and runs dir/ready.d's
// scripts in the background with the edge's endpoint in AWS_ENDPOINT_URL;
// Close cancels them and waits for them.
func (p *Plane) StartInitHooks(dir, endpoint string) {
	p.mu.Lock()
	p.hooks.Completed["READY"] = false
	p.mu.Unlock()
	p.hooksRunning.Go(func() { p.runInitHooks(p.life, dir, endpoint) })
}

// Close cancels the init hooks still running (killing each script's
// process group) and waits until they have stopped, as httptest.Server.Close
// waits for what it started. It is safe to call more than once.
func (p *Plane) Close() error {
	p.stop()
	p.hooksRunning.Wait()
	return nil
}

// runInitHooks runs dir/ready.d's scripts in name order, once: .sh files
// through sh, .py files through python3, other files directly when
// executable. Once ctx is done no further script starts.
func (p *Plane) runInitHooks(ctx context.Context, dir, endpoint string) {
	ready := filepath.Join(dir, "ready.d")
	entries, _ := os.ReadDir(ready)
	var scripts []string
	for _, e := range entries {
		if e.Type().IsRegular() || e.Type()&os.ModeSymlink != 0 {
			scripts = append(scripts, e.Name())
		}
	}
	sort.Strings(scripts)
	p.mu.Lock()
	for _, s := range scripts {
		p.hooks.Scripts = append(p.hooks.Scripts, HookScript{Stage: "READY", Name: s, State: "UNKNOWN"})
	}
	p.mu.Unlock()
	for i, name := range scripts {
		if ctx.Err() != nil {
			return // closed: READY never completed, the rest stay UNKNOWN
		}
		p.setHook(i, "RUNNING", "")
		path := filepath.Join(ready, name)
		var cmd *exec.Cmd
		cctx, cancel := context.WithTimeout(ctx, hookTimeout)
		switch {
		case strings.HasSuffix(name, ".sh"):
			cmd = exec.CommandContext(cctx, "sh", path)
		case strings.HasSuffix(name, ".py"):
			cmd = exec.CommandContext(cctx, "python3", path)
		default:
			if st, err := os.Stat(path); err != nil || st.Mode()&0o111 == 0 {
				cancel()
				p.setHook(i, "ERROR", "not executable")
				continue
			}
			cmd = exec.CommandContext(cctx, path)
		}
		cmd.Dir = ready
		// Own process group, killed whole: a script's children (sleep, aws)
		// must not outlive it or keep its output pipe open.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
		cmd.WaitDelay = hookWaitDelay
		env, revoke, err := p.hookEnv(name, endpoint)
		if err != nil {
			cancel()
			p.setHook(i, "ERROR", "no credentials for the hook: "+err.Error())
			continue
		}
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err = cmd.Run()
		cancel()
		revoke()
		tail := out.String()
		if len(tail) > 4096 {
			tail = tail[len(tail)-4096:]
		}
		if err != nil {
			p.setHook(i, "ERROR", tail)
			p.env.Log.Warn("init hook failed", "script", name, "err", err)
		} else {
			p.setHook(i, "SUCCESSFUL", tail)
		}
	}
	p.mu.Lock()
	p.hooks.Completed["READY"] = true
	p.mu.Unlock()
}

// hookEnv is a hook's environment: the emulator's, without its access
// keys, with the endpoint and region, and credentials the emulator accepts.
// In strict mode those are a session of the account's own, revoked when the
// hook ends (the host's credentials would be refused, and the emulator's
// keys must not reach a script); otherwise the host's, or the test ones
// when there are none, as awslocal does.
func (p *Plane) hookEnv(name, endpoint string) (env []string, revoke func(), err error) {
	revoke = func() {}
	_, strict := p.env.Links.Get(cloud.LinkSigV4).(cloud.RequestVerifier)
	var creds cloud.TemporaryCredentials
	if strict {
		iss, ok := p.env.Links.Get(cloud.LinkCredentials).(cloud.CredentialIssuer)
		if !ok {
			return nil, nil, errors.New("no service issues sessions")
		}
		if creds, revoke, err = iss.IssueSession("", "init-hook"); err != nil {
			return nil, nil, err
		}
	}
	hasKey := false
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "GROUNDSTACK_ACCESS_KEYS"):
			continue
		case strict && (k == "AWS_ACCESS_KEY_ID" || k == "AWS_SECRET_ACCESS_KEY" || k == "AWS_SESSION_TOKEN" ||
			k == "AWS_PROFILE" || k == "AWS_SHARED_CREDENTIALS_FILE" || k == "AWS_CONFIG_FILE"):
			continue
		case k == "AWS_ACCESS_KEY_ID" || k == "AWS_PROFILE":
			hasKey = true
		}
		env = append(env, kv)
	}
	env = append(env, "AWS_ENDPOINT_URL="+endpoint, "LOCALSTACK_HOST="+strings.TrimPrefix(endpoint, "http://"),
		"AWS_DEFAULT_REGION="+p.env.Region)
	switch {
	case strict:
		env = append(env, "AWS_ACCESS_KEY_ID="+creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+creds.SecretAccessKey,
			"AWS_SESSION_TOKEN="+creds.SessionToken)
	case !hasKey:
		env = append(env, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test")
	}
	return env, revoke, nil
}

func (p *Plane) setHook(i int, state, output string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hooks.Scripts[i].State = state
	p.hooks.Scripts[i].Output = output
}
