package cloudwatch_test

import (
	"encoding/json"
	"os/exec"
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

// Debian's aws CLI v2 (2.9, /usr/bin/aws: make deps installs it where no aws
// CLI is on PATH) predates CloudWatch's move to JSON and CBOR: it speaks the
// query protocol.
func TestCLIv2Query(t *testing.T) {
	t.Parallel()
	const bin = "/usr/bin/aws"
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "aws-cli/2.") {
		t.Skip("Debian's aws CLI v2 not installed at " + bin)
	}
	c := start(t)
	run := func(args ...string) (string, string, int) {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"--endpoint-url", c.e.URL(), "--region", "us-east-1", "--output", "json", "cloudwatch"}, args...)...)
		cmd.Env = append(emutest.CLIEnv(), "AWS_CLI_AUTO_PROMPT=off")
		var o, e strings.Builder
		cmd.Stdout, cmd.Stderr = &o, &e
		code := 0
		if err := cmd.Run(); err != nil {
			code = -1
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
		}
		return o.String(), e.String(), code
	}
	if _, stderr, code := run("put-metric-data", "--namespace", "V2", "--metric-name", "Hits", "--value", "7", "--unit", "Count"); code != 0 {
		t.Fatalf("put: %d %s", code, stderr)
	}
	now := time.Now().UTC()
	out2, stderr, code := run("get-metric-statistics", "--namespace", "V2", "--metric-name", "Hits", "--start-time", now.Add(-time.Hour).Format(time.RFC3339),
		"--end-time", now.Add(time.Hour).Format(time.RFC3339), "--period", "7200", "--statistics", "Sum")
	var st struct{ Datapoints []struct{ Sum float64 } }
	if code != 0 || json.Unmarshal([]byte(out2), &st) != nil || len(st.Datapoints) != 1 || st.Datapoints[0].Sum != 7 {
		t.Fatalf("stats: %d %s %s", code, out2, stderr)
	}
	if _, stderr, code := run("put-metric-data", "--namespace", "V2", "--metric-name", "X", "--value", "nan"); code == 0 || !strings.Contains(stderr, "InvalidParameterValue") {
		t.Fatalf("NaN: %d %s", code, stderr)
	}
}

// Dashboards and composite alarms through the aws CLI (awsJson1_0).
func TestCLIDashboardsAndCompositeAlarm(t *testing.T) {
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
	body := `{"widgets":[{"type":"text","x":0,"y":0,"width":6,"height":3,"properties":{"markdown":"# Shop"}}]}`
	run("put-dashboard", "--dashboard-name", "shop", "--dashboard-body", body)
	var g struct{ DashboardName, DashboardBody string }
	if out := run("get-dashboard", "--dashboard-name", "shop"); json.Unmarshal([]byte(out), &g) != nil || g.DashboardBody != body {
		t.Fatalf("get-dashboard: %s", out)
	}
	var l struct {
		DashboardEntries []struct{ DashboardName string }
	}
	if out := run("list-dashboards", "--dashboard-name-prefix", "sh"); json.Unmarshal([]byte(out), &l) != nil || len(l.DashboardEntries) != 1 {
		t.Fatalf("list-dashboards: %s", out)
	}
	_, stderr, code := emutest.CLI(t, url, "cloudwatch", "put-dashboard", "--dashboard-name", "bad", "--dashboard-body", "{}")
	if code == 0 || !strings.Contains(stderr, "InvalidParameterInput") || !strings.Contains(stderr, "Should have required property 'widgets'") {
		t.Fatalf("bad body: %d %s", code, stderr)
	}
	run("delete-dashboards", "--dashboard-names", "shop")

	for _, n := range []string{"api-errors", "db-errors"} {
		run("put-metric-alarm", "--alarm-name", n, "--namespace", "Shop", "--metric-name", n, "--statistic", "Sum", "--period", "60",
			"--evaluation-periods", "1", "--threshold", "1", "--comparison-operator", "GreaterThanThreshold")
	}
	run("put-composite-alarm", "--alarm-name", "shop-down", "--alarm-rule", `ALARM("api-errors") AND ALARM("db-errors")`)
	run("set-alarm-state", "--alarm-name", "api-errors", "--state-value", "ALARM", "--state-reason", "test")
	run("set-alarm-state", "--alarm-name", "db-errors", "--state-value", "ALARM", "--state-reason", "test")
	var d struct {
		CompositeAlarms []struct{ AlarmName, StateValue, AlarmRule string }
	}
	out := run("describe-alarms", "--alarm-types", "CompositeAlarm")
	if json.Unmarshal([]byte(out), &d) != nil || len(d.CompositeAlarms) != 1 || d.CompositeAlarms[0].StateValue != "ALARM" {
		t.Fatalf("describe-alarms --alarm-types CompositeAlarm: %s", out)
	}
	_, stderr, code = emutest.CLI(t, url, "cloudwatch", "put-composite-alarm", "--alarm-name", "x", "--alarm-rule", "ALARM(nope)")
	if code == 0 || !strings.Contains(stderr, "ValidationError") {
		t.Fatalf("missing child: %d %s", code, stderr)
	}
}
