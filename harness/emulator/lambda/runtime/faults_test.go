package runtime

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Fault rules kill a Python instance forked from the zygote as they kill
// any other: a cold-start crash before it is ready, an invoke crash once
// it has the event; both are a runtime that exited with "signal: killed",
// and the next invocation gets a new instance.
func TestFaultCrashesAForkedPythonInstance(t *testing.T) {
	needPython(t)
	t.Parallel()
	var plane atomic.Value // the plane to crash next, once
	plane.Store("")
	x := New(Config{Zygote: ZygotePreload, InitTimeout: 2 * time.Minute,
		Fault: func(p string, fn *Function) *cloud.FaultHit {
			if plane.CompareAndSwap(p, "") {
				return &cloud.FaultHit{Rule: "test", Crash: true}
			}
			return nil
		}})
	defer x.Close()
	code, err := x.StoreCode(pyZip(t, map[string]string{"app.py": "import os\ndef handler(e, c):\n    return {'ppid': os.getppid(), 'pid': os.getpid()}\n"}))
	if err != nil {
		t.Fatal(err)
	}
	p := x.NewPool(&Function{Name: "crashing", ARN: "arn", Version: "$LATEST", Region: "us-east-1", Runtime: "python3.12",
		Handler: "app.handler", CodeSHA256: code, Timeout: time.Minute, MemoryMB: 128})
	crashed := func(want Outcome) {
		t.Helper()
		res, err := p.Invoke(context.Background(), &Request{RequestID: "r", Payload: []byte(`{}`), InvokedARN: "arn"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != want || res.ErrorType != "Runtime.ExitError" || !strings.HasSuffix(errorMessageOf(res.Payload), "Error: Runtime exited with error: signal: killed") {
			t.Fatalf("outcome %d %s: %s", res.Outcome, res.ErrorType, res.Payload)
		}
	}
	plane.Store(cloud.PlaneColdStart)
	crashed(InitFailed)
	var r struct{ Ppid, Pid int }
	invokeJSON(t, p, &r)
	plane.Store(cloud.PlaneInvoke)
	crashed(Crashed)
	var after struct{ Ppid, Pid int }
	invokeJSON(t, p, &after)
	if after.Pid == r.Pid {
		t.Fatalf("the crashed instance (pid %d) served again", r.Pid)
	}
}
