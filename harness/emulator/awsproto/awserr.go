package awsproto

import (
	"fmt"
	"net/http"
)

// Code is an AWS error code: the wire string itself and the HTTP status it
// travels with. Services declare theirs in errors.go; there is no second
// mapping table anywhere.
type Code struct {
	Name   string
	Status int
}

// New returns an error with this code and a fixed message.
func (c Code) New(msg string) *Error { return &Error{Code: c.Name, Status: c.Status, Message: msg} }

// Errorf returns an error with this code and a formatted message.
func (c Code) Errorf(format string, args ...any) *Error {
	return &Error{Code: c.Name, Status: c.Status, Message: fmt.Sprintf(format, args...)}
}

// Error is an AWS error as a client sees it.
type Error struct {
	Code    string
	Status  int
	Message string
	// Fields are extra members some errors carry: JSON members
	// (CancellationReasons, Item) or XML elements (BucketName, Key, Resource).
	Fields map[string]any
	// Headers are extra response headers (e.g. x-amz-bucket-region).
	Headers map[string]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// With returns a copy of e carrying an extra field.
func (e *Error) With(name string, v any) *Error {
	c := *e
	c.Fields = make(map[string]any, len(e.Fields)+1)
	for k, x := range e.Fields {
		c.Fields[k] = x
	}
	c.Fields[name] = v
	return &c
}

// Fault says who is to blame, in the query protocol's words.
func (e *Error) Fault() string {
	if e.Status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// Errors every service may answer with, as AWS spells them.
var (
	ErrInternalFailure       = Code{"InternalFailure", http.StatusInternalServerError}
	ErrServiceUnavailable    = Code{"ServiceUnavailable", http.StatusServiceUnavailable}
	ErrSerialization         = Code{"SerializationException", http.StatusBadRequest}
	ErrUnknownOperation      = Code{"UnknownOperationException", http.StatusBadRequest}
	ErrInvalidAction         = Code{"InvalidAction", http.StatusBadRequest}
	ErrMissingAction         = Code{"MissingAction", http.StatusBadRequest}
	ErrValidation            = Code{"ValidationException", http.StatusBadRequest}
	ErrValidationError       = Code{"ValidationError", http.StatusBadRequest} // query services' spelling
	ErrInvalidParameterValue = Code{"InvalidParameterValue", http.StatusBadRequest}
	ErrMissingParameter      = Code{"MissingParameter", http.StatusBadRequest}
	ErrAccessDenied          = Code{"AccessDeniedException", http.StatusBadRequest}
	ErrInvalidSignature      = Code{"InvalidSignatureException", http.StatusForbidden}
	ErrSignatureDoesNotMatch = Code{"SignatureDoesNotMatch", http.StatusForbidden}
	ErrIncompleteSignature   = Code{"IncompleteSignature", http.StatusForbidden}
	ErrUnrecognizedClient    = Code{"UnrecognizedClientException", http.StatusForbidden}
	ErrInvalidClientTokenID  = Code{"InvalidClientTokenId", http.StatusForbidden}
	ErrRequestEntityTooLarge = Code{"RequestEntityTooLarge", http.StatusRequestEntityTooLarge}
	// ErrUnknownService answers a service groundstack does not emulate, with
	// 501 as LocalStack answers services it lacks.
	ErrUnknownService = Code{"UnknownService", http.StatusNotImplemented}
)

// AsError converts any error into an *Error, mapping unknown ones to
// InternalFailure (they are bugs: the caller should log them).
func AsError(err error) (*Error, bool) {
	if e, ok := err.(*Error); ok {
		return e, true
	}
	return ErrInternalFailure.New("We encountered an internal error. Please try again."), false
}
