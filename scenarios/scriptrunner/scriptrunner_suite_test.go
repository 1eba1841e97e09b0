// Package scriptrunner_test is the scriptrunner flow's scenario suite: it
// deploys the flow (harness/deploy/scriptrunner) on the backend
// GROUNDSTACK_BACKEND selects and proves every row of the spec's error
// table, that injection and traversal are harmless, that script updates
// and idle stops are handled, and reports the warm and cold figures.
//
// Labels: scriptrunner (everything here), ec2-host (needs a running fake
// EC2 host: LocalStack's free edition has none; scenario.Needs skips those
// specs there, and the python ones where hosts are busybox-only).
package scriptrunner_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/groundstack/groundstack/harness/deploy/scriptrunner"
	"github.com/groundstack/groundstack/scenarios/scenario"
)

func TestScriptrunner(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Scriptrunner Suite")
}

// The suite's script time limit: short, so the timeout scenario is quick.
const scriptTimeout = 2 * time.Second

var (
	first   *scenario.Cloud
	cloud   *scenario.Cloud
	stack   scriptrunner.Stack
	figures = scenario.NewFigures()
)

type handoff struct {
	Endpoint string             `json:"endpoint"`
	Stack    scriptrunner.Stack `json:"stack"`
}

var _ = SynchronizedBeforeSuite(func(ctx context.Context) []byte {
	c, endpoint, err := scenario.StartOnFirst(ctx)
	Expect(err).NotTo(HaveOccurred())
	first = c
	st, err := scriptrunner.Deploy(ctx, c.Config(), scriptrunner.Options{ScriptTimeout: scriptTimeout})
	Expect(err).NotTo(HaveOccurred(), "deploy the scriptrunner flow")
	b, err := json.Marshal(handoff{Endpoint: string(endpoint), Stack: st})
	Expect(err).NotTo(HaveOccurred())
	return b
}, func(ctx context.Context, data []byte) {
	var h handoff
	Expect(json.Unmarshal(data, &h)).To(Succeed())
	c, err := scenario.Connect(ctx, first, []byte(h.Endpoint))
	Expect(err).NotTo(HaveOccurred())
	cloud, stack = c, h.Stack
	AddReportEntry("deploy timings (ms)", stack.Timings)
}, NodeTimeout(10*time.Minute))

var _ = scenario.Guard(&cloud)

var _ = SynchronizedAfterSuite(func() {}, func() {
	Expect(figures.Flush("scriptrunner", "SCRIPTRUNNER_FIGURES_OUT")).To(Succeed())
	Expect(first.Close()).To(Succeed())
})

func record(name string, v any) { figures.Record(name, v) }

// answer is a decoded POST /invoke response.
type answer struct {
	Status int
	Body   map[string]any
	Raw    []byte
}

func (a answer) str(k string) string { s, _ := a.Body[k].(string); return s }

func (a answer) exitCode() int {
	f, ok := a.Body["exit_code"].(float64)
	Expect(ok).To(BeTrue(), "exit_code in %s", a.Raw)
	return int(f)
}

var httpClient = &http.Client{Timeout: time.Minute}

// invoke posts body to url as a client of the API would.
func invokeRaw(ctx context.Context, url string, body []byte) answer {
	GinkgoHelper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/json")
	resp, err := httpClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	a := answer{Status: resp.StatusCode, Raw: raw}
	Expect(json.Unmarshal(raw, &a.Body)).To(Succeed(), "a JSON answer: %s", raw)
	return a
}

// run asks the stack to run script with param (none when param is nil).
func run(ctx context.Context, script string, param *string) answer {
	GinkgoHelper()
	return runOn(ctx, stack, script, param)
}

func runOn(ctx context.Context, st scriptrunner.Stack, script string, param *string) answer {
	GinkgoHelper()
	body := map[string]any{"scriptname": script}
	if param != nil {
		body["parameter"] = *param
	}
	b, _ := json.Marshal(body)
	return invokeRaw(ctx, st.InvokeURL, b)
}

func p(s string) *string { return &s }

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
