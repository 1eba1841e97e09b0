package apigatewayv2

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// $connect's Lambda REQUEST authorizer: its identity sources must all be
// present (else 401), the function's IAM policy must allow
// execute-api:Invoke on the route's ARN (else 403), and its principalId and
// context reach every later event's requestContext.authorizer.

// wsAuthorizerEvent is the authorizer's input for a WebSocket $connect.
type wsAuthorizerEvent struct {
	Type                            string              `json:"type"`
	MethodArn                       string              `json:"methodArn"`
	Headers                         map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders,omitempty"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters,omitempty"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters,omitempty"`
	StageVariables                  map[string]string   `json:"stageVariables,omitempty"`
	RequestContext                  wsRequestContext    `json:"requestContext"`
}

// authorize runs the authorizer; status 0 lets the connection proceed
// (with s.authorizer set), else it is the refusal's status and message.
func (s *wsSession) authorize(r *http.Request, st Deployed, z *Authorizer, now time.Time) (int, string) {
	for _, src := range z.IdentitySource {
		if identityValue(r, st, src) == "" {
			return http.StatusUnauthorized, "Unauthorized"
		}
	}
	ce := s.connectEvent(r, st.Variables, s.p.wsID(), now)
	methodARN := "arn:aws:execute-api:" + st.Region + ":" + s.p.env.Account + ":" + s.apiID + "/" + s.stage + "/" + RouteConnect
	ev := wsAuthorizerEvent{
		Type: "REQUEST", MethodArn: methodARN, Headers: ce.Headers, MultiValueHeaders: ce.MultiValueHeaders,
		QueryStringParameters: ce.QueryStringParameters, MultiValueQueryStringParameters: ce.MultiValueQueryStringParameters,
		StageVariables: ce.StageVariables, RequestContext: ce.RequestContext,
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return http.StatusInternalServerError, "Internal server error"
	}
	start := time.Now()
	res, err := s.p.invoke(r.Context(), st, z.URI, payload, time.Duration(s.p.timeout.Load()))
	latency := time.Since(start).Milliseconds()
	switch {
	case err != nil:
		s.p.env.Log.Warn("API Gateway WebSocket: authorizer invocation failed", "uri", z.URI, "err", err)
		return http.StatusInternalServerError, "Internal server error"
	case res.FunctionError != "":
		var fe struct {
			ErrorMessage string `json:"errorMessage"`
		}
		if json.Unmarshal(res.Payload, &fe) == nil && fe.ErrorMessage == "Unauthorized" {
			return http.StatusUnauthorized, "Unauthorized"
		}
		return http.StatusInternalServerError, "Internal server error"
	}
	var out struct {
		PrincipalID    string         `json:"principalId"`
		PolicyDocument *wsPolicy      `json:"policyDocument"`
		Context        map[string]any `json:"context"`
	}
	if json.Unmarshal(bytes.TrimSpace(res.Payload), &out) != nil || out.PolicyDocument == nil {
		return http.StatusInternalServerError, "Internal server error"
	}
	if !out.PolicyDocument.allows(methodARN) {
		return http.StatusForbidden, "Forbidden"
	}
	auth := map[string]any{"principalId": out.PrincipalID, "integrationLatency": latency}
	for k, v := range out.Context {
		switch v.(type) {
		case string, float64, bool:
			auth[k] = v
		default: // AWS refuses objects and arrays in an authorizer's context
			return http.StatusInternalServerError, "Internal server error"
		}
	}
	s.authorizer = auth
	return 0, ""
}

// identityValue reads one identity source of the handshake.
func identityValue(r *http.Request, st Deployed, src string) string {
	switch {
	case strings.HasPrefix(src, "route.request.header."):
		return r.Header.Get(strings.TrimPrefix(src, "route.request.header."))
	case strings.HasPrefix(src, "route.request.querystring."):
		return r.URL.Query().Get(strings.TrimPrefix(src, "route.request.querystring."))
	case strings.HasPrefix(src, "stageVariables."):
		return st.Variables[strings.TrimPrefix(src, "stageVariables.")]
	case strings.HasPrefix(src, "context."):
		return "-" // request context values are always there
	}
	return ""
}

// wsPolicy is the IAM policy an authorizer returns.
type wsPolicy struct {
	Statement wsStatements `json:"Statement"`
}

type wsStatement struct {
	Effect   string      `json:"Effect"`
	Action   stringOrSet `json:"Action"`
	Resource stringOrSet `json:"Resource"`
}

// wsStatements takes one statement or a list, as IAM does.
type wsStatements []wsStatement

func (l *wsStatements) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var one wsStatement
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*l = wsStatements{one}
		return nil
	}
	return json.Unmarshal(b, (*[]wsStatement)(l))
}

// stringOrSet takes a string or a list of strings.
type stringOrSet []string

func (l *stringOrSet) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*l = stringOrSet{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(l))
}

// allows reports whether the policy allows execute-api:Invoke on resource:
// an Allow matches and no Deny does.
func (p *wsPolicy) allows(resource string) bool {
	allowed := false
	for _, st := range p.Statement {
		if !matchAny(st.Action, "execute-api:Invoke", true) || !matchAny(st.Resource, resource, false) {
			continue
		}
		switch st.Effect {
		case "Deny":
			return false
		case "Allow":
			allowed = true
		}
	}
	return allowed
}

func matchAny(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			p, s = strings.ToLower(p), strings.ToLower(s)
		}
		if globMatch(p, s) {
			return true
		}
	}
	return false
}

// globMatch matches IAM wildcards: * any run, ? one character.
func globMatch(p, s string) bool {
	px, sx := 0, 0
	star, mark := -1, 0
	for sx < len(s) {
		switch {
		case px < len(p) && (p[px] == '?' || p[px] == s[sx]):
			px++
			sx++
		case px < len(p) && p[px] == '*':
			star, mark = px, sx
			px++
		case star >= 0:
			px = star + 1
			mark++
			sx = mark
		default:
			return false
		}
	}
	for px < len(p) && p[px] == '*' {
		px++
	}
	return px == len(p)
}
