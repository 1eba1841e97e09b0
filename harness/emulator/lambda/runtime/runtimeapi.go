package runtime

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Wire names of the Lambda Runtime API (2018-06-01), as the spec spells them.
const (
	pathNext          = "/2018-06-01/runtime/invocation/next"
	pathInvocation    = "/2018-06-01/runtime/invocation/"
	pathInitError     = "/2018-06-01/runtime/init/error"
	headerRequestID   = "Lambda-Runtime-Aws-Request-Id"
	headerDeadlineMs  = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID     = "Lambda-Runtime-Trace-Id"
	headerClientCtx   = "Lambda-Runtime-Client-Context"
	headerCognito     = "Lambda-Runtime-Cognito-Identity"
	headerErrorType   = "Lambda-Runtime-Function-Error-Type"
)

// Each instance gets its own small listener on 127.0.0.1 and serves this
// API only to its own process: who is calling is known from the port, so
// nothing has to be encoded in AWS_LAMBDA_RUNTIME_API (which runtimes
// expect to be a bare host:port), and an instance can never see or answer
// another instance's invocations. A listener costs one fd and one goroutine.

var acceptedBody = []byte(`{"status":"OK"}` + "\n")

// ServeHTTP is the Runtime API of one instance.
func (inst *instance) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case path == pathNext:
		if r.Method != http.MethodGet {
			runtimeError(w, http.StatusMethodNotAllowed, "InvalidRequest", "Method not allowed")
			return
		}
		inst.next(w, r)
	case strings.HasPrefix(path, pathInvocation):
		id, action, ok := strings.Cut(path[len(pathInvocation):], "/")
		if !ok || id == "" || (action != "response" && action != "error") {
			runtimeError(w, http.StatusNotFound, "NotFound", "Unknown Runtime API path")
			return
		}
		if r.Method != http.MethodPost {
			runtimeError(w, http.StatusMethodNotAllowed, "InvalidRequest", "Method not allowed")
			return
		}
		inst.answer(w, r, id, action == "error")
	case path == pathInitError:
		if r.Method != http.MethodPost {
			runtimeError(w, http.StatusMethodNotAllowed, "InvalidRequest", "Method not allowed")
			return
		}
		inst.initError(w, r)
	default:
		runtimeError(w, http.StatusNotFound, "NotFound", "Unknown Runtime API path")
	}
}

// next parks the runtime until an invocation is handed to this instance.
func (inst *instance) next(w http.ResponseWriter, r *http.Request) {
	if !inst.p.runtimeReady(inst) {
		runtimeError(w, http.StatusInternalServerError, "Runtime.Stopped", "the execution environment is shutting down")
		return
	}
	for {
		select {
		case inv := <-inst.invokes:
			if !inst.deliver(inv) {
				continue // it ended (timed out) before we got to it
			}
			inst.writeEvent(w, inv)
			inv.writing.Done()
			if inv.crash {
				// An invoke fault: the runtime gets the event, then its
				// process dies (SIGKILL), as one that crashes mid-invoke.
				if f, ok := w.(http.Flusher); ok {
					f.Flush()
				}
				inst.kill()
			}
			return
		case <-inst.exited:
			return
		case <-inst.stopping:
			runtimeError(w, http.StatusInternalServerError, "Runtime.Stopped", "the execution environment is shutting down")
			return
		case <-r.Context().Done():
			return // the runtime hung up; a queued invocation waits for its next /next
		}
	}
}

func (inst *instance) writeEvent(w http.ResponseWriter, inv *invocation) {
	h := w.Header()
	req := inv.req
	h[headerRequestID] = []string{req.RequestID}
	h[headerDeadlineMs] = []string{strconv.FormatInt(inv.deadline.UnixMilli(), 10)}
	h[headerFunctionARN] = []string{req.InvokedARN}
	h[headerTraceID] = []string{req.TraceID}
	if req.ClientContext != "" {
		h[headerClientCtx] = []string{req.ClientContext}
	}
	if req.CognitoIdentity != "" {
		h[headerCognito] = []string{req.CognitoIdentity}
	}
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(req.Payload))}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(req.Payload)
}

// answer takes a runtime's response or error for invocation id.
func (inst *instance) answer(w http.ResponseWriter, r *http.Request, id string, isError bool) {
	inv := inst.currentInvocation()
	if inv == nil || inv.req.RequestID != id {
		runtimeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	if inv.crash {
		return // the process is being killed (an invoke fault): too late to answer
	}
	buf := getBuf()
	body, tooLarge, err := readLimited(r.Body, buf, MaxResponseBytes)
	if err != nil {
		putBuf(buf)
		runtimeError(w, http.StatusBadRequest, "InvalidRequest", "could not read the request body")
		return
	}
	var res Result
	switch {
	case tooLarge:
		putBuf(buf)
		res = errorResult(TooLarge, "Function.ResponseSizeTooLarge",
			"Response payload size exceeded maximum allowed payload size ("+strconv.Itoa(MaxResponseBytes)+" bytes).")
	case isError:
		res = Result{Outcome: FunctionError, Payload: errorDocument(body, r.Header.Get(headerErrorType)), release: func() { putBuf(buf) }}
		res.ErrorType = errorTypeOf(res.Payload)
	default:
		// aws-lambda-go reports a response stream that failed midway in a trailer.
		if t := r.Trailer.Get(headerErrorType); t != "" {
			putBuf(buf)
			res = errorResult(FunctionError, t, "the function's response stream failed")
			break
		}
		res = Result{Outcome: Succeeded, Payload: body, release: func() { putBuf(buf) }}
	}
	if !inst.complete(inv, res) {
		res.Release()
		runtimeError(w, http.StatusForbidden, "InvalidStateTransition", "the invocation has already ended")
		return
	}
	inst.p.runtimeAnswered(inst)
	if tooLarge {
		runtimeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			"Exceeded maximum allowed payload size ("+strconv.Itoa(MaxResponseBytes)+" bytes).")
		return
	}
	w.Header()["Content-Type"] = []string{"application/json"}
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(acceptedBody)
}

// initError records a runtime's report that it could not start.
func (inst *instance) initError(w http.ResponseWriter, r *http.Request) {
	body, _, err := readLimited(r.Body, nil, 1<<20)
	if err != nil {
		runtimeError(w, http.StatusBadRequest, "InvalidRequest", "could not read the request body")
		return
	}
	doc := errorDocument(body, r.Header.Get(headerErrorType))
	inst.mu.Lock()
	first := inst.initErr == nil
	if first {
		inst.initErr = doc
		close(inst.initFailed)
	}
	inst.mu.Unlock()
	if !first {
		runtimeError(w, http.StatusForbidden, "InvalidStateTransition", "init error already reported")
		return
	}
	w.Header()["Content-Type"] = []string{"application/json"}
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(acceptedBody)
}

func runtimeError(w http.ResponseWriter, status int, typ, msg string) {
	b, _ := json.Marshal(struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}{msg, typ})
	w.Header()["Content-Type"] = []string{"application/json"}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// errorDocument returns the error payload a caller sees: the runtime's own
// JSON object when it sent one, else one built from the text it sent.
func errorDocument(body []byte, typ string) []byte {
	trimmed := strings.TrimSpace(string(body))
	if strings.HasPrefix(trimmed, "{") && json.Valid(body) {
		return append([]byte(nil), body...)
	}
	if typ == "" {
		typ = "Runtime.Unknown"
	}
	b, _ := json.Marshal(struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}{trimmed, typ})
	return b
}

func errorTypeOf(doc []byte) string {
	var e struct {
		Type string `json:"errorType"`
	}
	_ = json.Unmarshal(doc, &e)
	return e.Type
}

// errorResult builds an AWS-shaped error outcome.
func errorResult(o Outcome, typ, msg string) Result {
	b, _ := json.Marshal(struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}{msg, typ})
	return Result{Outcome: o, Payload: b, ErrorType: typ}
}

// Response buffers are pooled: a warm invoke allocates none.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) <= 1<<20 {
		*b = (*b)[:0]
		bufPool.Put(b)
	}
}

// readLimited reads r into *buf (or a fresh slice) up to limit bytes; past
// it, it reports tooLarge and discards the rest.
func readLimited(r io.Reader, buf *[]byte, limit int) (body []byte, tooLarge bool, err error) {
	var b []byte
	if buf != nil {
		b = (*buf)[:0]
	}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, rerr := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if len(b) > limit {
			_, _ = io.Copy(io.Discard, io.LimitReader(r, 64<<20))
			if buf != nil {
				*buf = b[:0]
			}
			return nil, true, nil
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			if buf != nil {
				*buf = b[:0]
			}
			return nil, false, rerr
		}
	}
	if buf != nil {
		*buf = b
	}
	return b, false, nil
}
