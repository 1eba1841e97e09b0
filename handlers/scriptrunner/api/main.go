// Command api is the scriptrunner flow's Lambda function behind POST /invoke:
// it runs a named script from S3 on an EC2 host over SSH (see
// handlers/scriptrunner/runner). It runs unchanged on AWS: configuration
// comes from the environment and the SDK's default chain.
//
// Environment: SCRIPTS_BUCKET (required), SCRIPTS_PREFIX (default
// "scripts"), INSTANCE_ID (required), KEY_SECRET_ID (required: a secret
// {"<key pair name>": "<PEM>"}), KEY_PAIR_NAME (default runner-keypair),
// SSH_USER (default ec2-user), SSH_HOST_KEY (the pinned host key; default
// the instance's groundstack:ssh-host-key tag), REMOTE_DIR (default
// scripts), SCRIPT_TIMEOUT (default 10s), MAX_OUTPUT_BYTES (default
// 262144), LOG_GROUP (default /scriptrunner/executions).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/groundstack/groundstack/handlers/scriptrunner/runner"
	"github.com/groundstack/groundstack/handlers/sdkhttp"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	r, err := build(context.Background(), log)
	if err != nil {
		log.Error("init", "err", err)
		os.Exit(1)
	}
	lambda.Start(r.ServeAPIGateway)
}

func build(ctx context.Context, log *slog.Logger) (*runner.Runner, error) {
	cfg := runner.Config{
		Bucket:      os.Getenv("SCRIPTS_BUCKET"),
		Prefix:      env("SCRIPTS_PREFIX", "scripts"),
		InstanceID:  os.Getenv("INSTANCE_ID"),
		SecretID:    os.Getenv("KEY_SECRET_ID"),
		KeyPairName: os.Getenv("KEY_PAIR_NAME"),
		User:        os.Getenv("SSH_USER"),
		HostKey:     os.Getenv("SSH_HOST_KEY"),
		RemoteDir:   os.Getenv("REMOTE_DIR"),
		LogGroup:    os.Getenv("LOG_GROUP"),
		Log:         log,
	}
	for name, v := range map[string]string{"SCRIPTS_BUCKET": cfg.Bucket, "INSTANCE_ID": cfg.InstanceID, "KEY_SECRET_ID": cfg.SecretID} {
		if v == "" {
			return nil, fmt.Errorf("%s is required", name)
		}
	}
	if s := os.Getenv("SCRIPT_TIMEOUT"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("SCRIPT_TIMEOUT=%q is not a positive duration", s)
		}
		cfg.Timeout = d
	}
	if s := os.Getenv("MAX_OUTPUT_BYTES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("MAX_OUTPUT_BYTES=%q is not a positive number", s)
		}
		cfg.MaxOutput = n
	}
	aws, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	// Large responses race inside the SDK on loopback without it (see sdkhttp).
	return runner.New(cfg, runner.Clients{
		S3: s3.NewFromConfig(aws, func(o *s3.Options) {
			// An endpoint override (an emulator on an IP) cannot take bucket
			// subdomains; AWS itself keeps virtual-hosted addressing.
			o.UsePathStyle = os.Getenv("AWS_ENDPOINT_URL") != ""
			o.HTTPClient = sdkhttp.DetachedBodies(o.HTTPClient)
		}),
		Secrets: secretsmanager.NewFromConfig(aws),
		EC2:     ec2.NewFromConfig(aws),
		Logs:    cloudwatchlogs.NewFromConfig(aws),
	}), nil
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
