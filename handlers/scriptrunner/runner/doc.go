// Package runner is the scriptrunner function's logic: validate a
// {"scriptname","parameter"} request, check the script exists in S3, make
// sure the EC2 instance runs, copy the script over SFTP when the host's
// copy differs, run it over SSH with the parameter as one quoted argument,
// and map the outcome to the spec's HTTP answers. It imports only the AWS
// SDK, aws-lambda-go and golang.org/x/crypto/ssh + pkg/sftp, never harness.
package runner
