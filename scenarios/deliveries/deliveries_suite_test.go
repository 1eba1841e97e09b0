// Package deliveries_test is the deliveries flow's scenario suite: it
// deploys the flow (harness/deploy/deliveries) on the backend
// GROUNDSTACK_BACKEND selects and proves what the flow spec lists, through
// the API's two front doors (REST API and Function URL), the dashboard in
// headless Chromium, and DynamoDB where a scenario needs to look behind
// the API.
//
// Labels: deliveries (API behaviour), freshness (10 s budget), browser
// (dashboard). Long runs for the report's figures are opt-in:
// DELIVERIES_FIGURES=1 runs 60 s freshness at the original rate and at 12×
// with 50 couriers; DELIVERIES_MILLION=1 also loads 1,000,000 orders and
// measures /metrics and freshness on top of them. DELIVERIES_FIGURES_OUT
// names a JSON file to write the measured figures to.
package deliveries_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/groundstack/groundstack/harness/backend"
	deploy "github.com/groundstack/groundstack/harness/deploy/deliveries"
	ld "github.com/groundstack/groundstack/load/deliveries"
	"github.com/groundstack/groundstack/scenarios/scenario"
)

func TestDeliveries(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Deliveries Suite")
}

var (
	first *scenario.Cloud
	cloud *scenario.Cloud
	stack deploy.Stack
	// rest and fnURL reach the API through the REST API stage and the
	// Function URL; authed versions carry an admin token.
	rest, fnURL          *ld.Client
	restAuthed, fnAuthed *ld.Client
	adminUser, adminPass string
	figures              = scenario.NewFigures()
)

type handoff struct {
	Endpoint string       `json:"endpoint"`
	Stack    deploy.Stack `json:"stack"`
}

var _ = SynchronizedBeforeSuite(func(ctx context.Context) []byte {
	c, endpoint, err := scenario.StartOnFirst(ctx)
	Expect(err).NotTo(HaveOccurred())
	first = c
	st, err := deploy.Deploy(ctx, c.Config(), deploy.Options{})
	Expect(err).NotTo(HaveOccurred(), "deploy the deliveries flow")
	b, err := json.Marshal(handoff{Endpoint: string(endpoint), Stack: st})
	Expect(err).NotTo(HaveOccurred())
	return b
}, func(ctx context.Context, data []byte) {
	var h handoff
	Expect(json.Unmarshal(data, &h)).To(Succeed())
	c, err := scenario.Connect(ctx, first, []byte(h.Endpoint))
	Expect(err).NotTo(HaveOccurred())
	cloud, stack = c, h.Stack
	if !cloud.Supports(backend.FeaturePathURLs) {
		// LocalStack and AWS answer at the host forms only.
		stack.FunctionPathURL, stack.DashboardURL = stack.FunctionURL, stack.DashboardHostURL
	}
	rest, fnURL = ld.NewClient(stack.APIURL), ld.NewClient(stack.FunctionPathURL)
	Expect(stack.Logins).NotTo(BeEmpty())
	adminUser, adminPass = stack.Logins[0].Username, stack.Logins[0].Password
	tok, err := rest.Login(ctx, adminUser, adminPass)
	Expect(err).NotTo(HaveOccurred())
	restAuthed, fnAuthed = rest.WithToken(tok), fnURL.WithToken(tok)
	AddReportEntry("deploy timings (ms)", stack.Timings)
}, NodeTimeout(10*time.Minute))

var _ = scenario.Guard(&cloud)

var _ = SynchronizedAfterSuite(func() {}, func() {
	Expect(figures.Flush("deliveries", "DELIVERIES_FIGURES_OUT")).To(Succeed())
	Expect(first.Close()).To(Succeed())
})

// record keeps a measured figure for the suite's summary.
func record(name string, v any) { figures.Record(name, v) }

// ddb is a DynamoDB client for looking behind the API (the backend's config
// carries the fix for the SDK's large-response race: see harness/sdkclient).
func ddb() *dynamodb.Client {
	return dynamodb.NewFromConfig(cloud.Config())
}

// frontDoors are the two ways into the API, by name.
func frontDoors() map[string]*ld.Client {
	return map[string]*ld.Client{"REST API": rest, "Function URL": fnURL}
}
