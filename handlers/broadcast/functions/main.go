// Command functions is the broadcast flow's three Lambda functions in one
// binary (one build instead of three): the function's handler setting
// (_HANDLER) picks which runs: connect, disconnect or sendmessage.
// Settings come from the environment (handlers/broadcast/chat.SettingsFromEnv),
// clients from the SDK's default chain (AWS_ENDPOINT_URL on an emulator), so
// it runs unchanged on AWS.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/groundstack/groundstack/handlers/broadcast/chat"
	"github.com/groundstack/groundstack/handlers/sdkhttp"
)

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "config:", err)
		os.Exit(1)
	}
	settings := chat.SettingsFromEnv(os.Getenv)
	c := &chat.Chat{
		DB:       dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.HTTPClient = sdkhttp.DetachedBodies(o.HTTPClient) }),
		Poster:   chat.NewManagement(cfg, settings.FanOut),
		Settings: settings,
		Log:      slog.New(slog.NewJSONHandler(os.Stdout, nil)),
	}
	switch h := os.Getenv("_HANDLER"); h {
	case "connect":
		lambda.Start(c.Connect)
	case "disconnect":
		lambda.Start(c.Disconnect)
	case "sendmessage":
		lambda.Start(c.SendMessage)
	default:
		fmt.Fprintf(os.Stderr, "handler %q: want connect, disconnect or sendmessage\n", h)
		os.Exit(1)
	}
}
