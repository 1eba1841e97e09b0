package secretsmanager

import (
	"bytes"
	"encoding/json"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- resource policies ----

type putPolicyInput struct {
	SecretId          *string `json:"SecretId" required:"true" min:"1" max:"2048"`
	ResourcePolicy    *string `json:"ResourcePolicy" required:"true" min:"1" max:"20480"`
	BlockPublicPolicy bool    `json:"BlockPublicPolicy"`
}

type nameARNOutput struct {
	ARN  string `json:"ARN"`
	Name string `json:"Name"`
}

const (
	msgMalformedPolicy = "This resource policy contains an unsupported principal."
	msgBadPolicyJSON   = "The policy document you provided isn't valid. Check the policy syntax and try again."
	msgPublicPolicy    = "The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret."
)

// policyDoc is the part of an IAM policy document the emulator reads.
type policyDoc struct {
	Version   string          `json:"Version"`
	Statement json.RawMessage `json:"Statement"`
	stmts     []policyStatement
}

type policyStatement struct {
	Sid       string          `json:"Sid"`
	Effect    string          `json:"Effect"`
	Principal json.RawMessage `json:"Principal"`
	Action    json.RawMessage `json:"Action"`
	Resource  json.RawMessage `json:"Resource"`
	Condition json.RawMessage `json:"Condition"`
}

// parsePolicy reads a resource policy: a JSON object whose Statement is one
// statement or a list of them, each with an Effect of Allow or Deny.
func parsePolicy(text string) (*policyDoc, error) {
	var d policyDoc
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	if err := dec.Decode(&d); err != nil || dec.More() || len(d.Statement) == 0 {
		return nil, errMalformedPolicy.New(msgBadPolicyJSON)
	}
	switch d.Statement[0] {
	case '{':
		var s policyStatement
		if json.Unmarshal(d.Statement, &s) != nil {
			return nil, errMalformedPolicy.New(msgBadPolicyJSON)
		}
		d.stmts = []policyStatement{s}
	case '[':
		if json.Unmarshal(d.Statement, &d.stmts) != nil || len(d.stmts) == 0 {
			return nil, errMalformedPolicy.New(msgBadPolicyJSON)
		}
	default:
		return nil, errMalformedPolicy.New(msgBadPolicyJSON)
	}
	for _, s := range d.stmts {
		if s.Effect != "Allow" && s.Effect != "Deny" || len(s.Action) == 0 {
			return nil, errMalformedPolicy.New(msgBadPolicyJSON)
		}
		if len(s.Principal) == 0 {
			return nil, errMalformedPolicy.New(msgMalformedPolicy)
		}
	}
	return &d, nil
}

// public says whether the policy allows anyone: an Allow statement for the
// principal "*" (or {"AWS": "*"}) without a condition narrowing it.
func (d *policyDoc) public() bool {
	for _, s := range d.stmts {
		if s.Effect != "Allow" || len(s.Condition) > 0 && string(s.Condition) != "{}" && string(s.Condition) != "null" {
			continue
		}
		if anyone(s.Principal) {
			return true
		}
	}
	return false
}

func anyone(p json.RawMessage) bool {
	var star string
	if json.Unmarshal(p, &star) == nil {
		return star == "*"
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(p, &m) != nil {
		return false
	}
	for _, v := range m {
		var one string
		if json.Unmarshal(v, &one) == nil && one == "*" {
			return true
		}
		var many []string
		if json.Unmarshal(v, &many) == nil {
			for _, x := range many {
				if x == "*" {
					return true
				}
			}
		}
	}
	return false
}

func (s *Service) putResourcePolicy(c *awsproto.Call, in *putPolicyInput) (nameARNOutput, error) {
	d, err := parsePolicy(*in.ResourcePolicy)
	if err != nil {
		return nameARNOutput{}, err
	}
	if in.BlockPublicPolicy && d.public() {
		return nameARNOutput{}, errPublicPolicy.New(msgPublicPolicy)
	}
	ref, err := s.store.SetPolicy(c.Region, *in.SecretId, *in.ResourcePolicy, s.env.Now())
	return nameARNOutput{ref.ARN, ref.Name}, err
}

type getPolicyOutput struct {
	ARN            string `json:"ARN"`
	Name           string `json:"Name"`
	ResourcePolicy string `json:"ResourcePolicy,omitempty"`
}

func (s *Service) getResourcePolicy(c *awsproto.Call, in *secretIDInput) (getPolicyOutput, error) {
	ref, policy, err := s.store.PolicyOf(c.Region, *in.SecretId, s.env.Now())
	return getPolicyOutput{ref.ARN, ref.Name, policy}, err
}

func (s *Service) deleteResourcePolicy(c *awsproto.Call, in *secretIDInput) (nameARNOutput, error) {
	ref, err := s.store.SetPolicy(c.Region, *in.SecretId, "", s.env.Now())
	return nameARNOutput{ref.ARN, ref.Name}, err
}

type validatePolicyInput struct {
	SecretId       *string `json:"SecretId" min:"1" max:"2048"`
	ResourcePolicy *string `json:"ResourcePolicy" required:"true" min:"1" max:"20480"`
}

type validationEntry struct {
	CheckName    string `json:"CheckName"`
	ErrorMessage string `json:"ErrorMessage"`
}

type validatePolicyOutput struct {
	PolicyValidationPassed bool              `json:"PolicyValidationPassed"`
	ValidationErrors       []validationEntry `json:"ValidationErrors"`
}

// validateResourcePolicy checks the policy's syntax (a malformed document
// is an error, as on AWS) and reports a policy granting public access as a
// failed check; it does not run IAM Access Analyzer's other checks.
func (s *Service) validateResourcePolicy(c *awsproto.Call, in *validatePolicyInput) (validatePolicyOutput, error) {
	if in.SecretId != nil {
		if _, _, err := s.store.PolicyOf(c.Region, *in.SecretId, s.env.Now()); err != nil {
			return validatePolicyOutput{}, err
		}
	}
	d, err := parsePolicy(*in.ResourcePolicy)
	if err != nil {
		return validatePolicyOutput{}, err
	}
	out := validatePolicyOutput{PolicyValidationPassed: true, ValidationErrors: []validationEntry{}}
	if d.public() {
		out.PolicyValidationPassed = false
		out.ValidationErrors = append(out.ValidationErrors, validationEntry{CheckName: "PUBLIC_ACCESS_CHECK", ErrorMessage: msgPublicPolicy})
	}
	return out, nil
}

// ---- UpdateSecretVersionStage ----

type updateStageInput struct {
	SecretId            *string `json:"SecretId" required:"true" min:"1" max:"2048"`
	VersionStage        *string `json:"VersionStage" required:"true" min:"1" max:"256"`
	RemoveFromVersionId *string `json:"RemoveFromVersionId" min:"32" max:"64"`
	MoveToVersionId     *string `json:"MoveToVersionId" min:"32" max:"64"`
}

func (s *Service) updateSecretVersionStage(c *awsproto.Call, in *updateStageInput) (nameARNOutput, error) {
	ref, err := s.store.MoveStage(c.Region, *in.SecretId, *in.VersionStage, deref(in.RemoveFromVersionId), deref(in.MoveToVersionId), s.env.Now())
	return nameARNOutput{ref.ARN, ref.Name}, err
}
