package sns

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// stateVersion is the version of the state format below.
const stateVersion = 1

// State is SNS's saved state (version 1): every region's topics and their
// subscriptions. Not saved: mobile push (platform applications and
// endpoints), SMS settings and sandbox numbers, and FIFO topics'
// deduplication ids (a publish repeated after a load is not deduplicated).
type State struct {
	Topics        []TopicState        `json:"topics"`
	Subscriptions []SubscriptionState `json:"subscriptions"`
}

// TopicState is one topic.
type TopicState struct {
	Region string `json:"region"`
	Name   string `json:"name"`
	Fifo   bool   `json:"fifo,omitempty"`
	// Attributes are those set (CreateTopic, SetTopicAttributes).
	Attributes map[string]string `json:"attributes"`
	Tags       map[string]string `json:"tags,omitempty"`
	// SubscriptionsDeleted is the topic's count of unsubscriptions;
	// LastSequence a FIFO topic's last sequence number.
	SubscriptionsDeleted int    `json:"subscriptionsDeleted,omitempty"`
	LastSequence         uint64 `json:"lastSequence,omitempty"`
}

// SubscriptionState is one subscription, in its topic's subscription
// order.
type SubscriptionState struct {
	ARN        string            `json:"arn"`
	TopicARN   string            `json:"topicArn"`
	Protocol   string            `json:"protocol"`
	Endpoint   string            `json:"endpoint"`
	Owner      string            `json:"owner"`
	Pending    bool              `json:"pendingConfirmation,omitempty"`
	Token      string            `json:"token,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Delivered  int64             `json:"delivered,omitempty"`
	Failed     int64             `json:"failed,omitempty"`
	LastError  string            `json:"lastError,omitempty"`
}

// StateVersion, SaveState and LoadState make SNS a cloud.StateSaver.
func (s *Service) StateVersion() int { return stateVersion }

func (s *Service) SaveState() (any, error) { return s.store.saveState(), nil }

func (s *Service) LoadState(version int, raw json.RawMessage) error {
	st, err := cloud.DecodeState[State](version, stateVersion, raw)
	if err != nil {
		return err
	}
	return s.store.loadState(st)
}

func copyAttrs(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (s *Store) saveState() State {
	s.mu.RLock()
	defer s.mu.RUnlock()
	topics := make([]*Topic, 0, len(s.topics))
	for _, t := range s.topics {
		topics = append(topics, t)
	}
	sort.Slice(topics, func(i, j int) bool { return topics[i].ARN < topics[j].ARN })
	out := State{Topics: []TopicState{}, Subscriptions: []SubscriptionState{}}
	for _, t := range topics {
		ts := TopicState{Region: t.Region, Name: t.Name, Fifo: t.FIFO, Attributes: copyAttrs(t.attrs), SubscriptionsDeleted: t.deleted}
		if len(t.tags) > 0 {
			ts.Tags = copyAttrs(t.tags)
		}
		t.mu.Lock()
		ts.LastSequence = t.seq
		t.mu.Unlock()
		out.Topics = append(out.Topics, ts)
		for _, sub := range t.subs {
			ss := SubscriptionState{
				ARN: sub.ARN, TopicARN: sub.TopicARN, Protocol: sub.Protocol, Endpoint: sub.Endpoint, Owner: sub.Owner,
				Pending: sub.Pending, Token: sub.Token, Delivered: sub.delivered.Load(), Failed: sub.failed.Load(),
			}
			if len(sub.attrs) > 0 {
				ss.Attributes = copyAttrs(sub.attrs)
			}
			if e := sub.lastError.Load(); e != nil {
				ss.LastError = *e
			}
			out.Subscriptions = append(out.Subscriptions, ss)
		}
	}
	return out
}

// loadState adds the saved topics and subscriptions to the (empty) store.
func (s *Store) loadState(in State) error {
	topics := map[string]*Topic{}
	for _, ts := range in.Topics {
		if ts.Region == "" || !topicNamePattern.MatchString(stripFifo(ts.Name, ts.Fifo)) {
			return fmt.Errorf("topic %q: not a valid name and region", ts.Name)
		}
		arn := s.TopicARN(ts.Region, ts.Name)
		if topics[arn] != nil {
			return fmt.Errorf("topic %s saved twice", arn)
		}
		t := &Topic{ARN: arn, Name: ts.Name, Region: ts.Region, FIFO: ts.Fifo, attrs: copyAttrs(ts.Attributes),
			tags: copyAttrs(ts.Tags), deleted: ts.SubscriptionsDeleted, seq: ts.LastSequence}
		if t.FIFO {
			t.dedup = map[string]dedupEntry{}
		}
		topics[arn] = t
	}
	subs := map[string]*Subscription{}
	for _, ss := range in.Subscriptions {
		t := topics[ss.TopicARN]
		if t == nil {
			return fmt.Errorf("subscription %s: its topic %s is not in the snapshot", ss.ARN, ss.TopicARN)
		}
		if ss.ARN == "" || subs[ss.ARN] != nil {
			return fmt.Errorf("subscription %q: no ARN, or saved twice", ss.ARN)
		}
		filter, err := checkSubscriptionAttributes(ss.Attributes, nil)
		if err != nil {
			return fmt.Errorf("subscription %s: %w", ss.ARN, err)
		}
		sub := &Subscription{
			ARN: ss.ARN, TopicARN: ss.TopicARN, Protocol: ss.Protocol, Endpoint: ss.Endpoint, Owner: ss.Owner,
			Pending: ss.Pending, Token: ss.Token, attrs: copyAttrs(ss.Attributes), filter: filter,
		}
		sub.delivered.Store(ss.Delivered)
		sub.failed.Store(ss.Failed)
		if ss.LastError != "" {
			e := ss.LastError
			sub.lastError.Store(&e)
		}
		t.subs = append(t.subs, sub)
		subs[sub.ARN] = sub
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for arn, t := range topics {
		if s.topics[arn] != nil {
			return fmt.Errorf("topic %s exists", arn)
		}
		s.topics[arn] = t
	}
	for arn, sub := range subs {
		s.subs[arn] = sub
	}
	return nil
}

func stripFifo(name string, fifo bool) string {
	if fifo {
		if len(name) > 5 && name[len(name)-5:] == ".fifo" {
			return name[:len(name)-5]
		}
		return ""
	}
	return name
}
