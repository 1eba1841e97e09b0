package execapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// ProxyEvent is the REST API (v1) proxy event, field for field as API Gateway
// sends it (and events.APIGatewayProxyRequest reads it): absent maps are null.
type ProxyEvent struct {
	// Version is "1.0" in HTTP APIs' payload format 1.0, absent for REST APIs.
	Version                         string              `json:"version,omitempty"`
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	RequestContext                  ProxyContext        `json:"requestContext"`
	Body                            *string             `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

// ProxyContext is the event's requestContext.
type ProxyContext struct {
	ResourceID        string         `json:"resourceId"`
	ResourcePath      string         `json:"resourcePath"`
	OperationName     string         `json:"operationName,omitempty"`
	HTTPMethod        string         `json:"httpMethod"`
	ExtendedRequestID string         `json:"extendedRequestId"`
	RequestTime       string         `json:"requestTime"`
	Path              string         `json:"path"`
	AccountID         string         `json:"accountId"`
	Protocol          string         `json:"protocol"`
	Stage             string         `json:"stage"`
	DomainPrefix      string         `json:"domainPrefix"`
	RequestTimeEpoch  int64          `json:"requestTimeEpoch"`
	RequestID         string         `json:"requestId"`
	Identity          ProxyIdentity  `json:"identity"`
	DomainName        string         `json:"domainName"`
	DeploymentID      string         `json:"deploymentId,omitempty"`
	APIID             string         `json:"apiId"`
	Authorizer        map[string]any `json:"authorizer,omitempty"`
}

// ProxyIdentity is requestContext.identity; what API Gateway does not know
// for an unauthenticated call is null.
type ProxyIdentity struct {
	CognitoIdentityPoolID         *string `json:"cognitoIdentityPoolId"`
	AccountID                     *string `json:"accountId"`
	CognitoIdentityID             *string `json:"cognitoIdentityId"`
	Caller                        *string `json:"caller"`
	SourceIP                      string  `json:"sourceIp"`
	PrincipalOrgID                *string `json:"principalOrgId"`
	AccessKey                     *string `json:"accessKey"`
	CognitoAuthenticationType     *string `json:"cognitoAuthenticationType"`
	CognitoAuthenticationProvider *string `json:"cognitoAuthenticationProvider"`
	UserArn                       *string `json:"userArn"`
	UserAgent                     string  `json:"userAgent"`
	User                          *string `json:"user"`
	// APIKey and APIKeyID are the API key of a method that requires one.
	APIKey   *string `json:"apiKey,omitempty"`
	APIKeyID *string `json:"apiKeyId,omitempty"`
}

// ProxyResponse is a validated Lambda proxy response.
type ProxyResponse struct {
	Status  int
	Headers map[string][]string
	Body    []byte
}

// ParseProxyResponse validates a Lambda's output against the proxy response
// shape; ok=false is API Gateway's "Malformed Lambda proxy response".
func ParseProxyResponse(payload []byte) (ProxyResponse, bool) {
	var raw struct {
		StatusCode        json.RawMessage            `json:"statusCode"`
		Headers           map[string]json.RawMessage `json:"headers"`
		MultiValueHeaders map[string][]any           `json:"multiValueHeaders"`
		Body              *string                    `json:"body"`
		IsBase64Encoded   *bool                      `json:"isBase64Encoded"`
	}
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return ProxyResponse{}, false
	}
	if err := json.Unmarshal(trimmed, &raw); err != nil {
		return ProxyResponse{}, false
	}
	status, ok := ParseStatus(raw.StatusCode)
	if !ok {
		return ProxyResponse{}, false
	}
	resp := ProxyResponse{Status: status, Headers: map[string][]string{}}
	for k, v := range raw.Headers {
		s, ok := Scalar(v)
		if !ok {
			return ProxyResponse{}, false
		}
		if s != nil {
			resp.Headers[http.CanonicalHeaderKey(k)] = []string{*s}
		}
	}
	// multiValueHeaders win over headers for the same name, as on AWS
	for k, vs := range raw.MultiValueHeaders {
		var out []string
		for _, v := range vs {
			switch t := v.(type) {
			case string:
				out = append(out, t)
			case float64, bool:
				b, _ := json.Marshal(t)
				out = append(out, string(b))
			case nil:
			default:
				return ProxyResponse{}, false
			}
		}
		if len(out) > 0 {
			resp.Headers[http.CanonicalHeaderKey(k)] = out
		}
	}
	if raw.Body != nil {
		resp.Body = []byte(*raw.Body)
		if raw.IsBase64Encoded != nil && *raw.IsBase64Encoded {
			dec, err := base64.StdEncoding.DecodeString(*raw.Body)
			if err != nil {
				return ProxyResponse{}, false
			}
			resp.Body = dec
		}
	}
	return resp, true
}

// ParseStatus reads statusCode: an integer (or a string holding one).
func ParseStatus(raw json.RawMessage) (int, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, false
	}
	s := string(raw)
	if s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 || n > 599 {
		return 0, false
	}
	return n, true
}

// Scalar renders a header value: strings as they are, numbers and booleans
// as their JSON text, null as absent; objects and arrays are malformed.
func Scalar(raw json.RawMessage) (*string, bool) {
	s := strings.TrimSpace(string(raw))
	switch {
	case s == "null":
		return nil, true
	case strings.HasPrefix(s, `"`):
		var v string
		if json.Unmarshal(raw, &v) != nil {
			return nil, false
		}
		return &v, true
	case s == "true" || s == "false":
		return &s, true
	case len(s) > 0 && (s[0] == '-' || s[0] >= '0' && s[0] <= '9'):
		return &s, true
	}
	return nil, false
}
