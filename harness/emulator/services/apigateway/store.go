package apigateway

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/services/execapi"
)

// Store holds every REST API, by id; each API has its own lock.
type Store struct {
	account string
	now     func() time.Time
	newID   func() string

	mu   sync.RWMutex
	apis map[string]*API

	keys     keyring // API keys and usage plans
	auth     authCache
	regional regional // domain names, VPC links, client certificates, account
}

// NewStore returns an empty store.
func NewStore(account string, now func() time.Time, newID func() string) *Store {
	s := &Store{account: account, now: now, newID: newID, apis: map[string]*API{}, keys: newKeyring(), auth: newAuthCache()}
	s.regional.reset()
	return s
}

// Reset drops every API.
func (s *Store) Reset() {
	s.mu.Lock()
	s.apis = map[string]*API{}
	s.mu.Unlock()
	s.keys.mu.Lock()
	s.keys.keys, s.keys.byValue, s.keys.plans = map[string]*APIKey{}, map[string]*APIKey{}, map[string]*UsagePlan{}
	s.keys.mu.Unlock()
	s.auth.reset()
	s.regional.reset()
}

// shortID is a fresh id of n lowercase alphanumerics.
func (s *Store) shortID(n int) string { return execapi.ShortID(s.newID(), n) }

// API is one REST API.
type API struct {
	mu sync.RWMutex

	Region                    string
	ID                        string
	Name                      string
	Description               string
	Version                   string
	Created                   time.Time
	BinaryMediaTypes          []string
	MinimumCompressionSize    *int32
	APIKeySource              string
	EndpointTypes             []string
	DisableExecuteAPIEndpoint bool
	Policy                    string
	Tags                      map[string]string
	RootID                    string

	resources   map[string]*Resource
	deployments map[string]*Deployment
	stages      map[string]*Stage
	authorizers map[string]*Authorizer

	models           map[string]*Model // by name
	validators       map[string]*RequestValidator
	gatewayResponses map[string]*GatewayResponse // the customised types
	docParts         map[string]*DocPart
	docVersions      map[string]*DocVersion
}

// Resource is a path in an API's tree.
type Resource struct {
	ID       string
	ParentID string
	PathPart string
	Path     string
	Methods  map[string]*Method
}

// Method is a resource's HTTP method.
type Method struct {
	HTTPMethod          string
	AuthorizationType   string
	AuthorizerID        string
	APIKeyRequired      bool
	OperationName       string
	RequestValidatorID  string
	RequestParameters   map[string]bool
	RequestModels       map[string]string
	AuthorizationScopes []string
	Responses           map[string]*MethodResponse
	Integration         *Integration
}

// MethodResponse declares a status code a method may answer with.
type MethodResponse struct {
	StatusCode         string
	ResponseParameters map[string]bool
	ResponseModels     map[string]string
}

// Integration is where a method sends its requests.
type Integration struct {
	Type                string
	HTTPMethod          string
	URI                 string
	ConnectionType      string
	ConnectionID        string
	Credentials         string
	RequestParameters   map[string]string
	RequestTemplates    map[string]string
	PassthroughBehavior string
	ContentHandling     string
	TimeoutMillis       int32
	CacheNamespace      string
	CacheKeyParameters  []string
	Responses           map[string]*IntegrationResponse
}

// IntegrationResponse maps an integration's answer to a method response.
type IntegrationResponse struct {
	StatusCode         string
	SelectionPattern   string
	ResponseParameters map[string]string
	ResponseTemplates  map[string]string
	ContentHandling    string
}

// Deployment is an immutable snapshot of an API's routes.
type Deployment struct {
	ID          string
	Description string
	Created     time.Time
	Snapshot    *Snapshot
}

// Stage names a deployment clients invoke.
type Stage struct {
	Name                 string
	DeploymentID         string
	Description          string
	Variables            map[string]string
	TracingEnabled       bool
	CacheClusterEnabled  bool
	CacheClusterSize     string
	MethodSettings       map[string]map[string]any
	Tags                 map[string]string
	DocumentationVersion string
	ClientCertificateID  string
	Created, Updated     time.Time
}

// NewAPI holds what CreateRestApi takes.
type NewAPI struct {
	Name, Description, Version, APIKeySource, Policy string
	BinaryMediaTypes                                 []string
	MinimumCompressionSize                           *int32
	EndpointTypes                                    []string
	DisableExecuteAPIEndpoint                        bool
	Tags                                             map[string]string
}

// CreateAPI creates an API with its root resource "/".
func (s *Store) CreateAPI(region string, in NewAPI) *API {
	a := &API{
		Region: region, Name: in.Name, Description: in.Description, Version: in.Version, Created: s.now(),
		BinaryMediaTypes: slices.Clone(in.BinaryMediaTypes), MinimumCompressionSize: in.MinimumCompressionSize,
		APIKeySource: in.APIKeySource, EndpointTypes: slices.Clone(in.EndpointTypes),
		DisableExecuteAPIEndpoint: in.DisableExecuteAPIEndpoint, Policy: in.Policy, Tags: maps.Clone(in.Tags),
		resources: map[string]*Resource{}, deployments: map[string]*Deployment{}, stages: map[string]*Stage{},
		authorizers: map[string]*Authorizer{},
	}
	if a.APIKeySource == "" {
		a.APIKeySource = "HEADER"
	}
	if len(a.EndpointTypes) == 0 {
		a.EndpointTypes = []string{"EDGE"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		a.ID = s.shortID(10)
		if _, taken := s.apis[a.ID]; !taken {
			break
		}
	}
	root := &Resource{ID: s.shortID(10), Path: "/", Methods: map[string]*Method{}}
	a.RootID = root.ID
	a.resources[root.ID] = root
	a.models = defaultModels(s)
	s.apis[a.ID] = a
	return a
}

// Has reports whether an API exists.
func (s *Store) Has(id string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.apis[id] != nil
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

// DeleteAPI deletes an API.
func (s *Store) DeleteAPI(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.apis[id] == nil {
		return errAPINotFound(s.account, id)
	}
	delete(s.apis, id)
	return nil
}

// APIs lists a region's APIs by creation, then id.
func (s *Store) APIs(region string) []*API {
	s.mu.RLock()
	out := make([]*API, 0, len(s.apis))
	for _, a := range s.apis {
		if a.Region == region {
			out = append(out, a)
		}
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Count is the number of APIs of every region.
func (s *Store) Count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.apis)
}

// View runs f with the API read-locked.
func (a *API) View(f func()) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	f()
}

// Update runs f with the API write-locked.
func (a *API) Update(f func() error) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return f()
}

// --- resources (callers hold the API's lock) --------------------------------

var pathPartRE = &lazyPattern{expr: `^([a-zA-Z0-9._-]+|\{[a-zA-Z0-9._-]+\+?\})$`}

func isVariable(part string) bool { return strings.HasPrefix(part, "{") }
func isGreedy(part string) bool   { return strings.HasSuffix(part, "+}") }

// Resource returns a resource by id.
func (a *API) Resource(id string) (*Resource, error) {
	r := a.resources[id]
	if r == nil {
		return nil, errResourceNotFound
	}
	return r, nil
}

// Resources lists the resources sorted by path.
func (a *API) Resources() []*Resource {
	out := make([]*Resource, 0, len(a.resources))
	for _, r := range a.resources {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// CreateResource adds pathPart under parent.
func (a *API) CreateResource(s *Store, parentID, pathPart string) (*Resource, error) {
	parent := a.resources[parentID]
	if parent == nil {
		return nil, errResourceNotFound
	}
	if !pathPartRE.MatchString(pathPart) {
		return nil, ErrBadRequest.New("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.")
	}
	if isGreedy(parent.PathPart) {
		return nil, ErrBadRequest.New("Cannot create a child of a resource with a greedy path variable: " + parent.PathPart)
	}
	for _, r := range a.resources {
		if r.ParentID != parentID || r.ID == parentID {
			continue
		}
		if r.PathPart == pathPart {
			return nil, ErrConflict.New("Another resource with the same parent already has this name: " + pathPart)
		}
		if isVariable(r.PathPart) && isVariable(pathPart) {
			return nil, ErrBadRequest.New("A sibling (" + r.PathPart + ") of this resource already has a variable path part -- only one is allowed")
		}
	}
	path := strings.TrimSuffix(parent.Path, "/") + "/" + pathPart
	var id string
	for {
		id = s.shortID(6)
		if _, taken := a.resources[id]; !taken {
			break
		}
	}
	r := &Resource{ID: id, ParentID: parentID, PathPart: pathPart, Path: path, Methods: map[string]*Method{}}
	a.resources[id] = r
	return r, nil
}

// DeleteResource deletes a resource and everything under it.
func (a *API) DeleteResource(id string) error {
	r := a.resources[id]
	if r == nil {
		return errResourceNotFound
	}
	if id == a.RootID {
		return ErrBadRequest.New("Cannot delete root resource")
	}
	prefix := r.Path + "/"
	for rid, x := range a.resources {
		if rid == id || strings.HasPrefix(x.Path, prefix) {
			delete(a.resources, rid)
		}
	}
	return nil
}

// MovePathPart renames a resource (UpdateResource /pathPart), rewriting the
// paths under it.
func (a *API) MovePathPart(id, pathPart string) error {
	r := a.resources[id]
	if r == nil {
		return errResourceNotFound
	}
	if id == a.RootID {
		return ErrBadRequest.New("Cannot modify the root resource")
	}
	if !pathPartRE.MatchString(pathPart) {
		return ErrBadRequest.New("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.")
	}
	for _, x := range a.resources {
		if x.ParentID == r.ParentID && x.ID != id && x.PathPart == pathPart {
			return ErrConflict.New("Another resource with the same parent already has this name: " + pathPart)
		}
	}
	parent := a.resources[r.ParentID]
	oldPrefix := r.Path
	r.PathPart = pathPart
	r.Path = strings.TrimSuffix(parent.Path, "/") + "/" + pathPart
	for _, x := range a.resources {
		if strings.HasPrefix(x.Path, oldPrefix+"/") {
			x.Path = r.Path + x.Path[len(oldPrefix):]
		}
	}
	return nil
}

// HTTPMethods API Gateway accepts on a resource.
var HTTPMethods = []string{"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY"}

// PutMethod creates a method on a resource.
func (a *API) PutMethod(resourceID string, m *Method) error {
	r := a.resources[resourceID]
	if r == nil {
		return errResourceNotFound
	}
	if !slices.Contains(HTTPMethods, m.HTTPMethod) {
		return ErrBadRequest.New("Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")
	}
	if r.Methods[m.HTTPMethod] != nil {
		return ErrConflict.New("Method already exists for this resource")
	}
	if err := a.checkMethodAuth(m); err != nil {
		return err
	}
	if m.Responses == nil {
		m.Responses = map[string]*MethodResponse{}
	}
	r.Methods[m.HTTPMethod] = m
	return nil
}

// Method returns a resource's method.
func (a *API) Method(resourceID, httpMethod string) (*Method, error) {
	r := a.resources[resourceID]
	if r == nil {
		return nil, errResourceNotFound
	}
	m := r.Methods[httpMethod]
	if m == nil {
		return nil, errMethodNotFound
	}
	return m, nil
}

// DeleteMethod deletes a method.
func (a *API) DeleteMethod(resourceID, httpMethod string) error {
	if _, err := a.Method(resourceID, httpMethod); err != nil {
		return err
	}
	delete(a.resources[resourceID].Methods, httpMethod)
	return nil
}

// --- deployments and stages --------------------------------------------------

// Deploy snapshots the API's routes. Every method must have an integration.
func (a *API) Deploy(s *Store, description string) (*Deployment, error) {
	methods := 0
	for _, r := range a.resources {
		for _, m := range r.Methods {
			methods++
			if m.Integration == nil {
				return nil, ErrBadRequest.New("No integration defined for method")
			}
		}
	}
	if methods == 0 {
		return nil, ErrBadRequest.New("The REST API doesn't contain any methods")
	}
	var id string
	for {
		id = s.shortID(6)
		if _, taken := a.deployments[id]; !taken {
			break
		}
	}
	d := &Deployment{ID: id, Description: description, Created: s.now(), Snapshot: a.snapshot()}
	a.deployments[id] = d
	return d, nil
}

// Deployments lists deployments by creation.
func (a *API) Deployments() []*Deployment {
	out := make([]*Deployment, 0, len(a.deployments))
	for _, d := range a.deployments {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Deployment returns a deployment.
func (a *API) Deployment(id string) (*Deployment, error) {
	d := a.deployments[id]
	if d == nil {
		return nil, errDeploymentNotFound
	}
	return d, nil
}

// DeleteDeployment deletes a deployment no stage points to.
func (a *API) DeleteDeployment(id string) error {
	if a.deployments[id] == nil {
		return errDeploymentNotFound
	}
	for _, st := range a.stages {
		if st.DeploymentID == id {
			return ErrBadRequest.New("Active stages pointing to this deployment must be moved or deleted")
		}
	}
	delete(a.deployments, id)
	return nil
}

var stageNameRE = &lazyPattern{expr: `^[a-zA-Z0-9_-]{1,128}$`}

// CreateStage creates a stage on a deployment.
func (a *API) CreateStage(now time.Time, st *Stage) error {
	if !stageNameRE.MatchString(st.Name) {
		return ErrBadRequest.New("Stage name only allows a-zA-Z0-9_ and -")
	}
	if a.stages[st.Name] != nil {
		return ErrConflict.New("Stage already exists")
	}
	if a.deployments[st.DeploymentID] == nil {
		return errDeploymentNotFound
	}
	st.Created, st.Updated = now, now
	a.stages[st.Name] = st
	return nil
}

// PointStage creates stage name on deployment id or moves it there
// (CreateDeployment with a stageName), merging variables.
func (a *API) PointStage(now time.Time, name, deploymentID, description string, variables map[string]string) (*Stage, error) {
	if !stageNameRE.MatchString(name) {
		return nil, ErrBadRequest.New("Stage name only allows a-zA-Z0-9_ and -")
	}
	st := a.stages[name]
	if st == nil {
		st = &Stage{Name: name, Description: description, Created: now}
		a.stages[name] = st
	} else if description != "" {
		st.Description = description
	}
	st.DeploymentID, st.Updated = deploymentID, now
	if len(variables) > 0 {
		if st.Variables == nil {
			st.Variables = map[string]string{}
		}
		maps.Copy(st.Variables, variables)
	}
	return st, nil
}

// Stage returns a stage.
func (a *API) Stage(name string) (*Stage, error) {
	st := a.stages[name]
	if st == nil {
		return nil, errStageNotFound
	}
	return st, nil
}

// Stages lists stages by name, optionally those of one deployment.
func (a *API) Stages(deploymentID string) []*Stage {
	out := make([]*Stage, 0, len(a.stages))
	for _, st := range a.stages {
		if deploymentID == "" || st.DeploymentID == deploymentID {
			out = append(out, st)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// DeleteStage deletes a stage.
func (a *API) DeleteStage(name string) error {
	if a.stages[name] == nil {
		return errStageNotFound
	}
	delete(a.stages, name)
	return nil
}

// Target is what the data plane needs of a stage: its deployed routes and
// variables, read under the API's lock once per request.
type Target struct {
	Snapshot     *Snapshot
	Stage        string
	Variables    map[string]string
	Region       string
	APIKeySource string // HEADER or AUTHORIZER
}

// Target resolves api id and stage for an invocation.
func (s *Store) Target(apiID, stage string) (Target, bool) {
	a, err := s.API(apiID)
	if err != nil {
		return Target{}, false
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	st := a.stages[stage]
	if st == nil {
		return Target{}, false
	}
	d := a.deployments[st.DeploymentID]
	if d == nil {
		return Target{}, false
	}
	return Target{Snapshot: d.Snapshot, Stage: st.Name, Variables: st.Variables, Region: a.Region, APIKeySource: a.APIKeySource}, true
}

// --- deep copies (deployments must not see later edits) ---------------------

func (m *Method) clone() *Method {
	c := *m
	c.RequestParameters = maps.Clone(m.RequestParameters)
	c.RequestModels = maps.Clone(m.RequestModels)
	c.AuthorizationScopes = slices.Clone(m.AuthorizationScopes)
	c.Responses = make(map[string]*MethodResponse, len(m.Responses))
	for k, r := range m.Responses {
		rc := *r
		rc.ResponseParameters = maps.Clone(r.ResponseParameters)
		rc.ResponseModels = maps.Clone(r.ResponseModels)
		c.Responses[k] = &rc
	}
	if m.Integration != nil {
		c.Integration = m.Integration.clone()
	}
	return &c
}

func (in *Integration) clone() *Integration {
	c := *in
	c.RequestParameters = maps.Clone(in.RequestParameters)
	c.RequestTemplates = maps.Clone(in.RequestTemplates)
	c.CacheKeyParameters = slices.Clone(in.CacheKeyParameters)
	c.Responses = make(map[string]*IntegrationResponse, len(in.Responses))
	for k, r := range in.Responses {
		rc := *r
		rc.ResponseParameters = maps.Clone(r.ResponseParameters)
		rc.ResponseTemplates = maps.Clone(r.ResponseTemplates)
		c.Responses[k] = &rc
	}
	return &c
}
