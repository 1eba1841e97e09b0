package ec2

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- wire shapes ----

type stateXML struct {
	Code int    `xml:"code"`
	Name string `xml:"name"`
}

func stateOut(st State) stateXML { return stateXML{int(st), st.String()} }

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
	if in.Groups != nil {
		x.GroupSet = nil
		for _, g := range in.Groups {
			x.GroupSet = append(x.GroupSet, groupXML{g.Name, g.ID})
		}
	}
	x.SourceDestCheck, x.EnaSupport, x.EbsOptimized = !in.NoSourceDestCheck, !in.NoEnaSupport, in.EbsOptimized
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

// ---- RunInstances ----

var (
	amiPattern          = regexp.MustCompile(`^ami-[0-9a-zA-Z]+$`)
	instanceTypePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9-]+$`)
)

type runInstancesInput struct {
	Request
	ImageId                           string
	MinCount                          *integer `required:"true"`
	MaxCount                          *integer `required:"true"`
	InstanceType                      string
	KeyName                           string
	ClientToken                       string
	InstanceInitiatedShutdownBehavior string
	TagSpecifications                 []tagSpec `query:"TagSpecification"`
	runUnemulated
}

// Validate checks what the model cannot say: ImageId is required here
// (no launch templates), counts are positive and in order, and the
// instance type has the shape of one (its enum grows every month).
func (in *runInstancesInput) Validate() error {
	minCount, maxCount := int(*in.MinCount), int(*in.MaxCount)
	switch {
	case in.ImageId == "":
		return missingParameter("ImageId")
	case !amiPattern.MatchString(in.ImageId):
		return errAMIMalformed.Errorf(`Invalid id: "%s" (expecting "ami-...")`, in.ImageId)
	case minCount < 1:
		return errInvalidParameter.Errorf("Value (%d) for parameter minCount is invalid. Expected a positive integer.", minCount)
	case maxCount < 1:
		return errInvalidParameter.Errorf("Value (%d) for parameter maxCount is invalid. Expected a positive integer.", maxCount)
	case minCount > maxCount:
		return errInvalidParameter.Errorf("Value (%d) for parameter minCount is invalid. Expected a value less than or equal to maxCount (%d).", minCount, maxCount)
	case in.InstanceType != "" && !instanceTypePattern.MatchString(in.InstanceType):
		return errInvalidParameter.Errorf("Invalid value '%s' for InstanceType.", in.InstanceType)
	}
	switch b := in.InstanceInitiatedShutdownBehavior; b {
	case "", "stop", "terminate":
		return nil
	default:
		return errInvalidParameter.Errorf("Value (%s) for parameter instanceInitiatedShutdownBehavior is invalid. Valid values are stop and terminate.", b)
	}
}

func (s *Service) runInstances(c *awsproto.Call, in *runInstancesInput) (reservationXML, error) {
	tags, err := tagSpecs(in.TagSpecifications, "instance", "volume", "network-interface", "spot-instances-request", "elastic-gpu")
	if err != nil {
		return reservationXML{}, err
	}
	itype := in.InstanceType
	if itype == "" {
		itype = "m1.small" // RunInstances' documented default
	}
	res, err := s.store.Run(c.Region, RunSpec{
		ImageID: in.ImageId, InstanceType: itype, KeyName: in.KeyName, ClientToken: in.ClientToken,
		MinCount: int(*in.MinCount), MaxCount: int(*in.MaxCount), Tags: tags,
		TerminateOnShutdown: in.InstanceInitiatedShutdownBehavior == "terminate",
	})
	if err != nil {
		return reservationXML{}, err
	}
	_, _, sg := defaultVPC(c.Region)
	out := reservationXML{ReservationID: res.ID, OwnerID: s.env.Account, GroupSet: []groupXML{{"default", sg}}}
	for _, in := range res.Instances {
		out.InstancesSet = append(out.InstancesSet, s.instanceOut(c.Region, in))
	}
	return out, nil
}

// ---- DescribeInstances ----

// InstanceQuery is what the instance Describe calls take: IDs, filters
// and paging. (It is exported because awsproto reads embedded structs by
// exported names.)
type InstanceQuery struct {
	InstanceIds []string `query:"InstanceId"`
	Filters     []Filter `query:"Filter"`
	MaxResults  *string
	NextToken   string
}

func (q *InstanceQuery) Validate() error {
	if err := validInstanceIDs(q.InstanceIds); err != nil {
		return err
	}
	return validFilters(q.Filters)
}

// query is the store's Query, resumed from the NextToken op gave.
func (q *InstanceQuery) query(op string) (Query, error) {
	n, err := pageSize(q.MaxResults, q.InstanceIds, "instancesSet")
	if err != nil {
		return Query{}, err
	}
	after, err := seqToken(q.NextToken, op)
	if err != nil {
		return Query{}, err
	}
	return Query{IDs: q.InstanceIds, Filters: q.Filters, Max: n, After: after}, nil
}

type describeInstancesInput struct {
	Request
	InstanceQuery
	IncludeManagedResources boolean // accepted, not emulated (typed, so a malformed value is refused)
}

type describeInstancesResult struct {
	ReservationSet []reservationXML `xml:"reservationSet>item"`
	NextToken      string           `xml:"nextToken,omitempty"`
}

func (s *Service) describeInstances(c *awsproto.Call, in *describeInstancesInput) (describeInstancesResult, error) {
	q, err := in.query("DescribeInstances")
	if err != nil {
		return describeInstancesResult{}, err
	}
	ins, next, err := s.store.Describe(c.Region, q)
	if err != nil {
		return describeInstancesResult{}, err
	}
	out := describeInstancesResult{ReservationSet: s.reservationsOut(c.Region, ins)}
	if next != 0 {
		out.NextToken = encodeToken("DescribeInstances", strconv.FormatUint(next, 10))
	}
	return out, nil
}

// ---- StartInstances, StopInstances, TerminateInstances ----

type instanceIDsInput struct {
	Request
	InstanceIds []string `query:"InstanceId" required:"true"`
}

func (in *instanceIDsInput) Validate() error { return validInstanceIDs(in.InstanceIds) }

type stopInstancesInput struct {
	Request
	InstanceIds    []string `query:"InstanceId" required:"true"`
	Force          boolean
	Hibernate      boolean
	SkipOsShutdown boolean // accepted, not emulated (typed, so a malformed value is refused)
}

func (in *stopInstancesInput) Validate() error { return validInstanceIDs(in.InstanceIds) }

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
func (s *Service) startInstances(c *awsproto.Call, in *instanceIDsInput) (stateChangesResult, error) {
	changes, err := s.store.Start(c.Region, in.InstanceIds)
	return changesOut(changes), err
}

func (s *Service) stopInstances(c *awsproto.Call, in *stopInstancesInput) (stateChangesResult, error) {
	changes, err := s.store.Stop(c.Region, in.InstanceIds, bool(in.Force))
	return changesOut(changes), err
}

func (s *Service) rebootInstances(c *awsproto.Call, in *instanceIDsInput) (emptyResult, error) {
	return emptyResult{}, s.store.Reboot(c.Region, in.InstanceIds)
}

// terminateInstancesInput is instanceIDsInput and TerminateInstances' own
// members, accepted, not emulated (typed, so a malformed value is refused).
type terminateInstancesInput struct {
	instanceIDsInput
	Force          boolean
	SkipOsShutdown boolean
}

func (s *Service) terminateInstances(c *awsproto.Call, in *terminateInstancesInput) (stateChangesResult, error) {
	changes, err := s.store.Terminate(c.Region, in.InstanceIds)
	return changesOut(changes), err
}

// ---- DescribeInstanceStatus ----

type describeInstanceStatusInput struct {
	Request
	InstanceQuery
	IncludeAllInstances     boolean
	IncludeManagedResources boolean // accepted, not emulated (typed, so a malformed value is refused)
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

func (s *Service) describeInstanceStatus(c *awsproto.Call, in *describeInstanceStatusInput) (describeInstanceStatusResult, error) {
	var out describeInstanceStatusResult
	q, err := in.query("DescribeInstanceStatus")
	if err != nil {
		return out, err
	}
	if bad, ok := checkFilters(q.Filters, statusFilters, false); !ok {
		return out, errInvalidParameter.Errorf("The filter '%s' is invalid", bad)
	}
	// Status filters are applied here; the store pages over plain instances.
	filters := q.Filters
	q.Filters = nil
	for {
		ins, next, err := s.store.Describe(c.Region, q)
		if err != nil {
			return describeInstanceStatusResult{}, err
		}
		for _, i := range ins {
			if !in.IncludeAllInstances && i.State != StateRunning {
				continue
			}
			status, details := healthOf(i.State)
			fields := func(name string) []string {
				switch name {
				case "availability-zone":
					return []string{i.AvailabilityZone}
				case "instance-state-name":
					return []string{i.State.String()}
				case "instance-state-code":
					return []string{strconv.Itoa(int(i.State))}
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
				InstanceID: i.ID, AvailabilityZone: i.AvailabilityZone, InstanceState: stateOut(i.State),
				SystemStatus:   statusSummaryXML{status, details},
				InstanceStatus: statusSummaryXML{status, details},
			})
			q.After = i.Seq()
		}
		if next == 0 {
			return out, nil
		}
		q.After = next
	}
}

// ---- GetConsoleOutput ----

type getConsoleOutputInput struct {
	Request
	InstanceId string  `required:"true"`
	Latest     boolean // accepted, not emulated (typed, so a malformed value is refused)
}

func (in *getConsoleOutputInput) Validate() error { return validInstanceIDs([]string{in.InstanceId}) }

type consoleOutputResult struct {
	InstanceID string `xml:"instanceId"`
	Timestamp  string `xml:"timestamp"`
	Output     string `xml:"output,omitempty"`
}

// getConsoleOutput shows, for instances with a machine, the host key block
// getConsoleOutput shows, for instances with a machine, the host key block
// cloud-init prints at boot, so clients can verify the key out of band.
func (s *Service) getConsoleOutput(c *awsproto.Call, in *getConsoleOutputInput) (consoleOutputResult, error) {
	i, err := s.store.ConsoleOutput(c.Region, in.InstanceId)
	if err != nil {
		return consoleOutputResult{}, err
	}
	out := consoleOutputResult{InstanceID: i.ID, Timestamp: isoTime(s.env.Now())}
	if text := consoleText(i); text != "" {
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
