package bondmarket_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/groundstack/groundstack/handlers/bondmarket/market"
	"github.com/groundstack/groundstack/harness/backend"
)

// connect is a paho client on the cloud's broker, as another group's
// system connects.
func connect(name string) mqtt.Client {
	GinkgoHelper()
	if broker.Addr == "" {
		Skip("no MQTT broker groundstack can reach on this backend (" + backend.ErrNoMQTT.Error() + ")")
	}
	opts := mqtt.NewClientOptions().AddBroker("tcp://" + broker.Addr).SetClientID(fmt.Sprintf("%s-%d-%d", name, GinkgoParallelProcess(), time.Now().UnixNano())).
		SetUsername(broker.Username).SetPassword(broker.Password).SetConnectTimeout(10 * time.Second).SetAutoReconnect(false)
	c := mqtt.NewClient(opts)
	tok := c.Connect()
	Expect(tok.WaitTimeout(15*time.Second)).To(BeTrue(), "connect to the broker")
	Expect(tok.Error()).NotTo(HaveOccurred())
	DeferCleanup(func() { c.Disconnect(100) })
	return c
}

func publish(c mqtt.Client, topic string, payload []byte) {
	GinkgoHelper()
	tok := c.Publish(topic, 1, false, payload)
	Expect(tok.WaitTimeout(10*time.Second)).To(BeTrue(), "PUBACK")
	Expect(tok.Error()).NotTo(HaveOccurred())
}

// counters reads the consumers' outcome counters behind the API.
func counters(ctx context.Context) map[string]int64 {
	GinkgoHelper()
	out := map[string]int64{}
	for _, name := range market.Outcomes {
		got, err := ddb().GetItem(ctx, &dynamodb.GetItemInput{TableName: &stack.MessagesTable,
			Key: map[string]dtypes.AttributeValue{"message_id": &dtypes.AttributeValueMemberS{Value: market.CounterPrefix + name}}, ConsistentRead: aws.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		if n, ok := got.Item["n"].(*dtypes.AttributeValueMemberN); ok {
			v, err := strconv.ParseInt(n.Value, 10, 64)
			Expect(err).NotTo(HaveOccurred())
			out[name] = v
		}
	}
	return out
}

// The counters are the flow's: the specs that publish bad messages run
// one after the other.
var _ = Describe("MQTT consumers", Label("bondmarket", "mqtt"), Serial, Ordered, func() {
	var pub mqtt.Client
	BeforeAll(func() { pub = connect("group7") })

	It("creates other groups' requests from fixtures/requests (topic rule → Lambda) and measures the latency", func(ctx SpecContext) {
		id := fixtureID("mqttreq")
		putFixture(ctx, market.Fixture{FixtureID: id, Available: 40})
		const n = 20
		sent := map[string]time.Time{}
		for i := range n {
			rid := fmt.Sprintf("g7-%s-%d", id, i)
			b, _ := json.Marshal(map[string]any{"group_id": "7", "request_id": rid, "fixture_id": id, "quantity": 1, "user_id": "g7user",
				"league_name": "Suite League", "round": "1", "date": "2027-05-01", "result": "away", "deposit_token": "", "datetime": time.Now().UTC().Format(time.RFC3339),
				"status": "pending"})
			sent[rid] = time.Now()
			publish(pub, market.TopicRequests, b)
		}
		var lat []time.Duration
		for rid, at := range sent {
			var r market.Request
			Eventually(func(g Gomega) {
				a := call(ctx, "GET", "/requests/"+rid, nil)
				g.Expect(a.Status).To(Equal(200), "request %s not created yet", rid)
				g.Expect(json.Unmarshal([]byte(a.Raw), &r)).To(Succeed())
			}).WithContext(ctx).WithTimeout(30 * time.Second).WithPolling(100 * time.Millisecond).Should(Succeed())
			created, err := time.Parse(time.RFC3339Nano, r.CreatedAt)
			Expect(err).NotTo(HaveOccurred())
			lat = append(lat, created.Sub(at))
			Expect(r.GroupID).To(Equal("7"))
		}
		slices.Sort(lat)
		record("MQTT publish → consumer reserved, p50 (ms)", float64(lat[len(lat)/2].Microseconds())/1000)
		record("MQTT publish → consumer reserved, max (ms)", float64(lat[len(lat)-1].Microseconds())/1000)
		Expect(getFixture(ctx, id).Available).To(Equal(int64(40 - n)))
	}, SpecTimeout(2*time.Minute))

	It("rejects and counts malformed and replayed messages, and keeps consuming", func(ctx SpecContext) {
		id := fixtureID("mqttbad")
		putFixture(ctx, market.Fixture{FixtureID: id, Available: 10})
		before := counters(ctx)
		req, _ := json.Marshal(map[string]any{"group_id": "9", "request_id": "g9-" + id, "fixture_id": id, "quantity": 3})
		publish(pub, market.TopicRequests, req)
		Eventually(func() int { return call(ctx, "GET", "/requests/g9-"+id, nil).Status }).WithContext(ctx).
			WithTimeout(30 * time.Second).WithPolling(100 * time.Millisecond).Should(Equal(200))
		publish(pub, market.TopicRequests, req)                                     // replayed
		publish(pub, market.TopicRequests, []byte("this is not JSON \x00\xff"))     // malformed
		publish(pub, market.TopicRequests, []byte(`{"group_id":"9","quantity":1}`)) // malformed: no fixture, no id
		publish(pub, market.TopicValidation, []byte(`[1,2,3]`))                     // malformed
		reject, _ := json.Marshal(map[string]any{"request_id": "g9-" + id, "group_id": "9", "seller": 0, "valid": false})
		publish(pub, market.TopicValidation, reject)
		publish(pub, market.TopicValidation, reject) // replayed
		Eventually(func(g Gomega) {
			now := counters(ctx)
			g.Expect(now[market.OutcomeMalformed] - before[market.OutcomeMalformed]).To(Equal(int64(3)))
			g.Expect(now[market.OutcomeReplayed] - before[market.OutcomeReplayed]).To(Equal(int64(2)))
		}).WithContext(ctx).WithTimeout(30 * time.Second).WithPolling(200 * time.Millisecond).Should(Succeed())
		f := getFixture(ctx, id)
		Expect(f.Available).To(Equal(int64(10)), "reserved 3 once, returned 3 once")
		Expect(f.Sold).To(BeZero())
		Expect(call(ctx, "GET", "/requests/g9-"+id, nil).Body).To(HaveKeyWithValue("status", "rejected"))

		// the consumer still works after the bad messages
		next, _ := json.Marshal(map[string]any{"group_id": "9", "request_id": "g9-next-" + id, "fixture_id": id, "quantity": 1})
		publish(pub, market.TopicRequests, next)
		Eventually(func() int { return call(ctx, "GET", "/requests/g9-next-"+id, nil).Status }).WithContext(ctx).
			WithTimeout(30 * time.Second).WithPolling(100 * time.Millisecond).Should(Equal(200))
	}, SpecTimeout(2*time.Minute))

	It("publishes our own requests on fixtures/requests and card outcomes on fixtures/validation (iot-data Publish)", func(ctx SpecContext) {
		needGateway()
		sub := connect("listener")
		var mu sync.Mutex
		seen := map[string][]string{}
		for _, topic := range []string{market.TopicRequests, market.TopicValidation} {
			tok := sub.Subscribe(topic, 1, func(_ mqtt.Client, m mqtt.Message) {
				mu.Lock()
				defer mu.Unlock()
				seen[m.Topic()] = append(seen[m.Topic()], string(m.Payload()))
			})
			Expect(tok.WaitTimeout(10 * time.Second)).To(BeTrue())
			Expect(tok.Error()).NotTo(HaveOccurred())
		}
		id := fixtureID("mqttown")
		putFixture(ctx, market.Fixture{FixtureID: id, Available: 5})
		a := call(ctx, "POST", "/requests", order(id, "own-"+id, 1))
		Expect(a.Status).To(Equal(201))
		rid := a.Str("request_id")
		created := call(ctx, "POST", "/webpay/create", map[string]any{"request_id": rid})
		Expect(call(ctx, "POST", "/webpay/commit", map[string]any{"token": created.Str("token")}).Body).To(HaveKeyWithValue("status", "accepted"))
		Eventually(func(g Gomega) {
			mu.Lock()
			defer mu.Unlock()
			g.Expect(seen[market.TopicRequests]).To(ContainElement(And(ContainSubstring(rid), ContainSubstring(`"group_id":"15"`))))
			g.Expect(seen[market.TopicValidation]).To(ContainElement(And(ContainSubstring(rid), ContainSubstring(`"valid":true`))))
		}).WithContext(ctx).WithTimeout(20 * time.Second).WithPolling(100 * time.Millisecond).Should(Succeed())
		Expect(getFixture(ctx, id).Available).To(Equal(int64(4)), "our own request coming back from the broker reserves nothing more")
	}, SpecTimeout(time.Minute))
})
