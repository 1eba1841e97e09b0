package workshop

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// demoEvents are what SeedDemo sends, by function role: fixed ids, so
// seeding again replaces rather than adds.
var demoEvents = []struct{ role, payload string }{
	{"logs", `{"batch_id": "demo-001", "logs": [
		{"timestamp": "2026-01-15T09:00:00.000Z", "level": "INFO", "service": "api", "message": "service started"},
		{"timestamp": "2026-01-15T09:00:05.000Z", "level": "ERROR", "service": "api", "message": "GET /orders/7 500: upstream timeout"}]}`},
	{"notify", `{"id": "demo-welcome", "type": "info", "priority": "normal", "message": "Welcome to the workshop"}`},
}

// SeedDemo invokes the logs and notification functions once each, so the
// API's /logs, /notifications and /stats have something to show.
func SeedDemo(ctx context.Context, cfg aws.Config, st Stack) error {
	c := lambda.NewFromConfig(cfg)
	for _, e := range demoEvents {
		out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(st.Functions[e.role]), Payload: []byte(e.payload)})
		if err != nil {
			return fmt.Errorf("demo %s: %w", e.role, err)
		}
		if out.FunctionError != nil {
			return fmt.Errorf("demo %s: %s: %s", e.role, aws.ToString(out.FunctionError), out.Payload)
		}
	}
	return nil
}
