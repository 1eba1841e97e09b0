package cloudwatch

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// CloudWatch is awsQueryCompatible: each error has its query code (the
// Code's name, also sent as X-Amzn-Query-Error) and the shape JSON and CBOR
// answers name in __type. code declares both, once.
var shapes = map[string]string{}

func code(query, shape string, status int) awsproto.Code {
	shapes[query] = shape
	return awsproto.Code{Name: query, Status: status}
}

// errorShape is the __type of a query error code (the code itself when the
// model has no shape for it: ValidationError, InternalFailure).
func errorShape(query string) string {
	if s, ok := shapes[query]; ok {
		return s
	}
	return query
}

// CloudWatch's error codes.
var (
	errValidation          = awsproto.ErrValidationError
	errInvalidParameter    = code("InvalidParameterValue", "InvalidParameterValueException", http.StatusBadRequest)
	errInvalidCombination  = code("InvalidParameterCombination", "InvalidParameterCombinationException", http.StatusBadRequest)
	errMissingParameter    = code("MissingParameter", "MissingRequiredParameterException", http.StatusBadRequest)
	errResourceNotFound    = code("ResourceNotFound", "ResourceNotFound", http.StatusNotFound)
	errResourceNotFoundExc = code("ResourceNotFoundException", "ResourceNotFoundException", http.StatusNotFound)
	errInvalidNextToken    = code("InvalidNextToken", "InvalidNextToken", http.StatusBadRequest)
	errLimitExceeded       = code("LimitExceeded", "LimitExceededFault", http.StatusBadRequest)
	errInvalidFormat       = code("InvalidFormat", "InvalidFormatFault", http.StatusBadRequest)
	errDashboardInvalid    = code("InvalidParameterInput", "DashboardInvalidInputError", http.StatusBadRequest)
	errLimitExceededExc    = code("LimitExceededException", "LimitExceededException", http.StatusBadRequest)
)

// Messages AWS answers with.
const (
	msgNextToken = "Invalid nextToken"
)

// notFound is a ResourceNotFoundException: its shape carries the resource's
// type and id (and no message member, so SDKs show none).
func notFound(kind, id, msg string) error {
	return errResourceNotFoundExc.New(msg).With("ResourceType", kind).With("ResourceId", id)
}
