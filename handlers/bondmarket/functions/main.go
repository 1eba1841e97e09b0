// Command functions is the bondmarket flow's Lambda functions in one
// binary: the handler setting (_HANDLER) picks which runs: api (the REST
// API's routes), requests (the fixtures/requests topic rule's consumer),
// validation (the fixtures/validation consumer) or jobs (the jobs queue's
// worker). Resource names come from the environment
// (market.SettingsFromEnv); clients from the SDK's default chain
// (AWS_ENDPOINT_URL on an emulator), so it runs unchanged on AWS.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundstack/groundstack/handlers/bondmarket/market"
	"github.com/groundstack/groundstack/handlers/sdkhttp"
)

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "config:", err)
		os.Exit(1)
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		// An emulator's endpoint has no bucket subdomains.
		o.UsePathStyle = os.Getenv("AWS_ENDPOINT_URL") != ""
		o.HTTPClient = sdkhttp.DetachedBodies(o.HTTPClient)
	})
	presign := s3.NewPresignClient(s3c)
	if ep := os.Getenv("RECEIPTS_URL_ENDPOINT"); ep != "" {
		// an emulator's address as the receipt's reader reaches it (the
		// function may reach it at another, from inside a container)
		presign = s3.NewPresignClient(s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle, o.BaseEndpoint = true, &ep }))
	}
	m := &market.Market{
		DB:       dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.HTTPClient = sdkhttp.DetachedBodies(o.HTTPClient) }),
		S3:       s3c,
		Presign:  presign,
		SQS:      sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.HTTPClient = sdkhttp.DetachedBodies(o.HTTPClient) }),
		Settings: market.SettingsFromEnv(os.Getenv),
	}
	if ep := iotDataEndpoint(); ep != "" {
		m.Publisher = market.IoTData{Endpoint: ep, Region: cfg.Region, Credentials: cfg.Credentials, QoS: 1,
			HTTP: &http.Client{Timeout: 10 * time.Second}}
	}
	switch h := os.Getenv("_HANDLER"); h {
	case "api":
		lambda.Start(m.Route)
	case "requests":
		lambda.Start(m.ConsumeRequest)
	case "validation":
		lambda.Start(m.ConsumeValidation)
	case "jobs":
		lambda.Start(m.HandleJobs)
	default:
		fmt.Fprintf(os.Stderr, "handler %q: want api, requests, validation or jobs\n", h)
		os.Exit(1)
	}
}

// iotDataEndpoint is where iot-data Publish goes: IOT_DATA_ENDPOINT (the
// account's DescribeEndpoint address, set by the deployment), else the
// SDK's service-specific and general endpoint variables (an emulator).
func iotDataEndpoint() string {
	for _, k := range []string{"IOT_DATA_ENDPOINT", "AWS_ENDPOINT_URL_IOT_DATA_PLANE", "AWS_ENDPOINT_URL"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return ""
}
