package apigateway

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/execapi"
)

// Wire names of the service.
const (
	scope          = "apigateway"
	pathRestAPIs   = execapi.PathRestAPIs
	pathExecuteAPI = execapi.PathExecuteAPI
	hostExecuteAPI = execapi.HostExecuteAPI

	// DefaultIntegrationTimeout is API Gateway's integration timeout.
	DefaultIntegrationTimeout = 29 * time.Second
)

// Service is API Gateway (REST APIs).
type Service struct {
	env   *cloud.Env
	store *Store
	api   awsproto.API
	// integrationTimeout caps every integration call (ns); tests shorten it.
	integrationTimeout atomic.Int64
}

// New returns the service.
func New(env *cloud.Env) *Service {
	s := &Service{env: env, store: NewStore(env.Account, env.Now, env.NewID)}
	s.integrationTimeout.Store(int64(DefaultIntegrationTimeout))
	s.api = awsproto.API{
		Model:       "apigateway",
		Base:        awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Protocol:    awsproto.RestJSON,
		MaxBody:     maxControlBody,
		Invalid:     ErrBadRequest,
		ErrorWriter: writeError,
		DecodeError: decodeError,
	}
	s.api.Register(s.operations()...)
	s.api.Register(s.keyOperations()...)
	s.api.Register(s.authorizerOperations()...)
	s.api.Register(s.modelOperations()...)
	s.api.Register(s.docOperations()...)
	s.api.Register(s.domainOperations()...)
	s.api.Register(s.accountOperations()...)
	return s
}

func (s *Service) Name() string                { return "apigateway" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.RestJSON }
func (s *Service) Reset()                      { s.store.Reset() }
func (s *Service) Summary() map[string]any {
	keys, plans := s.store.KeyCounts()
	return map[string]any{"rest_apis": s.store.Count(), "api_keys": keys, "usage_plans": plans}
}

func (s *Service) Routes() []cloud.Route {
	data := http.HandlerFunc(s.serveDataPlane)
	return []cloud.Route{
		{Kind: cloud.ByScope, Key: scope},
		// /restapis is also the data plane's /restapis/{api}/{stage}/_user_request_/
		// form: only invocations are public, the control plane stays signed.
		{Kind: cloud.ByPath, Key: pathRestAPIs, PublicIf: isInvocation, DataPlane: data},
		{Kind: cloud.ByPath, Key: pathExecuteAPI, Public: true, DataPlane: data},
		{Kind: cloud.ByHost, Key: hostExecuteAPI, Public: true, DataPlane: data},
		// Requests signed for execute-api (AWS_IAM methods) reach only the
		// data plane, which verifies their signatures itself.
		{Kind: cloud.ByScope, Key: executeAPI, Public: true, DataPlane: data},
	}
}

// isInvocation reports whether r is a data-plane (invoke URL) request.
func isInvocation(r *http.Request) bool {
	_, ok := execapi.ParseInvocation(r)
	return ok
}

// SetIntegrationTimeout changes the integration timeout (29 s by default).
func (s *Service) SetIntegrationTimeout(d time.Duration) { s.integrationTimeout.Store(int64(d)) }

// Store exposes the store (tests).
func (s *Service) Store() *Store { return s.store }

// serveDataPlane is all an unsigned request on an invoke URL form reaches:
// an invocation, or API Gateway's answer to a path that names none.
func (s *Service) serveDataPlane(w http.ResponseWriter, r *http.Request) {
	inv, ok := execapi.ParseInvocation(r)
	if !ok {
		s.newExchange(w, r, invocation{}).fail(gwMissingAuthToken)
		return
	}
	s.dispatch(w, r, inv)
}

// APIs is the service's API, for the coverage report and the model checks.
func (s *Service) APIs() []*awsproto.API { return []*awsproto.API{&s.api} }

func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if inv, ok := execapi.ParseInvocation(r); ok {
		s.dispatch(w, r, inv)
		return
	}
	if v2 := s.v2(); v2 != nil && strings.HasPrefix(r.URL.Path, pathV2) {
		v2.ServeControlPlane(w, r)
		return
	}
	if op := s.importOp(r); op != "" {
		c := &awsproto.Call{Request: r, Region: awsproto.RegionOf(r, s.env.Region), RequestID: s.env.NewID()}
		s.api.Serve(w, c, s.api.Op(op))
		return
	}
	s.api.ServeHTTP(w, r)
}

// importOp names the operation of a POST ?mode=import, which the model
// routes by its query string (no path pattern can).
func (s *Service) importOp(r *http.Request) string {
	if r.Method != http.MethodPost || r.URL.Query().Get("mode") != "import" {
		return ""
	}
	switch r.URL.Path {
	case "/apikeys":
		return "ImportApiKeys"
	case "/restapis":
		return "ImportRestApi"
	}
	return ""
}

// pathV2 starts API Gateway v2's control plane, which shares this
// service's signing scope.
const pathV2 = "/v2/"

// v2 is API Gateway v2 when the emulator serves it.
func (s *Service) v2() cloud.ExecuteAPI {
	v, _ := s.env.Links.Get(cloud.LinkAPIGatewayV2).(cloud.ExecuteAPI)
	return v
}

// dispatch serves an invocation: API ids of API Gateway v2 (HTTP and
// WebSocket APIs) share the invoke URLs and are handed to it.
func (s *Service) dispatch(w http.ResponseWriter, r *http.Request, inv invocation) {
	if !s.store.Has(inv.APIID) {
		if v2 := s.v2(); v2 != nil && v2.ServeInvocation(w, r, inv.APIID, inv.Stage, inv.Path, inv.Host) {
			return
		}
	}
	s.invoke(w, r, inv)
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

// operations binds every control-plane operation to its route.
func (s *Service) operations() []awsproto.Operation {
	const (
		api    = "/restapis/{restapi_id}"
		res    = api + "/resources/{resource_id}"
		method = res + "/methods/{http_method}"
		integ  = method + "/integration"
	)
	h := func(op awsproto.Operation, route string, status int) awsproto.Operation {
		return op.At(route).WithStatus(status)
	}
	return []awsproto.Operation{
		h(awsproto.Handle("CreateRestApi", s.createRestAPI), "POST /restapis", http.StatusCreated),
		h(awsproto.Handle("GetRestApis", s.getRestAPIs), "GET /restapis", http.StatusOK),
		h(awsproto.Handle("GetRestApi", s.getRestAPI), "GET "+api, http.StatusOK),
		h(awsproto.Handle("UpdateRestApi", s.updateRestAPI), "PATCH "+api, http.StatusOK),
		h(awsproto.Handle("DeleteRestApi", s.deleteRestAPI), "DELETE "+api, http.StatusAccepted),
		h(awsproto.Handle("PutRestApi", s.putRestAPI), "PUT "+api, http.StatusOK),
		// The model's requestUri: ServeHTTP routes it by its query string.
		h(awsproto.Handle("ImportRestApi", s.importRestAPI), "POST /restapis?mode=import", http.StatusCreated),
		h(awsproto.Handle("GetExport", s.getExport), "GET "+api+"/stages/{stage_name}/exports/{export_type}", http.StatusOK),

		h(awsproto.Handle("GetResources", s.getResources), "GET "+api+"/resources", http.StatusOK),
		h(awsproto.Handle("GetResource", s.getResource), "GET "+res, http.StatusOK),
		h(awsproto.Handle("CreateResource", s.createResource), "POST "+api+"/resources/{parent_id}", http.StatusCreated),
		h(awsproto.Handle("UpdateResource", s.updateResource), "PATCH "+res, http.StatusOK),
		h(awsproto.Handle("DeleteResource", s.deleteResource), "DELETE "+res, http.StatusAccepted),

		h(awsproto.Handle("PutMethod", s.putMethod), "PUT "+method, http.StatusCreated),
		h(awsproto.Handle("GetMethod", s.getMethod), "GET "+method, http.StatusOK),
		h(awsproto.Handle("UpdateMethod", s.updateMethod), "PATCH "+method, http.StatusOK),
		h(awsproto.Handle("DeleteMethod", s.deleteMethod), "DELETE "+method, http.StatusNoContent),
		h(awsproto.Handle("TestInvokeMethod", s.testInvokeMethod), "POST "+method, http.StatusOK),
		h(awsproto.Handle("PutMethodResponse", s.putMethodResponse), "PUT "+method+"/responses/{status_code}", http.StatusCreated),
		h(awsproto.Handle("GetMethodResponse", s.getMethodResponse), "GET "+method+"/responses/{status_code}", http.StatusOK),
		h(awsproto.Handle("DeleteMethodResponse", s.deleteMethodResponse), "DELETE "+method+"/responses/{status_code}", http.StatusNoContent),

		h(awsproto.Handle("PutIntegration", s.putIntegration), "PUT "+integ, http.StatusCreated),
		h(awsproto.Handle("GetIntegration", s.getIntegration), "GET "+integ, http.StatusOK),
		h(awsproto.Handle("UpdateIntegration", s.updateIntegration), "PATCH "+integ, http.StatusOK),
		h(awsproto.Handle("DeleteIntegration", s.deleteIntegration), "DELETE "+integ, http.StatusNoContent),
		h(awsproto.Handle("PutIntegrationResponse", s.putIntegrationResponse), "PUT "+integ+"/responses/{status_code}", http.StatusCreated),
		h(awsproto.Handle("GetIntegrationResponse", s.getIntegrationResponse), "GET "+integ+"/responses/{status_code}", http.StatusOK),
		h(awsproto.Handle("DeleteIntegrationResponse", s.deleteIntegrationResponse), "DELETE "+integ+"/responses/{status_code}", http.StatusNoContent),

		h(awsproto.Handle("CreateDeployment", s.createDeployment), "POST "+api+"/deployments", http.StatusCreated),
		h(awsproto.Handle("GetDeployments", s.getDeployments), "GET "+api+"/deployments", http.StatusOK),
		h(awsproto.Handle("GetDeployment", s.getDeployment), "GET "+api+"/deployments/{deployment_id}", http.StatusOK),
		h(awsproto.Handle("UpdateDeployment", s.updateDeployment), "PATCH "+api+"/deployments/{deployment_id}", http.StatusOK),
		h(awsproto.Handle("DeleteDeployment", s.deleteDeployment), "DELETE "+api+"/deployments/{deployment_id}", http.StatusAccepted),

		h(awsproto.Handle("CreateStage", s.createStage), "POST "+api+"/stages", http.StatusCreated),
		h(awsproto.Handle("GetStages", s.getStages), "GET "+api+"/stages", http.StatusOK),
		h(awsproto.Handle("GetStage", s.getStage), "GET "+api+"/stages/{stage_name}", http.StatusOK),
		h(awsproto.Handle("UpdateStage", s.updateStage), "PATCH "+api+"/stages/{stage_name}", http.StatusOK),
		h(awsproto.Handle("DeleteStage", s.deleteStage), "DELETE "+api+"/stages/{stage_name}", http.StatusAccepted),

		h(awsproto.Handle("GetTags", s.getTags), "GET /tags/{resource_arn}", http.StatusOK),
		h(awsproto.Handle("TagResource", s.tagResource), "PUT /tags/{resource_arn}", http.StatusNoContent),
		h(awsproto.Handle("UntagResource", s.untagResource), "DELETE /tags/{resource_arn}", http.StatusNoContent),
	}
}

// --- inputs every operation shares -------------------------------------------------

const maxControlBody = 6 << 20

// decodeError words a body the JSON decoder refused, as API Gateway does.
func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return ErrBadRequest.New("Could not parse request body into json: Cannot deserialize value of type " + te.Type.String() + " for field " + te.Field)
	}
	return ErrBadRequest.New("Could not parse request body into json: Unexpected character")
}

// apiPath names an API; resourcePath a resource of it; methodPath a method.
type apiPath struct {
	RestAPIID string `json:"-" location:"uri" name:"restapi_id"`
}

type resourcePath struct {
	apiPath
	ResourceID string `json:"-" location:"uri" name:"resource_id"`
}

type methodPath struct {
	resourcePath
	HTTPMethod string `json:"-" location:"uri" name:"http_method"`
}

type responsePath struct {
	methodPath
	StatusCode string `json:"-" location:"uri" name:"status_code" pattern:"[1-5]\\d\\d"`
}

// patchInput is every Update* call's body.
type patchInput struct {
	PatchOperations []PatchOp `json:"patchOperations"`
}

// pageInput is the limit/position paging of list calls.
type pageInput struct {
	Limit    *int   `json:"-" location:"querystring" name:"limit"`
	Position string `json:"-" location:"querystring" name:"position"`
}

// embedInput is the ?embed=… of calls that can inline children.
type embedInput struct {
	Embed []string `json:"-" location:"querystring" name:"embed"`
}

func (e embedInput) has(what string) bool {
	for _, v := range e.Embed {
		for _, part := range strings.Split(v, ",") {
			if strings.TrimSpace(part) == what {
				return true
			}
		}
	}
	return false
}

type listOut[T any] struct {
	Items    []T    `json:"item"`
	Position string `json:"position,omitempty"`
}

// page renders the limit/position page of all (position = the index to
// resume at) as a list answer.
func page[E, T any](in pageInput, all []E, view func(E) T) (listOut[T], error) {
	n := len(all)
	limit, start := 25, 0
	if in.Limit != nil {
		if v := *in.Limit; v < 1 || v > 500 {
			return listOut[T]{}, ErrBadRequest.New("Invalid limit: must be between 1 and 500")
		}
		limit = *in.Limit
	}
	if in.Position != "" {
		v, err := strconv.Atoi(in.Position)
		if err != nil || v < 0 {
			return listOut[T]{}, ErrBadRequest.New("Invalid position parameter")
		}
		start = min(v, n)
	}
	end := min(start+limit, n)
	out := listOut[T]{Items: make([]T, 0, end-start)}
	if end < n {
		out.Position = strconv.Itoa(end)
	}
	for _, e := range all[start:end] {
		out.Items = append(out.Items, view(e))
	}
	return out, nil
}

// read renders what f builds of an API under its read lock; edit does the
// same under its write lock, for calls that change it.
func read[T any](s *Service, id string, f func(a *API) (T, error)) (T, error) {
	var out T
	err := s.store.Read(id, func(a *API) (err error) { out, err = f(a); return err })
	return out, err
}

func edit[T any](s *Service, id string, f func(a *API) (T, error)) (T, error) {
	var out T
	err := s.store.Edit(id, func(a *API) (err error) { out, err = f(a); return err })
	return out, err
}

// as shapes what a store call returns with view, and passes its error on.
func as[M, T any](view func(M) T) func(M, error) (T, error) {
	return func(m M, err error) (T, error) {
		if err != nil {
			var zero T
			return zero, err
		}
		return view(m), nil
	}
}

func epoch(t time.Time) int64 { return t.Unix() }
