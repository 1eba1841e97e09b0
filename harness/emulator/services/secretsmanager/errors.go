package secretsmanager

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Secrets Manager's error codes; the name is the wire string. Every client
// error of this service travels with HTTP 400.
var (
	errResourceNotFound = awsproto.Code{Name: "ResourceNotFoundException", Status: http.StatusBadRequest}
	errResourceExists   = awsproto.Code{Name: "ResourceExistsException", Status: http.StatusBadRequest}
	errInvalidParameter = awsproto.Code{Name: "InvalidParameterException", Status: http.StatusBadRequest}
	errInvalidRequest   = awsproto.Code{Name: "InvalidRequestException", Status: http.StatusBadRequest}
	errInvalidNextToken = awsproto.Code{Name: "InvalidNextTokenException", Status: http.StatusBadRequest}
	errValidation       = awsproto.ErrValidation
)

// Messages AWS answers with, word for word.
const (
	msgSecretNotFound   = "Secrets Manager can't find the specified secret."
	msgMarkedForDelete  = "You can't perform this operation on the secret because it was marked for deletion."
	msgAlreadyScheduled = "You tried to perform the operation on a secret that's currently marked deleted."
	msgInvalidName      = "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"
	msgBadNextToken     = "The NextToken value is invalid."
)

var (
	errMalformedPolicy = awsproto.Code{Name: "MalformedPolicyDocumentException", Status: http.StatusBadRequest}
	errPublicPolicy    = awsproto.Code{Name: "PublicPolicyException", Status: http.StatusBadRequest}
	errLimitExceeded   = awsproto.Code{Name: "LimitExceededException", Status: http.StatusBadRequest}
)
