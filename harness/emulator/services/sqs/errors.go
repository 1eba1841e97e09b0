package sqs

import (
	"fmt"
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// sqsCode is one SQS error: the JSON protocol's shape name (the __type after
// "com.amazonaws.sqs#") and the query protocol's code, which the JSON
// protocol also carries in x-amzn-query-error (SQS is awsQueryCompatible: the
// SDKs report that code).
type sqsCode struct {
	shape, query string
	status       int
}

// queryErrorHeader carries the query code of a JSON error ("Code;Sender").
const queryErrorHeader = "X-Amzn-Query-Error"

func (c sqsCode) New(msg string) error {
	fault := "Sender"
	if c.status >= 500 {
		fault = "Receiver"
	}
	return &awsproto.Error{Code: c.shape, Status: c.status, Message: msg,
		Headers: map[string]string{queryErrorHeader: c.query + ";" + fault}}
}

func (c sqsCode) Errorf(format string, args ...any) error {
	return c.New(fmt.Sprintf(format, args...))
}

// SQS's errors: the modelled exceptions, then the unmodelled codes the query
// protocol has always answered with.
var (
	errQueueDoesNotExist        = sqsCode{"QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", http.StatusBadRequest}
	errQueueNameExists          = sqsCode{"QueueNameExists", "QueueAlreadyExists", http.StatusBadRequest}
	errPurgeQueueInProgress     = sqsCode{"PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", http.StatusBadRequest}
	errBatchEntryIdsNotDistinct = sqsCode{"BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", http.StatusBadRequest}
	errBatchRequestTooLong      = sqsCode{"BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", http.StatusBadRequest}
	errEmptyBatchRequest        = sqsCode{"EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", http.StatusBadRequest}
	errInvalidBatchEntryID      = sqsCode{"InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", http.StatusBadRequest}
	errTooManyEntries           = sqsCode{"TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", http.StatusBadRequest}
	errMessageNotInflight       = sqsCode{"MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", http.StatusBadRequest}
	errReceiptHandleIsInvalid   = sqsCode{"ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", http.StatusBadRequest}
	errInvalidAttributeName     = sqsCode{"InvalidAttributeName", "InvalidAttributeName", http.StatusBadRequest}
	errInvalidAttributeValue    = sqsCode{"InvalidAttributeValue", "InvalidAttributeValue", http.StatusBadRequest}
	errInvalidMessageContents   = sqsCode{"InvalidMessageContents", "InvalidMessageContents", http.StatusBadRequest}
	errUnsupportedOperation     = sqsCode{"UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", http.StatusBadRequest}
	errResourceNotFound         = sqsCode{"ResourceNotFoundException", "ResourceNotFoundException", http.StatusBadRequest}
	errOverLimit                = sqsCode{"OverLimit", "OverLimit", http.StatusForbidden}
	errInvalidParameterValue    = sqsCode{"InvalidParameterValue", "InvalidParameterValue", http.StatusBadRequest}
	errMissingParameter         = sqsCode{"MissingParameter", "MissingParameter", http.StatusBadRequest}
)

// Messages AWS answers with, word for word.
const (
	msgQueueDoesNotExist = "The specified queue does not exist."
	msgQueueExists       = "A queue already exists with the same name and a different value for attribute %s"
	msgQueueName         = "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
	msgFifoQueueName     = "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length."
	msgUnknownAttribute  = "Unknown Attribute %s."
	msgAttributeValue    = "Invalid value for the parameter %s."
	msgPurgeInProgress   = "Only one PurgeQueue operation on %s is allowed every 60 seconds."
	msgMessageTooLong    = "One or more parameters are invalid. Reason: Message must be shorter than %d bytes."
	msgMissingParameter  = "The request must contain the parameter %s."
	msgReceiptInvalid    = "The input receipt handle \"%s\" is not a valid receipt handle."
	msgReceiptExpired    = "The receipt handle has expired."
	msgNotInflight       = "The message referred to isn't in flight."
	msgInvalidChars      = "Invalid binary character '#x%X' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"
	msgBatchIDInvalid    = "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long."
	msgBatchIDRepeated   = "Id %s repeated."
	msgBatchTooMany      = "Maximum number of entries per request are 10. You have sent %d."
	msgBatchEmpty        = "There should be at least one %s in the request."
	msgBatchTooLong      = "Batch requests cannot be longer than %d bytes. You have sent %d bytes."
	msgTooManyAttributes = "Number of message attributes [%d] exceeds the allowed maximum [10]."
	msgAttrName          = "The message attribute name '%s' is invalid. Attribute name can contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters."
	msgAttrType          = "The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."
	msgAttrEmptyValue    = "The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'."
	msgAttrNumber        = "Can't cast the value of message attribute '%s' to a number."
	msgAttrDuplicate     = "Message (user) attribute '%s' was specified more than once."
	msgParamInvalid      = "Value %s for parameter %s is invalid. Reason: %s"
	msgFifoNoDedup       = "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
	msgNotFifoParam      = "The request include parameter that is not valid for this queue type."
	msgInflightLimit     = "Too many messages in flight: a queue holds at most %d in-flight messages."
)
