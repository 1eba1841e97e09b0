package mqtt

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
)

// Limits that keep one client from growing the broker's memory without
// bound; the defaults follow AWS IoT Core's quotas where it has one.
const (
	// DefaultMaxPacketSize bounds a packet: AWS IoT's 128 KiB payload limit
	// plus room for the topic and properties. Larger packets close the client.
	DefaultMaxPacketSize = 128*1024 + 4096
	defaultMaxClients    = 10000
	defaultMaxPending    = 1024 // queued outbound packets per client
	defaultMaxInflight   = 512  // unacknowledged QoS 1 messages kept per client
	defaultSessionExpiry = 3600 // seconds a persistent session outlives its connection (AWS: 1 h by default)
	defaultMessageExpiry = 3600 // seconds a queued or retained message lives unless it says less
)

// Option configures a Broker.
type Option func(*config)

type config struct {
	addr      string
	user      User
	extra     []User
	maxPacket uint32
	log       *slog.Logger
}

// WithAddr sets the TCP listen address ("127.0.0.1:1883"); the default is a
// free loopback port.
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithCredentials sets the username and password of the broker's main user
// (by default both are generated). The main user may publish and subscribe
// to every topic except $SYS ones.
func WithCredentials(username, password string) Option {
	return func(c *config) { c.user.Name, c.user.Password = username, password }
}

// WithUser adds a user, whose Grants restrict what it may publish and
// subscribe to.
func WithUser(u User) Option { return func(c *config) { c.extra = append(c.extra, u) } }

// WithMaxPacketSize bounds the size of an MQTT packet in bytes (default
// DefaultMaxPacketSize): a client sending a larger one is disconnected.
func WithMaxPacketSize(n uint32) Option { return func(c *config) { c.maxPacket = n } }

// WithLogger sets the broker's logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// Message is a message the broker accepted from a client (or from Publish).
type Message struct {
	Topic    string
	Payload  []byte
	QoS      byte
	Retain   bool
	ClientID string // "" for messages published in-process (Publish)
	Username string
	Time     time.Time // when the broker accepted it
}

// Credentials are what a client connects with.
type Credentials struct{ Username, Password string }

// Broker is one embedded MQTT broker. Publishing in-process (Publish) works
// before Start; clients connect once Start listens.
type Broker struct {
	cfg   config
	srv   *mochi.Server
	auth  *authHook
	rules *mochi.Client // the in-process publisher of derived messages

	mu      sync.Mutex
	ln      net.Listener
	started bool
	closed  bool

	observers atomic.Pointer[[]*observer]
	obsMu     sync.Mutex
}

type observer struct{ f func(Message) }

// New builds a broker; Start makes it listen.
func New(opts ...Option) *Broker {
	cfg := config{addr: "127.0.0.1:0", maxPacket: DefaultMaxPacketSize}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.log == nil {
		cfg.log = slog.New(slog.DiscardHandler)
	}
	if cfg.user.Name == "" {
		cfg.user.Name = "groundstack-" + randomHex(4)
	}
	if cfg.user.Password == "" {
		cfg.user.Password = randomSecret()
	}
	cfg.user.Grants = []Grant{{Filter: "#", Access: PublishSubscribe}}
	caps := mochi.NewDefaultServerCapabilities()
	caps.MaximumPacketSize = cfg.maxPacket
	caps.MaximumClients = defaultMaxClients
	caps.MaximumClientWritesPending = defaultMaxPending
	caps.MaximumInflight = defaultMaxInflight
	caps.MaximumSessionExpiryInterval = defaultSessionExpiry
	caps.MaximumMessageExpiryInterval = defaultMessageExpiry
	caps.MaximumQos = 1 // AWS IoT Core supports QoS 0 and 1
	caps.ReceiveMaximum = 100
	b := &Broker{cfg: cfg}
	b.srv = mochi.New(&mochi.Options{
		Capabilities:           caps,
		Logger:                 cfg.log,
		InlineClient:           true,
		SysTopicResendInterval: 60,
		// Clients that never send CONNECT are bounded by this read buffer
		// and the packet size limit.
		ClientNetReadBufferSize:  4096,
		ClientNetWriteBufferSize: 4096,
	})
	b.auth = newAuthHook(b)
	for _, u := range append([]User{cfg.user}, cfg.extra...) {
		b.auth.add(u)
	}
	if err := b.srv.AddHook(b.auth, nil); err != nil {
		panic(err) // only on a nil hook
	}
	b.rules = b.srv.NewClient(nil, mochi.LocalListener, "groundstack-rules", true)
	empty := []*observer{}
	b.observers.Store(&empty)
	return b
}

// Start listens on the configured address and serves in the background.
func (b *Broker) Start() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errors.New("mqtt: broker closed")
	}
	if b.started {
		return errors.New("mqtt: already started")
	}
	ln, err := net.Listen("tcp", b.cfg.addr)
	if err != nil {
		return fmt.Errorf("mqtt: listen: %w", err)
	}
	b.ln = ln
	if err := b.srv.AddListener(&connListener{id: "tcp", ln: ln, disconnect: b.disconnectListener}); err != nil {
		ln.Close()
		return err
	}
	for _, id := range []string{wsListenerID, wsSignedListenerID} {
		if err := b.srv.AddListener(&connListener{id: id, disconnect: b.disconnectListener}); err != nil {
			ln.Close()
			return err
		}
	}
	if err := b.srv.Serve(); err != nil {
		ln.Close()
		return err
	}
	b.started = true
	return nil
}

// Addr is the TCP address clients connect to ("127.0.0.1:1883"), "" before
// Start.
func (b *Broker) Addr() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ln == nil {
		return ""
	}
	return b.ln.Addr().String()
}

// Credentials are the main user's username and password.
func (b *Broker) Credentials() Credentials {
	return Credentials{Username: b.cfg.user.Name, Password: b.cfg.user.Password}
}

// AddUser adds (or replaces) a user while the broker runs.
func (b *Broker) AddUser(u User) { b.auth.add(u) }

// Close disconnects every client and stops listening. It is safe to call
// more than once.
func (b *Broker) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	if !b.started {
		return nil
	}
	return b.srv.Close()
}

// disconnectListener disconnects the clients of one listener, as mochi's
// Server.Close does, but lists them under one read lock (Clients.GetAll).
func (b *Broker) disconnectListener(listener string) {
	for _, cl := range b.srv.Clients.GetAll() {
		if cl.Net.Listener == listener && !cl.Closed() {
			_ = b.srv.DisconnectClient(cl, packets.ErrServerShuttingDown)
		}
	}
}

// Publish publishes a message in-process, as a client would (ACLs do not
// apply): subscribers and observers receive it, and retain keeps it as the
// topic's retained message (an empty payload clears it).
func (b *Broker) Publish(topic string, payload []byte, qos byte, retain bool) error {
	if !ValidTopic(topic) {
		return ErrInvalidTopic
	}
	return b.srv.Publish(topic, payload, retain, min(qos, 1))
}

// PublishDerived publishes a message that in-process code derived from
// another (an IoT rule's republish action): Observers see it with
// ClientID "groundstack-rules".
func (b *Broker) PublishDerived(topic string, payload []byte, qos byte, retain bool) error {
	if !ValidTopic(topic) {
		return ErrInvalidTopic
	}
	return b.srv.InjectPacket(b.rules, packets.Packet{
		FixedHeader: packets.FixedHeader{Type: packets.Publish, Qos: min(qos, 1), Retain: retain},
		TopicName:   topic,
		Payload:     payload,
		PacketID:    uint16(min(qos, 1)),
	})
}

// DerivedClientID is the ClientID of messages published by PublishDerived.
const DerivedClientID = "groundstack-rules"

// ErrInvalidTopic is returned for a topic name that is empty or holds a
// wildcard.
var ErrInvalidTopic = errors.New("mqtt: invalid topic name")

// Retained returns the message retained on topic, if any.
func (b *Broker) Retained(topic string) (Message, bool) {
	pk, ok := b.srv.Topics.Retained.Get(topic)
	if !ok || len(pk.Payload) == 0 {
		return Message{}, false
	}
	return messageOf(pk), true
}

// RetainedMessages returns every retained message.
func (b *Broker) RetainedMessages() []Message {
	all := b.srv.Topics.Retained.GetAll()
	out := make([]Message, 0, len(all))
	for _, pk := range all {
		if len(pk.Payload) > 0 {
			out = append(out, messageOf(pk))
		}
	}
	return out
}

func messageOf(pk packets.Packet) Message {
	return Message{Topic: pk.TopicName, Payload: pk.Payload, QoS: pk.FixedHeader.Qos, Retain: pk.FixedHeader.Retain,
		ClientID: pk.Origin, Time: time.Unix(pk.Created, 0)}
}

// Observe registers f, called with every message the broker accepts (from
// clients, Publish and PublishDerived), on the publisher's goroutine: f
// must not block for long (it slows that publisher down). The returned
// function removes f.
func (b *Broker) Observe(f func(Message)) (remove func()) {
	o := &observer{f: f}
	b.obsMu.Lock()
	defer b.obsMu.Unlock()
	cur := *b.observers.Load()
	next := append(append([]*observer{}, cur...), o)
	b.observers.Store(&next)
	return func() {
		b.obsMu.Lock()
		defer b.obsMu.Unlock()
		cur := *b.observers.Load()
		next := make([]*observer, 0, len(cur))
		for _, x := range cur {
			if x != o {
				next = append(next, x)
			}
		}
		b.observers.Store(&next)
	}
}

func (b *Broker) published(cl *mochi.Client, pk packets.Packet) {
	obs := *b.observers.Load()
	if len(obs) == 0 {
		return
	}
	m := Message{Topic: pk.TopicName, Payload: pk.Payload, QoS: pk.FixedHeader.Qos, Retain: pk.FixedHeader.Retain, Time: time.Now()}
	if !cl.Net.Inline || cl == b.rules {
		m.ClientID = cl.ID
		m.Username = string(cl.Properties.Username)
	}
	for _, o := range obs {
		o.f(m)
	}
}

// connListener is a mochi listener over a net.Listener we opened (so Addr
// knows the port of ":0"); with no net.Listener it only names the clients
// handed in by ServeConn (WebSockets), so Close disconnects them too.
type connListener struct {
	id  string
	ln  net.Listener
	end atomic.Bool
	// disconnect closes the listener's clients in place of mochi's CloseFn,
	// whose Clients.GetByListener takes the clients' read lock twice (the
	// second time inside Len): a client leaving in between queues for the
	// write lock, the second read waits behind it, and Close deadlocks
	// (mochi-mqtt v2.7.9; seen in make test).
	disconnect func(listener string)
}

func (l *connListener) Init(*slog.Logger) error { return nil }
func (l *connListener) ID() string              { return l.id }
func (l *connListener) Protocol() string        { return l.id }
func (l *connListener) Address() string {
	if l.ln == nil {
		return ""
	}
	return l.ln.Addr().String()
}

func (l *connListener) Serve(establish listeners.EstablishFn) {
	if l.ln == nil {
		return
	}
	for {
		conn, err := l.ln.Accept()
		if err != nil {
			return
		}
		if l.end.Load() {
			conn.Close()
			return
		}
		go func() { _ = establish(l.id, conn) }()
	}
}

func (l *connListener) Close(closeClients listeners.CloseFn) {
	if l.end.CompareAndSwap(false, true) {
		if l.disconnect != nil {
			l.disconnect(l.id)
		} else {
			closeClients(l.id)
		}
	}
	if l.ln != nil {
		l.ln.Close()
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randomSecret() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ClearRetained removes every retained message except the broker's own
// $SYS ones (a reset of the cloud).
func (b *Broker) ClearRetained() {
	for topic := range b.srv.Topics.Retained.GetAll() {
		if len(topic) > 0 && topic[0] != '$' {
			b.srv.Topics.RetainMessage(packets.Packet{TopicName: topic})
		}
	}
}
