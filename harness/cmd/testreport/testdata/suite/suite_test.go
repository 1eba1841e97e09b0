// Package suite is a fixture: a Ginkgo suite whose specs pass, fail, skip,
// wait and record figures, so that testreport's tests read a real
// -ginkgo.json-report (suite.json) and its `go test -json` (suite.jsonl).
package suite

import (
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestSuite(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Fixture Suite")
}

var _ = Describe("a flow", func() {
	It("passes", Label("smoke"), func() {
		AddReportEntry("freshness p99 (ms)", 42.5)
	})
	It("fails", Label("smoke"), func() {
		if os.Getenv("SAMPLE_PASS") == "" {
			Expect(5).To(Equal(4), "orders counted")
		}
	})
	It("skips", Label("smoke"), func() {
		Skip("set FIXTURE_FIGURES=1 to run the 60 s runs")
	})
	PIt("waits for a feature", Label("smoke"))
	It("is not selected", Label("slow"), func() {})
})
