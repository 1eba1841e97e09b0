package cloudformation

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Organizations access, stack set drift and importing stacks into a set.

var errStackNotFoundException = awsproto.Code{Name: "StackNotFoundException", Status: 404}

type callAsInput struct {
	CallAs *string `enum:"SELF,DELEGATED_ADMIN"`
}

// describeOrganizationsAccess: the emulator has no AWS Organizations, so
// trusted access is never enabled.
func (s *Service) describeOrganizationsAccess(c *awsproto.Call, in *callAsInput) (struct{ Status string }, error) {
	return struct{ Status string }{"DISABLED"}, nil
}

func (s *Service) activateOrganizationsAccess(c *awsproto.Call, in *struct{}) (struct{}, error) {
	return struct{}{}, errInvalidOperation.New("The account is not the management account of an organization: groundstack emulates no AWS Organizations")
}

// deactivateOrganizationsAccess: access is never enabled, so it is
// already off.
func (s *Service) deactivateOrganizationsAccess(c *awsproto.Call, in *struct{}) (struct{}, error) {
	return struct{}{}, nil
}

type detectStackSetDriftInput struct {
	StackSetName         *string `required:"true" pattern:"[a-zA-Z][-a-zA-Z0-9]*(?::[a-zA-Z0-9]{8}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{12})?"`
	OperationId          *string `min:"1" max:"128" pattern:"[a-zA-Z0-9][-a-zA-Z0-9]*"`
	CallAs               *string `enum:"SELF,DELEGATED_ADMIN"`
	OperationPreferences *operationPreferences
}

// detectStackSetDrift checks every instance's stack; like a stack's drift
// detection, every resource is IN_SYNC (docs/cloudformation.md says why).
func (s *Service) detectStackSetDrift(c *awsproto.Call, in *detectStackSetDriftInput) (operationIDOutput, error) {
	s.sets.mu.Lock()
	defer s.sets.mu.Unlock()
	ss, err := s.stackSetFor(c.Region, *in.StackSetName)
	if err != nil {
		return operationIDOutput{}, err
	}
	op, err := s.beginOperation(ss, "DETECT_DRIFT", in.OperationId)
	if err != nil {
		return operationIDOutput{}, err
	}
	for _, i := range ss.Instances {
		status, reason := "SUCCEEDED", ""
		if i.StackID == "" {
			status, reason = "FAILED", "The stack instance has no stack"
		} else {
			i.Drift = "IN_SYNC"
		}
		op.Results = append(op.Results, setOperationResult{Account: i.Account, Region: i.Region, Status: status, Reason: reason})
	}
	ss.busy = false
	op.Status, op.Ended = "SUCCEEDED", s.env.Now()
	for _, r := range op.Results {
		if r.Status != "SUCCEEDED" {
			op.Status = "FAILED"
		}
	}
	ss.Drift = "IN_SYNC"
	return operationIDOutput{OperationId: op.ID}, nil
}

type listInstanceResourceDriftsInput struct {
	StackSetName                       *string  `required:"true" pattern:"[a-zA-Z][-a-zA-Z0-9]*(?::[a-zA-Z0-9]{8}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{12})?"`
	NextToken                          *string  `min:"1" max:"1024"`
	MaxResults                         *int     `min:"1" max:"100"`
	StackInstanceResourceDriftStatuses []string `min:"1" max:"4" enum:"IN_SYNC,MODIFIED,DELETED,NOT_CHECKED,UNKNOWN,UNSUPPORTED"`
	StackInstanceAccount               *string  `required:"true" pattern:"^[0-9]{12}$"`
	StackInstanceRegion                *string  `required:"true" pattern:"^[a-zA-Z0-9-]{1,128}$"`
	OperationId                        *string  `required:"true" min:"1" max:"128" pattern:"[a-zA-Z0-9][-a-zA-Z0-9]*"`
	CallAs                             *string  `enum:"SELF,DELEGATED_ADMIN"`
}

type instanceResourceDriftXML struct {
	StackId                  string
	LogicalResourceId        string
	PhysicalResourceId       string
	ResourceType             string
	StackResourceDriftStatus string
	Timestamp                string
}

type listInstanceResourceDriftsOutput struct {
	Summaries []instanceResourceDriftXML `xml:"Summaries>member"`
	NextToken string                     `xml:",omitempty"`
}

func (s *Service) listStackInstanceResourceDrifts(c *awsproto.Call, in *listInstanceResourceDriftsInput) (listInstanceResourceDriftsOutput, error) {
	s.sets.mu.Lock()
	ss, o, err := s.findOperation(c.Region, &operationRefInput{StackSetName: in.StackSetName, OperationId: in.OperationId})
	if err != nil {
		s.sets.mu.Unlock()
		return listInstanceResourceDriftsOutput{}, err
	}
	var inst *stackInstance
	for _, i := range ss.Instances {
		if i.Account == *in.StackInstanceAccount && i.Region == *in.StackInstanceRegion {
			inst = i
		}
	}
	at := isoTime(o.Ended)
	s.sets.mu.Unlock()
	if inst == nil {
		return listInstanceResourceDriftsOutput{}, errStackInstanceNotFound.Errorf("Stack instance for account %s and region %s not found in StackSet %s", *in.StackInstanceAccount, *in.StackInstanceRegion, ss.Name)
	}
	out := listInstanceResourceDriftsOutput{Summaries: []instanceResourceDriftXML{}}
	if o.Action != "DETECT_DRIFT" || inst.StackID == "" ||
		(len(in.StackInstanceResourceDriftStatuses) > 0 && !contains(in.StackInstanceResourceDriftStatuses, "IN_SYNC")) {
		return out, nil
	}
	cl, err := s.cfnFor(inst.Account, inst.Region)
	if err != nil {
		return out, errInvalidOperation.New(err.Error())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rs, err := cl.ListStackResources(ctx, &cfn.ListStackResourcesInput{StackName: aws.String(inst.StackID)})
	if err != nil {
		return out, nil // the stack is gone: nothing to report
	}
	var all []instanceResourceDriftXML
	for _, r := range rs.StackResourceSummaries {
		all = append(all, instanceResourceDriftXML{StackId: inst.StackID, LogicalResourceId: aws.ToString(r.LogicalResourceId),
			PhysicalResourceId: aws.ToString(r.PhysicalResourceId), ResourceType: aws.ToString(r.ResourceType), StackResourceDriftStatus: "IN_SYNC", Timestamp: at})
	}
	page, next, err := pageOf(all, in.NextToken, in.MaxResults, 100)
	out.Summaries, out.NextToken = append(out.Summaries, page...), next
	return out, err
}

type importStacksInput struct {
	StackSetName          *string `required:"true" pattern:"[a-zA-Z][-a-zA-Z0-9]*(?::[a-zA-Z0-9]{8}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{12})?"`
	StackIds              []string
	StackIdsUrl           *string `min:"1" max:"5120" pattern:"(s3://|http(s?)://).+"`
	OrganizationalUnitIds []string
	OperationId           *string `min:"1" max:"128" pattern:"[a-zA-Z0-9][-a-zA-Z0-9]*"`
	CallAs                *string `enum:"SELF,DELEGATED_ADMIN"`
	OperationPreferences  *operationPreferences
}

// importStacksToStackSet makes existing stacks of the account instances of
// the set (each keeps its resources; the set's template governs it from
// the next update on).
func (s *Service) importStacksToStackSet(c *awsproto.Call, in *importStacksInput) (operationIDOutput, error) {
	if len(in.OrganizationalUnitIds) > 0 {
		return operationIDOutput{}, errInvalidOperation.New("OrganizationalUnitIds are only supported for StackSets with SERVICE_MANAGED permission model")
	}
	if in.StackIdsUrl != nil {
		return operationIDOutput{}, errInvalidOperation.New("groundstack takes StackIds only, not StackIdsUrl")
	}
	if len(in.StackIds) == 0 {
		return operationIDOutput{}, errValidation.New("StackIds or StackIdsUrl must be specified")
	}
	if len(in.StackIds) > maxInstancesPerOp {
		return operationIDOutput{}, errLimitExceeded.Errorf("An operation can act on at most %d stack instances here", maxInstancesPerOp)
	}
	type found struct{ id, account, region string }
	var stacks []found
	for _, id := range in.StackIds {
		parts := strings.Split(id, ":")
		if len(parts) < 6 || parts[2] != "cloudformation" {
			return operationIDOutput{}, errStackNotFoundException.Errorf("Stack with id %s does not exist", id)
		}
		cl, err := s.cfnFor(parts[4], parts[3])
		if err != nil {
			return operationIDOutput{}, errStackNotFoundException.Errorf("Stack with id %s does not exist", id)
		}
		d, err := cl.DescribeStacks(context.Background(), &cfn.DescribeStacksInput{StackName: aws.String(id)})
		if err != nil || len(d.Stacks) != 1 || d.Stacks[0].StackStatus == "DELETE_COMPLETE" {
			return operationIDOutput{}, errStackNotFoundException.Errorf("Stack with id %s does not exist", id)
		}
		stacks = append(stacks, found{aws.ToString(d.Stacks[0].StackId), parts[4], parts[3]})
	}
	s.sets.mu.Lock()
	defer s.sets.mu.Unlock()
	ss, err := s.stackSetFor(c.Region, *in.StackSetName)
	if err != nil {
		return operationIDOutput{}, err
	}
	for _, f := range stacks {
		for _, i := range ss.Instances {
			if i.Account == f.account && i.Region == f.region {
				return operationIDOutput{}, errInvalidOperation.Errorf("StackSet %s already has an instance in account %s and region %s", ss.Name, f.account, f.region)
			}
		}
	}
	op, err := s.beginOperation(ss, "CREATE", in.OperationId)
	if err != nil {
		return operationIDOutput{}, err
	}
	for _, f := range stacks {
		ss.Instances = append(ss.Instances, &stackInstance{Account: f.account, Region: f.region, StackID: f.id, Status: "CURRENT", LastOperation: op.ID})
		op.Results = append(op.Results, setOperationResult{Account: f.account, Region: f.region, Status: "SUCCEEDED"})
	}
	ss.busy = false
	op.Status, op.Ended = "SUCCEEDED", s.env.Now()
	return operationIDOutput{OperationId: op.ID}, nil
}
