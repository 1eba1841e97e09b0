package s3

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// S3's error codes: the name is the wire string, the status travels with it.
var (
	ErrNoSuchBucket              = awsproto.Code{Name: "NoSuchBucket", Status: http.StatusNotFound}
	ErrNoSuchKey                 = awsproto.Code{Name: "NoSuchKey", Status: http.StatusNotFound}
	ErrNoSuchUpload              = awsproto.Code{Name: "NoSuchUpload", Status: http.StatusNotFound}
	ErrBucketAlreadyOwnedByYou   = awsproto.Code{Name: "BucketAlreadyOwnedByYou", Status: http.StatusConflict}
	ErrBucketNotEmpty            = awsproto.Code{Name: "BucketNotEmpty", Status: http.StatusConflict}
	ErrInvalidBucketName         = awsproto.Code{Name: "InvalidBucketName", Status: http.StatusBadRequest}
	ErrInvalidLocationConstraint = awsproto.Code{Name: "InvalidLocationConstraint", Status: http.StatusBadRequest}
	ErrIllegalLocationConstraint = awsproto.Code{Name: "IllegalLocationConstraintException", Status: http.StatusBadRequest}
	ErrInvalidRange              = awsproto.Code{Name: "InvalidRange", Status: http.StatusRequestedRangeNotSatisfiable}
	ErrPreconditionFailed        = awsproto.Code{Name: "PreconditionFailed", Status: http.StatusPreconditionFailed}
	ErrMalformedXML              = awsproto.ErrMalformedXML
	ErrNotImplemented            = awsproto.Code{Name: "NotImplemented", Status: http.StatusNotImplemented}
	ErrMethodNotAllowed          = awsproto.Code{Name: "MethodNotAllowed", Status: http.StatusMethodNotAllowed}
	ErrEntityTooLarge            = awsproto.Code{Name: "EntityTooLarge", Status: http.StatusBadRequest}
	ErrEntityTooSmall            = awsproto.Code{Name: "EntityTooSmall", Status: http.StatusBadRequest}
	ErrInvalidPart               = awsproto.Code{Name: "InvalidPart", Status: http.StatusBadRequest}
	ErrInvalidPartOrder          = awsproto.Code{Name: "InvalidPartOrder", Status: http.StatusBadRequest}
	ErrInvalidArgument           = awsproto.Code{Name: "InvalidArgument", Status: http.StatusBadRequest}
	ErrInvalidRequest            = awsproto.Code{Name: "InvalidRequest", Status: http.StatusBadRequest}
	ErrMissingContentLength      = awsproto.Code{Name: "MissingContentLength", Status: http.StatusLengthRequired}
	ErrIncompleteBody            = awsproto.Code{Name: "IncompleteBody", Status: http.StatusBadRequest}
	ErrBadDigest                 = awsproto.Code{Name: "BadDigest", Status: http.StatusBadRequest}
	ErrInvalidDigest             = awsproto.Code{Name: "InvalidDigest", Status: http.StatusBadRequest}
	ErrKeyTooLong                = awsproto.Code{Name: "KeyTooLongError", Status: http.StatusBadRequest}
	ErrMetadataTooLarge          = awsproto.Code{Name: "MetadataTooLarge", Status: http.StatusBadRequest}
	ErrInvalidStorageClass       = awsproto.Code{Name: "InvalidStorageClass", Status: http.StatusBadRequest}
	ErrAccessDenied              = awsproto.Code{Name: "AccessDenied", Status: http.StatusForbidden}
	ErrAuthQueryParams           = awsproto.Code{Name: "AuthorizationQueryParametersError", Status: http.StatusBadRequest}
)

// More codes, for limits and internal failures.
var (
	ErrInternalError            = awsproto.Code{Name: "InternalError", Status: http.StatusInternalServerError}
	ErrMaxMessageLengthExceeded = awsproto.Code{Name: "MaxMessageLengthExceeded", Status: http.StatusBadRequest}
	ErrInvalidPartNumber        = awsproto.Code{Name: "InvalidPartNumber", Status: http.StatusRequestedRangeNotSatisfiable}
	ErrNoSuchVersion            = awsproto.Code{Name: "NoSuchVersion", Status: http.StatusNotFound}
	// ErrNoSuchWebsiteConfiguration: GetBucketWebsite on a bucket that is not a website.
	ErrNoSuchWebsiteConfiguration = awsproto.Code{Name: "NoSuchWebsiteConfiguration", Status: http.StatusNotFound}
)
