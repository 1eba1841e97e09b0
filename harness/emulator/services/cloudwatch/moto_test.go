package cloudwatch_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// jsonCall sends an awsJson1_0 request as the aws CLI does (moto 5.2 does
// not speak RPC v2 CBOR) and returns the status, the error code a client
// reads (X-Amzn-Query-Error's code) and the body.
func jsonCall(t *testing.T, url, op, body string) (int, string, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "GraniteServiceVersion20100801."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amzn-Query-Mode", "true")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	code, _, _ := strings.Cut(resp.Header.Get("X-Amzn-Query-Error"), ";")
	return resp.StatusCode, code, out
}

// cwTranscript runs one scenario and records what a client sees where moto
// is faithful: statuses and error codes of bad input, statistics, the
// alarm's configuration and state changes.
func cwTranscript(t *testing.T, url string) []string {
	var out []string
	step := func(name, op, body string, show func(map[string]any) string) {
		status, code, res := jsonCall(t, url, op, body)
		line := fmt.Sprintf("%s: %d %s", name, status, code)
		if status == 200 && show != nil {
			line += " " + show(res)
		}
		out = append(out, line)
	}
	ts := time.Now().UTC().Truncate(time.Minute).Add(-2 * time.Minute).Unix()
	step("put", "PutMetricData", fmt.Sprintf(`{"Namespace":"Diff","MetricData":[{"MetricName":"m","Dimensions":[{"Name":"K","Value":"v"}],"Timestamp":%d,"Value":2,"Unit":"Count"},{"MetricName":"m","Dimensions":[{"Name":"K","Value":"v"}],"Timestamp":%d,"Value":4,"Unit":"Count"}]}`, ts, ts+1), nil)
	step("stats", "GetMetricStatistics", fmt.Sprintf(`{"Namespace":"Diff","MetricName":"m","Dimensions":[{"Name":"K","Value":"v"}],"StartTime":%d,"EndTime":%d,"Period":60,"Statistics":["Sum","Maximum","SampleCount"]}`, ts-60, ts+60),
		func(r map[string]any) string {
			var dps []string
			for _, d := range r["Datapoints"].([]any) {
				d := d.(map[string]any)
				dps = append(dps, fmt.Sprintf("sum=%v max=%v n=%v unit=%v", d["Sum"], d["Maximum"], d["SampleCount"], d["Unit"]))
			}
			return strings.Join(dps, ";")
		})
	step("list", "ListMetrics", `{"Namespace":"Diff"}`, func(r map[string]any) string {
		var ms []string
		for _, m := range r["Metrics"].([]any) {
			m := m.(map[string]any)
			ms = append(ms, fmt.Sprintf("%v/%v dims=%d", m["Namespace"], m["MetricName"], len(m["Dimensions"].([]any))))
		}
		return strings.Join(ms, ";")
	})
	alarm := `{"AlarmName":"diff-alarm","Namespace":"Diff","MetricName":"m","Statistic":"Sum","Period":60,"EvaluationPeriods":2,"Threshold":3,"ComparisonOperator":"GreaterThanOrEqualToThreshold","AlarmActions":["arn:aws:sns:us-east-1:000000000000:t"]}`
	step("put alarm", "PutMetricAlarm", alarm, nil)
	showAlarms := func(r map[string]any) string {
		var as []string
		for _, a := range r["MetricAlarms"].([]any) {
			a := a.(map[string]any)
			as = append(as, fmt.Sprintf("%v state=%v periods=%v threshold=%v op=%v stat=%v actions=%v arn=%v enabled=%v",
				a["AlarmName"], a["StateValue"], a["EvaluationPeriods"], a["Threshold"], a["ComparisonOperator"], a["Statistic"], a["AlarmActions"], a["AlarmArn"], a["ActionsEnabled"]))
		}
		return fmt.Sprintf("%d %s", len(as), strings.Join(as, ";"))
	}
	// (moto starts an alarm OK; AWS, and groundstack, INSUFFICIENT_DATA.)
	step("describe", "DescribeAlarms", `{"AlarmNamePrefix":"diff"}`, func(r map[string]any) string {
		return strings.Replace(showAlarms(r), "state=OK", "state=INSUFFICIENT_DATA", 1)
	})
	step("set state", "SetAlarmState", `{"AlarmName":"diff-alarm","StateValue":"ALARM","StateReason":"test"}`, nil)
	step("describe alarming", "DescribeAlarms", `{"StateValue":"ALARM"}`, showAlarms)
	step("for metric", "DescribeAlarmsForMetric", `{"Namespace":"Diff","MetricName":"m"}`, showAlarms)
	// (moto 5.2 answers 500 to DisableAlarmActions and to unknown
	// operations: not compared.)
	step("delete", "DeleteAlarms", `{"AlarmNames":["diff-alarm"]}`, nil)
	step("describe after delete", "DescribeAlarms", `{}`, showAlarms)
	return out
}

// TestAgainstMoto compares groundstack with moto (a second opinion) over
// awsJson1_0 on what moto models faithfully.
func TestAgainstMoto(t *testing.T) {
	t.Parallel()
	motoURL := emutest.Moto(t, "SKIP_MOTO")
	c := start(t)
	ours := cwTranscript(t, c.e.URL())
	theirs := cwTranscript(t, motoURL)
	for i := range theirs { // moto's default account
		theirs[i] = strings.ReplaceAll(theirs[i], ":123456789012:", ":000000000000:")
	}
	if strings.Join(ours, "\n") != strings.Join(theirs, "\n") {
		t.Fatalf("groundstack and moto differ:\n--- groundstack\n%s\n--- moto\n%s", strings.Join(ours, "\n"), strings.Join(theirs, "\n"))
	}
}
