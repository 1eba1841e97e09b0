// Package logs emulates Amazon CloudWatch Logs (awsJson 1.1): log groups,
// streams, PutLogEvents/GetLogEvents/FilterLogEvents, and the LogWriter other
// services write through. Only the api*.go files speak the wire; the
// store*.go files and filter.go must not import net/http or awsproto, nor
// other services' packages.
package logs
