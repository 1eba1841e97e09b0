package lambda

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Lambda's errors as the wire spells them.
var (
	ErrResourceNotFound        = awsproto.Code{Name: "ResourceNotFoundException", Status: http.StatusNotFound}
	ErrResourceConflict        = awsproto.Code{Name: "ResourceConflictException", Status: http.StatusConflict}
	ErrInvalidParameterValue   = awsproto.Code{Name: "InvalidParameterValueException", Status: http.StatusBadRequest}
	ErrValidation              = awsproto.Code{Name: "ValidationException", Status: http.StatusBadRequest}
	ErrInvalidRequestContent   = awsproto.Code{Name: "InvalidRequestContentException", Status: http.StatusBadRequest}
	ErrRequestTooLarge         = awsproto.Code{Name: "RequestTooLargeException", Status: http.StatusRequestEntityTooLarge}
	ErrRequestEntityTooLarge   = awsproto.Code{Name: "RequestEntityTooLargeException", Status: http.StatusRequestEntityTooLarge}
	ErrTooManyRequests         = awsproto.Code{Name: "TooManyRequestsException", Status: http.StatusTooManyRequests}
	ErrPreconditionFailed      = awsproto.Code{Name: "PreconditionFailedException", Status: http.StatusPreconditionFailed}
	ErrInvalidRuntime          = awsproto.Code{Name: "InvalidRuntimeException", Status: http.StatusBadGateway}
	ErrService                 = awsproto.Code{Name: "ServiceException", Status: http.StatusInternalServerError}
	ErrUnsupportedMediaType    = awsproto.Code{Name: "UnsupportedMediaTypeException", Status: http.StatusUnsupportedMediaType}
	ErrPolicyLengthExceeded    = awsproto.Code{Name: "PolicyLengthExceededException", Status: http.StatusBadRequest}
	ErrAccessDenied            = awsproto.Code{Name: "AccessDeniedException", Status: http.StatusForbidden}
	ErrCodeStorageExceeded     = awsproto.Code{Name: "CodeStorageExceededException", Status: http.StatusBadRequest}
	ErrResourceNotReady        = awsproto.Code{Name: "ResourceNotReadyException", Status: http.StatusBadGateway}
	ErrServiceQuotaExceeded    = awsproto.Code{Name: "ServiceQuotaExceededException", Status: http.StatusBadRequest}
	ErrFunctionURLAccessDenied = awsproto.Code{Name: "AccessDeniedException", Status: http.StatusForbidden}
)

// Throttle reasons of TooManyRequestsException.
const (
	reasonReservedConcurrency = "ReservedFunctionConcurrentInvocationLimitExceeded"
	reasonConcurrency         = "ConcurrentInvocationLimitExceeded"
)

// throttled is the error of an invocation over the function's reserved
// concurrency.
func throttled(reason string) *awsproto.Error {
	e := ErrTooManyRequests.New("Rate Exceeded.").With("Reason", reason)
	e.Headers = map[string]string{"Retry-After": "1"}
	return e
}
