// Package lab is the workshop flow's logic in Go: the same five functions
// as the lab's Python handlers (fixtures/workshop/functions), answering
// the same JSON for the same input, so the two paths can be compared.
// It imports only the AWS SDK and aws-lambda-go: it deploys to AWS
// unchanged. Its clients are interfaces, so the logic is tested with fakes.
package lab

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// S3 is what the functions use of S3.
type S3 interface {
	HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// DynamoDB is what the functions use of DynamoDB.
type DynamoDB interface {
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// SNS is what the notification function uses of SNS.
type SNS interface {
	CreateTopic(context.Context, *sns.CreateTopicInput, ...func(*sns.Options)) (*sns.CreateTopicOutput, error)
	Publish(context.Context, *sns.PublishInput, ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// Lambda is what the router and the dashboard use of Lambda.
type Lambda interface {
	Invoke(context.Context, *lambda.InvokeInput, ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
	ListFunctions(context.Context, *lambda.ListFunctionsInput, ...func(*lambda.Options)) (*lambda.ListFunctionsOutput, error)
}

// Settings name the resources, as the Python handlers' environment does;
// the zero value's fields default to the lab scripts' names.
type Settings struct {
	ProcessedBucket, ThumbnailsBucket, ImagesTable string
	LogsBucket, LogsTable                          string
	TopicName, HistoryTable                        string
	NotifyFunction, FilesBucket                    string
	DashboardTables, DashboardBuckets              []string
}

// SettingsFromEnv reads the same variables as the Python handlers.
func SettingsFromEnv(getenv func(string) string) Settings {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	return Settings{
		ProcessedBucket:  get("PROCESSED_BUCKET", "lab-images-processed"),
		ThumbnailsBucket: get("THUMBNAILS_BUCKET", "lab-images-thumbnails"),
		ImagesTable:      get("IMAGES_TABLE", "LabImageMetadata"),
		LogsBucket:       get("LOGS_BUCKET", "lab-logs-archive"),
		LogsTable:        get("LOGS_TABLE", "LabLogIndex"),
		TopicName:        get("TOPIC_NAME", "lab-notifications"),
		HistoryTable:     get("HISTORY_TABLE", "LabNotificationHistory"),
		NotifyFunction:   get("NOTIFY_FUNCTION", "lab-notification-handler"),
		FilesBucket:      get("FILES_BUCKET", "lab-images-processed"),
		DashboardTables:  strings.Split(get("TABLES", "LabImageMetadata,LabLogIndex,LabNotificationHistory"), ","),
		DashboardBuckets: strings.Split(get("BUCKETS", "lab-images-original,lab-images-processed,lab-images-thumbnails,lab-logs-archive"), ","),
	}
}

// Lab holds the clients and settings the five functions share.
type Lab struct {
	S3       S3
	DynamoDB DynamoDB
	SNS      SNS
	Lambda   Lambda
	Settings Settings
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// NewID makes ids for batches and notifications that come without one.
	NewID func() string
}

func (l *Lab) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *Lab) newID() string {
	if l.NewID != nil {
		return l.NewID()
	}
	return time.Now().UTC().Format("20060102T150405.000000000")
}

// isoNow is Python's datetime.now(timezone.utc).isoformat().
func (l *Lab) isoNow() string { return l.now().UTC().Format("2006-01-02T15:04:05.000000+00:00") }

// ErrBadEvent is wrapped by errors about an event the function cannot use.
var ErrBadEvent = errors.New("bad event")
