package cloudwatch_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// In strict SigV4 mode the SDK's signed (and gzip-compressed) CBOR
// requests verify, and a wrong secret gets the error AWS answers, in CBOR.
func TestStrictAuth(t *testing.T) {
	t.Parallel()
	const key, secret = "AKIASTRICTCW00000001", "strict-secret-for-cloudwatch-tests"
	_, cfg := emutest.Start(t, emulator.WithStrictAuth(map[string]string{key: secret}), emulator.WithAlarmEvaluation(-1))
	cfg.Credentials = credentials.NewStaticCredentialsProvider(key, secret, "")
	c := cloudwatch.NewFromConfig(cfg)
	if _, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("S"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("m"), Value: aws.Float64(1)}}}); err != nil {
		t.Fatalf("signed put: %v", err)
	}
	if _, err := c.ListMetrics(ctx, &cloudwatch.ListMetricsInput{}); err != nil {
		t.Fatalf("signed list: %v", err)
	}
	bad := cfg.Copy()
	bad.Credentials = credentials.NewStaticCredentialsProvider(key, "wrong", "")
	_, err := cloudwatch.NewFromConfig(bad).ListMetrics(ctx, &cloudwatch.ListMetricsInput{})
	wantErr(t, err, "InvalidSignatureException", 403, "")
}
