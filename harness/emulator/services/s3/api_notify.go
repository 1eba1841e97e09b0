package s3

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Event notifications: PutBucketNotificationConfiguration and
// GetBucketNotificationConfiguration (?notification), and delivery of
// object events to SQS, SNS and Lambda through cloud.Links, done before
// the request that caused them answers.

// ----- wire

type notificationConfigurationWire struct {
	XMLName     xml.Name                 `xml:"NotificationConfiguration"`
	Xmlns       string                   `xml:"xmlns,attr,omitempty"`
	Topics      []notificationTargetWire `xml:"TopicConfiguration"`
	Queues      []notificationTargetWire `xml:"QueueConfiguration"`
	Functions   []notificationTargetWire `xml:"CloudFunctionConfiguration"`
	EventBridge *struct{}                `xml:"EventBridgeConfiguration"`
}

// notificationTargetWire is a Topic-, Queue- or CloudFunctionConfiguration:
// they differ only in the name of the ARN's element.
type notificationTargetWire struct {
	ID            string      `xml:"Id,omitempty"`
	Topic         *string     `xml:"Topic,omitempty"`
	Queue         *string     `xml:"Queue,omitempty"`
	CloudFunction *string     `xml:"CloudFunction,omitempty"`
	Events        []string    `xml:"Event"`
	Filter        *filterWire `xml:"Filter,omitempty"`
}

type filterWire struct {
	Key *struct {
		Rules []filterRuleWire `xml:"FilterRule"`
	} `xml:"S3Key"`
}

type filterRuleWire struct {
	Name  *string `xml:"Name"`
	Value *string `xml:"Value"`
}

// notificationKind is one of the three destination kinds.
type notificationKind struct {
	service  string // in the ARN
	argument string // the ARN's member name, in errors
	missing  string // what S3 says when the destination does not exist
	arn      func(*notificationTargetWire) *string
}

var (
	topicKind = notificationKind{"sns", "TopicArn", "The destination topic does not exist",
		func(w *notificationTargetWire) *string { return w.Topic }}
	queueKind = notificationKind{"sqs", "QueueArn", "The destination queue does not exist",
		func(w *notificationTargetWire) *string { return w.Queue }}
	functionKind = notificationKind{"lambda", "LambdaFunctionArn", "The destination Lambda does not exist",
		func(w *notificationTargetWire) *string { return w.CloudFunction }}
)

// Limits of a configuration.
const (
	maxFilterValue = 1024 // bytes of a filter rule's value
	maxNotifyIDLen = 1024
	// maxNotifyTargets is groundstack's bound on the destinations of one
	// bucket: every pair is checked for overlap.
	maxNotifyTargets = 1000
)

// ParseNotification reads and validates a NotificationConfiguration
// document as S3 does, with S3's codes and messages, without looking at
// the destinations. A configuration without an Id gets newID's.
func ParseNotification(body []byte, newID func() string) (*NotificationConfig, error) {
	var in notificationConfigurationWire
	if err := awsproto.DecodeXML(body, &in); err != nil {
		return nil, err
	}
	cfg := &NotificationConfig{EventBridge: in.EventBridge != nil}
	for _, part := range []struct {
		kind notificationKind
		wire []notificationTargetWire
		dst  *[]NotificationTarget
	}{{topicKind, in.Topics, &cfg.Topics}, {queueKind, in.Queues, &cfg.Queues}, {functionKind, in.Functions, &cfg.Functions}} {
		for i := range part.wire {
			t, err := parseTarget(part.kind, &part.wire[i], newID)
			if err != nil {
				return nil, err
			}
			*part.dst = append(*part.dst, t)
		}
	}
	all := cfg.targets()
	if len(all) > maxNotifyTargets {
		return nil, errInvalidArgument.Errorf("A bucket may have at most %d notification configurations in groundstack.", maxNotifyTargets)
	}
	for i := range all {
		for j := i + 1; j < len(all); j++ {
			if all[i].t.overlaps(all[j].t) {
				return nil, errInvalidArgument.New("Configurations overlap. Configurations on the same bucket cannot share a common event type.")
			}
		}
	}
	return cfg, nil
}

func parseTarget(kind notificationKind, w *notificationTargetWire, newID func() string) (NotificationTarget, error) {
	arn := kind.arn(w)
	if arn == nil || len(w.Events) == 0 || len(w.ID) > maxNotifyIDLen {
		return NotificationTarget{}, malformedXML()
	}
	t := NotificationTarget{ID: w.ID, ARN: *arn, Events: w.Events}
	if t.ID == "" {
		// S3's generated IDs are a UUID in base64.
		t.ID = base64.StdEncoding.EncodeToString([]byte(newID()))
	}
	for _, e := range w.Events {
		bits, ok := notificationEvents[e]
		if !ok {
			return t, invalidArgument("The event is not supported for notifications", e, e)
		}
		t.kinds |= bits
	}
	if f := w.Filter; f != nil && f.Key != nil {
		var prefix, suffix bool
		for _, r := range f.Key.Rules {
			if r.Name == nil || r.Value == nil {
				return t, malformedXML()
			}
			name, value := *r.Name, *r.Value
			switch {
			case strings.EqualFold(name, "prefix"):
				if prefix {
					return t, errInvalidArgument.New("Cannot specify more than one prefix rule in a filter.")
				}
				prefix, t.Prefix, name = true, value, "Prefix"
			case strings.EqualFold(name, "suffix"):
				if suffix {
					return t, errInvalidArgument.New("Cannot specify more than one suffix rule in a filter.")
				}
				suffix, t.Suffix, name = true, value, "Suffix"
			default:
				return t, invalidArgument("filter rule name must be either prefix or suffix", name, value)
			}
			if len(value) > maxFilterValue || !utf8.ValidString(value) {
				return t, invalidArgument("Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation", name, value)
			}
			t.Rules = append(t.Rules, FilterRule{Name: name, Value: value})
		}
	}
	if !validARN(t.ARN, kind.service) {
		return t, invalidArgument("The ARN could not be parsed", kind.argument, t.ARN)
	}
	return t, nil
}

// validARN checks arn:<partition>:<service>:<region>:<account>:<resource>.
func validARN(arn, service string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && strings.HasPrefix(parts[1], "aws") &&
		parts[2] == service && parts[3] != "" && parts[4] != "" && parts[5] != ""
}

// kindTarget is a target with its kind.
type kindTarget struct {
	kind *notificationKind
	t    *NotificationTarget
}

// targets lists every destination, topics, queues then functions.
func (c *NotificationConfig) targets() []kindTarget {
	out := make([]kindTarget, 0, len(c.Topics)+len(c.Queues)+len(c.Functions))
	for i := range c.Topics {
		out = append(out, kindTarget{&topicKind, &c.Topics[i]})
	}
	for i := range c.Queues {
		out = append(out, kindTarget{&queueKind, &c.Queues[i]})
	}
	for i := range c.Functions {
		out = append(out, kindTarget{&functionKind, &c.Functions[i]})
	}
	return out
}

// notificationWire is the GetBucketNotificationConfiguration document.
func notificationWire(c *NotificationConfig) notificationConfigurationWire {
	out := notificationConfigurationWire{Xmlns: awsproto.S3XMLNS}
	if c == nil {
		return out
	}
	conv := func(ts []NotificationTarget, set func(*notificationTargetWire, *string)) []notificationTargetWire {
		ws := make([]notificationTargetWire, len(ts))
		for i, t := range ts {
			arn := t.ARN
			ws[i] = notificationTargetWire{ID: t.ID, Events: t.Events}
			set(&ws[i], &arn)
			if len(t.Rules) > 0 {
				ws[i].Filter = &filterWire{Key: &struct {
					Rules []filterRuleWire `xml:"FilterRule"`
				}{}}
				for _, r := range t.Rules {
					name, value := r.Name, r.Value
					ws[i].Filter.Key.Rules = append(ws[i].Filter.Key.Rules, filterRuleWire{Name: &name, Value: &value})
				}
			}
		}
		return ws
	}
	out.Topics = conv(c.Topics, func(w *notificationTargetWire, a *string) { w.Topic = a })
	out.Queues = conv(c.Queues, func(w *notificationTargetWire, a *string) { w.Queue = a })
	out.Functions = conv(c.Functions, func(w *notificationTargetWire, a *string) { w.CloudFunction = a })
	if c.EventBridge {
		out.EventBridge = &struct{}{}
	}
	return out
}

// ----- operations

type putBucketNotificationInput struct {
	Bucket                    string    `xml:"-" location:"uri" name:"Bucket"`
	SkipDestinationValidation string    `xml:"-" location:"header" name:"X-Amz-Skip-Destination-Validation"`
	NotificationConfiguration io.Reader `xml:"-" location:"body"`
}

// putBucketNotification validates the configuration, checks that its
// destinations exist and sends each queue and topic an s3:TestEvent (unless
// x-amz-skip-destination-validation is true), then stores it.
func (s *Service) putBucketNotification(c *awsproto.Call, in *putBucketNotificationInput) (struct{}, error) {
	if _, err := s.store.Bucket(in.Bucket); err != nil {
		return struct{}{}, err
	}
	body, err := readXMLBody(c, in.NotificationConfiguration)
	if err != nil {
		return struct{}{}, err
	}
	cfg, err := ParseNotification(body, s.env.NewID)
	if err != nil {
		return struct{}{}, err
	}
	if !strings.EqualFold(strings.TrimSpace(in.SkipDestinationValidation), "true") {
		if err := s.validateDestinations(c, in.Bucket, cfg); err != nil {
			return struct{}{}, err
		}
	}
	return struct{}{}, s.store.SetNotification(c.Request.Context(), in.Bucket, cfg)
}

func (s *Service) getBucketNotification(c *awsproto.Call, in *bucketInput) (notificationConfigurationWire, error) {
	cfg, _, err := s.store.Notification(in.Bucket)
	if err != nil {
		return notificationConfigurationWire{}, err
	}
	return notificationWire(cfg), nil
}

// destinations are the links events travel through (nil when not wired).
type destinations struct {
	queues    cloud.Queues
	topics    cloud.Topics
	functions cloud.FunctionInvoker
}

func (s *Service) destinations() destinations {
	var d destinations
	d.queues, _ = s.env.Links.Get(cloud.LinkSQS).(cloud.Queues)
	d.topics, _ = s.env.Links.Get(cloud.LinkSNS).(cloud.Topics)
	d.functions, _ = s.env.Links.Get(cloud.LinkLambda).(cloud.FunctionInvoker)
	return d
}

func (d destinations) exists(kind *notificationKind, arn string) bool {
	switch kind {
	case &queueKind:
		return d.queues != nil && d.queues.QueueExists(arn)
	case &topicKind:
		return d.topics != nil && d.topics.TopicExists(arn)
	default:
		l, ok := d.functions.(cloud.FunctionLookup)
		return ok && l.FunctionExists(arn)
	}
}

func destinationError(arn, why string) *awsproto.Error {
	return invalidArgument("Unable to validate the following destination configurations", arn, why)
}

// validateDestinations checks every destination exists, then sends each
// queue and topic the test event, as S3 does before it stores anything.
func (s *Service) validateDestinations(c *awsproto.Call, bucket string, cfg *NotificationConfig) error {
	d := s.destinations()
	targets := cfg.targets()
	for _, kt := range targets {
		if !d.exists(kt.kind, kt.t.ARN) {
			return destinationError(kt.t.ARN, kt.kind.missing)
		}
	}
	src := s.eventSource(c)
	doc := string(TestEventDocument(bucket, src))
	for _, kt := range targets {
		var err error
		switch kt.kind {
		case &queueKind:
			_, err = d.queues.SendMessage(kt.t.ARN, cloud.QueueMessage{Body: doc})
		case &topicKind:
			_, err = d.topics.Publish(kt.t.ARN, cloud.TopicMessage{Subject: snsSubject, Message: doc})
		}
		if err != nil {
			s.env.Log.Warn("s3: test event not delivered", "bucket", bucket, "destination", kt.t.ARN, "err", err)
			return destinationError(kt.t.ARN, "Permissions on the destination "+kt.kind.noun()+" do not allow S3 to publish notifications from this bucket")
		}
	}
	return nil
}

func (k *notificationKind) noun() string {
	switch k {
	case &queueKind:
		return "queue"
	case &topicKind:
		return "topic"
	}
	return "function"
}

// snsSubject is the subject of the messages S3 publishes to topics.
const snsSubject = "Amazon S3 Notification"

// ----- delivery

// notify sends the events of committed changes to the destinations of the
// bucket's configuration that want them: to queues and topics before it
// returns, to functions as queued asynchronous invocations. A delivery that
// fails (a queue deleted since) is logged; the change stands. Without any
// configuration in the store it costs one atomic load.
func (s *Service) notify(c *awsproto.Call, bucket string, changes ...ObjectChange) {
	if s.store.Replicating() { // replication hangs here too (api_replication.go)
		s.replicate(c.Request.Context(), bucket, changes)
	}
	if !s.store.Notifying() {
		return
	}
	cfg, info, err := s.store.Notification(bucket)
	if err != nil || cfg == nil {
		return
	}
	var (
		d    destinations
		src  EventSource
		have bool
	)
	for _, ch := range changes {
		first, key := true, EventKey(ch.Key)
		for _, kt := range cfg.targets() {
			if !kt.t.Wants(ch.Event, key) {
				continue
			}
			if !have {
				d, src, have = s.destinations(), s.eventSource(c), true
			}
			if first {
				src.Sequencer, first = s.seq.next(src.Time), false
			}
			s.deliver(d, kt, info, EventDocument(info, kt.t.ID, ch, src))
		}
	}
}

// deliver sends one event to one destination. A delivery fault rule
// (matching the bucket's name or ARN, or the destination's ARN) delays it
// on a timer of its own: the request and the other deliveries go on.
func (s *Service) deliver(d destinations, kt kindTarget, bucket BucketInfo, doc []byte) {
	if hit := cloud.FaultOn(s.env.Links, cloud.PlaneDelivery, "s3", bucket.Region, bucket.Name, "arn:aws:s3:::"+bucket.Name, kt.t.ARN); hit != nil && hit.Delay > 0 {
		time.AfterFunc(hit.Delay, func() { s.deliverNow(d, kt, bucket, doc) })
		return
	}
	s.deliverNow(d, kt, bucket, doc)
}

func (s *Service) deliverNow(d destinations, kt kindTarget, bucket BucketInfo, doc []byte) {
	var err error
	switch kt.kind {
	case &queueKind:
		if d.queues == nil {
			return
		}
		_, err = d.queues.SendMessage(kt.t.ARN, cloud.QueueMessage{Body: string(doc)})
	case &topicKind:
		if d.topics == nil {
			return
		}
		_, err = d.topics.Publish(kt.t.ARN, cloud.TopicMessage{Subject: snsSubject, Message: string(doc)})
	default:
		if d.functions == nil {
			return
		}
		// Queued before the request answers; a client hanging up must not
		// cancel it.
		_, err = d.functions.Invoke(context.Background(), cloud.InvokeRequest{Region: arnRegion(kt.t.ARN, bucket.Region), Function: kt.t.ARN, Payload: doc, Async: true})
	}
	if err != nil {
		s.env.Log.Warn("s3: event notification not delivered", "bucket", bucket.Name, "destination", kt.t.ARN, "err", err)
	}
}

// arnRegion is an ARN's region, def when it has none.
func arnRegion(arn, def string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) == 5 && parts[3] != "" {
		return parts[3]
	}
	return def
}

// eventSource describes the request behind an event.
func (s *Service) eventSource(c *awsproto.Call) EventSource {
	src := EventSource{Principal: "Anonymous", RequestID: c.RequestID, Time: s.env.Now()}
	if key := accessKeyOf(c); key != "" {
		src.Principal = "AWS:" + key
	}
	src.SourceIP = c.RemoteAddr
	if host, _, err := net.SplitHostPort(c.RemoteAddr); err == nil {
		src.SourceIP = host
	}
	sum := sha256.Sum256([]byte(c.RequestID))
	src.HostID = base64.StdEncoding.EncodeToString(sum[:])
	return src
}

// accessKeyOf is the access key a request was signed with (header or
// presigned query), "" when unsigned.
func accessKeyOf(c *awsproto.Call) string {
	cred := ""
	if auth := c.Header.Get("Authorization"); auth != "" {
		if _, rest, ok := strings.Cut(auth, "Credential="); ok {
			cred = rest
		} else if _, rest, ok := strings.Cut(auth, "AWS "); ok { // SigV2
			cred, _, _ = strings.Cut(rest, ":")
			return cred
		}
	} else {
		cred = c.URL.Query().Get("X-Amz-Credential")
	}
	key, _, _ := strings.Cut(cred, "/")
	return key
}
