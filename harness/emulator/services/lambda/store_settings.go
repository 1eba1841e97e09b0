package lambda

import (
	"sort"
	"time"
)

// --- per-function settings: provisioned concurrency, runtime management
// and recursive loop detection. They are stored and answered as AWS does;
// none changes how the emulator runs a function (no instance is started
// ahead of an invocation, the runtime is the one the function names, and
// no recursive loop is detected).

// ProvisionedConfig is the provisioned concurrency of a version or alias.
type ProvisionedConfig struct {
	Qualifier string
	Requested int
	Modified  time.Time
}

// RuntimeConfig is a version's runtime management config.
type RuntimeConfig struct {
	UpdateOn   string // Auto, Manual or FunctionUpdate
	VersionARN string // the runtime version, with Manual only
}

// Messages of the provisioned concurrency operations.
const (
	msgProvisionedLatest      = "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
	msgProvisionedOverReserve = "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function"
	msgNoProvisioned          = "No Provisioned Concurrency Config found for this function"
)

// qualified checks, with f locked, that qualifier ("" or $LATEST, a
// version or an alias) exists.
func (s *Store) qualified(f *Function, qualifier string) error {
	if f.deleted {
		return s.notFound(f.Region, f.Name, "")
	}
	if qualifier == "" || qualifier == LatestVersion || f.versions[qualifier] != nil || f.aliases[qualifier] != nil {
		return nil
	}
	return s.notFound(f.Region, f.Name, qualifier)
}

// PutProvisioned sets the provisioned concurrency of a version or alias.
func (s *Store) PutProvisioned(region, fn, qualifier string, n int, now time.Time) (ProvisionedConfig, error) {
	return withLocked(s, region, fn, func(f *Function) (ProvisionedConfig, error) {
		if err := s.qualified(f, qualifier); err != nil {
			return ProvisionedConfig{}, err
		}
		if qualifier == "" || qualifier == LatestVersion {
			return ProvisionedConfig{}, errInvalidParameterValue.New(msgProvisionedLatest)
		}
		if r := f.Reserved(); r >= 0 {
			total := n
			for q, c := range f.provisioned {
				if q != qualifier {
					total += c.Requested
				}
			}
			if total > r {
				return ProvisionedConfig{}, errInvalidParameterValue.New(msgProvisionedOverReserve)
			}
		}
		c := &ProvisionedConfig{Qualifier: qualifier, Requested: n, Modified: now}
		f.provisioned[qualifier] = c
		return *c, nil
	})
}

// Provisioned returns the provisioned concurrency of a version or alias.
func (s *Store) Provisioned(region, fn, qualifier string) (ProvisionedConfig, error) {
	return withLocked(s, region, fn, func(f *Function) (ProvisionedConfig, error) {
		if err := s.qualified(f, qualifier); err != nil {
			return ProvisionedConfig{}, err
		}
		c := f.provisioned[qualifier]
		if c == nil {
			return ProvisionedConfig{}, errProvisionedNotFound.New(msgNoProvisioned)
		}
		return *c, nil
	})
}

// DeleteProvisioned removes the provisioned concurrency of a version or
// alias; removing one that is not there is no error.
func (s *Store) DeleteProvisioned(region, fn, qualifier string) error {
	_, err := withLocked(s, region, fn, func(f *Function) (struct{}, error) {
		if err := s.qualified(f, qualifier); err != nil {
			return struct{}{}, err
		}
		delete(f.provisioned, qualifier)
		return struct{}{}, nil
	})
	return err
}

// ProvisionedConfigs lists a function's provisioned concurrency configs by
// qualifier.
func (s *Store) ProvisionedConfigs(region, fn string) ([]ProvisionedConfig, error) {
	return withLocked(s, region, fn, func(f *Function) ([]ProvisionedConfig, error) {
		out := make([]ProvisionedConfig, 0, len(f.provisioned))
		for _, c := range f.provisioned {
			out = append(out, *c)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Qualifier < out[j].Qualifier })
		return out, nil
	})
}

// runtimeVersion checks that qualifier names $LATEST or a published version
// and returns its key.
func (s *Store) runtimeVersion(f *Function, qualifier string) (string, error) {
	if err := s.qualified(f, qualifier); err != nil {
		return "", err
	}
	key := qualifierKey(qualifier)
	if key != LatestVersion && f.versions[key] == nil {
		// an alias: the operations take versions only
		return "", s.notFound(f.Region, f.Name, qualifier)
	}
	return key, nil
}

// PutRuntimeConfig sets a version's runtime management config.
func (s *Store) PutRuntimeConfig(region, fn, qualifier string, c RuntimeConfig) (string, error) {
	return withLocked(s, region, fn, func(f *Function) (string, error) {
		key, err := s.runtimeVersion(f, qualifier)
		if err != nil {
			return "", err
		}
		f.runtimeConfigs[key] = c
		return key, nil
	})
}

// RuntimeConfigOf returns a version's runtime management config (Auto
// when none was put) and the version's key.
func (s *Store) RuntimeConfigOf(region, fn, qualifier string) (RuntimeConfig, string, error) {
	type out struct {
		c   RuntimeConfig
		key string
	}
	o, err := withLocked(s, region, fn, func(f *Function) (out, error) {
		key, err := s.runtimeVersion(f, qualifier)
		if err != nil {
			return out{}, err
		}
		c, ok := f.runtimeConfigs[key]
		if !ok {
			c = RuntimeConfig{UpdateOn: "Auto"}
		}
		return out{c, key}, nil
	})
	return o.c, o.key, err
}

// SetRecursiveLoop sets a function's recursive loop setting (Allow or
// Terminate).
func (s *Store) SetRecursiveLoop(region, fn, loop string) error {
	_, err := withLocked(s, region, fn, func(f *Function) (struct{}, error) {
		f.recursiveLoop = loop
		return struct{}{}, nil
	})
	return err
}

// RecursiveLoop returns a function's recursive loop setting.
func (s *Store) RecursiveLoop(region, fn string) (string, error) {
	return withLocked(s, region, fn, func(f *Function) (string, error) {
		if f.recursiveLoop == "" {
			return "Terminate", nil
		}
		return f.recursiveLoop, nil
	})
}
