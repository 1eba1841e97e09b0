// Package bondmarket deploys the bondmarket flow through the AWS APIs: the
// Go functions of handlers/bondmarket behind a REST API, its DynamoDB
// tables, the receipts and logs buckets, the jobs queue with its
// dead-letter queue and event source mapping, the MQTT consumers as IoT
// topic rules, and the ops alarm: every function's Errors (AWS/Lambda)
// notifying an SNS topic that an SQS queue subscribes to. Deploy is
// idempotent. It must not import harness/emulator.
package bondmarket

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundstack/groundstack/handlers/bondmarket/market"
	"github.com/groundstack/groundstack/harness/deploy"
)

// Defaults.
const (
	DefaultName = "bondmarket"
	HandlerPkg  = "handlers/bondmarket/functions"
	Stage       = "prod"
	// JobsMaxReceives is how often a job is tried before it goes to the
	// dead-letter queue.
	JobsMaxReceives = 2
	// ReceiptsAccessLogPrefix is where the receipts bucket's S3 server
	// access logs land in the logs bucket.
	ReceiptsAccessLogPrefix = "receipts-access/"
)

// Roles are the functions, by the handler setting that selects them.
var Roles = []string{"api", "requests", "validation", "jobs"}

// Options tune a deployment.
type Options struct {
	// Name prefixes every resource (default "bondmarket").
	Name string
	// PaymentsURL is the card gateway's base URL (harness/payments).
	PaymentsURL string
	// PaymentsTimeout bounds a call to the gateway (default 5 s).
	PaymentsTimeout time.Duration
	// IoTDataEndpoint is where the functions publish (iot-data); empty:
	// the cloud's endpoint (an emulator's edge serves iot-data).
	IoTDataEndpoint string
}

// Stack is what a deployment made.
type Stack struct {
	Endpoint       string `json:"endpoint"`
	FixturesTable  string `json:"fixtures_table"`
	RequestsTable  string `json:"requests_table"`
	UsersTable     string `json:"users_table"`
	MessagesTable  string `json:"messages_table"`
	ReceiptsBucket string `json:"receipts_bucket"`
	LogsBucket     string `json:"logs_bucket"`
	JobsQueueURL   string `json:"jobs_queue_url"`
	JobsQueueARN   string `json:"jobs_queue_arn"`
	JobsDLQURL     string `json:"jobs_dlq_url"`
	AlarmTopicARN  string `json:"alarm_topic_arn"`
	AlarmQueueURL  string `json:"alarm_queue_url"`
	AlarmQueueARN  string `json:"alarm_queue_arn"`
	PaymentsURL    string `json:"payments_url"`
	// Functions by role: api, requests, validation, jobs.
	Functions  map[string]string `json:"functions"`
	APIID      string            `json:"api_id"`
	APIURL     string            `json:"api_url"`
	APIHostURL string            `json:"api_host_url"`
	// TopicRules and Alarms name what was made; when a cloud lacks IoT or
	// CloudWatch, Notes say so and the rest still stands.
	TopicRules []string         `json:"topic_rules"`
	Alarms     []string         `json:"alarms"`
	Notes      []string         `json:"notes,omitempty"`
	Timings    map[string]int64 `json:"timings_ms"`
}

// Names is the stack a deployment named name makes, before it is made.
func Names(name string) Stack {
	t := deploy.TableCase(name)
	st := Stack{
		FixturesTable: t + "Fixtures", RequestsTable: t + "Requests", UsersTable: t + "Users", MessagesTable: t + "Messages",
		ReceiptsBucket: name + "-receipts", LogsBucket: name + "-logs",
		Functions: map[string]string{}, Timings: map[string]int64{},
	}
	for _, r := range Roles {
		st.Functions[r] = name + "-" + r
	}
	return st
}

func jobsQueue(name string) string  { return name + "-jobs" }
func jobsDLQ(name string) string    { return name + "-jobs-dlq" }
func alarmTopic(name string) string { return name + "-alarms" }
func alarmQueue(name string) string { return name + "-alarms" }

// RuleName is a topic rule's name (letters, digits and underscores).
func RuleName(name, consumer string) string {
	return strings.NewReplacer("-", "_", ".", "_").Replace(name) + "_" + consumer
}

// AlarmName is the Errors alarm of a function.
func AlarmName(function string) string { return function + "-errors" }

func (st Stack) environment(opts Options) map[string]string {
	env := map[string]string{
		"FIXTURES_TABLE": st.FixturesTable, "REQUESTS_TABLE": st.RequestsTable, "USERS_TABLE": st.UsersTable,
		"MESSAGES_TABLE": st.MessagesTable, "RECEIPTS_BUCKET": st.ReceiptsBucket, "JOBS_QUEUE_URL": st.JobsQueueURL,
		"PAYMENTS_URL": opts.PaymentsURL,
	}
	if opts.PaymentsTimeout > 0 {
		env["PAYMENTS_TIMEOUT"] = opts.PaymentsTimeout.String()
	}
	if opts.IoTDataEndpoint != "" {
		env["IOT_DATA_ENDPOINT"] = opts.IoTDataEndpoint
	}
	if st.Endpoint != "" {
		// receipts' presigned URLs name the cloud as its users reach it:
		// functions in a container reach it at another address
		env["RECEIPTS_URL_ENDPOINT"] = st.Endpoint
	}
	return env
}

// Deploy creates or updates the flow on the cloud cfg points at.
func Deploy(ctx context.Context, cfg aws.Config, opts Options) (Stack, error) {
	if opts.Name == "" {
		opts.Name = DefaultName
	}
	name := opts.Name
	st := Names(name)
	st.Endpoint = aws.ToString(cfg.BaseEndpoint)
	st.PaymentsURL = opts.PaymentsURL
	var zip, sha, role string
	steps := []struct {
		name string
		f    func() error
	}{
		{"build handler", func() (err error) { zip, sha, err = deploy.BuildFlowHandler(ctx, HandlerPkg); return err }},
		{"buckets", func() error { return ensureBuckets(ctx, cfg, &st) }},
		{"tables", func() error { return deploy.EnsureTables(ctx, cfg, TableSpecs(st)) }},
		{"queues and topic", func() error { return ensureMessaging(ctx, cfg, &st, name) }},
		{"role", func() (err error) { role, err = ensureRole(ctx, cfg, name, st); return err }},
		{"functions", func() error {
			for _, r := range Roles {
				if _, err := deploy.EnsureFunction(ctx, cfg, deploy.FunctionSpec{
					Name: st.Functions[r], ZipPath: zip, CodeSha256: sha, Role: role, Handler: r, Timeout: 15 * time.Second,
					MemoryMB: 256, Description: "bondmarket: the " + r + " function", Environment: st.environment(opts),
				}); err != nil {
					return err
				}
			}
			return nil
		}},
		{"rest api", func() error {
			api, err := deploy.EnsureRestAPI(ctx, cfg, deploy.RestAPISpec{
				Name: name, Description: "bondmarket: bonds on football fixtures", Stage: Stage, CORSOrigin: "*",
				Routes: []deploy.Route{{Path: "/{proxy+}", Method: "ANY", Function: st.Functions["api"]}},
			})
			st.APIID, st.APIURL, st.APIHostURL = api.ID, api.URL, api.URLs.Host
			return err
		}},
		{"jobs trigger", func() error { return deploy.EnsureQueueTrigger(ctx, cfg, st.Functions["jobs"], st.JobsQueueARN, 1) }},
		{"topic rules", func() error {
			if err := ensureTopicRules(ctx, cfg, &st, name); err != nil {
				st.Notes = append(st.Notes, "IoT topic rules ("+deploy.Brief(err)+")")
			}
			return nil
		}},
		{"alarms", func() error {
			if err := ensureAlarms(ctx, cfg, &st); err != nil {
				st.Notes = append(st.Notes, "CloudWatch alarms ("+deploy.Brief(err)+")")
			}
			return nil
		}},
	}
	for _, s := range steps {
		start := time.Now()
		err := s.f()
		st.Timings[s.name] = time.Since(start).Milliseconds()
		if err != nil {
			return st, fmt.Errorf("bondmarket: %s: %w", s.name, err)
		}
	}
	return st, nil
}

func ensureBuckets(ctx context.Context, cfg aws.Config, st *Stack) error {
	if err := deploy.EnsureBuckets(ctx, cfg, st.ReceiptsBucket, st.LogsBucket); err != nil {
		return err
	}
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	// The receipts bucket's access logs go to the logs bucket, as the
	// original's infrastructure code had it; a cloud without server
	// access logging still gets both buckets.
	_, err := c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String(st.ReceiptsBucket),
		BucketLoggingStatus: &s3types.BucketLoggingStatus{LoggingEnabled: &s3types.LoggingEnabled{
			TargetBucket: aws.String(st.LogsBucket), TargetPrefix: aws.String(ReceiptsAccessLogPrefix)}}})
	if err != nil {
		st.Notes = append(st.Notes, "S3 access logging of the receipts bucket ("+deploy.Brief(err)+")")
	}
	return nil
}

// TableSpecs are the flow's tables.
func TableSpecs(st Stack) []*dynamodb.CreateTableInput {
	attr := func(n string) dtypes.AttributeDefinition {
		return dtypes.AttributeDefinition{AttributeName: aws.String(n), AttributeType: dtypes.ScalarAttributeTypeS}
	}
	key := func(n string, t dtypes.KeyType) dtypes.KeySchemaElement {
		return dtypes.KeySchemaElement{AttributeName: aws.String(n), KeyType: t}
	}
	simple := func(table, hash string) *dynamodb.CreateTableInput {
		return &dynamodb.CreateTableInput{TableName: aws.String(table), BillingMode: dtypes.BillingModePayPerRequest,
			AttributeDefinitions: []dtypes.AttributeDefinition{attr(hash)}, KeySchema: []dtypes.KeySchemaElement{key(hash, dtypes.KeyTypeHash)}}
	}
	requests := simple(st.RequestsTable, "request_id")
	requests.AttributeDefinitions = append(requests.AttributeDefinitions, attr("internal"), attr("created_at"))
	requests.GlobalSecondaryIndexes = []dtypes.GlobalSecondaryIndex{{
		IndexName:  aws.String(market.InternalIndex),
		KeySchema:  []dtypes.KeySchemaElement{key("internal", dtypes.KeyTypeHash), key("created_at", dtypes.KeyTypeRange)},
		Projection: &dtypes.Projection{ProjectionType: dtypes.ProjectionTypeAll},
	}}
	return []*dynamodb.CreateTableInput{
		simple(st.FixturesTable, "fixture_id"), requests, simple(st.UsersTable, "user_id"), simple(st.MessagesTable, "message_id"),
	}
}

func queue(ctx context.Context, q *sqs.Client, name string, attrs map[string]string) (url, arn string, err error) {
	out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		return "", "", fmt.Errorf("create queue %s: %w", name, err)
	}
	url = aws.ToString(out.QueueUrl)
	if len(attrs) > 0 {
		if _, err := q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: attrs}); err != nil {
			return "", "", fmt.Errorf("queue %s attributes: %w", name, err)
		}
	}
	got, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		return "", "", fmt.Errorf("queue %s ARN: %w", name, err)
	}
	return url, got.Attributes[string(sqstypes.QueueAttributeNameQueueArn)], nil
}

// ensureMessaging makes the jobs queue (with its dead-letter queue), the
// alarm topic and the queue subscribed to it.
func ensureMessaging(ctx context.Context, cfg aws.Config, st *Stack, name string) error {
	q := sqs.NewFromConfig(cfg)
	dlqURL, dlqARN, err := queue(ctx, q, jobsDLQ(name), nil)
	if err != nil {
		return err
	}
	st.JobsDLQURL = dlqURL
	redrive := fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":%d}`, dlqARN, JobsMaxReceives)
	// the visibility timeout outlasts the worker's 15 s timeout
	st.JobsQueueURL, st.JobsQueueARN, err = queue(ctx, q, jobsQueue(name), map[string]string{
		"RedrivePolicy": redrive, "VisibilityTimeout": "30"})
	if err != nil {
		return err
	}
	n := sns.NewFromConfig(cfg)
	topic, err := n.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(alarmTopic(name))})
	if err != nil {
		return fmt.Errorf("create topic: %w", err)
	}
	st.AlarmTopicARN = aws.ToString(topic.TopicArn)
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},`+
		`"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:*:*:%s","Condition":{"ArnEquals":{"aws:SourceArn":%q}}}]}`, alarmQueue(name), st.AlarmTopicARN)
	if st.AlarmQueueURL, st.AlarmQueueARN, err = queue(ctx, q, alarmQueue(name), map[string]string{"Policy": policy}); err != nil {
		return err
	}
	if _, err := n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: &st.AlarmQueueARN}); err != nil {
		return fmt.Errorf("subscribe the alarm queue: %w", err)
	}
	return nil
}

func ensureRole(ctx context.Context, cfg aws.Config, name string, st Stack) (string, error) {
	return deploy.EnsureExecutionRole(ctx, cfg, name+"-role", "execution role of the bondmarket flow's functions", "bondmarket",
		func(p deploy.RoleARNParts) []deploy.Statement {
			arn := func(service, rest string) string {
				return "arn:" + p.Partition + ":" + service + ":" + cfg.Region + ":" + p.Account + ":" + rest
			}
			var tables, logs []string
			for _, t := range []string{st.FixturesTable, st.RequestsTable, st.UsersTable, st.MessagesTable} {
				tables = append(tables, arn("dynamodb", "table/"+t), arn("dynamodb", "table/"+t+"/index/*"))
			}
			for _, f := range st.Functions {
				logs = append(logs, arn("logs", "log-group:/aws/lambda/"+f+":*"))
			}
			return []deploy.Statement{
				deploy.Allow([]string{"arn:" + p.Partition + ":s3:::" + st.ReceiptsBucket + "/*"}, "s3:GetObject", "s3:PutObject"),
				deploy.Allow(tables, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:Scan",
					"dynamodb:ConditionCheckItem"),
				deploy.Allow([]string{arn("sqs", jobsQueue(name))}, "sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage",
					"sqs:GetQueueAttributes"),
				deploy.Allow([]string{arn("iot", "topic/"+market.TopicRequests), arn("iot", "topic/"+market.TopicValidation)}, "iot:Publish"),
				deploy.Allow(logs, "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"),
			}
		})
}

// Fixtures are the demo fixtures SeedDemo writes (and the suite's
// starting point): a few matches with bonds for sale.
func DemoFixtures() []market.Fixture {
	var fs []market.Fixture
	teams := [][2]string{{"Colo-Colo", "Universidad de Chile"}, {"Universidad Católica", "Cobreloa"}, {"Palestino", "Everton"},
		{"Real Madrid", "Barcelona"}, {"Arsenal", "Chelsea"}}
	for i, t := range teams {
		league := "Primera División"
		if i >= 3 {
			league = "Friendlies"
		}
		fs = append(fs, market.Fixture{FixtureID: strconv.Itoa(1001 + i), LeagueName: league, Round: "Regular Season - " + strconv.Itoa(i+1),
			Date: time.Date(2027, 3, 1+7*i, 20, 0, 0, 0, time.UTC).Format(time.RFC3339), HomeTeam: t[0], AwayTeam: t[1],
			Available: 40, Price: 1000})
	}
	return fs
}

// SeedDemo writes the demo fixtures (overwriting those ids).
func SeedDemo(ctx context.Context, cfg aws.Config, st Stack) error {
	c := dynamodb.NewFromConfig(cfg)
	for _, f := range DemoFixtures() {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.FixturesTable, Item: f.Item()}); err != nil {
			return fmt.Errorf("seed fixture %s: %w", f.FixtureID, err)
		}
	}
	return nil
}
