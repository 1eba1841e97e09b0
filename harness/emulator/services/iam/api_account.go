package iam

import (
	"regexp"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Account aliases, GetAccountSummary and service-linked roles.

// The alias pattern has a look-ahead Go's regular expressions lack:
// checkAlias states it.
const aliasPattern = `^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`

var aliasRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)

type accountAliasInput struct {
	AccountAlias *string `required:"true" min:"3" max:"63"`
}

// Validate: the model's pattern (no "--").
func (in *accountAliasInput) Validate() error {
	if a := *in.AccountAlias; !aliasRE.MatchString(a) || strings.Contains(a, "--") {
		return awsproto.Constraint(errValidation, a, "accountAlias", awsproto.Pattern(aliasPattern))
	}
	return nil
}

func (s *Service) createAccountAlias(c *awsproto.Call, in *accountAliasInput) (struct{}, error) {
	s.store.SetAccountAlias(*in.AccountAlias)
	return struct{}{}, nil
}

func (s *Service) deleteAccountAlias(c *awsproto.Call, in *accountAliasInput) (struct{}, error) {
	return struct{}{}, s.store.DeleteAccountAlias(*in.AccountAlias)
}

type listAccountAliasesResult struct {
	AccountAliases members[string]
	pagination
}

func (s *Service) listAccountAliases(c *awsproto.Call, in *page) (listAccountAliasesResult, error) {
	id := func(a string) string { return a }
	shown, more, err := pageOf(s.store.AccountAliases(), id, *in, id)
	return listAccountAliasesResult{shown, more}, err
}

type summaryEntryXML struct {
	Key   string `xml:"key"`
	Value int    `xml:"value"`
}

type getAccountSummaryResult struct {
	SummaryMap struct {
		Entry []summaryEntryXML `xml:"entry"`
	}
}

func (s *Service) getAccountSummary(c *awsproto.Call, _ *struct{}) (getAccountSummaryResult, error) {
	var out getAccountSummaryResult
	for _, e := range s.store.AccountSummary() {
		out.SummaryMap.Entry = append(out.SummaryMap.Entry, summaryEntryXML(e))
	}
	return out, nil
}

// ---- service-linked roles ----

type createServiceLinkedRoleInput struct {
	AWSServiceName *string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	Description    *string `max:"1000" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*"`
	CustomSuffix   *string `min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
}

func (s *Service) createServiceLinkedRole(c *awsproto.Call, in *createServiceLinkedRoleInput) (roleResult, error) {
	service := *in.AWSServiceName
	if !strings.HasSuffix(service, ".amazonaws.com") {
		return roleResult{}, errInvalidInput.New("Invalid service principal " + service + ".")
	}
	name := ServiceLinkedRoleName(service, orDefault(in.CustomSuffix, ""))
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["` + service + `"]},"Action":["sts:AssumeRole"]}]}`
	r, err := s.store.CreateRole(Role{Name: name, Path: serviceLinkedPath + service + "/", TrustPolicy: trust,
		Description: orDefault(in.Description, ""), MaxSessionDuration: 3600}, s.env.Now())
	if err != nil {
		if ae, ok := awsproto.AsError(err); ok && ae.Code == errEntityExists.Name {
			return roleResult{}, errInvalidInput.New("Service role name " + name + " has been taken in this account, please try a different suffix.")
		}
		return roleResult{}, err
	}
	out := roleOut(r, true)
	out.RoleLastUsed = nil
	return roleResult{out}, nil
}

type deleteServiceLinkedRoleResult struct {
	DeletionTaskId string
}

func (s *Service) deleteServiceLinkedRole(c *awsproto.Call, in *roleRef) (deleteServiceLinkedRoleResult, error) {
	id, err := s.store.DeleteServiceLinkedRole(*in.RoleName, s.env.NewID())
	return deleteServiceLinkedRoleResult{id}, err
}

type deletionTaskInput struct {
	DeletionTaskId *string `required:"true" min:"1" max:"1000"`
}

type deletionStatusResult struct {
	Status string
}

func (s *Service) getServiceLinkedRoleDeletionStatus(c *awsproto.Call, in *deletionTaskInput) (deletionStatusResult, error) {
	if !s.store.DeletionTaskDone(*in.DeletionTaskId) {
		return deletionStatusResult{}, errNoSuchEntity.New("Deletion task " + *in.DeletionTaskId + " cannot be found.")
	}
	return deletionStatusResult{"SUCCEEDED"}, nil
}
