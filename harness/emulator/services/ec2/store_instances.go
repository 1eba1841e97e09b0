package ec2

import (
	"crypto/sha256"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// RunSpec is what RunInstances asks for.
type RunSpec struct {
	ImageID, InstanceType, KeyName, ClientToken string
	MinCount, MaxCount                          int
	Tags                                        []Tag
	// TerminateOnShutdown is InstanceInitiatedShutdownBehavior=terminate.
	TerminateOnShutdown bool
}

// Reservation is the instances one RunInstances call launched.
type Reservation struct {
	ID        string
	Instances []Instance
}

// idleTimeoutOf reads the groundstack:idle-timeout tag.
func idleTimeoutOf(tags []Tag) (time.Duration, bool, error) {
	for _, t := range tags {
		if t.Key != TagIdleTimeout {
			continue
		}
		d, err := time.ParseDuration(t.Value)
		if err != nil || d < 0 {
			return 0, false, errInvalidParameter.Errorf("Value (%s) for tag %s is invalid. Expected a Go duration such as 10m.", t.Value, TagIdleTimeout)
		}
		return d, true, nil
	}
	return 0, false, nil
}

// visible reports whether a Describe call still sees in.
func visible(in *instance, now time.Time) bool {
	return in.State != StateTerminated || now.Sub(in.terminatedAt) < TerminatedVisibility
}

// purge forgets terminated instances past their visibility; r.mu held.
func (r *region) purge(now time.Time) {
	n := 0
	for _, in := range r.order {
		if visible(in, now) {
			r.order[n] = in
			n++
		} else {
			delete(r.instances, in.ID)
		}
	}
	clear(r.order[n:])
	r.order = r.order[:n]
}

func snapshot(in *instance) Instance {
	out := in.Instance
	out.Tags = slices.Clone(in.Tags)
	out.Groups = slices.Clone(in.Groups)
	if in.StateReason != nil {
		sr := *in.StateReason
		out.StateReason = &sr
	}
	return out
}

// Run launches instances: each starts pending and its machine is launched
// and started in the background.
func (s *Store) Run(regionName string, spec RunSpec) (Reservation, error) {
	if err := validTags(spec.Tags); err != nil {
		return Reservation{}, err
	}
	if len(spec.Tags) > maxTags {
		return Reservation{}, errTagLimit.New("The maximum number of Tags for a resource has been reached.")
	}
	idle, ok, err := idleTimeoutOf(spec.Tags)
	if err != nil {
		return Reservation{}, err
	}
	if !ok {
		idle = s.IdleTimeout()
	}
	launcher := s.launcher()
	now := s.env.Now()
	r := s.region(regionName)
	r.mu.Lock()
	r.purge(now)
	if spec.ClientToken != "" {
		if res, ok := r.reservationByToken(spec.ClientToken); ok {
			r.mu.Unlock()
			return res, nil
		}
	}
	var authorized string
	if spec.KeyName != "" {
		k := r.keys[spec.KeyName]
		if k == nil {
			r.mu.Unlock()
			return Reservation{}, errKeyPairNotFound.Errorf("The key pair '%s' does not exist", spec.KeyName)
		}
		authorized = k.PublicKey
	}
	live := 0
	for _, in := range r.order {
		if in.State != StateTerminated {
			live++
		}
	}
	if live+spec.MinCount > maxInstances {
		r.mu.Unlock()
		return Reservation{}, errInstanceLimit.Errorf("You have requested more instances (%d) than your current instance limit of %d allows for the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.", live+spec.MinCount, maxInstances)
	}
	n := min(spec.MaxCount, maxInstances-live)
	res := Reservation{ID: s.newID("r-")}
	launched := make([]*instance, n)
	for i := range n {
		in := &instance{authorized: authorized, idle: idle, gen: 1, terminateOnShutdown: spec.TerminateOnShutdown}
		in.Instance = Instance{
			ID: s.newID("i-"), ReservationID: res.ID, ImageID: spec.ImageID, InstanceType: spec.InstanceType,
			KeyName: spec.KeyName, ClientToken: spec.ClientToken, AvailabilityZone: regionName + "a",
			LaunchIndex: i, LaunchTime: now, State: StatePending, Tags: slices.Clone(spec.Tags),
			seq: s.seq.Add(1),
		}
		in.PrivateIP = fakePrivateIP(in.ID)
		if launcher != nil {
			in.PrivateIP = "127.0.0.1"
		}
		r.instances[in.ID] = in
		r.order = append(r.order, in)
		launched[i] = in
		res.Instances = append(res.Instances, snapshot(in))
	}
	r.mu.Unlock()
	for _, in := range launched {
		go s.transition(r, in, 1, opLaunch)
	}
	return res, nil
}

func (r *region) reservationByToken(token string) (Reservation, bool) {
	var res Reservation
	for _, in := range r.order {
		if in.ClientToken == token {
			res.ID = in.ReservationID
			res.Instances = append(res.Instances, snapshot(in))
		}
	}
	return res, res.ID != ""
}

// fakePrivateIP is an address in the default VPC's range for instances
// without a machine.
func fakePrivateIP(id string) string {
	sum := sha256.Sum256([]byte(id))
	return fmt.Sprintf("172.31.%d.%d", sum[0]&0x3f, 1+int(sum[1])%254)
}

// ValidInstanceID reports whether id has the shape of an instance ID.
func ValidInstanceID(id string) bool {
	rest, ok := strings.CutPrefix(id, "i-")
	if !ok || (len(rest) != 8 && len(rest) != 17) {
		return false
	}
	for _, c := range rest {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// lookup returns the visible instances named by ids (which are well formed),
// or InvalidInstanceID.NotFound naming every missing one; r.mu held.
func (r *region) lookup(ids []string, now time.Time) ([]*instance, error) {
	out := make([]*instance, 0, len(ids))
	var missing []string
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		in := r.instances[id]
		if in == nil || !visible(in, now) {
			missing = append(missing, id)
			continue
		}
		out = append(out, in)
	}
	switch len(missing) {
	case 0:
		return out, nil
	case 1:
		return nil, errInstanceNotFound.Errorf("The instance ID '%s' does not exist", missing[0])
	default:
		return nil, errInstanceNotFound.Errorf("The instance IDs '%s' do not exist", strings.Join(missing, ", "))
	}
}

// instanceFilters are the DescribeInstances filter names supported.
var instanceFilters = map[string]bool{
	"instance-id": true, "instance-state-name": true, "instance-state-code": true, "key-name": true,
	"private-ip-address": true, "instance-type": true, "image-id": true, "reservation-id": true,
	"availability-zone": true, "private-dns-name": true, "launch-index": true, "client-token": true,
}

func (r *region) instanceFields(in *instance) fieldsOf {
	return func(name string) []string {
		switch name {
		case "instance-id":
			return []string{in.ID}
		case "instance-state-name":
			return []string{in.State.String()}
		case "instance-state-code":
			return []string{strconv.Itoa(int(in.State))}
		case "key-name":
			return []string{in.KeyName}
		case "private-ip-address":
			return []string{in.PrivateIP}
		case "instance-type":
			return []string{in.InstanceType}
		case "image-id":
			return []string{in.ImageID}
		case "reservation-id":
			return []string{in.ReservationID}
		case "availability-zone":
			return []string{in.AvailabilityZone}
		case "private-dns-name":
			return []string{in.PrivateDNSName(r.name)}
		case "launch-index":
			return []string{strconv.Itoa(in.LaunchIndex)}
		case "client-token":
			return []string{in.ClientToken}
		}
		return nil
	}
}

// Query is the common shape of a paged, filtered Describe call.
type Query struct {
	IDs     []string
	Filters []Filter
	// Max is the page size (0: no limit beyond the default page); After
	// resumes after the instance with that sequence number.
	Max   int
	After uint64
}

// Describe returns one page of the visible instances that match q, in launch
// order, and the sequence number to resume after (0 at the end).
func (s *Store) Describe(regionName string, q Query) ([]Instance, uint64, error) {
	if bad, ok := checkFilters(q.Filters, instanceFilters, true); !ok {
		return nil, 0, errInvalidParameter.Errorf("The filter '%s' is invalid", bad)
	}
	now := s.env.Now()
	r := s.region(regionName)
	r.mu.RLock()
	defer r.mu.RUnlock()
	candidates := r.order
	if len(q.IDs) > 0 {
		found, err := r.lookup(q.IDs, now)
		if err != nil {
			return nil, 0, err
		}
		sort.Slice(found, func(i, j int) bool { return found[i].seq < found[j].seq })
		candidates = found
	}
	limit := q.Max
	if limit <= 0 {
		limit = defaultPageSize
	}
	start := sort.Search(len(candidates), func(i int) bool { return candidates[i].seq > q.After })
	var out []Instance
	for _, in := range candidates[start:] {
		if !visible(in, now) || !matchFilters(q.Filters, r.instanceFields(in), in.Tags) {
			continue
		}
		if len(out) == limit {
			return out, out[len(out)-1].seq, nil
		}
		out = append(out, snapshot(in))
	}
	return out, 0, nil
}

// Seq is the paging position of an instance.
func (in Instance) Seq() uint64 { return in.seq }

// StateChange is one instance's entry in a Start/Stop/Terminate answer.
type StateChange struct {
	ID            string
	Previous, Now State
}

// transition kinds run on an instance's machine.
type op int

const (
	opLaunch op = iota
	opStart
	opStop
	opTerminate
	opReboot // stop and start the machine; the instance stays running
)

// change applies a requested transition to every instance named: it checks
// them all first (so a refused request changes nothing), then moves each
// through decide, which returns the new state and the machine work, or an
// error for an instance in the wrong state.
func (s *Store) change(regionName string, ids []string, decide func(in *instance) (State, op, bool, error)) ([]StateChange, error) {
	now := s.env.Now()
	r := s.region(regionName)
	r.mu.Lock()
	ins, err := r.lookup(ids, now)
	if err != nil {
		r.mu.Unlock()
		return nil, err
	}
	type plan struct {
		to   State
		op   op
		work bool
	}
	plans := make([]plan, len(ins))
	for i, in := range ins {
		to, o, work, err := decide(in)
		if err != nil {
			r.mu.Unlock()
			return nil, err
		}
		plans[i] = plan{to, o, work}
	}
	out := make([]StateChange, len(ins))
	type job struct {
		in  *instance
		gen uint64
		op  op
	}
	var jobs []job
	reason := "User initiated (" + now.UTC().Format("2006-01-02 15:04:05") + " GMT)"
	for i, in := range ins {
		out[i] = StateChange{ID: in.ID, Previous: in.State, Now: in.State}
		if !plans[i].work {
			continue
		}
		in.State = plans[i].to
		in.gen++
		switch plans[i].op {
		case opStop, opTerminate:
			in.TransitionReason = reason
			in.StateReason = &Reason{"Client.UserInitiatedShutdown", "Client.UserInitiatedShutdown: User initiated shutdown"}
		case opStart:
			in.TransitionReason, in.StateReason = "", nil
		}
		out[i].Now = in.State
		jobs = append(jobs, job{in, in.gen, plans[i].op})
	}
	r.mu.Unlock()
	for _, j := range jobs {
		go s.transition(r, j.in, j.gen, j.op)
	}
	return out, nil
}

// Start starts stopped instances.
func (s *Store) Start(regionName string, ids []string) ([]StateChange, error) {
	return s.change(regionName, ids, func(in *instance) (State, op, bool, error) {
		switch in.State {
		case StatePending, StateRunning:
			return in.State, 0, false, nil
		case StateStopped:
			return StatePending, opStart, true, nil
		}
		return 0, 0, false, errIncorrectState.Errorf("The instance '%s' is not in a state from which it can be started.", in.ID)
	})
}

// Stop stops running instances. force only matters on AWS for instances
// stuck stopping; here stopping always completes.
func (s *Store) Stop(regionName string, ids []string, force bool) ([]StateChange, error) {
	return s.change(regionName, ids, func(in *instance) (State, op, bool, error) {
		switch in.State {
		case StateStopping, StateStopped:
			return in.State, 0, false, nil
		case StateRunning:
			if in.DisableAPIStop {
				return 0, 0, false, errNotPermitted.Errorf("The instance '%s' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.", in.ID)
			}
			return StateStopping, opStop, true, nil
		}
		return 0, 0, false, errIncorrectState.Errorf("The instance '%s' is not in a state from which it can be stopped.", in.ID)
	})
}

// Reboot restarts running instances' machines (a pending one reboots as it
// boots anyway); they stay running throughout, as on AWS.
func (s *Store) Reboot(regionName string, ids []string) error {
	_, err := s.change(regionName, ids, func(in *instance) (State, op, bool, error) {
		switch in.State {
		case StateRunning:
			return StateRunning, opReboot, true, nil
		case StatePending:
			return in.State, 0, false, nil
		}
		return 0, 0, false, errIncorrectState.Errorf("The instance '%s' is not in a state from which it can be rebooted.", in.ID)
	})
	return err
}

// Terminate terminates instances in any state.
func (s *Store) Terminate(regionName string, ids []string) ([]StateChange, error) {
	return s.change(regionName, ids, func(in *instance) (State, op, bool, error) {
		switch in.State {
		case StateShuttingDown, StateTerminated:
			return in.State, 0, false, nil
		}
		if in.DisableAPITermination {
			return 0, 0, false, errNotPermitted.Errorf("The instance '%s' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.", in.ID)
		}
		return StateShuttingDown, opTerminate, true, nil
	})
}

// transition does the machine work of one requested transition and then
// settles the instance's state, unless a newer transition superseded it.
func (s *Store) transition(r *region, in *instance, gen uint64, o op) {
	in.hostMu.Lock()
	defer in.hostMu.Unlock()
	r.mu.RLock()
	current, host, relaunch := in.gen == gen, in.host, in.relaunch
	r.mu.RUnlock()
	if !current {
		return
	}
	if o == opStart && host == nil && relaunch {
		o = opLaunch // loaded from a snapshot without its machine
	}
	settle := func(f func()) {
		r.mu.Lock()
		if in.gen == gen {
			f()
		}
		r.mu.Unlock()
	}
	if o == opReboot {
		if host != nil {
			if err := host.Stop(); err != nil {
				s.env.Log.Warn("ec2: reboot host", "instance", in.ID, "err", err)
			}
		}
		o = opStart
	}
	switch o {
	case opLaunch:
		l := s.launcher()
		if l == nil || s.closed.Load() {
			break
		}
		r.mu.RLock()
		names := []string{in.ID, in.PrivateDNSName(r.name)} // fixed for the instance's life
		r.mu.RUnlock()
		h, err := l.Launch(cloud.HostSpec{
			InstanceID: in.ID, AuthorizedKey: in.authorized, IdleTimeout: in.idle,
			OnIdle: func() { go s.idled(r, in) },
			Fault: func(dropOnly bool) *cloud.FaultHit {
				if dropOnly {
					if cloud.DroppedOn(s.env.Links, cloud.PlaneSSH, "ec2", r.name, names...) {
						return &cloud.FaultHit{Drop: true}
					}
					return nil
				}
				return cloud.FaultOn(s.env.Links, cloud.PlaneSSH, "ec2", r.name, names...)
			},
		})
		if err != nil {
			s.env.Log.Warn("ec2: launch host", "instance", in.ID, "err", err)
			settle(func() {
				in.State, in.terminatedAt = StateTerminated, s.env.Now()
				in.StateReason = &Reason{"Server.InternalError", "Server.InternalError: Internal error on launch"}
				in.TransitionReason = in.StateReason.Message
			})
			return
		}
		hostKey := h.HostKey()
		stale := false
		r.mu.Lock()
		if in.gen == gen {
			in.host, in.HostKey, in.relaunch = h, hostKey, false
			in.Tags = setTag(in.Tags, TagSSHHostKey, hostKey)
		} else {
			stale = true
		}
		r.mu.Unlock()
		if stale { // terminated or reset while launching
			_ = h.Terminate()
			return
		}
		host = h
		fallthrough
	case opStart:
		var err error
		if host != nil {
			err = host.Start()
		}
		settle(func() {
			if err != nil {
				s.env.Log.Warn("ec2: start host", "instance", in.ID, "err", err)
				in.State = StateStopped
				in.StateReason = &Reason{"Server.InternalError", "Server.InternalError: Internal error on launch: " + err.Error()}
				in.TransitionReason = in.StateReason.Message
				return
			}
			in.State, in.StateReason, in.TransitionReason = StateRunning, nil, ""
			if host != nil {
				if ip, port, err := net.SplitHostPort(host.Addr()); err == nil {
					in.PrivateIP = ip
					in.Tags = setTag(in.Tags, TagSSHPort, port)
				}
			}
		})
	case opStop:
		if host != nil {
			if err := host.Stop(); err != nil {
				s.env.Log.Warn("ec2: stop host", "instance", in.ID, "err", err)
			}
		}
		settle(func() { in.State = StateStopped })
	case opTerminate:
		if host != nil {
			if err := host.Terminate(); err != nil {
				s.env.Log.Warn("ec2: terminate host", "instance", in.ID, "err", err)
			}
		}
		settle(func() {
			in.State, in.terminatedAt, in.host = StateTerminated, s.env.Now(), nil
		})
	}
	if o == opLaunch { // no launcher: the instance runs with no machine
		settle(func() {
			if in.State == StatePending {
				in.State = StateRunning
			}
		})
	}
}

// idled records that a host stopped itself for inactivity, as a shutdown
// from inside the instance: it goes stopping → stopped, or shutting-down →
// terminated when launched with InstanceInitiatedShutdownBehavior=terminate.
func (s *Store) idled(r *region, in *instance) {
	in.hostMu.Lock() // after any transition in flight (a start that just returned)
	r.mu.Lock()
	if in.State != StateRunning || in.host == nil {
		r.mu.Unlock()
		in.hostMu.Unlock()
		return
	}
	in.State = StateStopping
	if in.terminateOnShutdown {
		in.State = StateShuttingDown
	}
	in.gen++
	gen := in.gen
	in.TransitionReason = "User initiated (" + s.env.Now().UTC().Format("2006-01-02 15:04:05") + " GMT)"
	in.StateReason = &Reason{"Client.InstanceInitiatedShutdown", "Client.InstanceInitiatedShutdown: Instance initiated shutdown"}
	terminate := in.terminateOnShutdown
	r.mu.Unlock()
	in.hostMu.Unlock()
	if terminate {
		s.transition(r, in, gen, opTerminate)
		return
	}
	r.mu.Lock() // the host has stopped already: nothing to call
	if in.gen == gen {
		in.State = StateStopped
	}
	r.mu.Unlock()
}

// ConsoleOutput is what GetConsoleOutput shows: the host key block
// cloud-init prints at first boot, for instances with a machine.
func (s *Store) ConsoleOutput(regionName, id string) (Instance, error) {
	r := s.region(regionName)
	r.mu.RLock()
	defer r.mu.RUnlock()
	ins, err := r.lookup([]string{id}, s.env.Now())
	if err != nil {
		return Instance{}, err
	}
	return snapshot(ins[0]), nil
}

// InstanceAttributes is what ModifyInstanceAttribute changes; nil leaves one.
type InstanceAttributes struct {
	InstanceType, ShutdownBehavior, UserData                    *string
	DisableAPITermination, DisableAPIStop, SourceDestCheck, Ena *bool
	EbsOptimized                                                *bool
	Groups                                                      []string
}

// ModifyAttributes changes an instance's attributes; the instance type
// only while it is stopped, groups only to groups of its VPC.
func (s *Store) ModifyAttributes(regionName, id string, a InstanceAttributes) error {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	ins, err := r.lookup([]string{id}, s.env.Now())
	if err != nil {
		return err
	}
	in := ins[0]
	if a.InstanceType != nil && in.State != StateStopped {
		return errIncorrectState.Errorf("The instance '%s' is not in the 'stopped' state.", id)
	}
	if a.Groups != nil {
		n := r.net()
		vpc, _, _ := defaultVPC(r.name)
		refs := make([]GroupRef, 0, len(a.Groups))
		for _, g := range a.Groups {
			sg := n.groups[g]
			if sg == nil {
				return errGroupNotFound.Errorf("The security group '%s' does not exist", g)
			}
			if sg.VpcID != vpc {
				return errInvalidParameter.Errorf("Security group %s and instance %s belong to different networks.", g, id)
			}
			refs = append(refs, GroupRef{sg.ID, sg.Name})
		}
		in.Groups = refs
	}
	if a.InstanceType != nil {
		in.InstanceType = *a.InstanceType
	}
	if a.ShutdownBehavior != nil {
		in.terminateOnShutdown = *a.ShutdownBehavior == "terminate"
	}
	if a.UserData != nil {
		in.UserData = *a.UserData
	}
	set := func(dst *bool, v *bool, negate bool) {
		if v != nil {
			*dst = *v != negate
		}
	}
	set(&in.DisableAPITermination, a.DisableAPITermination, false)
	set(&in.DisableAPIStop, a.DisableAPIStop, false)
	set(&in.NoSourceDestCheck, a.SourceDestCheck, true)
	set(&in.NoEnaSupport, a.Ena, true)
	set(&in.EbsOptimized, a.EbsOptimized, false)
	return nil
}

// ShutdownBehavior is an instance's InstanceInitiatedShutdownBehavior.
func (s *Store) ShutdownBehavior(regionName, id string) (Instance, string, error) {
	r := s.region(regionName)
	r.mu.RLock()
	defer r.mu.RUnlock()
	ins, err := r.lookup([]string{id}, s.env.Now())
	if err != nil {
		return Instance{}, "", err
	}
	b := "stop"
	if ins[0].terminateOnShutdown {
		b = "terminate"
	}
	return snapshot(ins[0]), b, nil
}
