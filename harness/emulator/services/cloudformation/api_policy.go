package cloudformation

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Stack policies: SetStackPolicy/GetStackPolicy keep a stack's policy, and
// an update whose changes the policy denies fails the way AWS fails it (the
// stack rolls back, the resource's event names the statement).

const maxPolicyBody = 16384

type stackPolicy struct {
	Statement []policyStatement
}

type policyStatement struct {
	Effect      string
	Action      stringOrList
	NotAction   stringOrList
	Principal   any
	Resource    stringOrList
	NotResource stringOrList
	Condition   map[string]map[string]stringOrList
}

// stringOrList is a policy element that is a string or a list of them.
type stringOrList []string

func (l *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

// parsePolicy checks a stack policy body as AWS does before keeping it.
func parsePolicy(body string) (*stackPolicy, error) {
	var p stackPolicy
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		return nil, errValidation.New("Error validating stack policy: Invalid stack policy: malformed JSON")
	}
	if len(p.Statement) == 0 {
		return nil, errValidation.New("Error validating stack policy: Invalid stack policy: Statement is required")
	}
	for i, s := range p.Statement {
		if s.Effect != "Allow" && s.Effect != "Deny" {
			return nil, errValidation.Errorf("Error validating stack policy: Invalid stack policy: Statement [#%d] has an invalid Effect", i+1)
		}
		if len(s.Action) == 0 && len(s.NotAction) == 0 {
			return nil, errValidation.Errorf("Error validating stack policy: Invalid stack policy: Statement [#%d] requires Action or NotAction", i+1)
		}
		if len(s.Resource) == 0 && len(s.NotResource) == 0 {
			return nil, errValidation.Errorf("Error validating stack policy: Invalid stack policy: Statement [#%d] requires Resource or NotResource", i+1)
		}
	}
	return &p, nil
}

func globAny(patterns []string, v string) bool {
	for _, p := range patterns {
		if wildcard(p, v) {
			return true
		}
	}
	return false
}

// wildcard matches v against a policy pattern: * any run of characters
// (slashes too), ? one character. Greedy with one backtrack point, so it
// is linear in the pattern times the value.
func wildcard(p, v string) bool {
	pi, vi, star, mark := 0, 0, -1, 0
	for vi < len(v) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == v[vi]):
			pi++
			vi++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, vi
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			vi = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func (s policyStatement) matches(action, logical, typ string) bool {
	if len(s.Action) > 0 && !globAny(s.Action, action) {
		return false
	}
	if len(s.NotAction) > 0 && globAny(s.NotAction, action) {
		return false
	}
	res := "LogicalResourceId/" + logical
	if len(s.Resource) > 0 && !globAny(s.Resource, res) {
		return false
	}
	if len(s.NotResource) > 0 && globAny(s.NotResource, res) {
		return false
	}
	for op, kv := range s.Condition {
		for key, vals := range kv {
			if key != "ResourceType" {
				continue
			}
			switch op {
			case "StringEquals":
				if !contains(vals, typ) {
					return false
				}
			case "StringLike":
				if !globAny(vals, typ) {
					return false
				}
			}
		}
	}
	return true
}

// denial returns the statement number (1-based) that denies action on a
// resource, or -1 when the policy allows it; with no allowing statement
// the policy denies by default (number 0).
func (p *stackPolicy) denial(action, logical, typ string) int {
	allowed := false
	for i, s := range p.Statement {
		if !s.matches(action, logical, typ) {
			continue
		}
		if s.Effect == "Deny" {
			return i + 1
		}
		allowed = true
	}
	if allowed {
		return -1
	}
	return 0
}

// policyAction is the stack-policy action a change is.
func policyAction(ch change) string {
	switch {
	case ch.Action == "Remove":
		return "Update:Delete"
	case ch.Action == "Modify" && ch.Replacement == "False":
		return "Update:Modify"
	case ch.Action == "Modify":
		return "Update:Replace"
	}
	return ""
}

// policyViolation returns the reason AWS gives when the stack's policy
// (or the one given for this update) denies one of p's changes, or "".
// The caller holds s.store.mu.
func (s *Service) policyViolation(st *stack, p *prepared, during *stackPolicy) (logical, typ, reason string) {
	pol := during
	if pol == nil {
		pol = st.policy
	}
	if pol == nil {
		return "", "", ""
	}
	for _, ch := range s.changes(st, p) {
		action := policyAction(ch)
		if action == "" {
			continue
		}
		if n := pol.denial(action, ch.Logical, ch.Type); n >= 0 {
			if n == 0 {
				return ch.Logical, ch.Type, fmt.Sprintf("Action denied by stack policy: Default Deny: Action [%s] on resource [LogicalResourceId/%s] is not explicitly allowed", action, ch.Logical)
			}
			return ch.Logical, ch.Type, fmt.Sprintf("Action denied by stack policy: Statement [#%d] does not allow [%s] for resource [LogicalResourceId/%s].", n, action, ch.Logical)
		}
	}
	return "", "", ""
}

// deniedUpdate is the operation of an update the stack policy refuses: it
// starts, the resource fails, and the stack rolls back untouched.
func (s *Service) deniedUpdate(st *stack, logical, typ, reason string) func(ctx context.Context) {
	return func(ctx context.Context) {
		s.store.setStatus(st, stUpdateInProgress, "User Initiated")
		s.store.mu.Lock()
		physical := ""
		if r := st.Resources[logical]; r != nil {
			physical = r.Physical
		}
		ev := s.store.event(st, logical, physical, typ, stUpdateFailed, reason)
		topics := len(st.NotificationARNs) > 0
		s.store.mu.Unlock()
		s.store.announce(st, ev, topics)
		s.store.setStatus(st, stUpdateRollbackIP, "The following resource(s) failed to update: ["+logical+"]. ")
		s.store.setStatus(st, stUpdateRollbackDone, "")
	}
}

type setStackPolicyInput struct {
	StackName       *string `required:"true"`
	StackPolicyBody *string `min:"1" max:"16384"`
	StackPolicyURL  *string `min:"1" max:"5120"`
}

// policyBody reads a policy given by body or by URL (an S3 object of the
// emulator), checked.
func (s *Service) policyBody(body, u *string) (string, *stackPolicy, error) {
	switch {
	case body != nil && u != nil:
		return "", nil, errValidation.New("You cannot specify both StackPolicyURL and StackPolicyBody")
	case body == nil && u == nil:
		return "", nil, nil
	}
	text := deref(body)
	if u != nil {
		var err error
		if text, err = s.templateBody(nil, u); err != nil {
			return "", nil, err
		}
		if len(text) > maxPolicyBody {
			return "", nil, errValidation.New("Stack policy may not exceed 16384 bytes in size.")
		}
	}
	p, err := parsePolicy(text)
	if err != nil {
		return "", nil, err
	}
	return text, p, nil
}

func (s *Service) setStackPolicy(c *awsproto.Call, in *setStackPolicyInput) (empty, error) {
	text, pol, err := s.policyBody(in.StackPolicyBody, in.StackPolicyURL)
	if err != nil {
		return empty{}, err
	}
	if pol == nil {
		return empty{}, errValidation.New("Either StackPolicyBody or StackPolicyURL must be specified")
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	st := s.store.find(c.Region, *in.StackName)
	if st == nil || st.Status == stDeleteComplete {
		return empty{}, errValidation.Errorf(msgStackNotFound, *in.StackName)
	}
	st.policy, st.policyBody = pol, text
	return empty{}, nil
}

type getStackPolicyInput struct {
	StackName *string `required:"true"`
}

type getStackPolicyOutput struct {
	StackPolicyBody *string
}

func (s *Service) getStackPolicy(c *awsproto.Call, in *getStackPolicyInput) (getStackPolicyOutput, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	st := s.store.find(c.Region, *in.StackName)
	if st == nil || st.Status == stDeleteComplete {
		return getStackPolicyOutput{}, errValidation.Errorf(msgStackNotFound, *in.StackName)
	}
	if st.policyBody == "" {
		return getStackPolicyOutput{}, nil
	}
	b := st.policyBody
	return getStackPolicyOutput{StackPolicyBody: &b}, nil
}
