package ec2

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// XMLNS is the namespace of EC2 responses.
const XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/"

// Service is EC2 as the edge sees it.
type Service struct {
	env   *cloud.Env
	store *Store
	api   awsproto.QueryService
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
	s.api = awsproto.QueryService{
		Base:    awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		XMLNS:   XMLNS,
		EC2:     true,
		MaxBody: 1 << 20,
		Ops: map[string]awsproto.QueryOp{
			"RunInstances":              s.runInstances,
			"DescribeInstances":         s.describeInstances,
			"StartInstances":            s.startInstances,
			"StopInstances":             s.stopInstances,
			"TerminateInstances":        s.terminateInstances,
			"DescribeInstanceStatus":    s.describeInstanceStatus,
			"GetConsoleOutput":          s.getConsoleOutput,
			"CreateKeyPair":             s.createKeyPair,
			"ImportKeyPair":             s.importKeyPair,
			"DescribeKeyPairs":          s.describeKeyPairs,
			"DeleteKeyPair":             s.deleteKeyPair,
			"CreateTags":                s.createTags,
			"DeleteTags":                s.deleteTags,
			"DescribeTags":              s.describeTags,
			"DescribeRegions":           s.describeRegions,
			"DescribeAvailabilityZones": s.describeAvailabilityZones,
		},
	}
	return s
}

func (s *Service) Name() string                { return "ec2" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.EC2Query }
func (s *Service) Reset()                      { s.store.Reset() }
func (s *Service) Routes() []cloud.Route {
	return []cloud.Route{{Kind: cloud.ByScope, Key: "ec2"}}
}
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

// ---- wire shapes ----

type stateXML struct {
	Code int    `xml:"code"`
	Name string `xml:"name"`
}

func stateOut(st State) stateXML { return stateXML{int(st), st.String()} }

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

type reasonXML struct {
	Code    string `xml:"code"`
	Message string `xml:"message"`
}

type groupXML struct {
	GroupName string `xml:"groupName"`
	GroupID   string `xml:"groupId"`
}

type placementXML struct {
	AvailabilityZone string `xml:"availabilityZone"`
	GroupName        string `xml:"groupName"`
	Tenancy          string `xml:"tenancy"`
}

type monitoringXML struct {
	State string `xml:"state"`
}

type instanceXML struct {
	InstanceID         string        `xml:"instanceId"`
	ImageID            string        `xml:"imageId"`
	InstanceState      stateXML      `xml:"instanceState"`
	PrivateDNSName     string        `xml:"privateDnsName"`
	DNSName            string        `xml:"dnsName"`
	Reason             string        `xml:"reason"`
	KeyName            string        `xml:"keyName,omitempty"`
	AmiLaunchIndex     int           `xml:"amiLaunchIndex"`
	InstanceType       string        `xml:"instanceType"`
	LaunchTime         string        `xml:"launchTime"`
	Placement          placementXML  `xml:"placement"`
	Monitoring         monitoringXML `xml:"monitoring"`
	SubnetID           string        `xml:"subnetId,omitempty"`
	VpcID              string        `xml:"vpcId,omitempty"`
	PrivateIPAddress   string        `xml:"privateIpAddress,omitempty"`
	SourceDestCheck    bool          `xml:"sourceDestCheck"`
	GroupSet           []groupXML    `xml:"groupSet>item"`
	StateReason        *reasonXML    `xml:"stateReason,omitempty"`
	Architecture       string        `xml:"architecture"`
	RootDeviceType     string        `xml:"rootDeviceType"`
	RootDeviceName     string        `xml:"rootDeviceName"`
	VirtualizationType string        `xml:"virtualizationType"`
	ClientToken        string        `xml:"clientToken"`
	TagSet             []tagXML      `xml:"tagSet>item"`
	Hypervisor         string        `xml:"hypervisor"`
	EbsOptimized       bool          `xml:"ebsOptimized"`
	EnaSupport         bool          `xml:"enaSupport"`
	PlatformDetails    string        `xml:"platformDetails"`
	UsageOperation     string        `xml:"usageOperation"`
}

// isoTime is EC2's timestamp format.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// defaultVPC names the region's default VPC, subnet and security group,
// stable per region.
func defaultVPC(region string) (vpc, subnet, sg string) {
	sum := sha256.Sum256([]byte(region))
	h := hex.EncodeToString(sum[:])
	return "vpc-" + h[:17], "subnet-" + h[17:34], "sg-" + h[34:51]
}

func (s *Service) instanceOut(region string, in Instance) instanceXML {
	vpc, subnet, sg := defaultVPC(region)
	x := instanceXML{
		InstanceID: in.ID, ImageID: in.ImageID, InstanceState: stateOut(in.State),
		PrivateDNSName: in.PrivateDNSName(region), Reason: in.TransitionReason, KeyName: in.KeyName,
		AmiLaunchIndex: in.LaunchIndex, InstanceType: in.InstanceType, LaunchTime: isoTime(in.LaunchTime),
		Placement:  placementXML{AvailabilityZone: in.AvailabilityZone, Tenancy: "default"},
		Monitoring: monitoringXML{"disabled"}, SubnetID: subnet, VpcID: vpc, PrivateIPAddress: in.PrivateIP,
		SourceDestCheck: true, GroupSet: []groupXML{{"default", sg}}, Architecture: "x86_64",
		RootDeviceType: "ebs", RootDeviceName: "/dev/xvda", VirtualizationType: "hvm", ClientToken: in.ClientToken,
		TagSet: tagsOut(in.Tags), Hypervisor: "xen", EnaSupport: true,
		PlatformDetails: "Linux/UNIX", UsageOperation: "RunInstances",
	}
	if in.State == StateTerminated {
		// a terminated instance has given up its network interface
		x.PrivateDNSName, x.PrivateIPAddress, x.SubnetID, x.VpcID, x.GroupSet = "", "", "", "", nil
	}
	if in.StateReason != nil {
		x.StateReason = &reasonXML{in.StateReason.Code, in.StateReason.Message}
	}
	return x
}

type reservationXML struct {
	ReservationID string        `xml:"reservationId"`
	OwnerID       string        `xml:"ownerId"`
	GroupSet      []groupXML    `xml:"groupSet>item"`
	InstancesSet  []instanceXML `xml:"instancesSet>item"`
}

// reservationsOut groups consecutive instances of one reservation, as
// DescribeInstances lists them.
func (s *Service) reservationsOut(region string, ins []Instance) []reservationXML {
	var out []reservationXML
	for _, in := range ins {
		if n := len(out); n == 0 || out[n-1].ReservationID != in.ReservationID {
			out = append(out, reservationXML{ReservationID: in.ReservationID, OwnerID: s.env.Account})
		}
		out[len(out)-1].InstancesSet = append(out[len(out)-1].InstancesSet, s.instanceOut(region, in))
	}
	return out
}

// ---- request decoding ----

func checkDryRun(f awsproto.Form) error {
	dry, err := boolParam(f, "DryRun")
	if err != nil {
		return err
	}
	if dry {
		return errDryRun.New("Request would have succeeded, but DryRun flag is set.")
	}
	return nil
}

func boolParam(f awsproto.Form, key string) (bool, error) {
	switch v := f.Get(key); strings.ToLower(v) {
	case "":
		return false, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	default:
		return false, errInvalidParameter.Errorf("Invalid value '%s' for %s. Expected a boolean.", v, key)
	}
}

func intParam(f awsproto.Form, key string) (int, bool, error) {
	if !f.Has(key) {
		return 0, false, nil
	}
	v := f.Get(key)
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, false, errInvalidParameter.Errorf("Invalid value '%s' for %s. Expected an integer.", v, key)
	}
	return n, true, nil
}

// maxResults reads MaxResults (5 to 1000 in EC2's Describe calls); 0 when
// absent. ids names the ID list that may not come with it.
func maxResults(f awsproto.Form, ids []string, idsName string) (int, error) {
	if !f.Has("MaxResults") {
		return 0, nil
	}
	if len(ids) > 0 {
		return 0, errParameterCombination.Errorf("The parameter %s cannot be used with the parameter maxResults", idsName)
	}
	v := f.Get("MaxResults")
	n, err := strconv.Atoi(v)
	switch {
	case err != nil:
		return 0, errInvalidParameter.Errorf("Value ( %s ) for parameter maxResults is invalid. Expecting a value greater than 5.", v)
	case n < 5:
		return 0, errInvalidParameter.Errorf("Value ( %d ) for parameter maxResults is invalid. Expecting a value greater than 5.", n)
	case n > 1000:
		return 0, errInvalidParameter.Errorf("Value ( %d ) for parameter maxResults is invalid. Expecting a value less than or equal to 1000.", n)
	}
	return n, nil
}

// Paging tokens are opaque to clients: base64 of the operation's own
// position, refused by any other operation.
func encodeToken(op, pos string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(op + "\x00" + pos))
}

func decodeToken(f awsproto.Form, op string) (string, bool, error) {
	if !f.Has("NextToken") || f.Get("NextToken") == "" {
		return "", false, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(f.Get("NextToken"))
	prefix, pos, ok := strings.Cut(string(raw), "\x00")
	if err != nil || !ok || prefix != op {
		return "", false, errPaginationToken.New("The specified pagination token is not valid or is expired.")
	}
	return pos, true, nil
}

func seqToken(f awsproto.Form, op string) (uint64, error) {
	pos, ok, err := decodeToken(f, op)
	if err != nil || !ok {
		return 0, err
	}
	n, perr := strconv.ParseUint(pos, 10, 64)
	if perr != nil {
		return 0, errPaginationToken.New("The specified pagination token is not valid or is expired.")
	}
	return n, nil
}

func filtersOf(f awsproto.Form) ([]Filter, error) {
	var out []Filter
	for _, sub := range f.Structs("Filter") {
		name := sub.Get("Name")
		if name == "" {
			return nil, errInvalidParameter.New("The filter 'null' is invalid")
		}
		vals := sub.List("Value")
		if len(vals) == 0 {
			return nil, errInvalidParameter.Errorf("The filter '%s' must have at least one value", name)
		}
		out = append(out, Filter{name, vals})
	}
	return out, nil
}

func tagsOf(f awsproto.Form, prefix string) []Tag {
	var out []Tag
	for _, sub := range f.Structs(prefix) {
		out = append(out, Tag{sub.Get("Key"), sub.Get("Value")})
	}
	return out
}

// tagSpecs returns the tags TagSpecification.N gives resourceType; other
// types in allowed are accepted and ignored (resources this emulator does
// not model, such as an instance's volumes).
func tagSpecs(f awsproto.Form, resourceType string, allowed ...string) ([]Tag, error) {
	var out []Tag
	for _, spec := range f.Structs("TagSpecification") {
		rt := spec.Get("ResourceType")
		switch {
		case rt == "":
			return nil, errMissingParameter.New("Tag specification resource type must have a value")
		case rt == resourceType:
			tags := tagsOf(spec, "Tag")
			if len(tags) == 0 {
				return nil, errInvalidParameter.New("Tag specification must have at least one tag")
			}
			for _, t := range tags {
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

// instanceIDs reads an instance ID list; a malformed ID is refused before
// anything is looked up, as EC2 does.
func instanceIDs(f awsproto.Form, key string, required bool) ([]string, error) {
	ids := f.List(key)
	if required && len(ids) == 0 {
		return nil, errMissingParameter.Errorf("The request must contain the parameter %s", key)
	}
	for _, id := range ids {
		if !ValidInstanceID(id) {
			return nil, errInstanceMalformed.Errorf(`Invalid id: "%s" (expecting "i-...")`, id)
		}
	}
	return ids, nil
}

// ---- instances ----

var (
	amiPattern          = regexp.MustCompile(`^ami-[0-9a-zA-Z]+$`)
	instanceTypePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9-]+$`)
)

func (s *Service) runInstances(c *awsproto.Call, f awsproto.Form) (any, error) {
	if err := checkDryRun(f); err != nil {
		return nil, err
	}
	image := f.Get("ImageId")
	if image == "" {
		return nil, errMissingParameter.New("The request must contain the parameter ImageId")
	}
	if !amiPattern.MatchString(image) {
		return nil, errAMIMalformed.Errorf(`Invalid id: "%s" (expecting "ami-...")`, image)
	}
	minCount, ok, err := intParam(f, "MinCount")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errMissingParameter.New("The request must contain the parameter MinCount")
	}
	maxCount, ok, err := intParam(f, "MaxCount")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errMissingParameter.New("The request must contain the parameter MaxCount")
	}
	switch {
	case minCount < 1:
		return nil, errInvalidParameter.Errorf("Value (%d) for parameter minCount is invalid. Expected a positive integer.", minCount)
	case maxCount < 1:
		return nil, errInvalidParameter.Errorf("Value (%d) for parameter maxCount is invalid. Expected a positive integer.", maxCount)
	case minCount > maxCount:
		return nil, errInvalidParameter.Errorf("Value (%d) for parameter minCount is invalid. Expected a value less than or equal to maxCount (%d).", minCount, maxCount)
	}
	itype := f.Get("InstanceType")
	if itype == "" {
		itype = "m1.small" // RunInstances' documented default
	} else if !instanceTypePattern.MatchString(itype) {
		return nil, errInvalidParameter.Errorf("Invalid value '%s' for InstanceType.", itype)
	}
	terminate := false
	switch b := f.Get("InstanceInitiatedShutdownBehavior"); b {
	case "", "stop":
	case "terminate":
		terminate = true
	default:
		return nil, errInvalidParameter.Errorf("Value (%s) for parameter instanceInitiatedShutdownBehavior is invalid. Valid values are stop and terminate.", b)
	}
	tags, err := tagSpecs(f, "instance", "volume", "network-interface", "spot-instances-request", "elastic-gpu")
	if err != nil {
		return nil, err
	}
	res, err := s.store.Run(c.Region, RunSpec{
		ImageID: image, InstanceType: itype, KeyName: f.Get("KeyName"), ClientToken: f.Get("ClientToken"),
		MinCount: minCount, MaxCount: maxCount, Tags: tags, TerminateOnShutdown: terminate,
	})
	if err != nil {
		return nil, wire(err)
	}
	_, _, sg := defaultVPC(c.Region)
	out := reservationXML{ReservationID: res.ID, OwnerID: s.env.Account, GroupSet: []groupXML{{"default", sg}}}
	for _, in := range res.Instances {
		out.InstancesSet = append(out.InstancesSet, s.instanceOut(c.Region, in))
	}
	return out, nil
}

type describeInstancesResult struct {
	ReservationSet []reservationXML `xml:"reservationSet>item"`
	NextToken      string           `xml:"nextToken,omitempty"`
}

func (s *Service) describeInstances(c *awsproto.Call, f awsproto.Form) (any, error) {
	q, err := query(f, "DescribeInstances", "instancesSet")
	if err != nil {
		return nil, err
	}
	ins, next, err := s.store.Describe(c.Region, q)
	if err != nil {
		return nil, wire(err)
	}
	out := describeInstancesResult{ReservationSet: s.reservationsOut(c.Region, ins)}
	if next != 0 {
		out.NextToken = encodeToken("DescribeInstances", strconv.FormatUint(next, 10))
	}
	return out, nil
}

// query decodes the IDs, filters and paging of an instance Describe call.
func query(f awsproto.Form, op, idsName string) (Query, error) {
	if err := checkDryRun(f); err != nil {
		return Query{}, err
	}
	ids, err := instanceIDs(f, "InstanceId", false)
	if err != nil {
		return Query{}, err
	}
	filters, err := filtersOf(f)
	if err != nil {
		return Query{}, err
	}
	max, err := maxResults(f, ids, idsName)
	if err != nil {
		return Query{}, err
	}
	after, err := seqToken(f, op)
	if err != nil {
		return Query{}, err
	}
	return Query{IDs: ids, Filters: filters, Max: max, After: after}, nil
}

type stateChangeXML struct {
	InstanceID    string   `xml:"instanceId"`
	CurrentState  stateXML `xml:"currentState"`
	PreviousState stateXML `xml:"previousState"`
}

type stateChangesResult struct {
	InstancesSet []stateChangeXML `xml:"instancesSet>item"`
}

func changesOut(changes []StateChange) stateChangesResult {
	out := stateChangesResult{InstancesSet: make([]stateChangeXML, len(changes))}
	for i, ch := range changes {
		out.InstancesSet[i] = stateChangeXML{ch.ID, stateOut(ch.Now), stateOut(ch.Previous)}
	}
	return out
}

// stateOp decodes the InstanceId list of Start/Stop/Terminate and applies do.
func stateOp(f awsproto.Form, do func(ids []string) ([]StateChange, error)) (any, error) {
	if err := checkDryRun(f); err != nil {
		return nil, err
	}
	ids, err := instanceIDs(f, "InstanceId", true)
	if err != nil {
		return nil, err
	}
	changes, err := do(ids)
	if err != nil {
		return nil, wire(err)
	}
	return changesOut(changes), nil
}

func (s *Service) startInstances(c *awsproto.Call, f awsproto.Form) (any, error) {
	return stateOp(f, func(ids []string) ([]StateChange, error) { return s.store.Start(c.Region, ids) })
}

func (s *Service) stopInstances(c *awsproto.Call, f awsproto.Form) (any, error) {
	force, err := boolParam(f, "Force")
	if err != nil {
		return nil, err
	}
	if _, err := boolParam(f, "Hibernate"); err != nil {
		return nil, err
	}
	return stateOp(f, func(ids []string) ([]StateChange, error) { return s.store.Stop(c.Region, ids, force) })
}

func (s *Service) terminateInstances(c *awsproto.Call, f awsproto.Form) (any, error) {
	return stateOp(f, func(ids []string) ([]StateChange, error) { return s.store.Terminate(c.Region, ids) })
}

type statusDetailXML struct {
	Name   string `xml:"name"`
	Status string `xml:"status"`
}

type statusSummaryXML struct {
	Status  string            `xml:"status"`
	Details []statusDetailXML `xml:"details>item"`
}

type instanceStatusXML struct {
	InstanceID       string           `xml:"instanceId"`
	AvailabilityZone string           `xml:"availabilityZone"`
	InstanceState    stateXML         `xml:"instanceState"`
	SystemStatus     statusSummaryXML `xml:"systemStatus"`
	InstanceStatus   statusSummaryXML `xml:"instanceStatus"`
}

type describeInstanceStatusResult struct {
	InstanceStatusSet []instanceStatusXML `xml:"instanceStatusSet>item"`
	NextToken         string              `xml:"nextToken,omitempty"`
}

// statusFilters are DescribeInstanceStatus's filters, over the instance's
// state and (always healthy once running) status checks.
var statusFilters = map[string]bool{
	"availability-zone": true, "instance-state-name": true, "instance-state-code": true,
	"instance-status.status": true, "system-status.status": true,
	"instance-status.reachability": true, "system-status.reachability": true,
}

func healthOf(st State) (status string, details []statusDetailXML) {
	if st != StateRunning {
		return "not-applicable", nil
	}
	return "ok", []statusDetailXML{{"reachability", "passed"}}
}

func (s *Service) describeInstanceStatus(c *awsproto.Call, f awsproto.Form) (any, error) {
	q, err := query(f, "DescribeInstanceStatus", "instancesSet")
	if err != nil {
		return nil, err
	}
	all, err := boolParam(f, "IncludeAllInstances")
	if err != nil {
		return nil, err
	}
	if bad, ok := checkFilters(q.Filters, statusFilters, false); !ok {
		return nil, errInvalidParameter.Errorf("The filter '%s' is invalid", bad)
	}
	// Status filters are applied here; the store pages over plain instances.
	filters := q.Filters
	q.Filters = nil
	var out describeInstanceStatusResult
	for {
		ins, next, err := s.store.Describe(c.Region, q)
		if err != nil {
			return nil, wire(err)
		}
		for _, in := range ins {
			if !all && in.State != StateRunning {
				continue
			}
			status, details := healthOf(in.State)
			fields := func(name string) []string {
				switch name {
				case "availability-zone":
					return []string{in.AvailabilityZone}
				case "instance-state-name":
					return []string{in.State.String()}
				case "instance-state-code":
					return []string{strconv.Itoa(int(in.State))}
				case "instance-status.status", "system-status.status":
					return []string{status}
				default: // reachability
					if len(details) > 0 {
						return []string{details[0].Status}
					}
					return nil
				}
			}
			if !matchFilters(filters, fields, nil) {
				continue
			}
			if q.Max > 0 && len(out.InstanceStatusSet) == q.Max {
				out.NextToken = encodeToken("DescribeInstanceStatus", strconv.FormatUint(q.After, 10))
				return out, nil
			}
			out.InstanceStatusSet = append(out.InstanceStatusSet, instanceStatusXML{
				InstanceID: in.ID, AvailabilityZone: in.AvailabilityZone, InstanceState: stateOut(in.State),
				SystemStatus:   statusSummaryXML{status, details},
				InstanceStatus: statusSummaryXML{status, details},
			})
			q.After = in.Seq()
		}
		if next == 0 {
			return out, nil
		}
		q.After = next
	}
}

type consoleOutputResult struct {
	InstanceID string `xml:"instanceId"`
	Timestamp  string `xml:"timestamp"`
	Output     string `xml:"output,omitempty"`
}

// getConsoleOutput shows, for instances with a machine, the host key block
// cloud-init prints at boot, so clients can verify the key out of band.
func (s *Service) getConsoleOutput(c *awsproto.Call, f awsproto.Form) (any, error) {
	if err := checkDryRun(f); err != nil {
		return nil, err
	}
	id := f.Get("InstanceId")
	if id == "" {
		return nil, errMissingParameter.New("The request must contain the parameter InstanceId")
	}
	if !ValidInstanceID(id) {
		return nil, errInstanceMalformed.Errorf(`Invalid id: "%s" (expecting "i-...")`, id)
	}
	in, err := s.store.ConsoleOutput(c.Region, id)
	if err != nil {
		return nil, wire(err)
	}
	out := consoleOutputResult{InstanceID: in.ID, Timestamp: isoTime(s.env.Now())}
	if text := consoleText(in); text != "" {
		out.Output = base64.StdEncoding.EncodeToString([]byte(text))
	}
	return out, nil
}

// consoleText is the host key block cloud-init prints at first boot, for an
// instance whose machine has a host key.
func consoleText(in Instance) string {
	if in.HostKey == "" {
		return ""
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(in.HostKey))
	if err != nil {
		return ""
	}
	who := "root@ip-" + strings.ReplaceAll(in.PrivateIP, ".", "-")
	algo := strings.ToUpper(strings.TrimPrefix(strings.TrimPrefix(pub.Type(), "ssh-"), "ecdsa-sha2-"))
	if strings.HasPrefix(pub.Type(), "ecdsa-") {
		algo = "ECDSA"
	}
	var b strings.Builder
	b.WriteString("-----BEGIN SSH HOST KEY FINGERPRINTS-----\n")
	b.WriteString(strconv.Itoa(keyBits(pub)) + " " + ssh.FingerprintSHA256(pub) + " " + who + " (" + algo + ")\n")
	b.WriteString("-----END SSH HOST KEY FINGERPRINTS-----\n")
	b.WriteString("-----BEGIN SSH HOST KEY KEYS-----\n")
	b.WriteString(authorizedKey(pub, who) + "\n")
	b.WriteString("-----END SSH HOST KEY KEYS-----\n")
	return b.String()
}

// ---- key pairs ----

type keyPairXML struct {
	KeyPairID      string   `xml:"keyPairId"`
	KeyType        string   `xml:"keyType"`
	TagSet         []tagXML `xml:"tagSet>item"`
	KeyName        string   `xml:"keyName"`
	KeyFingerprint string   `xml:"keyFingerprint"`
	PublicKey      string   `xml:"publicKey,omitempty"`
	CreateTime     string   `xml:"createTime"`
}

type createKeyPairResult struct {
	KeyName        string   `xml:"keyName"`
	KeyFingerprint string   `xml:"keyFingerprint"`
	KeyMaterial    string   `xml:"keyMaterial"`
	KeyPairID      string   `xml:"keyPairId"`
	TagSet         []tagXML `xml:"tagSet>item"`
}

type importKeyPairResult struct {
	KeyFingerprint string   `xml:"keyFingerprint"`
	KeyName        string   `xml:"keyName"`
	KeyPairID      string   `xml:"keyPairId"`
	TagSet         []tagXML `xml:"tagSet>item"`
}

func requiredKeyName(f awsproto.Form) (string, error) {
	name := f.Get("KeyName")
	if name == "" {
		return "", errMissingParameter.New("The request must contain the parameter KeyName")
	}
	return name, nil
}

func (s *Service) createKeyPair(c *awsproto.Call, f awsproto.Form) (any, error) {
	if err := checkDryRun(f); err != nil {
		return nil, err
	}
	name, err := requiredKeyName(f)
	if err != nil {
		return nil, err
	}
	keyType := f.Get("KeyType")
	switch keyType {
	case "":
		keyType = keyTypeRSA
	case keyTypeRSA, keyTypeED25519:
	default:
		return nil, errInvalidParameter.Errorf("Value (%s) for parameter KeyType is invalid. Valid values are rsa and ed25519.", keyType)
	}
	format := f.Get("KeyFormat")
	switch format {
	case "":
		format = keyFormatPEM
	case keyFormatPEM, keyFormatPPK:
	default:
		return nil, errInvalidParameter.Errorf("Value (%s) for parameter KeyFormat is invalid. Valid values are pem and ppk.", format)
	}
	tags, err := tagSpecs(f, "key-pair")
	if err != nil {
		return nil, err
	}
	k, material, err := s.store.CreateKeyPair(c.Region, name, keyType, format, tags)
	if err != nil {
		return nil, wire(err)
	}
	return createKeyPairResult{KeyName: k.Name, KeyFingerprint: k.Fingerprint, KeyMaterial: material,
		KeyPairID: k.ID, TagSet: tagsOut(k.Tags)}, nil
}

func (s *Service) importKeyPair(c *awsproto.Call, f awsproto.Form) (any, error) {
	if err := checkDryRun(f); err != nil {
		return nil, err
	}
	name, err := requiredKeyName(f)
	if err != nil {
		return nil, err
	}
	if f.Get("PublicKeyMaterial") == "" {
		return nil, errMissingParameter.New("The request must contain the parameter PublicKeyMaterial")
	}
	// The SDKs send the blob base64-encoded, as the query protocol does.
	material, err := base64.StdEncoding.DecodeString(f.Get("PublicKeyMaterial"))
	if err != nil {
		return nil, errKeyPairFormat.New("Key is not in valid OpenSSH public key format")
	}
	tags, err := tagSpecs(f, "key-pair")
	if err != nil {
		return nil, err
	}
	k, err := s.store.ImportKeyPair(c.Region, name, material, tags)
	if err != nil {
		return nil, wire(err)
	}
	return importKeyPairResult{KeyFingerprint: k.Fingerprint, KeyName: k.Name, KeyPairID: k.ID, TagSet: tagsOut(k.Tags)}, nil
}

type describeKeyPairsResult struct {
	KeySet []keyPairXML `xml:"keySet>item"`
}

func (s *Service) describeKeyPairs(c *awsproto.Call, f awsproto.Form) (any, error) {
	if err := checkDryRun(f); err != nil {
		return nil, err
	}
	filters, err := filtersOf(f)
	if err != nil {
		return nil, err
	}
	withPublic, err := boolParam(f, "IncludePublicKey")
	if err != nil {
		return nil, err
	}
	keys, err := s.store.DescribeKeyPairs(c.Region, f.List("KeyName"), f.List("KeyPairId"), filters)
	if err != nil {
		return nil, wire(err)
	}
	out := describeKeyPairsResult{KeySet: make([]keyPairXML, len(keys))}
	for i, k := range keys {
		x := keyPairXML{KeyPairID: k.ID, KeyType: k.Type, TagSet: tagsOut(k.Tags), KeyName: k.Name,
			KeyFingerprint: k.Fingerprint, CreateTime: isoTime(k.Created)}
		if withPublic {
			x.PublicKey = k.PublicKey
		}
		out.KeySet[i] = x
	}
	return out, nil
}

type deleteKeyPairResult struct {
	Return    bool   `xml:"return"`
	KeyPairID string `xml:"keyPairId,omitempty"`
}

func (s *Service) deleteKeyPair(c *awsproto.Call, f awsproto.Form) (any, error) {
	if err := checkDryRun(f); err != nil {
		return nil, err
	}
	name, id := f.Get("KeyName"), f.Get("KeyPairId")
	if name == "" && id == "" {
		return nil, errMissingParameter.New("The request must contain the parameter KeyName or KeyPairId")
	}
	deleted, _ := s.store.DeleteKeyPair(c.Region, name, id)
	return deleteKeyPairResult{Return: true, KeyPairID: deleted}, nil
}

// ---- tags ----

type returnResult struct {
	Return bool `xml:"return"`
}

func (s *Service) createTags(c *awsproto.Call, f awsproto.Form) (any, error) {
	if err := checkDryRun(f); err != nil {
		return nil, err
	}
	ids := f.List("ResourceId")
	if len(ids) == 0 {
		return nil, errMissingParameter.New("The request must contain the parameter ResourceId")
	}
	tags := tagsOf(f, "Tag")
	if len(tags) == 0 {
		return nil, errMissingParameter.New("The request must contain the parameter Tag")
	}
	if err := s.store.CreateTags(c.Region, ids, tags); err != nil {
		return nil, wire(err)
	}
	return returnResult{true}, nil
}

func (s *Service) deleteTags(c *awsproto.Call, f awsproto.Form) (any, error) {
	if err := checkDryRun(f); err != nil {
		return nil, err
	}
	ids := f.List("ResourceId")
	if len(ids) == 0 {
		return nil, errMissingParameter.New("The request must contain the parameter ResourceId")
	}
	var dels []TagDelete
	for _, sub := range f.Structs("Tag") {
		if sub.Get("Key") == "" {
			return nil, errInvalidParameter.New("Tag key must not be empty")
		}
		dels = append(dels, TagDelete{Key: sub.Get("Key"), Value: sub.Get("Value"), HasValue: sub.Has("Value")})
	}
	if err := s.store.DeleteTags(c.Region, ids, dels); err != nil {
		return nil, wire(err)
	}
	return returnResult{true}, nil
}

type tagDescriptionXML struct {
	ResourceID   string `xml:"resourceId"`
	ResourceType string `xml:"resourceType"`
	Key          string `xml:"key"`
	Value        string `xml:"value"`
}

type describeTagsResult struct {
	TagSet    []tagDescriptionXML `xml:"tagSet>item"`
	NextToken string              `xml:"nextToken,omitempty"`
}

func (s *Service) describeTags(c *awsproto.Call, f awsproto.Form) (any, error) {
	if err := checkDryRun(f); err != nil {
		return nil, err
	}
	filters, err := filtersOf(f)
	if err != nil {
		return nil, err
	}
	max, err := maxResults(f, nil, "")
	if err != nil {
		return nil, err
	}
	pos, _, err := decodeToken(f, "DescribeTags")
	if err != nil {
		return nil, err
	}
	afterID, afterKey, _ := strings.Cut(pos, "\x00")
	tags, more, err := s.store.DescribeTags(c.Region, filters, max, afterID, afterKey)
	if err != nil {
		return nil, wire(err)
	}
	out := describeTagsResult{TagSet: make([]tagDescriptionXML, len(tags))}
	for i, t := range tags {
		out.TagSet[i] = tagDescriptionXML(t)
	}
	if more {
		last := tags[len(tags)-1]
		out.NextToken = encodeToken("DescribeTags", last.ResourceID+"\x00"+last.Key)
	}
	return out, nil
}

// ---- regions and zones ----

// regions are the regions DescribeRegions lists (those enabled by default).
var regions = []string{
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
	"ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
	"us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

type regionXML struct {
	RegionName     string `xml:"regionName"`
	RegionEndpoint string `xml:"regionEndpoint"`
	OptInStatus    string `xml:"optInStatus"`
}

type describeRegionsResult struct {
	RegionInfo []regionXML `xml:"regionInfo>item"`
}

var regionFilters = map[string]bool{"region-name": true, "endpoint": true, "opt-in-status": true}

func (s *Service) describeRegions(c *awsproto.Call, f awsproto.Form) (any, error) {
	if err := checkDryRun(f); err != nil {
		return nil, err
	}
	filters, err := filtersOf(f)
	if err != nil {
		return nil, err
	}
	if bad, ok := checkFilters(filters, regionFilters, false); !ok {
		return nil, errInvalidParameter.Errorf("The filter '%s' is invalid", bad)
	}
	names := f.List("RegionName")
	for _, n := range names {
		if !contains(regions, n) {
			return nil, errInvalidParameter.Errorf("Invalid region: %s", n)
		}
	}
	var out describeRegionsResult
	for _, r := range regions {
		if len(names) > 0 && !contains(names, r) {
			continue
		}
		x := regionXML{r, "ec2." + r + ".amazonaws.com", "opt-in-not-required"}
		fields := func(name string) []string {
			switch name {
			case "region-name":
				return []string{x.RegionName}
			case "endpoint":
				return []string{x.RegionEndpoint}
			}
			return []string{x.OptInStatus}
		}
		if matchFilters(filters, fields, nil) {
			out.RegionInfo = append(out.RegionInfo, x)
		}
	}
	return out, nil
}

type zoneXML struct {
	ZoneName           string   `xml:"zoneName"`
	ZoneState          string   `xml:"zoneState"`
	RegionName         string   `xml:"regionName"`
	ZoneID             string   `xml:"zoneId"`
	GroupName          string   `xml:"groupName"`
	NetworkBorderGroup string   `xml:"networkBorderGroup"`
	ZoneType           string   `xml:"zoneType"`
	OptInStatus        string   `xml:"optInStatus"`
	MessageSet         []string `xml:"messageSet>item"`
}

type describeZonesResult struct {
	AvailabilityZoneInfo []zoneXML `xml:"availabilityZoneInfo>item"`
}

var zoneFilters = map[string]bool{"zone-name": true, "zone-id": true, "state": true, "region-name": true, "zone-type": true}

// zoneIDPrefix abbreviates a region as zone IDs do ("us-east-1" → "use1").
func zoneIDPrefix(region string) string {
	parts := strings.Split(region, "-")
	if len(parts) != 3 {
		return region
	}
	dir := map[string]string{"east": "e", "west": "w", "north": "n", "south": "s", "central": "c",
		"northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw"}[parts[1]]
	if dir == "" {
		dir = parts[1][:1]
	}
	return parts[0] + dir + parts[2]
}

func (s *Service) describeAvailabilityZones(c *awsproto.Call, f awsproto.Form) (any, error) {
	if err := checkDryRun(f); err != nil {
		return nil, err
	}
	filters, err := filtersOf(f)
	if err != nil {
		return nil, err
	}
	if bad, ok := checkFilters(filters, zoneFilters, false); !ok {
		return nil, errInvalidParameter.Errorf("The filter '%s' is invalid", bad)
	}
	names := f.List("ZoneName")
	ids := f.List("ZoneId")
	var out describeZonesResult
	matched := map[string]bool{}
	for i, suffix := range []string{"a", "b", "c"} {
		z := zoneXML{ZoneName: c.Region + suffix, ZoneState: "available", RegionName: c.Region,
			ZoneID: zoneIDPrefix(c.Region) + "-az" + strconv.Itoa(i+1), GroupName: c.Region,
			NetworkBorderGroup: c.Region, ZoneType: "availability-zone", OptInStatus: "opt-in-not-required"}
		if (len(names) > 0 || len(ids) > 0) && !contains(names, z.ZoneName) && !contains(ids, z.ZoneID) {
			continue
		}
		matched[z.ZoneName], matched[z.ZoneID] = true, true
		fields := func(name string) []string {
			switch name {
			case "zone-name":
				return []string{z.ZoneName}
			case "zone-id":
				return []string{z.ZoneID}
			case "state":
				return []string{z.ZoneState}
			case "region-name":
				return []string{z.RegionName}
			}
			return []string{z.ZoneType}
		}
		if matchFilters(filters, fields, nil) {
			out.AvailabilityZoneInfo = append(out.AvailabilityZoneInfo, z)
		}
	}
	for _, n := range append(names, ids...) {
		if !matched[n] {
			return nil, errInvalidParameter.Errorf("The zone '%s' does not exist.", n)
		}
	}
	return out, nil
}
