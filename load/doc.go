// Package load is the open-loop load generator: growth profiles, freshness
// probes and reports. It reaches the cloud only through harness/backend,
// harness/deploy and the AWS SDK.
package load
