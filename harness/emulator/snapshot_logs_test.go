package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// seedLogs builds CloudWatch Logs state through the SDK: a group with
// retention, tags, two streams of events, a metric filter and a
// subscription filter; a resource policy, a destination and a query
// definition. It returns a GetLogEvents token from the middle of a stream.
func seedLogs(t *testing.T, cfg aws.Config) string {
	t.Helper()
	ctx := context.Background()
	c := cloudwatchlogs.NewFromConfig(cfg)
	g := aws.String("/app/web")
	must(c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: g, Tags: map[string]string{"team": "web"}}))
	must(c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: g, RetentionInDays: aws.Int32(14)}))
	now := time.Now().UnixMilli()
	for _, s := range []string{"a", "b"} {
		must(c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: g, LogStreamName: aws.String(s)}))
		var evs []cwltypes.InputLogEvent
		for i := range 5 {
			evs = append(evs, cwltypes.InputLogEvent{Timestamp: aws.Int64(now - int64(10-i)*1000), Message: aws.String(fmt.Sprintf("%s ERROR %d", s, i))})
		}
		must(c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: g, LogStreamName: aws.String(s), LogEvents: evs}))
	}
	must(c.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: g, FilterName: aws.String("errors"), FilterPattern: aws.String("ERROR"),
		MetricTransformations: []cwltypes.MetricTransformation{{MetricName: aws.String("Errors"), MetricNamespace: aws.String("App"), MetricValue: aws.String("1"),
			DefaultValue: aws.Float64(0)}}}))
	must(c.PutDestination(ctx, &cloudwatchlogs.PutDestinationInput{DestinationName: aws.String("central"),
		TargetArn: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/central"), RoleArn: aws.String("arn:aws:iam::000000000000:role/cwl")}))
	must(c.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: g, FilterName: aws.String("to-central"), FilterPattern: aws.String(""),
		DestinationArn: aws.String("arn:aws:logs:us-east-1:000000000000:destination:central")}))
	must(c.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{PolicyName: aws.String("route53"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"route53.amazonaws.com"},"Action":"logs:PutLogEvents","Resource":"*"}]}`)}))
	must(c.PutQueryDefinition(ctx, &cloudwatchlogs.PutQueryDefinitionInput{Name: aws.String("errors"), QueryString: aws.String("fields @message | filter @message like /ERROR/"),
		LogGroupNames: []string{"/app/web"}}))
	must(c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/app/empty")}))
	page := must(c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: g, LogStreamName: aws.String("a"), StartFromHead: aws.Bool(true), Limit: aws.Int32(2)}))
	return *page.NextForwardToken
}

// observeLogs reads what a client sees of CloudWatch Logs.
func observeLogs(t *testing.T, cfg aws.Config) string {
	t.Helper()
	ctx := context.Background()
	c := cloudwatchlogs.NewFromConfig(cfg)
	var out []string
	add := func(what string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, what+" "+string(b))
	}
	groups := must(c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})).LogGroups
	add("groups", groups)
	for _, g := range groups {
		add("tags", must(c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: g.LogGroupArn})).Tags)
		streams := must(c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: g.LogGroupName})).LogStreams
		add("streams", streams)
		for _, s := range streams {
			ev := must(c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: g.LogGroupName, LogStreamName: s.LogStreamName, StartFromHead: aws.Bool(true)}))
			add("events", []any{ev.Events, ev.NextForwardToken, ev.NextBackwardToken})
		}
		add("metric filters", must(c.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: g.LogGroupName})).MetricFilters)
		add("subscription filters", must(c.DescribeSubscriptionFilters(ctx, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: g.LogGroupName})).SubscriptionFilters)
	}
	add("destinations", must(c.DescribeDestinations(ctx, &cloudwatchlogs.DescribeDestinationsInput{})).Destinations)
	add("resource policies", must(c.DescribeResourcePolicies(ctx, &cloudwatchlogs.DescribeResourcePoliciesInput{})).ResourcePolicies)
	add("query definitions", must(c.DescribeQueryDefinitions(ctx, &cloudwatchlogs.DescribeQueryDefinitionsInput{})).QueryDefinitions)
	return strings.Join(out, "\n")
}

// Log groups, streams and events built through the SDK, saved and loaded
// into a second emulator, read the same through the SDK; a paging token
// from before the save reads on, and new events follow the loaded ones.
func TestSnapshotLogsRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, acfg := emutest.Start(t)
	token := seedLogs(t, acfg)
	file := saveSnapshot(t, a.URL())
	b, bcfg := emutest.Start(t)
	if status, body := snapshotCall(t, b.URL(), "/_groundstack/snapshot/load", file); status != http.StatusOK {
		t.Fatalf("load: %d %s", status, body)
	}
	before, after := observeLogs(t, acfg), observeLogs(t, bcfg)
	if d := lineDiff(before, after); d != "" {
		t.Errorf("observed state differs after load:\n%s", d)
	}
	for _, want := range []string{`"RetentionInDays":14`, `"team":"web"`, `"a ERROR 4"`, `"FilterName":"errors"`, `"DestinationName":"central"`, `"PolicyName":"route53"`, `"FilterName":"to-central"`} {
		if !strings.Contains(after, want) {
			t.Errorf("the loaded state lacks %s:\n%s", want, after)
		}
	}
	c := cloudwatchlogs.NewFromConfig(bcfg)
	rest := must(c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/app/web"), LogStreamName: aws.String("a"), NextToken: &token, StartFromHead: aws.Bool(true)}))
	if len(rest.Events) != 3 || *rest.Events[0].Message != "a ERROR 2" {
		t.Errorf("a token from before the save read %+v", rest.Events)
	}
	must(c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("/app/web"), LogStreamName: aws.String("a"),
		LogEvents: []cwltypes.InputLogEvent{{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String("after the load")}}}))
	all := must(c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/app/web"), LogStreamName: aws.String("a"), StartFromHead: aws.Bool(true)}))
	if n := len(all.Events); n != 6 || *all.Events[5].Message != "after the load" {
		t.Errorf("after a put on the loaded stream: %d events", n)
	}
}
