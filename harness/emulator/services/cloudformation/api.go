package cloudformation

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// XMLNS is the namespace of CloudFormation responses.
const XMLNS = "http://cloudformation.amazonaws.com/doc/2010-05-15/"

// maxConcurrentOperations bounds the stack operations running at once
// (each is a goroutine calling the other services).
const maxConcurrentOperations = 8

// Service is CloudFormation as the edge sees it.
type Service struct {
	env       *cloud.Env
	store     *Store
	engine    *engine
	api       awsproto.API
	responses responseBox // custom resources' pending responses
	reg       typeRegistry
	sets      stackSets
}

// New returns the CloudFormation service.
func New(env *cloud.Env) *Service {
	s := &Service{env: env, store: NewStore(env.NewID, env.Now)}
	s.engine = newEngine(s.store, env.Account, s.clientsFor)
	s.store.notify = s.publishEvent
	s.api = awsproto.API{
		Model:    "cloudformation",
		Base:     awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Protocol: awsproto.Query,
		XMLNS:    XMLNS,
		Invalid:  errValidation,
		MaxBody:  2 << 20, // a form-encoded template of up to about a megabyte (TemplateURL's limit)
	}
	s.api.Register(
		awsproto.Handle("CreateStack", s.createStack),
		awsproto.Handle("UpdateStack", s.updateStack),
		awsproto.Handle("DeleteStack", s.deleteStack),
		awsproto.Handle("DescribeStacks", s.describeStacks),
		awsproto.Handle("DescribeStackEvents", s.describeStackEvents),
		awsproto.Handle("DescribeStackResource", s.describeStackResource),
		awsproto.Handle("DescribeStackResources", s.describeStackResources),
		awsproto.Handle("ListStacks", s.listStacks),
		awsproto.Handle("ListStackResources", s.listStackResources),
		awsproto.Handle("GetTemplate", s.getTemplate),
		awsproto.Handle("GetTemplateSummary", s.getTemplateSummary),
		awsproto.Handle("ValidateTemplate", s.validateTemplate),
		awsproto.Handle("CreateChangeSet", s.createChangeSet),
		awsproto.Handle("DescribeChangeSet", s.describeChangeSet),
		awsproto.Handle("ExecuteChangeSet", s.executeChangeSet),
		awsproto.Handle("DeleteChangeSet", s.deleteChangeSet),
		awsproto.Handle("ListChangeSets", s.listChangeSets),
		awsproto.Handle("ListExports", s.listExports),
		awsproto.Handle("ListImports", s.listImports),
		awsproto.Handle("UpdateTerminationProtection", s.updateTerminationProtection),
		awsproto.Handle("SetStackPolicy", s.setStackPolicy),
		awsproto.Handle("GetStackPolicy", s.getStackPolicy),
		awsproto.Handle("DetectStackDrift", s.detectStackDrift),
		awsproto.Handle("DetectStackResourceDrift", s.detectStackResourceDrift),
		awsproto.Handle("DescribeStackDriftDetectionStatus", s.describeStackDriftDetectionStatus),
		awsproto.Handle("DescribeStackResourceDrifts", s.describeStackResourceDrifts),
		awsproto.Handle("SignalResource", s.signalResource),
		awsproto.Handle("CancelUpdateStack", s.cancelUpdateStack),
		awsproto.Handle("ContinueUpdateRollback", s.continueUpdateRollback),
		awsproto.Handle("RollbackStack", s.rollbackStack),
		awsproto.Handle("DescribeAccountLimits", s.describeAccountLimits),
		awsproto.Handle("EstimateTemplateCost", s.estimateTemplateCost),
		awsproto.Handle("ListHookResults", s.listHookResults),
		awsproto.Handle("GetHookResult", s.getHookResult),
		awsproto.Handle("DescribeChangeSetHooks", s.describeChangeSetHooks),
	)
	s.registerMore()
	return s
}

func (s *Service) Name() string                { return "cloudformation" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.Query }
func (s *Service) Reset()                      { s.store.Reset(); s.reg.reset(); s.sets.reset() }
func (s *Service) Routes() []cloud.Route {
	return []cloud.Route{
		{Kind: cloud.ByScope, Key: "cloudformation"},
		// Custom resources' functions PUT their responses here, unsigned.
		{Kind: cloud.ByPath, Key: strings.TrimSuffix(responsesPath, "/"), Public: true, DataPlane: http.HandlerFunc(s.serveResponse)},
	}
}

// APIs is the service's API, for the coverage report and the model checks.
func (s *Service) APIs() []*awsproto.API { return []*awsproto.API{&s.api} }

func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, responsesPath) {
		s.serveResponse(w, r)
		return
	}
	s.api.ServeHTTP(w, r)
}

// Close stops the stack operations still running and waits for them.
func (s *Service) Close() error { s.engine.close(); return nil }

// Summary counts the live stacks.
func (s *Service) Summary() map[string]any {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	n := 0
	for _, m := range s.store.stacks {
		n += len(m)
	}
	return map[string]any{"stacks": n}
}

// clientsFor returns SDK clients that reach this account's services in
// region through the internal edge.
func (s *Service) clientsFor(region string) *clients {
	h, _ := s.env.Links.Get(cloud.LinkInternalEdge).(http.Handler)
	if h == nil {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no internal edge", http.StatusServiceUnavailable)
		})
	}
	host := s.env.Host
	if host == "" {
		host = "localhost:4566"
	}
	invoker, _ := s.env.Links.Get(cloud.LinkLambda).(cloud.FunctionInvoker)
	return &clients{cfg: awsConfig(h, host, s.env.Account, region), account: s.env.Account, region: region,
		host: host, newID: s.env.NewID, invoker: invoker, responses: &s.responses}
}

// publishEvent sends a stack event to the stack's notification topics, in
// the key='value' lines CloudFormation sends (a topic that is gone is
// skipped, as AWS drops the notification).
func (s *Service) publishEvent(st *stack, ev stackEvent) {
	topics, _ := s.env.Links.Get(cloud.LinkSNS).(cloud.Topics)
	if topics == nil {
		return
	}
	s.store.mu.Lock()
	arns := append([]string(nil), st.NotificationARNs...)
	s.store.mu.Unlock()
	var b strings.Builder
	for _, kv := range [][2]string{
		{"StackId", st.ID}, {"Timestamp", isoTime(ev.At)}, {"EventId", ev.ID}, {"LogicalResourceId", ev.Logical},
		{"Namespace", s.env.Account}, {"PhysicalResourceId", ev.Physical}, {"ResourceProperties", "null"},
		{"ResourceStatus", ev.Status}, {"ResourceStatusReason", ev.Reason}, {"ResourceType", ev.Type},
		{"StackName", st.Name}, {"ClientRequestToken", "null"},
	} {
		b.WriteString(kv[0] + "='" + kv[1] + "'\n")
	}
	for _, arn := range arns {
		_, _ = topics.Publish(arn, cloud.TopicMessage{Subject: "AWS CloudFormation Notification", Message: b.String()})
	}
}

// ---- inputs ----

type parameterInput struct {
	ParameterKey     *string
	ParameterValue   *string
	UsePreviousValue *bool
}

type tagInput struct {
	Key   *string `required:"true" min:"1" max:"128"`
	Value *string `required:"true" min:"1" max:"256"`
}

var stackNamePattern = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]*$`)

func checkStackName(name string) error {
	if len(name) > 128 || !stackNamePattern.MatchString(name) {
		return errValidation.Errorf("1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*", name)
	}
	return nil
}

type createStackInput struct {
	StackName                   *string `required:"true"`
	TemplateBody                *string `min:"1"`
	TemplateURL                 *string `min:"1" max:"5120"`
	Parameters                  []parameterInput
	DisableRollback             *bool
	TimeoutInMinutes            *int       `min:"1"`
	NotificationARNs            []string   `max:"5"`
	Capabilities                []string   `enum:"CAPABILITY_IAM,CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND"`
	OnFailure                   *string    `enum:"DO_NOTHING,ROLLBACK,DELETE"`
	Tags                        []tagInput `max:"50"`
	ClientRequestToken          *string    `min:"1" max:"128" pattern:"[a-zA-Z0-9][-a-zA-Z0-9]*"`
	EnableTerminationProtection *bool
	RoleARN                     *string `min:"20" max:"2048"` // accepted: stacks act as the caller's account
	StackPolicyBody             *string `min:"1" max:"16384"`
	StackPolicyURL              *string `min:"1" max:"5120"`
}

func (in *createStackInput) Validate() error { return checkStackName(*in.StackName) }

type stackIDOutput struct {
	StackId string
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func tagsFrom(in []tagInput) []tag {
	var out []tag
	for _, t := range in {
		out = append(out, tag{deref(t.Key), deref(t.Value)})
	}
	return out
}

// templateBody returns the template a request names, by body or by URL
// (an object of the emulator's S3).
func (s *Service) templateBody(body, u *string) (string, error) {
	switch {
	case body != nil && u != nil:
		return "", errValidation.New("Specify exactly one of TemplateBody or TemplateUrl.")
	case body != nil:
		return *body, nil
	case u != nil:
		bucket, key, ok := s3Location(*u)
		if !ok {
			return "", errValidation.New("TemplateURL must be a supported URL.")
		}
		reader, _ := s.env.Links.Get(cloud.LinkS3).(cloud.ObjectReader)
		if reader == nil {
			return "", errValidation.New("TemplateURL must be a supported URL.")
		}
		data, size, found := reader.ReadObject(bucket, key, 1<<20)
		if !found {
			return "", errValidation.Errorf("S3 error: The specified key does not exist.")
		}
		if data == nil && size > 0 {
			return "", errValidation.New("Template may not exceed 1000000 bytes in size.")
		}
		return string(data), nil
	}
	return "", errValidation.New("Either Template URL or Template Body must be specified.")
}

// s3Location finds the bucket and key of an S3 object URL, virtual-hosted
// (bucket.s3.amazonaws.com/key) or path-style (host/bucket/key).
func s3Location(raw string) (string, string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", "", false
	}
	path := strings.TrimPrefix(u.Path, "/")
	host := u.Hostname()
	if i := strings.Index(host, ".s3"); i > 0 && !strings.HasPrefix(host, "s3.") {
		return host[:i], path, path != ""
	}
	bucket, key, ok := strings.Cut(path, "/")
	return bucket, key, ok && key != "" && bucket != ""
}

// busyErr is the answer to an operation on a stack that is not in a state
// to take it.
func busyErr(st *stack) error {
	return errValidation.Errorf("Stack:%s is in %s state and can not be updated.", st.ID, st.Status)
}

func (s *Service) createStack(c *awsproto.Call, in *createStackInput) (stackIDOutput, error) {
	body, err := s.templateBody(in.TemplateBody, in.TemplateURL)
	if err != nil {
		return stackIDOutput{}, err
	}
	policyText, policy, err := s.policyBody(in.StackPolicyBody, in.StackPolicyURL)
	if err != nil {
		return stackIDOutput{}, err
	}
	p, err := s.engine.prepare(c.Region, body, in.Parameters, nil, in.Capabilities)
	if err != nil {
		return stackIDOutput{}, s.privateTypeRefusal(c.Region, err)
	}
	if err := autoExpand(body, in.Capabilities); err != nil {
		return stackIDOutput{}, err
	}
	if err := s.engine.checkImports(c.Region, p.tpl); err != nil {
		return stackIDOutput{}, err
	}
	st, err := s.newStack(c.Region, *in.StackName, p, in.Capabilities, in.NotificationARNs, tagsFrom(in.Tags))
	if err != nil {
		return stackIDOutput{}, err
	}
	st.DisableRollback = in.DisableRollback != nil && *in.DisableRollback
	st.policy, st.policyBody = policy, policyText
	st.TerminationProtected = in.EnableTerminationProtection != nil && *in.EnableTerminationProtection
	onFailure := deref(in.OnFailure)
	if st.DisableRollback {
		onFailure = "DO_NOTHING"
	}
	if err := s.engine.start(st, func(ctx context.Context) { s.engine.create(ctx, st, p, onFailure) }); err != nil {
		return stackIDOutput{}, err
	}
	return stackIDOutput{StackId: st.ID}, nil
}

// newStack registers a stack (status REVIEW_IN_PROGRESS until an
// operation starts); AlreadyExistsException when the name is taken.
func (s *Service) newStack(region, name string, p *prepared, caps, notify []string, tags []tag) (*stack, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if s.store.stacks[region][name] != nil {
		return nil, errAlreadyExists.Errorf("Stack [%s] already exists", name)
	}
	n := 0
	for _, m := range s.store.stacks {
		n += len(m)
	}
	if n >= maxStacks {
		return nil, errLimitExceeded.Errorf("Limit for the number of stacks (%d) exceeded", maxStacks)
	}
	st := &stack{ID: s.store.stackARN(region, s.env.Account, name), Name: name, Region: region, Status: stReviewInProgress,
		Created: s.store.now(), Resources: map[string]*stackResource{}, ChangeSets: map[string]*changeSet{},
		Capabilities: caps, NotificationARNs: notify, Tags: tags}
	if p != nil {
		st.tpl, st.Body, st.Params = p.tpl, p.body, p.params
	}
	if s.store.stacks[region] == nil {
		s.store.stacks[region] = map[string]*stack{}
	}
	s.store.stacks[region][name] = st
	return st, nil
}

type updateStackInput struct {
	StackName           *string `required:"true"`
	TemplateBody        *string `min:"1"`
	TemplateURL         *string `min:"1" max:"5120"`
	UsePreviousTemplate *bool
	Parameters          []parameterInput
	Capabilities        []string   `enum:"CAPABILITY_IAM,CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND"`
	NotificationARNs    []string   `max:"5"`
	Tags                []tagInput `max:"50"`
	DisableRollback     *bool
	ClientRequestToken  *string `min:"1" max:"128" pattern:"[a-zA-Z0-9][-a-zA-Z0-9]*"`
	RoleARN             *string `min:"20" max:"2048"` // accepted: stacks act as the caller's account
	// The stack's new policy, and one that governs only this update.
	StackPolicyBody             *string `min:"1" max:"16384"`
	StackPolicyURL              *string `min:"1" max:"5120"`
	StackPolicyDuringUpdateBody *string `min:"1" max:"16384"`
	StackPolicyDuringUpdateURL  *string `min:"1" max:"5120"`
}

// updatable returns the stack an update names, refusing one that cannot
// take an update now.
func (s *Service) updatable(region, name string) (*stack, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	st, err := s.store.get(region, name)
	if err != nil {
		return nil, err
	}
	if st.busy || st.Status == stDeleteComplete {
		return nil, busyErr(st)
	}
	switch st.Status {
	case stCreateComplete, stUpdateComplete, stUpdateRollbackDone:
		return st, nil
	}
	return nil, busyErr(st)
}

// sameAsDeployed reports whether p would change nothing of st.
func sameAsDeployed(st *stack, p *prepared) bool {
	return st.tpl != nil && canonical(st.tpl.Raw) == canonical(p.tpl.Raw) && canonical(st.Params) == canonical(p.params)
}

func (s *Service) updateStack(c *awsproto.Call, in *updateStackInput) (stackIDOutput, error) {
	st, err := s.updatable(c.Region, *in.StackName)
	if err != nil {
		return stackIDOutput{}, err
	}
	body := st.Body
	if in.UsePreviousTemplate == nil || !*in.UsePreviousTemplate {
		if body, err = s.templateBody(in.TemplateBody, in.TemplateURL); err != nil {
			return stackIDOutput{}, err
		}
	} else if in.TemplateBody != nil || in.TemplateURL != nil {
		return stackIDOutput{}, errValidation.New("You cannot specify both usePreviousTemplate and Template Body/Template URL.")
	}
	p, err := s.engine.prepare(c.Region, body, in.Parameters, st.Params, in.Capabilities)
	if err != nil {
		return stackIDOutput{}, s.privateTypeRefusal(c.Region, err)
	}
	if err := autoExpand(body, in.Capabilities); err != nil {
		return stackIDOutput{}, err
	}
	if err := s.engine.checkImports(c.Region, p.tpl); err != nil {
		return stackIDOutput{}, err
	}
	if sameAsDeployed(st, p) && in.Tags == nil {
		return stackIDOutput{}, errValidation.New(msgNoUpdates)
	}
	policyText, policy, err := s.policyBody(in.StackPolicyBody, in.StackPolicyURL)
	if err != nil {
		return stackIDOutput{}, err
	}
	_, during, err := s.policyBody(in.StackPolicyDuringUpdateBody, in.StackPolicyDuringUpdateURL)
	if err != nil {
		return stackIDOutput{}, err
	}
	s.store.mu.Lock()
	if in.Tags != nil {
		st.Tags = tagsFrom(in.Tags)
	}
	st.Capabilities = in.Capabilities
	// The update is governed by the policy in force (or the one given for
	// it); a new StackPolicyBody governs the updates after it.
	op := func(ctx context.Context) { s.engine.update(ctx, st, p) }
	if logical, typ, reason := s.policyViolation(st, p, during); reason != "" {
		op = s.deniedUpdate(st, logical, typ, reason)
	}
	if policy != nil {
		st.policy, st.policyBody = policy, policyText
	}
	s.store.mu.Unlock()
	if err := s.engine.start(st, op); err != nil {
		return stackIDOutput{}, err
	}
	return stackIDOutput{StackId: st.ID}, nil
}

type deleteStackInput struct {
	StackName          *string `required:"true"`
	RetainResources    []string
	ClientRequestToken *string `min:"1" max:"128" pattern:"[a-zA-Z0-9][-a-zA-Z0-9]*"`
	DeletionMode       *string `enum:"STANDARD,FORCE_DELETE_STACK"`
	RoleARN            *string `min:"20" max:"2048"` // accepted: stacks act as the caller's account
}

type empty struct{}

func (s *Service) deleteStack(c *awsproto.Call, in *deleteStackInput) (empty, error) {
	s.store.mu.Lock()
	st := s.store.find(c.Region, *in.StackName)
	if st == nil || st.Status == stDeleteComplete {
		s.store.mu.Unlock()
		return empty{}, nil // deleting a stack that is gone succeeds, as on AWS
	}
	if st.TerminationProtected {
		s.store.mu.Unlock()
		return empty{}, errValidation.Errorf("Stack [%s] cannot be deleted while TerminationProtection is enabled", st.Name)
	}
	if st.busy {
		s.store.mu.Unlock()
		return empty{}, busyErr(st)
	}
	if len(in.RetainResources) > 0 && st.Status != stDeleteFailed {
		s.store.mu.Unlock()
		return empty{}, errValidation.Errorf("Invalid operation on stack [%s]: RetainResources can only be specified when stack is in DELETE_FAILED state", st.ID)
	}
	s.store.mu.Unlock()
	if st.Status == stReviewInProgress {
		s.store.setStatus(st, stDeleteComplete, "")
		s.store.retire(st)
		return empty{}, nil
	}
	return empty{}, s.engine.start(st, func(ctx context.Context) { s.engine.destroy(ctx, st, in.RetainResources) })
}

type updateTerminationProtectionInput struct {
	EnableTerminationProtection *bool   `required:"true"`
	StackName                   *string `required:"true" min:"1" pattern:"([a-zA-Z][-a-zA-Z0-9]*)|(arn:\\b(aws|aws-us-gov|aws-cn)\\b:[-a-zA-Z0-9:/._+]*)"`
}

func (s *Service) updateTerminationProtection(c *awsproto.Call, in *updateTerminationProtectionInput) (stackIDOutput, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	st, err := s.store.get(c.Region, *in.StackName)
	if err != nil || st.Status == stDeleteComplete {
		return stackIDOutput{}, errValidation.Errorf(msgStackNotFound, *in.StackName)
	}
	st.TerminationProtected = *in.EnableTerminationProtection
	return stackIDOutput{StackId: st.ID}, nil
}

// ---- describing stacks ----

const timeFormat = "2006-01-02T15:04:05.000Z"

func isoTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func isoTimePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := isoTime(t)
	return &s
}

type parameterXML struct {
	ParameterKey   string
	ParameterValue string
}

type outputXML struct {
	OutputKey   string
	OutputValue string
	Description string `xml:",omitempty"`
	ExportName  string `xml:",omitempty"`
}

type tagXML struct {
	Key, Value string
}

type driftXML struct {
	StackDriftStatus   string
	LastCheckTimestamp string `xml:",omitempty"`
}

// driftInfo is a stack's drift as its last detection found it.
func driftInfo(st *stack) driftXML {
	if st.drift == nil {
		return driftXML{StackDriftStatus: "NOT_CHECKED"}
	}
	return driftXML{StackDriftStatus: "IN_SYNC", LastCheckTimestamp: st.drift.At}
}

type stackXML struct {
	StackId                     string
	StackName                   string
	ChangeSetId                 string         `xml:",omitempty"`
	Description                 string         `xml:",omitempty"`
	Parameters                  []parameterXML `xml:"Parameters>member"`
	CreationTime                string
	DeletionTime                *string
	LastUpdatedTime             *string
	StackStatus                 string
	StackStatusReason           string `xml:",omitempty"`
	DisableRollback             bool
	NotificationARNs            []string    `xml:"NotificationARNs>member"`
	Capabilities                []string    `xml:"Capabilities>member"`
	Outputs                     []outputXML `xml:"Outputs>member"`
	Tags                        []tagXML    `xml:"Tags>member"`
	EnableTerminationProtection bool
	DriftInformation            driftXML
}

func paramsXML(ps []paramValue) []parameterXML {
	var out []parameterXML
	for _, p := range ps {
		v := p.Value
		if p.NoEcho {
			v = "****"
		}
		out = append(out, parameterXML{p.Key, v})
	}
	return out
}

func tagsXML(ts []tag) []tagXML {
	var out []tagXML
	for _, t := range ts {
		out = append(out, tagXML(t))
	}
	return out
}

func describe(st *stack) stackXML {
	x := stackXML{StackId: st.ID, StackName: st.Name, Parameters: paramsXML(st.Params), CreationTime: isoTime(st.Created),
		DeletionTime: isoTimePtr(st.Deleted), LastUpdatedTime: isoTimePtr(st.Updated), StackStatus: st.Status, StackStatusReason: st.Reason,
		DisableRollback: st.DisableRollback, NotificationARNs: st.NotificationARNs, Capabilities: st.Capabilities, Tags: tagsXML(st.Tags),
		EnableTerminationProtection: st.TerminationProtected, DriftInformation: driftInfo(st)}
	if st.tpl != nil {
		x.Description = st.tpl.Description
	}
	for _, o := range st.Outputs {
		x.Outputs = append(x.Outputs, outputXML{o.Key, o.Value, o.Description, o.ExportName})
	}
	return x
}

type describeStacksInput struct {
	StackName *string
	NextToken *string `min:"1" max:"1024"`
}

type describeStacksOutput struct {
	Stacks []stackXML `xml:"Stacks>member"`
}

func (s *Service) describeStacks(c *awsproto.Call, in *describeStacksInput) (describeStacksOutput, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if in.StackName != nil {
		st, err := s.store.get(c.Region, *in.StackName)
		if err != nil {
			return describeStacksOutput{}, err
		}
		return describeStacksOutput{Stacks: []stackXML{describe(st)}}, nil
	}
	var out describeStacksOutput
	for _, name := range sortedKeys(s.store.stacks[c.Region]) {
		out.Stacks = append(out.Stacks, describe(s.store.stacks[c.Region][name]))
	}
	return out, nil
}

type stackNameInput struct {
	StackName *string `required:"true"`
	NextToken *string `min:"1" max:"1024"`
}

type eventXML struct {
	StackId              string
	EventId              string
	StackName            string
	LogicalResourceId    string
	PhysicalResourceId   string
	ResourceType         string
	Timestamp            string
	ResourceStatus       string
	ResourceStatusReason string `xml:",omitempty"`
}

type describeStackEventsOutput struct {
	StackEvents []eventXML `xml:"StackEvents>member"`
	NextToken   string     `xml:",omitempty"`
}

// eventsPage is how many events a DescribeStackEvents page holds.
const eventsPage = 100

func (s *Service) describeStackEvents(c *awsproto.Call, in *stackNameInput) (describeStackEventsOutput, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	st, err := s.store.get(c.Region, *in.StackName)
	if err != nil {
		return describeStackEventsOutput{}, err
	}
	var out describeStackEventsOutput
	for i := len(st.Events) - 1; i >= 0; i-- {
		e := st.Events[i]
		out.StackEvents = append(out.StackEvents, eventXML{st.ID, e.ID, st.Name, e.Logical, e.Physical, e.Type, isoTime(e.At), e.Status, e.Reason})
	}
	// A page starts at the event its token names, so events recorded
	// between pages do not shift the pages still to come.
	start := 0
	if in.NextToken != nil {
		start = -1
		for i, e := range out.StackEvents {
			if e.EventId == *in.NextToken {
				start = i
			}
		}
		if start < 0 {
			return describeStackEventsOutput{}, errValidation.New("Invalid NextToken")
		}
	}
	end := min(start+eventsPage, len(out.StackEvents))
	if end < len(out.StackEvents) {
		out.NextToken = out.StackEvents[end].EventId
	}
	out.StackEvents = out.StackEvents[start:end]
	return out, nil
}

type describeStackResourceInput struct {
	StackName         *string `required:"true"`
	LogicalResourceId *string `required:"true"`
}

type resourceDetailXML struct {
	StackName            string
	StackId              string
	LogicalResourceId    string
	PhysicalResourceId   string
	ResourceType         string
	LastUpdatedTimestamp string
	ResourceStatus       string
	ResourceStatusReason string `xml:",omitempty"`
	DriftInformation     resourceDriftXML
}

type resourceDriftXML struct {
	StackResourceDriftStatus string
}

type describeStackResourceOutput struct {
	StackResourceDetail resourceDetailXML
}

func (s *Service) describeStackResource(c *awsproto.Call, in *describeStackResourceInput) (describeStackResourceOutput, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	st, err := s.store.get(c.Region, *in.StackName)
	if err != nil {
		return describeStackResourceOutput{}, err
	}
	r, ok := st.Resources[*in.LogicalResourceId]
	if !ok {
		return describeStackResourceOutput{}, errValidation.Errorf("Resource %s does not exist for stack %s", *in.LogicalResourceId, st.Name)
	}
	return describeStackResourceOutput{resourceDetailXML{st.Name, st.ID, r.Logical, r.Physical, r.Type, isoTime(r.Updated), r.Status, r.Reason, resourceDriftXML{"NOT_CHECKED"}}}, nil
}

type describeStackResourcesInput struct {
	StackName          *string
	LogicalResourceId  *string
	PhysicalResourceId *string
}

type resourceXML struct {
	StackName            string
	StackId              string
	LogicalResourceId    string
	PhysicalResourceId   string
	ResourceType         string
	Timestamp            string
	ResourceStatus       string
	ResourceStatusReason string `xml:",omitempty"`
	DriftInformation     resourceDriftXML
}

type describeStackResourcesOutput struct {
	StackResources []resourceXML `xml:"StackResources>member"`
}

func (s *Service) describeStackResources(c *awsproto.Call, in *describeStackResourcesInput) (describeStackResourcesOutput, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	var st *stack
	switch {
	case in.StackName != nil:
		var err error
		if st, err = s.store.get(c.Region, *in.StackName); err != nil {
			return describeStackResourcesOutput{}, err
		}
	case in.PhysicalResourceId != nil:
		for _, cand := range s.store.stacks[c.Region] {
			for _, r := range cand.Resources {
				if r.Physical == *in.PhysicalResourceId {
					st = cand
				}
			}
		}
		if st == nil {
			return describeStackResourcesOutput{}, errValidation.Errorf("Stack for %s does not exist", *in.PhysicalResourceId)
		}
	default:
		return describeStackResourcesOutput{}, errValidation.New("Either StackName or PhysicalResourceId must be specified.")
	}
	var out describeStackResourcesOutput
	for _, l := range sortedKeys(st.Resources) {
		r := st.Resources[l]
		if in.LogicalResourceId != nil && *in.LogicalResourceId != l {
			continue
		}
		out.StackResources = append(out.StackResources, resourceXML{st.Name, st.ID, r.Logical, r.Physical, r.Type, isoTime(r.Updated), r.Status, r.Reason, resourceDriftXML{"NOT_CHECKED"}})
	}
	return out, nil
}

type resourceSummaryXML struct {
	LogicalResourceId    string
	PhysicalResourceId   string
	ResourceType         string
	LastUpdatedTimestamp string
	ResourceStatus       string
	ResourceStatusReason string `xml:",omitempty"`
	DriftInformation     resourceDriftXML
}

type listStackResourcesOutput struct {
	StackResourceSummaries []resourceSummaryXML `xml:"StackResourceSummaries>member"`
}

func (s *Service) listStackResources(c *awsproto.Call, in *stackNameInput) (listStackResourcesOutput, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	st, err := s.store.get(c.Region, *in.StackName)
	if err != nil {
		return listStackResourcesOutput{}, err
	}
	var out listStackResourcesOutput
	for _, l := range sortedKeys(st.Resources) {
		r := st.Resources[l]
		out.StackResourceSummaries = append(out.StackResourceSummaries, resourceSummaryXML{r.Logical, r.Physical, r.Type, isoTime(r.Updated), r.Status, r.Reason, resourceDriftXML{"NOT_CHECKED"}})
	}
	return out, nil
}

type listStacksInput struct {
	NextToken         *string  `min:"1" max:"1024"`
	StackStatusFilter []string `enum:"CREATE_IN_PROGRESS,CREATE_FAILED,CREATE_COMPLETE,ROLLBACK_IN_PROGRESS,ROLLBACK_FAILED,ROLLBACK_COMPLETE,DELETE_IN_PROGRESS,DELETE_FAILED,DELETE_COMPLETE,UPDATE_IN_PROGRESS,UPDATE_COMPLETE_CLEANUP_IN_PROGRESS,UPDATE_COMPLETE,UPDATE_FAILED,UPDATE_ROLLBACK_IN_PROGRESS,UPDATE_ROLLBACK_FAILED,UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS,UPDATE_ROLLBACK_COMPLETE,REVIEW_IN_PROGRESS,IMPORT_IN_PROGRESS,IMPORT_COMPLETE,IMPORT_ROLLBACK_IN_PROGRESS,IMPORT_ROLLBACK_FAILED,IMPORT_ROLLBACK_COMPLETE"`
}

type stackSummaryXML struct {
	StackId             string
	StackName           string
	TemplateDescription string `xml:",omitempty"`
	CreationTime        string
	LastUpdatedTime     *string
	DeletionTime        *string
	StackStatus         string
	StackStatusReason   string `xml:",omitempty"`
	DriftInformation    driftXML
}

type listStacksOutput struct {
	StackSummaries []stackSummaryXML `xml:"StackSummaries>member"`
}

func (s *Service) listStacks(c *awsproto.Call, in *listStacksInput) (listStacksOutput, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	all := append([]*stack(nil), s.store.deleted[c.Region]...)
	for _, name := range sortedKeys(s.store.stacks[c.Region]) {
		all = append(all, s.store.stacks[c.Region][name])
	}
	var out listStacksOutput
	for i := len(all) - 1; i >= 0; i-- {
		st := all[i]
		if len(in.StackStatusFilter) > 0 && !contains(in.StackStatusFilter, st.Status) {
			continue
		}
		x := stackSummaryXML{StackId: st.ID, StackName: st.Name, CreationTime: isoTime(st.Created), LastUpdatedTime: isoTimePtr(st.Updated),
			DeletionTime: isoTimePtr(st.Deleted), StackStatus: st.Status, StackStatusReason: st.Reason, DriftInformation: driftInfo(st)}
		if st.tpl != nil {
			x.TemplateDescription = st.tpl.Description
		}
		out.StackSummaries = append(out.StackSummaries, x)
	}
	return out, nil
}

// ---- templates ----

type getTemplateInput struct {
	StackName     *string
	ChangeSetName *string `min:"1" max:"1600" pattern:"[a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/]*"`
	TemplateStage *string `enum:"Original,Processed"`
}

type getTemplateOutput struct {
	TemplateBody    string
	StagesAvailable []string `xml:"StagesAvailable>member"`
}

func (s *Service) getTemplate(c *awsproto.Call, in *getTemplateInput) (getTemplateOutput, error) {
	if in.ChangeSetName != nil {
		cs, _, err := s.findChangeSet(c.Region, *in.ChangeSetName, deref(in.StackName))
		if err != nil {
			return getTemplateOutput{}, err
		}
		return getTemplateOutput{TemplateBody: staged(cs.Body, in.TemplateStage), StagesAvailable: []string{"Original", "Processed"}}, nil
	}
	if in.StackName == nil {
		return getTemplateOutput{}, errValidation.New("Either StackName or ChangeSetName must be specified.")
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	st, err := s.store.get(c.Region, *in.StackName)
	if err != nil {
		return getTemplateOutput{}, err
	}
	return getTemplateOutput{TemplateBody: staged(st.Body, in.TemplateStage), StagesAvailable: []string{"Original", "Processed"}}, nil
}

// autoExpand refuses, as AWS does, a template with transforms given to
// CreateStack or UpdateStack without CAPABILITY_AUTO_EXPAND: only a change
// set lets its expansion be reviewed first.
func autoExpand(body string, caps []string) error {
	t, err := parseTemplate(body)
	if err != nil || t.Transform == nil {
		return nil
	}
	for _, c := range caps {
		if c == "CAPABILITY_AUTO_EXPAND" {
			return nil
		}
	}
	return errInsufficientCaps.Errorf("Requires capabilities : [CAPABILITY_AUTO_EXPAND]")
}

// staged is a template as asked: the Processed stage of a template with
// transforms is what they made of it, as JSON.
func staged(body string, stage *string) string {
	if deref(stage) != "Processed" {
		return body
	}
	t, err := parseTemplate(body)
	if err != nil || t.Transform == nil {
		return body
	}
	if t, err = loadTemplate(body); err != nil {
		return body
	}
	return canonical(t.Raw)
}

type templateInput struct {
	TemplateBody *string `min:"1"`
	TemplateURL  *string `min:"1" max:"5120"`
}

type templateParameterXML struct {
	ParameterKey string
	DefaultValue string `xml:",omitempty"`
	NoEcho       bool
	Description  string `xml:",omitempty"`
}

type validateTemplateOutput struct {
	Parameters         []templateParameterXML `xml:"Parameters>member"`
	Description        string                 `xml:",omitempty"`
	Capabilities       []string               `xml:"Capabilities>member"`
	CapabilitiesReason string                 `xml:",omitempty"`
	DeclaredTransforms []string               `xml:"DeclaredTransforms>member"`
}

// checked parses and checks a template without parameters' values.
func (s *Service) checked(body string) (*template, error) {
	t, err := parseTemplate(body)
	if err != nil {
		return nil, asValidation(err)
	}
	expanded := t
	if t.Transform != nil { // references are checked in what the transforms make (SAM's implicit APIs, Fn.Alias)
		for _, name := range declaredTransforms(t) {
			if _, ok := transforms[name]; !ok {
				return t, nil // a macro's output is only known once it has run
			}
		}
		// As on AWS, a transform's own errors (an unpackaged CodeUri) are
		// reported when a stack or change set runs it, not here.
		if expanded, err = loadTemplate(body); err != nil {
			return t, nil
		}
	}
	if _, _, err := expanded.order(); err != nil {
		return nil, asValidation(err)
	}
	return t, nil
}

func templateParams(t *template) []templateParameterXML {
	var out []templateParameterXML
	for _, name := range sortedKeys(t.Parameters) {
		def := t.Parameters[name]
		x := templateParameterXML{ParameterKey: name, NoEcho: str(def["NoEcho"]) == "true"}
		if d, ok := def["Default"]; ok {
			x.DefaultValue = str(d)
		}
		if d, ok := def["Description"].(string); ok {
			x.Description = d
		}
		out = append(out, x)
	}
	return out
}

func capabilities(t *template) ([]string, string) {
	need := requiredCapability(t)
	if need == "" {
		return nil, ""
	}
	var iam []string
	for _, name := range sortedKeys(t.Resources) {
		if strings.HasPrefix(t.Resources[name].Type, "AWS::IAM::") {
			iam = append(iam, name)
		}
	}
	return []string{need}, "The following resource(s) require capabilities: [" + strings.Join(typesOf(t, iam), ", ") + "]"
}

func typesOf(t *template, names []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if typ := t.Resources[n].Type; !seen[typ] {
			seen[typ] = true
			out = append(out, typ)
		}
	}
	return out
}

func declaredTransforms(t *template) []string {
	switch x := t.Transform.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, str(e))
		}
		return out
	}
	return nil
}

func (s *Service) validateTemplate(c *awsproto.Call, in *templateInput) (validateTemplateOutput, error) {
	body, err := s.templateBody(in.TemplateBody, in.TemplateURL)
	if err != nil {
		return validateTemplateOutput{}, err
	}
	t, err := s.checked(body)
	if err != nil {
		return validateTemplateOutput{}, err
	}
	caps, reason := capabilities(t)
	return validateTemplateOutput{Parameters: templateParams(t), Description: t.Description, Capabilities: caps,
		CapabilitiesReason: reason, DeclaredTransforms: declaredTransforms(t)}, nil
}

type getTemplateSummaryInput struct {
	TemplateBody *string `min:"1"`
	TemplateURL  *string `min:"1" max:"5120"`
	StackName    *string `min:"1" pattern:"([a-zA-Z][-a-zA-Z0-9]*)|(arn:\\b(aws|aws-us-gov|aws-cn)\\b:[-a-zA-Z0-9:/._+]*)"`
}

type summaryParameterXML struct {
	ParameterKey         string
	DefaultValue         string `xml:",omitempty"`
	ParameterType        string
	NoEcho               bool
	Description          string `xml:",omitempty"`
	ParameterConstraints struct {
		AllowedValues []string `xml:"AllowedValues>member"`
	}
}

type getTemplateSummaryOutput struct {
	Parameters         []summaryParameterXML `xml:"Parameters>member"`
	Description        string                `xml:",omitempty"`
	Capabilities       []string              `xml:"Capabilities>member"`
	CapabilitiesReason string                `xml:",omitempty"`
	ResourceTypes      []string              `xml:"ResourceTypes>member"`
	Version            string                `xml:",omitempty"`
	DeclaredTransforms []string              `xml:"DeclaredTransforms>member"`
}

func (s *Service) getTemplateSummary(c *awsproto.Call, in *getTemplateSummaryInput) (getTemplateSummaryOutput, error) {
	var body string
	if in.StackName != nil {
		s.store.mu.Lock()
		st, err := s.store.get(c.Region, *in.StackName)
		if err == nil {
			body = st.Body
		}
		s.store.mu.Unlock()
		if err != nil {
			return getTemplateSummaryOutput{}, err
		}
	} else {
		var err error
		if body, err = s.templateBody(in.TemplateBody, in.TemplateURL); err != nil {
			return getTemplateSummaryOutput{}, err
		}
	}
	t, err := s.checked(body)
	if err != nil {
		return getTemplateSummaryOutput{}, err
	}
	out := getTemplateSummaryOutput{Description: t.Description, DeclaredTransforms: declaredTransforms(t)}
	out.Capabilities, out.CapabilitiesReason = capabilities(t)
	if v, ok := t.Raw["AWSTemplateFormatVersion"].(string); ok {
		out.Version = v
	}
	for _, p := range templateParams(t) {
		x := summaryParameterXML{ParameterKey: p.ParameterKey, DefaultValue: p.DefaultValue, NoEcho: p.NoEcho, Description: p.Description}
		x.ParameterType, _ = t.Parameters[p.ParameterKey]["Type"].(string)
		for _, a := range listOf(t.Parameters[p.ParameterKey]["AllowedValues"]) {
			x.ParameterConstraints.AllowedValues = append(x.ParameterConstraints.AllowedValues, str(a))
		}
		out.Parameters = append(out.Parameters, x)
	}
	names := sortedKeys(t.Resources)
	out.ResourceTypes = typesOf(t, names)
	return out, nil
}

// ---- exports ----

type listExportsInput struct {
	NextToken *string `min:"1" max:"1024"`
}

type exportXML struct {
	ExportingStackId string
	Name             string
	Value            string
}

type listExportsOutput struct {
	Exports []exportXML `xml:"Exports>member"`
}

func (s *Service) listExports(c *awsproto.Call, in *listExportsInput) (listExportsOutput, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	ex := s.store.exports(c.Region)
	var out listExportsOutput
	for _, name := range sortedKeys(ex) {
		out.Exports = append(out.Exports, exportXML{ex[name].StackID, name, ex[name].Value})
	}
	return out, nil
}

type listImportsInput struct {
	ExportName *string `required:"true"`
	NextToken  *string `min:"1" max:"1024"`
}

type listImportsOutput struct {
	Imports []string `xml:"Imports>member"`
}

func (s *Service) listImports(c *awsproto.Call, in *listImportsInput) (listImportsOutput, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if _, ok := s.store.exports(c.Region)[*in.ExportName]; !ok {
		return listImportsOutput{}, errValidation.Errorf("Export '%s' is not imported by any stack.", *in.ExportName)
	}
	imp := s.store.importers(c.Region, *in.ExportName)
	if len(imp) == 0 {
		return listImportsOutput{}, errValidation.Errorf("Export '%s' is not imported by any stack.", *in.ExportName)
	}
	return listImportsOutput{Imports: imp}, nil
}

// compileAnchored compiles an AllowedPattern, which must match the whole
// value.
func compileAnchored(p string) (*regexp.Regexp, error) { return regexp.Compile("^(?:" + p + ")$") }
