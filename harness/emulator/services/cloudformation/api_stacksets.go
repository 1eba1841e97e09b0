package cloudformation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Stack sets (self-managed permissions). A stack instance is a real stack,
// created through the emulator's edge in the named account and region (an
// account other than this one is another isolated account of the emulator,
// see docs/accounts.md). Operations run to their end before the call
// answers, so an operation is SUCCEEDED or FAILED by the time its id is
// returned.

const (
	maxStackSets      = 100
	maxInstancesPerOp = 100
	maxOperationsKept = 100
)

type stackInstance struct {
	Account, Region, StackID string
	Status, Reason           string
	Overrides                []parameterInput
	LastOperation            string
	Drift                    string // IN_SYNC after a drift detection, else ""
}

type setOperationResult struct {
	Account, Region, Status, Reason string
}

type setOperation struct {
	ID, Action, Status, Reason string
	Created, Ended             time.Time
	Retain                     *bool
	Results                    []setOperationResult
}

type stackSet struct {
	Name, ID, ARN, Description, Body string
	Params                           []parameterInput
	Capabilities                     []string
	Tags                             []tag
	Status                           string
	Instances                        []*stackInstance // in creation order
	Operations                       []*setOperation  // newest last
	Drift                            string
	busy                             bool
}

type stackSets struct {
	mu   sync.Mutex
	sets map[string]map[string]*stackSet // region → name → set
}

func (r *stackSets) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sets = map[string]map[string]*stackSet{}
}

func (s *Service) stackSetFor(region, name string) (*stackSet, error) {
	if s.sets.sets == nil {
		s.sets.sets = map[string]map[string]*stackSet{}
	}
	ss := s.sets.sets[region][name]
	if ss == nil {
		for _, x := range s.sets.sets[region] {
			if x.ID == name {
				return x, nil
			}
		}
		return nil, errStackSetNotFound.Errorf("StackSet %s not found", name)
	}
	return ss, nil
}

type createStackSetInput struct {
	StackSetName          *string `required:"true"`
	Description           *string `min:"1" max:"1024"`
	TemplateBody          *string `min:"1"`
	TemplateURL           *string `min:"1" max:"5120"`
	StackId               *string
	Parameters            []parameterInput
	Capabilities          []string   `enum:"CAPABILITY_IAM,CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND"`
	Tags                  []tagInput `max:"50"`
	AdministrationRoleARN *string    `min:"20" max:"2048"`
	ExecutionRoleName     *string    `min:"1" max:"64" pattern:"[a-zA-Z_0-9+=,.@-]+"`
	PermissionModel       *string    `enum:"SERVICE_MANAGED,SELF_MANAGED"`
	CallAs                *string    `enum:"SELF,DELEGATED_ADMIN"`
	ClientRequestToken    *string    `min:"1" max:"128" pattern:"[a-zA-Z0-9][-a-zA-Z0-9]*"`
}

func (s *Service) createStackSet(c *awsproto.Call, in *createStackSetInput) (struct{ StackSetId string }, error) {
	type out = struct{ StackSetId string }
	if in.PermissionModel != nil && *in.PermissionModel == "SERVICE_MANAGED" {
		return out{}, errValidation.New("StackSets with SERVICE_MANAGED permission model can only be created by an organization's management account; groundstack emulates no AWS Organizations")
	}
	if !stackNamePattern.MatchString(*in.StackSetName) || len(*in.StackSetName) > 128 {
		return out{}, errValidation.Errorf("1 validation error detected: Value '%s' at 'stackSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", *in.StackSetName)
	}
	body := ""
	if in.StackId != nil {
		s.store.mu.Lock()
		st := s.store.find(c.Region, *in.StackId)
		if st != nil {
			body = st.Body
		}
		s.store.mu.Unlock()
		if st == nil {
			return out{}, errValidation.Errorf(msgStackNotFound, *in.StackId)
		}
	} else {
		var err error
		if body, err = s.templateBody(in.TemplateBody, in.TemplateURL); err != nil {
			return out{}, err
		}
	}
	if _, err := s.engine.prepare(c.Region, body, in.Parameters, nil, in.Capabilities); err != nil {
		return out{}, err
	}
	s.sets.mu.Lock()
	defer s.sets.mu.Unlock()
	if _, err := s.stackSetFor(c.Region, *in.StackSetName); err == nil {
		return out{}, errNameAlreadyExists.Errorf("StackSet %s already exists", *in.StackSetName)
	}
	n := 0
	for _, m := range s.sets.sets {
		n += len(m)
	}
	if n >= maxStackSets {
		return out{}, errLimitExceeded.Errorf("Limit for the number of stack sets (%d) exceeded", maxStackSets)
	}
	id := *in.StackSetName + ":" + s.env.NewID()
	ss := &stackSet{Name: *in.StackSetName, ID: id, ARN: fmt.Sprintf("arn:aws:cloudformation:%s:%s:stackset/%s", c.Region, s.env.Account, id),
		Description: deref(in.Description), Body: body, Params: in.Parameters, Capabilities: in.Capabilities, Tags: tagsFrom(in.Tags), Status: "ACTIVE"}
	if s.sets.sets[c.Region] == nil {
		s.sets.sets[c.Region] = map[string]*stackSet{}
	}
	s.sets.sets[c.Region][ss.Name] = ss
	return out{StackSetId: id}, nil
}

type stackSetNameInput struct {
	StackSetName *string `required:"true"`
	CallAs       *string `enum:"SELF,DELEGATED_ADMIN"`
}

type stackSetXML struct {
	StackSetName          string
	StackSetId            string
	Description           string `xml:",omitempty"`
	Status                string
	TemplateBody          string
	Parameters            []parameterXML `xml:"Parameters>member"`
	Capabilities          []string       `xml:"Capabilities>member"`
	Tags                  []tagXML       `xml:"Tags>member"`
	StackSetARN           string
	AdministrationRoleARN string
	ExecutionRoleName     string
	PermissionModel       string
	Regions               []string `xml:"Regions>member"`
}

func paramInputsXML(in []parameterInput) []parameterXML {
	var out []parameterXML
	for _, p := range in {
		out = append(out, parameterXML{deref(p.ParameterKey), deref(p.ParameterValue)})
	}
	return out
}

func (s *Service) describeStackSet(c *awsproto.Call, in *stackSetNameInput) (struct{ StackSet stackSetXML }, error) {
	s.sets.mu.Lock()
	defer s.sets.mu.Unlock()
	ss, err := s.stackSetFor(c.Region, *in.StackSetName)
	if err != nil {
		return struct{ StackSet stackSetXML }{}, err
	}
	var regions []string
	for _, i := range ss.Instances {
		if !contains(regions, i.Region) {
			regions = append(regions, i.Region)
		}
	}
	return struct{ StackSet stackSetXML }{stackSetXML{StackSetName: ss.Name, StackSetId: ss.ID, Description: ss.Description, Status: ss.Status,
		TemplateBody: ss.Body, Parameters: paramInputsXML(ss.Params), Capabilities: ss.Capabilities, Tags: tagsXML(ss.Tags), StackSetARN: ss.ARN,
		AdministrationRoleARN: fmt.Sprintf("arn:aws:iam::%s:role/AWSCloudFormationStackSetAdministrationRole", s.env.Account),
		ExecutionRoleName:     "AWSCloudFormationStackSetExecutionRole", PermissionModel: "SELF_MANAGED", Regions: regions}}, nil
}

type listStackSetsInput struct {
	NextToken  *string `min:"1" max:"1024"`
	MaxResults *int    `min:"1" max:"100"`
	Status     *string `enum:"ACTIVE,DELETED"`
	CallAs     *string `enum:"SELF,DELEGATED_ADMIN"`
}

type stackSetSummaryXML struct {
	StackSetName    string
	StackSetId      string
	Description     string `xml:",omitempty"`
	Status          string
	PermissionModel string
	DriftStatus     string
}

type listStackSetsOutput struct {
	Summaries []stackSetSummaryXML `xml:"Summaries>member"`
	NextToken string               `xml:",omitempty"`
}

func (s *Service) listStackSets(c *awsproto.Call, in *listStackSetsInput) (listStackSetsOutput, error) {
	s.sets.mu.Lock()
	defer s.sets.mu.Unlock()
	var all []stackSetSummaryXML
	if in.Status == nil || *in.Status == "ACTIVE" {
		for _, n := range sortedKeys(s.sets.sets[c.Region]) {
			ss := s.sets.sets[c.Region][n]
			drift := "NOT_CHECKED"
			if ss.Drift != "" {
				drift = ss.Drift
			}
			all = append(all, stackSetSummaryXML{ss.Name, ss.ID, ss.Description, ss.Status, "SELF_MANAGED", drift})
		}
	}
	page, next, err := pageOf(all, in.NextToken, in.MaxResults, 100)
	return listStackSetsOutput{Summaries: page, NextToken: next}, err
}

func (s *Service) deleteStackSet(c *awsproto.Call, in *stackSetNameInput) (struct{}, error) {
	s.sets.mu.Lock()
	defer s.sets.mu.Unlock()
	ss, err := s.stackSetFor(c.Region, *in.StackSetName)
	if err != nil {
		return struct{}{}, nil // deleting a stack set that is not there succeeds, as on AWS
	}
	if ss.busy {
		return struct{}{}, errOperationInProgress.Errorf("Another Operation on StackSet %s is in progress", ss.ID)
	}
	if len(ss.Instances) > 0 {
		return struct{}{}, errStackSetNotEmpty.Errorf("StackSet %s is not empty", ss.ID)
	}
	delete(s.sets.sets[c.Region], ss.Name)
	return struct{}{}, nil
}

type deploymentTargetsInput struct {
	Accounts              []string `pattern:"^[0-9]{12}$"`
	AccountsUrl           *string  `min:"1" max:"5120" pattern:"(s3://|http(s?)://).+"`
	OrganizationalUnitIds []string
	AccountFilterType     *string `enum:"NONE,UNION,INTERSECTION,DIFFERENCE"`
}

type stackInstancesInput struct {
	StackSetName         *string  `required:"true"`
	Accounts             []string `pattern:"^[0-9]{12}$"`
	DeploymentTargets    *deploymentTargetsInput
	Regions              []string `required:"true" pattern:"^[a-zA-Z0-9-]{1,128}$"`
	ParameterOverrides   []parameterInput
	OperationId          *string `min:"1" max:"128" pattern:"[a-zA-Z0-9][-a-zA-Z0-9]*"`
	CallAs               *string `enum:"SELF,DELEGATED_ADMIN"`
	OperationPreferences *operationPreferences
}

type updateStackInstancesInput struct {
	StackSetName         *string  `required:"true" pattern:"[a-zA-Z][-a-zA-Z0-9]*(?::[a-zA-Z0-9]{8}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{12})?"`
	Accounts             []string `pattern:"^[0-9]{12}$"`
	DeploymentTargets    *deploymentTargetsInput
	Regions              []string `required:"true" pattern:"^[a-zA-Z0-9-]{1,128}$"`
	ParameterOverrides   []parameterInput
	OperationId          *string `min:"1" max:"128" pattern:"[a-zA-Z0-9][-a-zA-Z0-9]*"`
	CallAs               *string `enum:"SELF,DELEGATED_ADMIN"`
	OperationPreferences *operationPreferences
}

type deleteStackInstancesInput struct {
	StackSetName         *string  `required:"true"`
	Accounts             []string `pattern:"^[0-9]{12}$"`
	DeploymentTargets    *deploymentTargetsInput
	Regions              []string `required:"true" pattern:"^[a-zA-Z0-9-]{1,128}$"`
	OperationId          *string  `min:"1" max:"128" pattern:"[a-zA-Z0-9][-a-zA-Z0-9]*"`
	CallAs               *string  `enum:"SELF,DELEGATED_ADMIN"`
	RetainStacks         *bool    `required:"true"`
	OperationPreferences *operationPreferences
}

// operationPreferences are checked and otherwise moot: instances are
// deployed one after another, and an operation runs to its end.
type operationPreferences struct {
	RegionConcurrencyType      *string `enum:"SEQUENTIAL,PARALLEL"`
	RegionOrder                []string
	FailureToleranceCount      *int    `min:"0"`
	FailureTolerancePercentage *int    `min:"0" max:"100"`
	MaxConcurrentCount         *int    `min:"1"`
	MaxConcurrentPercentage    *int    `min:"1" max:"100"`
	ConcurrencyMode            *string `enum:"STRICT_FAILURE_TOLERANCE,SOFT_FAILURE_TOLERANCE"`
}

type operationIDOutput struct {
	OperationId string
}

func targetAccounts(accounts []string, targets *deploymentTargetsInput, regions []string) ([]string, error) {
	if targets != nil {
		if len(targets.OrganizationalUnitIds) > 0 {
			return nil, errValidation.New("OrganizationalUnitIds are only supported for StackSets with SERVICE_MANAGED permission model")
		}
		accounts = append(accounts, targets.Accounts...)
	}
	if len(accounts) == 0 {
		return nil, errValidation.New("Accounts or DeploymentTargets must be specified")
	}
	if len(accounts)*len(regions) > maxInstancesPerOp {
		return nil, errLimitExceeded.Errorf("An operation can act on at most %d stack instances here", maxInstancesPerOp)
	}
	return accounts, nil
}

// beginOperation marks a set busy and records a new operation (the caller
// holds s.sets.mu).
// lockedSetOperation takes the stack sets' lock, finds the set and begins
// an operation on it, and returns with the lock held; on an error it has
// let the lock go.
func (s *Service) lockedSetOperation(region, name, action string, id *string) (*stackSet, *setOperation, error) {
	s.sets.mu.Lock()
	ss, err := s.stackSetFor(region, name)
	if err != nil {
		s.sets.mu.Unlock()
		return nil, nil, err
	}
	op, err := s.beginOperation(ss, action, id)
	if err != nil {
		s.sets.mu.Unlock()
		return nil, nil, err
	}
	return ss, op, nil
}

func (s *Service) beginOperation(ss *stackSet, action string, id *string) (*setOperation, error) {
	if ss.busy {
		return nil, errOperationInProgress.Errorf("Another Operation on StackSet %s is in progress", ss.ID)
	}
	op := &setOperation{ID: deref(id), Action: action, Status: "RUNNING", Created: s.env.Now()}
	if op.ID == "" {
		op.ID = s.env.NewID()
	}
	for _, o := range ss.Operations {
		if o.ID == op.ID {
			return nil, errOperationIDAlreadyExists.Errorf("The operation id %s already exists", op.ID)
		}
	}
	ss.busy = true
	ss.Operations = append(ss.Operations, op)
	if len(ss.Operations) > maxOperationsKept {
		ss.Operations = ss.Operations[len(ss.Operations)-maxOperationsKept:]
	}
	return op, nil
}

func (s *Service) endOperation(ss *stackSet, op *setOperation) {
	s.sets.mu.Lock()
	defer s.sets.mu.Unlock()
	ss.busy = false
	op.Status, op.Ended = "SUCCEEDED", s.env.Now()
	for _, r := range op.Results {
		if r.Status != "SUCCEEDED" {
			op.Status = "FAILED"
		}
	}
}

// cfnFor is a CloudFormation client acting in an account and region of
// this emulator, through its internal edge.
func (s *Service) cfnFor(account, region string) (*cfn.Client, error) {
	var h http.Handler
	if account == s.env.Account {
		h, _ = s.env.Links.Get(cloud.LinkInternalEdge).(http.Handler)
	} else if edges, ok := s.env.Links.Get(cloud.LinkAccountEdges).(cloud.AccountEdges); ok {
		var err error
		if h, err = edges.InternalEdge(account); err != nil {
			return nil, err
		}
	}
	if h == nil {
		return nil, fmt.Errorf("account %s cannot be reached", account)
	}
	host := s.env.Host
	if host == "" {
		host = "localhost:4566"
	}
	return cfn.NewFromConfig(awsConfig(h, host, account, region)), nil
}

func sdkParams(ps []parameterInput) []cfntypes.Parameter {
	var out []cfntypes.Parameter
	for _, p := range ps {
		out = append(out, cfntypes.Parameter{ParameterKey: p.ParameterKey, ParameterValue: p.ParameterValue, UsePreviousValue: p.UsePreviousValue})
	}
	return out
}

// mergeParams lays an instance's overrides over the set's parameters.
func mergeParams(set, overrides []parameterInput) []parameterInput {
	out := append([]parameterInput(nil), set...)
	for _, o := range overrides {
		found := false
		for i := range out {
			if deref(out[i].ParameterKey) == deref(o.ParameterKey) {
				out[i], found = o, true
			}
		}
		if !found {
			out = append(out, o)
		}
	}
	return out
}

// deploy creates or updates an instance's stack and reports how it ended.
func (s *Service) deploy(ctx context.Context, ss *stackSet, inst *stackInstance, body string, params []parameterInput, caps []string) setOperationResult {
	res := setOperationResult{Account: inst.Account, Region: inst.Region, Status: "SUCCEEDED"}
	cl, err := s.cfnFor(inst.Account, inst.Region)
	if err != nil {
		res.Status, res.Reason = "FAILED", err.Error()
		s.setInstance(inst, res)
		return res
	}
	var capList []cfntypes.Capability
	for _, c := range caps {
		capList = append(capList, cfntypes.Capability(c))
	}
	if inst.StackID == "" {
		var out *cfn.CreateStackOutput
		out, err = cl.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("StackSet-" + ss.Name + "-" + s.env.NewID()),
			TemplateBody: aws.String(body), Parameters: sdkParams(params), Capabilities: capList})
		if err == nil {
			s.sets.mu.Lock()
			inst.StackID = aws.ToString(out.StackId)
			s.sets.mu.Unlock()
		}
	} else {
		_, err = cl.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String(inst.StackID), TemplateBody: aws.String(body),
			Parameters: sdkParams(params), Capabilities: capList})
		if err != nil && errorMessage(err) == msgNoUpdates {
			err = nil
		}
	}
	if err == nil && inst.StackID != "" {
		var d *cfn.DescribeStacksOutput
		if d, err = cl.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String(inst.StackID)}); err == nil && len(d.Stacks) == 1 {
			switch st := d.Stacks[0]; st.StackStatus {
			case cfntypes.StackStatusCreateComplete, cfntypes.StackStatusUpdateComplete:
			default:
				err = fmt.Errorf("ResourceLogicalId:%s, ResourceType:AWS::CloudFormation::Stack, ResourceStatusReason:%s", aws.ToString(st.StackName), aws.ToString(st.StackStatusReason))
			}
		}
	}
	if err != nil {
		res.Status, res.Reason = "FAILED", errorMessage(err)
	}
	s.setInstance(inst, res)
	return res
}

// setInstance records how an instance's deployment ended: CURRENT, or
// OUTDATED with the reason.
func (s *Service) setInstance(inst *stackInstance, res setOperationResult) {
	s.sets.mu.Lock()
	defer s.sets.mu.Unlock()
	if res.Status == "SUCCEEDED" {
		inst.Status, inst.Reason = "CURRENT", ""
		return
	}
	inst.Status, inst.Reason = "OUTDATED", res.Reason
}

func errorMessage(err error) string {
	var ae interface{ ErrorMessage() string }
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return err.Error()
}

func (s *Service) createStackInstances(c *awsproto.Call, in *stackInstancesInput) (operationIDOutput, error) {
	accounts, err := targetAccounts(in.Accounts, in.DeploymentTargets, in.Regions)
	if err != nil {
		return operationIDOutput{}, err
	}
	ss, op, err := s.lockedSetOperation(c.Region, *in.StackSetName, "CREATE", in.OperationId)
	if err != nil {
		return operationIDOutput{}, err
	}
	body, params, caps := ss.Body, ss.Params, ss.Capabilities
	var todo []*stackInstance
	for _, a := range accounts {
		for _, r := range in.Regions {
			var inst *stackInstance
			for _, i := range ss.Instances {
				if i.Account == a && i.Region == r {
					inst = i
				}
			}
			if inst == nil {
				inst = &stackInstance{Account: a, Region: r, Status: "OUTDATED", Reason: "User Initiated"}
				ss.Instances = append(ss.Instances, inst)
			}
			inst.Overrides, inst.LastOperation = in.ParameterOverrides, op.ID
			todo = append(todo, inst)
		}
	}
	s.sets.mu.Unlock()
	s.runInstances(c, ss, op, todo, body, params, caps)
	return operationIDOutput{OperationId: op.ID}, nil
}

// runInstances deploys instances one after another, outside the lock (the
// set is busy meanwhile, so nothing else changes them).
func (s *Service) runInstances(c *awsproto.Call, ss *stackSet, op *setOperation, todo []*stackInstance, body string, params []parameterInput, caps []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var results []setOperationResult
	for _, inst := range todo {
		results = append(results, s.deploy(ctx, ss, inst, body, mergeParams(params, inst.Overrides), caps))
	}
	s.sets.mu.Lock()
	op.Results = results
	s.sets.mu.Unlock()
	s.endOperation(ss, op)
}

func (s *Service) updateStackInstances(c *awsproto.Call, in *updateStackInstancesInput) (operationIDOutput, error) {
	accounts, err := targetAccounts(in.Accounts, in.DeploymentTargets, in.Regions)
	if err != nil {
		return operationIDOutput{}, err
	}
	s.sets.mu.Lock()
	ss, err := s.stackSetFor(c.Region, *in.StackSetName)
	if err != nil {
		s.sets.mu.Unlock()
		return operationIDOutput{}, err
	}
	var todo []*stackInstance
	for _, a := range accounts {
		for _, r := range in.Regions {
			var inst *stackInstance
			for _, i := range ss.Instances {
				if i.Account == a && i.Region == r {
					inst = i
				}
			}
			if inst == nil {
				s.sets.mu.Unlock()
				return operationIDOutput{}, errStackInstanceNotFound.Errorf("Stack instance for account %s and region %s not found in StackSet %s", a, r, ss.Name)
			}
			todo = append(todo, inst)
		}
	}
	op, err := s.beginOperation(ss, "UPDATE", in.OperationId)
	if err != nil {
		s.sets.mu.Unlock()
		return operationIDOutput{}, err
	}
	for _, inst := range todo {
		inst.Overrides, inst.LastOperation = in.ParameterOverrides, op.ID
	}
	body, params, caps := ss.Body, ss.Params, ss.Capabilities
	s.sets.mu.Unlock()
	s.runInstances(c, ss, op, todo, body, params, caps)
	return operationIDOutput{OperationId: op.ID}, nil
}

func (s *Service) deleteStackInstances(c *awsproto.Call, in *deleteStackInstancesInput) (operationIDOutput, error) {
	accounts, err := targetAccounts(in.Accounts, in.DeploymentTargets, in.Regions)
	if err != nil {
		return operationIDOutput{}, err
	}
	ss, op, err := s.lockedSetOperation(c.Region, *in.StackSetName, "DELETE", in.OperationId)
	if err != nil {
		return operationIDOutput{}, err
	}
	op.Retain = in.RetainStacks
	var todo []*stackInstance
	for _, i := range ss.Instances {
		if contains(accounts, i.Account) && contains(in.Regions, i.Region) {
			todo = append(todo, i)
		}
	}
	s.sets.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var results []setOperationResult
	gone := map[*stackInstance]bool{}
	for _, inst := range todo {
		res := setOperationResult{Account: inst.Account, Region: inst.Region, Status: "SUCCEEDED"}
		if !*in.RetainStacks && inst.StackID != "" {
			cl, err := s.cfnFor(inst.Account, inst.Region)
			if err != nil {
				res.Status, res.Reason = "FAILED", err.Error()
			} else if _, err := cl.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String(inst.StackID)}); err != nil {
				res.Status, res.Reason = "FAILED", errorMessage(err)
			} else if d, err := cl.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String(inst.StackID)}); err == nil && len(d.Stacks) == 1 &&
				d.Stacks[0].StackStatus != cfntypes.StackStatusDeleteComplete {
				res.Status, res.Reason = "FAILED", aws.ToString(d.Stacks[0].StackStatusReason)
			}
		}
		if res.Status == "SUCCEEDED" {
			gone[inst] = true
		}
		results = append(results, res)
	}
	s.sets.mu.Lock()
	kept := ss.Instances[:0]
	for _, i := range ss.Instances {
		if !gone[i] {
			kept = append(kept, i)
		}
	}
	ss.Instances = kept
	op.Results = results
	s.sets.mu.Unlock()
	s.endOperation(ss, op)
	return operationIDOutput{OperationId: op.ID}, nil
}

type updateStackSetInput struct {
	StackSetName          *string `required:"true"`
	Description           *string `min:"1" max:"1024"`
	TemplateBody          *string `min:"1"`
	TemplateURL           *string `min:"1" max:"5120"`
	UsePreviousTemplate   *bool
	Parameters            []parameterInput
	Capabilities          []string   `enum:"CAPABILITY_IAM,CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND"`
	Tags                  []tagInput `max:"50"`
	OperationId           *string    `min:"1" max:"128" pattern:"[a-zA-Z0-9][-a-zA-Z0-9]*"`
	Accounts              []string   `pattern:"^[0-9]{12}$"`
	Regions               []string   `pattern:"^[a-zA-Z0-9-]{1,128}$"`
	CallAs                *string    `enum:"SELF,DELEGATED_ADMIN"`
	OperationPreferences  *operationPreferences
	DeploymentTargets     *deploymentTargetsInput
	AdministrationRoleARN *string `min:"20" max:"2048"`
	ExecutionRoleName     *string `min:"1" max:"64" pattern:"[a-zA-Z_0-9+=,.@-]+"`
	PermissionModel       *string `enum:"SERVICE_MANAGED,SELF_MANAGED"`
}

// updateStackSet changes the set's template and parameters and brings its
// instances (all, or those named) to them.
func (s *Service) updateStackSet(c *awsproto.Call, in *updateStackSetInput) (operationIDOutput, error) {
	s.sets.mu.Lock()
	ss, err := s.stackSetFor(c.Region, *in.StackSetName)
	if err != nil {
		s.sets.mu.Unlock()
		return operationIDOutput{}, err
	}
	body := ss.Body
	s.sets.mu.Unlock()
	if in.UsePreviousTemplate == nil || !*in.UsePreviousTemplate {
		if body, err = s.templateBody(in.TemplateBody, in.TemplateURL); err != nil {
			return operationIDOutput{}, err
		}
	}
	if _, err := s.engine.prepare(c.Region, body, in.Parameters, nil, in.Capabilities); err != nil {
		return operationIDOutput{}, err
	}
	s.sets.mu.Lock()
	op, err := s.beginOperation(ss, "UPDATE", in.OperationId)
	if err != nil {
		s.sets.mu.Unlock()
		return operationIDOutput{}, err
	}
	ss.Body, ss.Params, ss.Capabilities = body, in.Parameters, in.Capabilities
	if in.Description != nil {
		ss.Description = *in.Description
	}
	if in.Tags != nil {
		ss.Tags = tagsFrom(in.Tags)
	}
	var todo []*stackInstance
	for _, i := range ss.Instances {
		if (len(in.Accounts) == 0 || contains(in.Accounts, i.Account)) && (len(in.Regions) == 0 || contains(in.Regions, i.Region)) {
			i.LastOperation = op.ID
			todo = append(todo, i)
		}
	}
	s.sets.mu.Unlock()
	s.runInstances(c, ss, op, todo, body, in.Parameters, in.Capabilities)
	return operationIDOutput{OperationId: op.ID}, nil
}

type describeStackInstanceInput struct {
	StackSetName         *string `required:"true"`
	StackInstanceAccount *string `required:"true" pattern:"^[0-9]{12}$"`
	StackInstanceRegion  *string `required:"true" pattern:"^[a-zA-Z0-9-]{1,128}$"`
	CallAs               *string `enum:"SELF,DELEGATED_ADMIN"`
}

type instanceStatusXML struct {
	DetailedStatus string
}

type stackInstanceXML struct {
	StackSetId          string
	Region              string
	Account             string
	StackId             string         `xml:",omitempty"`
	ParameterOverrides  []parameterXML `xml:"ParameterOverrides>member"`
	Status              string
	StackInstanceStatus instanceStatusXML
	StatusReason        string `xml:",omitempty"`
	DriftStatus         string
	LastOperationId     string
}

func instanceXML(ss *stackSet, i *stackInstance) stackInstanceXML {
	detailed := "SUCCEEDED"
	if i.Status != "CURRENT" {
		detailed = "FAILED"
	}
	drift := "NOT_CHECKED"
	if i.Drift != "" {
		drift = i.Drift
	}
	return stackInstanceXML{StackSetId: ss.ID, Region: i.Region, Account: i.Account, StackId: i.StackID, ParameterOverrides: paramInputsXML(i.Overrides),
		Status: i.Status, StackInstanceStatus: instanceStatusXML{detailed}, StatusReason: i.Reason, DriftStatus: drift, LastOperationId: i.LastOperation}
}

func (s *Service) describeStackInstance(c *awsproto.Call, in *describeStackInstanceInput) (struct{ StackInstance stackInstanceXML }, error) {
	type out = struct{ StackInstance stackInstanceXML }
	s.sets.mu.Lock()
	defer s.sets.mu.Unlock()
	ss, err := s.stackSetFor(c.Region, *in.StackSetName)
	if err != nil {
		return out{}, err
	}
	for _, i := range ss.Instances {
		if i.Account == *in.StackInstanceAccount && i.Region == *in.StackInstanceRegion {
			return out{instanceXML(ss, i)}, nil
		}
	}
	return out{}, errStackInstanceNotFound.Errorf("Stack instance for account %s and region %s not found in StackSet %s", *in.StackInstanceAccount, *in.StackInstanceRegion, ss.Name)
}

type listStackInstancesInput struct {
	StackSetName         *string `required:"true"`
	NextToken            *string `min:"1" max:"1024"`
	MaxResults           *int    `min:"1" max:"100"`
	StackInstanceAccount *string `pattern:"^[0-9]{12}$"`
	StackInstanceRegion  *string `pattern:"^[a-zA-Z0-9-]{1,128}$"`
	CallAs               *string `enum:"SELF,DELEGATED_ADMIN"`
	Filters              []struct {
		Name   *string `enum:"DETAILED_STATUS,LAST_OPERATION_ID,DRIFT_STATUS"`
		Values *string `min:"1" max:"128" pattern:"^\\S{1,128}$"`
	} `max:"3"`
}

type listStackInstancesOutput struct {
	Summaries []stackInstanceXML `xml:"Summaries>member"`
	NextToken string             `xml:",omitempty"`
}

func (s *Service) listStackInstances(c *awsproto.Call, in *listStackInstancesInput) (listStackInstancesOutput, error) {
	s.sets.mu.Lock()
	defer s.sets.mu.Unlock()
	ss, err := s.stackSetFor(c.Region, *in.StackSetName)
	if err != nil {
		return listStackInstancesOutput{}, err
	}
	var all []stackInstanceXML
	for _, i := range ss.Instances {
		if (in.StackInstanceAccount == nil || *in.StackInstanceAccount == i.Account) && (in.StackInstanceRegion == nil || *in.StackInstanceRegion == i.Region) {
			x := instanceXML(ss, i)
			x.ParameterOverrides = nil
			keep := true
			for _, f := range in.Filters {
				switch v := deref(f.Values); deref(f.Name) {
				case "DETAILED_STATUS":
					keep = keep && x.StackInstanceStatus.DetailedStatus == v
				case "LAST_OPERATION_ID":
					keep = keep && x.LastOperationId == v
				case "DRIFT_STATUS":
					keep = keep && x.DriftStatus == v
				}
			}
			if keep {
				all = append(all, x)
			}
		}
	}
	page, next, err := pageOf(all, in.NextToken, in.MaxResults, 100)
	return listStackInstancesOutput{Summaries: page, NextToken: next}, err
}

type listStackSetOperationsInput struct {
	StackSetName *string `required:"true"`
	NextToken    *string `min:"1" max:"1024"`
	MaxResults   *int    `min:"1" max:"100"`
	CallAs       *string `enum:"SELF,DELEGATED_ADMIN"`
}

type operationXML struct {
	OperationId       string
	StackSetId        string `xml:",omitempty"`
	Action            string
	Status            string
	RetainStacks      *bool
	CreationTimestamp string
	EndTimestamp      string `xml:",omitempty"`
	StatusReason      string `xml:",omitempty"`
}

func operationOf(ss *stackSet, o *setOperation) operationXML {
	x := operationXML{OperationId: o.ID, StackSetId: ss.ID, Action: o.Action, Status: o.Status, RetainStacks: o.Retain,
		CreationTimestamp: isoTime(o.Created), StatusReason: o.Reason}
	if !o.Ended.IsZero() {
		x.EndTimestamp = isoTime(o.Ended)
	}
	return x
}

type listStackSetOperationsOutput struct {
	Summaries []operationXML `xml:"Summaries>member"`
	NextToken string         `xml:",omitempty"`
}

func (s *Service) listStackSetOperations(c *awsproto.Call, in *listStackSetOperationsInput) (listStackSetOperationsOutput, error) {
	s.sets.mu.Lock()
	defer s.sets.mu.Unlock()
	ss, err := s.stackSetFor(c.Region, *in.StackSetName)
	if err != nil {
		return listStackSetOperationsOutput{}, err
	}
	var all []operationXML
	for i := len(ss.Operations) - 1; i >= 0; i-- {
		x := operationOf(ss, ss.Operations[i])
		x.StackSetId, x.RetainStacks = "", nil
		all = append(all, x)
	}
	page, next, err := pageOf(all, in.NextToken, in.MaxResults, 100)
	return listStackSetOperationsOutput{Summaries: page, NextToken: next}, err
}

type operationRefInput struct {
	StackSetName *string `required:"true"`
	OperationId  *string `required:"true" min:"1" max:"128" pattern:"[a-zA-Z0-9][-a-zA-Z0-9]*"`
	NextToken    *string `min:"1" max:"1024"`
	MaxResults   *int    `min:"1" max:"100"`
	CallAs       *string `enum:"SELF,DELEGATED_ADMIN"`
}

func (s *Service) findOperation(region string, in *operationRefInput) (*stackSet, *setOperation, error) {
	ss, err := s.stackSetFor(region, *in.StackSetName)
	if err != nil {
		return nil, nil, err
	}
	for _, o := range ss.Operations {
		if o.ID == *in.OperationId {
			return ss, o, nil
		}
	}
	return nil, nil, errOperationNotFound.Errorf("Operation %s not found", *in.OperationId)
}

func (s *Service) describeStackSetOperation(c *awsproto.Call, in *operationRefInput) (struct{ StackSetOperation operationXML }, error) {
	type out = struct{ StackSetOperation operationXML }
	s.sets.mu.Lock()
	defer s.sets.mu.Unlock()
	ss, o, err := s.findOperation(c.Region, in)
	if err != nil {
		return out{}, err
	}
	return out{operationOf(ss, o)}, nil
}

type operationResultXML struct {
	Account      string
	Region       string
	Status       string
	StatusReason string `xml:",omitempty"`
}

type listOperationResultsOutput struct {
	Summaries []operationResultXML `xml:"Summaries>member"`
	NextToken string               `xml:",omitempty"`
}

type listOperationResultsInput struct {
	StackSetName *string `required:"true"`
	OperationId  *string `required:"true" min:"1" max:"128" pattern:"[a-zA-Z0-9][-a-zA-Z0-9]*"`
	NextToken    *string `min:"1" max:"1024"`
	MaxResults   *int    `min:"1" max:"100"`
	CallAs       *string `enum:"SELF,DELEGATED_ADMIN"`
	Filters      []struct {
		Name   *string `enum:"OPERATION_RESULT_STATUS"`
		Values *string `min:"6" max:"9" pattern:"^\\S{6,9}$"`
	} `max:"1"`
}

func (s *Service) listStackSetOperationResults(c *awsproto.Call, in *listOperationResultsInput) (listOperationResultsOutput, error) {
	s.sets.mu.Lock()
	defer s.sets.mu.Unlock()
	_, o, err := s.findOperation(c.Region, &operationRefInput{StackSetName: in.StackSetName, OperationId: in.OperationId})
	if err != nil {
		return listOperationResultsOutput{}, err
	}
	var all []operationResultXML
	for _, r := range o.Results {
		if len(in.Filters) == 1 && in.Filters[0].Values != nil && *in.Filters[0].Values != r.Status {
			continue
		}
		all = append(all, operationResultXML{r.Account, r.Region, r.Status, r.Reason})
	}
	page, next, err := pageOf(all, in.NextToken, in.MaxResults, 100)
	return listOperationResultsOutput{Summaries: page, NextToken: next}, err
}

// stopStackSetOperation: operations end before their call answers, so
// there is never a running one to stop; AWS's answer for a finished one.
func (s *Service) stopStackSetOperation(c *awsproto.Call, in *operationRefInput) (struct{}, error) {
	s.sets.mu.Lock()
	defer s.sets.mu.Unlock()
	_, o, err := s.findOperation(c.Region, in)
	if err != nil {
		return struct{}{}, err
	}
	if o.Status != "RUNNING" && o.Status != "QUEUED" {
		return struct{}{}, errInvalidOperation.Errorf("Operation %s is in %s state and cannot be stopped", o.ID, o.Status)
	}
	return struct{}{}, nil
}

type autoDeploymentTargetsInput struct {
	StackSetName *string `required:"true" pattern:"[a-zA-Z][-a-zA-Z0-9]*(?::[a-zA-Z0-9]{8}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{12})?"`
	NextToken    *string `min:"1" max:"1024"`
	MaxResults   *int    `min:"1" max:"100"`
	CallAs       *string `enum:"SELF,DELEGATED_ADMIN"`
}

// listStackSetAutoDeploymentTargets: automatic deployment belongs to
// SERVICE_MANAGED sets, which need AWS Organizations; a self-managed set
// has no targets.
func (s *Service) listStackSetAutoDeploymentTargets(c *awsproto.Call, in *autoDeploymentTargetsInput) (struct {
	Summaries []string `xml:"Summaries>member"`
}, error) {
	type out = struct {
		Summaries []string `xml:"Summaries>member"`
	}
	s.sets.mu.Lock()
	defer s.sets.mu.Unlock()
	if _, err := s.stackSetFor(c.Region, *in.StackSetName); err != nil {
		return out{}, err
	}
	return out{Summaries: []string{}}, nil
}
