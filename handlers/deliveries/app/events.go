package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// ErrUnknownEvent is returned for an event that is neither an API Gateway
// proxy request nor a Function URL request.
var ErrUnknownEvent = errors.New("app: the event is neither an API Gateway proxy (v1) nor a Function URL (v2) request")

// eventKind peeks at the members that tell the two payload formats apart.
type eventKind struct {
	Version        string `json:"version"`
	HTTPMethod     string `json:"httpMethod"`
	RequestContext struct {
		HTTP struct {
			Method string `json:"method"`
		} `json:"http"`
	} `json:"requestContext"`
}

// HandleEvent serves one Lambda invocation: an API Gateway REST proxy
// event (payload 1.0) or a Function URL / HTTP API event (payload 2.0).
// The answer has the shape both front doors read (statusCode, headers,
// body).
func (a *App) HandleEvent(ctx context.Context, raw json.RawMessage) (any, error) {
	var kind eventKind
	if err := json.Unmarshal(raw, &kind); err != nil {
		return nil, ErrUnknownEvent
	}
	switch {
	case kind.Version == "2.0" || kind.RequestContext.HTTP.Method != "":
		var ev events.LambdaFunctionURLRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		req := Request{Method: ev.RequestContext.HTTP.Method, Path: ev.RawPath, Headers: lower(ev.Headers), Query: ev.QueryStringParameters}
		if req.Body, _ = body(ev.Body, ev.IsBase64Encoded); req.Body == nil && ev.Body != "" {
			return toV2(detail(400, "body is not valid base64")), nil
		}
		return toV2(a.Serve(ctx, req)), nil
	case kind.HTTPMethod != "":
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		req := Request{Method: ev.HTTPMethod, Path: ev.Path, Headers: lower(ev.Headers), Query: ev.QueryStringParameters}
		if req.Body, _ = body(ev.Body, ev.IsBase64Encoded); req.Body == nil && ev.Body != "" {
			return toV1(detail(400, "body is not valid base64")), nil
		}
		return toV1(a.Serve(ctx, req)), nil
	}
	return nil, ErrUnknownEvent
}

func lower(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[strings.ToLower(k)] = v
	}
	return out
}

func body(s string, b64 bool) ([]byte, error) {
	if !b64 {
		return []byte(s), nil
	}
	return base64.StdEncoding.DecodeString(s)
}

func toV1(r Response) events.APIGatewayProxyResponse {
	return events.APIGatewayProxyResponse{StatusCode: r.Status, Headers: r.Headers, Body: string(r.Body)}
}

func toV2(r Response) events.LambdaFunctionURLResponse {
	return events.LambdaFunctionURLResponse{StatusCode: r.Status, Headers: r.Headers, Body: string(r.Body)}
}
