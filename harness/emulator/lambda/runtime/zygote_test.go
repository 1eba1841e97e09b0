package runtime

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	goruntime "runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

func TestZygoteFits(t *testing.T) {
	z := &zygote{modules: map[string]bool{"boto3": true, "botocore": true, "six": true, "json": true}}
	cases := []struct {
		name  string
		files []string // under the task root, or opt/… for the layers
		env   map[string]string
		fits  bool
	}{
		{"plain handler", []string{"app.py", "helpers/util.py", "data.json.txt"}, nil, true},
		{"own boto3 package", []string{"app.py", "boto3/__init__.py"}, nil, false},
		{"own six module", []string{"app.py", "six.py"}, nil, false},
		{"own compiled botocore", []string{"botocore.cpython-311-x86_64-linux-gnu.so"}, nil, false},
		{"own json shadows the standard library", []string{"json/__init__.py"}, nil, false},
		{"layer ships botocore", []string{"app.py", "opt/python/lib/python3.12/site-packages/botocore/__init__.py"}, nil, false},
		{"layer ships six at its root", []string{"opt/python/six.py"}, nil, false},
		{"layer with other packages", []string{"opt/python/requests/__init__.py"}, nil, true},
		{"native libraries in the code", []string{"app.py", "lib/libfoo.so"}, nil, false},
		{"native libraries in a layer", []string{"opt/lib/libfoo.so"}, nil, false},
		{"PYTHONHASHSEED", []string{"app.py"}, map[string]string{"PYTHONHASHSEED": "0"}, false},
		{"PYTHONPATH", []string{"app.py"}, map[string]string{"PYTHONPATH": "/x"}, false},
		{"LD_PRELOAD", []string{"app.py"}, map[string]string{"LD_PRELOAD": "/x.so"}, false},
		{"LANG", []string{"app.py"}, map[string]string{"LANG": "C"}, false},
		{"ordinary variables", []string{"app.py"}, map[string]string{"TABLE": "t", "TZ": "Europe/Paris"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			root, opt := filepath.Join(dir, "task"), filepath.Join(dir, "opt")
			os.MkdirAll(root, 0o700)
			for _, f := range c.files {
				p := filepath.Join(root, f)
				if rest, ok := strings.CutPrefix(f, "opt/"); ok {
					p = filepath.Join(opt, rest)
				}
				os.MkdirAll(filepath.Dir(p), 0o700)
				os.WriteFile(p, nil, 0o600)
			}
			layerOpt := ""
			if _, err := os.Stat(opt); err == nil {
				layerOpt = opt
			}
			x := New(Config{})
			defer x.Close()
			fn := &Function{Name: "f", Region: "us-east-1", Runtime: "python3.12", Handler: "app.handler", Env: c.env, MemoryMB: 128}
			env := x.instanceEnv(fn, cloud.TemporaryCredentials{AccessKeyID: "test", SecretAccessKey: "test"}, instancePlaces{root, dir, layerOpt, "3.12.1"}, "127.0.0.1:1", "s")
			if got := zygoteFits(z, c.env, env, root, layerOpt); got != c.fits {
				t.Fatalf("fits = %v, want %v", got, c.fits)
			}
		})
	}
}

func TestWaitStatusText(t *testing.T) {
	// The words os.ProcessState uses, which AWS's Runtime.ExitError quotes.
	for ws, want := range map[syscall.WaitStatus]string{
		1 << 8:                       "exit status 1",
		syscall.WaitStatus(9):        "signal: killed",
		syscall.WaitStatus(6 | 0x80): "signal: aborted (core dumped)",
	} {
		if got := waitStatusError(ws).Error(); got != want {
			t.Errorf("%#x: %q, want %q", int(ws), got, want)
		}
	}
	if err := (&zchild{done: closedChan(), status: 0}).wait(); err != nil {
		t.Errorf("exit 0: %v", err)
	}
	for v, want := range map[string]ZygoteMode{"": ZygotePreload, "off": ZygoteOff, "0": ZygoteOff, "bare": ZygoteBare, "on": ZygotePreload} {
		if got := zygoteModeFromEnv(v); got != want {
			t.Errorf("%s=%q: %q, want %q", EnvZygote, v, got, want)
		}
	}
}

func closedChan() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}

func needPython(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("no python3 on this machine")
	}
}

func pyZip(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func invokeJSON(t *testing.T, p *Pool, out any) {
	t.Helper()
	res, err := p.Invoke(context.Background(), &Request{RequestID: "r", Payload: []byte(`{}`), InvokedARN: p.fn.ARN, TraceID: "Root=1-0-0", Tail: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != Succeeded {
		t.Fatalf("outcome %d: %s\n%s", res.Outcome, res.Payload, res.LogTail)
	}
	if err := json.Unmarshal(res.Payload, out); err != nil {
		t.Fatalf("%v: %s", err, res.Payload)
	}
}

const reportHandler = `
import json, os, sys
def handler(event, context):
    import layermod
    try:
        import botocore
        leaked = hasattr(botocore, "_groundstack_leak")
        botocore._groundstack_leak = True
    except ImportError:
        leaked = False
    leaked = leaked or "LEAK" in os.environ
    os.environ["LEAK"] = "1"
    return {"env": dict(os.environ), "path": sys.path, "cwd": os.getcwd(), "argv": sys.argv,
            "pid": os.getpid(), "ppid": os.getppid(), "pgid": os.getpgid(0),
            "dwb": sys.dont_write_bytecode, "enc": sys.stdout.encoding, "layer": layermod.__file__,
            "leaked": leaked}
`

type report struct {
	Env    map[string]string
	Path   []string
	Cwd    string
	Argv   []string
	Pid    int
	Ppid   int
	Pgid   int
	Dwb    bool
	Enc    string
	Layer  string
	Leaked bool
}

// TestZygoteInstanceMatchesAFreshInterpreter: an instance forked from the
// zygote sees what `python3 bootstrap.py` would: the same environment,
// sys.path (task root, then the layers, then the interpreter's own),
// working directory and argv, in a process group of its own; and nothing
// one function did reaches another's instance.
func TestZygoteInstanceMatchesAFreshInterpreter(t *testing.T) {
	needPython(t)
	t.Parallel()
	run := func(mode ZygoteMode, names ...string) (*Executor, []report) {
		x := New(Config{Zygote: mode, InitTimeout: 2 * time.Minute})
		t.Cleanup(func() { x.Close() })
		code, err := x.StoreCode(pyZip(t, map[string]string{"app.py": reportHandler}))
		if err != nil {
			t.Fatal(err)
		}
		layer, err := x.StoreCode(pyZip(t, map[string]string{"python/layermod.py": "X = 1\n"}))
		if err != nil {
			t.Fatal(err)
		}
		var out []report
		for _, name := range names {
			p := x.NewPool(&Function{Name: name, ARN: "arn:aws:lambda:us-east-1:000000000000:function:" + name, Version: "$LATEST",
				Region: "us-east-1", Runtime: "python3.12", Handler: "app.handler", CodeSHA256: code, Layers: []string{layer},
				Env: map[string]string{"TABLE": "orders", "TZ": "Europe/Paris"}, Timeout: time.Minute, MemoryMB: 128})
			var r report
			invokeJSON(t, p, &r)
			// Everything that names a directory of this executor.
			norm := func(s string) string { return strings.ReplaceAll(s, x.cache.dir, "<cache>") }
			for k, v := range r.Env {
				r.Env[k] = norm(v)
			}
			for i := range r.Path {
				r.Path[i] = norm(r.Path[i])
			}
			r.Cwd, r.Layer = norm(r.Cwd), norm(r.Layer)
			for i := range r.Argv {
				r.Argv[i] = norm(r.Argv[i])
			}
			out = append(out, r)
		}
		return x, out
	}
	_, fresh := run(ZygoteOff, "fresh")
	zx, forked := run(ZygotePreload, "forked", "other")
	f, z := fresh[0], forked[0]
	if f.Ppid != os.Getpid() {
		t.Fatalf("the plain instance's parent is %d, not the emulator", f.Ppid)
	}
	zx.mu.Lock()
	zpid := zx.zygotes[pythonPathOf(t, zx)].z.cmd.Process.Pid
	zx.mu.Unlock()
	if z.Ppid != zpid || forked[1].Ppid != zpid {
		t.Fatalf("instances' parents %d and %d, want the zygote %d", z.Ppid, forked[1].Ppid, zpid)
	}
	for _, r := range []report{f, z} {
		if r.Pgid != r.Pid {
			t.Fatalf("instance %d is in process group %d, not its own", r.Pid, r.Pgid)
		}
	}
	// Per instance: the Runtime API's port, the log stream, the scratch
	// directory.
	for _, k := range []string{"AWS_LAMBDA_RUNTIME_API", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_FUNCTION_NAME", "HOME", "TMPDIR", "AWS_LAMBDA_LOG_GROUP_NAME"} {
		if f.Env[k] == "" || z.Env[k] == "" {
			t.Errorf("%s missing: %q %q", k, f.Env[k], z.Env[k])
		}
		delete(f.Env, k)
		delete(z.Env, k)
	}
	if !reflect.DeepEqual(f.Env, z.Env) {
		t.Errorf("environments differ:\nfresh  %v\nforked %v", f.Env, z.Env)
	}
	if !reflect.DeepEqual(f.Path, z.Path) {
		t.Errorf("sys.path differs:\nfresh  %q\nforked %q", f.Path, z.Path)
	}
	if f.Cwd != z.Cwd || !reflect.DeepEqual(f.Argv, z.Argv) || f.Dwb != z.Dwb || f.Enc != z.Enc || f.Layer != z.Layer {
		t.Errorf("fresh %+v\nforked %+v", f, z)
	}
	if z.Env["TZ"] != "Europe/Paris" || z.Env["TABLE"] != "orders" {
		t.Errorf("the function's variables: %v", z.Env)
	}
	if forked[0].Leaked || forked[1].Leaked {
		t.Errorf("an instance saw what another did: %+v", forked)
	}
}

func pythonPathOf(t *testing.T, x *Executor) string {
	t.Helper()
	in := x.interpreter("python3.12")
	if in.err != nil {
		t.Fatal(in.err)
	}
	return in.path
}

// TestZygoteLeavesShippedModulesToTheFunction: a function that ships its
// own boto3 imports its own, not the one the zygote preloaded; a zygote
// that dies takes its instances with it and is replaced; one that stops
// answering leaves the instance to a fresh interpreter.
func TestZygoteLeavesShippedModulesToTheFunction(t *testing.T) {
	needPython(t)
	t.Parallel()
	x := New(Config{Zygote: ZygotePreload, InitTimeout: 2 * time.Minute})
	defer x.Close()
	code, err := x.StoreCode(pyZip(t, map[string]string{
		"boto3/__init__.py": "SHIPPED = True\n",
		"app.py":            "import os, boto3\ndef handler(e, c):\n    return {'boto': boto3.__file__, 'ppid': os.getppid(), 'pid': os.getpid()}\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	fn := func(name string) *Pool {
		return x.NewPool(&Function{Name: name, ARN: "arn", Version: "$LATEST", Region: "us-east-1", Runtime: "python3.12",
			Handler: "app.handler", CodeSHA256: code, Timeout: time.Minute, MemoryMB: 128})
	}
	var r struct {
		Boto      string
		Ppid, Pid int
	}
	invokeJSON(t, fn("shipped"), &r)
	if !strings.HasPrefix(r.Boto, x.cache.dir) || r.Ppid != os.Getpid() {
		t.Fatalf("boto3 from %s, parent %d: want the function's own, in a fresh interpreter", r.Boto, r.Ppid)
	}

	// A zygote killed under its instances.
	plain, err := x.StoreCode(pyZip(t, map[string]string{"app.py": "import os\ndef handler(e, c):\n    return {'ppid': os.getppid(), 'pid': os.getpid()}\n"}))
	if err != nil {
		t.Fatal(err)
	}
	p := x.NewPool(&Function{Name: "plain", ARN: "arn", Version: "$LATEST", Region: "us-east-1", Runtime: "python3.12",
		Handler: "app.handler", CodeSHA256: plain, Timeout: time.Minute, MemoryMB: 128})
	invokeJSON(t, p, &r)
	first := r.Ppid
	if first == os.Getpid() {
		t.Fatal("not forked from the zygote")
	}
	syscall.Kill(first, syscall.SIGKILL)
	deadline := time.Now().Add(time.Minute)
	for len(p.PIDs()) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the instance outlived its zygote")
		}
		time.Sleep(20 * time.Millisecond)
	}
	invokeJSON(t, p, &r)
	if r.Ppid == first || r.Ppid == os.Getpid() {
		t.Fatalf("after the zygote died: parent %d (old zygote %d)", r.Ppid, first)
	}

	// A zygote that stops answering is replaced by a fresh interpreter.
	second := r.Ppid
	x.mu.Lock()
	z := x.zygotes[pythonPathOf(t, x)].z
	x.mu.Unlock()
	z.answerWithin = 200 * time.Millisecond
	syscall.Kill(second, syscall.SIGSTOP)
	p2 := x.NewPool(&Function{Name: "plain2", ARN: "arn", Version: "$LATEST", Region: "us-east-1", Runtime: "python3.12",
		Handler: "app.handler", CodeSHA256: plain, Timeout: time.Minute, MemoryMB: 128})
	invokeJSON(t, p2, &r)
	if r.Ppid != os.Getpid() {
		t.Fatalf("with its zygote stopped, an instance's parent is %d", r.Ppid)
	}
	<-z.exited
}

// TestZygoteChildEntersTheSandbox: where the machine allows private mount
// namespaces, a forked instance can be given what the namespace sandbox
// gives a fresh one: its own /tmp of the size asked, and read-only code.
func TestZygoteChildEntersTheSandbox(t *testing.T) {
	needPython(t)
	errc := make(chan error, 1)
	go func() {
		goruntime.LockOSThread() // never unlocked: the thread goes with its namespace
		errc <- syscall.Unshare(syscall.CLONE_NEWNS)
	}()
	if err := <-errc; err != nil {
		t.Skipf("no private mount namespaces here: %v", err)
	}
	t.Parallel()
	x := New(Config{Zygote: ZygoteBare, InitTimeout: 2 * time.Minute})
	defer x.Close()
	x.zygoteSandboxOf = func(*Function) *zygoteSandbox { return &zygoteSandbox{TmpMB: 64, ReadOnly: x.cache.dir} }
	code, err := x.StoreCode(pyZip(t, map[string]string{"app.py": `
import errno, os
def handler(e, c):
    st = os.statvfs("/tmp")
    open("/tmp/scratch", "w").write("x")
    try:
        open(os.path.join(os.environ["LAMBDA_TASK_ROOT"], "new.py"), "w")
        ro = 0
    except OSError as err:
        ro = err.errno
    return {"tmp_mb": st.f_blocks * st.f_frsize // (1 << 20), "ro": ro, "erofs": errno.EROFS, "ppid": os.getppid()}
`}))
	if err != nil {
		t.Fatal(err)
	}
	p := x.NewPool(&Function{Name: "sandboxed", ARN: "arn", Version: "$LATEST", Region: "us-east-1", Runtime: "python3.12",
		Handler: "app.handler", CodeSHA256: code, Timeout: time.Minute, MemoryMB: 128})
	var r struct {
		TmpMB           int `json:"tmp_mb"`
		Ro, Erofs, Ppid int
	}
	invokeJSON(t, p, &r)
	if r.Ppid == os.Getpid() {
		t.Fatal("not forked from the zygote")
	}
	if r.TmpMB != 64 || r.Ro != r.Erofs {
		t.Fatalf("/tmp %d MB (want 64), writing the code: errno %d (want EROFS %d)", r.TmpMB, r.Ro, r.Erofs)
	}
	if _, err := os.Stat("/tmp/scratch"); err == nil {
		t.Fatal("the instance's /tmp is the host's")
	}
}
