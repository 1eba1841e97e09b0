package apigateway

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/services/execapi"
)

// Claims is cloud.Claimant: an invocation without credentials belongs to
// the account holding the API its invoke URL names (this service's REST
// APIs, or API Gateway v2's HTTP and WebSocket APIs, which share the
// invoke URLs).
func (s *Service) Claims(r *http.Request) bool {
	inv, ok := execapi.ParseInvocation(r)
	if !ok {
		return false
	}
	if s.store.Has(inv.APIID) {
		return true
	}
	v2, ok := s.v2().(interface{ HasAPI(id string) bool })
	return ok && v2.HasAPI(inv.APIID)
}
