package events

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iot"
	iottypes "github.com/aws/aws-sdk-go-v2/service/iot/types"
	paho "github.com/eclipse/paho.mqtt.golang"
)

// MQTTBroker is where the mqtt-lambda path publishes: host:port and the
// broker's credentials (harness/backend's MQTTOf).
type MQTTBroker struct {
	Address, Username, Password string
}

// setupMQTTLambda: a topic rule sends every message on the path's topic to
// the probe function; the producer publishes the event ID at QoS 1, and
// the event is accepted when the broker's PUBACK comes back.
func setupMQTTLambda(ctx context.Context, p *path) error {
	b := p.env.MQTT
	if b.Address == "" {
		return step("MQTT broker", errors.New("no broker: this cloud's backend has none (see docs/iot-and-mqtt.md)"))
	}
	fn, err := p.function(ctx)
	if err != nil {
		return err
	}
	if err := p.allowInvoke(ctx, fn, "iot.amazonaws.com", "arn:aws:iot:us-east-1:000000000000:rule/*"); err != nil {
		return err
	}
	rule := "gsbench_" + p.env.Run + "_mqtt"
	topic := "gsbench/" + p.env.Run + "/events"
	ic := iot.NewFromConfig(p.env.Config)
	if _, err := ic.CreateTopicRule(ctx, &iot.CreateTopicRuleInput{RuleName: aws.String(rule), TopicRulePayload: &iottypes.TopicRulePayload{
		Sql:     aws.String(fmt.Sprintf("SELECT * FROM '%s'", topic)),
		Actions: []iottypes.Action{{Lambda: &iottypes.LambdaAction{FunctionArn: aws.String(fn)}}},
	}}); err != nil {
		return step("CreateTopicRule", err)
	}
	p.cleanup(func(ctx context.Context) error {
		_, err := ic.DeleteTopicRule(ctx, &iot.DeleteTopicRuleInput{RuleName: aws.String(rule)})
		return err
	})
	cl := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + b.Address).SetClientID("gsbench-" + p.env.Run).
		SetUsername(b.Username).SetPassword(b.Password).SetAutoReconnect(false).SetConnectTimeout(callTimeout).
		SetMaxResumePubInFlight(1000))
	if tok := cl.Connect(); !tok.WaitTimeout(callTimeout) || tok.Error() != nil {
		return step("MQTT CONNECT", errOr(tok.Error(), "timed out"))
	}
	p.cleanup(func(context.Context) error { cl.Disconnect(100); return nil })
	p.produce = func(ctx context.Context, id string) error {
		tok := cl.Publish(topic, 1, false, `{"id":"`+id+`"}`)
		select {
		case <-tok.Done():
			return tok.Error()
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(callTimeout):
			return errors.New("no PUBACK")
		}
	}
	return nil
}

func errOr(err error, msg string) error {
	if err != nil {
		return err
	}
	return errors.New(msg)
}
