package wsconn

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// API Gateway's WebSocket limits and close words.
const (
	// DefaultMaxMessage is the largest message a client may send (128 KB).
	DefaultMaxMessage = 128 << 10
	// DefaultMaxFrame is the largest frame payload a client may send (32 KB).
	DefaultMaxFrame = 32 << 10
	// DefaultIdleTimeout closes a connection that exchanged no data for 10 minutes.
	DefaultIdleTimeout = 10 * time.Minute
	// DefaultMaxLifetime closes any connection after 2 hours.
	DefaultMaxLifetime = 2 * time.Hour
	// DefaultPingInterval is how long a silent peer goes before it is pinged.
	DefaultPingInterval = 30 * time.Second
	// DefaultWriteTimeout is the longest a send waits for a peer that does
	// not read; past it the connection is closed as lost.
	DefaultWriteTimeout = 5 * time.Second

	// ReasonTooBig is the close reason API Gateway gives with 1009.
	ReasonTooBig = "Message too big"
	// ReasonFrameTooBig is the close reason given with 1009 for a frame over
	// 32 KB. AWS documents the code, not the reason: this one is a guess.
	ReasonFrameTooBig = "Frame too big"
	// ReasonGoingAway is the close reason of the idle and lifetime limits (1001).
	ReasonGoingAway = "Going away"
)

// Close codes a disconnect reports (RFC 6455 §7.4.1).
const (
	StatusNormal     = int(websocket.StatusNormalClosure)   // 1000
	StatusGoingAway  = int(websocket.StatusGoingAway)       // 1001
	StatusNoStatus   = int(websocket.StatusNoStatusRcvd)    // 1005: a close frame without a code
	StatusAbnormal   = int(websocket.StatusAbnormalClosure) // 1006: no close frame (peer lost)
	StatusTooBig     = int(websocket.StatusMessageTooBig)   // 1009
	StatusPolicyFail = int(websocket.StatusPolicyViolation) // 1008
)

// ErrGone is returned by Send for a connection that is closed or closing.
var ErrGone = errors.New("wsconn: connection is gone")

// Options are the hub's limits; zero values take API Gateway's.
type Options struct {
	MaxMessage   int64
	MaxFrame     int64
	IdleTimeout  time.Duration
	MaxLifetime  time.Duration
	PingInterval time.Duration
	// PongTimeout is how long a pinged peer has to answer (PingInterval
	// when zero).
	PongTimeout  time.Duration
	WriteTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.MaxMessage <= 0 {
		o.MaxMessage = DefaultMaxMessage
	}
	if o.MaxFrame <= 0 {
		o.MaxFrame = DefaultMaxFrame
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.MaxLifetime <= 0 {
		o.MaxLifetime = DefaultMaxLifetime
	}
	if o.PingInterval <= 0 {
		o.PingInterval = DefaultPingInterval
	}
	if o.PongTimeout <= 0 {
		o.PongTimeout = o.PingInterval
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	return o
}

// Handler receives a connection's messages and its end.
type Handler interface {
	// Message handles one data message. It is called from the connection's
	// reading goroutine, one message at a time in the order they arrived:
	// the next message is not read until it returns.
	Message(c *Conn, data []byte, binary bool)
	// Disconnected is called once, after the connection closed, with the
	// close code and reason (the peer's, or the hub's when it closed it).
	Disconnected(c *Conn, code int, reason string)
}

// Info describes a connection; it does not change once accepted.
type Info struct {
	ID          string
	APIID       string
	Stage       string
	SourceIP    string
	UserAgent   string
	ConnectedAt time.Time
	// Subprotocol is the Sec-WebSocket-Protocol the server picked ($connect's
	// answer), if the client offered it.
	Subprotocol string
}

// Hub holds the open connections.
type Hub struct {
	opts  atomic.Pointer[Options]
	mu    sync.RWMutex
	conns map[string]*Conn
	wg    sync.WaitGroup
	now   func() time.Time
}

// New returns a hub with opts (zero values take AWS's limits) and the
// clock now (time.Now when nil).
func New(opts Options, now func() time.Time) *Hub {
	if now == nil {
		now = time.Now
	}
	h := &Hub{conns: map[string]*Conn{}, now: now}
	h.SetOptions(opts)
	return h
}

// SetOptions changes the limits of connections accepted from now on.
func (h *Hub) SetOptions(opts Options) {
	o := opts.withDefaults()
	h.opts.Store(&o)
}

// Options returns the hub's limits.
func (h *Hub) Options() Options { return *h.opts.Load() }

// Conn is one open WebSocket connection.
type Conn struct {
	Info
	// Data is the handler's own state of the connection (set before Serve,
	// read-only afterwards).
	Data any

	hub        *Hub
	ws         *websocket.Conn
	opts       Options
	lastActive atomic.Int64 // unix ns of the last data message either way
	lastHeard  atomic.Int64 // unix ns of the last frame from the peer
	busy       atomic.Bool  // a message is being handled: the reader is not reading
	closing    atomic.Bool
	closeMu    sync.Mutex
	closeCode  int // set by whoever decided to close (0: the peer)
	closeWhy   string
	idle, life *time.Timer
	ping       *time.Timer
	ready      chan struct{} // closed once the handshake is done (ws set) or failed
	frames     *frameGuard   // the peer's frame headers, as they are read
}

// LastActiveAt is when the connection last carried a data message.
func (c *Conn) LastActiveAt() time.Time {
	<-c.ready
	return time.Unix(0, c.lastActive.Load())
}

// Get returns the open connection id.
func (h *Hub) Get(id string) (*Conn, bool) {
	h.mu.RLock()
	c, ok := h.conns[id]
	h.mu.RUnlock()
	return c, ok
}

// Len is the number of open connections.
func (h *Hub) Len() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.conns)
}

// Serve upgrades r to a WebSocket connection described by info, registers
// it, and starts reading its messages into handler; once the connection
// ends, it is unregistered and handler.Disconnected is called. Serve
// returns as soon as the upgrade is done: the request's goroutine (and its
// grown stack, and the request) is let go, and one fresh goroutine per
// connection reads. It returns the upgrade's error if the upgrade failed
// (the response is then written and Disconnected is not called).
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, info Info, data any, handler Handler) error {
	opts := h.Options()
	c := &Conn{Info: info, Data: data, hub: h, opts: opts, ready: make(chan struct{})}
	// Registered before the handshake's answer goes out: a client that has
	// its 101 can be posted to at once (a send waits for ready).
	h.mu.Lock()
	h.conns[c.ID] = c
	h.wg.Add(1)
	h.mu.Unlock()
	var protos []string
	if info.Subprotocol != "" {
		protos = []string{info.Subprotocol}
	}
	ws, err := websocket.Accept(smallBuffers{w, c}, r, &websocket.AcceptOptions{
		Subprotocols:       protos,
		InsecureSkipVerify: true, // API Gateway takes any Origin; $connect may check it
		OnPongReceived:     func(context.Context, []byte) { c.heard() },
		OnPingReceived:     func(context.Context, []byte) bool { c.heard(); return true },
	})
	if err != nil {
		c.closing.Store(true)
		h.mu.Lock()
		delete(h.conns, c.ID)
		h.mu.Unlock()
		close(c.ready)
		h.wg.Done()
		return err
	}
	c.ws = ws
	ws.SetReadLimit(-1) // the limit is ours, with AWS's close reason
	c.lastActive.Store(h.now().UnixNano())
	c.lastHeard.Store(time.Now().UnixNano())
	c.idle = time.AfterFunc(opts.IdleTimeout, c.idleExpired)
	c.life = time.AfterFunc(opts.MaxLifetime, func() { c.Close(StatusGoingAway, ReasonGoingAway) })
	c.ping = time.AfterFunc(opts.PingInterval, c.pingPeer)
	close(c.ready)
	go c.run(handler)
	return nil
}

// run reads the connection until it ends, then reports its end.
func (c *Conn) run(handler Handler) {
	h := c.hub
	defer h.wg.Done()
	code, reason := c.readLoop(handler)
	c.idle.Stop()
	c.life.Stop()
	c.ping.Stop()
	h.mu.Lock()
	delete(h.conns, c.ID)
	h.mu.Unlock()
	c.closing.Store(true)
	_ = c.ws.CloseNow()
	c.closeMu.Lock()
	if c.closeCode != 0 {
		code, reason = c.closeCode, c.closeWhy
	}
	c.closeMu.Unlock()
	handler.Disconnected(c, code, reason)
}

// smallBuffers hands coder/websocket the hijacked connection with 512-byte
// buffers instead of net/http's 4 KB ones: an idle connection holds its
// buffers for hours, and a message larger than a buffer bypasses it anyway.
// It also puts the frame size guard between the connection and its reader.
type smallBuffers struct {
	http.ResponseWriter
	c *Conn
}

const connBufferSize = 512

func (s smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(s.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := brw.Writer.Flush(); err != nil {
		nc.Close()
		return nil, nil, err
	}
	// No deadline of the HTTP request (header or body timeouts) may outlive
	// it: the connection's own limits apply from now on.
	_ = nc.SetDeadline(time.Time{})
	// Frames the client sent right after its request may already sit in
	// net/http's buffer: they must be in the new reader's buffer (Accept
	// takes what is buffered, then reads the connection itself).
	n := brw.Reader.Buffered()
	var src io.Reader = nc
	if n > 0 {
		b, _ := brw.Reader.Peek(n)
		src = io.MultiReader(bytes.NewReader(bytes.Clone(b)), nc)
	}
	// Accept reads the connection itself past what is buffered: the guard
	// must be in the connection it gets.
	s.c.frames = newFrameGuard(src, s.c.opts.MaxFrame)
	gc := guardedConn{nc, s.c.frames}
	br := bufio.NewReaderSize(gc, max(n, connBufferSize))
	if n > 0 {
		if _, err := br.Peek(n); err != nil {
			nc.Close()
			return nil, nil, err
		}
	}
	return gc, bufio.NewReadWriter(br, bufio.NewWriterSize(nc, connBufferSize)), nil
}

// guardedConn is the hijacked connection read through the frame guard.
type guardedConn struct {
	net.Conn
	g *frameGuard
}

func (c guardedConn) Read(p []byte) (int, error) { return c.g.Read(p) }

// readLoop reads messages until the connection ends and returns the
// peer's close code and reason (1006 when it vanished without one).
func (c *Conn) readLoop(handler Handler) (int, string) {
	ctx := context.Background()
	for {
		typ, rd, err := c.ws.Reader(ctx)
		if err != nil {
			return c.readFailed(err)
		}
		c.heard()
		data, err := io.ReadAll(io.LimitReader(rd, c.opts.MaxMessage+1))
		if err != nil {
			return c.readFailed(err)
		}
		if int64(len(data)) > c.opts.MaxMessage {
			// the close handshake reads past the rest of the message
			c.closing.Store(true)
			c.setClose(StatusTooBig, ReasonTooBig)
			_ = c.ws.Close(websocket.StatusMessageTooBig, ReasonTooBig)
			return StatusTooBig, ReasonTooBig
		}
		c.active()
		c.busy.Store(true)
		handler.Message(c, data, typ == websocket.MessageBinary)
		c.busy.Store(false)
	}
}

// readFailed ends the connection after a read error: with 1009 when the
// frame guard stopped an over-size frame (the close handshake fails at once:
// the guard lets nothing more in), else with the peer's close code.
func (c *Conn) readFailed(err error) (int, string) {
	if !c.frames.tooBig() {
		return closeOf(err)
	}
	c.closing.Store(true)
	c.setClose(StatusTooBig, ReasonFrameTooBig)
	_ = c.ws.Close(websocket.StatusMessageTooBig, ReasonFrameTooBig)
	return StatusTooBig, ReasonFrameTooBig
}

// closeOf is the close code and reason a read error carries.
func closeOf(err error) (int, string) {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return int(ce.Code), ce.Reason
	}
	return StatusAbnormal, ""
}

func (c *Conn) heard() { c.lastHeard.Store(time.Now().UnixNano()) }

// active records a data message and pushes the idle deadline back.
func (c *Conn) active() {
	c.lastActive.Store(c.hub.now().UnixNano())
	if c.idle != nil {
		c.idle.Reset(c.opts.IdleTimeout)
	}
}

func (c *Conn) idleExpired() { c.Close(StatusGoingAway, ReasonGoingAway) }

// pingPeer runs on its own timer: a peer heard from within the interval,
// or whose message is being handled, is not pinged; one that does not
// answer a ping in time is taken for lost.
func (c *Conn) pingPeer() {
	if c.closing.Load() {
		return
	}
	since := time.Since(time.Unix(0, c.lastHeard.Load()))
	if c.busy.Load() || since < c.opts.PingInterval {
		c.ping.Reset(c.opts.PingInterval - min(since, c.opts.PingInterval) + time.Millisecond)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.PongTimeout)
	err := c.ws.Ping(ctx)
	cancel()
	if err != nil && !c.busy.Load() {
		c.lost()
		return
	}
	c.ping.Reset(c.opts.PingInterval)
}

// lost ends a connection whose peer vanished, without a close handshake.
func (c *Conn) lost() {
	<-c.ready
	if !c.closing.CompareAndSwap(false, true) {
		return
	}
	c.setClose(StatusAbnormal, "")
	_ = c.ws.CloseNow()
}

// Drop cuts the connection without a close handshake, as a failing
// network does: the peer sees the TCP connection end with no close frame
// (an abnormal closure, 1006) and Disconnected gets 1006 with no reason.
func (c *Conn) Drop() { c.lost() }

func (c *Conn) setClose(code int, reason string) {
	c.closeMu.Lock()
	if c.closeCode == 0 {
		c.closeCode, c.closeWhy = code, reason
	}
	c.closeMu.Unlock()
}

// Close starts closing the connection with code and reason (the close
// handshake runs in the background; Disconnected follows once the reading
// goroutine sees the end). Closing a closed connection does nothing.
func (c *Conn) Close(code int, reason string) {
	<-c.ready
	if !c.closing.CompareAndSwap(false, true) {
		return
	}
	c.setClose(code, reason)
	go func() { _ = c.ws.Close(websocket.StatusCode(code), reason) }()
}

// Send writes data to the peer as one message: a text frame when data is
// UTF-8, else a binary frame. It waits for a slow peer at most the write
// timeout, then closes the connection as lost and returns ErrGone. A
// closed connection returns ErrGone.
func (c *Conn) Send(ctx context.Context, data []byte) error {
	<-c.ready
	if c.closing.Load() {
		return ErrGone
	}
	typ := websocket.MessageText
	if !utf8.Valid(data) {
		typ = websocket.MessageBinary
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.WriteTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, typ, data); err != nil {
		if ctx.Err() != nil {
			c.lost()
		}
		return ErrGone
	}
	c.active()
	return nil
}

// SendText writes data as a text message whatever it holds (API
// Gateway's own frames: route responses, error messages).
func (c *Conn) SendText(ctx context.Context, data []byte) error {
	<-c.ready
	if c.closing.Load() {
		return ErrGone
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.WriteTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, data); err != nil {
		if ctx.Err() != nil {
			c.lost()
		}
		return ErrGone
	}
	return nil
}

// Close closes every connection (1001) and waits for their handlers'
// Disconnected calls.
func (h *Hub) Close() {
	h.mu.RLock()
	all := make([]*Conn, 0, len(h.conns))
	for _, c := range h.conns {
		all = append(all, c)
	}
	h.mu.RUnlock()
	for _, c := range all {
		c.lost() // no handshake: the emulator is going away
	}
	h.wg.Wait()
}

// Range calls f with the id of every open connection.
func (h *Hub) Range(f func(id string)) {
	h.mu.RLock()
	ids := make([]string, 0, len(h.conns))
	for id := range h.conns {
		ids = append(ids, id)
	}
	h.mu.RUnlock()
	for _, id := range ids {
		f(id)
	}
}
