package sqs

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limits and defaults of a queue, as AWS documents them.
const (
	defaultVisibility    = 30
	defaultMaxSize       = 1048576 // AWS's default since August 2025
	defaultRetention     = 345600
	maxMessageSizeLimit  = 1048576
	minMessageSize       = 1024
	maxDelaySeconds      = 900
	maxVisibility        = 43200
	maxWaitSeconds       = 20
	maxReceiveLimit      = 10
	dedupWindow          = 5 * time.Minute
	purgeInterval        = 60 * time.Second
	maxBatchEntries      = 10
	maxMessageAttributes = 10
	maxTags              = 50
	// maxInflight is AWS's limit of messages in flight per queue; past it
	// a receive is OverLimit (and the emulator's memory stays bounded by
	// what was sent, not by what consumers hold).
	maxInflight = 120000
)

// Store holds every queue of the emulator, per region. Each queue has its
// own lock; the store's lock guards only the name and ARN indexes.
type Store struct {
	account string
	now     func() time.Time
	newID   func() string

	mu      sync.RWMutex
	queues  map[string]*Queue // region + "/" + name
	byARN   map[string]*Queue
	uid     atomic.Uint64 // distinguishes a queue from an earlier one of the same name
	deleted []func(queueARN string)
	tasks   moveTasks
}

// NewStore returns an empty store. now and newID are the emulator's clock
// and ID source (tests fix them).
func NewStore(account string, now func() time.Time, newID func() string) *Store {
	s := &Store{account: account, now: now, newID: newID}
	s.queues = map[string]*Queue{}
	s.byARN = map[string]*Queue{}
	s.tasks.init()
	return s
}

// Reset deletes every queue (waiting receivers return at once) and stops
// every message move task.
func (s *Store) Reset() {
	s.tasks.stopAll()
	s.mu.Lock()
	old := s.queues
	s.queues = map[string]*Queue{}
	s.byARN = map[string]*Queue{}
	s.mu.Unlock()
	for _, q := range old {
		q.markDeleted()
	}
}

// Close stops the store's background work (message move tasks).
func (s *Store) Close() { s.tasks.stopAll() }

// OnQueueDeleted registers f, called with the ARN of every queue deleted
// (DeleteQueue or Reset is not reported; only DeleteQueue), after the queue
// is gone. SNS subscriptions and event source mappings use it.
func (s *Store) OnQueueDeleted(f func(queueARN string)) {
	s.mu.Lock()
	s.deleted = append(s.deleted, f)
	s.mu.Unlock()
}

// QueueARN is the ARN of queue name in region.
func (s *Store) QueueARN(region, name string) string {
	return "arn:aws:sqs:" + region + ":" + s.account + ":" + name
}

// Account is the account every queue belongs to.
func (s *Store) Account() string { return s.account }

// Queue returns the queue called name in region.
func (s *Store) Queue(region, name string) (*Queue, error) {
	s.mu.RLock()
	q := s.queues[region+"/"+name]
	s.mu.RUnlock()
	if q == nil {
		return nil, errQueueDoesNotExist.New(msgQueueDoesNotExist)
	}
	return q, nil
}

// QueueByARN returns the queue an ARN names.
func (s *Store) QueueByARN(arn string) (*Queue, error) {
	s.mu.RLock()
	q := s.byARN[arn]
	s.mu.RUnlock()
	if q == nil {
		return nil, errQueueDoesNotExist.New(msgQueueDoesNotExist)
	}
	return q, nil
}

// Count is the number of queues, for the emulator's state summary.
func (s *Store) Count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.queues)
}

// CreateQueue creates a queue, or returns the existing one when every
// attribute given matches it (QueueAlreadyExists otherwise).
func (s *Store) CreateQueue(region, name string, attrs, tags map[string]string) (*Queue, error) {
	fifo := strings.EqualFold(attrs["FifoQueue"], "true")
	if err := checkQueueName(name, fifo); err != nil {
		return nil, err
	}
	if len(tags) > maxTags {
		return nil, errInvalidParameterValue.Errorf("Too many tags added for queue %s.", name)
	}
	now := s.now()
	cfg := defaultConfig(fifo)
	if err := s.applyAttributes(&cfg, region, name, attrs, true); err != nil {
		return nil, err
	}
	key := region + "/" + name
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.queues[key]; q != nil {
		q.mu.Lock()
		defer q.mu.Unlock()
		// Compared as parsed ("5" and " 5", a redrive policy however
		// spelled), in a stable order so the error names the same one.
		names := make([]string, 0, len(attrs))
		for k := range attrs {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			want, _ := cfg.get(k)
			if cur, _ := q.cfg.get(k); cur != want {
				return nil, errQueueNameExists.Errorf(msgQueueExists, k)
			}
		}
		return q, nil
	}
	q := &Queue{
		Name: name, Region: region, ARN: s.QueueARN(region, name), Fifo: fifo,
		uid: s.uid.Add(1), store: s, cfg: cfg, created: now, modified: now,
		tags: map[string]string{}, byID: map[uint64]*message{},
	}
	q.timers.q = q
	if fifo {
		q.groups = map[string]*group{}
		q.dedup = map[string]*dedupEntry{}
	}
	for k, v := range tags {
		q.tags[k] = v
	}
	s.queues[key] = q
	s.byARN[q.ARN] = q
	return q, nil
}

func checkQueueName(name string, fifo bool) error {
	base, isFifoName := strings.CutSuffix(name, ".fifo")
	if fifo != isFifoName {
		if fifo {
			return errInvalidParameterValue.New(msgFifoQueueName)
		}
		return errInvalidParameterValue.New(msgQueueName)
	}
	if len(name) < 1 || len(name) > 80 || base == "" {
		if fifo {
			return errInvalidParameterValue.New(msgFifoQueueName)
		}
		return errInvalidParameterValue.New(msgQueueName)
	}
	for i := 0; i < len(base); i++ {
		c := base[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			if fifo {
				return errInvalidParameterValue.New(msgFifoQueueName)
			}
			return errInvalidParameterValue.New(msgQueueName)
		}
	}
	return nil
}

// DeleteQueue deletes a queue: its messages are gone, receivers waiting on
// it return, and OnQueueDeleted hooks are told.
func (s *Store) DeleteQueue(q *Queue) {
	s.mu.Lock()
	if s.queues[q.Region+"/"+q.Name] == q {
		delete(s.queues, q.Region+"/"+q.Name)
		delete(s.byARN, q.ARN)
	}
	hooks := append([]func(string){}, s.deleted...)
	s.mu.Unlock()
	q.markDeleted()
	s.tasks.cancelFor(q.ARN)
	for _, f := range hooks {
		f(q.ARN)
	}
}

// ListQueues lists the queues of region whose names start with prefix, in
// name order, after the name `after` (paging), at most max (0: 1000).
func (s *Store) ListQueues(region, prefix, after string, max int) (queues []*Queue, more bool) {
	s.mu.RLock()
	for _, q := range s.queues {
		if q.Region == region && strings.HasPrefix(q.Name, prefix) && q.Name > after {
			queues = append(queues, q)
		}
	}
	s.mu.RUnlock()
	return page(queues, max)
}

func page(queues []*Queue, max int) ([]*Queue, bool) {
	sort.Slice(queues, func(i, j int) bool { return queues[i].Name < queues[j].Name })
	if max <= 0 {
		max = 1000
	}
	if len(queues) > max {
		return queues[:max], true
	}
	return queues, false
}

// DeadLetterSources lists the queues whose redrive policy names dlq, in
// name order, after `after`, at most max.
func (s *Store) DeadLetterSources(dlq *Queue, after string, max int) ([]*Queue, bool) {
	s.mu.RLock()
	all := make([]*Queue, 0, len(s.queues))
	for _, q := range s.queues {
		all = append(all, q)
	}
	s.mu.RUnlock()
	var out []*Queue
	for _, q := range all {
		q.mu.Lock()
		target := q.cfg.dlqARN
		q.mu.Unlock()
		if target == dlq.ARN && q.Name > after {
			out = append(out, q)
		}
	}
	return page(out, max)
}

// PageToken and ParsePageToken make the opaque NextToken of list calls.
func PageToken(lastName string) string {
	return base64.StdEncoding.EncodeToString([]byte(`{"after":` + strconv.Quote(lastName) + `}`))
}

// ParsePageToken reads a NextToken PageToken made.
func ParsePageToken(tok string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(tok)
	var v struct {
		After *string `json:"after"`
	}
	if err != nil || json.Unmarshal(b, &v) != nil || v.After == nil {
		return "", errInvalidParameterValue.New("Invalid NextToken value.")
	}
	return *v.After, nil
}

// ---- attributes

// queueConfig is a queue's settable attributes, parsed.
type queueConfig struct {
	delay, maxSize, retention, wait, visibility int
	policy, redrivePolicy, redriveAllow         string
	kmsKey                                      string
	kmsReuse                                    int
	sseManaged                                  bool
	fifo, contentDedup                          bool
	dedupScope, throughputLimit                 string
	// dlqARN and maxReceive are RedrivePolicy parsed.
	dlqARN     string
	dlq        *Queue
	maxReceive int
}

func defaultConfig(fifo bool) queueConfig {
	c := queueConfig{visibility: defaultVisibility, maxSize: defaultMaxSize, retention: defaultRetention, sseManaged: true, kmsReuse: 300, fifo: fifo}
	if fifo {
		c.dedupScope, c.throughputLimit = "queue", "perQueue"
	}
	return c
}

// attributeNames are the names GetQueueAttributes knows, in AWS's order.
var attributeNames = []string{
	"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessagesNotVisible",
	"CreatedTimestamp", "DelaySeconds", "LastModifiedTimestamp", "MaximumMessageSize", "MessageRetentionPeriod",
	"Policy", "QueueArn", "ReceiveMessageWaitTimeSeconds", "RedrivePolicy", "RedriveAllowPolicy", "VisibilityTimeout",
	"KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled",
	"FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
}

// get returns a settable attribute's value, and whether the queue has it.
func (c *queueConfig) get(name string) (string, bool) {
	switch name {
	case "DelaySeconds":
		return strconv.Itoa(c.delay), true
	case "MaximumMessageSize":
		return strconv.Itoa(c.maxSize), true
	case "MessageRetentionPeriod":
		return strconv.Itoa(c.retention), true
	case "ReceiveMessageWaitTimeSeconds":
		return strconv.Itoa(c.wait), true
	case "VisibilityTimeout":
		return strconv.Itoa(c.visibility), true
	case "Policy":
		return c.policy, c.policy != ""
	case "RedrivePolicy":
		return c.redrivePolicy, c.redrivePolicy != ""
	case "RedriveAllowPolicy":
		return c.redriveAllow, c.redriveAllow != ""
	case "KmsMasterKeyId":
		return c.kmsKey, c.kmsKey != ""
	case "KmsDataKeyReusePeriodSeconds":
		return strconv.Itoa(c.kmsReuse), c.kmsKey != ""
	case "SqsManagedSseEnabled":
		return strconv.FormatBool(c.sseManaged), true
	case "FifoQueue":
		return strconv.FormatBool(c.fifo), c.fifo
	case "ContentBasedDeduplication":
		return strconv.FormatBool(c.contentDedup), c.fifo
	case "DeduplicationScope":
		return c.dedupScope, c.fifo
	case "FifoThroughputLimit":
		return c.throughputLimit, c.fifo
	}
	return "", false
}

// applyAttributes validates attrs and sets them on c (create says whether
// FifoQueue may be given).
func (s *Store) applyAttributes(c *queueConfig, region, name string, attrs map[string]string, create bool) error {
	// Names first, in a stable order, so the error names the same attribute every time.
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := attrs[k]
		intIn := func(dst *int, lo, hi int) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < lo || n > hi {
				return errInvalidAttributeValue.Errorf(msgAttributeValue, k)
			}
			*dst = n
			return nil
		}
		boolIn := func(dst *bool) error {
			switch strings.ToLower(v) {
			case "true":
				*dst = true
			case "false":
				*dst = false
			default:
				return errInvalidAttributeValue.Errorf(msgAttributeValue, k)
			}
			return nil
		}
		var err error
		switch k {
		case "DelaySeconds":
			err = intIn(&c.delay, 0, maxDelaySeconds)
		case "MaximumMessageSize":
			err = intIn(&c.maxSize, minMessageSize, maxMessageSizeLimit)
		case "MessageRetentionPeriod":
			err = intIn(&c.retention, 60, 1209600)
		case "ReceiveMessageWaitTimeSeconds":
			err = intIn(&c.wait, 0, maxWaitSeconds)
		case "VisibilityTimeout":
			err = intIn(&c.visibility, 0, maxVisibility)
		case "KmsDataKeyReusePeriodSeconds":
			err = intIn(&c.kmsReuse, 60, 86400)
		case "Policy":
			if v != "" && !json.Valid([]byte(v)) {
				err = errInvalidAttributeValue.Errorf(msgAttributeValue, k)
			}
			c.policy = v
		case "KmsMasterKeyId":
			c.kmsKey = v
			if v != "" {
				c.sseManaged = false
			}
		case "SqsManagedSseEnabled":
			err = boolIn(&c.sseManaged)
		case "RedrivePolicy":
			err = s.setRedrivePolicy(c, region, name, v)
		case "RedriveAllowPolicy":
			err = checkRedriveAllow(v)
			c.redriveAllow = v
		case "FifoQueue":
			if !create {
				return errInvalidAttributeName.Errorf(msgUnknownAttribute, k)
			}
			var f bool
			if err = boolIn(&f); err == nil && f != c.fifo {
				err = errInvalidAttributeValue.Errorf(msgAttributeValue, k)
			}
		case "ContentBasedDeduplication":
			if !c.fifo {
				return errInvalidAttributeName.Errorf(msgUnknownAttribute, k)
			}
			err = boolIn(&c.contentDedup)
		case "DeduplicationScope":
			if !c.fifo {
				return errInvalidAttributeName.Errorf(msgUnknownAttribute, k)
			}
			if v != "messageGroup" && v != "queue" {
				err = errInvalidAttributeValue.Errorf(msgAttributeValue, k)
			}
			c.dedupScope = v
		case "FifoThroughputLimit":
			if !c.fifo {
				return errInvalidAttributeName.Errorf(msgUnknownAttribute, k)
			}
			if v != "perQueue" && v != "perMessageGroupId" {
				err = errInvalidAttributeValue.Errorf(msgAttributeValue, k)
			}
			c.throughputLimit = v
		default:
			return errInvalidAttributeName.Errorf(msgUnknownAttribute, k)
		}
		if err != nil {
			return err
		}
	}
	if c.fifo && c.throughputLimit == "perMessageGroupId" && c.dedupScope != "messageGroup" {
		return errInvalidAttributeValue.Errorf(msgAttributeValue, "FifoThroughputLimit")
	}
	return nil
}

// setRedrivePolicy parses a RedrivePolicy and checks its dead-letter queue
// exists, is of the same type and allows this queue as a source.
func (s *Store) setRedrivePolicy(c *queueConfig, region, name, v string) error {
	if v == "" || v == "{}" {
		c.redrivePolicy, c.dlqARN, c.dlq, c.maxReceive = "", "", nil, 0
		return nil
	}
	invalid := func(reason string) error {
		return errInvalidParameterValue.Errorf(msgParamInvalid, v, "RedrivePolicy", reason)
	}
	var p map[string]any
	if json.Unmarshal([]byte(v), &p) != nil {
		return invalid("Redrive policy is not a valid JSON map.")
	}
	arn, _ := p["deadLetterTargetArn"].(string)
	if arn == "" {
		return invalid("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.")
	}
	var max int
	switch m := p["maxReceiveCount"].(type) {
	case float64:
		max = int(m)
	case string:
		n, err := strconv.Atoi(m)
		if err != nil {
			return invalid("Invalid value for maxReceiveCount: " + m + ", valid values are from 1 to 1000 both inclusive.")
		}
		max = n
	case nil:
		return invalid("Redrive policy does not contain mandatory attribute: maxReceiveCount.")
	default:
		return invalid("Invalid value for maxReceiveCount, valid values are from 1 to 1000 both inclusive.")
	}
	if max < 1 || max > 1000 {
		return invalid(fmt.Sprintf("Invalid value for maxReceiveCount: %d, valid values are from 1 to 1000 both inclusive.", max))
	}
	dlq, err := s.QueueByARN(arn)
	if err != nil {
		return invalid("Dead letter target does not exist.")
	}
	if dlq.Fifo != c.fifo {
		return invalid("Dead-letter queue must be same type of queue as the source.")
	}
	dlq.mu.Lock()
	allow := dlq.cfg.redriveAllow
	dlq.mu.Unlock()
	if !redriveAllowed(allow, s.QueueARN(region, name)) {
		return invalid("Queue " + s.QueueARN(region, name) + " is not allowed to use " + arn + " as a dead-letter queue.")
	}
	c.redrivePolicy = `{"deadLetterTargetArn":` + strconv.Quote(arn) + `,"maxReceiveCount":` + strconv.Itoa(max) + `}`
	c.dlqARN, c.dlq, c.maxReceive = arn, dlq, max
	return nil
}

type redriveAllowPolicy struct {
	RedrivePermission string   `json:"redrivePermission"`
	SourceQueueArns   []string `json:"sourceQueueArns"`
}

func checkRedriveAllow(v string) error {
	if v == "" {
		return nil
	}
	var p redriveAllowPolicy
	if json.Unmarshal([]byte(v), &p) != nil {
		return errInvalidParameterValue.Errorf(msgParamInvalid, v, "RedriveAllowPolicy", "Amazon SQS can't create the redrive allow policy, as it's in an unsupported format.")
	}
	switch p.RedrivePermission {
	case "allowAll", "denyAll":
		if len(p.SourceQueueArns) > 0 {
			return errInvalidParameterValue.Errorf(msgParamInvalid, v, "RedriveAllowPolicy", "Only byQueue redrivePermission may specify sourceQueueArns.")
		}
	case "byQueue":
		if len(p.SourceQueueArns) == 0 || len(p.SourceQueueArns) > 10 {
			return errInvalidParameterValue.Errorf(msgParamInvalid, v, "RedriveAllowPolicy", "sourceQueueArns must hold 1 to 10 queue ARNs for redrivePermission byQueue.")
		}
	default:
		return errInvalidParameterValue.Errorf(msgParamInvalid, v, "RedriveAllowPolicy", "Amazon SQS can't create the redrive allow policy, as it's in an unsupported format.")
	}
	return nil
}

func redriveAllowed(policy, source string) bool {
	if policy == "" {
		return true
	}
	var p redriveAllowPolicy
	if json.Unmarshal([]byte(policy), &p) != nil {
		return true
	}
	switch p.RedrivePermission {
	case "denyAll":
		return false
	case "byQueue":
		for _, a := range p.SourceQueueArns {
			if a == source {
				return true
			}
		}
		return false
	}
	return true
}

// SetAttributes changes a queue's attributes.
func (s *Store) SetAttributes(q *Queue, attrs map[string]string) error {
	q.mu.Lock()
	cfg := q.cfg
	q.mu.Unlock()
	// The redrive policy reads other queues: validate outside q's lock.
	if err := s.applyAttributes(&cfg, q.Region, q.Name, attrs, false); err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	// Only what was set is copied back: a concurrent change of another
	// attribute is kept.
	for k := range attrs {
		switch k {
		case "DelaySeconds":
			q.cfg.delay = cfg.delay
		case "MaximumMessageSize":
			q.cfg.maxSize = cfg.maxSize
		case "MessageRetentionPeriod":
			q.cfg.retention = cfg.retention
		case "ReceiveMessageWaitTimeSeconds":
			q.cfg.wait = cfg.wait
		case "VisibilityTimeout":
			q.cfg.visibility = cfg.visibility
		case "KmsDataKeyReusePeriodSeconds":
			q.cfg.kmsReuse = cfg.kmsReuse
		case "Policy":
			q.cfg.policy = cfg.policy
		case "KmsMasterKeyId", "SqsManagedSseEnabled":
			q.cfg.kmsKey, q.cfg.sseManaged = cfg.kmsKey, cfg.sseManaged
		case "RedrivePolicy":
			q.cfg.redrivePolicy, q.cfg.dlqARN, q.cfg.dlq, q.cfg.maxReceive = cfg.redrivePolicy, cfg.dlqARN, cfg.dlq, cfg.maxReceive
		case "RedriveAllowPolicy":
			q.cfg.redriveAllow = cfg.redriveAllow
		case "ContentBasedDeduplication":
			q.cfg.contentDedup = cfg.contentDedup
		case "DeduplicationScope", "FifoThroughputLimit":
			q.cfg.dedupScope, q.cfg.throughputLimit = cfg.dedupScope, cfg.throughputLimit
		}
	}
	q.modified = s.now()
	return nil
}

// Attributes returns the named attributes of q ("All" for every one); an
// unknown name is InvalidAttributeName.
func (s *Store) Attributes(q *Queue, names []string) (map[string]string, error) {
	want := map[string]bool{}
	all := false
	for _, n := range names {
		if n == "All" {
			all = true
			continue
		}
		known := false
		for _, k := range attributeNames {
			if k == n {
				known = true
				break
			}
		}
		if !known {
			return nil, errInvalidAttributeName.Errorf(msgUnknownAttribute, n)
		}
		want[n] = true
	}
	out := map[string]string{}
	if !all && len(want) == 0 {
		return out, nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.advance(s.now())
	for _, k := range attributeNames {
		if !all && !want[k] {
			continue
		}
		switch k {
		case "ApproximateNumberOfMessages":
			out[k] = strconv.Itoa(q.nVisible)
		case "ApproximateNumberOfMessagesDelayed":
			out[k] = strconv.Itoa(q.nDelayed)
		case "ApproximateNumberOfMessagesNotVisible":
			out[k] = strconv.Itoa(q.nInflight)
		case "CreatedTimestamp":
			out[k] = strconv.FormatInt(q.created.Unix(), 10)
		case "LastModifiedTimestamp":
			out[k] = strconv.FormatInt(q.modified.Unix(), 10)
		case "QueueArn":
			out[k] = q.ARN
		default:
			if v, ok := q.cfg.get(k); ok {
				out[k] = v
			}
		}
	}
	return out, nil
}

// Tags returns a copy of q's tags.
func (s *Store) Tags(q *Queue) map[string]string {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make(map[string]string, len(q.tags))
	for k, v := range q.tags {
		out[k] = v
	}
	return out
}

// Tag adds or replaces tags.
func (s *Store) Tag(q *Queue, tags map[string]string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := len(q.tags)
	for k := range tags {
		if _, ok := q.tags[k]; !ok {
			n++
		}
	}
	if n > maxTags {
		return errInvalidParameterValue.Errorf("Too many tags added for queue %s.", q.Name)
	}
	for k, v := range tags {
		q.tags[k] = v
	}
	return nil
}

// Untag removes tags.
func (s *Store) Untag(q *Queue, keys []string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, k := range keys {
		delete(q.tags, k)
	}
}

// Purge deletes every message of q; a second purge within 60 s is
// PurgeQueueInProgress.
func (s *Store) Purge(q *Queue) error {
	now := s.now()
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.purged.IsZero() && now.Sub(q.purged) < purgeInterval {
		return errPurgeQueueInProgress.Errorf(msgPurgeInProgress, q.Name)
	}
	q.purged = now
	for m := q.age.head; m != nil; {
		next := m.age.next
		q.remove(m)
		m = next
	}
	return nil
}
