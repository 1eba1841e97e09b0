package apigatewayv2

import (
	"time"
)

// jwksCache fetches and caches JWT issuers' keys.
type jwksCache struct {
	now func() time.Time
}

func newJWKSCache(now func() time.Time) *jwksCache { return &jwksCache{now: now} }

func (c *jwksCache) reset() {}
