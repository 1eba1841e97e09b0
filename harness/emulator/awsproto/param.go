package awsproto

import "reflect"

// ParamUnmarshaler is a scalar member that parses its own query, label or
// header value, knowing the key it came under: for services that word their
// own errors (EC2: "Invalid value 'yes' for Force. Expected a boolean.").
// Its error is returned as it is.
type ParamUnmarshaler interface {
	UnmarshalParam(key, value string) error
}

// paramUnmarshaler returns v's ParamUnmarshaler, if its type has one.
func paramUnmarshaler(v reflect.Value) (ParamUnmarshaler, bool) {
	if !v.CanAddr() || !reflect.PointerTo(v.Type()).Implements(paramUnmarshalerType) {
		return nil, false
	}
	return v.Addr().Interface().(ParamUnmarshaler), true
}

var paramUnmarshalerType = reflect.TypeFor[ParamUnmarshaler]()

// firstMissing returns the key (as sent: the query key, or the wire name) of
// the first required top-level member in lacks; a list or map with no
// members counts as missing.
func firstMissing(v any, query bool) (string, bool) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "", false
		}
		rv = rv.Elem()
	}
	p := planOf(rv.Type())
	if p == nil {
		return "", false
	}
	for i := range p.fields {
		f := &p.fields[i]
		if !f.required {
			continue
		}
		fv := rv.FieldByIndex(f.index)
		if isAbsent(fv) || ((fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) && fv.Len() == 0) {
			if query {
				return f.query, true
			}
			return f.wire, true
		}
	}
	return "", false
}
