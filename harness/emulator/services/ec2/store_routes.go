package ec2

import (
	"net/netip"
	"slices"
	"strings"
)

// Limits on gateways and route tables (AWS's default quotas).
const (
	maxGateways       = 5
	maxRouteTables    = 200 // per VPC
	maxRoutesPerTable = 50
)

// InternetGateway is an internet gateway and the VPC it is attached to
// ("" when detached). Nothing is routed through it.
type InternetGateway struct {
	ID, VpcID string
	Tags      []Tag
}

// Route is one route of a route table: a destination and a target.
type Route struct {
	Destination string // an IPv4 CIDR block
	// Target is the gateway ID ("local" for the VPC's own block), or the
	// NAT gateway, instance, network interface or peering connection ID,
	// as TargetKind says.
	Target, TargetKind, Origin string
}

// Association ties a route table to a subnet (or marks it main).
type Association struct {
	ID, SubnetID string
	Main         bool
}

// RouteTable is a route table of a VPC.
type RouteTable struct {
	ID, VpcID    string
	Routes       []Route
	Associations []Association
	Tags         []Tag
}

func cloneTable(t *RouteTable) RouteTable {
	out := *t
	out.Routes = slices.Clone(t.Routes)
	out.Associations = slices.Clone(t.Associations)
	out.Tags = slices.Clone(t.Tags)
	return out
}

// mainTable creates a VPC's main route table with its local route; r.mu held.
func (n *network) mainTable(id, assocID string, v *Vpc) *RouteTable {
	t := &RouteTable{ID: id, VpcID: v.ID,
		Routes:       []Route{{Destination: v.CidrBlock, Target: "local", TargetKind: "gateway", Origin: "CreateRouteTable"}},
		Associations: []Association{{ID: assocID, Main: true}}}
	n.tables[id] = t
	return t
}

// ---- internet gateways ----

// CreateInternetGateway creates a detached gateway.
func (s *Store) CreateInternetGateway(regionName string, tags []Tag) (InternetGateway, error) {
	if err := validNewTags(tags); err != nil {
		return InternetGateway{}, err
	}
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.net()
	if len(n.gateways) >= maxGateways+1 { // the default VPC's does not count
		return InternetGateway{}, errIGWLimit.New("The maximum number of internet gateways has been reached.")
	}
	g := &InternetGateway{ID: s.newID("igw-"), Tags: slices.Clone(tags)}
	n.gateways[g.ID] = g
	return cloneGateway(g), nil
}

func cloneGateway(g *InternetGateway) InternetGateway {
	out := *g
	out.Tags = slices.Clone(g.Tags)
	return out
}

func (n *network) gateway(id string) (*InternetGateway, error) {
	if g := n.gateways[id]; g != nil {
		return g, nil
	}
	return nil, errIGWNotFound.Errorf("The internetGateway ID '%s' does not exist", id)
}

// AttachInternetGateway attaches a gateway to a VPC; each has at most one.
func (s *Store) AttachInternetGateway(regionName, id, vpcID string) error {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.net()
	g, err := n.gateway(id)
	if err != nil {
		return err
	}
	if _, err := n.vpc(vpcID); err != nil {
		return err
	}
	if g.VpcID != "" {
		return errAlreadyAssociated.Errorf("resource %s is already attached to network %s", id, g.VpcID)
	}
	for _, o := range n.gateways {
		if o.VpcID == vpcID {
			return errAlreadyAssociated.Errorf("network %s already has an internet gateway attached", vpcID)
		}
	}
	g.VpcID = vpcID
	return nil
}

// DetachInternetGateway detaches a gateway from the VPC it is attached to.
func (s *Store) DetachInternetGateway(regionName, id, vpcID string) error {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.net()
	g, err := n.gateway(id)
	if err != nil {
		return err
	}
	if _, err := n.vpc(vpcID); err != nil {
		return err
	}
	if g.VpcID != vpcID {
		return errGatewayNotAttached.Errorf("resource %s is not attached to network %s", id, vpcID)
	}
	g.VpcID = ""
	return nil
}

// DeleteInternetGateway deletes a detached gateway.
func (s *Store) DeleteInternetGateway(regionName, id string) error {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.net()
	g, err := n.gateway(id)
	if err != nil {
		return err
	}
	if g.VpcID != "" {
		return errDependency.Errorf("The internetGateway '%s' has dependencies and cannot be deleted.", id)
	}
	delete(n.gateways, id)
	return nil
}

var gatewayFilters = map[string]bool{"internet-gateway-id": true, "attachment.vpc-id": true, "attachment.state": true, "owner-id": true}

// DescribeInternetGateways returns a page of gateways ordered by ID.
func (s *Store) DescribeInternetGateways(regionName string, q Page) ([]InternetGateway, bool, error) {
	return describeIn(s, regionName, q, gatewayFilters, func(n *network) map[string]*InternetGateway { return n.gateways },
		func(missing []string) error { return notFound(errIGWNotFound, "internetGateway", missing) },
		func(r *region, g *InternetGateway) (fieldsOf, []Tag) {
			fields := func(name string) []string {
				switch name {
				case "internet-gateway-id":
					return []string{g.ID}
				case "attachment.vpc-id":
					return []string{g.VpcID}
				case "attachment.state":
					if g.VpcID != "" {
						return []string{"available"}
					}
					return nil
				}
				return []string{s.env.Account}
			}
			return fields, g.Tags
		}, cloneGateway)
}

// ---- route tables ----

func (n *network) table(id string) (*RouteTable, error) {
	if t := n.tables[id]; t != nil {
		return t, nil
	}
	return nil, errRouteTableNotFound.Errorf("The routeTable ID '%s' does not exist", id)
}

// CreateRouteTable creates a route table with the VPC's local route.
func (s *Store) CreateRouteTable(regionName, vpcID string, tags []Tag) (RouteTable, error) {
	if err := validNewTags(tags); err != nil {
		return RouteTable{}, err
	}
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.net()
	v, err := n.vpc(vpcID)
	if err != nil {
		return RouteTable{}, err
	}
	count := 0
	for _, t := range n.tables {
		if t.VpcID == vpcID {
			count++
		}
	}
	if count >= maxRouteTables {
		return RouteTable{}, errRouteTableLimit.New("The maximum number of route tables has been reached.")
	}
	t := &RouteTable{ID: s.newID("rtb-"), VpcID: vpcID, Tags: slices.Clone(tags),
		Routes: []Route{{Destination: v.CidrBlock, Target: "local", TargetKind: "gateway", Origin: "CreateRouteTable"}}}
	n.tables[t.ID] = t
	return cloneTable(t), nil
}

// DeleteRouteTable deletes a route table that is not main and has no
// subnet associations.
func (s *Store) DeleteRouteTable(regionName, id string) error {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.net()
	t, err := n.table(id)
	if err != nil {
		return err
	}
	if len(t.Associations) > 0 {
		return errDependency.Errorf("The routeTable '%s' has dependencies and cannot be deleted.", id)
	}
	delete(n.tables, id)
	return nil
}

var tableFilters = map[string]bool{"route-table-id": true, "vpc-id": true, "association.main": true,
	"association.subnet-id": true, "association.route-table-association-id": true, "association.route-table-id": true,
	"route.destination-cidr-block": true, "route.gateway-id": true, "route.origin": true, "route.state": true, "owner-id": true}

// DescribeRouteTables returns a page of route tables ordered by ID.
func (s *Store) DescribeRouteTables(regionName string, q Page) ([]RouteTable, bool, error) {
	return describeIn(s, regionName, q, tableFilters, func(n *network) map[string]*RouteTable { return n.tables },
		func(missing []string) error { return notFound(errRouteTableNotFound, "routeTable", missing) },
		func(r *region, t *RouteTable) (fieldsOf, []Tag) {
			fields := func(name string) []string {
				var out []string
				switch name {
				case "route-table-id", "association.route-table-id":
					return []string{t.ID}
				case "vpc-id":
					return []string{t.VpcID}
				case "owner-id":
					return []string{s.env.Account}
				case "route.state":
					return []string{"active"}
				}
				for _, a := range t.Associations {
					switch name {
					case "association.main":
						if a.Main {
							out = append(out, "true")
						} else {
							out = append(out, "false")
						}
					case "association.subnet-id":
						out = append(out, a.SubnetID)
					case "association.route-table-association-id":
						out = append(out, a.ID)
					}
				}
				for _, rt := range t.Routes {
					switch name {
					case "route.destination-cidr-block":
						out = append(out, rt.Destination)
					case "route.gateway-id":
						if rt.TargetKind == "gateway" {
							out = append(out, rt.Target)
						}
					case "route.origin":
						out = append(out, rt.Origin)
					}
				}
				return out
			}
			return fields, t.Tags
		}, cloneTable)
}

// AssociateRouteTable ties a subnet of the table's VPC to the table.
func (s *Store) AssociateRouteTable(regionName, tableID, subnetID string) (string, error) {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.net()
	t, err := n.table(tableID)
	if err != nil {
		return "", err
	}
	sn := n.subnets[subnetID]
	if sn == nil {
		return "", notFound(errSubnetNotFound, "subnet", []string{subnetID})
	}
	if sn.VpcID != t.VpcID {
		return "", errInvalidParameter.Errorf("Route table %s and subnet %s belong to different networks", tableID, subnetID)
	}
	for _, o := range n.tables {
		for _, a := range o.Associations {
			if a.SubnetID == subnetID {
				return "", errAlreadyAssociated.Errorf("the specified association for route table %s conflicts with an existing association", tableID)
			}
		}
	}
	a := Association{ID: s.newID("rtbassoc-"), SubnetID: subnetID}
	t.Associations = append(t.Associations, a)
	return a.ID, nil
}

// DisassociateRouteTable removes a subnet association (never the main one).
func (s *Store) DisassociateRouteTable(regionName, assocID string) error {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range r.net().tables {
		for i, a := range t.Associations {
			if a.ID != assocID {
				continue
			}
			if a.Main {
				return errInvalidParameter.Errorf("cannot disassociate the main route table association %s", assocID)
			}
			t.Associations = slices.Delete(t.Associations, i, i+1)
			return nil
		}
	}
	return errAssocNotFound.Errorf("The association ID '%s' does not exist", assocID)
}

// RouteTarget is where a route sends traffic: exactly one of its IDs.
type RouteTarget struct{ Kind, ID string }

// checkTarget checks a gateway target exists and is attached to the
// table's VPC (other kinds are stored as given); r.mu held.
func (n *network) checkTarget(t *RouteTable, target RouteTarget) error {
	if target.Kind != "gateway" || target.ID == "local" {
		return nil
	}
	if !strings.HasPrefix(target.ID, "igw-") {
		return nil // virtual private gateways and the like: stored as given
	}
	g, err := n.gateway(target.ID)
	if err != nil {
		return err
	}
	if g.VpcID != t.VpcID {
		return errInvalidParameter.Errorf("route table %s and network gateway %s belong to different networks", t.ID, target.ID)
	}
	return nil
}

// CreateRoute adds a route; replace changes an existing one instead.
func (s *Store) CreateRoute(regionName, tableID, dest string, target RouteTarget, replace bool) error {
	p, err := netip.ParsePrefix(dest)
	if err != nil || !p.Addr().Is4() {
		return errInvalidParameter.Errorf("Value (%s) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.", dest)
	}
	dest = p.Masked().String()
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.net()
	t, err := n.table(tableID)
	if err != nil {
		return err
	}
	if err := n.checkTarget(t, target); err != nil {
		return err
	}
	i := slices.IndexFunc(t.Routes, func(rt Route) bool { return rt.Destination == dest })
	switch {
	case replace && i < 0:
		return errRouteNotFound.Errorf("There is no route defined for '%s' in the route table. Use CreateRoute instead.", dest)
	case replace:
		t.Routes[i].Target, t.Routes[i].TargetKind = target.ID, target.Kind
		return nil
	case i >= 0:
		return errRouteExists.Errorf("The route identified by %s already exists.", dest)
	case len(t.Routes) >= maxRoutesPerTable:
		return errRouteLimit.New("The maximum number of routes has been reached.")
	}
	t.Routes = append(t.Routes, Route{Destination: dest, Target: target.ID, TargetKind: target.Kind, Origin: "CreateRoute"})
	return nil
}

// DeleteRoute removes a route other than the local one.
func (s *Store) DeleteRoute(regionName, tableID, dest string) error {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	t, err := r.net().table(tableID)
	if err != nil {
		return err
	}
	if p, err := netip.ParsePrefix(dest); err == nil {
		dest = p.Masked().String()
	}
	i := slices.IndexFunc(t.Routes, func(rt Route) bool { return rt.Destination == dest })
	if i < 0 {
		return errRouteNotFound.Errorf("no route with destination-cidr-block %s in route table %s", dest, tableID)
	}
	if t.Routes[i].Target == "local" {
		return errInvalidParameter.Errorf("cannot remove local route %s in route table %s", dest, tableID)
	}
	t.Routes = slices.Delete(t.Routes, i, i+1)
	return nil
}
