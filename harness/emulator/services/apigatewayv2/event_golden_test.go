package apigatewayv2_test

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/emutest/lambdago"
)

// keys lists the object keys of v at every depth ("requestContext.http.method"),
// headers excepted.
func keys(prefix string, v any, out *[]string) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	for k, sub := range m {
		*out = append(*out, prefix+k)
		if k != "headers" { // the request's own headers differ; compared apart
			keys(prefix+k+".", sub, out)
		}
	}
}

// The payload 2.0 event has the members of aws-lambda-go's sample of a
// request without authorizer (AWS's own event), no more and no fewer; only
// requestContext.authentication (mutual TLS) is not emulated.
func TestPayload2EventMatchesAWSSample(t *testing.T) {
	var mu sync.Mutex
	var got []byte
	st := startStandalone(t, func(req cloud.InvokeRequest) (cloud.InvokeResult, error) {
		mu.Lock()
		got = req.Payload
		mu.Unlock()
		return cloud.InvokeResult{Payload: []byte(`{"statusCode":200}`)}, nil
	})
	c := st.client
	api := must(c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("golden"), ProtocolType: types.ProtocolTypeHttp,
		Target: aws.String("arn:aws:lambda:us-east-1:000000000000:function:fn")})).ok(t)
	req := newReq(t, "GET", st.url+"/_aws/execute-api/"+*api.ApiId+"/", "")
	req.Header.Set("Accept", "*/*")
	req.Header.Set("User-Agent", "curl/7.58.0")
	if status, _, body := do(t, req); status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	var want, have map[string]any
	if err := json.Unmarshal(lambdago.Sample(t, "apigw-v2-request-no-authorizer.json"), &want); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	err := json.Unmarshal(got, &have)
	mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	var wk, hk []string
	keys("", want, &wk)
	keys("", have, &hk)
	wk = slices.DeleteFunc(wk, func(k string) bool { return strings.HasPrefix(k, "requestContext.authentication") })
	sort.Strings(wk)
	sort.Strings(hk)
	if !slices.Equal(wk, hk) {
		t.Fatalf("members differ:\n AWS: %v\n ours: %v", wk, hk)
	}
	wh, hh := want["headers"].(map[string]any), have["headers"].(map[string]any)
	for k := range wh {
		if _, ok := hh[k]; !ok {
			t.Errorf("header %s missing: %v", k, hh)
		}
	}
	if rc := have["requestContext"].(map[string]any); rc["apiId"] != *api.ApiId || rc["stage"] != "$default" || have["rawPath"] != "/" ||
		len(rc["requestId"].(string)) != len(want["requestContext"].(map[string]any)["requestId"].(string)) {
		t.Fatalf("%s", got)
	}
}
