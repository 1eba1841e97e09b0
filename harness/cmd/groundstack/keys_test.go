package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/groundstack/groundstack/harness/deploy"
	"github.com/groundstack/groundstack/harness/sdkclient"
)

// startUp runs `groundstack up --port 0 args…` with env added to this
// process's environment and returns its endpoint once it is ready; it is
// stopped with the test.
func startUp(t *testing.T, args []string, env ...string) string {
	t.Helper()
	cmd := exec.Command(buildCLI(t), append([]string{"up", "--port", "0"}, args...)...)
	cmd.Env = append(withoutKeys(os.Environ()), env...)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	sc := bufio.NewScanner(stdout)
	endpoint := ""
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "endpoint:" {
			endpoint = f[1]
		}
		if strings.HasPrefix(sc.Text(), "Ctrl-C") {
			break
		}
	}
	go io.Copy(io.Discard, stdout)
	if endpoint == "" {
		t.Fatal("groundstack up printed no endpoint")
	}
	return endpoint
}

func withoutKeys(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "GROUNDSTACK_ACCESS_KEYS") && !strings.HasPrefix(kv, "GROUNDSTACK_STRICT_AUTH") {
			out = append(out, kv)
		}
	}
	return out
}

// The attack: a Lambda handler read the emulator's keys from
// /proc/$PPID/environ. Whether the keys come in a variable or a file, no
// process above a function holds them in its environment or arguments
// (the test passes as root too, whom non-dumpable processes do not stop:
// the environments really lack the secret).
func TestFunctionsCannotReadTheEmulatorsKeys(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	zip, _, err := deploy.BuildHandler(ctx, "../../../handlers/testfn")
	if err != nil {
		t.Fatal(err)
	}
	code, err := os.ReadFile(zip)
	if err != nil {
		t.Fatal(err)
	}
	key, secret := "AKIA"+strings.ToUpper(rand.Text()[:16]), rand.Text()+rand.Text()
	file := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(file, []byte("# strict mode's keys\n"+key+":"+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		env  []string
	}{
		{"by variable", []string{"GROUNDSTACK_STRICT_AUTH=1", "GROUNDSTACK_ACCESS_KEYS=" + key + ":" + secret}},
		{"by file", []string{"GROUNDSTACK_STRICT_AUTH=1", "GROUNDSTACK_ACCESS_KEYS_FILE=" + file}},
	} {
		t.Run(c.name, func(t *testing.T) {
			endpoint := startUp(t, nil, c.env...)
			cfg := sdkclient.Config(endpoint, "")
			cfg.Credentials = credentials.NewStaticCredentialsProvider(key, secret, "")
			// The keys work: strict mode took them.
			if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
				t.Fatalf("strict mode refuses its own keys: %v", err)
			}
			lc := lambda.NewFromConfig(cfg)
			if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
				FunctionName: aws.String("snoop"), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
				Role: aws.String("arn:aws:iam::000000000000:role/lambda-role"), Code: &types.FunctionCode{ZipFile: code},
			}); err != nil {
				t.Fatal(err)
			}
			ev, _ := json.Marshal(map[string]string{"mode": "procenv", "message": secret})
			out, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("snoop"), Payload: ev})
			if err != nil || out.FunctionError != nil {
				t.Fatalf("invoke: %v %s", err, out.Payload)
			}
			var seen struct{ Found, Read []int }
			if err := json.Unmarshal(out.Payload, &seen); err != nil {
				t.Fatalf("%s", out.Payload)
			}
			if len(seen.Found) > 0 {
				t.Fatalf("the function found the emulator's secret in the environment of pids %v", seen.Found)
			}
			t.Logf("environments above the function it could read: pids %v (uid %d)", seen.Read, os.Getuid())
			// Nor does it get the keys as its own credentials.
			env, _ := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("snoop"), Payload: []byte(`{"mode":"env"}`)})
			if strings.Contains(string(env.Payload), secret) || strings.Contains(string(env.Payload), key) {
				t.Fatal("the function's environment holds the emulator's keys")
			}
		})
	}
}

// A keys file others may read is refused with a sentence saying how to
// fix it, as ssh refuses a private key anyone can read.
func TestKeysFileMustBePrivate(t *testing.T) {
	bin := buildCLI(t)
	file := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(file, []byte("AKIAEXAMPLE:"+rand.Text()+"\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "up", "--port", "0")
	cmd.Env = append(withoutKeys(os.Environ()), "GROUNDSTACK_STRICT_AUTH=1", "GROUNDSTACK_ACCESS_KEYS_FILE="+file)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "permissions 0640 for "+file+" are too open") || !strings.Contains(string(out), "chmod 600") {
		t.Fatalf("a group-readable keys file: err=%v\n%s", err, out)
	}
}

// Strict mode without keys makes a pair and shows it on the terminal only.
func TestStrictModeWithoutKeysMakesOne(t *testing.T) {
	bin := buildCLI(t)
	cmd := exec.Command(bin, "up", "--port", "0")
	cmd.Env = append(withoutKeys(os.Environ()), "GROUNDSTACK_STRICT_AUTH=1")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	sc := bufio.NewScanner(stdout)
	var endpoint, id, secret string
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == "endpoint:" {
			endpoint = f[1]
		}
		if len(f) == 3 && f[0] == "export" {
			id, secret = strings.TrimPrefix(f[1], "AWS_ACCESS_KEY_ID="), strings.TrimPrefix(f[2], "AWS_SECRET_ACCESS_KEY=")
		}
		if strings.HasPrefix(sc.Text(), "Ctrl-C") {
			break
		}
	}
	go io.Copy(io.Discard, stdout)
	if endpoint == "" || !strings.HasPrefix(id, "AKIA") || len(secret) < 40 {
		t.Fatalf("banner: endpoint %q key %q", endpoint, id)
	}
	ctx := context.Background()
	cfg := sdkclient.Config(endpoint, "")
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil {
		t.Fatal("test credentials accepted in strict mode")
	}
	cfg.Credentials = credentials.NewStaticCredentialsProvider(id, secret, "")
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("the key the banner shows: %v", err)
	}
}

func TestParseKeysLinesAndComments(t *testing.T) {
	k, err := parseKeys("# mine\nAKID:secret\n\n other:x, third:y\n")
	if err != nil || len(k) != 3 || k["AKID"] != "secret" || k["other"] != "x" || k["third"] != "y" {
		t.Fatalf("%v %v", k, err)
	}
	if _, err := parseKeys("AKID:s3cr3t\nbroken"); err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("a bad line: %v", err)
	}
}

// In strict mode the flows' deployer gets a session of its own over a
// pipe (fd 3), not the keys: it works while the deploy runs and is revoked
// once the deploy is over.
func TestStrictDeployGetsASessionOfItsOwn(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the aws CLI is not installed (make deps installs it)")
	}
	key, secret := "AKIA"+strings.ToUpper(rand.Text()[:16]), rand.Text()+rand.Text()
	dir := t.TempDir()
	flows := fakeFlows(t, `read -r id <&3; read -r secret <&3; read -r token <&3
case "$id" in ASIA*) ;; *) echo "not a session: $id" >&2; exit 1 ;; esac
env | grep -q '`+secret+`' && { echo "the keys are in the deployer's environment" >&2; exit 1; }
AWS_ACCESS_KEY_ID=$id AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token AWS_DEFAULT_REGION=us-east-1 \
  AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null aws --endpoint-url "$endpoint" sts get-caller-identity >/dev/null || exit 1
printf '%s\n%s\n%s\n' "$id" "$secret" "$token" > `+dir+`/creds
echo "deployed $* with a session"`)
	endpoint := startUp(t, []string{"--flows", "all"}, envFlowsBinary+"="+flows, "GROUNDSTACK_STRICT_AUTH=1", "GROUNDSTACK_ACCESS_KEYS="+key+":"+secret)
	b, err := os.ReadFile(filepath.Join(dir, "creds"))
	if err != nil {
		t.Fatalf("the deployer did not deploy with a session: %v", err)
	}
	f := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(f) != 3 {
		t.Fatalf("creds %q", b)
	}
	cfg := sdkclient.Config(endpoint, "")
	cfg.Credentials = credentials.NewStaticCredentialsProvider(f[0], f[1], f[2])
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err == nil {
		t.Fatal("the deployer's session outlives the deploy")
	}
}
