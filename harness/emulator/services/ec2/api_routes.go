package ec2

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- internet gateways ----

type igwAttachmentXML struct {
	State string `xml:"state"`
	VpcID string `xml:"vpcId"`
}

type internetGatewayXML struct {
	InternetGatewayID string             `xml:"internetGatewayId"`
	OwnerID           string             `xml:"ownerId"`
	AttachmentSet     []igwAttachmentXML `xml:"attachmentSet>item"`
	TagSet            []tagXML           `xml:"tagSet>item"`
}

func (s *Service) gatewayOut(g InternetGateway) internetGatewayXML {
	x := internetGatewayXML{InternetGatewayID: g.ID, OwnerID: s.env.Account, TagSet: tagsOut(g.Tags)}
	if g.VpcID != "" {
		x.AttachmentSet = []igwAttachmentXML{{"available", g.VpcID}}
	}
	return x
}

type createInternetGatewayInput struct {
	Request
	TagSpecifications []tagSpec `query:"TagSpecification"`
}

type createInternetGatewayResult struct {
	InternetGateway internetGatewayXML `xml:"internetGateway"`
}

func (s *Service) createInternetGateway(c *awsproto.Call, in *createInternetGatewayInput) (createInternetGatewayResult, error) {
	tags, err := tagSpecs(in.TagSpecifications, "internet-gateway")
	if err != nil {
		return createInternetGatewayResult{}, err
	}
	g, err := s.store.CreateInternetGateway(c.Region, tags)
	if err != nil {
		return createInternetGatewayResult{}, err
	}
	return createInternetGatewayResult{s.gatewayOut(g)}, nil
}

type gatewayAttachmentInput struct {
	Request
	InternetGatewayId string `required:"true"`
	VpcId             string `required:"true"`
}

func (s *Service) attachInternetGateway(c *awsproto.Call, in *gatewayAttachmentInput) (emptyResult, error) {
	return emptyResult{}, s.store.AttachInternetGateway(c.Region, in.InternetGatewayId, in.VpcId)
}

func (s *Service) detachInternetGateway(c *awsproto.Call, in *gatewayAttachmentInput) (emptyResult, error) {
	return emptyResult{}, s.store.DetachInternetGateway(c.Region, in.InternetGatewayId, in.VpcId)
}

type deleteInternetGatewayInput struct {
	Request
	InternetGatewayId string `required:"true"`
}

func (s *Service) deleteInternetGateway(c *awsproto.Call, in *deleteInternetGatewayInput) (emptyResult, error) {
	return emptyResult{}, s.store.DeleteInternetGateway(c.Region, in.InternetGatewayId)
}

type describeInternetGatewaysInput struct {
	Request
	InternetGatewayIds []string `query:"InternetGatewayId"`
	Filters            []Filter `query:"Filter"`
	NextToken          string
	MaxResults         *string
}

type describeInternetGatewaysResult struct {
	InternetGatewaySet []internetGatewayXML `xml:"internetGatewaySet>item"`
	NextToken          string               `xml:"nextToken,omitempty"`
}

func (s *Service) describeInternetGateways(c *awsproto.Call, in *describeInternetGatewaysInput) (describeInternetGatewaysResult, error) {
	q, err := pageQuery("DescribeInternetGateways", in.InternetGatewayIds, "internetGatewayIds", in.Filters, in.MaxResults, in.NextToken)
	if err != nil {
		return describeInternetGatewaysResult{}, err
	}
	gws, more, err := s.store.DescribeInternetGateways(c.Region, q)
	if err != nil {
		return describeInternetGatewaysResult{}, err
	}
	out := describeInternetGatewaysResult{InternetGatewaySet: make([]internetGatewayXML, len(gws))}
	for i, g := range gws {
		out.InternetGatewaySet[i] = s.gatewayOut(g)
	}
	if more {
		out.NextToken = nextToken("DescribeInternetGateways", more, gws[len(gws)-1].ID)
	}
	return out, nil
}

// ---- route tables ----

type assocStateXML struct {
	State string `xml:"state"`
}

type associationXML struct {
	Main                    bool          `xml:"main"`
	RouteTableAssociationID string        `xml:"routeTableAssociationId"`
	RouteTableID            string        `xml:"routeTableId"`
	SubnetID                string        `xml:"subnetId,omitempty"`
	AssociationState        assocStateXML `xml:"associationState"`
}

type routeXML struct {
	DestinationCidrBlock   string `xml:"destinationCidrBlock"`
	GatewayID              string `xml:"gatewayId,omitempty"`
	InstanceID             string `xml:"instanceId,omitempty"`
	NatGatewayID           string `xml:"natGatewayId,omitempty"`
	NetworkInterfaceID     string `xml:"networkInterfaceId,omitempty"`
	VpcPeeringConnectionID string `xml:"vpcPeeringConnectionId,omitempty"`
	TransitGatewayID       string `xml:"transitGatewayId,omitempty"`
	State                  string `xml:"state"`
	Origin                 string `xml:"origin"`
}

type routeTableXML struct {
	RouteTableID   string           `xml:"routeTableId"`
	VpcID          string           `xml:"vpcId"`
	OwnerID        string           `xml:"ownerId"`
	RouteSet       []routeXML       `xml:"routeSet>item"`
	AssociationSet []associationXML `xml:"associationSet>item"`
	TagSet         []tagXML         `xml:"tagSet>item"`
}

func (s *Service) tableOut(t RouteTable) routeTableXML {
	x := routeTableXML{RouteTableID: t.ID, VpcID: t.VpcID, OwnerID: s.env.Account, TagSet: tagsOut(t.Tags)}
	for _, r := range t.Routes {
		rx := routeXML{DestinationCidrBlock: r.Destination, State: "active", Origin: r.Origin}
		switch r.TargetKind {
		case "gateway":
			rx.GatewayID = r.Target
		case "instance":
			rx.InstanceID = r.Target
		case "nat-gateway":
			rx.NatGatewayID = r.Target
		case "network-interface":
			rx.NetworkInterfaceID = r.Target
		case "vpc-peering-connection":
			rx.VpcPeeringConnectionID = r.Target
		case "transit-gateway":
			rx.TransitGatewayID = r.Target
		}
		x.RouteSet = append(x.RouteSet, rx)
	}
	for _, a := range t.Associations {
		x.AssociationSet = append(x.AssociationSet, associationXML{a.Main, a.ID, t.ID, a.SubnetID, assocStateXML{"associated"}})
	}
	return x
}

type createRouteTableInput struct {
	Request
	VpcId             string `required:"true"`
	ClientToken       string
	TagSpecifications []tagSpec `query:"TagSpecification"`
}

type createRouteTableResult struct {
	RouteTable  routeTableXML `xml:"routeTable"`
	ClientToken string        `xml:"clientToken,omitempty"`
}

func (s *Service) createRouteTable(c *awsproto.Call, in *createRouteTableInput) (createRouteTableResult, error) {
	tags, err := tagSpecs(in.TagSpecifications, "route-table")
	if err != nil {
		return createRouteTableResult{}, err
	}
	t, err := s.store.CreateRouteTable(c.Region, in.VpcId, tags)
	if err != nil {
		return createRouteTableResult{}, err
	}
	return createRouteTableResult{s.tableOut(t), in.ClientToken}, nil
}

type deleteRouteTableInput struct {
	Request
	RouteTableId string `required:"true"`
}

func (s *Service) deleteRouteTable(c *awsproto.Call, in *deleteRouteTableInput) (emptyResult, error) {
	return emptyResult{}, s.store.DeleteRouteTable(c.Region, in.RouteTableId)
}

type describeRouteTablesInput struct {
	Request
	RouteTableIds []string `query:"RouteTableId"`
	Filters       []Filter `query:"Filter"`
	NextToken     string
	MaxResults    *string
}

type describeRouteTablesResult struct {
	RouteTableSet []routeTableXML `xml:"routeTableSet>item"`
	NextToken     string          `xml:"nextToken,omitempty"`
}

func (s *Service) describeRouteTables(c *awsproto.Call, in *describeRouteTablesInput) (describeRouteTablesResult, error) {
	q, err := pageQueryUpTo("DescribeRouteTables", in.RouteTableIds, "routeTableIds", in.Filters, in.MaxResults, in.NextToken, 100)
	if err != nil {
		return describeRouteTablesResult{}, err
	}
	tables, more, err := s.store.DescribeRouteTables(c.Region, q)
	if err != nil {
		return describeRouteTablesResult{}, err
	}
	out := describeRouteTablesResult{RouteTableSet: make([]routeTableXML, len(tables))}
	for i, t := range tables {
		out.RouteTableSet[i] = s.tableOut(t)
	}
	if more {
		out.NextToken = nextToken("DescribeRouteTables", more, tables[len(tables)-1].ID)
	}
	return out, nil
}

type associateRouteTableInput struct {
	Request
	RouteTableId string `required:"true"`
	SubnetId     string
	GatewayId    string
}

type associateRouteTableResult struct {
	AssociationID    string        `xml:"associationId"`
	AssociationState assocStateXML `xml:"associationState"`
}

func (s *Service) associateRouteTable(c *awsproto.Call, in *associateRouteTableInput) (associateRouteTableResult, error) {
	if in.SubnetId == "" {
		if in.GatewayId != "" {
			return associateRouteTableResult{}, errInvalidParameter.New("Gateway route table associations are not supported by this emulator.")
		}
		return associateRouteTableResult{}, missingParameter("subnetId")
	}
	id, err := s.store.AssociateRouteTable(c.Region, in.RouteTableId, in.SubnetId)
	if err != nil {
		return associateRouteTableResult{}, err
	}
	return associateRouteTableResult{id, assocStateXML{"associated"}}, nil
}

type disassociateRouteTableInput struct {
	Request
	AssociationId string `required:"true"`
}

func (s *Service) disassociateRouteTable(c *awsproto.Call, in *disassociateRouteTableInput) (emptyResult, error) {
	return emptyResult{}, s.store.DisassociateRouteTable(c.Region, in.AssociationId)
}

type routeInput struct {
	Request
	RouteTableId                string `required:"true"`
	DestinationCidrBlock        string
	DestinationIpv6CidrBlock    string
	DestinationPrefixListId     string
	GatewayId                   string
	InstanceId                  string
	NatGatewayId                string
	NetworkInterfaceId          string
	VpcPeeringConnectionId      string
	TransitGatewayId            string
	EgressOnlyInternetGatewayId string
}

// target returns the one target the request names.
func (in *routeInput) target() (RouteTarget, error) {
	var out []RouteTarget
	for _, t := range []RouteTarget{{"gateway", in.GatewayId}, {"instance", in.InstanceId}, {"nat-gateway", in.NatGatewayId},
		{"network-interface", in.NetworkInterfaceId}, {"vpc-peering-connection", in.VpcPeeringConnectionId},
		{"transit-gateway", in.TransitGatewayId}, {"gateway", in.EgressOnlyInternetGatewayId}} {
		if t.ID != "" {
			out = append(out, t)
		}
	}
	switch len(out) {
	case 0:
		return RouteTarget{}, missingParameter("target")
	case 1:
		return out[0], nil
	}
	return RouteTarget{}, errInvalidParameter.New("The parameter combination is not valid: exactly one route target must be specified.")
}

// destination is the IPv4 destination the route tables here hold.
func (in *routeInput) destination() (string, error) {
	if in.DestinationCidrBlock == "" {
		if in.DestinationIpv6CidrBlock != "" || in.DestinationPrefixListId != "" {
			return "", errInvalidParameter.New("Only IPv4 destinations are supported by this emulator.")
		}
		return "", missingParameter("destinationCidrBlock")
	}
	return in.DestinationCidrBlock, nil
}

func (s *Service) createRoute(c *awsproto.Call, in *routeInput) (returnResult, error) {
	dest, err := in.destination()
	if err != nil {
		return returnResult{}, err
	}
	target, err := in.target()
	if err != nil {
		return returnResult{}, err
	}
	if err := s.store.CreateRoute(c.Region, in.RouteTableId, dest, target, false); err != nil {
		return returnResult{}, err
	}
	return returnResult{true}, nil
}

// replaceRouteInput is routeInput and what only ReplaceRoute takes.
type replaceRouteInput struct {
	routeInput
	LocalTarget boolean // accepted, not emulated (typed, so a malformed value is refused)
}

func (s *Service) replaceRoute(c *awsproto.Call, in *replaceRouteInput) (emptyResult, error) {
	dest, err := in.destination()
	if err != nil {
		return emptyResult{}, err
	}
	target, err := in.target()
	if err != nil {
		return emptyResult{}, err
	}
	return emptyResult{}, s.store.CreateRoute(c.Region, in.RouteTableId, dest, target, true)
}

type deleteRouteInput struct {
	Request
	RouteTableId             string `required:"true"`
	DestinationCidrBlock     string
	DestinationIpv6CidrBlock string
	DestinationPrefixListId  string
}

func (s *Service) deleteRoute(c *awsproto.Call, in *deleteRouteInput) (emptyResult, error) {
	if in.DestinationCidrBlock == "" {
		return emptyResult{}, missingParameter("destinationCidrBlock")
	}
	return emptyResult{}, s.store.DeleteRoute(c.Region, in.RouteTableId, in.DestinationCidrBlock)
}
