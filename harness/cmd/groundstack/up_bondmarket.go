package main

import (
	"fmt"
	"net"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/payments"
)

// startPayments starts the bondmarket flow's fake card gateway on a free
// loopback port; it lives as long as up.
func startPayments() (*payments.Gateway, error) {
	gw := payments.New()
	if err := gw.Start(); err != nil {
		return nil, fmt.Errorf("the bondmarket flow's card gateway: %w", err)
	}
	return gw, nil
}

// bondmarketMQTTLine is another group's purchase request published on
// the broker, with its credentials (printed by up, which holds them, not
// by groundstack-flows).
func bondmarketMQTTLine(e *emulator.Emulator) string {
	b := e.MQTT()
	c := b.Credentials()
	host, port, _ := net.SplitHostPort(b.Addr())
	if host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	msg := `{"group_id":"7","request_id":"g7-demo-1","fixture_id":"1002","quantity":1,"user_id":"someone"}`
	return fmt.Sprintf("    over MQTT:     mosquitto_pub -h %s -p %s -u %s -P %s -q 1 -t fixtures/requests -m %s\n"+
		"                   (another group's request: the topic rule runs bondmarket-requests; then GET …/requests/g7-demo-1 shows it)",
		host, port, shellQuote(c.Username), shellQuote(c.Password), shellQuote(msg))
}

// shellQuote is s as one single-quoted shell word.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
