package awsproto

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Params are the path parameters a RestRouter matched, by their {Name}.
type Params map[string]string

// RestOp handles one rest-json operation: it writes its own success response
// (WriteJSON) or returns an error the router renders.
type RestOp func(w http.ResponseWriter, c *Call, p Params) error

type restRoute struct {
	method string
	segs   []string // literal, "{Name}" or "{Name+}" (greedy, last only)
	op     RestOp
}

// RestRouter dispatches rest-json requests by method and path pattern
// (/2015-03-31/functions/{FunctionName}/invocations). Literal segments beat
// parameters, so more specific routes win without priorities.
type RestRouter struct {
	Base
	routes []restRoute
	// ErrorWriter, when set, replaces the default rest-json error shape.
	ErrorWriter func(w http.ResponseWriter, c *Call, e *Error)
}

// Handle registers op for method and pattern.
func (rt *RestRouter) Handle(method, pattern string, op RestOp) {
	rt.routes = append(rt.routes, restRoute{method: method, segs: splitPath(pattern), op: op})
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match scores how well a route fits; -1 for no match. Literal segments
// count more than parameters.
func (r *restRoute) match(segs []string, p Params) int {
	score := 0
	for i, s := range r.segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "+}") {
			if i >= len(segs) {
				return -1
			}
			if p != nil {
				p[s[1:len(s)-2]] = strings.Join(segs[i:], "/")
			}
			return score
		}
		if i >= len(segs) {
			return -1
		}
		if strings.HasPrefix(s, "{") {
			if p != nil {
				p[s[1:len(s)-1]] = segs[i]
			}
			score++
			continue
		}
		if s != segs[i] {
			return -1
		}
		score += 100
	}
	if len(segs) != len(r.segs) {
		return -1
	}
	return score
}

func (rt *RestRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := rt.call(r)
	defer rt.recoverTo(c, func(e *Error) { rt.WriteError(w, c, e) })
	path := r.URL.EscapedPath()
	raw := splitPath(path)
	segs := make([]string, len(raw))
	for i, s := range raw {
		segs[i] = unescapeSegment(s)
	}
	var best *restRoute
	bestScore, methodMismatch := -1, false
	for i := range rt.routes {
		rr := &rt.routes[i]
		sc := rr.match(segs, nil)
		if sc < 0 {
			continue
		}
		if rr.method != r.Method {
			methodMismatch = true
			continue
		}
		if sc > bestScore {
			best, bestScore = rr, sc
		}
	}
	if best == nil {
		if methodMismatch {
			rt.WriteError(w, c, ErrUnknownOperation.New("The requested method is not supported for this resource."))
			return
		}
		rt.WriteError(w, c, ErrUnknownOperation.New("Unknown operation "+r.Method+" "+path))
		return
	}
	p := Params{}
	best.match(segs, p)
	if err := best.op(w, c, p); err != nil {
		rt.WriteError(w, c, rt.internal(c, err))
	}
}

func unescapeSegment(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// WriteError renders e in the rest-json shape: X-Amzn-ErrorType header and
// {"message": …, "Type": "User"|"Service"} body plus any fields.
func (rt *RestRouter) WriteError(w http.ResponseWriter, c *Call, e *Error) {
	if rt.ErrorWriter != nil {
		rt.ErrorWriter(w, c, e)
		return
	}
	WriteRestJSONError(w, c.RequestID, e)
}

// WriteRestJSONError writes e as rest-json services do.
func WriteRestJSONError(w http.ResponseWriter, requestID string, e *Error) {
	body := make(map[string]any, len(e.Fields)+2)
	for k, v := range e.Fields {
		body[k] = v
	}
	if _, ok := body["Message"]; !ok {
		body["message"] = e.Message
	}
	if e.Status >= 500 {
		body["Type"] = "Service"
	} else {
		body["Type"] = "User"
	}
	b, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Errortype", e.Code)
	h.Set("X-Amzn-Requestid", requestID)
	for k, v := range e.Headers {
		h.Set(k, v)
	}
	w.WriteHeader(e.Status)
	w.Write(b)
}

// WriteJSON writes v as a JSON response with status.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}
