package iotdata

import (
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/mqtt"
)

// maxPayload is AWS IoT's message size limit.
const maxPayload = 128 * 1024

var (
	errInvalidRequest = awsproto.Code{Name: "InvalidRequestException", Status: http.StatusBadRequest}
	errNotFound       = awsproto.Code{Name: "ResourceNotFoundException", Status: http.StatusNotFound}
	errTooLarge       = awsproto.Code{Name: "RequestEntityTooLargeException", Status: http.StatusRequestEntityTooLarge}
	errUnavailable    = awsproto.Code{Name: "ServiceUnavailableException", Status: http.StatusServiceUnavailable}
)

// Service is the iot-data API.
type Service struct {
	env *cloud.Env
	api awsproto.API
}

// New returns the service.
func New(env *cloud.Env) *Service {
	s := &Service{env: env}
	s.api = awsproto.API{
		Model:    "iot-data",
		Base:     awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Protocol: awsproto.RestJSON,
		MaxBody:  maxPayload + 1,
		Invalid:  errInvalidRequest,
	}
	s.api.Register(
		awsproto.Handle("Publish", s.publish).At("POST /topics/{topic...}"),
		awsproto.Handle("GetRetainedMessage", s.getRetainedMessage).At("GET /retainedMessage/{topic...}"),
		awsproto.Handle("ListRetainedMessages", s.listRetainedMessages).At("GET /retainedMessage"),
	)
	return s
}

func (s *Service) Name() string                { return "iot-data" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.RestJSON }

// Reset forgets the broker's retained messages (connected clients and
// their sessions stay: a reset empties stores, it drops no connection).
func (s *Service) Reset() {
	if b, ok := s.broker(); ok {
		b.ClearRetained()
	}
}

// APIs is the service's API, for the coverage report and the model checks.
func (s *Service) APIs() []*awsproto.API { return []*awsproto.API{&s.api} }

// ServeHTTP serves the iot-data API, and MQTT over WebSockets to clients
// whose /mqtt URL is presigned for iotdevicegateway (strict mode has
// verified the signature at the edge; otherwise any well-formed one is
// accepted).
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if sc, ok := awsproto.ScopeOf(r); ok && sc.Service == awsproto.IoTDeviceGatewayScope {
		s.serveSignedMQTT(w, r)
		return
	}
	s.api.ServeHTTP(w, r)
}

func (s *Service) serveSignedMQTT(w http.ResponseWriter, r *http.Request) {
	b, ok := s.broker()
	if !ok {
		http.Error(w, "the MQTT broker is not running", http.StatusServiceUnavailable)
		return
	}
	if sig, _, err := awsproto.SignatureOf(r); err != nil || !sig.Presigned || !mqtt.IsWebSocketUpgrade(r) {
		// AWS IoT refuses the handshake with a bare 403.
		http.Error(w, "Forbidden", http.StatusForbidden)
		return
	}
	b.SignedWebSocket().ServeHTTP(w, r)
}

// Routes: signed requests by their scope (iotdevicegateway: presigned
// MQTT WebSocket URLs); unsigned WebSocket upgrades to /mqtt are public at
// the edge, as the broker authenticates their clients itself. Any other
// request to /mqtt is no broker's (S3 path-style, bucket "mqtt").
func (s *Service) Routes() []cloud.Route {
	rs := []cloud.Route{{Kind: cloud.ByScope, Key: "iotdata"}}
	if b, ok := s.broker(); ok {
		rs = append(rs,
			cloud.Route{Kind: cloud.ByScope, Key: awsproto.IoTDeviceGatewayScope},
			cloud.Route{Kind: cloud.ByPath, Key: "/mqtt", Public: true, DataPlane: b.WebSocket(), When: mqtt.IsWebSocketUpgrade})
	}
	return rs
}

func (s *Service) broker() (cloud.MessageBroker, bool) {
	b, ok := s.env.Links.Get(cloud.LinkMQTT).(cloud.MessageBroker)
	return b, ok
}

type publishInput struct {
	Topic  *string `json:"-" location:"uri" name:"topic" required:"true"`
	QoS    *int    `json:"-" location:"querystring" name:"qos" min:"0" max:"1"`
	Retain *bool   `json:"-" location:"querystring" name:"retain"`
	// MessageExpiry (MQTT 5's message expiry interval, seconds) is read as
	// a number and otherwise not acted on: the broker keeps no expiry.
	MessageExpiry *int64    `json:"-" location:"querystring" name:"messageExpiry"`
	Payload       io.Reader `json:"-" location:"body"`
	// MQTT 5's payload format indicator: checked against the model; the
	// broker forwards the payload as it is either way.
	PayloadFormatIndicator *string `json:"-" location:"header" name:"x-amz-mqtt5-payload-format-indicator" member:"payloadFormatIndicator" enum:"UNSPECIFIED_BYTES,UTF8_DATA"`
}

type empty struct{}

func (s *Service) publish(c *awsproto.Call, in *publishInput) (empty, error) {
	b, ok := s.broker()
	if !ok {
		return empty{}, errUnavailable.New("The MQTT broker is not running")
	}
	if !mqtt.ValidTopic(*in.Topic) {
		return empty{}, errInvalidRequest.New("Invalid topic name")
	}
	var payload []byte
	if in.Payload != nil {
		var err error
		payload, err = io.ReadAll(io.LimitReader(in.Payload, maxPayload+1))
		if err != nil {
			return empty{}, errInvalidRequest.New("Could not read the payload")
		}
		if len(payload) > maxPayload {
			return empty{}, errTooLarge.New("Payload exceeds the maximum size of 128 KB")
		}
	}
	m := cloud.BrokerMessage{Topic: *in.Topic, Payload: payload}
	if in.QoS != nil {
		m.QoS = byte(*in.QoS)
	}
	if in.Retain != nil {
		m.Retain = *in.Retain
	}
	if err := b.Publish(m); err != nil {
		return empty{}, errInvalidRequest.New(err.Error())
	}
	return empty{}, nil
}

type topicInput struct {
	Topic *string `json:"-" location:"uri" name:"topic" required:"true"`
}

type getRetainedOutput struct {
	Topic            string `json:"topic"`
	Payload          []byte `json:"payload"`
	QoS              int    `json:"qos"`
	LastModifiedTime int64  `json:"lastModifiedTime"`
}

func (s *Service) getRetainedMessage(c *awsproto.Call, in *topicInput) (getRetainedOutput, error) {
	b, ok := s.broker()
	if !ok {
		return getRetainedOutput{}, errUnavailable.New("The MQTT broker is not running")
	}
	m, ok := b.Retained(*in.Topic)
	if !ok {
		return getRetainedOutput{}, errNotFound.New("No retained message found for the topic " + *in.Topic)
	}
	return getRetainedOutput{Topic: m.Topic, Payload: m.Payload, QoS: int(m.QoS), LastModifiedTime: m.Time.UnixMilli()}, nil
}

type listRetainedInput struct {
	NextToken  *string `json:"-" location:"querystring" name:"nextToken"`
	MaxResults *int    `json:"-" location:"querystring" name:"maxResults" min:"1" max:"200"`
}

type retainedSummary struct {
	Topic            string `json:"topic"`
	PayloadSize      int    `json:"payloadSize"`
	QoS              int    `json:"qos"`
	LastModifiedTime int64  `json:"lastModifiedTime"`
}

type listRetainedOutput struct {
	RetainedTopics []retainedSummary `json:"retainedTopics"`
	NextToken      string            `json:"nextToken,omitempty"`
}

func (s *Service) listRetainedMessages(c *awsproto.Call, in *listRetainedInput) (listRetainedOutput, error) {
	b, ok := s.broker()
	if !ok {
		return listRetainedOutput{}, errUnavailable.New("The MQTT broker is not running")
	}
	// The broker's own $SYS topics are no IoT Core retained messages.
	all := slices.DeleteFunc(b.RetainedMessages(), func(m cloud.BrokerMessage) bool { return strings.HasPrefix(m.Topic, "$") })
	slices.SortFunc(all, func(x, y cloud.BrokerMessage) int { return strings.Compare(x.Topic, y.Topic) })
	start := 0
	if in.NextToken != nil && *in.NextToken != "" {
		n, err := strconv.Atoi(*in.NextToken)
		if err != nil || n < 0 || n > len(all) {
			return listRetainedOutput{}, errInvalidRequest.New("The pagination token is invalid.")
		}
		start = n
	}
	size := 200
	if in.MaxResults != nil {
		size = *in.MaxResults
	}
	end := min(start+size, len(all))
	out := listRetainedOutput{RetainedTopics: []retainedSummary{}}
	for _, m := range all[start:end] {
		out.RetainedTopics = append(out.RetainedTopics, retainedSummary{Topic: m.Topic, PayloadSize: len(m.Payload), QoS: int(m.QoS), LastModifiedTime: m.Time.UnixMilli()})
	}
	if end < len(all) {
		out.NextToken = strconv.Itoa(end)
	}
	return out, nil
}
