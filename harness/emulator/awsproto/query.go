package awsproto

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Form is a decoded query-protocol request (Action=…&Version=…&A.member.1=…).
type Form url.Values

// Get returns the first value of key.
func (f Form) Get(key string) string {
	if v := f[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Has reports whether key was sent.
func (f Form) Has(key string) bool { _, ok := f[key]; return ok }

// Int returns key as an integer, def when absent, and a ValidationError when
// it is not a number.
func (f Form) Int(key string, def int) (int, error) {
	s := f.Get(key)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, ErrValidationError.Errorf("Value '%s' at '%s' failed to satisfy constraint: Member must be a number", s, key)
	}
	return n, nil
}

// List returns the values of a flattened list: prefix.member.1, prefix.member.2…
// (or prefix.1, prefix.2… in the EC2 dialect; prefix.entry.N for maps), in
// index order.
func (f Form) List(prefix string) []string {
	var out []string
	for _, sub := range f.indexed(prefix) {
		out = append(out, f.Get(sub))
	}
	return out
}

// Structs returns the members of a flattened list of structures as Forms
// keyed by the member's field names (prefix.member.1.Key → {"Key": …}).
func (f Form) Structs(prefix string) []Form {
	var out []Form
	for _, sub := range f.indexed(prefix) {
		m := Form{}
		p := sub + "."
		for k, v := range f {
			if strings.HasPrefix(k, p) {
				m[k[len(p):]] = v
			}
		}
		out = append(out, m)
	}
	return out
}

// Map returns a flattened map: prefix.entry.N.key / prefix.entry.N.value (the
// names of key and value vary by service).
func (f Form) Map(prefix, keyName, valueName string) map[string]string {
	out := map[string]string{}
	for _, e := range f.Structs(prefix) {
		if k := e.Get(keyName); k != "" {
			out[k] = e.Get(valueName)
		}
	}
	return out
}

// indexed lists the member keys under prefix, ordered by their index.
func (f Form) indexed(prefix string) []string {
	type ix struct {
		n   int
		key string
	}
	seen := map[string]int{}
	for k := range f {
		var rest string
		switch {
		case strings.HasPrefix(k, prefix+".member."):
			rest = k[len(prefix)+len(".member."):]
		case strings.HasPrefix(k, prefix+".entry."):
			rest = k[len(prefix)+len(".entry."):]
		case strings.HasPrefix(k, prefix+"."):
			rest = k[len(prefix)+1:]
		default:
			continue
		}
		num := rest
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			num = rest[:i]
		}
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 {
			continue
		}
		base := k[:len(k)-len(rest)] + num
		seen[base] = n
	}
	list := make([]ix, 0, len(seen))
	for k, n := range seen {
		list = append(list, ix{n, k})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].n < list[j].n })
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = x.key
	}
	return out
}

// QueryOp handles one query-protocol action. Its output is encoded as the
// children of <ActionResult> (or, in the EC2 dialect, of <ActionResponse>);
// nil writes an empty result.
type QueryOp func(c *Call, f Form) (any, error)

// QueryService dispatches query-protocol requests (form in, XML out).
type QueryService struct {
	Base
	// XMLNS is the response namespace ("https://sts.amazonaws.com/doc/2011-06-15/").
	XMLNS string
	// EC2 selects the EC2 dialect: no Result wrapper, requestId first, and
	// <Response><Errors> errors.
	EC2     bool
	Ops     map[string]QueryOp
	MaxBody int64
}

// ParseForm decodes the form of a query request: the body of a POST, plus
// the URL query.
func ParseForm(r *http.Request, limit int64) (Form, error) {
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, ErrMalformedQueryString.New("Malformed query string")
	}
	if r.Method == http.MethodPost {
		body, release, err := ReadBody(r, limit)
		if err != nil {
			if err == ErrBodyTooLarge {
				return nil, ErrRequestEntityTooLarge.New("Request entity too large")
			}
			return nil, ErrMalformedQueryString.New("Could not read request body")
		}
		defer release()
		bv, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, ErrMalformedQueryString.New("Malformed form body")
		}
		for k, v := range bv {
			vals[k] = append(vals[k], v...)
		}
	}
	return Form(vals), nil
}

// ErrMalformedQueryString is the query protocol's answer to a body it cannot parse.
var ErrMalformedQueryString = Code{"MalformedQueryString", http.StatusBadRequest}

func (s *QueryService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := s.call(r)
	defer s.recoverTo(c, func(e *Error) { s.WriteError(w, c, e) })
	limit := s.MaxBody
	if limit == 0 {
		limit = 1 << 20
	}
	f, err := ParseForm(r, limit)
	if err != nil {
		s.WriteError(w, c, s.internal(c, err))
		return
	}
	action := f.Get("Action")
	if action == "" {
		s.WriteError(w, c, ErrMissingAction.New("Missing Action"))
		return
	}
	op := s.Ops[action]
	if op == nil {
		s.WriteError(w, c, ErrInvalidAction.Errorf("The action %s is not valid for this web service.", action))
		return
	}
	out, err := op(c, f)
	if err != nil {
		s.WriteError(w, c, s.internal(c, err))
		return
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	resp := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: s.XMLNS}}}
	enc.EncodeToken(resp)
	if s.EC2 {
		enc.EncodeElement(c.RequestID, xml.StartElement{Name: xml.Name{Local: "requestId"}})
		if out != nil {
			if err := encodeInner(enc, &buf, out); err != nil {
				s.WriteError(w, c, s.internal(c, err))
				return
			}
		}
	} else {
		result := xml.StartElement{Name: xml.Name{Local: action + "Result"}}
		if out == nil {
			enc.EncodeToken(result)
			enc.EncodeToken(result.End())
		} else if err := enc.EncodeElement(out, result); err != nil {
			s.WriteError(w, c, s.internal(c, err))
			return
		}
		md := xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}
		enc.EncodeToken(md)
		enc.EncodeElement(c.RequestID, xml.StartElement{Name: xml.Name{Local: "RequestId"}})
		enc.EncodeToken(md.End())
	}
	enc.EncodeToken(resp.End())
	enc.Flush()
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", c.RequestID)
	w.Write(buf.Bytes())
}

// encodeInner writes the fields of out as children of the current element:
// marshalled once and copied verbatim after flushing enc (re-encoding them
// token by token cost four times the marshalling itself).
func encodeInner(enc *xml.Encoder, buf *bytes.Buffer, out any) error {
	var inner bytes.Buffer
	if err := xml.NewEncoder(&inner).EncodeElement(out, xml.StartElement{Name: xml.Name{Local: "x"}}); err != nil {
		return err
	}
	b := inner.Bytes()
	if err := enc.Flush(); err != nil {
		return err
	}
	buf.Write(b[len("<x>") : len(b)-len("</x>")])
	return nil
}

// WriteError writes e in the query protocol's shape (or EC2's).
func (s *QueryService) WriteError(w http.ResponseWriter, c *Call, e *Error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if s.EC2 {
		buf.WriteString("<Response><Errors><Error><Code>")
		xml.EscapeText(&buf, []byte(e.Code))
		buf.WriteString("</Code><Message>")
		xml.EscapeText(&buf, []byte(e.Message))
		buf.WriteString("</Message></Error></Errors><RequestID>")
		xml.EscapeText(&buf, []byte(c.RequestID))
		buf.WriteString("</RequestID></Response>")
	} else {
		buf.WriteString(`<ErrorResponse xmlns="`)
		xml.EscapeText(&buf, []byte(s.XMLNS))
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
