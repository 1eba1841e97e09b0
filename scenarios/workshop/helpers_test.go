package workshop_test

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func ddb() *dynamodb.Client { return dynamodb.NewFromConfig(cfg) }
func s3c() *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}
func sqsc() *sqs.Client                { return sqs.NewFromConfig(cfg) }
func snsc() *sns.Client                { return sns.NewFromConfig(cfg) }
func lam() *lambda.Client              { return lambda.NewFromConfig(cfg) }
func s(v string) dtypes.AttributeValue { return &dtypes.AttributeValueMemberS{Value: v} }

// keySchema is a table's key as "Name HASH S, Name RANGE N".
func keySchema(t *dtypes.TableDescription) string {
	types := map[string]string{}
	for _, a := range t.AttributeDefinitions {
		types[aws.ToString(a.AttributeName)] = string(a.AttributeType)
	}
	var parts []string
	for _, k := range t.KeySchema {
		parts = append(parts, aws.ToString(k.AttributeName)+" "+string(k.KeyType)+" "+types[aws.ToString(k.AttributeName)])
	}
	return strings.Join(parts, ", ")
}

// plain is an item's scalar attributes as text.
func plain(item map[string]dtypes.AttributeValue) map[string]string {
	out := map[string]string{}
	for k, v := range item {
		switch v := v.(type) {
		case *dtypes.AttributeValueMemberS:
			out[k] = v.Value
		case *dtypes.AttributeValueMemberN:
			out[k] = v.Value
		default:
			out[k] = fmt.Sprint(v)
		}
	}
	return out
}

// imageItem is the one item of table about originalKey.
func imageItem(ctx context.Context, table, originalKey string) map[string]string {
	GinkgoHelper()
	out, err := ddb().Scan(ctx, &dynamodb.ScanInput{TableName: &table, FilterExpression: aws.String("OriginalKey = :k"),
		ExpressionAttributeValues: map[string]dtypes.AttributeValue{":k": s(originalKey)}})
	Expect(err).NotTo(HaveOccurred())
	Expect(out.Items).To(HaveLen(1), "items of %s about %s", table, originalKey)
	return plain(out.Items[0])
}

func getItem(ctx context.Context, table, key, value string) map[string]string {
	GinkgoHelper()
	out, err := ddb().GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: map[string]dtypes.AttributeValue{key: s(value)}, ConsistentRead: aws.Bool(true)})
	Expect(err).NotTo(HaveOccurred())
	Expect(out.Item).NotTo(BeEmpty(), "%s has no item %s=%s", table, key, value)
	return plain(out.Item)
}

func count(ctx context.Context, table string) int {
	GinkgoHelper()
	out, err := ddb().Scan(ctx, &dynamodb.ScanInput{TableName: &table, Select: dtypes.SelectCount})
	Expect(err).NotTo(HaveOccurred())
	return int(out.Count)
}

type s3Object struct {
	body     []byte
	meta     map[string]string
	encoding string
	ctype    string
}

func object(ctx context.Context, bucket, key string) s3Object {
	GinkgoHelper()
	out, err := s3c().GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	Expect(err).NotTo(HaveOccurred(), "s3://%s/%s", bucket, key)
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	Expect(err).NotTo(HaveOccurred())
	return s3Object{body: b, meta: out.Metadata, encoding: aws.ToString(out.ContentEncoding), ctype: aws.ToString(out.ContentType)}
}

// logOf reads a function's CloudWatch log, for Eventually.
func logOf(ctx context.Context, function string) func() string {
	return func() string {
		out, err := cloudwatchlogs.NewFromConfig(cfg).FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{
			LogGroupName: aws.String("/aws/lambda/" + function)})
		if err != nil {
			return err.Error()
		}
		var lines []string
		for _, e := range out.Events {
			lines = append(lines, aws.ToString(e.Message))
		}
		return strings.Join(lines, "")
	}
}

// keysOf is a JSON object's keys, sorted.
func keysOf(m map[string]any) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	sort.Strings(k)
	return k
}
