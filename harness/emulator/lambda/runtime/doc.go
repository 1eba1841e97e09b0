// Package runtime runs Lambda function code as local child processes: it
// stores and unpacks code zips, serves the Lambda Runtime API to each
// instance, pools warm instances and captures their logs. It must not import
// awsproto or any service package: the lambda service drives it.
package runtime
