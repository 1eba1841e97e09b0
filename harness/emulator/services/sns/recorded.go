package sns

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
)

// Messages to email, email-json, sms, application and firehose endpoints
// are recorded, not sent; the newest maxRecorded are kept and served at
// GET /_groundstack/sns/messages (signed like any API call in strict mode).
const maxRecorded = 1000

// devPrefix is where the developer endpoints live.
const devPrefix = "/_groundstack/sns/"

// Recorded is one message SNS would have sent to an endpoint it does not
// reach (an email address, a phone number…).
type Recorded struct {
	Protocol          string                  `json:"Protocol"`
	Endpoint          string                  `json:"Endpoint"`
	SubscriptionArn   string                  `json:"SubscriptionArn,omitempty"`
	TopicArn          string                  `json:"TopicArn,omitempty"`
	TargetArn         string                  `json:"TargetArn,omitempty"` // a platform endpoint published to directly
	MessageID         string                  `json:"MessageId"`
	Subject           string                  `json:"Subject,omitempty"`
	Message           string                  `json:"Message"`
	MessageAttributes map[string]envelopeAttr `json:"MessageAttributes,omitempty"`
	Timestamp         string                  `json:"Timestamp"`
}

// recorder is a bounded log of recorded messages.
type recorder struct {
	mu   sync.Mutex
	ring []Recorded
	next int
}

func (r *recorder) add(m Recorded) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ring == nil {
		r.ring = make([]Recorded, 0, 64)
	}
	if len(r.ring) < maxRecorded {
		r.ring = append(r.ring, m)
		return
	}
	r.ring[r.next] = m
	r.next = (r.next + 1) % maxRecorded
}

// list returns recorded messages, oldest first, of one protocol when
// protocol is not empty.
func (r *recorder) list(protocol string) []Recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := []Recorded{}
	n := len(r.ring)
	for i := range n {
		m := r.ring[(r.next+i)%n]
		if protocol == "" || m.Protocol == protocol {
			out = append(out, m)
		}
	}
	return out
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.ring, r.next = nil, 0
	r.mu.Unlock()
}

// Recorded returns the messages recorded for protocol ("" for all).
func (s *Service) Recorded(protocol string) []Recorded { return s.recorded.list(protocol) }

// serveDev serves the developer endpoints:
//
//	GET    /_groundstack/sns/messages[?protocol=sms]  recorded messages
//	DELETE /_groundstack/sns/messages                 forgets them
//	POST   /_groundstack/sns/opted-out?PhoneNumber=+15550100
//	       opts a phone number out, as a recipient replying STOP does
//	GET    /_groundstack/sns/subscription-tokens?SubscriptionArn=…
//	       the confirmation token of a pending subscription (to confirm an
//	       email subscription with ConfirmSubscription)
func (s *Service) serveDev(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, devPrefix)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case rest == "messages" && r.Method == http.MethodGet:
		json.NewEncoder(w).Encode(map[string]any{"messages": s.recorded.list(r.URL.Query().Get("protocol"))})
	case rest == "messages" && r.Method == http.MethodDelete:
		s.recorded.reset()
		w.WriteHeader(http.StatusNoContent)
	case rest == "opted-out" && r.Method == http.MethodPost:
		phone := r.URL.Query().Get("PhoneNumber")
		if !phonePattern.MatchString(phone) {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "PhoneNumber must be an E.164 number"})
			return
		}
		s.store.OptOut(phone)
		w.WriteHeader(http.StatusNoContent)
	case rest == "subscription-tokens" && r.Method == http.MethodGet:
		arn := r.URL.Query().Get("SubscriptionArn")
		sub, ok := s.store.Subscription(arn)
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			json.NewEncoder(w).Encode(map[string]string{"error": msgSubscriptionNotFound})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"SubscriptionArn": sub.ARN, "Token": sub.Token, "PendingConfirmation": sub.Pending})
	default:
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]string{"error": "not found"})
	}
}
