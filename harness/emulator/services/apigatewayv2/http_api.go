package apigatewayv2

import (
	"net/http"
)

// serveHTTPAPI serves an HTTP API request.
func (s *Service) serveHTTPAPI(w http.ResponseWriter, r *http.Request, inv invocation) {
	writeGateway(w, "", gwNotFound)
}
