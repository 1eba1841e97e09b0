package cloudwatch_test

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/fxamacker/cbor/v2"
)

// Bad input through the SDK (RPC v2 CBOR): AWS's query codes (the SDK reads
// them from X-Amzn-Query-Error), statuses and words.
func TestSDKErrors(t *testing.T) {
	t.Parallel()
	c := start(t)
	manyDims := make([]cwtypes.Dimension, 31)
	for i := range manyDims {
		manyDims[i] = dim(fmt.Sprintf("d%d", i), "v")
	}
	manyValues := make([]float64, 151)
	put := func(d cwtypes.MetricDatum) error {
		_, err := c.cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []cwtypes.MetricDatum{d}})
		return err
	}
	cases := []struct {
		name string
		err  error
		code string
		msg  string
	}{
		{"31 dimensions", put(cwtypes.MetricDatum{MetricName: aws.String("m"), Value: aws.Float64(1), Dimensions: manyDims}),
			"InvalidParameterValue", "The collection MetricData.member.1.Dimensions must not have a size greater than 30."},
		{"151 values", put(cwtypes.MetricDatum{MetricName: aws.String("m"), Values: manyValues}),
			"InvalidParameterValue", "The collection MetricData.member.1.Values must not have a size greater than 150."},
		{"NaN", put(cwtypes.MetricDatum{MetricName: aws.String("m"), Value: aws.Float64(math.NaN())}),
			"InvalidParameterValue", "The value NaN for parameter MetricData.member.1.Value is invalid."},
		{"Inf", put(cwtypes.MetricDatum{MetricName: aws.String("m"), Value: aws.Float64(math.Inf(1))}),
			"InvalidParameterValue", "The value +Inf for parameter MetricData.member.1.Value is invalid."},
		{"Value and StatisticValues", put(cwtypes.MetricDatum{MetricName: aws.String("m"), Value: aws.Float64(1),
			StatisticValues: &cwtypes.StatisticSet{SampleCount: aws.Float64(1), Sum: aws.Float64(1), Minimum: aws.Float64(1), Maximum: aws.Float64(1)}}),
			"InvalidParameterCombination", "The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues are mutually exclusive and you have specified both."},
		{"Values and Counts sizes", put(cwtypes.MetricDatum{MetricName: aws.String("m"), Values: []float64{1, 2}, Counts: []float64{1}}),
			"InvalidParameterValue", "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size."},
		{"storage resolution", put(cwtypes.MetricDatum{MetricName: aws.String("m"), Value: aws.Float64(1), StorageResolution: aws.Int32(5)}),
			"InvalidParameterValue", "The value 5 for parameter MetricData.member.1.StorageResolution is invalid."},
		{"old timestamp", put(cwtypes.MetricDatum{MetricName: aws.String("m"), Value: aws.Float64(1), Timestamp: aws.Time(time.Now().Add(-15 * 24 * time.Hour))}),
			"InvalidParameterValue", ""},
		{"AWS/ namespace", func() error {
			_, err := c.cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/EC2"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("m"), Value: aws.Float64(1)}}})
			return err
		}(), "InvalidParameterValue", "The value AWS/ for parameter Namespace is invalid."},
		{"no metric data", func() error {
			_, err := c.cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("App")})
			return err
		}(), "MissingParameter", "The parameter MetricData is required."},
		{"bad period", func() error {
			_, err := c.cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("m"),
				StartTime: aws.Time(time.Now().Add(-time.Hour)), EndTime: aws.Time(time.Now()), Period: aws.Int32(7), Statistics: []cwtypes.Statistic{"Sum"}})
			return err
		}(), "InvalidParameterValue", "The parameter Period must be 1, 5, 10, 20, 30, or a multiple of 60."},
		{"alarm period", func() error {
			_, err := c.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("a"), Namespace: aws.String("N"), MetricName: aws.String("m"),
				Statistic: "Sum", Period: aws.Int32(45), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1), ComparisonOperator: "GreaterThanThreshold"})
			return err
		}(), "ValidationError", "Period must be 10, 20, 30 or a multiple of 60"},
		{"statistic and extended statistic", func() error {
			_, err := c.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("a"), Namespace: aws.String("N"), MetricName: aws.String("m"),
				Statistic: "Sum", ExtendedStatistic: aws.String("p99"), Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1), ComparisonOperator: "GreaterThanThreshold"})
			return err
		}(), "InvalidParameterCombination", "The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both."},
		{"datapoints to alarm", func() error {
			_, err := c.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("a"), Namespace: aws.String("N"), MetricName: aws.String("m"),
				Statistic: "Sum", Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), DatapointsToAlarm: aws.Int32(2), Threshold: aws.Float64(1), ComparisonOperator: "GreaterThanThreshold"})
			return err
		}(), "ValidationError", "DatapointsToAlarm must be less than or equal to EvaluationPeriods"},
		{"treat missing data", func() error {
			_, err := c.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("a"), Namespace: aws.String("N"), MetricName: aws.String("m"),
				Statistic: "Sum", Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1), ComparisonOperator: "GreaterThanThreshold", TreatMissingData: aws.String("sometimes")})
			return err
		}(), "ValidationError", "Option unknown for TreatMissingData: sometimes. Valid options: breaching, notBreaching, ignore, missing"},
		{"bad action arn", func() error {
			_, err := c.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("a"), Namespace: aws.String("N"), MetricName: aws.String("m"),
				Statistic: "Sum", Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1), ComparisonOperator: "GreaterThanThreshold", AlarmActions: []string{"topic"}})
			return err
		}(), "ValidationError", "Invalid arn syntax: topic"},
		{"set state of unknown alarm", func() error {
			_, err := c.cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("nope"), StateValue: "ALARM", StateReason: aws.String("x")})
			return err
		}(), "ResourceNotFound", "Alarm nope not found"},
		{"delete unknown alarm", func() error {
			_, err := c.cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"nope"}})
			return err
		}(), "ResourceNotFound", ""},
		{"bad next token", func() error {
			_, err := c.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{NextToken: aws.String("!!")})
			return err
		}(), "InvalidNextToken", "Invalid nextToken"},
		{"tags of unknown alarm", func() error {
			_, err := c.cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:cloudwatch:us-east-1:000000000000:alarm:nope")})
			return err
		}(), "ResourceNotFoundException", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status := 400
			if strings.HasPrefix(tc.code, "ResourceNotFound") {
				status = 404
			}
			wantErr(t, tc.err, tc.code, status, tc.msg)
		})
	}
}

func TestAlarmLifecycle(t *testing.T) {
	t.Parallel()
	c := start(t)
	topic := "arn:aws:sns:us-east-1:000000000000:ops"
	for _, name := range []string{"b-two", "a-one", "c-three"} {
		if _, err := c.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("Unknown/NS"), MetricName: aws.String("m"),
			Dimensions: []cwtypes.Dimension{dim("K", "v")}, Statistic: "Average", Period: aws.Int32(60), EvaluationPeriods: aws.Int32(2), DatapointsToAlarm: aws.Int32(1),
			Threshold: aws.Float64(1), ComparisonOperator: "LessThanThreshold", AlarmActions: []string{topic}, Tags: []cwtypes.Tag{{Key: aws.String("team"), Value: aws.String("x")}}}); err != nil {
			t.Fatal(err)
		}
	}
	// Paging, in name order.
	var names []string
	var token *string
	for {
		out, err := c.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.MetricAlarms {
			names = append(names, *a.AlarmName)
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if strings.Join(names, ",") != "a-one,b-two,c-three" {
		t.Fatalf("paged names %v", names)
	}
	out, err := c.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{ActionPrefix: aws.String("arn:aws:sns:us-east-1:000000000000:o")})
	if err != nil || len(out.MetricAlarms) != 3 {
		t.Fatalf("action prefix: %v %d", err, len(out.MetricAlarms))
	}
	a := out.MetricAlarms[0]
	if *a.DatapointsToAlarm != 1 || *a.EvaluationPeriods != 2 || *a.Threshold != 1 || a.ComparisonOperator != "LessThanThreshold" ||
		*a.TreatMissingData != "missing" || *a.AlarmArn != "arn:aws:cloudwatch:us-east-1:000000000000:alarm:a-one" || !*a.ActionsEnabled || a.StateUpdatedTimestamp == nil {
		t.Fatalf("alarm %+v", a)
	}
	// An alarm on a namespace nothing publishes stays INSUFFICIENT_DATA.
	advance(t, c.e, 3*time.Minute)
	if st := alarmState(t, c, "a-one"); st != cwtypes.StateValueInsufficientData {
		t.Fatalf("unknown namespace: %s", st)
	}
	// For metric.
	fm, err := c.cw.DescribeAlarmsForMetric(ctx, &cloudwatch.DescribeAlarmsForMetricInput{Namespace: aws.String("Unknown/NS"), MetricName: aws.String("m"), Dimensions: []cwtypes.Dimension{dim("K", "v")}})
	if err != nil || len(fm.MetricAlarms) != 3 {
		t.Fatalf("for metric: %v %+v", err, fm)
	}
	// SetAlarmState, disable actions, tags, delete.
	if _, err := c.cw.DisableAlarmActions(ctx, &cloudwatch.DisableAlarmActionsInput{AlarmNames: []string{"a-one"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("a-one"), StateValue: "ALARM", StateReason: aws.String("testing")}); err != nil {
		t.Fatal(err)
	}
	d, _ := c.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"a-one"}})
	if d.MetricAlarms[0].StateValue != "ALARM" || *d.MetricAlarms[0].StateReason != "testing" || *d.MetricAlarms[0].ActionsEnabled {
		t.Fatalf("after set state: %+v", d.MetricAlarms[0])
	}
	arn := aws.String("arn:aws:cloudwatch:us-east-1:000000000000:alarm:b-two")
	if _, err := c.cw.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: arn, Tags: []cwtypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.cw.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: arn})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Key != "env" {
		t.Fatalf("tags %v %+v", err, tags)
	}
	if _, err := c.cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"a-one", "b-two"}}); err != nil {
		t.Fatal(err)
	}
	left, _ := c.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	if len(left.MetricAlarms) != 1 || *left.MetricAlarms[0].AlarmName != "c-three" {
		t.Fatalf("after delete %+v", left.MetricAlarms)
	}
}

func TestGetMetricData(t *testing.T) {
	t.Parallel()
	c := start(t)
	now := time.Now().UTC().Truncate(time.Minute)
	for i, v := range []float64{1, 2, 3} {
		for _, host := range []string{"a", "b"} {
			if _, err := c.cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []cwtypes.MetricDatum{
				{MetricName: aws.String("Req"), Dimensions: []cwtypes.Dimension{dim("Host", host)}, Timestamp: aws.Time(now.Add(time.Duration(i-2) * time.Minute)), Value: aws.Float64(v)}}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	stat := func(id, host string) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("App"), MetricName: aws.String("Req"), Dimensions: []cwtypes.Dimension{dim("Host", host)}},
			Period: aws.Int32(60), Stat: aws.String("Sum")}}
	}
	out, err := c.cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now.Add(time.Minute)),
		MetricDataQueries: []cwtypes.MetricDataQuery{stat("a", "a"), stat("b", "b"),
			{Id: aws.String("total"), Expression: aws.String("SUM([a, b])"), Label: aws.String("Total")},
			{Id: aws.String("avg"), Expression: aws.String("AVG([a,b])")}},
		ScanBy: cwtypes.ScanByTimestampAscending,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricDataResults) != 2 {
		t.Fatalf("results %+v", out.MetricDataResults)
	}
	total := out.MetricDataResults[0]
	if *total.Id != "total" || *total.Label != "Total" || fmt.Sprint(total.Values) != "[2 4 6]" || len(total.Timestamps) != 3 ||
		!total.Timestamps[2].Equal(now) || total.StatusCode != cwtypes.StatusCodeComplete {
		t.Fatalf("total %+v %v", total, total.Timestamps)
	}
	if fmt.Sprint(out.MetricDataResults[1].Values) != "[1 2 3]" {
		t.Fatalf("avg %+v", out.MetricDataResults[1].Values)
	}
	// Paging by MaxDatapoints.
	page, err := c.cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now.Add(time.Minute)), MaxDatapoints: aws.Int32(2),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("m"), MetricStat: stat("m", "a").MetricStat}}})
	if err != nil || page.NextToken == nil || len(page.MetricDataResults[0].Values) != 2 {
		t.Fatalf("page 1: %v %+v", err, page)
	}
	page2, err := c.cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now.Add(time.Minute)), MaxDatapoints: aws.Int32(2), NextToken: page.NextToken,
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("m"), MetricStat: stat("m", "a").MetricStat}}})
	if err != nil || page2.NextToken != nil || fmt.Sprint(page2.MetricDataResults[0].Values) != "[1]" {
		t.Fatalf("page 2: %v %+v", err, page2)
	}
	_, err = c.cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("x"), Expression: aws.String("RATE(m)")}}})
	wantErr(t, err, "ValidationError", 400, "")
}

// Bodies that are not CBOR, JSON that is not JSON, a missing required
// member: the protocol's errors, never a 500.
func TestMalformedBodies(t *testing.T) {
	t.Parallel()
	c := start(t)
	url := c.e.URL()
	status, h, body := rawCBOR(t, url, "PutMetricData", []byte{0xff, 0x00, 0x13})
	if status != 400 || h.Get("Smithy-Protocol") != "rpc-v2-cbor" || h.Get("X-Amzn-Query-Error") != "SerializationException;Sender" {
		t.Fatalf("not CBOR: %d %v", status, h)
	}
	var e map[string]any
	if err := cbor.Unmarshal(body, &e); err != nil || e["__type"] != "com.amazonaws.cloudwatch#SerializationException" {
		t.Fatalf("not CBOR body: %v %v", err, e)
	}
	// A CBOR map of the wrong shape.
	b, _ := cbor.Marshal(map[string]any{"Namespace": 7})
	if status, _, _ := rawCBOR(t, url, "PutMetricData", b); status != 400 {
		t.Fatalf("wrong type: %d", status)
	}
	// Missing Namespace: MissingParameter, shaped as the model's MissingRequiredParameterException.
	b, _ = cbor.Marshal(map[string]any{"MetricData": []any{map[string]any{"MetricName": "m", "Value": 1.0}}})
	status, h, body = rawCBOR(t, url, "PutMetricData", b)
	_ = cbor.Unmarshal(body, &e)
	if status != 400 || h.Get("X-Amzn-Query-Error") != "MissingParameter;Sender" || e["__type"] != "com.amazonaws.cloudwatch#MissingRequiredParameterException" || e["message"] != "The parameter Namespace is required." {
		t.Fatalf("missing namespace: %d %v %v", status, h, e)
	}
	// Unknown operation.
	if status, _, _ := rawCBOR(t, url, "Nope", nil); status != 400 {
		t.Fatalf("unknown op: %d", status)
	}
	// awsJson that is not JSON.
	req, _ := http.NewRequest("POST", url+"/", strings.NewReader("{not json"))
	req.Header.Set("X-Amz-Target", "GraniteServiceVersion20100801.PutMetricData")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	jb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var je map[string]string
	if resp.StatusCode != 400 || json.Unmarshal(jb, &je) != nil || je["__type"] != "com.amazonaws.cloudwatch#SerializationException" {
		t.Fatalf("not JSON: %d %s", resp.StatusCode, jb)
	}
	// gzip that is not gzip.
	req, _ = http.NewRequest("POST", url+"/service/GraniteServiceVersion20100801/operation/PutMetricData", strings.NewReader("plain"))
	req.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
	req.Header.Set("Content-Encoding", "gzip")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("bad gzip: %d", resp.StatusCode)
	}
}

// The query protocol (Action=…&Version=2010-08-01), as older SDKs speak it.
func TestQueryProtocol(t *testing.T) {
	t.Parallel()
	c := start(t)
	post := func(form url.Values) (int, string) {
		t.Helper()
		form.Set("Version", "2010-08-01")
		req, _ := http.NewRequest("POST", c.e.URL()+"/", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=x")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	now := time.Now().UTC().Truncate(time.Minute)
	status, body := post(url.Values{"Action": {"PutMetricData"}, "Namespace": {"Q"},
		"MetricData.member.1.MetricName": {"hits"}, "MetricData.member.1.Value": {"4"}, "MetricData.member.1.Unit": {"Count"},
		"MetricData.member.1.Timestamp":                {now.Format(time.RFC3339)},
		"MetricData.member.1.Dimensions.member.1.Name": {"Page"}, "MetricData.member.1.Dimensions.member.1.Value": {"home"}})
	if status != 200 || !strings.Contains(body, "<PutMetricDataResponse") {
		t.Fatalf("put: %d %s", status, body)
	}
	status, body = post(url.Values{"Action": {"GetMetricStatistics"}, "Namespace": {"Q"}, "MetricName": {"hits"},
		"Dimensions.member.1.Name": {"Page"}, "Dimensions.member.1.Value": {"home"},
		"StartTime": {now.Add(-time.Hour).Format(time.RFC3339)}, "EndTime": {now.Add(time.Hour).Format(time.RFC3339)},
		"Period": {"60"}, "Statistics.member.1": {"Sum"}})
	want := "<Datapoints><member><Timestamp>" + now.Format("2006-01-02T15:04:05.000Z") + "</Timestamp><Sum>4</Sum><Unit>Count</Unit></member></Datapoints>"
	if status != 200 || !strings.Contains(body, want) {
		t.Fatalf("stats: %d %s", status, body)
	}
	status, body = post(url.Values{"Action": {"PutMetricData"}, "Namespace": {"Q"}, "MetricData.member.1.MetricName": {"hits"}, "MetricData.member.1.Value": {"NaN"}})
	if status != 400 || !strings.Contains(body, "<Code>InvalidParameterValue</Code>") || !strings.Contains(body, "<Type>Sender</Type>") {
		t.Fatalf("NaN: %d %s", status, body)
	}
	status, body = post(url.Values{"Action": {"GetMetricStatistics"}, "Namespace": {"Q"}})
	if status != 400 || !strings.Contains(body, "<Code>MissingParameter</Code>") {
		t.Fatalf("missing: %d %s", status, body)
	}
	// the newer resources answer the query protocol too: lists as members,
	// blobs in base64
	status, body = post(url.Values{"Action": {"PutDashboard"}, "DashboardName": {"q"}, "DashboardBody": {`{"widgets":[]}`}})
	if status != 200 || !strings.Contains(body, "<DashboardValidationMessages></DashboardValidationMessages>") {
		t.Fatalf("put dashboard: %d %s", status, body)
	}
	status, body = post(url.Values{"Action": {"ListDashboards"}})
	if status != 200 || !strings.Contains(body, "<DashboardEntries><member><DashboardName>q</DashboardName>") {
		t.Fatalf("list dashboards: %d %s", status, body)
	}
	status, body = post(url.Values{"Action": {"GetMetricWidgetImage"}, "MetricWidget": {`{"metrics":[["Q","hits","Page","home"]],"width":10,"height":10}`}})
	if status != 200 || !strings.Contains(body, "<MetricWidgetImage>iVBORw0KGgo") {
		t.Fatalf("widget image: %d %s", status, body)
	}
}
