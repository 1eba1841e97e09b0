// Package run drives the deliveries flow with a load profile: it starts a
// backend and deploys the flow (or finds it at --target), logs in, sends
// orders and dashboard reads open-loop, probes every order's freshness and
// returns the report. It reaches the cloud only through harness/backend,
// harness/deploy and HTTP/the AWS SDK, never harness/emulator.
package run
