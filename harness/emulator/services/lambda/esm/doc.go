// Package esm runs Lambda event source mappings: pollers that read an SQS
// queue or a DynamoDB stream and invoke a function with batches of records.
// It reaches other services only through cloud.* interfaces (Queues,
// StreamReader, Topics) and an Invoke function, so it runs against fakes in
// tests; it must not import net/http, awsproto handlers or any service.
package esm
