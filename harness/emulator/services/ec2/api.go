package ec2

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// XMLNS is the namespace of EC2 responses.
const XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/"

// Service is EC2 as the edge sees it.
type Service struct {
	env   *cloud.Env
	store *Store
	api   awsproto.API
}

// New returns the EC2 service. The machines behind instances come from the
// cloud.HostLauncher published under cloud.LinkHosts, looked up at each
// launch; without one, instances change state and run nothing.
func New(env *cloud.Env) *Service {
	s := &Service{env: env}
	s.store = NewStore(env, func() cloud.HostLauncher {
		l, _ := env.Links.Get(cloud.LinkHosts).(cloud.HostLauncher)
		return l
	})
	s.api = awsproto.API{
		Model:    "ec2",
		Base:     awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Protocol: awsproto.EC2Query,
		XMLNS:    XMLNS,
		MaxBody:  1 << 20,
		Invalid:  errInvalidParameter,
		Missing:  missingParameter,
	}
	s.api.Register(
		handle("RunInstances", s.runInstances),
		handle("DescribeInstances", s.describeInstances),
		handle("StartInstances", s.startInstances),
		handle("StopInstances", s.stopInstances),
		handle("TerminateInstances", s.terminateInstances),
		handle("RebootInstances", s.rebootInstances),
		handle("ModifyInstanceAttribute", s.modifyInstanceAttribute),
		handle("DescribeInstanceAttribute", s.describeInstanceAttribute),
		handle("DescribeAccountAttributes", s.describeAccountAttributes),
		handle("DescribeInstanceStatus", s.describeInstanceStatus),
		handle("GetConsoleOutput", s.getConsoleOutput),
		handle("CreateKeyPair", s.createKeyPair),
		handle("ImportKeyPair", s.importKeyPair),
		handle("DescribeKeyPairs", s.describeKeyPairs),
		handle("DeleteKeyPair", s.deleteKeyPair),
		handle("CreateTags", s.createTags),
		handle("DeleteTags", s.deleteTags),
		handle("DescribeTags", s.describeTags),
		handle("DescribeRegions", s.describeRegions),
		handle("DescribeAvailabilityZones", s.describeAvailabilityZones),
		handle("CreateVpc", s.createVpc),
		handle("DescribeVpcs", s.describeVpcs),
		handle("DeleteVpc", s.deleteVpc),
		handle("ModifyVpcAttribute", s.modifyVpcAttribute),
		handle("DescribeVpcAttribute", s.describeVpcAttribute),
		handle("CreateSubnet", s.createSubnet),
		handle("DescribeSubnets", s.describeSubnets),
		handle("DeleteSubnet", s.deleteSubnet),
		handle("ModifySubnetAttribute", s.modifySubnetAttribute),
		handle("CreateSecurityGroup", s.createSecurityGroup),
		handle("DescribeSecurityGroups", s.describeSecurityGroups),
		handle("DeleteSecurityGroup", s.deleteSecurityGroup),
		handle("AuthorizeSecurityGroupIngress", s.authorizeIngress),
		handle("AuthorizeSecurityGroupEgress", s.authorizeEgress),
		handle("RevokeSecurityGroupIngress", s.revokeIngress),
		handle("RevokeSecurityGroupEgress", s.revokeEgress),
		handle("DescribeSecurityGroupRules", s.describeSecurityGroupRules),
		handle("CreateVolume", s.createVolume),
		handle("DescribeVolumes", s.describeVolumes),
		handle("DescribeVolumeStatus", s.describeVolumeStatus),
		handle("DeleteVolume", s.deleteVolume),
		handle("AttachVolume", s.attachVolume),
		handle("DetachVolume", s.detachVolume),
		handle("CreateInternetGateway", s.createInternetGateway),
		handle("AttachInternetGateway", s.attachInternetGateway),
		handle("DetachInternetGateway", s.detachInternetGateway),
		handle("DeleteInternetGateway", s.deleteInternetGateway),
		handle("DescribeInternetGateways", s.describeInternetGateways),
		handle("CreateRouteTable", s.createRouteTable),
		handle("DeleteRouteTable", s.deleteRouteTable),
		handle("DescribeRouteTables", s.describeRouteTables),
		handle("AssociateRouteTable", s.associateRouteTable),
		handle("DisassociateRouteTable", s.disassociateRouteTable),
		handle("CreateRoute", s.createRoute),
		handle("ReplaceRoute", s.replaceRoute),
		handle("DeleteRoute", s.deleteRoute),
	)
	return s
}

func (s *Service) Name() string                { return "ec2" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.EC2Query }
func (s *Service) Reset()                      { s.store.Reset() }
func (s *Service) Routes() []cloud.Route {
	return []cloud.Route{{Kind: cloud.ByScope, Key: "ec2"}}
}

// APIs is the service's API, for the coverage report and the model checks.
func (s *Service) APIs() []*awsproto.API { return []*awsproto.API{&s.api} }

func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.api.ServeHTTP(w, r) }

// Close terminates every instance's machine (the emulator calls it on exit).
func (s *Service) Close() error { return s.store.Close() }

// SetIdleTimeout sets how long a host may sit without SSH sessions before it
// stops itself (and its instance shows stopped), for instances launched
// without the groundstack:idle-timeout tag. 0, the default, never stops.
func (s *Service) SetIdleTimeout(d time.Duration) { s.store.SetIdleTimeout(d) }

// SetLauncher publishes l as the machine launcher in the service's
// env.Links (cloud.LinkHosts), as the emulator does at start-up.
func (s *Service) SetLauncher(l cloud.HostLauncher) { s.env.Links.Set(cloud.LinkHosts, l) }

// Summary counts instances (visible, running) and key pairs.
func (s *Service) Summary() map[string]any {
	out := map[string]any{}
	for k, v := range s.store.Counts() {
		out[k] = v
	}
	return out
}

// ---- what every action takes ----

// Request is the member every EC2 action takes; inputs embed it. (It is
// exported because awsproto reads embedded structs by exported names.)
type Request struct {
	// DryRun asks whether the request would succeed, changing nothing.
	DryRun boolean
}

func (r *Request) dryRun() bool { return bool(r.DryRun) }

// handle registers an EC2 action: once its input has decoded and passed
// its checks, a DryRun request stops with DryRunOperation.
func handle[In, Out any, P interface {
	*In
	dryRun() bool
}](name string, op func(*awsproto.Call, P) (Out, error)) awsproto.Operation {
	return awsproto.Handle(name, func(c *awsproto.Call, in *In) (Out, error) {
		if P(in).dryRun() {
			var none Out
			return none, errDryRun.New(msgDryRun)
		}
		return op(c, in)
	})
}

// missingParameter is EC2's answer to a request without a member it needs.
func missingParameter(param string) *awsproto.Error {
	return errMissingParameter.Errorf("The request must contain the parameter %s", param)
}

// boolean is an EC2 boolean parameter: true or false, in any case.
type boolean bool

func (b *boolean) UnmarshalParam(key, s string) error {
	switch strings.ToLower(s) {
	case "", "false":
		*b = false
	case "true":
		*b = true
	default:
		return errInvalidParameter.Errorf("Invalid value '%s' for %s. Expected a boolean.", s, key)
	}
	return nil
}

// integer is an EC2 integer parameter.
type integer int

func (n *integer) UnmarshalParam(key, s string) error {
	v, err := strconv.Atoi(s)
	if err != nil {
		return errInvalidParameter.Errorf("Invalid value '%s' for %s. Expected an integer.", s, key)
	}
	*n = integer(v)
	return nil
}

// ---- shared wire shapes ----

type tagXML struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

func tagsOut(tags []Tag) []tagXML {
	if len(tags) == 0 {
		return nil
	}
	out := make([]tagXML, len(tags))
	for i, t := range tags {
		out[i] = tagXML(t)
	}
	return out
}

type returnResult struct {
	Return bool `xml:"return"`
}

// isoTime is EC2's timestamp format.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// ---- shared request members ----

// pageSize reads MaxResults (5 to 1000 in EC2's Describe calls); 0 when
// absent. ids names the ID list that may not come with it.
func pageSize(max *string, ids []string, idsName string) (int, error) {
	return pageSizeUpTo(max, ids, idsName, 1000)
}

// pageSizeUpTo is pageSize for a call whose model caps MaxResults at limit.
func pageSizeUpTo(max *string, ids []string, idsName string, limit int) (int, error) {
	if max == nil {
		return 0, nil
	}
	if len(ids) > 0 {
		return 0, errParameterCombination.Errorf("The parameter %s cannot be used with the parameter maxResults", idsName)
	}
	n, err := strconv.Atoi(*max)
	switch {
	case err != nil:
		return 0, errInvalidParameter.Errorf("Value ( %s ) for parameter maxResults is invalid. Expecting a value greater than 5.", *max)
	case n < 5:
		return 0, errInvalidParameter.Errorf("Value ( %d ) for parameter maxResults is invalid. Expecting a value greater than 5.", n)
	case n > limit:
		return 0, errInvalidParameter.Errorf("Value ( %d ) for parameter maxResults is invalid. Expecting a value less than or equal to %d.", n, limit)
	}
	return n, nil
}

// Paging tokens are opaque to clients: base64 of the operation's own
// position, refused by any other operation.
func encodeToken(op, pos string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(op + "\x00" + pos))
}

// decodeToken returns the position a NextToken of op holds ("" without one).
func decodeToken(token, op string) (string, error) {
	if token == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	prefix, pos, ok := strings.Cut(string(raw), "\x00")
	if err != nil || !ok || prefix != op {
		return "", errPaginationToken.New(msgBadToken)
	}
	return pos, nil
}

// seqToken returns the instance sequence number a NextToken of op holds.
func seqToken(token, op string) (uint64, error) {
	pos, err := decodeToken(token, op)
	if err != nil || pos == "" {
		return 0, err
	}
	n, perr := strconv.ParseUint(pos, 10, 64)
	if perr != nil {
		return 0, errPaginationToken.New(msgBadToken)
	}
	return n, nil
}

// validFilters checks the Filter.N members as sent: each has a name and at
// least one value.
func validFilters(filters []Filter) error {
	for _, f := range filters {
		if f.Name == "" {
			return errInvalidParameter.New("The filter 'null' is invalid")
		}
		if len(f.Values) == 0 {
			return errInvalidParameter.Errorf("The filter '%s' must have at least one value", f.Name)
		}
	}
	return nil
}

// tagSpec is one TagSpecification.N.
type tagSpec struct {
	ResourceType string
	Tags         []Tag `query:"Tag"`
}

// tagSpecs returns the tags the specifications give resourceType; other
// types in allowed are accepted and ignored (resources this emulator does
// not model, such as an instance's volumes).
func tagSpecs(specs []tagSpec, resourceType string, allowed ...string) ([]Tag, error) {
	var out []Tag
	for _, spec := range specs {
		rt := spec.ResourceType
		switch {
		case rt == "":
			return nil, errMissingParameter.New("Tag specification resource type must have a value")
		case rt == resourceType:
			if len(spec.Tags) == 0 {
				return nil, errInvalidParameter.New("Tag specification must have at least one tag")
			}
			for _, t := range spec.Tags {
				out = setTag(out, t.Key, t.Value)
			}
		case contains(allowed, rt):
		default:
			return nil, errInvalidParameter.Errorf("'%s' is not a valid taggable resource type for this operation.", rt)
		}
	}
	return out, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// validInstanceIDs refuses a malformed instance ID before anything is
// looked up, as EC2 does.
func validInstanceIDs(ids []string) error {
	for _, id := range ids {
		if !ValidInstanceID(id) {
			return errInstanceMalformed.Errorf(`Invalid id: "%s" (expecting "i-...")`, id)
		}
	}
	return nil
}
