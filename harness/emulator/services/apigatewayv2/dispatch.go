package apigatewayv2

import (
	"net/http"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/services/execapi"
)

// ServeInvocation serves a request on an invoke URL when apiID is one of
// this service's APIs. An HTTP API's $default stage is served at the root:
// when the first segment names no stage and the API has a $default stage,
// the whole path is the $default stage's.
func (s *Service) ServeInvocation(w http.ResponseWriter, r *http.Request, apiID, stage, path string, host bool) bool {
	protocol, hasStage, ok := s.store.Protocol(apiID)
	if !ok {
		return false
	}
	if protocol == ProtocolWebSocket {
		s.serveWebSocket(w, r, apiID, stage, path)
		return true
	}
	if !hasStage(stage) && hasStage(RouteDefault) {
		path, stage = pathAfterAPI(r, apiID, host), RouteDefault
	}
	s.serveHTTPAPI(w, r, invocation{apiID: apiID, stage: stage, path: path, host: host})
	return true
}

// invocation is an HTTP API request's API, stage and escaped path.
type invocation struct {
	apiID, stage, path string
	host               bool
}

// writeGateway writes one of the HTTP API data plane's own answers.
func writeGateway(w http.ResponseWriter, requestID string, g gatewayResponse) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if requestID != "" {
		h.Set("Apigw-Requestid", requestID)
	}
	w.WriteHeader(g.status)
	w.Write([]byte(`{"message":"` + g.message + `"}`))
}

// pathAfterAPI is the escaped path after the API id: the whole path on the
// host form, the rest after /_aws/execute-api/{api} on the other.
func pathAfterAPI(r *http.Request, apiID string, host bool) string {
	p := r.URL.EscapedPath()
	if host {
		return p
	}
	if rest, ok := strings.CutPrefix(p, execapi.PathExecuteAPI+"/"+apiID); ok {
		if rest == "" {
			return "/"
		}
		return rest
	}
	return p
}
