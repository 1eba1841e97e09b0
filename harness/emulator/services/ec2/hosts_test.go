package ec2_test

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"golang.org/x/crypto/ssh"
)

func TestHostFollowsInstanceState(t *testing.T) {
	f, l := withHosts(t)
	id := aws.ToString(f.run(t, 1)[0].InstanceId)
	f.waitRunning(t, id)
	h := l.host(t, id)
	if starts, _, _, running := h.counts(); starts != 1 || !running {
		t.Fatalf("after launch: %d starts, running %v", starts, running)
	}
	got := f.describe(t, id)
	tags := tagsOf(got.Tags)
	if aws.ToString(got.PrivateIpAddress) != "127.0.0.1" || tags["groundstack:ssh-port"] != strconv.Itoa(h.port) || tags["groundstack:ssh-host-key"] != h.hostKey {
		t.Fatalf("running instance: ip %q tags %v (host port %d)", aws.ToString(got.PrivateIpAddress), tags, h.port)
	}
	if aws.ToString(got.PrivateDnsName) != "ip-127-0-0-1.ec2.internal" {
		t.Fatalf("private DNS %q", aws.ToString(got.PrivateDnsName))
	}

	f.c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}})
	f.waitStopped(t, id)
	if _, stops, _, running := h.counts(); stops != 1 || running {
		t.Fatalf("after stop: %d stops, running %v", stops, running)
	}
	if tags := tagsOf(f.describe(t, id).Tags); tags["groundstack:ssh-port"] != strconv.Itoa(h.port) {
		t.Fatalf("a stopped instance lost its port tag: %v", tags)
	}

	// The host comes back on another port: the tag follows.
	h.mu.Lock()
	h.port++
	h.mu.Unlock()
	f.c.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{id}})
	f.waitRunning(t, id)
	if starts, _, _, running := h.counts(); starts != 2 || !running {
		t.Fatalf("after start: %d starts, running %v", starts, running)
	}
	if tags := tagsOf(f.describe(t, id).Tags); tags["groundstack:ssh-port"] != strconv.Itoa(h.port) {
		t.Fatalf("port tag %q, host on %d", tags["groundstack:ssh-port"], h.port)
	}
	// The service's tags are tags like any other: DescribeTags lists them.
	dt := must[*ec2.DescribeTagsOutput](t)(f.c.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []types.Filter{
		{Name: aws.String("resource-id"), Values: []string{id}}, {Name: aws.String("key"), Values: []string{"groundstack:*"}}}}))
	if len(dt.Tags) != 2 {
		t.Fatalf("DescribeTags: %+v", dt.Tags)
	}

	f.c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}})
	f.waitTerminated(t, id)
	if _, _, terminations, running := h.counts(); terminations != 1 || running {
		t.Fatalf("after terminate: %d terminations, running %v", terminations, running)
	}
}

func TestIdleHostStopsItsInstance(t *testing.T) {
	f, l := withHosts(t)
	f.svc.SetIdleTimeout(3 * time.Minute)
	tagged := aws.ToString(f.run(t, 1, func(in *ec2.RunInstancesInput) {
		in.TagSpecifications = []types.TagSpecification{{ResourceType: types.ResourceTypeInstance,
			Tags: []types.Tag{{Key: aws.String("groundstack:idle-timeout"), Value: aws.String("90s")}}}}
	})[0].InstanceId)
	plain := aws.ToString(f.run(t, 1)[0].InstanceId)
	f.waitRunning(t, tagged, plain)
	if d := l.host(t, tagged).spec.IdleTimeout; d != 90*time.Second {
		t.Fatalf("tagged idle timeout %v", d)
	}
	if d := l.host(t, plain).spec.IdleTimeout; d != 3*time.Minute {
		t.Fatalf("default idle timeout %v", d)
	}

	l.host(t, tagged).idle()
	f.waitStopped(t, tagged)
	got := f.describe(t, tagged)
	if aws.ToString(got.StateReason.Code) != "Client.InstanceInitiatedShutdown" {
		t.Fatalf("idle stop reason %+v", got.StateReason)
	}
	if f.describe(t, plain).State.Name != types.InstanceStateNameRunning {
		t.Fatal("another instance stopped")
	}
	// The next request starts it again, on the same machine.
	f.c.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{tagged}})
	f.waitRunning(t, tagged)
	if starts, stops, _, running := l.host(t, tagged).counts(); starts != 2 || stops != 0 || !running || l.count() != 2 {
		t.Fatalf("restart after idle: %d starts %d stops running %v, %d hosts", starts, stops, running, l.count())
	}
}

func TestIdleShutdownCanTerminate(t *testing.T) {
	f, l := withHosts(t)
	id := aws.ToString(f.run(t, 1, func(in *ec2.RunInstancesInput) {
		in.InstanceInitiatedShutdownBehavior = types.ShutdownBehaviorTerminate
	})[0].InstanceId)
	f.waitRunning(t, id)
	l.host(t, id).idle()
	f.waitTerminated(t, id)
	if _, _, terminations, _ := l.host(t, id).counts(); terminations != 1 {
		t.Fatalf("%d terminations", terminations)
	}
}

func TestHostStartFailureStopsTheInstance(t *testing.T) {
	f, l := withHosts(t)
	l.startErr = errors.New("address already in use")
	id := aws.ToString(f.run(t, 1)[0].InstanceId)
	f.waitSettled(t, id)
	f.waitStopped(t, id)
	got := f.describe(t, id)
	if got.StateReason == nil || aws.ToString(got.StateReason.Code) != "Server.InternalError" || !strings.Contains(aws.ToString(got.StateReason.Message), "address already in use") {
		t.Fatalf("state reason %+v", got.StateReason)
	}
	// The failure does not stick: the next start works.
	f.c.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{id}})
	f.waitRunning(t, id)
}

func TestHostLaunchFailureTerminatesTheInstance(t *testing.T) {
	f, l := withHosts(t)
	l.launchErr = errors.New("no room")
	id := aws.ToString(f.run(t, 1)[0].InstanceId)
	f.waitSettled(t, id)
	f.waitTerminated(t, id)
	if r := f.describe(t, id).StateReason; r == nil || aws.ToString(r.Message) != "Server.InternalError: Internal error on launch" {
		t.Fatalf("state reason %+v", r)
	}
	w := ec2.NewInstanceRunningWaiter(f.c, fast)
	if err := w.Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}, waitFor); err == nil {
		t.Fatal("the running waiter succeeded on a terminated instance")
	}
}

func TestTerminateWhilePending(t *testing.T) {
	f, l := withHosts(t)
	l.gate = make(chan struct{})
	id := aws.ToString(f.run(t, 1)[0].InstanceId)
	if st := f.describe(t, id).State.Name; st != types.InstanceStateNamePending {
		t.Fatalf("state %q while the host starts", st)
	}
	out := must[*ec2.TerminateInstancesOutput](t)(f.c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}}))
	if c := out.TerminatingInstances[0]; c.PreviousState.Name != types.InstanceStateNamePending || c.CurrentState.Name != types.InstanceStateNameShuttingDown {
		t.Fatalf("terminate while pending: %+v", c)
	}
	close(l.gate)
	f.waitTerminated(t, id)
	if _, _, terminations, running := l.host(t, id).counts(); terminations != 1 || running {
		t.Fatalf("host after terminate: %d terminations, running %v", terminations, running)
	}
}

func TestResetAndCloseTerminateHosts(t *testing.T) {
	f, l := withHosts(t)
	a := ids(f.run(t, 2))
	f.waitRunning(t, a...)
	f.e.Reset()
	for _, id := range a {
		if _, _, terminations, _ := l.host(t, id).counts(); terminations != 1 {
			t.Fatalf("%s: %d terminations after Reset", id, terminations)
		}
	}
	out := must[*ec2.DescribeInstancesOutput](t)(f.c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}))
	if len(out.Reservations) != 0 {
		t.Fatal("instances survived Reset")
	}
	b := aws.ToString(f.run(t, 1)[0].InstanceId)
	f.waitRunning(t, b)
	if err := f.e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, terminations, _ := l.host(t, b).counts(); terminations != 1 {
		t.Fatalf("%d terminations after Close", terminations)
	}
}

func TestConsoleOutputShowsTheHostKey(t *testing.T) {
	f, l := withHosts(t)
	id := aws.ToString(f.run(t, 1)[0].InstanceId)
	f.waitRunning(t, id)
	out := must[*ec2.GetConsoleOutputOutput](t)(f.c.GetConsoleOutput(ctx, &ec2.GetConsoleOutputInput{InstanceId: aws.String(id)}))
	text, err := base64.StdEncoding.DecodeString(aws.ToString(out.Output))
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _, _, _ := ssh.ParseAuthorizedKey([]byte(l.host(t, id).hostKey))
	want := "256 " + ssh.FingerprintSHA256(pub) + " root@ip-127-0-0-1 (ED25519)"
	if !strings.Contains(string(text), "-----BEGIN SSH HOST KEY FINGERPRINTS-----\n"+want+"\n") {
		t.Fatalf("console output:\n%s", text)
	}
	_, err = f.c.GetConsoleOutput(ctx, &ec2.GetConsoleOutputInput{InstanceId: aws.String("i-0123456789abcdef0")})
	wantAPIError(t, err, "InvalidInstanceID.NotFound", "")
}

func TestSummary(t *testing.T) {
	f := start(t)
	f.waitRunning(t, ids(f.run(t, 2))...)
	must[*ec2.CreateKeyPairOutput](t)(f.c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("k"), KeyType: types.KeyTypeEd25519}))
	got := f.svc.Summary()
	if got["instances"] != 2 || got["running"] != 2 || got["key_pairs"] != 1 {
		t.Fatalf("summary %v", got)
	}
}

// Requests racing on the same instances never wedge one: whatever the order
// of starts, stops, terminations and idle stops, every instance settles and
// its machine is terminated exactly once.
func TestConcurrentTransitionsSettle(t *testing.T) {
	f, l := withHosts(t)
	all := ids(f.run(t, 6))
	f.waitRunning(t, all...)
	done := make(chan struct{})
	for w := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 25 {
				id := []string{all[(w+i)%len(all)]}
				switch (w + i) % 4 {
				case 0:
					f.c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: id})
				case 1:
					f.c.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: id})
				case 2:
					l.host(t, id[0]).idle()
				case 3:
					f.c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: id})
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
	must[*ec2.TerminateInstancesOutput](t)(f.c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: all}))
	f.waitTerminated(t, all...)
	for _, id := range all {
		if _, _, terminations, running := l.host(t, id).counts(); terminations != 1 || running {
			t.Fatalf("%s: %d terminations, running %v", id, terminations, running)
		}
	}
}

// RebootInstances restarts the machine; the instance stays running.
func TestRebootRestartsTheHost(t *testing.T) {
	t.Parallel()
	f, l := withHosts(t)
	id := aws.ToString(f.run(t, 1)[0].InstanceId)
	f.waitRunning(t, id)
	h := l.host(t, id)
	must[*ec2.RebootInstancesOutput](t)(f.c.RebootInstances(ctx, &ec2.RebootInstancesInput{InstanceIds: []string{id}}))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		starts, stops, _, running := h.counts()
		if starts == 2 && stops == 1 && running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after reboot: %d starts, %d stops, running %v", starts, stops, running)
		}
	}
	if st := f.describe(t, id).State.Name; st != types.InstanceStateNameRunning {
		t.Fatalf("rebooted instance %s", st)
	}
	f.c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}})
	f.waitStopped(t, id)
	_, err := f.c.RebootInstances(ctx, &ec2.RebootInstancesInput{InstanceIds: []string{id}})
	wantAPIError(t, err, "IncorrectInstanceState", "The instance '"+id+"' is not in a state from which it can be rebooted.")
	_, err = f.c.RebootInstances(ctx, &ec2.RebootInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
	wantAPIError(t, err, "InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist")
}

func TestInstanceAttributes(t *testing.T) {
	t.Parallel()
	f := start(t)
	id := aws.ToString(f.run(t, 1)[0].InstanceId)
	f.waitRunning(t, id)
	must[*ec2.ModifyInstanceAttributeOutput](t)(f.c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: &id,
		DisableApiTermination: &types.AttributeBooleanValue{Value: aws.Bool(true)}}))
	_, err := f.c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}})
	wantAPIError(t, err, "OperationNotPermitted", "The instance '"+id+"' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.")
	attr := must[*ec2.DescribeInstanceAttributeOutput](t)(f.c.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{InstanceId: &id, Attribute: types.InstanceAttributeNameDisableApiTermination}))
	if !aws.ToBool(attr.DisableApiTermination.Value) {
		t.Fatalf("disableApiTermination: %+v", attr)
	}
	_, err = f.c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: &id, InstanceType: &types.AttributeValue{Value: aws.String("t3.large")}})
	wantAPIError(t, err, "IncorrectInstanceState", "The instance '"+id+"' is not in the 'stopped' state.")

	// A group of the default VPC, by the Attribute/Value form and by Groups.
	sg := must[*ec2.CreateSecurityGroupOutput](t)(f.c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("app"), Description: aws.String("app")}))
	must[*ec2.ModifyInstanceAttributeOutput](t)(f.c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: &id, Groups: []string{aws.ToString(sg.GroupId)}}))
	if g := f.describe(t, id).SecurityGroups; len(g) != 1 || aws.ToString(g[0].GroupName) != "app" {
		t.Fatalf("groups: %+v", g)
	}
	_, err = f.c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg.GroupId})
	wantAPIError(t, err, "DependencyViolation", "resource "+aws.ToString(sg.GroupId)+" has a dependent object")
	must[*ec2.ModifyInstanceAttributeOutput](t)(f.c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: &id,
		Attribute: types.InstanceAttributeNameInstanceInitiatedShutdownBehavior, Value: aws.String("terminate")}))
	b := must[*ec2.DescribeInstanceAttributeOutput](t)(f.c.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{InstanceId: &id, Attribute: types.InstanceAttributeNameInstanceInitiatedShutdownBehavior}))
	if aws.ToString(b.InstanceInitiatedShutdownBehavior.Value) != "terminate" {
		t.Fatalf("shutdown behaviour: %+v", b)
	}

	must[*ec2.ModifyInstanceAttributeOutput](t)(f.c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: &id,
		DisableApiStop: &types.AttributeBooleanValue{Value: aws.Bool(true)}}))
	_, err = f.c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}})
	wantAPIError(t, err, "OperationNotPermitted", "The instance '"+id+"' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.")
	must[*ec2.ModifyInstanceAttributeOutput](t)(f.c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: &id,
		DisableApiStop: &types.AttributeBooleanValue{Value: aws.Bool(false)}}))
	f.c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}})
	f.waitStopped(t, id)
	must[*ec2.ModifyInstanceAttributeOutput](t)(f.c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: &id, InstanceType: &types.AttributeValue{Value: aws.String("t3.large")}}))
	if it := f.describe(t, id).InstanceType; it != "t3.large" {
		t.Fatalf("instance type %s", it)
	}
}
