package dynamodb

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// The codes DynamoDB and DynamoDB Streams answer with; the name is the wire
// string. ValidationException and SerializationException come from awsproto.
var (
	errValidation          = awsproto.ErrValidation
	errResourceNotFound    = awsproto.Code{Name: "ResourceNotFoundException", Status: http.StatusBadRequest}
	errResourceInUse       = awsproto.Code{Name: "ResourceInUseException", Status: http.StatusBadRequest}
	errConditionalCheck    = awsproto.Code{Name: "ConditionalCheckFailedException", Status: http.StatusBadRequest}
	errTransactionCanceled = awsproto.Code{Name: "TransactionCanceledException", Status: http.StatusBadRequest}
	errIdempotentMismatch  = awsproto.Code{Name: "IdempotentParameterMismatchException", Status: http.StatusBadRequest}
	errLimitExceeded       = awsproto.Code{Name: "LimitExceededException", Status: http.StatusBadRequest}
	errExpiredIterator     = awsproto.Code{Name: "ExpiredIteratorException", Status: http.StatusBadRequest}
	errTrimmedDataAccess   = awsproto.Code{Name: "TrimmedDataAccessException", Status: http.StatusBadRequest}

	// Backups, point-in-time recovery and resource policies.
	errTableNotFound       = awsproto.Code{Name: "TableNotFoundException", Status: http.StatusBadRequest}
	errTableAlreadyExists  = awsproto.Code{Name: "TableAlreadyExistsException", Status: http.StatusBadRequest}
	errBackupNotFound      = awsproto.Code{Name: "BackupNotFoundException", Status: http.StatusBadRequest}
	errPITRUnavailable     = awsproto.Code{Name: "PointInTimeRecoveryUnavailableException", Status: http.StatusBadRequest}
	errInvalidRestoreTime  = awsproto.Code{Name: "InvalidRestoreTimeException", Status: http.StatusBadRequest}
	errPolicyNotFound      = awsproto.Code{Name: "PolicyNotFoundException", Status: http.StatusBadRequest}
	errGlobalTableNotFound = awsproto.Code{Name: "GlobalTableNotFoundException", Status: http.StatusBadRequest}
	errReplicaExists       = awsproto.Code{Name: "ReplicaAlreadyExistsException", Status: http.StatusBadRequest}
	errReplicaNotFound     = awsproto.Code{Name: "ReplicaNotFoundException", Status: http.StatusBadRequest}
	errExportNotFound      = awsproto.Code{Name: "ExportNotFoundException", Status: http.StatusBadRequest}
	errExportConflict      = awsproto.Code{Name: "ExportConflictException", Status: http.StatusBadRequest}
	errInvalidExportTime   = awsproto.Code{Name: "InvalidExportTimeException", Status: http.StatusBadRequest}
	errImportNotFound      = awsproto.Code{Name: "ImportNotFoundException", Status: http.StatusBadRequest}
	errDuplicateItem       = awsproto.Code{Name: "DuplicateItemException", Status: http.StatusBadRequest}
	errGlobalTableExists   = awsproto.Code{Name: "GlobalTableAlreadyExistsException", Status: http.StatusBadRequest}
)

// validationf builds a ValidationException.
func validationf(format string, args ...any) error { return errValidation.Errorf(format, args...) }

// tableNotFound is the error for a table that does not exist (or was
// deleted while a request used it).
func tableNotFound() error { return errResourceNotFound.New(msgTableNotFound) }

// Messages used in more than one place, worded as DynamoDB words them.
const (
	msgTableNotFound     = "Requested resource not found"
	msgKeySchemaMismatch = "The provided key element does not match the schema"
	msgConditionFailed   = "The conditional request failed"
	msgItemTooLarge      = "Item size has exceeded the maximum allowed size"
	msgTxTooLarge        = "Transaction request cannot be larger than 4 MB"
	msgDuplicateKeys     = "Provided list of item keys contains duplicates"
	msgTxMultipleOps     = "Transaction request cannot include multiple operations on one item"
	msgTrimmed           = "The operation attempted to read past the oldest stream record in a shard."
)

// DynamoDB's limits.
const (
	maxItemSize       = 400 * 1024
	maxHashKeySize    = 2048
	maxRangeKeySize   = 1024
	maxPageBytes      = 1 << 20 // Query/Scan read at most 1 MB per page
	maxBatchGetKeys   = 100
	maxBatchGetBytes  = 16 << 20
	maxBatchWrites    = 25
	maxTransactItems  = 100
	maxTransactBytes  = 4 << 20 // the aggregate size of a transaction's items
	maxGSIs           = 20
	maxLSIs           = 5
	tokenLifetimeSecs = 600 // ClientRequestToken idempotency window
)
