package iam

import (
	"bytes"
	"encoding/csv"
	"slices"
	"sort"
	"time"
)

// ---- permissions boundaries ----

// SetBoundary sets (arn != "") or removes the permissions boundary of a
// role or user (kind "role" or "user").
func (s *Store) SetBoundary(kind, name, arn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if arn != "" {
		if _, ok := s.managed(arn, true); !ok {
			return errNoSuchEntity.New("Scope ARN: " + arn + " does not exist or is not attachable.")
		}
	}
	if kind == "role" {
		r := s.roles[key(name)]
		if r == nil {
			return noRole(name)
		}
		if arn != "" && r.PermissionsBoundary == "" && len(r.Path) >= len(serviceLinkedPath) && r.Path[:len(serviceLinkedPath)] == serviceLinkedPath {
			return errUnmodifiable.New("Cannot perform the operation on the protected role '" + r.Name + "' - this role is only modifiable by AWS")
		}
		r.PermissionsBoundary = arn
		return nil
	}
	u := s.users[key(name)]
	if u == nil {
		return noUser(name)
	}
	u.PermissionsBoundary = arn
	return nil
}

// ---- instance profile tags ----

// UpdateProfileTags changes an instance profile's tags under the lock.
func (s *Store) UpdateProfileTags(name string, f func([]Tag) ([]Tag, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.profiles[key(name)]
	if p == nil {
		return noProfile(name)
	}
	t, err := f(p.Tags)
	if err == nil {
		p.Tags = t
	}
	return err
}

// ProfileTags returns an instance profile's tags.
func (s *Store) ProfileTags(name string) ([]Tag, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.profiles[key(name)]
	if p == nil {
		return nil, noProfile(name)
	}
	return slices.Clone(p.Tags), nil
}

// ---- STS preferences ----

// SetTokenVersion records the global endpoint's token version ("v1Token"
// or "v2Token").
func (s *Store) SetTokenVersion(v string) {
	s.mu.Lock()
	s.tokenVersion = v
	s.mu.Unlock()
}

// ---- credential report ----

// credentialReportHeader is the CSV header of AWS's credential report.
var credentialReportHeader = []string{"user", "arn", "user_creation_time", "password_enabled", "password_last_used",
	"password_last_changed", "password_next_rotation", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated"}

func reportTime(t time.Time) string {
	if t.IsZero() {
		return "N/A"
	}
	return t.UTC().Format("2006-01-02T15:04:05+00:00")
}

// GenerateCredentialReport takes a snapshot of every user's credentials;
// it reports whether a report already existed.
func (s *Store) GenerateCredentialReport(now time.Time) (existed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	existed = s.report != nil
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(credentialReportHeader)
	root := []string{"<root_account>", "arn:aws:iam::" + s.account + ":root", reportTime(accountCreated), "not_supported", "N/A",
		"not_supported", "not_supported", "false"}
	for range 2 {
		root = append(root, "false", "N/A", "N/A", "N/A", "N/A")
	}
	w.Write(append(root, "false", "N/A", "false", "N/A"))
	users := make([]*user, 0, len(s.users))
	for _, u := range s.users {
		users = append(users, u)
	}
	sort.Slice(users, func(i, j int) bool { return key(users[i].Name) < key(users[j].Name) })
	for _, u := range users {
		row := []string{u.Name, u.ARN, reportTime(u.Created), "false", reportTime(u.PasswordLastUsed), "N/A", "N/A", "false"}
		if u.login != nil {
			row[3], row[5] = "true", reportTime(u.login.Created)
			if p := s.passwordPolicy; p != nil && p.MaxAge > 0 {
				row[6] = reportTime(u.login.Created.AddDate(0, 0, p.MaxAge))
			}
		}
		if s.hasMFA(u) {
			row[7] = "true"
		}
		for i := range 2 {
			if i < len(u.keys) {
				k := u.keys[i]
				service, region := "N/A", "N/A"
				if !k.LastUsed.IsZero() {
					service, region = k.LastService, k.LastRegion
				}
				row = append(row, boolText(k.Status == "Active"), reportTime(k.Created), reportTime(k.LastUsed), region, service)
			} else {
				row = append(row, "false", "N/A", "N/A", "N/A", "N/A")
			}
		}
		w.Write(append(row, "false", "N/A", "false", "N/A"))
	}
	w.Flush()
	s.report = &credentialReport{content: b.Bytes(), generated: now}
	return existed
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

type credentialReport struct {
	content   []byte
	generated time.Time
}

// CredentialReport returns the last report and when it was generated.
func (s *Store) CredentialReport() ([]byte, time.Time, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.report == nil {
		return nil, time.Time{}, errReportNotPresent.New("Credential report not present")
	}
	return s.report.content, s.report.generated, nil
}

// ---- outbound web identity federation ----

// EnableOutboundFederation turns the feature on with issuer as the
// account's issuer URL (kept across later enables, as AWS keeps it).
func (s *Store) EnableOutboundFederation(issuer string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.outboundEnabled {
		return "", errFeatureEnabled.New("Outbound web identity federation is already enabled for this account.")
	}
	if s.issuer == "" {
		s.issuer = issuer
	}
	s.outboundEnabled = true
	return s.issuer, nil
}

// DisableOutboundFederation turns the feature off.
func (s *Store) DisableOutboundFederation() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.outboundEnabled {
		return errFeatureDisabled.New("Outbound web identity federation is not enabled for this account.")
	}
	s.outboundEnabled = false
	return nil
}

// OutboundFederation returns the issuer URL while the feature is on.
func (s *Store) OutboundFederation() (string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.outboundEnabled {
		return "", errFeatureDisabled.New("Outbound web identity federation is not enabled for this account.")
	}
	return s.issuer, nil
}
