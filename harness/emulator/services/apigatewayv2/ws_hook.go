package apigatewayv2

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/apigatewayv2/wsconn"
)

// serveWebSocket receives every data-plane request to a WEBSOCKET API, on
// both invoke URL forms: upgrade requests to ws://…/{stage} and the
// @connections management API (rest = "/@connections/{id}"). stage is the
// first path segment after the API id; rest is the escaped remainder ("/"
// when there is none).
func (s *Service) serveWebSocket(w http.ResponseWriter, r *http.Request, apiID, stage, rest string) {
	p := s.wsPlane()
	if id, ok := isConnectionsPath(rest); ok {
		p.serveConnections(w, r, apiID, stage, id)
		return
	}
	if rest != "/" && rest != "" {
		gatewayMessage(w, http.StatusForbidden, "Forbidden")
		return
	}
	p.serve(w, r, apiID, stage)
}

// wsPlane is the service's WebSocket data plane, made on first use.
func (s *Service) wsPlane() *wsPlane {
	s.wsOnce.Do(func() { s.ws = newWSPlane(s.env, s.store.Lookup) })
	return s.ws
}

// SetWebSocketLimits changes the limits of WebSocket connections opened
// from now on (zero values keep AWS's: 10 min idle, 2 h lifetime, 128 KB
// messages; pings after 30 s of silence). Tests shorten them.
func (s *Service) SetWebSocketLimits(o wsconn.Options) { s.wsPlane().hub.SetOptions(o) }

// WebSocketConnections is the number of open WebSocket connections.
func (s *Service) WebSocketConnections() int { return s.wsPlane().hub.Len() }

// Capabilities declares that this emulator serves WebSocket APIs.
func (s *Service) Capabilities() []string { return []string{cloud.CapWebSocketAPIs} }

// Close drops every WebSocket connection (their $disconnect routes run)
// and waits for them.
func (s *Service) Close() error {
	s.wsPlane().hub.Close()
	return nil
}
