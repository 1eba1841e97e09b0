package lambda

import (
	"sort"
	"time"
)

// --- function URLs

// URLConfig is a function URL.
type URLConfig struct {
	ID         string // 32 lowercase characters, the host's first label
	Region     string
	Function   string
	Qualifier  string // "" (unqualified, $LATEST) or an alias
	AuthType   string
	Cors       *Cors
	InvokeMode string
	Created    time.Time
	Modified   time.Time
}

// Cors is a function URL's CORS configuration.
type Cors struct {
	AllowCredentials bool     `json:"AllowCredentials,omitempty"`
	AllowHeaders     []string `json:"AllowHeaders,omitempty"`
	AllowMethods     []string `json:"AllowMethods,omitempty"`
	AllowOrigins     []string `json:"AllowOrigins,omitempty"`
	ExposeHeaders    []string `json:"ExposeHeaders,omitempty"`
	MaxAge           int      `json:"MaxAge,omitempty"`
}

// CreateURL adds a function URL for qualifier ("" or an alias).
func (s *Store) CreateURL(region, fn, qualifier string, u URLConfig) (URLConfig, error) {
	return withLocked(s, region, fn, func(f *Function) (URLConfig, error) {
		if qualifier != "" && f.aliases[qualifier] == nil {
			return URLConfig{}, s.notFound(region, fn, qualifier)
		}
		if _, ok := f.urls[qualifier]; ok {
			arn := f.ARN
			if qualifier != "" {
				arn += ":" + qualifier
			}
			return URLConfig{}, errResourceConflict.Errorf("Failed to create function url config for [functionArn = %s]. Error message:  FunctionUrlConfig exists for this Lambda function", arn)
		}
		u.Region, u.Function, u.Qualifier = region, fn, qualifier
		u.Modified = u.Created
		f.urls[qualifier] = &u
		s.urlMu.Lock()
		s.urls[u.ID] = &u
		s.urlMu.Unlock()
		return u, nil
	})
}

func urlLocked(f *Function, qualifier string) (*URLConfig, error) {
	u, ok := f.urls[qualifier]
	if !ok {
		return nil, errResourceNotFound.New(msgNoSuchResource)
	}
	return u, nil
}

// URL returns the function URL of qualifier.
func (s *Store) URL(region, fn, qualifier string) (URLConfig, error) {
	return withLocked(s, region, fn, func(f *Function) (URLConfig, error) {
		u, err := urlLocked(f, qualifier)
		if err != nil {
			return URLConfig{}, err
		}
		return *u, nil
	})
}

// URLs lists a function's URLs.
func (s *Store) URLs(region, fn string) ([]URLConfig, error) {
	return withLocked(s, region, fn, func(f *Function) ([]URLConfig, error) {
		out := make([]URLConfig, 0, len(f.urls))
		for _, u := range f.urls {
			out = append(out, *u)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Qualifier < out[j].Qualifier })
		return out, nil
	})
}

// URLChange is what UpdateFunctionUrlConfig changes; nil members stay.
type URLChange struct {
	AuthType, InvokeMode *string
	Cors                 *Cors
}

// UpdateURL changes a function URL.
func (s *Store) UpdateURL(region, fn, qualifier string, ch URLChange, now time.Time) (URLConfig, error) {
	return withLocked(s, region, fn, func(f *Function) (URLConfig, error) {
		u, err := urlLocked(f, qualifier)
		if err != nil {
			return URLConfig{}, err
		}
		c := *u
		set(&c.AuthType, ch.AuthType)
		set(&c.InvokeMode, ch.InvokeMode)
		if ch.Cors != nil {
			c.Cors = ch.Cors
		}
		c.Modified = now
		f.urls[qualifier] = &c
		s.urlMu.Lock()
		s.urls[c.ID] = &c
		s.urlMu.Unlock()
		return c, nil
	})
}

// DeleteURL removes a function URL.
func (s *Store) DeleteURL(region, fn, qualifier string) error {
	u, err := withLocked(s, region, fn, func(f *Function) (*URLConfig, error) {
		u, err := urlLocked(f, qualifier)
		if err == nil {
			delete(f.urls, qualifier)
		}
		return u, err
	})
	if err != nil {
		return err
	}
	s.forgetURLs(u)
	return nil
}

// forgetURLs drops deleted function URLs from the index by id.
func (s *Store) forgetURLs(us ...*URLConfig) {
	s.urlMu.Lock()
	for _, u := range us {
		if u != nil {
			delete(s.urls, u.ID)
		}
	}
	s.urlMu.Unlock()
}

// URLByID finds a function URL by its id (the host's first label).
func (s *Store) URLByID(id string) (URLConfig, bool) {
	s.urlMu.RLock()
	defer s.urlMu.RUnlock()
	u, ok := s.urls[id]
	if !ok {
		return URLConfig{}, false
	}
	return *u, true
}
