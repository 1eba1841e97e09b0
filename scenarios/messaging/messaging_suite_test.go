// Package messaging_test is the messaging suite: it wires events through
// the cloud the way applications do, with the AWS APIs only, and proves
// that each one arrives: S3 → SNS → SQS → Lambda, DynamoDB Streams →
// Lambda, SNS FIFO → SQS FIFO in order per message group, and every path
// of `groundstack bench-events` briefly, with the freshness figures
// reported. Lambda consumers are the handlers/eventprobe function, which
// reports its handler start to a collector in this process, so the
// functions must reach this machine's loopback (the embedded backend; for
// others, MESSAGING_COLLECTOR_HOST names the host they reach it at).
//
// Standard SNS, SQS, S3 notifications and event source mappings deliver at
// least once: duplicates are counted and reported, not failed. A cloud that
// lacks a call a spec needs (its answer is NotImplemented or an unknown
// operation) skips that spec with the call and the answer.
//
// Label: messaging. MESSAGING_FIGURES_OUT names a JSON file for the figures.
package messaging_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/groundstack/groundstack/load/events"
	"github.com/groundstack/groundstack/scenarios/scenario"
)

func TestMessaging(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Messaging Suite")
}

var (
	first     *scenario.Cloud
	cloud     *scenario.Cloud
	book      *events.Book
	collector *events.Collector
	probeZip  string
	probeSHA  string
	figures   = scenario.NewFigures()
)

var _ = SynchronizedBeforeSuite(func(ctx context.Context) []byte {
	c, endpoint, err := scenario.StartOnFirst(ctx)
	Expect(err).NotTo(HaveOccurred())
	first = c
	// build the probe once for every process (cached by source hash)
	_, _, err = events.BuildProbe(ctx)
	Expect(err).NotTo(HaveOccurred())
	return endpoint
}, func(ctx context.Context, endpoint []byte) {
	c, err := scenario.Connect(ctx, first, endpoint)
	Expect(err).NotTo(HaveOccurred())
	cloud = c
	probeZip, probeSHA, err = events.BuildProbe(ctx)
	Expect(err).NotTo(HaveOccurred())
	book = events.NewBook()
	collector, err = events.StartCollector(book, listenAddr(), collectorHost())
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(collector.Close)
}, NodeTimeout(5*time.Minute))

var _ = scenario.Guard(&cloud)

var _ = SynchronizedAfterSuite(func() {}, func() {
	Expect(figures.Flush("messaging", "MESSAGING_FIGURES_OUT")).To(Succeed())
	Expect(first.Close()).To(Succeed())
})

func record(name string, v any) { figures.Record(name, v) }

// collectorHost is the host functions reach this process at
// (MESSAGING_COLLECTOR_HOST; "" for loopback).
func collectorHost() string { return os.Getenv("MESSAGING_COLLECTOR_HOST") }

// listenAddr is where collectors listen: loopback, or the address
// functions elsewhere were said to reach this machine at (every interface
// when that is a name).
func listenAddr() string {
	switch h := collectorHost(); {
	case h == "":
		return "127.0.0.1:0"
	case net.ParseIP(h) != nil:
		return net.JoinHostPort(h, "0")
	}
	return "0.0.0.0:0"
}

// probesReachUs says why functions cannot report to this process ("" when
// they can): only the embedded backend runs them on this machine's
// loopback, unless MESSAGING_COLLECTOR_HOST says where else to report.
func probesReachUs() string {
	if cloud.Backend.Name() == "embedded" || collectorHost() != "" {
		return ""
	}
	return fmt.Sprintf("the %s backend runs functions where this process's loopback collector is out of reach; set MESSAGING_COLLECTOR_HOST to the host they reach this machine at", cloud.Backend.Name())
}

// needProbes skips a spec whose consumer is a function that cannot report.
func needProbes() {
	if why := probesReachUs(); why != "" {
		Skip(why)
	}
}
