package awsmodel_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/groundstack/groundstack/harness/awsmodel"
)

var (
	libOnce sync.Once
	lib     *awsmodel.Library
	libErr  error
)

// models returns the installed models, failing (never skipping) without
// them: make deps installs botocore.
func models(t testing.TB) *awsmodel.Library {
	t.Helper()
	libOnce.Do(func() { lib, libErr = awsmodel.Default() })
	if libErr != nil {
		t.Fatalf("%v (run make deps)", libErr)
	}
	return lib
}

func TestLoadService(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		service, protocol, op string
	}{
		{"s3", "rest-xml", "ListBucketAnalyticsConfigurations"},
		{"dynamodb", "json", "PutItem"},
		{"sts", "query", "GetCallerIdentity"},
		{"lambda", "rest-json", "Invoke"},
		{"iot-data", "rest-json", "Publish"},
	} {
		t.Run(tc.service, func(t *testing.T) {
			t.Parallel()
			m, err := models(t).Service(tc.service)
			if err != nil {
				t.Fatal(err)
			}
			if m.Metadata.Protocol != tc.protocol {
				t.Errorf("protocol = %q, want %q", m.Metadata.Protocol, tc.protocol)
			}
			if m.Operations[tc.op] == nil {
				t.Errorf("no operation %s in %s/%s", tc.op, m.Name, m.Version)
			}
		})
	}
}

func TestNewestVersion(t *testing.T) {
	t.Parallel()
	m, err := models(t).Service("dynamodb") // 2011-12-05 has no service-2 of its own any more; 2012-08-10 does
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != "2012-08-10" {
		t.Errorf("version = %s, want the newest, 2012-08-10", m.Version)
	}
	if _, err := models(t).Service("no-such-service"); err == nil {
		t.Error("a service without a model loaded")
	}
}

func TestConstraints(t *testing.T) {
	t.Parallel()
	m, err := models(t).Service("sqs")
	if err != nil {
		t.Fatal(err)
	}
	in := m.Input("CreateQueue")
	if in == nil || !in.IsRequired("QueueName") {
		t.Fatalf("CreateQueue's input does not require QueueName: %+v", in)
	}
	if ref := in.Members["QueueName"]; ref == nil || m.Shape(ref.Shape).Type != "string" {
		t.Errorf("QueueName is not a string")
	}
}

func TestMatchREST(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		service, method, target string
		header                  http.Header
		want                    string
	}{
		{"s3", "GET", "/bucket?analytics", nil, "ListBucketAnalyticsConfigurations"},
		{"s3", "GET", "/bucket?analytics&id=a1", nil, "GetBucketAnalyticsConfiguration"},
		{"s3", "GET", "/bucket", nil, "ListObjects"},
		{"s3", "GET", "/bucket?list-type=2", nil, "ListObjectsV2"},
		{"s3", "GET", "/", nil, "ListBuckets"},
		{"s3", "GET", "/bucket/a/b/c.txt", nil, "GetObject"},
		{"s3", "PUT", "/bucket/key", nil, "PutObject"},
		{"s3", "PUT", "/bucket/key", http.Header{"X-Amz-Copy-Source": {"b/k"}}, "CopyObject"},
		{"lambda", "POST", "/2015-03-31/functions/f/invocations", nil, "Invoke"},
		{"lambda", "GET", "/2015-03-31/functions/f/concurrency", nil, ""}, // not an operation: GetFunctionConcurrency is dated 2019-09-30
		{"lambda", "GET", "/2019-09-30/functions/f/concurrency", nil, "GetFunctionConcurrency"},
		{"lambda", "GET", "/nothing/here", nil, ""},
	} {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			t.Parallel()
			m, err := models(t).Service(tc.service)
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(tc.target)
			op, ok := m.MatchREST(tc.method, u.EscapedPath(), u.Query(), tc.header)
			got := ""
			if ok {
				got = op.Name
			}
			if got != tc.want {
				t.Errorf("matched %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLocateFromEnv(t *testing.T) {
	dir := models(t).Dir
	t.Setenv(awsmodel.EnvDataDir, dir)
	got, err := awsmodel.Locate()
	if err != nil || got != dir {
		t.Errorf("Locate() = %q, %v; want %q", got, err, dir)
	}
	t.Setenv(awsmodel.EnvDataDir, t.TempDir())
	if _, err := awsmodel.Locate(); err == nil || !strings.Contains(err.Error(), awsmodel.EnvDataDir) {
		t.Errorf("Locate() with an empty directory: %v, want an error naming %s", err, awsmodel.EnvDataDir)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`{"metadata":{"protocol":"json"},"operations":{"A":{"name":"A","http":{"method":"POST","requestUri":"/"}}},"shapes":{}}`)
	f.Add(`{"operations":{"A":null}}`)
	f.Add(`{"operations":{"A":{}},"shapes":{"S":{"type":"structure","members":{"m":{"shape":"S"}},"min":1e400}}}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, doc string) {
		m, err := awsmodel.Parse(strings.NewReader(doc))
		if err != nil {
			return
		}
		for _, n := range m.OperationNames() {
			m.Input(n)
			m.MatchREST("GET", "/a/b", url.Values{"x": nil}, http.Header{})
		}
	})
}
