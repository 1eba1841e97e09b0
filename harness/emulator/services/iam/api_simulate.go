package iam

import (
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/iampolicy"
)

// The policy simulator: SimulatePrincipalPolicy and SimulateCustomPolicy
// evaluate identity policies, an optional resource policy and permissions
// boundary for each action and resource, with the shared evaluator.

type contextEntryInput struct {
	ContextKeyName   *string `min:"5" max:"256"`
	ContextKeyValues []string
	ContextKeyType   *string `enum:"string,stringList,numeric,numericList,boolean,booleanList,ip,ipList,binary,binaryList,date,dateList"`
}

type simulateInput struct {
	PermissionsBoundaryPolicyInputList []string
	ActionNames                        []string `required:"true"`
	ResourceArns                       []string
	ResourcePolicy                     *string `min:"1" max:"131072" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	ResourceOwner                      *string `min:"1" max:"2048"`
	CallerArn                          *string `min:"1" max:"2048"`
	ContextEntries                     []contextEntryInput
	ResourceHandlingOption             *string `min:"1" max:"64"`
	page
}

type simulateCustomInput struct {
	PolicyInputList []string `required:"true"`
	simulateInput
}

type simulatePrincipalInput struct {
	PolicySourceArn *string `required:"true" min:"20" max:"2048"`
	PolicyInputList []string
	simulateInput
}

type positionXML struct {
	Line, Column int
}

type statementXML struct {
	SourcePolicyId   string
	SourcePolicyType string
	StartPosition    positionXML
	EndPosition      positionXML
}

type boundaryDetailXML struct {
	AllowedByPermissionsBoundary bool
}

type resourceResultXML struct {
	EvalResourceName                  string
	EvalResourceDecision              string
	MatchedStatements                 members[statementXML]
	MissingContextValues              members[string]
	PermissionsBoundaryDecisionDetail *boundaryDetailXML `xml:",omitempty"`
}

type evaluationXML struct {
	EvalActionName                    string
	EvalResourceName                  string
	EvalDecision                      string
	MatchedStatements                 members[statementXML]
	MissingContextValues              members[string]
	PermissionsBoundaryDecisionDetail *boundaryDetailXML          `xml:",omitempty"`
	ResourceSpecificResults           *members[resourceResultXML] `xml:",omitempty"`
}

type simulateResult struct {
	EvaluationResults members[evaluationXML]
	pagination
}

// parsedPolicy is a source policy with its parsed document.
type parsedPolicy struct {
	SourcePolicy
	doc *iampolicy.Document
}

func parseSources(list []SourcePolicy) ([]parsedPolicy, error) {
	out := make([]parsedPolicy, 0, len(list))
	for _, sp := range list {
		doc, err := iampolicy.Parse(sp.Document)
		if err != nil {
			return nil, errInvalidInput.New("Invalid policy document: the policy contains invalid JSON.")
		}
		out = append(out, parsedPolicy{sp, doc})
	}
	return out, nil
}

func inputPolicies(docs []string, prefix string) []SourcePolicy {
	out := make([]SourcePolicy, len(docs))
	for i, d := range docs {
		out[i] = SourcePolicy{prefix + "." + strconv.Itoa(i+1), "none", d}
	}
	return out
}

// contextOf reads the simulation's context entries, checking each value
// against its declared type.
func contextOf(entries []contextEntryInput) (iampolicy.Context, error) {
	ctx := iampolicy.Context{}
	for _, e := range entries {
		name := orDefault(e.ContextKeyName, "")
		if name == "" {
			continue
		}
		typ := strings.TrimSuffix(orDefault(e.ContextKeyType, "string"), "List")
		for _, v := range e.ContextKeyValues {
			if !validContextValue(typ, v) {
				return nil, errInvalidInput.New("Invalid value " + v + " for context key " + name + " of type " + orDefault(e.ContextKeyType, "string") + ".")
			}
		}
		ctx.Set(name, e.ContextKeyValues...)
	}
	return ctx, nil
}

func validContextValue(typ, v string) bool {
	switch typ {
	case "numeric":
		_, err := strconv.ParseFloat(v, 64)
		return err == nil
	case "boolean":
		return strings.EqualFold(v, "true") || strings.EqualFold(v, "false")
	case "date":
		_, ok := iampolicy.ParseDate(v)
		return ok
	case "ip":
		if _, err := netip.ParseAddr(v); err == nil {
			return true
		}
		_, err := netip.ParsePrefix(v)
		return err == nil
	case "binary":
		_, err := base64.StdEncoding.DecodeString(v)
		return err == nil
	}
	return true
}

// simulation is one simulation's inputs, parsed.
type simulation struct {
	identity, boundary []parsedPolicy
	resource           *parsedPolicy
	caller             iampolicy.Caller
	ctx                iampolicy.Context
}

// decision is the outcome for one action on one resource.
type decision struct {
	result          string
	matched         []statementXML
	missing         []string
	boundaryAllowed *bool
}

func (sim *simulation) evaluate(group []parsedPolicy, req iampolicy.Request) (iampolicy.Result, []parsedPolicy) {
	docs := make([]*iampolicy.Document, len(group))
	for i := range group {
		docs[i] = group[i].doc
	}
	return iampolicy.Evaluate(docs, req), group
}

func statementsOf(r iampolicy.Result, group []parsedPolicy) []statementXML {
	out := make([]statementXML, 0, len(r.Matched))
	for _, m := range r.Matched {
		p := group[m.Policy]
		out = append(out, statementXML{p.ID, p.Type,
			positionXML{m.Statement.Start.Line, m.Statement.Start.Column}, positionXML{m.Statement.End.Line, m.Statement.End.Column}})
	}
	return out
}

func (sim *simulation) decide(action, resource string) decision {
	req := iampolicy.Request{Action: action, Resource: resource, Caller: sim.caller, Context: sim.ctx}
	id, idGroup := sim.evaluate(sim.identity, req)
	var d decision
	addMissing := func(keys []string) {
		for _, k := range keys {
			dup := false
			for _, m := range d.missing {
				dup = dup || strings.EqualFold(m, k)
			}
			if !dup {
				d.missing = append(d.missing, k)
			}
		}
	}
	addMissing(id.Missing)
	denies, allows := []statementXML{}, []statementXML{}
	collect := func(r iampolicy.Result, group []parsedPolicy) {
		switch r.Decision {
		case iampolicy.ExplicitDeny:
			denies = append(denies, statementsOf(r, group)...)
		case iampolicy.Allowed:
			allows = append(allows, statementsOf(r, group)...)
		}
	}
	collect(id, idGroup)
	if sim.resource != nil {
		rp, group := sim.evaluate([]parsedPolicy{*sim.resource}, req)
		addMissing(rp.Missing)
		collect(rp, group)
	}
	if sim.boundary != nil {
		b, group := sim.evaluate(sim.boundary, req)
		addMissing(b.Missing)
		allowed := b.Decision == iampolicy.Allowed
		d.boundaryAllowed = &allowed
		if b.Decision == iampolicy.ExplicitDeny {
			denies = append(denies, statementsOf(b, group)...)
		} else if !allowed {
			allows = nil // the boundary does not allow it: nothing does
		}
	}
	switch {
	case len(denies) > 0:
		d.result, d.matched = iampolicy.ExplicitDeny, denies
	case len(allows) > 0:
		d.result, d.matched = iampolicy.Allowed, allows
	default:
		d.result, d.matched = iampolicy.ImplicitDeny, []statementXML{}
	}
	return d
}

// run evaluates every action on every resource ("*" when none is given)
// and answers one page of the results.
func (sim *simulation) run(in *simulateInput) (simulateResult, error) {
	var results []evaluationXML
	for _, action := range in.ActionNames {
		if !strings.Contains(action, ":") {
			return simulateResult{}, errInvalidInput.New("Invalid action name " + action + ".")
		}
		if len(in.ResourceArns) == 0 {
			d := sim.decide(action, "*")
			results = append(results, evaluationXML{EvalActionName: action, EvalResourceName: "*", EvalDecision: d.result,
				MatchedStatements: members[statementXML]{d.matched}, MissingContextValues: members[string]{d.missing},
				PermissionsBoundaryDecisionDetail: boundaryDetail(d)})
			continue
		}
		for _, res := range in.ResourceArns {
			d := sim.decide(action, res)
			specific := resourceResultXML{EvalResourceName: res, EvalResourceDecision: d.result,
				MatchedStatements: members[statementXML]{d.matched}, MissingContextValues: members[string]{d.missing},
				PermissionsBoundaryDecisionDetail: boundaryDetail(d)}
			results = append(results, evaluationXML{EvalActionName: action, EvalResourceName: res, EvalDecision: d.result,
				MatchedStatements: members[statementXML]{d.matched}, MissingContextValues: members[string]{d.missing},
				PermissionsBoundaryDecisionDetail: boundaryDetail(d),
				ResourceSpecificResults:           &members[resourceResultXML]{[]resourceResultXML{specific}}})
		}
	}
	shown, more, err := window(results, nil, in.page)
	if err != nil {
		return simulateResult{}, err
	}
	return simulateResult{members[evaluationXML]{shown}, more}, nil
}

func boundaryDetail(d decision) *boundaryDetailXML {
	if d.boundaryAllowed == nil {
		return nil
	}
	return &boundaryDetailXML{*d.boundaryAllowed}
}

// prepare parses what both operations share.
func prepare(identity []SourcePolicy, boundaryDocs []string, storedBoundary *SourcePolicy, in *simulateInput, caller string) (*simulation, error) {
	sim := &simulation{}
	var err error
	if sim.identity, err = parseSources(identity); err != nil {
		return nil, err
	}
	switch {
	case len(boundaryDocs) > 0:
		sim.boundary, err = parseSources(inputPolicies(boundaryDocs, "PermissionsBoundaryPolicyInputList"))
	case storedBoundary != nil:
		sim.boundary, err = parseSources([]SourcePolicy{*storedBoundary})
	}
	if err != nil {
		return nil, err
	}
	if in.ResourcePolicy != nil {
		rp, err := parseSources([]SourcePolicy{{"ResourcePolicy", "resource", *in.ResourcePolicy}})
		if err != nil {
			return nil, err
		}
		sim.resource = &rp[0]
	}
	if in.CallerArn != nil {
		caller = *in.CallerArn
	}
	if in.ResourcePolicy != nil && caller == "" {
		return nil, errInvalidInput.New("The CallerArn is required when a ResourcePolicy is given.")
	}
	sim.caller = iampolicy.Caller{ARN: caller, Account: accountOfARN(caller)}
	if sim.ctx, err = contextOf(in.ContextEntries); err != nil {
		return nil, err
	}
	return sim, nil
}

// accountOfARN is the account field of an ARN ("" when there is none).
func accountOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

func (s *Service) simulateCustomPolicy(c *awsproto.Call, in *simulateCustomInput) (simulateResult, error) {
	sim, err := prepare(inputPolicies(in.PolicyInputList, "PolicyInputList"), in.PermissionsBoundaryPolicyInputList, nil, &in.simulateInput, "")
	if err != nil {
		return simulateResult{}, err
	}
	return sim.run(&in.simulateInput)
}

func (s *Service) simulatePrincipalPolicy(c *awsproto.Call, in *simulatePrincipalInput) (simulateResult, error) {
	stored, boundary, err := s.store.PrincipalPolicies(*in.PolicySourceArn)
	if err != nil {
		return simulateResult{}, err
	}
	caller := ""
	if !strings.Contains(*in.PolicySourceArn, ":group/") {
		caller = *in.PolicySourceArn
	}
	sim, err := prepare(append(stored, inputPolicies(in.PolicyInputList, "PolicyInputList")...), in.PermissionsBoundaryPolicyInputList, boundary, &in.simulateInput, caller)
	if err != nil {
		return simulateResult{}, err
	}
	return sim.run(&in.simulateInput)
}
