package container_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack"
	"github.com/groundstack/groundstack/container"
	"github.com/groundstack/groundstack/harness/backend"
)

// TestContainerBackend: the same calls as against the embedded cloud,
// against a container serving only SQS; Reset and Close as there.
func TestContainerBackend(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the container backend needs Docker")
	}
	if err := backend.DockerAvailable(context.Background()); err != nil {
		t.Skip("no Docker engine answers: ", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	gs, err := groundstack.Run(ctx, groundstack.WithBackend(groundstack.Container), groundstack.WithServices("sqs"), groundstack.WithStrictAuth())
	if err != nil {
		t.Fatal(err)
	}
	defer gs.Close()
	q := sqs.NewFromConfig(gs.Config())
	if _, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs")}); err != nil {
		t.Fatal(err)
	}
	_, err = dynamodb.NewFromConfig(gs.Config()).ListTables(ctx, &dynamodb.ListTablesInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "UnknownService" {
		t.Errorf("DynamoDB in a container serving only SQS: %v", err)
	}
	if err := gs.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	out, err := q.ListQueues(ctx, &sqs.ListQueuesInput{})
	if err != nil || len(out.QueueUrls) != 0 {
		t.Errorf("after Reset: %v %v", out, err)
	}
	if err := gs.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gs.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestContainerRefusesAPort(t *testing.T) {
	_, err := container.Start(context.Background(), groundstack.Settings{Port: 4566})
	if err == nil {
		t.Fatal("Start with a port succeeded")
	}
}
