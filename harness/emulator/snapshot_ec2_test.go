package emulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// seedEC2 builds EC2 state through the SDK: a key pair, a VPC with a
// subnet, a security group with a rule, a route table with a route to an
// internet gateway, a volume, and three instances (one stopped, one
// terminated), all tagged.
func seedEC2(t *testing.T, cfg aws.Config) {
	t.Helper()
	ctx := context.Background()
	c := ec2.NewFromConfig(cfg)
	tag := func(kind ec2types.ResourceType) []ec2types.TagSpecification {
		return []ec2types.TagSpecification{{ResourceType: kind, Tags: []ec2types.Tag{{Key: aws.String("team"), Value: aws.String("web")}}}}
	}
	must(c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("deploy"), TagSpecifications: tag(ec2types.ResourceTypeKeyPair)}))
	vpc := must(c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16"), TagSpecifications: tag(ec2types.ResourceTypeVpc)})).Vpc
	must(c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.VpcId, CidrBlock: aws.String("10.1.1.0/24"), AvailabilityZone: aws.String("us-east-1b")}))
	sg := must(c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("web servers"), VpcId: vpc.VpcId}))
	must(c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sg.GroupId, IpPermissions: []ec2types.IpPermission{{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("https")}}}}}))
	igw := must(c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})).InternetGateway
	must(c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: igw.InternetGatewayId, VpcId: vpc.VpcId}))
	rt := must(c.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: vpc.VpcId})).RouteTable
	must(c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: rt.RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: igw.InternetGatewayId}))
	must(c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String("us-east-1a"), Size: aws.Int32(8), VolumeType: ec2types.VolumeTypeGp3,
		TagSpecifications: tag(ec2types.ResourceTypeVolume)}))
	run := must(c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12345678"), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: aws.Int32(3), MaxCount: aws.Int32(3), KeyName: aws.String("deploy"), TagSpecifications: tag(ec2types.ResourceTypeInstance)}))
	settleInstances(t, c)
	must(c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{*run.Instances[1].InstanceId}}))
	must(c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{*run.Instances[2].InstanceId}}))
	settleInstances(t, c)
}

// settleInstances waits until no instance is between states.
func settleInstances(t *testing.T, c *ec2.Client) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		settled := true
		for _, r := range must(c.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})).Reservations {
			for _, in := range r.Instances {
				switch in.State.Name {
				case ec2types.InstanceStateNamePending, ec2types.InstanceStateNameStopping, ec2types.InstanceStateNameShuttingDown:
					settled = false
				}
			}
		}
		if settled || time.Now().After(deadline) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// observeEC2 reads what a client sees of EC2.
func observeEC2(t *testing.T, cfg aws.Config) string {
	t.Helper()
	ctx := context.Background()
	c := ec2.NewFromConfig(cfg)
	var out []string
	add := func(what string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, what+" "+string(b))
	}
	// A machine's SSH port and host key are its own: a loaded instance
	// gets a new machine (TestSnapshotEC2RoundTrip checks that).
	machine := func(key *string) bool { return strings.HasPrefix(aws.ToString(key), "groundstack:ssh-") }
	reservations := must(c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})).Reservations
	for _, r := range reservations {
		for i := range r.Instances {
			r.Instances[i].Tags = slices.DeleteFunc(r.Instances[i].Tags, func(t ec2types.Tag) bool { return machine(t.Key) })
		}
	}
	add("instances", reservations)
	add("key pairs", must(c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{})).KeyPairs)
	add("vpcs", must(c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})).Vpcs)
	add("subnets", must(c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})).Subnets)
	add("security groups", must(c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})).SecurityGroups)
	add("security group rules", must(c.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{})).SecurityGroupRules)
	add("internet gateways", must(c.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{})).InternetGateways)
	add("route tables", must(c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{})).RouteTables)
	add("volumes", must(c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})).Volumes)
	add("tags", slices.DeleteFunc(must(c.DescribeTags(ctx, &ec2.DescribeTagsInput{})).Tags, func(t ec2types.TagDescription) bool { return machine(t.Key) }))
	return strings.Join(out, "\n")
}

// EC2 built through the SDK, saved and loaded into a second emulator,
// reads the same through the SDK, and a loaded stopped instance starts.
func TestSnapshotEC2RoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, acfg := emutest.Start(t)
	seedEC2(t, acfg)
	file := saveSnapshot(t, a.URL())
	b, bcfg := emutest.Start(t)
	if status, body := snapshotCall(t, b.URL(), "/_groundstack/snapshot/load", file); status != http.StatusOK {
		t.Fatalf("load: %d %s", status, body)
	}
	c := ec2.NewFromConfig(bcfg)
	settleInstances(t, c) // the running instance's new machine starts
	before, after := observeEC2(t, acfg), observeEC2(t, bcfg)
	if d := lineDiff(before, after); d != "" {
		t.Errorf("observed state differs after load:\n%s", d)
	}
	for _, want := range []string{`"Name":"running"`, `"Name":"stopped"`, `"Name":"terminated"`, `"KeyName":"deploy"`, `"CidrBlock":"10.1.1.0/24"`, `"GroupName":"web"`, `"FromPort":443`} {
		if !strings.Contains(after, want) {
			t.Errorf("the loaded state lacks %s:\n%s", want, after)
		}
	}
	// The running instance runs on a new machine, the stopped one gets one
	// when started.
	hostKeys := func() map[string]string {
		out := map[string]string{}
		for _, r := range must(c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})).Reservations {
			for _, in := range r.Instances {
				if in.State.Name == ec2types.InstanceStateNameTerminated {
					continue
				}
				for _, tg := range in.Tags {
					if *tg.Key == "groundstack:ssh-host-key" {
						out[*in.InstanceId] = *tg.Value
					}
				}
			}
		}
		return out
	}
	if n := len(hostKeys()); n != 1 {
		t.Errorf("%d loaded instances have a machine, want the running one", n)
	}
	stopped := must(c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("instance-state-name"), Values: []string{"stopped"}}}}))
	id := stopped.Reservations[0].Instances[0].InstanceId
	must(c.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{*id}}))
	settleInstances(t, c)
	got := must(c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{*id}})).Reservations[0].Instances[0]
	if got.State.Name != ec2types.InstanceStateNameRunning || hostKeys()[*id] == "" {
		t.Errorf("a loaded stopped instance, started: %s, with a machine's key %q", got.State.Name, hostKeys()[*id])
	}
}
