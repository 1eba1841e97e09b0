package mqtt

import (
	"context"
	"net/http"
	"strings"

	"github.com/coder/websocket"
)

// The listeners WebSocket clients are attached to: their CONNECT
// credentials are checked, or the HTTP request was (SigV4).
const (
	wsListenerID       = "ws"
	wsSignedListenerID = "ws-sigv4"
)

// WebSocket is an http.Handler serving MQTT over WebSockets (subprotocol
// "mqtt", binary messages), as AWS IoT Core does at /mqtt: each connection
// is one MQTT client, authenticated like a TCP one.
func (b *Broker) WebSocket() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { b.serveWebSocket(w, r, wsListenerID) })
}

// SignedWebSocket is WebSocket for connections whose HTTP request the
// caller has already authenticated (AWS IoT's SigV4-presigned /mqtt URLs):
// their CONNECT needs no username or password, and they get the main
// user's rights (every topic but $SYS ones), not an IoT policy's.
func (b *Broker) SignedWebSocket() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { b.serveWebSocket(w, r, wsSignedListenerID) })
}

// IsWebSocketUpgrade reports whether r asks to open an MQTT WebSocket: an
// Upgrade to websocket offering the "mqtt" subprotocol. Other requests to
// /mqtt (a path-style S3 bucket named "mqtt") are not the broker's.
func IsWebSocketUpgrade(r *http.Request) bool {
	if !headerHasToken(r.Header, "Connection", "upgrade") || !headerHasToken(r.Header, "Upgrade", "websocket") {
		return false
	}
	return headerHasToken(r.Header, "Sec-WebSocket-Protocol", "mqtt")
}

// headerHasToken reports whether a comma-separated header lists token
// (case-insensitively), in any of its lines.
func headerHasToken(h http.Header, name, token string) bool {
	for _, line := range h.Values(name) {
		for part := range strings.SplitSeq(line, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}

func (b *Broker) serveWebSocket(w http.ResponseWriter, r *http.Request, listener string) {
	b.mu.Lock()
	running := b.started && !b.closed
	b.mu.Unlock()
	if !running {
		http.Error(w, "the MQTT broker is not running", http.StatusServiceUnavailable)
		return
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		Subprotocols: []string{"mqtt"},
		// Browsers on any page may connect: the broker's credentials, not
		// the page's origin, decide who gets in (as on AWS IoT).
		InsecureSkipVerify: true,
	})
	if err != nil {
		return // Accept has answered
	}
	if c.Subprotocol() != "mqtt" {
		c.Close(websocket.StatusPolicyViolation, "the subprotocol must be mqtt")
		return
	}
	// A WebSocket message may carry several MQTT packets or part of one;
	// a packet larger than the limit is refused by the broker itself.
	c.SetReadLimit(int64(b.cfg.maxPacket) + 16)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	conn := websocket.NetConn(ctx, c, websocket.MessageBinary)
	defer conn.Close()
	_ = b.srv.EstablishConnection(listener, conn)
}
