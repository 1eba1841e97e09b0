package runner

import (
	"context"
	"encoding/base64"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"
)

// ServeAPIGateway answers an API Gateway REST (payload v1) proxy event.
func (r *Runner) ServeAPIGateway(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return respond(refused(&Failure{Status: 400, Error: ErrInvalidJSON})), nil
		}
		body = b
	}
	return respond(r.Handle(ctx, body)), nil
}

func respond(o Outcome) events.APIGatewayProxyResponse {
	b, err := json.Marshal(o)
	if err != nil {
		b, o.HTTPStatus = []byte(`{"status":"error","error":"internal error"}`), 500
	}
	return events.APIGatewayProxyResponse{
		StatusCode: o.HTTPStatus,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(b),
	}
}
