package lambda

import (
	"sort"
)

// --- aliases

// Alias names a version.
type Alias struct {
	Name            string
	FunctionVersion string
	Description     string
	Routing         map[string]float64
	RevisionID      string
	ARN             string
}

func (s *Store) aliasARN(f *Function, name string) string { return f.ARN + ":" + name }

func (s *Store) checkVersionLocked(f *Function, version string) error {
	if version == LatestVersion {
		return nil
	}
	if _, ok := f.versions[version]; !ok {
		return errResourceNotFound.New("Function not found: " + f.ARN + ":" + version)
	}
	return nil
}

func (s *Store) aliasLocked(f *Function, name string) (*Alias, error) {
	a, ok := f.aliases[name]
	if !ok {
		return nil, errResourceNotFound.New("Alias not found: " + s.aliasARN(f, name))
	}
	return a, nil
}

// CreateAlias names a version.
func (s *Store) CreateAlias(region, fn string, a Alias) (Alias, error) {
	return withLocked(s, region, fn, func(f *Function) (Alias, error) {
		if _, ok := f.aliases[a.Name]; ok {
			return Alias{}, errResourceConflict.New("Alias already exists: " + s.aliasARN(f, a.Name))
		}
		if err := s.checkVersionLocked(f, a.FunctionVersion); err != nil {
			return Alias{}, err
		}
		a.ARN = s.aliasARN(f, a.Name)
		a.RevisionID = s.newID()
		f.aliases[a.Name] = &a
		return a, nil
	})
}

// Alias returns one alias.
func (s *Store) Alias(region, fn, name string) (Alias, error) {
	return withLocked(s, region, fn, func(f *Function) (Alias, error) {
		a, err := s.aliasLocked(f, name)
		if err != nil {
			return Alias{}, err
		}
		return *a, nil
	})
}

// Aliases lists aliases by name, optionally only those of one version.
func (s *Store) Aliases(region, fn, version string) ([]Alias, error) {
	return withLocked(s, region, fn, func(f *Function) ([]Alias, error) {
		out := make([]Alias, 0, len(f.aliases))
		for _, a := range f.aliases {
			if version == "" || a.FunctionVersion == version {
				out = append(out, *a)
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return out, nil
	})
}

// UpdateAlias changes an alias; nil fields stay.
func (s *Store) UpdateAlias(region, fn, name string, version, description *string, routing map[string]float64, revisionID string) (Alias, error) {
	return withLocked(s, region, fn, func(f *Function) (Alias, error) {
		a, err := s.aliasLocked(f, name)
		if err != nil {
			return Alias{}, err
		}
		if err := checkRevision(a.RevisionID, revisionID); err != nil {
			return Alias{}, err
		}
		if version != nil {
			if err := s.checkVersionLocked(f, *version); err != nil {
				return Alias{}, err
			}
			a.FunctionVersion = *version
		}
		set(&a.Description, description)
		if routing != nil {
			a.Routing = routing
		}
		a.RevisionID = s.newID()
		return *a, nil
	})
}

// DeleteAlias removes an alias (and its function URL and event invoke
// config).
func (s *Store) DeleteAlias(region, fn, name string) error {
	u, err := withLocked(s, region, fn, func(f *Function) (*URLConfig, error) {
		delete(f.aliases, name)
		delete(f.invokeConfigs, name)
		delete(f.provisioned, name)
		u := f.urls[name]
		delete(f.urls, name)
		return u, nil
	})
	s.forgetURLs(u)
	return err
}
