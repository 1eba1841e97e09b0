package cloudformation

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// engine runs stack operations: each in a goroutine of its own (bounded by
// slots), creating resources in dependency order through the providers.
type engine struct {
	store   *Store
	account string
	clients func(region string) *clients
	slots   chan struct{}
	// base is cancelled by close, which then waits for running operations.
	base    context.Context
	cancel  context.CancelFunc
	running sync.WaitGroup
}

func newEngine(store *Store, account string, clients func(string) *clients) *engine {
	e := &engine{store: store, account: account, clients: clients, slots: make(chan struct{}, maxConcurrentOperations)}
	e.base, e.cancel = context.WithCancel(context.Background())
	return e
}

// close stops the running operations (their calls fail, their stacks
// with them) and waits for them to end.
func (e *engine) close() {
	e.cancel()
	e.running.Wait()
}

// operationWait is how long an API call waits for the operation it started,
// so a stack is final by the time the call answers (the SDK's waiters
// succeed on their first poll); a longer one carries on in the background.
const operationWait = 60 * time.Second

// prepared is a template with its parameters resolved, ready to run.
type prepared struct {
	tpl    *template
	body   string
	params []paramValue
	values map[string]any
	order  []string
	deps   map[string][]string
}

// prepare parses and checks a template against the given parameters
// (prev: the stack's current values, for UsePreviousValue).
func (e *engine) prepare(region, body string, in []parameterInput, prev []paramValue, caps []string) (*prepared, error) {
	t, err := loadTemplate(body)
	if err != nil {
		return nil, asValidation(err)
	}
	order, deps, err := t.order()
	if err != nil {
		return nil, asValidation(err)
	}
	p := &prepared{tpl: t, body: body, order: order, deps: deps, values: map[string]any{}}
	given := map[string]parameterInput{}
	var unknown []string
	for _, pi := range in {
		key := deref(pi.ParameterKey)
		if _, ok := t.Parameters[key]; !ok {
			unknown = append(unknown, key)
			continue
		}
		given[key] = pi
	}
	if len(unknown) > 0 {
		return nil, errValidation.Errorf("Parameters: [%s] do not exist in the template", strings.Join(unknown, ", "))
	}
	var missing []string
	for _, name := range sortedKeys(t.Parameters) {
		def := t.Parameters[name]
		typ, _ := def["Type"].(string)
		if strings.HasPrefix(typ, "AWS::SSM::Parameter::") {
			return nil, errValidation.Errorf("Parameter '%s' is of type %s: groundstack does not resolve SSM parameter types; declare it as String and pass the value", name, typ)
		}
		var value string
		pi, ok := given[name]
		switch {
		case ok && pi.UsePreviousValue != nil && *pi.UsePreviousValue:
			found := false
			for _, pv := range prev {
				if pv.Key == name {
					value, found = pv.Value, true
				}
			}
			if !found {
				return nil, errValidation.Errorf("Invalid input for parameter key %s. Cannot specify usePreviousValue as true for a parameter key not in the previous template", name)
			}
		case ok && pi.ParameterValue != nil:
			value = *pi.ParameterValue
		default:
			d, has := def["Default"]
			if !has {
				missing = append(missing, name)
				continue
			}
			value = str(d)
		}
		if err := checkParameter(name, typ, def, value); err != nil {
			return nil, err
		}
		noEcho := false
		if b, ok := def["NoEcho"].(bool); ok {
			noEcho = b
		} else if s, ok := def["NoEcho"].(string); ok {
			noEcho = strings.EqualFold(s, "true")
		}
		p.params = append(p.params, paramValue{Key: name, Value: value, NoEcho: noEcho})
		if strings.HasPrefix(typ, "List<") || typ == "CommaDelimitedList" {
			var l []any
			for _, el := range strings.Split(value, ",") {
				l = append(l, strings.TrimSpace(el))
			}
			p.values[name] = l
		} else {
			p.values[name] = value
		}
	}
	if len(missing) > 0 {
		return nil, errValidation.Errorf("Parameters: [%s] must have values", strings.Join(missing, ", "))
	}
	if need := requiredCapability(t); need != "" && !contains(caps, need) && !(need == "CAPABILITY_IAM" && contains(caps, "CAPABILITY_NAMED_IAM")) {
		return nil, errInsufficientCaps.Errorf("Requires capabilities : [%s]", need)
	}
	return p, nil
}

// checkParameter applies a parameter's declared constraints to its value.
func checkParameter(name, typ string, def map[string]any, value string) error {
	switch typ {
	case "String", "Number", "List<Number>", "CommaDelimitedList":
	default:
		if !strings.HasPrefix(typ, "AWS::") && !strings.HasPrefix(typ, "List<AWS::") {
			return errValidation.Errorf("Template format error: Unrecognized parameter type: %s", typ)
		}
	}
	if typ == "Number" {
		if _, err := strconv.ParseFloat(value, 64); err != nil {
			return errValidation.Errorf("Parameter '%s' must be a number.", name)
		}
	}
	if allowed, ok := def["AllowedValues"].([]any); ok {
		okv := false
		for _, a := range allowed {
			if str(a) == value {
				okv = true
			}
		}
		if !okv {
			return errValidation.Errorf("Parameter '%s' must be one of AllowedValues", name)
		}
	}
	if pat, ok := def["AllowedPattern"].(string); ok {
		if re, err := compileAnchored(pat); err == nil && !re.MatchString(value) {
			return errValidation.Errorf("Parameter '%s' must match pattern %s", name, pat)
		}
	}
	if v, ok := def["MinLength"]; ok {
		if n, err := strconv.Atoi(str(v)); err == nil && len(value) < n {
			return errValidation.Errorf("Parameter '%s' must contain at least %d characters", name, n)
		}
	}
	if v, ok := def["MaxLength"]; ok {
		if n, err := strconv.Atoi(str(v)); err == nil && len(value) > n {
			return errValidation.Errorf("Parameter '%s' must contain at most %d characters", name, n)
		}
	}
	if typ == "Number" {
		f, _ := strconv.ParseFloat(value, 64)
		if v, ok := def["MinValue"]; ok {
			if n, err := strconv.ParseFloat(str(v), 64); err == nil && f < n {
				return errValidation.Errorf("Parameter '%s' must be a number not less than %s", name, str(v))
			}
		}
		if v, ok := def["MaxValue"]; ok {
			if n, err := strconv.ParseFloat(str(v), 64); err == nil && f > n {
				return errValidation.Errorf("Parameter '%s' must be a number not greater than %s", name, str(v))
			}
		}
	}
	return nil
}

// requiredCapability is the capability a template's IAM resources need:
// CAPABILITY_NAMED_IAM when one has a custom name.
func requiredCapability(t *template) string {
	need := ""
	for _, r := range t.Resources {
		if !strings.HasPrefix(r.Type, "AWS::IAM::") {
			continue
		}
		need = "CAPABILITY_IAM"
		for _, k := range []string{"RoleName", "ManagedPolicyName", "UserName", "GroupName", "InstanceProfileName"} {
			if _, ok := r.Properties[k]; ok {
				return "CAPABILITY_NAMED_IAM"
			}
		}
	}
	return need
}

// asValidation turns a template error into the ValidationError a client
// sees.
func asValidation(err error) error {
	var te *templateError
	if errors.As(err, &te) {
		return errValidation.New(te.msg)
	}
	return err
}

// evaluator returns an evaluator over st's parameters and resources.
func (e *engine) evaluator(st *stack, p *prepared) (*evaluator, error) {
	ev := &evaluator{
		t:      p.tpl,
		params: p.values,
		pseudo: map[string]any{
			"AWS::AccountId": e.account, "AWS::Region": st.Region, "AWS::StackName": st.Name, "AWS::StackId": st.ID,
			"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", "AWS::NotificationARNs": toAnyList(st.NotificationARNs),
		},
		where: "Resources",
	}
	ev.ref = func(logical string) (any, bool) {
		e.store.mu.Lock()
		defer e.store.mu.Unlock()
		r, ok := st.Resources[logical]
		if !ok || r.Physical == "" {
			return nil, false
		}
		return r.Physical, true
	}
	ev.att = func(logical, attr string) (any, error) {
		e.store.mu.Lock()
		defer e.store.mu.Unlock()
		r, ok := st.Resources[logical]
		if !ok || r.Physical == "" {
			if _, declared := p.tpl.Resources[logical]; declared {
				return nil, &templateError{fmt.Sprintf(msgUnresolvedDeps, logical, ev.where)}
			}
			return nil, templateErr("instance of Fn::GetAtt references undefined resource %s", logical)
		}
		v, ok := r.Attrs[attr]
		if !ok {
			return nil, templateErr("resource %s does not support attribute type %s in Fn::GetAtt", logical, attr)
		}
		return v, nil
	}
	ev.imports = func(name string) (string, bool) {
		e.store.mu.Lock()
		defer e.store.mu.Unlock()
		x, ok := e.store.exports(st.Region)[name]
		return x.Value, ok
	}
	if err := ev.evalConditions(); err != nil {
		return nil, asValidation(err)
	}
	return ev, nil
}

func toAnyList(l []string) []any {
	out := make([]any, 0, len(l))
	for _, s := range l {
		out = append(out, s)
	}
	return out
}

// checkImports makes sure every export a template imports (by a literal
// name) exists, as CreateStack does before it starts.
func (e *engine) checkImports(region string, t *template) error {
	e.store.mu.Lock()
	defer e.store.mu.Unlock()
	ex := e.store.exports(region)
	for _, name := range importsOf(t, nil) {
		if _, ok := ex[name]; !ok {
			return errValidation.Errorf("No export named %s found.", name)
		}
	}
	return nil
}

// start runs op for st in a goroutine and waits (bounded) for it to end.
// It refuses a stack that is already running one: the check and the
// start are one step, so two calls cannot both start.
func (e *engine) start(st *stack, op func(ctx context.Context)) error {
	done := make(chan struct{})
	e.store.mu.Lock()
	if st.busy {
		e.store.mu.Unlock()
		return busyErr(st)
	}
	st.busy, st.done = true, done
	e.store.mu.Unlock()
	e.running.Add(1)
	go func() {
		defer e.running.Done()
		e.slots <- struct{}{}
		defer func() { <-e.slots }()
		defer func() {
			e.store.mu.Lock()
			st.busy = false
			e.store.mu.Unlock()
			close(done)
		}()
		ctx, cancel := context.WithTimeout(e.base, 30*time.Minute)
		defer cancel()
		op(ctx)
	}()
	select {
	case <-done:
	case <-time.After(operationWait):
	}
	return nil
}

// create creates p's resources for a new stack, rolling back on failure.
func (e *engine) create(ctx context.Context, st *stack, p *prepared, onFailure string) {
	e.store.setStatus(st, stCreateInProgress, "User Initiated")
	created, err := e.apply(ctx, st, p)
	if err == nil {
		if err = e.outputs(st, p); err == nil {
			e.store.setStatus(st, stCreateComplete, "")
			return
		}
	}
	reason := failedReason(st, "create", err)
	if onFailure == "DO_NOTHING" {
		e.store.setStatus(st, stCreateFailed, reason)
		return
	}
	e.store.setStatus(st, stRollbackInProgress, reason+"Rollback requested by user.")
	if err := e.deleteAll(ctx, st, created, true); err != nil {
		e.store.setStatus(st, stRollbackFailed, err.Error())
		return
	}
	e.store.setStatus(st, stRollbackComplete, "")
	if onFailure == "DELETE" {
		e.store.setStatus(st, stDeleteComplete, "")
		e.store.retire(st)
	}
}

// failedReason is a failed operation's stack status reason: the resources
// that failed, or (outputs, exports) the error itself.
func failedReason(st *stack, verb string, err error) string {
	if l := failedList(st); l != "[]" {
		return "The following resource(s) failed to " + verb + ": " + l + ". "
	}
	return failure(err)
}

// failedList names the resources of st that failed, for the stack's reason.
func failedList(st *stack) string {
	var out []string
	for _, r := range st.Resources {
		if strings.HasSuffix(r.Status, "_FAILED") {
			out = append(out, r.Logical)
		}
	}
	sort.Strings(out)
	return "[" + strings.Join(out, ", ") + "]"
}

// apply brings st's resources to p's template, in dependency order:
// creating new ones, updating or replacing changed ones. It returns the
// resources it created (for a rollback to delete), in creation order, and
// the replaced resources' old states through st.
func (e *engine) apply(ctx context.Context, st *stack, p *prepared) ([]*stackResource, error) {
	ev, err := e.evaluator(st, p)
	if err != nil {
		return nil, err
	}
	cl := e.clients(st.Region)
	var created []*stackResource
	for _, logical := range p.order {
		def := p.tpl.Resources[logical]
		if def.Condition != "" && !ev.conds[def.Condition] {
			continue
		}
		e.store.mu.Lock()
		cur := st.Resources[logical]
		e.store.mu.Unlock()
		props, perr := ev.eval(orEmpty(def.Properties))
		var pm map[string]any
		if perr == nil {
			pm, _ = props.(map[string]any)
		}
		rt := lookupType(def.Type)
		if cur != nil && cur.Physical != "" && cur.Type == def.Type && perr == nil && canonical(pm) == canonical(cur.Props) {
			e.store.mu.Lock()
			cur.DeletionPolicy, cur.ReplacePolicy = def.DeletionPolicy, def.UpdateReplacePolicy
			e.store.mu.Unlock()
			continue // unchanged
		}
		if cur != nil && cur.Status != stDeleteComplete && perr == nil && rt != nil && cur.Type == def.Type && !rt.replaces(cur.Props, pm) {
			// In place.
			e.store.setResource(st, cur, stUpdateInProgress, "")
			uc := &call{cl: cl, stack: st, logical: logical, typ: def.Type, props: pm, old: cur.Props, physical: cur.Physical}
			attrs, err := rt.update(ctx, uc)
			if err != nil {
				e.store.setResource(st, cur, stUpdateFailed, failure(err))
				return created, err
			}
			e.store.mu.Lock()
			if uc.replacedBy != "" && uc.replacedBy != cur.Physical {
				old := *cur
				st.replaced = append(st.replaced, &old)
				cur.Physical = uc.replacedBy
			}
			cur.Props, cur.DeletionPolicy, cur.ReplacePolicy = pm, def.DeletionPolicy, def.UpdateReplacePolicy
			if attrs != nil {
				cur.Attrs = attrs
			}
			e.store.mu.Unlock()
			e.store.setResource(st, cur, stUpdateComplete, rt.unapplied(pm))
			continue
		}
		if cur != nil && rt != nil && perr == nil {
			for _, k := range rt.nameProps {
				if v, ok := pm[k]; ok && str(v) != "" && str(cur.Props[k]) == str(v) && cur.Type == def.Type {
					err := reasonf("CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename %s and update the stack again.", str(v))
					e.store.setResource(st, cur, stUpdateFailed, err.Error())
					return created, err
				}
			}
		}
		r := &stackResource{Logical: logical, Type: def.Type, Props: pm, DeletionPolicy: def.DeletionPolicy, ReplacePolicy: def.UpdateReplacePolicy}
		status, done, failed := stCreateInProgress, stCreateComplete, stCreateFailed
		if cur != nil {
			status, done, failed = stUpdateInProgress, stUpdateComplete, stUpdateFailed
		}
		e.store.mu.Lock()
		if cur != nil {
			st.replaced = append(st.replaced, cur)
		}
		st.Resources[logical] = r
		e.store.mu.Unlock()
		e.store.setResource(st, r, status, "")
		if perr != nil {
			e.store.setResource(st, r, failed, failure(perr))
			return created, perr
		}
		if rt == nil {
			err := fmt.Errorf("groundstack does not emulate the resource type %s (see docs/cloudformation.md for the supported types)", def.Type)
			e.store.setResource(st, r, failed, err.Error())
			return created, err
		}
		if cur != nil {
			e.store.setResource(st, r, status, "Requested update requires the creation of a new physical resource; hence creating one.")
		}
		phys, attrs, err := rt.create(ctx, &call{cl: cl, stack: st, logical: logical, typ: def.Type, props: pm})
		if err != nil {
			e.store.setResource(st, r, failed, failure(err))
			return created, err
		}
		e.store.mu.Lock()
		r.Physical, r.Attrs = phys, attrs
		e.store.mu.Unlock()
		created = append(created, r)
		e.store.setResource(st, r, done, rt.unapplied(pm))
	}
	return created, nil
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// failure words a provider's error for a resource's status reason: a
// service's answer keeps its code, as CloudFormation reports it.
func failure(err error) string {
	var te *templateError
	if errors.As(err, &te) {
		return te.msg
	}
	return err.Error()
}

// outputs evaluates the template's outputs (after its resources).
func (e *engine) outputs(st *stack, p *prepared) error {
	ev, err := e.evaluator(st, p)
	if err != nil {
		return err
	}
	ev.where = "Outputs"
	var outs []output
	for _, name := range sortedKeys(p.tpl.Outputs) {
		def := p.tpl.Outputs[name]
		if c, ok := def["Condition"].(string); ok && !ev.conds[c] {
			continue
		}
		v, err := ev.eval(def["Value"])
		if err != nil {
			return err
		}
		o := output{Key: name, Value: str(v)}
		if d, ok := def["Description"].(string); ok {
			o.Description = d
		}
		if ex, ok := def["Export"].(map[string]any); ok {
			n, err := ev.eval(ex["Name"])
			if err != nil {
				return err
			}
			o.ExportName = str(n)
		}
		outs = append(outs, o)
	}
	e.store.mu.Lock()
	defer e.store.mu.Unlock()
	ex := e.store.exports(st.Region)
	for _, o := range outs {
		if o.ExportName == "" {
			continue
		}
		if x, ok := ex[o.ExportName]; ok && x.StackID != st.ID {
			return reasonf("Export with name %s is already exported by stack %s", o.ExportName, stackNameOf(x.StackID))
		}
	}
	st.Outputs = outs
	return nil
}

func stackNameOf(id string) string {
	parts := strings.Split(id, "/")
	if len(parts) >= 2 {
		return parts[1]
	}
	return id
}

// deleteAll deletes resources in reverse order (rollback: those just
// created; delete: every resource of the stack in reverse dependency
// order). Resources with DeletionPolicy Retain stay, except in a
// rollback of their creation.
func (e *engine) deleteAll(ctx context.Context, st *stack, rs []*stackResource, rollback bool) error {
	cl := e.clients(st.Region)
	var firstErr error
	for i := len(rs) - 1; i >= 0; i-- {
		r := rs[i]
		if r.Status == stDeleteComplete || r.Status == stDeleteSkipped {
			continue
		}
		if r.Physical == "" {
			e.store.setResource(st, r, stDeleteComplete, "")
			continue
		}
		if !rollback && (r.DeletionPolicy == "Retain" || r.DeletionPolicy == "RetainExceptOnCreate") {
			e.store.setResource(st, r, stDeleteSkipped, "")
			continue
		}
		e.store.setResource(st, r, stDeleteInProgress, "")
		rt := lookupType(r.Type)
		if rt != nil {
			if err := rt.delete(ctx, &call{cl: cl, stack: st, logical: r.Logical, typ: r.Type, props: r.Props, physical: r.Physical}); err != nil {
				e.store.setResource(st, r, stDeleteFailed, failure(err))
				if firstErr == nil {
					firstErr = reasonf("The following resource(s) failed to delete: [%s]. ", r.Logical)
				}
				continue
			}
		}
		e.store.setResource(st, r, stDeleteComplete, "")
	}
	return firstErr
}

// deletionOrder returns st's resources in the order to delete them: the
// reverse of their template's creation order, resources the template no
// longer names first.
func deletionOrder(st *stack, order []string) []*stackResource {
	var out []*stackResource
	seen := map[string]bool{}
	for _, l := range order {
		if r, ok := st.Resources[l]; ok {
			out = append(out, r)
			seen[l] = true
		}
	}
	for _, l := range sortedKeys(st.Resources) {
		if !seen[l] {
			out = append(out, st.Resources[l])
		}
	}
	return out
}

// destroy deletes a stack and its resources.
func (e *engine) destroy(ctx context.Context, st *stack, retain []string) {
	e.store.mu.Lock()
	var users []string
	for _, o := range st.Outputs {
		if o.ExportName != "" {
			if imp := e.store.importers(st.Region, o.ExportName); len(imp) > 0 {
				users = append(users, fmt.Sprintf("Export %s cannot be deleted as it is in use by %s", o.ExportName, strings.Join(imp, " and ")))
			}
		}
	}
	e.store.mu.Unlock()
	e.store.setStatus(st, stDeleteInProgress, "User Initiated")
	if len(users) > 0 {
		e.store.setStatus(st, stDeleteFailed, strings.Join(users, "; "))
		return
	}
	var order []string
	if st.tpl != nil {
		order, _, _ = st.tpl.order()
	}
	rs := deletionOrder(st, order)
	for _, r := range rs {
		if contains(retain, r.Logical) {
			r.DeletionPolicy = "Retain"
		}
	}
	if err := e.deleteAll(ctx, st, rs, false); err != nil {
		e.store.setStatus(st, stDeleteFailed, err.Error())
		return
	}
	e.store.setStatus(st, stDeleteComplete, "")
	e.store.retire(st)
}

// update brings a stack to a new template, rolling back on failure.
func (e *engine) update(ctx context.Context, st *stack, p *prepared) {
	e.store.mu.Lock()
	prevTpl, prevBody, prevParams, prevOutputs := st.tpl, st.Body, st.Params, st.Outputs
	prevResources := map[string]*stackResource{}
	for k, r := range st.Resources {
		c := *r
		prevResources[k] = &c
	}
	st.replaced = nil
	st.tpl, st.Body, st.Params = p.tpl, p.body, p.params
	e.store.mu.Unlock()
	e.store.setStatus(st, stUpdateInProgress, "User Initiated")
	created, err := e.apply(ctx, st, p)
	if err == nil {
		err = e.outputs(st, p)
	}
	if err == nil {
		e.store.setStatus(st, stUpdateCleanup, "")
		// Replaced resources and those the template no longer names go.
		// They go in the reverse of the previous template's order, so a
		// resource goes before what it depended on.
		var prevOrder []string
		if prevTpl != nil {
			prevOrder, _, _ = prevTpl.order()
		}
		e.store.mu.Lock()
		goneBy := map[string]*stackResource{}
		var gone []*stackResource
		for _, r := range st.replaced {
			// A replaced resource is kept only by its UpdateReplacePolicy.
			r.DeletionPolicy = r.ReplacePolicy
			goneBy[r.Logical] = r
		}
		for _, l := range sortedKeys(st.Resources) {
			def, ok := p.tpl.Resources[l]
			if !ok || (def.Condition != "" && !e.condTrue(st, p, def.Condition)) {
				goneBy[l] = st.Resources[l]
				delete(st.Resources, l)
			}
		}
		for _, l := range prevOrder {
			if r, ok := goneBy[l]; ok {
				gone = append(gone, r)
				delete(goneBy, l)
			}
		}
		for _, l := range sortedKeys(goneBy) {
			gone = append(gone, goneBy[l])
		}
		st.replaced = nil
		e.store.mu.Unlock()
		_ = e.deleteAll(ctx, st, gone, false)
		e.store.setStatus(st, stUpdateComplete, "")
		return
	}
	e.store.setStatus(st, stUpdateRollbackIP, failedReason(st, "update", err))
	_ = e.deleteAll(ctx, st, created, true)
	// Resources updated in place go back to their previous properties.
	cl := e.clients(st.Region)
	for _, l := range sortedKeys(prevResources) {
		prev := prevResources[l]
		e.store.mu.Lock()
		cur := st.Resources[l]
		e.store.mu.Unlock()
		if cur != nil && cur.Physical == prev.Physical && canonical(cur.Props) != canonical(prev.Props) {
			if rt := lookupType(cur.Type); rt != nil {
				_, _ = rt.update(ctx, &call{cl: cl, stack: st, logical: l, typ: cur.Type, props: prev.Props, old: cur.Props, physical: cur.Physical})
			}
		}
	}
	e.store.mu.Lock()
	st.Resources = prevResources
	st.replaced = nil
	st.tpl, st.Body, st.Params, st.Outputs = prevTpl, prevBody, prevParams, prevOutputs
	e.store.mu.Unlock()
	e.store.setStatus(st, stUpdateRollbackDone, "")
}

func (e *engine) condTrue(st *stack, p *prepared, name string) bool {
	ev := &evaluator{t: p.tpl, params: p.values, pseudo: map[string]any{"AWS::Region": st.Region, "AWS::AccountId": e.account, "AWS::StackName": st.Name}}
	if ev.evalConditions() != nil {
		return true
	}
	return ev.conds[name]
}

// retire moves a deleted stack out of the live ones.
func (s *Store) retire(st *stack) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stacks[st.Region][st.Name] == st {
		delete(s.stacks[st.Region], st.Name)
	}
	st.Deleted = s.now()
	d := append(s.deleted[st.Region], st)
	if len(d) > maxDeleted {
		d = d[len(d)-maxDeleted:]
	}
	s.deleted[st.Region] = d
}
