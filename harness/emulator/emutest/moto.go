package emutest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/aws/smithy-go"
)

// Moto runs moto's server on a free loopback port for a differential test
// and returns its URL, or skips the test when moto is not installed or
// skipEnv is set. moto is a second opinion, never a dependency.
func Moto(t testing.TB, skipEnv string) string {
	t.Helper()
	if skipEnv != "" && os.Getenv(skipEnv) != "" {
		t.Skip(skipEnv + " set")
	}
	if err := exec.Command("python3", "-c", "import moto.server").Run(); err != nil {
		t.Skip("moto not installed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Env = CLIEnv()
	if err := cmd.Start(); err != nil {
		t.Skip("cannot start moto: " + err.Error())
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return "http://" + addr
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Skip("moto did not start in 30 s")
	return ""
}

// Outcomes returns a recorder for differential transcripts: each step
// appends "step: ok", "step: <AWS error code>" or "step: <error>" to out,
// the part of an answer that an emulator and moto can be compared on.
func Outcomes(out *[]string) func(step string, err error) {
	return func(step string, err error) {
		var ae smithy.APIError
		switch {
		case err == nil:
			*out = append(*out, step+": ok")
		case errors.As(err, &ae):
			*out = append(*out, step+": "+ae.ErrorCode())
		default:
			*out = append(*out, step+": "+err.Error())
		}
	}
}
