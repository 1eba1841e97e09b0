package logs

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// CloudWatch Logs error codes; the name is the wire string. The store
// returns errors made from them and the API renders them as they are.
var (
	errResourceNotFound      = awsproto.Code{Name: "ResourceNotFoundException", Status: http.StatusBadRequest}
	errResourceAlreadyExists = awsproto.Code{Name: "ResourceAlreadyExistsException", Status: http.StatusBadRequest}
	// errInvalidParameter is also what constraint failures come back as.
	errInvalidParameter = awsproto.Code{Name: "InvalidParameterException", Status: http.StatusBadRequest}
	errLimitExceeded    = awsproto.Code{Name: "LimitExceededException", Status: http.StatusBadRequest}
	errInvalidOperation = awsproto.Code{Name: "InvalidOperationException", Status: http.StatusBadRequest}
	errMalformedQuery   = awsproto.Code{Name: "MalformedQueryException", Status: http.StatusBadRequest}
	errValidation       = awsproto.ErrValidation
)

// Messages AWS answers with.
const (
	msgGroupNotFound  = "The specified log group does not exist."
	msgStreamNotFound = "The specified log stream does not exist."
	msgGroupExists    = "The specified log group already exists"
	msgStreamExists   = "The specified log stream already exists"
	msgBadToken       = "The specified nextToken is invalid."

	msgLimitExceeded        = "Resource limit exceeded."
	msgSubFilterNotFound    = "The specified subscription filter does not exist."
	msgMetricFilterNotFound = "The specified metric filter does not exist."
	msgDeletionProtected    = "Log group deletion protection is enabled. Disable deletion protection before deleting the log group."
	msgLambdaDestination    = "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function."
	msgExportNotFound       = "The specified export task does not exist."
	msgQueryNotFound        = "Query does not exist."
	msgBucketNotFound       = "The given bucket does not exist. Please make sure the bucket is valid."
	msgDestinationNotFound  = "The specified destination does not exist."
)

func noGroup() error  { return errResourceNotFound.New(msgGroupNotFound) }
func noStream() error { return errResourceNotFound.New(msgStreamNotFound) }
func badToken() error { return errInvalidParameter.New(msgBadToken) }

// Codes of the delivery, anomaly-detection, lookup-table, scheduled-query,
// import and integration operations (api_deliveries.go and its siblings).
var (
	errConflict             = awsproto.Code{Name: "ConflictException", Status: http.StatusBadRequest}
	errServiceQuotaExceeded = awsproto.Code{Name: "ServiceQuotaExceededException", Status: http.StatusBadRequest}
)
