package sns

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// SNS's error codes; the name is the wire string.
var (
	errValidation        = awsproto.ErrValidationError
	errInvalidParameter  = awsproto.Code{Name: "InvalidParameter", Status: http.StatusBadRequest}
	errInvalidParamValue = awsproto.Code{Name: "ParameterValueInvalid", Status: http.StatusBadRequest}
	errNotFound          = awsproto.Code{Name: "NotFound", Status: http.StatusNotFound}
	errResourceNotFound  = awsproto.Code{Name: "ResourceNotFound", Status: http.StatusNotFound}
	errTagLimit          = awsproto.Code{Name: "TagLimitExceeded", Status: http.StatusBadRequest}
	errBatchIDsNotUnique = awsproto.Code{Name: "BatchEntryIdsNotDistinct", Status: http.StatusBadRequest}
	errTooManyEntries    = awsproto.Code{Name: "TooManyEntriesInBatchRequest", Status: http.StatusBadRequest}
	errEmptyBatch        = awsproto.Code{Name: "EmptyBatchRequest", Status: http.StatusBadRequest}
	errBatchTooLong      = awsproto.Code{Name: "BatchRequestTooLong", Status: http.StatusBadRequest}
	errInvalidBatchID    = awsproto.Code{Name: "InvalidBatchEntryId", Status: http.StatusBadRequest}
	errEndpointDisabled  = awsproto.Code{Name: "EndpointDisabled", Status: http.StatusBadRequest}
	errAppDisabled       = awsproto.Code{Name: "PlatformApplicationDisabled", Status: http.StatusBadRequest}
	errOptedOut          = awsproto.Code{Name: "OptedOut", Status: http.StatusBadRequest}
	errUserError         = awsproto.Code{Name: "UserError", Status: http.StatusBadRequest}
	errVerification      = awsproto.Code{Name: "VerificationException", Status: http.StatusBadRequest}
)

// Messages AWS answers with, word for word.
const (
	msgTopicNotFound        = "Topic does not exist"
	msgSubscriptionNotFound = "Subscription does not exist"
	msgResourceNotFound     = "Resource does not exist"
	msgTopicName            = "Invalid parameter: Topic Name"
	msgFifoTopicName        = "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long."
	msgTopicExistsDiff      = "Invalid parameter: Attributes Reason: Topic already exists with different attributes"
	msgEmptyMessage         = "Invalid parameter: Empty message"
	msgMessageTooLong       = "Invalid parameter: Message too long"
	msgGroupIDRequired      = "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
	msgDedupRequired        = "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
	msgDedupStandard        = "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type"
	msgSubjectTooLong       = "Subject must be less than 100 characters"
	msgMessageStructure     = "Invalid parameter: Message Structure - No default entry in JSON message body"
	msgMessageStructureJSON = "Invalid parameter: Message Structure - JSON message body failed to parse"
	msgStructureValue       = "Invalid parameter: MessageStructure Reason: MessageStructure must be 'json' if provided"
	msgBatchTooLong         = "The length of all the messages put together is more than the limit."
	msgTooManyEntries       = "The batch request contains more entries than permissible."
	msgEmptyBatch           = "The batch request doesn't contain any entries."
	msgBatchIDsNotUnique    = "Two or more batch entries in the request have the same Id."
	msgInvalidBatchID       = "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long."
	msgTagLimit             = "Could not complete request: tag quota of per resource exceeded"
	msgSQSEndpoint          = "Invalid parameter: SQS endpoint ARN"
	msgLambdaEndpoint       = "Invalid parameter: Lambda endpoint ARN"
	msgFifoQueueStandard    = "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics"
	msgToken                = "Invalid token"
	msgAppNotFound          = "PlatformApplication does not exist"
	msgEndpointNotFound     = "Endpoint does not exist"
	msgEndpointDisabled     = "Endpoint is disabled"
	msgAppDisabled          = "Platform application is disabled"
	msgOptedOut             = "Phone number is opted out"
	msgSandboxVerified      = "Phone number is already verified"
	msgSandboxNotFound      = "Phone number does not exist"
	msgInvalidOTP           = "Invalid one-time password"
	msgStatementExists      = "Invalid parameter: Statement already exists"
)

// maxMessageBytes is the largest message (and batch) SNS accepts: 256 KiB.
const maxMessageBytes = 262144
