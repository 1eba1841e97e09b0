package sns

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Topic is one SNS topic.
type Topic struct {
	ARN, Name, Region string
	FIFO              bool
	attrs             map[string]string // attributes as set
	tags              map[string]string
	subs              []*Subscription // in subscription order
	deleted           int

	// FIFO state, behind the topic's own lock (Publish holds only the
	// store's read lock): deduplication IDs → first publish, in
	// publication order so expired ones leave from the front.
	mu       sync.Mutex
	dedup    map[string]dedupEntry
	dedupLog []dedupKey
	seq      uint64
}

type dedupEntry struct {
	at        time.Time
	messageID string
	seq       string
}

type dedupKey struct {
	id string
	at time.Time
}

// Subscription is one subscription of a topic.
type Subscription struct {
	ARN, TopicARN, Protocol, Endpoint, Owner string
	Pending                                  bool
	Token                                    string
	attrs                                    map[string]string
	filter                                   *FilterPolicy
	// attrs is replaced, never changed in place: views share it.

	// Delivered and Failed count deliveries; lastError is the last failure.
	delivered, failed atomic.Int64
	lastError         atomic.Pointer[string]
}

// SubscriptionView is a copy of a subscription's state, safe to read
// without the store's lock.
type SubscriptionView struct {
	ARN, TopicARN, Protocol, Endpoint, Owner string
	Pending                                  bool
	Token                                    string
	Attrs                                    map[string]string
	Filter                                   *FilterPolicy
	Delivered, Failed                        int
	LastError                                string
}

// Store holds topics and subscriptions behind one lock: SNS's operations
// are control-plane rare and Publish only reads a snapshot under it.
type Store struct {
	account string
	now     func() time.Time
	newID   func() string

	mu     sync.RWMutex
	topics map[string]*Topic        // by ARN
	subs   map[string]*Subscription // by ARN

	platform platformState // mobile push and SMS
}

// NewStore returns an empty store.
func NewStore(account string, now func() time.Time, newID func() string) *Store {
	s := &Store{account: account, now: now, newID: newID}
	s.Reset()
	return s
}

// Reset empties the store.
func (s *Store) Reset() {
	s.mu.Lock()
	s.topics = map[string]*Topic{}
	s.subs = map[string]*Subscription{}
	s.mu.Unlock()
	s.platform.reset()
}

// Count returns the number of topics and subscriptions.
func (s *Store) Count() (topics, subs int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.topics), len(s.subs)
}

var topicNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// topicAttributes are the attributes CreateTopic and SetTopicAttributes take.
var topicAttributes = map[string]bool{
	"DisplayName": true, "Policy": true, "DeliveryPolicy": true, "KmsMasterKeyId": true,
	"SignatureVersion": true, "TracingConfig": true, "FifoTopic": true, "ContentBasedDeduplication": true,
	"ArchivePolicy": true, "FifoThroughputScope": true, "DataProtectionPolicy": true,
	"HTTPSuccessFeedbackRoleArn": true, "HTTPFailureFeedbackRoleArn": true, "HTTPSuccessFeedbackSampleRate": true,
	"SQSSuccessFeedbackRoleArn": true, "SQSFailureFeedbackRoleArn": true, "SQSSuccessFeedbackSampleRate": true,
	"LambdaSuccessFeedbackRoleArn": true, "LambdaFailureFeedbackRoleArn": true, "LambdaSuccessFeedbackSampleRate": true,
	"ApplicationSuccessFeedbackRoleArn": true, "ApplicationFailureFeedbackRoleArn": true, "ApplicationSuccessFeedbackSampleRate": true,
	"FirehoseSuccessFeedbackRoleArn": true, "FirehoseFailureFeedbackRoleArn": true, "FirehoseSuccessFeedbackSampleRate": true,
}

// TopicARN returns the ARN of a topic name in region.
func (s *Store) TopicARN(region, name string) string {
	return "arn:aws:sns:" + region + ":" + s.account + ":" + name
}

// CreateTopic creates a topic or returns the existing one when its
// attributes agree (CreateTopic is idempotent).
func (s *Store) CreateTopic(region, name string, attrs, tags map[string]string) (*Topic, error) {
	fifo := strings.EqualFold(attrs["FifoTopic"], "true")
	base := strings.TrimSuffix(name, ".fifo")
	switch {
	case fifo && (!strings.HasSuffix(name, ".fifo") || !topicNamePattern.MatchString(base) || len(name) > 256):
		return nil, errInvalidParameter.New(msgFifoTopicName)
	case !fifo && !topicNamePattern.MatchString(name):
		return nil, errInvalidParameter.New(msgTopicName)
	}
	for k, v := range attrs {
		if err := checkTopicAttribute(k, v, fifo, true); err != nil {
			return nil, err
		}
	}
	if err := checkTags(tags); err != nil {
		return nil, err
	}
	arn := s.TopicARN(region, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.topics[arn]; ok {
		for k, v := range attrs {
			if cur, ok := t.attrs[k]; ok && cur != v || !ok && v != "" && !(k == "FifoTopic" && !fifo) {
				return nil, errInvalidParameter.New(msgTopicExistsDiff)
			}
		}
		for k, v := range tags {
			if cur, ok := t.tags[k]; !ok || cur != v {
				return nil, errInvalidParameter.New("Invalid parameter: Tags Reason: Topic already exists with different tags")
			}
		}
		return t, nil
	}
	t := &Topic{ARN: arn, Name: name, Region: region, FIFO: fifo, attrs: map[string]string{}, tags: map[string]string{}}
	for k, v := range attrs {
		t.attrs[k] = v
	}
	if fifo {
		t.attrs["FifoTopic"] = "true"
		if _, ok := t.attrs["ContentBasedDeduplication"]; !ok {
			t.attrs["ContentBasedDeduplication"] = "false"
		}
		t.dedup = map[string]dedupEntry{}
	} else {
		delete(t.attrs, "FifoTopic")
	}
	for k, v := range tags {
		t.tags[k] = v
	}
	s.topics[arn] = t
	return t, nil
}

func checkTopicAttribute(name, value string, fifo, creating bool) error {
	if !topicAttributes[name] {
		return errInvalidParameter.New("Invalid parameter: AttributeName")
	}
	switch name {
	case "FifoTopic":
		if !creating {
			return errInvalidParameter.New("Invalid parameter: AttributeName")
		}
		if value != "true" && value != "false" {
			return errInvalidParameter.New("Invalid parameter: FifoTopic Reason: Invalid value for FifoTopic, accepted values are true or false")
		}
	case "ContentBasedDeduplication":
		if !fifo {
			return errInvalidParameter.New("Invalid parameter: ContentBasedDeduplication Reason: Content-based deduplication can only be set for FIFO topics")
		}
		if value != "true" && value != "false" {
			return errInvalidParameter.New("Invalid parameter: ContentBasedDeduplication Reason: Invalid value for ContentBasedDeduplication, accepted values are true or false")
		}
	case "SignatureVersion":
		if value != "1" && value != "2" {
			return errInvalidParameter.New("Invalid parameter: SignatureVersion Reason: Invalid value for SignatureVersion, accepted values are 1 or 2")
		}
	case "Policy", "DeliveryPolicy":
		if value != "" && !validJSONObject(value) {
			return errInvalidParameter.New("Invalid parameter: " + name + " Reason: failed to parse JSON")
		}
	}
	return nil
}

func checkTags(tags map[string]string) error {
	if len(tags) > 50 {
		return errTagLimit.New(msgTagLimit)
	}
	for k, v := range tags {
		if len(k) < 1 || len(k) > 128 {
			return errInvalidParameter.New("Invalid parameter: Tag Key Reason: Tag keys must be between 1 and 128 characters in length.")
		}
		if len(v) > 256 {
			return errInvalidParameter.New("Invalid parameter: Tag Value Reason: Tag values must be between 0 and 256 characters in length.")
		}
	}
	return nil
}

// DeleteTopic deletes a topic and its subscriptions; deleting a topic that
// does not exist succeeds, as on AWS.
func (s *Store) DeleteTopic(arn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.topics[arn]
	if !ok {
		return
	}
	for _, sub := range t.subs {
		delete(s.subs, sub.ARN)
	}
	delete(s.topics, arn)
}

// ListTopics returns topic ARNs in region after the token, 100 per page.
func (s *Store) ListTopics(region, after string) (arns []string, next string) {
	s.mu.RLock()
	for arn, t := range s.topics {
		if t.Region == region && arn > after {
			arns = append(arns, arn)
		}
	}
	s.mu.RUnlock()
	sort.Strings(arns)
	if len(arns) > 100 {
		arns, next = arns[:100], arns[99]
	}
	return arns, next
}

// TopicAttributes returns every attribute of a topic as GetTopicAttributes shows them.
func (s *Store) TopicAttributes(arn string) (map[string]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.topics[arn]
	if !ok {
		return nil, errNotFound.New(msgTopicNotFound)
	}
	out := map[string]string{
		"TopicArn":                t.ARN,
		"Owner":                   s.account,
		"DisplayName":             "",
		"Policy":                  defaultTopicPolicy(t.ARN, s.account),
		"EffectiveDeliveryPolicy": `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`,
		"SubscriptionsDeleted":    fmt.Sprint(t.deleted),
	}
	confirmed, pending := 0, 0
	for _, sub := range t.subs {
		if sub.Pending {
			pending++
		} else {
			confirmed++
		}
	}
	out["SubscriptionsConfirmed"] = fmt.Sprint(confirmed)
	out["SubscriptionsPending"] = fmt.Sprint(pending)
	for k, v := range t.attrs {
		out[k] = v
	}
	return out, nil
}

func defaultTopicPolicy(arn, account string) string {
	return `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":"` + arn + `","Condition":{"StringEquals":{"AWS:SourceOwner":"` + account + `"}}}]}`
}

// SetTopicAttribute sets one attribute of a topic.
func (s *Store) SetTopicAttribute(arn, name, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.topics[arn]
	if !ok {
		return errNotFound.New(msgTopicNotFound)
	}
	if err := checkTopicAttribute(name, value, t.FIFO, false); err != nil {
		return err
	}
	t.attrs[name] = value
	return nil
}

// TopicExists reports whether arn names a topic.
func (s *Store) TopicExists(arn string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.topics[arn]
	return ok
}

// ---- tags

// Tag adds or replaces tags of a topic.
func (s *Store) Tag(arn string, tags map[string]string) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.topics[arn]
	if !ok {
		return errResourceNotFound.New(msgResourceNotFound)
	}
	n := len(t.tags)
	for k := range tags {
		if _, ok := t.tags[k]; !ok {
			n++
		}
	}
	if n > 50 {
		return errTagLimit.New(msgTagLimit)
	}
	for k, v := range tags {
		t.tags[k] = v
	}
	return nil
}

// Untag removes tags of a topic.
func (s *Store) Untag(arn string, keys []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.topics[arn]
	if !ok {
		return errResourceNotFound.New(msgResourceNotFound)
	}
	for _, k := range keys {
		delete(t.tags, k)
	}
	return nil
}

// Tags returns a topic's tags.
func (s *Store) Tags(arn string) (map[string]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.topics[arn]
	if !ok {
		return nil, errResourceNotFound.New(msgResourceNotFound)
	}
	out := make(map[string]string, len(t.tags))
	for k, v := range t.tags {
		out[k] = v
	}
	return out, nil
}

// ---- subscriptions

// subscriptionAttributes are those Subscribe and SetSubscriptionAttributes take.
var subscriptionAttributes = map[string]bool{
	"DeliveryPolicy": true, "FilterPolicy": true, "FilterPolicyScope": true, "RawMessageDelivery": true,
	"RedrivePolicy": true, "SubscriptionRoleArn": true, "ReplayPolicy": true,
}

// needsConfirmation: protocols whose subscriptions wait for a confirmation.
func needsConfirmation(protocol string) bool {
	switch protocol {
	case "http", "https", "email", "email-json":
		return true
	}
	return false
}

// Subscribe subscribes endpoint to a topic. The same protocol and endpoint
// subscribed again returns the existing subscription.
func (s *Store) Subscribe(topicARN, protocol, endpoint string, attrs map[string]string) (SubscriptionView, bool, error) {
	filter, err := checkSubscriptionAttributes(attrs, nil)
	if err != nil {
		return SubscriptionView{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.topics[topicARN]
	if !ok {
		return SubscriptionView{}, false, errNotFound.New(msgTopicNotFound)
	}
	if protocol == "sqs" && strings.HasSuffix(endpoint, ".fifo") && !t.FIFO {
		return SubscriptionView{}, false, errInvalidParameter.New(msgFifoQueueStandard)
	}
	for _, sub := range t.subs {
		if sub.Protocol == protocol && sub.Endpoint == endpoint {
			for k, v := range attrs {
				if sub.attrs[k] != v {
					return SubscriptionView{}, false, errInvalidParameter.New("Invalid parameter: Attributes Reason: Subscription already exists with different attributes")
				}
			}
			return sub.view(), false, nil
		}
	}
	sub := &Subscription{
		ARN: topicARN + ":" + s.newID(), TopicARN: topicARN, Protocol: protocol, Endpoint: endpoint,
		Owner: s.account, Pending: needsConfirmation(protocol), attrs: map[string]string{}, filter: filter,
	}
	if sub.Pending {
		sub.Token = newToken(s.newID(), topicARN)
	}
	for k, v := range attrs {
		sub.attrs[k] = v
	}
	if filter != nil && sub.attrs["FilterPolicyScope"] == "" {
		sub.attrs["FilterPolicyScope"] = "MessageAttributes"
	}
	t.subs = append(t.subs, sub)
	s.subs[sub.ARN] = sub
	return sub.view(), true, nil
}

func newToken(id, topic string) string {
	sum := sha256.Sum256([]byte(id + "\x00" + topic))
	return hex.EncodeToString(sum[:]) + hex.EncodeToString(sum[:])
}

// checkSubscriptionAttributes validates attributes (merged over cur) and
// returns the filter policy they set.
func checkSubscriptionAttributes(attrs, cur map[string]string) (*FilterPolicy, error) {
	merged := map[string]string{}
	for k, v := range cur {
		merged[k] = v
	}
	for k, v := range attrs {
		if !subscriptionAttributes[k] {
			return nil, errInvalidParameter.New("Invalid parameter: Attributes Reason: Unknown attribute " + k)
		}
		merged[k] = v
	}
	if v, ok := attrs["RawMessageDelivery"]; ok && !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
		return nil, errInvalidParameter.New("Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [" + v + "]. Must be true or false.")
	}
	scope := merged["FilterPolicyScope"]
	if scope != "" && scope != "MessageAttributes" && scope != "MessageBody" {
		return nil, errInvalidParameter.New("Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value [" + scope + "]. Please use either MessageBody or MessageAttributes")
	}
	if v, ok := attrs["RedrivePolicy"]; ok && v != "" {
		if dlq := redriveTarget(v); dlq == "" {
			return nil, errInvalidParameter.New("Invalid parameter: RedrivePolicy: deadLetterTargetArn is missing or invalid")
		}
	}
	if p := merged["FilterPolicy"]; p != "" {
		fp, err := ParseFilterPolicy(p, scope == "MessageBody")
		if err != nil {
			return nil, errInvalidParameter.New("Invalid parameter: FilterPolicy: " + err.Error())
		}
		return fp, nil
	}
	return nil, nil
}

// SetSubscriptionAttribute sets one attribute of a subscription.
func (s *Store) SetSubscriptionAttribute(arn, name, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.subs[arn]
	if !ok {
		return errNotFound.New(msgSubscriptionNotFound)
	}
	if name == "FilterPolicyScope" && sub.attrs["FilterPolicy"] == "" {
		return errInvalidParameter.New("Invalid parameter: Attributes Reason: FilterPolicyScope: FilterPolicyScope can not be set without a FilterPolicy")
	}
	filter, err := checkSubscriptionAttributes(map[string]string{name: value}, sub.attrs)
	if err != nil {
		return err
	}
	attrs := make(map[string]string, len(sub.attrs)+1)
	for k, v := range sub.attrs {
		attrs[k] = v
	}
	if value == "" && (name == "FilterPolicy" || name == "RedrivePolicy") {
		delete(attrs, name)
		if name == "FilterPolicy" {
			delete(attrs, "FilterPolicyScope")
		}
	} else {
		attrs[name] = value
		if name == "FilterPolicy" && attrs["FilterPolicyScope"] == "" {
			attrs["FilterPolicyScope"] = "MessageAttributes"
		}
	}
	sub.filter, sub.attrs = filter, attrs
	return nil
}

// SubscriptionAttributes returns a subscription's attributes as
// GetSubscriptionAttributes shows them.
func (s *Store) SubscriptionAttributes(arn string) (map[string]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sub, ok := s.subs[arn]
	if !ok {
		return nil, errNotFound.New(msgSubscriptionNotFound)
	}
	out := map[string]string{
		"SubscriptionArn":              sub.ARN,
		"TopicArn":                     sub.TopicARN,
		"Owner":                        sub.Owner,
		"Protocol":                     sub.Protocol,
		"Endpoint":                     sub.Endpoint,
		"ConfirmationWasAuthenticated": fmt.Sprint(!sub.Pending),
		"PendingConfirmation":          fmt.Sprint(sub.Pending),
		"RawMessageDelivery":           "false",
		"SubscriptionPrincipal":        "arn:aws:iam::" + s.account + ":root",
	}
	for k, v := range sub.attrs {
		out[k] = v
	}
	return out, nil
}

// Unsubscribe removes a subscription; one that does not exist (already
// removed) succeeds, as on AWS.
func (s *Store) Unsubscribe(arn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.subs[arn]
	if !ok {
		return nil
	}
	delete(s.subs, arn)
	if t, ok := s.topics[sub.TopicARN]; ok {
		for i, x := range t.subs {
			if x == sub {
				t.subs = append(t.subs[:i:i], t.subs[i+1:]...)
				break
			}
		}
		t.deleted++
	}
	return nil
}

// Confirm confirms the pending subscription a token was sent for.
func (s *Store) Confirm(topicARN, token string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.topics[topicARN]
	if !ok {
		return "", errNotFound.New(msgTopicNotFound)
	}
	for _, sub := range t.subs {
		if sub.Token != "" && sub.Token == token {
			sub.Pending = false
			return sub.ARN, nil
		}
	}
	return "", errInvalidParameter.New("Invalid parameter: Token")
}

// ListSubscriptions lists subscriptions (of one topic when topicARN is not
// empty) after the token, 100 per page.
func (s *Store) ListSubscriptions(topicARN, after string) ([]SubscriptionView, string, error) {
	s.mu.RLock()
	var out []SubscriptionView
	if topicARN != "" {
		t, ok := s.topics[topicARN]
		if !ok {
			s.mu.RUnlock()
			return nil, "", errNotFound.New(msgTopicNotFound)
		}
		for _, sub := range t.subs {
			if sub.ARN > after {
				out = append(out, sub.view())
			}
		}
	} else {
		for _, sub := range s.subs {
			if sub.ARN > after {
				out = append(out, sub.view())
			}
		}
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	next := ""
	if len(out) > 100 {
		out, next = out[:100], out[99].ARN
	}
	return out, next, nil
}

func (sub *Subscription) view() SubscriptionView {
	v := SubscriptionView{ARN: sub.ARN, TopicARN: sub.TopicARN, Protocol: sub.Protocol, Endpoint: sub.Endpoint,
		Owner: sub.Owner, Pending: sub.Pending, Token: sub.Token, Filter: sub.filter, Attrs: sub.attrs,
		Delivered: int(sub.delivered.Load()), Failed: int(sub.failed.Load())}
	if e := sub.lastError.Load(); e != nil {
		v.LastError = *e
	}
	return v
}

// Subscription returns a copy of a subscription's state.
func (s *Store) Subscription(arn string) (SubscriptionView, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sub, ok := s.subs[arn]
	if !ok {
		return SubscriptionView{}, false
	}
	return sub.view(), true
}

// RecordDelivery counts a delivery to a subscription (err nil) or a failure.
func (s *Store) RecordDelivery(arn string, err error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sub, ok := s.subs[arn]
	if !ok {
		return
	}
	if err == nil {
		sub.delivered.Add(1)
		return
	}
	sub.failed.Add(1)
	msg := err.Error()
	sub.lastError.Store(&msg)
}

// ---- publish

// Published is what Publish stored of a message: its ID, the sequence
// number of a FIFO topic, and the subscriptions it goes to.
type Published struct {
	MessageID, SequenceNumber string
	// DedupID is the deduplication ID of a FIFO message (explicit or the
	// body's SHA-256 under content-based deduplication).
	DedupID   string
	Duplicate bool
	Topic     TopicView
	Subs      []SubscriptionView
}

// TopicView is a copy of what delivery needs of a topic.
type TopicView struct {
	ARN              string
	FIFO             bool
	SignatureVersion string
}

// dedupWindow is how long a FIFO topic remembers a deduplication ID.
const dedupWindow = 5 * time.Minute

// Publish accepts a message for a topic: for a FIFO topic it assigns the
// sequence number and drops a duplicate within five minutes (returning the
// first message's ID). The subscriptions returned are the confirmed ones.
func (s *Store) Publish(topicARN, groupID, dedupID, body string) (Published, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.topics[topicARN]
	if !ok {
		return Published{}, errNotFound.New(msgTopicNotFound)
	}
	p := Published{Topic: TopicView{ARN: t.ARN, FIFO: t.FIFO, SignatureVersion: t.attrs["SignatureVersion"]}}
	if t.FIFO {
		if groupID == "" {
			return Published{}, errInvalidParameter.New(msgGroupIDRequired)
		}
		if dedupID == "" {
			if t.attrs["ContentBasedDeduplication"] != "true" {
				return Published{}, errInvalidParameter.New(msgDedupRequired)
			}
			sum := sha256.Sum256([]byte(body))
			dedupID = hex.EncodeToString(sum[:])
		}
		now := s.now()
		t.mu.Lock()
		n := 0
		for ; n < len(t.dedupLog) && now.Sub(t.dedupLog[n].at) >= dedupWindow; n++ {
			if e, ok := t.dedup[t.dedupLog[n].id]; ok && e.at.Equal(t.dedupLog[n].at) {
				delete(t.dedup, t.dedupLog[n].id)
			}
		}
		t.dedupLog = t.dedupLog[n:]
		if e, ok := t.dedup[dedupID]; ok {
			t.mu.Unlock()
			p.MessageID, p.SequenceNumber, p.Duplicate = e.messageID, e.seq, true
			return p, nil
		}
		t.seq++
		p.SequenceNumber = fmt.Sprintf("%020d", t.seq)
		p.MessageID = s.newID()
		p.DedupID = dedupID
		t.dedup[dedupID] = dedupEntry{at: now, messageID: p.MessageID, seq: p.SequenceNumber}
		t.dedupLog = append(t.dedupLog, dedupKey{dedupID, now})
		t.mu.Unlock()
	} else {
		// A standard topic takes a MessageGroupId and forwards it to SQS
		// standard queues (fair queues) only.
		if dedupID != "" {
			return Published{}, errInvalidParameter.New(msgDedupStandard)
		}
		p.MessageID = s.newID()
	}
	for _, sub := range t.subs {
		if !sub.Pending {
			p.Subs = append(p.Subs, sub.view())
		}
	}
	return p, nil
}
