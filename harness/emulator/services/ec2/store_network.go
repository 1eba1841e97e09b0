package ec2

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Networking limits (AWS's default quotas, enforced so memory stays bounded).
const (
	maxVpcs          = 5   // VPCs per region
	maxSubnets       = 200 // subnets per VPC
	maxGroups        = 2500
	maxRulesPerGroup = 60 // inbound, and outbound, each
)

// zoneSuffixes are the availability zones of every region, as
// DescribeAvailabilityZones lists them.
var zoneSuffixes = []string{"a", "b", "c"}

// Vpc is a VPC: stored and described; no packets are routed through it.
type Vpc struct {
	ID, CidrBlock, CidrAssociationID, Tenancy, DhcpOptionsID string
	IsDefault                                                bool
	DNSSupport, DNSHostnames, AddressUsageMetrics            bool
	Tags                                                     []Tag
}

// Subnet is a subnet of a VPC.
type Subnet struct {
	ID, VpcID, CidrBlock, Zone string
	DefaultForAz, MapPublicIP  bool
	Tags                       []Tag
	prefix                     netip.Prefix
}

// Rule is one security group rule: a protocol, a port range and one peer.
type Rule struct {
	ID                                          string
	GroupID                                     string
	Egress                                      bool
	Protocol                                    string // "-1", "tcp", "udp", "icmp", "icmpv6" or a number
	From, To                                    int    // -1 where the protocol has no ports
	CidrIPv4, CidrIPv6, PrefixListID, PeerGroup string
	Description                                 string
	Tags                                        []Tag
}

// peer is what makes two rules of a group with the same ports the same rule.
func (r *Rule) peer() string {
	return r.CidrIPv4 + "|" + r.CidrIPv6 + "|" + r.PrefixListID + "|" + r.PeerGroup
}

func (r *Rule) sameAs(o *Rule) bool {
	return r.Egress == o.Egress && r.Protocol == o.Protocol && r.From == o.From && r.To == o.To && r.peer() == o.peer()
}

// SecurityGroup is a security group with its rules (stored and described;
// nothing filters traffic by them).
type SecurityGroup struct {
	ID, Name, Description, VpcID string
	Tags                         []Tag
	Rules                        []*Rule
}

// network is a region's networking state, guarded by the region's lock.
type network struct {
	ready    bool
	vpcs     map[string]*Vpc
	subnets  map[string]*Subnet
	groups   map[string]*SecurityGroup
	gateways map[string]*InternetGateway
	tables   map[string]*RouteTable
	volumes  map[string]*Volume
}

// hashID derives a stable resource ID from a seed (default resources).
func hashID(prefix, seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return prefix + hex.EncodeToString(sum[:9])[:17]
}

// net returns the region's network, creating the default VPC (172.31.0.0/16,
// one /20 subnet per zone, its default security group) on first use; r.mu
// held for writing.
func (r *region) net() *network {
	n := &r.network
	if n.ready {
		return n
	}
	n.ready = true
	n.vpcs, n.subnets, n.groups = map[string]*Vpc{}, map[string]*Subnet{}, map[string]*SecurityGroup{}
	n.gateways, n.tables, n.volumes = map[string]*InternetGateway{}, map[string]*RouteTable{}, map[string]*Volume{}
	vpcID, subnetA, sgID := defaultVPC(r.name)
	n.vpcs[vpcID] = &Vpc{ID: vpcID, CidrBlock: "172.31.0.0/16", CidrAssociationID: hashID("vpc-cidr-assoc-", r.name),
		Tenancy: "default", DhcpOptionsID: hashID("dopt-", r.name), IsDefault: true, DNSSupport: true, DNSHostnames: true}
	for i, z := range zoneSuffixes {
		id := subnetA
		if i > 0 {
			id = hashID("subnet-", r.name+z)
		}
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{172, 31, byte(16 * i), 0}), 20)
		n.subnets[id] = &Subnet{ID: id, VpcID: vpcID, CidrBlock: p.String(), Zone: r.name + z, DefaultForAz: true,
			MapPublicIP: true, prefix: p}
	}
	n.groups[sgID] = defaultGroup(sgID, vpcID)
	igw := hashID("igw-", r.name)
	n.gateways[igw] = &InternetGateway{ID: igw, VpcID: vpcID}
	main := n.mainTable(hashID("rtb-", r.name), hashID("rtbassoc-", r.name), n.vpcs[vpcID])
	main.Routes = append(main.Routes, Route{Destination: "0.0.0.0/0", Target: igw, TargetKind: "gateway", Origin: "CreateRoute"})
	return n
}

// defaultGroup is a VPC's default security group: all traffic from its own
// members in, everything out.
func defaultGroup(id, vpcID string) *SecurityGroup {
	return &SecurityGroup{ID: id, Name: "default", Description: "default VPC security group", VpcID: vpcID,
		Rules: []*Rule{
			{ID: hashID("sgr-", id+"in"), GroupID: id, Protocol: "-1", From: -1, To: -1, PeerGroup: id},
			{ID: hashID("sgr-", id+"out"), GroupID: id, Egress: true, Protocol: "-1", From: -1, To: -1, CidrIPv4: "0.0.0.0/0"},
		}}
}

// ---- VPCs ----

// parseCIDR reads an IPv4 CIDR block as EC2 does: the address is masked
// to its network.
func parseCIDR(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, errInvalidParameter.Errorf("Value (%s) for parameter cidrBlock is invalid. This is not a valid CIDR block.", s)
	}
	return p.Masked(), nil
}

// CreateVpc creates a VPC with its default security group.
func (s *Store) CreateVpc(regionName, cidr, tenancy string, tags []Tag) (Vpc, error) {
	p, err := parseCIDR(cidr)
	if err != nil {
		return Vpc{}, err
	}
	if p.Bits() < 16 || p.Bits() > 28 {
		return Vpc{}, errVpcRange.Errorf("The CIDR '%s' is invalid.", cidr)
	}
	if err := validNewTags(tags); err != nil {
		return Vpc{}, err
	}
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.net()
	if len(n.vpcs) >= maxVpcs {
		return Vpc{}, errVpcLimit.New("The maximum number of VPCs has been reached.")
	}
	if tenancy == "" {
		tenancy = "default"
	}
	v := &Vpc{ID: s.newID("vpc-"), CidrBlock: p.String(), CidrAssociationID: s.newID("vpc-cidr-assoc-"), Tenancy: tenancy,
		DhcpOptionsID: hashID("dopt-", r.name), DNSSupport: true, Tags: slices.Clone(tags)}
	n.vpcs[v.ID] = v
	sg := defaultGroup(s.newID("sg-"), v.ID)
	sg.Description = "default VPC security group"
	n.groups[sg.ID] = sg
	n.mainTable(s.newID("rtb-"), s.newID("rtbassoc-"), v)
	return cloneVpc(v), nil
}

func cloneVpc(v *Vpc) Vpc {
	out := *v
	out.Tags = slices.Clone(v.Tags)
	return out
}

func (n *network) vpc(id string) (*Vpc, error) {
	if v := n.vpcs[id]; v != nil {
		return v, nil
	}
	return nil, errVpcNotFound.Errorf("The vpc ID '%s' does not exist", id)
}

var vpcFilters = map[string]bool{"vpc-id": true, "cidr": true, "cidr-block-association.cidr-block": true,
	"cidr-block-association.association-id": true, "cidr-block-association.state": true, "is-default": true,
	"state": true, "owner-id": true, "dhcp-options-id": true}

// Page is one page of a Describe call over resources ordered by ID.
type Page struct {
	IDs     []string
	Filters []Filter
	Max     int    // 0: the default page
	After   string // resume after this ID
}

// DescribeVpcs returns a page of VPCs ordered by ID and whether more follow.
func (s *Store) DescribeVpcs(regionName string, q Page) ([]Vpc, bool, error) {
	return describeIn(s, regionName, q, vpcFilters, func(n *network) map[string]*Vpc { return n.vpcs },
		func(missing []string) error { return notFound(errVpcNotFound, "vpc", missing) },
		func(r *region, v *Vpc) (fieldsOf, []Tag) {
			fields := func(name string) []string {
				switch name {
				case "vpc-id":
					return []string{v.ID}
				case "cidr", "cidr-block-association.cidr-block":
					return []string{v.CidrBlock}
				case "cidr-block-association.association-id":
					return []string{v.CidrAssociationID}
				case "cidr-block-association.state", "state":
					if name == "state" {
						return []string{"available"}
					}
					return []string{"associated"}
				case "is-default":
					return []string{strconv.FormatBool(v.IsDefault)}
				case "owner-id":
					return []string{s.env.Account}
				case "dhcp-options-id":
					return []string{v.DhcpOptionsID}
				}
				return nil
			}
			return fields, v.Tags
		}, cloneVpc)
}

// DeleteVpc deletes a VPC that has no subnets and no security groups but
// its default one.
func (s *Store) DeleteVpc(regionName, id string) error {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.net()
	if _, err := n.vpc(id); err != nil {
		return err
	}
	for _, sn := range n.subnets {
		if sn.VpcID == id {
			return errDependency.Errorf("The vpc '%s' has dependencies and cannot be deleted.", id)
		}
	}
	for _, g := range n.groups {
		if g.VpcID == id && g.Name != "default" {
			return errDependency.Errorf("The vpc '%s' has dependencies and cannot be deleted.", id)
		}
	}
	for _, g := range n.gateways {
		if g.VpcID == id {
			return errDependency.Errorf("The vpc '%s' has dependencies and cannot be deleted.", id)
		}
	}
	for _, t := range n.tables {
		if t.VpcID == id && !(len(t.Associations) == 1 && t.Associations[0].Main) {
			return errDependency.Errorf("The vpc '%s' has dependencies and cannot be deleted.", id)
		}
	}
	for gid, g := range n.groups {
		if g.VpcID == id {
			delete(n.groups, gid)
		}
	}
	for tid, t := range n.tables {
		if t.VpcID == id {
			delete(n.tables, tid)
		}
	}
	delete(n.vpcs, id)
	return nil
}

// VpcAttributes are the attributes ModifyVpcAttribute sets; nil leaves one.
type VpcAttributes struct {
	DNSSupport, DNSHostnames, AddressUsageMetrics *bool
}

// ModifyVpcAttribute sets a VPC's DNS attributes.
func (s *Store) ModifyVpcAttribute(regionName, id string, a VpcAttributes) error {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	v, err := r.net().vpc(id)
	if err != nil {
		return err
	}
	if a.DNSSupport != nil {
		v.DNSSupport = *a.DNSSupport
	}
	if a.DNSHostnames != nil {
		v.DNSHostnames = *a.DNSHostnames
	}
	if a.AddressUsageMetrics != nil {
		v.AddressUsageMetrics = *a.AddressUsageMetrics
	}
	return nil
}

// GetVpc returns one VPC.
func (s *Store) GetVpc(regionName, id string) (Vpc, error) {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	v, err := r.net().vpc(id)
	if err != nil {
		return Vpc{}, err
	}
	return cloneVpc(v), nil
}

// ---- subnets ----

// CreateSubnet creates a subnet inside its VPC's block, overlapping none
// of the VPC's other subnets.
func (s *Store) CreateSubnet(regionName, vpcID, cidr, zone string, tags []Tag) (Subnet, error) {
	p, err := parseCIDR(cidr)
	if err != nil {
		return Subnet{}, err
	}
	if err := validNewTags(tags); err != nil {
		return Subnet{}, err
	}
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.net()
	v, err := n.vpc(vpcID)
	if err != nil {
		return Subnet{}, err
	}
	vp := netip.MustParsePrefix(v.CidrBlock)
	if p.Bits() < 16 || p.Bits() > 28 || p.Bits() < vp.Bits() || !vp.Contains(p.Addr()) {
		return Subnet{}, errSubnetRange.Errorf("The CIDR '%s' is invalid.", cidr)
	}
	count := 0
	for _, sn := range n.subnets {
		if sn.VpcID != vpcID {
			continue
		}
		count++
		if sn.prefix.Overlaps(p) {
			return Subnet{}, errSubnetConflict.Errorf("The CIDR '%s' conflicts with another subnet", cidr)
		}
	}
	if count >= maxSubnets {
		return Subnet{}, errSubnetLimit.New("The maximum number of subnets has been reached.")
	}
	if zone == "" {
		zone = r.name + zoneSuffixes[len(n.subnets)%len(zoneSuffixes)]
	}
	sn := &Subnet{ID: s.newID("subnet-"), VpcID: vpcID, CidrBlock: p.String(), Zone: zone, Tags: slices.Clone(tags), prefix: p}
	n.subnets[sn.ID] = sn
	return cloneSubnet(sn), nil
}

func cloneSubnet(sn *Subnet) Subnet {
	out := *sn
	out.Tags = slices.Clone(sn.Tags)
	return out
}

// AvailableIPs is what AvailableIpAddressCount shows: the block less the
// five addresses AWS reserves (instances are not counted).
func (sn *Subnet) AvailableIPs() int { return 1<<(32-sn.prefix.Bits()) - 5 }

var subnetFilters = map[string]bool{"subnet-id": true, "vpc-id": true, "cidr-block": true, "cidr": true, "cidrBlock": true,
	"availability-zone": true, "availabilityZone": true, "availability-zone-id": true, "default-for-az": true,
	"defaultForAz": true, "state": true, "map-public-ip-on-launch": true, "owner-id": true, "subnet-arn": true,
	"available-ip-address-count": true}

// DescribeSubnets returns a page of subnets ordered by ID.
func (s *Store) DescribeSubnets(regionName string, q Page) ([]Subnet, bool, error) {
	return describeIn(s, regionName, q, subnetFilters, func(n *network) map[string]*Subnet { return n.subnets },
		func(missing []string) error { return notFound(errSubnetNotFound, "subnet", missing) },
		func(r *region, sn *Subnet) (fieldsOf, []Tag) {
			fields := func(name string) []string {
				switch name {
				case "subnet-id":
					return []string{sn.ID}
				case "vpc-id":
					return []string{sn.VpcID}
				case "cidr-block", "cidr", "cidrBlock":
					return []string{sn.CidrBlock}
				case "availability-zone", "availabilityZone":
					return []string{sn.Zone}
				case "availability-zone-id":
					return []string{zoneID(r.name, sn.Zone)}
				case "default-for-az", "defaultForAz":
					return []string{strconv.FormatBool(sn.DefaultForAz)}
				case "state":
					return []string{"available"}
				case "map-public-ip-on-launch":
					return []string{strconv.FormatBool(sn.MapPublicIP)}
				case "owner-id":
					return []string{s.env.Account}
				case "subnet-arn":
					return []string{subnetARN(r.name, s.env.Account, sn.ID)}
				case "available-ip-address-count":
					return []string{strconv.Itoa(sn.AvailableIPs())}
				}
				return nil
			}
			return fields, sn.Tags
		}, cloneSubnet)
}

func subnetARN(region, account, id string) string {
	return "arn:aws:ec2:" + region + ":" + account + ":subnet/" + id
}

// zoneID is the zone ID of a zone name ("us-east-1b" → "use1-az2").
func zoneID(region, zone string) string {
	i := slices.Index(zoneSuffixes, strings.TrimPrefix(zone, region))
	return fmt.Sprintf("%s-az%d", zoneIDPrefix(region), i+1)
}

// DeleteSubnet deletes a subnet; the default subnet of the zone instances
// launch into cannot go while instances live in it.
func (s *Store) DeleteSubnet(regionName, id string) error {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.net()
	sn := n.subnets[id]
	if sn == nil {
		return notFound(errSubnetNotFound, "subnet", []string{id})
	}
	if _, subnetA, _ := defaultVPC(r.name); id == subnetA {
		for _, in := range r.order {
			if in.State != StateTerminated {
				return errDependency.Errorf("The subnet '%s' has dependencies and cannot be deleted.", id)
			}
		}
	}
	delete(n.subnets, id)
	for _, t := range n.tables {
		t.Associations = slices.DeleteFunc(t.Associations, func(a Association) bool { return a.SubnetID == id })
	}
	return nil
}

// ModifySubnetAttribute sets MapPublicIpOnLaunch.
func (s *Store) ModifySubnetAttribute(regionName, id string, mapPublic *bool) error {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	sn := r.net().subnets[id]
	if sn == nil {
		return notFound(errSubnetNotFound, "subnet", []string{id})
	}
	if mapPublic != nil {
		sn.MapPublicIP = *mapPublic
	}
	return nil
}

// ---- paging helpers ----

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// missingIDs returns the IDs (in request order, once each) has refuses.
func missingIDs(ids []string, has func(string) bool) []string {
	var missing []string
	for _, id := range ids {
		if !has(id) && !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	return missing
}

// pageOf walks ids (sorted) after q.After, restricted to q.IDs when given,
// and returns the first page of those match keeps, and whether another
// follows.
func pageOf(ids []string, q Page, match func(id string) bool) ([]string, bool) {
	limit := q.Max
	if limit <= 0 {
		limit = defaultPageSize
	}
	var kept []string
	for _, id := range ids {
		if q.After != "" && id <= q.After {
			continue
		}
		if len(q.IDs) > 0 && !slices.Contains(q.IDs, id) {
			continue
		}
		if !match(id) {
			continue
		}
		if len(kept) == limit {
			return kept, true
		}
		kept = append(kept, id)
	}
	return kept, false
}

// describeIn pages the network resources of one kind (set) in ID order
// for a Describe call: q's filters must be among known, every ID it names
// must exist (notFound words the error), and each resource goes through
// its filters (fields, with r's lock held) and is returned as a copy.
func describeIn[R, T any](s *Store, regionName string, q Page, known map[string]bool, set func(*network) map[string]*R,
	notFound func(missing []string) error, fields func(r *region, x *R) (fieldsOf, []Tag), clone func(*R) T) ([]T, bool, error) {
	if bad, ok := checkFilters(q.Filters, known, true); !ok {
		return nil, false, errInvalidParameter.Errorf("The filter '%s' is invalid", bad)
	}
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	m := set(r.net())
	if missing := missingIDs(q.IDs, func(id string) bool { return m[id] != nil }); len(missing) > 0 {
		return nil, false, notFound(missing)
	}
	ids, more := pageOf(sortedKeys(m), q, func(id string) bool {
		f, tags := fields(r, m[id])
		return matchFilters(q.Filters, f, tags)
	})
	out := make([]T, len(ids))
	for i, id := range ids {
		out[i] = clone(m[id])
	}
	return out, more, nil
}
