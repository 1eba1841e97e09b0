package iot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	iotapi "github.com/aws/aws-sdk-go-v2/service/iot"
	iottypes "github.com/aws/aws-sdk-go-v2/service/iot/types"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/groundstack/groundstack/harness/deploy"
	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

var testfnZip []byte

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	path, _, err := deploy.BuildHandler(ctx, "../../../../handlers/testfn")
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "build testfn:", err)
		os.Exit(1)
	}
	if testfnZip, err = os.ReadFile(path); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

var bg = context.Background()

const role = "arn:aws:iam::000000000000:role/iot-rules"

type cloudUnderTest struct {
	e   *emulator.Emulator
	cfg aws.Config
	iot *iotapi.Client
	sqs *sqs.Client
}

func start(t *testing.T) *cloudUnderTest {
	t.Helper()
	e, cfg := emutest.Start(t)
	return &cloudUnderTest{e: e, cfg: cfg, iot: iotapi.NewFromConfig(cfg), sqs: sqs.NewFromConfig(cfg)}
}

func (c *cloudUnderTest) queue(t *testing.T, name string) (url, arn string) {
	t.Helper()
	q, err := c.sqs.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.sqs.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(q.QueueUrl), a.Attributes["QueueArn"]
}

func (c *cloudUnderTest) receive(t *testing.T, url string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		out, err := c.sqs.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) > 0 {
			c.sqs.DeleteMessage(bg, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: out.Messages[0].ReceiptHandle})
			return aws.ToString(out.Messages[0].Body)
		}
	}
	t.Fatalf("nothing arrived on %s", url)
	return ""
}

func (c *cloudUnderTest) mqtt(t *testing.T, id string) paho.Client {
	t.Helper()
	b := c.e.MQTT()
	o := paho.NewClientOptions().AddBroker("tcp://" + b.Addr()).SetClientID(id).
		SetUsername(b.Credentials().Username).SetPassword(b.Credentials().Password).SetAutoReconnect(false)
	cl := paho.NewClient(o)
	if tok := cl.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	t.Cleanup(func() { cl.Disconnect(50) })
	return cl
}

func publish(t *testing.T, cl paho.Client, topic, payload string) {
	t.Helper()
	if tok := cl.Publish(topic, 1, false, payload); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("publish: %v", tok.Error())
	}
}

func (c *cloudUnderTest) rule(t *testing.T, name, sql string, actions []iottypes.Action, errorAction *iottypes.Action) {
	t.Helper()
	if _, err := c.iot.CreateTopicRule(bg, &iotapi.CreateTopicRuleInput{RuleName: aws.String(name),
		TopicRulePayload: &iottypes.TopicRulePayload{Sql: aws.String(sql), Actions: actions, ErrorAction: errorAction}}); err != nil {
		t.Fatal(err)
	}
}

// An MQTT message on a rule's topic invokes a real Go function with the
// rule's SELECT output (seen through the function's success destination:
// testfn echoes its event).
func TestRuleInvokesLambda(t *testing.T) {
	c := start(t)
	lc := awslambda.NewFromConfig(c.cfg)
	okURL, okARN := c.queue(t, "on-success")
	fn, err := lc.CreateFunction(bg, &awslambda.CreateFunctionInput{FunctionName: aws.String("consumer"), Runtime: lambdatypes.RuntimeProvidedal2023,
		Handler: aws.String("bootstrap"), Role: aws.String("arn:aws:iam::000000000000:role/fn"), Code: &lambdatypes.FunctionCode{ZipFile: testfnZip}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lc.PutFunctionEventInvokeConfig(bg, &awslambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("consumer"),
		DestinationConfig: &lambdatypes.DestinationConfig{OnSuccess: &lambdatypes.OnSuccess{Destination: aws.String(okARN)}}}); err != nil {
		t.Fatal(err)
	}
	c.rule(t, "requests", "SELECT *, topic(2) AS kind, clientid() AS client FROM 'fixtures/+' WHERE quantity > 0",
		[]iottypes.Action{{Lambda: &iottypes.LambdaAction{FunctionArn: fn.FunctionArn}}}, nil)

	cl := c.mqtt(t, "group-7")
	publish(t, cl, "fixtures/requests", `{"quantity":0,"request_id":"filtered-out"}`)
	publish(t, cl, "fixtures/requests", `{"quantity":2,"request_id":"r-1","nested":{"a":[1,2]}}`)
	var rec struct {
		ResponsePayload map[string]any `json:"responsePayload"`
	}
	if err := json.Unmarshal([]byte(c.receive(t, okURL)), &rec); err != nil {
		t.Fatal(err)
	}
	got := rec.ResponsePayload
	if got["request_id"] != "r-1" || got["kind"] != "requests" || got["client"] != "group-7" || got["quantity"] != 2.0 ||
		fmt.Sprint(got["nested"]) != "map[a:[1 2]]" {
		t.Fatalf("the function received %v", got)
	}
	// The WHERE clause kept the first message away.
	time.Sleep(200 * time.Millisecond)
	out, _ := c.sqs.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: aws.String(okURL)})
	if len(out.Messages) != 0 {
		t.Fatalf("filtered message reached the function: %s", aws.ToString(out.Messages[0].Body))
	}
}

// sqs, sns and dynamoDBv2 actions, republish, and the error action run for
// a message published through iot-data.
func TestRuleActions(t *testing.T) {
	c := start(t)
	sqURL, _ := c.queue(t, "telemetry")
	b64URL, _ := c.queue(t, "telemetry-b64")
	snsURL, snsQueueARN := c.queue(t, "from-sns")
	errURL, _ := c.queue(t, "rule-errors")
	sn := sns.NewFromConfig(c.cfg)
	topic, err := sn.CreateTopic(bg, &sns.CreateTopicInput{Name: aws.String("alerts")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sn.Subscribe(bg, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(snsQueueARN),
		Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(c.cfg)
	if _, err := db.CreateTable(bg, &dynamodb.CreateTableInput{TableName: aws.String("readings"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("device"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("device"), KeyType: ddbtypes.KeyTypeHash}}}); err != nil {
		t.Fatal(err)
	}
	c.rule(t, "telemetry", "SELECT topic(2) AS device, temp, meta.unit AS unit FROM 'sensors/+/telemetry' WHERE temp >= 30 AND NOT (meta.unit = 'K')",
		[]iottypes.Action{
			{Sqs: &iottypes.SqsAction{QueueUrl: aws.String(sqURL), RoleArn: aws.String(role)}},
			{Sqs: &iottypes.SqsAction{QueueUrl: aws.String(b64URL), RoleArn: aws.String(role), UseBase64: aws.Bool(true)}},
			{Sns: &iottypes.SnsAction{TargetArn: topic.TopicArn, RoleArn: aws.String(role), MessageFormat: iottypes.MessageFormatRaw}},
			{DynamoDBv2: &iottypes.DynamoDBv2Action{RoleArn: aws.String(role), PutItem: &iottypes.PutItemInput{TableName: aws.String("readings")}}},
			{Republish: &iottypes.RepublishAction{RoleArn: aws.String(role), Topic: aws.String("alerts/${topic(2)}/hot"), Qos: aws.Int32(1)}},
			{Lambda: &iottypes.LambdaAction{FunctionArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:missing")}},
		},
		&iottypes.Action{Sqs: &iottypes.SqsAction{QueueUrl: aws.String(errURL), RoleArn: aws.String(role)}})

	sub := c.mqtt(t, "watcher")
	hot := make(chan paho.Message, 4)
	if tok := sub.Subscribe("alerts/#", 1, func(_ paho.Client, m paho.Message) { hot <- m }); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	dev := c.mqtt(t, "dev-1")
	publish(t, dev, "sensors/dev-1/telemetry", `{"temp":12,"meta":{"unit":"C"}}`) // WHERE false
	publish(t, dev, "sensors/dev-1/telemetry", `{"temp":35.5,"meta":{"unit":"C"}}`)

	want := `{"device":"dev-1","temp":35.5,"unit":"C"}`
	if got := c.receive(t, sqURL); got != want {
		t.Fatalf("sqs action sent %s", got)
	}
	if got := c.receive(t, b64URL); got != "eyJkZXZpY2UiOiJkZXYtMSIsInRlbXAiOjM1LjUsInVuaXQiOiJDIn0=" {
		t.Fatalf("sqs useBase64 sent %s", got)
	}
	if got := c.receive(t, snsURL); got != want {
		t.Fatalf("sns action published %s", got)
	}
	select {
	case m := <-hot:
		if m.Topic() != "alerts/dev-1/hot" || string(m.Payload()) != want {
			t.Fatalf("republished %s %s", m.Topic(), m.Payload())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing republished")
	}
	item, err := db.GetItem(bg, &dynamodb.GetItemInput{TableName: aws.String("readings"), Key: map[string]ddbtypes.AttributeValue{"device": &ddbtypes.AttributeValueMemberS{Value: "dev-1"}}})
	if err != nil || item.Item == nil {
		t.Fatalf("dynamoDBv2 item: %v %v", item, err)
	}
	if n, ok := item.Item["temp"].(*ddbtypes.AttributeValueMemberN); !ok || n.Value != "35.5" {
		t.Fatalf("item %v", item.Item)
	}
	var report struct {
		RuleName, Topic, ClientID, Base64OriginalPayload string
		Failures                                         []struct{ FailedAction, FailedResource, ErrorMessage string }
	}
	if err := json.Unmarshal([]byte(c.receive(t, errURL)), &report); err != nil {
		t.Fatal(err)
	}
	if report.RuleName != "telemetry" || report.Topic != "sensors/dev-1/telemetry" || report.ClientID != "dev-1" || len(report.Failures) != 1 ||
		report.Failures[0].FailedAction != "LambdaAction" || !strings.Contains(report.Failures[0].FailedResource, "function:missing") ||
		report.Failures[0].ErrorMessage == "" {
		t.Fatalf("error action report %+v", report)
	}
}
