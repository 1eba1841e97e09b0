package mqtt

import (
	"context"
	"net/http"

	"github.com/coder/websocket"
)

const wsListenerID = "ws"

// WebSocket is an http.Handler serving MQTT over WebSockets (subprotocol
// "mqtt", binary messages), as AWS IoT Core does at /mqtt: each connection
// is one MQTT client, authenticated like a TCP one.
func (b *Broker) WebSocket() http.Handler { return http.HandlerFunc(b.serveWebSocket) }

func (b *Broker) serveWebSocket(w http.ResponseWriter, r *http.Request) {
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
	_ = b.srv.EstablishConnection(wsListenerID, conn)
}
