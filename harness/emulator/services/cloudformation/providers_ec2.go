package cloudformation

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func init() {
	registry["AWS::EC2::VPC"] = &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			out, err := c.cl.ec2().CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: c.strPtr("CidrBlock"), TagSpecifications: tagSpec(c, ec2types.ResourceTypeVpc)})
			if err != nil {
				return "", nil, cause(err)
			}
			id := aws.ToString(out.Vpc.VpcId)
			return id, map[string]any{"VpcId": id, "CidrBlock": aws.ToString(out.Vpc.CidrBlock)}, nil
		},
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.ec2().DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(c.physical)})
			return ignoreGone(err)
		},
	}
	registry["AWS::EC2::Subnet"] = &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			out, err := c.cl.ec2().CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: c.strPtr("VpcId"), CidrBlock: c.strPtr("CidrBlock"),
				AvailabilityZone: c.strPtr("AvailabilityZone"), TagSpecifications: tagSpec(c, ec2types.ResourceTypeSubnet)})
			if err != nil {
				return "", nil, cause(err)
			}
			id := aws.ToString(out.Subnet.SubnetId)
			return id, map[string]any{"SubnetId": id, "VpcId": aws.ToString(out.Subnet.VpcId), "AvailabilityZone": aws.ToString(out.Subnet.AvailabilityZone),
				"CidrBlock": aws.ToString(out.Subnet.CidrBlock)}, nil
		},
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.ec2().DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(c.physical)})
			return ignoreGone(err)
		},
	}
	registry["AWS::EC2::SecurityGroup"] = &resourceType{
		create: createSecurityGroup,
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.ec2().DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(c.physical)})
			return ignoreGone(err)
		},
	}
	registry["AWS::EC2::InternetGateway"] = &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			out, err := c.cl.ec2().CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{TagSpecifications: tagSpec(c, ec2types.ResourceTypeInternetGateway)})
			if err != nil {
				return "", nil, cause(err)
			}
			id := aws.ToString(out.InternetGateway.InternetGatewayId)
			return id, map[string]any{"InternetGatewayId": id}, nil
		},
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.ec2().DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: aws.String(c.physical)})
			return ignoreGone(err)
		},
	}
	registry["AWS::EC2::VPCGatewayAttachment"] = &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			_, err := c.cl.ec2().AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{VpcId: c.strPtr("VpcId"), InternetGatewayId: c.strPtr("InternetGatewayId")})
			if err != nil {
				return "", nil, cause(err)
			}
			return physicalName(c.stack.Name, c.logical, 128, false), map[string]any{}, nil
		},
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.ec2().DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{VpcId: c.strPtr("VpcId"), InternetGatewayId: c.strPtr("InternetGatewayId")})
			return ignoreGone(err)
		},
	}
	registry["AWS::EC2::RouteTable"] = &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			out, err := c.cl.ec2().CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: c.strPtr("VpcId"), TagSpecifications: tagSpec(c, ec2types.ResourceTypeRouteTable)})
			if err != nil {
				return "", nil, cause(err)
			}
			id := aws.ToString(out.RouteTable.RouteTableId)
			return id, map[string]any{"RouteTableId": id}, nil
		},
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.ec2().DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: aws.String(c.physical)})
			return ignoreGone(err)
		},
	}
	registry["AWS::EC2::Route"] = &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			_, err := c.cl.ec2().CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: c.strPtr("RouteTableId"), DestinationCidrBlock: c.strPtr("DestinationCidrBlock"),
				GatewayId: c.strPtr("GatewayId"), InstanceId: c.strPtr("InstanceId"), NatGatewayId: c.strPtr("NatGatewayId")})
			if err != nil {
				return "", nil, cause(err)
			}
			return physicalName(c.stack.Name, c.logical, 128, false), map[string]any{}, nil
		},
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.ec2().DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: c.strPtr("RouteTableId"), DestinationCidrBlock: c.strPtr("DestinationCidrBlock")})
			return ignoreGone(err)
		},
	}
	registry["AWS::EC2::SubnetRouteTableAssociation"] = &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			out, err := c.cl.ec2().AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{SubnetId: c.strPtr("SubnetId"), RouteTableId: c.strPtr("RouteTableId")})
			if err != nil {
				return "", nil, cause(err)
			}
			id := aws.ToString(out.AssociationId)
			return id, map[string]any{"Id": id}, nil
		},
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.ec2().DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: aws.String(c.physical)})
			return ignoreGone(err)
		},
	}
	registry["AWS::EC2::Instance"] = &resourceType{
		create: runInstance,
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.ec2().TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{c.physical}})
			return ignoreGone(err)
		},
	}
	for k, v := range map[string][]string{
		"AWS::EC2::VPC":                         {"VpcId", "CidrBlock"},
		"AWS::EC2::Subnet":                      {"SubnetId", "VpcId", "AvailabilityZone", "CidrBlock"},
		"AWS::EC2::SecurityGroup":               {"GroupId", "VpcId"},
		"AWS::EC2::InternetGateway":             {"InternetGatewayId"},
		"AWS::EC2::VPCGatewayAttachment":        {},
		"AWS::EC2::RouteTable":                  {"RouteTableId"},
		"AWS::EC2::Route":                       {},
		"AWS::EC2::SubnetRouteTableAssociation": {"Id"},
		"AWS::EC2::Instance":                    {"InstanceId", "PrivateIp", "PublicIp", "PrivateDnsName", "PublicDnsName", "AvailabilityZone"},
	} {
		attributes[k] = v
	}
}

// tagSpec turns the Tags property into EC2's tag specification.
func tagSpec(c *call, typ ec2types.ResourceType) []ec2types.TagSpecification {
	tags := tagsOf(c.props["Tags"])
	if len(tags) == 0 {
		return nil
	}
	spec := ec2types.TagSpecification{ResourceType: typ}
	for _, k := range sortedKeys(tags) {
		spec.Tags = append(spec.Tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return []ec2types.TagSpecification{spec}
}

// permissions turns SecurityGroupIngress or SecurityGroupEgress rules into
// EC2's permissions.
func permissions(v any) []ec2types.IpPermission {
	var out []ec2types.IpPermission
	for _, r := range listOf(v) {
		m := mapOf(r)
		p := ec2types.IpPermission{IpProtocol: aws.String(str(m["IpProtocol"]))}
		if v, ok := m["FromPort"]; ok {
			n, _ := strconv.Atoi(str(v))
			p.FromPort = aws.Int32(int32(n))
		}
		if v, ok := m["ToPort"]; ok {
			n, _ := strconv.Atoi(str(v))
			p.ToPort = aws.Int32(int32(n))
		}
		for _, k := range []string{"CidrIp", "CidrIpv6"} {
			if cidr, ok := m[k]; ok {
				if k == "CidrIp" {
					p.IpRanges = append(p.IpRanges, ec2types.IpRange{CidrIp: aws.String(str(cidr)), Description: strOrNil(m["Description"])})
				} else {
					p.Ipv6Ranges = append(p.Ipv6Ranges, ec2types.Ipv6Range{CidrIpv6: aws.String(str(cidr)), Description: strOrNil(m["Description"])})
				}
			}
		}
		for _, k := range []string{"SourceSecurityGroupId", "DestinationSecurityGroupId"} {
			if g, ok := m[k]; ok {
				p.UserIdGroupPairs = append(p.UserIdGroupPairs, ec2types.UserIdGroupPair{GroupId: aws.String(str(g))})
			}
		}
		out = append(out, p)
	}
	return out
}

func createSecurityGroup(ctx context.Context, c *call) (string, map[string]any, error) {
	name := c.name("GroupName", 255, false)
	out, err := c.cl.ec2().CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: c.strPtr("GroupDescription"),
		VpcId: c.strPtr("VpcId"), TagSpecifications: tagSpec(c, ec2types.ResourceTypeSecurityGroup)})
	if err != nil {
		return "", nil, cause(err)
	}
	id := aws.ToString(out.GroupId)
	fail := func(err error) (string, map[string]any, error) {
		_, _ = c.cl.ec2().DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(id)})
		return "", nil, cause(err)
	}
	if in := permissions(c.props["SecurityGroupIngress"]); len(in) > 0 {
		if _, err := c.cl.ec2().AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: in}); err != nil {
			return fail(err)
		}
	}
	if eg := permissions(c.props["SecurityGroupEgress"]); len(eg) > 0 {
		if _, err := c.cl.ec2().AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(id), IpPermissions: eg}); err != nil {
			return fail(err)
		}
	}
	vpc := c.str("VpcId")
	return id, map[string]any{"GroupId": id, "VpcId": vpc}, nil
}

func runInstance(ctx context.Context, c *call) (string, map[string]any, error) {
	in := &ec2.RunInstancesInput{ImageId: c.strPtr("ImageId"), InstanceType: ec2types.InstanceType(c.str("InstanceType")), KeyName: c.strPtr("KeyName"),
		SubnetId: c.strPtr("SubnetId"), UserData: c.strPtr("UserData"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		TagSpecifications: tagSpec(c, ec2types.ResourceTypeInstance)}
	for _, g := range listOf(c.props["SecurityGroupIds"]) {
		in.SecurityGroupIds = append(in.SecurityGroupIds, str(g))
	}
	for _, g := range listOf(c.props["SecurityGroups"]) {
		in.SecurityGroups = append(in.SecurityGroups, str(g))
	}
	if c.has("AvailabilityZone") {
		in.Placement = &ec2types.Placement{AvailabilityZone: c.strPtr("AvailabilityZone")}
	}
	out, err := c.cl.ec2().RunInstances(ctx, in)
	if err != nil {
		return "", nil, cause(err)
	}
	i := out.Instances[0]
	id := aws.ToString(i.InstanceId)
	az := ""
	if i.Placement != nil {
		az = aws.ToString(i.Placement.AvailabilityZone)
	}
	return id, map[string]any{"InstanceId": id, "PrivateIp": aws.ToString(i.PrivateIpAddress), "PublicIp": aws.ToString(i.PublicIpAddress),
		"PrivateDnsName": aws.ToString(i.PrivateDnsName), "PublicDnsName": aws.ToString(i.PublicDnsName), "AvailabilityZone": az}, nil
}
