package lambda

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Lambda's error codes; the name is the wire string.
var (
	errValidation            = awsproto.ErrValidation
	errResourceNotFound      = awsproto.Code{Name: "ResourceNotFoundException", Status: http.StatusNotFound}
	errResourceConflict      = awsproto.Code{Name: "ResourceConflictException", Status: http.StatusConflict}
	errInvalidParameterValue = awsproto.Code{Name: "InvalidParameterValueException", Status: http.StatusBadRequest}
	errInvalidRequestContent = awsproto.Code{Name: "InvalidRequestContentException", Status: http.StatusBadRequest}
	errPreconditionFailed    = awsproto.Code{Name: "PreconditionFailedException", Status: http.StatusPreconditionFailed}
	errTooManyRequests       = awsproto.Code{Name: "TooManyRequestsException", Status: http.StatusTooManyRequests}
	errInvalidRuntime        = awsproto.Code{Name: "InvalidRuntimeException", Status: http.StatusBadGateway}
	errService               = awsproto.Code{Name: "ServiceException", Status: http.StatusInternalServerError}
	errResourceInUse         = awsproto.Code{Name: "ResourceInUseException", Status: http.StatusBadRequest}

	// Capacity providers and durable executions.
	errCapacityProviderLimit = awsproto.Code{Name: "CapacityProviderLimitExceededException", Status: http.StatusBadRequest}
	errCallbackTimeout       = awsproto.Code{Name: "CallbackTimeoutException", Status: http.StatusBadRequest}
	errDurableStarted        = awsproto.Code{Name: "DurableExecutionAlreadyStartedException", Status: http.StatusConflict}

	// Configs that may be absent: provisioned concurrency, code signing.
	errProvisionedNotFound       = awsproto.Code{Name: "ProvisionedConcurrencyConfigNotFoundException", Status: http.StatusNotFound}
	errCodeSigningConfigNotFound = awsproto.Code{Name: "CodeSigningConfigNotFoundException", Status: http.StatusNotFound}

	// errRequestTooLarge is an Invoke payload over its limit.
	errRequestTooLarge = awsproto.Code{Name: "RequestTooLargeException", Status: http.StatusRequestEntityTooLarge}
	// errRequestEntityTooLarge is any other body over its operation's
	// limit, and a function URL request over the payload limit.
	errRequestEntityTooLarge = awsproto.Code{Name: "RequestEntityTooLargeException", Status: http.StatusRequestEntityTooLarge}
)

// Answers of the function URL data plane (see writeURLError): a JSON
// {"Message": …} with the code as X-Amzn-Errortype. AWS answers a function
// that failed, or could not run, with no error type at all: those codes
// have no name.
var (
	errURLAccessDenied   = awsproto.Code{Name: "AccessDeniedException", Status: http.StatusForbidden}
	errURLFunctionFailed = awsproto.Code{Status: http.StatusBadGateway}
	errURLInternal       = awsproto.Code{Status: http.StatusInternalServerError}
	// errNoSuchCode answers a code download (GetFunction's Code.Location)
	// of a zip that is not stored, as S3 would.
	errNoSuchCode = awsproto.Code{Name: "NoSuchKey", Status: http.StatusNotFound}
)

// msgNoSuchResource is AWS's message for a policy or function URL that does
// not exist.
const msgNoSuchResource = "The resource you requested does not exist."

// Throttle reasons of TooManyRequestsException.
const (
	reasonReservedConcurrency = "ReservedFunctionConcurrentInvocationLimitExceeded"
	reasonConcurrency         = "ConcurrentInvocationLimitExceeded"
)

// throttled is the error of an invocation over the function's reserved
// concurrency.
func throttled(reason string) *awsproto.Error {
	e := errTooManyRequests.New("Rate Exceeded.").With("Reason", reason)
	e.Headers = map[string]string{"Retry-After": "1"}
	return e
}

// tooLarge words a request body over its operation's limit as Lambda does
// (API.TooLarge).
func tooLarge(op *awsproto.Operation, limit int64) *awsproto.Error {
	return errRequestEntityTooLarge.Errorf("Request must be smaller than %d bytes for the %s operation", limit, op.Name)
}

// payloadTooLarge is the error of an invocation payload over limit.
func payloadTooLarge(limit int) *awsproto.Error {
	return errRequestTooLarge.Errorf("Request must be smaller than %d bytes for the InvokeFunction operation", limit)
}
