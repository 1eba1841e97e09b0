package smoke_test

import (
	"context"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/groundstack/groundstack/scenarios/scenario"
)

func TestSmoke(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Smoke Suite")
}

var (
	first *scenario.Cloud
	cloud *scenario.Cloud
)

var _ = SynchronizedBeforeSuite(func(ctx context.Context) []byte {
	c, endpoint, err := scenario.StartOnFirst(ctx)
	Expect(err).NotTo(HaveOccurred())
	first = c
	return endpoint
}, func(ctx context.Context, endpoint []byte) {
	c, err := scenario.Connect(ctx, first, endpoint)
	Expect(err).NotTo(HaveOccurred())
	cloud = c
})

var _ = scenario.Guard(&cloud)

var _ = SynchronizedAfterSuite(func() {}, func() {
	Expect(first.Close()).To(Succeed())
})
