package cloudformation

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// More of CloudFormation's error codes (the registry, stack sets and
// hooks); the name is the wire string.
var (
	errHookResultNotFound       = awsproto.Code{Name: "HookResultNotFound", Status: http.StatusNotFound}
	errTypeNotFound             = awsproto.Code{Name: "TypeNotFoundException", Status: http.StatusNotFound}
	errCFNRegistry              = awsproto.Code{Name: "CFNRegistryException", Status: http.StatusBadRequest}
	errStackSetNotFound         = awsproto.Code{Name: "StackSetNotFoundException", Status: http.StatusNotFound}
	errStackSetNotEmpty         = awsproto.Code{Name: "StackSetNotEmptyException", Status: http.StatusConflict}
	errNameAlreadyExists        = awsproto.Code{Name: "NameAlreadyExistsException", Status: http.StatusConflict}
	errOperationNotFound        = awsproto.Code{Name: "OperationNotFoundException", Status: http.StatusNotFound}
	errStackInstanceNotFound    = awsproto.Code{Name: "StackInstanceNotFoundException", Status: http.StatusNotFound}
	errInvalidOperation         = awsproto.Code{Name: "InvalidOperationException", Status: http.StatusBadRequest}
	errOperationInProgress      = awsproto.Code{Name: "OperationInProgressException", Status: http.StatusConflict}
	errOperationIDAlreadyExists = awsproto.Code{Name: "OperationIdAlreadyExistsException", Status: http.StatusConflict}
)
