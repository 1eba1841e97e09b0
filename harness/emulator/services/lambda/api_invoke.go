package lambda

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/lambda/runtime"
)

// Invoke payload limits.
const (
	maxSyncPayload  = 6291456
	maxAsyncPayload = 1048576
	// maxClientContext is the base64 X-Amz-Client-Context limit.
	maxClientContext = 3583
)

// Wire names of Invoke.
const (
	headerFunctionError = "X-Amz-Function-Error"
	headerLogResult     = "X-Amz-Log-Result"
	headerExecVersion   = "X-Amz-Executed-Version"
	headerRequestID     = "X-Amzn-Requestid"
	headerTraceID       = "X-Amzn-Trace-Id"
)

var emptyEvent = []byte("{}")

// invokeInput is InvocationRequest. FunctionName's pattern: see target.
// The payload is read by the operation, within the limit of its invocation
// type (in.Payload is the request's body: awsproto.ReadBody reads it from
// the request, with its Content-Length).
type invokeInput struct {
	FunctionName   *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"256"`
	Qualifier      *string `json:"-" location:"querystring" name:"Qualifier" min:"1" max:"128" pattern:"\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"`
	InvocationType string  `json:"-" location:"header" name:"X-Amz-Invocation-Type" member:"invocationType" enum:"Event,RequestResponse,DryRun"`
	LogType        string  `json:"-" location:"header" name:"X-Amz-Log-Type" member:"logType" enum:"None,Tail"`
	ClientContext  string  `json:"-" location:"header" name:"X-Amz-Client-Context" member:"clientContext"`
	TenantId       *string `json:"-" location:"header" name:"X-Amz-Tenant-Id" member:"tenantId" min:"1" max:"256" pattern:"[a-zA-Z0-9\\._:\\/=+\\-@ ]+"` // checked; tenant isolation is not emulated
	// DurableExecutionName names the durable execution an invocation of a
	// function with DurableConfig starts (api_durable.go).
	DurableExecutionName *string   `json:"-" location:"header" name:"X-Amz-Durable-Execution-Name" member:"durableExecutionName" min:"1" max:"64" pattern:"[a-zA-Z0-9-_]+"`
	Payload              io.Reader `json:"-" location:"body" sensitive:"true"`
}

// invokeOutput writes Invoke's answer: the status of the invocation type,
// the function's result and the X-Amz-* headers the SDK reads.
type invokeOutput struct {
	status int
	res    *runtime.Result
	v      *Version
	tail   bool
	// durableARN is the durable execution the invocation started.
	durableARN string
}

func (o *invokeOutput) Respond(w http.ResponseWriter, c *awsproto.Call) error {
	h := w.Header()
	h[headerRequestID] = []string{c.RequestID}
	durableHeader(w, o.durableARN)
	if o.res == nil {
		w.WriteHeader(o.status)
		return nil
	}
	defer o.res.Release()
	h["Content-Type"] = []string{"application/json"}
	h[headerExecVersion] = []string{o.v.Name}
	if o.res.Outcome != runtime.Succeeded {
		h[headerFunctionError] = []string{"Unhandled"}
	}
	if o.tail {
		h[headerLogResult] = []string{base64.StdEncoding.EncodeToString(o.res.LogTail)}
	}
	h["Content-Length"] = []string{strconv.Itoa(len(o.res.Payload))}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(o.res.Payload)
	return nil
}

// invoke is the Invoke operation.
func (s *Service) invoke(c *awsproto.Call, in *invokeInput) (*invokeOutput, error) {
	region, name, q, err := target(*in.FunctionName, str(in.Qualifier), c.Region)
	if err != nil {
		return nil, err
	}
	limit := maxSyncPayload
	if in.InvocationType == "Event" {
		limit = maxAsyncPayload
	}
	body, release, err := awsproto.ReadBody(c.Request, int64(limit))
	if err != nil {
		if err == awsproto.ErrBodyTooLarge {
			return nil, payloadTooLarge(limit)
		}
		return nil, errInvalidRequestContent.New("Could not read request body")
	}
	defer release()
	payload, err := checkPayload(body)
	if err != nil {
		return nil, err
	}
	clientCtx, err := clientContext(in.ClientContext)
	if err != nil {
		return nil, err
	}
	v, f, err := s.store.Resolve(region, name, q)
	if err != nil {
		return nil, err
	}
	if err := s.checkRunnable(v.Config.Runtime); err != nil {
		return nil, err
	}
	if v.Config.Durable != nil && in.InvocationType != "DryRun" {
		req := runtime.Request{
			RequestID: c.RequestID, ClientContext: clientCtx,
			TraceID: traceID(c.Header.Get(headerTraceID), c.RequestID), Tail: in.LogType == "Tail",
		}
		async := in.InvocationType == "Event"
		arn, res, nv, err := s.startDurable(c.Context(), region, name, q, v, f, str(in.DurableExecutionName), payload, req, async)
		if err != nil {
			return nil, err
		}
		if async {
			return &invokeOutput{status: http.StatusAccepted, durableARN: arn}, nil
		}
		return &invokeOutput{status: http.StatusOK, res: res, v: nv, tail: req.Tail, durableARN: arn}, nil
	}
	switch in.InvocationType {
	case "DryRun":
		return &invokeOutput{status: http.StatusNoContent}, nil
	case "Event":
		if err := s.async.enqueue(region, name, q, append([]byte(nil), payload...), c.RequestID); err != nil {
			return nil, err
		}
		return &invokeOutput{status: http.StatusAccepted}, nil
	}
	req := runtime.Request{
		RequestID: c.RequestID, Payload: payload, ClientContext: clientCtx,
		TraceID: traceID(c.Header.Get(headerTraceID), c.RequestID), Tail: in.LogType == "Tail",
	}
	res, v, err := s.invokeSync(c.Context(), region, name, q, v, f, &req)
	if err != nil {
		return nil, err
	}
	return &invokeOutput{status: http.StatusOK, res: res, v: v, tail: req.Tail}, nil
}

// checkPayload returns the event to hand to the function: "{}" for an
// empty body, else the body, which must be JSON.
func checkPayload(body []byte) ([]byte, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return emptyEvent, nil
	}
	if !awsproto.ValidJSON(body) {
		var v any
		err := json.Unmarshal(body, &v)
		msg := "invalid JSON"
		if err != nil {
			msg = err.Error()
		}
		return nil, errInvalidRequestContent.New("Could not parse request body into json: Could not parse payload into json: " + msg)
	}
	return body, nil
}

// clientContext decodes X-Amz-Client-Context (base64 JSON).
func clientContext(h string) (string, error) {
	if h == "" {
		return "", nil
	}
	if len(h) > maxClientContext {
		return "", validation(h, "clientContext", awsproto.MaxLength(maxClientContext))
	}
	b, err := base64.StdEncoding.DecodeString(h)
	if err != nil || !json.Valid(b) {
		return "", errInvalidRequestContent.New("Client context must be a valid Base64-encoded JSON object.")
	}
	return string(b), nil
}

// checkRunnable refuses an invocation of a runtime groundstack does not
// run, or whose interpreter this machine lacks (one line naming the
// Debian package to install).
func (s *Service) checkRunnable(rt string) error {
	if !runnable(rt) {
		return errInvalidRuntime.Errorf("The runtime parameter of %s is not supported by groundstack: it runs provided.al2023, provided.al2, provided, go1.x, python3.8 to python3.13 and nodejs18.x to nodejs22.x functions", rt)
	}
	if err := s.exec.CheckRuntime(rt); err != nil {
		return errInvalidRuntime.New(err.Error())
	}
	return nil
}

// traceID keeps an incoming X-Ray root or makes one from the request ID.
func traceID(incoming, requestID string) string {
	if incoming != "" && strings.HasPrefix(incoming, "Root=") {
		return incoming
	}
	hex := strings.ReplaceAll(requestID, "-", "")
	for len(hex) < 32 {
		hex += "0"
	}
	return "Root=1-" + hex[:8] + "-" + hex[8:32] + ";Sampled=0"
}

// invokeSync runs req on v (resolved already), taking a concurrency slot.
// If v is replaced while req waits for an instance, it resolves again.
func (s *Service) invokeSync(ctx context.Context, region, name, q string, v *Version, f *Function, req *runtime.Request) (*runtime.Result, *Version, error) {
	if !f.Acquire() {
		s.recordThrottle(region, name, q)
		return nil, nil, throttled(reasonReservedConcurrency)
	}
	defer f.Release()
	if f.Reserved() < 0 {
		if !s.store.AcquireUnreserved(f.Region) {
			s.recordThrottle(region, name, q)
			return nil, nil, throttled(reasonConcurrency)
		}
		defer s.store.ReleaseUnreserved(f.Region)
	}
	for attempt := 0; ; attempt++ {
		pool := v.Exec.(*runtime.Pool)
		req.InvokedARN = f.ARN
		if q != "" {
			req.InvokedARN = f.ARN + ":" + q
		}
		res, err := pool.Invoke(ctx, req)
		if err == nil {
			s.recordInvocation(region, name, q, res)
			return res, v, nil
		}
		if !errors.Is(err, runtime.ErrRetired) || attempt >= 3 {
			if ctx.Err() != nil {
				return nil, nil, errService.New("the invocation was cancelled: " + ctx.Err().Error())
			}
			return nil, nil, errService.New("Lambda could not run the function: " + err.Error())
		}
		// The version was replaced (new code or configuration): use the new one.
		nv, _, rerr := s.store.Resolve(region, name, q)
		if rerr != nil {
			return nil, nil, rerr
		}
		v = nv
	}
}

type invokeAsyncInput struct {
	FunctionName *string   `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"256"`
	InvokeArgs   io.Reader `json:"-" location:"body" required:"true"`
}

type invokeAsyncOutput struct {
	Status int `json:"Status"`
}

// invokeAsync is the deprecated InvokeAsync operation (always Event).
func (s *Service) invokeAsync(c *awsproto.Call, in *invokeAsyncInput) (invokeAsyncOutput, error) {
	// InvokeArgs is required: AWS answers its absence (an empty body)
	// before it looks the function up.
	body, release, err := awsproto.ReadBody(c.Request, maxAsyncPayload)
	if err != nil {
		return invokeAsyncOutput{}, payloadTooLarge(maxAsyncPayload)
	}
	defer release()
	if len(body) == 0 {
		return invokeAsyncOutput{}, awsproto.NotNull(errValidation, "invokeArgs")
	}
	region, name, q, err := target(*in.FunctionName, "", c.Region)
	if err != nil {
		return invokeAsyncOutput{}, err
	}
	payload, err := checkPayload(body)
	if err != nil {
		return invokeAsyncOutput{}, err
	}
	v, _, err := s.store.Resolve(region, name, q)
	if err != nil {
		return invokeAsyncOutput{}, err
	}
	if err := s.checkRunnable(v.Config.Runtime); err != nil {
		return invokeAsyncOutput{}, err
	}
	if err := s.async.enqueue(region, name, q, append([]byte(nil), payload...), c.RequestID); err != nil {
		return invokeAsyncOutput{}, err
	}
	return invokeAsyncOutput{Status: http.StatusAccepted}, nil
}

// Invoke implements cloud.FunctionInvoker for other services (API Gateway,
// notifications, event sources). Errors are *awsproto.Error values with
// Lambda's codes (ResourceNotFoundException, TooManyRequestsException, …).
func (s *Service) Invoke(ctx context.Context, in cloud.InvokeRequest) (cloud.InvokeResult, error) {
	region := in.Region
	if region == "" {
		region = s.env.Region
	}
	region, name, q, err := target(in.Function, in.Qualifier, region)
	if err != nil {
		return cloud.InvokeResult{}, err
	}
	limit := maxSyncPayload
	if in.Async {
		limit = maxAsyncPayload
	}
	if len(in.Payload) > limit {
		return cloud.InvokeResult{}, payloadTooLarge(limit)
	}
	payload, err := checkPayload(in.Payload)
	if err != nil {
		return cloud.InvokeResult{}, err
	}
	v, f, err := s.store.Resolve(region, name, q)
	if err != nil {
		return cloud.InvokeResult{}, err
	}
	if err := s.checkRunnable(v.Config.Runtime); err != nil {
		return cloud.InvokeResult{}, err
	}
	id := s.env.NewID()
	if in.Async {
		if err := s.async.enqueue(region, name, q, append([]byte(nil), payload...), id); err != nil {
			return cloud.InvokeResult{}, err
		}
		return cloud.InvokeResult{RequestID: id}, nil
	}
	req := runtime.Request{RequestID: id, Payload: payload, TraceID: traceID("", id)}
	res, v, err := s.invokeSync(ctx, region, name, q, v, f, &req)
	if err != nil {
		return cloud.InvokeResult{}, err
	}
	out := cloud.InvokeResult{Payload: append([]byte(nil), res.Payload...), ExecutedVersion: v.Name, RequestID: id}
	if res.Outcome != runtime.Succeeded {
		out.FunctionError = "Unhandled"
	}
	res.Release()
	return out, nil
}

// FunctionExists implements cloud.FunctionLookup: arn names a function
// (and, when qualified, one of its versions or aliases) in its region.
func (s *Service) FunctionExists(functionARN string) bool {
	region, name, q, err := target(functionARN, "", s.env.Region)
	if err != nil {
		return false
	}
	_, _, err = s.store.Resolve(region, name, q)
	return err == nil
}
