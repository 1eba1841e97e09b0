package emulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/aws/aws-sdk-go-v2/aws"
	iotapi "github.com/aws/aws-sdk-go-v2/service/iot"
	iottypes "github.com/aws/aws-sdk-go-v2/service/iot/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// observeIoT reads what a client sees of AWS IoT.
func observeIoT(t *testing.T, cfg aws.Config) string {
	t.Helper()
	ctx := context.Background()
	c := iotapi.NewFromConfig(cfg)
	var out []string
	add := func(what string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, what+" "+string(b))
	}
	things := must(c.ListThings(ctx, &iotapi.ListThingsInput{})).Things
	add("things", things)
	for _, th := range things {
		d := must(c.DescribeThing(ctx, &iotapi.DescribeThingInput{ThingName: th.ThingName}))
		d.ResultMetadata = iotNoMeta
		add("thing", d)
	}
	rules := must(c.ListTopicRules(ctx, &iotapi.ListTopicRulesInput{})).Rules
	add("rules", rules)
	for _, r := range rules {
		g := must(c.GetTopicRule(ctx, &iotapi.GetTopicRuleInput{RuleName: r.RuleName}))
		add("rule", []any{g.RuleArn, g.Rule})
	}
	return strings.Join(out, "\n")
}

var iotNoMeta = iotapi.DescribeThingOutput{}.ResultMetadata

// mqttPublish publishes one message to the emulator's broker.
func mqttPublish(t *testing.T, e *emulator.Emulator, topic, payload string) {
	t.Helper()
	b := e.MQTT()
	cl := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + b.Addr()).SetClientID("snapshot-test").
		SetUsername(b.Credentials().Username).SetPassword(b.Credentials().Password).SetAutoReconnect(false))
	if tok := cl.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	defer cl.Disconnect(50)
	if tok := cl.Publish(topic, 1, false, payload); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("publish: %v", tok.Error())
	}
}

// Things and topic rules built through the SDK, saved and loaded into a
// second emulator, read the same through the SDK, and a loaded rule routes
// a message to its (loaded) queue.
func TestSnapshotIoTRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, acfg := emutest.Start(t)
	c := iotapi.NewFromConfig(acfg)
	must(c.CreateThing(ctx, &iotapi.CreateThingInput{ThingName: aws.String("sensor-1"),
		AttributePayload: &iottypes.AttributePayload{Attributes: map[string]string{"floor": "2"}}}))
	must(c.CreateThing(ctx, &iotapi.CreateThingInput{ThingName: aws.String("sensor-2")}))
	q := sqs.NewFromConfig(acfg)
	qurl := must(q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("readings")})).QueueUrl
	must(c.CreateTopicRule(ctx, &iotapi.CreateTopicRuleInput{RuleName: aws.String("hot"), TopicRulePayload: &iottypes.TopicRulePayload{
		Sql:         aws.String("SELECT temp, topic(2) AS sensor FROM 'sensors/+' WHERE temp > 30"),
		Description: aws.String("hot readings"),
		Actions:     []iottypes.Action{{Sqs: &iottypes.SqsAction{QueueUrl: qurl, RoleArn: aws.String("arn:aws:iam::000000000000:role/iot")}}}}}))
	must(c.CreateTopicRule(ctx, &iotapi.CreateTopicRuleInput{RuleName: aws.String("off"), TopicRulePayload: &iottypes.TopicRulePayload{
		Sql: aws.String("SELECT * FROM 'x'"), RuleDisabled: aws.Bool(true),
		Actions: []iottypes.Action{{Sqs: &iottypes.SqsAction{QueueUrl: qurl, RoleArn: aws.String("arn:aws:iam::000000000000:role/iot")}}}}}))
	file := saveSnapshot(t, a.URL())
	b, bcfg := emutest.Start(t)
	if status, body := snapshotCall(t, b.URL(), "/_groundstack/snapshot/load", file); status != http.StatusOK {
		t.Fatalf("load: %d %s", status, body)
	}
	before, after := observeIoT(t, acfg), observeIoT(t, bcfg)
	if d := lineDiff(before, after); d != "" {
		t.Errorf("observed state differs after load:\n%s", d)
	}
	for _, want := range []string{`"sensor-1"`, `"floor":"2"`, `"RuleName":"hot"`, `"RuleDisabled":true`} {
		if !strings.Contains(after, want) {
			t.Errorf("the loaded state lacks %s:\n%s", want, after)
		}
	}
	mqttPublish(t, b, "sensors/s1", `{"temp": 35}`)
	qb := sqs.NewFromConfig(bcfg)
	burl := must(qb.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("readings")})).QueueUrl
	got := must(qb.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: burl, WaitTimeSeconds: 10}))
	if len(got.Messages) != 1 || !strings.Contains(*got.Messages[0].Body, `"sensor":"s1"`) {
		t.Errorf("the loaded rule delivered %+v", got.Messages)
	}
}
