package emulator

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/mqtt"
)

// WithMQTTAddr sets the embedded MQTT broker's TCP listen address
// ("127.0.0.1:1883"); the default is a free loopback port.
func WithMQTTAddr(addr string) Option {
	return func(c *config) { c.mqtt = append(c.mqtt, mqtt.WithAddr(addr)) }
}

// WithMQTTCredentials sets the broker's username and password (by default
// both are generated when the emulator is made).
func WithMQTTCredentials(username, password string) Option {
	return func(c *config) { c.mqtt = append(c.mqtt, mqtt.WithCredentials(username, password)) }
}

// WithMQTTOptions passes options to the embedded MQTT broker.
func WithMQTTOptions(opts ...mqtt.Option) Option {
	return func(c *config) { c.mqtt = append(c.mqtt, opts...) }
}

// MQTT is the emulator's MQTT broker (its address once Start has run).
func (e *Emulator) MQTT() *mqtt.Broker { return e.broker }

// brokerLink is the broker as services see it (cloud.MessageBroker).
type brokerLink struct{ b *mqtt.Broker }

func (l brokerLink) Publish(m cloud.BrokerMessage) error {
	return l.b.Publish(m.Topic, m.Payload, m.QoS, m.Retain)
}

func (l brokerLink) Republish(m cloud.BrokerMessage) error {
	return l.b.PublishDerived(m.Topic, m.Payload, m.QoS, m.Retain)
}

func (l brokerLink) Retained(topic string) (cloud.BrokerMessage, bool) {
	m, ok := l.b.Retained(topic)
	return brokerMessage(m), ok
}

func (l brokerLink) RetainedMessages() []cloud.BrokerMessage {
	all := l.b.RetainedMessages()
	out := make([]cloud.BrokerMessage, len(all))
	for i, m := range all {
		out[i] = brokerMessage(m)
	}
	return out
}

func (l brokerLink) Observe(f func(cloud.BrokerMessage)) func() {
	return l.b.Observe(func(m mqtt.Message) { f(brokerMessage(m)) })
}

func (l brokerLink) Address() string { return l.b.Addr() }

func brokerMessage(m mqtt.Message) cloud.BrokerMessage {
	return cloud.BrokerMessage{Topic: m.Topic, Payload: m.Payload, QoS: m.QoS, Retain: m.Retain, ClientID: m.ClientID, Username: m.Username, Time: m.Time}
}

func (l brokerLink) WebSocket() http.Handler { return l.b.WebSocket() }

func (l brokerLink) SignedWebSocket() http.Handler { return l.b.SignedWebSocket() }

func (l brokerLink) ClearRetained() { l.b.ClearRetained() }
