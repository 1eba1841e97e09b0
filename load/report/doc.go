// Package report is a load run's result: counts and HDR histograms per
// request kind, freshness, a time series, ramp steps, k6-style thresholds,
// and the files made from it (JSON summary, JUnit XML, PNG charts). Results
// of shards merge exactly (histograms merged, not averaged). It imports no
// network, flow or harness code.
package report
