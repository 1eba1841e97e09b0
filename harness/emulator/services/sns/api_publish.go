package sns

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// publishEntry is one message of Publish or PublishBatch, read from the
// form (message attributes are a map of structures, which the generic
// decoder does not take).
type publishEntry struct {
	id, message, subject, structure, groupID, dedupID string
	hasMessage, hasSubject                            bool
	attrs                                             map[string]msgAttr
	attrOrder                                         []string
	size                                              int
}

var attrNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,256}$`)

func readEntry(f awsproto.Form) (publishEntry, error) {
	e := publishEntry{
		id: f.Get("Id"), message: f.Get("Message"), subject: f.Get("Subject"), structure: f.Get("MessageStructure"),
		groupID: f.Get("MessageGroupId"), dedupID: f.Get("MessageDeduplicationId"),
		hasMessage: f.Has("Message"), hasSubject: f.Has("Subject"),
	}
	e.size = len(e.message)
	for _, a := range f.Structs("MessageAttributes") {
		name := a.Get("Name")
		typ := a.Get("Value.DataType")
		if !attrNamePattern.MatchString(name) || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") ||
			strings.HasPrefix(strings.ToLower(name), "aws.") || strings.HasPrefix(strings.ToLower(name), "amazon.") {
			return e, errInvalidParamValue.New("Invalid attribute name: " + name)
		}
		if typ == "" {
			return e, errInvalidParamValue.New("The message attribute '" + name + "' must contain non-empty message attribute type.")
		}
		base, _, _ := strings.Cut(typ, ".")
		if base != "String" && base != "Number" && base != "Binary" {
			return e, errInvalidParamValue.New("The message attribute '" + name + "' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.")
		}
		v := msgAttr{Type: typ}
		if base == "Binary" {
			enc := a.Get("Value.BinaryValue")
			b, err := base64.StdEncoding.DecodeString(enc)
			if err != nil {
				return e, errInvalidParamValue.New("The message attribute '" + name + "' has an invalid binary value.")
			}
			if len(b) == 0 {
				return e, errInvalidParamValue.New("The message attribute '" + name + "' must contain non-empty message attribute value for message attribute type 'Binary'.")
			}
			v.Value, v.binary = enc, b
		} else {
			v.Value = a.Get("Value.StringValue")
			if v.Value == "" {
				return e, errInvalidParamValue.New("The message attribute '" + name + "' must contain non-empty message attribute value for message attribute type '" + base + "'.")
			}
			if base == "Number" {
				if _, err := strconv.ParseFloat(strings.TrimSpace(v.Value), 64); err != nil {
					return e, errInvalidParamValue.New("Could not cast message attribute '" + name + "' value to number.")
				}
			}
			if typ == "String.Array" {
				var arr []any
				if json.Unmarshal([]byte(v.Value), &arr) != nil {
					return e, errInvalidParamValue.New("The message attribute '" + name + "' with type 'String.Array' has an invalid value.")
				}
			}
		}
		if e.attrs == nil {
			e.attrs = map[string]msgAttr{}
		}
		if _, dup := e.attrs[name]; !dup {
			e.attrOrder = append(e.attrOrder, name)
		}
		e.attrs[name] = v
		e.size += len(name) + len(typ) + len(v.Value)
	}
	sort.Strings(e.attrOrder)
	return e, nil
}

// check validates an entry against everything but the topic.
func (e *publishEntry) check() (map[string]string, error) {
	if !e.hasMessage {
		return nil, errValidation.New("1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null")
	}
	if e.message == "" {
		return nil, errInvalidParameter.New(msgEmptyMessage)
	}
	if e.size > maxMessageBytes {
		return nil, errInvalidParameter.New(msgMessageTooLong)
	}
	if !utf8.ValidString(e.message) {
		return nil, errInvalidParameter.New("Invalid parameter: Message Reason: Message contains invalid characters")
	}
	if e.hasSubject {
		if e.subject == "" {
			return nil, errInvalidParameter.New("Invalid parameter: Subject")
		}
		if utf8.RuneCountInString(e.subject) > 100 {
			return nil, errInvalidParameter.New(msgSubjectTooLong)
		}
		for _, r := range e.subject {
			if r < 0x20 || r == 0x7f {
				return nil, errInvalidParameter.New("Invalid parameter: Subject")
			}
		}
	}
	if len(e.groupID) > 128 || !printableASCII(e.groupID) {
		return nil, errInvalidParameter.New("Invalid parameter: MessageGroupId Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
	}
	if len(e.dedupID) > 128 || !printableASCII(e.dedupID) {
		return nil, errInvalidParameter.New("Invalid parameter: MessageDeduplicationId Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
	}
	if e.structure == "" {
		return nil, nil
	}
	if e.structure != "json" {
		return nil, errInvalidParameter.New(msgStructureValue)
	}
	var obj map[string]any
	if json.Unmarshal([]byte(e.message), &obj) != nil {
		return nil, errInvalidParameter.New(msgMessageStructureJSON)
	}
	if _, ok := obj["default"].(string); !ok {
		return nil, errInvalidParameter.New(msgMessageStructure)
	}
	out := make(map[string]string, len(obj))
	for k, v := range obj {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out, nil
}

// printableASCII: letters, digits and punctuation only (0x21 to 0x7e).
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// accept publishes one checked entry to a topic and delivers it.
func (s *Service) accept(c *awsproto.Call, topicARN string, e *publishEntry, structured map[string]string) (Published, error) {
	p, err := s.store.Publish(topicARN, e.groupID, e.dedupID, e.message)
	if err != nil || p.Duplicate {
		return p, err
	}
	sigVersion := p.Topic.SignatureVersion
	if sigVersion == "" {
		sigVersion = "1"
	}
	m := &message{id: p.MessageID, seq: p.SequenceNumber, topicARN: topicARN, subject: e.subject, body: e.message,
		structured: structured, attrs: e.attrs, attrOrder: e.attrOrder, groupID: e.groupID, dedupID: p.DedupID,
		timestamp: s.env.Now().UTC().Format(timestampLayout), sigVersion: sigVersion, host: s.host(c)}
	s.deliver(p, m)
	return p, nil
}

type publishOutput struct {
	MessageId      string
	SequenceNumber string `xml:",omitempty"`
}

func (s *Service) publish(c *awsproto.Call, f *awsproto.Form) (publishOutput, error) {
	e, err := readEntry(*f)
	if err != nil {
		return publishOutput{}, err
	}
	topic := f.Get("TopicArn")
	if topic == "" {
		topic = f.Get("TargetArn")
	}
	phone := f.Get("PhoneNumber")
	if topic == "" && phone == "" {
		return publishOutput{}, errInvalidParameter.New("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter")
	}
	structured, err := e.check()
	if err != nil {
		return publishOutput{}, err
	}
	if topic == "" { // an SMS to a phone number: recorded, not sent
		if !phonePattern.MatchString(phone) {
			return publishOutput{}, errInvalidParameter.New("Invalid parameter: PhoneNumber Reason: " + phone + " is not valid to publish to")
		}
		id := s.env.NewID()
		if s.store.OptedOut(phone) { // accepted, not delivered, as AWS does
			return publishOutput{MessageId: id}, nil
		}
		s.recorded.add(Recorded{Protocol: "sms", Endpoint: phone, MessageID: id, Subject: e.subject, Message: e.message,
			Timestamp: s.env.Now().UTC().Format(timestampLayout)})
		return publishOutput{MessageId: id}, nil
	}
	if err := s.checkARN(c, topic, "TopicArn"); err != nil {
		return publishOutput{}, err
	}
	if isEndpointARN(topic) { // a push notification: recorded, not sent
		token, err := s.store.EndpointTarget(topic)
		if err != nil {
			return publishOutput{}, err
		}
		id := s.env.NewID()
		body := e.message
		if structured != nil {
			body = structured["default"]
			if v, ok := structured[platformOf(topic)]; ok {
				body = v
			}
		}
		s.recorded.add(Recorded{Protocol: "application", Endpoint: token, TargetArn: topic, MessageID: id, Subject: e.subject,
			Message: body, MessageAttributes: (&message{attrs: e.attrs}).envelopeAttrs(), Timestamp: s.env.Now().UTC().Format(timestampLayout)})
		return publishOutput{MessageId: id}, nil
	}
	p, err := s.accept(c, topic, &e, structured)
	if err != nil {
		return publishOutput{}, err
	}
	return publishOutput{MessageId: p.MessageID, SequenceNumber: p.SequenceNumber}, nil
}

type batchSuccess struct {
	Id             string
	MessageId      string
	SequenceNumber string `xml:",omitempty"`
}

type batchFailure struct {
	Id          string
	Code        string
	Message     string
	SenderFault bool
}

type publishBatchOutput struct {
	Successful []batchSuccess `xml:"Successful>member"`
	Failed     []batchFailure `xml:"Failed>member"`
}

// MarshalXML writes both lists, empty ones as empty elements, as AWS does.
func (o publishBatchOutput) MarshalXML(enc *xml.Encoder, start xml.StartElement) error {
	type plain struct {
		Successful struct {
			Member []batchSuccess `xml:"member"`
		}
		Failed struct {
			Member []batchFailure `xml:"member"`
		}
	}
	var p plain
	p.Successful.Member, p.Failed.Member = o.Successful, o.Failed
	return enc.EncodeElement(p, start)
}

var batchIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

func (s *Service) publishBatch(c *awsproto.Call, f *awsproto.Form) (publishBatchOutput, error) {
	topic := f.Get("TopicArn")
	if topic == "" {
		return publishBatchOutput{}, errValidation.New("1 validation error detected: Value null at 'topicArn' failed to satisfy constraint: Member must not be null")
	}
	if err := s.checkARN(c, topic, "TopicArn"); err != nil {
		return publishBatchOutput{}, err
	}
	forms := f.Structs("PublishBatchRequestEntries")
	if len(forms) == 0 {
		return publishBatchOutput{}, errEmptyBatch.New(msgEmptyBatch)
	}
	if len(forms) > 10 {
		return publishBatchOutput{}, errTooManyEntries.New(msgTooManyEntries)
	}
	if !s.store.TopicExists(topic) {
		return publishBatchOutput{}, errNotFound.New(msgTopicNotFound)
	}
	entries := make([]publishEntry, len(forms))
	errs := make([]error, len(forms))
	seen := map[string]bool{}
	total := 0
	for i, form := range forms {
		entries[i], errs[i] = readEntry(form)
		id := form.Get("Id")
		if !batchIDPattern.MatchString(id) {
			return publishBatchOutput{}, errInvalidBatchID.New(msgInvalidBatchID)
		}
		if seen[id] {
			return publishBatchOutput{}, errBatchIDsNotUnique.New(msgBatchIDsNotUnique)
		}
		seen[id] = true
		total += entries[i].size
	}
	if total > maxMessageBytes {
		return publishBatchOutput{}, errBatchTooLong.New(msgBatchTooLong)
	}
	out := publishBatchOutput{Successful: []batchSuccess{}, Failed: []batchFailure{}}
	for i := range entries {
		e := &entries[i]
		err := errs[i]
		var structured map[string]string
		if err == nil {
			structured, err = e.check()
		}
		var p Published
		if err == nil {
			p, err = s.accept(c, topic, e, structured)
		}
		if err != nil {
			ae, ok := awsproto.AsError(err)
			if !ok || ae.Status == http.StatusNotFound && ae.Code == errNotFound.Name {
				if ok {
					return publishBatchOutput{}, ae // the topic went away mid-batch
				}
				return publishBatchOutput{}, err
			}
			out.Failed = append(out.Failed, batchFailure{Id: e.id, Code: ae.Code, Message: ae.Message, SenderFault: ae.Status < 500})
			continue
		}
		out.Successful = append(out.Successful, batchSuccess{Id: e.id, MessageId: p.MessageID, SequenceNumber: p.SequenceNumber})
	}
	return out, nil
}

// ---- data plane: the certificate, SubscribeURL and UnsubscribeURL

func (s *Service) serveDataPlane(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, dataPlanePrefix)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	switch rest {
	case s.sign.certName():
		w.Header().Set("Content-Type", "application/x-x509-ca-cert")
		w.Write(s.sign.cert())
	case "confirm":
		arn, err := s.store.Confirm(q.Get("TopicArn"), q.Get("Token"))
		if err != nil {
			s.writeDataPlaneError(w, r, err)
			return
		}
		writeDataPlaneXML(w, "ConfirmSubscription", s.env.NewID(), "<SubscriptionArn>"+xmlEscape(arn)+"</SubscriptionArn>")
	case "unsubscribe":
		if err := s.store.Unsubscribe(q.Get("SubscriptionArn")); err != nil {
			s.writeDataPlaneError(w, r, err)
			return
		}
		writeDataPlaneXML(w, "Unsubscribe", s.env.NewID(), "")
	default:
		http.NotFound(w, r)
	}
}

func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func writeDataPlaneXML(w http.ResponseWriter, action, requestID, result string) {
	w.Header().Set("Content-Type", "text/xml")
	w.Write([]byte(xml.Header + `<` + action + `Response xmlns="` + xmlns + `"><` + action + `Result>` + result +
		`</` + action + `Result><ResponseMetadata><RequestId>` + requestID + `</RequestId></ResponseMetadata></` + action + `Response>`))
}

func (s *Service) writeDataPlaneError(w http.ResponseWriter, r *http.Request, err error) {
	ae, ok := awsproto.AsError(err)
	if !ok {
		ae = awsproto.ErrInternalFailure.New("We encountered an internal error. Please try again.")
	}
	s.api.WriteError(w, &awsproto.Call{Request: r, RequestID: s.env.NewID()}, ae)
}
