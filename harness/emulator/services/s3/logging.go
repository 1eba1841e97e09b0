package s3

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"strings"
	"sync"
	"time"
)

// Server access logging: a bucket's PutBucketLogging target receives log
// objects, one line per request to the bucket in AWS's access-log format
// (docs/flows-and-suites.md). AWS delivers within hours; groundstack gathers a bucket's
// lines for accessLogDelay and then writes them as one object.

// LoggingTarget is where a bucket's access logs go.
type LoggingTarget struct {
	Bucket, Prefix string
}

// SetLogging sets (t != nil) or clears a bucket's access logging.
func (s *Store) SetLogging(ctx context.Context, bucket string, t *LoggingTarget) error {
	b, err := s.bucket(bucket)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.deleted {
		return noSuchBucket(bucket)
	}
	switch {
	case b.logging == nil && t != nil:
		s.logging.Add(1)
	case b.logging != nil && t == nil:
		s.logging.Add(-1)
	}
	b.logging = t
	s.recordBucket(ctx, b)
	return nil
}

// Logging returns a bucket's access-log target (nil when it logs nowhere).
func (s *Store) Logging(bucket string) (*LoggingTarget, error) {
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.logging, nil
}

// loggingOf is Logging for the request path: nothing unless some bucket
// logs.
func (s *Store) loggingOf(bucket string) *LoggingTarget {
	if s.logging.Load() == 0 || bucket == "" {
		return nil
	}
	t, _ := s.Logging(bucket)
	return t
}

// ----- wire

type bucketLoggingStatusWire struct {
	XMLName        xml.Name            `xml:"BucketLoggingStatus"`
	Xmlns          string              `xml:"xmlns,attr,omitempty"`
	LoggingEnabled *loggingEnabledWire `xml:"LoggingEnabled,omitempty"`
}

type loggingEnabledWire struct {
	TargetBucket *string `xml:"TargetBucket"`
	TargetPrefix *string `xml:"TargetPrefix"`
	// TargetGrants are read for the schema's one rule that matters here
	// (a Grantee has its xsi:type); logs are delivered to the target's
	// owner alone.
	TargetGrants []struct {
		Grantee *struct {
			Type string `xml:"type,attr"`
		} `xml:"Grantee"`
	} `xml:"TargetGrants>Grant"`
}

// ParseLogging reads a BucketLoggingStatus document: a target, or nil when
// it disables logging (no LoggingEnabled).
func ParseLogging(doc []byte) (*LoggingTarget, error) {
	var w bucketLoggingStatusWire
	if err := xml.Unmarshal(doc, &w); err != nil || w.XMLName.Local != "BucketLoggingStatus" {
		return nil, malformedXML()
	}
	if w.LoggingEnabled == nil {
		return nil, nil
	}
	// Both members are required by S3's schema.
	if w.LoggingEnabled.TargetBucket == nil || w.LoggingEnabled.TargetPrefix == nil || *w.LoggingEnabled.TargetBucket == "" {
		return nil, malformedXML()
	}
	for _, g := range w.LoggingEnabled.TargetGrants {
		if g.Grantee != nil && g.Grantee.Type == "" {
			return nil, malformedXML()
		}
	}
	return &LoggingTarget{Bucket: *w.LoggingEnabled.TargetBucket, Prefix: *w.LoggingEnabled.TargetPrefix}, nil
}

func loggingWire(t *LoggingTarget) bucketLoggingStatusWire {
	w := bucketLoggingStatusWire{Xmlns: loggingXMLNS}
	if t != nil {
		w.LoggingEnabled = &loggingEnabledWire{TargetBucket: &t.Bucket, TargetPrefix: &t.Prefix}
	}
	return w
}

// loggingXMLNS is the namespace S3 answers GetBucketLogging in (not the
// one of its other documents).
const loggingXMLNS = "http://doc.s3.amazonaws.com/2006-03-01"

// ----- delivery

// accessLogDelay is how long a target's lines gather before they are
// written as one log object.
const accessLogDelay = 500 * time.Millisecond

// accessLogs gathers log lines by target and writes each batch as one
// object when its timer fires; Close stops the timers.
type accessLogs struct {
	store *Store
	now   func() time.Time

	mu      sync.Mutex
	pending map[LoggingTarget]*logBatch
	closed  bool
}

type logBatch struct {
	lines bytes.Buffer
	timer *time.Timer
}

func newAccessLogs(store *Store, now func() time.Time) *accessLogs {
	return &accessLogs{store: store, now: now, pending: map[LoggingTarget]*logBatch{}}
}

// add queues one line for t.
func (a *accessLogs) add(t LoggingTarget, line []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	b := a.pending[t]
	if b == nil {
		b = &logBatch{}
		a.pending[t] = b
		b.timer = time.AfterFunc(accessLogDelay, func() { a.flush(t) })
	}
	b.lines.Write(line)
}

// flush writes t's gathered lines as TargetPrefixYYYY-mm-DD-HH-MM-SS-UniqueString,
// the key format S3 uses.
func (a *accessLogs) flush(t LoggingTarget) {
	a.mu.Lock()
	b := a.pending[t]
	delete(a.pending, t)
	a.mu.Unlock()
	if b == nil || b.lines.Len() == 0 {
		return
	}
	var unique [8]byte
	_, _ = rand.Read(unique[:])
	now := a.now().UTC()
	key := t.Prefix + now.Format("2006-01-02-15-04-05") + "-" + strings.ToUpper(hex.EncodeToString(unique[:]))
	obj := &Object{Key: key, Body: BytesBody(b.lines.Bytes()), Headers: Headers{ContentType: "text/plain"}}
	if err := obj.Seal(now); err != nil {
		obj.Body.Release()
		return
	}
	// A target deleted meanwhile loses the batch, as on AWS.
	_ = a.store.PutObject(context.Background(), t.Bucket, obj, PutCondition{}, "Put")
}

// discard drops every gathered line (a reset of the cloud).
func (a *accessLogs) discard() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for t, b := range a.pending {
		b.timer.Stop()
		delete(a.pending, t)
	}
}

// close drops what is pending and refuses new lines.
func (a *accessLogs) close() {
	a.discard()
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
}
