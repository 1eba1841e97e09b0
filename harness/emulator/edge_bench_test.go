package emulator_test

import (
	"testing"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// BenchmarkEdgeRequest is one cheap call through the whole edge (route,
// account, service): what anything the edge adds per request, the
// console included, shows up in. SQS's GetQueueUrl of a missing queue does
// almost nothing in the service.
func BenchmarkEdgeRequest(b *testing.B) {
	e := emulator.New()
	defer e.Close()
	h := e.Handler()
	req := emutest.BenchRequest("sqs", "application/x-amz-json-1.0", "AmazonSQS.GetQueueUrl")
	body := []byte(`{"QueueName":"missing"}`)
	var d emutest.Discard
	b.ReportAllocs()
	for b.Loop() {
		if s := d.Serve(h, req, body); s != 400 {
			b.Fatalf("status %d", s)
		}
	}
}
