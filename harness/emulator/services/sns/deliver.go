package sns

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// message is a published message as delivery needs it.
type message struct {
	id, seq, topicARN, subject, body string
	// structured holds the per-protocol bodies of MessageStructure=json.
	structured map[string]string
	attrs      map[string]msgAttr
	attrOrder  []string
	groupID    string
	dedupID    string
	timestamp  string
	sigVersion string
	host       string
}

type msgAttr struct {
	Type   string
	Value  string // the string value, or the base64 of a binary one
	binary []byte
}

// bodyFor is the message a protocol receives.
func (m *message) bodyFor(protocol string) string {
	if m.structured == nil {
		return m.body
	}
	if v, ok := m.structured[protocol]; ok {
		return v
	}
	return m.structured["default"]
}

func (m *message) filterAttributes() map[string]Attribute {
	out := make(map[string]Attribute, len(m.attrs))
	for k, a := range m.attrs {
		out[k] = Attribute{Type: a.Type, Value: a.Value}
	}
	return out
}

// queueMessage starts the SQS message m becomes in a queue: the group
// (a FIFO queue's order, a standard queue's fair-queue tenant) and, for a
// FIFO queue only, the deduplication ID.
func (m *message) queueMessage(queueARN string) cloud.QueueMessage {
	qm := cloud.QueueMessage{GroupID: m.groupID}
	if strings.HasSuffix(queueARN, ".fifo") {
		qm.DeduplicationID = m.dedupID
	}
	return qm
}

// passes reports whether a subscription's filter policy lets m through.
func (m *message) passes(sub *SubscriptionView) bool {
	if sub.Filter == nil {
		return true
	}
	if sub.Attrs["FilterPolicyScope"] == "MessageBody" {
		return sub.Filter.MatchBody(m.bodyFor(sub.Protocol))
	}
	return sub.Filter.MatchAttributes(m.filterAttributes())
}

func raw(sub *SubscriptionView) bool {
	return strings.EqualFold(sub.Attrs["RawMessageDelivery"], "true")
}

// ---- envelopes

type envelopeAttr struct {
	Type  string `json:"Type"`
	Value string `json:"Value"`
}

// envelope is the JSON SNS delivers to SQS and HTTP endpoints.
type envelope struct {
	Type              string                  `json:"Type"`
	MessageID         string                  `json:"MessageId"`
	SequenceNumber    string                  `json:"SequenceNumber,omitempty"`
	Token             string                  `json:"Token,omitempty"`
	TopicArn          string                  `json:"TopicArn"`
	Subject           string                  `json:"Subject,omitempty"`
	Message           string                  `json:"Message"`
	SubscribeURL      string                  `json:"SubscribeURL,omitempty"`
	Timestamp         string                  `json:"Timestamp"`
	SignatureVersion  string                  `json:"SignatureVersion"`
	Signature         string                  `json:"Signature"`
	SigningCertURL    string                  `json:"SigningCertURL"`
	UnsubscribeURL    string                  `json:"UnsubscribeURL,omitempty"`
	MessageAttributes map[string]envelopeAttr `json:"MessageAttributes,omitempty"`
}

// lambdaSNS is the Sns member of a Lambda SNS event record (the JSON of
// aws-lambda-go's events.SNSEntity).
type lambdaSNS struct {
	Type              string                  `json:"Type"`
	MessageID         string                  `json:"MessageId"`
	TopicArn          string                  `json:"TopicArn"`
	Subject           *string                 `json:"Subject"`
	Message           string                  `json:"Message"`
	Timestamp         string                  `json:"Timestamp"`
	SignatureVersion  string                  `json:"SignatureVersion"`
	Signature         string                  `json:"Signature"`
	SigningCertURL    string                  `json:"SigningCertUrl"`
	UnsubscribeURL    string                  `json:"UnsubscribeUrl"`
	MessageAttributes map[string]envelopeAttr `json:"MessageAttributes"`
}

type lambdaRecord struct {
	EventVersion         string    `json:"EventVersion"`
	EventSubscriptionArn string    `json:"EventSubscriptionArn"`
	EventSource          string    `json:"EventSource"`
	Sns                  lambdaSNS `json:"Sns"`
}

func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func (s *Service) certURL(host string) string {
	return "http://" + host + dataPlanePrefix + s.sign.certName()
}

func (s *Service) unsubscribeURL(host, subARN string) string {
	return "http://" + host + dataPlanePrefix + "unsubscribe?Action=Unsubscribe&SubscriptionArn=" + url.QueryEscape(subARN)
}

func (m *message) envelopeAttrs() map[string]envelopeAttr {
	if len(m.attrs) == 0 {
		return nil
	}
	out := make(map[string]envelopeAttr, len(m.attrs))
	for k, a := range m.attrs {
		out[k] = envelopeAttr{Type: a.Type, Value: a.Value}
	}
	return out
}

// notification builds the signed envelope of m for a subscription.
func (s *Service) notification(m *message, sub *SubscriptionView, sigs map[string]string) envelope {
	body := m.bodyFor(sub.Protocol)
	sig, ok := sigs[body]
	if !ok {
		sig = s.sign.Sign(m.sigVersion, notificationFields(body, m.id, m.subject, m.timestamp, m.topicARN))
		sigs[body] = sig
	}
	return envelope{Type: "Notification", MessageID: m.id, SequenceNumber: m.seq, TopicArn: m.topicARN, Subject: m.subject,
		Message: body, Timestamp: m.timestamp, SignatureVersion: m.sigVersion, Signature: sig,
		SigningCertURL: s.certURL(m.host), UnsubscribeURL: s.unsubscribeURL(m.host, sub.ARN),
		MessageAttributes: m.envelopeAttrs()}
}

// ---- delivery

// deliver hands m to every subscription whose filter lets it through:
// SQS and Lambda in-process before Publish answers (so nothing
// acknowledged is lost), HTTP through the bounded delivery queue. A
// delivery fault rule delays a subscription's delivery on a timer of its
// own: the others go on at once.
func (s *Service) deliver(p Published, m *message) {
	sigs := map[string]string{}
	for i := range p.Subs {
		sub := &p.Subs[i]
		if !m.passes(sub) {
			continue
		}
		if d := s.deliveryDelay(sub, m); d > 0 {
			sub := *sub
			time.AfterFunc(d, func() { s.deliverTo(&sub, m, map[string]string{}) })
			continue
		}
		s.deliverTo(sub, m, sigs)
	}
}

// deliveryDelay asks the delivery fault rules about m's delivery to sub:
// they match the topic's ARN or name and the subscription's ARN or
// endpoint.
func (s *Service) deliveryDelay(sub *SubscriptionView, m *message) time.Duration {
	region := ""
	if parts := strings.SplitN(m.topicARN, ":", 5); len(parts) == 5 {
		region = parts[3]
	}
	if hit := cloud.FaultOn(s.env.Links, cloud.PlaneDelivery, "sns", region, m.topicARN, sub.ARN, sub.Endpoint); hit != nil {
		return hit.Delay
	}
	return 0
}

// deliverTo delivers m to one subscription.
func (s *Service) deliverTo(sub *SubscriptionView, m *message, sigs map[string]string) {
	switch sub.Protocol {
	case "sqs":
		s.finish(sub, m, s.toSQS(sub, m, sigs))
	case "lambda":
		s.finish(sub, m, s.toLambda(sub, m, sigs))
	case "http", "https":
		env := s.notification(m, sub, sigs)
		s.out.enqueue(httpJob{sub: *sub, msg: m, env: env})
	default: // email, email-json, sms, application, firehose: recorded, not sent
		if sub.Protocol == "sms" && s.store.OptedOut(sub.Endpoint) {
			return // the recipient replied STOP
		}
		if sub.Protocol == "application" && isEndpointARN(sub.Endpoint) {
			s.toEndpoint(sub, m)
			return
		}
		s.recorded.add(Recorded{Protocol: sub.Protocol, Endpoint: sub.Endpoint, SubscriptionArn: sub.ARN, TopicArn: m.topicARN,
			MessageID: m.id, Subject: m.subject, Message: m.bodyFor(sub.Protocol), MessageAttributes: m.envelopeAttrs(), Timestamp: m.timestamp})
		s.store.RecordDelivery(sub.ARN, nil)
	}
}

// finish records a delivery's outcome; a failed message goes to the
// subscription's dead-letter queue when it has one.
func (s *Service) finish(sub *SubscriptionView, m *message, err error) {
	s.store.RecordDelivery(sub.ARN, err)
	if err == nil {
		return
	}
	if s.env.Log != nil {
		s.env.Log.Warn("sns delivery failed", "subscription", sub.ARN, "err", err)
	}
	dlq := redriveTarget(sub.Attrs["RedrivePolicy"])
	q, _ := s.env.Links.Get(cloud.LinkSQS).(cloud.Queues)
	if dlq == "" || q == nil {
		return
	}
	body := string(marshal(s.notification(m, sub, map[string]string{})))
	qm := m.queueMessage(dlq)
	qm.Body = body
	if _, err := q.SendMessage(dlq, qm); err != nil && s.env.Log != nil {
		s.env.Log.Warn("sns dead-letter queue refused a message", "queue", dlq, "err", err)
	}
}

func (s *Service) toSQS(sub *SubscriptionView, m *message, sigs map[string]string) error {
	q, _ := s.env.Links.Get(cloud.LinkSQS).(cloud.Queues)
	if q == nil {
		return errors.New("SQS is not available")
	}
	qm := m.queueMessage(sub.Endpoint)
	if raw(sub) {
		qm.Body = m.bodyFor("sqs")
		if len(m.attrs) > 0 {
			qm.Attributes = make(map[string]cloud.QueueAttributeValue, len(m.attrs))
			for k, a := range m.attrs {
				v := cloud.QueueAttributeValue{DataType: a.Type, StringValue: a.Value}
				if a.binary != nil {
					v = cloud.QueueAttributeValue{DataType: a.Type, BinaryValue: a.binary}
				}
				qm.Attributes[k] = v
			}
		}
	} else {
		qm.Body = string(marshal(s.notification(m, sub, sigs)))
	}
	_, err := q.SendMessage(sub.Endpoint, qm)
	return err
}

func (s *Service) toLambda(sub *SubscriptionView, m *message, sigs map[string]string) error {
	inv, _ := s.env.Links.Get(cloud.LinkLambda).(cloud.FunctionInvoker)
	if inv == nil {
		return errors.New("the Lambda service is not wired")
	}
	e := s.notification(m, sub, sigs)
	var subject *string
	if e.Subject != "" {
		subject = &e.Subject
	}
	attrs := e.MessageAttributes
	if attrs == nil {
		attrs = map[string]envelopeAttr{}
	}
	rec := lambdaRecord{EventVersion: "1.0", EventSubscriptionArn: sub.ARN, EventSource: "aws:sns", Sns: lambdaSNS{
		Type: e.Type, MessageID: e.MessageID, TopicArn: e.TopicArn, Subject: subject, Message: e.Message,
		Timestamp: e.Timestamp, SignatureVersion: e.SignatureVersion, Signature: e.Signature,
		SigningCertURL: e.SigningCertURL, UnsubscribeURL: e.UnsubscribeURL, MessageAttributes: attrs}}
	payload := marshal(struct {
		Records []lambdaRecord `json:"Records"`
	}{[]lambdaRecord{rec}})
	region := ""
	if parts := strings.Split(sub.Endpoint, ":"); len(parts) > 3 {
		region = parts[3]
	}
	_, err := inv.Invoke(context.Background(), cloud.InvokeRequest{Region: region, Function: sub.Endpoint, Payload: payload, Async: true})
	return err
}

// ---- HTTP

// httpJob is one POST to an http/https endpoint: a notification or a
// subscription confirmation.
type httpJob struct {
	sub SubscriptionView
	msg *message // nil for a confirmation
	env envelope
}

// deliverer posts to HTTP endpoints from a few workers reading a bounded
// queue: a publisher waits when it is full (backpressure, never a drop).
type deliverer struct {
	s       *Service
	jobs    chan httpJob
	start   sync.Once
	done    chan struct{}
	ctx     context.Context // cancelled by close: ends requests in flight
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	client  *http.Client
	retries int
	backoff time.Duration
}

const (
	httpWorkers    = 4
	httpQueueDepth = 1024
)

func newDeliverer(s *Service) *deliverer {
	d := &deliverer{s: s, jobs: make(chan httpJob, httpQueueDepth), done: make(chan struct{}), retries: 3, backoff: 100 * time.Millisecond}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: loopbackOnly}
	d.client = &http.Client{
		Timeout:   15 * time.Second,
		Transport: &http.Transport{Proxy: nil, DialContext: dialer.DialContext, MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return d
}

// loopbackOnly refuses connections to anything but a loopback address
// (checked on the address dialled, so a name resolving elsewhere is
// refused too): the emulator never posts to the network.
func loopbackOnly(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("endpoint %s is not on the loopback interface: the emulator delivers only to loopback endpoints", host)
	}
	return nil
}

func (d *deliverer) enqueue(j httpJob) {
	d.start.Do(func() {
		for range httpWorkers {
			d.wg.Add(1)
			go d.work()
		}
	})
	select {
	case d.jobs <- j:
	case <-d.done:
	}
}

func (d *deliverer) close() {
	close(d.done)
	d.cancel()
	d.wg.Wait()
}

func (d *deliverer) work() {
	defer d.wg.Done()
	for {
		select {
		case <-d.done:
			return
		case j := <-d.jobs:
			d.post(j)
		}
	}
}

// confirm sends a SubscriptionConfirmation to a new http/https subscription.
func (d *deliverer) confirm(sub SubscriptionView, host string) {
	s := d.s
	subscribeURL := "http://" + host + dataPlanePrefix + "confirm?Action=ConfirmSubscription&TopicArn=" +
		url.QueryEscape(sub.TopicARN) + "&Token=" + url.QueryEscape(sub.Token)
	msg := "You have chosen to subscribe to the topic " + sub.TopicARN +
		".\nTo confirm the subscription, visit the SubscribeURL included in this message."
	id := s.env.NewID()
	ts := s.env.Now().UTC().Format(timestampLayout)
	env := envelope{Type: "SubscriptionConfirmation", MessageID: id, Token: sub.Token, TopicArn: sub.TopicARN,
		Message: msg, SubscribeURL: subscribeURL, Timestamp: ts, SignatureVersion: "1",
		Signature:      s.sign.Sign("1", confirmationFields(msg, id, subscribeURL, ts, sub.Token, sub.TopicARN)),
		SigningCertURL: s.certURL(host)}
	d.enqueue(httpJob{sub: sub, env: env})
}

// post delivers one job, retrying failures with a short backoff (AWS's
// 20-second default policy compressed: three retries 100, 200, 400 ms
// apart), then records the outcome.
func (d *deliverer) post(j httpJob) {
	var body []byte
	rawBody := j.msg != nil && raw(&j.sub)
	if rawBody {
		body = []byte(j.env.Message)
	} else {
		body = marshal(j.env)
	}
	var err error
	wait := d.backoff
	for attempt := 0; attempt <= d.retries; attempt++ {
		if attempt > 0 {
			select {
			case <-d.done:
				return
			case <-time.After(wait):
			}
			wait *= 2
		}
		if err = d.once(j, body, rawBody); err == nil {
			break
		}
	}
	if j.msg == nil { // a confirmation: nothing to record or redrive
		if err != nil && d.s.env.Log != nil {
			d.s.env.Log.Warn("sns subscription confirmation not delivered", "subscription", j.sub.ARN, "endpoint", j.sub.Endpoint, "err", err)
		}
		return
	}
	d.s.finish(&j.sub, j.msg, err)
}

func (d *deliverer) once(j httpJob, body []byte, rawBody bool) error {
	req, err := http.NewRequestWithContext(d.ctx, http.MethodPost, j.sub.Endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	h := req.Header
	h.Set("Content-Type", "text/plain; charset=UTF-8")
	h.Set("User-Agent", "Amazon Simple Notification Service Agent")
	h.Set("x-amz-sns-message-type", j.env.Type)
	h.Set("x-amz-sns-message-id", j.env.MessageID)
	h.Set("x-amz-sns-topic-arn", j.env.TopicArn)
	if j.msg != nil {
		h.Set("x-amz-sns-subscription-arn", j.sub.ARN)
	}
	if rawBody {
		h.Set("x-amz-sns-rawdelivery", "true")
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("endpoint answered %s", resp.Status)
	}
	return nil
}

const timestampLayout = "2006-01-02T15:04:05.000Z"

// toEndpoint records a push notification to a platform endpoint subscribed
// to a topic; a deleted or disabled endpoint is a failed delivery.
func (s *Service) toEndpoint(sub *SubscriptionView, m *message) {
	token, err := s.store.EndpointTarget(sub.Endpoint)
	if err != nil {
		s.finish(sub, m, err)
		return
	}
	body := m.bodyFor(sub.Protocol)
	if v, ok := m.structured[platformOf(sub.Endpoint)]; ok {
		body = v
	}
	s.recorded.add(Recorded{Protocol: sub.Protocol, Endpoint: token, TargetArn: sub.Endpoint, SubscriptionArn: sub.ARN, TopicArn: m.topicARN,
		MessageID: m.id, Subject: m.subject, Message: body, MessageAttributes: m.envelopeAttrs(), Timestamp: m.timestamp})
	s.store.RecordDelivery(sub.ARN, nil)
}
