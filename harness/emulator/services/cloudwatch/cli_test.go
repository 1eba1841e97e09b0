package cloudwatch_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// The aws CLI (v1 here) speaks awsJson1_0 to CloudWatch (botocore picks
// json before smithy-rpc-v2-cbor); its answers must parse and its errors
// carry the query code.
func TestCLI(t *testing.T) {
	t.Parallel()
	c := start(t)
	url := c.e.URL()
	run := func(args ...string) string {
		t.Helper()
		out, stderr, code := emutest.CLI(t, url, append([]string{"cloudwatch"}, args...)...)
		if code != 0 {
			t.Fatalf("aws cloudwatch %s: %d %s", strings.Join(args, " "), code, stderr)
		}
		return out
	}
	run("put-metric-data", "--namespace", "Shop", "--metric-name", "Orders", "--value", "3", "--unit", "Count", "--dimensions", "Store=north")
	run("put-metric-data", "--namespace", "Shop", "--metric-data", `[{"MetricName":"Orders","Dimensions":[{"Name":"Store","Value":"north"}],"Values":[1,2],"Counts":[1,1],"Unit":"Count"}]`)
	var lm struct {
		Metrics []struct{ Namespace, MetricName string }
	}
	if err := json.Unmarshal([]byte(run("list-metrics", "--namespace", "Shop")), &lm); err != nil || len(lm.Metrics) != 1 || lm.Metrics[0].MetricName != "Orders" {
		t.Fatalf("list-metrics: %v %+v", err, lm)
	}
	now := time.Now().UTC()
	var st struct {
		Datapoints []struct{ Sum, SampleCount float64 }
	}
	out := run("get-metric-statistics", "--namespace", "Shop", "--metric-name", "Orders", "--dimensions", "Name=Store,Value=north",
		"--start-time", now.Add(-time.Hour).Format(time.RFC3339), "--end-time", now.Add(time.Hour).Format(time.RFC3339),
		"--period", "7200", "--statistics", "Sum", "SampleCount")
	if err := json.Unmarshal([]byte(out), &st); err != nil || len(st.Datapoints) != 1 || st.Datapoints[0].Sum != 6 || st.Datapoints[0].SampleCount != 3 {
		t.Fatalf("get-metric-statistics: %v %s", err, out)
	}
	run("put-metric-alarm", "--alarm-name", "orders-high", "--namespace", "Shop", "--metric-name", "Orders",
		"--dimensions", "Name=Store,Value=north", "--statistic", "Sum", "--period", "60", "--evaluation-periods", "1",
		"--threshold", "5", "--comparison-operator", "GreaterThanThreshold",
		// a loaded machine may take minutes over these calls: the periods
		// after the data's are then empty, which must not undo the alarm
		"--treat-missing-data", "ignore")
	var da struct {
		MetricAlarms []struct {
			AlarmName, StateValue, AlarmArn string
			Threshold                       float64
		}
	}
	advance(t, c.e, time.Minute)
	out = run("describe-alarms", "--alarm-name-prefix", "orders", "--state-value", "ALARM")
	if err := json.Unmarshal([]byte(out), &da); err != nil || len(da.MetricAlarms) != 1 || da.MetricAlarms[0].AlarmName != "orders-high" || da.MetricAlarms[0].Threshold != 5 {
		t.Fatalf("describe-alarms --state-value ALARM: %v %s", err, out)
	}
	// Errors: the query code, as AWS's CLI shows it.
	_, stderr, code := emutest.CLI(t, url, "cloudwatch", "put-metric-data", "--namespace", "Shop", "--metric-name", "X", "--value", "nan")
	if code == 0 || !strings.Contains(stderr, "InvalidParameterValue") {
		t.Fatalf("NaN value: %d %s", code, stderr)
	}
}
