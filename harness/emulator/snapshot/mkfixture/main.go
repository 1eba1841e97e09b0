// Command mkfixture writes fixtures/snapshots/v1.snapshot: an emulator on
// a fixed clock and a counter for ids, seeded through the AWS SDK, saved.
// The file is committed and must not change as the code does: tests load
// it to prove a newer groundstack still reads what this version wrote.
//
//	go run ./harness/emulator/snapshot/mkfixture fixtures/snapshots/v1.snapshot
package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/sdkclient"
)

// Epoch is the fixture's clock: every timestamp in it is this instant.
var Epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mkfixture FILE")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "mkfixture:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	n := 0
	ids := func() string {
		n++
		return fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
	}
	e := emulator.New(emulator.WithClock(func() time.Time { return Epoch }), emulator.WithIDs(ids))
	if err := e.Start(); err != nil {
		return err
	}
	defer e.Close()
	cfg := sdkclient.Config(e.URL(), "us-east-1")
	cfg.RetryMaxAttempts = 1
	if err := seed(context.Background(), cfg); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := e.SaveSnapshot(&buf, false); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// seed makes: a table with a global index, a stream, TTL, point-in-time
// recovery and three items; a secret with two versions; a queue with three messages
// (one in flight, received once, one delayed) and a dead-letter queue; a
// topic with the queue subscribed.
func seed(ctx context.Context, cfg aws.Config) error {
	db := dynamodb.NewFromConfig(cfg)
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("orders"),
		AttributeDefinitions: []ddb.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddb.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: ddb.ScalarAttributeTypeN}, {AttributeName: aws.String("status"), AttributeType: ddb.ScalarAttributeTypeS}},
		KeySchema:   []ddb.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddb.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: ddb.KeyTypeRange}},
		BillingMode: ddb.BillingModePayPerRequest,
		GlobalSecondaryIndexes: []ddb.GlobalSecondaryIndex{{IndexName: aws.String("by-status"),
			KeySchema:  []ddb.KeySchemaElement{{AttributeName: aws.String("status"), KeyType: ddb.KeyTypeHash}},
			Projection: &ddb.Projection{ProjectionType: ddb.ProjectionTypeAll}}},
		StreamSpecification: &ddb.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddb.StreamViewTypeNewAndOldImages},
		Tags:                []ddb.Tag{{Key: aws.String("team"), Value: aws.String("shop")}},
	}); err != nil {
		return err
	}
	for i, status := range []string{"open", "shipped", "open"} {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]ddb.AttributeValue{
			"pk": &ddb.AttributeValueMemberS{Value: "customer#1"}, "sk": &ddb.AttributeValueMemberN{Value: fmt.Sprint(i + 1)},
			"status": &ddb.AttributeValueMemberS{Value: status}, "total": &ddb.AttributeValueMemberN{Value: fmt.Sprint(10 * (i + 1))},
			"lines": &ddb.AttributeValueMemberL{Value: []ddb.AttributeValue{&ddb.AttributeValueMemberM{Value: map[string]ddb.AttributeValue{
				"sku": &ddb.AttributeValueMemberS{Value: "sku-" + fmt.Sprint(i)}, "gift": &ddb.AttributeValueMemberBOOL{Value: i == 1}}}}},
			"blob": &ddb.AttributeValueMemberB{Value: []byte{0xde, 0xad, byte(i)}},
		}}); err != nil {
			return err
		}
	}
	if _, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("orders"),
		TimeToLiveSpecification: &ddb.TimeToLiveSpecification{AttributeName: aws.String("expires"), Enabled: aws.Bool(true)}}); err != nil {
		return err
	}
	if _, err := db.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String("orders"),
		PointInTimeRecoverySpecification: &ddb.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}}); err != nil {
		return err
	}
	sm := secretsmanager.NewFromConfig(cfg)
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("app/db"), SecretString: aws.String(`{"password":"one"}`), Description: aws.String("database"),
		ClientRequestToken: aws.String("11111111-1111-4111-8111-111111111111"),
	}); err != nil {
		return err
	}
	if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String("app/db"), SecretString: aws.String(`{"password":"two"}`),
		ClientRequestToken: aws.String("22222222-2222-4222-8222-222222222222"),
	}); err != nil {
		return err
	}
	q := sqs.NewFromConfig(cfg)
	dlq, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders-dlq")})
	if err != nil {
		return err
	}
	_ = dlq
	main, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders"), Attributes: map[string]string{
		"VisibilityTimeout": "60",
		"RedrivePolicy":     `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:orders-dlq","maxReceiveCount":"3"}`,
	}, Tags: map[string]string{"team": "shop"}})
	if err != nil {
		return err
	}
	for i, body := range []string{"first", "second"} {
		if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: main.QueueUrl, MessageBody: aws.String(body),
			MessageAttributes: map[string]sqstypes.MessageAttributeValue{"n": {DataType: aws.String("Number"), StringValue: aws.String(fmt.Sprint(i + 1))}}}); err != nil {
			return err
		}
	}
	if _, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: main.QueueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 600}); err != nil {
		return err
	}
	if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: main.QueueUrl, MessageBody: aws.String("later"), DelaySeconds: 900}); err != nil {
		return err
	}
	ns := sns.NewFromConfig(cfg)
	topic, err := ns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("events"), Attributes: map[string]string{"DisplayName": "Events"}})
	if err != nil {
		return err
	}
	if _, err := ns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint:   aws.String("arn:aws:sqs:us-east-1:000000000000:orders"),
		Attributes: map[string]string{"RawMessageDelivery": "true", "FilterPolicy": `{"kind":["order"]}`}}); err != nil {
		return err
	}
	return nil
}
