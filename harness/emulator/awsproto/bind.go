package awsproto

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// decodeForm fills the struct v points to from a query form, by the plan's
// query keys: lists as Key.member.N (or Key.N), structures as Key.Member,
// maps as Key.entry.N.key / .value.
func decodeForm(f Form, v any, invalid Code) error {
	rv := reflect.ValueOf(v).Elem()
	p := planOf(rv.Type())
	if p == nil {
		return nil
	}
	return fillForm(p, rv, f, "", invalid)
}

func fillForm(p *typePlan, rv reflect.Value, f Form, prefix string, invalid Code) error {
	for i := range p.fields {
		fp := &p.fields[i]
		key := prefix + fp.query
		fv := rv.FieldByIndex(fp.index)
		t := fp.typ
		switch {
		case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8:
			elem := t.Elem()
			if fp.elem != nil {
				subs := f.Structs(key)
				if len(subs) == 0 {
					continue
				}
				list := reflect.MakeSlice(t, len(subs), len(subs))
				for j, sub := range subs {
					ev := list.Index(j)
					if elem.Kind() == reflect.Pointer {
						ev.Set(reflect.New(elem.Elem()))
						ev = ev.Elem()
					}
					if err := fillForm(fp.elem, ev, sub, "", invalid); err != nil {
						return err
					}
				}
				fv.Set(list)
				continue
			}
			vals := f.List(key)
			if len(vals) == 0 {
				if f.Has(key) { // an empty list is sent as "Key=" alone
					fv.Set(reflect.MakeSlice(t, 0, 0))
				}
				continue
			}
			list := reflect.MakeSlice(t, len(vals), len(vals))
			for j, s := range vals {
				if err := setScalar(list.Index(j), s, key, invalid); err != nil {
					return err
				}
			}
			fv.Set(list)
		case t.Kind() == reflect.Map:
			m := f.Map(key, fp.mapKey, fp.mapValue)
			if len(m) == 0 {
				continue
			}
			mv := reflect.MakeMapWithSize(t, len(m))
			for k, s := range m {
				ev := reflect.New(t.Elem()).Elem()
				if err := setScalar(ev, s, key, invalid); err != nil {
					return err
				}
				mv.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
			}
			fv.Set(mv)
		case fp.elem != nil:
			sub := Form{}
			pfx := key + "."
			for k, v := range f {
				if strings.HasPrefix(k, pfx) {
					sub[k[len(pfx):]] = v
				}
			}
			if len(sub) == 0 {
				continue
			}
			if t.Kind() == reflect.Pointer {
				fv.Set(reflect.New(t.Elem()))
				fv = fv.Elem()
			}
			if err := fillForm(fp.elem, fv, sub, "", invalid); err != nil {
				return err
			}
		default:
			if !f.Has(key) {
				continue
			}
			if err := setScalar(fv, f.Get(key), key, invalid); err != nil {
				return err
			}
		}
	}
	return nil
}

// setScalar parses s into v (a string, number, bool or time, or a pointer
// to one), as the query protocol and rest locations send them.
func setScalar(v reflect.Value, s, member string, invalid Code) error {
	if v.Kind() == reflect.Pointer {
		nv := reflect.New(v.Type().Elem())
		if err := setScalar(nv.Elem(), s, member, invalid); err != nil {
			return err
		}
		v.Set(nv)
		return nil
	}
	if u, ok := paramUnmarshaler(v); ok {
		return u.UnmarshalParam(member, s)
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || v.OverflowInt(n) {
			return invalid.New(ValidationMessage("Value '" + s + "' at '" + lowerFirst(member) + "' failed to satisfy constraint: Member must be a number"))
		}
		v.SetInt(n)
	case reflect.Float32, reflect.Float64:
		x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return invalid.New(ValidationMessage("Value '" + s + "' at '" + lowerFirst(member) + "' failed to satisfy constraint: Member must be a number"))
		}
		v.SetFloat(x)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return invalid.New(ValidationMessage("Value '" + s + "' at '" + lowerFirst(member) + "' failed to satisfy constraint: Member must be a boolean"))
		}
		v.SetBool(b)
	case reflect.Struct:
		if v.Type() != reflect.TypeFor[time.Time]() {
			return nil
		}
		t, err := parseTime(s)
		if err != nil {
			return invalid.New(ValidationMessage("Value '" + s + "' at '" + lowerFirst(member) + "' failed to satisfy constraint: Member must be a timestamp"))
		}
		v.Set(reflect.ValueOf(t))
	}
	return nil
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := http.ParseTime(s); err == nil {
		return t, nil
	}
	secs, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(int64(secs * 1000)).UTC(), nil
}

// decodeRest fills v from a rest request: path labels (from label when
// the service finds them itself), query strings and headers by their locations, the payload member or the remaining members
// from the body (JSON or XML).
func decodeRest(c *Call, v any, body []byte, decodeBody func([]byte, any) error, invalid Code, label func(*Call, string) string) error {
	rv := reflect.ValueOf(v).Elem()
	p := planOf(rv.Type())
	if p == nil {
		if len(body) > 0 {
			return decodeBody(body, v)
		}
		return nil
	}
	if p.payload < 0 && len(body) > 0 {
		if err := decodeBody(body, v); err != nil {
			return err
		}
	}
	if !p.rest {
		return nil
	}
	q := restQuery{raw: c.URL.RawQuery}
	for i := range p.fields {
		fp := &p.fields[i]
		// The field is looked up only for members the request carries:
		// most inputs are sparse.
		field := func() reflect.Value { return rv.FieldByIndex(fp.index) }
		switch fp.loc {
		case inURI:
			var s string
			if label != nil {
				s = label(c, fp.wire)
			} else {
				s = c.PathValue(fp.wire)
			}
			if s != "" {
				if err := setScalar(field(), s, fp.wire, invalid); err != nil {
					return err
				}
			}
		case inQuery:
			isList := fp.typ.Kind() == reflect.Slice
			first, vals, ok := q.get(fp.wire, isList)
			if !ok {
				continue
			}
			fv := field()
			if isList {
				list := reflect.MakeSlice(fp.typ, len(vals), len(vals))
				for j, s := range vals {
					if err := setScalar(list.Index(j), s, fp.wire, invalid); err != nil {
						return err
					}
				}
				fv.Set(list)
				continue
			}
			if err := setScalar(fv, first, fp.wire, invalid); err != nil {
				return err
			}
		case inHeader:
			if s, ok := c.Header[fp.header]; ok && len(s) > 0 {
				if err := setScalar(field(), s[0], fp.wire, invalid); err != nil {
					return err
				}
			}
		case inHeaders:
			// Headers without the prefix cost no allocation; several lines
			// of one header are one value joined by commas (HTTP's rule).
			pfx := fp.wire
			var m map[string]string
			for k, vs := range c.Header {
				if len(vs) == 0 || len(k) < len(pfx) || !strings.EqualFold(k[:len(pfx)], pfx) {
					continue
				}
				if m == nil {
					m = map[string]string{}
				}
				v := vs[0]
				if len(vs) > 1 {
					v = strings.Join(vs, ",")
				}
				m[strings.ToLower(k[len(pfx):])] = v
			}
			if m != nil {
				field().Set(reflect.ValueOf(m))
			}
		case inPayload:
			fv := field()
			switch fp.typ.Kind() {
			case reflect.Interface:
				fv.Set(reflect.ValueOf(c.Body))
			case reflect.String:
				fv.SetString(string(body))
			case reflect.Slice:
				if body != nil {
					fv.SetBytes(append([]byte(nil), body...))
				}
			default:
				if len(body) > 0 {
					nv := reflect.New(fp.typ)
					if err := decodeBody(body, nv.Interface()); err != nil {
						return err
					}
					fv.Set(nv.Elem())
				}
			}
		}
	}
	return nil
}

// restQuery reads query members as url.ParseQuery gives them. A short
// query is split once into pairs kept on the stack, which builds no
// url.Values (most rest requests carry one or two parameters and inputs
// declare several); a long one is parsed.
type restQuery struct {
	raw    string
	split  bool
	n      int
	pairs  [scanQueryPairs]struct{ k, v string } // keys unescaped, values as sent
	parsed url.Values
}

// scanQueryPairs is the number of pairs up to which a query is split.
const scanQueryPairs = 16

func hasEscape(s string) bool {
	return strings.IndexByte(s, '%') >= 0 || strings.IndexByte(s, '+') >= 0
}

func (q *restQuery) splitPairs() {
	q.split = true
	if strings.Count(q.raw, "&") >= scanQueryPairs {
		q.parsed, _ = url.ParseQuery(q.raw)
		return
	}
	for raw := q.raw; raw != ""; {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" || strings.IndexByte(pair, ';') >= 0 {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		if hasEscape(k) {
			var err error
			if k, err = url.QueryUnescape(k); err != nil {
				continue
			}
		}
		q.pairs[q.n].k, q.pairs[q.n].v = k, v
		q.n++
	}
}

// get returns key's first value, and all of them when all is set.
func (q *restQuery) get(key string, all bool) (first string, vals []string, ok bool) {
	if q.raw == "" {
		return "", nil, false
	}
	if !q.split {
		q.splitPairs()
	}
	if q.parsed != nil {
		vals, ok = q.parsed[key]
		if !ok {
			return "", nil, false
		}
		return vals[0], vals, true
	}
	for i := 0; i < q.n; i++ {
		if q.pairs[i].k != key {
			continue
		}
		v := q.pairs[i].v
		if hasEscape(v) {
			var err error
			if v, err = url.QueryUnescape(v); err != nil {
				continue // url.ParseQuery drops the pair
			}
		}
		if !ok {
			first, ok = v, true
			if !all {
				return first, nil, true
			}
		}
		vals = append(vals, v)
	}
	return first, vals, ok
}

// encodeRest writes a rest protocol output: header and status members by
// their locations, then the payload member or the other members as the body.
func encodeRest(w http.ResponseWriter, out any, status int, xmlBody bool) error {
	rv := reflect.ValueOf(out)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			w.WriteHeader(status)
			return nil
		}
		rv = rv.Elem()
	}
	p := planOf(rv.Type())
	if p != nil && p.rest {
		h := w.Header()
		for i := range p.fields {
			fp := &p.fields[i]
			fv := rv.FieldByIndex(fp.index)
			switch fp.loc {
			case inHeader:
				if s, ok := scalarString(fv); ok {
					h[fp.header] = []string{s}
				}
			case inHeaders:
				it := fv.MapRange()
				for it.Next() {
					h.Set(fp.wire+it.Key().String(), it.Value().String())
				}
			case inStatus:
				if n := fv.Int(); n != 0 {
					status = int(n)
				}
			}
		}
		if xmlBody && p.payload < 0 && !p.xmlBody {
			// rest-xml: members that all travel in headers or the status
			// leave the body empty (S3's PutObject, HeadBucket).
			w.WriteHeader(status)
			return nil
		}
		if p.payload >= 0 {
			fv := rv.FieldByIndex(p.fields[p.payload].index)
			switch fv.Kind() {
			case reflect.Interface:
				if fv.IsNil() {
					w.WriteHeader(status)
					return nil
				}
				w.WriteHeader(status)
				if r, ok := fv.Interface().(io.Reader); ok {
					_, err := io.Copy(w, r)
					if c, ok := r.(io.Closer); ok {
						c.Close()
					}
					return err
				}
				return nil
			case reflect.String:
				w.WriteHeader(status)
				_, err := io.WriteString(w, fv.String())
				return err
			case reflect.Slice:
				w.WriteHeader(status)
				_, err := w.Write(fv.Bytes())
				return err
			}
			return writeBody(w, status, fv.Interface(), xmlBody)
		}
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return nil
	}
	return writeBody(w, status, out, xmlBody)
}

func writeBody(w http.ResponseWriter, status int, v any, xmlBody bool) error {
	if xmlBody {
		return WriteXML(w, status, v)
	}
	switch b := v.(type) {
	case []byte:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, err := w.Write(b)
		return err
	case json.RawMessage:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, err := w.Write(b)
		return err
	}
	return WriteJSON(w, status, v)
}

// scalarString renders a header member; absent pointers are left out.
func scalarString(v reflect.Value) (string, bool) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "", false
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		return v.String(), v.Len() > 0
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), true
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), true
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok && !t.IsZero() {
			return t.UTC().Format(http.TimeFormat), true
		}
	}
	return "", false
}
