package runtime

import (
	"context"
	_ "embed"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// The runtime interface clients of the interpreted runtimes: ours, run by
// the machine's python3 and node (no container image, no download).
var (
	//go:embed ric/bootstrap.py
	pythonRIC []byte
	//go:embed ric/bootstrap.cjs
	nodeRIC []byte
)

// Family is the kind of program a runtime name runs.
type Family int

const (
	FamilyNone     Family = iota // not a runtime groundstack runs
	FamilyProvided               // provided*, go1.x: the zip's own executable
	FamilyPython                 // python3.8 … python3.13: the machine's python3
	FamilyNode                   // nodejs18.x … nodejs22.x: the machine's node
)

// RuntimeFamily says how groundstack runs a runtime name, if it does.
func RuntimeFamily(rt string) Family {
	switch rt {
	case "provided", "provided.al2", "provided.al2023", "go1.x":
		return FamilyProvided
	case "python3.8", "python3.9", "python3.10", "python3.11", "python3.12", "python3.13":
		return FamilyPython
	case "nodejs18.x", "nodejs20.x", "nodejs22.x":
		return FamilyNode
	}
	return FamilyNone
}

// interpreter is the program that runs one runtime name on this machine.
type interpreter struct {
	path    string // absolute, resolved (no pyenv shim)
	version string // "3.11.7", "v20.20.2"
	// note is the function's first log line when the interpreter is not
	// the version the runtime names.
	note string
	err  error
}

type interpreterOnce struct {
	once sync.Once
	in   interpreter
}

// ErrNoInterpreter is a runtime whose interpreter this machine lacks.
var ErrNoInterpreter = errors.New("no interpreter")

// CheckRuntime reports whether this machine can run rt, and if not why, in
// one line naming the Debian package to install.
func (x *Executor) CheckRuntime(rt string) error {
	switch RuntimeFamily(rt) {
	case FamilyPython, FamilyNode:
		return x.interpreter(rt).err
	case FamilyProvided:
		return nil
	}
	return ErrNoInterpreter
}

func (x *Executor) interpreter(rt string) interpreter {
	v, _ := x.interpreters.LoadOrStore(rt, &interpreterOnce{})
	o := v.(*interpreterOnce)
	o.once.Do(func() { o.in = x.findInterpreter(rt) })
	return o.in
}

// hostPath is where interpreters are looked for: Config.HostPath, else the
// emulator's own PATH.
func (x *Executor) hostPath() string {
	if x.cfg.HostPath != "" {
		return x.cfg.HostPath
	}
	return os.Getenv("PATH")
}

// lookPath finds name in the host path (not the instance's).
func (x *Executor) lookPath(name string) string {
	for _, dir := range filepath.SplitList(x.hostPath()) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// probe runs an interpreter once (with the host's environment: version
// managers' shims need it) and returns the lines it printed.
func (x *Executor) probe(path string, args ...string) []string {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(os.Environ(), "PATH="+x.hostPath())
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

const pythonProbe = `import sys, importlib.util as u
print(sys.executable)
print("%d.%d.%d" % sys.version_info[:3])
print(u.find_spec("boto3") is not None)`

func (x *Executor) findInterpreter(rt string) interpreter {
	switch RuntimeFamily(rt) {
	case FamilyPython:
		return x.findPython(rt)
	case FamilyNode:
		return x.findNode(rt)
	}
	return interpreter{err: ErrNoInterpreter}
}

// findPython prefers the exact minor version the runtime names when the
// machine has it with boto3 (as Lambda's image has), else the machine's
// python3, which must be Python 3.
func (x *Executor) findPython(rt string) interpreter {
	want := strings.TrimPrefix(rt, "python")
	type found struct {
		path, version string
		boto3         bool
	}
	try := func(name string) *found {
		p := x.lookPath(name)
		if p == "" {
			return nil
		}
		lines := x.probe(p, "-c", pythonProbe)
		if len(lines) != 3 || !strings.HasPrefix(lines[1], "3.") || !filepath.IsAbs(lines[0]) {
			return nil
		}
		return &found{path: lines[0], version: lines[1], boto3: lines[2] == "True"}
	}
	// Both probes at once: a version manager's shim can take a second.
	var exact, generic *found
	done := make(chan struct{})
	go func() { exact = try("python" + want); close(done) }()
	generic = try("python3")
	<-done
	pick := generic
	if exact != nil && (exact.boto3 || generic == nil || !generic.boto3) {
		pick = exact
	}
	if pick == nil {
		return interpreter{err: errors.New("this machine has no Python 3 interpreter to run " + rt +
			" functions: install the Debian package python3 (apt-get install python3)")}
	}
	in := interpreter{path: pick.path, version: pick.version}
	if minor(pick.version) != want {
		in.note = "groundstack: runtime " + rt + " runs on Python " + pick.version + " (" + pick.path +
			"): this machine has no Python " + want
	}
	return in
}

// minor cuts "3.11.7" to "3.11".
func minor(v string) string {
	if i := strings.IndexByte(v, '.'); i >= 0 {
		if j := strings.IndexByte(v[i+1:], '.'); j >= 0 {
			return v[:i+1+j]
		}
	}
	return v
}

// findNode uses the machine's node (Debian's nodejs package installs it as
// node, older ones as nodejs).
func (x *Executor) findNode(rt string) interpreter {
	want := strings.TrimSuffix(strings.TrimPrefix(rt, "nodejs"), ".x")
	for _, name := range []string{"node", "nodejs"} {
		p := x.lookPath(name)
		if p == "" {
			continue
		}
		lines := x.probe(p, "-p", `process.execPath + "\n" + process.version`)
		if len(lines) != 2 || !filepath.IsAbs(lines[0]) || !strings.HasPrefix(lines[1], "v") {
			continue
		}
		in := interpreter{path: lines[0], version: lines[1]}
		if major, _, _ := strings.Cut(strings.TrimPrefix(lines[1], "v"), "."); major != want {
			in.note = "groundstack: runtime " + rt + " runs on Node.js " + lines[1] + " (" + lines[0] +
				"): this machine has no Node.js " + want
		}
		return in
	}
	return interpreter{err: errors.New("this machine has no Node.js to run " + rt +
		" functions: install the Debian package nodejs (apt-get install nodejs)")}
}

// ricPath writes a runtime interface client into the cache directory once
// and returns its path.
func (x *Executor) ricPath(f Family) (string, error) {
	x.ricOnce.Do(func() {
		if x.ricErr = x.cache.ready(); x.ricErr != nil {
			return
		}
		dir := filepath.Join(x.cache.dir, "runtime")
		if x.ricErr = os.MkdirAll(dir, 0o700); x.ricErr != nil {
			return
		}
		for name, body := range map[string][]byte{"bootstrap.py": pythonRIC, "bootstrap.cjs": nodeRIC, "zygote.py": pythonZygote} {
			// Written afresh: nothing found in the cache directory is trusted.
			tmp := filepath.Join(dir, name+".tmp-"+randomSuffix())
			if x.ricErr = os.WriteFile(tmp, body, 0o500); x.ricErr != nil {
				return
			}
			if x.ricErr = os.Rename(tmp, filepath.Join(dir, name)); x.ricErr != nil {
				return
			}
		}
		x.ricDir = dir
	})
	if x.ricErr != nil {
		return "", x.ricErr
	}
	if f == FamilyPython {
		return filepath.Join(x.ricDir, "bootstrap.py"), nil
	}
	return filepath.Join(x.ricDir, "bootstrap.cjs"), nil
}
