package cloudformation_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

const networkTemplate = `
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.20.0.0/16, Tags: [{Key: Name, Value: app}]}
  Public:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 2, 8]], AvailabilityZone: !Select [0, !GetAZs ""]}
  Gateway:
    Type: AWS::EC2::InternetGateway
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Gateway}
  Routes:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  Default:
    Type: AWS::EC2::Route
    DependsOn: Attach
    Properties: {RouteTableId: !Ref Routes, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Gateway}
  PublicRoutes:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref Public, RouteTableId: !Ref Routes}
  Ssh:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh in
      VpcId: !Ref Vpc
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}]
  Key:
    Type: AWS::EC2::KeyPair
    Properties: {KeyName: net-key}
  Box:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      InstanceType: t3.micro
      KeyName: !Ref Key
      SubnetId: !Ref Public
      SecurityGroupIds: [!GetAtt Ssh.GroupId]
      UserData: !Base64 "#!/bin/sh\necho hi\n"
Outputs:
  Subnet: {Value: !GetAtt Public.CidrBlock}
  Ip: {Value: !GetAtt Box.PrivateIp}
`

func TestNetworkAndInstance(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	st := createStack(t, c, "net", networkTemplate)
	ids := physicalIDs(t, c, "net")
	out := outputsOf(st)
	if out["Subnet"] != "10.20.0.0/24" || out["Ip"] == "" {
		t.Errorf("outputs %v", out)
	}
	e := ec2.NewFromConfig(cfg)
	inst, err := e.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{ids["Box"]}})
	if err != nil || len(inst.Reservations) != 1 {
		t.Fatalf("instance %+v %v", inst, err)
	}
	// groundstack's EC2 places instances in the region's default VPC,
	// whatever their SubnetId: only the key is checked here.
	if i := inst.Reservations[0].Instances[0]; aws.ToString(i.KeyName) != "net-key" {
		t.Errorf("instance key %q", aws.ToString(i.KeyName))
	}
	sg, err := e.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{ids["Ssh"]}})
	if err != nil || len(sg.SecurityGroups[0].IpPermissions) != 1 || aws.ToInt32(sg.SecurityGroups[0].IpPermissions[0].FromPort) != 22 {
		t.Errorf("security group %+v %v", sg, err)
	}
	if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("net")}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackDeleteCompleteWaiter(c).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("net")}, waitTime); err != nil {
		t.Fatalf("%v\n%s", err, events(t, c, "net"))
	}
	if v, err := e.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{ids["Vpc"]}}); err == nil && len(v.Vpcs) > 0 {
		t.Error("VPC left behind")
	}
}

func TestIAMUsersGroupsKeysAndProfiles(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	st := createStack(t, c, "people", `
Resources:
  Ops: {Type: AWS::IAM::Group, Properties: {ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]}}
  Deployer:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Ops]
      Policies: [{PolicyName: push, PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:PutObject", Resource: "*"}]}}]
  Key: {Type: AWS::IAM::AccessKey, Properties: {UserName: !Ref Deployer}}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: "sts:AssumeRole"}]}
  Profile: {Type: AWS::IAM::InstanceProfile, Properties: {Roles: [!Ref Role]}}
Outputs:
  KeyId: {Value: !Ref Key}
  Secret: {Value: !GetAtt Key.SecretAccessKey}
  ProfileArn: {Value: !GetAtt Profile.Arn}
`)
	out := outputsOf(st)
	if out["KeyId"] == "" || out["Secret"] == "" || out["ProfileArn"] == "" {
		t.Fatalf("outputs %v", out)
	}
	if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("people")}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackDeleteCompleteWaiter(c).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("people")}, waitTime); err != nil {
		t.Fatalf("%v\n%s", err, events(t, c, "people"))
	}
}
