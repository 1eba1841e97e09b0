// Package sns is Amazon SNS (query protocol): topics, subscriptions, publish
// with filter policies and signed deliveries to SQS, Lambda and HTTP.
// store.go and filter.go must not import net/http or awsproto.
package sns
