package sts

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// STS's error codes; the name is the wire string.
var (
	errValidation      = awsproto.ErrValidationError
	errMalformedPolicy = awsproto.Code{Name: "MalformedPolicyDocument", Status: http.StatusBadRequest}
	errAccessDenied    = awsproto.Code{Name: "AccessDenied", Status: http.StatusForbidden}
	// errPackedPolicyTooLarge: session policies and tags past their allowance.
	errPackedPolicyTooLarge = awsproto.Code{Name: "PackedPolicyTooLarge", Status: http.StatusBadRequest}
)
