package mqtt_test

import (
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/groundstack/groundstack/harness/emulator/emutest/benchcpu"
)

// BenchmarkQoS0Throughput publishes QoS 0 messages from one paho client to
// one subscriber over loopback TCP: msgs/s delivered and the process's CPU
// per message (broker and both clients: an upper bound of the broker's).
func BenchmarkQoS0Throughput(b *testing.B) {
	br := start(b)
	var got, last atomic.Int64
	sub := connect(b, clientOpts("tcp://"+br.Addr(), "sub", br.Credentials()))
	ok(b, sub.Subscribe("bench/t", 0, func(_ paho.Client, _ paho.Message) {
		got.Add(1)
		last.Store(time.Now().UnixNano())
	}))
	pub := connect(b, clientOpts("tcp://"+br.Addr(), "pub", br.Credentials()))
	payload := make([]byte, 128)
	m := benchcpu.Start(b)
	start := time.Now()
	for i := 0; i < b.N; i++ {
		pub.Publish("bench/t", 0, false, payload)
	}
	// Until deliveries stop: QoS 0 messages beyond a slow subscriber's
	// bounded queue are dropped, as MQTT allows, and counted as "lost".
	for n := int64(-1); n != got.Load() && got.Load() < int64(b.N); {
		n = got.Load()
		time.Sleep(300 * time.Millisecond)
	}
	m.Report()
	el := time.Duration(last.Load() - start.UnixNano())
	b.ReportMetric(float64(got.Load())/el.Seconds(), "msgs/s")
	b.ReportMetric(float64(int64(b.N)-got.Load()), "lost")
}
