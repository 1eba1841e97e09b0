package lambda

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/lambda/runtime"
)

// --- durable executions (store_durable.go). An invocation of a function
// with DurableConfig starts an execution: the handler gets the durable
// envelope ({DurableExecutionArn, CheckpointToken, InitialExecutionState})
// and answers {Status: SUCCEEDED|FAILED|PENDING, Result, Error}; a handler
// that answers anything else succeeds with that answer as its result. A
// PENDING execution is invoked again (replayed) when a callback it waits
// for completes or a wait it started ends.

const (
	durablePath  = "/2025-12-01/durable-executions/{DurableExecutionArn}"
	callbackPath = "/2025-12-01/durable-execution-callbacks/{CallbackId}"
	// durableARNPattern is DurableExecutionArn's pattern.
	durableARNPattern = "arn:([a-zA-Z0-9-]+):lambda:([a-zA-Z0-9-]+):(\\d{12}):function:([a-zA-Z0-9_-]+):(\\$LATEST(?:\\.PUBLISHED)?|[0-9]+)/durable-execution/([a-zA-Z0-9_-]+)/([a-zA-Z0-9_-]+)"
	headerDurableARN  = "X-Amz-Durable-Execution-Arn"
	// maxDurableWait bounds the waits the emulator resumes by itself.
	maxDurableWait = 24 * time.Hour
)

func (s *Service) registerDurable() {
	s.api.Register(
		awsproto.Handle("GetDurableExecution", s.getDurable).At("GET "+durablePath),
		awsproto.Handle("GetDurableExecutionHistory", s.getDurableHistory).At("GET "+durablePath+"/history"),
		awsproto.Handle("GetDurableExecutionState", s.getDurableState).At("GET "+durablePath+"/state"),
		awsproto.Handle("CheckpointDurableExecution", s.checkpointDurable).At("POST "+durablePath+"/checkpoint"),
		awsproto.Handle("StopDurableExecution", s.stopDurable).At("POST "+durablePath+"/stop"),
		awsproto.Handle("ListDurableExecutionsByFunction", s.listDurables).At("GET /2025-12-01/functions/{FunctionName}/durable-executions"),
		awsproto.Handle("SendDurableExecutionCallbackSuccess", s.callbackSuccess).At("POST "+callbackPath+"/succeed"),
		awsproto.Handle("SendDurableExecutionCallbackFailure", s.callbackFailure).At("POST "+callbackPath+"/fail"),
		awsproto.Handle("SendDurableExecutionCallbackHeartbeat", s.callbackHeartbeat).At("POST "+callbackPath+"/heartbeat"),
	)
}

// --- inputs

type durableARNInput struct {
	DurableExecutionArn *string `json:"-" location:"uri" name:"DurableExecutionArn" required:"true" min:"1" max:"1024" pattern:"arn:([a-zA-Z0-9-]+):lambda:([a-zA-Z0-9-]+):(\\d{12}):function:([a-zA-Z0-9_-]+):(\\$LATEST(?:\\.PUBLISHED)?|[0-9]+)/durable-execution/([a-zA-Z0-9_-]+)/([a-zA-Z0-9_-]+)"`
}

type durableHistoryInput struct {
	DurableExecutionArn  *string `json:"-" location:"uri" name:"DurableExecutionArn" required:"true" min:"1" max:"1024" pattern:"arn:([a-zA-Z0-9-]+):lambda:([a-zA-Z0-9-]+):(\\d{12}):function:([a-zA-Z0-9_-]+):(\\$LATEST(?:\\.PUBLISHED)?|[0-9]+)/durable-execution/([a-zA-Z0-9_-]+)/([a-zA-Z0-9_-]+)"`
	IncludeExecutionData *bool   `json:"-" location:"querystring" name:"IncludeExecutionData"`
	MaxItems             *int    `json:"-" location:"querystring" name:"MaxItems" min:"0" max:"1000"`
	Marker               *string `json:"-" location:"querystring" name:"Marker"`
	ReverseOrder         *bool   `json:"-" location:"querystring" name:"ReverseOrder"`
}

type durableStateInput struct {
	DurableExecutionArn *string `json:"-" location:"uri" name:"DurableExecutionArn" required:"true" min:"1" max:"1024" pattern:"arn:([a-zA-Z0-9-]+):lambda:([a-zA-Z0-9-]+):(\\d{12}):function:([a-zA-Z0-9_-]+):(\\$LATEST(?:\\.PUBLISHED)?|[0-9]+)/durable-execution/([a-zA-Z0-9_-]+)/([a-zA-Z0-9_-]+)"`
	CheckpointToken     *string `json:"-" location:"querystring" name:"CheckpointToken" required:"true" min:"1" max:"2048" pattern:"[A-Za-z0-9+/]+={0,2}"`
	Marker              *string `json:"-" location:"querystring" name:"Marker"`
	MaxItems            *int    `json:"-" location:"querystring" name:"MaxItems" min:"0" max:"1000"`
}

type errorObjectInput struct {
	ErrorMessage *string  `json:"ErrorMessage" sensitive:"true"`
	ErrorType    *string  `json:"ErrorType" sensitive:"true"`
	ErrorData    *string  `json:"ErrorData" sensitive:"true"`
	StackTrace   []string `json:"StackTrace"`
}

func (in *errorObjectInput) object() *ErrorObject {
	if in == nil {
		return nil
	}
	return &ErrorObject{ErrorMessage: str(in.ErrorMessage), ErrorType: str(in.ErrorType), ErrorData: str(in.ErrorData), StackTrace: in.StackTrace}
}

type contextOptionsInput struct {
	ReplayChildren *bool `json:"ReplayChildren"`
}

type stepOptionsInput struct {
	NextAttemptDelaySeconds *int `json:"NextAttemptDelaySeconds" min:"1" max:"31622400"`
}

type waitOptionsInput struct {
	WaitSeconds *int `json:"WaitSeconds" min:"1" max:"31622400"`
}

type callbackOptionsInput struct {
	TimeoutSeconds          *int `json:"TimeoutSeconds" min:"0"`
	HeartbeatTimeoutSeconds *int `json:"HeartbeatTimeoutSeconds" min:"0"`
}

type chainedInvokeOptionsInput struct {
	FunctionName *string `json:"FunctionName" required:"true" min:"1" max:"256" pattern:"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"`
	TenantId     *string `json:"TenantId" min:"1" max:"256" pattern:"[a-zA-Z0-9\\._:\\/=+\\-@ ]+"`
}

type operationUpdateInput struct {
	Id                   *string                    `json:"Id" required:"true" min:"1" max:"64" pattern:"[a-zA-Z0-9-_]+"`
	ParentId             *string                    `json:"ParentId" min:"1" max:"64" pattern:"[a-zA-Z0-9-_]+"`
	Name                 *string                    `json:"Name" min:"1" max:"256" pattern:"[\\x20-\\x7E]+"`
	Type                 *string                    `json:"Type" required:"true" enum:"EXECUTION,CONTEXT,STEP,WAIT,CALLBACK,CHAINED_INVOKE"`
	SubType              *string                    `json:"SubType" min:"1" max:"32" pattern:"[a-zA-Z0-9-_]+"`
	Action               *string                    `json:"Action" required:"true" enum:"START,SUCCEED,FAIL,RETRY,CANCEL"`
	Payload              *string                    `json:"Payload" min:"0" max:"6291456" sensitive:"true"`
	Error                *errorObjectInput          `json:"Error"`
	ContextOptions       *contextOptionsInput       `json:"ContextOptions"`
	StepOptions          *stepOptionsInput          `json:"StepOptions"`
	WaitOptions          *waitOptionsInput          `json:"WaitOptions"`
	CallbackOptions      *callbackOptionsInput      `json:"CallbackOptions"`
	ChainedInvokeOptions *chainedInvokeOptionsInput `json:"ChainedInvokeOptions"`
}

type checkpointInput struct {
	DurableExecutionArn *string                `json:"-" location:"uri" name:"DurableExecutionArn" required:"true" min:"1" max:"1024" pattern:"arn:([a-zA-Z0-9-]+):lambda:([a-zA-Z0-9-]+):(\\d{12}):function:([a-zA-Z0-9_-]+):(\\$LATEST(?:\\.PUBLISHED)?|[0-9]+)/durable-execution/([a-zA-Z0-9_-]+)/([a-zA-Z0-9_-]+)"`
	CheckpointToken     *string                `json:"CheckpointToken" required:"true" min:"1" max:"2048" pattern:"[A-Za-z0-9+/]+={0,2}"`
	Updates             []operationUpdateInput `json:"Updates"`
	ClientToken         *string                `json:"ClientToken" min:"1" max:"64" pattern:"[\\x21-\\x7E]+"`
}

type stopDurableInput struct {
	DurableExecutionArn *string           `json:"-" location:"uri" name:"DurableExecutionArn" required:"true" min:"1" max:"1024" pattern:"arn:([a-zA-Z0-9-]+):lambda:([a-zA-Z0-9-]+):(\\d{12}):function:([a-zA-Z0-9_-]+):(\\$LATEST(?:\\.PUBLISHED)?|[0-9]+)/durable-execution/([a-zA-Z0-9_-]+)/([a-zA-Z0-9_-]+)"`
	Error               *errorObjectInput `json:"-" location:"body"`
}

type listDurablesInput struct {
	FunctionName         *string  `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"256" pattern:"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"`
	Qualifier            *string  `json:"-" location:"querystring" name:"Qualifier" min:"1" max:"128" pattern:"\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"`
	DurableExecutionName *string  `json:"-" location:"querystring" name:"DurableExecutionName" min:"1" max:"64" pattern:"[a-zA-Z0-9-_]+"`
	Statuses             []string `json:"-" location:"querystring" name:"Statuses" min:"1" max:"10"`
	StartedAfter         *string  `json:"-" location:"querystring" name:"StartedAfter"`
	StartedBefore        *string  `json:"-" location:"querystring" name:"StartedBefore"`
	ReverseOrder         *bool    `json:"-" location:"querystring" name:"ReverseOrder"`
	Marker               *string  `json:"-" location:"querystring" name:"Marker"`
	MaxItems             *int     `json:"-" location:"querystring" name:"MaxItems" min:"0" max:"1000"`
}

func (in *listDurablesInput) Validate() error {
	for _, st := range in.Statuses {
		switch st {
		case "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED":
		default:
			return validation(st, "statuses", "Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, STOPPED]")
		}
	}
	return nil
}

type callbackSuccessInput struct {
	CallbackId *string   `json:"-" location:"uri" name:"CallbackId" required:"true" min:"1" max:"1024" pattern:"[A-Za-z0-9+/]+={0,2}"`
	Result     io.Reader `json:"-" location:"body" sensitive:"true"`
}

type callbackFailureInput struct {
	CallbackId *string           `json:"-" location:"uri" name:"CallbackId" required:"true" min:"1" max:"1024" pattern:"[A-Za-z0-9+/]+={0,2}"`
	Error      *errorObjectInput `json:"-" location:"body"`
}

type callbackIDInput struct {
	CallbackId *string `json:"-" location:"uri" name:"CallbackId" required:"true" min:"1" max:"1024" pattern:"[A-Za-z0-9+/]+={0,2}"`
}

// --- outputs

type traceHeaderWire struct {
	XAmznTraceId string `json:"XAmznTraceId,omitempty"`
}

type getDurableOutput struct {
	DurableExecutionArn  string           `json:"DurableExecutionArn"`
	DurableExecutionName string           `json:"DurableExecutionName"`
	FunctionArn          string           `json:"FunctionArn"`
	InputPayload         string           `json:"InputPayload"`
	Result               *string          `json:"Result,omitempty"`
	Error                *ErrorObject     `json:"Error,omitempty"`
	StartTimestamp       float64          `json:"StartTimestamp"`
	Status               string           `json:"Status"`
	EndTimestamp         *float64         `json:"EndTimestamp,omitempty"`
	Version              string           `json:"Version,omitempty"`
	TraceHeader          *traceHeaderWire `json:"TraceHeader,omitempty"`
}

type executionWire struct {
	DurableExecutionArn  string   `json:"DurableExecutionArn"`
	DurableExecutionName string   `json:"DurableExecutionName"`
	FunctionArn          string   `json:"FunctionArn"`
	Status               string   `json:"Status"`
	StartTimestamp       float64  `json:"StartTimestamp"`
	EndTimestamp         *float64 `json:"EndTimestamp,omitempty"`
}

type listDurablesOutput struct {
	DurableExecutions []executionWire `json:"DurableExecutions"`
	NextMarker        string          `json:"NextMarker,omitempty"`
}

type historyOutput struct {
	Events     []map[string]any `json:"Events"`
	NextMarker string           `json:"NextMarker,omitempty"`
}

type stateOutput struct {
	Operations []*DurableOperation `json:"Operations"`
	NextMarker string              `json:"NextMarker,omitempty"`
}

type checkpointOutput struct {
	CheckpointToken   string      `json:"CheckpointToken"`
	NewExecutionState stateOutput `json:"NewExecutionState"`
}

type stopDurableOutput struct {
	StopTimestamp float64 `json:"StopTimestamp"`
}

func endOf(e DurableExecution) *float64 {
	if e.End.IsZero() {
		return nil
	}
	t := epoch(e.End)
	return &t
}

// indexPage cuts items at the index a marker holds.
func indexPage[T any](items []T, marker *string, maxItems *int) ([]T, string) {
	start := 0
	if marker != nil && *marker != "" {
		n, err := strconv.Atoi(*marker)
		if err != nil || n < 0 || n > len(items) {
			return nil, ""
		}
		start = n
	}
	max := 1000
	if maxItems != nil && *maxItems > 0 {
		max = *maxItems
	}
	end := min(start+max, len(items))
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[start:end], next
}

// --- operations

func (s *Service) getDurable(c *awsproto.Call, in *durableARNInput) (getDurableOutput, error) {
	e, err := s.store.Durable(*in.DurableExecutionArn)
	if err != nil {
		return getDurableOutput{}, err
	}
	return getDurableOutput{DurableExecutionArn: e.ARN, DurableExecutionName: e.Name, FunctionArn: e.FunctionARN,
		InputPayload: e.Input, Result: e.Result, Error: e.Error, StartTimestamp: epoch(e.Start), Status: e.Status,
		EndTimestamp: endOf(e), Version: e.Version}, nil
}

func (s *Service) getDurableHistory(c *awsproto.Call, in *durableHistoryInput) (historyOutput, error) {
	events, err := s.store.DurableHistory(*in.DurableExecutionArn)
	if err != nil {
		return historyOutput{}, err
	}
	if in.ReverseOrder != nil && *in.ReverseOrder {
		for i, j := 0, len(events)-1; i < j; i, j = i+1, j-1 {
			events[i], events[j] = events[j], events[i]
		}
	}
	list, next := indexPage(events, in.Marker, in.MaxItems)
	if in.IncludeExecutionData == nil || !*in.IncludeExecutionData {
		list = withoutData(list)
	}
	return historyOutput{Events: list, NextMarker: next}, nil
}

// withoutData copies events without their payloads (IncludeExecutionData
// false).
func withoutData(events []map[string]any) []map[string]any {
	out := make([]map[string]any, len(events))
	for i, ev := range events {
		c := make(map[string]any, len(ev))
		for k, v := range ev {
			if d, ok := v.(map[string]any); ok {
				dc := make(map[string]any, len(d))
				for dk, dv := range d {
					if p, ok := dv.(map[string]any); ok && p["Payload"] != nil {
						continue
					}
					dc[dk] = dv
				}
				v = dc
			}
			c[k] = v
		}
		out[i] = c
	}
	return out
}

func (s *Service) getDurableState(c *awsproto.Call, in *durableStateInput) (stateOutput, error) {
	ops, err := s.store.DurableState(*in.DurableExecutionArn, *in.CheckpointToken)
	if err != nil {
		return stateOutput{}, err
	}
	list, next := indexPage(ops, in.Marker, in.MaxItems)
	return stateOutput{Operations: list, NextMarker: next}, nil
}

func (s *Service) checkpointDurable(c *awsproto.Call, in *checkpointInput) (checkpointOutput, error) {
	updates := make([]OperationUpdate, 0, len(in.Updates))
	for _, u := range in.Updates {
		ou := OperationUpdate{Id: *u.Id, ParentId: str(u.ParentId), Name: str(u.Name), Type: *u.Type, SubType: str(u.SubType),
			Action: *u.Action, Payload: u.Payload, Error: u.Error.object()}
		if u.WaitOptions != nil {
			ou.WaitSeconds = u.WaitOptions.WaitSeconds
		}
		if u.StepOptions != nil {
			ou.NextAttemptDelaySeconds = u.StepOptions.NextAttemptDelaySeconds
		}
		if u.CallbackOptions != nil {
			ou.CallbackTimeout, ou.CallbackHeartbeat = u.CallbackOptions.TimeoutSeconds, u.CallbackOptions.HeartbeatTimeoutSeconds
		}
		if u.ChainedInvokeOptions != nil && ou.Name == "" {
			ou.Name = *u.ChainedInvokeOptions.FunctionName
		}
		updates = append(updates, ou)
	}
	arn := *in.DurableExecutionArn
	token, ops, err := s.store.Checkpoint(arn, *in.CheckpointToken, updates, s.env.Now())
	if err != nil {
		return checkpointOutput{}, err
	}
	for _, op := range ops {
		if op.Type == "WAIT" && op.Status == "STARTED" && op.WaitDetails != nil {
			s.scheduleWait(arn, op.Id, op.WaitDetails.ScheduledEndTimestamp)
		}
	}
	if ops == nil {
		ops = []*DurableOperation{}
	}
	return checkpointOutput{CheckpointToken: token, NewExecutionState: stateOutput{Operations: ops}}, nil
}

func (s *Service) stopDurable(c *awsproto.Call, in *stopDurableInput) (stopDurableOutput, error) {
	at, err := s.store.StopDurable(*in.DurableExecutionArn, in.Error.object(), s.env.Now())
	if err != nil {
		return stopDurableOutput{}, err
	}
	return stopDurableOutput{StopTimestamp: epoch(at)}, nil
}

func (s *Service) listDurables(c *awsproto.Call, in *listDurablesInput) (listDurablesOutput, error) {
	// The timestamps are the request's form, checked before the function.
	after, err := queryTime(in.StartedAfter, "startedAfter")
	if err != nil {
		return listDurablesOutput{}, err
	}
	before, err := queryTime(in.StartedBefore, "startedBefore")
	if err != nil {
		return listDurablesOutput{}, err
	}
	region, name, q, err := target(*in.FunctionName, str(in.Qualifier), c.Region)
	if err != nil {
		return listDurablesOutput{}, err
	}
	f, err := s.store.Function(region, name)
	if err != nil {
		return listDurablesOutput{}, err
	}
	var es []DurableExecution
	for _, e := range s.store.DurablesOf(f.ARN) {
		if q != "" && e.Version != q {
			continue
		}
		if in.DurableExecutionName != nil && e.Name != *in.DurableExecutionName {
			continue
		}
		if len(in.Statuses) > 0 && !contains(in.Statuses, e.Status) {
			continue
		}
		if !after.IsZero() && !e.Start.After(after) || !before.IsZero() && !e.Start.Before(before) {
			continue
		}
		es = append(es, e)
	}
	sortDurables(es, in.ReverseOrder != nil && *in.ReverseOrder)
	list, next := indexPage(es, in.Marker, in.MaxItems)
	out := listDurablesOutput{DurableExecutions: make([]executionWire, 0, len(list)), NextMarker: next}
	for _, e := range list {
		out.DurableExecutions = append(out.DurableExecutions, executionWire{DurableExecutionArn: e.ARN, DurableExecutionName: e.Name,
			FunctionArn: e.FunctionARN, Status: e.Status, StartTimestamp: epoch(e.Start), EndTimestamp: endOf(e)})
	}
	return out, nil
}

// queryTime parses a timestamp query member (ISO 8601, as the SDKs send
// it, or epoch seconds).
func queryTime(v *string, member string) (time.Time, error) {
	if v == nil || *v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, *v); err == nil {
		return t, nil
	}
	if f, err := strconv.ParseFloat(*v, 64); err == nil {
		return time.UnixMilli(int64(f * 1000)), nil
	}
	return time.Time{}, validation(*v, member, "Member must be a timestamp")
}

func (s *Service) callbackSuccess(c *awsproto.Call, in *callbackSuccessInput) (struct{}, error) {
	const limit = 262144
	body, release, err := awsproto.ReadBody(c.Request, limit)
	if err != nil {
		if err == awsproto.ErrBodyTooLarge {
			return struct{}{}, validation("(binary)", "result", awsproto.MaxLength(limit))
		}
		return struct{}{}, errInvalidRequestContent.New("Could not read request body")
	}
	result := string(body)
	release()
	arn, err := s.store.Callback(*in.CallbackId, "SUCCEEDED", &result, nil, s.env.Now())
	if err != nil {
		return struct{}{}, err
	}
	s.resume(arn)
	return struct{}{}, nil
}

func (s *Service) callbackFailure(c *awsproto.Call, in *callbackFailureInput) (struct{}, error) {
	arn, err := s.store.Callback(*in.CallbackId, "FAILED", nil, in.Error.object(), s.env.Now())
	if err != nil {
		return struct{}{}, err
	}
	s.resume(arn)
	return struct{}{}, nil
}

func (s *Service) callbackHeartbeat(c *awsproto.Call, in *callbackIDInput) (struct{}, error) {
	_, err := s.store.Callback(*in.CallbackId, "", nil, nil, s.env.Now())
	return struct{}{}, err
}

// --- invocations

// durableSettings is what a function keeps of DurableConfig (nil when
// absent).
func durableSettings(in *durableConfigInput) *DurableSettings {
	if in == nil {
		return nil
	}
	d := &DurableSettings{RetentionPeriodInDays: 14, ExecutionTimeout: 86400}
	if in.RetentionPeriodInDays != nil {
		d.RetentionPeriodInDays = *in.RetentionPeriodInDays
	}
	if in.ExecutionTimeout != nil {
		d.ExecutionTimeout = *in.ExecutionTimeout
	}
	return d
}

type durableConfigWire struct {
	RetentionPeriodInDays int `json:"RetentionPeriodInDays"`
	ExecutionTimeout      int `json:"ExecutionTimeout"`
}

func durableWire(d *DurableSettings) *durableConfigWire {
	if d == nil {
		return nil
	}
	return &durableConfigWire{RetentionPeriodInDays: d.RetentionPeriodInDays, ExecutionTimeout: d.ExecutionTimeout}
}

// durableEnvelope is the event a durable handler gets.
type durableEnvelope struct {
	DurableExecutionArn   string `json:"DurableExecutionArn"`
	CheckpointToken       string `json:"CheckpointToken"`
	InitialExecutionState struct {
		Operations []*DurableOperation `json:"Operations"`
		NextMarker string              `json:"NextMarker,omitempty"`
	} `json:"InitialExecutionState"`
}

// durableAnswer is what a durable handler returns.
type durableAnswer struct {
	Status *string      `json:"Status"`
	Result *string      `json:"Result"`
	Error  *ErrorObject `json:"Error"`
}

// startDurable starts an execution of v and runs its first invocation:
// synchronously (the answer is the invocation's), or in the background
// for Event invocations (res is nil).
func (s *Service) startDurable(ctx context.Context, region, name, q string, v *Version, f *Function, execName string,
	payload []byte, req runtime.Request, async bool) (string, *runtime.Result, *Version, error) {
	e, ops, err := s.store.StartDurable(v, execName, string(payload), s.env.Now())
	if err != nil {
		return "", nil, nil, err
	}
	token := e.token
	if async {
		s.async.workers.Add(1)
		go func() {
			defer s.async.workers.Done()
			r := req
			res, _, _ := s.runDurable(context.Background(), region, name, q, v, f, e.ARN, token, ops, &r)
			if res != nil {
				res.Release()
			}
		}()
		return e.ARN, nil, nil, nil
	}
	res, v, err := s.runDurable(ctx, region, name, q, v, f, e.ARN, token, ops, &req)
	return e.ARN, res, v, err
}

// runDurable runs one invocation of an execution with its state and
// records how it ended.
func (s *Service) runDurable(ctx context.Context, region, name, q string, v *Version, f *Function, arn, token string,
	ops []*DurableOperation, req *runtime.Request) (*runtime.Result, *Version, error) {
	var env durableEnvelope
	env.DurableExecutionArn, env.CheckpointToken, env.InitialExecutionState.Operations = arn, token, ops
	payload, _ := json.Marshal(env)
	req.Payload = payload
	started := s.env.Now()
	res, nv, err := s.invokeSync(ctx, region, name, q, v, f, req)
	if err != nil {
		msg := err.Error()
		_, _ = s.store.InvocationDone(arn, req.RequestID, started, "FAILED", nil, &ErrorObject{ErrorMessage: msg, ErrorType: "ServiceException"}, s.env.Now())
		return nil, nil, err
	}
	status, result, failure := durableOutcome(res)
	if again, _ := s.store.InvocationDone(arn, req.RequestID, started, status, result, failure, s.env.Now()); again {
		// a callback or wait completed while the invocation ran
		s.resume(arn)
	}
	return res, nv, nil
}

// durableOutcome reads a handler's answer: the durable SDK's
// {Status, Result, Error}, or any other answer as the result.
func durableOutcome(res *runtime.Result) (string, *string, *ErrorObject) {
	if res.Outcome != runtime.Succeeded {
		var doc struct {
			ErrorMessage string   `json:"errorMessage"`
			ErrorType    string   `json:"errorType"`
			StackTrace   []string `json:"stackTrace"`
		}
		_ = json.Unmarshal(res.Payload, &doc)
		if doc.ErrorType == "" {
			doc.ErrorType = res.ErrorType
		}
		return "FAILED", nil, &ErrorObject{ErrorMessage: doc.ErrorMessage, ErrorType: doc.ErrorType, StackTrace: doc.StackTrace}
	}
	var a durableAnswer
	if json.Unmarshal(res.Payload, &a) == nil && a.Status != nil {
		switch *a.Status {
		case "SUCCEEDED", "FAILED", "PENDING":
			return *a.Status, a.Result, a.Error
		}
	}
	result := string(res.Payload)
	return "SUCCEEDED", &result, nil
}

// resume invokes a PENDING execution again, in the background, with its
// state as it is now (a callback completed, or a wait ended).
func (s *Service) resume(arn string) {
	token, ops, ok := s.store.Resume(arn)
	if !ok {
		return
	}
	e, err := s.store.Durable(arn)
	if err != nil {
		return
	}
	region, name, q, err := target(e.FunctionARN, "", s.env.Region)
	if err != nil {
		return
	}
	v, f, err := s.store.Resolve(region, name, q)
	if err != nil {
		return
	}
	s.async.workers.Add(1)
	go func() {
		defer s.async.workers.Done()
		req := runtime.Request{RequestID: s.env.NewID()}
		req.TraceID = traceID("", req.RequestID)
		res, _, _ := s.runDurable(context.Background(), region, name, q, v, f, arn, token, ops, &req)
		if res != nil {
			res.Release()
		}
	}()
}

// scheduleWait completes a wait when its time comes and resumes the
// execution (waits longer than maxDurableWait are left to
// StopDurableExecution).
func (s *Service) scheduleWait(arn, opID string, end float64) {
	d := time.Until(time.UnixMilli(int64(end * 1000)))
	if d > maxDurableWait {
		return
	}
	time.AfterFunc(max(d, 0), func() {
		if s.store.CompleteWait(arn, opID, s.env.Now()) {
			s.resume(arn)
		}
	})
}

// durableHeader sets the header of an invocation that started a durable
// execution.
func durableHeader(w http.ResponseWriter, arn string) {
	if arn != "" {
		w.Header().Set(headerDurableARN, arn)
	}
}
