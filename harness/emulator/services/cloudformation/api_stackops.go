package cloudformation

import (
	"context"
	"net/url"
	"strconv"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Drift detection, signals, the rollback operations, account limits,
// cost estimates and hook results.

// ---- drift ----

// driftDetection is a stack's drift detection: it completes at once. The
// emulator's resources change only through their own APIs, which the
// providers do not read back, so every resource checked is IN_SYNC (the
// documented limit: docs/cloudformation.md).
type driftDetection struct {
	ID, StackID string
	At          string
	Logical     []string // the resources checked, all when empty
}

// maxDetections bounds the drift detections kept (oldest forgotten).
const maxDetections = 1000

type detectStackDriftInput struct {
	StackName          *string  `required:"true" min:"1" pattern:"([a-zA-Z][-a-zA-Z0-9]*)|(arn:\\b(aws|aws-us-gov|aws-cn)\\b:[-a-zA-Z0-9:/._+]*)"`
	LogicalResourceIds []string `min:"1" max:"200"`
}

type detectStackDriftOutput struct {
	StackDriftDetectionId string
}

// driftable returns a stack whose drift can be detected now.
func (s *Service) driftable(region, name string) (*stack, error) {
	st := s.store.find(region, name)
	if st == nil || st.Status == stDeleteComplete {
		return nil, errValidation.Errorf(msgStackNotFound, name)
	}
	switch st.Status {
	case stCreateComplete, stUpdateComplete, stUpdateRollbackDone, stUpdateRollbackFailedState, stRollbackFailed, stDeleteFailed, stUpdateFailed:
		if !st.busy {
			return st, nil
		}
	}
	return nil, errValidation.Errorf("Drift detection cannot be performed on stack [%s] in [%s] state.", st.ID, st.Status)
}

const stUpdateRollbackFailedState = "UPDATE_ROLLBACK_FAILED"

func (s *Service) detectStackDrift(c *awsproto.Call, in *detectStackDriftInput) (detectStackDriftOutput, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	st, err := s.driftable(c.Region, *in.StackName)
	if err != nil {
		return detectStackDriftOutput{}, err
	}
	for _, l := range in.LogicalResourceIds {
		if st.Resources[l] == nil {
			return detectStackDriftOutput{}, errValidation.Errorf("Resource %s does not exist for stack %s", l, st.Name)
		}
	}
	d := &driftDetection{ID: s.env.NewID(), StackID: st.ID, At: isoTime(s.store.now()), Logical: in.LogicalResourceIds}
	st.drift = d
	if s.store.detections == nil {
		s.store.detections = map[string]*driftDetection{}
	}
	if len(s.store.detections) >= maxDetections {
		for k := range s.store.detections {
			delete(s.store.detections, k)
			break
		}
	}
	s.store.detections[d.ID] = d
	return detectStackDriftOutput{StackDriftDetectionId: d.ID}, nil
}

type describeDriftStatusInput struct {
	StackDriftDetectionId *string `required:"true" min:"1" max:"36"`
}

type describeDriftStatusOutput struct {
	StackId                   string
	StackDriftDetectionId     string
	StackDriftStatus          string
	DetectionStatus           string
	DetectionStatusReason     string `xml:",omitempty"`
	DriftedStackResourceCount int
	Timestamp                 string
}

func (s *Service) describeStackDriftDetectionStatus(c *awsproto.Call, in *describeDriftStatusInput) (describeDriftStatusOutput, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	d := s.store.detections[*in.StackDriftDetectionId]
	if d == nil {
		return describeDriftStatusOutput{}, errValidation.Errorf("Drift detection with id %s does not exist", *in.StackDriftDetectionId)
	}
	return describeDriftStatusOutput{StackId: d.StackID, StackDriftDetectionId: d.ID, StackDriftStatus: "IN_SYNC",
		DetectionStatus: "DETECTION_COMPLETE", Timestamp: d.At}, nil
}

type stackResourceDriftXML struct {
	StackId                  string
	LogicalResourceId        string
	PhysicalResourceId       string
	ResourceType             string
	ExpectedProperties       string
	ActualProperties         string
	StackResourceDriftStatus string
	Timestamp                string
}

func (s *Service) resourceDrift(st *stack, r *stackResource, at string) stackResourceDriftXML {
	props := canonical(orEmpty(r.Props))
	return stackResourceDriftXML{StackId: st.ID, LogicalResourceId: r.Logical, PhysicalResourceId: r.Physical, ResourceType: r.Type,
		ExpectedProperties: props, ActualProperties: props, StackResourceDriftStatus: "IN_SYNC", Timestamp: at}
}

type detectResourceDriftInput struct {
	StackName         *string `required:"true" min:"1" pattern:"([a-zA-Z][-a-zA-Z0-9]*)|(arn:\\b(aws|aws-us-gov|aws-cn)\\b:[-a-zA-Z0-9:/._+]*)"`
	LogicalResourceId *string `required:"true"`
}

type detectResourceDriftOutput struct {
	StackResourceDrift stackResourceDriftXML
}

func (s *Service) detectStackResourceDrift(c *awsproto.Call, in *detectResourceDriftInput) (detectResourceDriftOutput, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	st, err := s.driftable(c.Region, *in.StackName)
	if err != nil {
		return detectResourceDriftOutput{}, err
	}
	r := st.Resources[*in.LogicalResourceId]
	if r == nil {
		return detectResourceDriftOutput{}, errValidation.Errorf("Resource %s does not exist for stack %s", *in.LogicalResourceId, st.Name)
	}
	return detectResourceDriftOutput{StackResourceDrift: s.resourceDrift(st, r, isoTime(s.store.now()))}, nil
}

type describeResourceDriftsInput struct {
	StackName                       *string  `required:"true" min:"1" pattern:"([a-zA-Z][-a-zA-Z0-9]*)|(arn:\\b(aws|aws-us-gov|aws-cn)\\b:[-a-zA-Z0-9:/._+]*)"`
	StackResourceDriftStatusFilters []string `min:"1" max:"4" enum:"IN_SYNC,MODIFIED,DELETED,NOT_CHECKED,UNKNOWN,UNSUPPORTED"`
	NextToken                       *string  `min:"1" max:"1024"`
	MaxResults                      *int     `min:"1" max:"100"`
}

type describeResourceDriftsOutput struct {
	StackResourceDrifts []stackResourceDriftXML `xml:"StackResourceDrifts>member"`
	NextToken           string                  `xml:",omitempty"`
}

func (s *Service) describeStackResourceDrifts(c *awsproto.Call, in *describeResourceDriftsInput) (describeResourceDriftsOutput, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	st := s.store.find(c.Region, *in.StackName)
	if st == nil || st.Status == stDeleteComplete {
		return describeResourceDriftsOutput{}, errValidation.Errorf(msgStackNotFound, *in.StackName)
	}
	out := describeResourceDriftsOutput{StackResourceDrifts: []stackResourceDriftXML{}}
	if st.drift == nil || (len(in.StackResourceDriftStatusFilters) > 0 && !contains(in.StackResourceDriftStatusFilters, "IN_SYNC")) {
		return out, nil
	}
	var all []stackResourceDriftXML
	for _, l := range sortedKeys(st.Resources) {
		if len(st.drift.Logical) > 0 && !contains(st.drift.Logical, l) {
			continue
		}
		all = append(all, s.resourceDrift(st, st.Resources[l], st.drift.At))
	}
	page, next, err := pageOf(all, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return out, err
	}
	out.StackResourceDrifts, out.NextToken = append(out.StackResourceDrifts, page...), next
	return out, nil
}

// pageOf cuts a page from a list: the token is the index of the page's
// first element.
func pageOf[T any](all []T, token *string, max *int, def int) ([]T, string, error) {
	start := 0
	if token != nil {
		n, err := strconv.Atoi(*token)
		if err != nil || n < 0 || n > len(all) {
			return nil, "", errValidation.New("Invalid NextToken")
		}
		start = n
	}
	size := def
	if max != nil && *max > 0 {
		size = *max
	}
	end := min(start+size, len(all))
	next := ""
	if end < len(all) {
		next = strconv.Itoa(end)
	}
	return all[start:end], next, nil
}

// ---- signals ----

type signalResourceInput struct {
	StackName         *string `required:"true" min:"1" pattern:"([a-zA-Z][-a-zA-Z0-9]*)|(arn:\\b(aws|aws-us-gov|aws-cn)\\b:[-a-zA-Z0-9:/._+]*)"`
	LogicalResourceId *string `required:"true"`
	UniqueId          *string `required:"true" min:"1" max:"64"`
	Status            *string `required:"true" enum:"SUCCESS,FAILURE"`
}

// signalResource finds the resource; the emulator creates every resource
// at once (CreationPolicy and WaitCondition count are not waited on), so
// no resource is ever waiting for a signal and AWS's answer for a resource
// that is not is given.
func (s *Service) signalResource(c *awsproto.Call, in *signalResourceInput) (empty, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	st := s.store.find(c.Region, *in.StackName)
	if st == nil || st.Status == stDeleteComplete {
		return empty{}, errValidation.Errorf(msgStackNotFound, *in.StackName)
	}
	r := st.Resources[*in.LogicalResourceId]
	if r == nil {
		return empty{}, errValidation.Errorf("Resource %s does not exist for stack %s", *in.LogicalResourceId, st.Name)
	}
	return empty{}, errValidation.Errorf("Resource %s is in %s state and cannot be signaled", r.Logical, r.Status)
}

// ---- cancel, continue, roll back ----

type cancelUpdateInput struct {
	StackName          *string `required:"true"`
	ClientRequestToken *string `min:"1" max:"128" pattern:"[a-zA-Z0-9][-a-zA-Z0-9]*"`
}

// cancelUpdateStack: updates here end before UpdateStack answers, so a
// stack is never UPDATE_IN_PROGRESS when this arrives; AWS's answer for a
// stack in any other state is given.
func (s *Service) cancelUpdateStack(c *awsproto.Call, in *cancelUpdateInput) (empty, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	st := s.store.find(c.Region, *in.StackName)
	if st == nil || st.Status == stDeleteComplete {
		return empty{}, errValidation.Errorf(msgStackNotFound, *in.StackName)
	}
	return empty{}, errValidation.Errorf("CancelUpdateStack cannot be called from current stack status")
}

type continueRollbackInput struct {
	StackName          *string  `required:"true" min:"1" pattern:"([a-zA-Z][-a-zA-Z0-9]*)|(arn:\\b(aws|aws-us-gov|aws-cn)\\b:[-a-zA-Z0-9:/._+]*)"`
	RoleARN            *string  `min:"20" max:"2048"`
	ResourcesToSkip    []string ``
	ClientRequestToken *string  `min:"1" max:"128" pattern:"[a-zA-Z0-9][-a-zA-Z0-9]*"`
}

// continueUpdateRollback: a rollback here restores the previous resources
// or fails the stack to UPDATE_ROLLBACK_COMPLETE, never leaving it
// UPDATE_ROLLBACK_FAILED, so the call answers as AWS does for any other
// state.
func (s *Service) continueUpdateRollback(c *awsproto.Call, in *continueRollbackInput) (struct{}, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	st := s.store.find(c.Region, *in.StackName)
	if st == nil || st.Status == stDeleteComplete {
		return struct{}{}, errValidation.Errorf(msgStackNotFound, *in.StackName)
	}
	return struct{}{}, errValidation.Errorf("Stack %s is in %s state and can not continue update rollback", st.ID, st.Status)
}

type rollbackStackInput struct {
	StackName            *string `required:"true" min:"1" pattern:"([a-zA-Z][-a-zA-Z0-9]*)|(arn:\\b(aws|aws-us-gov|aws-cn)\\b:[-a-zA-Z0-9:/._+]*)"`
	RoleARN              *string `min:"20" max:"2048"`
	ClientRequestToken   *string `min:"1" max:"128" pattern:"[a-zA-Z0-9][-a-zA-Z0-9]*"`
	RetainExceptOnCreate *bool
}

type rollbackStackOutput struct {
	StackId     string
	OperationId string
}

// rollbackStack rolls back a stack created with DisableRollback that
// failed (CREATE_FAILED): its resources go, and it ends ROLLBACK_COMPLETE.
func (s *Service) rollbackStack(c *awsproto.Call, in *rollbackStackInput) (rollbackStackOutput, error) {
	s.store.mu.Lock()
	st := s.store.find(c.Region, *in.StackName)
	if st == nil || st.Status == stDeleteComplete {
		s.store.mu.Unlock()
		return rollbackStackOutput{}, errValidation.Errorf(msgStackNotFound, *in.StackName)
	}
	if st.busy || st.Status != stCreateFailed {
		s.store.mu.Unlock()
		return rollbackStackOutput{}, errValidation.Errorf("Stack %s is in %s state and can not be rolled back", st.ID, st.Status)
	}
	var order []string
	if st.tpl != nil {
		order, _, _ = st.tpl.order()
	}
	rs := deletionOrder(st, order)
	s.store.mu.Unlock()
	err := s.engine.start(st, func(ctx context.Context) {
		s.store.setStatus(st, stRollbackInProgress, "User Initiated")
		if err := s.engine.deleteAll(ctx, st, rs, true); err != nil {
			s.store.setStatus(st, stRollbackFailed, err.Error())
			return
		}
		s.store.setStatus(st, stRollbackComplete, "")
	})
	if err != nil {
		return rollbackStackOutput{}, err
	}
	return rollbackStackOutput{StackId: st.ID, OperationId: s.env.NewID()}, nil
}

// ---- account limits, cost, hooks ----

type describeAccountLimitsInput struct {
	NextToken *string `min:"1" max:"1024"`
}

type accountLimitXML struct {
	Name  string
	Value int
}

type describeAccountLimitsOutput struct {
	AccountLimits []accountLimitXML `xml:"AccountLimits>member"`
}

// describeAccountLimits answers with AWS's default quotas; the stack limit
// is the emulator's own (maxStacks), which it enforces.
func (s *Service) describeAccountLimits(c *awsproto.Call, in *describeAccountLimitsInput) (describeAccountLimitsOutput, error) {
	if in.NextToken != nil {
		return describeAccountLimitsOutput{}, errValidation.New("Invalid NextToken")
	}
	return describeAccountLimitsOutput{AccountLimits: []accountLimitXML{
		{"StackLimit", maxStacks}, {"StackOutputsLimit", 200}, {"ConcurrentResourcesLimit", 2500},
	}}, nil
}

type estimateCostInput struct {
	TemplateBody *string `min:"1"`
	TemplateURL  *string `min:"1" max:"5120"`
	Parameters   []parameterInput
}

type estimateCostOutput struct {
	Url string
}

// estimateTemplateCost checks the template and answers, as AWS does, with
// a link to the AWS Pricing Calculator.
func (s *Service) estimateTemplateCost(c *awsproto.Call, in *estimateCostInput) (estimateCostOutput, error) {
	body, err := s.templateBody(in.TemplateBody, in.TemplateURL)
	if err != nil {
		return estimateCostOutput{}, err
	}
	if _, err := s.engine.prepare(c.Region, body, in.Parameters, nil, []string{"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"}); err != nil {
		return estimateCostOutput{}, err
	}
	return estimateCostOutput{Url: "https://calculator.aws/#/estimate?id=" + url.QueryEscape(s.env.NewID())}, nil
}

type listHookResultsInput struct {
	TargetType *string `enum:"CHANGE_SET,STACK,RESOURCE,CLOUD_CONTROL"`
	TargetId   *string `min:"1" max:"1600" pattern:"[a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/]*|^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$"`
	TypeArn    *string `max:"1024" pattern:"arn:aws[A-Za-z0-9-]{0,64}:cloudformation:[A-Za-z0-9-]{1,64}:([0-9]{12})?:type/hook/[A-Za-z0-9-]+/?"`
	Status     *string `enum:"HOOK_IN_PROGRESS,HOOK_COMPLETE_SUCCEEDED,HOOK_COMPLETE_FAILED,HOOK_FAILED"`
	NextToken  *string `min:"1" max:"1024"`
}

type listHookResultsOutput struct {
	TargetType  string   `xml:",omitempty"`
	TargetId    string   `xml:",omitempty"`
	HookResults []string `xml:"HookResults>member"`
}

// listHookResults: the emulator runs no hooks, so there are no results.
func (s *Service) listHookResults(c *awsproto.Call, in *listHookResultsInput) (listHookResultsOutput, error) {
	if (in.TargetType == nil) != (in.TargetId == nil) {
		return listHookResultsOutput{}, errValidation.New("TargetType and TargetId must be specified together")
	}
	return listHookResultsOutput{TargetType: deref(in.TargetType), TargetId: deref(in.TargetId), HookResults: []string{}}, nil
}

type getHookResultInput struct {
	HookResultId *string `max:"36" min:"36" pattern:"^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$"`
}

func (s *Service) getHookResult(c *awsproto.Call, in *getHookResultInput) (struct{}, error) {
	return struct{}{}, errHookResultNotFound.Errorf("Hook result with id %s does not exist", deref(in.HookResultId))
}

type describeChangeSetHooksInput struct {
	ChangeSetName     *string `required:"true" min:"1" max:"1600" pattern:"[a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/]*"`
	StackName         *string `min:"1" pattern:"([a-zA-Z][-a-zA-Z0-9]*)|(arn:\\b(aws|aws-us-gov|aws-cn)\\b:[-a-zA-Z0-9:/._+]*)"`
	NextToken         *string `min:"1" max:"1024"`
	LogicalResourceId *string
}

type describeChangeSetHooksOutput struct {
	ChangeSetId   string
	ChangeSetName string
	Hooks         []string `xml:"Hooks>member"`
	Status        string
	StackId       string
	StackName     string
}

// describeChangeSetHooks: no hooks are registered, so a change set has
// none (status UNAVAILABLE, as AWS reports then).
func (s *Service) describeChangeSetHooks(c *awsproto.Call, in *describeChangeSetHooksInput) (describeChangeSetHooksOutput, error) {
	cs, st, err := s.findChangeSet(c.Region, *in.ChangeSetName, deref(in.StackName))
	if err != nil {
		return describeChangeSetHooksOutput{}, err
	}
	return describeChangeSetHooksOutput{ChangeSetId: cs.ID, ChangeSetName: cs.Name, Hooks: []string{}, Status: "UNAVAILABLE",
		StackId: st.ID, StackName: st.Name}, nil
}
