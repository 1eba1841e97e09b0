package apigatewayv2

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// API Gateway v2 control-plane error codes, as the wire spells them.
var (
	ErrNotFound        = awsproto.Code{Name: "NotFoundException", Status: http.StatusNotFound}
	ErrConflict        = awsproto.Code{Name: "ConflictException", Status: http.StatusConflict}
	ErrBadRequest      = awsproto.Code{Name: "BadRequestException", Status: http.StatusBadRequest}
	ErrTooManyRequests = awsproto.Code{Name: "TooManyRequestsException", Status: http.StatusTooManyRequests}
)

// What the store answers for a missing resource, as API Gateway words it.
func errAPINotFound(account, id string) error {
	return ErrNotFound.Errorf("Invalid API identifier specified %s:%s", account, id)
}

func errNotFound(kind, id string) error {
	return ErrNotFound.Errorf("Invalid %s identifier specified %s", kind, id)
}

func errStageNotFound(name string) error {
	return ErrNotFound.Errorf("Invalid stage identifier specified %s", name)
}

// Gateway responses of the HTTP API data plane: {"message": …} with the
// status AWS answers.
type gatewayResponse struct {
	status  int
	message string
}

var (
	gwNotFound      = gatewayResponse{http.StatusNotFound, "Not Found"}
	gwUnauthorized  = gatewayResponse{http.StatusUnauthorized, "Unauthorized"}
	gwForbidden     = gatewayResponse{http.StatusForbidden, "Forbidden"}
	gwInternalError = gatewayResponse{http.StatusInternalServerError, "Internal Server Error"}
	// gwTimeout is an integration that did not answer in time.
	gwTimeout         = gatewayResponse{http.StatusServiceUnavailable, "Service Unavailable"}
	gwPayloadTooLarge = gatewayResponse{http.StatusRequestEntityTooLarge, "Request Entity Too Large"}
)
