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
