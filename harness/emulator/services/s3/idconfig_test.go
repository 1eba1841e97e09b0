package s3_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestIDConfigurations runs the analytics, metrics, inventory and
// intelligent-tiering configurations (kept by id) against one emulator.
func TestIDConfigurations(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	b := aws.String

	t.Run("analytics", func(t *testing.T) {
		t.Parallel()
		mustCreateBucket(t, c, "idc-analytics")
		cfg := &types.AnalyticsConfiguration{Id: b("a1"), Filter: &types.AnalyticsFilterMemberPrefix{Value: "logs/"},
			StorageClassAnalysis: &types.StorageClassAnalysis{DataExport: &types.StorageClassAnalysisDataExport{
				OutputSchemaVersion: types.StorageClassAnalysisSchemaVersionV1,
				Destination: &types.AnalyticsExportDestination{S3BucketDestination: &types.AnalyticsS3BucketDestination{
					Bucket: b("arn:aws:s3:::idc-analytics"), Format: types.AnalyticsS3ExportFileFormatCsv}}}}}
		_, err := c.GetBucketAnalyticsConfiguration(ctx, &s3.GetBucketAnalyticsConfigurationInput{Bucket: b("idc-analytics"), Id: b("a1")})
		wantAPIError(t, err, "NoSuchConfiguration", 404)
		wantMessage(t, err, "The specified configuration does not exist.")
		if _, err := c.PutBucketAnalyticsConfiguration(ctx, &s3.PutBucketAnalyticsConfigurationInput{Bucket: b("idc-analytics"), Id: b("a1"), AnalyticsConfiguration: cfg}); err != nil {
			t.Fatal(err)
		}
		got, err := c.GetBucketAnalyticsConfiguration(ctx, &s3.GetBucketAnalyticsConfigurationInput{Bucket: b("idc-analytics"), Id: b("a1")})
		if err != nil {
			t.Fatal(err)
		}
		if p, ok := got.AnalyticsConfiguration.Filter.(*types.AnalyticsFilterMemberPrefix); !ok || p.Value != "logs/" ||
			aws.ToString(got.AnalyticsConfiguration.StorageClassAnalysis.DataExport.Destination.S3BucketDestination.Bucket) != "arn:aws:s3:::idc-analytics" {
			t.Errorf("GetBucketAnalyticsConfiguration = %+v", got.AnalyticsConfiguration)
		}
		// The body's Id must be the request's.
		_, err = c.PutBucketAnalyticsConfiguration(ctx, &s3.PutBucketAnalyticsConfigurationInput{Bucket: b("idc-analytics"), Id: b("other"), AnalyticsConfiguration: cfg})
		wantAPIError(t, err, "InvalidArgument", 400)
		// S3's schema has one export schema version.
		cfg2 := *cfg
		cfg2.Id = b("a2")
		cfg2.StorageClassAnalysis = &types.StorageClassAnalysis{DataExport: &types.StorageClassAnalysisDataExport{
			OutputSchemaVersion: "V_2", Destination: cfg.StorageClassAnalysis.DataExport.Destination}}
		_, err = c.PutBucketAnalyticsConfiguration(ctx, &s3.PutBucketAnalyticsConfigurationInput{Bucket: b("idc-analytics"), Id: b("a2"), AnalyticsConfiguration: &cfg2})
		wantAPIError(t, err, "MalformedXML", 400)
		if _, err := c.DeleteBucketAnalyticsConfiguration(ctx, &s3.DeleteBucketAnalyticsConfigurationInput{Bucket: b("idc-analytics"), Id: b("a1")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.DeleteBucketAnalyticsConfiguration(ctx, &s3.DeleteBucketAnalyticsConfigurationInput{Bucket: b("idc-analytics"), Id: b("a1")})
		wantAPIError(t, err, "NoSuchConfiguration", 404)
		_, err = c.PutBucketAnalyticsConfiguration(ctx, &s3.PutBucketAnalyticsConfigurationInput{Bucket: b("idc-missing"), Id: b("a1"), AnalyticsConfiguration: cfg})
		wantAPIError(t, err, "NoSuchBucket", 404)
	})

	t.Run("metrics paging", func(t *testing.T) {
		t.Parallel()
		mustCreateBucket(t, c, "idc-metrics")
		const n = 205
		for i := range n {
			id := fmt.Sprintf("m%03d", i)
			if _, err := c.PutBucketMetricsConfiguration(ctx, &s3.PutBucketMetricsConfigurationInput{Bucket: b("idc-metrics"), Id: b(id),
				MetricsConfiguration: &types.MetricsConfiguration{Id: b(id), Filter: &types.MetricsFilterMemberPrefix{Value: "p"}}}); err != nil {
				t.Fatal(err)
			}
		}
		var ids []string
		var token *string
		pages := 0
		for {
			out, err := c.ListBucketMetricsConfigurations(ctx, &s3.ListBucketMetricsConfigurationsInput{Bucket: b("idc-metrics"), ContinuationToken: token})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			if aws.ToString(out.ContinuationToken) != aws.ToString(token) {
				t.Errorf("ContinuationToken = %q, want the request's %q", aws.ToString(out.ContinuationToken), aws.ToString(token))
			}
			for _, m := range out.MetricsConfigurationList {
				ids = append(ids, aws.ToString(m.Id))
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			token = out.NextContinuationToken
		}
		if pages != 3 || len(ids) != n || ids[0] != "m000" || ids[n-1] != "m204" {
			t.Errorf("%d pages, %d ids (%v…)", pages, len(ids), ids[:3])
		}
		_, err := c.ListBucketMetricsConfigurations(ctx, &s3.ListBucketMetricsConfigurationsInput{Bucket: b("idc-metrics"), ContinuationToken: b("!!")})
		wantAPIError(t, err, "InvalidArgument", 400)
	})

	t.Run("inventory", func(t *testing.T) {
		t.Parallel()
		mustCreateBucket(t, c, "idc-inventory")
		inv := func(id string) *types.InventoryConfiguration {
			return &types.InventoryConfiguration{Id: b(id), IsEnabled: aws.Bool(true), IncludedObjectVersions: types.InventoryIncludedObjectVersionsCurrent,
				Schedule:       &types.InventorySchedule{Frequency: types.InventoryFrequencyDaily},
				OptionalFields: []types.InventoryOptionalField{types.InventoryOptionalFieldSize, types.InventoryOptionalFieldETag},
				Destination: &types.InventoryDestination{S3BucketDestination: &types.InventoryS3BucketDestination{
					Bucket: b("arn:aws:s3:::idc-inventory"), Format: types.InventoryFormatCsv, Prefix: b("inv")}}}
		}
		if _, err := c.PutBucketInventoryConfiguration(ctx, &s3.PutBucketInventoryConfigurationInput{Bucket: b("idc-inventory"), Id: b("i1"), InventoryConfiguration: inv("i1")}); err != nil {
			t.Fatal(err)
		}
		got, err := c.GetBucketInventoryConfiguration(ctx, &s3.GetBucketInventoryConfigurationInput{Bucket: b("idc-inventory"), Id: b("i1")})
		if err != nil || len(got.InventoryConfiguration.OptionalFields) != 2 || got.InventoryConfiguration.Schedule.Frequency != types.InventoryFrequencyDaily {
			t.Fatalf("GetBucketInventoryConfiguration = %+v, %v", got, err)
		}
		bad := inv("i2")
		bad.Schedule.Frequency = "Hourly"
		_, err = c.PutBucketInventoryConfiguration(ctx, &s3.PutBucketInventoryConfigurationInput{Bucket: b("idc-inventory"), Id: b("i2"), InventoryConfiguration: bad})
		wantAPIError(t, err, "MalformedXML", 400)
		long := strings.Repeat("x", 65)
		_, err = c.PutBucketInventoryConfiguration(ctx, &s3.PutBucketInventoryConfigurationInput{Bucket: b("idc-inventory"), Id: b(long), InventoryConfiguration: inv(long)})
		wantAPIError(t, err, "InvalidArgument", 400)
		list, err := c.ListBucketInventoryConfigurations(ctx, &s3.ListBucketInventoryConfigurationsInput{Bucket: b("idc-inventory")})
		if err != nil || len(list.InventoryConfigurationList) != 1 || aws.ToBool(list.IsTruncated) {
			t.Fatalf("ListBucketInventoryConfigurations = %+v, %v", list, err)
		}
	})

	t.Run("intelligent tiering", func(t *testing.T) {
		t.Parallel()
		mustCreateBucket(t, c, "idc-tiering")
		cfg := &types.IntelligentTieringConfiguration{Id: b("t1"), Status: types.IntelligentTieringStatusEnabled,
			Tierings: []types.Tiering{{AccessTier: types.IntelligentTieringAccessTierArchiveAccess, Days: aws.Int32(90)}}}
		if _, err := c.PutBucketIntelligentTieringConfiguration(ctx, &s3.PutBucketIntelligentTieringConfigurationInput{Bucket: b("idc-tiering"), Id: b("t1"), IntelligentTieringConfiguration: cfg}); err != nil {
			t.Fatal(err)
		}
		got, err := c.GetBucketIntelligentTieringConfiguration(ctx, &s3.GetBucketIntelligentTieringConfigurationInput{Bucket: b("idc-tiering"), Id: b("t1")})
		if err != nil || len(got.IntelligentTieringConfiguration.Tierings) != 1 || aws.ToInt32(got.IntelligentTieringConfiguration.Tierings[0].Days) != 90 {
			t.Fatalf("GetBucketIntelligentTieringConfiguration = %+v, %v", got, err)
		}
		list, err := c.ListBucketIntelligentTieringConfigurations(ctx, &s3.ListBucketIntelligentTieringConfigurationsInput{Bucket: b("idc-tiering")})
		if err != nil || len(list.IntelligentTieringConfigurationList) != 1 {
			t.Fatalf("ListBucketIntelligentTieringConfigurations = %+v, %v", list, err)
		}
		_, err = c.PutBucketIntelligentTieringConfiguration(ctx, &s3.PutBucketIntelligentTieringConfigurationInput{Bucket: b("idc-tiering"), Id: b("t2"),
			IntelligentTieringConfiguration: &types.IntelligentTieringConfiguration{Id: b("t2"), Status: types.IntelligentTieringStatusEnabled,
				Tierings: []types.Tiering{{AccessTier: "GLACIER", Days: aws.Int32(90)}}}})
		wantAPIError(t, err, "MalformedXML", 400)
	})

	t.Run("cli", func(t *testing.T) {
		t.Parallel()
		mustCreateBucket(t, c, "idc-cli")
		ep := e.URL()
		cli(t, ep, "s3api", "put-bucket-metrics-configuration", "--bucket", "idc-cli", "--id", "all",
			"--metrics-configuration", `{"Id":"all"}`)
		if out := cli(t, ep, "s3api", "list-bucket-metrics-configurations", "--bucket", "idc-cli"); !strings.Contains(out, `"Id": "all"`) {
			t.Errorf("list-bucket-metrics-configurations: %s", out)
		}
	})
}
