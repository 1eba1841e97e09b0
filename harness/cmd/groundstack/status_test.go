package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/sdkclient"
)

func statusCloud(t *testing.T, opts ...emulator.Option) *emulator.Emulator {
	t.Helper()
	e := emulator.New(opts...)
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func noEnv(string) string { return "" }

// TestStatusListsServicesAndResources: status through its real code
// against an embedded emulator serving a subset, holding two buckets.
func TestStatusListsServicesAndResources(t *testing.T) {
	e := statusCloud(t, emulator.WithServices("s3", "sqs"))
	c := s3.NewFromConfig(sdkclient.Config(e.URL(), ""))
	for _, b := range []string{"one", "two"} {
		if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := runStatus([]string{"--endpoint", e.URL()}, &out, noEnv); err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{
		`(?m)^endpoint\s+` + regexp.QuoteMeta(e.URL()) + `$`,
		`(?m)^version\s+` + regexp.QuoteMeta(emulator.Version) + `$`,
		`(?m)^mqtt\s+127\.0\.0\.1:\d+$`,
		`(?m)^capabilities\s+.*\breset\b`,
		`(?m)^s3\s+running\s+buckets 2, bytes 0, objects 0$`,
		`(?m)^sqs\s+running\s+queues 0$`,
		`(?m)^dynamodb\s+disabled\s+tables 0$`,
	} {
		if !regexp.MustCompile(re).MatchString(out.String()) {
			t.Errorf("no line matching %s in:\n%s", re, out.String())
		}
	}

	out.Reset()
	if err := runStatus([]string{"--endpoint", e.URL(), "--json"}, &out, noEnv); err != nil {
		t.Fatal(err)
	}
	var js struct {
		Endpoint string
		Health   struct{ Services []string }
		State    struct {
			Services map[string]map[string]any
		}
	}
	if err := json.Unmarshal(out.Bytes(), &js); err != nil {
		t.Fatalf("--json: %v\n%s", err, out.String())
	}
	if js.Endpoint != e.URL() || len(js.Health.Services) != 2 || js.State.Services["s3"]["buckets"] != 2.0 {
		t.Errorf("--json: %+v", js)
	}
}

// TestStatusStrictMode: without keys the resources are unknown (and said
// so); with them, listed.
func TestStatusStrictMode(t *testing.T) {
	e := statusCloud(t, emulator.WithStrictAuth(map[string]string{"AKIASTATUSTEST000001": "s3cret"}))
	var out bytes.Buffer
	if err := runStatus([]string{"--endpoint", e.URL()}, &out, noEnv); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "resources     unknown:") || !regexp.MustCompile(`(?m)^s3\s+running\s+-$`).MatchString(out.String()) {
		t.Errorf("unsigned, in strict mode:\n%s", out.String())
	}
	keys := map[string]string{"AWS_ACCESS_KEY_ID": "AKIASTATUSTEST000001", "AWS_SECRET_ACCESS_KEY": "s3cret"}
	out.Reset()
	if err := runStatus([]string{"--endpoint", e.URL()}, &out, func(k string) string { return keys[k] }); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "unknown") || !regexp.MustCompile(`(?m)^s3\s+running\s+buckets 0`).MatchString(out.String()) {
		t.Errorf("signed, in strict mode:\n%s", out.String())
	}
}

func TestStatusWithoutACloud(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	err = runStatus([]string{"--endpoint", closed}, &bytes.Buffer{}, noEnv)
	if err == nil || !strings.Contains(err.Error(), "no groundstack answers at "+closed) {
		t.Errorf("status with nothing listening: %v", err)
	}
	if err := runStatus([]string{"extra"}, &bytes.Buffer{}, noEnv); err == nil {
		t.Error("an argument accepted")
	}
}

// TestUpServicesFromTheEnvironment: GROUNDSTACK_SERVICES picks the
// services up serves; a name no service has is refused before start.
func TestUpServicesFromTheEnvironment(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == envServices {
				return v
			}
			return ""
		}
	}
	if opts, err := servicesOption(env("")); err != nil || opts != nil {
		t.Errorf("unset: %v %v, want no option", opts, err)
	}
	opts, err := servicesOption(env(" s3, dynamodb ,"))
	if err != nil || len(opts) != 1 {
		t.Fatalf("s3,dynamodb: %v %v", opts, err)
	}
	e := statusCloud(t, opts...)
	var out bytes.Buffer
	if err := runStatus([]string{"--endpoint", e.URL()}, &out, noEnv); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^dynamodb\s+running`).MatchString(out.String()) || !regexp.MustCompile(`(?m)^sqs\s+disabled`).MatchString(out.String()) {
		t.Errorf("GROUNDSTACK_SERVICES=s3,dynamodb:\n%s", out.String())
	}
	if _, err := servicesOption(env("s3,s4")); err == nil || !strings.Contains(err.Error(), `"s4"`) {
		t.Errorf("s3,s4: %v, want an error naming s4", err)
	}
}
