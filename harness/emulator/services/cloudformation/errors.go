package cloudformation

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// CloudFormation's error codes; the name is the wire string.
var (
	errValidation        = awsproto.ErrValidationError
	errAlreadyExists     = awsproto.Code{Name: "AlreadyExistsException", Status: http.StatusBadRequest}
	errInsufficientCaps  = awsproto.Code{Name: "InsufficientCapabilitiesException", Status: http.StatusBadRequest}
	errChangeSetNotFound = awsproto.Code{Name: "ChangeSetNotFound", Status: http.StatusNotFound}
	errInvalidChangeSet  = awsproto.Code{Name: "InvalidChangeSetStatus", Status: http.StatusBadRequest}
	errLimitExceeded     = awsproto.Code{Name: "LimitExceededException", Status: http.StatusBadRequest}
)

// Messages AWS answers with.
const (
	msgStackNotFound  = "Stack with id %s does not exist"
	msgNoUpdates      = "No updates are to be performed."
	msgFormat         = "Template format error: "
	msgUnresolvedDeps = "Template format error: Unresolved resource dependencies [%s] in the %s block of the template"
)
