package cloudformation

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// supportedFunctions are the intrinsic functions templates may call, as
// AWS lists them when refusing another.
var supportedFunctions = []string{
	"Fn::Base64", "Fn::Cidr", "Fn::FindInMap", "Fn::GetAZs", "Fn::GetAtt", "Fn::If", "Fn::ImportValue",
	"Fn::Join", "Fn::Length", "Fn::Select", "Fn::Split", "Fn::Sub", "Fn::ToJsonString", "Ref",
	"Fn::And", "Fn::Equals", "Fn::Not", "Fn::Or", "Condition",
}

var isSupported = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range supportedFunctions {
		m[f] = true
	}
	return m
}()

// noValue is AWS::NoValue: the property or list element holding it goes.
type noValue struct{}

// pseudoParams are the pseudo parameters Ref accepts.
var pseudoParams = map[string]bool{
	"AWS::AccountId": true, "AWS::Region": true, "AWS::StackName": true, "AWS::StackId": true,
	"AWS::Partition": true, "AWS::URLSuffix": true, "AWS::NoValue": true, "AWS::NotificationARNs": true,
}

// fnCall reports whether v is an intrinsic function call: an object of one
// member named Ref or Fn::…
func fnCall(v any) (string, any, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", nil, false
	}
	for k, arg := range m {
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, arg, true
		}
	}
	return "", nil, false
}

// evaluator resolves intrinsic functions against a stack's parameters,
// conditions, resources and the region's exports.
type evaluator struct {
	t      *template
	params map[string]any // resolved values; NoEcho ones too
	pseudo map[string]any
	conds  map[string]bool
	// ref and att return a resource's Ref value and attribute; ok=false:
	// the resource does not exist (yet, or its condition is false).
	ref     func(logical string) (any, bool)
	att     func(logical, attr string) (any, error)
	imports func(name string) (string, bool)
	// where names the block being evaluated for messages ("Resources").
	where string
}

func (e *evaluator) eval(v any) (any, error) {
	if name, arg, ok := fnCall(v); ok {
		return e.call(name, arg)
	}
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, el := range x {
			r, err := e.eval(el)
			if err != nil {
				return nil, err
			}
			if _, drop := r.(noValue); !drop {
				out[k] = r
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for _, el := range x {
			r, err := e.eval(el)
			if err != nil {
				return nil, err
			}
			if _, drop := r.(noValue); !drop {
				out = append(out, r)
			}
		}
		return out, nil
	}
	return v, nil
}

func templateErr(format string, args ...any) error {
	return &templateError{"Template error: " + fmt.Sprintf(format, args...)}
}

func (e *evaluator) call(name string, arg any) (any, error) {
	switch name {
	case "Ref":
		s, ok := arg.(string)
		if !ok {
			return nil, templateErr("Ref must be a string")
		}
		return e.refValue(s)
	case "Fn::GetAtt":
		res, attr, err := getAttArgs(arg)
		if err != nil {
			return nil, err
		}
		if a, ok := attr.(string); ok {
			return e.att(res, a)
		}
		av, err := e.eval(attr)
		if err != nil {
			return nil, err
		}
		return e.att(res, str(av))
	case "Fn::Sub":
		return e.sub(arg)
	case "Fn::Join":
		l, ok := arg.([]any)
		if !ok || len(l) != 2 {
			return nil, templateErr("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
		}
		items, err := e.eval(l[1])
		if err != nil {
			return nil, err
		}
		parts, ok := items.([]any)
		if !ok {
			return nil, templateErr("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
		}
		sep, _ := l[0].(string)
		ss := make([]string, len(parts))
		for i, p := range parts {
			ss[i] = str(p)
		}
		return strings.Join(ss, sep), nil
	case "Fn::Select":
		l, ok := arg.([]any)
		if !ok || len(l) != 2 {
			return nil, templateErr("Fn::Select requires a list argument with two elements: an integer index and a list")
		}
		iv, err := e.eval(l[0])
		if err != nil {
			return nil, err
		}
		lv, err := e.eval(l[1])
		if err != nil {
			return nil, err
		}
		idx, err := strconv.Atoi(str(iv))
		list, ok := lv.([]any)
		if err != nil || !ok {
			return nil, templateErr("Fn::Select requires a list argument with two elements: an integer index and a list")
		}
		if idx < 0 || idx >= len(list) {
			return nil, templateErr("Fn::Select cannot select nonexistent value at index %d", idx)
		}
		return list[idx], nil
	case "Fn::Split":
		l, ok := arg.([]any)
		if !ok || len(l) != 2 {
			return nil, templateErr("every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.")
		}
		sv, err := e.eval(l[1])
		if err != nil {
			return nil, err
		}
		sep, _ := l[0].(string)
		var out []any
		for _, p := range strings.Split(str(sv), sep) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::If":
		l, ok := arg.([]any)
		if !ok || len(l) != 3 {
			return nil, templateErr("Fn::If requires a list argument with three elements")
		}
		c, _ := l[0].(string)
		v, known := e.conds[c]
		if !known {
			return nil, formatErr("Unresolved condition dependency %s in Fn::If", c)
		}
		if v {
			return e.eval(l[1])
		}
		return e.eval(l[2])
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition":
		return e.condition(map[string]any{name: arg})
	case "Fn::FindInMap":
		l, ok := arg.([]any)
		if !ok || len(l) < 3 {
			return nil, templateErr("Fn::FindInMap requires a list argument with three elements")
		}
		keys := make([]string, 3)
		for i := range 3 {
			v, err := e.eval(l[i])
			if err != nil {
				return nil, err
			}
			keys[i] = str(v)
		}
		top, ok := e.t.Mappings[keys[0]].(map[string]any)
		if !ok {
			return nil, templateErr("Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
		}
		second, ok := top[keys[1]].(map[string]any)
		if !ok {
			return nil, templateErr("Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
		}
		v, ok := second[keys[2]]
		if !ok {
			return nil, templateErr("Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
		}
		return v, nil
	case "Fn::ImportValue":
		v, err := e.eval(arg)
		if err != nil {
			return nil, err
		}
		name := str(v)
		val, ok := e.imports(name)
		if !ok {
			return nil, &templateError{fmt.Sprintf("No export named %s found.", name)}
		}
		return val, nil
	case "Fn::GetAZs":
		v, err := e.eval(arg)
		if err != nil {
			return nil, err
		}
		region := str(v)
		if region == "" {
			region = str(e.pseudo["AWS::Region"])
		}
		return []any{region + "a", region + "b", region + "c"}, nil
	case "Fn::Base64":
		v, err := e.eval(arg)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(str(v))), nil
	case "Fn::Cidr":
		v, err := e.eval(arg)
		if err != nil {
			return nil, err
		}
		return cidr(v)
	case "Fn::Length":
		v, err := e.eval(arg)
		if err != nil {
			return nil, err
		}
		l, ok := v.([]any)
		if !ok {
			return nil, templateErr("Fn::Length requires a list")
		}
		return float64(len(l)), nil
	case "Fn::ToJsonString":
		v, err := e.eval(arg)
		if err != nil {
			return nil, err
		}
		b, _ := json.Marshal(v)
		return string(b), nil
	}
	return nil, unsupportedFunction(name)
}

func unsupportedFunction(name string) error {
	return formatErr("Encountered unsupported function: %s Supported functions are: [%s]", name, strings.Join(supportedFunctions, ", "))
}

// refValue is what Ref returns for a parameter, pseudo parameter or
// resource.
func (e *evaluator) refValue(name string) (any, error) {
	if name == "AWS::NoValue" {
		return noValue{}, nil
	}
	if v, ok := e.pseudo[name]; ok {
		return v, nil
	}
	if v, ok := e.params[name]; ok {
		return v, nil
	}
	if e.ref != nil {
		if v, ok := e.ref(name); ok {
			return v, nil
		}
	}
	return nil, &templateError{fmt.Sprintf(msgUnresolvedDeps, name, e.where)}
}

func getAttArgs(arg any) (string, any, error) {
	switch a := arg.(type) {
	case string:
		res, attr, ok := strings.Cut(a, ".")
		if ok {
			return res, attr, nil
		}
	case []any:
		if len(a) == 2 {
			if res, ok := a[0].(string); ok {
				return res, a[1], nil
			}
		}
	}
	return "", nil, templateErr("every Fn::GetAtt object requires two non-empty parameters")
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

func (e *evaluator) sub(arg any) (any, error) {
	var text string
	vars := map[string]any{}
	switch a := arg.(type) {
	case string:
		text = a
	case []any:
		if len(a) != 2 {
			return nil, templateErr("One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
		}
		text, _ = a[0].(string)
		m, ok := a[1].(map[string]any)
		if !ok {
			return nil, templateErr("One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
		}
		for k, v := range m {
			r, err := e.eval(v)
			if err != nil {
				return nil, err
			}
			vars[k] = r
		}
	default:
		return nil, templateErr("One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
	}
	var firstErr error
	out := subVar.ReplaceAllStringFunc(text, func(m string) string {
		name := strings.TrimSpace(m[2 : len(m)-1])
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		if v, ok := vars[name]; ok {
			return str(v)
		}
		var v any
		var err error
		if res, attr, ok := strings.Cut(name, "."); ok && !pseudoParams[name] {
			v, err = e.att(res, attr)
		} else {
			v, err = e.refValue(name)
		}
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return ""
		}
		return str(v)
	})
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// condition evaluates a condition expression to a boolean.
func (e *evaluator) condition(v any) (bool, error) {
	name, arg, ok := fnCall(v)
	if !ok {
		if m, isMap := v.(map[string]any); isMap && len(m) == 1 {
			if c, has := m["Condition"].(string); has {
				r, known := e.conds[c]
				if !known {
					return false, formatErr("Unresolved condition dependency %s in Fn::If", c)
				}
				return r, nil
			}
		}
		if b, isBool := v.(bool); isBool {
			return b, nil
		}
		return false, templateErr("Conditions can only be boolean operations on parameters and other conditions")
	}
	l, _ := arg.([]any)
	switch name {
	case "Fn::Equals":
		if len(l) != 2 {
			return false, templateErr("Fn::Equals requires a list argument with two elements")
		}
		a, err := e.eval(l[0])
		if err != nil {
			return false, err
		}
		b, err := e.eval(l[1])
		if err != nil {
			return false, err
		}
		return str(a) == str(b), nil
	case "Fn::And", "Fn::Or":
		if len(l) < 2 || len(l) > 10 {
			return false, templateErr("%s requires a list argument with between 2 and 10 elements", name)
		}
		for _, c := range l {
			r, err := e.condition(c)
			if err != nil {
				return false, err
			}
			if name == "Fn::And" && !r {
				return false, nil
			}
			if name == "Fn::Or" && r {
				return true, nil
			}
		}
		return name == "Fn::And", nil
	case "Fn::Not":
		if len(l) != 1 {
			return false, templateErr("Fn::Not requires a list argument with one element")
		}
		r, err := e.condition(l[0])
		return !r, err
	}
	return false, templateErr("Conditions can only be boolean operations on parameters and other conditions")
}

// evalConditions evaluates the Conditions section in dependency order.
func (e *evaluator) evalConditions() error {
	e.conds = map[string]bool{}
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string) error
	visit = func(name string) error {
		switch state[name] {
		case 1:
			return formatErr("Circular dependency between conditions: [%s]", name)
		case 2:
			return nil
		}
		state[name] = 1
		def := e.t.Conditions[name]
		for _, dep := range conditionRefs(def) {
			if _, ok := e.t.Conditions[dep]; !ok {
				return formatErr("Unresolved condition dependency %s in Fn::If", dep)
			}
			if err := visit(dep); err != nil {
				return err
			}
		}
		r, err := e.condition(def)
		if err != nil {
			return err
		}
		e.conds[name] = r
		state[name] = 2
		return nil
	}
	for _, name := range sortedKeys(e.t.Conditions) {
		if err := visit(name); err != nil {
			return err
		}
	}
	return nil
}

// conditionRefs lists the conditions a condition expression names.
func conditionRefs(v any) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if c, ok := x["Condition"].(string); ok && len(x) == 1 {
				out = append(out, c)
				return
			}
			for _, el := range x {
				walk(el)
			}
		case []any:
			for _, el := range x {
				walk(el)
			}
		}
	}
	walk(v)
	return out
}

// str renders a scalar as CloudFormation passes it to a provider: numbers
// without a needless fraction, lists joined by commas (a list parameter).
func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	case []any:
		ss := make([]string, len(x))
		for i, el := range x {
			ss[i] = str(el)
		}
		return strings.Join(ss, ",")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// cidr is Fn::Cidr: count subnets of cidrBits host bits from ipBlock.
func cidr(v any) (any, error) {
	l, ok := v.([]any)
	if !ok || len(l) != 3 {
		return nil, templateErr("Fn::Cidr requires a list argument with three elements: an address block, a count and the number of subnet bits")
	}
	prefix, err := netip.ParsePrefix(str(l[0]))
	count, err2 := strconv.Atoi(str(l[1]))
	bits, err3 := strconv.Atoi(str(l[2]))
	if err != nil || err2 != nil || err3 != nil || count < 1 || count > 256 || bits < 1 {
		return nil, templateErr("Fn::Cidr requires a list argument with three elements: an address block, a count and the number of subnet bits")
	}
	total := prefix.Addr().BitLen()
	newLen := total - bits
	if newLen < prefix.Bits() {
		return nil, templateErr("Fn::Cidr: the subnet bits exceed the address block")
	}
	base := new(big.Int).SetBytes(prefix.Masked().Addr().AsSlice())
	step := new(big.Int).Lsh(big.NewInt(1), uint(bits))
	limit := new(big.Int).Lsh(big.NewInt(1), uint(newLen-prefix.Bits()))
	if big.NewInt(int64(count)).Cmp(limit) > 0 {
		return nil, templateErr("Fn::Cidr: the address block holds fewer than %d subnets", count)
	}
	var out []any
	for i := range count {
		n := new(big.Int).Add(base, new(big.Int).Mul(step, big.NewInt(int64(i))))
		b := n.FillBytes(make([]byte, total/8))
		addr, _ := netip.AddrFromSlice(b)
		out = append(out, netip.PrefixFrom(addr, newLen).String())
	}
	return out, nil
}

// references lists what a template value depends on: resources and
// parameters named by Ref, GetAtt and Sub, and any call of a function
// templates may not use.
func references(v any) (refs []string, atts []string, err error) {
	var walk func(v any) error
	walk = func(v any) error {
		if name, arg, ok := fnCall(v); ok {
			if !isSupported[name] {
				return unsupportedFunction(name)
			}
			switch name {
			case "Ref":
				if s, ok := arg.(string); ok {
					refs = append(refs, s)
					return nil
				}
			case "Fn::GetAtt":
				res, attr, err := getAttArgs(arg)
				if err != nil {
					return err
				}
				name, _ := attr.(string)
				atts = append(atts, res+"."+name)
				if l, ok := arg.([]any); ok {
					return walk(l[1])
				}
				return nil
			case "Fn::Sub":
				text := ""
				local := map[string]bool{}
				switch a := arg.(type) {
				case string:
					text = a
				case []any:
					if len(a) == 2 {
						text, _ = a[0].(string)
						if m, ok := a[1].(map[string]any); ok {
							for k, el := range m {
								local[k] = true
								if err := walk(el); err != nil {
									return err
								}
							}
						}
					}
				}
				for _, m := range subVar.FindAllStringSubmatch(text, -1) {
					name := strings.TrimSpace(m[1])
					if strings.HasPrefix(name, "!") || local[name] {
						continue
					}
					if strings.Contains(name, ".") && !pseudoParams[name] {
						atts = append(atts, name)
					} else {
						refs = append(refs, name)
					}
				}
				return nil
			}
			return walk(arg)
		}
		switch x := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				if err := walk(x[k]); err != nil {
					return err
				}
			}
		case []any:
			for _, el := range x {
				if err := walk(el); err != nil {
					return err
				}
			}
		}
		return nil
	}
	err = walk(v)
	return refs, atts, err
}

// checkAttribute refuses a Fn::GetAtt of an attribute the resource's type
// does not have ("" is an attribute computed by a function, checked when
// it is evaluated; types groundstack does not know are not checked).
func checkAttribute(def *resourceDef, attr string) error {
	known, ok := attributes[def.Type]
	if attr == "" || !ok {
		return nil
	}
	for _, k := range known {
		if k == attr {
			return nil
		}
	}
	return templateErr("resource %s does not support attribute type %s in Fn::GetAtt", def.Logical, attr)
}

// order checks the template's references and returns its resources in an
// order that creates each after everything it depends on.
func (t *template) order() ([]string, map[string][]string, error) {
	deps := map[string][]string{}
	var unresolved []string
	seen := map[string]bool{}
	missing := func(name string) {
		if !seen[name] {
			seen[name] = true
			unresolved = append(unresolved, name)
		}
	}
	for _, name := range sortedKeys(t.Resources) {
		r := t.Resources[name]
		refs, atts, err := references(r.raw)
		if err != nil {
			return nil, nil, err
		}
		set := map[string]bool{}
		for _, ref := range refs {
			if pseudoParams[ref] {
				continue
			}
			if _, ok := t.Parameters[ref]; ok {
				continue
			}
			if _, ok := t.Resources[ref]; !ok {
				missing(ref)
				continue
			}
			set[ref] = true
		}
		for _, a := range atts {
			res, attr, _ := strings.Cut(a, ".")
			def, ok := t.Resources[res]
			if !ok {
				return nil, nil, templateErr("instance of Fn::GetAtt references undefined resource %s", res)
			}
			if err := checkAttribute(def, attr); err != nil {
				return nil, nil, err
			}
			set[res] = true
		}
		for _, d := range r.DependsOn {
			if _, ok := t.Resources[d]; !ok {
				return nil, nil, formatErr("Unresolved resource dependencies [%s] in the Resources block of the template", d)
			}
			set[d] = true
		}
		delete(set, name) // a resource naming itself is a cycle of one
		for _, ref := range refs {
			if ref == name {
				return nil, nil, &templateError{fmt.Sprintf("Circular dependency between resources: [%s]", name)}
			}
		}
		deps[name] = sortedKeys(set)
	}
	if len(unresolved) > 0 {
		return nil, nil, &templateError{fmt.Sprintf(msgUnresolvedDeps, strings.Join(unresolved, ", "), "Resources")}
	}
	for _, name := range sortedKeys(t.Outputs) {
		refs, atts, err := references(t.Outputs[name])
		if err != nil {
			return nil, nil, err
		}
		for _, ref := range refs {
			_, isParam := t.Parameters[ref]
			_, isRes := t.Resources[ref]
			if !pseudoParams[ref] && !isParam && !isRes {
				return nil, nil, &templateError{fmt.Sprintf(msgUnresolvedDeps, ref, "Outputs")}
			}
		}
		for _, a := range atts {
			res, attr, _ := strings.Cut(a, ".")
			def, ok := t.Resources[res]
			if !ok {
				return nil, nil, templateErr("instance of Fn::GetAtt references undefined resource %s", res)
			}
			if err := checkAttribute(def, attr); err != nil {
				return nil, nil, err
			}
		}
	}
	// Kahn's algorithm, ties broken by name so runs repeat.
	indeg := map[string]int{}
	users := map[string][]string{}
	for name, ds := range deps {
		indeg[name] = len(ds)
		for _, d := range ds {
			users[d] = append(users[d], name)
		}
	}
	var ready, out []string
	for _, name := range sortedKeys(deps) {
		if indeg[name] == 0 {
			ready = append(ready, name)
		}
	}
	for len(ready) > 0 {
		sort.Strings(ready)
		n := ready[0]
		ready = ready[1:]
		out = append(out, n)
		for _, u := range users[n] {
			if indeg[u]--; indeg[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	if len(out) < len(deps) {
		// What is left is the cycles and what depends on them; peel off
		// the resources nothing left depends on until only cycles remain.
		left := map[string]bool{}
		for name := range deps {
			if indeg[name] > 0 {
				left[name] = true
			}
		}
		for changed := true; changed; {
			changed = false
			for name := range left {
				used := false
				for _, u := range users[name] {
					used = used || left[u]
				}
				if !used {
					delete(left, name)
					changed = true
				}
			}
		}
		cyc := sortedKeys(left)
		return nil, nil, &templateError{fmt.Sprintf("Circular dependency between resources: [%s]", strings.Join(cyc, ", "))}
	}
	return out, deps, nil
}
