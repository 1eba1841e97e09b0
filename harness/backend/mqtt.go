package backend

import (
	"crypto/rand"
	"errors"
	"os"
	"strings"
)

// MQTTEndpoint is how a client reaches a cloud's MQTT broker (AWS IoT Core's
// data endpoint): a TCP address and the broker's credentials.
type MQTTEndpoint struct {
	// Address is host:port for MQTT over TCP ("127.0.0.1:1883").
	Address string
	// WebSocketURL is MQTT over WebSockets on the edge ("ws://127.0.0.1:4566/mqtt").
	WebSocketURL       string
	Username, Password string
}

// MQTTBroker is a Backend whose cloud runs an MQTT broker.
type MQTTBroker interface {
	MQTT() (MQTTEndpoint, error)
}

// Variables naming an external cloud's broker (for the external backend).
const (
	EnvMQTTAddr     = "GROUNDSTACK_MQTT_ADDR"
	EnvMQTTUsername = "GROUNDSTACK_MQTT_USERNAME"
	EnvMQTTPassword = "GROUNDSTACK_MQTT_PASSWORD"
)

// ErrNoMQTT is returned by MQTTOf for a cloud without a reachable broker.
var ErrNoMQTT = errors.New("backend: this cloud has no MQTT broker groundstack can reach (for an external cloud set " +
	EnvMQTTAddr + ", " + EnvMQTTUsername + " and " + EnvMQTTPassword + ")")

// MQTTOf returns the broker of b's cloud: what b says, or for other
// backends what GROUNDSTACK_MQTT_ADDR/_USERNAME/_PASSWORD say.
func MQTTOf(b Backend) (MQTTEndpoint, error) {
	if m, ok := b.(MQTTBroker); ok {
		return m.MQTT()
	}
	if addr := strings.TrimSpace(os.Getenv(EnvMQTTAddr)); addr != "" {
		return MQTTEndpoint{Address: addr, Username: os.Getenv(EnvMQTTUsername), Password: os.Getenv(EnvMQTTPassword)}, nil
	}
	return MQTTEndpoint{}, ErrNoMQTT
}

// MQTT is the in-process emulator's broker.
func (b *Embedded) MQTT() (MQTTEndpoint, error) {
	br := b.emu.MQTT()
	c := br.Credentials()
	return MQTTEndpoint{Address: br.Addr(), WebSocketURL: "ws://" + strings.TrimPrefix(b.emu.URL(), "http://") + "/mqtt",
		Username: c.Username, Password: c.Password}, nil
}

// MQTTPort is the broker's port inside groundstack's container.
const MQTTPort = "1883/tcp"

// MQTT is the broker inside groundstack's container, published on the
// host's loopback; LocalStack's community image has none.
func (c *Container) MQTT() (MQTTEndpoint, error) {
	if c.mqtt == nil {
		return MQTTEndpoint{}, ErrNoMQTT
	}
	return *c.mqtt, nil
}

// newMQTTCredentials makes the broker credentials a container is started
// with (never constants: each run has its own).
func newMQTTCredentials() (user, password string) {
	return "groundstack-" + strings.ToLower(rand.Text()[:8]), rand.Text()
}
