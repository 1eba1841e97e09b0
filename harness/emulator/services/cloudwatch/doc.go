// Package cloudwatch is Amazon CloudWatch metrics and alarms: PutMetricData
// and the metric queries, alarms evaluated on a clock tests can drive, and
// alarm actions to SNS. It speaks RPC v2 CBOR, awsJson1_0 and query, as
// CloudWatch does. It must not import other services (SNS is a cloud link).
package cloudwatch
