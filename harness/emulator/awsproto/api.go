package awsproto

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"sort"
	"strings"
)

// API serves one service's typed Operations in its wire protocol: it finds
// the operation (X-Amz-Target, Action, or method and path), decodes and
// validates the input, calls the Op, and encodes the output or the error.
// Every service has one; none writes this loop again.
type API struct {
	Base
	Protocol Protocol
	// Model is botocore's name for the service's model ("s3", "iot-data"):
	// the coverage report lists its operations against the API's, and a
	// request for one the API does not serve answers NotImplemented naming it.
	Model string
	// TargetPrefix is the part of X-Amz-Target before the '.' (awsJson).
	TargetPrefix string
	// ErrorNamespace prefixes an awsJson error's __type
	// ("com.amazonaws.dynamodb.v20120810#"), or is empty for bare codes.
	ErrorNamespace string
	// XMLNS is the namespace of query protocol responses.
	XMLNS string
	// QueryCompatible, for an awsQueryCompatible service answering in
	// awsJson or RPC v2 CBOR, gives the error shape (the __type) of a query
	// error code ("InvalidParameterValue" → "InvalidParameterValueException");
	// errors then also carry the code in X-Amzn-Query-Error, which the SDKs
	// read as the error's code.
	QueryCompatible func(code string) string
	// MaxBody bounds request bodies (bytes) unless an Operation says more.
	MaxBody int64
	// Invalid is the code of constraint failures: ValidationException
	// unless the service spells it otherwise (ValidationError,
	// InvalidParameterValueException…).
	Invalid Code
	// QuoteNull writes a missing required member as 'null' (Lambda).
	QuoteNull bool
	// ResponseCRC32 sends every response, errors too, with X-Amz-Crc32:
	// the CRC-32 of its body as sent. DynamoDB does, and its SDKs check it
	// on every response they read (aws-sdk-go-v2 warns "response did not
	// match expected checksum" when it is missing).
	ResponseCRC32 bool
	// Missing, when set, reports the first required member a request lacks
	// by itself, named by its key as sent, before any other constraint (the
	// EC2 dialect: MissingParameter "The request must contain the parameter
	// ImageId").
	Missing func(param string) *Error
	// TooLarge, when set, words the error of a request body over its
	// operation's limit (Lambda's RequestEntityTooLargeException "Request
	// must be smaller than N bytes for the CreateFunction operation"); by
	// default it is RequestEntityTooLarge.
	TooLarge func(op *Operation, limit int64) *Error
	// ErrorWriter, when set, replaces the protocol's error shape.
	ErrorWriter func(w http.ResponseWriter, c *Call, e *Error)
	// NotFound, when set, answers rest requests no operation matches
	// and that the model names no operation for (default:
	// UnknownOperationException).
	NotFound func(w http.ResponseWriter, c *Call)
	// DecodeError, when set, words a body the rest-json decoder refused
	// (API Gateway answers BadRequestException, not SerializationException).
	DecodeError func(err error) error
	// SelfRouted says the service finds its rest operations itself (S3
	// picks them by sub-resource: ?uploads, ?tagging) and runs them with Op
	// and Serve, so they need no At route.
	SelfRouted bool
	// Label, when set, says what a rest input's uri member holds, for a
	// service that finds its labels itself (S3's bucket may be in Host);
	// otherwise uri members are the request's path values.
	Label func(c *Call, name string) string

	ops map[string]*Operation
	mux *http.ServeMux
}

// Register adds operations. A rest protocol operation needs At; two
// operations on one method and path panic here, at start-up.
func (a *API) Register(ops ...Operation) {
	if a.ops == nil {
		a.ops = map[string]*Operation{}
	}
	for i := range ops {
		op := ops[i]
		// Plans are built on first use, keeping start-up light (building
		// every one costs ~3 ms and ~1.8 MB); CheckPlans builds them all.
		registered.Store(op.in, op.Name)
		if _, dup := a.ops[op.Name]; dup {
			panic("awsproto: operation " + op.Name + " registered twice")
		}
		a.ops[op.Name] = &op
		if op.Path == "" {
			if (a.Protocol == RestJSON || a.Protocol == RestXML) && !a.SelfRouted {
				panic("awsproto: rest operation " + op.Name + " has no route (use At)")
			}
			continue
		}
		if a.mux == nil {
			a.mux = http.NewServeMux()
			a.mux.HandleFunc("/", a.unknown)
		}
		h := a.restHandler(&op)
		// AWS's clients send some collection paths with and some without a
		// trailing slash; both forms reach the operation.
		path := strings.TrimSuffix(op.Path, "/")
		if path == "" {
			a.mux.Handle(op.Method+" /{$}", h)
			continue
		}
		a.mux.Handle(op.Method+" "+path, h)
		if !strings.HasSuffix(path, "...}") {
			a.mux.Handle(op.Method+" "+path+"/{$}", h)
		}
	}
}

// Operations lists what the API serves, by name.
func (a *API) Operations() []Operation {
	out := make([]Operation, 0, len(a.ops))
	for _, op := range a.ops {
		out = append(out, *op)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Has reports whether the API serves the operation.
func (a *API) Has(name string) bool { _, ok := a.ops[name]; return ok }

func (a *API) invalid() Code {
	if a.Invalid.Name == "" {
		return ErrValidation
	}
	return a.Invalid
}

func (a *API) maxBody(op *Operation) int64 {
	switch {
	case op != nil && op.MaxBody > 0:
		return op.MaxBody
	case a.MaxBody > 0:
		return a.MaxBody
	case a.Protocol == Query || a.Protocol == EC2Query:
		return 1 << 20
	}
	return 16 << 20
}

func (a *API) decode(c *Call, in any, body []byte, form Form) error {
	switch v := in.(type) {
	case *[]byte:
		*v = body
		return nil
	case *Form:
		*v = form
		return nil
	}
	switch a.Protocol {
	case JSON10, JSON11:
		if d, ok := in.(BodyDecoder); ok {
			return d.DecodeBody(body)
		}
		return DecodeJSON(body, in)
	case Query, EC2Query:
		return decodeForm(form, in, a.invalid())
	case RPCv2CBOR:
		return DecodeCBOR(body, in)
	default:
		return decodeRest(c, in, body, a.decodeBody, a.invalid(), a.Label)
	}
}

func (a *API) decodeBody(body []byte, v any) error {
	switch {
	case a.Protocol == RestXML:
		return DecodeXML(body, v)
	case a.DecodeError != nil:
		if err := json.Unmarshal(body, v); err != nil {
			return a.DecodeError(err)
		}
		return nil
	}
	return DecodeJSON(body, v)
}

func (a *API) validate(in any) error {
	if a.Missing != nil {
		if param, ok := firstMissing(in, a.Protocol == Query || a.Protocol == EC2Query); ok {
			return a.Missing(param)
		}
	}
	if err := validateTags(a.invalid(), a.QuoteNull, in); err != nil {
		return err
	}
	if v, ok := in.(Validator); ok {
		return v.Validate()
	}
	return nil
}

// ServeHTTP dispatches a request to its operation.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.ResponseCRC32 {
		cw := newCRC32Writer(w)
		defer cw.send()
		w = cw
	}
	switch a.Protocol {
	case JSON10, JSON11:
		a.serveJSON(w, r)
	case Query, EC2Query:
		a.serveQuery(w, r)
	case RPCv2CBOR:
		a.serveCBOR(w, r)
	default:
		if a.mux == nil {
			a.unknown(w, r)
			return
		}
		a.mux.ServeHTTP(w, r)
	}
}

// WriteError renders e in the API's protocol.
func (a *API) WriteError(w http.ResponseWriter, c *Call, e *Error) {
	if a.ErrorWriter != nil {
		a.ErrorWriter(w, c, e)
		return
	}
	switch a.Protocol {
	case JSON10, JSON11:
		typ := e.Code
		if a.QueryCompatible != nil {
			typ = a.QueryCompatible(e.Code)
			w.Header().Set(HeaderQueryError, e.Code+";"+e.Fault())
		}
		WriteJSONError(w, a.jsonContentType(), a.ErrorNamespace, c.RequestID, &Error{Code: typ, Status: e.Status, Message: e.Message, Fields: e.Fields, Headers: e.Headers})
	case RPCv2CBOR:
		typ, query := e.Code, ""
		if a.QueryCompatible != nil {
			typ, query = a.QueryCompatible(e.Code), e.Code
		}
		WriteCBORError(w, a.ErrorNamespace+typ, query, c.RequestID, e)
	case Query, EC2Query:
		writeQueryError(w, c, a.XMLNS, a.Protocol == EC2Query, e)
	case RestXML:
		WriteXMLError(w, c.Request, c.RequestID, e)
	default:
		WriteRestJSONError(w, c.RequestID, e)
	}
}

// fail renders err: an *Error as it is, anything else as InternalFailure
// (and logged: it is a bug).
func (a *API) fail(w http.ResponseWriter, c *Call, err error) {
	a.WriteError(w, c, a.internal(c, err))
}

// ---- awsJson

func (a *API) jsonContentType() string {
	if a.Protocol == JSON10 {
		return "application/x-amz-json-1.0"
	}
	return "application/x-amz-json-1.1"
}

func (a *API) serveJSON(w http.ResponseWriter, r *http.Request) {
	c := a.call(r)
	defer a.recoverTo(c, func(e *Error) { a.WriteError(w, c, e) })
	prefix, name, ok := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	if !ok || prefix != a.TargetPrefix {
		a.WriteError(w, c, ErrUnknownOperation.New(""))
		return
	}
	op := a.ops[name]
	if op == nil {
		if e := a.unservedOp(name); e != nil {
			a.WriteError(w, c, e)
			return
		}
		a.WriteError(w, c, ErrUnknownOperation.New(""))
		return
	}
	if r.Method != http.MethodPost {
		a.WriteError(w, c, ErrSerialization.New("Only POST is supported"))
		return
	}
	body, release, err := ReadBody(r, a.maxBody(op))
	if err != nil {
		a.WriteError(w, c, a.bodyError(op, err))
		return
	}
	defer release()
	if len(bytes.TrimSpace(body)) == 0 {
		body = append(body[:0], '{', '}')
	} else if !ValidJSON(body) {
		a.WriteError(w, c, ErrSerialization.New("Start of structure or map found where not expected."))
		return
	}
	out, done := a.run(w, c, op, body, nil)
	if done {
		return
	}
	h := w.Header()
	h["Content-Type"] = []string{a.jsonContentType()}
	h["X-Amzn-Requestid"] = []string{c.RequestID}
	switch v := out.(type) {
	case nil:
		w.Write([]byte("{}"))
	case []byte:
		w.Write(v)
	case json.RawMessage:
		w.Write(v)
	default:
		buf := encPool.Get().(*bytes.Buffer)
		buf.Reset()
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			encPool.Put(buf)
			a.fail(w, c, err)
			return
		}
		w.Write(bytes.TrimRight(buf.Bytes(), "\n"))
		encPool.Put(buf)
	}
}

// bodyError is the error of a body ReadBody refused: the API's TooLarge
// wording when it has one, else bodyError's.
func (a *API) bodyError(op *Operation, err error) *Error {
	if err == ErrBodyTooLarge && a.TooLarge != nil {
		return a.TooLarge(op, a.maxBody(op))
	}
	return bodyError(err)
}

// run calls op and answers what needs no encoding: its error, or the
// response an output that is a Responder writes itself (done then).
func (a *API) run(w http.ResponseWriter, c *Call, op *Operation, body []byte, form Form) (out any, done bool) {
	out, err := op.run(a, c, body, form)
	if err != nil {
		a.fail(w, c, err)
		return nil, true
	}
	if rs, ok := out.(Responder); ok {
		if err := rs.Respond(w, c); err != nil {
			a.fail(w, c, err)
		}
		return nil, true
	}
	return out, false
}

func bodyError(err error) *Error {
	var e *Error
	if errors.As(err, &e) { // a body that failed its signed hash
		return e
	}
	if err == ErrBodyTooLarge {
		return ErrRequestEntityTooLarge.New("Request entity too large")
	}
	return ErrSerialization.New("Could not read request body")
}

// ---- query

func (a *API) serveQuery(w http.ResponseWriter, r *http.Request) {
	c := a.call(r)
	defer a.recoverTo(c, func(e *Error) { a.WriteError(w, c, e) })
	f, err := ParseForm(r, a.maxBody(nil))
	if err != nil {
		a.fail(w, c, err)
		return
	}
	action := f.Get("Action")
	if action == "" {
		a.WriteError(w, c, ErrMissingAction.New("Missing Action"))
		return
	}
	op := a.ops[action]
	if op == nil {
		if e := a.unservedOp(action); e != nil {
			a.WriteError(w, c, e)
			return
		}
		a.WriteError(w, c, a.unknownAction(action, f.Get("Version")))
		return
	}
	out, done := a.run(w, c, op, nil, f)
	if done {
		return
	}
	b, err := encodeQueryResult(action, a.XMLNS, a.Protocol == EC2Query, c.RequestID, out)
	if err != nil {
		a.fail(w, c, err)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", c.RequestID)
	w.Write(b)
}

// encodeQueryResult wraps out in <ActionResponse><ActionResult> (or, in the
// EC2 dialect, writes it inside <ActionResponse> after the requestId).
func encodeQueryResult(action, xmlns string, ec2 bool, requestID string, out any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	resp := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: xmlns}}}
	enc.EncodeToken(resp)
	if ec2 {
		enc.EncodeElement(requestID, xml.StartElement{Name: xml.Name{Local: "requestId"}})
		if out != nil {
			if err := encodeInner(enc, &buf, out); err != nil {
				return nil, err
			}
		}
	} else {
		result := xml.StartElement{Name: xml.Name{Local: action + "Result"}}
		if isNilOutput(out) {
			enc.EncodeToken(result)
			enc.EncodeToken(result.End())
		} else if err := enc.EncodeElement(out, result); err != nil {
			return nil, err
		}
		md := xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}
		enc.EncodeToken(md)
		enc.EncodeElement(requestID, xml.StartElement{Name: xml.Name{Local: "RequestId"}})
		enc.EncodeToken(md.End())
	}
	enc.EncodeToken(resp.End())
	if err := enc.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func isNilOutput(out any) bool {
	if out == nil {
		return true
	}
	_, empty := out.(struct{})
	return empty
}

// writeQueryError writes e in the query protocol's shape (or EC2's).
func writeQueryError(w http.ResponseWriter, c *Call, xmlns string, ec2 bool, e *Error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if ec2 {
		buf.WriteString("<Response><Errors><Error><Code>")
		xml.EscapeText(&buf, []byte(e.Code))
		buf.WriteString("</Code><Message>")
		xml.EscapeText(&buf, []byte(e.Message))
		buf.WriteString("</Message></Error></Errors><RequestID>")
		xml.EscapeText(&buf, []byte(c.RequestID))
		buf.WriteString("</RequestID></Response>")
	} else {
		buf.WriteString(`<ErrorResponse xmlns="`)
		xml.EscapeText(&buf, []byte(xmlns))
		buf.WriteString(`"><Error><Type>`)
		buf.WriteString(e.Fault())
		buf.WriteString("</Type><Code>")
		xml.EscapeText(&buf, []byte(e.Code))
		buf.WriteString("</Code><Message>")
		xml.EscapeText(&buf, []byte(e.Message))
		buf.WriteString("</Message></Error><RequestId>")
		xml.EscapeText(&buf, []byte(c.RequestID))
		buf.WriteString("</RequestId></ErrorResponse>")
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", c.RequestID)
	for k, v := range e.Headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(e.Status)
	w.Write(buf.Bytes())
}

// ---- rest-json, rest-xml

func (a *API) unknown(w http.ResponseWriter, r *http.Request) {
	c := a.call(r)
	if e := a.unservedRest(r); e != nil {
		a.WriteError(w, c, e)
		return
	}
	if a.NotFound != nil {
		a.NotFound(w, c)
		return
	}
	a.WriteError(w, c, ErrUnknownOperation.New("Unknown operation "+r.Method+" "+r.URL.EscapedPath()))
}

func (a *API) restHandler(op *Operation) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.Serve(w, a.call(r), op)
	})
}

// Serve runs op for a request a service routed itself (S3 picks operations
// by sub-resource, which no path pattern can express).
func (a *API) Serve(w http.ResponseWriter, c *Call, op *Operation) {
	defer a.recoverTo(c, func(e *Error) { a.WriteError(w, c, e) })
	var body []byte
	if p := planOf(op.in); p == nil || !p.streamBody {
		b, release, err := ReadBody(c.Request, a.maxBody(op))
		if err != nil {
			a.WriteError(w, c, a.bodyError(op, err))
			return
		}
		defer release()
		body = b
	} else if limit := a.maxBody(op); limit > 0 {
		c.Body = http.MaxBytesReader(w, c.Body, limit)
	}
	out, done := a.run(w, c, op, body, nil)
	if done {
		return
	}
	status := op.Status
	if status == 0 {
		status = http.StatusOK
	}
	if a.Protocol == RestXML {
		w.Header()["X-Amz-Request-Id"] = []string{c.RequestID} // S3's name, as in WriteXMLError
	} else {
		w.Header().Set("X-Amzn-Requestid", c.RequestID)
	}
	if isNilOutput(out) {
		if status != http.StatusNoContent && a.Protocol == RestJSON {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			w.Write([]byte("{}"))
			return
		}
		w.WriteHeader(status)
		return
	}
	if err := encodeRest(w, out, status, a.Protocol == RestXML); err != nil {
		a.fail(w, c, err)
	}
}

// Op finds a registered operation by name (for services that route
// themselves and hand it to Serve).
func (a *API) Op(name string) *Operation { return a.ops[name] }
