package apigateway

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

func (s *Service) authorizerOperations() []awsproto.Operation {
	const z = "/restapis/{restapi_id}/authorizers"
	h := func(op awsproto.Operation, route string, status int) awsproto.Operation {
		return op.At(route).WithStatus(status)
	}
	return []awsproto.Operation{
		h(awsproto.Handle("CreateAuthorizer", s.createAuthorizer), "POST "+z, http.StatusCreated),
		h(awsproto.Handle("GetAuthorizers", s.getAuthorizers), "GET "+z, http.StatusOK),
		h(awsproto.Handle("GetAuthorizer", s.getAuthorizer), "GET "+z+"/{authorizer_id}", http.StatusOK),
		h(awsproto.Handle("UpdateAuthorizer", s.updateAuthorizer), "PATCH "+z+"/{authorizer_id}", http.StatusOK),
		h(awsproto.Handle("DeleteAuthorizer", s.deleteAuthorizer), "DELETE "+z+"/{authorizer_id}", http.StatusAccepted),
		h(awsproto.Handle("TestInvokeAuthorizer", s.testInvokeAuthorizer), "POST "+z+"/{authorizer_id}", http.StatusOK),
	}
}

type authorizerOut struct {
	ID                           string   `json:"id"`
	Name                         string   `json:"name"`
	Type                         string   `json:"type"`
	ProviderARNs                 []string `json:"providerARNs,omitempty"`
	AuthType                     string   `json:"authType,omitempty"`
	AuthorizerURI                string   `json:"authorizerUri,omitempty"`
	AuthorizerCredentials        string   `json:"authorizerCredentials,omitempty"`
	IdentitySource               string   `json:"identitySource,omitempty"`
	IdentityValidationExpression string   `json:"identityValidationExpression,omitempty"`
	AuthorizerResultTTLInSeconds int      `json:"authorizerResultTtlInSeconds"`
}

func authorizerView(z *Authorizer) authorizerOut {
	return authorizerOut{
		ID: z.ID, Name: z.Name, Type: z.Type, ProviderARNs: z.ProviderARNs, AuthType: z.AuthType, AuthorizerURI: z.URI,
		AuthorizerCredentials: z.Credentials, IdentitySource: z.IdentitySource,
		IdentityValidationExpression: z.IdentityValidationExpression, AuthorizerResultTTLInSeconds: z.TTL,
	}
}

type createAuthorizerInput struct {
	apiPath
	Name                         *string  `json:"name" required:"true"`
	Type                         *string  `json:"type" required:"true" enum:"TOKEN,REQUEST,COGNITO_USER_POOLS"`
	ProviderARNs                 []string `json:"providerARNs"`
	AuthType                     string   `json:"authType"`
	AuthorizerURI                string   `json:"authorizerUri"`
	AuthorizerCredentials        string   `json:"authorizerCredentials"`
	IdentitySource               string   `json:"identitySource"`
	IdentityValidationExpression string   `json:"identityValidationExpression"`
	AuthorizerResultTTLInSeconds *int     `json:"authorizerResultTtlInSeconds"`
}

func (s *Service) createAuthorizer(c *awsproto.Call, in *createAuthorizerInput) (authorizerOut, error) {
	z := &Authorizer{
		Name: *in.Name, Type: *in.Type, ProviderARNs: in.ProviderARNs, AuthType: in.AuthType, URI: in.AuthorizerURI,
		Credentials: in.AuthorizerCredentials, IdentitySource: in.IdentitySource,
		IdentityValidationExpression: in.IdentityValidationExpression, TTL: DefaultAuthorizerTTL,
	}
	if in.AuthorizerResultTTLInSeconds != nil {
		z.TTL = *in.AuthorizerResultTTLInSeconds
	}
	return edit(s, in.RestAPIID, func(a *API) (authorizerOut, error) {
		if err := a.CreateAuthorizer(s.store, z); err != nil {
			return authorizerOut{}, err
		}
		return authorizerView(z), nil
	})
}

type getAuthorizersInput struct {
	apiPath
	pageInput
}

func (s *Service) getAuthorizers(c *awsproto.Call, in *getAuthorizersInput) (listOut[authorizerOut], error) {
	return read(s, in.RestAPIID, func(a *API) (listOut[authorizerOut], error) {
		return page(in.pageInput, a.Authorizers(), authorizerView)
	})
}

type authorizerPath struct {
	apiPath
	AuthorizerID string `json:"-" location:"uri" name:"authorizer_id"`
}

func (s *Service) getAuthorizer(c *awsproto.Call, in *authorizerPath) (authorizerOut, error) {
	return read(s, in.RestAPIID, func(a *API) (authorizerOut, error) {
		return as(authorizerView)(a.Authorizer(in.AuthorizerID))
	})
}

type updateAuthorizerInput struct {
	authorizerPath
	patchInput
}

func (s *Service) updateAuthorizer(c *awsproto.Call, in *updateAuthorizerInput) (authorizerOut, error) {
	return edit(s, in.RestAPIID, func(a *API) (authorizerOut, error) {
		return as(authorizerView)(a.PatchAuthorizer(in.AuthorizerID, in.PatchOperations))
	})
}

func (s *Service) deleteAuthorizer(c *awsproto.Call, in *authorizerPath) (struct{}, error) {
	return struct{}{}, s.store.Edit(in.RestAPIID, func(a *API) error { return a.DeleteAuthorizer(in.AuthorizerID) })
}

type testInvokeAuthorizerInput struct {
	authorizerPath
	Headers             map[string]string   `json:"headers"`
	MultiValueHeaders   map[string][]string `json:"multiValueHeaders"`
	PathWithQueryString string              `json:"pathWithQueryString"`
	Body                string              `json:"body"`
	StageVariables      map[string]string   `json:"stageVariables"`
	AdditionalContext   map[string]string   `json:"additionalContext"`
}

type testInvokeAuthorizerOut struct {
	ClientStatus  int                 `json:"clientStatus"`
	Log           string              `json:"log"`
	Latency       int64               `json:"latency"`
	PrincipalID   string              `json:"principalId,omitempty"`
	Policy        string              `json:"policy,omitempty"`
	Authorization map[string][]string `json:"authorization,omitempty"`
	Claims        map[string]string   `json:"claims,omitempty"`
}

// testInvokeStage is the stage name API Gateway puts in a test invocation's
// method ARN.
const testInvokeStage = "ESTestInvoke-stage"

// testInvokeAuthorizer runs the authorizer as it is now (not as deployed)
// on the request the input describes, without the cache.
func (s *Service) testInvokeAuthorizer(c *awsproto.Call, in *testInvokeAuthorizerInput) (testInvokeAuthorizerOut, error) {
	var (
		z      Authorizer
		region string
	)
	err := s.store.Read(in.RestAPIID, func(a *API) error {
		found, err := a.Authorizer(in.AuthorizerID)
		if err != nil {
			return err
		}
		z, region = *found, a.Region
		return nil
	})
	if err != nil {
		return testInvokeAuthorizerOut{}, err
	}
	path := in.PathWithQueryString
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	u, err := url.ParseRequestURI(path)
	if err != nil {
		return testInvokeAuthorizerOut{}, ErrBadRequest.New("Invalid pathWithQueryString specified")
	}
	req, _ := http.NewRequestWithContext(c.Request.Context(), http.MethodGet, "/", strings.NewReader(in.Body))
	req.URL = u
	req.Host = c.Request.Host
	req.RemoteAddr = c.Request.RemoteAddr
	for k, vs := range in.MultiValueHeaders {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	for k, v := range in.Headers {
		req.Header.Set(k, v)
	}
	segs, _ := SplitPath(u.EscapedPath())
	x := s.newExchange(nil, req, invocation{APIID: in.RestAPIID, Stage: testInvokeStage, Path: u.EscapedPath()})
	rt := &route{
		target: Target{Snapshot: &Snapshot{}, Stage: testInvokeStage, Variables: in.StageVariables, Region: region},
		node:   &RouteNode{Path: u.Path}, method: &Method{HTTPMethod: http.MethodGet, AuthorizationType: "CUSTOM", AuthorizerID: z.ID},
		segs: segs,
	}
	methodARN := "arn:aws:execute-api:" + region + ":" + s.env.Account + ":" + in.RestAPIID + "/" + testInvokeStage + "/GET/"
	began := time.Now()
	res, _, gw := x.runAuthorizer(&z, rt, methodARN, false)
	out := testInvokeAuthorizerOut{Latency: time.Since(began).Milliseconds()}
	if gw != nil {
		out.ClientStatus = gw.status
		out.Log = "Execution failed: " + gw.errorType
		return out, nil
	}
	out.ClientStatus = http.StatusOK
	out.PrincipalID = res.principalID
	out.Policy = string(res.policyJSON)
	out.Log = "Execution log for request test-request\nAuthorizer: " + z.Name + " (" + z.Type + ")\nPrincipal: " + res.principalID
	return out, nil
}
