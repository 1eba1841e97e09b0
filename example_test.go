package groundstack_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack"
)

// A cloud for one test: put an object into S3 and read it back.
func Example() {
	ctx := context.Background()
	gs, err := groundstack.Run(ctx, groundstack.WithServices("s3", "dynamodb"), groundstack.WithBackend("embedded"))
	if err != nil {
		log.Fatal(err)
	}
	defer gs.Close()

	client := s3.NewFromConfig(gs.Config())
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("reports")}); err != nil {
		log.Fatal(err)
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("reports"), Key: aws.String("2026/q4.txt"), Body: strings.NewReader("revenue up"),
	}); err != nil {
		log.Fatal(err)
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("reports"), Key: aws.String("2026/q4.txt")})
	if err != nil {
		log.Fatal(err)
	}
	defer out.Body.Close()
	body, _ := io.ReadAll(out.Body)
	fmt.Println(string(body))
	// Output: revenue up
}

// Only the named services answer: a call to any other fails as a call to a
// service the cloud does not emulate, so an undeclared dependency shows.
func ExampleWithServices() {
	ctx := context.Background()
	gs, err := groundstack.Run(ctx, groundstack.WithServices("dynamodb"))
	if err != nil {
		log.Fatal(err)
	}
	defer gs.Close()

	tables, err := dynamodb.NewFromConfig(gs.Config()).ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("dynamodb tables:", len(tables.TableNames))

	_, err = sqs.NewFromConfig(gs.Config()).ListQueues(ctx, &sqs.ListQueuesInput{})
	var ae smithy.APIError
	if errors.As(err, &ae) {
		fmt.Println("sqs:", ae.ErrorCode())
	}
	// Output:
	// dynamodb tables: 0
	// sqs: UnknownService
}

// Reset empties the cloud between tests without restarting it.
func ExampleCloud_Reset() {
	ctx := context.Background()
	gs, err := groundstack.Run(ctx, groundstack.WithServices("sqs"))
	if err != nil {
		log.Fatal(err)
	}
	defer gs.Close()

	client := sqs.NewFromConfig(gs.Config())
	if _, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders")}); err != nil {
		log.Fatal(err)
	}
	if err := gs.Reset(ctx); err != nil {
		log.Fatal(err)
	}
	queues, err := client.ListQueues(ctx, &sqs.ListQueuesInput{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("queues after reset:", len(queues.QueueUrls))
	// Output: queues after reset: 0
}
