package ec2

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- wire shapes ----

type cidrStateXML struct {
	State string `xml:"state"`
}

type cidrAssocXML struct {
	AssociationID  string       `xml:"associationId"`
	CidrBlock      string       `xml:"cidrBlock"`
	CidrBlockState cidrStateXML `xml:"cidrBlockState"`
}

type vpcXML struct {
	VpcID                   string         `xml:"vpcId"`
	OwnerID                 string         `xml:"ownerId"`
	State                   string         `xml:"state"`
	CidrBlock               string         `xml:"cidrBlock"`
	CidrBlockAssociationSet []cidrAssocXML `xml:"cidrBlockAssociationSet>item"`
	DhcpOptionsID           string         `xml:"dhcpOptionsId"`
	InstanceTenancy         string         `xml:"instanceTenancy"`
	IsDefault               bool           `xml:"isDefault"`
	TagSet                  []tagXML       `xml:"tagSet>item"`
}

func (s *Service) vpcOut(v Vpc) vpcXML {
	return vpcXML{VpcID: v.ID, OwnerID: s.env.Account, State: "available", CidrBlock: v.CidrBlock,
		CidrBlockAssociationSet: []cidrAssocXML{{v.CidrAssociationID, v.CidrBlock, cidrStateXML{"associated"}}},
		DhcpOptionsID:           v.DhcpOptionsID, InstanceTenancy: v.Tenancy, IsDefault: v.IsDefault, TagSet: tagsOut(v.Tags)}
}

type subnetXML struct {
	SubnetID                    string   `xml:"subnetId"`
	SubnetArn                   string   `xml:"subnetArn"`
	State                       string   `xml:"state"`
	VpcID                       string   `xml:"vpcId"`
	OwnerID                     string   `xml:"ownerId"`
	CidrBlock                   string   `xml:"cidrBlock"`
	AvailableIPAddressCount     int      `xml:"availableIpAddressCount"`
	AvailabilityZone            string   `xml:"availabilityZone"`
	AvailabilityZoneID          string   `xml:"availabilityZoneId"`
	DefaultForAz                bool     `xml:"defaultForAz"`
	MapPublicIPOnLaunch         bool     `xml:"mapPublicIpOnLaunch"`
	AssignIpv6AddressOnCreation bool     `xml:"assignIpv6AddressOnCreation"`
	TagSet                      []tagXML `xml:"tagSet>item"`
}

func (s *Service) subnetOut(region string, sn Subnet) subnetXML {
	return subnetXML{SubnetID: sn.ID, SubnetArn: subnetARN(region, s.env.Account, sn.ID), State: "available",
		VpcID: sn.VpcID, OwnerID: s.env.Account, CidrBlock: sn.CidrBlock, AvailableIPAddressCount: sn.AvailableIPs(),
		AvailabilityZone: sn.Zone, AvailabilityZoneID: zoneID(region, sn.Zone), DefaultForAz: sn.DefaultForAz,
		MapPublicIPOnLaunch: sn.MapPublicIP, TagSet: tagsOut(sn.Tags)}
}

// pageQuery reads the paging members every networking Describe call has.
func pageQuery(op string, ids []string, idsName string, filters []Filter, max *string, token string) (Page, error) {
	return pageQueryUpTo(op, ids, idsName, filters, max, token, 1000)
}

// pageQueryUpTo is pageQuery for a call whose model caps MaxResults at limit.
func pageQueryUpTo(op string, ids []string, idsName string, filters []Filter, max *string, token string, limit int) (Page, error) {
	if err := validFilters(filters); err != nil {
		return Page{}, err
	}
	n, err := pageSizeUpTo(max, ids, idsName, limit)
	if err != nil {
		return Page{}, err
	}
	after, err := decodeToken(token, op)
	if err != nil {
		return Page{}, err
	}
	return Page{IDs: ids, Filters: filters, Max: n, After: after}, nil
}

// nextToken is the token of the page after the one ending at last.
func nextToken(op string, more bool, last string) string {
	if !more {
		return ""
	}
	return encodeToken(op, last)
}

// ---- VPCs ----

type encryptionControl struct {
	Mode                               *string `required:"true" enum:"monitor,enforce"`
	InternetGatewayExclusion           string  `enum:"enable,disable"`
	EgressOnlyInternetGatewayExclusion string  `enum:"enable,disable"`
	NatGatewayExclusion                string  `enum:"enable,disable"`
	VirtualPrivateGatewayExclusion     string  `enum:"enable,disable"`
	VpcPeeringExclusion                string  `enum:"enable,disable"`
	LambdaExclusion                    string  `enum:"enable,disable"`
	VpcLatticeExclusion                string  `enum:"enable,disable"`
	ElasticFileSystemExclusion         string  `enum:"enable,disable"`
}

type createVpcInput struct {
	Request
	CidrBlock            string
	InstanceTenancy      string             `enum:"default,dedicated,host"`
	VpcEncryptionControl *encryptionControl // accepted, not emulated
	TagSpecifications    []tagSpec          `query:"TagSpecification"`
	// accepted, not emulated (typed, so a malformed value is refused)
	AmazonProvidedIpv6CidrBlock boolean
	Ipv4NetmaskLength           *integer
	Ipv6NetmaskLength           *integer
}

type createVpcResult struct {
	Vpc vpcXML `xml:"vpc"`
}

func (s *Service) createVpc(c *awsproto.Call, in *createVpcInput) (createVpcResult, error) {
	tags, err := tagSpecs(in.TagSpecifications, "vpc")
	if err != nil {
		return createVpcResult{}, err
	}
	if in.CidrBlock == "" {
		return createVpcResult{}, missingParameter("cidrBlock")
	}
	v, err := s.store.CreateVpc(c.Region, in.CidrBlock, in.InstanceTenancy, tags)
	if err != nil {
		return createVpcResult{}, err
	}
	return createVpcResult{s.vpcOut(v)}, nil
}

type describeVpcsInput struct {
	Request
	Filters    []Filter `query:"Filter"`
	VpcIds     []string `query:"VpcId"`
	NextToken  string
	MaxResults *string
}

type describeVpcsResult struct {
	VpcSet    []vpcXML `xml:"vpcSet>item"`
	NextToken string   `xml:"nextToken,omitempty"`
}

func (s *Service) describeVpcs(c *awsproto.Call, in *describeVpcsInput) (describeVpcsResult, error) {
	q, err := pageQuery("DescribeVpcs", in.VpcIds, "vpcIds", in.Filters, in.MaxResults, in.NextToken)
	if err != nil {
		return describeVpcsResult{}, err
	}
	vpcs, more, err := s.store.DescribeVpcs(c.Region, q)
	if err != nil {
		return describeVpcsResult{}, err
	}
	out := describeVpcsResult{VpcSet: make([]vpcXML, len(vpcs))}
	for i, v := range vpcs {
		out.VpcSet[i] = s.vpcOut(v)
	}
	if more {
		out.NextToken = nextToken("DescribeVpcs", more, vpcs[len(vpcs)-1].ID)
	}
	return out, nil
}

type deleteVpcInput struct {
	Request
	VpcId string `required:"true"`
}

type emptyResult struct{}

func (s *Service) deleteVpc(c *awsproto.Call, in *deleteVpcInput) (emptyResult, error) {
	return emptyResult{}, s.store.DeleteVpc(c.Region, in.VpcId)
}

// attributeBoolean is an AttributeBooleanValue: Name.Value.
type attributeBoolean struct {
	Value *boolean
}

func (a *attributeBoolean) get() *bool {
	if a == nil || a.Value == nil {
		return nil
	}
	b := bool(*a.Value)
	return &b
}

type modifyVpcAttributeInput struct {
	Request
	VpcId                            string `required:"true"`
	EnableDnsHostnames               *attributeBoolean
	EnableDnsSupport                 *attributeBoolean
	EnableNetworkAddressUsageMetrics *attributeBoolean
}

func (in *modifyVpcAttributeInput) Validate() error {
	set := 0
	for _, a := range []*attributeBoolean{in.EnableDnsHostnames, in.EnableDnsSupport, in.EnableNetworkAddressUsageMetrics} {
		if a.get() != nil {
			set++
		}
	}
	if set != 1 {
		return errInvalidParameter.New("Exactly one attribute must be specified.")
	}
	return nil
}

func (s *Service) modifyVpcAttribute(c *awsproto.Call, in *modifyVpcAttributeInput) (emptyResult, error) {
	err := s.store.ModifyVpcAttribute(c.Region, in.VpcId, VpcAttributes{
		DNSSupport: in.EnableDnsSupport.get(), DNSHostnames: in.EnableDnsHostnames.get(),
		AddressUsageMetrics: in.EnableNetworkAddressUsageMetrics.get()})
	return emptyResult{}, err
}

type describeVpcAttributeInput struct {
	Request
	Attribute string `required:"true" enum:"enableDnsSupport,enableDnsHostnames,enableNetworkAddressUsageMetrics"`
	VpcId     string `required:"true"`
}

type attributeBooleanXML struct {
	Value bool `xml:"value"`
}

type describeVpcAttributeResult struct {
	VpcID                            string               `xml:"vpcId"`
	EnableDnsHostnames               *attributeBooleanXML `xml:"enableDnsHostnames,omitempty"`
	EnableDnsSupport                 *attributeBooleanXML `xml:"enableDnsSupport,omitempty"`
	EnableNetworkAddressUsageMetrics *attributeBooleanXML `xml:"enableNetworkAddressUsageMetrics,omitempty"`
}

func (s *Service) describeVpcAttribute(c *awsproto.Call, in *describeVpcAttributeInput) (describeVpcAttributeResult, error) {
	v, err := s.store.GetVpc(c.Region, in.VpcId)
	if err != nil {
		return describeVpcAttributeResult{}, err
	}
	out := describeVpcAttributeResult{VpcID: v.ID}
	switch in.Attribute {
	case "enableDnsHostnames":
		out.EnableDnsHostnames = &attributeBooleanXML{v.DNSHostnames}
	case "enableDnsSupport":
		out.EnableDnsSupport = &attributeBooleanXML{v.DNSSupport}
	default:
		out.EnableNetworkAddressUsageMetrics = &attributeBooleanXML{v.AddressUsageMetrics}
	}
	return out, nil
}

// ---- subnets ----

type createSubnetInput struct {
	Request
	VpcId              string `required:"true"`
	CidrBlock          string
	AvailabilityZone   string
	AvailabilityZoneId string
	TagSpecifications  []tagSpec `query:"TagSpecification"`
	// accepted, not emulated (typed, so a malformed value is refused)
	Ipv4NetmaskLength *integer
	Ipv6NetmaskLength *integer
	Ipv6Native        boolean
}

type createSubnetResult struct {
	Subnet subnetXML `xml:"subnet"`
}

func (s *Service) createSubnet(c *awsproto.Call, in *createSubnetInput) (createSubnetResult, error) {
	tags, err := tagSpecs(in.TagSpecifications, "subnet")
	if err != nil {
		return createSubnetResult{}, err
	}
	if in.CidrBlock == "" {
		return createSubnetResult{}, missingParameter("cidrBlock")
	}
	zone := in.AvailabilityZone
	if zone == "" && in.AvailabilityZoneId != "" {
		for _, z := range zoneSuffixes {
			if zoneID(c.Region, c.Region+z) == in.AvailabilityZoneId {
				zone = c.Region + z
			}
		}
		if zone == "" {
			return createSubnetResult{}, errInvalidParameter.Errorf("Value (%s) for parameter availabilityZoneId is invalid. Subnets can currently only be created in the following availability zones: %s.", in.AvailabilityZoneId, zoneList(c.Region, true))
		}
	}
	if zone != "" && !contains(zoneNames(c.Region), zone) {
		return createSubnetResult{}, errInvalidParameter.Errorf("Value (%s) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: %s.", zone, zoneList(c.Region, false))
	}
	sn, err := s.store.CreateSubnet(c.Region, in.VpcId, in.CidrBlock, zone, tags)
	if err != nil {
		return createSubnetResult{}, err
	}
	return createSubnetResult{s.subnetOut(c.Region, sn)}, nil
}

func zoneNames(region string) []string {
	out := make([]string, len(zoneSuffixes))
	for i, z := range zoneSuffixes {
		out[i] = region + z
	}
	return out
}

func zoneList(region string, ids bool) string {
	out := ""
	for i, z := range zoneNames(region) {
		if i > 0 {
			out += ", "
		}
		if ids {
			z = zoneID(region, z)
		}
		out += z
	}
	return out
}

type describeSubnetsInput struct {
	Request
	Filters    []Filter `query:"Filter"`
	SubnetIds  []string `query:"SubnetId"`
	NextToken  string
	MaxResults *string
}

type describeSubnetsResult struct {
	SubnetSet []subnetXML `xml:"subnetSet>item"`
	NextToken string      `xml:"nextToken,omitempty"`
}

func (s *Service) describeSubnets(c *awsproto.Call, in *describeSubnetsInput) (describeSubnetsResult, error) {
	q, err := pageQuery("DescribeSubnets", in.SubnetIds, "subnetIds", in.Filters, in.MaxResults, in.NextToken)
	if err != nil {
		return describeSubnetsResult{}, err
	}
	subnets, more, err := s.store.DescribeSubnets(c.Region, q)
	if err != nil {
		return describeSubnetsResult{}, err
	}
	out := describeSubnetsResult{SubnetSet: make([]subnetXML, len(subnets))}
	for i, sn := range subnets {
		out.SubnetSet[i] = s.subnetOut(c.Region, sn)
	}
	if more {
		out.NextToken = nextToken("DescribeSubnets", more, subnets[len(subnets)-1].ID)
	}
	return out, nil
}

type deleteSubnetInput struct {
	Request
	SubnetId string `required:"true"`
}

func (s *Service) deleteSubnet(c *awsproto.Call, in *deleteSubnetInput) (emptyResult, error) {
	return emptyResult{}, s.store.DeleteSubnet(c.Region, in.SubnetId)
}

type modifySubnetAttributeInput struct {
	Request
	SubnetId                       string `required:"true"`
	MapPublicIpOnLaunch            *attributeBoolean
	AssignIpv6AddressOnCreation    *attributeBoolean // accepted, not emulated
	PrivateDnsHostnameTypeOnLaunch string            `enum:"ip-name,resource-name"`
	EnableLniAtDeviceIndex         *integer          // accepted, not emulated (typed, so a malformed value is refused)
}

func (s *Service) modifySubnetAttribute(c *awsproto.Call, in *modifySubnetAttributeInput) (emptyResult, error) {
	return emptyResult{}, s.store.ModifySubnetAttribute(c.Region, in.SubnetId, in.MapPublicIpOnLaunch.get())
}
