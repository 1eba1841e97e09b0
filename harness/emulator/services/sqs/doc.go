// Package sqs emulates Amazon SQS on both its wire protocols (awsJson 1.0 and
// the legacy query/XML protocol) over one Store, which other services reach
// in-process through cloud.Queues. store*.go must not import net/http or awsproto.
package sqs
