package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator"
)

// defaultMQTTPort is MQTT's registered port, where `groundstack up` puts
// the broker unless told otherwise.
const defaultMQTTPort = 1883

// mqttOptions places the broker: --mqtt-port (or GROUNDSTACK_MQTT_PORT)
// when given; else 1883, or any free port when 1883 is taken or the edge
// itself asked for any free port (--port 0, as tests do). Credentials come
// from GROUNDSTACK_MQTT_USERNAME/_PASSWORD (the container backend's), else
// the broker generates them.
func mqttOptions(host string, edgePort, port int) []emulator.Option {
	if port < 0 {
		port = defaultMQTTPort
		if edgePort == 0 {
			port = 0
		} else if ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port))); err != nil {
			port = 0 // taken (a local mosquitto?): any free port, printed in the banner
		} else {
			ln.Close()
		}
	}
	opts := []emulator.Option{emulator.WithMQTTAddr(net.JoinHostPort(host, strconv.Itoa(port)))}
	user, pass := os.Getenv("GROUNDSTACK_MQTT_USERNAME"), os.Getenv("GROUNDSTACK_MQTT_PASSWORD")
	if user != "" && pass != "" {
		opts = append(opts, emulator.WithMQTTCredentials(user, pass))
	}
	// Lambda instances get a clean environment anyway; nothing else of
	// ours needs the password in the environment.
	os.Unsetenv("GROUNDSTACK_MQTT_PASSWORD")
	return opts
}

// mqttBanner describes the broker: address, credentials (only to the
// terminal) and a mosquitto_pub line that works as printed.
func mqttBanner(e *emulator.Emulator) []string {
	b := e.MQTT()
	c := b.Credentials()
	host, port, _ := net.SplitHostPort(b.Addr())
	if host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ws := "ws://" + strings.TrimPrefix(e.URL(), "http://") + "/mqtt"
	return []string{
		fmt.Sprintf("  mqtt:      %s (MQTT 3.1.1 and 5; WebSockets: %s; aws iot describe-endpoint answers it)", net.JoinHostPort(host, port), ws),
		fmt.Sprintf("             username %s  password %s", c.Username, c.Password),
		fmt.Sprintf("  try:       mosquitto_pub -h %s -p %s -u %s -P %s -t demo/hello -q 1 -m %s", host, port,
			shellQuote(c.Username), shellQuote(c.Password), shellQuote(`{"hello":"mqtt"}`)),
	}
}
