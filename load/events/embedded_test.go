package events

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundstack/groundstack/harness/backend"
)

// The paths that need no function, end to end on the embedded cloud: real
// SDK producers, real long-polling consumers, the resources removed after.
func TestQueuePathsOnTheEmbeddedCloud(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b, err := backend.StartEmbedded(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	res, err := Run(ctx, Options{
		Config: b.Config(), Endpoint: b.Endpoint(), Backend: b.Name(), Paths: []string{PathSQSLongPoll, PathSNSSQS},
		Idle: 5, Rate: 50, Duration: 300 * time.Millisecond, Deadline: 10 * time.Second, Run: "embed", CPU: SelfCPU(),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{PathSQSLongPoll, PathSNSSQS} {
		for _, ph := range []string{PhaseIdle, PhaseRate} {
			r, _ := res.Row(path, ph)
			if r.Status != StatusMeasured || r.Lost != 0 || r.Accepted == 0 || r.Seen != r.Accepted || r.Failed != 0 {
				t.Errorf("%s %s: %s", path, ph, r.Line())
			}
			if r.Via[Route(path)] != r.Seen {
				t.Errorf("%s %s: seen through %v, want all through %q", path, ph, r.Via, Route(path))
			}
		}
	}
	// CPU is read in 10 ms ticks, too coarse to assert a figure for a few
	// events; that it was measured shows in the scope
	if res.CPUScope == "" {
		t.Error("no CPU scope with a CPU meter")
	}
	// Close removed what Setup made
	if st := res.Strays; st != 0 {
		t.Errorf("%d strays", st)
	}
	q, err := sqsList(ctx, b)
	if err != nil || len(q) != 0 {
		t.Errorf("queues left after the run: %v %v", q, err)
	}
}

func sqsList(ctx context.Context, b backend.Backend) ([]string, error) {
	out, err := sqs.NewFromConfig(b.Config()).ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("gsbench-")})
	if err != nil {
		return nil, err
	}
	return out.QueueUrls, nil
}

// MQTT → topic rule → the probe function, end to end on the embedded cloud
// with the broker's address and credentials from the backend; without a
// broker the path says so instead of measuring nothing.
func TestMQTTPathOnTheEmbeddedCloud(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	b, err := backend.StartEmbedded(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	m, err := backend.MQTTOf(b)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Config: b.Config(), Endpoint: b.Endpoint(), Backend: b.Name(), Paths: []string{PathMQTTLambda},
		Idle: 5, Rate: 50, Duration: 300 * time.Millisecond, Deadline: 20 * time.Second, Warmup: time.Minute, Run: "mqtt",
		MQTT: MQTTBroker{Address: m.Address, Username: m.Username, Password: m.Password}}
	res, err := Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, ph := range []string{PhaseIdle, PhaseRate} {
		r, _ := res.Row(PathMQTTLambda, ph)
		if r.Status != StatusMeasured || r.Lost != 0 || r.Accepted == 0 || r.Seen != r.Accepted || r.Failed != 0 {
			t.Errorf("%s: %s", ph, r.Line())
		}
	}
	o.MQTT, o.Run = MQTTBroker{}, "nobroker"
	res, _ = Run(ctx, o)
	if r, _ := res.Row(PathMQTTLambda, PhaseIdle); r.Status == StatusMeasured || !strings.Contains(r.Reason, "no broker") {
		t.Errorf("without a broker: %s", r.Line())
	}
}
