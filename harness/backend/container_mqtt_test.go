package backend_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iot"
	iottypes "github.com/aws/aws-sdk-go-v2/service/iot/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/groundstack/groundstack/harness/backend"
)

// checkContainerMQTT: the container's broker is published on the host: a
// client publishes over MQTT (TCP, then WebSockets on the edge) and an IoT
// topic rule in the container sends each message to an SQS queue.
// (TestContainerBackend calls it on its container: one start fewer.)
func checkContainerMQTT(t *testing.T, c *backend.Container) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	m, err := backend.MQTTOf(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Address, "127.0.0.1:") || m.Username == "" || m.Password == "" {
		t.Fatalf("broker endpoint %+v", m)
	}
	q := sqs.NewFromConfig(c.Config())
	queue, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("rule-target")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iot.NewFromConfig(c.Config()).CreateTopicRule(ctx, &iot.CreateTopicRuleInput{RuleName: aws.String("to_queue"),
		TopicRulePayload: &iottypes.TopicRulePayload{Sql: aws.String("SELECT * FROM 'sensors/+'"), Actions: []iottypes.Action{{
			Sqs: &iottypes.SqsAction{QueueUrl: queue.QueueUrl, RoleArn: aws.String("arn:aws:iam::000000000000:role/iot-rules")}}}}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, broker string }{
		{"tcp", "tcp://" + m.Address},
		{"websocket", m.WebSocketURL},
	} {
		cl := paho.NewClient(paho.NewClientOptions().AddBroker(tc.broker).SetClientID("sensor-" + tc.name).
			SetUsername(m.Username).SetPassword(m.Password).SetAutoReconnect(false))
		if tok := cl.Connect(); !tok.WaitTimeout(30*time.Second) || tok.Error() != nil {
			t.Fatalf("%s: connect: %v", tc.name, tok.Error())
		}
		payload := `{"over":"` + tc.name + `"}`
		tok := cl.Publish("sensors/"+tc.name, 1, false, payload)
		if !tok.WaitTimeout(30*time.Second) || tok.Error() != nil {
			t.Fatalf("%s: publish: %v", tc.name, tok.Error())
		}
		cl.Disconnect(50)
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queue.QueueUrl, WaitTimeSeconds: 20,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != payload {
			t.Fatalf("%s: the rule's queue holds %+v", tc.name, out.Messages)
		}
		if _, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: queue.QueueUrl, ReceiptHandle: out.Messages[0].ReceiptHandle}); err != nil {
			t.Fatal(err)
		}
	}
}
