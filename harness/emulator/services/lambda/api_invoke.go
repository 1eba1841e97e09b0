package lambda

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
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
	headerInvocationType = "X-Amz-Invocation-Type"
	headerLogType        = "X-Amz-Log-Type"
	headerClientContext  = "X-Amz-Client-Context"
	headerFunctionError  = "X-Amz-Function-Error"
	headerLogResult      = "X-Amz-Log-Result"
	headerExecVersion    = "X-Amz-Executed-Version"
	headerRequestID      = "X-Amzn-Requestid"
	headerTraceID        = "X-Amzn-Trace-Id"
)

var emptyEvent = []byte("{}")

// invoke is the Invoke operation.
func (s *Service) invoke(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, q, err := s.target(c, p["FunctionName"], c.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	invType := c.Header.Get(headerInvocationType)
	switch invType {
	case "", "RequestResponse", "Event", "DryRun":
	default:
		return validation(invType, "invocationType", awsproto.EnumSet("Event", "RequestResponse", "DryRun"))
	}
	logType := c.Header.Get(headerLogType)
	if logType != "" && logType != "None" && logType != "Tail" {
		return validation(logType, "logType", awsproto.EnumSet("None", "Tail"))
	}
	limit := int64(maxSyncPayload)
	if invType == "Event" {
		limit = maxAsyncPayload
	}
	body, release, err := awsproto.ReadBody(c.Request, limit)
	if err != nil {
		if err == awsproto.ErrBodyTooLarge {
			return errRequestTooLarge.Errorf("Request must be smaller than %d bytes for the InvokeFunction operation", limit)
		}
		return errInvalidRequestContent.New("Could not read request body")
	}
	defer release()
	payload, perr := checkPayload(body)
	if perr != nil {
		return perr
	}
	clientCtx, err := clientContext(c.Header.Get(headerClientContext))
	if err != nil {
		return err
	}
	v, f, err := s.store.Resolve(region, name, q)
	if err != nil {
		return err
	}
	if !runnable(v.Config.Runtime) {
		return unsupportedRuntime(v.Config.Runtime)
	}
	h := w.Header()
	h[headerRequestID] = []string{c.RequestID}
	switch invType {
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
		return nil
	case "Event":
		if err := s.async.enqueue(region, name, q, append([]byte(nil), payload...), c.RequestID); err != nil {
			return err
		}
		w.WriteHeader(http.StatusAccepted)
		return nil
	}
	req := runtime.Request{
		RequestID: c.RequestID, Payload: payload, ClientContext: clientCtx,
		TraceID: traceID(c.Header.Get(headerTraceID), c.RequestID), Tail: logType == "Tail",
	}
	res, v, err := s.invokeSync(c.Context(), region, name, q, v, f, &req)
	if err != nil {
		return err
	}
	defer res.Release()
	h["Content-Type"] = []string{"application/json"}
	h[headerExecVersion] = []string{v.Name}
	if res.Outcome != runtime.Succeeded {
		h[headerFunctionError] = []string{"Unhandled"}
	}
	if req.Tail {
		h[headerLogResult] = []string{base64.StdEncoding.EncodeToString(res.LogTail)}
	}
	h["Content-Length"] = []string{strconv.Itoa(len(res.Payload))}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(res.Payload)
	return nil
}

// checkPayload returns the event to hand to the function: "{}" for an
// empty body, else the body, which must be JSON.
func checkPayload(body []byte) ([]byte, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return emptyEvent, nil
	}
	if !json.Valid(body) {
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

func unsupportedRuntime(rt string) error {
	return errInvalidRuntime.Errorf("The runtime parameter of %s is not supported by groundstack: it runs provided.al2023, provided.al2, provided and go1.x functions", rt)
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
		return nil, nil, throttled(reasonReservedConcurrency)
	}
	defer f.Release()
	for attempt := 0; ; attempt++ {
		pool := v.Exec.(*runtime.Pool)
		req.InvokedARN = f.ARN
		if q != "" {
			req.InvokedARN = f.ARN + ":" + q
		}
		res, err := pool.Invoke(ctx, req)
		if err == nil {
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

// invokeAsync is the deprecated InvokeAsync operation (always Event).
func (s *Service) invokeAsync(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, q, err := s.target(c, p["FunctionName"], "")
	if err != nil {
		return err
	}
	body, release, err := awsproto.ReadBody(c.Request, maxAsyncPayload)
	if err != nil {
		return errRequestTooLarge.Errorf("Request must be smaller than %d bytes for the InvokeFunction operation", maxAsyncPayload)
	}
	defer release()
	payload, err := checkPayload(body)
	if err != nil {
		return err
	}
	v, _, err := s.store.Resolve(region, name, q)
	if err != nil {
		return err
	}
	if !runnable(v.Config.Runtime) {
		return unsupportedRuntime(v.Config.Runtime)
	}
	if err := s.async.enqueue(region, name, q, append([]byte(nil), payload...), c.RequestID); err != nil {
		return err
	}
	return awsproto.WriteJSON(w, http.StatusAccepted, map[string]int{"Status": 202})
}

// Invoke implements cloud.FunctionInvoker for other services (API Gateway,
// notifications, event sources). Errors are *awsproto.Error values with
// Lambda's codes (ResourceNotFoundException, TooManyRequestsException, …).
func (s *Service) Invoke(ctx context.Context, in cloud.InvokeRequest) (cloud.InvokeResult, error) {
	r, name, q, ok := parseFunctionName(in.Function)
	if !ok {
		return cloud.InvokeResult{}, validation(in.Function, "functionName", awsproto.Pattern(functionNamePattern))
	}
	if in.Qualifier != "" {
		if q != "" && q != in.Qualifier {
			return cloud.InvokeResult{}, errInvalidParameterValue.New("The derived qualifier from the function name does not match the specified qualifier.")
		}
		q = in.Qualifier
	}
	region := in.Region
	if r != "" {
		region = r
	}
	if region == "" {
		region = s.env.Region
	}
	limit := maxSyncPayload
	if in.Async {
		limit = maxAsyncPayload
	}
	if len(in.Payload) > limit {
		return cloud.InvokeResult{}, errRequestTooLarge.Errorf("Request must be smaller than %d bytes for the InvokeFunction operation", limit)
	}
	payload, err := checkPayload(in.Payload)
	if err != nil {
		return cloud.InvokeResult{}, err
	}
	v, f, err := s.store.Resolve(region, name, q)
	if err != nil {
		return cloud.InvokeResult{}, err
	}
	if !runnable(v.Config.Runtime) {
		return cloud.InvokeResult{}, unsupportedRuntime(v.Config.Runtime)
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
