package lab

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Summary is the dashboard's answer.
type Summary struct {
	Tables      map[string]int `json:"tables"`
	Buckets     map[string]int `json:"buckets"`
	Functions   []string       `json:"functions"`
	GeneratedAt string         `json:"generatedAt"`
	Totals      struct {
		Items     int `json:"items"`
		Objects   int `json:"objects"`
		Functions int `json:"functions"`
	} `json:"totals"`
}

// Dashboard counts the items of each table, the objects of each bucket,
// and lists the functions.
func (l *Lab) Dashboard(ctx context.Context, _ map[string]any) (Summary, error) {
	s := Summary{Tables: map[string]int{}, Buckets: map[string]int{}, Functions: []string{}, GeneratedAt: l.isoNow()}
	for _, t := range l.Settings.DashboardTables {
		n, err := l.countItems(ctx, t)
		if err != nil {
			return Summary{}, err
		}
		s.Tables[t] = n
		s.Totals.Items += n
	}
	for _, b := range l.Settings.DashboardBuckets {
		n, err := l.countObjects(ctx, b)
		if err != nil {
			return Summary{}, err
		}
		s.Buckets[b] = n
		s.Totals.Objects += n
	}
	in := &lambda.ListFunctionsInput{}
	for {
		out, err := l.Lambda.ListFunctions(ctx, in)
		if err != nil {
			return Summary{}, fmt.Errorf("list functions: %w", err)
		}
		for _, f := range out.Functions {
			s.Functions = append(s.Functions, aws.ToString(f.FunctionName))
		}
		if out.NextMarker == nil {
			break
		}
		in.Marker = out.NextMarker
	}
	sort.Strings(s.Functions)
	s.Totals.Functions = len(s.Functions)
	fmt.Printf("dashboard: %d items, %d objects, %d functions\n", s.Totals.Items, s.Totals.Objects, s.Totals.Functions)
	return s, nil
}

func (l *Lab) countItems(ctx context.Context, table string) (int, error) {
	in := &dynamodb.ScanInput{TableName: &table, Select: dtypes.SelectCount}
	total := 0
	for {
		out, err := l.DynamoDB.Scan(ctx, in)
		if err != nil {
			return 0, fmt.Errorf("count %s: %w", table, err)
		}
		total += int(out.Count)
		if len(out.LastEvaluatedKey) == 0 {
			return total, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

func (l *Lab) countObjects(ctx context.Context, bucket string) (int, error) {
	in := &s3.ListObjectsV2Input{Bucket: &bucket}
	total := 0
	for {
		out, err := l.S3.ListObjectsV2(ctx, in)
		if err != nil {
			return 0, fmt.Errorf("count s3://%s: %w", bucket, err)
		}
		total += int(aws.ToInt32(out.KeyCount))
		if !aws.ToBool(out.IsTruncated) {
			return total, nil
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}
