package lambda

import (
	"encoding/base64"
	"sort"
	"strings"
	"sync"
	"time"
)

// --- durable executions (Lambda durable functions). An invocation of a
// function whose configuration has DurableConfig starts an execution; the
// durable SDK in the function checkpoints its operations (steps, waits,
// callbacks, child contexts) and the execution ends with the result the
// handler returns. Records, checkpoint state, history and callbacks are
// kept here; api_durable.go runs the invocations.

// Bounds that keep the records' memory finite.
const (
	maxDurableExecutions = 1000 // store-wide; the oldest finished go first
	maxDurableOperations = 3000 // per execution
	maxDurableEvents     = 10000
)

// DurableSettings is a function's DurableConfig.
type DurableSettings struct {
	RetentionPeriodInDays int
	ExecutionTimeout      int // seconds
}

// ErrorObject is the wire's ErrorObject.
type ErrorObject struct {
	ErrorMessage string   `json:"ErrorMessage,omitempty"`
	ErrorType    string   `json:"ErrorType,omitempty"`
	ErrorData    string   `json:"ErrorData,omitempty"`
	StackTrace   []string `json:"StackTrace,omitempty"`
}

// DurableOperation is one operation of an execution, in its wire shape
// (Operation).
type DurableOperation struct {
	Id                   string            `json:"Id"`
	ParentId             string            `json:"ParentId,omitempty"`
	Name                 string            `json:"Name,omitempty"`
	Type                 string            `json:"Type"`
	SubType              string            `json:"SubType,omitempty"`
	StartTimestamp       float64           `json:"StartTimestamp"`
	EndTimestamp         *float64          `json:"EndTimestamp,omitempty"`
	Status               string            `json:"Status"`
	ExecutionDetails     *executionDetails `json:"ExecutionDetails,omitempty"`
	ContextDetails       *payloadDetails   `json:"ContextDetails,omitempty"`
	StepDetails          *stepDetails      `json:"StepDetails,omitempty"`
	WaitDetails          *waitDetails      `json:"WaitDetails,omitempty"`
	CallbackDetails      *callbackDetails  `json:"CallbackDetails,omitempty"`
	ChainedInvokeDetails *payloadDetails   `json:"ChainedInvokeDetails,omitempty"`
}

type executionDetails struct {
	InputPayload string `json:"InputPayload"`
}

type payloadDetails struct {
	Result *string      `json:"Result,omitempty"`
	Error  *ErrorObject `json:"Error,omitempty"`
}

type stepDetails struct {
	Attempt              int          `json:"Attempt"`
	NextAttemptTimestamp *float64     `json:"NextAttemptTimestamp,omitempty"`
	Result               *string      `json:"Result,omitempty"`
	Error                *ErrorObject `json:"Error,omitempty"`
}

type waitDetails struct {
	ScheduledEndTimestamp float64 `json:"ScheduledEndTimestamp"`
}

type callbackDetails struct {
	CallbackId string       `json:"CallbackId"`
	Result     *string      `json:"Result,omitempty"`
	Error      *ErrorObject `json:"Error,omitempty"`
}

// OperationUpdate is one update a checkpoint carries (checked already).
type OperationUpdate struct {
	Id, ParentId, Name, Type, SubType, Action string
	Payload                                   *string
	Error                                     *ErrorObject
	WaitSeconds, NextAttemptDelaySeconds      *int
	CallbackTimeout, CallbackHeartbeat        *int
}

// DurableExecution is one execution's record.
type DurableExecution struct {
	ARN, Name, FunctionARN, Version string
	// function is the unqualified ARN, which ListDurableExecutionsByFunction
	// selects on.
	function string
	Status   string
	Start    time.Time
	End      time.Time
	Input    string
	Result   *string
	Error    *ErrorObject

	token  string
	ops    []*DurableOperation
	byID   map[string]*DurableOperation
	events []map[string]any
	// pending is set while the handler has returned PENDING (it waits for
	// a callback or a wait) and no invocation runs; dirty when a callback
	// or wait completed while an invocation ran.
	pending, dirty bool
}

type durableStore struct {
	mu    sync.Mutex
	execs map[string]*DurableExecution // by ARN
	order []string                     // ARNs, oldest first
}

func (d *durableStore) reset() {
	d.mu.Lock()
	d.execs, d.order = nil, nil
	d.mu.Unlock()
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func durableNotFound(arn string) error {
	return errResourceNotFound.New("Durable execution not found: " + arn)
}

// newToken is a checkpoint token (base64, as the model's pattern wants).
func (s *Store) newToken() string {
	return base64.StdEncoding.EncodeToString([]byte(s.newID()))
}

// callbackID is the id of a callback operation: the execution's ARN and
// the operation's id, base64-encoded.
func callbackID(execARN, opID string) string {
	return base64.StdEncoding.EncodeToString([]byte(execARN + "|" + opID))
}

// event appends a history event (called with d.mu held).
func (e *DurableExecution) event(typ string, op *DurableOperation, now time.Time, details string, value map[string]any) {
	if len(e.events) >= maxDurableEvents {
		return
	}
	ev := map[string]any{"EventType": typ, "EventId": len(e.events) + 1, "EventTimestamp": epoch(now)}
	if op != nil {
		ev["Id"] = op.Id
		if op.Name != "" {
			ev["Name"] = op.Name
		}
		if op.ParentId != "" {
			ev["ParentId"] = op.ParentId
		}
		if op.SubType != "" {
			ev["SubType"] = op.SubType
		}
	}
	if details != "" {
		if value == nil {
			value = map[string]any{}
		}
		ev[details] = value
	}
	e.events = append(e.events, ev)
}

func payloadOf(p *string) map[string]any {
	return map[string]any{"Payload": str(p), "Truncated": false}
}

func errorOf(e *ErrorObject) map[string]any {
	if e == nil {
		e = &ErrorObject{}
	}
	return map[string]any{"Payload": e, "Truncated": false}
}

// StartDurable records a new execution of version v (RUNNING) and returns
// its snapshot and first checkpoint token.
func (s *Store) StartDurable(v *Version, name, input string, now time.Time) (DurableExecution, []*DurableOperation, error) {
	d := &s.durable
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.execs == nil {
		d.execs = map[string]*DurableExecution{}
	}
	fnARN := v.Function.ARN
	id := s.newID()
	if name == "" {
		name = id
	}
	for _, e := range d.execs {
		if e.function == fnARN && e.Name == name {
			return DurableExecution{}, nil, errDurableStarted.New("Durable execution with name " + name + " already exists for function " + fnARN)
		}
	}
	if len(d.execs) >= maxDurableExecutions && !d.evictLocked() {
		return DurableExecution{}, nil, errTooManyRequests.New("Too many durable executions are running.")
	}
	version := v.Name
	e := &DurableExecution{
		ARN:  fnARN + ":" + version + "/durable-execution/" + name + "/" + strings.ReplaceAll(id, ".", "-"),
		Name: name, FunctionARN: fnARN + ":" + version, Version: version, function: fnARN,
		Status: "RUNNING", Start: now, Input: input, token: s.newToken(), byID: map[string]*DurableOperation{},
	}
	op := &DurableOperation{Id: id, Type: "EXECUTION", StartTimestamp: epoch(now), Status: "STARTED",
		ExecutionDetails: &executionDetails{InputPayload: input}}
	e.ops = append(e.ops, op)
	e.byID[op.Id] = op
	timeout := 0
	if c := v.Config.Durable; c != nil {
		timeout = c.ExecutionTimeout
	}
	e.event("ExecutionStarted", op, now, "ExecutionStartedDetails", map[string]any{"Input": payloadOf(&input), "ExecutionTimeout": timeout})
	d.execs[e.ARN] = e
	d.order = append(d.order, e.ARN)
	return e.snapshot(), e.opsCopy(), nil
}

// evictLocked drops the oldest finished execution; false when every
// execution runs.
func (d *durableStore) evictLocked() bool {
	for i, arn := range d.order {
		if e := d.execs[arn]; e == nil || e.Status != "RUNNING" {
			delete(d.execs, arn)
			d.order = append(d.order[:i], d.order[i+1:]...)
			return true
		}
	}
	return false
}

func (e *DurableExecution) snapshot() DurableExecution {
	c := *e
	c.ops, c.byID, c.events = nil, nil, nil
	return c
}

func (e *DurableExecution) opsCopy() []*DurableOperation {
	out := make([]*DurableOperation, len(e.ops))
	for i, op := range e.ops {
		out[i] = op.clone()
	}
	return out
}

// clone copies op and the details later updates change in place, so that
// a copy can be read without the store's lock.
func (op *DurableOperation) clone() *DurableOperation {
	c := *op
	if op.StepDetails != nil {
		d := *op.StepDetails
		c.StepDetails = &d
	}
	if op.CallbackDetails != nil {
		d := *op.CallbackDetails
		c.CallbackDetails = &d
	}
	return &c
}

// withExecution runs fn on the execution arn with the store's lock held.
func withExecution[T any](s *Store, arn string, fn func(e *DurableExecution) (T, error)) (T, error) {
	d := &s.durable
	d.mu.Lock()
	defer d.mu.Unlock()
	e := d.execs[arn]
	if e == nil {
		var zero T
		return zero, durableNotFound(arn)
	}
	return fn(e)
}

// Durable returns an execution's record.
func (s *Store) Durable(arn string) (DurableExecution, error) {
	return withExecution(s, arn, func(e *DurableExecution) (DurableExecution, error) { return e.snapshot(), nil })
}

// DurableState returns an execution's operations; token must be one the
// execution handed out last.
func (s *Store) DurableState(arn, token string) ([]*DurableOperation, error) {
	return withExecution(s, arn, func(e *DurableExecution) ([]*DurableOperation, error) {
		if token != e.token {
			return nil, errInvalidParameterValue.New("Invalid checkpoint token")
		}
		return e.opsCopy(), nil
	})
}

// DurableHistory returns an execution's events, oldest first.
func (s *Store) DurableHistory(arn string) ([]map[string]any, error) {
	return withExecution(s, arn, func(e *DurableExecution) ([]map[string]any, error) {
		return append([]map[string]any(nil), e.events...), nil
	})
}

// DurablesOf returns the executions of the function fnARN (unqualified),
// oldest first.
func (s *Store) DurablesOf(fnARN string) []DurableExecution {
	d := &s.durable
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []DurableExecution
	for _, arn := range d.order {
		if e := d.execs[arn]; e != nil && e.function == fnARN {
			out = append(out, e.snapshot())
		}
	}
	return out
}

// Checkpoint applies updates to a running execution and returns the new
// token with the operations the updates touched. finished reports that an
// EXECUTION update ended it.
func (s *Store) Checkpoint(arn, token string, updates []OperationUpdate, now time.Time) (string, []*DurableOperation, error) {
	type out struct {
		token string
		ops   []*DurableOperation
	}
	o, err := withExecution(s, arn, func(e *DurableExecution) (out, error) {
		if token != e.token {
			return out{}, errInvalidParameterValue.New("Invalid checkpoint token")
		}
		if e.Status != "RUNNING" {
			return out{}, errInvalidParameterValue.New("Cannot checkpoint a durable execution that is not running: its status is " + e.Status)
		}
		var touched []*DurableOperation
		for i := range updates {
			op, err := e.apply(&updates[i], now)
			if err != nil {
				return out{}, err
			}
			if op != nil {
				touched = append(touched, op.clone())
			}
		}
		e.token = s.newToken()
		return out{e.token, touched}, nil
	})
	return o.token, o.ops, err
}

// apply applies one update (with the store's lock held).
func (e *DurableExecution) apply(u *OperationUpdate, now time.Time) (*DurableOperation, error) {
	if u.Type == "EXECUTION" {
		switch u.Action {
		case "SUCCEED":
			e.finish("SUCCEEDED", u.Payload, nil, now)
		case "FAIL":
			e.finish("FAILED", nil, u.Error, now)
		default:
			return nil, errInvalidParameterValue.New("Invalid action " + u.Action + " for an operation of type EXECUTION")
		}
		return e.ops[0], nil
	}
	op := e.byID[u.Id]
	if u.Action == "START" {
		if op != nil && op.Type != u.Type {
			return nil, errInvalidParameterValue.New("Operation " + u.Id + " already exists with type " + op.Type)
		}
		if op == nil {
			if len(e.ops) >= maxDurableOperations {
				return nil, errInvalidParameterValue.Errorf("A durable execution may have at most %d operations", maxDurableOperations)
			}
			op = &DurableOperation{Id: u.Id, ParentId: u.ParentId, Name: u.Name, Type: u.Type, SubType: u.SubType, StartTimestamp: epoch(now)}
			e.ops = append(e.ops, op)
			e.byID[op.Id] = op
		}
		op.Status = "STARTED"
		switch u.Type {
		case "STEP":
			if op.StepDetails == nil {
				op.StepDetails = &stepDetails{}
			}
			op.StepDetails.Attempt++
			e.event("StepStarted", op, now, "StepStartedDetails", nil)
		case "WAIT":
			secs := 0
			if u.WaitSeconds != nil {
				secs = *u.WaitSeconds
			}
			end := now.Add(time.Duration(secs) * time.Second)
			op.WaitDetails = &waitDetails{ScheduledEndTimestamp: epoch(end)}
			e.event("WaitStarted", op, now, "WaitStartedDetails", map[string]any{"Duration": secs, "ScheduledEndTimestamp": epoch(end)})
		case "CALLBACK":
			op.CallbackDetails = &callbackDetails{CallbackId: callbackID(e.ARN, op.Id)}
			d := map[string]any{"CallbackId": op.CallbackDetails.CallbackId}
			if u.CallbackTimeout != nil {
				d["Timeout"] = *u.CallbackTimeout
			}
			if u.CallbackHeartbeat != nil {
				d["HeartbeatTimeout"] = *u.CallbackHeartbeat
			}
			e.event("CallbackStarted", op, now, "CallbackStartedDetails", d)
		case "CONTEXT":
			e.event("ContextStarted", op, now, "ContextStartedDetails", nil)
		case "CHAINED_INVOKE":
			e.event("ChainedInvokeStarted", op, now, "ChainedInvokeStartedDetails", map[string]any{"FunctionName": u.Name, "Input": payloadOf(u.Payload)})
		}
		return op, nil
	}
	if op == nil {
		return nil, errInvalidParameterValue.New("Operation " + u.Id + " does not exist")
	}
	end := epoch(now)
	kind := map[string]string{"STEP": "Step", "WAIT": "Wait", "CALLBACK": "Callback", "CONTEXT": "Context", "CHAINED_INVOKE": "ChainedInvoke"}[op.Type]
	switch u.Action {
	case "SUCCEED":
		op.Status, op.EndTimestamp = "SUCCEEDED", &end
		op.setResult(u.Payload, nil)
		d := map[string]any{"Result": payloadOf(u.Payload)}
		if op.Type == "STEP" {
			d["RetryDetails"] = map[string]any{"CurrentAttempt": op.StepDetails.Attempt}
		}
		if op.Type == "WAIT" {
			d = map[string]any{}
		}
		e.event(kind+"Succeeded", op, now, kind+"SucceededDetails", d)
	case "FAIL":
		op.Status, op.EndTimestamp = "FAILED", &end
		op.setResult(nil, u.Error)
		d := map[string]any{"Error": errorOf(u.Error)}
		if op.Type == "STEP" {
			d["RetryDetails"] = map[string]any{"CurrentAttempt": op.StepDetails.Attempt}
		}
		e.event(kind+"Failed", op, now, kind+"FailedDetails", d)
	case "RETRY":
		if op.Type != "STEP" {
			return nil, errInvalidParameterValue.New("Only a STEP operation can be retried")
		}
		delay := 1
		if u.NextAttemptDelaySeconds != nil {
			delay = *u.NextAttemptDelaySeconds
		}
		next := epoch(now.Add(time.Duration(delay) * time.Second))
		op.Status, op.StepDetails.NextAttemptTimestamp, op.StepDetails.Error = "PENDING", &next, u.Error
		e.event("StepFailed", op, now, "StepFailedDetails", map[string]any{"Error": errorOf(u.Error),
			"RetryDetails": map[string]any{"CurrentAttempt": op.StepDetails.Attempt, "NextAttemptDelaySeconds": delay}})
	case "CANCEL":
		op.Status, op.EndTimestamp = "CANCELLED", &end
		if op.Type == "WAIT" {
			e.event("WaitCancelled", op, now, "WaitCancelledDetails", map[string]any{"Error": errorOf(u.Error)})
		}
	}
	return op, nil
}

// setResult puts a result or an error in the details of op's type.
func (op *DurableOperation) setResult(result *string, err *ErrorObject) {
	switch op.Type {
	case "STEP":
		op.StepDetails.Result, op.StepDetails.Error = result, err
	case "CALLBACK":
		op.CallbackDetails.Result, op.CallbackDetails.Error = result, err
	case "CONTEXT":
		op.ContextDetails = &payloadDetails{Result: result, Error: err}
	case "CHAINED_INVOKE":
		op.ChainedInvokeDetails = &payloadDetails{Result: result, Error: err}
	}
}

// finish ends a running execution (with the store's lock held).
func (e *DurableExecution) finish(status string, result *string, err *ErrorObject, now time.Time) {
	if e.Status != "RUNNING" {
		return
	}
	e.Status, e.End, e.Result, e.Error, e.pending = status, now, result, err, false
	end := epoch(now)
	op := e.ops[0]
	op.EndTimestamp = &end
	switch status {
	case "SUCCEEDED":
		op.Status = "SUCCEEDED"
		e.event("ExecutionSucceeded", op, now, "ExecutionSucceededDetails", map[string]any{"Result": payloadOf(result)})
	case "FAILED":
		op.Status = "FAILED"
		e.event("ExecutionFailed", op, now, "ExecutionFailedDetails", map[string]any{"Error": errorOf(err)})
	case "STOPPED":
		op.Status = "STOPPED"
		e.event("ExecutionStopped", op, now, "ExecutionStoppedDetails", map[string]any{"Error": errorOf(err)})
	}
}

// InvocationDone records the end of one invocation of the execution:
// status is SUCCEEDED, FAILED or PENDING (the handler waits). It reports
// whether the execution should be resumed at once (something it waits for
// completed while the invocation ran).
func (s *Store) InvocationDone(arn, requestID string, started time.Time, status string, result *string, err *ErrorObject, now time.Time) (bool, error) {
	return withExecution(s, arn, func(e *DurableExecution) (bool, error) {
		d := map[string]any{"StartTimestamp": epoch(started), "EndTimestamp": epoch(now), "RequestId": requestID}
		if status == "FAILED" {
			d["Error"] = errorOf(err)
		}
		e.event("InvocationCompleted", nil, now, "InvocationCompletedDetails", d)
		if status != "PENDING" {
			e.finish(status, result, err, now)
			return false, nil
		}
		e.pending = e.Status == "RUNNING"
		return e.pending && e.dirty, nil
	})
}

// Resume takes the execution's pending mark (so that one invocation
// resumes it) and returns its token and operations; ok is false when the
// execution does not wait.
func (s *Store) Resume(arn string) (string, []*DurableOperation, bool) {
	d := &s.durable
	d.mu.Lock()
	defer d.mu.Unlock()
	e := d.execs[arn]
	if e == nil || !e.pending || e.Status != "RUNNING" {
		return "", nil, false
	}
	e.pending, e.dirty = false, false
	return e.token, e.opsCopy(), true
}

// CompleteWait ends a wait whose time has come (false if it no longer
// waits).
func (s *Store) CompleteWait(arn, opID string, now time.Time) bool {
	ok, _ := withExecution(s, arn, func(e *DurableExecution) (bool, error) {
		op := e.byID[opID]
		if op == nil || op.Type != "WAIT" || op.Status != "STARTED" || e.Status != "RUNNING" {
			return false, nil
		}
		end := epoch(now)
		op.Status, op.EndTimestamp = "SUCCEEDED", &end
		e.event("WaitSucceeded", op, now, "WaitSucceededDetails", map[string]any{"Duration": int(end - op.StartTimestamp + 0.5)})
		e.dirty = !e.pending
		return true, nil
	})
	return ok
}

// Callback completes (SUCCEEDED, FAILED) or heartbeats ("") the callback
// id names, and returns its execution's ARN.
func (s *Store) Callback(id, status string, result *string, cbErr *ErrorObject, now time.Time) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(id)
	arn, opID, ok := strings.Cut(string(raw), "|")
	if err != nil || !ok {
		return "", errInvalidParameterValue.New("Invalid callback ID")
	}
	expired := errCallbackTimeout.New("The callback ID token has either expired or the callback associated with the token has already been closed.")
	d := &s.durable
	d.mu.Lock()
	defer d.mu.Unlock()
	e := d.execs[arn]
	if e == nil {
		return "", expired
	}
	op := e.byID[opID]
	if op == nil || op.Type != "CALLBACK" || op.Status != "STARTED" || e.Status != "RUNNING" {
		return "", expired
	}
	if status == "" {
		return arn, nil
	}
	end := epoch(now)
	op.Status, op.EndTimestamp = status, &end
	op.setResult(result, cbErr)
	e.dirty = !e.pending
	if status == "SUCCEEDED" {
		e.event("CallbackSucceeded", op, now, "CallbackSucceededDetails", map[string]any{"Result": payloadOf(result)})
	} else {
		e.event("CallbackFailed", op, now, "CallbackFailedDetails", map[string]any{"Error": errorOf(cbErr)})
	}
	return arn, nil
}

// StopDurable stops a running execution.
func (s *Store) StopDurable(arn string, cause *ErrorObject, now time.Time) (time.Time, error) {
	return withExecution(s, arn, func(e *DurableExecution) (time.Time, error) {
		if e.Status != "RUNNING" {
			return time.Time{}, errInvalidParameterValue.New("Durable execution " + arn + " is not running: its status is " + e.Status)
		}
		e.finish("STOPPED", nil, cause, now)
		return now, nil
	})
}

// sortDurables orders executions by start (then ARN).
func sortDurables(es []DurableExecution, reverse bool) {
	sort.SliceStable(es, func(i, j int) bool {
		if reverse {
			i, j = j, i
		}
		if !es[i].Start.Equal(es[j].Start) {
			return es[i].Start.Before(es[j].Start)
		}
		return es[i].ARN < es[j].ARN
	})
}
