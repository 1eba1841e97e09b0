package load_test

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/groundstack/groundstack/harness/backend"
	deploy "github.com/groundstack/groundstack/harness/deploy/deliveries"
	"github.com/groundstack/groundstack/harness/emulator/faults"
	"github.com/groundstack/groundstack/load/events"
	"github.com/groundstack/groundstack/load/profile"
	"github.com/groundstack/groundstack/load/report"
	"github.com/groundstack/groundstack/load/run"
)

// password is the demo password of user in the deployed stack.
func password(user string) string {
	for _, l := range stack.Logins {
		if l.Username == user {
			return l.Password
		}
	}
	Fail("no demo login " + user)
	return ""
}

var _ = Describe("groundstack load", Label("load"), func() {
	It("keeps every order fresh under a short burst of year-2 traffic ×10", func(ctx context.Context) {
		// year2 with 10 clients: 24 orders/s and 120 dashboard reads/s
		p, ok := profile.Named("year2", 10)
		Expect(ok).To(BeTrue())
		p = p.WithDuration(8 * time.Second)
		// The product's promise (every order visible within 10 s, nothing
		// lost, no errors) holds whatever the machine; the p99 objective of
		// `groundstack load` (2 s) is for a machine of its own: here the
		// suite shares 2 cores with the rest of make test (2.7 s was seen at
		// load 25), so it gets 5 s, and the p99 is reported as a figure.
		checks, err := report.Thresholds([]string{"freshness.max<=10s", "freshness.p99<=5s", "lost==0", "errors<0.1%"}, nil)
		Expect(err).NotTo(HaveOccurred())
		res, err := run.Run(ctx, run.Options{
			Profile: p, Target: stack.APIURL, User: run.DefaultUser, Password: password(run.DefaultUser),
			Thresholds: checks, Progress: GinkgoWriter,
		})
		Expect(err).NotTo(HaveOccurred())

		// the figures, for the report
		AddReportEntry("load summary", res.Line())
		o := res.Requests[profile.Orders]
		AddReportEntry("load figures", map[string]any{
			"orders_sent": o.Sent, "orders_ok": o.OK, "achieved_orders_per_s": res.Rates.AchievedOrders,
			"latency_p50_ms": o.Latency.P50, "latency_p99_ms": o.Latency.P99,
			"freshness_p50_ms": res.Freshness.P50, "freshness_p99_ms": res.Freshness.P99, "freshness_max_ms": res.Freshness.Max,
			"misses": res.Freshness.Misses, "lost": res.Freshness.Lost, "probe_reads": res.Freshness.Reads,
			"load_average": res.Machine.LoadStart + " → " + res.Machine.LoadEnd,
		})
		if root, err := deploy.ModuleRoot(); err == nil {
			dir := filepath.Join(root, "build", "reports", "load")
			Expect(os.MkdirAll(dir, 0o755)).To(Succeed())
			Expect(res.WriteJSON(filepath.Join(dir, "summary.json"))).To(Succeed())
			Expect(res.WriteJUnit(filepath.Join(dir, "junit.xml"))).To(Succeed())
			_, err := res.WriteCharts(dir)
			Expect(err).NotTo(HaveOccurred())
		}

		// the thresholds, and nothing lost in between
		Expect(res.Status).To(Equal(report.StatusComplete), res.Error)
		for _, c := range res.Thresholds {
			Expect(c.OK).To(BeTrue(), "threshold %s: observed %s", c.Expr, c.Shown)
		}
		Expect(o.Intended).To(BeNumerically(">", 150))
		Expect(o.Sent).To(Equal(o.Intended), "no order dropped")
		Expect(res.Freshness.Seen).To(Equal(o.OK), "every accepted order was seen")
	}, NodeTimeout(2*time.Minute))

	It("keeps every order fresh while DynamoDB throttles 5% of the orders' transactions", Label("faults"), func(ctx context.Context) {
		if first == nil || !first.Supports(backend.FeatureFaults) {
			Skip("needs a cloud that injects faults (groundstack)")
		}
		// Half the burst above (12 orders/s for 8 s, about 96 orders and
		// 5 throttled transactions): this spec is about retries absorbing
		// throttling, not capacity, and make e2e runs two suites at once
		// on two cores.
		p, ok := profile.Named("year2", 5)
		Expect(ok).To(BeTrue())
		p = p.WithDuration(8 * time.Second)
		// Freshness and nothing lost are the promise; a throttled
		// transaction the handler's SDK retried three times and still lost
		// (0.05³ of them) is an error the courier sees and retries, so
		// errors get 1 % here, and their count is a figure.
		checks, err := report.Thresholds([]string{"freshness.max<=10s", "lost==0", "errors<1%"}, nil)
		Expect(err).NotTo(HaveOccurred())
		res, err := run.Run(ctx, run.Options{
			Profile: p, Target: stack.APIURL, User: run.DefaultUser, Password: password(run.DefaultUser),
			Thresholds: checks, Progress: GinkgoWriter,
			Events: run.EventOptions{Endpoint: first.Endpoint()},
			Faults: []faults.Rule{{Service: "dynamodb", Operation: "TransactWriteItems",
				Error: "ProvisionedThroughputExceededException", Probability: aws.Float64(0.05)}},
		})
		Expect(err).NotTo(HaveOccurred())
		o := res.Requests[profile.Orders]
		Expect(res.Faults).To(HaveLen(1), "status %s: %s", res.Status, res.Error)
		AddReportEntry("load under DynamoDB throttling", map[string]any{
			"throttled_calls": res.Faults[0].Hits, "orders_sent": o.Sent, "orders_ok": o.OK, "errors": o.Sent - o.OK,
			"freshness_p50_ms": res.Freshness.P50, "freshness_p99_ms": res.Freshness.P99, "freshness_max_ms": res.Freshness.Max,
			"lost": res.Freshness.Lost, "load_average": res.Machine.LoadStart + " → " + res.Machine.LoadEnd,
		})
		Expect(res.Status).To(Equal(report.StatusComplete), res.Error)
		for _, c := range res.Thresholds {
			Expect(c.OK).To(BeTrue(), "threshold %s: observed %s", c.Expr, c.Shown)
		}
		Expect(res.Faults[0].Hits).To(BeNumerically(">", 0), "the fault hit some transactions")
		Expect(res.Freshness.Seen).To(Equal(o.OK), "every accepted order was seen")
		// The rule is gone once the run ends.
		rules, err := (&faults.Client{Endpoint: first.Endpoint(), Credentials: first.Config().Credentials}).List(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(rules).To(BeEmpty())
	}, NodeTimeout(2*time.Minute))

	It("keeps every event fresh beside the flow: a short run with event traffic mixed in", func(ctx context.Context) {
		// the probe function reports to this process: on the embedded
		// backend only (functions elsewhere cannot reach its loopback)
		paths := []string{events.PathSNSSQS, events.PathSQSLongPoll}
		if first.Backend.Name() == "embedded" {
			paths = []string{events.PathSNSSQS, events.PathSQSLambda}
		}
		p, ok := profile.Named("baseline", 5)
		Expect(ok).To(BeTrue())
		p = p.WithDuration(5 * time.Second).WithEvents(&profile.Events{Paths: paths, Rate: 100})
		// robust on a loaded machine: every event delivered within the 10 s
		// budget, none lost; the p99 (objective 100 ms) is reported
		checks, err := report.Thresholds([]string{"freshness.max<=10s", "lost==0", "errors<0.1%", "events.lost==0", "events.max<=10s"}, nil)
		Expect(err).NotTo(HaveOccurred())
		res, err := run.Run(ctx, run.Options{
			Profile: p, Target: stack.APIURL, User: run.DefaultUser, Password: password(run.DefaultUser),
			Thresholds: checks, Progress: GinkgoWriter, Events: run.EventOptions{Endpoint: first.Endpoint(), Warmup: 30 * time.Second},
		})
		Expect(err).NotTo(HaveOccurred())
		AddReportEntry("load with events", res.Line())
		for _, e := range res.Events {
			AddReportEntry("events "+e.Path, map[string]any{
				"status": e.Status, "reason": e.Reason, "events": e.Accepted, "achieved_per_s": e.AchievedRate,
				"p50_ms": e.P50, "p99_ms": e.P99, "max_ms": e.Max, "lost": e.Lost, "duplicates": e.Duplicates,
			})
		}
		Expect(res.Status).To(Equal(report.StatusComplete), res.Error)
		for _, c := range res.Thresholds {
			Expect(c.OK).To(BeTrue(), "threshold %s: observed %s", c.Expr, c.Shown)
		}
		Expect(res.Events).To(HaveLen(len(paths)))
		for _, e := range res.Events {
			Expect(e.Status).To(Equal(report.EventMeasured), e.Line())
			Expect(e.Accepted).To(BeNumerically(">", 100), e.Line())
			Expect(e.Seen).To(Equal(e.Accepted), "every accepted event seen: %s", e.Line())
			Expect(e.Via).To(HaveKeyWithValue(events.Route(e.Path), e.Seen), "%s: every event through %s", e.Path, events.Route(e.Path))
		}
	}, NodeTimeout(3*time.Minute))
})
