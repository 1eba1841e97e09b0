package ec2_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// The template around a public subnet: a VPC, an internet gateway, a route
// table with a default route through it, associated with the subnet.
func TestGatewaysAndRouteTables(t *testing.T) {
	t.Parallel()
	f := start(t)
	vpc := aws.ToString(must[*ec2.CreateVpcOutput](t)(f.c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})).Vpc.VpcId)
	subnet := aws.ToString(must[*ec2.CreateSubnetOutput](t)(f.c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: &vpc, CidrBlock: aws.String("10.0.0.0/24")})).Subnet.SubnetId)

	// The VPC came with a main route table holding its local route.
	mains := must[*ec2.DescribeRouteTablesOutput](t)(f.c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{
		Filters: []types.Filter{filter("vpc-id", vpc), filter("association.main", "true")}}))
	if len(mains.RouteTables) != 1 || aws.ToString(mains.RouteTables[0].Routes[0].GatewayId) != "local" {
		t.Fatalf("main route table: %+v", mains.RouteTables)
	}
	mainID := aws.ToString(mains.RouteTables[0].RouteTableId)

	igw := aws.ToString(must[*ec2.CreateInternetGatewayOutput](t)(f.c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})).InternetGateway.InternetGatewayId)
	rtb := aws.ToString(must[*ec2.CreateRouteTableOutput](t)(f.c.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: &vpc})).RouteTable.RouteTableId)
	_, err := f.c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: &rtb, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: &igw})
	wantAPIError(t, err, "InvalidParameterValue", "route table "+rtb+" and network gateway "+igw+" belong to different networks")
	must[*ec2.AttachInternetGatewayOutput](t)(f.c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: &igw, VpcId: &vpc}))
	_, err = f.c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: &igw, VpcId: &vpc})
	wantAPIError(t, err, "Resource.AlreadyAssociated", "resource "+igw+" is already attached to network "+vpc)
	must[*ec2.CreateRouteOutput](t)(f.c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: &rtb, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: &igw}))
	_, err = f.c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: &rtb, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: &igw})
	wantAPIError(t, err, "RouteAlreadyExists", "The route identified by 0.0.0.0/0 already exists.")
	assoc := aws.ToString(must[*ec2.AssociateRouteTableOutput](t)(f.c.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: &rtb, SubnetId: &subnet})).AssociationId)
	_, err = f.c.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: &mainID, SubnetId: &subnet})
	wantAPIError(t, err, "Resource.AlreadyAssociated", "")

	got := must[*ec2.DescribeRouteTablesOutput](t)(f.c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{
		Filters: []types.Filter{filter("association.subnet-id", subnet)}}))
	if len(got.RouteTables) != 1 || len(got.RouteTables[0].Routes) != 2 || aws.ToString(got.RouteTables[0].Routes[1].GatewayId) != igw {
		t.Fatalf("DescribeRouteTables: %+v", got.RouteTables)
	}
	gws := must[*ec2.DescribeInternetGatewaysOutput](t)(f.c.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{
		Filters: []types.Filter{filter("attachment.vpc-id", vpc)}}))
	if len(gws.InternetGateways) != 1 || aws.ToString(gws.InternetGateways[0].InternetGatewayId) != igw {
		t.Fatalf("DescribeInternetGateways: %+v", gws.InternetGateways)
	}

	// Replace, delete; the local route stays.
	must[*ec2.ReplaceRouteOutput](t)(f.c.ReplaceRoute(ctx, &ec2.ReplaceRouteInput{RouteTableId: &rtb, DestinationCidrBlock: aws.String("0.0.0.0/0"), NatGatewayId: aws.String("nat-0123456789abcdef0")}))
	_, err = f.c.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: &rtb, DestinationCidrBlock: aws.String("10.0.0.0/16")})
	wantAPIError(t, err, "InvalidParameterValue", "cannot remove local route 10.0.0.0/16 in route table "+rtb)
	must[*ec2.DeleteRouteOutput](t)(f.c.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: &rtb, DestinationCidrBlock: aws.String("0.0.0.0/0")}))
	_, err = f.c.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: &rtb, DestinationCidrBlock: aws.String("0.0.0.0/0")})
	wantAPIError(t, err, "InvalidRoute.NotFound", "no route with destination-cidr-block 0.0.0.0/0 in route table "+rtb)

	// Tear-down in the order a stack deletion goes, dependencies first.
	_, err = f.c.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: &rtb})
	wantAPIError(t, err, "DependencyViolation", "The routeTable '"+rtb+"' has dependencies and cannot be deleted.")
	must[*ec2.DisassociateRouteTableOutput](t)(f.c.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: &assoc}))
	must[*ec2.DeleteRouteTableOutput](t)(f.c.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: &rtb}))
	_, err = f.c.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: &rtb})
	wantAPIError(t, err, "InvalidRouteTableID.NotFound", "The routeTable ID '"+rtb+"' does not exist")
	must[*ec2.DeleteSubnetOutput](t)(f.c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: &subnet}))
	_, err = f.c.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: &igw})
	wantAPIError(t, err, "DependencyViolation", "The internetGateway '"+igw+"' has dependencies and cannot be deleted.")
	_, err = f.c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: &vpc})
	wantAPIError(t, err, "DependencyViolation", "The vpc '"+vpc+"' has dependencies and cannot be deleted.")
	must[*ec2.DetachInternetGatewayOutput](t)(f.c.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: &igw, VpcId: &vpc}))
	_, err = f.c.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: &igw, VpcId: &vpc})
	wantAPIError(t, err, "Gateway.NotAttached", "resource "+igw+" is not attached to network "+vpc)
	must[*ec2.DeleteInternetGatewayOutput](t)(f.c.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: &igw}))
	must[*ec2.DeleteVpcOutput](t)(f.c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: &vpc}))
	_, err = f.c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{mainID}})
	wantAPIError(t, err, "InvalidRouteTableID.NotFound", "The routeTable ID '"+mainID+"' does not exist")
	_, err = f.c.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{InternetGatewayIds: []string{igw}})
	wantAPIError(t, err, "InvalidInternetGatewayID.NotFound", "The internetGateway ID '"+igw+"' does not exist")
}

// The default VPC has its internet gateway and a default route through it.
func TestDefaultVPCRoutes(t *testing.T) {
	t.Parallel()
	f := start(t)
	vpc, _, _ := defaultIDs(t, f)
	tables := must[*ec2.DescribeRouteTablesOutput](t)(f.c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{
		Filters: []types.Filter{filter("vpc-id", vpc), filter("route.destination-cidr-block", "0.0.0.0/0")}}))
	if len(tables.RouteTables) != 1 || !aws.ToBool(tables.RouteTables[0].Associations[0].Main) {
		t.Fatalf("default route table: %+v", tables.RouteTables)
	}
	gws := must[*ec2.DescribeInternetGatewaysOutput](t)(f.c.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{
		Filters: []types.Filter{filter("attachment.vpc-id", vpc)}}))
	if len(gws.InternetGateways) != 1 || aws.ToString(gws.InternetGateways[0].InternetGatewayId) != aws.ToString(tables.RouteTables[0].Routes[1].GatewayId) {
		t.Fatalf("default gateway: %+v", gws.InternetGateways)
	}
}
