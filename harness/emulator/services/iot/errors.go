package iot

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// IoT's error codes; the name is the wire string.
var (
	errInvalidRequest  = awsproto.Code{Name: "InvalidRequestException", Status: http.StatusBadRequest}
	errSQLParse        = awsproto.Code{Name: "SqlParseException", Status: http.StatusBadRequest}
	errAlreadyExists   = awsproto.Code{Name: "ResourceAlreadyExistsException", Status: http.StatusConflict}
	errNotFound        = awsproto.Code{Name: "ResourceNotFoundException", Status: http.StatusNotFound}
	errUnauthorized    = awsproto.Code{Name: "UnauthorizedException", Status: http.StatusUnauthorized}
	errVersionConflict = awsproto.Code{Name: "VersionConflictException", Status: http.StatusConflict}
	// SNS's code, for a rule's sns action that SNS would refuse (reported
	// to the error action as SNS words it)
	errInvalidParameter = awsproto.Code{Name: "InvalidParameter", Status: http.StatusBadRequest}
)

// ruleDenied is AWS's answer to every topic-rule operation on a rule that
// does not exist: it does not say whether a rule exists to whom may not
// see it (botocore's model lists UnauthorizedException, not
// ResourceNotFoundException, for Get/Replace/Delete/Enable/DisableTopicRule;
// moto answers ResourceNotFoundException, which no client of these
// operations expects).
func ruleDenied(name string) error {
	return errUnauthorized.New("Access to topic rule '" + name + "' was denied")
}
