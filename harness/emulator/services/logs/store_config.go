package logs

import (
	"encoding/base64"
	"sort"
	"strings"
	"sync"
)

// Config holds the service's configuration resources that are not log
// groups: delivery sources, destinations and deliveries, anomaly
// detectors, integrations, lookup tables, scheduled queries, import tasks,
// S3 table integration sources and bearer-token settings. They are small
// and rarely written, so one lock guards them all (the log groups keep
// their own locks). Every kind is keyed by region and its name or id.
type Config struct {
	mu           sync.Mutex
	sources      map[rkey]*DeliverySource
	destinations map[rkey]*DeliveryDestination
	deliveries   map[rkey]*Delivery
	detectors    map[rkey]*Detector
	integrations map[rkey]*Integration
	lookups      map[rkey]*LookupTable
	lookupBytes  int64
	scheduled    map[rkey]*ScheduledQuery
	imports      map[rkey]*ImportTask
	s3Sources    map[rkey]*S3TableSource
	bearer       map[rkey]bool
}

type rkey struct{ region, id string }

// Bounds of each kind per region (AWS's quotas where it states them), and
// of the lookup tables' bodies in all.
const (
	maxConfigPerRegion = 1000
	maxLookupTables    = 100
	maxLookupBytes     = 256 << 20
)

func newConfig() *Config {
	c := &Config{}
	c.reset()
	return c
}

func (c *Config) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sources = map[rkey]*DeliverySource{}
	c.destinations = map[rkey]*DeliveryDestination{}
	c.deliveries = map[rkey]*Delivery{}
	c.detectors = map[rkey]*Detector{}
	c.integrations = map[rkey]*Integration{}
	c.lookups = map[rkey]*LookupTable{}
	c.lookupBytes = 0
	c.scheduled = map[rkey]*ScheduledQuery{}
	c.imports = map[rkey]*ImportTask{}
	c.s3Sources = map[rkey]*S3TableSource{}
	c.bearer = map[rkey]bool{}
}

// inRegion counts m's entries in region.
func inRegion[V any](m map[rkey]V, region string) int {
	n := 0
	for k := range m {
		if k.region == region {
			n++
		}
	}
	return n
}

// listed returns m's values in region that keep passes, sorted by key.
func listed[V any](m map[rkey]*V, region string, keep func(*V) bool) []V {
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if k.region == region && (keep == nil || keep(v)) {
			keys = append(keys, k.id)
		}
	}
	sort.Strings(keys)
	out := make([]V, len(keys))
	for i, k := range keys {
		out[i] = *m[rkey{region, k}]
	}
	return out
}

func copyTags(t map[string]string) map[string]string {
	if len(t) == 0 {
		return nil
	}
	out := make(map[string]string, len(t))
	for k, v := range t {
		out[k] = v
	}
	return out
}

// pageOf cuts items (sorted by key) at the token a previous page returned
// (the key of its last item, encoded) and at limit; it returns the page
// and the token of the next one ("" for the last page), or ok false for a
// token that is not one.
func pageOf[T any](items []T, key func(T) string, token string, limit int) (page []T, next string, ok bool) {
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(b) == 0 {
			return nil, "", false
		}
		after := string(b)
		i := sort.Search(len(items), func(i int) bool { return key(items[i]) > after })
		items = items[i:]
	}
	if limit > 0 && len(items) > limit {
		return items[:limit], base64.RawURLEncoding.EncodeToString([]byte(key(items[limit-1]))), true
	}
	return items, "", true
}

// taggable returns the tags of the resource arn names (delivery source,
// destination or delivery, anomaly detector, lookup table, scheduled
// query); ok false when no such resource exists. The caller holds mu.
func (c *Config) taggable(region, kind, id string) (tags *map[string]string, ok bool) {
	k := rkey{region, id}
	switch kind {
	case "delivery-source":
		if r := c.sources[k]; r != nil {
			return &r.Tags, true
		}
	case "delivery-destination":
		if r := c.destinations[k]; r != nil {
			return &r.Tags, true
		}
	case "delivery":
		if r := c.deliveries[k]; r != nil {
			return &r.Tags, true
		}
	case "anomaly-detector":
		if r := c.detectors[k]; r != nil {
			return &r.Tags, true
		}
	case "lookup-table":
		if r := c.lookups[k]; r != nil {
			return &r.Tags, true
		}
	case "scheduled-query":
		for kk, r := range c.scheduled {
			if kk.region == region && strings.HasSuffix(r.ARN, ":scheduled-query:"+id) {
				return &r.Tags, true
			}
		}
	}
	return nil, false
}

// TaggableKinds are the resource types of ARNs Config tags.
var TaggableKinds = []string{"delivery-source", "delivery-destination", "delivery", "anomaly-detector", "lookup-table", "scheduled-query"}

// Tags returns a copy of a resource's tags.
func (c *Config) Tags(region, kind, id string) (map[string]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.taggable(region, kind, id)
	if !ok {
		return nil, false
	}
	out := copyTags(*t)
	if out == nil {
		out = map[string]string{}
	}
	return out, true
}

// Tag adds tags to, and removes keys from, a resource; false when it does
// not exist.
func (c *Config) Tag(region, kind, id string, add map[string]string, remove []string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.taggable(region, kind, id)
	if !ok {
		return false
	}
	if *t == nil {
		*t = map[string]string{}
	}
	for k, v := range add {
		(*t)[k] = v
	}
	for _, k := range remove {
		delete(*t, k)
	}
	return true
}
