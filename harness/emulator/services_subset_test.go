package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// TestWithServicesServesOnlyThose: the named services answer, the others
// answer UnknownService (501) as a service groundstack lacks, and both
// health endpoints say so.
func TestWithServicesServesOnlyThose(t *testing.T) {
	t.Parallel()
	e, cfg := emutest.Start(t, emulator.WithServices("s3", "sqs"))
	ctx := context.Background()
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("kept")}); err != nil {
		t.Fatalf("CreateBucket on a served service: %v", err)
	}
	_, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "UnknownService" {
		t.Fatalf("ListTables on a service left out: %v, want UnknownService", err)
	}

	var health struct{ Services []string }
	getJSON(t, e.URL()+"/_groundstack/health", &health)
	if !slices.Equal(health.Services, []string{"s3", "sqs"}) {
		t.Errorf("health services = %v, want [s3 sqs]", health.Services)
	}
	var ls struct{ Services map[string]string }
	getJSON(t, e.URL()+"/_localstack/health", &ls)
	if ls.Services["s3"] != "running" || ls.Services["dynamodb"] != "disabled" {
		t.Errorf("LocalStack health: s3 %q dynamodb %q, want running and disabled", ls.Services["s3"], ls.Services["dynamodb"])
	}
}

func TestWithServicesRefusesUnknownNames(t *testing.T) {
	t.Parallel()
	names := emulator.ServiceNames()
	for _, want := range []string{"s3", "dynamodb", "dynamodbstreams", "iot-data", "lambda"} {
		if !slices.Contains(names, want) {
			t.Errorf("ServiceNames() = %v lacks %s", names, want)
		}
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), `"s4"`) {
			t.Errorf("WithServices(s4) recovered %v, want a panic naming s4", r)
		}
	}()
	emulator.WithServices("s3", "s4")
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
}
