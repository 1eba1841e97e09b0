package apigateway

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// stateVersion is the version of the state format below.
const stateVersion = 1

// State is API Gateway's (REST APIs, v1) saved state (version 1): every
// region's APIs with their ids (invoke URLs stay valid), resources,
// methods, integrations, models, validators, gateway responses,
// authorizers, documentation, deployments (each with the routes it froze)
// and stages; API keys with their values, usage plans and their keys;
// domain names with their base path mappings, access associations, VPC
// links, client certificates and the account settings. Decoupled from the
// store's structs, it changes only with stateVersion.
//
// Not saved: usage plan meters (requests counted against quotas and
// throttles start afresh), the authorizers' cached verdicts.
type State struct {
	APIs         []APIState         `json:"apis"`
	APIKeys      []APIKeyState      `json:"apiKeys,omitempty"`
	UsagePlans   []UsagePlanState   `json:"usagePlans,omitempty"`
	Domains      []DomainState      `json:"domainNames,omitempty"`
	Associations []AssociationState `json:"accessAssociations,omitempty"`
	VpcLinks     []VpcLinkState     `json:"vpcLinks,omitempty"`
	ClientCerts  []ClientCertState  `json:"clientCertificates,omitempty"`
	// Accounts are the account settings by region.
	Accounts map[string]AccountState `json:"accounts,omitempty"`
}

// APIState is one REST API.
type APIState struct {
	Region                    string            `json:"region"`
	ID                        string            `json:"id"`
	Name                      string            `json:"name"`
	Description               string            `json:"description,omitempty"`
	Version                   string            `json:"version,omitempty"`
	Created                   time.Time         `json:"created"`
	BinaryMediaTypes          []string          `json:"binaryMediaTypes,omitempty"`
	MinimumCompressionSize    *int32            `json:"minimumCompressionSize,omitempty"`
	APIKeySource              string            `json:"apiKeySource,omitempty"`
	EndpointTypes             []string          `json:"endpointTypes,omitempty"`
	DisableExecuteAPIEndpoint bool              `json:"disableExecuteApiEndpoint,omitempty"`
	Policy                    string            `json:"policy,omitempty"`
	Tags                      map[string]string `json:"tags,omitempty"`
	RootID                    string            `json:"rootId"`
	// Routes are the API's resources, models, validators, gateway
	// responses and authorizers as they are now.
	Routes      RoutesState       `json:"routes"`
	Deployments []DeploymentState `json:"deployments,omitempty"`
	Stages      []StageState      `json:"stages,omitempty"`
	DocParts    []DocPartState    `json:"documentationParts,omitempty"`
	DocVersions []DocVersionState `json:"documentationVersions,omitempty"`
}

// RoutesState is what a deployment freezes of an API: its resources, with
// methods and integrations, and what they refer to.
type RoutesState struct {
	Resources        []ResourceState        `json:"resources"`
	Models           []ModelState           `json:"models,omitempty"`
	Validators       []ValidatorState       `json:"validators,omitempty"`
	GatewayResponses []GatewayResponseState `json:"gatewayResponses,omitempty"`
	Authorizers      []AuthorizerState      `json:"authorizers,omitempty"`
}

// ResourceState is a path of an API's tree.
type ResourceState struct {
	ID       string        `json:"id"`
	ParentID string        `json:"parentId,omitempty"`
	PathPart string        `json:"pathPart,omitempty"`
	Path     string        `json:"path"`
	Methods  []MethodState `json:"methods,omitempty"`
}

// MethodState is a resource's method.
type MethodState struct {
	HTTPMethod          string                `json:"httpMethod"`
	AuthorizationType   string                `json:"authorizationType,omitempty"`
	AuthorizerID        string                `json:"authorizerId,omitempty"`
	APIKeyRequired      bool                  `json:"apiKeyRequired,omitempty"`
	OperationName       string                `json:"operationName,omitempty"`
	RequestValidatorID  string                `json:"requestValidatorId,omitempty"`
	RequestParameters   map[string]bool       `json:"requestParameters,omitempty"`
	RequestModels       map[string]string     `json:"requestModels,omitempty"`
	AuthorizationScopes []string              `json:"authorizationScopes,omitempty"`
	Responses           []MethodResponseState `json:"responses,omitempty"`
	Integration         *IntegrationState     `json:"integration,omitempty"`
}

// MethodResponseState is a status code a method declares.
type MethodResponseState struct {
	StatusCode         string            `json:"statusCode"`
	ResponseParameters map[string]bool   `json:"responseParameters,omitempty"`
	ResponseModels     map[string]string `json:"responseModels,omitempty"`
}

// IntegrationState is a method's integration.
type IntegrationState struct {
	Type                string                     `json:"type"`
	HTTPMethod          string                     `json:"httpMethod,omitempty"`
	URI                 string                     `json:"uri,omitempty"`
	ConnectionType      string                     `json:"connectionType,omitempty"`
	ConnectionID        string                     `json:"connectionId,omitempty"`
	Credentials         string                     `json:"credentials,omitempty"`
	RequestParameters   map[string]string          `json:"requestParameters,omitempty"`
	RequestTemplates    map[string]string          `json:"requestTemplates,omitempty"`
	PassthroughBehavior string                     `json:"passthroughBehavior,omitempty"`
	ContentHandling     string                     `json:"contentHandling,omitempty"`
	TimeoutMillis       int32                      `json:"timeoutInMillis,omitempty"`
	CacheNamespace      string                     `json:"cacheNamespace,omitempty"`
	CacheKeyParameters  []string                   `json:"cacheKeyParameters,omitempty"`
	Responses           []IntegrationResponseState `json:"responses,omitempty"`
}

// IntegrationResponseState maps an integration's answer to a method
// response.
type IntegrationResponseState struct {
	StatusCode         string            `json:"statusCode"`
	SelectionPattern   string            `json:"selectionPattern,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates  map[string]string `json:"responseTemplates,omitempty"`
	ContentHandling    string            `json:"contentHandling,omitempty"`
}

// ModelState is a model (a deployment keeps only names and schemas).
type ModelState struct {
	ID          string `json:"id,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Schema      string `json:"schema,omitempty"`
	ContentType string `json:"contentType,omitempty"`
}

// ValidatorState is a request validator.
type ValidatorState struct {
	ID                 string `json:"id"`
	Name               string `json:"name,omitempty"`
	ValidateBody       bool   `json:"validateBody,omitempty"`
	ValidateParameters bool   `json:"validateParameters,omitempty"`
}

// GatewayResponseState is a customised gateway response.
type GatewayResponseState struct {
	Type               string            `json:"type"`
	StatusCode         string            `json:"statusCode,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates  map[string]string `json:"responseTemplates,omitempty"`
	Default            bool              `json:"default,omitempty"`
}

// AuthorizerState is an authorizer.
type AuthorizerState struct {
	ID                           string   `json:"id"`
	Name                         string   `json:"name"`
	Type                         string   `json:"type"`
	ProviderARNs                 []string `json:"providerArns,omitempty"`
	AuthType                     string   `json:"authType,omitempty"`
	URI                          string   `json:"uri,omitempty"`
	Credentials                  string   `json:"credentials,omitempty"`
	IdentitySource               string   `json:"identitySource,omitempty"`
	IdentityValidationExpression string   `json:"identityValidationExpression,omitempty"`
	TTL                          int      `json:"ttl"`
}

// DeploymentState is a deployment with the routes it froze.
type DeploymentState struct {
	ID               string      `json:"id"`
	Description      string      `json:"description,omitempty"`
	Created          time.Time   `json:"created"`
	RootID           string      `json:"rootId"`
	BinaryMediaTypes []string    `json:"binaryMediaTypes,omitempty"`
	Routes           RoutesState `json:"routes"`
}

// StageState is a stage.
type StageState struct {
	Name                 string                    `json:"name"`
	DeploymentID         string                    `json:"deploymentId"`
	Description          string                    `json:"description,omitempty"`
	Variables            map[string]string         `json:"variables,omitempty"`
	TracingEnabled       bool                      `json:"tracingEnabled,omitempty"`
	CacheClusterEnabled  bool                      `json:"cacheClusterEnabled,omitempty"`
	CacheClusterSize     string                    `json:"cacheClusterSize,omitempty"`
	MethodSettings       map[string]map[string]any `json:"methodSettings,omitempty"`
	Tags                 map[string]string         `json:"tags,omitempty"`
	DocumentationVersion string                    `json:"documentationVersion,omitempty"`
	ClientCertificateID  string                    `json:"clientCertificateId,omitempty"`
	Created              time.Time                 `json:"created"`
	Updated              time.Time                 `json:"updated"`
}

// DocPartState is a documentation part.
type DocPartState struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Path       string `json:"path,omitempty"`
	Method     string `json:"method,omitempty"`
	StatusCode string `json:"statusCode,omitempty"`
	Name       string `json:"name,omitempty"`
	Properties string `json:"properties,omitempty"`
}

// DocVersionState is a documentation version with the parts it froze.
type DocVersionState struct {
	Version     string         `json:"version"`
	Description string         `json:"description,omitempty"`
	Created     time.Time      `json:"created"`
	Parts       []DocPartState `json:"parts,omitempty"`
}

// APIKeyState is an API key, with its value (a loaded key keeps working).
type APIKeyState struct {
	Region      string            `json:"region"`
	ID          string            `json:"id"`
	Value       string            `json:"value"`
	Name        string            `json:"name,omitempty"`
	Description string            `json:"description,omitempty"`
	CustomerID  string            `json:"customerId,omitempty"`
	Enabled     bool              `json:"enabled"`
	StageKeys   []string          `json:"stageKeys,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
	Created     time.Time         `json:"created"`
	Updated     time.Time         `json:"updated"`
}

// UsagePlanState is a usage plan with the ids of its keys.
type UsagePlanState struct {
	Region      string            `json:"region"`
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	ProductCode string            `json:"productCode,omitempty"`
	Stages      []PlanStageState  `json:"stages,omitempty"`
	Throttle    *ThrottleState    `json:"throttle,omitempty"`
	Quota       *QuotaState       `json:"quota,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
	Created     time.Time         `json:"created"`
	Keys        []string          `json:"keys,omitempty"`
}

// PlanStageState is an API stage of a usage plan, with its per-method
// throttles.
type PlanStageState struct {
	APIID    string                   `json:"apiId"`
	Stage    string                   `json:"stage"`
	Throttle map[string]ThrottleState `json:"throttle,omitempty"`
}

// ThrottleState is a rate and burst limit.
type ThrottleState struct {
	RateLimit  float64 `json:"rateLimit"`
	BurstLimit int     `json:"burstLimit"`
}

// QuotaState is a usage plan's quota.
type QuotaState struct {
	Limit  int    `json:"limit"`
	Offset int    `json:"offset,omitempty"`
	Period string `json:"period"`
}

// DomainState is a custom domain name with its base path mappings.
type DomainState struct {
	Region                              string             `json:"region"`
	Name                                string             `json:"name"`
	ID                                  string             `json:"id,omitempty"`
	CertificateName                     string             `json:"certificateName,omitempty"`
	CertificateArn                      string             `json:"certificateArn,omitempty"`
	RegionalCertificateName             string             `json:"regionalCertificateName,omitempty"`
	RegionalCertificateArn              string             `json:"regionalCertificateArn,omitempty"`
	EndpointTypes                       []string           `json:"endpointTypes,omitempty"`
	SecurityPolicy                      string             `json:"securityPolicy,omitempty"`
	EndpointAccessMode                  string             `json:"endpointAccessMode,omitempty"`
	RoutingMode                         string             `json:"routingMode,omitempty"`
	Policy                              string             `json:"policy,omitempty"`
	OwnershipVerificationCertificateArn string             `json:"ownershipVerificationCertificateArn,omitempty"`
	TruststoreURI                       string             `json:"truststoreUri,omitempty"`
	TruststoreVersion                   string             `json:"truststoreVersion,omitempty"`
	Tags                                map[string]string  `json:"tags,omitempty"`
	Created                             time.Time          `json:"created"`
	Mappings                            []BasePathMapState `json:"mappings,omitempty"`
}

// BasePathMapState is a base path mapping.
type BasePathMapState struct {
	BasePath  string `json:"basePath"`
	RestAPIID string `json:"restApiId"`
	Stage     string `json:"stage,omitempty"`
}

// AssociationState is a domain name access association.
type AssociationState struct {
	ARN           string            `json:"arn"`
	DomainNameARN string            `json:"domainNameArn"`
	SourceType    string            `json:"sourceType"`
	Source        string            `json:"source"`
	Tags          map[string]string `json:"tags,omitempty"`
}

// VpcLinkState is a VPC link.
type VpcLinkState struct {
	Region      string            `json:"region"`
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	TargetArns  []string          `json:"targetArns,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// ClientCertState is a client certificate.
type ClientCertState struct {
	Region      string            `json:"region"`
	ID          string            `json:"id"`
	Description string            `json:"description,omitempty"`
	PEM         string            `json:"pem"`
	Created     time.Time         `json:"created"`
	Expires     time.Time         `json:"expires"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// AccountState is a region's account settings.
type AccountState struct {
	CloudwatchRoleArn string `json:"cloudwatchRoleArn,omitempty"`
}

// StateVersion, SaveState and LoadState make API Gateway a
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
		a.View(func() { out.APIs = append(out.APIs, a.state()) })
	}
	sort.Slice(out.APIs, func(i, j int) bool { return out.APIs[i].ID < out.APIs[j].ID })

	s.keys.mu.RLock()
	for _, k := range s.keys.keys {
		out.APIKeys = append(out.APIKeys, APIKeyState{Region: k.Region, ID: k.ID, Value: k.Value, Name: k.Name, Description: k.Description,
			CustomerID: k.CustomerID, Enabled: k.Enabled, StageKeys: slices.Clone(k.StageKeys), Tags: maps.Clone(k.Tags), Created: k.Created, Updated: k.Updated})
	}
	for _, p := range s.keys.plans {
		ps := UsagePlanState{Region: p.Region, ID: p.ID, Name: p.Name, Description: p.Description, ProductCode: p.ProductCode,
			Tags: maps.Clone(p.Tags), Created: p.Created, Keys: slices.Sorted(maps.Keys(p.keys))}
		for _, st := range p.Stages {
			pst := PlanStageState{APIID: st.APIID, Stage: st.Stage}
			for k, t := range st.Throttle {
				if pst.Throttle == nil {
					pst.Throttle = map[string]ThrottleState{}
				}
				pst.Throttle[k] = ThrottleState(t)
			}
			ps.Stages = append(ps.Stages, pst)
		}
		if p.Throttle != nil {
			t := ThrottleState(*p.Throttle)
			ps.Throttle = &t
		}
		if p.Quota != nil {
			q := QuotaState(*p.Quota)
			ps.Quota = &q
		}
		out.UsagePlans = append(out.UsagePlans, ps)
	}
	s.keys.mu.RUnlock()
	sort.Slice(out.APIKeys, func(i, j int) bool { return out.APIKeys[i].ID < out.APIKeys[j].ID })
	sort.Slice(out.UsagePlans, func(i, j int) bool { return out.UsagePlans[i].ID < out.UsagePlans[j].ID })

	r := &s.regional
	r.mu.Lock()
	for _, d := range r.domains {
		ds := DomainState{Region: d.Region, Name: d.Name, ID: d.ID, CertificateName: d.CertificateName, CertificateArn: d.CertificateArn,
			RegionalCertificateName: d.RegionalCertificateName, RegionalCertificateArn: d.RegionalCertificateArn,
			EndpointTypes: slices.Clone(d.EndpointTypes), SecurityPolicy: d.SecurityPolicy, EndpointAccessMode: d.EndpointAccessMode,
			RoutingMode: d.RoutingMode, Policy: d.Policy, OwnershipVerificationCertificateArn: d.OwnershipVerificationCertificateArn,
			TruststoreURI: d.TruststoreURI, TruststoreVersion: d.TruststoreVersion, Tags: maps.Clone(d.Tags), Created: d.Created}
		for _, m := range d.Mappings {
			ds.Mappings = append(ds.Mappings, BasePathMapState(*m))
		}
		sort.Slice(ds.Mappings, func(i, j int) bool { return ds.Mappings[i].BasePath < ds.Mappings[j].BasePath })
		out.Domains = append(out.Domains, ds)
	}
	for _, a := range r.assocs {
		out.Associations = append(out.Associations, AssociationState{ARN: a.ARN, DomainNameARN: a.DomainNameARN, SourceType: a.SourceType,
			Source: a.Source, Tags: maps.Clone(a.Tags)})
	}
	for _, l := range r.vpcLinks {
		out.VpcLinks = append(out.VpcLinks, VpcLinkState{Region: l.Region, ID: l.ID, Name: l.Name, Description: l.Description,
			TargetArns: slices.Clone(l.TargetArns), Tags: maps.Clone(l.Tags)})
	}
	for _, c := range r.certs {
		out.ClientCerts = append(out.ClientCerts, ClientCertState{Region: c.Region, ID: c.ID, Description: c.Description, PEM: c.PEM,
			Created: c.Created, Expires: c.Expires, Tags: maps.Clone(c.Tags)})
	}
	for region, a := range r.accounts {
		if out.Accounts == nil {
			out.Accounts = map[string]AccountState{}
		}
		out.Accounts[region] = AccountState{CloudwatchRoleArn: a.CloudwatchRoleArn}
	}
	r.mu.Unlock()
	sort.Slice(out.Domains, func(i, j int) bool {
		return out.Domains[i].Region+"/"+out.Domains[i].Name < out.Domains[j].Region+"/"+out.Domains[j].Name
	})
	sort.Slice(out.Associations, func(i, j int) bool { return out.Associations[i].ARN < out.Associations[j].ARN })
	sort.Slice(out.VpcLinks, func(i, j int) bool { return out.VpcLinks[i].ID < out.VpcLinks[j].ID })
	sort.Slice(out.ClientCerts, func(i, j int) bool { return out.ClientCerts[i].ID < out.ClientCerts[j].ID })
	return out
}

// state copies the API (its lock held).
func (a *API) state() APIState {
	out := APIState{Region: a.Region, ID: a.ID, Name: a.Name, Description: a.Description, Version: a.Version, Created: a.Created,
		BinaryMediaTypes: slices.Clone(a.BinaryMediaTypes), MinimumCompressionSize: a.MinimumCompressionSize, APIKeySource: a.APIKeySource,
		EndpointTypes: slices.Clone(a.EndpointTypes), DisableExecuteAPIEndpoint: a.DisableExecuteAPIEndpoint, Policy: a.Policy,
		Tags: maps.Clone(a.Tags), RootID: a.RootID}
	for _, r := range a.resources {
		out.Routes.Resources = append(out.Routes.Resources, resourceState(r.ID, r.ParentID, r.PathPart, r.Path, r.Methods))
	}
	sortResources(out.Routes.Resources)
	for _, m := range a.models {
		out.Routes.Models = append(out.Routes.Models, ModelState(*m))
	}
	out.Routes.addParts(a.validators, a.gatewayResponses, a.authorizers)
	for _, d := range a.deployments {
		out.Deployments = append(out.Deployments, deploymentState(d))
	}
	sort.Slice(out.Deployments, func(i, j int) bool { return out.Deployments[i].ID < out.Deployments[j].ID })
	for _, st := range a.stages {
		out.Stages = append(out.Stages, StageState{Name: st.Name, DeploymentID: st.DeploymentID, Description: st.Description,
			Variables: maps.Clone(st.Variables), TracingEnabled: st.TracingEnabled, CacheClusterEnabled: st.CacheClusterEnabled,
			CacheClusterSize: st.CacheClusterSize, MethodSettings: cloneSettings(st.MethodSettings), Tags: maps.Clone(st.Tags),
			DocumentationVersion: st.DocumentationVersion, ClientCertificateID: st.ClientCertificateID, Created: st.Created, Updated: st.Updated})
	}
	sort.Slice(out.Stages, func(i, j int) bool { return out.Stages[i].Name < out.Stages[j].Name })
	for _, p := range a.docParts {
		out.DocParts = append(out.DocParts, docPartState(*p))
	}
	sort.Slice(out.DocParts, func(i, j int) bool { return out.DocParts[i].ID < out.DocParts[j].ID })
	for _, v := range a.docVersions {
		vs := DocVersionState{Version: v.Version, Description: v.Description, Created: v.Created}
		for _, p := range v.Parts {
			vs.Parts = append(vs.Parts, docPartState(p))
		}
		out.DocVersions = append(out.DocVersions, vs)
	}
	sort.Slice(out.DocVersions, func(i, j int) bool { return out.DocVersions[i].Version < out.DocVersions[j].Version })
	return out
}

// cloneSettings copies a stage's method settings, which UpdateStage edits
// in place (the state is encoded after the API's lock is released).
func cloneSettings(m map[string]map[string]any) map[string]map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]map[string]any, len(m))
	for k, v := range m {
		out[k] = maps.Clone(v)
	}
	return out
}

func docPartState(p DocPart) DocPartState {
	return DocPartState{ID: p.ID, Type: p.Location.Type, Path: p.Location.Path, Method: p.Location.Method,
		StatusCode: p.Location.StatusCode, Name: p.Location.Name, Properties: p.Properties}
}

func sortResources(rs []ResourceState) {
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].Path != rs[j].Path {
			return rs[i].Path < rs[j].Path
		}
		return rs[i].ID < rs[j].ID
	})
}

// addParts adds validators, gateway responses and authorizers, sorted.
func (rs *RoutesState) addParts(validators map[string]*RequestValidator, responses map[string]*GatewayResponse, authorizers map[string]*Authorizer) {
	for _, v := range validators {
		rs.Validators = append(rs.Validators, ValidatorState(*v))
	}
	for _, g := range responses {
		c := g.clone()
		rs.GatewayResponses = append(rs.GatewayResponses, GatewayResponseState(*c))
	}
	for _, z := range authorizers {
		rs.Authorizers = append(rs.Authorizers, AuthorizerState{ID: z.ID, Name: z.Name, Type: z.Type, ProviderARNs: slices.Clone(z.ProviderARNs),
			AuthType: z.AuthType, URI: z.URI, Credentials: z.Credentials, IdentitySource: z.IdentitySource,
			IdentityValidationExpression: z.IdentityValidationExpression, TTL: z.TTL})
	}
	sort.Slice(rs.Models, func(i, j int) bool { return rs.Models[i].Name < rs.Models[j].Name })
	sort.Slice(rs.Validators, func(i, j int) bool { return rs.Validators[i].ID < rs.Validators[j].ID })
	sort.Slice(rs.GatewayResponses, func(i, j int) bool { return rs.GatewayResponses[i].Type < rs.GatewayResponses[j].Type })
	sort.Slice(rs.Authorizers, func(i, j int) bool { return rs.Authorizers[i].ID < rs.Authorizers[j].ID })
}

func resourceState(id, parent, part, path string, methods map[string]*Method) ResourceState {
	out := ResourceState{ID: id, ParentID: parent, PathPart: part, Path: path}
	for _, m := range methods {
		out.Methods = append(out.Methods, methodState(m))
	}
	sort.Slice(out.Methods, func(i, j int) bool { return out.Methods[i].HTTPMethod < out.Methods[j].HTTPMethod })
	return out
}

func methodState(m *Method) MethodState {
	out := MethodState{HTTPMethod: m.HTTPMethod, AuthorizationType: m.AuthorizationType, AuthorizerID: m.AuthorizerID,
		APIKeyRequired: m.APIKeyRequired, OperationName: m.OperationName, RequestValidatorID: m.RequestValidatorID,
		RequestParameters: maps.Clone(m.RequestParameters), RequestModels: maps.Clone(m.RequestModels),
		AuthorizationScopes: slices.Clone(m.AuthorizationScopes)}
	for _, r := range m.Responses {
		out.Responses = append(out.Responses, MethodResponseState{StatusCode: r.StatusCode,
			ResponseParameters: maps.Clone(r.ResponseParameters), ResponseModels: maps.Clone(r.ResponseModels)})
	}
	sort.Slice(out.Responses, func(i, j int) bool { return out.Responses[i].StatusCode < out.Responses[j].StatusCode })
	if in := m.Integration; in != nil {
		is := &IntegrationState{Type: in.Type, HTTPMethod: in.HTTPMethod, URI: in.URI, ConnectionType: in.ConnectionType,
			ConnectionID: in.ConnectionID, Credentials: in.Credentials, RequestParameters: maps.Clone(in.RequestParameters),
			RequestTemplates: maps.Clone(in.RequestTemplates), PassthroughBehavior: in.PassthroughBehavior,
			ContentHandling: in.ContentHandling, TimeoutMillis: in.TimeoutMillis, CacheNamespace: in.CacheNamespace,
			CacheKeyParameters: slices.Clone(in.CacheKeyParameters)}
		for _, r := range in.Responses {
			is.Responses = append(is.Responses, IntegrationResponseState{StatusCode: r.StatusCode, SelectionPattern: r.SelectionPattern,
				ResponseParameters: maps.Clone(r.ResponseParameters), ResponseTemplates: maps.Clone(r.ResponseTemplates),
				ContentHandling: r.ContentHandling})
		}
		sort.Slice(is.Responses, func(i, j int) bool { return is.Responses[i].StatusCode < is.Responses[j].StatusCode })
		out.Integration = is
	}
	return out
}

// deploymentState walks the deployment's route tree back into resources.
func deploymentState(d *Deployment) DeploymentState {
	out := DeploymentState{ID: d.ID, Description: d.Description, Created: d.Created}
	snap := d.Snapshot
	if snap == nil || snap.Root == nil {
		return out
	}
	out.RootID = snap.Root.ID
	out.BinaryMediaTypes = slices.Clone(snap.BinaryMediaTypes)
	var walk func(n *RouteNode, parent, part string)
	walk = func(n *RouteNode, parent, part string) {
		out.Routes.Resources = append(out.Routes.Resources, resourceState(n.ID, parent, part, n.Path, n.Methods))
		for p, c := range n.literal {
			walk(c, n.ID, p)
		}
		if n.param != nil {
			walk(n.param, n.ID, "{"+n.paramName+"}")
		}
		if n.greedy != nil {
			walk(n.greedy, n.ID, "{"+n.greedyName+"+}")
		}
	}
	walk(snap.Root, "", "")
	sortResources(out.Routes.Resources)
	for name, schema := range snap.Models {
		out.Routes.Models = append(out.Routes.Models, ModelState{Name: name, Schema: schema})
	}
	validators := map[string]*RequestValidator{}
	for id, v := range snap.Validators {
		validators[id] = &v
	}
	out.Routes.addParts(validators, snap.GatewayResponses, snap.Authorizers)
	return out
}

// --- loading

func (s *Store) loadState(st State) error {
	for _, as := range st.APIs {
		a, err := loadAPI(as)
		if err != nil {
			return fmt.Errorf("REST API %s: %w", as.ID, err)
		}
		s.mu.Lock()
		if s.apis[a.ID] != nil {
			s.mu.Unlock()
			return fmt.Errorf("REST API %s saved twice", a.ID)
		}
		s.apis[a.ID] = a
		s.mu.Unlock()
	}
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	for _, ks := range st.APIKeys {
		if ks.ID == "" || s.keys.keys[ks.ID] != nil || s.keys.byValue[ks.Value] != nil {
			return fmt.Errorf("API key %q: no id, or its id or value saved twice", ks.ID)
		}
		k := &APIKey{Region: ks.Region, ID: ks.ID, Value: ks.Value, Name: ks.Name, Description: ks.Description, CustomerID: ks.CustomerID,
			Enabled: ks.Enabled, StageKeys: ks.StageKeys, Tags: ks.Tags, Created: ks.Created, Updated: ks.Updated, plans: map[string]*UsagePlan{}}
		s.keys.keys[k.ID], s.keys.byValue[k.Value] = k, k
	}
	for _, ps := range st.UsagePlans {
		if ps.ID == "" || s.keys.plans[ps.ID] != nil {
			return fmt.Errorf("usage plan %q: no id, or saved twice", ps.ID)
		}
		p := &UsagePlan{Region: ps.Region, ID: ps.ID, Name: ps.Name, Description: ps.Description, ProductCode: ps.ProductCode,
			Tags: ps.Tags, Created: ps.Created, keys: map[string]*meter{}}
		for _, pst := range ps.Stages {
			stage := PlanStage{APIID: pst.APIID, Stage: pst.Stage}
			for k, t := range pst.Throttle {
				if stage.Throttle == nil {
					stage.Throttle = map[string]Throttle{}
				}
				stage.Throttle[k] = Throttle(t)
			}
			p.Stages = append(p.Stages, stage)
		}
		if ps.Throttle != nil {
			t := Throttle(*ps.Throttle)
			p.Throttle = &t
		}
		if ps.Quota != nil {
			q := Quota(*ps.Quota)
			p.Quota = &q
		}
		for _, id := range ps.Keys {
			k := s.keys.keys[id]
			if k == nil {
				return fmt.Errorf("usage plan %s: its key %s is not saved", ps.ID, id)
			}
			p.keys[id] = &meter{}
			k.plans[p.ID] = p
		}
		s.keys.plans[p.ID] = p
	}

	r := &s.regional
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ds := range st.Domains {
		d := &DomainName{Region: ds.Region, Name: ds.Name, ID: ds.ID, CertificateName: ds.CertificateName, CertificateArn: ds.CertificateArn,
			RegionalCertificateName: ds.RegionalCertificateName, RegionalCertificateArn: ds.RegionalCertificateArn,
			EndpointTypes: ds.EndpointTypes, SecurityPolicy: ds.SecurityPolicy, EndpointAccessMode: ds.EndpointAccessMode,
			RoutingMode: ds.RoutingMode, Policy: ds.Policy, OwnershipVerificationCertificateArn: ds.OwnershipVerificationCertificateArn,
			TruststoreURI: ds.TruststoreURI, TruststoreVersion: ds.TruststoreVersion, Tags: ds.Tags, Created: ds.Created,
			Mappings: map[string]*BasePathMapping{}}
		for _, m := range ds.Mappings {
			bm := BasePathMapping(m)
			d.Mappings[m.BasePath] = &bm
		}
		key := d.Region + "/" + d.Name
		if r.domains[key] != nil {
			return fmt.Errorf("domain name %s saved twice", d.Name)
		}
		r.domains[key] = d
	}
	for _, as := range st.Associations {
		r.assocs[as.ARN] = &AccessAssociation{ARN: as.ARN, DomainNameARN: as.DomainNameARN, SourceType: as.SourceType, Source: as.Source, Tags: as.Tags}
	}
	for _, ls := range st.VpcLinks {
		r.vpcLinks[ls.ID] = &VpcLink{Region: ls.Region, ID: ls.ID, Name: ls.Name, Description: ls.Description, TargetArns: ls.TargetArns, Tags: ls.Tags}
	}
	for _, cs := range st.ClientCerts {
		r.certs[cs.ID] = &ClientCert{Region: cs.Region, ID: cs.ID, Description: cs.Description, PEM: cs.PEM, Created: cs.Created,
			Expires: cs.Expires, Tags: cs.Tags}
	}
	for region, as := range st.Accounts {
		r.accounts[region] = &Account{CloudwatchRoleArn: as.CloudwatchRoleArn}
	}
	return nil
}

func loadAPI(st APIState) (*API, error) {
	if st.ID == "" || st.Region == "" {
		return nil, fmt.Errorf("no id or no region")
	}
	a := &API{Region: st.Region, ID: st.ID, Name: st.Name, Description: st.Description, Version: st.Version, Created: st.Created,
		BinaryMediaTypes: st.BinaryMediaTypes, MinimumCompressionSize: st.MinimumCompressionSize, APIKeySource: st.APIKeySource,
		EndpointTypes: st.EndpointTypes, DisableExecuteAPIEndpoint: st.DisableExecuteAPIEndpoint, Policy: st.Policy, Tags: st.Tags,
		RootID: st.RootID, deployments: map[string]*Deployment{}, stages: map[string]*Stage{},
		docParts: map[string]*DocPart{}, docVersions: map[string]*DocVersion{}}
	if err := a.loadRoutes(st.RootID, st.Routes); err != nil {
		return nil, err
	}
	for _, ds := range st.Deployments {
		d, err := loadDeployment(ds)
		if err != nil {
			return nil, fmt.Errorf("deployment %s: %w", ds.ID, err)
		}
		a.deployments[d.ID] = d
	}
	for _, ss := range st.Stages {
		if a.deployments[ss.DeploymentID] == nil {
			return nil, fmt.Errorf("stage %s: its deployment %s is not saved", ss.Name, ss.DeploymentID)
		}
		a.stages[ss.Name] = &Stage{Name: ss.Name, DeploymentID: ss.DeploymentID, Description: ss.Description, Variables: ss.Variables,
			TracingEnabled: ss.TracingEnabled, CacheClusterEnabled: ss.CacheClusterEnabled, CacheClusterSize: ss.CacheClusterSize,
			MethodSettings: ss.MethodSettings, Tags: ss.Tags, DocumentationVersion: ss.DocumentationVersion,
			ClientCertificateID: ss.ClientCertificateID, Created: ss.Created, Updated: ss.Updated}
	}
	for _, p := range st.DocParts {
		dp := docPart(p)
		a.docParts[dp.ID] = &dp
	}
	for _, vs := range st.DocVersions {
		v := &DocVersion{Version: vs.Version, Description: vs.Description, Created: vs.Created}
		for _, p := range vs.Parts {
			v.Parts = append(v.Parts, docPart(p))
		}
		a.docVersions[v.Version] = v
	}
	return a, nil
}

func docPart(p DocPartState) DocPart {
	return DocPart{ID: p.ID, Location: DocLocation{Type: p.Type, Path: p.Path, Method: p.Method, StatusCode: p.StatusCode, Name: p.Name},
		Properties: p.Properties}
}

// loadRoutes fills a's resources, models, validators, gateway responses
// and authorizers from rs; the root resource must be among them.
func (a *API) loadRoutes(rootID string, rs RoutesState) error {
	a.resources = map[string]*Resource{}
	a.models, a.validators, a.gatewayResponses, a.authorizers = map[string]*Model{}, map[string]*RequestValidator{},
		map[string]*GatewayResponse{}, map[string]*Authorizer{}
	for _, r := range rs.Resources {
		if r.ID == "" || a.resources[r.ID] != nil {
			return fmt.Errorf("resource %q: no id, or saved twice", r.ID)
		}
		res := &Resource{ID: r.ID, ParentID: r.ParentID, PathPart: r.PathPart, Path: r.Path, Methods: map[string]*Method{}}
		for _, m := range r.Methods {
			res.Methods[m.HTTPMethod] = loadMethod(m)
		}
		a.resources[r.ID] = res
	}
	if a.resources[rootID] == nil {
		return fmt.Errorf("its root resource %q is not saved", rootID)
	}
	for id, r := range a.resources {
		if id != rootID && (r.PathPart == "" || strings.Contains(r.PathPart, "/")) {
			return fmt.Errorf("resource %s: path part %q", id, r.PathPart)
		}
		// Every resource's ancestors lead to the root: a cycle would send
		// walks of the tree round for ever.
		at := r
		for steps := 0; at.ID != rootID; steps++ {
			if at = a.resources[at.ParentID]; at == nil || steps > len(a.resources) {
				return fmt.Errorf("resource %s: its parents do not lead to the root", id)
			}
		}
	}
	for _, m := range rs.Models {
		mm := Model(m)
		a.models[m.Name] = &mm
	}
	for _, v := range rs.Validators {
		vv := RequestValidator(v)
		a.validators[v.ID] = &vv
	}
	for _, g := range rs.GatewayResponses {
		gg := GatewayResponse(g)
		// PutGatewayResponse keeps empty maps, which answer {} (not null).
		if gg.ResponseParameters == nil {
			gg.ResponseParameters = map[string]string{}
		}
		if gg.ResponseTemplates == nil {
			gg.ResponseTemplates = map[string]string{}
		}
		a.gatewayResponses[g.Type] = &gg
	}
	for _, z := range rs.Authorizers {
		az := &Authorizer{ID: z.ID, Name: z.Name, Type: z.Type, ProviderARNs: z.ProviderARNs, AuthType: z.AuthType, URI: z.URI,
			Credentials: z.Credentials, IdentitySource: z.IdentitySource, IdentityValidationExpression: z.IdentityValidationExpression, TTL: z.TTL}
		if az.Type == "TOKEN" && az.IdentityValidationExpression != "" {
			re, err := regexp.Compile("^(?:" + az.IdentityValidationExpression + ")$")
			if err != nil {
				return fmt.Errorf("authorizer %s: %w", z.ID, err)
			}
			az.validation = re
		}
		a.authorizers[z.ID] = az
	}
	return nil
}

func loadMethod(m MethodState) *Method {
	out := &Method{HTTPMethod: m.HTTPMethod, AuthorizationType: m.AuthorizationType, AuthorizerID: m.AuthorizerID,
		APIKeyRequired: m.APIKeyRequired, OperationName: m.OperationName, RequestValidatorID: m.RequestValidatorID,
		RequestParameters: m.RequestParameters, RequestModels: m.RequestModels, AuthorizationScopes: m.AuthorizationScopes,
		Responses: map[string]*MethodResponse{}}
	for _, r := range m.Responses {
		out.Responses[r.StatusCode] = &MethodResponse{StatusCode: r.StatusCode, ResponseParameters: r.ResponseParameters, ResponseModels: r.ResponseModels}
	}
	if is := m.Integration; is != nil {
		in := &Integration{Type: is.Type, HTTPMethod: is.HTTPMethod, URI: is.URI, ConnectionType: is.ConnectionType, ConnectionID: is.ConnectionID,
			Credentials: is.Credentials, RequestParameters: is.RequestParameters, RequestTemplates: is.RequestTemplates,
			PassthroughBehavior: is.PassthroughBehavior, ContentHandling: is.ContentHandling, TimeoutMillis: is.TimeoutMillis,
			CacheNamespace: is.CacheNamespace, CacheKeyParameters: is.CacheKeyParameters, Responses: map[string]*IntegrationResponse{}}
		for _, r := range is.Responses {
			in.Responses[r.StatusCode] = &IntegrationResponse{StatusCode: r.StatusCode, SelectionPattern: r.SelectionPattern,
				ResponseParameters: r.ResponseParameters, ResponseTemplates: r.ResponseTemplates, ContentHandling: r.ContentHandling}
		}
		out.Integration = in
	}
	return out
}

// loadDeployment rebuilds a deployment's route tree from its resources.
func loadDeployment(ds DeploymentState) (*Deployment, error) {
	d := &Deployment{ID: ds.ID, Description: ds.Description, Created: ds.Created}
	if ds.ID == "" || ds.RootID == "" {
		return nil, fmt.Errorf("no id or no root resource")
	}
	frozen := &API{RootID: ds.RootID, BinaryMediaTypes: ds.BinaryMediaTypes}
	if err := frozen.loadRoutes(ds.RootID, ds.Routes); err != nil {
		return nil, err
	}
	d.Snapshot = frozen.snapshot()
	return d, nil
}
