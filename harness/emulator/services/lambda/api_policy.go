package lambda

import (
	"encoding/json"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// --- inputs (FunctionName patterns: see target)

type addPermissionInput struct {
	FunctionName        *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"256"`
	Qualifier           *string `json:"-" location:"querystring" name:"Qualifier" min:"1" max:"128" pattern:"\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"`
	StatementId         *string `json:"StatementId" required:"true" min:"1" max:"100" pattern:"([a-zA-Z0-9-_]+)"`
	Action              *string `json:"Action" required:"true" pattern:"(lambda:[*]|lambda:[a-zA-Z]+|[*])"`
	Principal           *string `json:"Principal" required:"true" pattern:"[^\\s]+"`
	SourceArn           string  `json:"SourceArn" pattern:"arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)"`
	SourceAccount       string  `json:"SourceAccount" min:"0" max:"12" pattern:"\\d{12}"`
	EventSourceToken    string  `json:"EventSourceToken" min:"0" max:"256" pattern:"[a-zA-Z0-9._\\-]+"`
	PrincipalOrgID      string  `json:"PrincipalOrgID" min:"12" max:"34" pattern:"o-[a-z0-9]{10,32}"`
	FunctionUrlAuthType string  `json:"FunctionUrlAuthType" enum:"NONE,AWS_IAM"`
	RevisionId          *string `json:"RevisionId"`
}

type removePermissionInput struct {
	FunctionName *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"256"`
	StatementId  *string `json:"-" location:"uri" name:"StatementId" required:"true" min:"1" max:"100" pattern:"([a-zA-Z0-9-_.]+)"`
	Qualifier    *string `json:"-" location:"querystring" name:"Qualifier" min:"1" max:"128" pattern:"\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"`
	RevisionId   *string `json:"-" location:"querystring" name:"RevisionId"`
}

// --- outputs

type addPermissionOutput struct {
	Statement string `json:"Statement"`
}

type getPolicyOutput struct {
	Policy     string `json:"Policy"`
	RevisionId string `json:"RevisionId"`
}

// --- operations

func (s *Service) addPermission(c *awsproto.Call, in *addPermissionInput) (addPermissionOutput, error) {
	region, name, q, err := target(*in.FunctionName, str(in.Qualifier), c.Region)
	if err != nil {
		return addPermissionOutput{}, err
	}
	js, err := s.store.AddStatement(region, name, q, str(in.RevisionId), Permission{
		StatementID: *in.StatementId, Action: *in.Action, Principal: *in.Principal,
		SourceArn: in.SourceArn, SourceAccount: in.SourceAccount, PrincipalOrgID: in.PrincipalOrgID,
		FunctionURLAuthType: in.FunctionUrlAuthType,
	})
	if err != nil {
		return addPermissionOutput{}, err
	}
	return addPermissionOutput{Statement: js}, nil
}

func (s *Service) getPolicy(c *awsproto.Call, in *qualifiedFunctionInput) (getPolicyOutput, error) {
	region, name, q, err := target(*in.FunctionName, str(in.Qualifier), c.Region)
	if err != nil {
		return getPolicyOutput{}, err
	}
	p, err := s.store.Policy(region, name, q)
	if err != nil {
		return getPolicyOutput{}, err
	}
	raw := make([]json.RawMessage, len(p.Statements))
	for i, st := range p.Statements {
		raw[i] = json.RawMessage(st.JSON)
	}
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Id": "default", "Statement": raw})
	return getPolicyOutput{Policy: string(b), RevisionId: p.RevisionID}, nil
}

func (s *Service) removePermission(c *awsproto.Call, in *removePermissionInput) (struct{}, error) {
	region, name, q, err := target(*in.FunctionName, str(in.Qualifier), c.Region)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.RemoveStatement(region, name, q, *in.StatementId, str(in.RevisionId))
}
