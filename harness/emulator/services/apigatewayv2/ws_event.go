package apigatewayv2

import (
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/services/execapi"
)

// WebSocket route events, field for field as API Gateway sends them (and
// aws-lambda-go's events.APIGatewayWebsocketProxyRequest reads them):
// $connect carries the handshake's headers and query string, messages carry
// the body and a messageId, $disconnect the close code and reason.

// wsEvent is the Lambda proxy event of a WebSocket route.
type wsEvent struct {
	Headers                         map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders,omitempty"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters,omitempty"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters,omitempty"`
	StageVariables                  map[string]string   `json:"stageVariables,omitempty"`
	RequestContext                  wsRequestContext    `json:"requestContext"`
	Body                            *string             `json:"body,omitempty"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

// wsRequestContext is the event's requestContext.
type wsRequestContext struct {
	RouteKey             string         `json:"routeKey"`
	MessageID            string         `json:"messageId,omitempty"`
	DisconnectStatusCode int            `json:"disconnectStatusCode,omitempty"`
	EventType            string         `json:"eventType"`
	ExtendedRequestID    string         `json:"extendedRequestId"`
	RequestTime          string         `json:"requestTime"`
	MessageDirection     string         `json:"messageDirection"`
	DisconnectReason     *string        `json:"disconnectReason,omitempty"`
	Authorizer           map[string]any `json:"authorizer,omitempty"`
	Stage                string         `json:"stage"`
	ConnectedAt          int64          `json:"connectedAt"`
	RequestTimeEpoch     int64          `json:"requestTimeEpoch"`
	Identity             wsIdentity     `json:"identity"`
	RequestID            string         `json:"requestId"`
	DomainName           string         `json:"domainName"`
	ConnectionID         string         `json:"connectionId"`
	APIID                string         `json:"apiId"`
}

type wsIdentity struct {
	UserAgent string `json:"userAgent"`
	SourceIP  string `json:"sourceIp"`
}

// Event types and wire constants of WebSocket events.
const (
	wsEventConnect    = "CONNECT"
	wsEventMessage    = "MESSAGE"
	wsEventDisconnect = "DISCONNECT"
	wsDirectionIn     = "IN"
	wsTimeLayout      = "02/Jan/2006:15:04:05 -0700"
)

// context builds a requestContext for one event of session s.
func (s *wsSession) context(routeKey, eventType, requestID string, at time.Time) wsRequestContext {
	return wsRequestContext{
		RouteKey: routeKey, EventType: eventType, ExtendedRequestID: requestID,
		RequestTime: at.UTC().Format(wsTimeLayout), MessageDirection: wsDirectionIn,
		Authorizer: s.authorizer, Stage: s.stage, ConnectedAt: s.connectedAt.UnixMilli(),
		RequestTimeEpoch: at.UnixMilli(), Identity: wsIdentity{UserAgent: s.userAgent, SourceIP: s.sourceIP},
		RequestID: requestID, DomainName: s.domain, ConnectionID: s.id, APIID: s.apiID,
	}
}

// connectEvent is $connect's event: the handshake's headers (with the
// X-Forwarded-* API Gateway adds) and query string.
func (s *wsSession) connectEvent(r *http.Request, vars map[string]string, requestID string, at time.Time) *wsEvent {
	ev := &wsEvent{StageVariables: nonEmpty(vars), RequestContext: s.context(RouteConnect, wsEventConnect, requestID, at)}
	ev.Headers, ev.MultiValueHeaders = handshakeHeaders(r, s.sourceIP)
	if q := r.URL.Query(); len(q) > 0 {
		ev.QueryStringParameters = make(map[string]string, len(q))
		ev.MultiValueQueryStringParameters = make(map[string][]string, len(q))
		for k, vs := range q {
			ev.QueryStringParameters[k] = vs[len(vs)-1]
			ev.MultiValueQueryStringParameters[k] = vs
		}
	}
	return ev
}

// messageEvent is a message's event; binary frames travel base64-encoded.
func (s *wsSession) messageEvent(routeKey string, data []byte, binary bool, vars map[string]string, requestID, messageID string, at time.Time) *wsEvent {
	ev := &wsEvent{StageVariables: nonEmpty(vars), RequestContext: s.context(routeKey, wsEventMessage, requestID, at)}
	ev.RequestContext.MessageID = messageID
	body := string(data)
	if binary {
		body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(data), true
	}
	ev.Body = &body
	return ev
}

// disconnectEvent is $disconnect's event. API Gateway sends these few
// headers, most of them empty, whatever the handshake carried.
func (s *wsSession) disconnectEvent(code int, reason string, vars map[string]string, requestID string, at time.Time) *wsEvent {
	ev := &wsEvent{StageVariables: nonEmpty(vars), RequestContext: s.context(RouteDisconnect, wsEventDisconnect, requestID, at)}
	ev.RequestContext.DisconnectStatusCode = code
	ev.RequestContext.DisconnectReason = &reason
	ev.Headers = map[string]string{"Host": s.domain, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}
	ev.MultiValueHeaders = map[string][]string{"Host": {s.domain}, "x-api-key": {""}, "X-Forwarded-For": {""}, "x-restapi": {""}}
	return ev
}

// handshakeHeaders are the upgrade request's headers as $connect sees
// them: the last value of each in headers, all in multiValueHeaders, plus
// X-Forwarded-For/-Port/-Proto.
func handshakeHeaders(r *http.Request, sourceIP string) (map[string]string, map[string][]string) {
	n := len(r.Header) + 4
	single := make(map[string]string, n)
	multi := make(map[string][]string, n)
	add := func(k string, vs []string) {
		single[k] = vs[len(vs)-1]
		multi[k] = vs
	}
	add("Host", []string{r.Host})
	for k, vs := range r.Header {
		if len(vs) > 0 {
			if rest, ok := strings.CutPrefix(k, "Sec-Websocket-"); ok {
				k = "Sec-WebSocket-" + rest // as clients spell them (Go's canonical form differs)
			}
			add(k, vs)
		}
	}
	if fwd, ok := multi["X-Forwarded-For"]; ok {
		add("X-Forwarded-For", []string{strings.Join(fwd, ", ") + ", " + sourceIP})
	} else {
		add("X-Forwarded-For", []string{sourceIP})
	}
	if _, ok := single["X-Forwarded-Port"]; !ok {
		add("X-Forwarded-Port", []string{execapi.PortOf(r.Host)})
	}
	if _, ok := single["X-Forwarded-Proto"]; !ok {
		add("X-Forwarded-Proto", []string{"http"})
	}
	return single, multi
}

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}
