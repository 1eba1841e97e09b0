package ec2

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

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
	// Attributes ModifyInstanceAttribute sets (Groups nil: the default VPC's
	// default group; SourceDestCheck and EnaSupport are stored negated so
	// the zero value is AWS's default, on).
	Groups                                []GroupRef
	DisableAPITermination, DisableAPIStop bool
	NoSourceDestCheck, NoEnaSupport       bool
	EbsOptimized                          bool
	UserData                              string
	seq                                   uint64
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
	// relaunch is set on an instance a snapshot loaded that had a machine:
	// its next start launches a new one.
	relaunch bool
	hostMu   sync.Mutex
}

// GroupRef names a security group an instance is in.
type GroupRef struct{ ID, Name string }

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
	network   network             // VPCs, subnets, security groups: made on first use
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
