// Package bondmarket_test is the bondmarket flow's scenario suite: it
// deploys the flow (harness/deploy/bondmarket) on the backend
// GROUNDSTACK_BACKEND selects, with the fake card gateway
// (harness/payments) started by the suite's first process, and proves the
// spec's "Correctness" section through the REST API with net/http, the
// MQTT broker with paho.mqtt.golang, and DynamoDB, SQS and CloudWatch
// with aws-sdk-go-v2 where a scenario looks behind the API.
package bondmarket_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/groundstack/groundstack/handlers/bondmarket/market"
	"github.com/groundstack/groundstack/harness/backend"
	deploy "github.com/groundstack/groundstack/harness/deploy/bondmarket"
	"github.com/groundstack/groundstack/harness/payments"
	"github.com/groundstack/groundstack/scenarios/scenario"
)

func TestBondmarket(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Bondmarket Suite")
}

// paymentsTimeout is the functions' bound on a call to the card gateway
// (the timeout card's commit answers 504 after it).
const paymentsTimeout = 2 * time.Second

var (
	first   *scenario.Cloud
	cloud   *scenario.Cloud
	stack   deploy.Stack
	gateway *payments.Gateway
	api     string
	broker  brokerInfo
	figures = scenario.NewFigures()
	began   time.Time
)

type handoff struct {
	Endpoint string       `json:"endpoint"`
	Stack    deploy.Stack `json:"stack"`
	Broker   brokerInfo   `json:"broker"`
}

// brokerInfo is how a client reaches the cloud's MQTT broker (empty when
// the backend does not say).
type brokerInfo struct {
	Addr, Username, Password string
}

var _ = SynchronizedBeforeSuite(func(ctx context.Context) []byte {
	began = time.Now()
	c, endpoint, err := scenario.StartOnFirst(ctx)
	Expect(err).NotTo(HaveOccurred())
	first = c
	gatewayOpts := []payments.Option{payments.WithHoldTimeout(30 * time.Second)}
	if c.Backend.Name() == "container" {
		// the functions run inside the container: the gateway listens
		// where they reach the host, Docker's bridge
		ip, err := backend.BridgeHostIP(ctx)
		Expect(err).NotTo(HaveOccurred(), "the host's address on Docker's bridge network")
		gatewayOpts = append(gatewayOpts, payments.WithAddr(netip.AddrPortFrom(ip, 0).String()))
	}
	gateway = payments.New(gatewayOpts...)
	Expect(gateway.Start()).To(Succeed())
	st, err := deploy.Deploy(ctx, c.Config(), deploy.Options{PaymentsURL: gateway.URL(), PaymentsTimeout: paymentsTimeout})
	Expect(err).NotTo(HaveOccurred(), "deploy the bondmarket flow")
	h := handoff{Endpoint: string(endpoint), Stack: st}
	if m, err := backend.MQTTOf(c.Backend); err == nil {
		h.Broker = brokerInfo{Addr: m.Address, Username: m.Username, Password: m.Password}
	} else {
		fmt.Fprintf(GinkgoWriter, "no MQTT broker: %v\n", err)
	}
	b, err := json.Marshal(h)
	Expect(err).NotTo(HaveOccurred())
	return b
}, func(ctx context.Context, data []byte) {
	var h handoff
	Expect(json.Unmarshal(data, &h)).To(Succeed())
	c, err := scenario.Connect(ctx, first, []byte(h.Endpoint))
	Expect(err).NotTo(HaveOccurred())
	cloud, stack, broker = c, h.Stack, h.Broker
	api = stack.APIURL
	if !cloud.Supports(backend.FeaturePathURLs) {
		api = stack.APIHostURL
	}
	AddReportEntry("deploy timings (ms)", stack.Timings)
	if len(stack.Notes) > 0 {
		AddReportEntry("not on this cloud", stack.Notes)
	}
}, NodeTimeout(10*time.Minute))

var _ = scenario.Guard(&cloud)

var _ = SynchronizedAfterSuite(func() {}, func() {
	if !began.IsZero() {
		figures.Record("suite (s)", time.Since(began).Seconds())
	}
	Expect(figures.Flush("bondmarket", "BONDMARKET_FIGURES_OUT")).To(Succeed())
	if gateway != nil {
		gateway.Close()
	}
	Expect(first.Close()).To(Succeed())
})

func record(name string, v any) { figures.Record(name, v) }

// needGateway skips a spec whose functions must reach the card gateway
// this suite started on its own loopback: functions inside LocalStack's
// containers cannot. (For the container backend the gateway listens on
// Docker's bridge, which its functions reach.)
func needGateway() {
	GinkgoHelper()
	// other processes reach the first one's cloud as "external": the
	// variable says what it is
	for _, n := range []string{cloud.Backend.Name(), strings.TrimSpace(os.Getenv(backend.EnvBackend))} {
		if n == "localstack" {
			Skip("the card gateway listens on the suite's 127.0.0.1, which functions in the " + n + " backend's container cannot reach")
		}
	}
}

func ddb() *dynamodb.Client { return dynamodb.NewFromConfig(cloud.Config()) }

var httpClient = &http.Client{Timeout: 60 * time.Second}

// answer is an API answer: status, JSON body and headers.
type answer struct {
	Status int
	Body   map[string]any
	Header http.Header
	Raw    string
}

// Str is a string member of the body.
func (a answer) Str(k string) string { s, _ := a.Body[k].(string); return s }

// call sends one API request (body: nil, a string, or a value to
// marshal).
func call(ctx context.Context, method, path string, body any) answer {
	GinkgoHelper()
	var r io.Reader
	switch v := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(v)
	default:
		b, err := json.Marshal(v)
		Expect(err).NotTo(HaveOccurred())
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, api+path, r)
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/json")
	resp, err := httpClient.Do(req)
	Expect(err).NotTo(HaveOccurred(), "%s %s", method, path)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	a := answer{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	Expect(json.Unmarshal(raw, &a.Body)).To(Succeed(), "%s %s answered %d %q, not a JSON object", method, path, resp.StatusCode, raw)
	return a
}

// putFixture writes a fixture behind the API (fixtures come from the
// original's fixtures/info feed, which this flow does not take).
func putFixture(ctx context.Context, f market.Fixture) {
	GinkgoHelper()
	if f.LeagueName == "" {
		f.LeagueName, f.Round, f.Date = "Suite League", "Regular Season - 1", "2027-05-01T20:00:00Z"
	}
	_, err := ddb().PutItem(ctx, &dynamodb.PutItemInput{TableName: &stack.FixturesTable, Item: f.Item()})
	Expect(err).NotTo(HaveOccurred())
}

// fixtureID is a fixture id of this spec's own.
func fixtureID(name string) string {
	return fmt.Sprintf("%s-%d-%d", name, GinkgoParallelProcess(), time.Now().UnixNano())
}

func getFixture(ctx context.Context, id string) market.Fixture {
	GinkgoHelper()
	a := call(ctx, "GET", "/fixtures/"+id, nil)
	Expect(a.Status).To(Equal(200), a.Raw)
	var f market.Fixture
	Expect(json.Unmarshal([]byte(a.Raw), &f)).To(Succeed())
	return f
}

// order is an internal request body.
func order(fixture, user string, quantity int) map[string]any {
	return map[string]any{"group_id": "15", "fixture_id": fixture, "league_name": "Suite League", "round": "Regular Season - 1",
		"date": "2027-05-01", "result": "home", "deposit_token": payments.CardApprove, "datetime": time.Now().UTC().Format(time.RFC3339),
		"quantity": quantity, "user_id": user, "status": "pending"}
}
