package awsproto

import (
	"fmt"
	"net/textproto"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// A plan says, once per Go type, where each member of an input or output
// travels and which constraints it has. Struct tags, all optional:
//
//	json:"Name"        the member's name on the wire (awsJson, rest-json bodies)
//	query:"Name"       the key in a query form (default: the field name)
//	location:"uri"     rest: a path label; also "querystring", "header",
//	                   "headers" (a map of every header with the prefix in
//	                   name, e.g. x-amz-meta-), "body" (the whole payload:
//	                   []byte, string or io.Reader), "statusCode" (output)
//	name:"FunctionName" the label, query key or header name of a location
//	member:"roleName"  the member's name in validation messages (default:
//	                   the wire name with a lower-case first letter)
//	required:"true"    must be present (use a pointer, slice or map field)
//	min:"1" max:"64"   length of strings, lists and maps; value of numbers
//	pattern:"[a-z]+"   the model's pattern, matched against the whole value
//	                   (Java escapes too: \u002F, written \\u002F in a tag)
//	enum:"A,B"         the model's enum
//	sensitive:"true"   never echoed in messages
//	key:"Key" value:"Value"  a query map's entry names (default key, value)
//
// A field with a location must also be tagged json:"-" (or xml:"-"), so
// bodies never carry it twice: plans panic at registration otherwise.

type location uint8

const (
	inBody location = iota
	inURI
	inQuery
	inHeader
	inHeaders
	inPayload
	inStatus
)

type fieldPlan struct {
	index    []int
	goName   string
	wire     string // json name, query key, label or header name
	header   string // a header member's name in canonical form
	query    string
	member   string
	loc      location
	required bool
	hasMin   bool
	hasMax   bool
	min, max int64
	pattern  *regexp.Regexp
	patSrc   string
	enum     []string
	secret   bool
	mapKey   string
	mapValue string
	typ      reflect.Type
	elem     *typePlan // plan of the struct a field holds (directly, or as list/map element)
	// own reports constraints on the field itself (required, min, max,
	// pattern, enum): validation skips fields without them unless elem
	// has checks.
	own bool
}

type typePlan struct {
	typ        reflect.Type
	fields     []fieldPlan
	checks     bool // any constraint anywhere below
	rest       bool // any rest location
	payload    int  // index in fields of the location:"body" field, or -1
	streamBody bool // the payload is an io.Reader
	xmlBody    bool // a member travels in an XML body (not xml:"-")
}

var plans sync.Map // reflect.Type → *typePlan

// registered holds every input type an API registered, with its operation.
var registered sync.Map // reflect.Type → operation name

// CheckPlans builds the plan of every input registered so far and returns
// the first a bad tag breaks (a pattern Go's regexp cannot compile, a
// located member without json:"-"), naming its operation. Plans are
// otherwise built on a request's first use of them; the emulator's tests
// call this with every service registered, so no bad tag ships to answer
// 500 on every call.
func CheckPlans() (err error) {
	registered.Range(func(k, v any) bool {
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("operation %v: %v", v, r)
				}
			}()
			planOf(k.(reflect.Type))
		}()
		return err == nil
	})
	return err
}

// planOf returns the plan of struct type t (nil for other types).
func planOf(t reflect.Type) *typePlan {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	if p, ok := plans.Load(t); ok {
		return p.(*typePlan)
	}
	p := buildPlan(t, map[reflect.Type]*typePlan{})
	actual, _ := plans.LoadOrStore(t, p)
	return actual.(*typePlan)
}

func buildPlan(t reflect.Type, seen map[reflect.Type]*typePlan) *typePlan {
	if p := seen[t]; p != nil {
		return p
	}
	p := &typePlan{typ: t, payload: -1}
	seen[t] = p
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		embedded := sf.Anonymous && sf.Type.Kind() == reflect.Struct && sf.Tag.Get("json") == ""
		if !sf.IsExported() && !embedded {
			continue
		}
		if embedded {
			// embedded structs contribute their members, as encoding/json
			// does (an unexported struct type's exported members too)
			inner := buildPlan(sf.Type, seen)
			for _, f := range inner.fields {
				f.index = append([]int{i}, f.index...)
				p.fields = append(p.fields, f)
			}
			p.checks = p.checks || inner.checks
			p.rest = p.rest || inner.rest
			if inner.payload >= 0 {
				p.payload, p.streamBody = len(p.fields)-len(inner.fields)+inner.payload, inner.streamBody
			}
			p.xmlBody = p.xmlBody || inner.xmlBody
			continue
		}
		if !sf.IsExported() {
			continue
		}
		f := fieldPlan{index: []int{i}, goName: sf.Name, typ: sf.Type}
		jsonName, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		f.wire = sf.Name
		if jsonName != "" && jsonName != "-" {
			f.wire = jsonName
		}
		f.query = sf.Name
		if q := sf.Tag.Get("query"); q != "" {
			f.query = q
		}
		switch sf.Tag.Get("location") {
		case "":
		case "uri":
			f.loc = inURI
		case "querystring":
			f.loc = inQuery
		case "header":
			f.loc = inHeader
		case "headers":
			f.loc = inHeaders
		case "body":
			f.loc = inPayload
		case "statusCode":
			f.loc = inStatus
		default:
			panic(fmt.Sprintf("awsproto: %s.%s: unknown location %q", t, sf.Name, sf.Tag.Get("location")))
		}
		if f.loc == inBody && sf.Tag.Get("xml") != "-" {
			p.xmlBody = true
		}
		if f.loc != inBody {
			p.rest = true
			if n := sf.Tag.Get("name"); n != "" {
				f.wire = n
				f.header = textproto.CanonicalMIMEHeaderKey(n)
			} else if f.loc != inPayload && f.loc != inStatus {
				panic(fmt.Sprintf("awsproto: %s.%s: a location needs a name tag", t, sf.Name))
			}
			if sf.Tag.Get("json") != "-" && sf.Tag.Get("xml") != "-" {
				panic(fmt.Sprintf("awsproto: %s.%s has a location and must be tagged json:\"-\" or xml:\"-\"", t, sf.Name))
			}
			if f.loc == inPayload {
				p.payload = len(p.fields)
				p.streamBody = sf.Type.Kind() == reflect.Interface
			}
		}
		f.member = lowerFirst(f.wire)
		if f.loc == inBody && sf.Tag.Get("query") != "" && jsonName == "" {
			f.member = lowerFirst(f.query)
		}
		if m := sf.Tag.Get("member"); m != "" {
			f.member = m
		}
		f.required = sf.Tag.Get("required") == "true"
		if v := sf.Tag.Get("min"); v != "" {
			f.hasMin, f.min = true, mustInt(t, sf, v)
		}
		if v := sf.Tag.Get("max"); v != "" {
			f.hasMax, f.max = true, mustInt(t, sf, v)
		}
		if v := sf.Tag.Get("pattern"); v != "" {
			f.patSrc = v
			f.pattern = regexp.MustCompile(`^(?:` + goPattern(v) + `)$`)
		}
		if v := sf.Tag.Get("enum"); v != "" {
			f.enum = strings.Split(v, ",")
		}
		f.secret = sf.Tag.Get("sensitive") == "true"
		f.mapKey, f.mapValue = "key", "value"
		if v := sf.Tag.Get("key"); v != "" {
			f.mapKey = v
		}
		if v := sf.Tag.Get("value"); v != "" {
			f.mapValue = v
		}
		if st := structOf(sf.Type); st != nil {
			f.elem = buildPlan(st, seen)
		}
		f.own = f.required || f.hasMin || f.hasMax || f.pattern != nil || f.enum != nil
		if f.own || (f.elem != nil && f.elem != p && f.elem.checks) {
			p.checks = true
		}
		p.fields = append(p.fields, f)
	}
	return p
}

// structOf returns the struct type a field holds, directly or as the
// element of a pointer, slice or map; nil for scalars.
func structOf(t reflect.Type) reflect.Type {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
			if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
				return nil
			}
			t = t.Elem()
		case reflect.Struct:
			if t.PkgPath() == "time" {
				return nil
			}
			return t
		default:
			return nil
		}
	}
}

func mustInt(t reflect.Type, sf reflect.StructField, v string) int64 {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		panic(fmt.Sprintf("awsproto: %s.%s: bad number %q", t, sf.Name, v))
	}
	return n
}

// goPattern rewrites the Java escapes AWS's models use (\u002F) as RE2's
// (\x{002F}); the model's spelling stays what messages quote.
func goPattern(re string) string {
	if !strings.Contains(re, `\u`) {
		return re
	}
	var b strings.Builder
	for i := 0; i < len(re); i++ {
		if re[i] != '\\' || i+1 == len(re) {
			b.WriteByte(re[i])
			continue
		}
		if re[i+1] == 'u' && i+6 <= len(re) && isHex4(re[i+2:i+6]) {
			b.WriteString(`\x{` + re[i+2:i+6] + `}`)
			i += 5
			continue
		}
		b.WriteString(re[i : i+2]) // any other escape, \\ included, as it is
		i++
	}
	return b.String()
}

func isHex4(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func lowerFirst(s string) string {
	for i, r := range s {
		return string(unicode.ToLower(r)) + s[i+len(string(r)):]
	}
	return s
}
