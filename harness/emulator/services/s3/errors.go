package s3

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// S3's error codes: the name is the wire string, the status travels with it.
// The store and the operations return errors made from these; the API
// writes them in S3's <Error> shape (or as the website endpoint's HTML).
var (
	errNoSuchBucket                  = awsproto.Code{Name: "NoSuchBucket", Status: http.StatusNotFound}
	errNoSuchKey                     = awsproto.Code{Name: "NoSuchKey", Status: http.StatusNotFound}
	errNoSuchUpload                  = awsproto.Code{Name: "NoSuchUpload", Status: http.StatusNotFound}
	errNoSuchVersion                 = awsproto.Code{Name: "NoSuchVersion", Status: http.StatusNotFound}
	errNoSuchWebsite                 = awsproto.Code{Name: "NoSuchWebsiteConfiguration", Status: http.StatusNotFound}
	errBucketAlreadyOwnedByYou       = awsproto.Code{Name: "BucketAlreadyOwnedByYou", Status: http.StatusConflict}
	errBucketAlreadyExists           = awsproto.Code{Name: "BucketAlreadyExists", Status: http.StatusConflict}
	errBucketNotEmpty                = awsproto.Code{Name: "BucketNotEmpty", Status: http.StatusConflict}
	errInvalidTargetBucketForLogging = awsproto.Code{Name: "InvalidTargetBucketForLogging", Status: http.StatusBadRequest}
	errInvalidBucketName             = awsproto.Code{Name: "InvalidBucketName", Status: http.StatusBadRequest}
	errInvalidLocationConstraint     = awsproto.Code{Name: "InvalidLocationConstraint", Status: http.StatusBadRequest}
	errIllegalLocationConstraint     = awsproto.Code{Name: "IllegalLocationConstraintException", Status: http.StatusBadRequest}
	errInvalidRange                  = awsproto.Code{Name: "InvalidRange", Status: http.StatusRequestedRangeNotSatisfiable}
	errInvalidPartNumber             = awsproto.Code{Name: "InvalidPartNumber", Status: http.StatusRequestedRangeNotSatisfiable}
	errPreconditionFailed            = awsproto.Code{Name: "PreconditionFailed", Status: http.StatusPreconditionFailed}
	errMalformedXML                  = awsproto.ErrMalformedXML
	errMaxMessageLengthExceeded      = awsproto.Code{Name: "MaxMessageLengthExceeded", Status: http.StatusBadRequest}
	errNotImplemented                = awsproto.Code{Name: "NotImplemented", Status: http.StatusNotImplemented}
	errMethodNotAllowed              = awsproto.Code{Name: "MethodNotAllowed", Status: http.StatusMethodNotAllowed}
	errEntityTooLarge                = awsproto.Code{Name: "EntityTooLarge", Status: http.StatusBadRequest}
	errEntityTooSmall                = awsproto.Code{Name: "EntityTooSmall", Status: http.StatusBadRequest}
	errInvalidPart                   = awsproto.Code{Name: "InvalidPart", Status: http.StatusBadRequest}
	errInvalidPartOrder              = awsproto.Code{Name: "InvalidPartOrder", Status: http.StatusBadRequest}
	errInvalidArgument               = awsproto.Code{Name: "InvalidArgument", Status: http.StatusBadRequest}
	errInvalidRequest                = awsproto.Code{Name: "InvalidRequest", Status: http.StatusBadRequest}
	errMissingContentLength          = awsproto.Code{Name: "MissingContentLength", Status: http.StatusLengthRequired}
	errIncompleteBody                = awsproto.Code{Name: "IncompleteBody", Status: http.StatusBadRequest}
	errBadDigest                     = awsproto.Code{Name: "BadDigest", Status: http.StatusBadRequest}
	errInvalidDigest                 = awsproto.Code{Name: "InvalidDigest", Status: http.StatusBadRequest}
	errKeyTooLong                    = awsproto.Code{Name: "KeyTooLongError", Status: http.StatusBadRequest}
	errMetadataTooLarge              = awsproto.Code{Name: "MetadataTooLarge", Status: http.StatusBadRequest}
	errInvalidStorageClass           = awsproto.Code{Name: "InvalidStorageClass", Status: http.StatusBadRequest}
	errAccessDenied                  = awsproto.Code{Name: "AccessDenied", Status: http.StatusForbidden}
	errAuthQueryParams               = awsproto.Code{Name: "AuthorizationQueryParametersError", Status: http.StatusBadRequest}
	errInternalError                 = awsproto.Code{Name: "InternalError", Status: http.StatusInternalServerError}
	errInvalidObjectState            = awsproto.Code{Name: "InvalidObjectState", Status: http.StatusForbidden}
	errInvalidTag                    = awsproto.Code{Name: "InvalidTag", Status: http.StatusBadRequest}
	errNoSuchTagSet                  = awsproto.Code{Name: "NoSuchTagSet", Status: http.StatusNotFound}
	errBadRequest                    = awsproto.Code{Name: "BadRequest", Status: http.StatusBadRequest}
	errNoSuchPublicAccessBlock       = awsproto.Code{Name: "NoSuchPublicAccessBlockConfiguration", Status: http.StatusNotFound}
	errOwnershipControlsNotFound     = awsproto.Code{Name: "OwnershipControlsNotFoundError", Status: http.StatusNotFound}
	errNoSuchCORSConfiguration       = awsproto.Code{Name: "NoSuchCORSConfiguration", Status: http.StatusNotFound}
	errNoSuchLifecycleConfiguration  = awsproto.Code{Name: "NoSuchLifecycleConfiguration", Status: http.StatusNotFound}
	errNoSuchBucketPolicy            = awsproto.Code{Name: "NoSuchBucketPolicy", Status: http.StatusNotFound}
	errMalformedPolicy               = awsproto.Code{Name: "MalformedPolicy", Status: http.StatusBadRequest}
	errMalformedACL                  = awsproto.Code{Name: "MalformedACLError", Status: http.StatusBadRequest}
	errMissingRequestBody            = awsproto.Code{Name: "MissingRequestBodyError", Status: http.StatusBadRequest}
	errMissingSecurityHeader         = awsproto.Code{Name: "MissingSecurityHeader", Status: http.StatusBadRequest}
	errUnexpectedContent             = awsproto.Code{Name: "UnexpectedContent", Status: http.StatusBadRequest}
	errAccessForbidden               = awsproto.Code{Name: "AccessForbidden", Status: http.StatusForbidden}
	errInvalidBucketState            = awsproto.Code{Name: "InvalidBucketState", Status: http.StatusConflict}
	errNoObjectLockConfig            = awsproto.Code{Name: "ObjectLockConfigurationNotFoundError", Status: http.StatusNotFound}
	errNoSuchObjectLockConfig        = awsproto.Code{Name: "NoSuchObjectLockConfiguration", Status: http.StatusNotFound}
	errACLNotSupported               = awsproto.Code{Name: "AccessControlListNotSupported", Status: http.StatusBadRequest}
	errNoSuchConfiguration           = awsproto.Code{Name: "NoSuchConfiguration", Status: http.StatusNotFound}
	errTooManyConfigurations         = awsproto.Code{Name: "TooManyConfigurations", Status: http.StatusBadRequest}
	errReplicationNotFound           = awsproto.Code{Name: "ReplicationConfigurationNotFoundError", Status: http.StatusNotFound}
	errNoSuchMetadataConfiguration   = awsproto.Code{Name: "MetadataConfigurationNotFound", Status: http.StatusNotFound}
	errInvalidToken                  = awsproto.Code{Name: "InvalidToken", Status: http.StatusBadRequest}
	errExpiredToken                  = awsproto.Code{Name: "ExpiredToken", Status: http.StatusBadRequest}
)

// Errors S3 words the same way wherever they arise, with the members AWS
// adds to them.

func noSuchBucket(bucket string) *awsproto.Error {
	return errNoSuchBucket.New("The specified bucket does not exist").With("BucketName", bucket)
}

func noSuchKey(key string) *awsproto.Error {
	return errNoSuchKey.New("The specified key does not exist.").With("Key", key)
}

func noSuchUpload(uploadID string) *awsproto.Error {
	return errNoSuchUpload.New("The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.").
		With("UploadId", uploadID)
}

func noSuchVersion(key, versionID string) *awsproto.Error {
	return errNoSuchVersion.New("The specified version does not exist.").With("Key", key).With("VersionId", versionID)
}

func preconditionFailed(condition string) *awsproto.Error {
	return errPreconditionFailed.New("At least one of the pre-conditions you specified did not hold").With("Condition", condition)
}

func malformedXML() *awsproto.Error {
	return errMalformedXML.New("The XML you provided was not well-formed or did not validate against our published schema")
}

func methodNotAllowed(method, resource string) *awsproto.Error {
	return errMethodNotAllowed.New("The specified method is not allowed against this resource.").
		With("Method", method).With("ResourceType", resource)
}

// invalidArgument is S3's answer to a bad parameter: it names the argument
// and echoes its value.
func invalidArgument(msg, name, value string) *awsproto.Error {
	return errInvalidArgument.New(msg).With("ArgumentName", name).With("ArgumentValue", value)
}

// failed passes S3 errors through and answers any other (the emulator's
// own storage failing: a full or unwritable disk) with S3's InternalError,
// logging the cause rather than sending it.
func (s *Service) failed(err error) error {
	if _, ok := err.(*awsproto.Error); ok || err == nil {
		return err
	}
	s.env.Log.Error("s3: storage", "err", err)
	return errInternalError.New("We encountered an internal error. Please try again.")
}

// copySourceTooLarge refuses a CopyObject source, or an UploadPartCopy
// range, past 5 GiB.
func copySourceTooLarge() *awsproto.Error {
	return errInvalidRequest.Errorf("The specified copy source is larger than the maximum allowable size for a copy source: %d", int64(maxCopySource))
}

func entityTooLarge(n int64) *awsproto.Error {
	return errEntityTooLarge.New("Your proposed upload exceeds the maximum allowed size").
		With("ProposedSize", n).With("MaxSizeAllowed", int64(maxObjectSize))
}

func noSuchConfiguration() *awsproto.Error {
	return errNoSuchConfiguration.New("The specified configuration does not exist.")
}

// Messages of S3 Express One Zone (directory buckets) and GetObjectTorrent.
const (
	msgNotForDirectoryBuckets = "This operation is not supported for directory buckets."
	msgTorrentTooLarge        = "Torrents can only be generated for objects smaller than 5 GB."
	msgTorrentEncrypted       = "Torrents cannot be generated for objects encrypted with SSE-KMS."
	msgInvalidToken           = "The provided token is malformed or otherwise invalid."
	msgExpiredToken           = "The provided token has expired."
)
