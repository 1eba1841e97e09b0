package apigateway

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// API Gateway control-plane error codes, as the wire spells them.
var (
	ErrNotFound        = awsproto.Code{Name: "NotFoundException", Status: http.StatusNotFound}
	ErrConflict        = awsproto.Code{Name: "ConflictException", Status: http.StatusConflict}
	ErrBadRequest      = awsproto.Code{Name: "BadRequestException", Status: http.StatusBadRequest}
	ErrTooManyRequests = awsproto.Code{Name: "TooManyRequestsException", Status: http.StatusTooManyRequests}
	ErrUnauthorized    = awsproto.Code{Name: "UnauthorizedException", Status: http.StatusUnauthorized}
)

// Gateway responses of the data plane: status, x-amzn-ErrorType (empty for
// none) and message, as API Gateway's default gateway responses are.
type gatewayResponse struct {
	status    int
	errorType string
	message   string
}

var (
	gwMissingAuthToken   = gatewayResponse{http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token"}
	gwInternalError      = gatewayResponse{http.StatusInternalServerError, "InternalServerErrorException", "Internal server error"}
	gwBadGateway         = gatewayResponse{http.StatusBadGateway, "InternalServerErrorException", "Internal server error"}
	gwIntegrationTimeout = gatewayResponse{http.StatusGatewayTimeout, "", "Endpoint request timed out"}
	gwPayloadTooLarge    = gatewayResponse{http.StatusRequestEntityTooLarge, "", "Request Too Long"}
)
