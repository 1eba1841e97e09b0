package logs

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// CloudWatch Logs error codes, as the wire spells them.
var (
	ErrResourceNotFound      = awsproto.Code{Name: "ResourceNotFoundException", Status: http.StatusBadRequest}
	ErrResourceAlreadyExists = awsproto.Code{Name: "ResourceAlreadyExistsException", Status: http.StatusBadRequest}
	ErrInvalidParameter      = awsproto.Code{Name: "InvalidParameterException", Status: http.StatusBadRequest}
	ErrLimitExceeded         = awsproto.Code{Name: "LimitExceededException", Status: http.StatusBadRequest}
)

// Messages AWS answers with.
const (
	msgGroupNotFound  = "The specified log group does not exist."
	msgStreamNotFound = "The specified log stream does not exist."
	msgGroupExists    = "The specified log group already exists"
	msgStreamExists   = "The specified log stream already exists"
	msgBadToken       = "The specified nextToken is invalid."
)
