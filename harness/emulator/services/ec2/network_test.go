package ec2_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func filter(name string, values ...string) types.Filter {
	return types.Filter{Name: aws.String(name), Values: values}
}

// The default VPC is there before anyone asks for it, with a subnet per
// zone and a default security group, and instances launch into it.
func TestDefaultVPC(t *testing.T) {
	t.Parallel()
	f := start(t)
	vpcs := must[*ec2.DescribeVpcsOutput](t)(f.c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{
		Filters: []types.Filter{filter("is-default", "true")}}))
	if len(vpcs.Vpcs) != 1 || aws.ToString(vpcs.Vpcs[0].CidrBlock) != "172.31.0.0/16" || !aws.ToBool(vpcs.Vpcs[0].IsDefault) {
		t.Fatalf("default VPC: %+v", vpcs.Vpcs)
	}
	vpcID := aws.ToString(vpcs.Vpcs[0].VpcId)
	subnets := must[*ec2.DescribeSubnetsOutput](t)(f.c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{
		Filters: []types.Filter{filter("vpc-id", vpcID), filter("default-for-az", "true")}}))
	var zones []string
	for _, sn := range subnets.Subnets {
		zones = append(zones, aws.ToString(sn.AvailabilityZone))
	}
	slices.Sort(zones)
	if !slices.Equal(zones, []string{"us-east-1a", "us-east-1b", "us-east-1c"}) {
		t.Fatalf("default subnets: %v", zones)
	}
	groups := must[*ec2.DescribeSecurityGroupsOutput](t)(f.c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{
		GroupNames: []string{"default"}}))
	if len(groups.SecurityGroups) != 1 || aws.ToString(groups.SecurityGroups[0].VpcId) != vpcID {
		t.Fatalf("default group: %+v", groups.SecurityGroups)
	}

	in := f.run(t, 1)[0]
	if aws.ToString(in.VpcId) != vpcID || aws.ToString(in.SecurityGroups[0].GroupId) != aws.ToString(groups.SecurityGroups[0].GroupId) {
		t.Fatalf("instance network: vpc %s groups %+v", aws.ToString(in.VpcId), in.SecurityGroups)
	}
	own := must[*ec2.DescribeSubnetsOutput](t)(f.c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{aws.ToString(in.SubnetId)}}))
	if aws.ToString(own.Subnets[0].AvailabilityZone) != aws.ToString(in.Placement.AvailabilityZone) {
		t.Fatalf("instance subnet %+v, placement %+v", own.Subnets[0], in.Placement)
	}
	_, err := f.c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: in.SubnetId})
	wantAPIError(t, err, "DependencyViolation", "The subnet '"+aws.ToString(in.SubnetId)+"' has dependencies and cannot be deleted.")
}

func TestVpcsAndSubnets(t *testing.T) {
	t.Parallel()
	f := start(t)
	vpc := must[*ec2.CreateVpcOutput](t)(f.c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeVpc, Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("lab")}}}}})).Vpc
	id := aws.ToString(vpc.VpcId)
	if aws.ToBool(vpc.IsDefault) || vpc.State != types.VpcStateAvailable || tagsOf(vpc.Tags)["Name"] != "lab" {
		t.Fatalf("CreateVpc: %+v", vpc)
	}
	got := must[*ec2.DescribeVpcsOutput](t)(f.c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{filter("tag:Name", "l*")}}))
	if len(got.Vpcs) != 1 || aws.ToString(got.Vpcs[0].VpcId) != id {
		t.Fatalf("DescribeVpcs by tag: %+v", got.Vpcs)
	}

	// DNS attributes: support on, hostnames off until set.
	attr := must[*ec2.DescribeVpcAttributeOutput](t)(f.c.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: &id, Attribute: types.VpcAttributeNameEnableDnsHostnames}))
	if aws.ToBool(attr.EnableDnsHostnames.Value) {
		t.Fatal("enableDnsHostnames on a new VPC")
	}
	must[*ec2.ModifyVpcAttributeOutput](t)(f.c.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: &id, EnableDnsHostnames: &types.AttributeBooleanValue{Value: aws.Bool(true)}}))
	attr = must[*ec2.DescribeVpcAttributeOutput](t)(f.c.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: &id, Attribute: types.VpcAttributeNameEnableDnsHostnames}))
	if !aws.ToBool(attr.EnableDnsHostnames.Value) {
		t.Fatal("ModifyVpcAttribute did not stick")
	}

	sn := must[*ec2.CreateSubnetOutput](t)(f.c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: &id, CidrBlock: aws.String("10.0.1.0/24"), AvailabilityZone: aws.String("us-east-1b")})).Subnet
	if aws.ToString(sn.VpcId) != id || aws.ToInt32(sn.AvailableIpAddressCount) != 251 || aws.ToString(sn.AvailabilityZoneId) != "use1-az2" {
		t.Fatalf("CreateSubnet: %+v", sn)
	}
	_, err := f.c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: &id, CidrBlock: aws.String("10.0.1.128/25")})
	wantAPIError(t, err, "InvalidSubnet.Conflict", "The CIDR '10.0.1.128/25' conflicts with another subnet")
	_, err = f.c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: &id, CidrBlock: aws.String("10.1.0.0/24")})
	wantAPIError(t, err, "InvalidSubnet.Range", "The CIDR '10.1.0.0/24' is invalid.")
	_, err = f.c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String("vpc-123"), CidrBlock: aws.String("10.0.2.0/24")})
	wantAPIError(t, err, "InvalidVpcID.NotFound", "The vpc ID 'vpc-123' does not exist")
	_, err = f.c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/8")})
	wantAPIError(t, err, "InvalidVpc.Range", "The CIDR '10.0.0.0/8' is invalid.")
	_, err = f.c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("nope")})
	wantAPIError(t, err, "InvalidParameterValue", "Value (nope) for parameter cidrBlock is invalid. This is not a valid CIDR block.")

	must[*ec2.ModifySubnetAttributeOutput](t)(f.c.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: sn.SubnetId, MapPublicIpOnLaunch: &types.AttributeBooleanValue{Value: aws.Bool(true)}}))
	found := must[*ec2.DescribeSubnetsOutput](t)(f.c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{filter("vpc-id", id)}}))
	if len(found.Subnets) != 1 || !aws.ToBool(found.Subnets[0].MapPublicIpOnLaunch) {
		t.Fatalf("DescribeSubnets: %+v", found.Subnets)
	}

	// Tags work on the new resources too.
	must[*ec2.CreateTagsOutput](t)(f.c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{aws.ToString(sn.SubnetId)}, Tags: []types.Tag{{Key: aws.String("tier"), Value: aws.String("web")}}}))
	tags := must[*ec2.DescribeTagsOutput](t)(f.c.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []types.Filter{filter("resource-type", "subnet")}}))
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].ResourceId) != aws.ToString(sn.SubnetId) {
		t.Fatalf("DescribeTags: %+v", tags.Tags)
	}
	_, err = f.c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{"vpc-0123456789abcdef0"}, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	wantAPIError(t, err, "InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist")

	_, err = f.c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: &id})
	wantAPIError(t, err, "DependencyViolation", "The vpc '"+id+"' has dependencies and cannot be deleted.")
	must[*ec2.DeleteSubnetOutput](t)(f.c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: sn.SubnetId}))
	_, err = f.c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: sn.SubnetId})
	wantAPIError(t, err, "InvalidSubnetID.NotFound", "The subnet ID '"+aws.ToString(sn.SubnetId)+"' does not exist")
	must[*ec2.DeleteVpcOutput](t)(f.c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: &id}))
	_, err = f.c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{id}})
	wantAPIError(t, err, "InvalidVpcID.NotFound", "The vpc ID '"+id+"' does not exist")
	_, err = f.c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(id), DryRun: aws.Bool(true)})
	wantAPIError(t, err, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
}

func TestDescribeSubnetsPaging(t *testing.T) {
	t.Parallel()
	f := start(t)
	vpc := must[*ec2.CreateVpcOutput](t)(f.c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})).Vpc
	for i := range 9 {
		must[*ec2.CreateSubnetOutput](t)(f.c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.VpcId, CidrBlock: aws.String("10.0." + string(rune('0'+i)) + ".0/24")}))
	}
	p := ec2.NewDescribeSubnetsPaginator(f.c, &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(5)})
	var all []string
	pages := 0
	for p.HasMorePages() {
		out := must[*ec2.DescribeSubnetsOutput](t)(p.NextPage(ctx))
		pages++
		for _, sn := range out.Subnets {
			all = append(all, aws.ToString(sn.SubnetId))
		}
	}
	if len(all) != 12 || pages != 3 || !slices.IsSorted(all) {
		t.Fatalf("%d pages, subnets %v", pages, all)
	}
	_, err := f.c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(3)})
	wantAPIError(t, err, "InvalidParameterValue", "Value ( 3 ) for parameter maxResults is invalid. Expecting a value greater than 5.")
	_, err = f.c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{filter("colour", "red")}})
	wantAPIError(t, err, "InvalidParameterValue", "The filter 'colour' is invalid")
}

func TestSecurityGroups(t *testing.T) {
	t.Parallel()
	f := start(t)
	g := must[*ec2.CreateSecurityGroupOutput](t)(f.c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("web servers")}))
	id := aws.ToString(g.GroupId)
	_, err := f.c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("again")})
	def, _, _ := defaultIDs(t, f)
	wantAPIError(t, err, "InvalidGroup.Duplicate", "The security group 'web' already exists for VPC '"+def+"'")

	ssh := types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
		IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("ssh")}}}
	added := must[*ec2.AuthorizeSecurityGroupIngressOutput](t)(f.c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: &id, IpPermissions: []types.IpPermission{ssh}}))
	if len(added.SecurityGroupRules) != 1 || aws.ToString(added.SecurityGroupRules[0].CidrIpv4) != "0.0.0.0/0" {
		t.Fatalf("authorize: %+v", added.SecurityGroupRules)
	}
	_, err = f.c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: &id, IpPermissions: []types.IpPermission{ssh}})
	wantAPIError(t, err, "InvalidPermission.Duplicate", `the specified rule "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW" already exists`)
	// The shorthand form, by group name.
	must[*ec2.AuthorizeSecurityGroupIngressOutput](t)(f.c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
		GroupName: aws.String("web"), IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80), CidrIp: aws.String("10.0.0.0/8")}))

	got := must[*ec2.DescribeSecurityGroupsOutput](t)(f.c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}}))
	sg := got.SecurityGroups[0]
	if aws.ToString(sg.Description) != "web servers" || len(sg.IpPermissions) != 2 || len(sg.IpPermissionsEgress) != 1 ||
		aws.ToString(sg.IpPermissionsEgress[0].IpProtocol) != "-1" {
		t.Fatalf("DescribeSecurityGroups: %+v", sg)
	}
	rules := must[*ec2.DescribeSecurityGroupRulesOutput](t)(f.c.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{
		Filters: []types.Filter{filter("group-id", id)}}))
	if len(rules.SecurityGroupRules) != 3 {
		t.Fatalf("DescribeSecurityGroupRules: %+v", rules.SecurityGroupRules)
	}

	must[*ec2.RevokeSecurityGroupIngressOutput](t)(f.c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: &id, IpPermissions: []types.IpPermission{ssh}}))
	_, err = f.c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: &id, IpPermissions: []types.IpPermission{ssh}})
	wantAPIError(t, err, "InvalidPermission.NotFound", "The specified rule does not exist in this security group.")
	egressID := ""
	for _, r := range rules.SecurityGroupRules {
		if aws.ToBool(r.IsEgress) {
			egressID = aws.ToString(r.SecurityGroupRuleId)
		}
	}
	must[*ec2.RevokeSecurityGroupEgressOutput](t)(f.c.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: &id, SecurityGroupRuleIds: []string{egressID}}))
	must[*ec2.AuthorizeSecurityGroupEgressOutput](t)(f.c.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: &id,
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}}}}))

	// A group another group's rule refers to stays; the default one always does.
	other := must[*ec2.CreateSecurityGroupOutput](t)(f.c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("db"), Description: aws.String("db")}))
	must[*ec2.AuthorizeSecurityGroupIngressOutput](t)(f.c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: other.GroupId,
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432), UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: &id}}}}}))
	_, err = f.c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: &id})
	wantAPIError(t, err, "DependencyViolation", "resource "+id+" has a dependent object")
	must[*ec2.DeleteSecurityGroupOutput](t)(f.c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: other.GroupId}))
	must[*ec2.DeleteSecurityGroupOutput](t)(f.c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupName: aws.String("web")}))
	_, err = f.c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
	wantAPIError(t, err, "InvalidGroup.NotFound", "The security group '"+id+"' does not exist")
	_, _, defSG := defaultIDs(t, f)
	_, err = f.c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: &defSG})
	wantAPIError(t, err, "CannotDelete", `the specified group: "`+defSG+`" name: "default" cannot be deleted by a user`)
	_, err = f.c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String("web")})
	wantAPIError(t, err, "InvalidGroupId.Malformed", `Invalid id: "web" (expecting "sg-...")`)
}

// defaultIDs returns the default VPC, one default subnet and the default group.
func defaultIDs(t *testing.T, f fixture) (vpc, subnet, group string) {
	t.Helper()
	vpcs := must[*ec2.DescribeVpcsOutput](t)(f.c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{filter("is-default", "true")}}))
	vpc = aws.ToString(vpcs.Vpcs[0].VpcId)
	sns := must[*ec2.DescribeSubnetsOutput](t)(f.c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{filter("vpc-id", vpc)}}))
	gs := must[*ec2.DescribeSecurityGroupsOutput](t)(f.c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{filter("vpc-id", vpc), filter("group-name", "default")}}))
	return vpc, aws.ToString(sns.Subnets[0].SubnetId), aws.ToString(gs.SecurityGroups[0].GroupId)
}

func TestDescribeAccountAttributes(t *testing.T) {
	t.Parallel()
	f := start(t)
	vpc, _, _ := defaultIDs(t, f)
	out := must[*ec2.DescribeAccountAttributesOutput](t)(f.c.DescribeAccountAttributes(ctx, &ec2.DescribeAccountAttributesInput{
		AttributeNames: []types.AccountAttributeName{types.AccountAttributeNameDefaultVpc}}))
	if len(out.AccountAttributes) != 1 || aws.ToString(out.AccountAttributes[0].AttributeValues[0].AttributeValue) != vpc {
		t.Fatalf("default-vpc: %+v", out.AccountAttributes)
	}
}
