package cloudformation

import (
	"context"
	"fmt"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Change set statuses.
const (
	csCreateComplete = "CREATE_COMPLETE"
	csFailed         = "FAILED"
	execAvailable    = "AVAILABLE"
	execUnavailable  = "UNAVAILABLE"
	execComplete     = "EXECUTE_COMPLETE"
	execInProgress   = "EXECUTE_IN_PROGRESS"
	msgNoChanges     = "The submitted information didn't contain changes. Submit different information to create a change set."
)

type createChangeSetInput struct {
	StackName           *string `required:"true" min:"1" pattern:"([a-zA-Z][-a-zA-Z0-9]*)|(arn:\\b(aws|aws-us-gov|aws-cn)\\b:[-a-zA-Z0-9:/._+]*)"`
	TemplateBody        *string `min:"1"`
	TemplateURL         *string `min:"1" max:"5120"`
	UsePreviousTemplate *bool
	Parameters          []parameterInput
	Capabilities        []string   `enum:"CAPABILITY_IAM,CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND"`
	NotificationARNs    []string   `max:"5"`
	Tags                []tagInput `max:"50"`
	ChangeSetName       *string    `required:"true" min:"1" max:"128" pattern:"[a-zA-Z][-a-zA-Z0-9]*"`
	ClientToken         *string    `min:"1" max:"128"`
	Description         *string    `min:"1" max:"1024"`
	ChangeSetType       *string    `enum:"CREATE,UPDATE,IMPORT"`
	OnStackFailure      *string    `enum:"DO_NOTHING,ROLLBACK,DELETE"`
	RoleARN             *string    `min:"20" max:"2048"` // accepted: stacks act as the caller's account
}

type createChangeSetOutput struct {
	Id      string
	StackId string
}

func (s *Service) createChangeSet(c *awsproto.Call, in *createChangeSetInput) (createChangeSetOutput, error) {
	typ := deref(in.ChangeSetType)
	if typ == "" {
		typ = "UPDATE"
	}
	if typ == "IMPORT" {
		return createChangeSetOutput{}, errValidation.New("groundstack does not import existing resources into stacks (ChangeSetType IMPORT)")
	}
	usePrev := in.UsePreviousTemplate != nil && *in.UsePreviousTemplate
	if usePrev && (in.TemplateBody != nil || in.TemplateURL != nil) {
		return createChangeSetOutput{}, errValidation.New("You cannot specify both usePreviousTemplate and Template Body/Template URL.")
	}
	s.store.mu.Lock()
	st := s.store.find(c.Region, *in.StackName)
	if st != nil && st.Status == stDeleteComplete {
		st = nil
	}
	s.store.mu.Unlock()
	var prevParams []paramValue
	body := ""
	switch {
	case typ == "CREATE" && st != nil && st.Status != stReviewInProgress:
		return createChangeSetOutput{}, errValidation.Errorf("Stack [%s] already exists and cannot be created again with the changeSet [%s].", st.Name, *in.ChangeSetName)
	case typ == "UPDATE" && (st == nil || st.Status == stReviewInProgress):
		return createChangeSetOutput{}, errValidation.Errorf(msgStackNotFound, *in.StackName)
	case typ == "UPDATE":
		if _, err := s.updatable(c.Region, st.Name); err != nil {
			return createChangeSetOutput{}, err
		}
		prevParams, body = st.Params, st.Body
	}
	if !usePrev {
		var err error
		if body, err = s.templateBody(in.TemplateBody, in.TemplateURL); err != nil {
			return createChangeSetOutput{}, err
		}
	}
	p, err := s.engine.prepare(c.Region, body, in.Parameters, prevParams, in.Capabilities)
	if err != nil {
		return createChangeSetOutput{}, err
	}
	if err := s.engine.checkImports(c.Region, p.tpl); err != nil {
		return createChangeSetOutput{}, err
	}
	if st == nil {
		if strings.HasPrefix(*in.StackName, "arn:") {
			return createChangeSetOutput{}, errValidation.Errorf(msgStackNotFound, *in.StackName)
		}
		if st, err = s.newStack(c.Region, *in.StackName, nil, in.Capabilities, in.NotificationARNs, tagsFrom(in.Tags)); err != nil {
			return createChangeSetOutput{}, err
		}
		s.store.setStatus(st, stReviewInProgress, "User Initiated")
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if _, dup := st.ChangeSets[*in.ChangeSetName]; dup {
		return createChangeSetOutput{}, errAlreadyExists.Errorf("ChangeSet [%s] already exists", *in.ChangeSetName)
	}
	if len(st.ChangeSets) >= 100 {
		return createChangeSetOutput{}, errLimitExceeded.New("ChangeSet limit exceeded for this stack")
	}
	cs := &changeSet{ID: fmt.Sprintf("arn:aws:cloudformation:%s:%s:changeSet/%s/%s", c.Region, s.env.Account, *in.ChangeSetName, s.env.NewID()),
		Name: *in.ChangeSetName, StackID: st.ID, StackName: st.Name, Type: typ, Created: s.store.now(), Description: deref(in.Description),
		Body: body, tpl: p.tpl, Params: p.params, Capabilities: in.Capabilities, Tags: tagsFrom(in.Tags), prepared: p,
		onFailure: deref(in.OnStackFailure)}
	cs.Changes = s.changes(st, p)
	if typ == "UPDATE" && len(cs.Changes) == 0 && sameAsDeployed(st, p) {
		cs.Status, cs.ExecStatus, cs.Reason = csFailed, execUnavailable, msgNoChanges
	} else {
		cs.Status, cs.ExecStatus = csCreateComplete, execAvailable
	}
	st.ChangeSets[cs.Name] = cs
	return createChangeSetOutput{Id: cs.ID, StackId: st.ID}, nil
}

// changes previews what running p on st would do, from the templates'
// definitions (the caller holds s.store.mu).
func (s *Service) changes(st *stack, p *prepared) []change {
	var out []change
	changedParams := map[string]bool{}
	old := map[string]string{}
	for _, pv := range st.Params {
		old[pv.Key] = pv.Value
	}
	for _, pv := range p.params {
		if v, ok := old[pv.Key]; !ok || v != pv.Value {
			changedParams[pv.Key] = true
		}
	}
	for _, l := range p.order {
		def := p.tpl.Resources[l]
		cur := st.Resources[l]
		if cur == nil || cur.Status == stDeleteComplete {
			out = append(out, change{Action: "Add", Logical: l, Type: def.Type})
			continue
		}
		var prevDef *resourceDef
		if st.tpl != nil {
			prevDef = st.tpl.Resources[l]
		}
		refs, _, _ := references(def.raw)
		paramChanged := false
		for _, r := range refs {
			if changedParams[r] {
				paramChanged = true
			}
		}
		if prevDef != nil && canonical(prevDef.raw) == canonical(def.raw) && !paramChanged {
			continue
		}
		ch := change{Action: "Modify", Logical: l, Physical: cur.Physical, Type: def.Type, Replacement: "False", Scope: []string{"Properties"}}
		rt := lookupType(def.Type)
		switch {
		case prevDef == nil || prevDef.Type != def.Type || rt == nil || rt.update == nil:
			ch.Replacement = "True"
		case paramChanged:
			// Only a property that replaces the resource and takes a
			// changed parameter makes the replacement depend on it.
			for _, k := range rt.replaceOn {
				refs, _, _ := references(def.Properties[k])
				for _, r := range refs {
					if changedParams[r] {
						ch.Replacement = "Conditional"
					}
				}
				if canonical(prevDef.Properties[k]) != canonical(def.Properties[k]) {
					ch.Replacement = "True"
				}
			}
		default:
			for _, k := range rt.replaceOn {
				if canonical(prevDef.Properties[k]) != canonical(def.Properties[k]) {
					ch.Replacement = "True"
				}
			}
		}
		out = append(out, ch)
	}
	for _, l := range sortedKeys(st.Resources) {
		if _, ok := p.tpl.Resources[l]; !ok {
			r := st.Resources[l]
			out = append(out, change{Action: "Remove", Logical: l, Physical: r.Physical, Type: r.Type})
		}
	}
	return out
}

// findChangeSet finds a change set by ARN, or by name within a stack.
func (s *Service) findChangeSet(region, nameOrID, stackName string) (*changeSet, *stack, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	notFound := errChangeSetNotFound.Errorf("ChangeSet [%s] does not exist", nameOrID)
	if strings.HasPrefix(nameOrID, "arn:") {
		for _, st := range s.store.stacks[region] {
			for _, cs := range st.ChangeSets {
				if cs.ID == nameOrID {
					return cs, st, nil
				}
			}
			for _, cs := range st.executed {
				if cs.ID == nameOrID {
					return cs, st, nil
				}
			}
		}
		return nil, nil, notFound
	}
	if stackName == "" {
		return nil, nil, errValidation.New("StackName must be specified if ChangeSetName is not specified as an ARN.")
	}
	st := s.store.find(region, stackName)
	if st == nil {
		return nil, nil, errValidation.Errorf(msgStackNotFound, stackName)
	}
	cs := st.ChangeSets[nameOrID]
	if cs == nil {
		return nil, nil, notFound
	}
	return cs, st, nil
}

type changeSetRefInput struct {
	ChangeSetName *string `required:"true" min:"1" max:"1600" pattern:"[a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/]*"`
	StackName     *string `min:"1" pattern:"([a-zA-Z][-a-zA-Z0-9]*)|(arn:\\b(aws|aws-us-gov|aws-cn)\\b:[-a-zA-Z0-9:/._+]*)"`
	NextToken     *string `min:"1" max:"1024"`
}

type resourceChangeXML struct {
	Action             string
	LogicalResourceId  string
	PhysicalResourceId string `xml:",omitempty"`
	ResourceType       string
	Replacement        string   `xml:",omitempty"`
	Scope              []string `xml:"Scope>member"`
}

type changeXML struct {
	Type           string
	ResourceChange resourceChangeXML
}

type describeChangeSetOutput struct {
	ChangeSetName   string
	ChangeSetId     string
	StackId         string
	StackName       string
	Description     string         `xml:",omitempty"`
	Parameters      []parameterXML `xml:"Parameters>member"`
	CreationTime    string
	ExecutionStatus string
	Status          string
	StatusReason    string      `xml:",omitempty"`
	Capabilities    []string    `xml:"Capabilities>member"`
	Tags            []tagXML    `xml:"Tags>member"`
	Changes         []changeXML `xml:"Changes>member"`
}

func (s *Service) describeChangeSet(c *awsproto.Call, in *changeSetRefInput) (describeChangeSetOutput, error) {
	cs, _, err := s.findChangeSet(c.Region, *in.ChangeSetName, deref(in.StackName))
	if err != nil {
		return describeChangeSetOutput{}, err
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	out := describeChangeSetOutput{ChangeSetName: cs.Name, ChangeSetId: cs.ID, StackId: cs.StackID, StackName: cs.StackName, Description: cs.Description,
		Parameters: paramsXML(cs.Params), CreationTime: isoTime(cs.Created), ExecutionStatus: cs.ExecStatus, Status: cs.Status, StatusReason: cs.Reason,
		Capabilities: cs.Capabilities, Tags: tagsXML(cs.Tags)}
	for _, ch := range cs.Changes {
		out.Changes = append(out.Changes, changeXML{"Resource", resourceChangeXML{ch.Action, ch.Logical, ch.Physical, ch.Type, ch.Replacement, ch.Scope}})
	}
	return out, nil
}

type executeChangeSetInput struct {
	ChangeSetName      *string `required:"true" min:"1" max:"1600" pattern:"[a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/]*"`
	StackName          *string `min:"1" pattern:"([a-zA-Z][-a-zA-Z0-9]*)|(arn:\\b(aws|aws-us-gov|aws-cn)\\b:[-a-zA-Z0-9:/._+]*)"`
	ClientRequestToken *string `min:"1" max:"128" pattern:"[a-zA-Z0-9][-a-zA-Z0-9]*"`
	DisableRollback    *bool
}

func (s *Service) executeChangeSet(c *awsproto.Call, in *executeChangeSetInput) (empty, error) {
	cs, st, err := s.findChangeSet(c.Region, *in.ChangeSetName, deref(in.StackName))
	if err != nil {
		return empty{}, err
	}
	s.store.mu.Lock()
	if cs.ExecStatus != execAvailable {
		s.store.mu.Unlock()
		return empty{}, errInvalidChangeSet.Errorf("ChangeSet [%s] cannot be executed in its current status of [%s]", cs.ID, cs.Status)
	}
	if st.busy {
		s.store.mu.Unlock()
		return empty{}, busyErr(st)
	}
	if cs.Type == "UPDATE" && st.Status != stCreateComplete && st.Status != stUpdateComplete && st.Status != stUpdateRollbackDone {
		s.store.mu.Unlock()
		return empty{}, busyErr(st)
	}
	cs.ExecStatus = execInProgress
	p := cs.prepared
	// Executing a change set removes the stack's change sets, as on AWS;
	// the executed one stays described by its ARN.
	clear(st.ChangeSets)
	st.executed = append(st.executed, cs)
	if len(st.executed) > 10 {
		st.executed = st.executed[1:]
	}
	st.Capabilities = cs.Capabilities
	if cs.Tags != nil {
		st.Tags = cs.Tags
	}
	disable := in.DisableRollback != nil && *in.DisableRollback
	s.store.mu.Unlock()
	finish := func() {
		s.store.mu.Lock()
		cs.ExecStatus = execComplete
		s.store.mu.Unlock()
	}
	if cs.Type == "CREATE" {
		s.store.mu.Lock()
		st.tpl, st.Body, st.Params, st.DisableRollback = p.tpl, p.body, p.params, disable
		s.store.mu.Unlock()
		onFailure := cs.onFailure
		if disable {
			onFailure = "DO_NOTHING"
		}
		return empty{}, s.engine.start(st, func(ctx context.Context) { s.engine.create(ctx, st, p, onFailure); finish() })
	}
	return empty{}, s.engine.start(st, func(ctx context.Context) { s.engine.update(ctx, st, p); finish() })
}

type deleteChangeSetInput struct {
	ChangeSetName *string `required:"true" min:"1" max:"1600" pattern:"[a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/]*"`
	StackName     *string `min:"1" pattern:"([a-zA-Z][-a-zA-Z0-9]*)|(arn:\\b(aws|aws-us-gov|aws-cn)\\b:[-a-zA-Z0-9:/._+]*)"`
}

func (s *Service) deleteChangeSet(c *awsproto.Call, in *deleteChangeSetInput) (empty, error) {
	cs, st, err := s.findChangeSet(c.Region, *in.ChangeSetName, deref(in.StackName))
	if err != nil {
		return empty{}, err
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if cs.ExecStatus == execInProgress {
		return empty{}, errInvalidChangeSet.Errorf("Cannot delete ChangeSet in status %s", cs.ExecStatus)
	}
	delete(st.ChangeSets, cs.Name)
	return empty{}, nil
}

type listChangeSetsInput struct {
	StackName *string `required:"true" min:"1" pattern:"([a-zA-Z][-a-zA-Z0-9]*)|(arn:\\b(aws|aws-us-gov|aws-cn)\\b:[-a-zA-Z0-9:/._+]*)"`
	NextToken *string `min:"1" max:"1024"`
}

type changeSetSummaryXML struct {
	StackId         string
	StackName       string
	ChangeSetId     string
	ChangeSetName   string
	ExecutionStatus string
	Status          string
	StatusReason    string `xml:",omitempty"`
	CreationTime    string
	Description     string `xml:",omitempty"`
}

type listChangeSetsOutput struct {
	Summaries []changeSetSummaryXML `xml:"Summaries>member"`
}

func (s *Service) listChangeSets(c *awsproto.Call, in *listChangeSetsInput) (listChangeSetsOutput, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	st, err := s.store.get(c.Region, *in.StackName)
	if err != nil {
		return listChangeSetsOutput{}, err
	}
	var out listChangeSetsOutput
	for _, name := range sortedKeys(st.ChangeSets) {
		cs := st.ChangeSets[name]
		out.Summaries = append(out.Summaries, changeSetSummaryXML{st.ID, st.Name, cs.ID, cs.Name, cs.ExecStatus, cs.Status, cs.Reason, isoTime(cs.Created), cs.Description})
	}
	return out, nil
}
