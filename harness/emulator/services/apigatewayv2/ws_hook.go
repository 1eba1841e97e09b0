package apigatewayv2

import (
	"net/http"
)

// serveWebSocket receives every data-plane request to a WEBSOCKET API, on
// both invoke URL forms: upgrade requests to wss://…/{stage} and the
// @connections management API (rest = "/@connections/{id}"). stage is the
// first path segment after the API id; rest is the escaped remainder ("/"
// when there is none). What the stage serves is s.store.Lookup(apiID,
// stage) (see Deployed).
//
// This default answers 403 {"message":"Forbidden"} for a stage that does
// not exist (AWS refuses before any upgrade) and 501 otherwise: the
// WebSocket data plane (ws*.go, connections*.go) replaces it.
func (s *Service) serveWebSocket(w http.ResponseWriter, r *http.Request, apiID, stage, rest string) {
	if _, ok := s.store.Lookup(apiID, stage); !ok {
		writeGateway(w, "", gwForbidden)
		return
	}
	writeGateway(w, "", gatewayResponse{http.StatusNotImplemented, "WebSocket data plane not available"})
}
