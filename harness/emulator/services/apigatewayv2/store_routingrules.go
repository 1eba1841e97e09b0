package apigatewayv2

import (
	"slices"
	"sort"
)

// Routing rules of a custom domain name: conditions on base paths and
// headers, and the API stage they invoke. Stored; the edge does not route
// by them (it does not serve custom domain names).

// RoutingRuleInvokeAPI is a rule's action.
type RoutingRuleInvokeAPI struct {
	APIID         *string `json:"apiId" required:"true"`
	Stage         *string `json:"stage" required:"true"`
	StripBasePath *bool   `json:"stripBasePath,omitempty"`
}

// RoutingRuleAction is one action of a rule.
type RoutingRuleAction struct {
	InvokeAPI *RoutingRuleInvokeAPI `json:"invokeApi" required:"true"`
}

// RoutingRuleHeader matches a header against a glob.
type RoutingRuleHeader struct {
	Header    *string `json:"header" required:"true"`
	ValueGlob *string `json:"valueGlob" required:"true"`
}

// RoutingRuleCondition is one condition of a rule.
type RoutingRuleCondition struct {
	MatchBasePaths *struct {
		AnyOf []string `json:"anyOf" required:"true"`
	} `json:"matchBasePaths,omitempty"`
	MatchHeaders *struct {
		AnyOf []RoutingRuleHeader `json:"anyOf" required:"true"`
	} `json:"matchHeaders,omitempty"`
}

// RoutingRuleSpec is what CreateRoutingRule and PutRoutingRule set.
type RoutingRuleSpec struct {
	Actions    []RoutingRuleAction    `json:"actions" required:"true"`
	Conditions []RoutingRuleCondition `json:"conditions" required:"true"`
	Priority   *int                   `json:"priority" required:"true" min:"1" max:"1000000"`
}

// RoutingRule is what GetRoutingRule answers.
type RoutingRule struct {
	Actions    []RoutingRuleAction    `json:"actions"`
	Conditions []RoutingRuleCondition `json:"conditions"`
	Priority   int                    `json:"priority"`
	ARN        string                 `json:"routingRuleArn"`
	ID         string                 `json:"routingRuleId"`
}

// checkRule validates a rule's shape and that the stages it invokes exist.
func (s *Store) checkRule(in RoutingRuleSpec) error {
	if len(in.Actions) != 1 || in.Actions[0].InvokeAPI == nil {
		return ErrBadRequest.New("A routing rule must have exactly one action, invokeApi")
	}
	inv := in.Actions[0].InvokeAPI
	if len(in.Conditions) > 2 {
		return ErrBadRequest.New("A routing rule can have at most two conditions")
	}
	for _, c := range in.Conditions {
		if (c.MatchBasePaths == nil) == (c.MatchHeaders == nil) {
			return ErrBadRequest.New("Each condition must have exactly one of matchBasePaths and matchHeaders")
		}
	}
	return s.checkStage(*inv.APIID, *inv.Stage)
}

// PutRoutingRule creates (id "") or replaces a rule of a domain name.
func (s *Store) PutRoutingRule(region, domain, id string, in RoutingRuleSpec) (RoutingRule, error) {
	if err := s.checkRule(in); err != nil {
		return RoutingRule{}, err
	}
	s.dmu.Lock()
	defer s.dmu.Unlock()
	d, err := s.domain(region, domain)
	if err != nil {
		return RoutingRule{}, err
	}
	if id != "" && d.rules[id] == nil {
		return RoutingRule{}, errNotFound("RoutingRule", id)
	}
	if id == "" {
		id = s.childID()
	}
	for _, o := range d.rules {
		if o.ID != id && o.Priority == *in.Priority {
			return RoutingRule{}, ErrConflict.Errorf("A routing rule with priority %d already exists", *in.Priority)
		}
	}
	if d.rules == nil {
		d.rules = map[string]*RoutingRule{}
	}
	r := &RoutingRule{ID: id, Priority: *in.Priority, Actions: slices.Clone(in.Actions), Conditions: slices.Clone(in.Conditions),
		ARN: "arn:aws:apigateway:" + region + ":" + s.account + ":/domainnames/" + d.Name + "/routingrules/" + id}
	d.rules[id] = r
	return *r, nil
}

// RoutingRule returns a rule of a domain name.
func (s *Store) RoutingRule(region, domain, id string) (RoutingRule, error) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	d, err := s.domain(region, domain)
	if err != nil {
		return RoutingRule{}, err
	}
	if r := d.rules[id]; r != nil {
		return *r, nil
	}
	return RoutingRule{}, errNotFound("RoutingRule", id)
}

// RoutingRules lists a domain name's rules by priority.
func (s *Store) RoutingRules(region, domain string) ([]RoutingRule, error) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	d, err := s.domain(region, domain)
	if err != nil {
		return nil, err
	}
	out := make([]RoutingRule, 0, len(d.rules))
	for _, r := range d.rules {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Priority < out[j].Priority })
	return out, nil
}

// DeleteRoutingRule removes a rule.
func (s *Store) DeleteRoutingRule(region, domain, id string) error {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	d, err := s.domain(region, domain)
	if err != nil {
		return err
	}
	if d.rules[id] == nil {
		return errNotFound("RoutingRule", id)
	}
	delete(d.rules, id)
	return nil
}
