package apigatewayv2

import (
	"time"

	"github.com/groundstack/groundstack/harness/emulator/services/execapi"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// This file holds the rules of every create and update: the store checks
// them under the API's lock, so a concurrent edit cannot slip between the
// check and the write.

// CreateAPI validates and stores a new API. An HTTP API created with Target
// (quick create) gets its integration, a route (RouteKey, else $default)
// and an auto-deployed $default stage, as AWS makes them.
func (s *Store) CreateAPI(region string, protocol string, in APISpec) (*API, error) {
	if protocol != ProtocolHTTP && protocol != ProtocolWebSocket {
		return nil, ErrBadRequest.New("Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]")
	}
	routeSel, keySel := deref(in.RouteSelectionExpression), deref(in.APIKeySelectionExpression)
	if protocol == ProtocolHTTP && routeSel == "" {
		routeSel = httpRouteSelection
	}
	if keySel == "" {
		keySel = defaultAPIKeySelection
	}
	if err := checkAPISelections(protocol, routeSel, keySel); err != nil {
		return nil, err
	}
	if protocol == ProtocolWebSocket && (in.CorsConfiguration != nil || in.Target != nil || in.RouteKey != nil) {
		return nil, ErrBadRequest.New("CORS configuration, Target and RouteKey are supported only for HTTP APIs")
	}
	if in.RouteKey != nil && in.Target == nil {
		return nil, ErrBadRequest.New("RouteKey can be specified only with Target (quick create)")
	}
	a := &API{
		APIInfo: APIInfo{
			ID: s.shortID(), Region: region, CreatedDate: Timestamp(s.now()), Name: deref(in.Name), ProtocolType: protocol,
			RouteSelectionExpression: routeSel, APIKeySelectionExpression: keySel, Description: deref(in.Description),
			Version: deref(in.Version), CorsConfiguration: in.CorsConfiguration, IPAddressType: "ipv4",
		},
		routes: map[string]*Route{}, integrations: map[string]*Integration{}, authorizers: map[string]*Authorizer{}, models: map[string]*Model{},
		stages: map[string]*Stage{}, deployments: map[string]*Deployment{},
	}
	if in.IPAddressType != nil {
		a.IPAddressType = *in.IPAddressType
	}
	if in.DisableExecuteAPIEndpoint != nil {
		a.DisableExecuteAPIEndpoint = *in.DisableExecuteAPIEndpoint
	}
	if in.DisableSchemaValidation != nil {
		a.DisableSchemaValidation = *in.DisableSchemaValidation
	}
	if err := checkCors(in.CorsConfiguration); err != nil {
		return nil, err
	}
	if len(in.Tags) > 0 {
		a.Tags = maps.Clone(in.Tags)
	}
	if in.Target != nil {
		if err := s.quickCreate(a, *in.Target, deref(in.RouteKey), deref(in.CredentialsArn)); err != nil {
			return nil, err
		}
	}
	s.addAPI(a)
	return a, nil
}

// quickCreate adds what CreateApi with Target makes.
func (s *Store) quickCreate(a *API, target, routeKey, credentials string) error {
	in := &Integration{ID: s.childID(), URI: target, CredentialsArn: credentials, TimeoutInMillis: 30000, PayloadFormatVersion: "2.0", ConnectionType: "INTERNET", APIGatewayManaged: true}
	if _, ok := lambdaTarget(target); ok {
		in.Type, in.Method = "AWS_PROXY", "POST"
	} else if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		in.Type, in.Method, in.PayloadFormatVersion = "HTTP_PROXY", "ANY", "1.0"
	} else {
		return ErrBadRequest.Errorf("Invalid target specified: %s. A target must be a Lambda function ARN or an HTTP URL", target)
	}
	if routeKey == "" {
		routeKey = RouteDefault
	}
	if err := checkRouteKey(ProtocolHTTP, routeKey); err != nil {
		return err
	}
	a.integrations[in.ID] = in
	r := &Route{ID: s.childID(), Key: routeKey, AuthorizationType: "NONE", Target: "integrations/" + in.ID, APIGatewayManaged: true}
	a.routes[r.ID] = r
	now := Timestamp(s.now())
	st := &Stage{Name: RouteDefault, AutoDeploy: true, CreatedDate: now, LastUpdatedDate: now, APIGatewayManaged: true, DefaultRouteSettings: &RouteSettings{DetailedMetricsEnabled: ptr(false)}}
	a.stages[st.Name] = st
	s.deployStage(a, st, "Automatic deployment triggered by changes to the Api configuration", true)
	return nil
}

// lambdaTarget recognises a Lambda function ARN or an integration URI
// naming one.
func lambdaTarget(uri string) (string, bool) {
	if strings.HasPrefix(uri, "arn:aws:lambda:") {
		return uri, true
	}
	return lambdaFunctionOf(uri)
}

// UpdateAPI applies an UpdateApi call.
func (a *API) Update(in APISpec) error {
	if in.Target != nil || in.RouteKey != nil {
		if a.ProtocolType != ProtocolHTTP {
			return ErrBadRequest.New("Target and RouteKey are supported only for HTTP APIs")
		}
	}
	routeSel, keySel := a.RouteSelectionExpression, a.APIKeySelectionExpression
	if in.RouteSelectionExpression != nil {
		routeSel = *in.RouteSelectionExpression
	}
	if in.APIKeySelectionExpression != nil {
		keySel = *in.APIKeySelectionExpression
	}
	if err := checkAPISelections(a.ProtocolType, routeSel, keySel); err != nil {
		return err
	}
	if in.CorsConfiguration != nil {
		if a.ProtocolType != ProtocolHTTP {
			return ErrBadRequest.New("CORS configuration is supported only for HTTP APIs")
		}
		if err := checkCors(in.CorsConfiguration); err != nil {
			return err
		}
		a.CorsConfiguration = in.CorsConfiguration
	}
	a.RouteSelectionExpression, a.APIKeySelectionExpression = routeSel, keySel
	set(&a.Name, in.Name)
	set(&a.Description, in.Description)
	set(&a.Version, in.Version)
	set(&a.IPAddressType, in.IPAddressType)
	setBool(&a.DisableExecuteAPIEndpoint, in.DisableExecuteAPIEndpoint)
	setBool(&a.DisableSchemaValidation, in.DisableSchemaValidation)
	return nil
}

func checkCors(c *Cors) error {
	if c == nil {
		return nil
	}
	if c.AllowCredentials != nil && *c.AllowCredentials && slices.Contains(c.AllowOrigins, "*") {
		return ErrBadRequest.New("allow-credentials is not supported with allow-origins *. Specify the origins instead")
	}
	for _, m := range c.AllowMethods {
		if m != "*" && !httpMethods[strings.ToUpper(m)] {
			return ErrBadRequest.Errorf("Invalid CORS method specified: %s", m)
		}
	}
	return nil
}

// --- routes -----------------------------------------------------------------------

// CreateRoute adds a route.
func (s *Store) CreateRoute(a *API, in RouteSpec) (*Route, error) {
	r := &Route{ID: s.childID(), AuthorizationType: "NONE"}
	if err := a.applyRoute(r, in); err != nil {
		return nil, err
	}
	a.routes[r.ID] = r
	return r, nil
}

// Route returns a route by id.
func (a *API) Route(id string) (*Route, error) {
	if r := a.routes[id]; r != nil {
		return r, nil
	}
	return nil, errNotFound("Route", id)
}

// Routes lists the routes by key.
func (a *API) Routes() []*Route {
	out := sortedValues(a.routes)
	slices.SortFunc(out, func(x, y *Route) int { return strings.Compare(x.Key, y.Key) })
	return out
}

// UpdateRoute changes a route.
func (a *API) UpdateRoute(id string, in RouteSpec) (*Route, error) {
	r, err := a.Route(id)
	if err != nil {
		return nil, err
	}
	c := *r
	if err := a.applyRoute(&c, in); err != nil {
		return nil, err
	}
	*r = c
	return r, nil
}

// DeleteRoute removes a route.
func (a *API) DeleteRoute(id string) error {
	if _, err := a.Route(id); err != nil {
		return err
	}
	delete(a.routes, id)
	return nil
}

// applyRoute checks a route's new settings and sets them on r (a copy
// when updating). Maps and slices are replaced, never edited in place.
func (a *API) applyRoute(r *Route, in RouteSpec) error {
	if in.RouteKey != nil {
		key := *in.RouteKey
		if err := checkRouteKey(a.ProtocolType, key); err != nil {
			return err
		}
		for _, o := range a.routes {
			if o.Key == key && o.ID != r.ID {
				return ErrConflict.Errorf("Unable to create Route. Route with key %s already exists for this API", key)
			}
		}
		r.Key = key
	}
	if r.Key == "" {
		return ErrBadRequest.New("RouteKey is required")
	}
	if in.Target != nil {
		t := *in.Target
		id, ok := strings.CutPrefix(t, "integrations/")
		if t != "" && (!ok || a.integrations[id] == nil) {
			return ErrBadRequest.Errorf("Invalid target specified: %s. A target must be integrations/{integrationId} of this API", t)
		}
		r.Target = t
	}
	if in.RouteResponseSelectionExpression != nil {
		e := *in.RouteResponseSelectionExpression
		if e != "" && e != RouteDefault {
			return ErrBadRequest.Errorf("Unsupported route response selection expression: %s. The only supported value is $default", e)
		}
		if e != "" && a.ProtocolType == ProtocolHTTP {
			return ErrBadRequest.New("Route response selection expressions are supported only for WebSocket APIs")
		}
		r.RouteResponseSelectionExpression = e
	}
	if in.ModelSelectionExpression != nil {
		if e := *in.ModelSelectionExpression; e != "" {
			if _, err := ParseSelection(e); err != nil {
				return err
			}
		}
		r.ModelSelectionExpression = *in.ModelSelectionExpression
	}
	set(&r.AuthorizationType, in.AuthorizationType)
	set(&r.AuthorizerID, in.AuthorizerID)
	set(&r.OperationName, in.OperationName)
	setBool(&r.APIKeyRequired, in.APIKeyRequired)
	if in.AuthorizationScopes != nil {
		r.AuthorizationScopes = slices.Clone(in.AuthorizationScopes)
	}
	if in.RequestModels != nil {
		r.RequestModels = maps.Clone(in.RequestModels)
	}
	if in.RequestParameters != nil {
		r.RequestParameters = maps.Clone(in.RequestParameters)
	}
	switch r.AuthorizationType {
	case "NONE", "AWS_IAM":
		if in.AuthorizationType != nil {
			r.AuthorizerID = ""
		}
	case "CUSTOM", "JWT":
		z := a.authorizers[r.AuthorizerID]
		if z == nil {
			return ErrBadRequest.Errorf("Invalid authorizer specified: %q. An authorizer ID of this API is required for authorization type %s", r.AuthorizerID, r.AuthorizationType)
		}
		if (r.AuthorizationType == "JWT") != (z.Type == "JWT") {
			return ErrBadRequest.Errorf("Authorization type %s does not match the authorizer's type %s", r.AuthorizationType, z.Type)
		}
	}
	if r.AuthorizationType == "JWT" && a.ProtocolType != ProtocolHTTP {
		return ErrBadRequest.New("JWT authorization is supported only for HTTP APIs")
	}
	if len(r.AuthorizationScopes) > 0 && r.AuthorizationType != "JWT" {
		return ErrBadRequest.New("Authorization scopes are supported only for JWT authorizers")
	}
	if a.ProtocolType == ProtocolWebSocket && r.AuthorizationType == "CUSTOM" && r.Key != RouteConnect {
		return ErrBadRequest.New("Currently, authorization is restricted to the $connect route only")
	}
	return nil
}

// --- route responses ------------------------------------------------------------------

// CreateRouteResponse adds a route response.
func (s *Store) CreateRouteResponse(a *API, routeID string, in RouteResponseSpec) (*RouteResponse, error) {
	r, err := a.Route(routeID)
	if err != nil {
		return nil, err
	}
	if a.ProtocolType != ProtocolWebSocket {
		return nil, ErrBadRequest.New("Route responses are supported only for WebSocket APIs")
	}
	rr := &RouteResponse{ID: s.childID()}
	if err := r.applyResponse(rr, in); err != nil {
		return nil, err
	}
	r.responses = cloneSet(r.responses, rr.ID, rr)
	return rr, nil
}

// RouteResponse returns a route response.
func (a *API) RouteResponse(routeID, id string) (*Route, *RouteResponse, error) {
	r, err := a.Route(routeID)
	if err != nil {
		return nil, nil, err
	}
	if rr := r.responses[id]; rr != nil {
		return r, rr, nil
	}
	return nil, nil, errNotFound("RouteResponse", id)
}

// RouteResponses lists a route's responses.
func (r *Route) RouteResponses() []*RouteResponse { return sortedValues(r.responses) }

// UpdateRouteResponse changes a route response.
func (a *API) UpdateRouteResponse(routeID, id string, in RouteResponseSpec) (*RouteResponse, error) {
	r, rr, err := a.RouteResponse(routeID, id)
	if err != nil {
		return nil, err
	}
	c := *rr
	if err := r.applyResponse(&c, in); err != nil {
		return nil, err
	}
	r.responses = cloneSet(r.responses, c.ID, &c)
	return &c, nil
}

// DeleteRouteResponse removes a route response.
func (a *API) DeleteRouteResponse(routeID, id string) error {
	r, _, err := a.RouteResponse(routeID, id)
	if err != nil {
		return err
	}
	r.responses = cloneDelete(r.responses, id)
	return nil
}

func (r *Route) applyResponse(rr *RouteResponse, in RouteResponseSpec) error {
	if in.RouteResponseKey != nil {
		if *in.RouteResponseKey != RouteDefault {
			return ErrBadRequest.Errorf("Invalid route response key: %s. The only supported key is $default", *in.RouteResponseKey)
		}
		for _, o := range r.responses {
			if o.Key == *in.RouteResponseKey && o.ID != rr.ID {
				return ErrConflict.Errorf("Unable to create RouteResponse. RouteResponse with key %s already exists for this Route", o.Key)
			}
		}
		rr.Key = *in.RouteResponseKey
	}
	set(&rr.ModelSelectionExpression, in.ModelSelectionExpression)
	if in.ResponseModels != nil {
		rr.ResponseModels = maps.Clone(in.ResponseModels)
	}
	if in.ResponseParameters != nil {
		rr.ResponseParameters = maps.Clone(in.ResponseParameters)
	}
	return nil
}

// --- integrations ------------------------------------------------------------------------

// CreateIntegration adds an integration.
func (s *Store) CreateIntegration(a *API, in IntegrationSpec) (*Integration, error) {
	in2 := &Integration{ID: s.childID(), ConnectionType: "INTERNET"}
	if a.ProtocolType == ProtocolWebSocket {
		in2.PassthroughBehavior = "WHEN_NO_MATCH"
		in2.TimeoutInMillis = 29000
	} else {
		in2.TimeoutInMillis = 30000
	}
	if err := a.applyIntegration(in2, in, true); err != nil {
		return nil, err
	}
	a.integrations[in2.ID] = in2
	return in2, nil
}

// Integration returns an integration by id.
func (a *API) Integration(id string) (*Integration, error) {
	if in := a.integrations[id]; in != nil {
		return in, nil
	}
	return nil, errNotFound("Integration", id)
}

// Integrations lists the integrations.
func (a *API) Integrations() []*Integration { return sortedValues(a.integrations) }

// UpdateIntegration changes an integration.
func (a *API) UpdateIntegration(id string, in IntegrationSpec) (*Integration, error) {
	cur, err := a.Integration(id)
	if err != nil {
		return nil, err
	}
	c := *cur
	if err := a.applyIntegration(&c, in, false); err != nil {
		return nil, err
	}
	*cur = c
	return cur, nil
}

// DeleteIntegration removes an integration (DeleteIntegration models no
// conflict: routes that targeted it answer 500 once redeployed).
func (a *API) DeleteIntegration(id string) error {
	if _, err := a.Integration(id); err != nil {
		return err
	}
	delete(a.integrations, id)
	return nil
}

var statusKeyPattern = regexp.MustCompile(`^(\$default|/.*/)$`)

func (a *API) applyIntegration(c *Integration, in IntegrationSpec, create bool) error {
	set(&c.Type, in.IntegrationType)
	set(&c.URI, in.IntegrationURI)
	set(&c.Method, in.IntegrationMethod)
	set(&c.Subtype, in.IntegrationSubtype)
	set(&c.ConnectionID, in.ConnectionID)
	set(&c.ConnectionType, in.ConnectionType)
	set(&c.ContentHandlingStrategy, in.ContentHandlingStrategy)
	set(&c.CredentialsArn, in.CredentialsArn)
	set(&c.Description, in.Description)
	set(&c.PassthroughBehavior, in.PassthroughBehavior)
	set(&c.PayloadFormatVersion, in.PayloadFormatVersion)
	set(&c.TemplateSelectionExpression, in.TemplateSelectionExpression)
	if in.TimeoutInMillis != nil {
		c.TimeoutInMillis = *in.TimeoutInMillis
	}
	if in.TLSConfig != nil {
		t := *in.TLSConfig
		c.TLSConfig = &t
	}
	if in.RequestParameters != nil {
		c.RequestParameters = maps.Clone(in.RequestParameters)
	}
	if in.RequestTemplates != nil {
		c.RequestTemplates = maps.Clone(in.RequestTemplates)
	}
	if in.ResponseParameters != nil {
		c.ResponseParameters = maps.Clone(in.ResponseParameters)
	}
	ws := a.ProtocolType == ProtocolWebSocket
	switch c.Type {
	case "AWS_PROXY":
		if c.URI == "" {
			return ErrBadRequest.New("Integration URI is required for AWS_PROXY integrations")
		}
		if _, ok := lambdaTarget(c.URI); !ok && c.Subtype == "" {
			return ErrBadRequest.Errorf("Invalid integration URI specified: %s. An AWS_PROXY integration's URI must name a Lambda function", c.URI)
		}
		if c.Method == "" {
			c.Method = "POST"
		}
		if c.PayloadFormatVersion == "" {
			if ws {
				c.PayloadFormatVersion = "1.0"
			} else {
				return ErrBadRequest.New("PayloadFormatVersion is required for AWS_PROXY integrations of HTTP APIs. Supported values are 1.0 and 2.0")
			}
		}
	case "HTTP_PROXY", "HTTP":
		if c.URI == "" {
			return ErrBadRequest.Errorf("Integration URI is required for %s integrations", c.Type)
		}
		if c.ConnectionType != "VPC_LINK" && !strings.HasPrefix(c.URI, "http://") && !strings.HasPrefix(c.URI, "https://") {
			return ErrBadRequest.Errorf("Invalid integration URI specified: %s. An HTTP URL is required", c.URI)
		}
		if c.Method == "" {
			return ErrBadRequest.Errorf("Integration method is required for %s integrations", c.Type)
		}
		if c.Type == "HTTP" && !ws {
			return ErrBadRequest.New("HTTP integrations are supported only for WebSocket APIs; use HTTP_PROXY")
		}
		if c.PayloadFormatVersion == "" {
			c.PayloadFormatVersion = "1.0"
		}
	case "MOCK", "AWS":
		if !ws {
			return ErrBadRequest.Errorf("%s integrations are supported only for WebSocket APIs", c.Type)
		}
	case "":
		return ErrBadRequest.New("IntegrationType is required")
	}
	if c.PayloadFormatVersion != "" && c.PayloadFormatVersion != "1.0" && c.PayloadFormatVersion != "2.0" {
		return ErrBadRequest.Errorf("Invalid payload format version specified: %s. Supported values are 1.0 and 2.0", c.PayloadFormatVersion)
	}
	if ws && c.PayloadFormatVersion == "2.0" {
		return ErrBadRequest.New("Payload format version 2.0 is supported only for HTTP APIs")
	}
	if ws && c.Type != "AWS_PROXY" && c.Type != "HTTP_PROXY" {
		c.IntegrationResponseSelectionExpression = wsIntegrationResponseSelex
		if c.TemplateSelectionExpression == "" && create && len(c.RequestTemplates) > 0 {
			c.TemplateSelectionExpression = `\$default`
		}
	}
	if e := c.TemplateSelectionExpression; e != "" {
		if _, err := ParseSelection(e); err != nil {
			return err
		}
	}
	return nil
}

// --- integration responses -------------------------------------------------------------

// CreateIntegrationResponse adds an integration response.
func (s *Store) CreateIntegrationResponse(a *API, integrationID string, in IntegrationResponseSpec) (*IntegrationResponse, error) {
	ig, err := a.Integration(integrationID)
	if err != nil {
		return nil, err
	}
	if a.ProtocolType != ProtocolWebSocket {
		return nil, ErrBadRequest.New("Integration responses are supported only for WebSocket APIs")
	}
	ir := &IntegrationResponse{ID: s.childID()}
	if err := ig.applyResponse(ir, in); err != nil {
		return nil, err
	}
	ig.responses = cloneSet(ig.responses, ir.ID, ir)
	return ir, nil
}

// IntegrationResponse returns an integration response.
func (a *API) IntegrationResponse(integrationID, id string) (*Integration, *IntegrationResponse, error) {
	ig, err := a.Integration(integrationID)
	if err != nil {
		return nil, nil, err
	}
	if ir := ig.responses[id]; ir != nil {
		return ig, ir, nil
	}
	return nil, nil, errNotFound("IntegrationResponse", id)
}

// IntegrationResponses lists an integration's responses.
func (ig *Integration) IntegrationResponses() []*IntegrationResponse {
	return sortedValues(ig.responses)
}

// UpdateIntegrationResponse changes an integration response.
func (a *API) UpdateIntegrationResponse(integrationID, id string, in IntegrationResponseSpec) (*IntegrationResponse, error) {
	ig, ir, err := a.IntegrationResponse(integrationID, id)
	if err != nil {
		return nil, err
	}
	c := *ir
	if err := ig.applyResponse(&c, in); err != nil {
		return nil, err
	}
	ig.responses = cloneSet(ig.responses, c.ID, &c)
	return &c, nil
}

// DeleteIntegrationResponse removes an integration response.
func (a *API) DeleteIntegrationResponse(integrationID, id string) error {
	ig, _, err := a.IntegrationResponse(integrationID, id)
	if err != nil {
		return err
	}
	ig.responses = cloneDelete(ig.responses, id)
	return nil
}

func (ig *Integration) applyResponse(ir *IntegrationResponse, in IntegrationResponseSpec) error {
	if in.IntegrationResponseKey != nil {
		k := *in.IntegrationResponseKey
		if !statusKeyPattern.MatchString(k) {
			return ErrBadRequest.Errorf("Invalid integration response key: %s. Use $default or a regular expression between slashes, e.g. /2\\d\\d/", k)
		}
		if _, err := regexp.Compile(strings.Trim(k, "/")); k != RouteDefault && err != nil {
			return ErrBadRequest.Errorf("Invalid integration response key: %s", k)
		}
		for _, o := range ig.responses {
			if o.Key == k && o.ID != ir.ID {
				return ErrConflict.Errorf("Unable to create IntegrationResponse. IntegrationResponse with key %s already exists for this Integration", k)
			}
		}
		ir.Key = k
	}
	set(&ir.ContentHandlingStrategy, in.ContentHandlingStrategy)
	set(&ir.TemplateSelectionExpression, in.TemplateSelectionExpression)
	if in.ResponseParameters != nil {
		ir.ResponseParameters = maps.Clone(in.ResponseParameters)
	}
	if in.ResponseTemplates != nil {
		ir.ResponseTemplates = maps.Clone(in.ResponseTemplates)
	}
	return nil
}

// --- authorizers ---------------------------------------------------------------------------

// CreateAuthorizer adds an authorizer.
func (s *Store) CreateAuthorizer(a *API, in AuthorizerSpec) (*Authorizer, error) {
	z := &Authorizer{ID: s.childID()}
	if err := a.applyAuthorizer(z, in); err != nil {
		return nil, err
	}
	a.authorizers[z.ID] = z
	return z, nil
}

// Authorizer returns an authorizer by id.
func (a *API) Authorizer(id string) (*Authorizer, error) {
	if z := a.authorizers[id]; z != nil {
		return z, nil
	}
	return nil, errNotFound("Authorizer", id)
}

// Authorizers lists the authorizers.
func (a *API) Authorizers() []*Authorizer { return sortedValues(a.authorizers) }

// UpdateAuthorizer changes an authorizer.
func (a *API) UpdateAuthorizer(id string, in AuthorizerSpec) (*Authorizer, error) {
	z, err := a.Authorizer(id)
	if err != nil {
		return nil, err
	}
	c := *z
	if err := a.applyAuthorizer(&c, in); err != nil {
		return nil, err
	}
	*z = c
	return z, nil
}

// DeleteAuthorizer removes an authorizer (DeleteAuthorizer models no
// conflict: routes that used it refuse requests with 500 once redeployed,
// never serve them unprotected).
func (a *API) DeleteAuthorizer(id string) error {
	if _, err := a.Authorizer(id); err != nil {
		return err
	}
	delete(a.authorizers, id)
	return nil
}

func (a *API) applyAuthorizer(z *Authorizer, in AuthorizerSpec) error {
	set(&z.Name, in.Name)
	set(&z.Type, in.AuthorizerType)
	set(&z.URI, in.AuthorizerURI)
	set(&z.CredentialsArn, in.AuthorizerCredentialsArn)
	set(&z.PayloadFormatVersion, in.AuthorizerPayloadFormatVersion)
	set(&z.IdentityValidationExpression, in.IdentityValidationExpression)
	setBool(&z.EnableSimpleResponses, in.EnableSimpleResponses)
	if in.AuthorizerResultTTLInSeconds != nil {
		v := *in.AuthorizerResultTTLInSeconds
		z.ResultTTLInSeconds = &v
	}
	if in.IdentitySource != nil {
		z.IdentitySource = slices.Clone(in.IdentitySource)
	}
	if in.JWTConfiguration != nil {
		j := *in.JWTConfiguration
		j.Audience = slices.Clone(j.Audience)
		z.JWTConfiguration = &j
	}
	for _, o := range a.authorizers {
		if o.Name == z.Name && o.ID != z.ID {
			return ErrConflict.Errorf("Unable to create Authorizer. Authorizer with name %s already exists for this API", z.Name)
		}
	}
	switch z.Type {
	case "JWT":
		if a.ProtocolType != ProtocolHTTP {
			return ErrBadRequest.New("JWT authorizers are supported only for HTTP APIs")
		}
		if z.JWTConfiguration == nil || z.JWTConfiguration.Issuer == "" {
			return ErrBadRequest.New("JwtConfiguration with an Issuer is required for JWT authorizers")
		}
		if len(z.JWTConfiguration.Audience) == 0 {
			return ErrBadRequest.New("JwtConfiguration must specify at least one Audience")
		}
		if len(z.IdentitySource) != 1 || !strings.HasPrefix(z.IdentitySource[0], "$request.header.") && !strings.HasPrefix(z.IdentitySource[0], "$request.querystring.") {
			return ErrBadRequest.New("JWT authorizers take exactly one identity source: $request.header.{name} or $request.querystring.{name}")
		}
	case "REQUEST":
		if _, ok := lambdaFunctionOf(z.URI); !ok {
			return ErrBadRequest.Errorf("Invalid authorizer URI specified: %q. A Lambda function invocation URI is required", z.URI)
		}
		if a.ProtocolType == ProtocolHTTP {
			if z.PayloadFormatVersion == "" {
				return ErrBadRequest.New("AuthorizerPayloadFormatVersion is required for REQUEST authorizers of HTTP APIs. Supported values are 1.0 and 2.0")
			}
			if z.PayloadFormatVersion != "1.0" && z.PayloadFormatVersion != "2.0" {
				return ErrBadRequest.Errorf("Invalid authorizer payload format version: %s", z.PayloadFormatVersion)
			}
			if z.EnableSimpleResponses && z.PayloadFormatVersion != "2.0" {
				return ErrBadRequest.New("Simple responses are supported only with authorizer payload format version 2.0")
			}
		} else if z.EnableSimpleResponses {
			return ErrBadRequest.New("Simple responses are supported only for HTTP APIs")
		}
		if z.ResultTTLInSeconds != nil && *z.ResultTTLInSeconds > 0 && len(z.IdentitySource) == 0 {
			return ErrBadRequest.New("Identity sources are required when authorizer caching is enabled")
		}
		for _, src := range z.IdentitySource {
			if err := checkIdentitySource(a.ProtocolType, src); err != nil {
				return err
			}
		}
	case "":
		return ErrBadRequest.New("AuthorizerType is required")
	}
	return nil
}

// checkIdentitySource accepts $request.header.X, $request.querystring.X,
// $context.X, $stageVariables.X (HTTP APIs) and route.request.header.X,
// route.request.querystring.X, stageVariables.X, context.X (WebSocket).
func checkIdentitySource(protocol, src string) error {
	roots := []string{"$request.header.", "$request.querystring.", "$context.", "$stageVariables."}
	if protocol == ProtocolWebSocket {
		roots = []string{"route.request.header.", "route.request.querystring.", "stageVariables.", "context."}
	}
	for _, r := range roots {
		if strings.HasPrefix(src, r) && len(src) > len(r) {
			return nil
		}
	}
	return ErrBadRequest.Errorf("Invalid identity source specified: %s", src)
}

// --- stages and deployments ---------------------------------------------------------------

var stageNamePattern = regexp.MustCompile(`^(\$default|[a-zA-Z0-9_\-]{1,128})$`)

// CreateStage adds a stage (deployed at once when it auto-deploys).
func (s *Store) CreateStage(a *API, name string, in StageSpec, tags map[string]string) (*Stage, error) {
	if !stageNamePattern.MatchString(name) {
		return nil, ErrBadRequest.Errorf("Stage name only allows a-zA-Z0-9_- or $default: %s", name)
	}
	if name == RouteDefault && a.ProtocolType != ProtocolHTTP {
		return nil, ErrBadRequest.New("$default stages are supported only for HTTP APIs")
	}
	if a.stages[name] != nil {
		return nil, ErrConflict.Errorf("Stage %s already exists", name)
	}
	now := Timestamp(s.now())
	st := &Stage{Name: name, CreatedDate: now, LastUpdatedDate: now, DefaultRouteSettings: &RouteSettings{DataTraceEnabled: ptr(false), DetailedMetricsEnabled: ptr(false)}}
	if len(tags) > 0 {
		st.Tags = maps.Clone(tags)
	}
	if err := a.applyStage(st, in); err != nil {
		return nil, err
	}
	a.stages[name] = st
	if st.AutoDeploy {
		s.deployStage(a, st, "Automatic deployment triggered by changes to the Api configuration", true)
	}
	return st, nil
}

// Stage returns a stage by name.
func (a *API) Stage(name string) (*Stage, error) {
	if st := a.stages[name]; st != nil {
		return st, nil
	}
	return nil, errStageNotFound(name)
}

// Stages lists the stages by name.
func (a *API) Stages() []*Stage { return sortedValues(a.stages) }

// UpdateStage changes a stage.
func (s *Store) UpdateStage(a *API, name string, in StageSpec) (*Stage, error) {
	st, err := a.Stage(name)
	if err != nil {
		return nil, err
	}
	c := *st
	if err := a.applyStage(&c, in); err != nil {
		return nil, err
	}
	c.LastUpdatedDate = Timestamp(s.now())
	was := st.AutoDeploy
	*st = c
	if st.AutoDeploy && !was {
		s.deployStage(a, st, "Automatic deployment triggered by changes to the Api configuration", true)
	}
	return st, nil
}

// DeleteStage removes a stage.
func (a *API) DeleteStage(name string) error {
	if _, err := a.Stage(name); err != nil {
		return err
	}
	delete(a.stages, name)
	return nil
}

func (a *API) applyStage(st *Stage, in StageSpec) error {
	if in.DeploymentID != nil && *in.DeploymentID != "" {
		if a.deployments[*in.DeploymentID] == nil {
			return ErrBadRequest.Errorf("Deployment %s does not exist", *in.DeploymentID)
		}
		st.DeploymentID = *in.DeploymentID
	}
	setBool(&st.AutoDeploy, in.AutoDeploy)
	set(&st.Description, in.Description)
	set(&st.ClientCertificateID, in.ClientCertificateID)
	if in.AccessLogSettings != nil {
		l := *in.AccessLogSettings
		st.AccessLogSettings = &l
	}
	if in.DefaultRouteSettings != nil {
		d := *in.DefaultRouteSettings
		st.DefaultRouteSettings = &d
	}
	if in.RouteSettings != nil {
		st.RouteSettings = maps.Clone(in.RouteSettings)
	}
	if in.StageVariables != nil {
		for k, v := range in.StageVariables {
			if !stageVarName.MatchString(k) {
				return ErrBadRequest.Errorf("Stage variable name %s is invalid: names may hold only a-zA-Z0-9_", k)
			}
			if !stageVarValue.MatchString(v) {
				return ErrBadRequest.Errorf("Stage variable value %s is invalid", v)
			}
		}
		st.StageVariables = maps.Clone(in.StageVariables)
	}
	return nil
}

var (
	stageVarName  = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
	stageVarValue = regexp.MustCompile(`^[A-Za-z0-9\-._~:/?#&=,]{0,512}$`)
)

// CreateDeployment deploys the API, to a stage when named.
func (s *Store) CreateDeployment(a *API, stage, description string) (*Deployment, error) {
	if len(a.routes) == 0 {
		return nil, ErrBadRequest.New("At least one route is required before deploying the Api.")
	}
	if stage != "" {
		st, err := a.Stage(stage)
		if err != nil {
			return nil, err
		}
		if st.AutoDeploy {
			return nil, ErrBadRequest.Errorf("Stage %s has autoDeploy enabled: it is deployed automatically", stage)
		}
		return s.deployStage(a, st, description, false), nil
	}
	return s.deploy(a, description, false), nil
}

// Deployment returns a deployment by id.
func (a *API) Deployment(id string) (*Deployment, error) {
	if d := a.deployments[id]; d != nil {
		return d, nil
	}
	return nil, errNotFound("Deployment", id)
}

// Deployments lists the deployments, oldest first.
func (a *API) Deployments() []*Deployment {
	out := sortedValues(a.deployments)
	slices.SortStableFunc(out, func(x, y *Deployment) int {
		return compareTime(x.CreatedDate, y.CreatedDate)
	})
	return out
}

// DeleteDeployment removes a deployment no stage uses.
func (a *API) DeleteDeployment(id string) error {
	if _, err := a.Deployment(id); err != nil {
		return err
	}
	if a.stageUses(id) {
		return ErrBadRequest.Errorf("Active stages pointing to this deployment must be moved or deleted")
	}
	delete(a.deployments, id)
	return nil
}

// --- small helpers ---------------------------------------------------------------------------

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func set(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func setBool(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

func ptr[T any](v T) *T { return &v }

// cloneSet returns a copy of m with k set to v: maps a deployment may share
// are never written in place.
func cloneSet[V any](m map[string]V, k string, v V) map[string]V {
	c := make(map[string]V, len(m)+1)
	maps.Copy(c, m)
	c[k] = v
	return c
}

func cloneDelete[V any](m map[string]V, k string) map[string]V {
	c := maps.Clone(m)
	delete(c, k)
	return c
}

func compareTime(a, b Timestamp) int { return time.Time(a).Compare(time.Time(b)) }

func lambdaFunctionOf(uri string) (string, bool) { return execapi.LambdaFunctionOf(uri) }
