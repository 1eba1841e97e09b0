package secretsmanager

import (
	"slices"
	"time"
)

// Replica statuses.
const (
	replicaInSync = "InSync"
	replicaFailed = "Failed"
)

// replicaLink is one replica region of a primary secret.
type replicaLink struct {
	region, kmsKeyID string
	status, message  string
	sec              *secret // nil when replication failed
}

// ReplicaStatus is one region of a primary secret's ReplicationStatus.
type ReplicaStatus struct {
	Region, KmsKeyID, Status, Message string
}

// ReplicaRegion is a region to replicate to and its key.
type ReplicaRegion struct{ Region, KmsKeyID string }

const msgReplica = "Operation not permitted on a replica secret. Call must be made in primary secret's region."

func (s *secret) replicaStatus() []ReplicaStatus {
	out := make([]ReplicaStatus, len(s.replicas))
	for i, l := range s.replicas {
		out[i] = ReplicaStatus{l.region, l.kmsKeyID, l.status, l.message}
	}
	return out
}

// syncReplicas copies s's state onto its replicas; the caller holds s.mu
// (a primary's lock is always taken before its replicas').
func (s *secret) syncReplicas() {
	for _, l := range s.replicas {
		if l.sec == nil {
			continue
		}
		r := l.sec
		r.mu.Lock()
		r.description, r.tags, r.lastChanged = s.description, slices.Clone(s.tags), s.lastChanged
		r.policy, r.rotation = s.policy, s.rotation
		r.versions, r.order, r.stages = map[string]*version{}, nil, map[string]*version{}
		for _, v := range s.order {
			c := &version{id: v.id, value: v.value, created: v.created, stages: slices.Clone(v.stages)}
			r.versions[c.id] = c
			r.order = append(r.order, c)
			for _, l := range c.stages {
				r.stages[l] = c
			}
		}
		r.mu.Unlock()
	}
}

// Replicate makes replicas of a primary secret in other regions of this
// store. A region where a secret of that name exists fails (status Failed)
// unless force replaces that secret.
func (st *Store) Replicate(region, id string, adds []ReplicaRegion, force bool, arnPrefix func(string) string, now time.Time) (string, []ReplicaStatus, error) {
	st.repl.Lock()
	defer st.repl.Unlock()
	p := st.lookup(region, id, now)
	if p == nil {
		return "", nil, errNotFound
	}
	p.mu.RLock()
	switch {
	case !p.alive(now):
		p.mu.RUnlock()
		return "", nil, errNotFound
	case p.scheduled():
		p.mu.RUnlock()
		return "", nil, errInvalidRequest.New(msgMarkedForDelete)
	case p.primaryRegion != "":
		p.mu.RUnlock()
		return "", nil, errInvalidParameter.New(msgReplica)
	}
	name, suffix := p.name, p.arn[len(p.arn)-6:]
	have := map[string]bool{}
	for _, l := range p.replicas {
		have[l.region] = true
	}
	p.mu.RUnlock()
	for _, a := range adds {
		if a.Region == region {
			return "", nil, errInvalidParameter.New("Invalid replica region: " + a.Region + " is the primary region of the secret.")
		}
	}
	var links []*replicaLink
	for _, a := range adds {
		if have[a.Region] {
			continue
		}
		have[a.Region] = true
		l := &replicaLink{region: a.Region, kmsKeyID: a.KmsKeyID, status: replicaInSync, message: "Replication succeeded"}
		r := st.region(a.Region, true)
		r.mu.Lock()
		if old := r.byName[name]; old != nil {
			old.mu.Lock()
			gone := !old.alive(now)
			isReplica := old.primaryRegion != ""
			if force && !isReplica || gone {
				old.gone = true
				delete(r.byName, name)
			}
			old.mu.Unlock()
			if r.byName[name] != nil {
				l.status, l.message = replicaFailed, "Replication failed: Secret name "+name+" already exists in region "+a.Region+"."
			}
		}
		if r.byName[name] == nil {
			l.sec = &secret{arn: arnPrefix(a.Region) + name + "-" + suffix, name: name, created: now, kmsKeyID: a.KmsKeyID,
				primaryRegion: region, versions: map[string]*version{}, stages: map[string]*version{}}
			r.byName[name] = l.sec
		}
		r.mu.Unlock()
		links = append(links, l)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.replicas = append(p.replicas, links...)
	p.lastChanged = now
	p.syncReplicas()
	return p.arn, p.replicaStatus(), nil
}

// Unreplicate deletes the replicas in regions (each must be one).
func (st *Store) Unreplicate(region, id string, regions []string, now time.Time) (string, []ReplicaStatus, error) {
	st.repl.Lock()
	defer st.repl.Unlock()
	var drop []*replicaLink
	var arn string
	var status []ReplicaStatus
	err := st.mutate(region, id, now, func(p *secret) error {
		for _, reg := range regions {
			if !slices.ContainsFunc(p.replicas, func(l *replicaLink) bool { return l.region == reg }) {
				return errInvalidParameter.New("Region " + reg + " is not a replica region of the secret.")
			}
		}
		p.replicas = slices.DeleteFunc(p.replicas, func(l *replicaLink) bool {
			if slices.Contains(regions, l.region) {
				drop = append(drop, l)
				return true
			}
			return false
		})
		arn, status = p.arn, p.replicaStatus()
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	for _, l := range drop {
		if l.sec != nil {
			if r := st.region(l.region, false); r != nil {
				st.purge(r, l.sec)
			}
		}
	}
	return arn, status, nil
}

// StopReplication promotes a replica (named in its own region) to a
// standalone secret.
func (st *Store) StopReplication(region, id string, now time.Time) (string, error) {
	st.repl.Lock()
	defer st.repl.Unlock()
	s := st.lookup(region, id, now)
	if s == nil {
		return "", errNotFound
	}
	s.mu.RLock()
	primaryRegion, name, arn := s.primaryRegion, s.name, s.arn
	s.mu.RUnlock()
	if primaryRegion == "" {
		return "", errInvalidRequest.New("The secret " + name + " is not a replica secret.")
	}
	if p := st.lookup(primaryRegion, name, now); p != nil {
		p.mu.Lock()
		p.replicas = slices.DeleteFunc(p.replicas, func(l *replicaLink) bool { return l.sec == s })
		p.mu.Unlock()
	}
	s.mu.Lock()
	s.primaryRegion = ""
	s.lastChanged = now
	s.mu.Unlock()
	return arn, nil
}
