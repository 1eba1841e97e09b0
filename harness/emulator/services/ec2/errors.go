package ec2

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// EC2's error codes; the name is the wire string. EC2 answers client errors
// with 400 whatever the cause, even for "not found".
var (
	errMissingParameter     = awsproto.ErrMissingParameter
	errInvalidParameter     = awsproto.ErrInvalidParameterValue
	errParameterCombination = awsproto.Code{Name: "InvalidParameterCombination", Status: http.StatusBadRequest}
	errInstanceNotFound     = awsproto.Code{Name: "InvalidInstanceID.NotFound", Status: http.StatusBadRequest}
	errInstanceMalformed    = awsproto.Code{Name: "InvalidInstanceID.Malformed", Status: http.StatusBadRequest}
	errIncorrectState       = awsproto.Code{Name: "IncorrectInstanceState", Status: http.StatusBadRequest}
	errKeyPairNotFound      = awsproto.Code{Name: "InvalidKeyPair.NotFound", Status: http.StatusBadRequest}
	errKeyPairDuplicate     = awsproto.Code{Name: "InvalidKeyPair.Duplicate", Status: http.StatusBadRequest}
	errKeyPairFormat        = awsproto.Code{Name: "InvalidKeyPair.Format", Status: http.StatusBadRequest}
	errAMIMalformed         = awsproto.Code{Name: "InvalidAMIID.Malformed", Status: http.StatusBadRequest}
	errInvalidID            = awsproto.Code{Name: "InvalidID", Status: http.StatusBadRequest}
	errTagLimit             = awsproto.Code{Name: "TagLimitExceeded", Status: http.StatusBadRequest}
	errInstanceLimit        = awsproto.Code{Name: "InstanceLimitExceeded", Status: http.StatusBadRequest}
	errPaginationToken      = awsproto.Code{Name: "InvalidPaginationToken", Status: http.StatusBadRequest}
	errDryRun               = awsproto.Code{Name: "DryRunOperation", Status: http.StatusPreconditionFailed}
)

// Messages EC2 answers with, word for word.
const (
	msgDryRun       = "Request would have succeeded, but DryRun flag is set."
	msgBadToken     = "The specified pagination token is not valid or is expired."
	msgImportFormat = "Key is not in valid OpenSSH public key format"
)
