package apigatewayv2

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Wire names and limits of the service.
const (
	pathV2         = "/v2/"
	maxControlBody = 6 << 20

	// DefaultIntegrationTimeout is HTTP APIs' maximum integration timeout.
	DefaultIntegrationTimeout = 30 * time.Second
)

// Service is API Gateway v2 (HTTP and WebSocket APIs). Its requests reach
// it through API Gateway (v1), which owns the signing scope "apigateway" and
// the execute-api invoke URLs: v1 hands it /v2/ calls and the invocations
// of API ids that are v2's (cloud.ExecuteAPI, published as
// cloud.LinkAPIGatewayV2).
type Service struct {
	env   *cloud.Env
	store *Store
	api   awsproto.API
	// integrationTimeout caps every integration call (ns); tests shorten it.
	integrationTimeout atomic.Int64
	// jwks fetches and caches JWT issuers' keys.
	jwks *jwksCache
	// ws is the WebSocket data plane (ws_hook.go).
	ws     *wsPlane
	wsOnce sync.Once
}

// New returns the service and publishes it for API Gateway (v1).
func New(env *cloud.Env) *Service {
	s := &Service{env: env, store: NewStore(env.Account, env.Now, env.NewID)}
	s.integrationTimeout.Store(int64(DefaultIntegrationTimeout))
	s.jwks = newJWKSCache(env.Now)
	s.api = awsproto.API{
		Model:       "apigatewayv2",
		Base:        awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Protocol:    awsproto.RestJSON,
		MaxBody:     maxControlBody,
		Invalid:     ErrBadRequest,
		ErrorWriter: writeError,
		DecodeError: decodeError,
		NotFound:    notFound,
	}
	s.api.Register(s.operations()...)
	if env.Links != nil {
		env.Links.Set(cloud.LinkAPIGatewayV2, cloud.ExecuteAPI(s))
	}
	return s
}

func (s *Service) Name() string                { return "apigatewayv2" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.RestJSON }
func (s *Service) Reset()                      { s.store.Reset(); s.jwks.reset() }
func (s *Service) Summary() map[string]any     { return map[string]any{"apis": s.store.Count()} }

// Routes is empty: API Gateway (v1) owns the scope and URLs both share and
// hands v2 its requests (ServeControlPlane, ServeInvocation).
func (s *Service) Routes() []cloud.Route { return nil }

// APIs is the service's API, for the coverage report and the model checks.
func (s *Service) APIs() []*awsproto.API { return []*awsproto.API{&s.api} }

// ServeHTTP serves the control plane (requests under /v2/).
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.api.ServeHTTP(w, r) }

// ServeControlPlane serves a /v2/ request v1 received.
func (s *Service) ServeControlPlane(w http.ResponseWriter, r *http.Request) { s.api.ServeHTTP(w, r) }

// SetIntegrationTimeout changes the integration timeout cap (30 s by default).
func (s *Service) SetIntegrationTimeout(d time.Duration) { s.integrationTimeout.Store(int64(d)) }

// Store exposes the store (tests, the WebSocket data plane).
func (s *Service) Store() *Store { return s.store }

// IsControlPlane reports whether a path is v2's control plane.
func IsControlPlane(path string) bool { return strings.HasPrefix(path, pathV2) }

// writeError renders an error as API Gateway does: the code in
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

// notFound answers a /v2/ path no operation serves.
func notFound(w http.ResponseWriter, c *awsproto.Call) {
	writeError(w, c, ErrNotFound.New("Unable to find the resource at "+c.URL.Path))
}

// decodeError words a body the JSON decoder refused, as API Gateway does.
func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return ErrBadRequest.New("Could not parse request body into json: Cannot deserialize value of type " + te.Type.String() + " for field " + te.Field)
	}
	return ErrBadRequest.New("Could not parse request body into json: Unexpected character")
}

// operations binds every control-plane operation to its route.
func (s *Service) operations() []awsproto.Operation {
	const (
		api    = "/v2/apis/{apiId}"
		route  = api + "/routes/{routeId}"
		integ  = api + "/integrations/{integrationId}"
		auth   = api + "/authorizers/{authorizerId}"
		stage  = api + "/stages/{stageName}"
		deploy = api + "/deployments/{deploymentId}"
		model  = api + "/models/{modelId}"

		domain  = "/v2/domainnames/{domainName}"
		mapping = domain + "/apimappings/{apiMappingId}"
		rule    = domain + "/routingrules/{routingRuleId}"
		vpcLink = "/v2/vpclinks/{vpcLinkId}"
		portal  = "/v2/portals/{portalId}"
	)
	h := func(op awsproto.Operation, r string, status int) awsproto.Operation {
		return op.At(r).WithStatus(status)
	}
	return []awsproto.Operation{
		h(awsproto.Handle("CreateApi", s.createAPI), "POST /v2/apis", http.StatusCreated),
		h(awsproto.Handle("GetApis", s.getAPIs), "GET /v2/apis", http.StatusOK),
		h(awsproto.Handle("GetApi", s.getAPI), "GET "+api, http.StatusOK),
		h(awsproto.Handle("UpdateApi", s.updateAPI), "PATCH "+api, http.StatusOK),
		h(awsproto.Handle("DeleteApi", s.deleteAPI), "DELETE "+api, http.StatusNoContent),
		h(awsproto.Handle("DeleteCorsConfiguration", s.deleteCors), "DELETE "+api+"/cors", http.StatusNoContent),

		h(awsproto.Handle("CreateRoute", s.createRoute), "POST "+api+"/routes", http.StatusCreated),
		h(awsproto.Handle("GetRoutes", s.getRoutes), "GET "+api+"/routes", http.StatusOK),
		h(awsproto.Handle("GetRoute", s.getRoute), "GET "+route, http.StatusOK),
		h(awsproto.Handle("UpdateRoute", s.updateRoute), "PATCH "+route, http.StatusOK),
		h(awsproto.Handle("DeleteRoute", s.deleteRoute), "DELETE "+route, http.StatusNoContent),
		h(awsproto.Handle("DeleteRouteRequestParameter", s.deleteRouteRequestParameter), "DELETE "+route+"/requestparameters/{requestParameterKey}", http.StatusNoContent),

		h(awsproto.Handle("CreateRouteResponse", s.createRouteResponse), "POST "+route+"/routeresponses", http.StatusCreated),
		h(awsproto.Handle("GetRouteResponses", s.getRouteResponses), "GET "+route+"/routeresponses", http.StatusOK),
		h(awsproto.Handle("GetRouteResponse", s.getRouteResponse), "GET "+route+"/routeresponses/{routeResponseId}", http.StatusOK),
		h(awsproto.Handle("UpdateRouteResponse", s.updateRouteResponse), "PATCH "+route+"/routeresponses/{routeResponseId}", http.StatusOK),
		h(awsproto.Handle("DeleteRouteResponse", s.deleteRouteResponse), "DELETE "+route+"/routeresponses/{routeResponseId}", http.StatusNoContent),

		h(awsproto.Handle("CreateIntegration", s.createIntegration), "POST "+api+"/integrations", http.StatusCreated),
		h(awsproto.Handle("GetIntegrations", s.getIntegrations), "GET "+api+"/integrations", http.StatusOK),
		h(awsproto.Handle("GetIntegration", s.getIntegration), "GET "+integ, http.StatusOK),
		h(awsproto.Handle("UpdateIntegration", s.updateIntegration), "PATCH "+integ, http.StatusOK),
		h(awsproto.Handle("DeleteIntegration", s.deleteIntegration), "DELETE "+integ, http.StatusNoContent),

		h(awsproto.Handle("CreateIntegrationResponse", s.createIntegrationResponse), "POST "+integ+"/integrationresponses", http.StatusCreated),
		h(awsproto.Handle("GetIntegrationResponses", s.getIntegrationResponses), "GET "+integ+"/integrationresponses", http.StatusOK),
		h(awsproto.Handle("GetIntegrationResponse", s.getIntegrationResponse), "GET "+integ+"/integrationresponses/{integrationResponseId}", http.StatusOK),
		h(awsproto.Handle("UpdateIntegrationResponse", s.updateIntegrationResponse), "PATCH "+integ+"/integrationresponses/{integrationResponseId}", http.StatusOK),
		h(awsproto.Handle("DeleteIntegrationResponse", s.deleteIntegrationResponse), "DELETE "+integ+"/integrationresponses/{integrationResponseId}", http.StatusNoContent),

		h(awsproto.Handle("CreateAuthorizer", s.createAuthorizer), "POST "+api+"/authorizers", http.StatusCreated),
		h(awsproto.Handle("GetAuthorizers", s.getAuthorizers), "GET "+api+"/authorizers", http.StatusOK),
		h(awsproto.Handle("GetAuthorizer", s.getAuthorizer), "GET "+auth, http.StatusOK),
		h(awsproto.Handle("UpdateAuthorizer", s.updateAuthorizer), "PATCH "+auth, http.StatusOK),
		h(awsproto.Handle("DeleteAuthorizer", s.deleteAuthorizer), "DELETE "+auth, http.StatusNoContent),

		h(awsproto.Handle("CreateStage", s.createStage), "POST "+api+"/stages", http.StatusCreated),
		h(awsproto.Handle("GetStages", s.getStages), "GET "+api+"/stages", http.StatusOK),
		h(awsproto.Handle("GetStage", s.getStage), "GET "+stage, http.StatusOK),
		h(awsproto.Handle("UpdateStage", s.updateStage), "PATCH "+stage, http.StatusOK),
		h(awsproto.Handle("DeleteStage", s.deleteStage), "DELETE "+stage, http.StatusNoContent),
		h(awsproto.Handle("ResetAuthorizersCache", s.resetAuthorizersCache), "DELETE "+stage+"/cache/authorizers", http.StatusNoContent),

		h(awsproto.Handle("CreateDeployment", s.createDeployment), "POST "+api+"/deployments", http.StatusCreated),
		h(awsproto.Handle("GetDeployments", s.getDeployments), "GET "+api+"/deployments", http.StatusOK),
		h(awsproto.Handle("GetDeployment", s.getDeployment), "GET "+deploy, http.StatusOK),
		h(awsproto.Handle("UpdateDeployment", s.updateDeployment), "PATCH "+deploy, http.StatusOK),
		h(awsproto.Handle("DeleteDeployment", s.deleteDeployment), "DELETE "+deploy, http.StatusNoContent),

		h(awsproto.Handle("DeleteRouteSettings", s.deleteRouteSettings), "DELETE "+stage+"/routesettings/{routeKey}", http.StatusNoContent),
		h(awsproto.Handle("DeleteAccessLogSettings", s.deleteAccessLogSettings), "DELETE "+stage+"/accesslogsettings", http.StatusNoContent),

		h(awsproto.Handle("CreateModel", s.createModel), "POST "+api+"/models", http.StatusCreated),
		h(awsproto.Handle("GetModels", s.getModels), "GET "+api+"/models", http.StatusOK),
		h(awsproto.Handle("GetModel", s.getModel), "GET "+model, http.StatusOK),
		h(awsproto.Handle("UpdateModel", s.updateModel), "PATCH "+model, http.StatusOK),
		h(awsproto.Handle("DeleteModel", s.deleteModel), "DELETE "+model, http.StatusNoContent),
		h(awsproto.Handle("GetModelTemplate", s.getModelTemplate), "GET "+model+"/template", http.StatusOK),

		h(awsproto.Handle("CreateDomainName", s.createDomainName), "POST /v2/domainnames", http.StatusCreated),
		h(awsproto.Handle("GetDomainNames", s.getDomainNames), "GET /v2/domainnames", http.StatusOK),
		h(awsproto.Handle("GetDomainName", s.getDomainName), "GET "+domain, http.StatusOK),
		h(awsproto.Handle("UpdateDomainName", s.updateDomainName), "PATCH "+domain, http.StatusOK),
		h(awsproto.Handle("DeleteDomainName", s.deleteDomainName), "DELETE "+domain, http.StatusNoContent),

		h(awsproto.Handle("CreateApiMapping", s.createAPIMapping), "POST "+domain+"/apimappings", http.StatusCreated),
		h(awsproto.Handle("GetApiMappings", s.getAPIMappings), "GET "+domain+"/apimappings", http.StatusOK),
		h(awsproto.Handle("GetApiMapping", s.getAPIMapping), "GET "+mapping, http.StatusOK),
		h(awsproto.Handle("UpdateApiMapping", s.updateAPIMapping), "PATCH "+mapping, http.StatusOK),
		h(awsproto.Handle("DeleteApiMapping", s.deleteAPIMapping), "DELETE "+mapping, http.StatusNoContent),

		h(awsproto.Handle("CreateRoutingRule", s.createRoutingRule), "POST "+domain+"/routingrules", http.StatusCreated),
		h(awsproto.Handle("ListRoutingRules", s.listRoutingRules), "GET "+domain+"/routingrules", http.StatusOK),
		h(awsproto.Handle("GetRoutingRule", s.getRoutingRule), "GET "+rule, http.StatusOK),
		h(awsproto.Handle("PutRoutingRule", s.putRoutingRule), "PUT "+rule, http.StatusOK),
		h(awsproto.Handle("DeleteRoutingRule", s.deleteRoutingRule), "DELETE "+rule, http.StatusNoContent),

		h(awsproto.Handle("CreateVpcLink", s.createVpcLink), "POST /v2/vpclinks", http.StatusCreated),
		h(awsproto.Handle("GetVpcLinks", s.getVpcLinks), "GET /v2/vpclinks", http.StatusOK),
		h(awsproto.Handle("GetVpcLink", s.getVpcLink), "GET "+vpcLink, http.StatusOK),
		h(awsproto.Handle("UpdateVpcLink", s.updateVpcLink), "PATCH "+vpcLink, http.StatusOK),
		h(awsproto.Handle("DeleteVpcLink", s.deleteVpcLink), "DELETE "+vpcLink, http.StatusAccepted),

		h(awsproto.Handle("ImportApi", s.importAPI), "PUT /v2/apis", http.StatusCreated),
		h(awsproto.Handle("ReimportApi", s.reimportAPI), "PUT "+api, http.StatusCreated),
		h(awsproto.Handle("ExportApi", s.exportAPI), "GET "+api+"/exports/{specification}", http.StatusOK),

		h(awsproto.Handle("CreatePortal", s.createPortal), "POST /v2/portals", http.StatusCreated),
		h(awsproto.Handle("ListPortals", s.listPortals), "GET /v2/portals", http.StatusOK),
		h(awsproto.Handle("GetPortal", s.getPortal), "GET "+portal, http.StatusOK),
		h(awsproto.Handle("UpdatePortal", s.updatePortal), "PATCH "+portal, http.StatusOK),
		h(awsproto.Handle("DeletePortal", s.deletePortal), "DELETE "+portal, http.StatusNoContent),
		h(awsproto.Handle("PublishPortal", s.publishPortal), "POST "+portal+"/publish", http.StatusAccepted),
		h(awsproto.Handle("DisablePortal", s.disablePortal), "DELETE "+portal+"/publish", http.StatusNoContent),
		h(awsproto.Handle("PreviewPortal", s.previewPortal), "POST "+portal+"/preview", http.StatusAccepted),

		h(awsproto.Handle("GetTags", s.getTags), "GET /v2/tags/{resourceArn...}", http.StatusOK),
		h(awsproto.Handle("TagResource", s.tagResource), "POST /v2/tags/{resourceArn...}", http.StatusCreated),
		h(awsproto.Handle("UntagResource", s.untagResource), "DELETE /v2/tags/{resourceArn...}", http.StatusNoContent),
	}
}

// --- what many operations share ----------------------------------------------------

type apiPath struct {
	APIID string `json:"-" location:"uri" name:"apiId"`
}

// pageInput is the maxResults/nextToken paging of list calls.
type pageInput struct {
	MaxResults string `json:"-" location:"querystring" name:"maxResults"`
	NextToken  string `json:"-" location:"querystring" name:"nextToken"`
}

type listOut[T any] struct {
	Items     []T    `json:"items"`
	NextToken string `json:"nextToken,omitempty"`
}

// page renders one page of all (nextToken = the index to resume at, an
// opaque string to clients).
func page[E, T any](in pageInput, all []E, view func(E) T) (listOut[T], error) {
	n := len(all)
	limit, start := n, 0
	if in.MaxResults != "" {
		v, err := strconv.Atoi(in.MaxResults)
		if err != nil || v < 1 || v > 500 {
			return listOut[T]{}, ErrBadRequest.New("Invalid maxResults: must be a number between 1 and 500")
		}
		limit = v
	}
	if in.NextToken != "" {
		v, err := strconv.Atoi(in.NextToken)
		if err != nil || v < 0 || v > n {
			return listOut[T]{}, ErrBadRequest.New("Invalid nextToken specified")
		}
		start = v
	}
	end := min(start+limit, n)
	out := listOut[T]{Items: make([]T, 0, end-start)}
	if end < n {
		out.NextToken = strconv.Itoa(end)
	}
	for _, e := range all[start:end] {
		out.Items = append(out.Items, view(e))
	}
	return out, nil
}

// read renders what f builds of an API under its read lock; edit does the
// same under its write lock and redeploys the auto-deploy stages when
// redeploy says the change is one a deployment captures.
func read[T any](s *Service, id string, f func(a *API) (T, error)) (T, error) {
	var out T
	err := s.store.Read(id, func(a *API) (err error) { out, err = f(a); return err })
	return out, err
}

func edit[T any](s *Service, id string, redeploy bool, f func(a *API) (T, error)) (T, error) {
	var out T
	err := s.store.Edit(id, redeploy, func(a *API) (err error) { out, err = f(a); return err })
	return out, err
}

// view copies a resource for rendering outside the lock.
func view[T any](p *T) T { return *p }

// copied shapes what a store call returns with a copy, passing its error on.
func copied[T any](p *T, err error) (T, error) {
	if err != nil {
		var zero T
		return zero, err
	}
	return *p, nil
}
