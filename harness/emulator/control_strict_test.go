package emulator_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/control"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// In strict mode, what changes or reads the whole cloud needs a signature;
// health stays open for wait strategies.
func TestStrictModeGuardsResetAndState(t *testing.T) {
	e, _ := emutest.Start(t, emulator.WithStrictAuth(map[string]string{emutest.AccessKey: emutest.SecretKey}))
	call := func(method, path string, sign bool) int {
		req, _ := http.NewRequest(method, e.URL()+path, nil)
		if sign {
			creds := aws.Credentials{AccessKeyID: emutest.AccessKey, SecretAccessKey: emutest.SecretKey}
			const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
			if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, empty, control.SigningName, "us-east-1", time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		method, path string
		sign         bool
		want         int
	}{
		{"POST", "/_groundstack/reset", false, http.StatusForbidden},
		{"GET", "/_groundstack/state", false, http.StatusForbidden},
		{"POST", "/_groundstack/reset", true, http.StatusOK},
		{"GET", "/_groundstack/state", true, http.StatusOK},
		{"POST", "/_groundstack/clock", false, http.StatusForbidden},
		{"GET", "/_groundstack/clock", false, http.StatusForbidden},
		{"GET", "/_groundstack/clock", true, http.StatusOK},
		{"GET", "/_groundstack/health", false, http.StatusOK},
		{"GET", "/_localstack/health", false, http.StatusOK},
	} {
		if got := call(c.method, c.path, c.sign); got != c.want {
			t.Errorf("%s %s (signed %v): %d, want %d", c.method, c.path, c.sign, got, c.want)
		}
	}
}
