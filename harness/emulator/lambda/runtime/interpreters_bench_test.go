package runtime_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/lambda/runtime"
)

// Benchmarks of the interpreted runtimes against the interpreters alone,
// side by side on the same machine:
//
//	go test -run '^$' -bench '^BenchmarkColdStart' -benchtime 20x ./harness/emulator/lambda/runtime/
//	go test -run '^$' -bench '^BenchmarkWarmInvoke' -benchtime 5000x ./harness/emulator/lambda/runtime/
//	go test -run '^$' -bench '^BenchmarkFiftyColdStarts' -benchtime 3x ./harness/emulator/lambda/runtime/

func codeZip(b testing.TB, files map[string]string) []byte {
	b.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			b.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func needProgram(b testing.TB, name string) string {
	p, err := exec.LookPath(name)
	if err != nil {
		b.Skipf("no %s on this machine", name)
	}
	return p
}

// benchExecutor stores code and returns a function to make fresh (cold)
// pools of it.
func benchExecutor(b *testing.B, rt, handler string, files map[string]string) (*runtime.Executor, func(name string) *runtime.Pool) {
	return benchExecutorWith(b, runtime.Config{}, rt, handler, files)
}

func benchExecutorWith(b *testing.B, cfg runtime.Config, rt, handler string, files map[string]string) (*runtime.Executor, func(name string) *runtime.Pool) {
	cfg.Logs = func() cloud.LogWriter { return nil }
	cfg.InitTimeout = 2 * time.Minute
	x := runtime.New(cfg)
	b.Cleanup(func() { x.Close() })
	sum, err := x.StoreCode(codeZip(b, files))
	if err != nil {
		b.Fatal(err)
	}
	if err := x.Unpack(sum); err != nil {
		b.Fatal(err)
	}
	if err := x.CheckRuntime(rt); err != nil {
		b.Skip(err)
	}
	return x, func(name string) *runtime.Pool {
		return x.NewPool(&runtime.Function{Name: name, ARN: "arn:aws:lambda:us-east-1:000000000000:function:" + name,
			Version: "$LATEST", Region: "us-east-1", Runtime: rt, Handler: handler, CodeSHA256: sum,
			Timeout: time.Minute, MemoryMB: 128})
	}
}

func invokeOnce(b *testing.B, p *runtime.Pool, id string) *runtime.Result {
	r, err := p.Invoke(context.Background(), &runtime.Request{RequestID: id, Payload: []byte(`{}`), InvokedARN: p.Function().ARN, TraceID: "Root=1-0-0"})
	if err != nil {
		b.Fatal(err)
	}
	if r.Outcome != runtime.Succeeded {
		b.Fatalf("%s: %s", id, r.Payload)
	}
	return r
}

// coldVersusBare alternates, b.N times, the bare program (args) and a
// cold start of a fresh pool (process start to the first answer), so that
// both face the same load on a busy machine, and reports both means and
// their ratio.
func coldVersusBare(b *testing.B, program string, args []string, rt, handler string, files map[string]string) {
	path := needProgram(b, program)
	// What the program resolves to (a version manager's shim is a shell
	// script): the binary the runtime runs too.
	if out, err := exec.Command(path, resolveArgs[program]...).Output(); err == nil && len(bytes.TrimSpace(out)) > 0 {
		path = string(bytes.TrimSpace(out))
	}
	_, newPool := benchExecutor(b, rt, handler, files)
	invokeOnce(b, newPool("warmup"), "w").Release() // the interpreter is probed once, not per start
	b.ResetTimer()
	var cold, bare time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if out, err := exec.Command(path, args...).CombinedOutput(); err != nil {
			b.Fatalf("%s %v: %v %s", path, args, err, out)
		}
		bare += time.Since(start)
		p := newPool(fmt.Sprint("cold-", i))
		start = time.Now()
		invokeOnce(b, p, "r"+strconv.Itoa(i)).Release()
		cold += time.Since(start)
		b.StopTimer()
		p.Retire(true)
		b.StartTimer()
	}
	b.ReportMetric(float64(bare.Microseconds())/1000/float64(b.N), "bare-ms")
	b.ReportMetric(float64(cold.Microseconds())/1000/float64(b.N), "cold-ms")
	b.ReportMetric(float64(cold)/float64(bare), "cold/bare")
}

var resolveArgs = map[string][]string{
	"python3": {"-c", "import sys; print(sys.executable)"},
	"node":    {"-p", "process.execPath"},
}

// BenchmarkColdStartPython: a handler importing boto3, cold, beside
// python3 -c 'import boto3' (the budget: cold/bare ≤ 1.5).
func BenchmarkColdStartPython(b *testing.B) {
	needProgram(b, "python3")
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		b.Skip("no boto3 in the machine's python3")
	}
	coldVersusBare(b, "python3", []string{"-c", "import boto3"},
		"python3.12", "app.handler", map[string]string{"app.py": "import boto3\ndef handler(e, c):\n    return 1\n"})
}

// BenchmarkColdStartNode: a small CommonJS handler, cold, beside node -e 0
// (the budget: ≤ 1.5× plus the handler's import).
func BenchmarkColdStartNode(b *testing.B) {
	coldVersusBare(b, "node", []string{"-e", "0"},
		"nodejs20.x", "index.handler", map[string]string{"index.js": "exports.handler = async () => 1;\n"})
}

// warm reports the p50 and p99 of warm invocations through the executor
// (no edge, no client): the Runtime API round trip, the client's loop and
// an empty handler.
func warm(b *testing.B, rt, handler string, files map[string]string) {
	x, newPool := benchExecutor(b, rt, handler, files)
	p := newPool("warm")
	for i := 0; i < 50; i++ {
		invokeOnce(b, p, "w").Release()
	}
	pid := fmt.Sprint(x.PIDs()[0])
	self, child := procCPU("self"), procCPU(pid)
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		r := invokeOnce(b, p, "w")
		lat = append(lat, time.Since(start))
		r.Release()
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-us")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-us")
	b.ReportMetric((procCPU("self")-self)/float64(b.N), "cpu-us/op")
	b.ReportMetric((procCPU(pid)-child)/float64(b.N), "handler-cpu-us/op")
}

func BenchmarkWarmInvokePython(b *testing.B) {
	needProgram(b, "python3")
	warm(b, "python3.12", "app.handler", map[string]string{"app.py": "def handler(e, c):\n    return e\n"})
}

func BenchmarkWarmInvokeNode(b *testing.B) {
	needProgram(b, "node")
	warm(b, "nodejs20.x", "index.handler", map[string]string{"index.js": "exports.handler = async (e) => e;\n"})
}

// fifty starts 50 invocations of a cold pool at once and reports how long
// until all answered, and on how many instances they ran.
func fifty(b *testing.B, x *runtime.Executor, newPool func(string) *runtime.Pool, payload string) {
	const n = 50
	var instances float64
	var total time.Duration
	var before syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &before)
	for i := 0; i < b.N; i++ {
		p := newPool(fmt.Sprint("fifty-", i))
		var wg sync.WaitGroup
		start := time.Now()
		for j := 0; j < n; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := p.Invoke(context.Background(), &runtime.Request{RequestID: fmt.Sprint(i, "-", j), Payload: []byte(payload), TraceID: "Root=1-0-0"})
				if err != nil || r.Outcome != runtime.Succeeded {
					b.Errorf("invoke: %v %+v", err, r)
					return
				}
				r.Release()
			}()
		}
		wg.Wait()
		total += time.Since(start)
		b.StopTimer()
		instances += float64(countPIDs(p))
		p.Retire(true)
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-all-50")
	b.ReportMetric(instances/float64(b.N), "instances")
	// The CPU the instances used, start to kill: once every child is
	// reaped (Close waits for them), per instance.
	x.Close()
	var after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &after)
	cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
	b.ReportMetric(float64(cpu.Microseconds())/1000/(instances), "instance-cpu-ms")
}

// BenchmarkFiftyColdStarts: the budget is all 50 done within 1 s
// for Go and 3 s for Python on 2 cores. Each handler sleeps 200 ms so the
// 50 overlap and each needs its own instance.
func BenchmarkFiftyColdStarts(b *testing.B) {
	b.Run("go", func(b *testing.B) {
		x := runtime.New(runtime.Config{Logs: func() cloud.LogWriter { return nil }, InitTimeout: 2 * time.Minute})
		b.Cleanup(func() { x.Close() })
		sum, err := x.StoreCode(testfnZip)
		if err != nil {
			b.Fatal(err)
		}
		x.Unpack(sum)
		fifty(b, x, func(name string) *runtime.Pool {
			return x.NewPool(&runtime.Function{Name: name, ARN: "arn", Version: "$LATEST", Region: "us-east-1",
				Runtime: "provided.al2023", CodeSHA256: sum, Timeout: time.Minute, MemoryMB: 128})
		}, `{"mode":"sleep","ms":200}`)
	})
	// Python: from the zygote (the default) and as fresh interpreters
	// (GROUNDSTACK_LAMBDA_ZYGOTE=off), with and without boto3.
	for _, c := range []struct {
		name    string
		mode    runtime.ZygoteMode
		import_ string
	}{
		{"python", runtime.ZygotePreload, "import time"},
		{"python-fresh", runtime.ZygoteOff, "import time"},
		{"python-boto3", runtime.ZygotePreload, "import time, boto3"},
		{"python-boto3-fresh", runtime.ZygoteOff, "import time, boto3"},
	} {
		b.Run(c.name, func(b *testing.B) {
			needProgram(b, "python3")
			if strings.Contains(c.import_, "boto3") && exec.Command("python3", "-c", "import boto3").Run() != nil {
				b.Skip("no boto3 in the machine's python3")
			}
			x, newPool := benchExecutorWith(b, runtime.Config{Zygote: c.mode}, "python3.12", "app.handler",
				map[string]string{"app.py": c.import_ + "\ndef handler(e, c):\n    time.sleep(0.2)\n    return 1\n"})
			invokeOnce(b, newPool("warmup"), "w").Release() // the interpreter probe and the zygote, once
			fifty(b, x, newPool, `{}`)
		})
	}
}

// countPIDs is how many processes a pool's function ran on (while they are
// alive: before Retire).
func countPIDs(p *runtime.Pool) int { return len(p.PIDs()) }
