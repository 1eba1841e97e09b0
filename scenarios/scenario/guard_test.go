package scenario

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/groundstack/groundstack/harness/backend"
)

// dyingCloud is a backend whose cloud can be killed, and which then
// diagnoses itself the way the container backend does.
type dyingCloud struct {
	srv  *httptest.Server
	dead atomic.Bool
}

func newDyingCloud() *dyingCloud {
	return &dyingCloud{srv: httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"services":{}}`))
	}))}
}

func (d *dyingCloud) kill()                           { d.dead.Store(true); d.srv.Close() }
func (d *dyingCloud) Name() string                    { return "fake" }
func (d *dyingCloud) Endpoint() string                { return d.srv.URL }
func (d *dyingCloud) Config() aws.Config              { return aws.Config{} }
func (d *dyingCloud) Reset(ctx context.Context) error { return backend.ErrResetUnsupported }
func (d *dyingCloud) Close() error                    { return nil }
func (d *dyingCloud) Supports(f backend.Feature) bool {
	return f == backend.FeatureHealth || f == backend.FeatureReset
}
func (d *dyingCloud) Diagnose(ctx context.Context) error {
	if !d.dead.Load() {
		return nil
	}
	return errors.New("container 0123456789ab: container exited (exit code 137); its last log lines:\n    boom: out of disk")
}

func TestNeedsLabelsAndSkipReasons(t *testing.T) {
	labels := Needs(backend.FeatureWebSocketAPIs, backend.FeatureReset)
	if strings.Join(labels, ",") != "needs:websocket-apis,needs:reset" {
		t.Fatalf("labels %v", labels)
	}
	c := &Cloud{Backend: newDyingCloud()}
	for _, tc := range []struct {
		labels []string
		want   string
	}{
		{nil, ""},
		{[]string{"deliveries", "needs:reset", "needs:health"}, ""},
		{[]string{"needs:reset", "needs:websocket-apis"}, "needs API Gateway WebSocket APIs, which the fake backend lacks"},
		{[]string{"needs:something-new"}, "needs something-new, which the fake backend lacks"},
	} {
		if got := c.unsupported(tc.labels); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.labels, got, tc.want)
		}
	}
}

// A suite connected to someone's running cloud skips its reset specs and
// says how to allow them.
func TestResetOfAnExternalCloudIsSkippedWithTheWayToAllowIt(t *testing.T) {
	theirs, err := backend.StartEmbedded(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer theirs.Close()
	t.Setenv(backend.EnvAllowReset, "")
	ext, err := backend.ConnectExternal(context.Background(), theirs.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	got := (&Cloud{Backend: ext}).unsupported(Needs(backend.FeatureReset))
	want := "needs a reset of every store, but the external backend would reset the cloud at " + theirs.Endpoint() +
		", which this run did not start: set GROUNDSTACK_ALLOW_RESET=1 to allow it"
	if got != want {
		t.Errorf("skip reason %q, want %q", got, want)
	}
	if got := (&Cloud{Backend: ext}).unsupported(Needs(backend.FeatureHealth)); got != "" {
		t.Errorf("health: %q", got)
	}
}

// TestGuardChild is the suite TestGuardAbortsWithTheDiagnosis runs in a
// child process (RunSpecs runs once per process).
func TestGuardChild(t *testing.T) {
	if os.Getenv("GROUNDSTACK_TEST_CHILD") != "guard" {
		t.Skip("run by TestGuardAbortsWithTheDiagnosis")
	}
	gomega.RegisterFailHandler(ginkgo.Fail)
	ginkgo.RunSpecs(t, "guard")
}

var (
	guarded *Cloud
	dying   = newDyingCloud()
)

var _ = Guard(&guarded)

var _ = ginkgo.BeforeSuite(func() { guarded = &Cloud{Backend: dying, owner: true} })

var _ = ginkgo.Describe("a cloud that dies", ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
	ginkgo.It("skips what the backend lacks", Needs(backend.FeatureWebSocketAPIs), func() {
		ginkgo.Fail("ran on a backend without WebSocket APIs")
	})
	ginkgo.It("runs what it has", Needs(backend.FeatureReset), func() {
		fmt.Println("SPEC-RESET-RAN")
	})
	ginkgo.It("dies under a spec", func() {
		dying.kill()
		_, err := http.Get(guarded.Endpoint() + "/_localstack/health")
		gomega.Expect(err).NotTo(gomega.HaveOccurred())
	})
	ginkgo.It("is never reached", func() {
		fmt.Println("SPEC-AFTER-DEATH-RAN")
	})
})

func TestGuardAbortsWithTheDiagnosis(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestGuardChild$", "-test.v", "-ginkgo.no-color", "-ginkgo.v", "-ginkgo.seed=1")
	cmd.Env = append(os.Environ(), "GROUNDSTACK_TEST_CHILD=guard")
	out, err := cmd.CombinedOutput()
	s := string(out)
	if err == nil {
		t.Fatalf("the suite passed:\n%s", s)
	}
	for _, want := range []string{
		"needs API Gateway WebSocket APIs, which the fake backend lacks",
		"SPEC-RESET-RAN",
		"the cloud went down during this spec",
		"exit code 137",
		"boom: out of disk",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(s, "SPEC-AFTER-DEATH-RAN") || strings.Contains(s, "ran on a backend without") {
		t.Errorf("a spec ran that should not have")
	}
	if t.Failed() {
		t.Logf("child output:\n%s", s)
	}
}
