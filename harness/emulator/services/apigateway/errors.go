package apigateway

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// API Gateway control-plane error codes, as the wire spells them.
var (
	ErrNotFound   = awsproto.Code{Name: "NotFoundException", Status: http.StatusNotFound}
	ErrConflict   = awsproto.Code{Name: "ConflictException", Status: http.StatusConflict}
	ErrBadRequest = awsproto.Code{Name: "BadRequestException", Status: http.StatusBadRequest}
)

// What the store answers for a missing part of an API, as API Gateway words it.
var (
	errResourceNotFound    = ErrNotFound.New("Invalid Resource identifier specified")
	errMethodNotFound      = ErrNotFound.New("Invalid Method identifier specified")
	errIntegrationNotFound = ErrNotFound.New("Invalid Integration identifier specified")
	errResponseNotFound    = ErrNotFound.New("Invalid Response status code specified")
	errStageNotFound       = ErrNotFound.New("Invalid Stage identifier specified")
	errDeploymentNotFound  = ErrNotFound.New("Invalid Deployment identifier specified")
)

// errAPINotFound names the account and the id asked for, as AWS does.
func errAPINotFound(account, id string) error {
	return ErrNotFound.Errorf("Invalid API identifier specified %s:%s", account, id)
}

// Gateway responses of the data plane: status, x-amzn-ErrorType (empty for
// none) and message, as API Gateway's default gateway responses are.
type gatewayResponse struct {
	status    int
	errorType string
	message   string // empty: the body is {"message": null}
	kind      string // the gateway response type an API may customise
}

var (
	gwMissingAuthToken   = gatewayResponse{http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token", "MISSING_AUTHENTICATION_TOKEN"}
	gwInternalError      = gatewayResponse{http.StatusInternalServerError, "InternalServerErrorException", "Internal server error", "DEFAULT_5XX"}
	gwBadGateway         = gatewayResponse{http.StatusBadGateway, "InternalServerErrorException", "Internal server error", "DEFAULT_5XX"}
	gwIntegrationTimeout = gatewayResponse{http.StatusGatewayTimeout, "", "Endpoint request timed out", "INTEGRATION_TIMEOUT"}
	gwPayloadTooLarge    = gatewayResponse{http.StatusRequestEntityTooLarge, "", "Request Too Long", "REQUEST_TOO_LARGE"}
	// gwIntegrationTooLarge is REQUEST_TOO_LARGE as AWS answers it when the
	// body is within API Gateway's 10 MB but Lambda refuses the event as
	// larger than its 6 MB invoke payload (seen on AWS: 413, x-amzn-ErrorType
	// BadRequestException, {"message": "Request Too Long"}).
	gwIntegrationTooLarge = gatewayResponse{http.StatusRequestEntityTooLarge, "BadRequestException", "Request Too Long", "REQUEST_TOO_LARGE"}

	// Access control (API keys, usage plans, authorizers), as API Gateway's
	// default gateway responses answer.
	gwForbidden        = gatewayResponse{http.StatusForbidden, "ForbiddenException", "Forbidden", "INVALID_API_KEY"}
	gwThrottled        = gatewayResponse{http.StatusTooManyRequests, "TooManyRequestsException", "Too Many Requests", "THROTTLED"}
	gwQuotaExceeded    = gatewayResponse{http.StatusTooManyRequests, "LimitExceededException", "Limit Exceeded", "QUOTA_EXCEEDED"}
	gwUnauthorized     = gatewayResponse{http.StatusUnauthorized, "UnauthorizedException", "Unauthorized", "UNAUTHORIZED"}
	gwExplicitDeny     = gatewayResponse{http.StatusForbidden, "AccessDeniedException", "User is not authorized to access this resource with an explicit deny", "ACCESS_DENIED"}
	gwImplicitDeny     = gatewayResponse{http.StatusForbidden, "AccessDeniedException", "User is not authorized to access this resource", "ACCESS_DENIED"}
	gwAuthorizerConfig = gatewayResponse{http.StatusInternalServerError, "AuthorizerConfigurationException", "", "AUTHORIZER_CONFIGURATION_ERROR"}
	// gwCognitoNotEmulated refuses methods behind a Cognito user pool
	// authorizer rather than serve them unprotected.
	// Request validation (a method's request validator), as AWS answers.
	gwBadRequestBody = gatewayResponse{http.StatusBadRequest, "BadRequestException", "Invalid request body", "BAD_REQUEST_BODY"}

	gwCognitoNotEmulated = gatewayResponse{http.StatusInternalServerError, "AuthorizerConfigurationException", "groundstack does not emulate COGNITO_USER_POOLS authorizers", "AUTHORIZER_CONFIGURATION_ERROR"}
)
