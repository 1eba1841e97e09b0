package apigateway

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// testInvokeMethodStage is the stage a test invocation's proxy event names, as on AWS.
const testInvokeMethodStage = "test-invoke-stage"

type testInvokeMethodInput struct {
	methodPath
	PathWithQueryString string              `json:"pathWithQueryString"`
	Body                string              `json:"body"`
	Headers             map[string]string   `json:"headers"`
	MultiValueHeaders   map[string][]string `json:"multiValueHeaders"`
	ClientCertificateID string              `json:"clientCertificateId"`
	StageVariables      map[string]string   `json:"stageVariables"`
}

type testInvokeMethodOut struct {
	Status            int                 `json:"status"`
	Body              string              `json:"body"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Log               string              `json:"log"`
	Latency           int64               `json:"latency"`
}

// testInvokeMethod runs a method as it is now (not as deployed) through the
// data plane, without authorization, as AWS's test invoke does.
func (s *Service) testInvokeMethod(c *awsproto.Call, in *testInvokeMethodInput) (testInvokeMethodOut, error) {
	var (
		snap       *Snapshot
		path       string
		region     string
		keySource  string
		hasInteg   bool
		resourceID = in.ResourceID
	)
	_, err := read(s, in.RestAPIID, func(a *API) (struct{}, error) {
		m, err := a.Method(in.ResourceID, in.HTTPMethod)
		if err != nil {
			return struct{}{}, err
		}
		hasInteg = m.Integration != nil
		snap, path, region, keySource = a.snapshot(), a.resources[in.ResourceID].Path, a.Region, a.APIKeySource
		return struct{}{}, nil
	})
	if err != nil {
		return testInvokeMethodOut{}, err
	}
	if !hasInteg {
		return testInvokeMethodOut{}, ErrBadRequest.New("Execution failed due to configuration error: No integration defined for method")
	}
	target := in.PathWithQueryString
	if target == "" {
		target = path
	}
	if !strings.HasPrefix(target, "/") {
		target = "/" + target
	}
	u, err := url.Parse(target)
	if err != nil {
		return testInvokeMethodOut{}, ErrBadRequest.New("Invalid path with query string specified")
	}
	r := httptest.NewRequest(in.HTTPMethod, "http://"+in.RestAPIID+".execute-api."+region+".amazonaws.com"+u.RequestURI(), strings.NewReader(in.Body))
	r = r.WithContext(c.Request.Context())
	for k, vs := range in.MultiValueHeaders {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	for k, v := range in.Headers {
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	inv := invocation{APIID: in.RestAPIID, Stage: testInvokeMethodStage, Path: u.EscapedPath()}
	x := s.newExchange(rec, r, inv)
	x.responses = snap.GatewayResponses
	node := snap.node(resourceID)
	segs, _ := SplitPath(u.EscapedPath())
	matched, params := snap.Match(segs)
	if matched != node {
		params = nil // the path names another resource: run this one's method, without path parameters
	}
	m := node.Method(in.HTTPMethod)
	start := time.Now()
	x.integrate(route{
		target: Target{Snapshot: snap, Stage: testInvokeMethodStage, Variables: in.StageVariables, Region: region, APIKeySource: keySource},
		node:   node, method: m, params: params, segs: segs, body: []byte(in.Body),
	})
	latency := time.Since(start).Milliseconds()
	out := testInvokeMethodOut{Status: rec.Code, Body: rec.Body.String(), Headers: map[string]string{},
		MultiValueHeaders: map[string][]string{}, Latency: latency}
	for k, vs := range rec.Header() {
		out.Headers[k] = strings.Join(vs, ",")
		out.MultiValueHeaders[k] = vs
	}
	var log bytes.Buffer
	now := s.env.Now().UTC().Format("Mon Jan 02 15:04:05 UTC 2006")
	log.WriteString("Execution log for request " + x.requestID + "\n")
	log.WriteString(now + " : Starting execution for request: " + x.requestID + "\n")
	log.WriteString(now + " : HTTP Method: " + in.HTTPMethod + ", Resource Path: " + u.Path + "\n")
	log.WriteString(now + " : Method request body before transformations: " + in.Body + "\n")
	log.WriteString(now + " : Method response body after transformations: " + out.Body + "\n")
	log.WriteString(now + " : Method response headers: " + headerLine(rec.Header()) + "\n")
	log.WriteString(now + " : Successfully completed execution\n")
	log.WriteString(now + " : Method completed with status: " + strconv.Itoa(rec.Code) + "\n")
	out.Log = log.String()
	return out, nil
}

func headerLine(h http.Header) string {
	parts := make([]string, 0, len(h))
	for _, k := range sortedKeys(h) {
		parts = append(parts, k+"="+strings.Join(h[k], ","))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
