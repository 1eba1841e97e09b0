package lambda

import (
	"sort"
	"time"
)

// --- event invoke configs (asynchronous invocation settings)

// AWS's defaults for an event with no configuration saying otherwise.
const (
	defaultEventRetries = 2
	defaultEventMaxAge  = 6 * time.Hour
)

// EventInvokeConfig is a function's (or version's, or alias's) settings
// for asynchronous invocations.
type EventInvokeConfig struct {
	// Qualifier is $LATEST, a version number or an alias.
	Qualifier string
	// MaxRetries (0–2) and MaxAge (seconds, 60–21600) are nil when unset:
	// AWS's defaults (2, 6 h) apply and the API omits them.
	MaxRetries, MaxAge   *int
	OnSuccess, OnFailure string // destination ARNs, "" for none
	Modified             time.Time
}

// InvokeConfigChange is what PutFunctionEventInvokeConfig sets (every
// member) or UpdateFunctionEventInvokeConfig changes (the non-nil ones).
type InvokeConfigChange struct {
	MaxRetries, MaxAge *int
	// Destinations replaces both destinations when set.
	Destinations *[2]string // OnSuccess, OnFailure
}

// retries and maxAge are the settings in force (AWS's defaults when unset).
func (c *EventInvokeConfig) retries() int {
	if c == nil || c.MaxRetries == nil {
		return defaultEventRetries
	}
	return *c.MaxRetries
}

func (c *EventInvokeConfig) maxAge() time.Duration {
	if c == nil || c.MaxAge == nil {
		return defaultEventMaxAge
	}
	return time.Duration(*c.MaxAge) * time.Second
}

// qualifierKey is the key of a qualifier's config: $LATEST for "".
func qualifierKey(q string) string {
	if q == "" {
		return LatestVersion
	}
	return q
}

// msgNoFunction is AWS's answer to a config operation on a function,
// version or alias that does not exist.
const msgNoFunction = "The function doesn't exist."

func (s *Store) noInvokeConfig(region, fn, qualifier string) error {
	return errResourceNotFound.Errorf("The function %s:%s doesn't have an EventInvokeConfig", s.FunctionARN(region, fn), qualifierKey(qualifier))
}

// PutInvokeConfig sets (update false: replaces; update true: changes an
// existing one) the event invoke config of qualifier ("" is $LATEST).
func (s *Store) PutInvokeConfig(region, fn, qualifier string, ch InvokeConfigChange, update bool, now time.Time) (EventInvokeConfig, error) {
	f, err := s.Function(region, fn)
	if err != nil {
		return EventInvokeConfig{}, errResourceNotFound.New(msgNoFunction)
	}
	key := qualifierKey(qualifier)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.deleted || key != LatestVersion && f.versions[key] == nil && f.aliases[key] == nil {
		return EventInvokeConfig{}, errResourceNotFound.New(msgNoFunction)
	}
	c := EventInvokeConfig{Qualifier: key}
	if update {
		old := f.invokeConfigs[key]
		if old == nil {
			return EventInvokeConfig{}, s.noInvokeConfig(region, fn, key)
		}
		c = *old
		if ch.MaxRetries != nil {
			c.MaxRetries = ch.MaxRetries
		}
		if ch.MaxAge != nil {
			c.MaxAge = ch.MaxAge
		}
	} else {
		c.MaxRetries, c.MaxAge = ch.MaxRetries, ch.MaxAge
	}
	if ch.Destinations != nil {
		c.OnSuccess, c.OnFailure = ch.Destinations[0], ch.Destinations[1]
	}
	c.Modified = now
	f.invokeConfigs[key] = &c
	return c, nil
}

// InvokeConfig returns the event invoke config of qualifier.
func (s *Store) InvokeConfig(region, fn, qualifier string) (EventInvokeConfig, error) {
	f, err := s.Function(region, fn)
	if err != nil {
		return EventInvokeConfig{}, s.noInvokeConfig(region, fn, qualifier)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.invokeConfigs[qualifierKey(qualifier)]
	if c == nil {
		return EventInvokeConfig{}, s.noInvokeConfig(region, fn, qualifier)
	}
	return *c, nil
}

// DeleteInvokeConfig removes the event invoke config of qualifier.
func (s *Store) DeleteInvokeConfig(region, fn, qualifier string) error {
	f, err := s.Function(region, fn)
	if err != nil {
		return s.noInvokeConfig(region, fn, qualifier)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	key := qualifierKey(qualifier)
	if f.invokeConfigs[key] == nil {
		return s.noInvokeConfig(region, fn, qualifier)
	}
	delete(f.invokeConfigs, key)
	return nil
}

// InvokeConfigs lists a function's event invoke configs by qualifier.
func (s *Store) InvokeConfigs(region, fn string) ([]EventInvokeConfig, error) {
	f, err := s.Function(region, fn)
	if err != nil {
		return nil, errResourceNotFound.New(msgNoFunction)
	}
	f.mu.Lock()
	out := make([]EventInvokeConfig, 0, len(f.invokeConfigs))
	for _, c := range f.invokeConfigs {
		out = append(out, *c)
	}
	f.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Qualifier < out[j].Qualifier })
	return out, nil
}

// asyncConfig is the event invoke config in force for an event invoked
// with qualifier (nil: AWS's defaults, no destinations).
func (f *Function) asyncConfig(qualifier string) *EventInvokeConfig {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c := f.invokeConfigs[qualifierKey(qualifier)]; c != nil {
		cp := *c
		return &cp
	}
	return nil
}
