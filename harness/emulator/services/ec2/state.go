package ec2

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// stateVersion is the version of the state format below.
const stateVersion = 1

// SavedState is EC2's saved state (version 1; State is an instance's
// state here): every region's instances (in
// launch order), key pairs, and, once a region's network was made, its
// VPCs, subnets, security groups with their rules, internet gateways,
// route tables and volumes. Decoupled from the store's structs, it changes
// only with stateVersion.
//
// Instances' machines (the SSH hosts) are not in a snapshot. An instance
// that had one comes back in the state it was saved in, without it: a
// running one is launched anew as the load finishes (pending, then
// running, with a new SSH port and host key in its groundstack:* tags, and
// the key pair's public key authorized as before); a stopped one gets a
// new machine when it is started. Nothing on the old machine's disk is
// kept. Instances without a machine (no launcher) come back as they were.
//
// Not saved: key pairs' private keys (EC2 keeps none).
type SavedState struct {
	Regions []RegionState `json:"regions"`
}

// RegionState is one region's EC2.
type RegionState struct {
	Region    string          `json:"region"`
	Instances []InstanceState `json:"instances,omitempty"`
	KeyPairs  []KeyPairState  `json:"keyPairs,omitempty"`
	// Network is absent until the region's default VPC was made.
	Network *NetworkState `json:"network,omitempty"`
}

// TagState is a tag.
type TagState struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// InstanceState is an instance.
type InstanceState struct {
	ID                    string          `json:"id"`
	ReservationID         string          `json:"reservationId"`
	ImageID               string          `json:"imageId"`
	InstanceType          string          `json:"instanceType"`
	KeyName               string          `json:"keyName,omitempty"`
	ClientToken           string          `json:"clientToken,omitempty"`
	AvailabilityZone      string          `json:"availabilityZone"`
	LaunchIndex           int             `json:"launchIndex"`
	LaunchTime            time.Time       `json:"launchTime"`
	State                 string          `json:"state"`
	StateReasonCode       string          `json:"stateReasonCode,omitempty"`
	StateReasonMessage    string          `json:"stateReasonMessage,omitempty"`
	TransitionReason      string          `json:"transitionReason,omitempty"`
	PrivateIP             string          `json:"privateIp"`
	Tags                  []TagState      `json:"tags,omitempty"`
	HadMachine            bool            `json:"hadMachine,omitempty"`
	Groups                []GroupRefState `json:"securityGroups,omitempty"`
	DisableAPITermination bool            `json:"disableApiTermination,omitempty"`
	DisableAPIStop        bool            `json:"disableApiStop,omitempty"`
	NoSourceDestCheck     bool            `json:"noSourceDestCheck,omitempty"`
	NoEnaSupport          bool            `json:"noEnaSupport,omitempty"`
	EbsOptimized          bool            `json:"ebsOptimized,omitempty"`
	UserData              string          `json:"userData,omitempty"`
	TerminatedAt          time.Time       `json:"terminatedAt,omitzero"`
	AuthorizedKey         string          `json:"authorizedKey,omitempty"`
	IdleTimeout           time.Duration   `json:"idleTimeoutNs,omitempty"`
	TerminateOnShutdown   bool            `json:"terminateOnShutdown,omitempty"`
}

// GroupRefState names a security group an instance is in.
type GroupRefState struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// KeyPairState is a key pair (its public key only).
type KeyPairState struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Type        string     `json:"type"`
	Fingerprint string     `json:"fingerprint"`
	PublicKey   string     `json:"publicKey"`
	Created     time.Time  `json:"created"`
	Tags        []TagState `json:"tags,omitempty"`
}

// NetworkState is a region's VPCs and what belongs to them.
type NetworkState struct {
	Vpcs           []VpcState        `json:"vpcs"`
	Subnets        []SubnetState     `json:"subnets"`
	SecurityGroups []GroupState      `json:"securityGroups"`
	Gateways       []GatewayState    `json:"internetGateways,omitempty"`
	RouteTables    []RouteTableState `json:"routeTables,omitempty"`
	Volumes        []VolumeState     `json:"volumes,omitempty"`
}

// VpcState is a VPC.
type VpcState struct {
	ID                  string     `json:"id"`
	CidrBlock           string     `json:"cidrBlock"`
	CidrAssociationID   string     `json:"cidrAssociationId"`
	Tenancy             string     `json:"tenancy"`
	DhcpOptionsID       string     `json:"dhcpOptionsId"`
	IsDefault           bool       `json:"isDefault,omitempty"`
	DNSSupport          bool       `json:"dnsSupport,omitempty"`
	DNSHostnames        bool       `json:"dnsHostnames,omitempty"`
	AddressUsageMetrics bool       `json:"addressUsageMetrics,omitempty"`
	Tags                []TagState `json:"tags,omitempty"`
}

// SubnetState is a subnet.
type SubnetState struct {
	ID           string     `json:"id"`
	VpcID        string     `json:"vpcId"`
	CidrBlock    string     `json:"cidrBlock"`
	Zone         string     `json:"availabilityZone"`
	DefaultForAz bool       `json:"defaultForAz,omitempty"`
	MapPublicIP  bool       `json:"mapPublicIpOnLaunch,omitempty"`
	Tags         []TagState `json:"tags,omitempty"`
}

// GroupState is a security group with its rules.
type GroupState struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	VpcID       string      `json:"vpcId"`
	Tags        []TagState  `json:"tags,omitempty"`
	Rules       []RuleState `json:"rules,omitempty"`
}

// RuleState is a security group rule.
type RuleState struct {
	ID           string     `json:"id"`
	Egress       bool       `json:"egress,omitempty"`
	Protocol     string     `json:"protocol"`
	From         int        `json:"from"`
	To           int        `json:"to"`
	CidrIPv4     string     `json:"cidrIpv4,omitempty"`
	CidrIPv6     string     `json:"cidrIpv6,omitempty"`
	PrefixListID string     `json:"prefixListId,omitempty"`
	PeerGroup    string     `json:"peerGroup,omitempty"`
	Description  string     `json:"description,omitempty"`
	Tags         []TagState `json:"tags,omitempty"`
}

// GatewayState is an internet gateway ("" VPC when detached).
type GatewayState struct {
	ID    string     `json:"id"`
	VpcID string     `json:"vpcId,omitempty"`
	Tags  []TagState `json:"tags,omitempty"`
}

// RouteTableState is a route table.
type RouteTableState struct {
	ID           string             `json:"id"`
	VpcID        string             `json:"vpcId"`
	Routes       []RouteState       `json:"routes,omitempty"`
	Associations []AssociationState `json:"associations,omitempty"`
	Tags         []TagState         `json:"tags,omitempty"`
}

// RouteState is a route.
type RouteState struct {
	Destination string `json:"destination"`
	Target      string `json:"target"`
	TargetKind  string `json:"targetKind"`
	Origin      string `json:"origin"`
}

// AssociationState is a route table association.
type AssociationState struct {
	ID       string `json:"id"`
	SubnetID string `json:"subnetId,omitempty"`
	Main     bool   `json:"main,omitempty"`
}

// VolumeState is an EBS volume.
type VolumeState struct {
	ID         string     `json:"id"`
	Zone       string     `json:"availabilityZone"`
	Type       string     `json:"type"`
	SnapshotID string     `json:"snapshotId,omitempty"`
	Size       int        `json:"size"`
	Iops       int        `json:"iops,omitempty"`
	Throughput int        `json:"throughput,omitempty"`
	Encrypted  bool       `json:"encrypted,omitempty"`
	Created    time.Time  `json:"created"`
	Tags       []TagState `json:"tags,omitempty"`
	Instance   string     `json:"instance,omitempty"`
	Device     string     `json:"device,omitempty"`
	AttachTime time.Time  `json:"attachTime,omitzero"`
}

func tagsState(ts []Tag) []TagState {
	var out []TagState
	for _, t := range ts {
		out = append(out, TagState(t))
	}
	return out
}

func savedTags(ts []TagState) []Tag {
	var out []Tag
	for _, t := range ts {
		out = append(out, Tag(t))
	}
	return out
}

var statesByName = map[string]State{"pending": StatePending, "running": StateRunning, "shutting-down": StateShuttingDown,
	"terminated": StateTerminated, "stopping": StateStopping, "stopped": StateStopped}

// StateVersion, SaveState and LoadState make EC2 a cloud.StateSaver.
func (s *Service) StateVersion() int { return stateVersion }

func (s *Service) SaveState() (any, error) { return s.store.saveState(), nil }

func (s *Service) LoadState(version int, raw json.RawMessage) error {
	st, err := cloud.DecodeState[SavedState](version, stateVersion, raw)
	if err != nil {
		return err
	}
	return s.store.loadState(st)
}

// --- saving

func (s *Store) saveState() SavedState {
	s.mu.RLock()
	names := slices.Sorted(maps.Keys(s.regions))
	regions := make([]*region, len(names))
	for i, n := range names {
		regions[i] = s.regions[n]
	}
	s.mu.RUnlock()
	out := SavedState{Regions: []RegionState{}}
	for _, r := range regions {
		r.mu.RLock()
		out.Regions = append(out.Regions, r.state())
		r.mu.RUnlock()
	}
	return out
}

// state copies the region (its lock held).
func (r *region) state() RegionState {
	out := RegionState{Region: r.name}
	for _, in := range r.order {
		is := InstanceState{ID: in.ID, ReservationID: in.ReservationID, ImageID: in.ImageID, InstanceType: in.InstanceType, KeyName: in.KeyName,
			ClientToken: in.ClientToken, AvailabilityZone: in.AvailabilityZone, LaunchIndex: in.LaunchIndex, LaunchTime: in.LaunchTime,
			State: in.State.String(), TransitionReason: in.TransitionReason, PrivateIP: in.PrivateIP, Tags: tagsState(in.Tags),
			HadMachine: in.HostKey != "" || in.host != nil, DisableAPITermination: in.DisableAPITermination, DisableAPIStop: in.DisableAPIStop,
			NoSourceDestCheck: in.NoSourceDestCheck, NoEnaSupport: in.NoEnaSupport, EbsOptimized: in.EbsOptimized, UserData: in.UserData,
			TerminatedAt: in.terminatedAt, AuthorizedKey: in.authorized, IdleTimeout: in.idle, TerminateOnShutdown: in.terminateOnShutdown}
		if in.StateReason != nil {
			is.StateReasonCode, is.StateReasonMessage = in.StateReason.Code, in.StateReason.Message
		}
		for _, g := range in.Groups {
			is.Groups = append(is.Groups, GroupRefState(g))
		}
		out.Instances = append(out.Instances, is)
	}
	for _, name := range slices.Sorted(maps.Keys(r.keys)) {
		k := r.keys[name]
		out.KeyPairs = append(out.KeyPairs, KeyPairState{ID: k.ID, Name: k.Name, Type: k.Type, Fingerprint: k.Fingerprint, PublicKey: k.PublicKey,
			Created: k.Created, Tags: tagsState(k.Tags)})
	}
	n := &r.network
	if !n.ready {
		return out
	}
	ns := &NetworkState{}
	for _, id := range slices.Sorted(maps.Keys(n.vpcs)) {
		v := n.vpcs[id]
		ns.Vpcs = append(ns.Vpcs, VpcState{ID: v.ID, CidrBlock: v.CidrBlock, CidrAssociationID: v.CidrAssociationID, Tenancy: v.Tenancy,
			DhcpOptionsID: v.DhcpOptionsID, IsDefault: v.IsDefault, DNSSupport: v.DNSSupport, DNSHostnames: v.DNSHostnames,
			AddressUsageMetrics: v.AddressUsageMetrics, Tags: tagsState(v.Tags)})
	}
	for _, id := range slices.Sorted(maps.Keys(n.subnets)) {
		sn := n.subnets[id]
		ns.Subnets = append(ns.Subnets, SubnetState{ID: sn.ID, VpcID: sn.VpcID, CidrBlock: sn.CidrBlock, Zone: sn.Zone,
			DefaultForAz: sn.DefaultForAz, MapPublicIP: sn.MapPublicIP, Tags: tagsState(sn.Tags)})
	}
	for _, id := range slices.Sorted(maps.Keys(n.groups)) {
		g := n.groups[id]
		gs := GroupState{ID: g.ID, Name: g.Name, Description: g.Description, VpcID: g.VpcID, Tags: tagsState(g.Tags)}
		for _, rule := range g.Rules {
			gs.Rules = append(gs.Rules, RuleState{ID: rule.ID, Egress: rule.Egress, Protocol: rule.Protocol, From: rule.From, To: rule.To,
				CidrIPv4: rule.CidrIPv4, CidrIPv6: rule.CidrIPv6, PrefixListID: rule.PrefixListID, PeerGroup: rule.PeerGroup,
				Description: rule.Description, Tags: tagsState(rule.Tags)})
		}
		ns.SecurityGroups = append(ns.SecurityGroups, gs)
	}
	for _, id := range slices.Sorted(maps.Keys(n.gateways)) {
		g := n.gateways[id]
		ns.Gateways = append(ns.Gateways, GatewayState{ID: g.ID, VpcID: g.VpcID, Tags: tagsState(g.Tags)})
	}
	for _, id := range slices.Sorted(maps.Keys(n.tables)) {
		t := n.tables[id]
		ts := RouteTableState{ID: t.ID, VpcID: t.VpcID, Tags: tagsState(t.Tags)}
		for _, rt := range t.Routes {
			ts.Routes = append(ts.Routes, RouteState(rt))
		}
		for _, a := range t.Associations {
			ts.Associations = append(ts.Associations, AssociationState(a))
		}
		ns.RouteTables = append(ns.RouteTables, ts)
	}
	for _, id := range slices.Sorted(maps.Keys(n.volumes)) {
		v := n.volumes[id]
		ns.Volumes = append(ns.Volumes, VolumeState{ID: v.ID, Zone: v.Zone, Type: v.Type, SnapshotID: v.SnapshotID, Size: v.Size, Iops: v.Iops,
			Throughput: v.Throughput, Encrypted: v.Encrypted, Created: v.Created, Tags: tagsState(v.Tags), Instance: v.Instance,
			Device: v.Device, AttachTime: v.AttachTime})
	}
	out.Network = ns
	return out
}

// --- loading

func (s *Store) loadState(st SavedState) error {
	type launch struct {
		r  *region
		in *instance
	}
	var launches []launch
	for _, rs := range st.Regions {
		if rs.Region == "" {
			return fmt.Errorf("a region without a name")
		}
		r := s.region(rs.Region)
		r.mu.Lock()
		err := func() error {
			for _, ks := range rs.KeyPairs {
				if ks.Name == "" || r.keys[ks.Name] != nil {
					return fmt.Errorf("key pair %q: no name, or saved twice", ks.Name)
				}
				r.keys[ks.Name] = &KeyPair{ID: ks.ID, Name: ks.Name, Type: ks.Type, Fingerprint: ks.Fingerprint, PublicKey: ks.PublicKey,
					Created: ks.Created, Tags: savedTags(ks.Tags)}
			}
			if rs.Network != nil {
				if err := r.loadNetwork(rs.Network); err != nil {
					return err
				}
			}
			for _, is := range rs.Instances {
				in, err := loadInstance(is)
				if err != nil {
					return err
				}
				if r.instances[in.ID] != nil {
					return fmt.Errorf("instance %s saved twice", in.ID)
				}
				in.seq = s.seq.Add(1)
				if in.relaunch && (in.State == StateRunning || in.State == StatePending) {
					// Its machine is gone: launch a new one, as RunInstances does.
					in.State = StatePending
					launches = append(launches, launch{r, in})
				}
				r.instances[in.ID] = in
				r.order = append(r.order, in)
			}
			return nil
		}()
		r.mu.Unlock()
		if err != nil {
			return fmt.Errorf("region %s: %w", rs.Region, err)
		}
	}
	for _, l := range launches {
		go s.transition(l.r, l.in, l.in.gen, opLaunch)
	}
	return nil
}

func loadInstance(is InstanceState) (*instance, error) {
	state, ok := statesByName[is.State]
	if !ok || !ValidInstanceID(is.ID) {
		return nil, fmt.Errorf("instance %q: state %q", is.ID, is.State)
	}
	in := &instance{gen: 1, terminatedAt: is.TerminatedAt, authorized: is.AuthorizedKey, idle: is.IdleTimeout,
		terminateOnShutdown: is.TerminateOnShutdown, relaunch: is.HadMachine && state != StateTerminated}
	in.Instance = Instance{ID: is.ID, ReservationID: is.ReservationID, ImageID: is.ImageID, InstanceType: is.InstanceType, KeyName: is.KeyName,
		ClientToken: is.ClientToken, AvailabilityZone: is.AvailabilityZone, LaunchIndex: is.LaunchIndex, LaunchTime: is.LaunchTime,
		State: state, TransitionReason: is.TransitionReason, PrivateIP: is.PrivateIP, Tags: savedTags(is.Tags),
		DisableAPITermination: is.DisableAPITermination, DisableAPIStop: is.DisableAPIStop, NoSourceDestCheck: is.NoSourceDestCheck,
		NoEnaSupport: is.NoEnaSupport, EbsOptimized: is.EbsOptimized, UserData: is.UserData}
	if is.StateReasonCode != "" || is.StateReasonMessage != "" {
		in.StateReason = &Reason{is.StateReasonCode, is.StateReasonMessage}
	}
	for _, g := range is.Groups {
		in.Groups = append(in.Groups, GroupRef(g))
	}
	if in.relaunch {
		// The old machine's address is gone until a new one runs.
		in.Tags = slices.DeleteFunc(in.Tags, func(t Tag) bool { return t.Key == TagSSHPort || t.Key == TagSSHHostKey })
	}
	return in, nil
}

// loadNetwork replaces the region's network with n (r.mu held).
func (r *region) loadNetwork(ns *NetworkState) error {
	n := &r.network
	n.ready = true
	n.vpcs, n.subnets, n.groups = map[string]*Vpc{}, map[string]*Subnet{}, map[string]*SecurityGroup{}
	n.gateways, n.tables, n.volumes = map[string]*InternetGateway{}, map[string]*RouteTable{}, map[string]*Volume{}
	for _, v := range ns.Vpcs {
		n.vpcs[v.ID] = &Vpc{ID: v.ID, CidrBlock: v.CidrBlock, CidrAssociationID: v.CidrAssociationID, Tenancy: v.Tenancy,
			DhcpOptionsID: v.DhcpOptionsID, IsDefault: v.IsDefault, DNSSupport: v.DNSSupport, DNSHostnames: v.DNSHostnames,
			AddressUsageMetrics: v.AddressUsageMetrics, Tags: savedTags(v.Tags)}
	}
	for _, sn := range ns.Subnets {
		p, err := netip.ParsePrefix(sn.CidrBlock)
		if err != nil {
			return fmt.Errorf("subnet %s: %w", sn.ID, err)
		}
		n.subnets[sn.ID] = &Subnet{ID: sn.ID, VpcID: sn.VpcID, CidrBlock: sn.CidrBlock, Zone: sn.Zone, DefaultForAz: sn.DefaultForAz,
			MapPublicIP: sn.MapPublicIP, Tags: savedTags(sn.Tags), prefix: p}
	}
	for _, gs := range ns.SecurityGroups {
		g := &SecurityGroup{ID: gs.ID, Name: gs.Name, Description: gs.Description, VpcID: gs.VpcID, Tags: savedTags(gs.Tags)}
		for _, rs := range gs.Rules {
			g.Rules = append(g.Rules, &Rule{ID: rs.ID, GroupID: g.ID, Egress: rs.Egress, Protocol: rs.Protocol, From: rs.From, To: rs.To,
				CidrIPv4: rs.CidrIPv4, CidrIPv6: rs.CidrIPv6, PrefixListID: rs.PrefixListID, PeerGroup: rs.PeerGroup,
				Description: rs.Description, Tags: savedTags(rs.Tags)})
		}
		n.groups[g.ID] = g
	}
	for _, g := range ns.Gateways {
		n.gateways[g.ID] = &InternetGateway{ID: g.ID, VpcID: g.VpcID, Tags: savedTags(g.Tags)}
	}
	for _, ts := range ns.RouteTables {
		t := &RouteTable{ID: ts.ID, VpcID: ts.VpcID, Tags: savedTags(ts.Tags)}
		for _, rt := range ts.Routes {
			t.Routes = append(t.Routes, Route(rt))
		}
		for _, a := range ts.Associations {
			t.Associations = append(t.Associations, Association(a))
		}
		n.tables[t.ID] = t
	}
	for _, v := range ns.Volumes {
		n.volumes[v.ID] = &Volume{ID: v.ID, Zone: v.Zone, Type: v.Type, SnapshotID: v.SnapshotID, Size: v.Size, Iops: v.Iops,
			Throughput: v.Throughput, Encrypted: v.Encrypted, Created: v.Created, Tags: savedTags(v.Tags), Instance: v.Instance,
			Device: v.Device, AttachTime: v.AttachTime}
	}
	return nil
}
