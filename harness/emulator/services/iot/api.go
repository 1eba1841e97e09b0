package iot

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Service is AWS IoT Core's control plane and rules engine.
type Service struct {
	env    *cloud.Env
	store  *Store
	api    awsproto.API
	engine *engine
}

// New returns the service; it starts observing the emulator's MQTT broker
// (cloud.LinkMQTT) when there is one.
func New(env *cloud.Env) *Service {
	s := &Service{env: env, store: NewStore(env.Account, env.NewID, env.Now)}
	s.api = awsproto.API{
		Model:    "iot",
		Base:     awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Protocol: awsproto.RestJSON,
		MaxBody:  1 << 20,
		Invalid:  errInvalidRequest,
	}
	const rule = "/rules/{ruleName}"
	s.api.Register(
		awsproto.Handle("DescribeEndpoint", s.describeEndpoint).At("GET /endpoint"),
		awsproto.Handle("CreateThing", s.createThing).At("POST /things/{thingName}"),
		awsproto.Handle("DescribeThing", s.describeThing).At("GET /things/{thingName}"),
		awsproto.Handle("ListThings", s.listThings).At("GET /things"),
		awsproto.Handle("DeleteThing", s.deleteThing).At("DELETE /things/{thingName}"),
		awsproto.Handle("CreateTopicRule", s.createTopicRule).At("POST "+rule),
		awsproto.Handle("ReplaceTopicRule", s.replaceTopicRule).At("PATCH "+rule),
		awsproto.Handle("GetTopicRule", s.getTopicRule).At("GET "+rule),
		awsproto.Handle("ListTopicRules", s.listTopicRules).At("GET /rules"),
		awsproto.Handle("DeleteTopicRule", s.deleteTopicRule).At("DELETE "+rule),
		awsproto.Handle("EnableTopicRule", s.enableTopicRule).At("POST "+rule+"/enable"),
		awsproto.Handle("DisableTopicRule", s.disableTopicRule).At("POST "+rule+"/disable"),
	)
	s.engine = newEngine(env, s.store)
	return s
}

func (s *Service) Name() string                { return "iot" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.RestJSON }
func (s *Service) Reset()                      { s.store.Reset() }
func (s *Service) Routes() []cloud.Route {
	return []cloud.Route{{Kind: cloud.ByScope, Key: "iot"}}
}

// APIs is the service's API, for the coverage report and the model checks.
func (s *Service) APIs() []*awsproto.API { return []*awsproto.API{&s.api} }

func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.api.ServeHTTP(w, r) }

// Close stops the rules engine, waiting for the actions it runs.
func (s *Service) Close() error { s.engine.close(); return nil }

// Summary counts things and rules for GET /_groundstack/state.
func (s *Service) Summary() map[string]any {
	t, r := s.store.counts()
	return map[string]any{"things": t, "topicRules": r}
}

// Stats are the rules engine's counters (for tests and benchmarks).
func (s *Service) Stats() EngineStats { return s.engine.stats() }

type describeEndpointInput struct {
	EndpointType *string `json:"-" location:"querystring" name:"endpointType" max:"128" pattern:"[\\s\\S]*"`
}

type describeEndpointOutput struct {
	EndpointAddress string `json:"endpointAddress"`
}

// describeEndpoint answers the MQTT broker's host:port for the data
// endpoints (a client connects there with MQTT), and the edge's for the
// others (HTTP APIs).
func (s *Service) describeEndpoint(c *awsproto.Call, in *describeEndpointInput) (describeEndpointOutput, error) {
	t := "iot:Data"
	if in.EndpointType != nil {
		t = *in.EndpointType
	}
	switch t {
	case "iot:Data", "iot:Data-ATS":
		if b, ok := s.env.Links.Get(cloud.LinkMQTT).(cloud.MessageBroker); ok && b.Address() != "" {
			return describeEndpointOutput{EndpointAddress: b.Address()}, nil
		}
		return describeEndpointOutput{}, errInvalidRequest.New("The MQTT broker is not running")
	case "iot:CredentialProvider", "iot:Jobs":
		host := s.env.Host
		if host == "" {
			host = c.Host
		}
		return describeEndpointOutput{EndpointAddress: host}, nil
	}
	return describeEndpointOutput{}, errInvalidRequest.New("Endpoint type " + t + " is not valid.")
}

type attributePayload struct {
	Attributes map[string]string `json:"attributes"`
	Merge      bool              `json:"merge"`
}

type createThingInput struct {
	ThingName        *string           `json:"-" location:"uri" name:"thingName" required:"true" min:"1" max:"128" pattern:"[a-zA-Z0-9:_-]+"`
	ThingTypeName    *string           `json:"thingTypeName" min:"1" max:"128" pattern:"[a-zA-Z0-9:_-]+"`
	AttributePayload *attributePayload `json:"attributePayload"`
	BillingGroupName *string           `json:"billingGroupName" min:"1" max:"128" pattern:"[a-zA-Z0-9:_-]+"`
}

type createThingOutput struct {
	ThingName string `json:"thingName"`
	ThingArn  string `json:"thingArn"`
	ThingID   string `json:"thingId"`
}

func (s *Service) createThing(c *awsproto.Call, in *createThingInput) (createThingOutput, error) {
	var attrs map[string]string
	if in.AttributePayload != nil {
		attrs = in.AttributePayload.Attributes
		if len(attrs) > 50 {
			return createThingOutput{}, errInvalidRequest.New("A thing can have at most 50 attributes")
		}
	}
	t, err := s.store.createThing(c.Region, *in.ThingName, deref(in.ThingTypeName), attrs)
	if err != nil {
		return createThingOutput{}, err
	}
	return createThingOutput{ThingName: t.name, ThingArn: t.arn, ThingID: t.id}, nil
}

type thingNameInput struct {
	ThingName *string `json:"-" location:"uri" name:"thingName" required:"true" min:"1" max:"128" pattern:"[a-zA-Z0-9:_-]+"`
}

type describeThingOutput struct {
	DefaultClientID string            `json:"defaultClientId"`
	ThingName       string            `json:"thingName"`
	ThingID         string            `json:"thingId"`
	ThingArn        string            `json:"thingArn"`
	ThingTypeName   string            `json:"thingTypeName,omitempty"`
	Attributes      map[string]string `json:"attributes"`
	Version         int64             `json:"version"`
}

func (s *Service) describeThing(c *awsproto.Call, in *thingNameInput) (describeThingOutput, error) {
	t, err := s.store.thing(c.Region, *in.ThingName)
	if err != nil {
		return describeThingOutput{}, err
	}
	return describeThingOutput{DefaultClientID: t.name, ThingName: t.name, ThingID: t.id, ThingArn: t.arn,
		ThingTypeName: t.typeName, Attributes: t.attributes, Version: t.version}, nil
}

type listThingsInput struct {
	NextToken      *string `json:"-" location:"querystring" name:"nextToken"`
	MaxResults     *int    `json:"-" location:"querystring" name:"maxResults" min:"1" max:"250"`
	AttributeName  *string `json:"-" location:"querystring" name:"attributeName" max:"128" pattern:"[a-zA-Z0-9_.,@/:#-]+"`
	AttributeValue *string `json:"-" location:"querystring" name:"attributeValue" max:"800" pattern:"[a-zA-Z0-9_.,@/:#=\\[\\]-]*"`
	ThingTypeName  *string `json:"-" location:"querystring" name:"thingTypeName" min:"1" max:"128" pattern:"[a-zA-Z0-9:_-]+"`
	// UsePrefixAttributeValue matches attributeValue as a prefix.
	UsePrefixAttributeValue bool `json:"-" location:"querystring" name:"usePrefixAttributeValue"`
}

type thingAttribute struct {
	ThingName     string            `json:"thingName"`
	ThingTypeName string            `json:"thingTypeName,omitempty"`
	ThingArn      string            `json:"thingArn"`
	Attributes    map[string]string `json:"attributes"`
	Version       int64             `json:"version"`
}

type listThingsOutput struct {
	Things    []thingAttribute `json:"things"`
	NextToken string           `json:"nextToken,omitempty"`
}

func attributeMatches(v, want string, prefix bool) bool {
	if prefix {
		return strings.HasPrefix(v, want)
	}
	return v == want
}

func (s *Service) listThings(c *awsproto.Call, in *listThingsInput) (listThingsOutput, error) {
	var all []thingAttribute
	for _, t := range s.store.listThings(c.Region) {
		if in.ThingTypeName != nil && t.typeName != *in.ThingTypeName {
			continue
		}
		if in.AttributeName != nil {
			v, ok := t.attributes[*in.AttributeName]
			if !ok || in.AttributeValue != nil && !attributeMatches(v, *in.AttributeValue, in.UsePrefixAttributeValue) {
				continue
			}
		}
		all = append(all, thingAttribute{ThingName: t.name, ThingTypeName: t.typeName, ThingArn: t.arn, Attributes: t.attributes, Version: t.version})
	}
	page, next, err := paginate(all, in.NextToken, in.MaxResults, 50)
	return listThingsOutput{Things: nonNil(page), NextToken: next}, err
}

type deleteThingInput struct {
	ThingName       *string `json:"-" location:"uri" name:"thingName" required:"true" min:"1" max:"128" pattern:"[a-zA-Z0-9:_-]+"`
	ExpectedVersion *int64  `json:"-" location:"querystring" name:"expectedVersion"`
}

type empty struct{}

func (s *Service) deleteThing(c *awsproto.Call, in *deleteThingInput) (empty, error) {
	return empty{}, s.store.deleteThing(c.Region, *in.ThingName, in.ExpectedVersion)
}

// topicRulePayload is a rule as CreateTopicRule sends it and GetTopicRule
// returns it; actions are typed with the model's constraints
// (actions_model.go) and kept as sent, so actions groundstack does not run
// still read back.
type topicRulePayload struct {
	SQL              *string      `json:"sql" required:"true"`
	Description      *string      `json:"description,omitempty"`
	Actions          []ruleAction `json:"actions" required:"true" max:"10"`
	RuleDisabled     *bool        `json:"ruleDisabled,omitempty"`
	AwsIotSQLVersion *string      `json:"awsIotSqlVersion,omitempty"`
	ErrorAction      *ruleAction  `json:"errorAction,omitempty"`
}

type createTopicRuleInput struct {
	RuleName         *string           `json:"-" location:"uri" name:"ruleName" required:"true" min:"1" max:"128" pattern:"^[a-zA-Z0-9_]+$"`
	TopicRulePayload *topicRulePayload `json:"-" location:"body" required:"true"`
	Tags             *string           `json:"-" location:"header" name:"x-amz-tagging"`
}

func (s *Service) newRule(region, name string, p *topicRulePayload) (*rule, error) {
	switch v := deref(p.AwsIotSQLVersion); v {
	case "":
		v = "2015-10-08"
		p.AwsIotSQLVersion = &v
	case "2015-10-08", "2016-03-23", "beta":
	default:
		return nil, errInvalidRequest.New("Invalid SQL version: " + v)
	}
	q, err := parseSQL(*p.SQL)
	if err != nil {
		return nil, errSQLParse.New(err.Error())
	}
	r := &rule{region: region, name: name, payload: *p, q: q, disabled: deref(p.RuleDisabled)}
	if r.payload.RuleDisabled == nil {
		f := false
		r.payload.RuleDisabled = &f
	}
	for i, ra := range p.Actions {
		a, err := parseAction(ra.raw)
		if err != nil {
			return nil, errInvalidRequest.New(fmt.Sprintf("actions[%d]: %s", i, err))
		}
		r.actions = append(r.actions, a)
	}
	if p.ErrorAction != nil && len(p.ErrorAction.raw) > 0 && string(p.ErrorAction.raw) != "null" {
		a, err := parseAction(p.ErrorAction.raw)
		if err != nil {
			return nil, errInvalidRequest.New("errorAction: " + err.Error())
		}
		r.errorAction = &a
	}
	return r, nil
}

func (s *Service) createTopicRule(c *awsproto.Call, in *createTopicRuleInput) (empty, error) {
	r, err := s.newRule(c.Region, *in.RuleName, in.TopicRulePayload)
	if err != nil {
		return empty{}, err
	}
	return empty{}, s.store.putRule(r, false)
}

func (s *Service) replaceTopicRule(c *awsproto.Call, in *createTopicRuleInput) (empty, error) {
	r, err := s.newRule(c.Region, *in.RuleName, in.TopicRulePayload)
	if err != nil {
		return empty{}, err
	}
	return empty{}, s.store.putRule(r, true)
}

type ruleNameInput struct {
	RuleName *string `json:"-" location:"uri" name:"ruleName" required:"true" min:"1" max:"128" pattern:"^[a-zA-Z0-9_]+$"`
}

type topicRuleOutput struct {
	RuleName         string       `json:"ruleName"`
	SQL              string       `json:"sql"`
	Description      *string      `json:"description,omitempty"`
	CreatedAt        epoch        `json:"createdAt"`
	Actions          []ruleAction `json:"actions"`
	RuleDisabled     bool         `json:"ruleDisabled"`
	AwsIotSQLVersion string       `json:"awsIotSqlVersion"`
	ErrorAction      *ruleAction  `json:"errorAction,omitempty"`
}

type getTopicRuleOutput struct {
	RuleArn string          `json:"ruleArn"`
	Rule    topicRuleOutput `json:"rule"`
}

// epoch is a rest-json timestamp: seconds since 1970 as a number.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(time.Time(e).UnixMilli())/1000, 'f', -1, 64)), nil
}

func (s *Service) getTopicRule(c *awsproto.Call, in *ruleNameInput) (getTopicRuleOutput, error) {
	r, err := s.store.rule(c.Region, *in.RuleName)
	if err != nil {
		return getTopicRuleOutput{}, err
	}
	p := r.payload
	return getTopicRuleOutput{RuleArn: r.arn, Rule: topicRuleOutput{RuleName: r.name, SQL: *p.SQL, Description: p.Description,
		CreatedAt: epoch(r.createdAt), Actions: nonNil(p.Actions), RuleDisabled: r.disabled, AwsIotSQLVersion: deref(p.AwsIotSQLVersion),
		ErrorAction: p.ErrorAction}}, nil
}

type listTopicRulesInput struct {
	Topic        *string `json:"-" location:"querystring" name:"topic"`
	MaxResults   *int    `json:"-" location:"querystring" name:"maxResults" min:"1" max:"10000"`
	NextToken    *string `json:"-" location:"querystring" name:"nextToken"`
	RuleDisabled *bool   `json:"-" location:"querystring" name:"ruleDisabled"`
}

type topicRuleListItem struct {
	RuleArn      string `json:"ruleArn"`
	RuleName     string `json:"ruleName"`
	TopicPattern string `json:"topicPattern"`
	CreatedAt    epoch  `json:"createdAt"`
	RuleDisabled bool   `json:"ruleDisabled"`
}

type listTopicRulesOutput struct {
	Rules     []topicRuleListItem `json:"rules"`
	NextToken string              `json:"nextToken,omitempty"`
}

func (s *Service) listTopicRules(c *awsproto.Call, in *listTopicRulesInput) (listTopicRulesOutput, error) {
	var all []topicRuleListItem
	for _, r := range s.store.listRules(c.Region, deref(in.Topic), in.RuleDisabled) {
		all = append(all, topicRuleListItem{RuleArn: r.arn, RuleName: r.name, TopicPattern: r.q.topic, CreatedAt: epoch(r.createdAt), RuleDisabled: r.disabled})
	}
	page, next, err := paginate(all, in.NextToken, in.MaxResults, 1000)
	return listTopicRulesOutput{Rules: nonNil(page), NextToken: next}, err
}

func (s *Service) deleteTopicRule(c *awsproto.Call, in *ruleNameInput) (empty, error) {
	return empty{}, s.store.deleteRule(c.Region, *in.RuleName)
}

func (s *Service) enableTopicRule(c *awsproto.Call, in *ruleNameInput) (empty, error) {
	return empty{}, s.store.setRuleDisabled(c.Region, *in.RuleName, false)
}

func (s *Service) disableTopicRule(c *awsproto.Call, in *ruleNameInput) (empty, error) {
	return empty{}, s.store.setRuleDisabled(c.Region, *in.RuleName, true)
}

// paginate pages a sorted list with an opaque offset token.
func paginate[T any](all []T, token *string, max *int, def int) ([]T, string, error) {
	start := 0
	if token != nil && *token != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(*token, "o"))
		if err != nil || n < 0 || n > len(all) || !strings.HasPrefix(*token, "o") {
			return nil, "", errInvalidRequest.New("The pagination token is invalid.")
		}
		start = n
	}
	size := def
	if max != nil {
		size = *max
	}
	end := min(start+size, len(all))
	next := ""
	if end < len(all) {
		next = "o" + strconv.Itoa(end)
	}
	return all[start:end], next, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func deref[T any](p *T) T {
	var z T
	if p == nil {
		return z
	}
	return *p
}
