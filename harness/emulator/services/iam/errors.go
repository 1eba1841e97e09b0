package iam

import (
	"errors"
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// IAM's error codes; the name is the wire string.
var (
	errNoSuchEntity    = awsproto.Code{Name: "NoSuchEntity", Status: http.StatusNotFound}
	errEntityExists    = awsproto.Code{Name: "EntityAlreadyExists", Status: http.StatusConflict}
	errDeleteConflict  = awsproto.Code{Name: "DeleteConflict", Status: http.StatusConflict}
	errLimitExceeded   = awsproto.Code{Name: "LimitExceeded", Status: http.StatusConflict}
	errMalformedPolicy = awsproto.Code{Name: "MalformedPolicyDocument", Status: http.StatusBadRequest}
	errInvalidInput    = awsproto.Code{Name: "InvalidInput", Status: http.StatusBadRequest}
	errAccessDenied    = awsproto.Code{Name: "AccessDenied", Status: http.StatusForbidden}
	errValidation      = awsproto.ErrValidationError
)

// kindCodes gives the wire code of each store failure kind.
var kindCodes = [...]awsproto.Code{
	kindNoSuchEntity:    errNoSuchEntity,
	kindExists:          errEntityExists,
	kindDeleteConflict:  errDeleteConflict,
	kindLimitExceeded:   errLimitExceeded,
	kindMalformedPolicy: errMalformedPolicy,
	kindInvalidInput:    errInvalidInput,
	kindAccessDenied:    errAccessDenied,
}

// wire turns a store failure into the error a client sees.
func wire(err error) error {
	var f *failure
	if errors.As(err, &f) {
		return kindCodes[f.kind].New(f.msg)
	}
	return err
}
