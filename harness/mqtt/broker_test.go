package mqtt_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/groundstack/groundstack/harness/mqtt"
)

const wait = 10 * time.Second

func start(t testing.TB, opts ...mqtt.Option) *mqtt.Broker {
	t.Helper()
	b := mqtt.New(opts...)
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func clientOpts(url, id string, c mqtt.Credentials) *paho.ClientOptions {
	return paho.NewClientOptions().AddBroker(url).SetClientID(id).SetUsername(c.Username).SetPassword(c.Password).
		SetAutoReconnect(false).SetConnectRetry(false).SetConnectTimeout(wait).SetWriteTimeout(wait).SetProtocolVersion(4)
}

func connect(t testing.TB, o *paho.ClientOptions) paho.Client {
	t.Helper()
	c := paho.NewClient(o)
	tok := c.Connect()
	if !tok.WaitTimeout(wait) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(50) })
	return c
}

func ok(t testing.TB, tok paho.Token) {
	t.Helper()
	if !tok.WaitTimeout(wait) || tok.Error() != nil {
		t.Fatalf("token: %v", tok.Error())
	}
}

// inbox collects messages a subscription receives.
type inbox struct {
	mu   sync.Mutex
	msgs []paho.Message
	ch   chan struct{}
}

func newInbox() *inbox { return &inbox{ch: make(chan struct{}, 1000)} }

func (i *inbox) handler(_ paho.Client, m paho.Message) {
	i.mu.Lock()
	i.msgs = append(i.msgs, m)
	i.mu.Unlock()
	i.ch <- struct{}{}
}

func (i *inbox) next(t testing.TB) paho.Message {
	t.Helper()
	select {
	case <-i.ch:
	case <-time.After(wait):
		t.Fatal("no message")
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	m := i.msgs[0]
	i.msgs = i.msgs[1:]
	return m
}

func (i *inbox) none(t testing.TB, d time.Duration) {
	t.Helper()
	select {
	case <-i.ch:
		i.mu.Lock()
		defer i.mu.Unlock()
		t.Fatalf("unexpected message on %s", i.msgs[0].Topic())
	case <-time.After(d):
	}
}

func TestGeneratedCredentialsAndRefusal(t *testing.T) {
	b := start(t)
	a, c := b.Credentials(), mqtt.New().Credentials()
	if a.Username == "" || len(a.Password) < 16 || a.Password == c.Password || a.Username == c.Username {
		t.Fatalf("credentials not generated per broker: %+v %+v", a, c)
	}
	if !strings.HasPrefix(b.Addr(), "127.0.0.1:") {
		t.Fatalf("addr %q", b.Addr())
	}
	connect(t, clientOpts("tcp://"+b.Addr(), "good", a))
	for _, bad := range []mqtt.Credentials{{Username: a.Username, Password: a.Password + "x"}, {Username: "nobody", Password: a.Password}, {}} {
		cl := paho.NewClient(clientOpts("tcp://"+b.Addr(), "bad", bad))
		tok := cl.Connect()
		tok.WaitTimeout(wait)
		if tok.Error() == nil || !strings.Contains(tok.Error().Error(), "not Authorized") {
			t.Fatalf("%+v: connected or wrong error: %v", bad, tok.Error())
		}
	}
}

func TestPublishSubscribeQoS1AndObserver(t *testing.T) {
	b := start(t)
	seen := make(chan mqtt.Message, 10)
	remove := b.Observe(func(m mqtt.Message) { seen <- m })
	sub := connect(t, clientOpts("tcp://"+b.Addr(), "sub", b.Credentials()))
	in := newInbox()
	ok(t, sub.Subscribe("fixtures/+", 1, in.handler))
	pub := connect(t, clientOpts("tcp://"+b.Addr(), "pub", b.Credentials()))
	ok(t, pub.Publish("fixtures/requests", 1, false, `{"a":1}`))
	m := in.next(t)
	if m.Topic() != "fixtures/requests" || string(m.Payload()) != `{"a":1}` || m.Qos() != 1 {
		t.Fatalf("got %s %s q%d", m.Topic(), m.Payload(), m.Qos())
	}
	o := <-seen
	if o.Topic != "fixtures/requests" || o.ClientID != "pub" || o.Username != b.Credentials().Username || o.QoS != 1 || string(o.Payload) != `{"a":1}` {
		t.Fatalf("observed %+v", o)
	}
	// In-process publishes reach subscribers and observers too.
	if err := b.Publish("fixtures/validation", []byte("v"), 0, false); err != nil {
		t.Fatal(err)
	}
	if m := in.next(t); m.Topic() != "fixtures/validation" {
		t.Fatalf("topic %s", m.Topic())
	}
	if o := <-seen; o.ClientID != "" || o.Topic != "fixtures/validation" {
		t.Fatalf("observed %+v", o)
	}
	remove()
	ok(t, pub.Publish("fixtures/x", 0, false, "after"))
	in.next(t)
	select {
	case o := <-seen:
		t.Fatalf("observer removed but saw %+v", o)
	default:
	}
	if err := b.Publish("a/#", nil, 0, false); err != mqtt.ErrInvalidTopic {
		t.Fatalf("wildcard topic: %v", err)
	}
}

func TestRetainedMessages(t *testing.T) {
	b := start(t)
	pub := connect(t, clientOpts("tcp://"+b.Addr(), "pub", b.Credentials()))
	ok(t, pub.Publish("state/door", 1, true, "open"))
	if err := b.Publish("state/light", []byte("on"), 1, true); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(wait)
	for len(b.RetainedMessages()) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if r, found := b.Retained("state/door"); !found || string(r.Payload) != "open" {
		t.Fatalf("retained %+v %v", r, found)
	}
	sub := connect(t, clientOpts("tcp://"+b.Addr(), "late", b.Credentials()))
	in := newInbox()
	ok(t, sub.Subscribe("state/#", 1, in.handler))
	got := map[string]string{}
	for range 2 {
		m := in.next(t)
		if !m.Retained() {
			t.Fatalf("%s not flagged retained", m.Topic())
		}
		got[m.Topic()] = string(m.Payload())
	}
	if got["state/door"] != "open" || got["state/light"] != "on" {
		t.Fatalf("retained delivered %v", got)
	}
	// An empty retained payload clears the topic.
	ok(t, pub.Publish("state/door", 1, true, ""))
	deadline = time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if _, found := b.Retained("state/door"); !found {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("retained message not cleared")
}

func TestPersistentSessionKeepsQoS1Messages(t *testing.T) {
	b := start(t)
	o := clientOpts("tcp://"+b.Addr(), "device-1", b.Credentials()).SetCleanSession(false)
	in := newInbox()
	o.SetDefaultPublishHandler(in.handler)
	c := paho.NewClient(o)
	ok(t, c.Connect())
	ok(t, c.Subscribe("jobs/device-1", 1, nil))
	c.Disconnect(50)

	pub := connect(t, clientOpts("tcp://"+b.Addr(), "ops", b.Credentials()))
	ok(t, pub.Publish("jobs/device-1", 1, false, "reboot"))

	c = paho.NewClient(o) // same client ID, no new subscription
	ok(t, c.Connect())
	defer c.Disconnect(50)
	if m := in.next(t); string(m.Payload()) != "reboot" {
		t.Fatalf("queued message %q", m.Payload())
	}
}

func TestACL(t *testing.T) {
	dev := mqtt.User{Name: "device", Password: "pw-" + strings.Repeat("x", 8), Grants: []mqtt.Grant{
		{Filter: "devices/dev1/#", Access: mqtt.PublishSubscribe},
		{Filter: "commands/+", Access: mqtt.Subscribe},
	}}
	b := start(t, mqtt.WithUser(dev))
	creds := mqtt.Credentials{Username: dev.Name, Password: dev.Password}
	seen := make(chan string, 10)
	b.Observe(func(m mqtt.Message) { seen <- m.Topic })

	for _, v := range []uint{3, 4} { // paho.mqtt.golang speaks MQTT 3.1 and 3.1.1; MQTT 5 below, raw
		c := connect(t, clientOpts("tcp://"+b.Addr(), "dev", creds).SetProtocolVersion(v))
		ok(t, c.Publish("devices/other/x", 0, false, "outside"))       // QoS 0: dropped silently
		ok(t, c.Publish("devices/dev1/telemetry", 0, false, "inside")) // allowed
		if got := <-seen; got != "devices/dev1/telemetry" {
			t.Fatalf("v%d: observed %s first: the outside publish was not dropped", v, got)
		}
		// Subscribing beyond the grants is refused (0x80 / not authorized).
		tok := c.Subscribe("devices/#", 1, nil)
		ok(t, tok)
		if q := tok.(*paho.SubscribeToken).Result()["devices/#"]; q != 0x80 && q != 0x87 {
			t.Fatalf("v%d: subscribe outside the ACL granted qos %d", v, q)
		}
		tok = c.Subscribe("commands/reboot", 1, nil)
		ok(t, tok)
		if q := tok.(*paho.SubscribeToken).Result()["commands/reboot"]; q != 1 {
			t.Fatalf("v%d: allowed subscribe answered %d", v, q)
		}
		c.Disconnect(50)
	}
	// MQTT 3.1.1 has no negative PUBACK: a QoS 1 publish outside the ACL
	// closes the connection.
	lost := make(chan struct{}, 1)
	c := connect(t, clientOpts("tcp://"+b.Addr(), "dev", creds).SetConnectionLostHandler(func(paho.Client, error) { lost <- struct{}{} }))
	c.Publish("elsewhere", 1, false, "x")
	select {
	case <-lost:
	case <-time.After(wait):
		t.Fatal("QoS 1 publish outside the ACL kept the connection")
	}
}

// rawConnect sends a CONNECT with the credentials over a raw TCP connection
// and reads the CONNACK.
func rawConnect(t *testing.T, addr string, c mqtt.Credentials) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, wait)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	str := func(s string) []byte { return append([]byte{byte(len(s) >> 8), byte(len(s))}, s...) }
	var vh []byte
	vh = append(vh, str("MQTT")...)
	vh = append(vh, 4, 0xC2, 0, 30) // v3.1.1, username+password+clean, keepalive 30
	vh = append(vh, str("raw")...)
	vh = append(vh, str(c.Username)...)
	vh = append(vh, str(c.Password)...)
	pk := append([]byte{0x10, byte(len(vh))}, vh...)
	if _, err := conn.Write(pk); err != nil {
		t.Fatal(err)
	}
	ack := make([]byte, 4)
	conn.SetReadDeadline(time.Now().Add(wait))
	if _, err := io.ReadFull(conn, ack); err != nil || !bytes.Equal(ack, []byte{0x20, 2, 0, 0}) {
		t.Fatalf("connack %x %v", ack, err)
	}
	return conn
}

func closed(t *testing.T, conn net.Conn) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 64)
	for {
		if _, err := conn.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("connection still open")
			}
			return
		}
	}
}

// Malformed packets and oversize payloads close that client only.
func TestMalformedAndOversizeCloseOnlyThatClient(t *testing.T) {
	b := start(t, mqtt.WithMaxPacketSize(1024))
	healthy := connect(t, clientOpts("tcp://"+b.Addr(), "healthy", b.Credentials()))
	in := newInbox()
	ok(t, healthy.Subscribe("t", 0, in.handler))

	cases := map[string][]byte{
		"reserved packet type":    {0xF0, 0},
		"bad remaining length":    {0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01},
		"second CONNECT":          {0x10, 0},
		"publish, truncated":      {0x30, 10, 0, 20, 't'},
		"oversize publish header": {0x30, 0x80, 0x80, 0x04}, // 65536-byte packet, limit 1 KiB
	}
	for name, pk := range cases {
		t.Run(name, func(t *testing.T) {
			conn := rawConnect(t, b.Addr(), b.Credentials())
			conn.Write(pk)
			if name == "publish, truncated" {
				conn.(*net.TCPConn).CloseWrite()
			}
			closed(t, conn)
		})
	}
	// Garbage before CONNECT too.
	conn, err := net.Dial("tcp", b.Addr())
	if err != nil {
		t.Fatal(err)
	}
	conn.Write([]byte("GET / HTTP/1.1\r\n\r\n"))
	closed(t, conn)

	big := connect(t, clientOpts("tcp://"+b.Addr(), "big", b.Credentials()))
	big.Publish("t", 0, false, strings.Repeat("x", 2048))
	ok(t, healthy.Publish("t", 0, false, "still here"))
	if m := in.next(t); string(m.Payload()) != "still here" {
		t.Fatalf("got %q (the oversize message was delivered?)", m.Payload())
	}
	in.none(t, 100*time.Millisecond)
}

func TestWebSocket(t *testing.T) {
	b := start(t)
	srv := httptest.NewServer(b.WebSocket())
	defer srv.Close()
	url := "ws://" + strings.TrimPrefix(srv.URL, "http://") + "/mqtt"
	sub := connect(t, clientOpts(url, "ws-sub", b.Credentials()))
	in := newInbox()
	ok(t, sub.Subscribe("ws/+", 1, in.handler))
	tcp := connect(t, clientOpts("tcp://"+b.Addr(), "tcp-pub", b.Credentials()))
	ok(t, tcp.Publish("ws/hello", 1, false, "over tcp"))
	if m := in.next(t); string(m.Payload()) != "over tcp" {
		t.Fatalf("got %q", m.Payload())
	}
	bad := paho.NewClient(clientOpts(url, "ws-bad", mqtt.Credentials{Username: "x", Password: "y"}))
	if tok := bad.Connect(); tok.WaitTimeout(wait) && tok.Error() == nil {
		t.Fatal("wrong credentials accepted over WebSockets")
	}
}

func TestCloseDisconnectsClients(t *testing.T) {
	b := mqtt.New()
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	lost := make(chan struct{}, 1)
	connect(t, clientOpts("tcp://"+b.Addr(), "c", b.Credentials()).SetConnectionLostHandler(func(paho.Client, error) { lost <- struct{}{} }))
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-lost:
	case <-time.After(wait):
		t.Fatal("client still connected after Close")
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestClearRetained(t *testing.T) {
	b := start(t)
	if err := b.Publish("keep/me", []byte("x"), 0, true); err != nil {
		t.Fatal(err)
	}
	b.ClearRetained()
	if _, found := b.Retained("keep/me"); found || len(b.RetainedMessages()) != 0 && b.RetainedMessages()[0].Topic[0] != '$' {
		t.Fatalf("retained after ClearRetained: %v", b.RetainedMessages())
	}
	sub := connect(t, clientOpts("tcp://"+b.Addr(), "late", b.Credentials()))
	in := newInbox()
	ok(t, sub.Subscribe("keep/#", 0, in.handler))
	in.none(t, 100*time.Millisecond)
}

// MQTT 5 answers a QoS 1 publish outside the ACL with PUBACK reason code
// 0x87 (not authorized) and keeps the connection.
func TestACLPubackReasonMQTT5(t *testing.T) {
	dev := mqtt.User{Name: "dev5", Password: "pw-5-" + strings.Repeat("y", 8), Grants: []mqtt.Grant{{Filter: "ok/#", Access: mqtt.Publish}}}
	b := start(t, mqtt.WithUser(dev))
	conn, err := net.DialTimeout("tcp", b.Addr(), wait)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	str := func(s string) []byte { return append([]byte{byte(len(s) >> 8), byte(len(s))}, s...) }
	vh := append(str("MQTT"), 5, 0xC2, 0, 30, 0) // v5, username+password+clean start, keepalive, no properties
	vh = append(vh, str("raw5")...)
	vh = append(vh, str(dev.Name)...)
	vh = append(vh, str(dev.Password)...)
	conn.Write(append([]byte{0x10, byte(len(vh))}, vh...))
	conn.SetReadDeadline(time.Now().Add(wait))
	hdr := make([]byte, 2)
	if _, err := io.ReadFull(conn, hdr); err != nil || hdr[0] != 0x20 {
		t.Fatalf("connack %x %v", hdr, err)
	}
	ack := make([]byte, hdr[1])
	if _, err := io.ReadFull(conn, ack); err != nil || ack[1] != 0 {
		t.Fatalf("connack refused %x %v", ack, err)
	}
	publish := func(topic string, id byte) []byte {
		body := append(str(topic), 0, id, 0) // packet id, no properties
		body = append(body, "x"...)
		conn.Write(append([]byte{0x32, byte(len(body))}, body...))
		if _, err := io.ReadFull(conn, hdr); err != nil || hdr[0] != 0x40 {
			t.Fatalf("puback header %x %v", hdr, err)
		}
		rest := make([]byte, hdr[1])
		if _, err := io.ReadFull(conn, rest); err != nil {
			t.Fatal(err)
		}
		return rest
	}
	if r := publish("secret/x", 1); len(r) < 3 || r[1] != 1 || r[2] != 0x87 {
		t.Fatalf("PUBACK outside the ACL %x, want reason 0x87", r)
	}
	if r := publish("ok/x", 2); r[1] != 2 || len(r) > 2 && r[2] != 0 {
		t.Fatalf("PUBACK inside the ACL %x, want success", r)
	}
}

// Close while clients leave: mochi's own way of listing a listener's
// clients took their read lock twice and deadlocked against a client
// leaving in between (seen once in make test); each round closes a broker
// as ten clients disconnect.
func TestCloseWhileClientsLeave(t *testing.T) {
	for round := range 20 {
		b := mqtt.New()
		if err := b.Start(); err != nil {
			t.Fatal(err)
		}
		clients := make([]paho.Client, 10)
		for i := range clients {
			clients[i] = connect(t, clientOpts("tcp://"+b.Addr(), fmt.Sprintf("c%d-%d", round, i), b.Credentials()))
		}
		done := make(chan struct{})
		go func() {
			for _, c := range clients {
				go c.Disconnect(0)
			}
			_ = b.Close()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("round %d: Close did not return while clients disconnected", round)
		}
	}
}
