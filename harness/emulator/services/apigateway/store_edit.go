package apigateway

import (
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/services/execapi"
)

// Read runs f on API id under its read lock; f must not keep what it reads.
func (s *Store) Read(id string, f func(a *API) error) error {
	a, err := s.API(id)
	if err != nil {
		return err
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	return f(a)
}

// Edit runs f on API id under its write lock: every change of an API is
// one critical section, whatever f changes.
func (s *Store) Edit(id string, f func(a *API) error) error {
	a, err := s.API(id)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return f(a)
}

// PatchOp is one JSON-Patch-like operation of an Update* call.
type PatchOp struct {
	Op    string `json:"op" enum:"add,remove,replace,move,copy,test"`
	Path  string `json:"path"`
	Value string `json:"value"`
	From  string `json:"from"`
}

// unescapePointer decodes a JSON-pointer segment (~1 is '/', ~0 is '~').
func unescapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

func badPatch(op PatchOp) error {
	return ErrBadRequest.Errorf("Invalid patch path '%s' specified for op '%s'", op.Path, op.Op)
}

// patchSet applies an add (addOps: the ops that add) or remove of one
// string of a set member (/providerARNs, /stages, /binaryMediaTypes/{type}).
func patchSet(set *[]string, v string, op PatchOp, addOps ...string) error {
	switch {
	case slices.Contains(addOps, op.Op):
		if !slices.Contains(*set, v) {
			*set = append(*set, v)
		}
	case op.Op == "remove":
		*set = slices.DeleteFunc(*set, func(x string) bool { return x == v })
	default:
		return badPatch(op)
	}
	return nil
}

// patchEntry applies an add, replace or remove of one entry of a map member
// (/requestParameters/{name}, /variables/{name}, ...).
func patchEntry[V any](m *map[string]V, key string, op PatchOp, v V) error {
	switch op.Op {
	case "add", "replace":
		if *m == nil {
			*m = map[string]V{}
		}
		(*m)[key] = v
	case "remove":
		delete(*m, key)
	default:
		return badPatch(op)
	}
	return nil
}

func parseBool(op PatchOp) (bool, error) {
	b, err := strconv.ParseBool(op.Value)
	if err != nil {
		return false, ErrBadRequest.Errorf("Invalid value '%s' for path %s: must be true or false", op.Value, op.Path)
	}
	return b, nil
}

// --- REST APIs

// Patch applies UpdateRestApi's operations; a failing one leaves the API
// as the ones before it made it, as on AWS.
func (a *API) Patch(ops []PatchOp) error {
	for _, op := range ops {
		if err := a.patch(op); err != nil {
			return err
		}
	}
	return nil
}

func (a *API) patch(op PatchOp) error {
	if rest, ok := strings.CutPrefix(op.Path, "/binaryMediaTypes/"); ok {
		return patchSet(&a.BinaryMediaTypes, unescapePointer(rest), op, "add", "replace")
	}
	if rest, ok := strings.CutPrefix(op.Path, "/endpointConfiguration/types/"); ok && op.Op == "replace" {
		for i, t := range a.EndpointTypes {
			if t == rest {
				a.EndpointTypes[i] = op.Value
			}
		}
		return nil
	}
	if op.Op != "replace" {
		return badPatch(op)
	}
	switch op.Path {
	case "/name":
		if op.Value == "" {
			return ErrBadRequest.New("Invalid REST API name specified")
		}
		a.Name = op.Value
	case "/description":
		a.Description = op.Value
	case "/version":
		a.Version = op.Value
	case "/policy":
		a.Policy = op.Value
	case "/apiKeySource":
		if op.Value != "HEADER" && op.Value != "AUTHORIZER" {
			return ErrBadRequest.New("Invalid API Key source specified")
		}
		a.APIKeySource = op.Value
	case "/minimumCompressionSize":
		if op.Value == "" {
			a.MinimumCompressionSize = nil
			return nil
		}
		n, err := strconv.Atoi(op.Value)
		if err != nil || n < 0 || n > 10485760 {
			return ErrBadRequest.New("Invalid minimum compression size, must be between 0 and 10485760")
		}
		v := int32(n)
		a.MinimumCompressionSize = &v
	case "/disableExecuteApiEndpoint":
		b, err := parseBool(op)
		if err != nil {
			return err
		}
		a.DisableExecuteAPIEndpoint = b
	default:
		return badPatch(op)
	}
	return nil
}

// PatchResource applies UpdateResource's operations (only /pathPart moves).
func (a *API) PatchResource(id string, ops []PatchOp) (*Resource, error) {
	if _, err := a.Resource(id); err != nil {
		return nil, err
	}
	for _, op := range ops {
		if op.Op != "replace" || op.Path != "/pathPart" {
			return nil, badPatch(op)
		}
		if err := a.MovePathPart(id, op.Value); err != nil {
			return nil, err
		}
	}
	return a.Resource(id)
}

// --- methods

// AuthorizationTypes are the values PutMethod takes.
var AuthorizationTypes = []string{"NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"}

func errAuthorizationType() error {
	return ErrBadRequest.New("Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS")
}

// PatchMethod applies UpdateMethod's operations.
func (a *API) PatchMethod(resourceID, httpMethod string, ops []PatchOp) (*Method, error) {
	m, err := a.Method(resourceID, httpMethod)
	if err != nil {
		return nil, err
	}
	next := *m
	for _, op := range ops {
		if err := next.patch(op); err != nil {
			return nil, err
		}
	}
	if err := a.checkMethodAuth(&next); err != nil {
		return nil, err
	}
	*m = next
	return m, nil
}

func (m *Method) patch(op PatchOp) error {
	if name, ok := strings.CutPrefix(op.Path, "/requestParameters/"); ok {
		return patchEntry(&m.RequestParameters, name, op, op.Value == "true")
	}
	if op.Op != "replace" {
		return badPatch(op)
	}
	switch op.Path {
	case "/authorizationType":
		if !slices.Contains(AuthorizationTypes, op.Value) {
			return errAuthorizationType()
		}
		m.AuthorizationType = op.Value
	case "/authorizerId":
		m.AuthorizerID = op.Value
	case "/apiKeyRequired":
		b, err := parseBool(op)
		if err != nil {
			return err
		}
		m.APIKeyRequired = b
	case "/operationName":
		m.OperationName = op.Value
	case "/requestValidatorId":
		m.RequestValidatorID = op.Value
	default:
		return badPatch(op)
	}
	return nil
}

// PutMethodResponse sets (or replaces) a method's response for a status.
func (a *API) PutMethodResponse(resourceID, httpMethod string, r *MethodResponse) error {
	if !validStatusCode(r.StatusCode) {
		return ErrBadRequest.New("Invalid status code specified")
	}
	m, err := a.Method(resourceID, httpMethod)
	if err != nil {
		return err
	}
	m.Responses[r.StatusCode] = r
	return nil
}

// MethodResponse returns a method's response for a status.
func (a *API) MethodResponse(resourceID, httpMethod, status string) (*MethodResponse, error) {
	m, err := a.Method(resourceID, httpMethod)
	if err != nil {
		return nil, err
	}
	if r := m.Responses[status]; r != nil {
		return r, nil
	}
	return nil, errResponseNotFound
}

// DeleteMethodResponse deletes a method's response for a status.
func (a *API) DeleteMethodResponse(resourceID, httpMethod, status string) error {
	m, err := a.Method(resourceID, httpMethod)
	if err != nil {
		return err
	}
	if m.Responses[status] == nil {
		return errResponseNotFound
	}
	delete(m.Responses, status)
	return nil
}

// validStatusCode accepts the three-digit HTTP status codes API Gateway takes.
func validStatusCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	n, err := strconv.Atoi(s)
	return err == nil && n >= 100 && n <= 599
}

// --- integrations

// check applies PutIntegration's rules (UpdateIntegration's result must
// pass them too).
func (in *Integration) check() error {
	switch in.Type {
	case "MOCK":
	case "AWS_PROXY", "AWS", "HTTP", "HTTP_PROXY":
		if in.HTTPMethod == "" {
			return ErrBadRequest.New("Enumeration value for HttpMethod must be non-empty")
		}
		if !slices.Contains(HTTPMethods, in.HTTPMethod) {
			return ErrBadRequest.New("Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")
		}
		if in.URI == "" {
			return ErrBadRequest.New("Invalid ARN specified in the request")
		}
		switch in.Type {
		case "AWS_PROXY":
			if _, ok := execapi.LambdaFunctionOf(in.URI); !ok {
				return ErrBadRequest.New("Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.")
			}
		case "AWS":
			if !strings.HasPrefix(in.URI, "arn:") {
				return ErrBadRequest.New("Invalid ARN specified in the request")
			}
		default:
			if u, err := url.Parse(in.URI); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return ErrBadRequest.New("Invalid HTTP endpoint specified for URI")
			}
		}
	default:
		return ErrBadRequest.New("Invalid integration type specified. Valid options are HTTP,HTTP_PROXY,AWS,AWS_PROXY,MOCK")
	}
	switch in.PassthroughBehavior {
	case "", "WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER":
	default:
		return ErrBadRequest.New("Invalid passthrough behavior specified")
	}
	if in.TimeoutMillis != 0 && (in.TimeoutMillis < 50 || in.TimeoutMillis > 300000) {
		return ErrBadRequest.New("Timeout should be between 50 ms and 300000 ms")
	}
	return nil
}

// PutIntegration validates integ, fills AWS's defaults and sets it as the
// method's integration.
func (a *API) PutIntegration(resourceID, httpMethod string, integ *Integration) error {
	if err := integ.check(); err != nil {
		return err
	}
	m, err := a.Method(resourceID, httpMethod)
	if err != nil {
		return err
	}
	if integ.PassthroughBehavior == "" {
		integ.PassthroughBehavior = "WHEN_NO_MATCH"
	}
	if integ.CacheNamespace == "" {
		integ.CacheNamespace = resourceID
	}
	if integ.ConnectionType == "" && (integ.Type == "HTTP" || integ.Type == "HTTP_PROXY") {
		integ.ConnectionType = "INTERNET"
	}
	if integ.TimeoutMillis == 0 {
		integ.TimeoutMillis = 29000
	}
	if integ.Responses == nil {
		integ.Responses = map[string]*IntegrationResponse{}
	}
	m.Integration = integ
	return nil
}

// Integration returns a method's integration.
func (a *API) Integration(resourceID, httpMethod string) (*Integration, error) {
	m, err := a.Method(resourceID, httpMethod)
	if err != nil {
		return nil, err
	}
	if m.Integration == nil {
		return nil, errIntegrationNotFound
	}
	return m.Integration, nil
}

// PatchIntegration applies UpdateIntegration's operations; the result must
// still be a valid integration.
func (a *API) PatchIntegration(resourceID, httpMethod string, ops []PatchOp) (*Integration, error) {
	integ, err := a.Integration(resourceID, httpMethod)
	if err != nil {
		return nil, err
	}
	for _, op := range ops {
		if err := integ.patch(op); err != nil {
			return nil, err
		}
	}
	check := Integration{Type: integ.Type, HTTPMethod: integ.HTTPMethod, URI: integ.URI, PassthroughBehavior: integ.PassthroughBehavior}
	if err := check.check(); err != nil {
		return nil, err
	}
	return integ, nil
}

func (in *Integration) patch(op PatchOp) error {
	if ct, ok := strings.CutPrefix(op.Path, "/requestTemplates/"); ok {
		return patchEntry(&in.RequestTemplates, unescapePointer(ct), op, op.Value)
	}
	if name, ok := strings.CutPrefix(op.Path, "/requestParameters/"); ok {
		return patchEntry(&in.RequestParameters, name, op, op.Value)
	}
	if op.Op != "replace" {
		return badPatch(op)
	}
	switch op.Path {
	case "/uri":
		in.URI = op.Value
	case "/httpMethod":
		in.HTTPMethod = op.Value
	case "/passthroughBehavior":
		in.PassthroughBehavior = op.Value
	case "/contentHandling":
		in.ContentHandling = op.Value
	case "/timeoutInMillis":
		n, err := strconv.Atoi(op.Value)
		if err != nil || n < 50 || n > 300000 {
			return ErrBadRequest.New("Timeout should be between 50 ms and 300000 ms")
		}
		in.TimeoutMillis = int32(n)
	default:
		return badPatch(op)
	}
	return nil
}

// DeleteIntegration removes a method's integration.
func (a *API) DeleteIntegration(resourceID, httpMethod string) error {
	m, err := a.Method(resourceID, httpMethod)
	if err != nil {
		return err
	}
	if m.Integration == nil {
		return errIntegrationNotFound
	}
	m.Integration = nil
	return nil
}

// PutIntegrationResponse sets an integration response; the method must
// have an integration and a method response for the status.
func (a *API) PutIntegrationResponse(resourceID, httpMethod string, r *IntegrationResponse) error {
	m, err := a.Method(resourceID, httpMethod)
	if err != nil {
		return err
	}
	if m.Integration == nil {
		return ErrNotFound.New("No integration defined for method")
	}
	if m.Responses[r.StatusCode] == nil {
		return errResponseNotFound
	}
	m.Integration.Responses[r.StatusCode] = r
	return nil
}

// IntegrationResponse returns an integration response.
func (a *API) IntegrationResponse(resourceID, httpMethod, status string) (*IntegrationResponse, error) {
	integ, err := a.Integration(resourceID, httpMethod)
	if err != nil {
		return nil, err
	}
	if r := integ.Responses[status]; r != nil {
		return r, nil
	}
	return nil, errResponseNotFound
}

// DeleteIntegrationResponse deletes an integration response.
func (a *API) DeleteIntegrationResponse(resourceID, httpMethod, status string) error {
	integ, err := a.Integration(resourceID, httpMethod)
	if err != nil {
		return err
	}
	if integ.Responses[status] == nil {
		return errResponseNotFound
	}
	delete(integ.Responses, status)
	return nil
}

// --- deployments and stages

// NewDeployment is what CreateDeployment asks for.
type NewDeployment struct {
	Description      string
	StageName        string
	StageDescription string
	Variables        map[string]string
	TracingEnabled   bool
}

// DeployTo deploys the API and, with a stage name, points that stage at
// the deployment (creating it if needed), in one critical section.
func (a *API) DeployTo(s *Store, in NewDeployment) (*Deployment, error) {
	if in.StageName != "" && !stageNameRE.MatchString(in.StageName) {
		return nil, ErrBadRequest.New("Stage name only allows a-zA-Z0-9_ and -")
	}
	d, err := a.Deploy(s, in.Description)
	if err != nil {
		return nil, err
	}
	// a deployment may change its authorizers: their cached verdicts go
	s.auth.reset()
	if in.StageName != "" {
		st, err := a.PointStage(s.now(), in.StageName, d.ID, in.StageDescription, in.Variables)
		if err != nil {
			return nil, err
		}
		st.TracingEnabled = st.TracingEnabled || in.TracingEnabled
	}
	return d, nil
}

// PatchDeployment applies UpdateDeployment's operations (its description).
func (a *API) PatchDeployment(id string, ops []PatchOp) (*Deployment, error) {
	d, err := a.Deployment(id)
	if err != nil {
		return nil, err
	}
	for _, op := range ops {
		if op.Op != "replace" || op.Path != "/description" {
			return nil, badPatch(op)
		}
		d.Description = op.Value
	}
	return d, nil
}

// methodSettingNames maps UpdateStage setting paths to MethodSetting fields.
var methodSettingNames = map[string]string{
	"metrics/enabled":                                "metricsEnabled",
	"logging/loglevel":                               "loggingLevel",
	"logging/dataTrace":                              "dataTraceEnabled",
	"throttling/burstLimit":                          "throttlingBurstLimit",
	"throttling/rateLimit":                           "throttlingRateLimit",
	"caching/enabled":                                "cachingEnabled",
	"caching/ttlInSeconds":                           "cacheTtlInSeconds",
	"caching/dataEncrypted":                          "cacheDataEncrypted",
	"caching/requireAuthorizationForCacheControl":    "requireAuthorizationForCacheControl",
	"caching/unauthorizedCacheControlHeaderStrategy": "unauthorizedCacheControlHeaderStrategy",
}

// PatchStage applies UpdateStage's operations.
func (a *API) PatchStage(name string, ops []PatchOp, now time.Time) (*Stage, error) {
	st, err := a.Stage(name)
	if err != nil {
		return nil, err
	}
	for _, op := range ops {
		if err := a.patchStage(st, op); err != nil {
			return nil, err
		}
	}
	st.Updated = now
	return st, nil
}

func (a *API) patchStage(st *Stage, op PatchOp) error {
	if name, ok := strings.CutPrefix(op.Path, "/variables/"); ok {
		return patchEntry(&st.Variables, name, op, op.Value)
	}
	switch op.Path {
	case "/description", "/deploymentId", "/tracingEnabled", "/cacheClusterEnabled", "/cacheClusterSize", "/documentationVersion", "/clientCertificateId":
		if op.Op != "replace" {
			return badPatch(op)
		}
	}
	switch op.Path {
	case "/description":
		st.Description = op.Value
	case "/deploymentId":
		if _, err := a.Deployment(op.Value); err != nil {
			return err
		}
		st.DeploymentID = op.Value
	case "/tracingEnabled":
		b, err := parseBool(op)
		if err != nil {
			return err
		}
		st.TracingEnabled = b
	case "/cacheClusterEnabled":
		b, err := parseBool(op)
		if err != nil {
			return err
		}
		st.CacheClusterEnabled = b
	case "/cacheClusterSize":
		st.CacheClusterSize = op.Value
	case "/documentationVersion":
		st.DocumentationVersion = op.Value
	case "/clientCertificateId":
		st.ClientCertificateID = op.Value
	default:
		// /{resource path}/{method}/{setting}, e.g. /*/*/logging/loglevel
		parts := strings.Split(strings.TrimPrefix(op.Path, "/"), "/")
		if len(parts) < 4 || op.Op != "replace" {
			return badPatch(op)
		}
		setting := strings.Join(parts[len(parts)-2:], "/")
		field, ok := methodSettingNames[setting]
		if !ok {
			return badPatch(op)
		}
		key := unescapePointer(strings.Join(parts[:len(parts)-2], "/"))
		var v any = op.Value
		if b, err := strconv.ParseBool(op.Value); err == nil {
			v = b
		} else if f, err := strconv.ParseFloat(op.Value, 64); err == nil {
			v = f
		}
		if st.MethodSettings == nil {
			st.MethodSettings = map[string]map[string]any{}
		}
		if st.MethodSettings[key] == nil {
			st.MethodSettings[key] = map[string]any{}
		}
		st.MethodSettings[key][field] = v
	}
	return nil
}

// --- tags

// EditTags applies add and remove to the tags of the API or stage an ARN
// names (arn:aws:apigateway:{region}::/restapis/{id}[/stages/{name}]) and
// returns the tags it then has.
func (s *Store) EditTags(arn string, add map[string]string, remove []string) (map[string]string, error) {
	_, path, ok := strings.Cut(arn, "::")
	if !strings.HasPrefix(arn, "arn:aws:apigateway:") || !ok {
		return nil, ErrBadRequest.New("Invalid ARN specified in the request")
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(parts) < 2 || parts[0] != "restapis" {
		return nil, ErrBadRequest.New("Invalid ARN specified in the request")
	}
	var out map[string]string
	err := s.Edit(parts[1], func(a *API) error {
		var tags *map[string]string
		switch {
		case len(parts) == 2:
			tags = &a.Tags
		case len(parts) == 4 && parts[2] == "stages":
			st, err := a.Stage(parts[3])
			if err != nil {
				return err
			}
			tags = &st.Tags
		default:
			return ErrBadRequest.New("Invalid ARN specified in the request")
		}
		if len(add) > 0 {
			if *tags == nil {
				*tags = map[string]string{}
			}
			maps.Copy(*tags, add)
		}
		for _, k := range remove {
			delete(*tags, k)
		}
		out = maps.Clone(*tags)
		return nil
	})
	return out, err
}

// --- method and integration responses

// PatchMethodResponse applies UpdateMethodResponse's operations
// (/responseParameters/{name}, /responseModels/{content type}).
func (a *API) PatchMethodResponse(resourceID, httpMethod, status string, ops []PatchOp) (*MethodResponse, error) {
	r, err := a.MethodResponse(resourceID, httpMethod, status)
	if err != nil {
		return nil, err
	}
	next := *r
	next.ResponseParameters, next.ResponseModels = maps.Clone(r.ResponseParameters), maps.Clone(r.ResponseModels)
	for _, op := range ops {
		if name, ok := strings.CutPrefix(op.Path, "/responseParameters/"); ok {
			if err := patchEntry(&next.ResponseParameters, name, op, op.Value == "true"); err != nil {
				return nil, err
			}
			continue
		}
		if ct, ok := strings.CutPrefix(op.Path, "/responseModels/"); ok {
			if err := patchEntry(&next.ResponseModels, unescapePointer(ct), op, op.Value); err != nil {
				return nil, err
			}
			continue
		}
		return nil, badPatch(op)
	}
	*r = next
	return r, nil
}

// PatchIntegrationResponse applies UpdateIntegrationResponse's operations.
func (a *API) PatchIntegrationResponse(resourceID, httpMethod, status string, ops []PatchOp) (*IntegrationResponse, error) {
	r, err := a.IntegrationResponse(resourceID, httpMethod, status)
	if err != nil {
		return nil, err
	}
	next := *r
	next.ResponseParameters, next.ResponseTemplates = maps.Clone(r.ResponseParameters), maps.Clone(r.ResponseTemplates)
	for _, op := range ops {
		if name, ok := strings.CutPrefix(op.Path, "/responseParameters/"); ok {
			if err := patchEntry(&next.ResponseParameters, name, op, op.Value); err != nil {
				return nil, err
			}
			continue
		}
		if ct, ok := strings.CutPrefix(op.Path, "/responseTemplates/"); ok {
			if err := patchEntry(&next.ResponseTemplates, unescapePointer(ct), op, op.Value); err != nil {
				return nil, err
			}
			continue
		}
		if op.Op != "replace" {
			return nil, badPatch(op)
		}
		switch op.Path {
		case "/selectionPattern":
			next.SelectionPattern = op.Value
		case "/contentHandling":
			if op.Value != "" && op.Value != "CONVERT_TO_BINARY" && op.Value != "CONVERT_TO_TEXT" {
				return nil, ErrBadRequest.New("Invalid content handling specified")
			}
			next.ContentHandling = op.Value
		default:
			return nil, badPatch(op)
		}
	}
	*r = next
	return r, nil
}
