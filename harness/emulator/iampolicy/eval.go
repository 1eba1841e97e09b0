package iampolicy

import (
	"slices"
	"strings"
)

// Decisions, in IAM's words.
const (
	Allowed      = "allowed"
	ExplicitDeny = "explicitDeny"
	ImplicitDeny = "implicitDeny"
)

// Caller is who makes a request, for Principal and NotPrincipal.
type Caller struct {
	ARN     string // "" for an anonymous caller
	Account string
	Service string // a service principal (lambda.amazonaws.com), if one calls
}

// Request is what statements are evaluated against.
type Request struct {
	Action   string
	Resource string
	Caller   Caller
	Context  Context
}

// CoversAction reports whether a statement names an action (Action, or
// the complement of NotAction), compared without case.
func (st *Statement) CoversAction(action string) bool {
	action = strings.ToLower(action)
	matchAny := func(list []string) bool {
		for _, p := range list {
			if Match(strings.ToLower(p), action) {
				return true
			}
		}
		return false
	}
	if st.Action != nil {
		return matchAny(st.Action)
	}
	if st.NotAction != nil {
		return !matchAny(st.NotAction)
	}
	return false
}

// CoversResource reports whether a statement names a resource (Resource,
// or the complement of NotResource, with policy variables taken from the
// context); a statement with neither (a trust policy's) covers any.
func (st *Statement) CoversResource(resource string, ctx Context) bool {
	matchAny := func(list []string) bool {
		for _, p := range list {
			if Match(substitute(p, ctx), resource) {
				return true
			}
		}
		return false
	}
	switch {
	case st.Resource != nil:
		return matchAny(st.Resource)
	case st.NotResource != nil:
		return !matchAny(st.NotResource)
	}
	return true
}

// CoversCaller reports whether a statement's Principal names the caller
// (or its NotPrincipal does not); a statement with neither, an identity
// policy's, covers its own principal.
func (st *Statement) CoversCaller(c Caller) bool {
	switch {
	case st.Principal != nil:
		return st.Principal.names(c)
	case st.NotPrincipal != nil:
		return !st.NotPrincipal.names(c)
	}
	return true
}

func (p Principals) names(c Caller) bool {
	if _, ok := p["*"]; ok {
		return true
	}
	for _, v := range p["AWS"] {
		switch {
		case v == "*":
			return true
		case c.ARN == "":
		case v == c.ARN, c.Account != "" && (v == c.Account || v == "arn:aws:iam::"+c.Account+":root"):
			return true
		case strings.Contains(c.ARN, ":assumed-role/") && v == roleOfSession(c.ARN):
			return true
		}
	}
	if c.Service != "" && slices.Contains(p["Service"], c.Service) {
		return true
	}
	return false
}

// roleOfSession turns arn:aws:sts::A:assumed-role/R/S into the role's ARN.
func roleOfSession(arn string) string {
	i := strings.Index(arn, ":assumed-role/")
	rest := arn[i+len(":assumed-role/"):]
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		rest = rest[:j]
	}
	acct := strings.TrimPrefix(arn[:i], "arn:aws:sts::")
	return "arn:aws:iam::" + acct + ":role/" + rest
}

// Applies reports whether a statement applies to a request: it names the
// action, the resource and the caller, and each of its conditions holds.
// missing lists the condition keys the context lacks that the statement's
// outcome depends on (nil when it does not name the request at all).
func (st *Statement) Applies(req Request) (applies bool, missing []string) {
	if !st.CoversAction(req.Action) || !st.CoversResource(req.Resource, req.Context) || !st.CoversCaller(req.Caller) {
		return false, nil
	}
	applies = true
	for _, cd := range st.Conditions {
		holds, miss := cd.Holds(req.Context)
		if miss {
			missing = append(missing, cd.Key)
		}
		if !holds {
			applies = false
		}
	}
	return applies, missing
}

// Matched names a statement that decided a request: the index of its
// policy among those evaluated, and the statement.
type Matched struct {
	Policy    int
	Statement *Statement
}

// Result is the outcome of evaluating policies for one request.
type Result struct {
	Decision string
	Matched  []Matched // the Deny statements that applied, or else the Allow ones
	Missing  []string  // condition keys the context lacked, each once, in order met
}

// Evaluate decides a request against policies as IAM does within one
// account: an applying Deny wins, else an applying Allow allows, else the
// request is implicitly denied.
func Evaluate(policies []*Document, req Request) Result {
	var allows, denies []Matched
	var missing []string
	seen := map[string]bool{}
	for pi, doc := range policies {
		if doc == nil {
			continue
		}
		for si := range doc.Statements {
			st := &doc.Statements[si]
			ok, miss := st.Applies(req)
			for _, k := range miss {
				if !seen[strings.ToLower(k)] {
					seen[strings.ToLower(k)] = true
					missing = append(missing, k)
				}
			}
			if !ok {
				continue
			}
			if st.Effect == "Deny" {
				denies = append(denies, Matched{pi, st})
			} else if st.Effect == "Allow" {
				allows = append(allows, Matched{pi, st})
			}
		}
	}
	switch {
	case len(denies) > 0:
		return Result{ExplicitDeny, denies, missing}
	case len(allows) > 0:
		return Result{Allowed, allows, missing}
	}
	return Result{ImplicitDeny, nil, missing}
}
