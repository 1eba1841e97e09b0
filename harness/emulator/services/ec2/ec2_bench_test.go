package ec2_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// benchFleet launches 100 instances in 10 reservations, tagged Name=web-N
// and Role=web|db, and returns the edge and one instance ID.
func benchFleet(b *testing.B) (http.Handler, string) {
	e := emulator.New()
	b.Cleanup(func() { e.Close() })
	h := e.Handler()
	w := &emutest.Discard{H: http.Header{}}
	var id string
	for i := range 10 {
		role := "web"
		if i%5 == 0 {
			role = "db"
		}
		body := fmt.Sprintf("Action=RunInstances&Version=2016-11-15&ImageId=ami-12345678&MinCount=10&MaxCount=10&InstanceType=t3.micro"+
			"&TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=web-%d"+
			"&TagSpecification.1.Tag.2.Key=Role&TagSpecification.1.Tag.2.Value=%s", i, role)
		rec := &recorder{Discard: emutest.Discard{H: http.Header{}}}
		req := emutest.BenchRequest("ec2", "application/x-www-form-urlencoded; charset=utf-8", "")
		req.Body = io.NopCloser(strings.NewReader(body))
		h.ServeHTTP(rec, req)
		if rec.Status != 0 && rec.Status != 200 {
			b.Fatalf("run: %d %s", rec.Status, rec.buf.String())
		}
		if id == "" {
			id = between(rec.buf.String(), "<instanceId>", "</instanceId>")
		}
	}
	_ = w
	return h, id
}

type recorder struct {
	emutest.Discard
	buf bytes.Buffer
}

func (r *recorder) Write(p []byte) (int, error) { r.buf.Write(p); return r.Discard.Write(p) }

func benchDescribe(b *testing.B, body string) {
	h, id := benchFleet(b)
	payload := []byte(strings.ReplaceAll(body, "$ID", id))
	w := &emutest.Discard{H: http.Header{}}
	if s := w.Serve(h, emutest.BenchRequest("ec2", "application/x-www-form-urlencoded; charset=utf-8", ""), payload); s != 200 {
		b.Fatalf("describe: %d", s)
	}
	b.ReportAllocs()
	m := emutest.StartCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		req := emutest.BenchRequest("ec2", "application/x-www-form-urlencoded; charset=utf-8", "")
		w := &emutest.Discard{H: http.Header{}}
		for pb.Next() {
			if s := w.Serve(h, req, payload); s != 200 {
				b.Errorf("describe: %d", s)
				return
			}
		}
	})
	b.StopTimer()
	m.Report()
}

// BenchmarkDescribeInstancesByID is the call a client polling one instance
// makes (the SDK's waiters), server side only: edge handler, pre-built
// request, 100 instances in the region.
func BenchmarkDescribeInstancesByID(b *testing.B) {
	benchDescribe(b, "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=$ID")
}

// BenchmarkDescribeInstancesTagFilter finds 20 of 100 instances by tag.
func BenchmarkDescribeInstancesTagFilter(b *testing.B) {
	benchDescribe(b, "Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3ARole&Filter.1.Value.1=db&Filter.2.Name=instance-state-name&Filter.2.Value.1=running&Filter.2.Value.2=pending")
}

// BenchmarkDescribeInstancesSDK is the same poll through aws-sdk-go-v2 over
// HTTP (client-bound; BENCH_ENDPOINT targets another emulator).
func BenchmarkDescribeInstancesSDK(b *testing.B) {
	cfg, _ := emutest.BenchConfig(b)
	c := ec2.NewFromConfig(cfg)
	out, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12345678"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	if err != nil {
		b.Fatal(err)
	}
	in := &ec2.DescribeInstancesInput{InstanceIds: []string{aws.ToString(out.Instances[0].InstanceId)}}
	b.ReportAllocs()
	m := emutest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		if _, err := c.DescribeInstances(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	m.Report()
}
