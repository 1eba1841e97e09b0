package ec2_test

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/groundstack/groundstack/harness/emulator"
)

var instanceIDShape = regexp.MustCompile(`^i-[0-9a-f]{17}$`)

func TestRunInstancesReturnsAPendingReservation(t *testing.T) {
	f := start(t)
	out, err := f.c.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: aws.String("ami-12345678"), MinCount: aws.Int32(2), MaxCount: aws.Int32(3),
		InstanceType: types.InstanceTypeT3Micro,
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeInstance,
			Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("web")}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^r-[0-9a-f]{17}$`).MatchString(aws.ToString(out.ReservationId)) || aws.ToString(out.OwnerId) != "000000000000" {
		t.Fatalf("reservation %q owner %q", aws.ToString(out.ReservationId), aws.ToString(out.OwnerId))
	}
	if len(out.Instances) != 3 { // as many as MaxCount allows
		t.Fatalf("%d instances", len(out.Instances))
	}
	for i, in := range out.Instances {
		if !instanceIDShape.MatchString(aws.ToString(in.InstanceId)) {
			t.Fatalf("instance ID %q", aws.ToString(in.InstanceId))
		}
		if in.State.Name != types.InstanceStateNamePending || aws.ToInt32(in.State.Code) != 0 {
			t.Fatalf("state %+v", in.State)
		}
		if in.InstanceType != types.InstanceTypeT3Micro || aws.ToString(in.ImageId) != "ami-12345678" || aws.ToInt32(in.AmiLaunchIndex) != int32(i) {
			t.Fatalf("instance %+v", in)
		}
		if tagsOf(in.Tags)["Name"] != "web" || in.LaunchTime == nil || aws.ToString(in.Placement.AvailabilityZone) != "us-east-1a" {
			t.Fatalf("tags %v launch %v placement %+v", in.Tags, in.LaunchTime, in.Placement)
		}
	}
	f.waitRunning(t, ids(out.Instances)...)
}

func TestRunInstancesDefaultsAndIdempotency(t *testing.T) {
	f := start(t)
	in := &ec2.RunInstancesInput{ImageId: aws.String("ami-1"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), ClientToken: aws.String("tok-1")}
	a := must[*ec2.RunInstancesOutput](t)(f.c.RunInstances(ctx, in))
	if a.Instances[0].InstanceType != "m1.small" {
		t.Fatalf("default instance type %q", a.Instances[0].InstanceType)
	}
	b := must[*ec2.RunInstancesOutput](t)(f.c.RunInstances(ctx, in))
	if aws.ToString(a.ReservationId) != aws.ToString(b.ReservationId) || aws.ToString(a.Instances[0].InstanceId) != aws.ToString(b.Instances[0].InstanceId) {
		t.Fatal("a repeated ClientToken launched again")
	}
	all := must[*ec2.DescribeInstancesOutput](t)(f.c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}))
	if len(all.Reservations) != 1 {
		t.Fatalf("%d reservations", len(all.Reservations))
	}
}

func TestRunInstancesErrors(t *testing.T) {
	f := start(t)
	one := aws.Int32(1)
	cases := []struct {
		name      string
		in        *ec2.RunInstancesInput
		code, msg string
	}{
		{"malformed AMI", &ec2.RunInstancesInput{ImageId: aws.String("img-1"), MinCount: one, MaxCount: one},
			"InvalidAMIID.Malformed", `Invalid id: "img-1" (expecting "ami-...")`},
		{"unknown key pair", &ec2.RunInstancesInput{ImageId: aws.String("ami-1"), MinCount: one, MaxCount: one, KeyName: aws.String("nope")},
			"InvalidKeyPair.NotFound", "The key pair 'nope' does not exist"},
		{"min above max", &ec2.RunInstancesInput{ImageId: aws.String("ami-1"), MinCount: aws.Int32(3), MaxCount: aws.Int32(2)},
			"InvalidParameterValue", ""},
		{"zero count", &ec2.RunInstancesInput{ImageId: aws.String("ami-1"), MinCount: aws.Int32(0), MaxCount: one},
			"InvalidParameterValue", ""},
		{"bad instance type", &ec2.RunInstancesInput{ImageId: aws.String("ami-1"), MinCount: one, MaxCount: one, InstanceType: "huge"},
			"InvalidParameterValue", "Invalid value 'huge' for InstanceType."},
		{"untaggable resource type", &ec2.RunInstancesInput{ImageId: aws.String("ami-1"), MinCount: one, MaxCount: one,
			TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeKeyPair, Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}}},
			"InvalidParameterValue", "'key-pair' is not a valid taggable resource type for this operation."},
		{"reserved tag key", &ec2.RunInstancesInput{ImageId: aws.String("ami-1"), MinCount: one, MaxCount: one,
			TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeInstance, Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("b")}}}}},
			"InvalidParameterValue", ""},
		{"bad idle timeout tag", &ec2.RunInstancesInput{ImageId: aws.String("ami-1"), MinCount: one, MaxCount: one,
			TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeInstance, Tags: []types.Tag{{Key: aws.String("groundstack:idle-timeout"), Value: aws.String("soon")}}}}},
			"InvalidParameterValue", ""},
		// Members not emulated are still checked against the model.
		{"metadata options' tokens outside the enum", &ec2.RunInstancesInput{ImageId: aws.String("ami-1"), MinCount: one, MaxCount: one,
			MetadataOptions: &types.InstanceMetadataOptionsRequest{HttpTokens: "maybe"}},
			"InvalidParameterValue", "1 validation error detected: Value 'maybe' at 'metadataOptions.httpTokens' failed to satisfy constraint: Member must satisfy enum value set: [optional, required]"},
		{"a block device's volume type outside the enum", &ec2.RunInstancesInput{ImageId: aws.String("ami-1"), MinCount: one, MaxCount: one,
			BlockDeviceMappings: []types.BlockDeviceMapping{{DeviceName: aws.String("/dev/sda1"), Ebs: &types.EbsBlockDevice{VolumeType: "gp9"}}}},
			"InvalidParameterValue", ""},
		{"a tenancy outside the enum", &ec2.RunInstancesInput{ImageId: aws.String("ami-1"), MinCount: one, MaxCount: one,
			Placement: &types.Placement{Tenancy: "shared"}},
			"InvalidParameterValue", ""},
		{"dry run", &ec2.RunInstancesInput{ImageId: aws.String("ami-1"), MinCount: one, MaxCount: one, DryRun: aws.Bool(true)},
			"DryRunOperation", "Request would have succeeded, but DryRun flag is set."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.c.RunInstances(ctx, tc.in)
			wantAPIError(t, err, tc.code, tc.msg)
		})
	}
	out := must[*ec2.DescribeInstancesOutput](t)(f.c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}))
	if len(out.Reservations) != 0 {
		t.Fatalf("a refused RunInstances launched %d reservations", len(out.Reservations))
	}
}

func TestInstanceLifecycleWithWaiters(t *testing.T) {
	f := start(t)
	id := aws.ToString(f.run(t, 1)[0].InstanceId)
	f.waitRunning(t, id)
	if st := must[*ec2.DescribeInstanceStatusOutput](t)(f.c.DescribeInstanceStatus(ctx, &ec2.DescribeInstanceStatusInput{InstanceIds: []string{id}})); len(st.InstanceStatuses) != 1 {
		t.Fatalf("status of a running instance: %+v", st.InstanceStatuses)
	}
	if err := ec2.NewInstanceStatusOkWaiter(f.c, fast).Wait(ctx, &ec2.DescribeInstanceStatusInput{InstanceIds: []string{id}}, waitFor); err != nil {
		t.Fatal(err)
	}

	stop := must[*ec2.StopInstancesOutput](t)(f.c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}}))
	ch := stop.StoppingInstances[0]
	if aws.ToString(ch.InstanceId) != id || ch.PreviousState.Name != types.InstanceStateNameRunning || ch.CurrentState.Name != types.InstanceStateNameStopping {
		t.Fatalf("stop: %+v → %+v", ch.PreviousState, ch.CurrentState)
	}
	f.waitStopped(t, id)
	got := f.describe(t, id)
	if got.StateReason == nil || aws.ToString(got.StateReason.Code) != "Client.UserInitiatedShutdown" || !regexp.MustCompile(`^User initiated \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\)$`).MatchString(aws.ToString(got.StateTransitionReason)) {
		t.Fatalf("stopped instance: reason %+v transition %q", got.StateReason, aws.ToString(got.StateTransitionReason))
	}
	// Stopping again changes nothing; stopped → stopped.
	again := must[*ec2.StopInstancesOutput](t)(f.c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}, Force: aws.Bool(true)}))
	if again.StoppingInstances[0].CurrentState.Name != types.InstanceStateNameStopped {
		t.Fatalf("stop of a stopped instance: %+v", again.StoppingInstances[0].CurrentState)
	}
	// Only running instances report status unless all are asked for.
	if st := must[*ec2.DescribeInstanceStatusOutput](t)(f.c.DescribeInstanceStatus(ctx, &ec2.DescribeInstanceStatusInput{InstanceIds: []string{id}})); len(st.InstanceStatuses) != 0 {
		t.Fatalf("status of a stopped instance without IncludeAllInstances: %+v", st.InstanceStatuses)
	}
	st := must[*ec2.DescribeInstanceStatusOutput](t)(f.c.DescribeInstanceStatus(ctx, &ec2.DescribeInstanceStatusInput{InstanceIds: []string{id}, IncludeAllInstances: aws.Bool(true)}))
	if len(st.InstanceStatuses) != 1 || st.InstanceStatuses[0].InstanceStatus.Status != types.SummaryStatusNotApplicable {
		t.Fatalf("IncludeAllInstances: %+v", st.InstanceStatuses)
	}

	startOut := must[*ec2.StartInstancesOutput](t)(f.c.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{id}}))
	if c := startOut.StartingInstances[0]; c.PreviousState.Name != types.InstanceStateNameStopped || c.CurrentState.Name != types.InstanceStateNamePending {
		t.Fatalf("start: %+v → %+v", c.PreviousState, c.CurrentState)
	}
	f.waitRunning(t, id)
	if got := f.describe(t, id); got.StateReason != nil || aws.ToString(got.StateTransitionReason) != "" {
		t.Fatalf("a restarted instance keeps its stop reason: %+v", got.StateReason)
	}

	term := must[*ec2.TerminateInstancesOutput](t)(f.c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}}))
	if c := term.TerminatingInstances[0]; c.PreviousState.Name != types.InstanceStateNameRunning || c.CurrentState.Name != types.InstanceStateNameShuttingDown {
		t.Fatalf("terminate: %+v → %+v", c.PreviousState, c.CurrentState)
	}
	f.waitTerminated(t, id)
	term = must[*ec2.TerminateInstancesOutput](t)(f.c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}}))
	if c := term.TerminatingInstances[0]; c.CurrentState.Name != types.InstanceStateNameTerminated {
		t.Fatalf("terminating again: %+v", c.CurrentState)
	}
	for _, call := range []func() error{
		func() error {
			_, err := f.c.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{id}})
			return err
		},
		func() error {
			_, err := f.c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}})
			return err
		},
	} {
		wantAPIError(t, call(), "IncorrectInstanceState", "")
	}
}

func TestIncorrectInstanceState(t *testing.T) {
	f, l := withHosts(t)
	l.gate = make(chan struct{}) // machines hang in Start: instances stay pending
	id := aws.ToString(f.run(t, 1)[0].InstanceId)
	_, err := f.c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}})
	wantAPIError(t, err, "IncorrectInstanceState", "The instance '"+id+"' is not in a state from which it can be stopped.")
	close(l.gate)
	f.waitRunning(t, id)
	f.c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}})
	f.waitStopped(t, id)
	f.c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}})
	f.waitTerminated(t, id)
	_, err = f.c.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{id}})
	wantAPIError(t, err, "IncorrectInstanceState", "The instance '"+id+"' is not in a state from which it can be started.")
}

func TestInstanceIDErrors(t *testing.T) {
	f := start(t)
	live := aws.ToString(f.run(t, 1)[0].InstanceId)
	cases := []struct {
		name      string
		ids       []string
		code, msg string
	}{
		{"malformed", []string{"web-1"}, "InvalidInstanceID.Malformed", `Invalid id: "web-1" (expecting "i-...")`},
		{"malformed hex", []string{"i-xyz"}, "InvalidInstanceID.Malformed", `Invalid id: "i-xyz" (expecting "i-...")`},
		{"unknown", []string{"i-0123456789abcdef0"}, "InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist"},
		{"two unknown", []string{"i-0123456789abcdef0", live, "i-12345678"}, "InvalidInstanceID.NotFound", "The instance IDs 'i-0123456789abcdef0, i-12345678' do not exist"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: tc.ids})
			wantAPIError(t, err, tc.code, tc.msg)
			_, err = f.c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: tc.ids})
			wantAPIError(t, err, tc.code, tc.msg)
			_, err = f.c.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: tc.ids})
			wantAPIError(t, err, tc.code, tc.msg)
			_, err = f.c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: tc.ids})
			wantAPIError(t, err, tc.code, tc.msg)
			_, err = f.c.DescribeInstanceStatus(ctx, &ec2.DescribeInstanceStatusInput{InstanceIds: tc.ids})
			wantAPIError(t, err, tc.code, tc.msg)
		})
	}
	// A refused request changed nothing, even for the instance that exists.
	f.waitRunning(t, live)
}

func TestDescribeInstancesFilters(t *testing.T) {
	f := start(t)
	must[*ec2.ImportKeyPairOutput](t)(f.c.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{KeyName: aws.String("ops"), PublicKeyMaterial: newPublicKey(t)}))
	tag := func(k, v string) func(*ec2.RunInstancesInput) {
		return func(in *ec2.RunInstancesInput) {
			in.TagSpecifications = append(in.TagSpecifications, types.TagSpecification{ResourceType: types.ResourceTypeInstance,
				Tags: []types.Tag{{Key: aws.String(k), Value: aws.String(v)}}})
		}
	}
	web := f.run(t, 2, tag("Role", "web"), tag("Env", "prod"))
	db := f.run(t, 1, tag("Role", "db"), func(in *ec2.RunInstancesInput) {
		in.KeyName = aws.String("ops")
		in.InstanceType = types.InstanceTypeR5Large
	})
	f.waitRunning(t, append(ids(web), ids(db)...)...)
	must[*ec2.StopInstancesOutput](t)(f.c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: ids(db)}))
	f.waitStopped(t, ids(db)...)
	dbIP := aws.ToString(f.describe(t, ids(db)[0]).PrivateIpAddress)

	cases := []struct {
		name    string
		filters []types.Filter
		want    []string
	}{
		{"tag", []types.Filter{{Name: aws.String("tag:Role"), Values: []string{"web"}}}, ids(web)},
		{"tag OR", []types.Filter{{Name: aws.String("tag:Role"), Values: []string{"db", "web"}}}, append(ids(web), ids(db)...)},
		{"tag wildcard", []types.Filter{{Name: aws.String("tag:Role"), Values: []string{"w*"}}}, ids(web)},
		{"tag-key", []types.Filter{{Name: aws.String("tag-key"), Values: []string{"Env"}}}, ids(web)},
		{"tag-value", []types.Filter{{Name: aws.String("tag-value"), Values: []string{"db"}}}, ids(db)},
		{"state", []types.Filter{{Name: aws.String("instance-state-name"), Values: []string{"stopped"}}}, ids(db)},
		{"state code", []types.Filter{{Name: aws.String("instance-state-code"), Values: []string{"16"}}}, ids(web)},
		{"filters AND", []types.Filter{{Name: aws.String("tag:Role"), Values: []string{"web"}}, {Name: aws.String("instance-state-name"), Values: []string{"stopped"}}}, nil},
		{"instance-id", []types.Filter{{Name: aws.String("instance-id"), Values: ids(web)[1:]}}, ids(web)[1:]},
		{"key-name", []types.Filter{{Name: aws.String("key-name"), Values: []string{"ops"}}}, ids(db)},
		{"private-ip-address", []types.Filter{{Name: aws.String("private-ip-address"), Values: []string{dbIP}}}, ids(db)},
		{"instance-type", []types.Filter{{Name: aws.String("instance-type"), Values: []string{"r5.large"}}}, ids(db)},
		{"no match", []types.Filter{{Name: aws.String("tag:Role"), Values: []string{"cache"}}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := must[*ec2.DescribeInstancesOutput](t)(f.c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: tc.filters}))
			var got []string
			for _, r := range out.Reservations {
				got = append(got, ids(r.Instances)...)
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
		})
	}
	// Instances of one reservation come back together.
	out := must[*ec2.DescribeInstancesOutput](t)(f.c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}))
	if len(out.Reservations) != 2 || len(out.Reservations[0].Instances) != 2 {
		t.Fatalf("reservations: %+v", out.Reservations)
	}
	_, err := f.c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []types.Filter{{Name: aws.String("colour"), Values: []string{"red"}}}})
	wantAPIError(t, err, "InvalidParameterValue", "The filter 'colour' is invalid")
}

func TestDescribeInstancesPaging(t *testing.T) {
	f := start(t)
	var launched []string
	for range 4 {
		launched = append(launched, ids(f.run(t, 3))...)
	}
	var seen []string
	p := ec2.NewDescribeInstancesPaginator(f.c, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(5)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		n := 0
		for _, r := range out.Reservations {
			n += len(r.Instances)
			seen = append(seen, ids(r.Instances)...)
		}
		if n > 5 {
			t.Fatalf("page of %d", n)
		}
	}
	if pages != 3 || !slices.Equal(seen, launched) {
		t.Fatalf("%d pages, %v, want %v", pages, seen, launched)
	}
	// Filters apply before paging.
	out := must[*ec2.DescribeInstancesOutput](t)(f.c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(5),
		Filters: []types.Filter{{Name: aws.String("instance-id"), Values: launched[10:]}}}))
	if out.NextToken != nil || len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 2 {
		t.Fatalf("filtered page: %+v next %v", out.Reservations, out.NextToken)
	}

	cases := []struct {
		name      string
		in        *ec2.DescribeInstancesInput
		code, msg string
	}{
		{"below 5", &ec2.DescribeInstancesInput{MaxResults: aws.Int32(4)}, "InvalidParameterValue", "Value ( 4 ) for parameter maxResults is invalid. Expecting a value greater than 5."},
		{"above 1000", &ec2.DescribeInstancesInput{MaxResults: aws.Int32(1001)}, "InvalidParameterValue", ""},
		{"with ids", &ec2.DescribeInstancesInput{MaxResults: aws.Int32(5), InstanceIds: launched[:1]}, "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults"},
		{"bad token", &ec2.DescribeInstancesInput{NextToken: aws.String("not-a-token")}, "InvalidPaginationToken", ""},
		{"foreign token", &ec2.DescribeInstancesInput{NextToken: aws.String("RGVzY3JpYmVUYWdzAGEAYg")}, "InvalidPaginationToken", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.c.DescribeInstances(ctx, tc.in)
			wantAPIError(t, err, tc.code, tc.msg)
		})
	}
}

func TestDescribeInstanceStatusPagingAndFilters(t *testing.T) {
	f := start(t)
	all := ids(f.run(t, 7))
	f.waitRunning(t, all...)
	must[*ec2.StopInstancesOutput](t)(f.c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: all[:2]}))
	f.waitStopped(t, all[:2]...)
	var seen []string
	p := ec2.NewDescribeInstanceStatusPaginator(f.c, &ec2.DescribeInstanceStatusInput{MaxResults: aws.Int32(5), IncludeAllInstances: aws.Bool(true)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.InstanceStatuses) > 5 {
			t.Fatalf("page of %d", len(out.InstanceStatuses))
		}
		for _, s := range out.InstanceStatuses {
			seen = append(seen, aws.ToString(s.InstanceId))
		}
	}
	if !slices.Equal(seen, all) {
		t.Fatalf("statuses %v, want %v", seen, all)
	}
	out := must[*ec2.DescribeInstanceStatusOutput](t)(f.c.DescribeInstanceStatus(ctx, &ec2.DescribeInstanceStatusInput{IncludeAllInstances: aws.Bool(true),
		Filters: []types.Filter{{Name: aws.String("instance-status.status"), Values: []string{"ok"}}}}))
	if len(out.InstanceStatuses) != 5 {
		t.Fatalf("ok statuses: %d", len(out.InstanceStatuses))
	}
	s := out.InstanceStatuses[0]
	if s.SystemStatus.Status != types.SummaryStatusOk || s.InstanceStatus.Details[0].Status != types.StatusTypePassed || s.InstanceState.Name != types.InstanceStateNameRunning {
		t.Fatalf("status %+v", s)
	}
	_, err := f.c.DescribeInstanceStatus(ctx, &ec2.DescribeInstanceStatusInput{Filters: []types.Filter{{Name: aws.String("tag:Name"), Values: []string{"x"}}}})
	wantAPIError(t, err, "InvalidParameterValue", "The filter 'tag:Name' is invalid")
}

func TestTerminatedInstancesVanishAfterAnHour(t *testing.T) {
	var now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := &now
	var mu = make(chan struct{}, 1)
	mu <- struct{}{}
	nowFn := func() time.Time { <-mu; defer func() { mu <- struct{}{} }(); return *clock }
	advance := func(d time.Duration) { <-mu; *clock = clock.Add(d); mu <- struct{}{} }
	f := start(t, emulator.WithClock(nowFn))
	id := aws.ToString(f.run(t, 1)[0].InstanceId)
	f.waitRunning(t, id)
	f.c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}})
	f.waitTerminated(t, id)
	got := f.describe(t, id)
	if got.PrivateIpAddress != nil || aws.ToString(got.StateTransitionReason) != "User initiated (2026-01-02 03:04:05 GMT)" {
		t.Fatalf("terminated instance: ip %v reason %q", got.PrivateIpAddress, aws.ToString(got.StateTransitionReason))
	}
	advance(59 * time.Minute)
	f.describe(t, id)
	advance(2 * time.Minute)
	_, err := f.c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	wantAPIError(t, err, "InvalidInstanceID.NotFound", "")
	out := must[*ec2.DescribeInstancesOutput](t)(f.c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}))
	if len(out.Reservations) != 0 {
		t.Fatalf("a long-terminated instance is still listed: %+v", out.Reservations)
	}
}

func TestRegionsAreSeparate(t *testing.T) {
	f := start(t)
	id := aws.ToString(f.run(t, 1)[0].InstanceId)
	other := ec2.New(f.c.Options(), func(o *ec2.Options) { o.Region = "eu-west-1" })
	_, err := other.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	wantAPIError(t, err, "InvalidInstanceID.NotFound", "")
	got := f.describe(t, id)
	if aws.ToString(got.PrivateDnsName) == "" || aws.ToString(got.Placement.AvailabilityZone) != "us-east-1a" {
		t.Fatalf("instance %+v", got)
	}
}

func TestUnknownActionAndDryRun(t *testing.T) {
	f := start(t)
	_, err := f.c.DescribeVpnGateways(ctx, &ec2.DescribeVpnGatewaysInput{})
	// in EC2's model, not served: 501 NotImplemented naming it
	wantAPIError(t, err, "NotImplemented", "The operation DescribeVpnGateways of service ec2 is not implemented by groundstack")
	_, err = f.c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{DryRun: aws.Bool(true)})
	wantAPIError(t, err, "DryRunOperation", "")
}

func TestRegionsAndZones(t *testing.T) {
	f := start(t)
	r := must[*ec2.DescribeRegionsOutput](t)(f.c.DescribeRegions(ctx, &ec2.DescribeRegionsInput{RegionNames: []string{"eu-west-1"}}))
	if len(r.Regions) != 1 || aws.ToString(r.Regions[0].Endpoint) != "ec2.eu-west-1.amazonaws.com" {
		t.Fatalf("regions %+v", r.Regions)
	}
	z := must[*ec2.DescribeAvailabilityZonesOutput](t)(f.c.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{}))
	if len(z.AvailabilityZones) != 3 || aws.ToString(z.AvailabilityZones[0].ZoneName) != "us-east-1a" || aws.ToString(z.AvailabilityZones[0].ZoneId) != "use1-az1" {
		t.Fatalf("zones %+v", z.AvailabilityZones)
	}
	_, err := f.c.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{ZoneNames: []string{"us-east-1z"}})
	wantAPIError(t, err, "InvalidParameterValue", "")
}
