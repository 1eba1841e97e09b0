package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Endpoints are the router's routes, listed by its 404 answer.
var Endpoints = []string{"GET /health", "GET /images", "GET /logs?level=LEVEL", "GET /notifications",
	"POST /notifications", "GET /files?bucket=BUCKET", "GET /stats"}

// CORSHeaders are on every answer of the router.
var CORSHeaders = map[string]string{
	"Access-Control-Allow-Origin":  "*",
	"Access-Control-Allow-Methods": "GET,POST,OPTIONS",
	"Access-Control-Allow-Headers": "Content-Type,Authorization",
}

// Route answers an API Gateway proxy request (payload v1) by its path.
func (l *Lab) Route(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	if req.HTTPMethod == "OPTIONS" {
		return events.APIGatewayProxyResponse{StatusCode: 204, Headers: cors(nil)}, nil
	}
	proxy := req.PathParameters["proxy"]
	if proxy == "" {
		proxy = strings.TrimLeft(req.Path, "/")
	}
	routes := map[string]func(context.Context, events.APIGatewayProxyRequest) (int, any, error){
		"health": l.health, "images": l.images, "logs": l.logs, "notifications": l.notifications,
		"files": l.files, "stats": l.stats,
	}
	route, ok := routes[strings.Trim(proxy, "/")]
	fmt.Printf("%s /%s -> %v\n", req.HTTPMethod, proxy, map[bool]string{true: "route", false: "404"}[ok])
	if !ok {
		return answer(404, map[string]any{"error": "no endpoint /" + proxy, "available_endpoints": Endpoints})
	}
	status, body, err := route(ctx, req)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	return answer(status, body)
}

func cors(extra map[string]string) map[string]string {
	h := map[string]string{}
	for k, v := range CORSHeaders {
		h[k] = v
	}
	for k, v := range extra {
		h[k] = v
	}
	return h
}

func answer(status int, body any) (events.APIGatewayProxyResponse, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	return events.APIGatewayProxyResponse{StatusCode: status, Headers: cors(map[string]string{"Content-Type": "application/json"}), Body: string(b)}, nil
}

func (l *Lab) health(ctx context.Context, _ events.APIGatewayProxyRequest) (int, any, error) {
	return 200, map[string]any{"status": "healthy", "service": "api-router", "timestamp": l.isoNow()}, nil
}

func (l *Lab) images(ctx context.Context, _ events.APIGatewayProxyRequest) (int, any, error) {
	items, err := l.scanAll(ctx, l.Settings.ImagesTable)
	if err != nil {
		return 0, nil, err
	}
	sort.Slice(items, func(i, j int) bool { return fmt.Sprint(items[i]["OriginalKey"]) < fmt.Sprint(items[j]["OriginalKey"]) })
	return 200, map[string]any{"count": len(items), "images": items}, nil
}

func (l *Lab) logs(ctx context.Context, req events.APIGatewayProxyRequest) (int, any, error) {
	level := req.QueryStringParameters["level"]
	if level == "" {
		level = "ERROR"
	}
	raw, err := queryAll(ctx, l.DynamoDB, &dynamodb.QueryInput{
		TableName: &l.Settings.LogsTable, KeyConditionExpression: aws.String("#level = :level"),
		ExpressionAttributeNames:  map[string]string{"#level": "LogLevel"},
		ExpressionAttributeValues: map[string]dtypes.AttributeValue{":level": str(level)},
	})
	if err != nil {
		return 0, nil, err
	}
	items := plainItems(raw)
	return 200, map[string]any{"level": level, "count": len(items), "logs": items}, nil
}

func (l *Lab) notifications(ctx context.Context, req events.APIGatewayProxyRequest) (int, any, error) {
	if req.HTTPMethod == "POST" {
		payload := req.Body
		if payload == "" {
			payload = "{}"
		}
		out, err := l.Lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: &l.Settings.NotifyFunction, Payload: []byte(payload)})
		if err != nil {
			return 0, nil, fmt.Errorf("invoke %s: %w", l.Settings.NotifyFunction, err)
		}
		var body any
		if err := json.Unmarshal(out.Payload, &body); err != nil {
			return 0, nil, fmt.Errorf("%s answered no JSON: %w", l.Settings.NotifyFunction, err)
		}
		if out.FunctionError != nil {
			return 502, map[string]any{"error": "the notification function failed", "detail": body}, nil
		}
		return 201, body, nil
	}
	items, err := l.scanAll(ctx, l.Settings.HistoryTable)
	if err != nil {
		return 0, nil, err
	}
	sort.Slice(items, func(i, j int) bool {
		return fmt.Sprint(items[i]["NotificationId"]) < fmt.Sprint(items[j]["NotificationId"])
	})
	return 200, map[string]any{"count": len(items), "notifications": items}, nil
}

func (l *Lab) files(ctx context.Context, req events.APIGatewayProxyRequest) (int, any, error) {
	bucket := req.QueryStringParameters["bucket"]
	if bucket == "" {
		bucket = l.Settings.FilesBucket
	}
	out, err := l.S3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket})
	if err != nil {
		return 0, nil, fmt.Errorf("list s3://%s: %w", bucket, err)
	}
	files := []map[string]any{}
	for _, o := range out.Contents {
		files = append(files, map[string]any{"key": aws.ToString(o.Key), "size": aws.ToInt64(o.Size)})
	}
	return 200, map[string]any{"bucket": bucket, "count": len(files), "files": files}, nil
}

func (l *Lab) stats(ctx context.Context, _ events.APIGatewayProxyRequest) (int, any, error) {
	counts := map[string]any{}
	for name, table := range map[string]string{"images": l.Settings.ImagesTable, "logs": l.Settings.LogsTable, "notifications": l.Settings.HistoryTable} {
		n, err := l.countItems(ctx, table)
		if err != nil {
			return 0, nil, err
		}
		counts[name] = n
	}
	return 200, counts, nil
}

func (l *Lab) scanAll(ctx context.Context, table string) ([]map[string]any, error) {
	in := &dynamodb.ScanInput{TableName: &table}
	var items []map[string]dtypes.AttributeValue
	for {
		out, err := l.DynamoDB.Scan(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", table, err)
		}
		items = append(items, out.Items...)
		if len(out.LastEvaluatedKey) == 0 {
			return plainItems(items), nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// plainItems are DynamoDB items as plain JSON values, as boto3's resource
// layer gives them (numbers as numbers).
func plainItems(items []map[string]dtypes.AttributeValue) []map[string]any {
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		out = append(out, plainMap(it))
	}
	return out
}

func plainMap(m map[string]dtypes.AttributeValue) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = plain(v)
	}
	return out
}

func plain(v dtypes.AttributeValue) any {
	switch v := v.(type) {
	case *dtypes.AttributeValueMemberS:
		return v.Value
	case *dtypes.AttributeValueMemberN:
		return json.Number(v.Value)
	case *dtypes.AttributeValueMemberBOOL:
		return v.Value
	case *dtypes.AttributeValueMemberNULL:
		return nil
	case *dtypes.AttributeValueMemberM:
		return plainMap(v.Value)
	case *dtypes.AttributeValueMemberL:
		out := make([]any, len(v.Value))
		for i, e := range v.Value {
			out[i] = plain(e)
		}
		return out
	case *dtypes.AttributeValueMemberSS:
		return v.Value
	case *dtypes.AttributeValueMemberNS:
		out := make([]json.Number, len(v.Value))
		for i, n := range v.Value {
			out[i] = json.Number(n)
		}
		return out
	case *dtypes.AttributeValueMemberB:
		return v.Value
	default:
		return nil
	}
}
