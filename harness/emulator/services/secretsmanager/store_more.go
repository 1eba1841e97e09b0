package secretsmanager

import (
	"slices"
	"time"
)

// stagePending labels the version a rotation is making.
const stagePending = "AWSPENDING"

// Rotation is a secret's rotation configuration.
type Rotation struct {
	Enabled    bool
	LambdaARN  string
	AfterDays  int64
	Schedule   string
	Duration   string
	LastRotate time.Time
	Next       time.Time
}

// PolicyOf reads a secret's resource policy ("" when it has none).
func (st *Store) PolicyOf(region, id string, now time.Time) (Ref, string, error) {
	s := st.lookup(region, id, now)
	if s == nil {
		return Ref{}, "", errNotFound
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.alive(now) {
		return Ref{}, "", errNotFound
	}
	return Ref{ARN: s.arn, Name: s.name}, s.policy, nil
}

// SetPolicy attaches (or, with "", removes) a secret's resource policy.
func (st *Store) SetPolicy(region, id, policy string, now time.Time) (Ref, error) {
	var ref Ref
	err := st.mutate(region, id, now, func(s *secret) error {
		s.policy = policy
		ref = Ref{ARN: s.arn, Name: s.name}
		return nil
	})
	return ref, err
}

// maxStagesPerVersion is how many labels one version may carry.
const maxStagesPerVersion = 20

// MoveStage moves label: off removeFrom (which must hold it) and onto
// moveTo; either may be empty. Moving AWSCURRENT leaves AWSPREVIOUS on the
// version it left.
func (st *Store) MoveStage(region, id, label, removeFrom, moveTo string, now time.Time) (Ref, error) {
	var ref Ref
	err := st.mutate(region, id, now, func(s *secret) error {
		holder := s.stages[label]
		var to *version
		if moveTo != "" {
			if to = s.versions[moveTo]; to == nil {
				return errInvalidParameter.New("Not a valid version: " + moveTo)
			}
		}
		if removeFrom != "" {
			from := s.versions[removeFrom]
			if from == nil {
				return errInvalidParameter.New("Not a valid version: " + removeFrom)
			}
			if holder != from {
				return errInvalidParameter.New("The parameter RemoveFromVersionId is not valid: staging label " + label + " is not attached to version " + removeFrom + ".")
			}
		} else if holder != nil && holder != to {
			return errInvalidParameter.New("The parameter RemoveFromVersionId can't be empty. Staging label " + label + " is currently attached to version " + holder.id + ", so you must explicitly reference that version in RemoveFromVersionId.")
		}
		if to == nil && removeFrom == "" {
			return errInvalidParameter.New("You must specify either RemoveFromVersionId or MoveToVersionId.")
		}
		if to != nil && holder != to && len(to.stages) >= maxStagesPerVersion {
			return errLimitExceeded.New("A version can have at most 20 staging labels.")
		}
		if label == stageCurrent && to == nil {
			return errInvalidParameter.New("You can't remove the staging label AWSCURRENT from a version without moving it to another version.")
		}
		ref = Ref{ARN: s.arn, Name: s.name}
		if holder == to {
			return nil
		}
		if label == stageCurrent && holder != nil {
			s.moveStage(stagePrevious, holder)
		}
		if to != nil {
			s.moveStage(label, to)
			return nil
		}
		holder.stages = slices.DeleteFunc(holder.stages, func(l string) bool { return l == label })
		delete(s.stages, label)
		return nil
	})
	return ref, err
}

// StartRotation stores rot as the secret's rotation configuration and
// with copyValue labels token AWSPENDING on a copy of AWSCURRENT's value
// (when no rotation function writes one). It refuses to start while a
// previous rotation's AWSPENDING version is not yet AWSCURRENT.
func (st *Store) StartRotation(region, id, token string, rot Rotation, copyValue bool, now time.Time) (Ref, error) {
	var ref Ref
	err := st.mutate(region, id, now, func(s *secret) error {
		if rot.LambdaARN == "" {
			rot.LambdaARN = s.rotation.LambdaARN
		}
		if rot.AfterDays == 0 && rot.Schedule == "" {
			rot.AfterDays, rot.Schedule, rot.Duration = s.rotation.AfterDays, s.rotation.Schedule, s.rotation.Duration
		}
		if rot.LambdaARN == "" {
			return errInvalidRequest.New("No Lambda rotation function ARN is associated with this secret.")
		}
		if p := s.stages[stagePending]; p != nil && !slices.Contains(p.stages, stageCurrent) && s.versions[token] != p {
			return errInvalidRequest.New("A previous rotation isn't complete. That rotation will be reattempted.")
		}
		cur := s.stages[stageCurrent]
		if copyValue && cur != nil && s.versions[token] == nil {
			s.addVersion(token, cur.value, []string{stagePending}, now)
		}
		rot.Enabled = true
		rot.LastRotate = s.rotation.LastRotate
		rot.Next = nextRotation(rot, now)
		s.rotation = rot
		ref = Ref{ARN: s.arn, Name: s.name, VersionID: token}
		return nil
	})
	return ref, err
}

// FinishRotation promotes token's version to AWSCURRENT when the rotation
// function left it AWSPENDING only (a function that moved the label itself
// is left alone), and records the rotation.
func (st *Store) FinishRotation(region, id, token string, now time.Time) error {
	return st.mutate(region, id, now, func(s *secret) error {
		if v := s.versions[token]; v != nil && s.stages[stageCurrent] != v {
			if cur := s.stages[stageCurrent]; cur != nil {
				s.moveStage(stagePrevious, cur)
			}
			s.moveStage(stageCurrent, v)
		}
		if v := s.stages[stagePending]; v != nil {
			v.stages = slices.DeleteFunc(v.stages, func(l string) bool { return l == stagePending })
			delete(s.stages, stagePending)
		}
		s.rotation.LastRotate = now
		s.rotation.Next = nextRotation(s.rotation, now)
		return nil
	})
}

// CancelRotation turns rotation off, keeping the function and rules, and
// drops the AWSPENDING label of an unfinished rotation.
func (st *Store) CancelRotation(region, id string, now time.Time) (Ref, error) {
	var ref Ref
	err := st.mutate(region, id, now, func(s *secret) error {
		ref = Ref{ARN: s.arn, Name: s.name}
		if v := s.stages[stagePending]; v != nil && !slices.Contains(v.stages, stageCurrent) {
			ref.VersionID = v.id
			v.stages = slices.DeleteFunc(v.stages, func(l string) bool { return l == stagePending })
			delete(s.stages, stagePending)
		}
		s.rotation.Enabled = false
		s.rotation.Next = time.Time{}
		return nil
	})
	return ref, err
}

// nextRotation is when a rotation every AfterDays days falls due (zero for
// a schedule expression, which the emulator stores but does not evaluate).
func nextRotation(r Rotation, now time.Time) time.Time {
	if r.AfterDays == 0 {
		return time.Time{}
	}
	base := r.LastRotate
	if base.IsZero() {
		base = now
	}
	return base.UTC().Truncate(24*time.Hour).AddDate(0, 0, int(r.AfterDays)).Add(24*time.Hour - time.Second)
}

// RecordRotation notes a completed rotation (the rotation function moved
// the labels itself).
func (st *Store) RecordRotation(region, id string, now time.Time) error {
	return st.mutate(region, id, now, func(s *secret) error {
		s.rotation.LastRotate = now
		s.rotation.Next = nextRotation(s.rotation, now)
		return nil
	})
}
