// Command mkfixture writes fixtures/snapshots/v1.snapshot: an emulator on
// a fixed clock and a counter for ids, seeded through the AWS SDK, saved.
// The file is committed and must not change as the code does: tests load
// it to prove a newer groundstack still reads what this version wrote.
// With -s3 it writes the S3 fixture instead (S3's state v1, added after
// v1.snapshot was written, in a file of its own so that one stays as it
// was).
//
//	go run ./harness/emulator/snapshot/mkfixture fixtures/snapshots/v1.snapshot
//	go run ./harness/emulator/snapshot/mkfixture -s3 fixtures/snapshots/s3-v1.snapshot
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
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
	s3Only := flag.Bool("s3", false, "write the S3 fixture")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: mkfixture [-s3] FILE")
		os.Exit(2)
	}
	seeder := seed
	if *s3Only {
		seeder = seedS3
	}
	if err := run(flag.Arg(0), seeder); err != nil {
		fmt.Fprintln(os.Stderr, "mkfixture:", err)
		os.Exit(1)
	}
}

func run(path string, seed func(context.Context, aws.Config) error) error {
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

// seedS3 makes: a bucket with a website configuration, CORS, tags and
// two objects (one with headers, metadata and tags; one assembled from a
// multipart upload), an upload in progress with one part; a versioned
// bucket with two versions of a key and a delete marker; a bucket with
// object lock and a version under legal hold.
func seedS3(ctx context.Context, cfg aws.Config) error {
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	s := aws.String
	var err error
	do := func(_ any, e error) {
		if err == nil && e != nil {
			err = e
		}
	}
	do(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: s("fixture-site")}))
	do(c.PutObject(ctx, &s3.PutObjectInput{Bucket: s("fixture-site"), Key: s("index.html"), Body: strings.NewReader("<h1>hello</h1>"),
		ContentType: s("text/html"), CacheControl: s("max-age=60"), Metadata: map[string]string{"owner": "fixture"}, Tagging: s("tier=web")}))
	do(c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: s("fixture-site"), WebsiteConfiguration: &s3types.WebsiteConfiguration{
		IndexDocument: &s3types.IndexDocument{Suffix: s("index.html")}}}))
	do(c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: s("fixture-site"), CORSConfiguration: &s3types.CORSConfiguration{
		CORSRules: []s3types.CORSRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"https://example.com"}}}}}))
	do(c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: s("fixture-site"), Tagging: &s3types.Tagging{
		TagSet: []s3types.Tag{{Key: s("team"), Value: s("web")}}}}))
	if err != nil {
		return err
	}
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: s("fixture-site"), Key: s("assembled")})
	if err != nil {
		return err
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: s("fixture-site"), Key: s("assembled"), UploadId: mp.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("one part")})
	if err != nil {
		return err
	}
	do(c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: s("fixture-site"), Key: s("assembled"), UploadId: mp.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}}))
	open, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: s("fixture-site"), Key: s("pending"), ContentType: s("text/plain")})
	if err != nil {
		return err
	}
	do(c.UploadPart(ctx, &s3.UploadPartInput{Bucket: s("fixture-site"), Key: s("pending"), UploadId: open.UploadId,
		PartNumber: aws.Int32(2), Body: strings.NewReader("second part")}))

	do(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: s("fixture-history")}))
	do(c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: s("fixture-history"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}))
	do(c.PutObject(ctx, &s3.PutObjectInput{Bucket: s("fixture-history"), Key: s("k"), Body: strings.NewReader("v1")}))
	do(c.PutObject(ctx, &s3.PutObjectInput{Bucket: s("fixture-history"), Key: s("k"), Body: strings.NewReader("v2")}))
	do(c.PutObject(ctx, &s3.PutObjectInput{Bucket: s("fixture-history"), Key: s("gone"), Body: strings.NewReader("x")}))
	do(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: s("fixture-history"), Key: s("gone")}))

	do(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: s("fixture-locked"), ObjectLockEnabledForBucket: aws.Bool(true)}))
	do(c.PutObject(ctx, &s3.PutObjectInput{Bucket: s("fixture-locked"), Key: s("held"), Body: strings.NewReader("keep")}))
	do(c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: s("fixture-locked"), Key: s("held"),
		LegalHold: &s3types.ObjectLockLegalHold{Status: s3types.ObjectLockLegalHoldStatusOn}}))
	return err
}
