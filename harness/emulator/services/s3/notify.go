package s3

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Bucket event notifications, the store's side: the configuration a bucket
// holds, which destinations an event goes to, and the event documents S3
// sends (aws-lambda-go's events.S3Event and the s3:TestEvent). Delivery and
// the wire are api_notify.go's.

// NotificationConfig is a bucket's notification configuration, validated.
// It is immutable once stored: a PUT replaces it whole.
type NotificationConfig struct {
	Topics, Queues, Functions []NotificationTarget
	// EventBridge is set when the configuration has an
	// EventBridgeConfiguration (stored and returned; nothing is sent).
	EventBridge bool
}

// NotificationTarget is one destination and the events it wants.
type NotificationTarget struct {
	ID     string
	ARN    string
	Events []string // as configured: "s3:ObjectCreated:*", "s3:ObjectRemoved:Delete", …
	Rules  []FilterRule
	// Prefix and Suffix are the rules' values ("" when absent).
	Prefix, Suffix string
	// kinds has a bit per concrete event type Events name (eventBits).
	kinds uint32
}

// FilterRule is a key name filter rule, its name as S3 returns it
// ("Prefix" or "Suffix").
type FilterRule struct{ Name, Value string }

func (c *NotificationConfig) empty() bool {
	return c == nil || (len(c.Topics) == 0 && len(c.Queues) == 0 && len(c.Functions) == 0 && !c.EventBridge)
}

// Wants reports whether event ("ObjectCreated:Put", without "s3:") on the
// key written as in events (EventKey) goes to t: one of its events names it
// or its family's wildcard, and the key passes its filter. S3 matches
// filters against the encoded key: a prefix with a space is written with
// '+', as its documentation says.
func (t *NotificationTarget) Wants(event, eventKey string) bool {
	return t.kinds&notificationEvents["s3:"+event] != 0 && strings.HasPrefix(eventKey, t.Prefix) && strings.HasSuffix(eventKey, t.Suffix)
}

// notificationEvents are the event types a configuration may name (S3's
// model), each with a bit per concrete type it stands for (several for a
// wildcard).
var notificationEvents = func() map[string]uint32 {
	all := []string{
		"s3:ReducedRedundancyLostObject",
		"s3:ObjectCreated:Put", "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload",
		"s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated",
		"s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete",
		"s3:Replication:OperationFailedReplication", "s3:Replication:OperationNotTracked",
		"s3:Replication:OperationMissedThreshold", "s3:Replication:OperationReplicatedAfterThreshold",
		"s3:LifecycleTransition", "s3:IntelligentTiering", "s3:ObjectAcl:Put",
		"s3:LifecycleExpiration:Delete", "s3:LifecycleExpiration:DeleteMarkerCreated",
		"s3:ObjectTagging:Put", "s3:ObjectTagging:Delete",
	}
	m := map[string]uint32{}
	for i, e := range all {
		m[e] = 1 << i
		if j := strings.LastIndexByte(e, ':'); j > len("s3:") {
			m[e[:j]+":*"] |= 1 << i
		}
	}
	return m
}()

// overlaps reports whether some key could match both targets' filters for
// a common event type: S3 refuses such configurations.
func (t *NotificationTarget) overlaps(u *NotificationTarget) bool {
	prefixes := strings.HasPrefix(t.Prefix, u.Prefix) || strings.HasPrefix(u.Prefix, t.Prefix)
	suffixes := strings.HasSuffix(t.Suffix, u.Suffix) || strings.HasSuffix(u.Suffix, t.Suffix)
	return prefixes && suffixes && t.kinds&u.kinds != 0
}

// SetNotification replaces a bucket's notification configuration; an
// empty one removes it.
func (s *Store) SetNotification(ctx context.Context, name string, cfg *NotificationConfig) error {
	b, err := s.bucket(name)
	if err != nil {
		return err
	}
	if cfg.empty() {
		cfg = nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.deleted {
		return noSuchBucket(name)
	}
	switch {
	case b.notify == nil && cfg != nil:
		s.notifying.Add(1)
	case b.notify != nil && cfg == nil:
		s.notifying.Add(-1)
	}
	b.notify = cfg
	s.recordBucket(ctx, b)
	return nil
}

// Notification returns a bucket's notification configuration (nil: none)
// and the bucket.
func (s *Store) Notification(name string) (*NotificationConfig, BucketInfo, error) {
	b, err := s.bucket(name)
	if err != nil {
		return nil, BucketInfo{}, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.notify, b.BucketInfo, nil
}

// Notifying reports whether any bucket has a notification configuration:
// one atomic load, all a write pays when none has.
func (s *Store) Notifying() bool { return s.notifying.Load() > 0 }

// ----- event documents

// ObjectChange is what an event notification says happened to an object.
type ObjectChange struct {
	Event     string // "ObjectCreated:Put", "ObjectRemoved:Delete", …
	Key       string
	Size      int64
	ETag      string // quoted, as stored (the event carries it bare)
	VersionID string
	Created   bool // ObjectCreated: size and eTag are sent
}

// EventSource is who caused an event, and the request that did.
type EventSource struct {
	Principal, SourceIP, RequestID, HostID string
	Time                                   time.Time
	Sequencer                              string
}

// eventTimeFormat is S3's: milliseconds and Z.
const eventTimeFormat = "2006-01-02T15:04:05.000Z"

// bucketOwnerPrincipal is the bucket owner's customer ID in events.
const bucketOwnerPrincipal = "A3GROUNDSTACK0"

// Field order follows AWS's documented event (and aws-lambda-go's
// events.S3EventRecord).
type s3EventDoc struct {
	Records []s3EventRecord `json:"Records"`
}

type s3EventRecord struct {
	EventVersion      string            `json:"eventVersion"`
	EventSource       string            `json:"eventSource"`
	AWSRegion         string            `json:"awsRegion"`
	EventTime         string            `json:"eventTime"`
	EventName         string            `json:"eventName"`
	UserIdentity      principalID       `json:"userIdentity"`
	RequestParameters requestParameters `json:"requestParameters"`
	ResponseElements  responseElements  `json:"responseElements"`
	S3                s3Entity          `json:"s3"`
}

type principalID struct {
	PrincipalID string `json:"principalId"`
}

type requestParameters struct {
	SourceIPAddress string `json:"sourceIPAddress"`
}

type responseElements struct {
	RequestID string `json:"x-amz-request-id"`
	HostID    string `json:"x-amz-id-2"`
}

type s3Entity struct {
	SchemaVersion   string      `json:"s3SchemaVersion"`
	ConfigurationID string      `json:"configurationId"`
	Bucket          eventBucket `json:"bucket"`
	Object          eventObject `json:"object"`
}

type eventBucket struct {
	Name          string      `json:"name"`
	OwnerIdentity principalID `json:"ownerIdentity"`
	ARN           string      `json:"arn"`
}

type eventObject struct {
	Key       string `json:"key"`
	Size      *int64 `json:"size,omitempty"`
	ETag      string `json:"eTag,omitempty"`
	VersionID string `json:"versionId,omitempty"`
	Sequencer string `json:"sequencer"`
}

// EventDocument is the JSON S3 sends for one change to one destination.
func EventDocument(bucket BucketInfo, configID string, ch ObjectChange, src EventSource) []byte {
	rec := s3EventRecord{
		EventVersion: "2.1", EventSource: "aws:s3", AWSRegion: bucket.Region,
		EventTime:         src.Time.UTC().Format(eventTimeFormat),
		EventName:         ch.Event,
		UserIdentity:      principalID{src.Principal},
		RequestParameters: requestParameters{src.SourceIP},
		ResponseElements:  responseElements{RequestID: src.RequestID, HostID: src.HostID},
		S3: s3Entity{
			SchemaVersion: "1.0", ConfigurationID: configID,
			Bucket: eventBucket{Name: bucket.Name, OwnerIdentity: principalID{bucketOwnerPrincipal}, ARN: "arn:aws:s3:::" + bucket.Name},
			Object: eventObject{Key: EventKey(ch.Key), VersionID: ch.VersionID, Sequencer: src.Sequencer},
		},
	}
	if ch.Created {
		size := ch.Size
		rec.S3.Object.Size, rec.S3.Object.ETag = &size, strings.Trim(ch.ETag, `"`)
	}
	return marshalJSON(s3EventDoc{Records: []s3EventRecord{rec}})
}

// TestEventDocument is the s3:TestEvent S3 sends a queue or topic when a
// configuration naming it is put.
func TestEventDocument(bucket string, src EventSource) []byte {
	return marshalJSON(struct {
		Service   string `json:"Service"`
		Event     string `json:"Event"`
		Time      string `json:"Time"`
		Bucket    string `json:"Bucket"`
		RequestID string `json:"RequestId"`
		HostID    string `json:"HostId"`
	}{"Amazon S3", "s3:TestEvent", src.Time.UTC().Format(eventTimeFormat), bucket, src.RequestID, src.HostID})
}

// marshalJSON encodes v as AWS writes JSON: no HTML escaping.
func marshalJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(v) // the documents above always encode
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})
}

// EventKey is an object key as S3 writes it in events: form-URL-encoded
// (a space is '+'), with '/' and the characters Java's URLEncoder keeps
// (letters, digits, '.', '-', '_', '*') left as they are.
func EventKey(key string) string {
	const hexDigits = "0123456789ABCDEF"
	plain := true
	for i := 0; i < len(key); i++ {
		if !eventKeySafe(key[i]) {
			plain = false
			break
		}
	}
	if plain {
		return key
	}
	var b strings.Builder
	b.Grow(len(key) + len(key)/2)
	for i := 0; i < len(key); i++ {
		switch c := key[i]; {
		case eventKeySafe(c):
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

func eventKeySafe(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '-' || c == '_' || c == '*' || c == '/'
}

// sequencer hands out event sequencers: increasing, as S3's are for the
// events of one key, and written as fixed-width upper-case hex so they
// compare as strings too.
type sequencer struct{ last atomic.Uint64 }

func (q *sequencer) next(now time.Time) string {
	n := uint64(now.UnixNano())
	for {
		last := q.last.Load()
		if n <= last {
			n = last + 1
		}
		if q.last.CompareAndSwap(last, n) {
			break
		}
	}
	s := strconv.FormatUint(n, 16)
	return strings.ToUpper(strings.Repeat("0", max(0, 18-len(s))) + s)
}
