package cloudwatch

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

func fuzzService(t testing.TB) *Service {
	env := cloud.DefaultEnv()
	env.AlarmEvaluation = -1
	s := New(env)
	t.Cleanup(func() { s.Close() })
	return s
}

// FuzzQuery feeds arbitrary query-protocol forms to every operation: the
// answer is XML, 200 or 4xx, never a panic or a 500.
func FuzzQuery(f *testing.F) {
	for _, seed := range []string{
		"Action=PutMetricData&Namespace=N&MetricData.member.1.MetricName=m&MetricData.member.1.Value=1",
		"Action=PutMetricData&Namespace=N&MetricData.member.1.MetricName=m&MetricData.member.1.Values.member.1=1&MetricData.member.1.Counts.member.1=2",
		"Action=PutMetricData&Namespace=N&MetricData.member.1.MetricName=m&MetricData.member.1.StatisticValues.SampleCount=1&MetricData.member.1.StatisticValues.Sum=1&MetricData.member.1.StatisticValues.Minimum=1&MetricData.member.1.StatisticValues.Maximum=1",
		"Action=PutMetricData&Namespace=N&MetricData.member.1.MetricName=m&MetricData.member.1.Timestamp=2026-01-01T00:00:00Z&MetricData.member.1.Value=NaN",
		"Action=GetMetricStatistics&Namespace=N&MetricName=m&StartTime=2026-01-01T00:00:00Z&EndTime=2026-01-02T00:00:00Z&Period=60&Statistics.member.1=Sum",
		"Action=PutMetricAlarm&AlarmName=a&Namespace=N&MetricName=m&Statistic=Sum&Period=60&EvaluationPeriods=1&Threshold=1&ComparisonOperator=GreaterThanThreshold",
		"Action=DescribeAlarms&MaxRecords=1&NextToken=YQ",
		"Action=GetMetricData&StartTime=2026-01-01T00:00:00Z&EndTime=2026-01-02T00:00:00Z&MetricDataQueries.member.1.Id=e&MetricDataQueries.member.1.Expression=SUM(%5Bx%5D)",
		"Action=ListMetrics&Dimensions.member.1.Name=a",
		"Action=DescribeAlarmHistory&NextToken=MQ",
	} {
		f.Add(seed)
	}
	s := fuzzService(f)
	f.Fuzz(func(t *testing.T, form string) {
		req := httptest.NewRequest("POST", "/", bytes.NewBufferString(form+"&Version=2010-08-01"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%d for %q: %s", w.Code, form, w.Body.String())
		}
		if !bytes.HasPrefix(w.Body.Bytes(), []byte("<?xml")) {
			t.Fatalf("not XML for %q: %s", form, w.Body.String())
		}
	})
}

// FuzzJSON does the same for awsJson1_0 bodies of PutMetricData and
// PutMetricAlarm.
func FuzzJSON(f *testing.F) {
	f.Add("PutMetricData", `{"Namespace":"N","MetricData":[{"MetricName":"m","Value":"NaN","Dimensions":[{"Name":"a","Value":"b"}]}]}`)
	f.Add("PutMetricData", `{"Namespace":"N","MetricData":[{"MetricName":"m","Values":[1,"Infinity"],"Counts":[1]}]}`)
	f.Add("PutMetricAlarm", `{"AlarmName":"a","Metrics":[{"Id":"m","MetricStat":{"Metric":{"Namespace":"N","MetricName":"m"},"Period":60,"Stat":"p99"}}],"EvaluationPeriods":1,"Threshold":1,"ComparisonOperator":"GreaterThanThreshold"}`)
	f.Add("GetMetricData", `{"StartTime":1,"EndTime":2,"MetricDataQueries":[{"Id":"a","Expression":"AVG([a])"}]}`)
	s := fuzzService(f)
	f.Fuzz(func(t *testing.T, op, body string) {
		req := httptest.NewRequest("POST", "/", bytes.NewBufferString(body))
		req.Header.Set("X-Amz-Target", "GraniteServiceVersion20100801."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%d for %s %q: %s", w.Code, op, body, w.Body.String())
		}
	})
}

// FuzzAlarmRule parses arbitrary alarm rules: an error or a rule that
// evaluates, never a panic; a rule that parses names alarms that are not
// empty.
func FuzzAlarmRule(f *testing.F) {
	for _, seed := range []string{
		`ALARM(a) AND NOT OK("b c")`, `(ALARM(a) OR INSUFFICIENT_DATA(b)) AND TRUE`, `NOT (FALSE)`,
		`ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:x)`, `ALARM(`, `((((`, `ALARM("a") OR`, `OK(a) AND AND`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		n, err := parseRule(src)
		if err != nil {
			return
		}
		for _, name := range n.alarms(nil) {
			if name == "" {
				t.Fatalf("empty alarm name in %q", src)
			}
		}
		n.eval(func(string) string { return StateAlarm })
	})
}
