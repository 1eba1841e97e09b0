package apigatewayv2

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/services/execapi"
)

// This file runs Lambda REQUEST authorizers of HTTP APIs: identity sources
// first (a missing one is 401 without a call), then the cached verdict for
// those values within the authorizer's TTL, else the function, with the
// payload format 2.0 (events.APIGatewayV2CustomAuthorizerV2Request) or 1.0
// event; its answer is a simple response ({"isAuthorized": …}) or an IAM
// policy evaluated against the route ARN.

// lambdaVerdict is an authorizer's answer, as cached.
type lambdaVerdict struct {
	simple  bool
	allowed bool                      // simple responses
	policy  *execapi.AuthorizerOutput // IAM policy responses
	context map[string]any
}

// authorizeLambda runs the route's REQUEST authorizer.
func (x *httpCall) authorizeLambda() bool {
	z := x.route.Authorizer
	if z == nil {
		x.fail(gwInternalError)
		return false
	}
	values, ok := x.identityValues(z.IdentitySource)
	if !ok {
		x.fail(gwUnauthorized)
		return false
	}
	ttl := 0
	if z.ResultTTLInSeconds != nil {
		ttl = *z.ResultTTLInSeconds
	}
	key := authCachePrefix(x.inv.apiID, x.inv.stage) + z.ID + "\x00" + strings.Join(values, "\x00")
	var v *lambdaVerdict
	if ttl > 0 && len(values) > 0 {
		if c, ok := x.s.store.auth.get(key, x.s.env.Now()); ok {
			v = c.(*lambdaVerdict)
		}
	}
	if v == nil {
		var g *gatewayResponse
		if v, g = x.runAuthorizer(z, values); g != nil {
			x.fail(*g)
			return false
		}
		if ttl > 0 && len(values) > 0 {
			x.s.store.auth.put(key, v, time.Duration(ttl)*time.Second, x.s.env.Now())
		}
	}
	allowed := v.allowed
	if !v.simple {
		allowed = v.policy.Policy.Evaluate(x.routeARN()) == execapi.EffectAllow
	}
	if !allowed {
		x.fail(gwForbidden)
		return false
	}
	x.auth = &authContext{lambda: v.context}
	return true
}

// identityValues reads an authorizer's identity sources from the request;
// ok is false when one is missing or empty.
func (x *httpCall) identityValues(sources []string) ([]string, bool) {
	out := make([]string, 0, len(sources))
	for _, src := range sources {
		v := x.identityValue(src)
		if v == "" {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

func (x *httpCall) identityValue(src string) string {
	switch {
	case strings.HasPrefix(src, "$request.header."):
		return strings.Join(x.r.Header.Values(src[len("$request.header."):]), ",")
	case strings.HasPrefix(src, "$request.querystring."):
		q, _ := url.ParseQuery(x.r.URL.RawQuery)
		return strings.Join(q[src[len("$request.querystring."):]], ",")
	case strings.HasPrefix(src, "$stageVariables."):
		return x.d.Variables[src[len("$stageVariables."):]]
	case src == "$context.routeKey":
		return x.route.Key
	case src == "$context.stage":
		return x.inv.stage
	case src == "$context.apiId":
		return x.inv.apiID
	case src == "$context.httpMethod":
		return x.r.Method
	case src == "$context.identity.sourceIp":
		return execapi.SourceIP(x.r)
	case src == "$context.identity.userAgent":
		return x.r.UserAgent()
	}
	return ""
}

// routeARN is the ARN authorizer policies name the request by:
// arn:aws:execute-api:{region}:{account}:{api}/{stage}/{method}/{path}.
func (x *httpCall) routeARN() string {
	return "arn:aws:execute-api:" + x.d.Region + ":" + x.s.env.Account + ":" + x.inv.apiID + "/" + x.inv.stage + "/" + x.r.Method + x.path
}

// v2AuthorizerEvent is events.APIGatewayV2CustomAuthorizerV2Request.
type v2AuthorizerEvent struct {
	Version               string            `json:"version"`
	Type                  string            `json:"type"`
	RouteArn              string            `json:"routeArn"`
	IdentitySource        []string          `json:"identitySource"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	RequestContext        v2Context         `json:"requestContext"`
	PathParameters        map[string]string `json:"pathParameters,omitempty"`
	StageVariables        map[string]string `json:"stageVariables,omitempty"`
}

// v1AuthorizerEvent is events.APIGatewayV2CustomAuthorizerV1Request.
type v1AuthorizerEvent struct {
	Version               string               `json:"version"`
	Type                  string               `json:"type"`
	MethodArn             string               `json:"methodArn"`
	IdentitySource        string               `json:"identitySource"`
	AuthorizationToken    string               `json:"authorizationToken"`
	Resource              string               `json:"resource"`
	Path                  string               `json:"path"`
	HTTPMethod            string               `json:"httpMethod"`
	Headers               map[string]string    `json:"headers"`
	QueryStringParameters map[string]string    `json:"queryStringParameters"`
	RequestContext        execapi.ProxyContext `json:"requestContext"`
	PathParameters        map[string]string    `json:"pathParameters"`
	StageVariables        map[string]string    `json:"stageVariables"`
}

// runAuthorizer invokes z's function and reads its answer.
func (x *httpCall) runAuthorizer(z *Authorizer, values []string) (*lambdaVerdict, *gatewayResponse) {
	var event any
	if z.PayloadFormatVersion == "1.0" {
		ev := x.v1Event()
		event = v1AuthorizerEvent{
			Version: "1.0", Type: "REQUEST", MethodArn: x.routeARN(), IdentitySource: strings.Join(values, ","),
			AuthorizationToken: strings.Join(values, ","), Resource: ev.Resource, Path: ev.Path, HTTPMethod: ev.HTTPMethod,
			Headers: ev.Headers, QueryStringParameters: ev.QueryStringParameters, RequestContext: ev.RequestContext,
			PathParameters: ev.PathParameters, StageVariables: ev.StageVariables,
		}
	} else {
		ev := x.v2Event()
		event = v2AuthorizerEvent{
			Version: "2.0", Type: "REQUEST", RouteArn: x.routeARN(), IdentitySource: values, RouteKey: ev.RouteKey,
			RawPath: ev.RawPath, RawQueryString: ev.RawQueryString, Cookies: ev.Cookies, Headers: ev.Headers,
			QueryStringParameters: ev.QueryStringParameters, RequestContext: ev.RequestContext,
			PathParameters: ev.PathParameters, StageVariables: ev.StageVariables,
		}
	}
	payload, err := json.Marshal(event)
	if err != nil {
		return nil, &gwInternalError
	}
	res, g := x.s.invokeLambda(x.r.Context(), z.URI, x.d.Region, x.d.Variables, payload, min(time.Duration(x.s.integrationTimeout.Load()), 10*time.Second))
	if g != nil {
		if res.FunctionError != "" {
			var fe struct {
				ErrorMessage string `json:"errorMessage"`
			}
			if json.Unmarshal(res.Payload, &fe) == nil && fe.ErrorMessage == "Unauthorized" {
				return nil, &gwUnauthorized
			}
		}
		x.s.env.Log.Warn("API Gateway v2: authorizer failed", "authorizer", z.ID)
		return nil, &gwInternalError
	}
	v, ok := parseLambdaVerdict(res.Payload, z.EnableSimpleResponses)
	if !ok {
		x.s.env.Log.Warn("API Gateway v2: authorizer answered with an invalid response", "authorizer", z.ID)
		return nil, &gwInternalError
	}
	return v, nil
}

// parseLambdaVerdict reads a simple response ({"isAuthorized": bool,
// "context": {…}}) when simple responses are enabled, else an IAM policy
// answer.
func parseLambdaVerdict(payload []byte, simple bool) (*lambdaVerdict, bool) {
	trimmed := bytes.TrimSpace(payload)
	if simple {
		var raw struct {
			IsAuthorized *bool          `json:"isAuthorized"`
			Context      map[string]any `json:"context"`
		}
		if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &raw) != nil || raw.IsAuthorized == nil {
			return nil, false
		}
		return &lambdaVerdict{simple: true, allowed: *raw.IsAuthorized, context: raw.Context}, true
	}
	out, ok := execapi.ParseAuthorizerOutput(trimmed)
	if !ok {
		return nil, false
	}
	v := &lambdaVerdict{policy: out}
	if len(out.Context) > 0 {
		v.context = make(map[string]any, len(out.Context))
		for k, s := range out.Context {
			v.context[k] = s
		}
	}
	return v, true
}
