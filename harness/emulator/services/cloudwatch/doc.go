// Package cloudwatch is Amazon CloudWatch metrics and alarms: PutMetricData
// and the metric queries, metric and composite alarms evaluated on a clock
// tests can drive, alarm actions to SNS, mute rules, dashboards, metric
// streams, insight rules and anomaly detectors. It speaks RPC v2 CBOR,
// awsJson1_0 and query, as CloudWatch does. It must not import other
// services (SNS is a cloud link).
package cloudwatch
