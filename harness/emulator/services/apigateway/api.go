package apigateway

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Wire names of the service.
const (
	scope          = "apigateway"
	pathRestAPIs   = "/restapis"
	pathExecuteAPI = "/_aws/execute-api"
	hostExecuteAPI = "execute-api.localhost.localstack.cloud"
	userRequest    = "_user_request_"

	// DefaultIntegrationTimeout is API Gateway's integration timeout.
	DefaultIntegrationTimeout = 29 * time.Second
)

// Service is API Gateway (REST APIs).
type Service struct {
	env    *cloud.Env
	store  *Store
	router awsproto.RestRouter
	// integrationTimeout caps every integration call (ns); tests shorten it.
	integrationTimeout atomic.Int64
}

// New returns the service.
func New(env *cloud.Env) *Service {
	s := &Service{env: env, store: NewStore(env.Now, env.NewID)}
	s.integrationTimeout.Store(int64(DefaultIntegrationTimeout))
	s.router = awsproto.RestRouter{
		Base:        awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		ErrorWriter: writeError,
	}
	s.routes()
	return s
}

func (s *Service) Name() string                { return "apigateway" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.RestJSON }
func (s *Service) Reset()                      { s.store.Reset() }
func (s *Service) Summary() map[string]any     { return map[string]any{"rest_apis": s.store.Count()} }

func (s *Service) Routes() []cloud.Route {
	return []cloud.Route{
		{Kind: cloud.ByScope, Key: scope},
		// /restapis is also the data plane's /restapis/{api}/{stage}/_user_request_/
		// form: only invocations are public, the control plane stays signed.
		{Kind: cloud.ByPath, Key: pathRestAPIs, PublicIf: isInvocation},
		{Kind: cloud.ByPath, Key: pathExecuteAPI, Public: true},
		{Kind: cloud.ByHost, Key: hostExecuteAPI, Public: true},
	}
}

// isInvocation reports whether r is a data-plane (invoke URL) request.
func isInvocation(r *http.Request) bool {
	_, ok := parseInvocation(r)
	return ok
}

// SetIntegrationTimeout changes the integration timeout (29 s by default).
func (s *Service) SetIntegrationTimeout(d time.Duration) { s.integrationTimeout.Store(int64(d)) }

// Store exposes the store (tests).
func (s *Service) Store() *Store { return s.store }

func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if inv, ok := parseInvocation(r); ok {
		s.invoke(w, r, inv)
		return
	}
	s.router.ServeHTTP(w, r)
}

// writeError renders a control-plane error as API Gateway does: the code in
// X-Amzn-ErrorType, {"message": …} in the body.
func writeError(w http.ResponseWriter, c *awsproto.Call, e *awsproto.Error) {
	b, _ := json.Marshal(map[string]string{"message": e.Message})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Errortype", e.Code)
	h.Set("X-Amzn-Requestid", c.RequestID)
	w.WriteHeader(e.Status)
	w.Write(b)
}

// apiError maps store errors to API Gateway's codes and messages.
func (s *Service) apiError(err error, apiID string) error {
	var conflict Conflict
	var bad BadRequest
	switch {
	case err == nil:
		return nil
	case err == ErrAPINotFound:
		return ErrNotFound.Errorf("Invalid API identifier specified %s:%s", s.env.Account, apiID)
	case err == ErrResourceNotFound:
		return ErrNotFound.New("Invalid Resource identifier specified")
	case err == ErrMethodNotFound:
		return ErrNotFound.New("Invalid Method identifier specified")
	case err == ErrIntegrationNotFound:
		return ErrNotFound.New("Invalid Integration identifier specified")
	case err == ErrResponseNotFound:
		return ErrNotFound.New("Invalid Response status code specified")
	case err == ErrStageNotFound:
		return ErrNotFound.New("Invalid Stage identifier specified")
	case err == ErrDeploymentNotFound:
		return ErrNotFound.New("Invalid Deployment identifier specified")
	case errors.As(err, &conflict):
		return ErrConflict.New(string(conflict))
	case errors.As(err, &bad):
		return ErrBadRequest.New(string(bad))
	}
	return err
}

func (s *Service) routes() {
	rt := &s.router
	const (
		api    = "/restapis/{restapi_id}"
		res    = api + "/resources/{resource_id}"
		method = res + "/methods/{http_method}"
		integ  = method + "/integration"
	)
	rt.Handle(http.MethodPost, "/restapis", s.createRestAPI)
	rt.Handle(http.MethodGet, "/restapis", s.getRestAPIs)
	rt.Handle(http.MethodGet, api, s.getRestAPI)
	rt.Handle(http.MethodPatch, api, s.updateRestAPI)
	rt.Handle(http.MethodDelete, api, s.deleteRestAPI)

	rt.Handle(http.MethodGet, api+"/resources", s.getResources)
	rt.Handle(http.MethodGet, res, s.getResource)
	rt.Handle(http.MethodPost, api+"/resources/{parent_id}", s.createResource)
	rt.Handle(http.MethodPatch, res, s.updateResource)
	rt.Handle(http.MethodDelete, res, s.deleteResource)

	rt.Handle(http.MethodPut, method, s.putMethod)
	rt.Handle(http.MethodGet, method, s.getMethod)
	rt.Handle(http.MethodPatch, method, s.updateMethod)
	rt.Handle(http.MethodDelete, method, s.deleteMethod)
	rt.Handle(http.MethodPut, method+"/responses/{status_code}", s.putMethodResponse)
	rt.Handle(http.MethodGet, method+"/responses/{status_code}", s.getMethodResponse)
	rt.Handle(http.MethodDelete, method+"/responses/{status_code}", s.deleteMethodResponse)

	rt.Handle(http.MethodPut, integ, s.putIntegration)
	rt.Handle(http.MethodGet, integ, s.getIntegration)
	rt.Handle(http.MethodPatch, integ, s.updateIntegration)
	rt.Handle(http.MethodDelete, integ, s.deleteIntegration)
	rt.Handle(http.MethodPut, integ+"/responses/{status_code}", s.putIntegrationResponse)
	rt.Handle(http.MethodGet, integ+"/responses/{status_code}", s.getIntegrationResponse)
	rt.Handle(http.MethodDelete, integ+"/responses/{status_code}", s.deleteIntegrationResponse)

	rt.Handle(http.MethodPost, api+"/deployments", s.createDeployment)
	rt.Handle(http.MethodGet, api+"/deployments", s.getDeployments)
	rt.Handle(http.MethodGet, api+"/deployments/{deployment_id}", s.getDeployment)
	rt.Handle(http.MethodPatch, api+"/deployments/{deployment_id}", s.updateDeployment)
	rt.Handle(http.MethodDelete, api+"/deployments/{deployment_id}", s.deleteDeployment)

	rt.Handle(http.MethodPost, api+"/stages", s.createStage)
	rt.Handle(http.MethodGet, api+"/stages", s.getStages)
	rt.Handle(http.MethodGet, api+"/stages/{stage_name}", s.getStage)
	rt.Handle(http.MethodPatch, api+"/stages/{stage_name}", s.updateStage)
	rt.Handle(http.MethodDelete, api+"/stages/{stage_name}", s.deleteStage)

	rt.Handle(http.MethodGet, "/tags/{resource_arn}", s.getTags)
	rt.Handle(http.MethodPut, "/tags/{resource_arn}", s.tagResource)
	rt.Handle(http.MethodDelete, "/tags/{resource_arn}", s.untagResource)
}

// --- plumbing ------------------------------------------------------------------

const maxControlBody = 6 << 20

// decode reads a JSON body into v; an empty body leaves v as is.
func decode(c *awsproto.Call, v any) error {
	body, release, err := awsproto.ReadBody(c.Request, maxControlBody)
	if err != nil {
		return ErrBadRequest.New("Request body too large or unreadable")
	}
	defer release()
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return ErrBadRequest.New("Could not parse request body into json: " + jsonErrorText(err))
	}
	return nil
}

func jsonErrorText(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "Cannot deserialize value of type " + te.Type.String() + " for field " + te.Field
	}
	return "Unexpected character"
}

func reply(w http.ResponseWriter, c *awsproto.Call, status int, v any) error {
	w.Header().Set("X-Amzn-Requestid", c.RequestID)
	if v == nil {
		w.WriteHeader(status)
		return nil
	}
	return awsproto.WriteJSON(w, status, v)
}

// withAPI runs f on the API of the path with its lock held (write when
// write is set).
func (s *Service) withAPI(p awsproto.Params, write bool, f func(a *API) error) error {
	id := p["restapi_id"]
	a, err := s.store.API(id)
	if err != nil {
		return s.apiError(err, id)
	}
	if write {
		a.mu.Lock()
		defer a.mu.Unlock()
	} else {
		a.mu.RLock()
		defer a.mu.RUnlock()
	}
	return s.apiError(f(a), id)
}

// replyWithAPI answers status with the view f builds of the path's API
// (under its lock, the write lock when write is set); f's error, if any,
// is the answer instead.
func replyWithAPI[T any](s *Service, w http.ResponseWriter, c *awsproto.Call, p awsproto.Params, write bool, status int, f func(a *API) (T, error)) error {
	var out T
	err := s.withAPI(p, write, func(a *API) error {
		var err error
		out, err = f(a)
		return err
	})
	if err != nil {
		return err
	}
	return reply(w, c, status, out)
}

// paging applies limit/position (position = the index to resume at).
func paging(c *awsproto.Call, n int) (start, end int, next string, err error) {
	q := c.URL.Query()
	limit := 25
	if l := q.Get("limit"); l != "" {
		v, err := strconv.Atoi(l)
		if err != nil || v < 1 || v > 500 {
			return 0, 0, "", ErrBadRequest.New("Invalid limit: must be between 1 and 500")
		}
		limit = v
	}
	if p := q.Get("position"); p != "" {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return 0, 0, "", ErrBadRequest.New("Invalid position parameter")
		}
		start = min(v, n)
	}
	end = min(start+limit, n)
	if end < n {
		next = strconv.Itoa(end)
	}
	return start, end, next, nil
}

// page renders the limit/position page of all as a list answer.
func page[E, T any](c *awsproto.Call, all []E, view func(E) T) (listOut[T], error) {
	start, end, next, err := paging(c, len(all))
	if err != nil {
		return listOut[T]{}, err
	}
	out := listOut[T]{Items: make([]T, 0, end-start), Position: next}
	for _, e := range all[start:end] {
		out.Items = append(out.Items, view(e))
	}
	return out, nil
}

func epoch(t time.Time) int64 { return t.Unix() }

// --- REST APIs -------------------------------------------------------------------

type endpointConfiguration struct {
	Types          []string `json:"types"`
	VpcEndpointIDs []string `json:"vpcEndpointIds,omitempty"`
}

type restAPIInput struct {
	Name                      string                 `json:"name"`
	Description               string                 `json:"description"`
	Version                   string                 `json:"version"`
	BinaryMediaTypes          []string               `json:"binaryMediaTypes"`
	MinimumCompressionSize    *int32                 `json:"minimumCompressionSize"`
	APIKeySource              string                 `json:"apiKeySource"`
	EndpointConfiguration     *endpointConfiguration `json:"endpointConfiguration"`
	Policy                    string                 `json:"policy"`
	Tags                      map[string]string      `json:"tags"`
	DisableExecuteAPIEndpoint bool                   `json:"disableExecuteApiEndpoint"`
	CloneFrom                 string                 `json:"cloneFrom"`
}

type restAPIOut struct {
	ID                        string                `json:"id"`
	Name                      string                `json:"name"`
	Description               string                `json:"description,omitempty"`
	CreatedDate               int64                 `json:"createdDate"`
	Version                   string                `json:"version,omitempty"`
	BinaryMediaTypes          []string              `json:"binaryMediaTypes,omitempty"`
	MinimumCompressionSize    *int32                `json:"minimumCompressionSize,omitempty"`
	APIKeySource              string                `json:"apiKeySource"`
	EndpointConfiguration     endpointConfiguration `json:"endpointConfiguration"`
	Policy                    string                `json:"policy,omitempty"`
	Tags                      map[string]string     `json:"tags,omitempty"`
	DisableExecuteAPIEndpoint bool                  `json:"disableExecuteApiEndpoint"`
	RootResourceID            string                `json:"rootResourceId"`
}

func restAPIView(a *API) restAPIOut {
	return restAPIOut{
		ID: a.ID, Name: a.Name, Description: a.Description, CreatedDate: epoch(a.Created), Version: a.Version,
		BinaryMediaTypes: a.BinaryMediaTypes, MinimumCompressionSize: a.MinimumCompressionSize, APIKeySource: a.APIKeySource,
		EndpointConfiguration: endpointConfiguration{Types: a.EndpointTypes}, Policy: a.Policy, Tags: a.Tags,
		DisableExecuteAPIEndpoint: a.DisableExecuteAPIEndpoint, RootResourceID: a.RootID,
	}
}

func (s *Service) createRestAPI(w http.ResponseWriter, c *awsproto.Call, _ awsproto.Params) error {
	var in restAPIInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Name == "" {
		return ErrBadRequest.New("Invalid REST API name specified")
	}
	switch in.APIKeySource {
	case "", "HEADER", "AUTHORIZER":
	default:
		return ErrBadRequest.New("Invalid API Key source specified")
	}
	var types []string
	if in.EndpointConfiguration != nil {
		types = in.EndpointConfiguration.Types
		if len(types) > 1 {
			return ErrBadRequest.New("Cannot create an api with multiple Endpoint Types.")
		}
		for _, t := range types {
			if t != "EDGE" && t != "REGIONAL" && t != "PRIVATE" {
				return ErrBadRequest.New("Invalid Endpoint Type specified: " + t)
			}
		}
	}
	a := s.store.CreateAPI(c.Region, NewAPI{
		Name: in.Name, Description: in.Description, Version: in.Version, APIKeySource: in.APIKeySource, Policy: in.Policy,
		BinaryMediaTypes: in.BinaryMediaTypes, MinimumCompressionSize: in.MinimumCompressionSize, EndpointTypes: types,
		DisableExecuteAPIEndpoint: in.DisableExecuteAPIEndpoint, Tags: in.Tags,
	})
	var out restAPIOut
	a.View(func() { out = restAPIView(a) })
	return reply(w, c, http.StatusCreated, out)
}

type listOut[T any] struct {
	Items    []T    `json:"item"`
	Position string `json:"position,omitempty"`
}

func (s *Service) getRestAPIs(w http.ResponseWriter, c *awsproto.Call, _ awsproto.Params) error {
	out, err := page(c, s.store.APIs(c.Region), func(a *API) (v restAPIOut) {
		a.View(func() { v = restAPIView(a) })
		return v
	})
	if err != nil {
		return err
	}
	return reply(w, c, http.StatusOK, out)
}

func (s *Service) getRestAPI(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	return replyWithAPI(s, w, c, p, false, http.StatusOK, func(a *API) (restAPIOut, error) { return restAPIView(a), nil })
}

func (s *Service) deleteRestAPI(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	if err := s.store.DeleteAPI(p["restapi_id"]); err != nil {
		return s.apiError(err, p["restapi_id"])
	}
	return reply(w, c, http.StatusAccepted, nil)
}

// patchOp is one JSON-Patch-like operation of an Update* call.
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value string `json:"value"`
	From  string `json:"from"`
}

type patchInput struct {
	PatchOperations []patchOp `json:"patchOperations"`
}

// unescapePointer decodes a JSON-pointer segment (~1 is '/', ~0 is '~').
func unescapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

func badPatch(op patchOp) error {
	return ErrBadRequest.Errorf("Invalid patch path '%s' specified for op '%s'", op.Path, op.Op)
}

// patchEntry applies an add, replace or remove of one entry of a map member
// (/requestParameters/{name}, /variables/{name}, ...).
func patchEntry[V any](m *map[string]V, key string, op patchOp, v V) error {
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

func parseBool(op patchOp) (bool, error) {
	b, err := strconv.ParseBool(op.Value)
	if err != nil {
		return false, ErrBadRequest.Errorf("Invalid value '%s' for path %s: must be true or false", op.Value, op.Path)
	}
	return b, nil
}

func (s *Service) updateRestAPI(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	var in patchInput
	if err := decode(c, &in); err != nil {
		return err
	}
	return replyWithAPI(s, w, c, p, true, http.StatusOK, func(a *API) (restAPIOut, error) {
		for _, op := range in.PatchOperations {
			if err := patchRestAPI(a, op); err != nil {
				return restAPIOut{}, err
			}
		}
		return restAPIView(a), nil
	})
}

func patchRestAPI(a *API, op patchOp) error {
	if rest, ok := strings.CutPrefix(op.Path, "/binaryMediaTypes/"); ok {
		mt := unescapePointer(rest)
		switch op.Op {
		case "add", "replace":
			if !slices.Contains(a.BinaryMediaTypes, mt) {
				a.BinaryMediaTypes = append(a.BinaryMediaTypes, mt)
			}
		case "remove":
			a.BinaryMediaTypes = slices.DeleteFunc(a.BinaryMediaTypes, func(x string) bool { return x == mt })
		default:
			return badPatch(op)
		}
		return nil
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

// --- resources --------------------------------------------------------------------

type resourceOut struct {
	ID              string               `json:"id"`
	ParentID        string               `json:"parentId,omitempty"`
	PathPart        string               `json:"pathPart,omitempty"`
	Path            string               `json:"path"`
	ResourceMethods map[string]methodOut `json:"resourceMethods,omitempty"`
}

// resourceView renders a resource; with embed, methods come in full, else
// as AWS lists them without embed: names only.
func resourceView(r *Resource, embed bool) resourceOut {
	out := resourceOut{ID: r.ID, ParentID: r.ParentID, PathPart: r.PathPart, Path: r.Path}
	if len(r.Methods) > 0 {
		out.ResourceMethods = make(map[string]methodOut, len(r.Methods))
		for k, m := range r.Methods {
			if embed {
				out.ResourceMethods[k] = methodView(m)
			} else {
				out.ResourceMethods[k] = methodOut{}
			}
		}
	}
	return out
}

func embeds(c *awsproto.Call, what string) bool {
	for _, e := range c.URL.Query()["embed"] {
		for _, part := range strings.Split(e, ",") {
			if strings.TrimSpace(part) == what {
				return true
			}
		}
	}
	return false
}

func (s *Service) getResources(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	embed := embeds(c, "methods")
	return replyWithAPI(s, w, c, p, false, http.StatusOK, func(a *API) (listOut[resourceOut], error) {
		return page(c, a.Resources(), func(r *Resource) resourceOut { return resourceView(r, embed) })
	})
}

func (s *Service) getResource(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	embed := embeds(c, "methods")
	return replyWithAPI(s, w, c, p, false, http.StatusOK, func(a *API) (resourceOut, error) {
		r, err := a.Resource(p["resource_id"])
		if err != nil {
			return resourceOut{}, err
		}
		return resourceView(r, embed), nil
	})
}

func (s *Service) createResource(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	var in struct {
		PathPart string `json:"pathPart"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	return replyWithAPI(s, w, c, p, true, http.StatusCreated, func(a *API) (resourceOut, error) {
		r, err := a.CreateResource(s.store, p["parent_id"], in.PathPart)
		if err != nil {
			return resourceOut{}, err
		}
		return resourceView(r, false), nil
	})
}

func (s *Service) updateResource(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	var in patchInput
	if err := decode(c, &in); err != nil {
		return err
	}
	return replyWithAPI(s, w, c, p, true, http.StatusOK, func(a *API) (resourceOut, error) {
		if _, err := a.Resource(p["resource_id"]); err != nil {
			return resourceOut{}, err
		}
		for _, op := range in.PatchOperations {
			if op.Op != "replace" || op.Path != "/pathPart" {
				return resourceOut{}, badPatch(op)
			}
			if err := a.MovePathPart(p["resource_id"], op.Value); err != nil {
				return resourceOut{}, err
			}
		}
		r, _ := a.Resource(p["resource_id"])
		return resourceView(r, false), nil
	})
}

func (s *Service) deleteResource(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	if err := s.withAPI(p, true, func(a *API) error { return a.DeleteResource(p["resource_id"]) }); err != nil {
		return err
	}
	return reply(w, c, http.StatusAccepted, nil)
}

// --- methods ----------------------------------------------------------------------

type methodResponseOut struct {
	StatusCode         string            `json:"statusCode"`
	ResponseParameters map[string]bool   `json:"responseParameters,omitempty"`
	ResponseModels     map[string]string `json:"responseModels,omitempty"`
}

type methodOut struct {
	HTTPMethod          string                       `json:"httpMethod,omitempty"`
	AuthorizationType   string                       `json:"authorizationType,omitempty"`
	AuthorizerID        string                       `json:"authorizerId,omitempty"`
	APIKeyRequired      *bool                        `json:"apiKeyRequired,omitempty"`
	OperationName       string                       `json:"operationName,omitempty"`
	RequestValidatorID  string                       `json:"requestValidatorId,omitempty"`
	RequestParameters   map[string]bool              `json:"requestParameters,omitempty"`
	RequestModels       map[string]string            `json:"requestModels,omitempty"`
	AuthorizationScopes []string                     `json:"authorizationScopes,omitempty"`
	MethodResponses     map[string]methodResponseOut `json:"methodResponses,omitempty"`
	MethodIntegration   *integrationOut              `json:"methodIntegration,omitempty"`
}

func methodView(m *Method) methodOut {
	req := m.APIKeyRequired
	out := methodOut{
		HTTPMethod: m.HTTPMethod, AuthorizationType: m.AuthorizationType, AuthorizerID: m.AuthorizerID, APIKeyRequired: &req,
		OperationName: m.OperationName, RequestValidatorID: m.RequestValidatorID, RequestParameters: m.RequestParameters,
		RequestModels: m.RequestModels, AuthorizationScopes: m.AuthorizationScopes,
	}
	if len(m.Responses) > 0 {
		out.MethodResponses = make(map[string]methodResponseOut, len(m.Responses))
		for k, r := range m.Responses {
			out.MethodResponses[k] = methodResponseView(r)
		}
	}
	if m.Integration != nil {
		iv := integrationView(m.Integration)
		out.MethodIntegration = &iv
	}
	return out
}

func methodResponseView(r *MethodResponse) methodResponseOut {
	return methodResponseOut{StatusCode: r.StatusCode, ResponseParameters: r.ResponseParameters, ResponseModels: r.ResponseModels}
}

type putMethodInput struct {
	AuthorizationType   string            `json:"authorizationType"`
	AuthorizerID        string            `json:"authorizerId"`
	APIKeyRequired      bool              `json:"apiKeyRequired"`
	OperationName       string            `json:"operationName"`
	RequestParameters   map[string]bool   `json:"requestParameters"`
	RequestModels       map[string]string `json:"requestModels"`
	RequestValidatorID  string            `json:"requestValidatorId"`
	AuthorizationScopes []string          `json:"authorizationScopes"`
}

var authorizationTypes = []string{"NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"}

func (s *Service) putMethod(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	var in putMethodInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if !slices.Contains(authorizationTypes, in.AuthorizationType) {
		return ErrBadRequest.New("Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS")
	}
	m := &Method{
		HTTPMethod: p["http_method"], AuthorizationType: in.AuthorizationType, AuthorizerID: in.AuthorizerID,
		APIKeyRequired: in.APIKeyRequired, OperationName: in.OperationName, RequestParameters: in.RequestParameters,
		RequestModels: in.RequestModels, RequestValidatorID: in.RequestValidatorID, AuthorizationScopes: in.AuthorizationScopes,
	}
	return replyWithAPI(s, w, c, p, true, http.StatusCreated, func(a *API) (methodOut, error) {
		if err := a.PutMethod(p["resource_id"], m); err != nil {
			return methodOut{}, err
		}
		return methodView(m), nil
	})
}

func (s *Service) getMethod(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	return replyWithAPI(s, w, c, p, false, http.StatusOK, func(a *API) (methodOut, error) {
		m, err := a.Method(p["resource_id"], p["http_method"])
		if err != nil {
			return methodOut{}, err
		}
		return methodView(m), nil
	})
}

func (s *Service) updateMethod(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	var in patchInput
	if err := decode(c, &in); err != nil {
		return err
	}
	return replyWithAPI(s, w, c, p, true, http.StatusOK, func(a *API) (methodOut, error) {
		m, err := a.Method(p["resource_id"], p["http_method"])
		if err != nil {
			return methodOut{}, err
		}
		for _, op := range in.PatchOperations {
			if err := patchMethod(m, op); err != nil {
				return methodOut{}, err
			}
		}
		return methodView(m), nil
	})
}

// patchMethod applies one UpdateMethod operation to m.
func patchMethod(m *Method, op patchOp) error {
	if name, ok := strings.CutPrefix(op.Path, "/requestParameters/"); ok {
		return patchEntry(&m.RequestParameters, name, op, op.Value == "true")
	}
	if op.Op != "replace" {
		return badPatch(op)
	}
	switch op.Path {
	case "/authorizationType":
		if !slices.Contains(authorizationTypes, op.Value) {
			return ErrBadRequest.New("Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS")
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

func (s *Service) deleteMethod(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	if err := s.withAPI(p, true, func(a *API) error { return a.DeleteMethod(p["resource_id"], p["http_method"]) }); err != nil {
		return err
	}
	return reply(w, c, http.StatusNoContent, nil)
}

// validStatusCode accepts the three-digit HTTP status codes API Gateway takes.
func validStatusCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	n, err := strconv.Atoi(s)
	return err == nil && n >= 100 && n <= 599
}

func (s *Service) putMethodResponse(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	var in struct {
		ResponseParameters map[string]bool   `json:"responseParameters"`
		ResponseModels     map[string]string `json:"responseModels"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	code := p["status_code"]
	if !validStatusCode(code) {
		return ErrBadRequest.New("Invalid status code specified")
	}
	return replyWithAPI(s, w, c, p, true, http.StatusCreated, func(a *API) (methodResponseOut, error) {
		m, err := a.Method(p["resource_id"], p["http_method"])
		if err != nil {
			return methodResponseOut{}, err
		}
		r := &MethodResponse{StatusCode: code, ResponseParameters: in.ResponseParameters, ResponseModels: in.ResponseModels}
		m.Responses[code] = r
		return methodResponseView(r), nil
	})
}

func (s *Service) getMethodResponse(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	return replyWithAPI(s, w, c, p, false, http.StatusOK, func(a *API) (methodResponseOut, error) {
		m, err := a.Method(p["resource_id"], p["http_method"])
		if err != nil {
			return methodResponseOut{}, err
		}
		r := m.Responses[p["status_code"]]
		if r == nil {
			return methodResponseOut{}, ErrResponseNotFound
		}
		return methodResponseView(r), nil
	})
}

func (s *Service) deleteMethodResponse(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	err := s.withAPI(p, true, func(a *API) error {
		m, err := a.Method(p["resource_id"], p["http_method"])
		if err != nil {
			return err
		}
		if m.Responses[p["status_code"]] == nil {
			return ErrResponseNotFound
		}
		delete(m.Responses, p["status_code"])
		return nil
	})
	if err != nil {
		return err
	}
	return reply(w, c, http.StatusNoContent, nil)
}

// --- integrations -----------------------------------------------------------------

type integrationResponseOut struct {
	StatusCode         string            `json:"statusCode"`
	SelectionPattern   string            `json:"selectionPattern,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates  map[string]string `json:"responseTemplates,omitempty"`
	ContentHandling    string            `json:"contentHandling,omitempty"`
}

type integrationOut struct {
	Type                 string                            `json:"type"`
	HTTPMethod           string                            `json:"httpMethod,omitempty"`
	URI                  string                            `json:"uri,omitempty"`
	ConnectionType       string                            `json:"connectionType,omitempty"`
	ConnectionID         string                            `json:"connectionId,omitempty"`
	Credentials          string                            `json:"credentials,omitempty"`
	RequestParameters    map[string]string                 `json:"requestParameters,omitempty"`
	RequestTemplates     map[string]string                 `json:"requestTemplates,omitempty"`
	PassthroughBehavior  string                            `json:"passthroughBehavior,omitempty"`
	ContentHandling      string                            `json:"contentHandling,omitempty"`
	TimeoutInMillis      int32                             `json:"timeoutInMillis"`
	CacheNamespace       string                            `json:"cacheNamespace,omitempty"`
	CacheKeyParameters   []string                          `json:"cacheKeyParameters"`
	IntegrationResponses map[string]integrationResponseOut `json:"integrationResponses,omitempty"`
}

func integrationView(in *Integration) integrationOut {
	out := integrationOut{
		Type: in.Type, HTTPMethod: in.HTTPMethod, URI: in.URI, ConnectionType: in.ConnectionType, ConnectionID: in.ConnectionID,
		Credentials: in.Credentials, RequestParameters: in.RequestParameters, RequestTemplates: in.RequestTemplates,
		PassthroughBehavior: in.PassthroughBehavior, ContentHandling: in.ContentHandling, TimeoutInMillis: in.TimeoutMillis,
		CacheNamespace: in.CacheNamespace, CacheKeyParameters: in.CacheKeyParameters,
	}
	if out.CacheKeyParameters == nil {
		out.CacheKeyParameters = []string{}
	}
	if len(in.Responses) > 0 {
		out.IntegrationResponses = make(map[string]integrationResponseOut, len(in.Responses))
		for k, r := range in.Responses {
			out.IntegrationResponses[k] = integrationResponseView(r)
		}
	}
	return out
}

func integrationResponseView(r *IntegrationResponse) integrationResponseOut {
	return integrationResponseOut{StatusCode: r.StatusCode, SelectionPattern: r.SelectionPattern,
		ResponseParameters: r.ResponseParameters, ResponseTemplates: r.ResponseTemplates, ContentHandling: r.ContentHandling}
}

type putIntegrationInput struct {
	Type                string            `json:"type"`
	HTTPMethod          string            `json:"httpMethod"`
	URI                 string            `json:"uri"`
	ConnectionType      string            `json:"connectionType"`
	ConnectionID        string            `json:"connectionId"`
	Credentials         string            `json:"credentials"`
	RequestParameters   map[string]string `json:"requestParameters"`
	RequestTemplates    map[string]string `json:"requestTemplates"`
	PassthroughBehavior string            `json:"passthroughBehavior"`
	CacheNamespace      string            `json:"cacheNamespace"`
	CacheKeyParameters  []string          `json:"cacheKeyParameters"`
	ContentHandling     string            `json:"contentHandling"`
	TimeoutInMillis     *int32            `json:"timeoutInMillis"`
}

// LambdaFunctionOf extracts the function ARN of a Lambda invocation URI
// (arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations).
func LambdaFunctionOf(uri string) (string, bool) {
	const marker = ":lambda:path/2015-03-31/functions/"
	i := strings.Index(uri, marker)
	if !strings.HasPrefix(uri, "arn:") || i < 0 || !strings.HasSuffix(uri, "/invocations") {
		return "", false
	}
	fn := uri[i+len(marker) : len(uri)-len("/invocations")]
	return fn, fn != ""
}

func validateIntegration(in *putIntegrationInput) error {
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
			if _, ok := LambdaFunctionOf(in.URI); !ok {
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
	if in.TimeoutInMillis != nil && (*in.TimeoutInMillis < 50 || *in.TimeoutInMillis > 300000) {
		return ErrBadRequest.New("Timeout should be between 50 ms and 300000 ms")
	}
	return nil
}

func (s *Service) putIntegration(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	var in putIntegrationInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := validateIntegration(&in); err != nil {
		return err
	}
	return replyWithAPI(s, w, c, p, true, http.StatusCreated, func(a *API) (integrationOut, error) {
		m, err := a.Method(p["resource_id"], p["http_method"])
		if err != nil {
			return integrationOut{}, err
		}
		integ := &Integration{
			Type: in.Type, HTTPMethod: in.HTTPMethod, URI: in.URI, ConnectionType: in.ConnectionType, ConnectionID: in.ConnectionID,
			Credentials: in.Credentials, RequestParameters: in.RequestParameters, RequestTemplates: in.RequestTemplates,
			PassthroughBehavior: in.PassthroughBehavior, ContentHandling: in.ContentHandling, TimeoutMillis: 29000,
			CacheNamespace: in.CacheNamespace, CacheKeyParameters: in.CacheKeyParameters, Responses: map[string]*IntegrationResponse{},
		}
		if integ.PassthroughBehavior == "" {
			integ.PassthroughBehavior = "WHEN_NO_MATCH"
		}
		if integ.CacheNamespace == "" {
			integ.CacheNamespace = p["resource_id"]
		}
		if integ.Type != "MOCK" && integ.ConnectionType == "" && (integ.Type == "HTTP" || integ.Type == "HTTP_PROXY") {
			integ.ConnectionType = "INTERNET"
		}
		if in.TimeoutInMillis != nil {
			integ.TimeoutMillis = *in.TimeoutInMillis
		}
		m.Integration = integ
		return integrationView(integ), nil
	})
}

// integration returns a method's integration (caller holds the API's lock).
func integration(a *API, p awsproto.Params) (*Integration, error) {
	m, err := a.Method(p["resource_id"], p["http_method"])
	if err != nil {
		return nil, err
	}
	if m.Integration == nil {
		return nil, ErrIntegrationNotFound
	}
	return m.Integration, nil
}

func (s *Service) getIntegration(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	return replyWithAPI(s, w, c, p, false, http.StatusOK, func(a *API) (integrationOut, error) {
		integ, err := integration(a, p)
		if err != nil {
			return integrationOut{}, err
		}
		return integrationView(integ), nil
	})
}

func (s *Service) updateIntegration(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	var in patchInput
	if err := decode(c, &in); err != nil {
		return err
	}
	return replyWithAPI(s, w, c, p, true, http.StatusOK, func(a *API) (integrationOut, error) {
		integ, err := integration(a, p)
		if err != nil {
			return integrationOut{}, err
		}
		for _, op := range in.PatchOperations {
			if err := patchIntegration(integ, op); err != nil {
				return integrationOut{}, err
			}
		}
		check := putIntegrationInput{Type: integ.Type, HTTPMethod: integ.HTTPMethod, URI: integ.URI, PassthroughBehavior: integ.PassthroughBehavior}
		if err := validateIntegration(&check); err != nil {
			return integrationOut{}, err
		}
		return integrationView(integ), nil
	})
}

// patchIntegration applies one UpdateIntegration operation to integ.
func patchIntegration(integ *Integration, op patchOp) error {
	if ct, ok := strings.CutPrefix(op.Path, "/requestTemplates/"); ok {
		return patchEntry(&integ.RequestTemplates, unescapePointer(ct), op, op.Value)
	}
	if name, ok := strings.CutPrefix(op.Path, "/requestParameters/"); ok {
		return patchEntry(&integ.RequestParameters, name, op, op.Value)
	}
	if op.Op != "replace" {
		return badPatch(op)
	}
	switch op.Path {
	case "/uri":
		integ.URI = op.Value
	case "/httpMethod":
		integ.HTTPMethod = op.Value
	case "/passthroughBehavior":
		integ.PassthroughBehavior = op.Value
	case "/contentHandling":
		integ.ContentHandling = op.Value
	case "/timeoutInMillis":
		n, err := strconv.Atoi(op.Value)
		if err != nil || n < 50 || n > 300000 {
			return ErrBadRequest.New("Timeout should be between 50 ms and 300000 ms")
		}
		integ.TimeoutMillis = int32(n)
	default:
		return badPatch(op)
	}
	return nil
}

func (s *Service) deleteIntegration(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	err := s.withAPI(p, true, func(a *API) error {
		m, err := a.Method(p["resource_id"], p["http_method"])
		if err != nil {
			return err
		}
		if m.Integration == nil {
			return ErrIntegrationNotFound
		}
		m.Integration = nil
		return nil
	})
	if err != nil {
		return err
	}
	return reply(w, c, http.StatusNoContent, nil)
}

func (s *Service) putIntegrationResponse(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	var in struct {
		SelectionPattern   string            `json:"selectionPattern"`
		ResponseParameters map[string]string `json:"responseParameters"`
		ResponseTemplates  map[string]string `json:"responseTemplates"`
		ContentHandling    string            `json:"contentHandling"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	code := p["status_code"]
	return replyWithAPI(s, w, c, p, true, http.StatusCreated, func(a *API) (integrationResponseOut, error) {
		m, err := a.Method(p["resource_id"], p["http_method"])
		if err != nil {
			return integrationResponseOut{}, err
		}
		if m.Integration == nil {
			return integrationResponseOut{}, ErrNotFound.New("No integration defined for method")
		}
		if m.Responses[code] == nil {
			return integrationResponseOut{}, ErrResponseNotFound
		}
		r := &IntegrationResponse{StatusCode: code, SelectionPattern: in.SelectionPattern, ResponseParameters: in.ResponseParameters,
			ResponseTemplates: in.ResponseTemplates, ContentHandling: in.ContentHandling}
		m.Integration.Responses[code] = r
		return integrationResponseView(r), nil
	})
}

func (s *Service) getIntegrationResponse(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	return replyWithAPI(s, w, c, p, false, http.StatusOK, func(a *API) (integrationResponseOut, error) {
		integ, err := integration(a, p)
		if err != nil {
			return integrationResponseOut{}, err
		}
		r := integ.Responses[p["status_code"]]
		if r == nil {
			return integrationResponseOut{}, ErrResponseNotFound
		}
		return integrationResponseView(r), nil
	})
}

func (s *Service) deleteIntegrationResponse(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	err := s.withAPI(p, true, func(a *API) error {
		integ, err := integration(a, p)
		if err != nil {
			return err
		}
		if integ.Responses[p["status_code"]] == nil {
			return ErrResponseNotFound
		}
		delete(integ.Responses, p["status_code"])
		return nil
	})
	if err != nil {
		return err
	}
	return reply(w, c, http.StatusNoContent, nil)
}

// --- deployments ------------------------------------------------------------------

type methodSnapshotOut struct {
	AuthorizationType string `json:"authorizationType"`
	APIKeyRequired    bool   `json:"apiKeyRequired"`
}

type deploymentOut struct {
	ID          string                                  `json:"id"`
	Description string                                  `json:"description,omitempty"`
	CreatedDate int64                                   `json:"createdDate"`
	APISummary  map[string]map[string]methodSnapshotOut `json:"apiSummary,omitempty"`
}

func deploymentView(d *Deployment, summary bool) deploymentOut {
	out := deploymentOut{ID: d.ID, Description: d.Description, CreatedDate: epoch(d.Created)}
	if summary {
		out.APISummary = map[string]map[string]methodSnapshotOut{}
		var walk func(n *RouteNode)
		seen := map[*RouteNode]bool{}
		walk = func(n *RouteNode) {
			if n == nil || seen[n] {
				return
			}
			seen[n] = true
			if len(n.Methods) > 0 {
				ms := map[string]methodSnapshotOut{}
				for k, m := range n.Methods {
					ms[k] = methodSnapshotOut{AuthorizationType: m.AuthorizationType, APIKeyRequired: m.APIKeyRequired}
				}
				out.APISummary[n.Path] = ms
			}
			for _, c := range n.literal {
				walk(c)
			}
			walk(n.param)
			walk(n.greedy)
		}
		walk(d.Snapshot.Root)
	}
	return out
}

func (s *Service) createDeployment(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	var in struct {
		StageName        string            `json:"stageName"`
		StageDescription string            `json:"stageDescription"`
		Description      string            `json:"description"`
		Variables        map[string]string `json:"variables"`
		TracingEnabled   bool              `json:"tracingEnabled"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	return replyWithAPI(s, w, c, p, true, http.StatusCreated, func(a *API) (deploymentOut, error) {
		if in.StageName != "" && !stageNameRE.MatchString(in.StageName) {
			return deploymentOut{}, BadRequest("Stage name only allows a-zA-Z0-9_ and -")
		}
		d, err := a.Deploy(s.store, in.Description)
		if err != nil {
			return deploymentOut{}, err
		}
		if in.StageName != "" {
			st, err := a.PointStage(s.env.Now(), in.StageName, d.ID, in.StageDescription, in.Variables)
			if err != nil {
				return deploymentOut{}, err
			}
			st.TracingEnabled = st.TracingEnabled || in.TracingEnabled
		}
		return deploymentView(d, false), nil
	})
}

func (s *Service) getDeployments(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	summary := embeds(c, "apisummary")
	return replyWithAPI(s, w, c, p, false, http.StatusOK, func(a *API) (listOut[deploymentOut], error) {
		return page(c, a.Deployments(), func(d *Deployment) deploymentOut { return deploymentView(d, summary) })
	})
}

func (s *Service) getDeployment(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	summary := embeds(c, "apisummary")
	return replyWithAPI(s, w, c, p, false, http.StatusOK, func(a *API) (deploymentOut, error) {
		d, err := a.Deployment(p["deployment_id"])
		if err != nil {
			return deploymentOut{}, err
		}
		return deploymentView(d, summary), nil
	})
}

func (s *Service) updateDeployment(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	var in patchInput
	if err := decode(c, &in); err != nil {
		return err
	}
	return replyWithAPI(s, w, c, p, true, http.StatusOK, func(a *API) (deploymentOut, error) {
		d, err := a.Deployment(p["deployment_id"])
		if err != nil {
			return deploymentOut{}, err
		}
		for _, op := range in.PatchOperations {
			if op.Op != "replace" || op.Path != "/description" {
				return deploymentOut{}, badPatch(op)
			}
			d.Description = op.Value
		}
		return deploymentView(d, false), nil
	})
}

func (s *Service) deleteDeployment(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	if err := s.withAPI(p, true, func(a *API) error { return a.DeleteDeployment(p["deployment_id"]) }); err != nil {
		return err
	}
	return reply(w, c, http.StatusAccepted, nil)
}

// --- stages -----------------------------------------------------------------------

type stageOut struct {
	DeploymentID        string                    `json:"deploymentId"`
	StageName           string                    `json:"stageName"`
	Description         string                    `json:"description,omitempty"`
	CacheClusterEnabled bool                      `json:"cacheClusterEnabled"`
	CacheClusterSize    string                    `json:"cacheClusterSize,omitempty"`
	CacheClusterStatus  string                    `json:"cacheClusterStatus"`
	MethodSettings      map[string]map[string]any `json:"methodSettings"`
	Variables           map[string]string         `json:"variables,omitempty"`
	TracingEnabled      bool                      `json:"tracingEnabled"`
	Tags                map[string]string         `json:"tags,omitempty"`
	CreatedDate         int64                     `json:"createdDate"`
	LastUpdatedDate     int64                     `json:"lastUpdatedDate"`
}

func stageView(st *Stage) stageOut {
	out := stageOut{
		DeploymentID: st.DeploymentID, StageName: st.Name, Description: st.Description, CacheClusterEnabled: st.CacheClusterEnabled,
		CacheClusterSize: st.CacheClusterSize, CacheClusterStatus: "NOT_AVAILABLE", MethodSettings: st.MethodSettings,
		Variables: st.Variables, TracingEnabled: st.TracingEnabled, Tags: st.Tags,
		CreatedDate: epoch(st.Created), LastUpdatedDate: epoch(st.Updated),
	}
	if st.CacheClusterEnabled {
		out.CacheClusterStatus = "AVAILABLE"
	}
	if out.MethodSettings == nil {
		out.MethodSettings = map[string]map[string]any{}
	}
	return out
}

func (s *Service) createStage(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	var in struct {
		StageName           string            `json:"stageName"`
		DeploymentID        string            `json:"deploymentId"`
		Description         string            `json:"description"`
		CacheClusterEnabled bool              `json:"cacheClusterEnabled"`
		CacheClusterSize    string            `json:"cacheClusterSize"`
		Variables           map[string]string `json:"variables"`
		TracingEnabled      bool              `json:"tracingEnabled"`
		Tags                map[string]string `json:"tags"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	return replyWithAPI(s, w, c, p, true, http.StatusCreated, func(a *API) (stageOut, error) {
		st := &Stage{Name: in.StageName, DeploymentID: in.DeploymentID, Description: in.Description, Variables: in.Variables,
			TracingEnabled: in.TracingEnabled, CacheClusterEnabled: in.CacheClusterEnabled, CacheClusterSize: in.CacheClusterSize, Tags: in.Tags}
		if err := a.CreateStage(s.env.Now(), st); err != nil {
			return stageOut{}, err
		}
		return stageView(st), nil
	})
}

// getStages lists without paging, as AWS does (no position, no limit).
func (s *Service) getStages(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	return replyWithAPI(s, w, c, p, false, http.StatusOK, func(a *API) (listOut[stageOut], error) {
		out := listOut[stageOut]{Items: []stageOut{}}
		for _, st := range a.Stages(c.URL.Query().Get("deploymentId")) {
			out.Items = append(out.Items, stageView(st))
		}
		return out, nil
	})
}

func (s *Service) getStage(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	return replyWithAPI(s, w, c, p, false, http.StatusOK, func(a *API) (stageOut, error) {
		st, err := a.Stage(p["stage_name"])
		if err != nil {
			return stageOut{}, err
		}
		return stageView(st), nil
	})
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

func (s *Service) updateStage(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	var in patchInput
	if err := decode(c, &in); err != nil {
		return err
	}
	return replyWithAPI(s, w, c, p, true, http.StatusOK, func(a *API) (stageOut, error) {
		st, err := a.Stage(p["stage_name"])
		if err != nil {
			return stageOut{}, err
		}
		for _, op := range in.PatchOperations {
			if err := patchStage(a, st, op); err != nil {
				return stageOut{}, err
			}
		}
		st.Updated = s.env.Now()
		return stageView(st), nil
	})
}

func patchStage(a *API, st *Stage, op patchOp) error {
	if name, ok := strings.CutPrefix(op.Path, "/variables/"); ok {
		return patchEntry(&st.Variables, name, op, op.Value)
	}
	switch op.Path {
	case "/description", "/deploymentId", "/tracingEnabled", "/cacheClusterEnabled", "/cacheClusterSize":
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

func (s *Service) deleteStage(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	if err := s.withAPI(p, true, func(a *API) error { return a.DeleteStage(p["stage_name"]) }); err != nil {
		return err
	}
	return reply(w, c, http.StatusAccepted, nil)
}

// --- tags -------------------------------------------------------------------------

// tagTarget resolves arn:aws:apigateway:{region}::/restapis/{id}[/stages/{name}].
func (s *Service) tagTarget(arn string, f func(tags *map[string]string) error) error {
	_, path, ok := strings.Cut(arn, "::")
	if !strings.HasPrefix(arn, "arn:aws:apigateway:") || !ok {
		return ErrBadRequest.New("Invalid ARN specified in the request")
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(parts) < 2 || parts[0] != "restapis" {
		return ErrBadRequest.New("Invalid ARN specified in the request")
	}
	a, err := s.store.API(parts[1])
	if err != nil {
		return s.apiError(err, parts[1])
	}
	return s.apiError(a.Update(func() error {
		switch {
		case len(parts) == 2:
			return f(&a.Tags)
		case len(parts) == 4 && parts[2] == "stages":
			st, err := a.Stage(parts[3])
			if err != nil {
				return err
			}
			return f(&st.Tags)
		}
		return BadRequest("Invalid ARN specified in the request")
	}), parts[1])
}

func (s *Service) getTags(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	out := map[string]map[string]string{"tags": {}}
	err := s.tagTarget(p["resource_arn"], func(tags *map[string]string) error {
		for k, v := range *tags {
			out["tags"][k] = v
		}
		return nil
	})
	if err != nil {
		return err
	}
	return reply(w, c, http.StatusOK, out)
}

func (s *Service) tagResource(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	var in struct {
		Tags map[string]string `json:"tags"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	err := s.tagTarget(p["resource_arn"], func(tags *map[string]string) error {
		if *tags == nil {
			*tags = map[string]string{}
		}
		for k, v := range in.Tags {
			(*tags)[k] = v
		}
		return nil
	})
	if err != nil {
		return err
	}
	return reply(w, c, http.StatusNoContent, nil)
}

func (s *Service) untagResource(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	keys := c.URL.Query()["tagKeys"]
	err := s.tagTarget(p["resource_arn"], func(tags *map[string]string) error {
		for _, k := range keys {
			delete(*tags, k)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return reply(w, c, http.StatusNoContent, nil)
}

// sortedKeys is used where output order must be stable.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
