package secretsmanager

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// stateVersion is the version of the state format below.
const stateVersion = 1

// State is Secrets Manager's saved state (version 1): every region's
// secrets, replicas included. Decoupled from the store's structs, it
// changes only with stateVersion.
type State struct {
	Secrets []SecretState `json:"secrets"`
}

// SecretState is one secret. Times are RFC 3339 with nanoseconds; a zero
// time is omitted.
type SecretState struct {
	Region      string     `json:"region"`
	Name        string     `json:"name"`
	ARN         string     `json:"arn"`
	Created     time.Time  `json:"created"`
	LastChanged time.Time  `json:"lastChanged"`
	LastRead    *time.Time `json:"lastRead,omitempty"` // the day of the last GetSecretValue
	Description string     `json:"description,omitempty"`
	KmsKeyID    string     `json:"kmsKeyId,omitempty"`
	Type        string     `json:"type,omitempty"`
	Tags        []TagState `json:"tags,omitempty"` // in the order they were added
	// DeletedAt and DeletionDate are set while the secret is scheduled
	// for deletion.
	DeletedAt    *time.Time     `json:"deletedAt,omitempty"`
	DeletionDate *time.Time     `json:"deletionDate,omitempty"`
	Policy       string         `json:"policy,omitempty"`
	Rotation     *RotationState `json:"rotation,omitempty"`
	// Versions, oldest first, with their staging labels.
	Versions []VersionState `json:"versions"`
	// PrimaryRegion is set on a replica: its primary's region.
	PrimaryRegion string `json:"primaryRegion,omitempty"`
	// Replicas are a primary's replica regions; the replica secret itself
	// is saved in its region (unless replication failed).
	Replicas []ReplicaState `json:"replicas,omitempty"`
}

// TagState is a tag.
type TagState struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// VersionState is one version of a secret: SecretString, or SecretBinary
// (base64 in JSON).
type VersionState struct {
	ID           string    `json:"id"`
	Created      time.Time `json:"created"`
	SecretString *string   `json:"secretString,omitempty"`
	SecretBinary []byte    `json:"secretBinary,omitempty"`
	Stages       []string  `json:"stages,omitempty"`
}

// RotationState is a secret's rotation configuration.
type RotationState struct {
	Enabled    bool       `json:"enabled"`
	LambdaARN  string     `json:"lambdaArn,omitempty"`
	AfterDays  int64      `json:"afterDays,omitempty"`
	Schedule   string     `json:"schedule,omitempty"`
	Duration   string     `json:"duration,omitempty"`
	LastRotate *time.Time `json:"lastRotated,omitempty"`
	Next       *time.Time `json:"next,omitempty"`
}

// ReplicaState is one replica region of a primary secret.
type ReplicaState struct {
	Region   string `json:"region"`
	KmsKeyID string `json:"kmsKeyId,omitempty"`
	Status   string `json:"status"`
	Message  string `json:"message,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func timeOf(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return *p
}

// StateVersion, SaveState and LoadState make Secrets Manager a
// cloud.StateSaver.
func (s *Service) StateVersion() int { return stateVersion }

func (s *Service) SaveState() (any, error) { return s.store.saveState(), nil }

func (s *Service) LoadState(version int, raw json.RawMessage) error {
	st, err := cloud.DecodeState[State](version, stateVersion, raw)
	if err != nil {
		return err
	}
	return s.store.loadState(st)
}

// saveState copies every live secret, by region and name.
func (st *Store) saveState() State {
	st.mu.RLock()
	regions := make(map[string]*regionSecrets, len(st.regions))
	for k, v := range st.regions {
		regions[k] = v
	}
	st.mu.RUnlock()
	out := State{Secrets: []SecretState{}}
	for region, r := range regions {
		r.mu.RLock()
		for _, sec := range r.byName {
			out.Secrets = append(out.Secrets, sec.state(region))
		}
		r.mu.RUnlock()
	}
	sort.Slice(out.Secrets, func(i, j int) bool {
		a, b := out.Secrets[i], out.Secrets[j]
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.Name < b.Name
	})
	return out
}

func (s *secret) state(region string) SecretState {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := SecretState{
		Region: region, Name: s.name, ARN: s.arn, Created: s.created, LastChanged: s.lastChanged,
		Description: s.description, KmsKeyID: s.kmsKeyID, Type: s.typ,
		DeletedAt: timePtr(s.deletedAt), DeletionDate: timePtr(s.deletionDate), Policy: s.policy,
		PrimaryRegion: s.primaryRegion, Versions: []VersionState{},
	}
	if d := s.lastRead.Load(); d != 0 {
		out.LastRead = timePtr(time.Unix(d, 0).UTC())
	}
	for _, t := range s.tags {
		out.Tags = append(out.Tags, TagState(t)) // a conversion: a field added to Tag must be added here too
	}
	if rt := s.rotation; rt != (Rotation{}) {
		out.Rotation = &RotationState{Enabled: rt.Enabled, LambdaARN: rt.LambdaARN, AfterDays: rt.AfterDays, Schedule: rt.Schedule,
			Duration: rt.Duration, LastRotate: timePtr(rt.LastRotate), Next: timePtr(rt.Next)}
	}
	for _, v := range s.order {
		vs := VersionState{ID: v.id, Created: v.created, Stages: slices.Clone(v.stages)}
		if v.value.IsBinary {
			vs.SecretBinary = append([]byte{}, v.value.Binary...)
			if vs.SecretBinary == nil {
				vs.SecretBinary = []byte{}
			}
		} else {
			str := v.value.String
			vs.SecretString = &str
		}
		out.Versions = append(out.Versions, vs)
	}
	for _, l := range s.replicas {
		out.Replicas = append(out.Replicas, ReplicaState{Region: l.region, KmsKeyID: l.kmsKeyID, Status: l.status, Message: l.message})
	}
	return out
}

// loadState adds the saved secrets to the (empty) store, then links
// primaries to their replicas.
func (st *Store) loadState(in State) error {
	type key struct{ region, name string }
	made := map[key]*secret{}
	for _, ss := range in.Secrets {
		if ss.Region == "" || ss.Name == "" || ss.ARN == "" {
			return fmt.Errorf("a secret without a region, name or ARN")
		}
		k := key{ss.Region, ss.Name}
		if made[k] != nil {
			return fmt.Errorf("secret %s appears twice in %s", ss.Name, ss.Region)
		}
		sec := &secret{
			arn: ss.ARN, name: ss.Name, created: ss.Created, lastChanged: ss.LastChanged,
			description: ss.Description, kmsKeyID: ss.KmsKeyID, typ: ss.Type,
			deletedAt: timeOf(ss.DeletedAt), deletionDate: timeOf(ss.DeletionDate), policy: ss.Policy,
			primaryRegion: ss.PrimaryRegion, versions: map[string]*version{}, stages: map[string]*version{},
		}
		if ss.LastRead != nil {
			sec.lastRead.Store(ss.LastRead.Unix())
		}
		for _, t := range ss.Tags {
			sec.tags = append(sec.tags, Tag(t))
		}
		if r := ss.Rotation; r != nil {
			sec.rotation = Rotation{Enabled: r.Enabled, LambdaARN: r.LambdaARN, AfterDays: r.AfterDays, Schedule: r.Schedule,
				Duration: r.Duration, LastRotate: timeOf(r.LastRotate), Next: timeOf(r.Next)}
		}
		for _, vs := range ss.Versions {
			if vs.ID == "" || sec.versions[vs.ID] != nil {
				return fmt.Errorf("secret %s: a version with no id, or twice the same", ss.Name)
			}
			var val Value
			switch {
			case vs.SecretString != nil && vs.SecretBinary != nil:
				return fmt.Errorf("secret %s: version %s has both a string and a binary value", ss.Name, vs.ID)
			case vs.SecretString != nil:
				val.String = *vs.SecretString
			case vs.SecretBinary != nil:
				val.Binary, val.IsBinary = vs.SecretBinary, true
			default:
				return fmt.Errorf("secret %s: version %s has no value", ss.Name, vs.ID)
			}
			v := &version{id: vs.ID, value: val, created: vs.Created, stages: slices.Clone(vs.Stages)}
			for _, l := range v.stages {
				if sec.stages[l] != nil {
					return fmt.Errorf("secret %s: staging label %s on two versions", ss.Name, l)
				}
				sec.stages[l] = v
			}
			sec.versions[v.id] = v
			sec.order = append(sec.order, v)
		}
		for _, rs := range ss.Replicas {
			sec.replicas = append(sec.replicas, &replicaLink{region: rs.Region, kmsKeyID: rs.KmsKeyID, status: rs.Status, message: rs.Message})
		}
		made[k] = sec
		r := st.region(ss.Region, true)
		r.mu.Lock()
		r.byName[ss.Name] = sec
		r.mu.Unlock()
	}
	for k, sec := range made {
		for _, l := range sec.replicas {
			if rep := made[key{l.region, k.name}]; rep != nil && rep.primaryRegion == k.region {
				l.sec = rep
			}
		}
	}
	return nil
}
