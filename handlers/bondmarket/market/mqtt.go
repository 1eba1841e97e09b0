package market

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Outcomes of an MQTT message, each counted (Count, Counters).
const (
	OutcomeApplied   = "applied"   // a request created or a validation applied
	OutcomeMalformed = "malformed" // not a JSON object, or a field missing or wrong
	OutcomeReplayed  = "replayed"  // the same message again
	OutcomeDuplicate = "duplicate" // a request whose request_id exists
	OutcomeRefused   = "refused"   // fixture not found, not enough bonds, conflicting validation
	OutcomeOwn       = "own"       // our own request coming back from the broker
	OutcomeUnknown   = "unknown"   // a validation of a request we never saw
	OutcomeNoop      = "noop"      // a validation that changed nothing (already so)
)

// Outcomes lists them all.
var Outcomes = []string{OutcomeApplied, OutcomeMalformed, OutcomeReplayed, OutcomeDuplicate, OutcomeRefused, OutcomeOwn, OutcomeUnknown, OutcomeNoop}

// Consumed is a consumer's answer (in its log and its invocation result).
type Consumed struct {
	Outcome   string `json:"outcome"`
	RequestID string `json:"request_id,omitempty"`
	Detail    string `json:"detail,omitempty"`
	MessageID string `json:"message_id,omitempty"`
}

// MessageID is an MQTT message's identity for replay detection: the
// SHA-256 of its topic and payload.
func MessageID(topic string, payload []byte) string {
	h := sha256.New()
	h.Write([]byte(topic))
	h.Write([]byte{'\n'})
	h.Write(payload)
	return hex.EncodeToString(h.Sum(nil))
}

// payloadOf is the message as the topic rule handed it over: the JSON
// object itself (SELECT *), or a JSON string holding it.
func payloadOf(event json.RawMessage) []byte {
	ev := bytes.TrimSpace(event)
	if len(ev) > 0 && ev[0] == '"' {
		var s string
		if json.Unmarshal(ev, &s) == nil {
			return []byte(s)
		}
	}
	return ev
}

// ConsumeRequest handles a message on fixtures/requests (an IoT topic
// rule's Lambda action): another group's request is reserved like one
// made through the API. Malformed, replayed, duplicate and refused
// messages are counted and answered, never an error; only a failure of
// the cloud beneath is (the invocation is then retried).
func (m *Market) ConsumeRequest(ctx context.Context, event json.RawMessage) (Consumed, error) {
	payload := payloadOf(event)
	id := MessageID(TopicRequests, payload)
	c, err := m.consumeRequest(ctx, payload, id)
	return m.settle(ctx, TopicRequests, c, err)
}

func (m *Market) consumeRequest(ctx context.Context, payload []byte, id string) (Consumed, error) {
	r, err := ParseRequest(payload)
	if err != nil {
		return Consumed{Outcome: OutcomeMalformed, Detail: err.Error(), MessageID: id}, nil
	}
	c := Consumed{RequestID: r.RequestID, MessageID: id}
	if r.Internal() {
		c.Outcome, c.Detail = OutcomeOwn, "our own request"
		return c, nil
	}
	err = m.Reserve(ctx, &r, id)
	switch {
	case err == nil:
		c.Outcome = OutcomeApplied
	case errors.Is(err, ErrReplayed):
		c.Outcome = OutcomeReplayed
	case errors.Is(err, ErrDuplicate):
		c.Outcome, c.Detail = OutcomeDuplicate, err.Error()
	case errors.Is(err, ErrFixtureNotFound), errors.Is(err, ErrNotEnoughBonds):
		c.Outcome, c.Detail = OutcomeRefused, err.Error()
	default:
		return c, err
	}
	return c, nil
}

// ConsumeValidation handles a message on fixtures/validation: the
// validation of a request we hold (ours or another group's), applied
// idempotently.
func (m *Market) ConsumeValidation(ctx context.Context, event json.RawMessage) (Consumed, error) {
	payload := payloadOf(event)
	id := MessageID(TopicValidation, payload)
	c, err := m.consumeValidation(ctx, payload, id)
	return m.settle(ctx, TopicValidation, c, err)
}

func (m *Market) consumeValidation(ctx context.Context, payload []byte, id string) (Consumed, error) {
	v, err := ParseValidation(payload)
	if err != nil {
		return Consumed{Outcome: OutcomeMalformed, Detail: err.Error(), MessageID: id}, nil
	}
	c := Consumed{RequestID: v.RequestID, MessageID: id}
	r, changed, err := m.Validate(ctx, v, id)
	switch {
	case err == nil && changed:
		c.Outcome, c.Detail = OutcomeApplied, r.Status
		if r.Status == StatusAccepted {
			m.enqueueRecommendations(ctx, r)
		}
	case err == nil:
		c.Outcome, c.Detail = OutcomeNoop, "already "+r.Status
	case errors.Is(err, ErrReplayed):
		c.Outcome = OutcomeReplayed
	case errors.Is(err, ErrNotFound):
		c.Outcome = OutcomeUnknown
	case errors.Is(err, ErrAlreadyFinal):
		c.Outcome, c.Detail = OutcomeRefused, err.Error()
	default:
		return c, err
	}
	return c, nil
}

// settle counts and logs a consumed message.
func (m *Market) settle(ctx context.Context, topic string, c Consumed, err error) (Consumed, error) {
	if err != nil {
		m.logf("ERROR %s message %s: %v", topic, c.MessageID, err)
		return c, err
	}
	m.Count(ctx, c.Outcome)
	line, _ := json.Marshal(c)
	m.logf("%s %s", topic, line)
	return c, nil
}

// IoTData publishes through the iot-data Publish API (POST
// /topics/{topic}), SigV4-signed with the signing name "iotdata", as a
// Lambda function does on AWS.
type IoTData struct {
	// Endpoint is the data endpoint's URL (on AWS: https:// and the
	// DescribeEndpoint iot:Data-ATS address).
	Endpoint    string
	Region      string
	Credentials aws.CredentialsProvider
	HTTP        *http.Client
	QoS         int
}

// Publish sends one message.
func (p IoTData) Publish(ctx context.Context, topic string, payload []byte) error {
	u := strings.TrimRight(p.Endpoint, "/") + "/topics/" + url.PathEscape(topic) + fmt.Sprintf("?qos=%d", p.QoS)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	creds, err := p.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("iot-data publish: credentials: %w", err)
	}
	sum := sha256.Sum256(payload)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "iotdata", p.Region, time.Now()); err != nil {
		return err
	}
	c := p.HTTP
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("iot-data publish to %s: %w", topic, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return fmt.Errorf("iot-data publish to %s: %s %s", topic, resp.Status, bytes.TrimSpace(b))
	}
	return nil
}
