package scenario

import (
	"context"
	"fmt"
	"strings"

	"github.com/onsi/ginkgo/v2"

	"github.com/groundstack/groundstack/harness/backend"
)

// needsPrefix starts the labels Needs puts on specs.
const needsPrefix = "needs:"

// Needs labels a container or spec with the backend features it needs;
// with Guard registered, it is skipped with a one-line reason on a backend
// that lacks one. Label filters see them too: LABELS='!needs:reset'.
func Needs(fs ...backend.Feature) ginkgo.Labels {
	out := make(ginkgo.Labels, len(fs))
	for i, f := range fs {
		out[i] = needsPrefix + string(f)
	}
	return out
}

// Guard registers, in the suite that calls it, the checks every spec
// shares: a spec whose Needs labels name a feature the backend lacks is
// skipped, and a cloud that stopped answering aborts the suite with the
// backend's own account (state and last log lines) instead of letting spec
// after spec time out. Call it once per suite:
//
//	var _ = scenario.Guard(&cloud)
func Guard(cloud **Cloud) bool {
	ginkgo.BeforeEach(func(ctx context.Context) {
		c := *cloud
		if c == nil {
			return
		}
		if reason := c.unsupported(ginkgo.CurrentSpecReport().Labels()); reason != "" {
			ginkgo.Skip(reason)
		}
		if err := c.Check(ctx); err != nil {
			ginkgo.AbortSuite("the cloud is down before this spec: " + err.Error())
		}
	})
	ginkgo.AfterEach(func(ctx context.Context) {
		report := ginkgo.CurrentSpecReport()
		if c := *cloud; c != nil && report.Failed() {
			if err := c.Check(ctx); err != nil {
				first, _, _ := strings.Cut(report.Failure.Message, "\n")
				ginkgo.AbortSuite(fmt.Sprintf("the cloud went down during this spec (which failed with: %s): %v", first, err))
			}
		}
	})
	return true
}

// unsupported is the skip reason for a spec with these labels, or "".
func (c *Cloud) unsupported(labels []string) string {
	for _, l := range labels {
		name, ok := strings.CutPrefix(l, needsPrefix)
		if !ok {
			continue
		}
		f := backend.Feature(name)
		if c.Supports(f) {
			continue
		}
		if e, ok := c.Backend.(backend.Explainer); ok {
			if why := e.Lacks(f); why != "" {
				return fmt.Sprintf("needs %s, but the %s backend %s", f, c.Backend.Name(), why)
			}
		}
		return fmt.Sprintf("needs %s, which the %s backend lacks", f, c.Backend.Name())
	}
	return ""
}
