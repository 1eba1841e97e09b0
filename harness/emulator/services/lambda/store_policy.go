package lambda

import (
	"encoding/json"
	"strings"
)

// Statement is one resource policy statement, kept as the JSON AWS shows.
type Statement struct {
	Sid  string
	JSON string
}

// Permission is what AddPermission grants (checked already).
type Permission struct {
	StatementID, Action, Principal                                string
	SourceArn, SourceAccount, PrincipalOrgID, FunctionURLAuthType string
}

// statement is the policy statement granting p on resource, as the JSON
// GetPolicy shows.
func (p *Permission) statement(resource string) string {
	st := map[string]any{"Sid": p.StatementID, "Effect": "Allow", "Action": p.Action, "Resource": resource}
	switch {
	case p.Principal == "*":
		st["Principal"] = "*"
	case strings.Contains(p.Principal, ".amazonaws.com") || strings.HasSuffix(p.Principal, ".amazon.com"):
		st["Principal"] = map[string]string{"Service": p.Principal}
	case isAccount(p.Principal):
		st["Principal"] = map[string]string{"AWS": "arn:aws:iam::" + p.Principal + ":root"}
	default:
		st["Principal"] = map[string]string{"AWS": p.Principal}
	}
	cond := map[string]map[string]string{}
	if p.SourceArn != "" {
		cond["ArnLike"] = map[string]string{"AWS:SourceArn": p.SourceArn}
	}
	equals := map[string]string{}
	if p.SourceAccount != "" {
		equals["AWS:SourceAccount"] = p.SourceAccount
	}
	if p.FunctionURLAuthType != "" {
		equals["lambda:FunctionUrlAuthType"] = p.FunctionURLAuthType
	}
	if p.PrincipalOrgID != "" {
		equals["aws:PrincipalOrgID"] = p.PrincipalOrgID
	}
	if len(equals) > 0 {
		cond["StringEquals"] = equals
	}
	if len(cond) > 0 {
		st["Condition"] = cond
	}
	b, _ := json.Marshal(st)
	return string(b)
}

// qualifierLocked checks that q names something of f: $LATEST ("" too),
// a version or an alias.
func (s *Store) qualifierLocked(f *Function, q string) error {
	if q == "" || q == LatestVersion || f.versions[q] != nil || f.aliases[q] != nil {
		return nil
	}
	return s.notFound(f.Region, f.Name, q)
}

// AddStatement adds the statement granting p to the policy of qualifier
// and returns it.
func (s *Store) AddStatement(region, fn, qualifier, revisionID string, p Permission) (string, error) {
	return withLocked(s, region, fn, func(f *Function) (string, error) {
		if err := s.qualifierLocked(f, qualifier); err != nil {
			return "", err
		}
		if rev := f.policyRev[qualifier]; revisionID != "" && rev != "" && rev != revisionID {
			return "", checkRevision(rev, revisionID)
		}
		for _, st := range f.policies[qualifier] {
			if st.Sid == p.StatementID {
				return "", errResourceConflict.Errorf("The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", p.StatementID)
			}
		}
		resource := f.ARN
		if qualifier != "" {
			resource += ":" + qualifier
		}
		js := p.statement(resource)
		f.policies[qualifier] = append(f.policies[qualifier], Statement{Sid: p.StatementID, JSON: js})
		f.policyRev[qualifier] = s.newID()
		return js, nil
	})
}

// Policy is a qualifier's resource policy.
type Policy struct {
	Statements []Statement
	RevisionID string
}

// Policy returns the policy of a qualifier.
func (s *Store) Policy(region, fn, qualifier string) (Policy, error) {
	return withLocked(s, region, fn, func(f *Function) (Policy, error) {
		if err := s.qualifierLocked(f, qualifier); err != nil {
			return Policy{}, err
		}
		st := f.policies[qualifier]
		if len(st) == 0 {
			return Policy{}, errResourceNotFound.New(msgNoSuchResource)
		}
		return Policy{Statements: append([]Statement(nil), st...), RevisionID: f.policyRev[qualifier]}, nil
	})
}

// RemoveStatement deletes a statement by id.
func (s *Store) RemoveStatement(region, fn, qualifier, sid, revisionID string) error {
	_, err := withLocked(s, region, fn, func(f *Function) (struct{}, error) {
		if err := s.qualifierLocked(f, qualifier); err != nil {
			return struct{}{}, err
		}
		if rev := f.policyRev[qualifier]; revisionID != "" && rev != revisionID {
			return struct{}{}, checkRevision(rev, revisionID)
		}
		st := f.policies[qualifier]
		for i, x := range st {
			if x.Sid == sid {
				f.policies[qualifier] = append(st[:i:i], st[i+1:]...)
				f.policyRev[qualifier] = s.newID()
				return struct{}{}, nil
			}
		}
		return struct{}{}, errResourceNotFound.Errorf("Statement %s is not found in resource policy.", sid)
	})
	return err
}
