package logs_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

const (
	cfArn     = "arn:aws:cloudfront::000000000000:distribution/E1ABCDEF"
	bucketArn = "arn:aws:s3:::delivery-bucket"
)

func TestDeliveries(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	src := must(c.PutDeliverySource(ctx, &cwl.PutDeliverySourceInput{Name: aws.String("cf"), ResourceArn: aws.String(cfArn),
		LogType: aws.String("ACCESS_LOGS"), Tags: map[string]string{"team": "web"}})).ok(t).DeliverySource
	if *src.Arn != "arn:aws:logs:us-east-1:000000000000:delivery-source:cf" || *src.Service != "cloudfront" || src.ResourceArns[0] != cfArn {
		t.Fatalf("source %+v", src)
	}
	// updating keeps the resource; tags only on creation; the log type must be the service's
	_, err := c.PutDeliverySource(ctx, &cwl.PutDeliverySourceInput{Name: aws.String("cf"), ResourceArn: aws.String(cfArn + "X"), LogType: aws.String("ACCESS_LOGS")})
	wantCode(t, err, "ConflictException", "Update to existing Delivery Source with new ResourceId is not allowed. Please create a new Delivery Source instead.")
	_, err = c.PutDeliverySource(ctx, &cwl.PutDeliverySourceInput{Name: aws.String("cf"), ResourceArn: aws.String(cfArn), LogType: aws.String("ACCESS_LOGS"), Tags: map[string]string{"a": "b"}})
	wantCode(t, err, "ConflictException", "Tags can only be provided when a resource is being created, not updated.")
	_, err = c.PutDeliverySource(ctx, &cwl.PutDeliverySourceInput{Name: aws.String("cf2"), ResourceArn: aws.String(cfArn), LogType: aws.String("EVENT_LOGS")})
	wantCode(t, err, "ValidationException", "This service is not allowed for this LogSource.")
	_, err = c.GetDeliverySource(ctx, &cwl.GetDeliverySourceInput{Name: aws.String("nope")})
	wantCode(t, err, "ResourceNotFoundException", "Requested Delivery Source does not exist in this account.")

	// destinations: the type comes from the resource ARN; the format cannot change
	dest := must(c.PutDeliveryDestination(ctx, &cwl.PutDeliveryDestinationInput{Name: aws.String("bucket"), OutputFormat: types.OutputFormatW3c,
		DeliveryDestinationConfiguration: &types.DeliveryDestinationConfiguration{DestinationResourceArn: aws.String(bucketArn)}})).ok(t).DeliveryDestination
	if dest.DeliveryDestinationType != types.DeliveryDestinationTypeS3 || dest.OutputFormat != types.OutputFormatW3c || *dest.DeliveryDestinationConfiguration.DestinationResourceArn != bucketArn {
		t.Fatalf("destination %+v", dest)
	}
	_, err = c.PutDeliveryDestination(ctx, &cwl.PutDeliveryDestinationInput{Name: aws.String("bucket"), OutputFormat: types.OutputFormatJson,
		DeliveryDestinationConfiguration: &types.DeliveryDestinationConfiguration{DestinationResourceArn: aws.String(bucketArn)}})
	wantCode(t, err, "ValidationException", "Update to existing Delivery Destination with new Output Format is not allowed. Please create a new Delivery Destination instead.")
	mkGroup(t, c, "/vended/cf")
	cwlDest := must(c.PutDeliveryDestination(ctx, &cwl.PutDeliveryDestinationInput{Name: aws.String("group"),
		DeliveryDestinationConfiguration: &types.DeliveryDestinationConfiguration{DestinationResourceArn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:/vended/cf")}})).ok(t).DeliveryDestination
	if cwlDest.DeliveryDestinationType != types.DeliveryDestinationTypeCwl {
		t.Fatalf("type %s", cwlDest.DeliveryDestinationType)
	}

	// destination policy
	_, err = c.GetDeliveryDestinationPolicy(ctx, &cwl.GetDeliveryDestinationPolicyInput{DeliveryDestinationName: aws.String("nope")})
	wantCode(t, err, "ResourceNotFoundException", "Requested Delivery Destination does not exist in this account.")
	pol := `{"Version":"2012-10-17","Statement":[]}`
	must(c.PutDeliveryDestinationPolicy(ctx, &cwl.PutDeliveryDestinationPolicyInput{DeliveryDestinationName: aws.String("bucket"), DeliveryDestinationPolicy: aws.String(pol)})).ok(t)
	if got := must(c.GetDeliveryDestinationPolicy(ctx, &cwl.GetDeliveryDestinationPolicyInput{DeliveryDestinationName: aws.String("bucket")})).ok(t); *got.Policy.DeliveryDestinationPolicy != pol {
		t.Fatalf("policy %v", got.Policy)
	}
	must(c.DeleteDeliveryDestinationPolicy(ctx, &cwl.DeleteDeliveryDestinationPolicyInput{DeliveryDestinationName: aws.String("bucket")})).ok(t)

	// deliveries: one per source and destination type
	del := must(c.CreateDelivery(ctx, &cwl.CreateDeliveryInput{DeliverySourceName: aws.String("cf"), DeliveryDestinationArn: dest.Arn,
		RecordFields: []string{"date", "time"}, S3DeliveryConfiguration: &types.S3DeliveryConfiguration{SuffixPath: aws.String("p/{yyyy}")}})).ok(t).Delivery
	if del.DeliveryDestinationType != types.DeliveryDestinationTypeS3 || *del.Arn != "arn:aws:logs:us-east-1:000000000000:delivery:"+*del.Id {
		t.Fatalf("delivery %+v", del)
	}
	_, err = c.CreateDelivery(ctx, &cwl.CreateDeliveryInput{DeliverySourceName: aws.String("cf"), DeliveryDestinationArn: dest.Arn})
	wantCode(t, err, "ConflictException", "The specified Delivery already exists")
	_, err = c.CreateDelivery(ctx, &cwl.CreateDeliveryInput{DeliverySourceName: aws.String("nope"), DeliveryDestinationArn: dest.Arn})
	wantCode(t, err, "ResourceNotFoundException", "Requested Delivery Source does not exist in this account.")
	_, err = c.CreateDelivery(ctx, &cwl.CreateDeliveryInput{DeliverySourceName: aws.String("cf"), DeliveryDestinationArn: aws.String("arn:aws:logs:us-east-1:000000000000:delivery-destination:nope")})
	wantCode(t, err, "ResourceNotFoundException", "Requested Delivery Destination does not exist in this account.")
	del2 := must(c.CreateDelivery(ctx, &cwl.CreateDeliveryInput{DeliverySourceName: aws.String("cf"), DeliveryDestinationArn: cwlDest.Arn})).ok(t).Delivery

	must(c.UpdateDeliveryConfiguration(ctx, &cwl.UpdateDeliveryConfigurationInput{Id: del.Id, RecordFields: []string{"date"}})).ok(t)
	got := must(c.GetDelivery(ctx, &cwl.GetDeliveryInput{Id: del.Id})).ok(t).Delivery
	if strings.Join(got.RecordFields, ",") != "date" || *got.S3DeliveryConfiguration.SuffixPath != "p/{yyyy}" {
		t.Fatalf("updated delivery %+v", got)
	}

	// paging through the deliveries one at a time
	var ids []string
	p := cwl.NewDescribeDeliveriesPaginator(c, &cwl.DescribeDeliveriesInput{Limit: aws.Int32(1)})
	for p.HasMorePages() {
		for _, d := range must(p.NextPage(ctx)).ok(t).Deliveries {
			ids = append(ids, *d.Id)
		}
	}
	if len(ids) != 2 {
		t.Fatalf("deliveries %v", ids)
	}

	// a source or destination in use cannot go
	_, err = c.DeleteDeliverySource(ctx, &cwl.DeleteDeliverySourceInput{Name: aws.String("cf")})
	wantCode(t, err, "ConflictException", "")
	_, err = c.DeleteDeliveryDestination(ctx, &cwl.DeleteDeliveryDestinationInput{Name: aws.String("bucket")})
	wantCode(t, err, "ConflictException", "")

	// tags by ARN
	must(c.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: del.Arn, Tags: map[string]string{"k": "v"}})).ok(t)
	tags := must(c.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: src.Arn})).ok(t).Tags
	if tags["team"] != "web" {
		t.Fatalf("source tags %v", tags)
	}
	must(c.UntagResource(ctx, &cwl.UntagResourceInput{ResourceArn: del.Arn, TagKeys: []string{"k"}})).ok(t)
	if tags := must(c.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: del.Arn})).ok(t).Tags; len(tags) != 0 {
		t.Fatalf("delivery tags %v", tags)
	}
	_, err = c.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:logs:us-east-1:000000000000:delivery:nope")})
	wantCode(t, err, "ResourceNotFoundException", "The specified resource does not exist.")

	for _, id := range []*string{del.Id, del2.Id} {
		must(c.DeleteDelivery(ctx, &cwl.DeleteDeliveryInput{Id: id})).ok(t)
	}
	_, err = c.GetDelivery(ctx, &cwl.GetDeliveryInput{Id: del.Id})
	wantCode(t, err, "ResourceNotFoundException", "Requested Delivery does not exist in this account.")
	must(c.DeleteDeliverySource(ctx, &cwl.DeleteDeliverySourceInput{Name: aws.String("cf")})).ok(t)
	must(c.DeleteDeliveryDestination(ctx, &cwl.DeleteDeliveryDestinationInput{Name: aws.String("bucket")})).ok(t)
	if n := len(must(c.DescribeDeliverySources(ctx, &cwl.DescribeDeliverySourcesInput{})).ok(t).DeliverySources); n != 0 {
		t.Fatalf("%d sources left", n)
	}
	if n := len(must(c.DescribeDeliveryDestinations(ctx, &cwl.DescribeDeliveryDestinationsInput{})).ok(t).DeliveryDestinations); n != 1 {
		t.Fatalf("%d destinations left", n)
	}

	// configuration templates, filtered
	tpl := must(c.DescribeConfigurationTemplates(ctx, &cwl.DescribeConfigurationTemplatesInput{Service: aws.String("cloudfront"),
		DeliveryDestinationTypes: []types.DeliveryDestinationType{types.DeliveryDestinationTypeS3}})).ok(t).ConfigurationTemplates
	if len(tpl) != 1 || *tpl[0].LogType != "ACCESS_LOGS" || tpl[0].DefaultDeliveryConfigValues.S3DeliveryConfiguration == nil {
		t.Fatalf("templates %+v", tpl)
	}
}

// TestDeliveryCLI sets up a source → destination → delivery chain with the aws CLI.
func TestDeliveryCLI(t *testing.T) {
	t.Parallel()
	e, _ := client(t)
	run := func(args ...string) map[string]any {
		t.Helper()
		stdout, stderr, code := emutest.CLI(t, e.URL(), append([]string{"logs"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: %d %s", args, code, stderr)
		}
		var out map[string]any
		if strings.TrimSpace(stdout) != "" {
			if err := json.Unmarshal([]byte(stdout), &out); err != nil {
				t.Fatalf("%v: %v in %s", args, err, stdout)
			}
		}
		return out
	}
	run("put-delivery-source", "--name", "cli-src", "--resource-arn", cfArn, "--log-type", "ACCESS_LOGS")
	dest := run("put-delivery-destination", "--name", "cli-dest", "--delivery-destination-configuration", "destinationResourceArn="+bucketArn)
	arn := dest["deliveryDestination"].(map[string]any)["arn"].(string)
	del := run("create-delivery", "--delivery-source-name", "cli-src", "--delivery-destination-arn", arn)
	id := del["delivery"].(map[string]any)["id"].(string)
	list := run("describe-deliveries")
	if ds := list["deliveries"].([]any); len(ds) != 1 || ds[0].(map[string]any)["id"] != id {
		t.Fatalf("deliveries %v", list)
	}
	_, stderr, code := emutest.CLI(t, e.URL(), "logs", "delete-delivery-source", "--name", "cli-src")
	if code == 0 || !strings.Contains(stderr, "ConflictException") {
		t.Fatalf("delete in use: %d %s", code, stderr)
	}
	run("delete-delivery", "--id", id)
	run("delete-delivery-source", "--name", "cli-src")
	run("delete-delivery-destination", "--name", "cli-dest")
}

func TestAnomalyDetectors(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	mkGroup(t, c, "/ad/app")
	groupArn := "arn:aws:logs:us-east-1:000000000000:log-group:/ad/app"
	_, err := c.CreateLogAnomalyDetector(ctx, &cwl.CreateLogAnomalyDetectorInput{LogGroupArnList: []string{"arn:aws:logs:us-east-1:000000000000:log-group:/ad/none"}})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	arn := must(c.CreateLogAnomalyDetector(ctx, &cwl.CreateLogAnomalyDetectorInput{LogGroupArnList: []string{groupArn}, DetectorName: aws.String("d1"),
		EvaluationFrequency: types.EvaluationFrequencyFiveMin, Tags: map[string]string{"a": "b"}})).ok(t).AnomalyDetectorArn
	if !strings.HasPrefix(*arn, "arn:aws:logs:us-east-1:000000000000:anomaly-detector:") {
		t.Fatalf("arn %s", *arn)
	}
	d := must(c.GetLogAnomalyDetector(ctx, &cwl.GetLogAnomalyDetectorInput{AnomalyDetectorArn: arn})).ok(t)
	if *d.DetectorName != "d1" || d.EvaluationFrequency != types.EvaluationFrequencyFiveMin || *d.AnomalyVisibilityTime != 21 {
		t.Fatalf("detector %+v", d)
	}
	must(c.UpdateLogAnomalyDetector(ctx, &cwl.UpdateLogAnomalyDetectorInput{AnomalyDetectorArn: arn, Enabled: aws.Bool(false), AnomalyVisibilityTime: aws.Int64(30)})).ok(t)
	d = must(c.GetLogAnomalyDetector(ctx, &cwl.GetLogAnomalyDetectorInput{AnomalyDetectorArn: arn})).ok(t)
	if d.AnomalyDetectorStatus != types.AnomalyDetectorStatusPaused || *d.AnomalyVisibilityTime != 30 {
		t.Fatalf("updated %+v", d)
	}
	list := must(c.ListLogAnomalyDetectors(ctx, &cwl.ListLogAnomalyDetectorsInput{FilterLogGroupArn: aws.String(groupArn)})).ok(t).AnomalyDetectors
	if len(list) != 1 || *list[0].AnomalyDetectorArn != *arn {
		t.Fatalf("list %+v", list)
	}
	if tags := must(c.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: arn})).ok(t).Tags; tags["a"] != "b" {
		t.Fatalf("tags %v", tags)
	}
	if an := must(c.ListAnomalies(ctx, &cwl.ListAnomaliesInput{AnomalyDetectorArn: arn})).ok(t).Anomalies; len(an) != 0 {
		t.Fatalf("anomalies %v", an)
	}
	_, err = c.UpdateAnomaly(ctx, &cwl.UpdateAnomalyInput{AnomalyDetectorArn: arn})
	wantCode(t, err, "InvalidParameterException", "Either anomalyId or patternId must be specified.")
	_, err = c.UpdateAnomaly(ctx, &cwl.UpdateAnomalyInput{AnomalyDetectorArn: arn, PatternId: aws.String(strings.Repeat("a", 32)), Baseline: aws.Bool(true)})
	wantCode(t, err, "ResourceNotFoundException", "The specified pattern does not exist.")
	must(c.DeleteLogAnomalyDetector(ctx, &cwl.DeleteLogAnomalyDetectorInput{AnomalyDetectorArn: arn})).ok(t)
	_, err = c.GetLogAnomalyDetector(ctx, &cwl.GetLogAnomalyDetectorInput{AnomalyDetectorArn: arn})
	wantCode(t, err, "ResourceNotFoundException", "The specified anomaly detector does not exist.")
	_, err = c.ListAnomalies(ctx, &cwl.ListAnomaliesInput{AnomalyDetectorArn: arn})
	wantCode(t, err, "ResourceNotFoundException", "The specified anomaly detector does not exist.")
}

func TestIntegrations(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	cfg := &types.ResourceConfigMemberOpenSearchResourceConfig{Value: types.OpenSearchResourceConfig{
		DataSourceRoleArn: aws.String("arn:aws:iam::000000000000:role/os"), DashboardViewerPrincipals: []string{"arn:aws:iam::000000000000:role/viewer"},
		RetentionDays: aws.Int32(7)}}
	out := must(c.PutIntegration(ctx, &cwl.PutIntegrationInput{IntegrationName: aws.String("os1"), IntegrationType: types.IntegrationTypeOpensearch, ResourceConfig: cfg})).ok(t)
	if out.IntegrationStatus != types.IntegrationStatusActive {
		t.Fatalf("status %s", out.IntegrationStatus)
	}
	got := must(c.GetIntegration(ctx, &cwl.GetIntegrationInput{IntegrationName: aws.String("os1")})).ok(t)
	det, ok := got.IntegrationDetails.(*types.IntegrationDetailsMemberOpenSearchIntegrationDetails)
	if !ok || got.IntegrationType != types.IntegrationTypeOpensearch || det.Value.Collection.Status.Status != types.OpenSearchResourceStatusTypeActive {
		t.Fatalf("integration %+v", got)
	}
	if l := must(c.ListIntegrations(ctx, &cwl.ListIntegrationsInput{IntegrationNamePrefix: aws.String("os")})).ok(t).IntegrationSummaries; len(l) != 1 {
		t.Fatalf("list %+v", l)
	}
	must(c.DeleteIntegration(ctx, &cwl.DeleteIntegrationInput{IntegrationName: aws.String("os1")})).ok(t)
	_, err := c.GetIntegration(ctx, &cwl.GetIntegrationInput{IntegrationName: aws.String("os1")})
	wantCode(t, err, "ResourceNotFoundException", "The specified integration does not exist.")
	_, err = c.DeleteIntegration(ctx, &cwl.DeleteIntegrationInput{IntegrationName: aws.String("os1")})
	wantCode(t, err, "ResourceNotFoundException", "The specified integration does not exist.")

	// S3 table integration sources
	integ := aws.String("arn:aws:observabilityadmin:us-east-1:000000000000:s3tableintegration/x")
	id := must(c.AssociateSourceToS3TableIntegration(ctx, &cwl.AssociateSourceToS3TableIntegrationInput{IntegrationArn: integ,
		DataSource: &types.DataSource{Name: aws.String("amazon_vpc"), Type: aws.String("flow")}})).ok(t).Identifier
	srcs := must(c.ListSourcesForS3TableIntegration(ctx, &cwl.ListSourcesForS3TableIntegrationInput{IntegrationArn: integ})).ok(t).Sources
	if len(srcs) != 1 || *srcs[0].Identifier != *id || *srcs[0].DataSource.Name != "amazon_vpc" {
		t.Fatalf("sources %+v", srcs)
	}
	must(c.DisassociateSourceFromS3TableIntegration(ctx, &cwl.DisassociateSourceFromS3TableIntegrationInput{Identifier: id})).ok(t)
	_, err = c.DisassociateSourceFromS3TableIntegration(ctx, &cwl.DisassociateSourceFromS3TableIntegrationInput{Identifier: id})
	wantCode(t, err, "ResourceNotFoundException", "")
}

func TestLookupTables(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	body := "id,name\n1,alice\n2,bob\n"
	out := must(c.CreateLookupTable(ctx, &cwl.CreateLookupTableInput{LookupTableName: aws.String("users"), TableBody: aws.String(body), Description: aws.String("d")})).ok(t)
	if *out.LookupTableArn != "arn:aws:logs:us-east-1:000000000000:lookup-table:users" {
		t.Fatalf("arn %s", *out.LookupTableArn)
	}
	_, err := c.CreateLookupTable(ctx, &cwl.CreateLookupTableInput{LookupTableName: aws.String("users"), TableBody: aws.String(body)})
	wantCode(t, err, "ResourceAlreadyExistsException", "The specified lookup table already exists.")
	_, err = c.CreateLookupTable(ctx, &cwl.CreateLookupTableInput{LookupTableName: aws.String("bad"), TableBody: aws.String("a,a\n1,2\n")})
	wantCode(t, err, "ValidationException", "The header row must name each column once.")
	got := must(c.GetLookupTable(ctx, &cwl.GetLookupTableInput{LookupTableArn: out.LookupTableArn})).ok(t)
	if *got.TableBody != body || *got.SizeBytes != int64(len(body)) || *got.Description != "d" {
		t.Fatalf("table %+v", got)
	}
	must(c.UpdateLookupTable(ctx, &cwl.UpdateLookupTableInput{LookupTableArn: out.LookupTableArn, TableBody: aws.String("id,name,role\n1,a,x\n")})).ok(t)
	must(c.CreateLookupTable(ctx, &cwl.CreateLookupTableInput{LookupTableName: aws.String("users2"), TableBody: aws.String("k\nv\n")})).ok(t)
	list := must(c.DescribeLookupTables(ctx, &cwl.DescribeLookupTablesInput{LookupTableNamePrefix: aws.String("users"), MaxResults: 1})).ok(t)
	if len(list.LookupTables) != 1 || list.NextToken == nil || strings.Join(list.LookupTables[0].TableFields, ",") != "id,name,role" || *list.LookupTables[0].RecordsCount != 1 {
		t.Fatalf("page 1 %+v", list)
	}
	list = must(c.DescribeLookupTables(ctx, &cwl.DescribeLookupTablesInput{NextToken: list.NextToken, MaxResults: 1})).ok(t)
	if len(list.LookupTables) != 1 || *list.LookupTables[0].LookupTableName != "users2" || list.NextToken != nil {
		t.Fatalf("page 2 %+v", list)
	}
	must(c.DeleteLookupTable(ctx, &cwl.DeleteLookupTableInput{LookupTableArn: out.LookupTableArn})).ok(t)
	_, err = c.GetLookupTable(ctx, &cwl.GetLookupTableInput{LookupTableArn: out.LookupTableArn})
	wantCode(t, err, "ResourceNotFoundException", "The specified lookup table does not exist.")
}

func TestScheduledQueries(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	in := &cwl.CreateScheduledQueryInput{Name: aws.String("hourly"), QueryLanguage: types.QueryLanguageCwli, QueryString: aws.String("fields @message"),
		ScheduleExpression: aws.String("rate(1 hour)"), ExecutionRoleArn: aws.String("arn:aws:iam::000000000000:role/q"), LogGroupIdentifiers: []string{"/app"},
		DestinationConfiguration: &types.DestinationConfiguration{S3Configuration: &types.S3Configuration{DestinationIdentifier: aws.String("s3://results-bucket/q"), RoleArn: aws.String("arn:aws:iam::000000000000:role/s3")}}}
	out := must(c.CreateScheduledQuery(ctx, in)).ok(t)
	if out.State != types.ScheduledQueryStateEnabled {
		t.Fatalf("state %s", out.State)
	}
	_, err := c.CreateScheduledQuery(ctx, in)
	wantCode(t, err, "ConflictException", "A scheduled query with this name already exists.")
	bad := *in
	bad.Name, bad.ScheduleExpression = aws.String("bad"), aws.String("every hour")
	_, err = c.CreateScheduledQuery(ctx, &bad)
	wantCode(t, err, "ValidationException", "Invalid schedule expression: every hour")

	got := must(c.GetScheduledQuery(ctx, &cwl.GetScheduledQueryInput{Identifier: out.ScheduledQueryArn})).ok(t)
	if *got.Name != "hourly" || *got.QueryString != "fields @message" || *got.DestinationConfiguration.S3Configuration.DestinationIdentifier != "s3://results-bucket/q" {
		t.Fatalf("query %+v", got)
	}
	up := must(c.UpdateScheduledQuery(ctx, &cwl.UpdateScheduledQueryInput{Identifier: aws.String("hourly"), QueryLanguage: types.QueryLanguageCwli,
		QueryString: aws.String("stats count()"), ScheduleExpression: aws.String("cron(0 * * * ? *)"), ExecutionRoleArn: aws.String("arn:aws:iam::000000000000:role/q"),
		State: types.ScheduledQueryStateDisabled})).ok(t)
	if *up.QueryString != "stats count()" || up.State != types.ScheduledQueryStateDisabled || *up.ScheduledQueryArn != *out.ScheduledQueryArn {
		t.Fatalf("updated %+v", up)
	}
	if l := must(c.ListScheduledQueries(ctx, &cwl.ListScheduledQueriesInput{State: types.ScheduledQueryStateEnabled})).ok(t).ScheduledQueries; len(l) != 0 {
		t.Fatalf("enabled %+v", l)
	}
	if l := must(c.ListScheduledQueries(ctx, &cwl.ListScheduledQueriesInput{})).ok(t).ScheduledQueries; len(l) != 1 || *l[0].Name != "hourly" {
		t.Fatalf("all %+v", l)
	}
	h := must(c.GetScheduledQueryHistory(ctx, &cwl.GetScheduledQueryHistoryInput{Identifier: aws.String("hourly"), StartTime: aws.Int64(0), EndTime: aws.Int64(1)})).ok(t)
	if *h.Name != "hourly" || len(h.TriggerHistory) != 0 {
		t.Fatalf("history %+v", h)
	}
	must(c.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: out.ScheduledQueryArn, Tags: map[string]string{"x": "y"}})).ok(t)
	must(c.DeleteScheduledQuery(ctx, &cwl.DeleteScheduledQueryInput{Identifier: out.ScheduledQueryArn})).ok(t)
	_, err = c.GetScheduledQuery(ctx, &cwl.GetScheduledQueryInput{Identifier: aws.String("hourly")})
	wantCode(t, err, "ResourceNotFoundException", "The specified scheduled query does not exist.")
}

func TestImportTasksAndSummaries(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	_, err := c.CreateImportTask(ctx, &cwl.CreateImportTaskInput{ImportSourceArn: aws.String("arn:aws:s3:::bucket"), ImportRoleArn: aws.String("arn:aws:iam::000000000000:role/r")})
	wantCode(t, err, "InvalidParameterException", "")
	src := "arn:aws:cloudtrail:us-east-1:000000000000:eventdatastore/eds1"
	out := must(c.CreateImportTask(ctx, &cwl.CreateImportTaskInput{ImportSourceArn: aws.String(src), ImportRoleArn: aws.String("arn:aws:iam::000000000000:role/r")})).ok(t)
	if *out.ImportDestinationArn != "arn:aws:logs:us-east-1:000000000000:log-group:aws/cloudtrail/eds1" {
		t.Fatalf("destination %s", *out.ImportDestinationArn)
	}
	// the managed log group exists
	if g := must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("aws/cloudtrail/")})).ok(t).LogGroups; len(g) != 1 {
		t.Fatalf("groups %+v", g)
	}
	tasks := must(c.DescribeImportTasks(ctx, &cwl.DescribeImportTasksInput{ImportSourceArn: aws.String(src)})).ok(t).Imports
	if len(tasks) != 1 || tasks[0].ImportStatus != types.ImportStatusCompleted || *tasks[0].ImportId != *out.ImportId {
		t.Fatalf("tasks %+v", tasks)
	}
	b := must(c.DescribeImportTaskBatches(ctx, &cwl.DescribeImportTaskBatchesInput{ImportId: out.ImportId})).ok(t)
	if *b.ImportSourceArn != src || len(b.ImportBatches) != 0 {
		t.Fatalf("batches %+v", b)
	}
	_, err = c.CancelImportTask(ctx, &cwl.CancelImportTaskInput{ImportId: out.ImportId})
	wantCode(t, err, "InvalidOperationException", "The import task is already completed.")
	_, err = c.DescribeImportTaskBatches(ctx, &cwl.DescribeImportTaskBatchesInput{ImportId: aws.String("nope")})
	wantCode(t, err, "ResourceNotFoundException", "The specified import task does not exist.")

	// bearer tokens need the group
	_, err = c.PutBearerTokenAuthentication(ctx, &cwl.PutBearerTokenAuthenticationInput{LogGroupIdentifier: aws.String("/nope"), BearerTokenAuthenticationEnabled: aws.Bool(true)})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	mkGroup(t, c, "/aws/lambda/fn1")
	mkGroup(t, c, "/aws/lambda/fn2")
	mkGroup(t, c, "/custom/app")
	must(c.PutBearerTokenAuthentication(ctx, &cwl.PutBearerTokenAuthenticationInput{LogGroupIdentifier: aws.String("/custom/app"), BearerTokenAuthenticationEnabled: aws.Bool(true)})).ok(t)

	sums := must(c.ListAggregateLogGroupSummaries(ctx, &cwl.ListAggregateLogGroupSummariesInput{GroupBy: types.ListAggregateLogGroupSummariesGroupByDataSourceNameAndType})).ok(t).AggregateLogGroupSummaries
	counts := map[string]int32{}
	for _, s := range sums {
		counts[*s.GroupingIdentifiers[0].Value] = *s.LogGroupCount
	}
	if counts["lambda"] != 2 || counts["unknown"] != 1 || counts["cloudtrail"] != 1 || len(counts) != 3 {
		t.Fatalf("summaries %v", counts)
	}
	sums = must(c.ListAggregateLogGroupSummaries(ctx, &cwl.ListAggregateLogGroupSummariesInput{GroupBy: types.ListAggregateLogGroupSummariesGroupByDataSourceNameAndType,
		LogGroupNamePattern: aws.String("^/aws/lambda")})).ok(t).AggregateLogGroupSummaries
	if len(sums) != 1 || *sums[0].LogGroupCount != 2 {
		t.Fatalf("filtered %+v", sums)
	}
}

// TestConfigModelConstraints sends what the SDK would refuse to.
func TestConfigModelConstraints(t *testing.T) {
	t.Parallel()
	e, _ := client(t)
	for _, tc := range []struct{ name, op, body, msg string }{
		{"source without members", "PutDeliverySource", `{}`, "3 validation errors detected: " +
			"Value null at 'name' failed to satisfy constraint: Member must not be null; " +
			"Value null at 'resourceArn' failed to satisfy constraint: Member must not be null; " +
			"Value null at 'logType' failed to satisfy constraint: Member must not be null"},
		{"delivery id pattern", "GetDelivery", `{"id":"a-b"}`,
			"1 validation error detected: Value 'a-b' at 'id' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9A-Za-z]+$"},
		{"visibility time", "CreateLogAnomalyDetector", `{"logGroupArnList":["x"],"anomalyVisibilityTime":6}`,
			"1 validation error detected: Value '6' at 'anomalyVisibilityTime' failed to satisfy constraint: Member must have value greater than or equal to 7"},
		{"lookup table name", "CreateLookupTable", `{"lookupTableName":"a-b","tableBody":"k\n"}`,
			"1 validation error detected: Value 'a-b' at 'lookupTableName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_]+$"},
		{"integration type", "PutIntegration", `{"integrationName":"i","resourceConfig":{},"integrationType":"SPLUNK"}`,
			"1 validation error detected: Value 'SPLUNK' at 'integrationType' failed to satisfy constraint: Member must satisfy enum value set: [OPENSEARCH]"},
		{"history window", "GetScheduledQueryHistory", `{"identifier":"q"}`, "2 validation errors detected: " +
			"Value null at 'startTime' failed to satisfy constraint: Member must not be null; " +
			"Value null at 'endTime' failed to satisfy constraint: Member must not be null"},
		{"group by", "ListAggregateLogGroupSummaries", `{"groupBy":"NONE"}`,
			"1 validation error detected: Value 'NONE' at 'groupBy' failed to satisfy constraint: Member must satisfy enum value set: [DATA_SOURCE_NAME_TYPE_AND_FORMAT, DATA_SOURCE_NAME_AND_TYPE]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, typ, msg := rawCall(t, e.URL(), tc.op, tc.body)
			if status != 400 || typ != "InvalidParameterException" || msg != tc.msg {
				t.Fatalf("got %d %s %q\nwant %q", status, typ, msg, tc.msg)
			}
		})
	}
}
