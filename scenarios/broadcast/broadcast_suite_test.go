// Package broadcast_test is the broadcast flow's scenario suite: it deploys
// the WebSocket chat (harness/deploy/broadcast) on the backend
// GROUNDSTACK_BACKEND selects and proves what the flow spec lists with real
// WebSocket clients (coder/websocket): every client receives every message
// of every other, in order per sender; a client that disconnects is
// forgotten; a killed client (TCP dropped, no close frame) is cleaned up;
// $connect refuses a missing or wrong ?token=; messages are logged; 200
// connections take 50 messages/s with nothing lost, and the fan-out
// latency (p50/p99) is reported, never asserted.
//
// Label: broadcast. Specs need backend.FeatureWebSocketAPIs (skipped on
// LocalStack's free edition). BROADCAST_LOAD_SECONDS (default 3) sets the
// load phase; BROADCAST_FIGURES_OUT names a JSON file for the figures.
package broadcast_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/groundstack/groundstack/harness/backend"
	deploy "github.com/groundstack/groundstack/harness/deploy/broadcast"
	"github.com/groundstack/groundstack/scenarios/scenario"
)

func TestBroadcast(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Broadcast Suite")
}

var (
	first   *scenario.Cloud
	cloud   *scenario.Cloud
	stack   deploy.Stack
	figures = scenario.NewFigures()
)

type handoff struct {
	Endpoint string       `json:"endpoint"`
	Stack    deploy.Stack `json:"stack"`
}

var _ = SynchronizedBeforeSuite(func(ctx context.Context) []byte {
	c, endpoint, err := scenario.StartOnFirst(ctx)
	Expect(err).NotTo(HaveOccurred())
	first = c
	h := handoff{Endpoint: string(endpoint)}
	if c.Supports(backend.FeatureWebSocketAPIs) { // else every spec is skipped by its Needs label
		t0 := time.Now()
		h.Stack, err = deploy.Deploy(ctx, c.Config(), deploy.Options{})
		Expect(err).NotTo(HaveOccurred(), "deploy the broadcast flow")
		figures.Record("deploy (s)", time.Since(t0).Seconds())
	}
	b, err := json.Marshal(h)
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
	Expect(figures.Flush("broadcast", "BROADCAST_FIGURES_OUT")).To(Succeed())
	Expect(first.Close()).To(Succeed())
})
