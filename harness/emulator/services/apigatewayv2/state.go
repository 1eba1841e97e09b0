package apigatewayv2

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// stateVersion is the version of the state format below.
const stateVersion = 1

// State is API Gateway v2's saved state (version 1): every region's HTTP
// and WebSocket APIs with their ids (invoke URLs stay valid), routes and
// route responses, integrations and integration responses, authorizers,
// models, stages and deployments (each with what it froze, so a stage
// serves after a load what it served before); domain names with their API
// mappings and routing rules; VPC links.
//
// Most members are the API's own wire shapes (GetApi's, GetRoute's, …:
// AWS's documented JSON, stable as the API is), with times saved in full
// (RFC 3339 with nanoseconds) where the wire rounds them to seconds.
//
// Not saved: open WebSocket connections (clients reconnect), the
// authorizers' cached verdicts and fetched JWT keys, developer portals.
type State struct {
	APIs     []APIState     `json:"apis"`
	Domains  []DomainState  `json:"domainNames,omitempty"`
	VpcLinks []VpcLinkState `json:"vpcLinks,omitempty"`
}

// APIState is one API: GetApi's answer with its region and children.
type APIState struct {
	APIInfo
	Region       string             `json:"region"`
	CreatedDate  time.Time          `json:"createdDate"`
	Routes       []RouteState       `json:"routes,omitempty"`
	Integrations []IntegrationState `json:"integrations,omitempty"`
	Authorizers  []Authorizer       `json:"authorizers,omitempty"`
	Models       []Model            `json:"models,omitempty"`
	Stages       []StageState       `json:"stages,omitempty"`
	Deployments  []DeploymentState  `json:"deployments,omitempty"`
}

// RouteState is a route with its route responses.
type RouteState struct {
	Route
	Responses []RouteResponse `json:"routeResponses,omitempty"`
}

// IntegrationState is an integration with its integration responses.
type IntegrationState struct {
	Integration
	Responses []IntegrationResponse `json:"integrationResponses,omitempty"`
}

// StageState is a stage (GetStage's answer).
type StageState struct {
	Stage
	CreatedDate     time.Time `json:"createdDate"`
	LastUpdatedDate time.Time `json:"lastUpdatedDate"`
}

// DeploymentState is a deployment (GetDeployment's answer) with what it
// froze of the API: the routes with their responses, and the integrations
// and authorizers they used.
type DeploymentState struct {
	Deployment
	CreatedDate time.Time    `json:"createdDate"`
	Frozen      *FrozenState `json:"frozen,omitempty"`
}

// FrozenState is what a deployment serves.
type FrozenState struct {
	ProtocolType              string             `json:"protocolType"`
	RouteSelectionExpression  string             `json:"routeSelectionExpression,omitempty"`
	APIKeySelectionExpression string             `json:"apiKeySelectionExpression,omitempty"`
	Cors                      *Cors              `json:"corsConfiguration,omitempty"`
	Routes                    []RouteState       `json:"routes,omitempty"`
	Integrations              []IntegrationState `json:"integrations,omitempty"`
	Authorizers               []Authorizer       `json:"authorizers,omitempty"`
}

// DomainState is a domain name with its region, API mappings and routing
// rules.
type DomainState struct {
	DomainName
	Region         string              `json:"region"`
	Configurations []DomainConfigState `json:"domainNameConfigurations"`
	Mappings       []APIMapping        `json:"apiMappings,omitempty"`
	Rules          []RoutingRule       `json:"routingRules,omitempty"`
}

// DomainConfigState is one of a domain name's configurations.
type DomainConfigState struct {
	DomainNameConfiguration
	CertificateUploadDate *time.Time `json:"certificateUploadDate,omitempty"`
}

// VpcLinkState is a VPC link with its region.
type VpcLinkState struct {
	VpcLink
	Region      string    `json:"region"`
	CreatedDate time.Time `json:"createdDate"`
}

// StateVersion, SaveState and LoadState make API Gateway v2 a
// cloud.StateSaver.
func (s *Service) StateVersion() int { return stateVersion }

func (s *Service) SaveState() (any, error) { return s.store.saveState(), nil }

func (s *Service) LoadState(version int, raw json.RawMessage) error {
	st, err := cloud.DecodeState[State](version, stateVersion, raw)
	if err != nil {
		return err
	}
	return s.store.loadState(st)
}

// --- saving

func (s *Store) saveState() State {
	s.mu.RLock()
	apis := slices.Collect(maps.Values(s.apis))
	s.mu.RUnlock()
	out := State{APIs: []APIState{}}
	for _, a := range apis {
		a.mu.RLock()
		out.APIs = append(out.APIs, a.state())
		a.mu.RUnlock()
	}
	sort.Slice(out.APIs, func(i, j int) bool { return out.APIs[i].ID < out.APIs[j].ID })

	s.dmu.Lock()
	for _, d := range s.domains {
		ds := DomainState{DomainName: *d, Region: d.region}
		ds.Tags = maps.Clone(d.Tags)
		ds.DomainNameConfigurations = nil
		for _, c := range d.DomainNameConfigurations {
			cs := DomainConfigState{DomainNameConfiguration: c}
			if c.CertificateUploadDate != nil {
				t := time.Time(*c.CertificateUploadDate)
				cs.CertificateUploadDate = &t
			}
			ds.Configurations = append(ds.Configurations, cs)
		}
		for _, m := range d.mappings {
			ds.Mappings = append(ds.Mappings, *m)
		}
		sort.Slice(ds.Mappings, func(i, j int) bool { return ds.Mappings[i].ID < ds.Mappings[j].ID })
		for _, r := range d.rules {
			ds.Rules = append(ds.Rules, *r)
		}
		sort.Slice(ds.Rules, func(i, j int) bool { return ds.Rules[i].ID < ds.Rules[j].ID })
		out.Domains = append(out.Domains, ds)
	}
	for _, l := range s.vpcLinks {
		out.VpcLinks = append(out.VpcLinks, VpcLinkState{VpcLink: *l, Region: l.region, CreatedDate: time.Time(l.CreatedDate)})
	}
	s.dmu.Unlock()
	sort.Slice(out.Domains, func(i, j int) bool {
		return out.Domains[i].Region+"/"+out.Domains[i].Name < out.Domains[j].Region+"/"+out.Domains[j].Name
	})
	sort.Slice(out.VpcLinks, func(i, j int) bool { return out.VpcLinks[i].ID < out.VpcLinks[j].ID })
	return out
}

// state copies the API (its lock held).
func (a *API) state() APIState {
	out := APIState{APIInfo: a.APIInfo, Region: a.Region, CreatedDate: time.Time(a.CreatedDate)}
	out.APIEndpoint = "" // the edge's address, made when answering
	for _, r := range sortedValues(a.routes) {
		out.Routes = append(out.Routes, routeState(r, r.responses))
	}
	for _, in := range sortedValues(a.integrations) {
		out.Integrations = append(out.Integrations, integrationState(in, in.responses))
	}
	for _, z := range sortedValues(a.authorizers) {
		out.Authorizers = append(out.Authorizers, *z)
	}
	for _, m := range sortedValues(a.models) {
		out.Models = append(out.Models, *m)
	}
	for _, st := range sortedValues(a.stages) {
		out.Stages = append(out.Stages, StageState{Stage: *st, CreatedDate: time.Time(st.CreatedDate), LastUpdatedDate: time.Time(st.LastUpdatedDate)})
	}
	for _, d := range sortedValues(a.deployments) {
		ds := DeploymentState{Deployment: *d, CreatedDate: time.Time(d.CreatedDate)}
		if sn := d.snapshot; sn != nil {
			ds.Frozen = frozenState(sn)
		}
		out.Deployments = append(out.Deployments, ds)
	}
	return out
}

func routeState(r *Route, responses map[string]*RouteResponse) RouteState {
	out := RouteState{Route: *r}
	for _, rr := range sortedValues(responses) {
		out.Responses = append(out.Responses, *rr)
	}
	return out
}

func integrationState(in *Integration, responses map[string]*IntegrationResponse) IntegrationState {
	out := IntegrationState{Integration: *in}
	for _, ir := range sortedValues(responses) {
		out.Responses = append(out.Responses, *ir)
	}
	return out
}

// frozenState lists what a deployment's snapshot holds (route responses
// and integration responses are keyed by their keys there).
func frozenState(sn *Snapshot) *FrozenState {
	out := &FrozenState{ProtocolType: sn.ProtocolType, RouteSelectionExpression: sn.RouteSelectionExpression,
		APIKeySelectionExpression: sn.APIKeySelectionExpression, Cors: sn.Cors}
	integrations, authorizers := map[string]IntegrationState{}, map[string]Authorizer{}
	for _, dr := range sortedValues(sn.Routes) {
		out.Routes = append(out.Routes, routeState(&dr.Route, dr.Responses))
		if di := dr.Integration; di != nil {
			integrations[di.ID] = integrationState(&di.Integration, di.Responses)
		}
		if z := dr.Authorizer; z != nil {
			authorizers[z.ID] = *z
		}
	}
	out.Integrations = sortedValues(integrations)
	out.Authorizers = sortedValues(authorizers)
	return out
}

// --- loading

func (s *Store) loadState(st State) error {
	for _, as := range st.APIs {
		a, err := loadAPI(as)
		if err != nil {
			return fmt.Errorf("API %s: %w", as.ID, err)
		}
		s.mu.Lock()
		if s.apis[a.ID] != nil {
			s.mu.Unlock()
			return fmt.Errorf("API %s saved twice", a.ID)
		}
		s.apis[a.ID] = a
		s.mu.Unlock()
	}
	s.dmu.Lock()
	defer s.dmu.Unlock()
	if s.domains == nil {
		s.domains = map[string]*DomainName{}
	}
	if s.vpcLinks == nil {
		s.vpcLinks = map[string]*VpcLink{}
	}
	for _, ds := range st.Domains {
		d := ds.DomainName
		d.region, d.mappings, d.rules = ds.Region, map[string]*APIMapping{}, map[string]*RoutingRule{}
		d.DomainNameConfigurations = []DomainNameConfiguration{}
		for _, cs := range ds.Configurations {
			c := cs.DomainNameConfiguration
			c.CertificateUploadDate = nil
			if cs.CertificateUploadDate != nil {
				t := Timestamp(*cs.CertificateUploadDate)
				c.CertificateUploadDate = &t
			}
			d.DomainNameConfigurations = append(d.DomainNameConfigurations, c)
		}
		for _, m := range ds.Mappings {
			d.mappings[m.ID] = &m
		}
		for _, r := range ds.Rules {
			d.rules[r.ID] = &r
		}
		key := s.domainKey(d.region, d.Name)
		if d.Name == "" || s.domains[key] != nil {
			return fmt.Errorf("domain name %q: no name, or saved twice", d.Name)
		}
		s.domains[key] = &d
	}
	for _, ls := range st.VpcLinks {
		l := ls.VpcLink
		l.region, l.CreatedDate = ls.Region, Timestamp(ls.CreatedDate)
		s.vpcLinks[l.region+"/"+l.ID] = &l
	}
	return nil
}

func loadAPI(st APIState) (*API, error) {
	if st.ID == "" || st.Region == "" {
		return nil, fmt.Errorf("no id or no region")
	}
	if st.ProtocolType != ProtocolHTTP && st.ProtocolType != ProtocolWebSocket {
		return nil, fmt.Errorf("protocol %q", st.ProtocolType)
	}
	a := &API{APIInfo: st.APIInfo, stages: map[string]*Stage{}, deployments: map[string]*Deployment{}, models: map[string]*Model{}}
	a.Region, a.CreatedDate = st.Region, Timestamp(st.CreatedDate)
	a.routes, a.integrations, a.authorizers = loadParts(st.Routes, st.Integrations, st.Authorizers)
	for _, m := range st.Models {
		a.models[m.ID] = &m
	}
	for _, ds := range st.Deployments {
		d := ds.Deployment
		d.CreatedDate = Timestamp(ds.CreatedDate)
		if f := ds.Frozen; f != nil {
			if f.ProtocolType != ProtocolHTTP && f.ProtocolType != ProtocolWebSocket {
				return nil, fmt.Errorf("deployment %s: protocol %q", d.ID, f.ProtocolType)
			}
			frozen := &API{APIInfo: APIInfo{ProtocolType: f.ProtocolType, RouteSelectionExpression: f.RouteSelectionExpression,
				APIKeySelectionExpression: f.APIKeySelectionExpression, CorsConfiguration: f.Cors}}
			frozen.routes, frozen.integrations, frozen.authorizers = loadParts(f.Routes, f.Integrations, f.Authorizers)
			d.snapshot = frozen.snapshot()
		}
		a.deployments[d.ID] = &d
	}
	for _, ss := range st.Stages {
		stage := ss.Stage
		stage.CreatedDate, stage.LastUpdatedDate = Timestamp(ss.CreatedDate), Timestamp(ss.LastUpdatedDate)
		if stage.DeploymentID != "" && a.deployments[stage.DeploymentID] == nil {
			return nil, fmt.Errorf("stage %s: its deployment %s is not saved", stage.Name, stage.DeploymentID)
		}
		a.stages[stage.Name] = &stage
	}
	return a, nil
}

// loadParts makes the routes, integrations and authorizers of an API or
// of a deployment's frozen copy.
func loadParts(routes []RouteState, integrations []IntegrationState, authorizers []Authorizer) (map[string]*Route, map[string]*Integration, map[string]*Authorizer) {
	rs, is, zs := map[string]*Route{}, map[string]*Integration{}, map[string]*Authorizer{}
	for _, r := range routes {
		route := r.Route
		route.responses = nil
		for _, rr := range r.Responses {
			if route.responses == nil {
				route.responses = map[string]*RouteResponse{}
			}
			route.responses[rr.ID] = &rr
		}
		rs[route.ID] = &route
	}
	for _, in := range integrations {
		ig := in.Integration
		ig.responses = nil
		for _, ir := range in.Responses {
			if ig.responses == nil {
				ig.responses = map[string]*IntegrationResponse{}
			}
			ig.responses[ir.ID] = &ir
		}
		is[ig.ID] = &ig
	}
	for _, z := range authorizers {
		zs[z.ID] = &z
	}
	return rs, is, zs
}
