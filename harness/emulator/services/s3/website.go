package s3

import (
	"context"
	"strings"
)

// This file is the store side of static website hosting: the configuration
// and how a request's key resolves under it. No HTTP here (api_website.go
// serves it).

// Website is a bucket's website configuration (PutBucketWebsite).
type Website struct {
	// IndexSuffix is appended to keys naming a folder ("" or ending in /).
	IndexSuffix string
	// ErrorKey is the object served, with the error's status, on 4xx.
	ErrorKey string
	// RedirectAll sends every request elsewhere (no other setting then).
	RedirectAll *Redirect
	Rules       []RoutingRule
}

// Redirect is where a request goes instead (empty fields keep the
// request's own host, protocol or key).
type Redirect struct {
	HostName string
	Protocol string
	Code     int // 0: 301
	ReplaceKeyWith,
	ReplaceKeyPrefixWith string
	// HasPrefixReplacement tells ReplaceKeyPrefixWith="" (strip the prefix)
	// from no replacement.
	HasPrefixReplacement bool
}

// RoutingRule redirects requests whose key starts with KeyPrefixEquals
// and, when ErrorCodeEquals is set, only those that would get that error.
type RoutingRule struct {
	KeyPrefixEquals string
	ErrorCodeEquals int
	Redirect        Redirect
}

// SetWebsite stores (w != nil) or removes a bucket's website configuration.
func (s *Store) SetWebsite(ctx context.Context, bucket string, w *Website) error {
	b, err := s.bucket(bucket)
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.website = w
	s.recordBucket(ctx, b)
	b.mu.Unlock()
	return nil
}

// Website returns a bucket's website configuration (NoSuchWebsiteConfiguration
// when it has none). The value is never modified once stored: callers may
// keep it.
func (s *Store) Website(bucket string) (*Website, error) {
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, err
	}
	b.mu.RLock()
	w := b.website
	b.mu.RUnlock()
	if w == nil {
		return nil, errNoSuchWebsite.New("The specified bucket does not have a website configuration").With("BucketName", bucket)
	}
	return w, nil
}

// MatchRule returns the first rule that applies to key: before the object
// is looked up (errorCode 0) only rules without an error condition apply;
// after a failed lookup, rules whose error condition equals errorCode.
func (w *Website) MatchRule(key string, errorCode int) *RoutingRule {
	for i := range w.Rules {
		r := &w.Rules[i]
		if r.ErrorCodeEquals != errorCode || !strings.HasPrefix(key, r.KeyPrefixEquals) {
			continue
		}
		return r
	}
	return nil
}

// TargetKey is the key a rule sends key to.
func (r *RoutingRule) TargetKey(key string) string {
	switch {
	case r.Redirect.ReplaceKeyWith != "":
		return r.Redirect.ReplaceKeyWith
	case r.Redirect.HasPrefixReplacement:
		return r.Redirect.ReplaceKeyPrefixWith + strings.TrimPrefix(key, r.KeyPrefixEquals)
	}
	return key
}

// IndexKey is the object a website request for key reads: key itself, or
// the index document of the folder key names.
func (w *Website) IndexKey(key string) string {
	if key == "" || strings.HasSuffix(key, "/") {
		return key + w.IndexSuffix
	}
	return key
}
