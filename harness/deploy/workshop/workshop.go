// Package workshop deploys the workshop flow's Go path through the AWS
// APIs: the lab's four architectures and its dashboard (fixtures/workshop)
// with the Go functions of handlers/workshop, under names of their own
// ("workshop-go-…", "WorkshopGo…") so that the lab's scripts can run on the
// same cloud. Deploy is idempotent. It must not import harness/emulator.
package workshop

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundstack/groundstack/harness/deploy"
)

// Defaults of Options.
const (
	DefaultName  = "workshop-go"
	HandlerPkg   = "handlers/workshop/functions"
	Stage        = "prod"
	EmailAddress = "alumno@example.com"
	// UploadsPrefix is where an upload to the originals bucket triggers
	// the image function.
	UploadsPrefix = "uploads/"
)

// Options tune a deployment; the zero value is the demo.
type Options struct {
	// Name prefixes every resource (default "workshop-go").
	Name string
}

// Stack is what a deployment made.
type Stack struct {
	Endpoint         string `json:"endpoint"`
	OriginalsBucket  string `json:"originals_bucket"`
	ProcessedBucket  string `json:"processed_bucket"`
	ThumbnailsBucket string `json:"thumbnails_bucket"`
	LogsBucket       string `json:"logs_bucket"`
	ImagesTable      string `json:"images_table"`
	LogsTable        string `json:"logs_table"`
	HistoryTable     string `json:"history_table"`
	QueueURL         string `json:"queue_url"`
	QueueARN         string `json:"queue_arn"`
	TopicARN         string `json:"topic_arn"`
	// Functions by role: image, logs, notify, router, dashboard.
	Functions map[string]string `json:"functions"`
	APIID     string            `json:"api_id"`
	// APIURL is the prod stage's base URL that needs no DNS; APIHostURL
	// is the execute-api host form.
	APIURL     string `json:"api_url"`
	APIHostURL string `json:"api_host_url"`
	// S3Trigger and QueueTrigger say whether the S3 notification and the
	// event source mapping could be made; when not, TriggerNotes says why
	// (a cloud without those features still gets the rest).
	S3Trigger    bool             `json:"s3_trigger"`
	QueueTrigger bool             `json:"queue_trigger"`
	TriggerNotes []string         `json:"trigger_notes,omitempty"`
	Timings      map[string]int64 `json:"timings_ms"`
}

// Roles are the five functions, by the handler setting that selects them.
var Roles = []string{"image", "logs", "notify", "router", "dashboard"}

// Names is the stack a deployment named name makes, before it is made.
func Names(name string) Stack {
	table := deploy.TableCase(name)
	st := Stack{
		OriginalsBucket: name + "-originals", ProcessedBucket: name + "-processed",
		ThumbnailsBucket: name + "-thumbnails", LogsBucket: name + "-logs",
		ImagesTable: table + "ImageMetadata", LogsTable: table + "LogIndex", HistoryTable: table + "NotificationHistory",
		Functions: map[string]string{}, Timings: map[string]int64{},
	}
	for _, r := range Roles {
		st.Functions[r] = name + "-" + r
	}
	return st
}

func (st Stack) queueName(name string) string { return name + "-notifications-queue" }
func (st Stack) topicName(name string) string { return name + "-notifications" }

// environment is the functions' settings: the variables the lab's Python
// functions read too (handlers/workshop/lab.SettingsFromEnv).
func (st Stack) environment(name string) map[string]string {
	return map[string]string{
		"PROCESSED_BUCKET": st.ProcessedBucket, "THUMBNAILS_BUCKET": st.ThumbnailsBucket, "IMAGES_TABLE": st.ImagesTable,
		"LOGS_BUCKET": st.LogsBucket, "LOGS_TABLE": st.LogsTable,
		"TOPIC_NAME": st.topicName(name), "HISTORY_TABLE": st.HistoryTable,
		"NOTIFY_FUNCTION": st.Functions["notify"], "FILES_BUCKET": st.ProcessedBucket,
		"TABLES":  strings.Join([]string{st.ImagesTable, st.LogsTable, st.HistoryTable}, ","),
		"BUCKETS": strings.Join([]string{st.OriginalsBucket, st.ProcessedBucket, st.ThumbnailsBucket, st.LogsBucket}, ","),
	}
}

// Deploy creates or updates the flow on the cloud cfg points at.
func Deploy(ctx context.Context, cfg aws.Config, opts Options) (Stack, error) {
	if opts.Name == "" {
		opts.Name = DefaultName
	}
	name := opts.Name
	st := Names(name)
	st.Endpoint = aws.ToString(cfg.BaseEndpoint)
	var zip, sha, role string
	steps := []struct {
		name string
		f    func() error
	}{
		{"build handler", func() (err error) { zip, sha, err = deploy.BuildFlowHandler(ctx, HandlerPkg); return err }},
		{"buckets", func() error {
			return deploy.EnsureBuckets(ctx, cfg, st.OriginalsBucket, st.ProcessedBucket, st.ThumbnailsBucket, st.LogsBucket)
		}},
		{"tables", func() error { return deploy.EnsureTables(ctx, cfg, tableSpecs(st)) }},
		{"queue and topic", func() (err error) { return ensureMessaging(ctx, cfg, &st, name) }},
		{"role", func() (err error) { role, err = ensureRole(ctx, cfg, name, st); return err }},
		{"functions", func() error {
			for _, r := range Roles {
				if _, err := deploy.EnsureFunction(ctx, cfg, deploy.FunctionSpec{
					Name: st.Functions[r], ZipPath: zip, CodeSha256: sha, Role: role, Handler: r, Timeout: 30 * time.Second,
					Description: "workshop (Go): the lab's " + r + " function", Environment: st.environment(name),
				}); err != nil {
					return err
				}
			}
			return nil
		}},
		{"rest api", func() error {
			api, err := deploy.EnsureRestAPI(ctx, cfg, deploy.RestAPISpec{
				Name: name, Description: "workshop flow (Go): the API router", Stage: Stage,
				Routes: []deploy.Route{{Path: "/{proxy+}", Method: "ANY", Function: st.Functions["router"]}},
			})
			st.APIID, st.APIURL, st.APIHostURL = api.ID, api.URL, api.URLs.Host
			return err
		}},
		{"s3 trigger", func() error {
			if err := ensureS3Trigger(ctx, cfg, st); err != nil {
				st.TriggerNotes = append(st.TriggerNotes, "S3 notifications ("+deploy.Brief(err)+")")
				return nil
			}
			st.S3Trigger = true
			return nil
		}},
		{"queue trigger", func() error {
			if err := deploy.EnsureQueueTrigger(ctx, cfg, st.Functions["notify"], st.QueueARN, 10); err != nil {
				st.TriggerNotes = append(st.TriggerNotes, "SQS event source mappings ("+deploy.Brief(err)+")")
				return nil
			}
			st.QueueTrigger = true
			return nil
		}},
	}
	for _, s := range steps {
		start := time.Now()
		err := s.f()
		st.Timings[s.name] = time.Since(start).Milliseconds()
		if err != nil {
			return st, fmt.Errorf("workshop: %s: %w", s.name, err)
		}
	}
	return st, nil
}

// tableSpecs are the lab's tables, keys and throughput as its scripts
// create them.
func tableSpecs(st Stack) []*dynamodb.CreateTableInput {
	attr := func(n string, t dtypes.ScalarAttributeType) dtypes.AttributeDefinition {
		return dtypes.AttributeDefinition{AttributeName: aws.String(n), AttributeType: t}
	}
	key := func(n string, t dtypes.KeyType) dtypes.KeySchemaElement {
		return dtypes.KeySchemaElement{AttributeName: aws.String(n), KeyType: t}
	}
	tp := &dtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)}
	return []*dynamodb.CreateTableInput{
		{
			TableName:             aws.String(st.ImagesTable),
			AttributeDefinitions:  []dtypes.AttributeDefinition{attr("ImageId", dtypes.ScalarAttributeTypeS), attr("UploadTimestamp", dtypes.ScalarAttributeTypeN)},
			KeySchema:             []dtypes.KeySchemaElement{key("ImageId", dtypes.KeyTypeHash), key("UploadTimestamp", dtypes.KeyTypeRange)},
			ProvisionedThroughput: tp,
		},
		{
			TableName: aws.String(st.LogsTable),
			AttributeDefinitions: []dtypes.AttributeDefinition{attr("LogLevel", dtypes.ScalarAttributeTypeS), attr("Timestamp", dtypes.ScalarAttributeTypeS),
				attr("Service", dtypes.ScalarAttributeTypeS)},
			KeySchema: []dtypes.KeySchemaElement{key("LogLevel", dtypes.KeyTypeHash), key("Timestamp", dtypes.KeyTypeRange)},
			GlobalSecondaryIndexes: []dtypes.GlobalSecondaryIndex{{
				IndexName:             aws.String("ServiceIndex"),
				KeySchema:             []dtypes.KeySchemaElement{key("Service", dtypes.KeyTypeHash), key("Timestamp", dtypes.KeyTypeRange)},
				Projection:            &dtypes.Projection{ProjectionType: dtypes.ProjectionTypeAll},
				ProvisionedThroughput: tp,
			}},
			ProvisionedThroughput: tp,
		},
		{
			TableName:             aws.String(st.HistoryTable),
			AttributeDefinitions:  []dtypes.AttributeDefinition{attr("NotificationId", dtypes.ScalarAttributeTypeS)},
			KeySchema:             []dtypes.KeySchemaElement{key("NotificationId", dtypes.KeyTypeHash)},
			ProvisionedThroughput: tp,
		},
	}
}

// ensureMessaging makes the queue and the topic, and subscribes the queue
// and the email address (SNS answers an existing subscription again).
func ensureMessaging(ctx context.Context, cfg aws.Config, st *Stack, name string) error {
	q := sqs.NewFromConfig(cfg)
	created, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(st.queueName(name))})
	if err != nil {
		return fmt.Errorf("create queue: %w", err)
	}
	st.QueueURL = aws.ToString(created.QueueUrl)
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: created.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		return fmt.Errorf("queue attributes: %w", err)
	}
	st.QueueARN = attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
	n := sns.NewFromConfig(cfg)
	topic, err := n.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(st.topicName(name))})
	if err != nil {
		return fmt.Errorf("create topic: %w", err)
	}
	st.TopicARN = aws.ToString(topic.TopicArn)
	// SNS may send to the queue (on AWS the queue's policy must say so).
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},`+
		`"Action":"sqs:SendMessage","Resource":%q,"Condition":{"ArnEquals":{"aws:SourceArn":%q}}}]}`, st.QueueARN, st.TopicARN)
	if _, err := q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: created.QueueUrl,
		Attributes: map[string]string{string(sqstypes.QueueAttributeNamePolicy): policy}}); err != nil {
		return fmt.Errorf("queue policy: %w", err)
	}
	for protocol, endpoint := range map[string]string{"sqs": st.QueueARN, "email": EmailAddress} {
		if _, err := n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String(protocol), Endpoint: aws.String(endpoint)}); err != nil {
			return fmt.Errorf("subscribe %s: %w", protocol, err)
		}
	}
	return nil
}

// ensureRole is the functions' execution role: the flow's buckets, tables,
// topic and functions, and their own logs.
func ensureRole(ctx context.Context, cfg aws.Config, name string, st Stack) (string, error) {
	return deploy.EnsureExecutionRole(ctx, cfg, name+"-role", "execution role of the workshop flow's functions", "workshop",
		func(p deploy.RoleARNParts) []deploy.Statement {
			arn := func(service, rest string) string {
				return "arn:" + p.Partition + ":" + service + ":" + cfg.Region + ":" + p.Account + ":" + rest
			}
			var buckets, tables, functions, logs []string
			for _, b := range []string{st.OriginalsBucket, st.ProcessedBucket, st.ThumbnailsBucket, st.LogsBucket} {
				buckets = append(buckets, "arn:"+p.Partition+":s3:::"+b, "arn:"+p.Partition+":s3:::"+b+"/*")
			}
			for _, t := range []string{st.ImagesTable, st.LogsTable, st.HistoryTable} {
				tables = append(tables, arn("dynamodb", "table/"+t), arn("dynamodb", "table/"+t+"/index/*"))
			}
			for _, f := range st.Functions {
				functions = append(functions, arn("lambda", "function:"+f))
				logs = append(logs, arn("logs", "log-group:/aws/lambda/"+f+":*"))
			}
			return []deploy.Statement{
				deploy.Allow(buckets, "s3:GetObject", "s3:PutObject", "s3:ListBucket"),
				deploy.Allow(tables, "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:Scan"),
				deploy.Allow([]string{arn("sns", st.topicName(name))}, "sns:CreateTopic", "sns:Publish"),
				deploy.Allow([]string{arn("sqs", st.queueName(name))}, "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
				deploy.Allow(functions, "lambda:InvokeFunction"),
				deploy.Allow([]string{"*"}, "lambda:ListFunctions"),
				deploy.Allow(logs, "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"),
			}
		})
}

// ensureS3Trigger lets S3 invoke the image function for every object
// created under uploads/ in the originals bucket.
func ensureS3Trigger(ctx context.Context, cfg aws.Config, st Stack) error {
	l := lambda.NewFromConfig(cfg)
	fn, err := l.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(st.Functions["image"])})
	if err != nil {
		return err
	}
	_, err = l.AddPermission(ctx, &lambda.AddPermissionInput{
		FunctionName: aws.String(st.Functions["image"]), StatementId: aws.String("s3-invoke"), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String("s3.amazonaws.com"), SourceArn: aws.String("arn:aws:s3:::" + st.OriginalsBucket),
	})
	if err != nil && !deploy.HasCode(err, "ResourceConflictException") {
		return err
	}
	_, err = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(st.OriginalsBucket),
		NotificationConfiguration: &s3types.NotificationConfiguration{LambdaFunctionConfigurations: []s3types.LambdaFunctionConfiguration{{
			Id: aws.String("process-uploads"), LambdaFunctionArn: fn.Configuration.FunctionArn,
			Events: []s3types.Event{"s3:ObjectCreated:*"},
			Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: []s3types.FilterRule{
				{Name: s3types.FilterRuleNamePrefix, Value: aws.String(UploadsPrefix)},
			}}},
		}}},
	})
	return err
}
