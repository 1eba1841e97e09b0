package cloudwatch_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func TestDashboards(t *testing.T) {
	t.Parallel()
	c := start(t)
	body := `{"widgets":[{"type":"metric","x":0,"y":0,"width":12,"height":6,"properties":{"metrics":[["Shop","Orders"]],"region":"us-east-1"}}]}`
	for _, n := range []string{"ops-main", "ops-db", "sales"} {
		out, err := c.cw.PutDashboard(ctx, &cloudwatch.PutDashboardInput{DashboardName: aws.String(n), DashboardBody: aws.String(body)})
		if err != nil || len(out.DashboardValidationMessages) != 0 {
			t.Fatalf("put %s: %v %+v", n, err, out)
		}
	}
	g, err := c.cw.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String("ops-db")})
	if err != nil || *g.DashboardBody != body || *g.DashboardArn != "arn:aws:cloudwatch::000000000000:dashboard/ops-db" {
		t.Fatalf("get: %v %+v", err, g)
	}
	l, err := c.cw.ListDashboards(ctx, &cloudwatch.ListDashboardsInput{DashboardNamePrefix: aws.String("ops-")})
	if err != nil || len(l.DashboardEntries) != 2 || *l.DashboardEntries[0].DashboardName != "ops-db" || *l.DashboardEntries[0].Size != int64(len(body)) {
		t.Fatalf("list: %v %+v", err, l)
	}
	_, err = c.cw.PutDashboard(ctx, &cloudwatch.PutDashboardInput{DashboardName: aws.String("bad"), DashboardBody: aws.String(`{"widgets":[{"type":"chart","width":30,"properties":{}}]}`)})
	wantErr(t, err, "InvalidParameterInput", 400, "")
	var invalid *cwtypes.DashboardInvalidInputError
	if !errors.As(err, &invalid) || len(invalid.DashboardValidationMessages) != 2 || *invalid.DashboardValidationMessages[1].DataPath != "/widgets/0/width" {
		t.Fatalf("DashboardValidationMessages: %#v", invalid)
	}
	if !strings.Contains(err.Error(), `"dataPath": "/widgets/0/type"`) || !strings.Contains(err.Error(), `"dataPath": "/widgets/0/width", "message": "Should be <= 24"`) {
		t.Fatalf("validation messages: %v", err)
	}
	_, err = c.cw.PutDashboard(ctx, &cloudwatch.PutDashboardInput{DashboardName: aws.String("bad"), DashboardBody: aws.String(`not json`)})
	wantErr(t, err, "InvalidParameterInput", 400, `The dashboard body is invalid, there are 1 validation errors: [ { "dataPath": "", "message": "Invalid JSON" } ]`)
	_, err = c.cw.PutDashboard(ctx, &cloudwatch.PutDashboardInput{DashboardName: aws.String("a b"), DashboardBody: aws.String(body)})
	wantErr(t, err, "InvalidParameterValue", 400, "The value for field DashboardName contains invalid characters. It can only contain alphanumerics, dash (-) and underscore (_).")
	_, err = c.cw.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String("nope")})
	wantErr(t, err, "ResourceNotFound", 404, "Dashboard nope does not exist")
	_, err = c.cw.DeleteDashboards(ctx, &cloudwatch.DeleteDashboardsInput{DashboardNames: []string{"sales", "nope"}})
	wantErr(t, err, "ResourceNotFound", 404, "The specified dashboard does not exist. [nope]")
	arn := "arn:aws:cloudwatch::000000000000:dashboard/sales"
	if _, err := c.cw.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: aws.String(arn), Tags: []cwtypes.Tag{{Key: aws.String("team"), Value: aws.String("sales")}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Value != "sales" {
		t.Fatalf("tags: %v %+v", err, tags)
	}
	if _, err := c.cw.DeleteDashboards(ctx, &cloudwatch.DeleteDashboardsInput{DashboardNames: []string{"sales"}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.cw.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String("sales")})
	wantErr(t, err, "ResourceNotFound", 404, "")
	_, err = c.cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	wantErr(t, err, "ResourceNotFoundException", 404, "")
}

// subscribedQueue creates a topic with a queue subscribed to it (raw
// delivery: the queue receives the alarm JSON).
func subscribedQueue(t *testing.T, c clients, name string) (topicARN, queueURL string) {
	t.Helper()
	topic, err := c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	q, err := c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	qa, _ := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	if _, err := c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(qa.Attributes["QueueArn"]), Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	return *topic.TopicArn, *q.QueueUrl
}

func receive(t *testing.T, c clients, url string, wait int32) []map[string]any {
	t.Helper()
	msgs, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: wait, MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, m := range msgs.Messages {
		var v map[string]any
		if err := json.Unmarshal([]byte(*m.Body), &v); err != nil {
			t.Fatalf("%v: %s", err, *m.Body)
		}
		out = append(out, v)
		_, _ = c.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
	}
	return out
}

func putChild(t *testing.T, c clients, name string) {
	t.Helper()
	if _, err := c.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("App"),
		MetricName: aws.String(name), Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
		Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, TreatMissingData: aws.String("ignore")}); err != nil {
		t.Fatal(err)
	}
}

func setState(t *testing.T, c clients, name string, s cwtypes.StateValue) {
	t.Helper()
	if _, err := c.cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(name), StateValue: s, StateReason: aws.String("test")}); err != nil {
		t.Fatal(err)
	}
}

func compositeState(t *testing.T, c clients, name string) cwtypes.CompositeAlarm {
	t.Helper()
	d, err := c.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}, AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeCompositeAlarm}})
	if err != nil || len(d.CompositeAlarms) != 1 || len(d.MetricAlarms) != 0 {
		t.Fatalf("describe %s: %v %+v", name, err, d)
	}
	return d.CompositeAlarms[0]
}

func TestCompositeAlarm(t *testing.T) {
	t.Parallel()
	c := start(t)
	topic, queue := subscribedQueue(t, c, "composite")
	for _, n := range []string{"cpu", "mem", "deploying"} {
		putChild(t, c, n)
	}
	_, err := c.cw.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("service"),
		AlarmRule:    aws.String(`(ALARM("cpu") OR ALARM(mem)) AND NOT ALARM(arn:aws:cloudwatch:us-east-1:000000000000:alarm:deploying)`),
		AlarmActions: []string{topic}, OKActions: []string{topic}})
	if err != nil {
		t.Fatal(err)
	}
	// all children INSUFFICIENT_DATA: so is the composite
	if a := compositeState(t, c, "service"); a.StateValue != cwtypes.StateValueInsufficientData {
		t.Fatalf("new composite: %+v", a)
	}
	setState(t, c, "cpu", cwtypes.StateValueAlarm)
	a := compositeState(t, c, "service")
	if a.StateValue != cwtypes.StateValueAlarm || !strings.Contains(*a.StateReason, "alarm:cpu transitioned to ALARM") {
		t.Fatalf("after cpu ALARM: %s %s", a.StateValue, aws.ToString(a.StateReason))
	}
	msgs := receive(t, c, queue, 2)
	if len(msgs) != 1 || msgs[0]["NewStateValue"] != "ALARM" || msgs[0]["AlarmRule"] == nil || msgs[0]["AlarmName"] != "service" {
		t.Fatalf("notification: %+v", msgs)
	}
	setState(t, c, "deploying", cwtypes.StateValueAlarm)
	if a := compositeState(t, c, "service"); a.StateValue != cwtypes.StateValueOk {
		t.Fatalf("NOT ALARM(deploying): %s", a.StateValue)
	}
	// the metric alarms alone by default; children and parents
	d, err := c.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	if err != nil || len(d.MetricAlarms) != 3 || len(d.CompositeAlarms) != 0 {
		t.Fatalf("default describe: %v %d %d", err, len(d.MetricAlarms), len(d.CompositeAlarms))
	}
	d, err = c.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{ChildrenOfAlarmName: aws.String("service")})
	if err != nil || len(d.MetricAlarms) != 3 {
		t.Fatalf("children: %v %+v", err, d)
	}
	d, err = c.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{ParentsOfAlarmName: aws.String("mem")})
	if err != nil || len(d.CompositeAlarms) != 1 || *d.CompositeAlarms[0].AlarmName != "service" {
		t.Fatalf("parents: %v %+v", err, d)
	}
	_, err = c.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{ParentsOfAlarmName: aws.String("mem"), StateValue: cwtypes.StateValueOk})
	wantErr(t, err, "InvalidParameterCombination", 400, "")

	_, err = c.cw.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("x"), AlarmRule: aws.String("ALARM(cpu) AND")})
	wantErr(t, err, "ValidationError", 400, "Error in alarm rule: unexpected end of the rule")
	_, err = c.cw.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("x"), AlarmRule: aws.String("ALARM(cpu) OR OK(gone)")})
	wantErr(t, err, "ValidationError", 400, "Could not save the composite alarm as alarms [gone] in the alarm rule do not exist")
	// a cycle through another composite
	if _, err := c.cw.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("top"), AlarmRule: aws.String("ALARM(service) OR TRUE")}); err != nil {
		t.Fatal(err)
	}
	if a := compositeState(t, c, "top"); a.StateValue != cwtypes.StateValueAlarm {
		t.Fatalf("TRUE: %s", a.StateValue)
	}
	_, err = c.cw.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("service"), AlarmRule: aws.String("ALARM(top)")})
	wantErr(t, err, "ValidationError", 400, "The alarm rule of service creates a cycle of composite alarms.")
	h, err := c.cw.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("service"), AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeCompositeAlarm}})
	if err != nil || len(h.AlarmHistoryItems) == 0 || h.AlarmHistoryItems[0].AlarmType != cwtypes.AlarmTypeCompositeAlarm {
		t.Fatalf("history: %v %+v", err, h)
	}
}

func TestCompositeActionsSuppressor(t *testing.T) {
	t.Parallel()
	c := start(t)
	topic, queue := subscribedQueue(t, c, "suppressed")
	putChild(t, c, "cpu")
	putChild(t, c, "maintenance")
	_, err := c.cw.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("svc"), AlarmRule: aws.String("ALARM(cpu)"),
		AlarmActions: []string{topic}, ActionsSuppressor: aws.String("maintenance")})
	wantErr(t, err, "ValidationError", 400, "ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod are required when ActionsSuppressor is specified.")
	if _, err := c.cw.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("svc"), AlarmRule: aws.String("ALARM(cpu)"),
		AlarmActions: []string{topic}, ActionsSuppressor: aws.String("maintenance"),
		ActionsSuppressorWaitPeriod: aws.Int32(0), ActionsSuppressorExtensionPeriod: aws.Int32(120)}); err != nil {
		t.Fatal(err)
	}
	setState(t, c, "maintenance", cwtypes.StateValueAlarm)
	setState(t, c, "cpu", cwtypes.StateValueAlarm)
	a := compositeState(t, c, "svc")
	if a.StateValue != cwtypes.StateValueAlarm || a.ActionsSuppressedBy != cwtypes.ActionsSuppressedByAlarm || *a.ActionsSuppressorExtensionPeriod != 120 {
		t.Fatalf("suppressed: %+v", a)
	}
	if msgs := receive(t, c, queue, 1); len(msgs) != 0 {
		t.Fatalf("suppressed actions ran: %+v", msgs)
	}
	// out of ALARM, the suppressor still holds for its extension period,
	// also once it is put again (it keeps its state, and when it left ALARM)
	setState(t, c, "maintenance", cwtypes.StateValueOk)
	putChild(t, c, "maintenance")
	setState(t, c, "cpu", cwtypes.StateValueOk)
	setState(t, c, "cpu", cwtypes.StateValueAlarm)
	if a := compositeState(t, c, "svc"); a.ActionsSuppressedBy != cwtypes.ActionsSuppressedByExtensionPeriod {
		t.Fatalf("extension: %+v", a)
	}
	advance(t, c.e, 3*time.Minute)
	setState(t, c, "cpu", cwtypes.StateValueOk)
	setState(t, c, "cpu", cwtypes.StateValueAlarm)
	if msgs := receive(t, c, queue, 2); len(msgs) != 1 || msgs[0]["NewStateValue"] != "ALARM" {
		t.Fatalf("after the extension: %+v", msgs)
	}
}

func TestAlarmMuteRules(t *testing.T) {
	t.Parallel()
	c := start(t)
	topic, queue := subscribedQueue(t, c, "muted")
	if _, err := c.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("noisy"), Namespace: aws.String("App"),
		MetricName: aws.String("E"), Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
		Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, TreatMissingData: aws.String("ignore"),
		AlarmActions: []string{topic}}); err != nil {
		t.Fatal(err)
	}
	now := advance(t, c.e, time.Second)
	at := now.Add(-time.Minute).UTC().Format("2006-01-02T15:04:05")
	_, err := c.cw.PutAlarmMuteRule(ctx, &cloudwatch.PutAlarmMuteRuleInput{Name: aws.String("deploy"),
		Rule:        &cwtypes.Rule{Schedule: &cwtypes.Schedule{Expression: aws.String("at(" + at + ")"), Duration: aws.String("PT1H")}},
		MuteTargets: &cwtypes.MuteTargets{AlarmNames: []string{"noisy"}}})
	if err != nil {
		t.Fatal(err)
	}
	// a recurring rule that is not active now: it starts twelve hours from
	// the emulator's clock (a fixed hour would be active when the test runs
	// at that hour)
	nightly := fmt.Sprintf("cron(0 %d * * *)", (now.UTC().Hour()+12)%24)
	if _, err := c.cw.PutAlarmMuteRule(ctx, &cloudwatch.PutAlarmMuteRuleInput{Name: aws.String("nightly"),
		Rule: &cwtypes.Rule{Schedule: &cwtypes.Schedule{Expression: aws.String(nightly), Duration: aws.String("PT4H"), Timezone: aws.String("UTC")}}}); err != nil {
		t.Fatal(err)
	}
	g, err := c.cw.GetAlarmMuteRule(ctx, &cloudwatch.GetAlarmMuteRuleInput{AlarmMuteRuleName: aws.String("deploy")})
	if err != nil || g.Status != cwtypes.AlarmMuteRuleStatusActive || *g.MuteType != "ONE_TIME" || g.MuteTargets.AlarmNames[0] != "noisy" {
		t.Fatalf("get: %v %+v", err, g)
	}
	setState(t, c, "noisy", cwtypes.StateValueAlarm)
	if msgs := receive(t, c, queue, 1); len(msgs) != 0 {
		t.Fatalf("muted alarm notified: %+v", msgs)
	}
	h, _ := c.cw.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("noisy"), HistoryItemType: cwtypes.HistoryItemTypeAction})
	if len(h.AlarmHistoryItems) != 1 || *h.AlarmHistoryItems[0].HistorySummary != "Actions muted by alarm mute rule deploy" {
		t.Fatalf("history: %+v", h.AlarmHistoryItems)
	}
	l, err := c.cw.ListAlarmMuteRules(ctx, &cloudwatch.ListAlarmMuteRulesInput{AlarmName: aws.String("noisy")})
	if err != nil || len(l.AlarmMuteRuleSummaries) != 1 || *l.AlarmMuteRuleSummaries[0].AlarmMuteRuleArn != "arn:aws:cloudwatch:us-east-1:000000000000:alarm-mute-rule:deploy" {
		t.Fatalf("list: %v %+v", err, l)
	}
	l, err = c.cw.ListAlarmMuteRules(ctx, &cloudwatch.ListAlarmMuteRulesInput{Statuses: []cwtypes.AlarmMuteRuleStatus{cwtypes.AlarmMuteRuleStatusActive}})
	if err != nil || len(l.AlarmMuteRuleSummaries) != 1 {
		t.Fatalf("list active: %v %+v", err, l)
	}
	_, err = c.cw.ListAlarmMuteRules(ctx, &cloudwatch.ListAlarmMuteRulesInput{AlarmName: aws.String("gone")})
	wantErr(t, err, "ResourceNotFoundException", 404, "")
	muteARN := "arn:aws:cloudwatch:us-east-1:000000000000:alarm-mute-rule:deploy"
	if _, err := c.cw.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: aws.String(muteARN), Tags: []cwtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
		t.Fatal(err)
	}
	if tags, err := c.cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(muteARN)}); err != nil || len(tags.Tags) != 1 {
		t.Fatalf("mute rule tags: %v %+v", err, tags)
	}
	// past the window, the actions run again
	advance(t, c.e, time.Hour)
	setState(t, c, "noisy", cwtypes.StateValueOk)
	setState(t, c, "noisy", cwtypes.StateValueAlarm)
	if msgs := receive(t, c, queue, 2); len(msgs) != 1 {
		t.Fatalf("after the window: %+v", msgs)
	}
	if _, err := c.cw.DeleteAlarmMuteRule(ctx, &cloudwatch.DeleteAlarmMuteRuleInput{AlarmMuteRuleName: aws.String("deploy")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.cw.DeleteAlarmMuteRule(ctx, &cloudwatch.DeleteAlarmMuteRuleInput{AlarmMuteRuleName: aws.String("deploy")}); err != nil {
		t.Fatalf("delete is idempotent: %v", err)
	}
	_, err = c.cw.GetAlarmMuteRule(ctx, &cloudwatch.GetAlarmMuteRuleInput{AlarmMuteRuleName: aws.String("deploy")})
	wantErr(t, err, "ResourceNotFoundException", 404, "")
	_, err = c.cw.PutAlarmMuteRule(ctx, &cloudwatch.PutAlarmMuteRuleInput{Name: aws.String("bad"),
		Rule: &cwtypes.Rule{Schedule: &cwtypes.Schedule{Expression: aws.String("rate(5 minutes)"), Duration: aws.String("PT1H")}}})
	wantErr(t, err, "ValidationError", 400, "")
	_, err = c.cw.DescribeAlarmContributors(ctx, &cloudwatch.DescribeAlarmContributorsInput{AlarmName: aws.String("gone")})
	wantErr(t, err, "ResourceNotFoundException", 404, "")
	ac, err := c.cw.DescribeAlarmContributors(ctx, &cloudwatch.DescribeAlarmContributorsInput{AlarmName: aws.String("noisy")})
	if err != nil || len(ac.AlarmContributors) != 0 {
		t.Fatalf("contributors: %v %+v", err, ac)
	}
}

func TestMetricStreams(t *testing.T) {
	t.Parallel()
	c := start(t)
	put := &cloudwatch.PutMetricStreamInput{Name: aws.String("all"), FirehoseArn: aws.String("arn:aws:firehose:us-east-1:000000000000:deliverystream/s"),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/r"), OutputFormat: cwtypes.MetricStreamOutputFormatJson,
		IncludeFilters: []cwtypes.MetricStreamFilter{{Namespace: aws.String("Shop"), MetricNames: []string{"Orders"}}}}
	p, err := c.cw.PutMetricStream(ctx, put)
	if err != nil || *p.Arn != "arn:aws:cloudwatch:us-east-1:000000000000:metric-stream/all" {
		t.Fatalf("put: %v %+v", err, p)
	}
	g, err := c.cw.GetMetricStream(ctx, &cloudwatch.GetMetricStreamInput{Name: aws.String("all")})
	if err != nil || *g.State != "running" || *g.IncludeFilters[0].Namespace != "Shop" || g.IncludeFilters[0].MetricNames[0] != "Orders" {
		t.Fatalf("get: %v %+v", err, g)
	}
	if _, err := c.cw.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: p.Arn, TagKeys: []string{"none"}}); err != nil {
		t.Fatalf("untag a stream: %v", err)
	}
	if _, err := c.cw.StopMetricStreams(ctx, &cloudwatch.StopMetricStreamsInput{Names: []string{"all", "unknown"}}); err != nil {
		t.Fatal(err)
	}
	l, err := c.cw.ListMetricStreams(ctx, &cloudwatch.ListMetricStreamsInput{})
	if err != nil || len(l.Entries) != 1 || *l.Entries[0].State != "stopped" {
		t.Fatalf("list: %v %+v", err, l)
	}
	put.ExcludeFilters = []cwtypes.MetricStreamFilter{{Namespace: aws.String("AWS/EC2")}}
	_, err = c.cw.PutMetricStream(ctx, put)
	wantErr(t, err, "InvalidParameterCombination", 400, "The parameters IncludeFilters and ExcludeFilters are mutually exclusive and you have specified both.")
	if _, err := c.cw.DeleteMetricStream(ctx, &cloudwatch.DeleteMetricStreamInput{Name: aws.String("all")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.cw.GetMetricStream(ctx, &cloudwatch.GetMetricStreamInput{Name: aws.String("all")})
	wantErr(t, err, "ResourceNotFoundException", 404, "")

	// OTel enrichment is a switch per region
	o, err := c.cw.GetOTelEnrichment(ctx, &cloudwatch.GetOTelEnrichmentInput{})
	if err != nil || o.Status != cwtypes.OTelEnrichmentStatusStopped {
		t.Fatalf("otel: %v %+v", err, o)
	}
	if _, err := c.cw.StartOTelEnrichment(ctx, &cloudwatch.StartOTelEnrichmentInput{}); err != nil {
		t.Fatal(err)
	}
	if o, _ := c.cw.GetOTelEnrichment(ctx, &cloudwatch.GetOTelEnrichmentInput{}); o.Status != cwtypes.OTelEnrichmentStatusRunning {
		t.Fatalf("otel started: %+v", o)
	}
}

func TestInsightRulesAndAnomalyDetectors(t *testing.T) {
	t.Parallel()
	c := start(t)
	def := `{"Schema":{"Name":"CloudWatchLogRule","Version":1},"LogGroupNames":["/app"],"LogFormat":"JSON","Contribution":{"Keys":["$.ip"]},"AggregateOn":"Count"}`
	if _, err := c.cw.PutInsightRule(ctx, &cloudwatch.PutInsightRuleInput{RuleName: aws.String("top-ips"), RuleDefinition: aws.String(def)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.cw.PutInsightRule(ctx, &cloudwatch.PutInsightRuleInput{RuleName: aws.String("bad"), RuleDefinition: aws.String(`{"Schema":{"Name":"CloudWatchLogRule","Version":1}}`)})
	wantErr(t, err, "InvalidParameterValue", 400, "The rule definition is invalid: LogGroupNames must name at least one log group")
	d, err := c.cw.DisableInsightRules(ctx, &cloudwatch.DisableInsightRulesInput{RuleNames: []string{"top-ips", "gone"}})
	if err != nil || len(d.Failures) != 1 || *d.Failures[0].FailureResource != "gone" {
		t.Fatalf("disable: %v %+v", err, d)
	}
	r, err := c.cw.DescribeInsightRules(ctx, &cloudwatch.DescribeInsightRulesInput{})
	if err != nil || len(r.InsightRules) != 1 || *r.InsightRules[0].State != "DISABLED" || *r.InsightRules[0].Schema != "CloudWatchLogRule/1" {
		t.Fatalf("describe: %v %+v", err, r)
	}
	now := time.Now()
	rep, err := c.cw.GetInsightRuleReport(ctx, &cloudwatch.GetInsightRuleReportInput{RuleName: aws.String("top-ips"),
		StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), Period: aws.Int32(60)})
	if err != nil || len(rep.KeyLabels) != 1 || rep.KeyLabels[0] != "$.ip" || len(rep.Contributors) != 0 {
		t.Fatalf("report: %v %+v", err, rep)
	}
	_, err = c.cw.GetInsightRuleReport(ctx, &cloudwatch.GetInsightRuleReportInput{RuleName: aws.String("gone"),
		StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), Period: aws.Int32(60)})
	wantErr(t, err, "ResourceNotFoundException", 404, "")
	table := "arn:aws:dynamodb:us-east-1:000000000000:table/orders"
	m, err := c.cw.PutManagedInsightRules(ctx, &cloudwatch.PutManagedInsightRulesInput{ManagedRules: []cwtypes.ManagedRule{
		{TemplateName: aws.String("DynamoDBContributorInsights-PKC"), ResourceARN: aws.String(table)}}})
	if err != nil || len(m.Failures) != 0 {
		t.Fatalf("managed: %v %+v", err, m)
	}
	ml, err := c.cw.ListManagedInsightRules(ctx, &cloudwatch.ListManagedInsightRulesInput{ResourceARN: aws.String(table)})
	if err != nil || len(ml.ManagedRules) != 4 || ml.ManagedRules[0].RuleState == nil || *ml.ManagedRules[0].RuleState.State != "ENABLED" || ml.ManagedRules[1].RuleState != nil {
		t.Fatalf("managed list: %v %+v", err, ml)
	}
	if _, err := c.cw.DeleteInsightRules(ctx, &cloudwatch.DeleteInsightRulesInput{RuleNames: []string{"top-ips"}}); err != nil {
		t.Fatal(err)
	}

	single := &cwtypes.SingleMetricAnomalyDetector{Namespace: aws.String("Shop"), MetricName: aws.String("Orders"), Stat: aws.String("Sum"),
		Dimensions: []cwtypes.Dimension{dim("Store", "north")}}
	if _, err := c.cw.PutAnomalyDetector(ctx, &cloudwatch.PutAnomalyDetectorInput{SingleMetricAnomalyDetector: single}); err != nil {
		t.Fatal(err)
	}
	ad, err := c.cw.DescribeAnomalyDetectors(ctx, &cloudwatch.DescribeAnomalyDetectorsInput{Namespace: aws.String("Shop")})
	if err != nil || len(ad.AnomalyDetectors) != 1 || *ad.AnomalyDetectors[0].SingleMetricAnomalyDetector.Stat != "Sum" || ad.AnomalyDetectors[0].StateValue != cwtypes.AnomalyDetectorStateValuePendingTraining {
		t.Fatalf("describe detectors: %v %+v", err, ad)
	}
	_, err = c.cw.PutAnomalyDetector(ctx, &cloudwatch.PutAnomalyDetectorInput{SingleMetricAnomalyDetector: single,
		MetricMathAnomalyDetector: &cwtypes.MetricMathAnomalyDetector{MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("e1"), Expression: aws.String("SUM([a])")}}}})
	wantErr(t, err, "InvalidParameterCombination", 400, "")
	if _, err := c.cw.DeleteAnomalyDetector(ctx, &cloudwatch.DeleteAnomalyDetectorInput{SingleMetricAnomalyDetector: single}); err != nil {
		t.Fatal(err)
	}
	_, err = c.cw.DeleteAnomalyDetector(ctx, &cloudwatch.DeleteAnomalyDetectorInput{SingleMetricAnomalyDetector: single})
	wantErr(t, err, "ResourceNotFoundException", 404, "")
}

func TestMetricWidgetImage(t *testing.T) {
	t.Parallel()
	c := start(t)
	now := time.Now()
	for i, v := range []float64{1, 5, 2, 8} {
		if _, err := c.cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Shop"), MetricData: []cwtypes.MetricDatum{
			{MetricName: aws.String("Orders"), Value: aws.Float64(v), Timestamp: aws.Time(now.Add(-time.Duration(40-10*i) * time.Minute))}}}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.cw.GetMetricWidgetImage(ctx, &cloudwatch.GetMetricWidgetImageInput{
		MetricWidget: aws.String(`{"metrics":[["Shop","Orders",{"stat":"Sum"}]],"period":60,"start":"-PT1H","width":300,"height":200}`)})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(out.MetricWidgetImage))
	if err != nil || img.Bounds().Dx() != 300 || img.Bounds().Dy() != 200 {
		t.Fatalf("png: %v %v", err, img)
	}
	coloured := 0
	for y := 0; y < 200; y++ {
		for x := 0; x < 300; x++ {
			if r, g, b, _ := img.At(x, y).RGBA(); r != g || g != b {
				coloured++
			}
		}
	}
	if coloured < 50 {
		t.Fatalf("no line drawn: %d coloured pixels", coloured)
	}
	_, err = c.cw.GetMetricWidgetImage(ctx, &cloudwatch.GetMetricWidgetImageInput{MetricWidget: aws.String(`{"metrics":`)})
	wantErr(t, err, "ValidationError", 400, "The parameter MetricWidget is not a valid metric widget JSON object.")
}

func TestAnomalyDetectionBand(t *testing.T) {
	t.Parallel()
	c := start(t)
	now := time.Now().UTC().Truncate(time.Minute)
	for i, v := range []float64{2, 4, 4, 4, 5, 5, 7, 9} { // mean 5, standard deviation 2
		if _, err := c.cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Band"), MetricData: []cwtypes.MetricDatum{
			{MetricName: aws.String("m"), Value: aws.Float64(v), Timestamp: aws.Time(now.Add(-time.Duration(10-i) * time.Minute))}}}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now),
		MetricDataQueries: []cwtypes.MetricDataQuery{
			{Id: aws.String("m1"), MetricStat: &cwtypes.MetricStat{Metric: &cwtypes.Metric{Namespace: aws.String("Band"), MetricName: aws.String("m")},
				Period: aws.Int32(60), Stat: aws.String("Average")}},
			{Id: aws.String("ad1"), Expression: aws.String("ANOMALY_DETECTION_BAND(m1, 1.5)")},
		}})
	if err != nil || len(out.MetricDataResults) != 3 {
		t.Fatalf("band: %v %+v", err, out)
	}
	up, lo := out.MetricDataResults[1], out.MetricDataResults[2]
	if *up.Id != "ad1" || *up.Label != "ad1 Upper" || *lo.Label != "ad1 Lower" || len(up.Values) != 8 || up.Values[0] != 8 || lo.Values[0] != 2 {
		t.Fatalf("band results: %+v %+v", up, lo)
	}
}

// A composite alarm going into ALARM waits WaitPeriod for its suppressor;
// the suppressor staying out of ALARM, the actions run after it.
func TestCompositeWaitPeriod(t *testing.T) {
	t.Parallel()
	c := start(t)
	topic, queue := subscribedQueue(t, c, "waiting")
	putChild(t, c, "cpu")
	putChild(t, c, "maintenance")
	setState(t, c, "maintenance", cwtypes.StateValueOk)
	if _, err := c.cw.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("svc"), AlarmRule: aws.String("ALARM(cpu)"),
		AlarmActions: []string{topic}, ActionsSuppressor: aws.String("arn:aws:cloudwatch:us-east-1:000000000000:alarm:maintenance"),
		ActionsSuppressorWaitPeriod: aws.Int32(60), ActionsSuppressorExtensionPeriod: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	setState(t, c, "cpu", cwtypes.StateValueAlarm)
	if a := compositeState(t, c, "svc"); a.StateValue != cwtypes.StateValueAlarm || a.ActionsSuppressedBy != cwtypes.ActionsSuppressedByWaitPeriod {
		t.Fatalf("waiting: %+v", a)
	}
	if msgs := receive(t, c, queue, 1); len(msgs) != 0 {
		t.Fatalf("actions ran during the wait: %+v", msgs)
	}
	advance(t, c.e, 2*time.Minute)
	if msgs := receive(t, c, queue, 2); len(msgs) != 1 || msgs[0]["AlarmName"] != "svc" {
		t.Fatalf("after the wait: %+v", msgs)
	}
	if a := compositeState(t, c, "svc"); a.ActionsSuppressedBy != "" {
		t.Fatalf("still suppressed: %+v", a)
	}
}
