package lambda

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/lambda/runtime"
)

// The function URL data plane: {id}.lambda-url.{region}.localhost.localstack.cloud
// (the edge matches the host) and /_aws/lambda-url/{id}/… invoke the
// function behind the URL with a Function URL (v2) event.

// msgInternal is what a function URL answers when its function failed.
const msgInternal = "Internal Server Error"

// writeURLError writes e as function URLs answer: {"Message": …} (null when
// e has no message), with e's code, if it has one, as X-Amzn-Errortype.
func writeURLError(w http.ResponseWriter, e *awsproto.Error) {
	var msg *string
	if e.Message != "" {
		msg = &e.Message
	}
	b, _ := json.Marshal(map[string]*string{"Message": msg})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if e.Code != "" {
		h.Set("X-Amzn-Errortype", e.Code)
	}
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}

// serveFunctionURL invokes the function behind a function URL with a v2
// (Function URL) event and maps its answer to the HTTP response.
func (s *Service) serveFunctionURL(w http.ResponseWriter, r *http.Request, id, hostRegion, rawPath string) {
	u, ok := s.store.URLByID(strings.ToLower(id))
	if !ok || hostRegion != "" && !strings.EqualFold(hostRegion, u.Region) {
		writeURLError(w, errURLAccessDenied.New(""))
		return
	}
	requestID := s.env.NewID()
	w.Header().Set("X-Amzn-Requestid", requestID)
	// Browsers send preflights without credentials: CORS answers them
	// before authorization.
	origin := r.Header.Get("Origin")
	if u.Cors != nil && r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
		preflight(w, r, u.Cors, origin)
		return
	}
	if u.AuthType == "AWS_IAM" {
		if _, signed := awsproto.ScopeOf(r); !signed {
			writeURLError(w, errURLAccessDenied.New("Forbidden"))
			return
		}
	}
	tooLarge := errRequestEntityTooLarge.Errorf("Request must be smaller than %d bytes for the InvokeFunction operation", maxSyncPayload)
	body, release, err := awsproto.ReadBody(r, maxSyncPayload)
	if err != nil {
		writeURLError(w, tooLarge)
		return
	}
	defer release()
	if rawPath == "" {
		rawPath = "/"
	}
	ev := s.urlEvent(r, u, rawPath, body, requestID)
	payload, _ := json.Marshal(ev)
	if len(payload) > maxSyncPayload {
		// The limit is the invoke payload's: the event, with its headers and
		// a binary body's base64, not the body alone.
		writeURLError(w, tooLarge)
		return
	}
	v, f, err := s.store.Resolve(u.Region, u.Function, u.Qualifier)
	if err != nil {
		writeURLError(w, errURLAccessDenied.New(""))
		return
	}
	if s.checkRunnable(v.Config.Runtime) != nil {
		writeURLError(w, errURLFunctionFailed.New(msgInternal))
		return
	}
	req := runtime.Request{RequestID: requestID, Payload: payload, TraceID: traceID(r.Header.Get(headerTraceID), requestID)}
	res, _, err := s.invokeSync(r.Context(), u.Region, u.Function, u.Qualifier, v, f, &req)
	if err != nil {
		if isThrottle(err) {
			writeURLError(w, errTooManyRequests.New("Rate Exceeded."))
			return
		}
		writeURLError(w, errURLInternal.New(msgInternal))
		return
	}
	defer res.Release()
	decorate := func(h http.Header) {}
	if u.Cors != nil && origin != "" {
		// The URL's CORS configuration wins over the function's headers.
		decorate = func(h http.Header) { corsHeaders(h, u.Cors, origin) }
	}
	if res.Outcome != runtime.Succeeded {
		decorate(w.Header())
		badGateway(w)
		return
	}
	writeURLResponse(w, res.Payload, decorate)
}

// badGateway is a function URL's answer when the function failed.
func badGateway(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(errURLFunctionFailed.Status)
	_, _ = w.Write([]byte(msgInternal))
}

// urlEventWire is events.LambdaFunctionURLRequest (aws-lambda-go) plus the
// routeKey and stage members AWS also sends.
type urlEventWire struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	RequestContext        urlContextWire    `json:"requestContext"`
	Body                  string            `json:"body,omitempty"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
}

type urlContextWire struct {
	AccountID    string         `json:"accountId"`
	APIID        string         `json:"apiId"`
	Authorizer   *urlAuthorizer `json:"authorizer,omitempty"`
	DomainName   string         `json:"domainName"`
	DomainPrefix string         `json:"domainPrefix"`
	HTTP         urlHTTPWire    `json:"http"`
	RequestID    string         `json:"requestId"`
	RouteKey     string         `json:"routeKey"`
	Stage        string         `json:"stage"`
	Time         string         `json:"time"`
	TimeEpoch    int64          `json:"timeEpoch"`
}

type urlAuthorizer struct {
	IAM *urlIAMWire `json:"iam,omitempty"`
}

type urlIAMWire struct {
	AccessKey string `json:"accessKey"`
	AccountID string `json:"accountId"`
	CallerID  string `json:"callerId"`
	UserARN   string `json:"userArn"`
	UserID    string `json:"userId"`
}

type urlHTTPWire struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// urlEvent builds the event a function URL request becomes, as AWS does:
// header names lower-cased and repeated values comma-joined, cookies in
// their own list, query parameters comma-joined, binary bodies base64.
func (s *Service) urlEvent(r *http.Request, u URLConfig, rawPath string, body []byte, requestID string) urlEventWire {
	now := s.env.Now().UTC()
	sourceIP := r.RemoteAddr
	if h, _, err := net.SplitHostPort(sourceIP); err == nil {
		sourceIP = h
	}
	headers := make(map[string]string, len(r.Header)+6)
	var cookies []string
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if lk == "cookie" {
			for _, v := range vs {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		headers[lk] = strings.Join(vs, ",")
	}
	headers["host"] = r.Host
	if _, ok := headers["x-forwarded-for"]; !ok {
		headers["x-forwarded-for"] = sourceIP
	}
	headers["x-forwarded-proto"] = "http"
	if _, port, err := net.SplitHostPort(r.Host); err == nil {
		headers["x-forwarded-port"] = port
	} else {
		headers["x-forwarded-port"] = "80"
	}
	trace := traceID(r.Header.Get(headerTraceID), requestID)
	headers["x-amzn-trace-id"] = strings.SplitN(trace, ";", 2)[0]

	var qs map[string]string
	if r.URL.RawQuery != "" {
		vals, _ := url.ParseQuery(r.URL.RawQuery)
		if len(vals) > 0 {
			qs = make(map[string]string, len(vals))
			keys := make([]string, 0, len(vals))
			for k := range vals {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				qs[k] = strings.Join(vals[k], ",")
			}
		}
	}
	ev := urlEventWire{
		Version: "2.0", RouteKey: "$default", RawPath: rawPath, RawQueryString: r.URL.RawQuery,
		Cookies: cookies, Headers: headers, QueryStringParameters: qs,
		RequestContext: urlContextWire{
			AccountID: "anonymous", APIID: u.ID,
			DomainName:   u.ID + ".lambda-url." + u.Region + urlHostSuffix,
			DomainPrefix: u.ID,
			HTTP: urlHTTPWire{Method: r.Method, Path: rawPath, Protocol: "HTTP/1.1", SourceIP: sourceIP,
				UserAgent: r.Header.Get("User-Agent")},
			RequestID: requestID, RouteKey: "$default", Stage: "$default",
			Time: now.Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: now.UnixMilli(),
		},
	}
	if u.AuthType == "AWS_IAM" {
		if sc, ok := awsproto.ScopeOf(r); ok {
			account := s.env.Account
			ev.RequestContext.AccountID = account
			ev.RequestContext.Authorizer = &urlAuthorizer{IAM: &urlIAMWire{
				AccessKey: sc.AccessKey, AccountID: account, CallerID: "AIDAGROUNDSTACK" + account,
				UserARN: "arn:aws:iam::" + account + ":root", UserID: "AIDAGROUNDSTACK" + account,
			}}
		}
	}
	if len(body) > 0 {
		if isTextual(r.Header.Get("Content-Type")) && utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

// isTextual reports whether a body of this content type reaches the
// function as text (else it is base64-encoded).
func isTextual(ct string) bool {
	ct = strings.ToLower(ct)
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "xml") ||
		strings.Contains(ct, "javascript") || strings.Contains(ct, "yaml")
}

// urlResponseWire is events.LambdaFunctionURLResponse, tolerant of the
// shapes handlers return (headers with non-string values, a non-string body).
type urlResponseWire struct {
	StatusCode      json.RawMessage            `json:"statusCode"`
	Headers         map[string]json.RawMessage `json:"headers"`
	Body            json.RawMessage            `json:"body"`
	IsBase64Encoded bool                       `json:"isBase64Encoded"`
	Cookies         []string                   `json:"cookies"`
}

// writeURLResponse maps a function's result to the HTTP response: a
// response object (with statusCode) as it says; any other JSON value as a
// 200 application/json body (a JSON string as its text).
func writeURLResponse(w http.ResponseWriter, payload []byte, decorate func(http.Header)) {
	trimmed := strings.TrimSpace(string(payload))
	h := w.Header()
	if !awsproto.ValidJSON(payload) {
		decorate(h)
		badGateway(w)
		return
	}
	if strings.HasPrefix(trimmed, "{") {
		var m map[string]json.RawMessage
		if json.Unmarshal(payload, &m) == nil {
			if _, structured := m["statusCode"]; structured {
				writeStructured(w, payload, decorate)
				return
			}
		}
	}
	h.Set("Content-Type", "application/json")
	decorate(h)
	if strings.HasPrefix(trimmed, `"`) {
		var s string
		if json.Unmarshal(payload, &s) == nil {
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(s))
			return
		}
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(payload)
}

func writeStructured(w http.ResponseWriter, payload []byte, decorate func(http.Header)) {
	var resp urlResponseWire
	status, err := 0, json.Unmarshal(payload, &resp)
	if err == nil {
		status, err = strconv.Atoi(strings.Trim(string(resp.StatusCode), `"`))
	}
	if err != nil || status < 100 || status > 599 {
		decorate(w.Header())
		badGateway(w)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	for k, raw := range resp.Headers {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			s = strings.Trim(string(raw), `"`)
		}
		if strings.ContainsAny(k, "\r\n:") || strings.ContainsAny(s, "\r\n") || k == "" {
			continue
		}
		h.Set(k, s)
	}
	for _, c := range resp.Cookies {
		if !strings.ContainsAny(c, "\r\n") {
			h.Add("Set-Cookie", c)
		}
	}
	var body []byte
	if len(resp.Body) > 0 && string(resp.Body) != "null" {
		var s string
		if json.Unmarshal(resp.Body, &s) == nil {
			body = []byte(s)
		} else {
			body = resp.Body // an object or number: its JSON text
		}
	}
	if resp.IsBase64Encoded && len(body) > 0 {
		dec, err := base64.StdEncoding.DecodeString(string(body))
		if err != nil {
			w.Header().Del("Set-Cookie")
			decorate(h)
			badGateway(w)
			return
		}
		body = dec
	}
	decorate(h)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// --- CORS

func originAllowed(c *Cors, origin string) bool {
	for _, o := range c.AllowOrigins {
		if o == "*" || strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}

func allowOriginValue(c *Cors, origin string) string {
	for _, o := range c.AllowOrigins {
		if o == "*" && !c.AllowCredentials {
			return "*"
		}
	}
	return origin
}

// preflight answers a CORS preflight from the URL's configuration, without
// invoking the function.
func preflight(w http.ResponseWriter, r *http.Request, c *Cors, origin string) {
	h := w.Header()
	if originAllowed(c, origin) {
		h.Set("Access-Control-Allow-Origin", allowOriginValue(c, origin))
		method := r.Header.Get("Access-Control-Request-Method")
		if methods := strings.Join(c.AllowMethods, ","); methods == "*" {
			h.Set("Access-Control-Allow-Methods", method)
		} else if methods != "" {
			h.Set("Access-Control-Allow-Methods", methods)
		}
		if hdrs := strings.Join(c.AllowHeaders, ","); hdrs == "*" {
			if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
				h.Set("Access-Control-Allow-Headers", req)
			}
		} else if hdrs != "" {
			h.Set("Access-Control-Allow-Headers", hdrs)
		}
		if c.MaxAge > 0 {
			h.Set("Access-Control-Max-Age", strconv.Itoa(c.MaxAge))
		}
		if c.AllowCredentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if len(c.ExposeHeaders) > 0 {
			h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
		}
	}
	h.Set("Vary", "Origin")
	w.WriteHeader(http.StatusOK)
}

// corsHeaders decorates an actual (non-preflight) response.
func corsHeaders(h http.Header, c *Cors, origin string) {
	if !originAllowed(c, origin) {
		return
	}
	h.Set("Access-Control-Allow-Origin", allowOriginValue(c, origin))
	if c.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(c.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
	}
	h.Add("Vary", "Origin")
}
