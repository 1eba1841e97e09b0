// Package dynamodb emulates Amazon DynamoDB (tables, items, query/scan, batch,
// transactions, TTL) and DynamoDB Streams over awsJson 1.0. It imports only
// awsproto, cloud and its own attr/expr packages: never another service.
package dynamodb
