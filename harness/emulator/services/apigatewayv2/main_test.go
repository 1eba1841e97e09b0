package apigatewayv2_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/deploy"
)

// testfnZip is handlers/testfn, built once per test binary (the build cache
// makes a re-run instant).
var testfnZip []byte

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	path, _, err := deploy.BuildHandler(ctx, "../../../../handlers/testfn")
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "build testfn:", err)
		os.Exit(1)
	}
	if testfnZip, err = os.ReadFile(path); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
