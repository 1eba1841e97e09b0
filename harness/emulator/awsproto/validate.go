package awsproto

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// validateTags checks v (a pointer to a struct) against the constraints of
// its plan and returns AWS's "N validation errors detected: …" error under
// code, or nil. quoteNull writes a missing member as 'null' (Lambda's
// wording) instead of null.
func validateTags(code Code, quoteNull bool, v any) error {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	p := planOf(rv.Type())
	if p == nil || !p.checks {
		return nil
	}
	var problems []string
	checkStruct(p, rv, "", quoteNull, &problems)
	if len(problems) == 0 {
		return nil
	}
	return code.New(ValidationMessage(problems...))
}

// ValidationMessage joins constraint failures ("Value 'x' at 'name' failed
// to satisfy constraint: …") the way AWS reports them.
func ValidationMessage(problems ...string) string {
	n := len(problems)
	head := strconv.Itoa(n) + " validation error"
	if n != 1 {
		head += "s"
	}
	return head + " detected: " + strings.Join(problems, "; ")
}

// maxProblems bounds what one request can make us report.
const maxProblems = 16

func checkStruct(p *typePlan, rv reflect.Value, prefix string, quoteNull bool, out *[]string) {
	for i := range p.fields {
		f := &p.fields[i]
		if !f.own && (f.elem == nil || !f.elem.checks) {
			continue // nothing to check: spare the reflection
		}
		if len(*out) >= maxProblems {
			return
		}
		var fv reflect.Value
		if len(f.index) == 1 {
			fv = rv.Field(f.index[0])
		} else {
			fv = rv.FieldByIndex(f.index)
		}
		member := f.member
		if prefix != "" {
			member = prefix + member
		}
		checkField(f, fv, member, quoteNull, out)
	}
}

func checkField(f *fieldPlan, fv reflect.Value, member string, quoteNull bool, out *[]string) {
	add := func(value, rule string) {
		if value == "" {
			*out = append(*out, "Value at '"+member+"' failed to satisfy constraint: "+rule)
			return
		}
		*out = append(*out, "Value "+value+" at '"+member+"' failed to satisfy constraint: "+rule)
	}
	if isAbsent(fv) {
		if f.required {
			null := "null"
			if quoteNull {
				null = "'null'"
			}
			add(null, RuleNotNull)
		}
		return
	}
	for fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Interface {
		fv = fv.Elem()
	}
	shown := func(s string) string {
		if f.secret {
			return ""
		}
		return "'" + s + "'"
	}
	switch fv.Kind() {
	case reflect.String:
		s := fv.String()
		n := int64(utf8.RuneCountInString(s))
		switch {
		case f.hasMin && n < f.min:
			add(shown(s), MinLength(int(f.min)))
		case f.hasMax && n > f.max:
			add(shown(s), MaxLength(int(f.max)))
		case f.pattern != nil && !f.pattern.MatchString(s):
			add(shown(s), Pattern(f.patSrc))
		case f.enum != nil && !contains(f.enum, s):
			add(shown(s), EnumSet(f.enum...))
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := fv.Int()
		if f.hasMin && n < f.min {
			add(shown(strconv.FormatInt(n, 10)), MinValue(int(f.min)))
		} else if f.hasMax && n > f.max {
			add(shown(strconv.FormatInt(n, 10)), MaxValue(int(f.max)))
		}
	case reflect.Float32, reflect.Float64:
		x := fv.Float()
		if f.hasMin && x < float64(f.min) {
			add(shown(strconv.FormatFloat(x, 'f', -1, 64)), MinValue(int(f.min)))
		} else if f.hasMax && x > float64(f.max) {
			add(shown(strconv.FormatFloat(x, 'f', -1, 64)), MaxValue(int(f.max)))
		}
	case reflect.Slice, reflect.Map:
		if fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Uint8 {
			n := int64(fv.Len())
			if f.hasMin && n < f.min {
				add("", MinLength(int(f.min)))
			} else if f.hasMax && n > f.max {
				add("", MaxLength(int(f.max)))
			}
			return
		}
		n := int64(fv.Len())
		if f.hasMin && n < f.min {
			add("", MinLength(int(f.min)))
		} else if f.hasMax && n > f.max {
			add("", MaxLength(int(f.max)))
		}
		if f.elem == nil || !f.elem.checks {
			return
		}
		if fv.Kind() == reflect.Slice {
			for i := 0; i < fv.Len() && len(*out) < maxProblems; i++ {
				ev := fv.Index(i)
				for ev.Kind() == reflect.Pointer {
					if ev.IsNil() {
						break
					}
					ev = ev.Elem()
				}
				if ev.Kind() == reflect.Struct {
					checkStruct(f.elem, ev, member+"."+strconv.Itoa(i+1)+".member.", quoteNull, out)
				}
			}
			return
		}
		it := fv.MapRange()
		for it.Next() && len(*out) < maxProblems {
			ev := it.Value()
			for ev.Kind() == reflect.Pointer && !ev.IsNil() {
				ev = ev.Elem()
			}
			if ev.Kind() == reflect.Struct {
				checkStruct(f.elem, ev, member+"."+fmt.Sprint(it.Key().Interface())+".", quoteNull, out)
			}
		}
	case reflect.Struct:
		if f.elem != nil && f.elem.checks {
			checkStruct(f.elem, fv, member+".", quoteNull, out)
		}
	}
}

// isAbsent reports a member the client did not send: a nil pointer, list,
// map or interface, or (for plain fields) the zero value.
func isAbsent(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return v.IsNil()
	case reflect.String:
		return v.Len() == 0
	case reflect.Struct:
		return false
	}
	return v.IsZero()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
