package s3

import (
	"context"
	"strings"
	"time"
)

// Lifecycle expiration: what a bucket's lifecycle rules remove at a given
// time (lifecycle.go parses the rules and runs the sweep).

// LifecycleRule is one enabled rule's filter and expiration actions.
type LifecycleRule struct {
	ID     string
	Prefix string
	Tags   []Tag
	// Sizes bound the objects the rule applies to (0: no bound).
	SizeGreaterThan, SizeLessThan int64

	ExpireDays          int       // Expiration Days (0: none)
	ExpireDate          time.Time // Expiration Date (zero: none)
	ExpiredDeleteMarker bool      // Expiration ExpiredObjectDeleteMarker
	NoncurrentDays      int       // NoncurrentVersionExpiration NoncurrentDays
	AbortDays           int       // AbortIncompleteMultipartUpload DaysAfterInitiation
}

// matches reports whether the rule's filter selects obj.
func (r *LifecycleRule) matches(obj *Object) bool {
	if !strings.HasPrefix(obj.Key, r.Prefix) {
		return false
	}
	size := obj.Size()
	if (r.SizeGreaterThan > 0 && size <= r.SizeGreaterThan) || (r.SizeLessThan > 0 && size >= r.SizeLessThan) {
		return false
	}
	for _, want := range r.Tags {
		found := false
		for _, t := range obj.Tags {
			if t.Key == want.Key && t.Value == want.Value {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// lifecycleDue is when something days old since t is due: S3 adds the
// days and rounds up to the next midnight UTC.
func lifecycleDue(t time.Time, days int) time.Time {
	d := t.UTC().AddDate(0, 0, days)
	r := d.Truncate(24 * time.Hour)
	if r.Before(d) {
		r = r.Add(24 * time.Hour)
	}
	return r
}

// expiry is when rule expires a current object written at t (zero: never).
func (r *LifecycleRule) expiry(t time.Time) time.Time {
	switch {
	case r.ExpireDays > 0:
		return lifecycleDue(t, r.ExpireDays)
	case !r.ExpireDate.IsZero():
		return r.ExpireDate
	}
	return time.Time{}
}

// Expiry is when the first of rules expires obj, and the rule's ID (zero
// time: none does), for x-amz-expiration.
func Expiry(rules []LifecycleRule, obj *Object) (time.Time, string) {
	var when time.Time
	id := ""
	for i := range rules {
		r := &rules[i]
		if !r.matches(obj) {
			continue
		}
		if t := r.expiry(obj.LastModified); !t.IsZero() && (when.IsZero() || t.Before(when)) {
			when, id = t, r.ID
		}
	}
	return when, id
}

// ExpireLifecycle removes what rules expire at now from a bucket, as S3's
// daily lifecycle run does: current objects past their expiration (a
// delete marker in a versioned bucket), noncurrent versions past
// NoncurrentDays (locked ones stay), delete markers left alone, and
// multipart uploads initiated too long ago. It returns how many it
// removed; work is bounded by limit deletes per call.
func (s *Store) ExpireLifecycle(ctx context.Context, bucketName string, rules []LifecycleRule, now time.Time, limit int) int {
	b, err := s.bucket(bucketName)
	if err != nil {
		return 0
	}
	var ids []ObjectID
	var aborts []*Upload
	b.mu.RLock()
	for key, obj := range b.objects {
		if len(ids) >= limit {
			break
		}
		for i := range rules {
			if t := rules[i].expiry(obj.LastModified); !t.IsZero() && !now.Before(t) && rules[i].matches(obj) {
				ids = append(ids, ObjectID{Key: key})
				break
			}
		}
	}
	for key, vs := range b.versions {
		if len(ids) >= limit {
			break
		}
		if len(vs) == 1 && vs[0].DeleteMarker {
			for i := range rules {
				if rules[i].ExpiredDeleteMarker && strings.HasPrefix(key, rules[i].Prefix) {
					ids = append(ids, ObjectID{Key: key, VersionID: versionOf(vs[0])})
					break
				}
			}
			continue
		}
		for j := 1; j < len(vs); j++ { // noncurrent since vs[j-1] was written
			v := vs[j]
			for i := range rules {
				r := &rules[i]
				if r.NoncurrentDays > 0 && !now.Before(lifecycleDue(vs[j-1].LastModified, r.NoncurrentDays)) && r.matches(v) {
					ids = append(ids, ObjectID{Key: key, VersionID: versionOf(v)})
					break
				}
			}
		}
	}
	for _, u := range b.uploads {
		for i := range rules {
			r := &rules[i]
			if r.AbortDays > 0 && strings.HasPrefix(u.Key, r.Prefix) && !now.Before(lifecycleDue(u.Initiated, r.AbortDays)) {
				aborts = append(aborts, u)
				break
			}
		}
	}
	b.mu.RUnlock()
	n := 0
	if len(ids) > 0 {
		done, _ := s.DeleteObjects(ctx, bucketName, ids, now)
		for _, d := range done {
			if d.Existed {
				n++
			}
		}
	}
	for _, u := range aborts {
		if s.AbortUpload(ctx, bucketName, u.Key, u.ID) == nil {
			n++
		}
	}
	return n
}
