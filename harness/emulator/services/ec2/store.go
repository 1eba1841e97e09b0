package ec2

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// kind classifies a store failure; errors.go maps it to a wire code.
type kind int

const (
	kindInvalidParameter kind = iota
	kindInstanceNotFound
	kindIncorrectState
	kindKeyPairNotFound
	kindKeyPairDuplicate
	kindTagLimit
	kindInstanceLimit
	kindInstanceMalformed
	kindInvalidID
	kindKeyPairFormat
)

// failure is what the store returns for a request it refuses.
type failure struct {
	kind kind
	msg  string
}

func (f *failure) Error() string { return f.msg }

func fail(k kind, format string, args ...any) error {
	return &failure{k, fmt.Sprintf(format, args...)}
}

// Tags the service itself puts on instances that have a machine, and the
// one it reads at launch.
const (
	TagSSHPort     = "groundstack:ssh-port"     // the host's SSH port on 127.0.0.1
	TagSSHHostKey  = "groundstack:ssh-host-key" // the host's public key, authorized_keys form
	TagIdleTimeout = "groundstack:idle-timeout" // Go duration; stops the host after that long idle
)

// Limits EC2 applies (or, for instances, a stand-in for the vCPU quota).
const (
	maxTags         = 50
	maxTagKey       = 127
	maxTagValue     = 256
	maxInstances    = 1000 // non-terminated instances per region
	maxKeyPairs     = 5000 // per region, as on AWS
	maxKeyName      = 255
	defaultPageSize = 1000
)

// TerminatedVisibility is how long a terminated instance stays visible to
// Describe calls before it vanishes (about an hour on AWS).
const TerminatedVisibility = time.Hour

// State is an instance state; its value is the state code AWS reports.
type State int

// Instance states and their codes.
const (
	StatePending      State = 0
	StateRunning      State = 16
	StateShuttingDown State = 32
	StateTerminated   State = 48
	StateStopping     State = 64
	StateStopped      State = 80
)

func (s State) String() string {
	switch s {
	case StatePending:
		return "pending"
	case StateRunning:
		return "running"
	case StateShuttingDown:
		return "shutting-down"
	case StateTerminated:
		return "terminated"
	case StateStopping:
		return "stopping"
	case StateStopped:
		return "stopped"
	}
	return "unknown"
}

// Tag is an EC2 tag.
type Tag struct{ Key, Value string }

// Reason is an instance's StateReason.
type Reason struct{ Code, Message string }

// Instance is an instance as the API shows it.
type Instance struct {
	ID, ReservationID, ImageID, InstanceType, KeyName, ClientToken string
	AvailabilityZone                                               string
	LaunchIndex                                                    int
	LaunchTime                                                     time.Time
	State                                                          State
	StateReason                                                    *Reason
	TransitionReason                                               string
	PrivateIP                                                      string
	Tags                                                           []Tag
	// HostKey is the machine's public key once launched ("" without one).
	HostKey string
	seq     uint64
}

// PrivateDNSName is the instance's private DNS name as EC2 forms it.
func (in *Instance) PrivateDNSName(region string) string {
	name := "ip-" + strings.ReplaceAll(in.PrivateIP, ".", "-")
	if region == "us-east-1" {
		return name + ".ec2.internal"
	}
	return name + "." + region + ".compute.internal"
}

// instance is an Instance with the machine behind it. Instance fields are
// guarded by the region's lock; hostMu serialises calls on the host, which
// may be slow, so the region lock is never held across them.
type instance struct {
	Instance
	terminatedAt time.Time
	gen          uint64 // bumped by every requested transition; stale ones give way
	host         cloud.Host
	authorized   string
	idle         time.Duration
	// onShutdown is what an idle stop from inside the instance does:
	// InstanceInitiatedShutdownBehavior, stop (default) or terminate.
	terminateOnShutdown bool
	hostMu              sync.Mutex
}

// KeyPair is a key pair as the API shows it (never the private key).
type KeyPair struct {
	ID, Name, Type, Fingerprint string
	PublicKey                   string // authorized_keys form
	Created                     time.Time
	Tags                        []Tag
}

type region struct {
	name string
	mu   sync.RWMutex
	// instances by ID, and in launch order for paging.
	instances map[string]*instance
	order     []*instance
	keys      map[string]*KeyPair // by name
}

// Store holds every region's instances, key pairs and tags, and drives the
// machines behind instances. One lock per region; machine calls happen
// outside it.
type Store struct {
	env      *cloud.Env
	launcher func() cloud.HostLauncher

	mu      sync.RWMutex
	regions map[string]*region

	seq         atomic.Uint64
	idleDefault atomic.Int64
	closed      atomic.Bool
}

// NewStore returns an empty store; launcher (which may return nil) is asked
// for the machine launcher at each RunInstances.
func NewStore(env *cloud.Env, launcher func() cloud.HostLauncher) *Store {
	return &Store{env: env, launcher: launcher, regions: map[string]*region{}}
}

// SetIdleTimeout sets the idle time after which a host stops itself, for
// instances launched without the groundstack:idle-timeout tag; 0 never.
func (s *Store) SetIdleTimeout(d time.Duration) { s.idleDefault.Store(int64(d)) }

// IdleTimeout is the current default idle time.
func (s *Store) IdleTimeout() time.Duration { return time.Duration(s.idleDefault.Load()) }

func (s *Store) region(name string) *region {
	s.mu.RLock()
	r := s.regions[name]
	s.mu.RUnlock()
	if r != nil {
		return r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r = s.regions[name]; r == nil {
		r = &region{name: name, instances: map[string]*instance{}, keys: map[string]*KeyPair{}}
		s.regions[name] = r
	}
	return r
}

// newID returns prefix and 17 hex digits derived from the ID source, so
// fixed IDs in tests give fixed resource IDs.
func (s *Store) newID(prefix string) string {
	sum := sha256.Sum256([]byte(s.env.NewID()))
	return prefix + hex.EncodeToString(sum[:9])[:17]
}

// Reset terminates every machine and forgets everything.
func (s *Store) Reset() {
	s.mu.Lock()
	regions := s.regions
	s.regions = map[string]*region{}
	s.mu.Unlock()
	s.terminateAll(regions)
}

// Close terminates every machine; the store launches none after it.
func (s *Store) Close() error {
	s.closed.Store(true)
	s.Reset()
	return nil
}

func (s *Store) terminateAll(regions map[string]*region) {
	var all []*instance
	for _, r := range regions {
		r.mu.Lock()
		for _, in := range r.order {
			in.gen++ // in-flight transitions give way
			all = append(all, in)
		}
		r.mu.Unlock()
	}
	for _, in := range all {
		in.hostMu.Lock()
		if in.host != nil {
			if err := in.host.Terminate(); err != nil {
				s.env.Log.Warn("ec2: terminate host", "instance", in.ID, "err", err)
			}
			in.host = nil
		}
		in.hostMu.Unlock()
	}
}

// ---- validation shared by operations ----

// validTags checks tags as CreateTags and TagSpecifications do.
func validTags(tags []Tag) error {
	for _, t := range tags {
		switch {
		case t.Key == "":
			return fail(kindInvalidParameter, "Tag key must not be empty")
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return fail(kindInvalidParameter, "Tag keys starting with 'aws:' are reserved for internal use")
		case len([]rune(t.Key)) > maxTagKey:
			return fail(kindInvalidParameter, "Tag key exceeds the maximum length of %d characters", maxTagKey)
		case len([]rune(t.Value)) > maxTagValue:
			return fail(kindInvalidParameter, "Tag value exceeds the maximum length of %d characters", maxTagValue)
		}
	}
	return nil
}

// mergeTags sets tags on have, replacing values of keys already there.
func mergeTags(have, add []Tag) ([]Tag, error) {
	out := slices.Clone(have)
	for _, t := range add {
		out = setTag(out, t.Key, t.Value)
	}
	if len(out) > maxTags {
		return nil, fail(kindTagLimit, "The maximum number of Tags for a resource has been reached.")
	}
	return out, nil
}

func setTag(tags []Tag, key, value string) []Tag {
	for i := range tags {
		if tags[i].Key == key {
			tags[i].Value = value
			return tags
		}
	}
	return append(tags, Tag{key, value})
}

// idleTimeoutOf reads the groundstack:idle-timeout tag.
func idleTimeoutOf(tags []Tag) (time.Duration, bool, error) {
	for _, t := range tags {
		if t.Key != TagIdleTimeout {
			continue
		}
		d, err := time.ParseDuration(t.Value)
		if err != nil || d < 0 {
			return 0, false, fail(kindInvalidParameter, "Value (%s) for tag %s is invalid. Expected a Go duration such as 10m.", t.Value, TagIdleTimeout)
		}
		return d, true, nil
	}
	return 0, false, nil
}

// ---- instances ----

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
		return Reservation{}, fail(kindTagLimit, "The maximum number of Tags for a resource has been reached.")
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
			return Reservation{}, fail(kindKeyPairNotFound, "The key pair '%s' does not exist", spec.KeyName)
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
		return Reservation{}, fail(kindInstanceLimit, "You have requested more instances (%d) than your current instance limit of %d allows for the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.", live+spec.MinCount, maxInstances)
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
		return nil, fail(kindInstanceNotFound, "The instance ID '%s' does not exist", missing[0])
	default:
		return nil, fail(kindInstanceNotFound, "The instance IDs '%s' do not exist", strings.Join(missing, ", "))
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
		return nil, 0, fail(kindInvalidParameter, "The filter '%s' is invalid", bad)
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
		return 0, 0, false, fail(kindIncorrectState, "The instance '%s' is not in a state from which it can be started.", in.ID)
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
			return StateStopping, opStop, true, nil
		}
		return 0, 0, false, fail(kindIncorrectState, "The instance '%s' is not in a state from which it can be stopped.", in.ID)
	})
}

// Terminate terminates instances in any state.
func (s *Store) Terminate(regionName string, ids []string) ([]StateChange, error) {
	return s.change(regionName, ids, func(in *instance) (State, op, bool, error) {
		switch in.State {
		case StateShuttingDown, StateTerminated:
			return in.State, 0, false, nil
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
	current, host := in.gen == gen, in.host
	r.mu.RUnlock()
	if !current {
		return
	}
	settle := func(f func()) {
		r.mu.Lock()
		if in.gen == gen {
			f()
		}
		r.mu.Unlock()
	}
	switch o {
	case opLaunch:
		l := s.launcher()
		if l == nil || s.closed.Load() {
			break
		}
		h, err := l.Launch(cloud.HostSpec{
			InstanceID: in.ID, AuthorizedKey: in.authorized, IdleTimeout: in.idle,
			OnIdle: func() { go s.idled(r, in) },
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
			in.host, in.HostKey = h, hostKey
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

// ---- key pairs ----

func validKeyName(name string) error {
	if len(name) > maxKeyName {
		return fail(kindInvalidParameter, "Value (%s) for parameter KeyName is invalid. Length exceeds maximum of %d characters.", name, maxKeyName)
	}
	for i := 0; i < len(name); i++ {
		if name[i] < 0x20 || name[i] > 0x7e {
			return fail(kindInvalidParameter, "Value (%s) for parameter KeyName is invalid. Character sets beyond ASCII are not supported.", name)
		}
	}
	return nil
}

// addKey stores k under its name unless taken.
func (s *Store) addKey(regionName string, k *KeyPair) error {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.keys[k.Name] != nil {
		return fail(kindKeyPairDuplicate, "The keypair '%s' already exists.", k.Name)
	}
	if len(r.keys) >= maxKeyPairs {
		return fail(kindInvalidParameter, "Maximum of %d keypairs reached.", maxKeyPairs)
	}
	r.keys[k.Name] = k
	return nil
}

func (s *Store) keyExists(regionName, name string) bool {
	r := s.region(regionName)
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.keys[name] != nil
}

// CreateKeyPair generates a key pair and returns it with its private key.
func (s *Store) CreateKeyPair(regionName, name, keyType, format string, tags []Tag) (KeyPair, string, error) {
	if err := validKeyName(name); err != nil {
		return KeyPair{}, "", err
	}
	if err := validTags(tags); err != nil {
		return KeyPair{}, "", err
	}
	if s.keyExists(regionName, name) { // fail before the costly key generation
		return KeyPair{}, "", fail(kindKeyPairDuplicate, "The keypair '%s' already exists.", name)
	}
	g, err := generateKey(keyType, format, name)
	if err != nil {
		return KeyPair{}, "", err
	}
	k := &KeyPair{ID: s.newID("key-"), Name: name, Type: keyType, Fingerprint: g.Fingerprint,
		PublicKey: g.PublicKey, Created: s.env.Now(), Tags: slices.Clone(tags)}
	if err := s.addKey(regionName, k); err != nil {
		return KeyPair{}, "", err
	}
	return *k, g.Material, nil
}

// ImportKeyPair stores a public key the client made.
func (s *Store) ImportKeyPair(regionName, name string, material []byte, tags []Tag) (KeyPair, error) {
	if err := validKeyName(name); err != nil {
		return KeyPair{}, err
	}
	if err := validTags(tags); err != nil {
		return KeyPair{}, err
	}
	pub, comment, err := parsePublicKey(material)
	if err != nil {
		return KeyPair{}, errImportFormat
	}
	fp, err := importedFingerprint(pub)
	if err != nil {
		return KeyPair{}, errImportFormat
	}
	typ := keyTypeRSA
	if pub.Type() == "ssh-ed25519" {
		typ = keyTypeED25519
	}
	k := &KeyPair{ID: s.newID("key-"), Name: name, Type: typ, Fingerprint: fp,
		PublicKey: authorizedKey(pub, comment), Created: s.env.Now(), Tags: slices.Clone(tags)}
	if err := s.addKey(regionName, k); err != nil {
		return KeyPair{}, err
	}
	return *k, nil
}

// errImportFormat is ImportKeyPair's answer to material it cannot read.
var errImportFormat = fail(kindKeyPairFormat, "Key is not in valid OpenSSH public key format")

var keyPairFilters = map[string]bool{"key-pair-id": true, "key-name": true, "fingerprint": true, "key-type": true}

// DescribeKeyPairs returns the key pairs named (by name or ID), or all,
// filtered, by name.
func (s *Store) DescribeKeyPairs(regionName string, names, ids []string, filters []Filter) ([]KeyPair, error) {
	if bad, ok := checkFilters(filters, keyPairFilters, true); !ok {
		return nil, fail(kindInvalidParameter, "The filter '%s' is invalid", bad)
	}
	r := s.region(regionName)
	r.mu.RLock()
	defer r.mu.RUnlock()
	var picked []*KeyPair
	if len(names) > 0 || len(ids) > 0 {
		seen := map[*KeyPair]bool{}
		for _, n := range names {
			k := r.keys[n]
			if k == nil {
				return nil, fail(kindKeyPairNotFound, "The key pair '%s' does not exist", n)
			}
			if !seen[k] {
				seen[k] = true
				picked = append(picked, k)
			}
		}
		for _, id := range ids {
			k := r.keyByID(id)
			if k == nil {
				return nil, fail(kindKeyPairNotFound, "The key pair '%s' does not exist", id)
			}
			if !seen[k] {
				seen[k] = true
				picked = append(picked, k)
			}
		}
	} else {
		for _, k := range r.keys {
			picked = append(picked, k)
		}
	}
	var out []KeyPair
	for _, k := range picked {
		fields := func(name string) []string {
			switch name {
			case "key-pair-id":
				return []string{k.ID}
			case "key-name":
				return []string{k.Name}
			case "fingerprint":
				return []string{k.Fingerprint}
			case "key-type":
				return []string{k.Type}
			}
			return nil
		}
		if matchFilters(filters, fields, k.Tags) {
			c := *k
			c.Tags = slices.Clone(k.Tags)
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (r *region) keyByID(id string) *KeyPair {
	for _, k := range r.keys {
		if k.ID == id {
			return k
		}
	}
	return nil
}

// DeleteKeyPair deletes a key pair by name or ID; deleting one that does not
// exist succeeds, as on AWS. It returns the deleted key pair's ID.
func (s *Store) DeleteKeyPair(regionName, name, id string) (string, bool) {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	k := r.keys[name]
	if name == "" {
		k = r.keyByID(id)
	}
	if k == nil {
		return "", false
	}
	delete(r.keys, k.Name)
	return k.ID, true
}

// ---- tags ----

// TagDescription is one tag of one resource, as DescribeTags lists it.
type TagDescription struct {
	ResourceID, ResourceType, Key, Value string
}

// TagDelete is one Tag.N of DeleteTags: without a value it deletes the key
// whatever its value.
type TagDelete struct {
	Key, Value string
	HasValue   bool
}

// taggable finds the tags of each resource named, checking them all first;
// r.mu held for writing.
func (r *region) taggable(ids []string, now time.Time) ([]*[]Tag, error) {
	out := make([]*[]Tag, 0, len(ids))
	for _, id := range ids {
		switch {
		case strings.HasPrefix(id, "i-"):
			if !ValidInstanceID(id) {
				return nil, fail(kindInstanceMalformed, `Invalid id: "%s" (expecting "i-...")`, id)
			}
			ins, err := r.lookup([]string{id}, now)
			if err != nil {
				return nil, err
			}
			out = append(out, &ins[0].Tags)
		case strings.HasPrefix(id, "key-"):
			k := r.keyByID(id)
			if k == nil {
				return nil, fail(kindKeyPairNotFound, "The key pair '%s' does not exist", id)
			}
			out = append(out, &k.Tags)
		default:
			return nil, fail(kindInvalidID, "The ID '%s' is not valid", id)
		}
	}
	return out, nil
}

// CreateTags adds or overwrites tags on instances and key pairs.
func (s *Store) CreateTags(regionName string, ids []string, tags []Tag) error {
	if err := validTags(tags); err != nil {
		return err
	}
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	targets, err := r.taggable(ids, s.env.Now())
	if err != nil {
		return err
	}
	merged := make([][]Tag, len(targets))
	for i, t := range targets {
		if merged[i], err = mergeTags(*t, tags); err != nil {
			return err
		}
	}
	for i, t := range targets {
		*t = merged[i]
	}
	return nil
}

// DeleteTags removes tags (all of them when dels is empty).
func (s *Store) DeleteTags(regionName string, ids []string, dels []TagDelete) error {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	targets, err := r.taggable(ids, s.env.Now())
	if err != nil {
		return err
	}
	for _, t := range targets {
		*t = slices.DeleteFunc(*t, func(tag Tag) bool {
			if len(dels) == 0 {
				return true
			}
			for _, d := range dels {
				if d.Key == tag.Key && (!d.HasValue || d.Value == tag.Value) {
					return true
				}
			}
			return false
		})
	}
	return nil
}

var tagFilters = map[string]bool{"resource-id": true, "resource-type": true, "key": true, "value": true}

// DescribeTags returns one page of tags, ordered by resource ID then key,
// starting after the (resource ID, key) pair after; more says whether
// another page follows.
func (s *Store) DescribeTags(regionName string, filters []Filter, max int, afterID, afterKey string) ([]TagDescription, bool, error) {
	if bad, ok := checkFilters(filters, tagFilters, true); !ok {
		return nil, false, fail(kindInvalidParameter, "The filter '%s' is invalid", bad)
	}
	if max <= 0 {
		max = defaultPageSize
	}
	now := s.env.Now()
	r := s.region(regionName)
	r.mu.RLock()
	var all []TagDescription
	for _, in := range r.order {
		if !visible(in, now) {
			continue
		}
		for _, t := range in.Tags {
			all = append(all, TagDescription{in.ID, "instance", t.Key, t.Value})
		}
	}
	for _, k := range r.keys {
		for _, t := range k.Tags {
			all = append(all, TagDescription{k.ID, "key-pair", t.Key, t.Value})
		}
	}
	r.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool {
		if all[i].ResourceID != all[j].ResourceID {
			return all[i].ResourceID < all[j].ResourceID
		}
		return all[i].Key < all[j].Key
	})
	var out []TagDescription
	for _, d := range all {
		if afterID != "" && (d.ResourceID < afterID || d.ResourceID == afterID && d.Key <= afterKey) {
			continue
		}
		fields := func(name string) []string {
			switch name {
			case "resource-id":
				return []string{d.ResourceID}
			case "resource-type":
				return []string{d.ResourceType}
			case "key":
				return []string{d.Key}
			case "value":
				return []string{d.Value}
			}
			return nil
		}
		if !matchFilters(filters, fields, []Tag{{d.Key, d.Value}}) {
			continue
		}
		if len(out) == max {
			return out, true, nil
		}
		out = append(out, d)
	}
	return out, false, nil
}

// ---- summary ----

// Counts summarises the store for /_groundstack/state.
func (s *Store) Counts() map[string]int {
	now := s.env.Now()
	out := map[string]int{"instances": 0, "running": 0, "key_pairs": 0}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, r := range s.regions {
		r.mu.RLock()
		for _, in := range r.order {
			if visible(in, now) {
				out["instances"]++
			}
			if in.State == StateRunning {
				out["running"]++
			}
		}
		out["key_pairs"] += len(r.keys)
		r.mu.RUnlock()
	}
	return out
}
