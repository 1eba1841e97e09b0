// Package load_test runs a short load profile against the deliveries flow
// in `make test` (label "load"): the backend GROUNDSTACK_BACKEND selects,
// the flow deployed through harness/deploy, and groundstack load's runner
// aimed at the API's invoke URL as --target would be. It checks the
// issue's thresholds and reports the figures; it asserts no timings
// beyond them.
package load_test

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	deploy "github.com/groundstack/groundstack/harness/deploy/deliveries"
	"github.com/groundstack/groundstack/scenarios/scenario"
)

func TestLoad(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Load Suite")
}

var (
	first *scenario.Cloud
	stack deploy.Stack
)

var _ = SynchronizedBeforeSuite(func(ctx context.Context) []byte {
	c, endpoint, err := scenario.StartOnFirst(ctx)
	Expect(err).NotTo(HaveOccurred())
	first = c
	st, err := deploy.Deploy(ctx, c.Config(), deploy.Options{})
	Expect(err).NotTo(HaveOccurred(), "deploy the deliveries flow")
	stack = st
	_ = endpoint
	return nil
}, func(ctx context.Context, _ []byte) {}, NodeTimeout(10*time.Minute))

var _ = SynchronizedAfterSuite(func() {}, func() {
	Expect(first.Close()).To(Succeed())
})
