package apigatewayv2

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/services/execapi"
)

// Store holds every API of the account. Each API has its own lock; the
// store's lock guards only the map of APIs. Types carry the wire's JSON
// names: operations answer with them as they are.
type Store struct {
	account string
	now     func() time.Time
	newID   func() string

	mu   sync.RWMutex
	apis map[string]*API

	auth authCache

	// domains and vpcLinks (account-level, keyed by region and name or
	// id) have their own lock.
	dmu      sync.Mutex
	domains  map[string]*DomainName
	vpcLinks map[string]*VpcLink
	portals  map[string]*Portal
}

// NewStore returns an empty store.
func NewStore(account string, now func() time.Time, newID func() string) *Store {
	return &Store{account: account, now: now, newID: newID, apis: map[string]*API{}, auth: newAuthCache()}
}

// Reset drops every API.
func (s *Store) Reset() {
	s.mu.Lock()
	s.apis = map[string]*API{}
	s.mu.Unlock()
	s.dmu.Lock()
	s.domains, s.vpcLinks, s.portals = nil, nil, nil
	s.dmu.Unlock()
	s.auth.reset()
}

func (s *Store) shortID() string { return execapi.ShortID(s.newID(), 10) }
func (s *Store) childID() string { return execapi.ShortID(s.newID(), 7) }

// Timestamp renders as ISO 8601 in seconds, as API Gateway v2 does.
type Timestamp time.Time

func (t Timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05Z") + `"`), nil
}

// Cors is an HTTP API's CORS configuration.
type Cors struct {
	AllowCredentials *bool    `json:"allowCredentials,omitempty"`
	AllowHeaders     []string `json:"allowHeaders,omitempty"`
	AllowMethods     []string `json:"allowMethods,omitempty"`
	AllowOrigins     []string `json:"allowOrigins,omitempty"`
	ExposeHeaders    []string `json:"exposeHeaders,omitempty"`
	MaxAge           *int     `json:"maxAge,omitempty" min:"-1" max:"86400"`
}

// APISpec is what CreateApi and UpdateApi send (nil: not sent).
type APISpec struct {
	APIKeySelectionExpression *string           `json:"apiKeySelectionExpression"`
	CorsConfiguration         *Cors             `json:"corsConfiguration"`
	CredentialsArn            *string           `json:"credentialsArn"`
	Description               *string           `json:"description"`
	DisableSchemaValidation   *bool             `json:"disableSchemaValidation"`
	DisableExecuteAPIEndpoint *bool             `json:"disableExecuteApiEndpoint"`
	IPAddressType             *string           `json:"ipAddressType" enum:"ipv4,dualstack"`
	Name                      *string           `json:"name"`
	RouteKey                  *string           `json:"routeKey"`
	RouteSelectionExpression  *string           `json:"routeSelectionExpression"`
	Target                    *string           `json:"target"`
	Version                   *string           `json:"version"`
	Tags                      map[string]string `json:"tags"`
}

// API is one HTTP or WebSocket API.
type API struct {
	mu sync.RWMutex
	APIInfo

	routes       map[string]*Route
	integrations map[string]*Integration
	authorizers  map[string]*Authorizer
	stages       map[string]*Stage
	deployments  map[string]*Deployment
	models       map[string]*Model
}

// APIInfo is what GetApi answers.
type APIInfo struct {
	APIEndpoint               string            `json:"apiEndpoint,omitempty"`
	APIGatewayManaged         bool              `json:"apiGatewayManaged,omitempty"`
	ID                        string            `json:"apiId"`
	APIKeySelectionExpression string            `json:"apiKeySelectionExpression,omitempty"`
	CorsConfiguration         *Cors             `json:"corsConfiguration,omitempty"`
	CreatedDate               Timestamp         `json:"createdDate"`
	Description               string            `json:"description,omitempty"`
	DisableSchemaValidation   bool              `json:"disableSchemaValidation,omitempty"`
	DisableExecuteAPIEndpoint bool              `json:"disableExecuteApiEndpoint"`
	IPAddressType             string            `json:"ipAddressType,omitempty"`
	Name                      string            `json:"name"`
	ProtocolType              string            `json:"protocolType"`
	RouteSelectionExpression  string            `json:"routeSelectionExpression"`
	Tags                      map[string]string `json:"tags,omitempty"`
	Version                   string            `json:"version,omitempty"`
	Region                    string            `json:"-"`
}

// ParameterConstraints says whether a route parameter is required.
type ParameterConstraints struct {
	Required *bool `json:"required,omitempty"`
}

// RouteSpec is what CreateRoute and UpdateRoute send.
type RouteSpec struct {
	APIKeyRequired                   *bool                           `json:"apiKeyRequired"`
	AuthorizationScopes              []string                        `json:"authorizationScopes"`
	AuthorizationType                *string                         `json:"authorizationType" enum:"NONE,AWS_IAM,CUSTOM,JWT"`
	AuthorizerID                     *string                         `json:"authorizerId"`
	ModelSelectionExpression         *string                         `json:"modelSelectionExpression"`
	OperationName                    *string                         `json:"operationName"`
	RequestModels                    map[string]string               `json:"requestModels"`
	RequestParameters                map[string]ParameterConstraints `json:"requestParameters"`
	RouteKey                         *string                         `json:"routeKey"`
	RouteResponseSelectionExpression *string                         `json:"routeResponseSelectionExpression"`
	Target                           *string                         `json:"target"`
}

// Route is a route of an API.
type Route struct {
	APIGatewayManaged                bool                            `json:"apiGatewayManaged,omitempty"`
	APIKeyRequired                   bool                            `json:"apiKeyRequired"`
	AuthorizationScopes              []string                        `json:"authorizationScopes,omitempty"`
	AuthorizationType                string                          `json:"authorizationType"`
	AuthorizerID                     string                          `json:"authorizerId,omitempty"`
	ModelSelectionExpression         string                          `json:"modelSelectionExpression,omitempty"`
	OperationName                    string                          `json:"operationName,omitempty"`
	RequestModels                    map[string]string               `json:"requestModels,omitempty"`
	RequestParameters                map[string]ParameterConstraints `json:"requestParameters,omitempty"`
	ID                               string                          `json:"routeId"`
	Key                              string                          `json:"routeKey"`
	RouteResponseSelectionExpression string                          `json:"routeResponseSelectionExpression,omitempty"`
	Target                           string                          `json:"target,omitempty"`

	responses map[string]*RouteResponse
}

// RouteResponseSpec is what CreateRouteResponse and UpdateRouteResponse send.
type RouteResponseSpec struct {
	ModelSelectionExpression *string                         `json:"modelSelectionExpression"`
	ResponseModels           map[string]string               `json:"responseModels"`
	ResponseParameters       map[string]ParameterConstraints `json:"responseParameters"`
	RouteResponseKey         *string                         `json:"routeResponseKey"`
}

// RouteResponse is a route's response (WebSocket two-way routes).
type RouteResponse struct {
	ModelSelectionExpression string                          `json:"modelSelectionExpression,omitempty"`
	ResponseModels           map[string]string               `json:"responseModels,omitempty"`
	ResponseParameters       map[string]ParameterConstraints `json:"responseParameters,omitempty"`
	ID                       string                          `json:"routeResponseId"`
	Key                      string                          `json:"routeResponseKey"`
}

// TLSConfig is an integration's TLS configuration.
type TLSConfig struct {
	ServerNameToVerify string `json:"serverNameToVerify,omitempty"`
}

// IntegrationSpec is what CreateIntegration and UpdateIntegration send.
type IntegrationSpec struct {
	ConnectionID                *string                      `json:"connectionId"`
	ConnectionType              *string                      `json:"connectionType" enum:"INTERNET,VPC_LINK"`
	ContentHandlingStrategy     *string                      `json:"contentHandlingStrategy" enum:"CONVERT_TO_BINARY,CONVERT_TO_TEXT"`
	CredentialsArn              *string                      `json:"credentialsArn"`
	Description                 *string                      `json:"description"`
	IntegrationMethod           *string                      `json:"integrationMethod"`
	IntegrationSubtype          *string                      `json:"integrationSubtype"`
	IntegrationType             *string                      `json:"integrationType" enum:"AWS,HTTP,MOCK,HTTP_PROXY,AWS_PROXY"`
	IntegrationURI              *string                      `json:"integrationUri"`
	PassthroughBehavior         *string                      `json:"passthroughBehavior" enum:"WHEN_NO_MATCH,NEVER,WHEN_NO_TEMPLATES"`
	PayloadFormatVersion        *string                      `json:"payloadFormatVersion"`
	RequestParameters           map[string]string            `json:"requestParameters"`
	RequestTemplates            map[string]string            `json:"requestTemplates"`
	ResponseParameters          map[string]map[string]string `json:"responseParameters"`
	TemplateSelectionExpression *string                      `json:"templateSelectionExpression"`
	TimeoutInMillis             *int                         `json:"timeoutInMillis" min:"50" max:"30000"`
	TLSConfig                   *TLSConfig                   `json:"tlsConfig"`
}

// Integration is what a route calls.
type Integration struct {
	APIGatewayManaged                      bool                         `json:"apiGatewayManaged,omitempty"`
	ConnectionID                           string                       `json:"connectionId,omitempty"`
	ConnectionType                         string                       `json:"connectionType,omitempty"`
	ContentHandlingStrategy                string                       `json:"contentHandlingStrategy,omitempty"`
	CredentialsArn                         string                       `json:"credentialsArn,omitempty"`
	Description                            string                       `json:"description,omitempty"`
	ID                                     string                       `json:"integrationId"`
	Method                                 string                       `json:"integrationMethod,omitempty"`
	IntegrationResponseSelectionExpression string                       `json:"integrationResponseSelectionExpression,omitempty"`
	Subtype                                string                       `json:"integrationSubtype,omitempty"`
	Type                                   string                       `json:"integrationType"`
	URI                                    string                       `json:"integrationUri,omitempty"`
	PassthroughBehavior                    string                       `json:"passthroughBehavior,omitempty"`
	PayloadFormatVersion                   string                       `json:"payloadFormatVersion,omitempty"`
	RequestParameters                      map[string]string            `json:"requestParameters,omitempty"`
	RequestTemplates                       map[string]string            `json:"requestTemplates,omitempty"`
	ResponseParameters                     map[string]map[string]string `json:"responseParameters,omitempty"`
	TemplateSelectionExpression            string                       `json:"templateSelectionExpression,omitempty"`
	TimeoutInMillis                        int                          `json:"timeoutInMillis,omitempty"`
	TLSConfig                              *TLSConfig                   `json:"tlsConfig,omitempty"`

	responses map[string]*IntegrationResponse
}

// IntegrationResponseSpec is what Create/UpdateIntegrationResponse send.
type IntegrationResponseSpec struct {
	ContentHandlingStrategy     *string           `json:"contentHandlingStrategy" enum:"CONVERT_TO_BINARY,CONVERT_TO_TEXT"`
	IntegrationResponseKey      *string           `json:"integrationResponseKey"`
	ResponseParameters          map[string]string `json:"responseParameters"`
	ResponseTemplates           map[string]string `json:"responseTemplates"`
	TemplateSelectionExpression *string           `json:"templateSelectionExpression"`
}

// IntegrationResponse maps an integration's answer (WebSocket APIs).
type IntegrationResponse struct {
	ContentHandlingStrategy     string            `json:"contentHandlingStrategy,omitempty"`
	ID                          string            `json:"integrationResponseId"`
	Key                         string            `json:"integrationResponseKey"`
	ResponseParameters          map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates           map[string]string `json:"responseTemplates,omitempty"`
	TemplateSelectionExpression string            `json:"templateSelectionExpression,omitempty"`
}

// JWTConfiguration is a JWT authorizer's issuer and audiences.
type JWTConfiguration struct {
	Audience []string `json:"audience,omitempty"`
	Issuer   string   `json:"issuer,omitempty"`
}

// AuthorizerSpec is what CreateAuthorizer and UpdateAuthorizer send.
type AuthorizerSpec struct {
	AuthorizerCredentialsArn       *string           `json:"authorizerCredentialsArn"`
	AuthorizerPayloadFormatVersion *string           `json:"authorizerPayloadFormatVersion"`
	AuthorizerResultTTLInSeconds   *int              `json:"authorizerResultTtlInSeconds" min:"0" max:"3600"`
	AuthorizerType                 *string           `json:"authorizerType" enum:"REQUEST,JWT"`
	AuthorizerURI                  *string           `json:"authorizerUri"`
	EnableSimpleResponses          *bool             `json:"enableSimpleResponses"`
	IdentitySource                 []string          `json:"identitySource"`
	IdentityValidationExpression   *string           `json:"identityValidationExpression"`
	JWTConfiguration               *JWTConfiguration `json:"jwtConfiguration"`
	Name                           *string           `json:"name"`
}

// Authorizer is a Lambda REQUEST or a JWT authorizer.
type Authorizer struct {
	CredentialsArn               string            `json:"authorizerCredentialsArn,omitempty"`
	ID                           string            `json:"authorizerId"`
	PayloadFormatVersion         string            `json:"authorizerPayloadFormatVersion,omitempty"`
	ResultTTLInSeconds           *int              `json:"authorizerResultTtlInSeconds,omitempty"`
	Type                         string            `json:"authorizerType"`
	URI                          string            `json:"authorizerUri,omitempty"`
	EnableSimpleResponses        bool              `json:"enableSimpleResponses,omitempty"`
	IdentitySource               []string          `json:"identitySource,omitempty"`
	IdentityValidationExpression string            `json:"identityValidationExpression,omitempty"`
	JWTConfiguration             *JWTConfiguration `json:"jwtConfiguration,omitempty"`
	Name                         string            `json:"name"`
}

// RouteSettings are a stage's per-route settings.
type RouteSettings struct {
	DataTraceEnabled       *bool    `json:"dataTraceEnabled,omitempty"`
	DetailedMetricsEnabled *bool    `json:"detailedMetricsEnabled,omitempty"`
	LoggingLevel           *string  `json:"loggingLevel,omitempty" enum:"ERROR,INFO,OFF"`
	ThrottlingBurstLimit   *int     `json:"throttlingBurstLimit,omitempty"`
	ThrottlingRateLimit    *float64 `json:"throttlingRateLimit,omitempty"`
}

// AccessLogSettings say where a stage logs.
type AccessLogSettings struct {
	DestinationArn string `json:"destinationArn,omitempty"`
	Format         string `json:"format,omitempty"`
}

// StageSpec is what CreateStage and UpdateStage send.
type StageSpec struct {
	AccessLogSettings    *AccessLogSettings       `json:"accessLogSettings"`
	AutoDeploy           *bool                    `json:"autoDeploy"`
	ClientCertificateID  *string                  `json:"clientCertificateId"`
	DefaultRouteSettings *RouteSettings           `json:"defaultRouteSettings"`
	DeploymentID         *string                  `json:"deploymentId"`
	Description          *string                  `json:"description"`
	RouteSettings        map[string]RouteSettings `json:"routeSettings"`
	StageVariables       map[string]string        `json:"stageVariables"`
}

// Stage is a named deployment of an API, with its variables.
type Stage struct {
	AccessLogSettings           *AccessLogSettings       `json:"accessLogSettings,omitempty"`
	APIGatewayManaged           bool                     `json:"apiGatewayManaged,omitempty"`
	AutoDeploy                  bool                     `json:"autoDeploy,omitempty"`
	ClientCertificateID         string                   `json:"clientCertificateId,omitempty"`
	CreatedDate                 Timestamp                `json:"createdDate"`
	DefaultRouteSettings        *RouteSettings           `json:"defaultRouteSettings,omitempty"`
	DeploymentID                string                   `json:"deploymentId,omitempty"`
	Description                 string                   `json:"description,omitempty"`
	LastDeploymentStatusMessage string                   `json:"lastDeploymentStatusMessage,omitempty"`
	LastUpdatedDate             Timestamp                `json:"lastUpdatedDate"`
	RouteSettings               map[string]RouteSettings `json:"routeSettings,omitempty"`
	Name                        string                   `json:"stageName"`
	StageVariables              map[string]string        `json:"stageVariables,omitempty"`
	Tags                        map[string]string        `json:"tags,omitempty"`
}

// Deployment is a snapshot of an API's routes, integrations and authorizers.
type Deployment struct {
	AutoDeployed            bool      `json:"autoDeployed"`
	CreatedDate             Timestamp `json:"createdDate"`
	ID                      string    `json:"deploymentId"`
	DeploymentStatus        string    `json:"deploymentStatus"`
	DeploymentStatusMessage string    `json:"deploymentStatusMessage,omitempty"`
	Description             string    `json:"description,omitempty"`

	snapshot *Snapshot
}

// --- APIs ---------------------------------------------------------------------

// addAPI publishes a built API.
func (s *Store) addAPI(a *API) {
	s.mu.Lock()
	s.apis[a.ID] = a
	s.mu.Unlock()
}

// API returns an API by id.
func (s *Store) API(id string) (*API, error) {
	s.mu.RLock()
	a := s.apis[id]
	s.mu.RUnlock()
	if a == nil {
		return nil, errAPINotFound(s.account, id)
	}
	return a, nil
}

// DeleteAPI removes an API.
func (s *Store) DeleteAPI(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.apis[id] == nil {
		return errAPINotFound(s.account, id)
	}
	delete(s.apis, id)
	return nil
}

// APIs lists a region's APIs, oldest first.
func (s *Store) APIs(region string) []*API {
	s.mu.RLock()
	out := make([]*API, 0, len(s.apis))
	for _, a := range s.apis {
		if a.Region == region {
			out = append(out, a)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(x, y *API) int {
		if c := time.Time(x.CreatedDate).Compare(time.Time(y.CreatedDate)); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	return out
}

// Count is the number of APIs.
func (s *Store) Count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.apis)
}

// Read runs f on an API under its read lock.
func (s *Store) Read(id string, f func(a *API) error) error {
	a, err := s.API(id)
	if err != nil {
		return err
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	return f(a)
}

// Edit runs f on an API under its write lock; when f succeeds and changed
// what a deployment captures, the API's auto-deploy stages are redeployed.
func (s *Store) Edit(id string, redeploy bool, f func(a *API) error) error {
	a, err := s.API(id)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := f(a); err != nil {
		return err
	}
	if redeploy {
		s.autoDeploy(a)
	}
	return nil
}

// autoDeploy points every auto-deploy stage at a fresh deployment of the
// API as it is now; the auto-deployment it replaces is dropped when no other
// stage uses it, so edits never pile up deployments.
func (s *Store) autoDeploy(a *API) {
	for _, st := range a.stages {
		if st.AutoDeploy {
			s.deployStage(a, st, "", true)
		}
	}
}

// deployStage makes a deployment and points st at it.
func (s *Store) deployStage(a *API, st *Stage, description string, auto bool) *Deployment {
	d := s.deploy(a, description, auto)
	old := st.DeploymentID
	st.DeploymentID = d.ID
	st.LastUpdatedDate = Timestamp(s.now())
	if auto {
		st.LastDeploymentStatusMessage = "Successfully deployed stage with deployment ID '" + d.ID + "'"
	}
	if prev := a.deployments[old]; prev != nil && prev.AutoDeployed && !a.stageUses(old) {
		delete(a.deployments, old)
	}
	return d
}

func (a *API) stageUses(deploymentID string) bool {
	for _, st := range a.stages {
		if st.DeploymentID == deploymentID {
			return true
		}
	}
	return false
}

// deploy snapshots a.
func (s *Store) deploy(a *API, description string, auto bool) *Deployment {
	d := &Deployment{ID: s.childID(), CreatedDate: Timestamp(s.now()), DeploymentStatus: "DEPLOYED", Description: description, AutoDeployed: auto}
	d.snapshot = a.snapshot()
	a.deployments[d.ID] = d
	return d
}

// --- lookups the data planes use --------------------------------------------------

// Deployed is what the data plane serves for one API stage:
//
//   - ProtocolType is HTTP or WEBSOCKET; RouteSelectionExpression and
//     APIKeySelectionExpression are the API's (RouteSelection is the
//     former parsed: RouteSelection.Body() is "action" for
//     "$request.body.action");
//   - Routes maps each route key ($connect, $disconnect, $default, a
//     custom key; "GET /pets/{id}" for HTTP APIs) to its DeployedRoute:
//     the route, its integration (nil when the route has no target) with
//     the integration's responses by key, its route responses by key
//     (RouteResponseSelectionExpression on the route), its authorizer (nil
//     for NONE, AWS_IAM);
//   - Variables are the stage's variables now (stage variables are not
//     part of a deployment: a change applies at once);
//   - Snapshot is nil when the stage exists but was never deployed (AWS
//     then serves nothing on it);
//   - EndpointDisabled is the API's DisableExecuteApiEndpoint now (AWS
//     answers 403 Forbidden on the execute-api URLs).
//
// Everything reachable from a Deployed is immutable: callers may keep it
// for a connection's life and read it without locks.
type Deployed struct {
	APIID     string
	Region    string
	Stage     string
	Variables map[string]string
	// EndpointDisabled: the API's DisableExecuteApiEndpoint.
	EndpointDisabled bool
	*Snapshot
}

// Snapshot is an API as a deployment captured it.
type Snapshot struct {
	ProtocolType              string
	RouteSelectionExpression  string
	RouteSelection            Selection
	APIKeySelectionExpression string
	Cors                      *Cors
	Routes                    map[string]*DeployedRoute
	http                      httpRoutes
}

// DeployedRoute is a route with what it refers to, copied at deployment.
type DeployedRoute struct {
	Route
	Integration *DeployedIntegration
	Authorizer  *Authorizer
	// Responses are the route responses by RouteResponseKey ($default…).
	Responses map[string]*RouteResponse
}

// DeployedIntegration is an integration with its responses by key.
type DeployedIntegration struct {
	Integration
	Responses map[string]*IntegrationResponse
}

// Lookup returns what (apiID, stage) serves; ok is false when the API or
// the stage does not exist.
func (s *Store) Lookup(apiID, stage string) (Deployed, bool) {
	s.mu.RLock()
	a := s.apis[apiID]
	s.mu.RUnlock()
	if a == nil {
		return Deployed{}, false
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	st := a.stages[stage]
	if st == nil {
		return Deployed{}, false
	}
	d := Deployed{APIID: a.ID, Region: a.Region, Stage: st.Name, Variables: st.StageVariables, EndpointDisabled: a.DisableExecuteAPIEndpoint}
	if dep := a.deployments[st.DeploymentID]; dep != nil {
		d.Snapshot = dep.snapshot
	}
	return d, true
}

// Protocol returns an API's protocol type and whether the API exists; it
// tells the shared execute-api URLs which data plane an id belongs to.
func (s *Store) Protocol(apiID string) (protocol string, stages func(string) bool, ok bool) {
	s.mu.RLock()
	a := s.apis[apiID]
	s.mu.RUnlock()
	if a == nil {
		return "", nil, false
	}
	return a.ProtocolType, func(name string) bool {
		a.mu.RLock()
		defer a.mu.RUnlock()
		return a.stages[name] != nil
	}, true
}

// snapshot copies what a deployment serves (a's lock held). Maps and slices
// of the live API are replaced, never edited in place, by every operation:
// shallow copies of the structs are enough.
func (a *API) snapshot() *Snapshot {
	sn := &Snapshot{
		ProtocolType: a.ProtocolType, RouteSelectionExpression: a.RouteSelectionExpression,
		APIKeySelectionExpression: a.APIKeySelectionExpression, Cors: a.CorsConfiguration,
		Routes: make(map[string]*DeployedRoute, len(a.routes)),
	}
	sn.RouteSelection, _ = ParseSelection(a.RouteSelectionExpression)
	for _, r := range a.routes {
		dr := &DeployedRoute{Route: *r, Responses: map[string]*RouteResponse{}}
		dr.responses = nil
		for _, rr := range r.responses {
			c := *rr
			dr.Responses[rr.Key] = &c
		}
		if id, ok := strings.CutPrefix(r.Target, "integrations/"); ok {
			if in := a.integrations[id]; in != nil {
				di := &DeployedIntegration{Integration: *in, Responses: map[string]*IntegrationResponse{}}
				di.responses = nil
				for _, ir := range in.responses {
					c := *ir
					di.Responses[ir.Key] = &c
				}
				dr.Integration = di
			}
		}
		if z := a.authorizers[r.AuthorizerID]; z != nil && (r.AuthorizationType == "CUSTOM" || r.AuthorizationType == "JWT") {
			c := *z
			dr.Authorizer = &c
		}
		sn.Routes[r.Key] = dr
	}
	if a.ProtocolType == ProtocolHTTP {
		sn.http = compileHTTPRoutes(sn.Routes)
	}
	return sn
}

// sortedValues lists a map's values ordered by key.
func sortedValues[V any](m map[string]V) []V {
	out := make([]V, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[k])
	}
	return out
}
