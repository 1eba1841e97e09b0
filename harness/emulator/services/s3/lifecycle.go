package s3

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Lifecycle expiration on the emulator's clock: a sweep runs the enabled
// rules of every bucket with a lifecycle configuration at most once per
// lifecycleSweep of emulator time. It runs before the first request served
// once that much time passed (so a test that moves the clock sees its
// effect on its next request), and on its own every lifecycleTick of wall
// time while the emulator is idle.
const (
	lifecycleSweep = time.Minute
	lifecycleTick  = 10 * time.Second
	// lifecycleLimit bounds the deletes of one bucket per sweep.
	lifecycleLimit = 10000
)

// lifecycle is the sweep's state.
type lifecycle struct {
	mu   sync.Mutex
	next time.Time // emulator time of the next sweep
	stop chan struct{}
	once sync.Once
}

// lifecycleRules reads a bucket's enabled lifecycle rules.
func (s *Service) lifecycleRules(bucket string) []LifecycleRule {
	doc, err := s.store.BucketConfig(bucket, lifecycleConfig.sub)
	if err != nil || len(doc) == 0 {
		return nil
	}
	var n xmlNode
	if awsproto.DecodeXML(doc, &n) != nil {
		return nil
	}
	atoi := func(n *xmlNode, name string) int {
		if n == nil {
			return 0
		}
		v, _ := n.text(name)
		i, _ := strconv.Atoi(strings.TrimSpace(v))
		return i
	}
	var rules []LifecycleRule
	for _, r := range n.children("Rule") {
		if st, _ := r.text("Status"); st != "Enabled" {
			continue
		}
		var lr LifecycleRule
		lr.ID, _ = r.text("ID")
		lr.Prefix, _ = r.text("Prefix")
		if f := r.child("Filter"); f != nil {
			filter := func(f *xmlNode) {
				if p, ok := f.text("Prefix"); ok {
					lr.Prefix = p
				}
				for _, t := range f.children("Tag") {
					k, _ := t.text("Key")
					v, _ := t.text("Value")
					lr.Tags = append(lr.Tags, Tag{Key: k, Value: v})
				}
				if v := atoi(f, "ObjectSizeGreaterThan"); v > 0 {
					lr.SizeGreaterThan = int64(v)
				}
				if v := atoi(f, "ObjectSizeLessThan"); v > 0 {
					lr.SizeLessThan = int64(v)
				}
			}
			filter(f)
			if and := f.child("And"); and != nil {
				filter(and)
			}
		}
		if e := r.child("Expiration"); e != nil {
			lr.ExpireDays = atoi(e, "Days")
			if d, ok := e.text("Date"); ok {
				lr.ExpireDate, _ = time.Parse(time.RFC3339, strings.TrimSpace(d))
			}
			v, _ := e.text("ExpiredObjectDeleteMarker")
			lr.ExpiredDeleteMarker = v == "true"
		}
		lr.NoncurrentDays = atoi(r.child("NoncurrentVersionExpiration"), "NoncurrentDays")
		lr.AbortDays = atoi(r.child("AbortIncompleteMultipartUpload"), "DaysAfterInitiation")
		rules = append(rules, lr)
	}
	return rules
}

// maybeSweep runs the lifecycle sweep when it is due on the emulator's
// clock (cheap when no bucket has a lifecycle configuration).
func (s *Service) maybeSweep() {
	if s.store.lifecycles.Load() == 0 {
		return
	}
	now := s.env.Now()
	lc := &s.lifecycle
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if now.Before(lc.next) {
		return
	}
	lc.next = now.Add(lifecycleSweep)
	for _, bucket := range s.store.BucketsWith(lifecycleConfig.sub) {
		if rules := s.lifecycleRules(bucket); len(rules) > 0 {
			s.store.ExpireLifecycle(context.Background(), // no request waits for a sweep
				bucket, rules, now, lifecycleLimit)
		}
	}
}

// runLifecycle sweeps on its own every lifecycleTick until Close.
func (s *Service) runLifecycle() {
	t := time.NewTicker(lifecycleTick)
	defer t.Stop()
	for {
		select {
		case <-s.lifecycle.stop:
			return
		case <-t.C:
			s.maybeSweep()
		}
	}
}

// expirationHeader is x-amz-expiration for obj in bucket ("" when no rule
// expires it).
func (s *Service) expirationHeader(bucket string, obj *Object) string {
	if s.store.lifecycles.Load() == 0 {
		return ""
	}
	rules := s.lifecycleRules(bucket)
	if len(rules) == 0 {
		return ""
	}
	when, id := Expiry(rules, obj)
	if when.IsZero() {
		return ""
	}
	return `expiry-date="` + when.UTC().Format(http.TimeFormat) + `", rule-id="` + id + `"`
}
