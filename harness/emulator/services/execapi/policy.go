package execapi

import (
	"bytes"
	"encoding/json"
)

// ExecuteAPIAction is the action authorizer policies allow or deny.
const ExecuteAPIAction = "execute-api:Invoke"

// AuthorizerOutput is a Lambda authorizer's IAM-policy answer.
type AuthorizerOutput struct {
	PrincipalID string
	Policy      PolicyDocument
	PolicyJSON  json.RawMessage
	Context     map[string]string
	UsageKey    string
}

// ParseAuthorizerOutput reads an authorizer's answer
// (events.APIGatewayCustomAuthorizerResponse): a policy document is
// required; context values must be strings, numbers or booleans, and reach
// the integration as strings.
func ParseAuthorizerOutput(payload []byte) (*AuthorizerOutput, bool) {
	var raw struct {
		PrincipalID        *string                    `json:"principalId"`
		PolicyDocument     json.RawMessage            `json:"policyDocument"`
		Context            map[string]json.RawMessage `json:"context"`
		UsageIdentifierKey *string                    `json:"usageIdentifierKey"`
	}
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &raw) != nil {
		return nil, false
	}
	var doc PolicyDocument
	if len(raw.PolicyDocument) == 0 || json.Unmarshal(raw.PolicyDocument, &doc) != nil || len(doc.Statement) == 0 {
		return nil, false
	}
	out := &AuthorizerOutput{Policy: doc, PolicyJSON: raw.PolicyDocument}
	if raw.PrincipalID != nil {
		out.PrincipalID = *raw.PrincipalID
	}
	if raw.UsageIdentifierKey != nil {
		out.UsageKey = *raw.UsageIdentifierKey
	}
	if len(raw.Context) > 0 {
		out.Context = make(map[string]string, len(raw.Context))
		for k, v := range raw.Context {
			s, ok := Scalar(v)
			if !ok {
				return nil, false
			}
			if s != nil {
				out.Context[k] = *s
			}
		}
	}
	return out, true
}

// --- IAM policy documents ------------------------------------------------------

// Effect is a policy's verdict.
type Effect int

const (
	EffectNone Effect = iota
	EffectAllow
	EffectDeny
)

// PolicyDocument is the IAM policy an authorizer returns.
type PolicyDocument struct {
	Version   string        `json:"Version"`
	Statement StatementList `json:"Statement"`
}

// Statement is one statement of a policy.
type Statement struct {
	Effect      string     `json:"Effect"`
	Action      StringList `json:"Action"`
	NotAction   StringList `json:"NotAction"`
	Resource    StringList `json:"Resource"`
	NotResource StringList `json:"NotResource"`
}

// StatementList is one statement or a list of them.
type StatementList []Statement

func (l *StatementList) UnmarshalJSON(b []byte) error {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		var s Statement
		if err := json.Unmarshal(t, &s); err != nil {
			return err
		}
		*l = StatementList{s}
		return nil
	}
	return json.Unmarshal(b, (*[]Statement)(l))
}

// StringList is a string or a list of strings.
type StringList []string

func (l *StringList) UnmarshalJSON(b []byte) error {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '"' {
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return err
		}
		*l = StringList{s}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(l))
}

// Evaluate applies the policy to execute-api:Invoke on resource as IAM
// does: an explicit Deny wins, then an Allow; nothing is an implicit deny.
func (p PolicyDocument) Evaluate(resource string) Effect {
	verdict := EffectNone
	for _, st := range p.Statement {
		if !st.applies(resource) {
			continue
		}
		switch st.Effect {
		case "Deny":
			return EffectDeny
		case "Allow":
			verdict = EffectAllow
		}
	}
	return verdict
}

func (st Statement) applies(resource string) bool {
	action := anyMatch(st.Action, ExecuteAPIAction, true)
	if len(st.NotAction) > 0 {
		action = !anyMatch(st.NotAction, ExecuteAPIAction, true)
	}
	res := anyMatch(st.Resource, resource, false)
	if len(st.NotResource) > 0 {
		res = !anyMatch(st.NotResource, resource, false)
	}
	return action && res
}

// anyMatch reports whether s matches one of patterns; fold ignores ASCII
// case (actions), else the match is exact (resources).
func anyMatch(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if wildcardMatchFold(p, s, fold) {
			return true
		}
	}
	return false
}

// WildcardMatch matches s against an IAM pattern: '*' is any run of
// characters (slashes included), '?' any one.
func WildcardMatch(p, s string) bool { return wildcardMatchFold(p, s, false) }

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// wildcardMatchFold is wildcardMatch, ignoring ASCII case with fold. It
// keeps one backtrack point (the last '*'), so it runs in O(len(p)·len(s))
// at worst, without allocating.
func wildcardMatchFold(p, s string, fold bool) bool {
	eq := func(a, b byte) bool { return a == b || fold && lowerASCII(a) == lowerASCII(b) }
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '*': // before a literal: s may hold '*' too
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi] == '?' || eq(p[pi], s[si])):
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
