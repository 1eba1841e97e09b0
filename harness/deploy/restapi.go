package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// DefaultStage is the stage EnsureRestAPI deploys to when none is given.
const DefaultStage = "prod"

// Route sends one path and method of a REST API to a Lambda function
// through an AWS_PROXY integration.
type Route struct {
	// Path is the resource path: "/", "/orders", "/orders/{id}", "/{proxy+}".
	Path string
	// Method is GET, POST, … or ANY.
	Method string
	// Function is the function's ARN or name.
	Function string
}

// RestAPISpec is a REST API made of Lambda proxy routes.
type RestAPISpec struct {
	Name             string
	Description      string
	Stage            string // default "prod"
	Routes           []Route
	BinaryMediaTypes []string
	StageVariables   map[string]string
	// CORSOrigin, when set, adds an OPTIONS preflight (a MOCK integration
	// answering with Access-Control-Allow-* headers) to every routed
	// resource, as CORS is configured on AWS.
	CORSOrigin string
}

// RestAPI is a deployed REST API.
type RestAPI struct {
	ID    string
	Stage string
	// URL is the stage's base URL that needs no DNS set-up: the
	// /restapis/…/_user_request_ form on an emulator, the execute-api URL
	// on AWS. Append the resource path ("/orders/1").
	URL  string
	URLs InvokeURLs
}

// InvokeURLs are a stage's base URLs in the three forms LocalStack-style
// emulators accept (on AWS only Host is set: the execute-api URL).
type InvokeURLs struct {
	Host        string // http://{id}.execute-api.localhost.localstack.cloud:{port}/{stage}
	ExecuteAPI  string // {endpoint}/_aws/execute-api/{id}/{stage}
	UserRequest string // {endpoint}/restapis/{id}/{stage}/_user_request_
}

// EnsureRestAPI makes the REST API named spec.Name match the spec: it reuses
// the API of that name (or creates it), creates missing resources and
// methods, points each route's AWS_PROXY integration at its function, lets
// API Gateway invoke the functions (lambda:AddPermission; an existing
// statement is fine) and deploys the stage when anything changed or the
// stage is new. Routes not in the spec are left alone.
func EnsureRestAPI(ctx context.Context, cfg aws.Config, spec RestAPISpec) (api RestAPI, err error) {
	if spec.Name == "" {
		return RestAPI{}, errors.New("deploy: RestAPISpec needs a Name")
	}
	if spec.Stage == "" {
		spec.Stage = DefaultStage
	}
	c := apigw.NewFromConfig(cfg)
	lc := lambda.NewFromConfig(cfg)
	d := &apiDeployer{ctx: ctx, c: c, region: cfg.Region}

	if err := d.findOrCreate(spec); err != nil {
		return RestAPI{}, err
	}
	if err := d.loadResources(); err != nil {
		return RestAPI{}, err
	}
	functions := map[string]string{} // as given → ARN
	for _, r := range spec.Routes {
		if _, ok := functions[r.Function]; ok {
			continue
		}
		arn, err := functionARN(ctx, lc, r.Function)
		if err != nil {
			return RestAPI{}, err
		}
		functions[r.Function] = arn
	}
	corsDone := map[string]bool{}
	for _, r := range spec.Routes {
		method := strings.ToUpper(r.Method)
		if method == "" {
			method = "ANY"
		}
		res, err := d.ensurePath(r.Path)
		if err != nil {
			return RestAPI{}, err
		}
		if err := d.ensureProxyMethod(res, method, functions[r.Function]); err != nil {
			return RestAPI{}, err
		}
		if spec.CORSOrigin != "" && !corsDone[res.id] && method != "OPTIONS" {
			corsDone[res.id] = true
			if err := d.ensureCORS(res, spec.CORSOrigin); err != nil {
				return RestAPI{}, err
			}
		}
	}
	arns := make([]string, 0, len(functions))
	for _, arn := range functions {
		arns = append(arns, arn)
	}
	sort.Strings(arns)
	for _, arn := range arns {
		if err := allowAPIGateway(ctx, lc, cfg.Region, d.id, arn); err != nil {
			return RestAPI{}, err
		}
	}
	if err := d.deploy(spec); err != nil {
		return RestAPI{}, err
	}
	return restAPIURLs(cfg, d.id, spec.Stage), nil
}

// apiDeployer carries one EnsureRestAPI run.
type apiDeployer struct {
	ctx     context.Context
	c       *apigw.Client
	region  string
	id      string
	rootID  string
	byPath  map[string]*resourceState
	changed bool
}

type resourceState struct {
	id      string
	methods map[string]agtypes.Method
}

func (d *apiDeployer) findOrCreate(spec RestAPISpec) error {
	p := apigw.NewGetRestApisPaginator(d.c, &apigw.GetRestApisInput{Limit: aws.Int32(500)})
	for p.HasMorePages() {
		page, err := p.NextPage(d.ctx)
		if err != nil {
			return fmt.Errorf("deploy: list REST APIs: %w", err)
		}
		for _, a := range page.Items {
			if aws.ToString(a.Name) != spec.Name {
				continue
			}
			d.id, d.rootID = aws.ToString(a.Id), aws.ToString(a.RootResourceId)
			return d.syncBinaryTypes(a.BinaryMediaTypes, spec.BinaryMediaTypes)
		}
	}
	out, err := d.c.CreateRestApi(d.ctx, &apigw.CreateRestApiInput{
		Name: &spec.Name, Description: nonEmpty(spec.Description), BinaryMediaTypes: spec.BinaryMediaTypes,
	})
	if err != nil {
		return fmt.Errorf("deploy: create REST API %s: %w", spec.Name, err)
	}
	d.id, d.rootID, d.changed = aws.ToString(out.Id), aws.ToString(out.RootResourceId), true
	return nil
}

// syncBinaryTypes adds the binary media types the spec lists that the API
// lacks (it removes none: others may have been added by hand).
func (d *apiDeployer) syncBinaryTypes(have, want []string) error {
	var ops []agtypes.PatchOperation
	for _, t := range want {
		if !slices.Contains(have, t) {
			ops = append(ops, agtypes.PatchOperation{Op: agtypes.OpAdd, Path: aws.String("/binaryMediaTypes/" + strings.ReplaceAll(t, "/", "~1"))})
		}
	}
	if len(ops) == 0 {
		return nil
	}
	if _, err := d.c.UpdateRestApi(d.ctx, &apigw.UpdateRestApiInput{RestApiId: &d.id, PatchOperations: ops}); err != nil {
		return fmt.Errorf("deploy: update binary media types of %s: %w", d.id, err)
	}
	d.changed = true
	return nil
}

func (d *apiDeployer) loadResources() error {
	d.byPath = map[string]*resourceState{}
	p := apigw.NewGetResourcesPaginator(d.c, &apigw.GetResourcesInput{RestApiId: &d.id, Embed: []string{"methods"}, Limit: aws.Int32(500)})
	for p.HasMorePages() {
		page, err := p.NextPage(d.ctx)
		if err != nil {
			return fmt.Errorf("deploy: list resources of %s: %w", d.id, err)
		}
		for _, r := range page.Items {
			rs := &resourceState{id: aws.ToString(r.Id), methods: r.ResourceMethods}
			if rs.methods == nil {
				rs.methods = map[string]agtypes.Method{}
			}
			d.byPath[aws.ToString(r.Path)] = rs
		}
	}
	return nil
}

// ensurePath creates the resources of path that do not exist yet.
func (d *apiDeployer) ensurePath(path string) (*resourceState, error) {
	path = "/" + strings.Trim(path, "/")
	if rs, ok := d.byPath[path]; ok {
		return rs, nil
	}
	parent := d.byPath["/"]
	cur := ""
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		cur += "/" + part
		if rs, ok := d.byPath[cur]; ok {
			parent = rs
			continue
		}
		out, err := d.c.CreateResource(d.ctx, &apigw.CreateResourceInput{RestApiId: &d.id, ParentId: &parent.id, PathPart: aws.String(part)})
		if err != nil {
			return nil, fmt.Errorf("deploy: create resource %s: %w", cur, err)
		}
		rs := &resourceState{id: aws.ToString(out.Id), methods: map[string]agtypes.Method{}}
		d.byPath[cur] = rs
		parent = rs
		d.changed = true
	}
	return parent, nil
}

// invocationURI is the AWS_PROXY integration URI of a function.
func invocationURI(region, functionARN string) string {
	return "arn:aws:apigateway:" + region + ":lambda:path/2015-03-31/functions/" + functionARN + "/invocations"
}

func (d *apiDeployer) ensureProxyMethod(rs *resourceState, method, fnARN string) error {
	m, ok := rs.methods[method]
	if !ok {
		_, err := d.c.PutMethod(d.ctx, &apigw.PutMethodInput{RestApiId: &d.id, ResourceId: &rs.id, HttpMethod: &method, AuthorizationType: aws.String("NONE")})
		if err != nil {
			return fmt.Errorf("deploy: put method %s: %w", method, err)
		}
		d.changed = true
	}
	uri := invocationURI(d.region, fnARN)
	if mi := m.MethodIntegration; ok && mi != nil && mi.Type == agtypes.IntegrationTypeAwsProxy && aws.ToString(mi.Uri) == uri {
		return nil
	}
	_, err := d.c.PutIntegration(d.ctx, &apigw.PutIntegrationInput{
		RestApiId: &d.id, ResourceId: &rs.id, HttpMethod: &method, Type: agtypes.IntegrationTypeAwsProxy,
		IntegrationHttpMethod: aws.String("POST"), Uri: &uri,
	})
	if err != nil {
		return fmt.Errorf("deploy: put integration %s: %w", method, err)
	}
	rs.methods[method] = agtypes.Method{HttpMethod: &method, MethodIntegration: &agtypes.Integration{Type: agtypes.IntegrationTypeAwsProxy, Uri: &uri}}
	d.changed = true
	return nil
}

// ensureCORS adds an OPTIONS MOCK method answering preflights.
func (d *apiDeployer) ensureCORS(rs *resourceState, origin string) error {
	if _, ok := rs.methods["OPTIONS"]; ok {
		return nil
	}
	const (
		hOrigin  = "method.response.header.Access-Control-Allow-Origin"
		hMethods = "method.response.header.Access-Control-Allow-Methods"
		hHeaders = "method.response.header.Access-Control-Allow-Headers"
	)
	opt := aws.String("OPTIONS")
	steps := []func() error{
		func() error {
			_, err := d.c.PutMethod(d.ctx, &apigw.PutMethodInput{RestApiId: &d.id, ResourceId: &rs.id, HttpMethod: opt, AuthorizationType: aws.String("NONE")})
			return err
		},
		func() error {
			_, err := d.c.PutIntegration(d.ctx, &apigw.PutIntegrationInput{RestApiId: &d.id, ResourceId: &rs.id, HttpMethod: opt,
				Type: agtypes.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
			return err
		},
		func() error {
			_, err := d.c.PutMethodResponse(d.ctx, &apigw.PutMethodResponseInput{RestApiId: &d.id, ResourceId: &rs.id, HttpMethod: opt, StatusCode: aws.String("200"),
				ResponseParameters: map[string]bool{hOrigin: false, hMethods: false, hHeaders: false}})
			return err
		},
		func() error {
			_, err := d.c.PutIntegrationResponse(d.ctx, &apigw.PutIntegrationResponseInput{RestApiId: &d.id, ResourceId: &rs.id, HttpMethod: opt, StatusCode: aws.String("200"),
				ResponseParameters: map[string]string{
					hOrigin:  "'" + origin + "'",
					hMethods: "'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT'",
					hHeaders: "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'",
				}})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("deploy: CORS preflight for resource %s: %w", rs.id, err)
		}
	}
	rs.methods["OPTIONS"] = agtypes.Method{HttpMethod: opt}
	d.changed = true
	return nil
}

// deploy creates a deployment on the stage when something changed or the
// stage does not exist yet.
func (d *apiDeployer) deploy(spec RestAPISpec) error {
	if !d.changed {
		st, err := d.c.GetStage(d.ctx, &apigw.GetStageInput{RestApiId: &d.id, StageName: &spec.Stage})
		var nf *agtypes.NotFoundException
		switch {
		case errors.As(err, &nf):
		case err != nil:
			return fmt.Errorf("deploy: get stage %s: %w", spec.Stage, err)
		case variablesMatch(st.Variables, spec.StageVariables):
			return nil
		}
	}
	_, err := d.c.CreateDeployment(d.ctx, &apigw.CreateDeploymentInput{RestApiId: &d.id, StageName: &spec.Stage, Variables: spec.StageVariables})
	if err != nil {
		return fmt.Errorf("deploy: create deployment of %s to %s: %w", d.id, spec.Stage, err)
	}
	return nil
}

func variablesMatch(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

// functionARN resolves a function name to its ARN (an ARN is returned as is).
func functionARN(ctx context.Context, c *lambda.Client, fn string) (string, error) {
	if strings.HasPrefix(fn, "arn:") {
		return fn, nil
	}
	out, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: &fn})
	if err != nil {
		return "", fmt.Errorf("deploy: get function %s: %w", fn, err)
	}
	return aws.ToString(out.Configuration.FunctionArn), nil
}

// allowAPIGateway lets the API invoke the function.
func allowAPIGateway(ctx context.Context, c *lambda.Client, region, apiID, fnARN string) error {
	account := "000000000000"
	if parts := strings.Split(fnARN, ":"); len(parts) > 4 && parts[4] != "" {
		account = parts[4]
	}
	sum := sha256.Sum256([]byte(apiID + fnARN))
	return addPermission(ctx, c, &lambda.AddPermissionInput{
		FunctionName: &fnARN,
		StatementId:  aws.String("apigateway-" + apiID + "-" + hex.EncodeToString(sum[:4])),
		Action:       aws.String("lambda:InvokeFunction"),
		Principal:    aws.String("apigateway.amazonaws.com"),
		SourceArn:    aws.String("arn:aws:execute-api:" + region + ":" + account + ":" + apiID + "/*/*/*"),
	})
}

// restAPIURLs computes a stage's invoke URLs from the client's endpoint:
// the emulator forms when cfg has a BaseEndpoint, AWS's otherwise.
func restAPIURLs(cfg aws.Config, id, stage string) RestAPI {
	out := RestAPI{ID: id, Stage: stage}
	endpoint := aws.ToString(cfg.BaseEndpoint)
	u, err := url.Parse(endpoint)
	if endpoint == "" || err != nil || u.Host == "" {
		out.URLs.Host = "https://" + id + ".execute-api." + cfg.Region + ".amazonaws.com/" + stage
		out.URL = out.URLs.Host
		return out
	}
	base := strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/")
	port := u.Port()
	hostPort := id + ".execute-api.localhost.localstack.cloud"
	if port != "" {
		hostPort += ":" + port
	}
	out.URLs = InvokeURLs{
		Host:        u.Scheme + "://" + hostPort + "/" + stage,
		ExecuteAPI:  base + "/_aws/execute-api/" + id + "/" + stage,
		UserRequest: base + "/restapis/" + id + "/" + stage + "/_user_request_",
	}
	out.URL = out.URLs.UserRequest
	return out
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
