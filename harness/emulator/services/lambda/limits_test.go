package lambda_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/groundstack/groundstack/harness/emulator/lambda/runtime"
)

// The limits' attacks, one handler per language: write into the code,
// fill /tmp, allocate past MemorySize.
const pyAttacks = `
import os
def handler(event, context):
    a = event.get("attack")
    if a == "write":
        try:
            with open(os.path.join(os.environ["LAMBDA_TASK_ROOT"], "app.py"), "a") as f:
                f.write("# planted")
        except OSError as e:
            return {"error": e.strerror}
        return {"error": ""}
    if a == "fill":
        n = 0
        try:
            with open("/tmp/fill", "wb") as f:
                chunk = b"\0" * (1 << 20)
                for _ in range(event["mb"]):
                    f.write(chunk)
                    n += 1
                f.flush()
                os.fsync(f.fileno())
        except OSError as e:
            return {"error": e.strerror, "mb": n}
        return {"error": "", "mb": n}
    if a == "alloc":
        hoard = [bytearray(b"\1") * (1 << 20) for _ in range(event["mb"])]
        return {"allocated": len(hoard)}
    return {"memory": context.memory_limit_in_mb}
`

const nodeAttacks = `
const fs = require('fs');
exports.handler = async (event, context) => {
  switch (event.attack) {
  case 'write':
    try { fs.appendFileSync(process.env.LAMBDA_TASK_ROOT + '/index.js', '// planted'); } catch (e) { return { error: e.code }; }
    return { error: '' };
  case 'fill': {
    let n = 0;
    try {
      const fd = fs.openSync('/tmp/fill', 'w');
      const chunk = Buffer.alloc(1 << 20);
      for (; n < event.mb; n++) fs.writeSync(fd, chunk);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    } catch (e) { return { error: e.code, mb: n }; }
    return { error: '', mb: n };
  }
  case 'alloc': {
    const hoard = [];
    for (let i = 0; i < event.mb; i++) hoard.push(Buffer.alloc(1 << 20, 1));
    return { allocated: hoard.length };
  }
  }
  return { memory: context.memoryLimitInMB };
};
`

// TestLimitsInPythonAndNode: at MemorySize 128 both runtimes start and
// answer; a handler cannot change its code, cannot write more than
// EphemeralStorage to /tmp (where this machine has mount namespaces), and
// allocating past MemorySize ends with AWS's Runtime.OutOfMemory.
func TestLimitsInPythonAndNode(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	sandbox := service(t, e).Executor().Sandbox()
	for _, lang := range []struct {
		program, handler, file, code string
		rt                           types.Runtime
		readOnly, noSpace            string
	}{
		{"python3", "app.handler", "app.py", pyAttacks, types.RuntimePython312, "Read-only file system", "No space left on device"},
		{"node", "index.handler", "index.js", nodeAttacks, types.RuntimeNodejs20x, "EROFS", "ENOSPC"},
	} {
		t.Run(lang.program, func(t *testing.T) {
			t.Parallel()
			needs(t, lang.program)
			name := createCode(t, c, lang.rt, lang.handler, map[string]string{lang.file: lang.code}, func(in *awslambda.CreateFunctionInput) {
				in.MemorySize = aws.Int32(128)
				in.EphemeralStorage = &types.EphemeralStorage{Size: aws.Int32(512)}
			})
			call := func(payload string) (map[string]any, *awslambda.InvokeOutput) {
				t.Helper()
				out := invoke(t, c, name, payload)
				var v map[string]any
				json.Unmarshal(out.Payload, &v)
				return v, out
			}
			if v, out := call(`{}`); out.FunctionError != nil || v["memory"] == nil {
				t.Fatalf("at 128 MB: %s", out.Payload)
			}

			v, out := call(`{"attack":"write"}`)
			switch {
			case out.FunctionError != nil:
				t.Fatalf("write: %s", out.Payload)
			case sandbox == runtime.SandboxNamespace && v["error"] != lang.readOnly:
				t.Fatalf("write to the code: %s", out.Payload)
			case sandbox == runtime.SandboxFiles && os.Geteuid() != 0 && v["error"] == "":
				t.Fatalf("write to the code: %s", out.Payload)
			}

			if sandbox == runtime.SandboxNamespace {
				v, out = call(`{"attack":"fill","mb":520}`)
				if mb, _ := v["mb"].(float64); out.FunctionError != nil || v["error"] != lang.noSpace || mb > 512 {
					t.Fatalf("520 MB in a 512 MB /tmp: %s", out.Payload)
				}
			}

			_, out = call(`{"attack":"alloc","mb":400}`)
			var re runtimeError
			json.Unmarshal(out.Payload, &re)
			if aws.ToString(out.FunctionError) != "Unhandled" || re.Type != "Runtime.OutOfMemory" ||
				!strings.HasSuffix(re.Message, " Error: Runtime exited with error: signal: killed") {
				t.Fatalf("400 MB at 128 MB: %s", out.Payload)
			}
			eventually(t, "the out-of-memory log lines", func() error {
				logs := strings.Join(logEvents(t, e, name), "\n")
				// (a cold instance's REPORT has its Init Duration between the two)
				for _, want := range []string{"Error: Runtime exited with error: signal: killed\nRuntime.OutOfMemory\n",
					"Max Memory Used: 128 MB\t", "Status: error\tError Type: Runtime.OutOfMemory"} {
					if !strings.Contains(logs, want) {
						return &missing{want}
					}
				}
				return nil
			})
			if v, out := call(`{}`); out.FunctionError != nil || v["memory"] == nil {
				t.Fatalf("after the OOM: %s", out.Payload)
			}
		})
	}
}

// sharedDir is a directory the test and its functions' instances share:
// not under /tmp, which is each instance's own where the machine has mount
// namespaces.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/var/tmp", "groundstack-test-")
	if err != nil {
		return t.TempDir()
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

type missing struct{ what string }

func (m *missing) Error() string { return "missing " + m.what }
