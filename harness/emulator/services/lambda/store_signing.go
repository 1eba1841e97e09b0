package lambda

import (
	"sort"
	"strings"
	"time"
)

// --- code signing configs: stored, attached to functions and listed as AWS
// does. The emulator checks no signature: code is deployed whatever its
// signing and whatever the config's UntrustedArtifactOnDeployment says.

// CodeSigningConfig is one code signing configuration.
type CodeSigningConfig struct {
	ID, ARN, Region string
	Description     string
	// Profiles are the signing profile version ARNs allowed to sign code.
	Profiles []string
	// Policy is Warn or Enforce.
	Policy   string
	Modified time.Time
	Tags     map[string]string
}

// CodeSigningChange is what UpdateCodeSigningConfig changes (the non-nil
// members).
type CodeSigningChange struct {
	Description *string
	Profiles    []string
	Policy      *string
}

func (c *CodeSigningConfig) clone() CodeSigningConfig {
	out := *c
	out.Profiles = append([]string(nil), c.Profiles...)
	out.Tags = make(map[string]string, len(c.Tags))
	for k, v := range c.Tags {
		out.Tags[k] = v
	}
	return out
}

// Messages of the code signing operations.
const (
	msgCodeSigningInUse = "The code signing configuration cannot be deleted because it is used by one or more functions."
)

func noCodeSigningConfig(arn string) string {
	return "The code signing configuration cannot be found. Check that the provided configuration is not deleted: " + arn + "."
}

// codeSigningID is a new config's id: csc- and 17 lower-case
// alphanumerics, as AWS's are.
func (s *Store) codeSigningID() string {
	id := strings.ReplaceAll(s.newID(), "-", "")
	for len(id) < 17 {
		id += strings.ReplaceAll(s.newID(), "-", "")
	}
	return "csc-" + strings.ToLower(id[:17])
}

// CreateCodeSigningConfig adds a code signing config in region.
func (s *Store) CreateCodeSigningConfig(region string, c CodeSigningConfig, now time.Time) CodeSigningConfig {
	c.ID = s.codeSigningID()
	c.ARN = "arn:aws:lambda:" + region + ":" + s.account + ":code-signing-config:" + c.ID
	c.Region, c.Modified = region, now
	stored := c.clone()
	s.cscMu.Lock()
	s.cscs[c.ARN] = &stored
	s.cscMu.Unlock()
	return c
}

// CodeSigningConfigOf returns the code signing config called arn.
func (s *Store) CodeSigningConfigOf(arn string) (CodeSigningConfig, error) {
	s.cscMu.RLock()
	defer s.cscMu.RUnlock()
	c := s.cscs[arn]
	if c == nil {
		return CodeSigningConfig{}, errResourceNotFound.New(noCodeSigningConfig(arn))
	}
	return c.clone(), nil
}

// UpdateCodeSigningConfig changes a code signing config.
func (s *Store) UpdateCodeSigningConfig(arn string, ch CodeSigningChange, now time.Time) (CodeSigningConfig, error) {
	s.cscMu.Lock()
	defer s.cscMu.Unlock()
	c := s.cscs[arn]
	if c == nil {
		return CodeSigningConfig{}, errResourceNotFound.New(noCodeSigningConfig(arn))
	}
	if ch.Description != nil {
		c.Description = *ch.Description
	}
	if ch.Profiles != nil {
		c.Profiles = append([]string(nil), ch.Profiles...)
	}
	if ch.Policy != nil {
		c.Policy = *ch.Policy
	}
	c.Modified = now
	return c.clone(), nil
}

// DeleteCodeSigningConfig removes a code signing config no function uses.
func (s *Store) DeleteCodeSigningConfig(arn string) error {
	if _, err := s.CodeSigningConfigOf(arn); err != nil {
		return err
	}
	if len(s.FunctionsByCodeSigningConfig(arn)) > 0 {
		return errResourceConflict.New(msgCodeSigningInUse)
	}
	s.cscMu.Lock()
	delete(s.cscs, arn)
	s.cscMu.Unlock()
	return nil
}

// CodeSigningConfigs lists region's code signing configs by ARN.
func (s *Store) CodeSigningConfigs(region string) []CodeSigningConfig {
	s.cscMu.RLock()
	out := make([]CodeSigningConfig, 0, len(s.cscs))
	for _, c := range s.cscs {
		if c.Region == region {
			out = append(out, c.clone())
		}
	}
	s.cscMu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out
}

// TagCodeSigningConfig adds tags to a code signing config and removes the
// tags called untag; it returns the tags then.
func (s *Store) TagCodeSigningConfig(arn string, tags map[string]string, untag []string) (map[string]string, error) {
	s.cscMu.Lock()
	defer s.cscMu.Unlock()
	c := s.cscs[arn]
	if c == nil {
		return nil, errResourceNotFound.New(noCodeSigningConfig(arn))
	}
	if c.Tags == nil {
		c.Tags = map[string]string{}
	}
	for k, v := range tags {
		c.Tags[k] = v
	}
	for _, k := range untag {
		delete(c.Tags, k)
	}
	return c.clone().Tags, nil
}

// SetFunctionCodeSigningConfig attaches (arn != "") or detaches (arn "")
// a code signing config to a function.
func (s *Store) SetFunctionCodeSigningConfig(region, fn, arn string) error {
	if arn != "" {
		if _, err := s.CodeSigningConfigOf(arn); err != nil {
			return errCodeSigningConfigNotFound.New(noCodeSigningConfig(arn))
		}
	}
	_, err := withLocked(s, region, fn, func(f *Function) (struct{}, error) {
		f.codeSigning = arn
		return struct{}{}, nil
	})
	return err
}

// FunctionCodeSigningConfig returns the ARN of the code signing config of
// a function ("" when none).
func (s *Store) FunctionCodeSigningConfig(region, fn string) (string, error) {
	return withLocked(s, region, fn, func(f *Function) (string, error) { return f.codeSigning, nil })
}

// FunctionsByCodeSigningConfig lists the unqualified ARNs of the functions
// that use a code signing config.
func (s *Store) FunctionsByCodeSigningConfig(arn string) []string {
	var out []string
	for _, f := range s.allFunctions() {
		f.mu.Lock()
		if f.codeSigning == arn && !f.deleted {
			out = append(out, f.ARN)
		}
		f.mu.Unlock()
	}
	sort.Strings(out)
	return out
}
