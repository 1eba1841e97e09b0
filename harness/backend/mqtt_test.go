package backend

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestMQTTOfEmbedded(t *testing.T) {
	b, err := StartEmbedded(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	m, err := MQTTOf(b)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Address, "127.0.0.1:") || m.Username == "" || len(m.Password) < 16 ||
		m.WebSocketURL != "ws://"+strings.TrimPrefix(b.Endpoint(), "http://")+"/mqtt" {
		t.Fatalf("endpoint %+v", m)
	}
}

func TestMQTTOfOtherBackends(t *testing.T) {
	t.Setenv(EnvMQTTAddr, "")
	if _, err := MQTTOf(&External{}); !errors.Is(err, ErrNoMQTT) {
		t.Fatalf("external without variables: %v", err)
	}
	t.Setenv(EnvMQTTAddr, "broker.example:8883")
	t.Setenv(EnvMQTTUsername, "u")
	t.Setenv(EnvMQTTPassword, "p")
	m, err := MQTTOf(&External{})
	if err != nil || m.Address != "broker.example:8883" || m.Username != "u" || m.Password != "p" {
		t.Fatalf("external from variables: %+v %v", m, err)
	}
}
