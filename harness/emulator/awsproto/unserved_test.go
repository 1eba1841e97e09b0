package awsproto

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestUnservedByModel: an API that names its model answers operations of
// the model it does not serve with 501 NotImplemented naming them, and
// anything else as before; with no model to read (botocore absent where
// the emulator runs), a rest request no route takes is NotImplemented
// naming its method and path.
func TestUnservedByModel(t *testing.T) {
	t.Parallel()
	if _, err := modelsDir(); err != nil {
		t.Fatalf("%v (run make deps)", err)
	}
	lambda := restAPI()
	lambda.Model = "lambda"
	unmodelled := restAPI()
	unmodelled.Model = "no-such-service" // as with no botocore: no model to read
	jsonAPI := &API{Base: testBase(), Protocol: JSON10, TargetPrefix: "DynamoDB_20120810", Model: "dynamodb"}
	jsonAPI.Register(Handle("PutItem", func(c *Call, in *struct{}) (struct{}, error) { return struct{}{}, nil }))
	queryAPI := &API{Base: testBase(), Protocol: Query, Model: "sts", XMLNS: "https://sts.amazonaws.com/doc/2011-06-15/"}
	queryAPI.Register(Handle("GetCallerIdentity", func(c *Call, in *struct{}) (struct{}, error) { return struct{}{}, nil }))
	for _, tc := range []struct {
		name        string
		api         *API
		method, url string
		target      string
		body        string
		status      int
		has         string
	}{
		{"rest unserved", lambda, "GET", "/2020-04-22/code-signing-configs/", "", "", 501, "The operation ListCodeSigningConfigs of service lambda is not implemented by groundstack"},
		{"rest in no model", lambda, "GET", "/2015-03-31/nothing", "", "", 400, "UnknownOperationException"},
		{"rest served, wrong method", lambda, "PUT", "/2015-03-31/functions/fn/invocations", "", "", 400, "UnknownOperationException"},
		{"rest without a model", unmodelled, "GET", "/2015-03-31/nothing", "", "", 501, "The request GET /2015-03-31/nothing of service no-such-service is not implemented by groundstack"},
		{"json unserved", jsonAPI, "POST", "/", "DynamoDB_20120810.CreateBackup", "{}", 501, `"__type":"NotImplemented","message":"The operation CreateBackup of service dynamodb is not implemented by groundstack"`},
		{"json in no model", jsonAPI, "POST", "/", "DynamoDB_20120810.FlyToTheMoon", "{}", 400, "UnknownOperationException"},
		{"query unserved", queryAPI, "POST", "/", "", "Action=AssumeRoot&Version=2011-06-15", 501, "<Code>NotImplemented</Code><Message>The operation AssumeRoot of service sts is not implemented by groundstack</Message>"},
		{"query in no model", queryAPI, "POST", "/", "", "Action=FlyToTheMoon&Version=2011-06-15", 400, "<Code>InvalidAction</Code><Message>Could not find operation FlyToTheMoon for version 2011-06-15</Message>"},
		{"query in no model, no version", queryAPI, "POST", "/", "", "Action=FlyToTheMoon", 400, "Could not find operation FlyToTheMoon for version 2011-06-15"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tc.method, tc.url, strings.NewReader(tc.body))
			if tc.target != "" {
				r.Header.Set("X-Amz-Target", tc.target)
			} else if tc.body != "" {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			w := httptest.NewRecorder()
			tc.api.ServeHTTP(w, r)
			if w.Code != tc.status || !strings.Contains(w.Body.String()+w.Header().Get("X-Amzn-Errortype"), tc.has) {
				t.Errorf("got %d %s (%s), want %d with %q", w.Code, w.Body, w.Header().Get("X-Amzn-Errortype"), tc.status, tc.has)
			}
		})
	}
}

func TestModelOperation(t *testing.T) {
	t.Parallel()
	if _, err := modelsDir(); err != nil {
		t.Fatalf("%v (run make deps)", err)
	}
	a := &API{Base: testBase(), Protocol: RestXML, Model: "s3", SelfRouted: true}
	r := httptest.NewRequest("GET", "/?analytics", nil)
	if name, ok := a.ModelOperation(r, "/bucket"); !ok || name != "ListBucketAnalyticsConfigurations" {
		t.Errorf("ModelOperation = %q, %v", name, ok)
	}
	r = httptest.NewRequest("GET", "/?"+url.Values{"analytics": {""}, "id": {"x"}}.Encode(), nil)
	if name, _ := a.ModelOperation(r, "/bucket"); name != "GetBucketAnalyticsConfiguration" {
		t.Errorf("ModelOperation = %q", name)
	}
	if e := a.NotImplemented("X"); e.Status != http.StatusNotImplemented || e.Code != "NotImplemented" {
		t.Errorf("NotImplemented = %+v", e)
	}
}
