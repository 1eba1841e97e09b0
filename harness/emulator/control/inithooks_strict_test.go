package control_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/control"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// In strict mode an init hook cannot use the host's credentials (the
// emulator refuses them) and must never see the emulator's own keys: it
// runs with a session of its own, which works while the hook runs and is
// revoked when it ends.
func TestStrictInitHookRunsWithItsOwnSession(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAHOSTKEY000000000")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "host-secret-must-not-leak")
	t.Setenv("AWS_PROFILE", "host-profile")
	// The emulator's secret must be one no other variable can hold by chance
	// (emutest's "test" is a substring of many a host's environment).
	secret := "emulator-secret-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	t.Setenv("GROUNDSTACK_ACCESS_KEYS", emutest.AccessKey+":"+secret)
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready.d")
	if err := os.Mkdir(ready, 0o755); err != nil {
		t.Fatal(err)
	}
	envFile, goFile := filepath.Join(dir, "env"), filepath.Join(dir, "go")
	// The hook publishes its environment, then waits (bounded) for the test
	// to have used its credentials.
	writeScript(t, ready, "01-env.sh", "env > "+envFile+".tmp && mv "+envFile+".tmp "+envFile+
		"\ni=0; while [ ! -e "+goFile+" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done\n", 0o644)

	e, _ := emutest.Start(t, emulator.WithStrictAuth(map[string]string{emutest.AccessKey: secret}), emulator.WithInitDir(dir))
	var env map[string]string
	deadline := time.Now().Add(30 * time.Second)
	for env == nil && time.Now().Before(deadline) {
		if b, err := os.ReadFile(envFile); err == nil {
			env = map[string]string{}
			for _, line := range strings.Split(string(b), "\n") {
				if k, v, ok := strings.Cut(line, "="); ok {
					env[k] = v
				}
			}
		} else {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if env == nil {
		t.Fatal("the hook never ran")
	}
	for _, k := range []string{"GROUNDSTACK_ACCESS_KEYS", "AWS_PROFILE"} {
		if _, ok := env[k]; ok {
			t.Errorf("the hook sees %s", k)
		}
	}
	for k, v := range env {
		if strings.Contains(v, "host-secret-must-not-leak") || strings.Contains(v, secret) {
			t.Errorf("the hook sees a secret in %s", k)
		}
	}
	if !strings.HasPrefix(env["AWS_ACCESS_KEY_ID"], "ASIA") || env["AWS_SESSION_TOKEN"] == "" {
		t.Fatalf("the hook's credentials are not a session: key %q, token set %v", env["AWS_ACCESS_KEY_ID"], env["AWS_SESSION_TOKEN"] != "")
	}
	whoAmI := func() error {
		cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(e.URL()),
			Credentials: credentials.NewStaticCredentialsProvider(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"])}
		_, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		return err
	}
	if err := whoAmI(); err != nil {
		t.Fatalf("the hook's session is refused while it runs: %v", err)
	}
	if err := os.WriteFile(goFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var rep control.InitReport
	for deadline := time.Now().Add(30 * time.Second); !rep.Completed["READY"] && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		getJSON(t, e.URL()+control.PathLocalStackInit, &rep)
	}
	if !rep.Completed["READY"] || rep.Scripts[0].State != "SUCCESSFUL" {
		t.Fatalf("hook report %+v", rep)
	}
	if err := whoAmI(); err == nil {
		t.Error("the hook's session still works after the hook ended")
	}
}

// Without strict mode a hook that brings no credentials gets the test ones,
// so `aws --endpoint-url "$AWS_ENDPOINT_URL" …` works as in LocalStack.
func TestInitHookGetsTestCredentialsWhenItHasNone(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	os.Unsetenv("AWS_ACCESS_KEY_ID")
	t.Setenv("AWS_PROFILE", "")
	os.Unsetenv("AWS_PROFILE")
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready.d")
	if err := os.Mkdir(ready, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	writeScript(t, ready, "01.sh", "echo \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\" > "+out+"\n", 0o644)
	e, _ := emutest.Start(t, emulator.WithInitDir(dir))
	var rep control.InitReport
	for deadline := time.Now().Add(30 * time.Second); !rep.Completed["READY"] && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		getJSON(t, e.URL()+control.PathLocalStackInit, &rep)
	}
	b, _ := os.ReadFile(out)
	if strings.TrimSpace(string(b)) != "test:test" {
		t.Errorf("hook credentials %q, want test:test", b)
	}
}
