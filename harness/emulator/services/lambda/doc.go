// Package lambda emulates AWS Lambda: the control plane (functions, versions,
// aliases, permissions, concurrency, function URLs), Invoke and the function
// URL data plane. Code runs in harness/emulator/lambda/runtime; this package
// must not import other services (it reaches S3 and Logs through cloud.Links).
package lambda
