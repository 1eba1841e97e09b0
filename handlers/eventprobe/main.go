// Command eventprobe is the event-freshness probe: a Lambda function that,
// the moment its handler starts, reports the time and the event IDs it was
// handed (trace.Find) to the collector PROBE_COLLECTOR_URL names, by HTTP
// POST on the same machine's clock. It accepts any event (S3, SNS, SQS,
// DynamoDB Streams). A report that fails is an error, so the platform
// retries the event (a duplicate for the collector, never a loss).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/groundstack/groundstack/handlers/eventprobe/trace"
)

// client reaches a collector on the same machine: no proxy, short timeout.
var client = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4}}

func main() {
	url := os.Getenv(trace.EnvCollector)
	lambda.Start(func(ctx context.Context, event json.RawMessage) error {
		start := time.Now()
		rep := trace.Report{Function: lambdacontext.FunctionName, StartNS: start.UnixNano(), Events: trace.Find(event)}
		if lc, ok := lambdacontext.FromContext(ctx); ok {
			rep.RequestID = lc.AwsRequestID
		}
		if url == "" {
			// deployed without a collector: the log line is the report
			b, _ := json.Marshal(rep)
			fmt.Println(string(b))
			return nil
		}
		return send(ctx, url, rep)
	})
}

func send(ctx context.Context, url string, rep trace.Report) error {
	b, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("eventprobe: report to the collector: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return errors.New("eventprobe: the collector answered " + resp.Status)
	}
	return nil
}
