// Package workshop is the workshop flow's suite: it starts `groundstack up`
// (an empty cloud) on 127.0.0.1:4566, runs the lab's scripts
// (fixtures/workshop) start to finish with the real aws CLI through
// awslocal, asserts the state they leave from Go with aws-sdk-go-v2, and
// compares the lab's Python functions with their Go twins
// (handlers/workshop, deployed by harness/deploy/workshop).
package workshop
