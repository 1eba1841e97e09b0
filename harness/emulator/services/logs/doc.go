// Package logs emulates Amazon CloudWatch Logs (awsJson 1.1): log groups,
// streams, PutLogEvents/GetLogEvents/FilterLogEvents, and the LogWriter other
// services write through. It must not import other services' packages.
package logs
