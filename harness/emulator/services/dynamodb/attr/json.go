package attr

import (
	"encoding/base64"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// MaxDepth is how deeply documents may nest (DynamoDB: 32 levels).
const MaxDepth = 32

// Validation and serialization messages, as DynamoDB words them.
const (
	msgEmptyValue    = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
	msgMultipleTypes = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
	msgNullFalse     = "One or more parameter values were invalid: Null attribute value types must have the value of true"
	// Empty string and number sets are refused as a model validation, in
	// items and ExpressionAttributeValues alike (moto's AWS-verified
	// test_put_item_empty_set and test_update_item_unused_attributes).
	msgEmptySS        = "1 validation error detected: One or more parameter values were invalid: An string set  may not be empty"
	msgEmptyNS        = "1 validation error detected: One or more parameter values were invalid: An number set  may not be empty"
	msgEmptyBS        = "One or more parameter values were invalid: Binary sets should not be empty"
	msgNSDuplicates   = "Input collection contains duplicates"
	msgNesting        = "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"
	msgStartStructure = "Start of structure or map found where not expected"
	msgFieldType      = "Unexpected field type"
	msgValueType      = "Unexpected value type in payload"
	msgBadJSON        = "Unexpected token received from parser"
	msgMapCollection  = "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>"
)

// decoder scans DynamoDB JSON by hand: the request body is already known
// to be valid JSON, but everything here still checks bounds so that any
// input only ever yields an error.
type decoder struct {
	data []byte
	pos  int
	sc   *scratch
}

// scratch holds the stacks documents are gathered on while decoding, so
// each document is allocated once at its exact size. Pooled.
type scratch struct {
	entries []entry
	values  []Value
	strs    []string
}

type entry struct {
	name string
	v    Value
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func newDecoder(data []byte) decoder {
	return decoder{data: data, sc: scratchPool.Get().(*scratch)}
}

// release returns the scratch stacks, dropping references to values.
func (d *decoder) release() {
	sc := d.sc
	clear(sc.entries[:cap(sc.entries)])
	clear(sc.values[:cap(sc.values)])
	clear(sc.strs[:cap(sc.strs)])
	sc.entries, sc.values, sc.strs = sc.entries[:0], sc.values[:0], sc.strs[:0]
	if cap(sc.entries) <= 4096 && cap(sc.values) <= 4096 && cap(sc.strs) <= 4096 {
		scratchPool.Put(sc)
	}
	d.sc = nil
}

// takeEntries sorts the entries pushed since base by name (a repeated name
// keeps its last value), copies them out at exact size and pops them.
func (d *decoder) takeEntries(base int) ([]string, []Value) {
	seg := d.sc.entries[base:]
	if !slices.IsSortedFunc(seg, cmpEntry) {
		slices.SortStableFunc(seg, cmpEntry)
	}
	n := 0
	for i := range seg {
		if n > 0 && seg[n-1].name == seg[i].name {
			seg[n-1] = seg[i]
			continue
		}
		seg[n] = seg[i]
		n++
	}
	keys := make([]string, n)
	vals := make([]Value, n)
	for i, e := range seg[:n] {
		keys[i], vals[i] = e.name, e.v
	}
	clear(seg)
	d.sc.entries = d.sc.entries[:base]
	return keys, vals
}

func cmpEntry(a, b entry) int { return strings.Compare(a.name, b.name) }

func serialization(msg string) error { return awsproto.ErrSerialization.New(msg) }
func validation(msg string) error    { return awsproto.ErrValidation.New(msg) }

// DecodeItem decodes an item object: {"a":{"S":"x"},"n":{"N":"1"}}.
func DecodeItem(data []byte) (Item, error) {
	m, err := DecodeValues(data)
	return Item(m), err
}

// DecodeValues decodes an object of named attribute values (an item, a key,
// or ExpressionAttributeValues).
func DecodeValues(data []byte) (map[string]Value, error) {
	m, _, err := DecodeValuesKeyed(data)
	return m, err
}

// DecodeValuesKeyed is DecodeValues that also returns the name of the
// member whose value was invalid, for messages that quote it.
func DecodeValuesKeyed(data []byte) (map[string]Value, string, error) {
	d := newDecoder(data)
	defer d.release()
	var bad string
	d.skipSpace()
	if d.peek() != '{' {
		return nil, "", serialization(d.kindMessage(msgFieldType, msgMapCollection))
	}
	d.pos++
	if err := d.members(func(name string) error {
		if d.isNull() {
			return nil
		}
		v, err := d.value(0)
		if err != nil {
			bad = name
			return err
		}
		d.sc.entries = append(d.sc.entries, entry{name, v})
		return nil
	}); err != nil {
		return nil, bad, err
	}
	if err := d.end(); err != nil {
		return nil, "", err
	}
	out := make(map[string]Value, len(d.sc.entries))
	for _, e := range d.sc.entries {
		out[e.name] = e.v
	}
	return out, "", nil
}

// DecodeValue decodes one attribute value: {"S":"x"}.
func DecodeValue(data []byte) (Value, error) {
	d := newDecoder(data)
	defer d.release()
	v, err := d.value(0)
	if err != nil {
		return Value{}, err
	}
	if err := d.end(); err != nil {
		return Value{}, err
	}
	return v, nil
}

// ReadValue decodes one attribute value at the start of data and returns
// the bytes consumed, for callers that scan the surrounding JSON themselves.
func ReadValue(data []byte) (Value, int, error) {
	d := newDecoder(data)
	defer d.release()
	v, err := d.value(0)
	return v, d.pos, err
}

func (d *decoder) end() error {
	d.skipSpace()
	if d.pos != len(d.data) {
		return serialization(msgBadJSON)
	}
	return nil
}

func (d *decoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) peek() byte {
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

// isNull consumes a JSON null (a member that is "not set").
func (d *decoder) isNull() bool {
	d.skipSpace()
	if len(d.data)-d.pos >= 4 && string(d.data[d.pos:d.pos+4]) == "null" {
		d.pos += 4
		return true
	}
	return false
}

// members iterates the members of an object whose '{' was consumed.
func (d *decoder) members(fn func(name string) error) error {
	d.skipSpace()
	if d.peek() == '}' {
		d.pos++
		return nil
	}
	for {
		d.skipSpace()
		if d.peek() != '"' {
			return serialization(msgBadJSON)
		}
		name, err := d.str()
		if err != nil {
			return err
		}
		d.skipSpace()
		if d.peek() != ':' {
			return serialization(msgBadJSON)
		}
		d.pos++
		d.skipSpace()
		if err := fn(name); err != nil {
			return err
		}
		d.skipSpace()
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return nil
		default:
			return serialization(msgBadJSON)
		}
	}
}

// elements iterates the elements of an array whose '[' was consumed.
func (d *decoder) elements(fn func() error) error {
	d.skipSpace()
	if d.peek() == ']' {
		d.pos++
		return nil
	}
	for {
		d.skipSpace()
		if err := fn(); err != nil {
			return err
		}
		d.skipSpace()
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return nil
		default:
			return serialization(msgBadJSON)
		}
	}
}

// typeKey identifies an AttributeValue member name without allocating.
func typeKey(b []byte) Type {
	switch string(b) {
	case "S":
		return S
	case "N":
		return N
	case "B":
		return B
	case "BOOL":
		return BOOL
	case "NULL":
		return NULL
	case "M":
		return M
	case "L":
		return L
	case "SS":
		return SS
	case "NS":
		return NS
	case "BS":
		return BS
	}
	return typeNone
}

// value decodes one AttributeValue object nested depth levels deep.
func (d *decoder) value(depth int) (Value, error) {
	if depth > MaxDepth {
		return Value{}, validation(msgNesting)
	}
	d.skipSpace()
	if d.peek() != '{' {
		if d.peek() == '[' {
			return Value{}, serialization("Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue")
		}
		return Value{}, serialization(msgValueType)
	}
	d.pos++
	var v Value
	count := 0
	d.skipSpace()
	if d.peek() == '}' {
		d.pos++
		return Value{}, validation(msgEmptyValue)
	}
	for {
		d.skipSpace()
		if d.peek() != '"' {
			return Value{}, serialization(msgBadJSON)
		}
		key, simple, err := d.rawKey()
		if err != nil {
			return Value{}, err
		}
		t := typeNone
		if simple {
			t = typeKey(key)
		}
		d.skipSpace()
		if d.peek() != ':' {
			return Value{}, serialization(msgBadJSON)
		}
		d.pos++
		if d.isNull() || t == typeNone {
			if t == typeNone {
				if err := d.skip(0); err != nil {
					return Value{}, err
				}
			}
		} else {
			x, err := d.typed(t, depth)
			if err != nil {
				return Value{}, err
			}
			count++
			if count == 1 {
				v = x
			}
		}
		d.skipSpace()
		if d.peek() == ',' {
			d.pos++
			continue
		}
		if d.peek() == '}' {
			d.pos++
			break
		}
		return Value{}, serialization(msgBadJSON)
	}
	switch {
	case count == 0:
		return Value{}, validation(msgEmptyValue)
	case count > 1:
		return Value{}, validation(msgMultipleTypes)
	}
	return v, nil
}

// typed decodes the member of an AttributeValue that carries type t.
func (d *decoder) typed(t Type, depth int) (Value, error) {
	d.skipSpace()
	switch t {
	case S:
		s, err := d.scalarString("String")
		return scalar(S, s), err
	case N:
		s, err := d.scalarString("String")
		if err != nil {
			return Value{}, err
		}
		c, err := CanonicalNumber(s)
		return scalar(N, c), err
	case B:
		b, err := d.binary()
		return scalar(B, b), err
	case BOOL, NULL:
		b, err := d.boolean()
		if err != nil {
			return Value{}, err
		}
		if t == NULL {
			if !b {
				return Value{}, validation(msgNullFalse)
			}
			return Null(), nil
		}
		return Bool(b), nil
	case SS, NS, BS:
		return d.set(t)
	case L:
		if d.peek() != '[' {
			return Value{}, serialization(d.kindMessage(msgFieldType, ""))
		}
		d.pos++
		base := len(d.sc.values)
		err := d.elements(func() error {
			if d.isNull() {
				return nil
			}
			e, err := d.value(depth + 1)
			if err != nil {
				return err
			}
			d.sc.values = append(d.sc.values, e)
			return nil
		})
		if err != nil {
			return Value{}, err
		}
		elems := make([]Value, len(d.sc.values)-base)
		copy(elems, d.sc.values[base:])
		clear(d.sc.values[base:])
		d.sc.values = d.sc.values[:base]
		return listOwned(elems), nil
	case M:
		if d.peek() != '{' {
			return Value{}, serialization(d.kindMessage(msgFieldType, msgMapCollection))
		}
		d.pos++
		base := len(d.sc.entries)
		err := d.members(func(name string) error {
			if d.isNull() {
				return nil
			}
			e, err := d.value(depth + 1)
			if err != nil {
				return err
			}
			d.sc.entries = append(d.sc.entries, entry{name, e})
			return nil
		})
		if err != nil {
			return Value{}, err
		}
		return mapSorted(d.takeEntries(base)), nil
	}
	return Value{}, serialization(msgBadJSON)
}

// set decodes the list of an SS, NS or BS member.
func (d *decoder) set(t Type) (Value, error) {
	if d.peek() != '[' {
		return Value{}, serialization(d.kindMessage(msgFieldType, ""))
	}
	d.pos++
	base := len(d.sc.strs)
	err := d.elements(func() error {
		if d.isNull() {
			return nil
		}
		var s string
		var err error
		switch t {
		case SS:
			s, err = d.scalarString("String")
		case NS:
			s, err = d.scalarString("String")
			if err == nil {
				s, err = CanonicalNumber(s)
			}
		case BS:
			s, err = d.binary()
		}
		d.sc.strs = append(d.sc.strs, s)
		return err
	})
	if err != nil {
		return Value{}, err
	}
	members := make([]string, len(d.sc.strs)-base)
	copy(members, d.sc.strs[base:])
	clear(d.sc.strs[base:])
	d.sc.strs = d.sc.strs[:base]
	if len(members) == 0 {
		switch t {
		case SS:
			return Value{}, validation(msgEmptySS)
		case NS:
			return Value{}, validation(msgEmptyNS)
		default:
			return Value{}, validation(msgEmptyBS)
		}
	}
	if hasDuplicate(members) {
		switch t {
		case SS:
			return Value{}, validation("One or more parameter values were invalid: Input collection " + listText(members, false) + " contains duplicates.")
		case NS:
			return Value{}, validation(msgNSDuplicates)
		default:
			return Value{}, validation("One or more parameter values were invalid: Input collection " + listText(members, true) + "of type BS contains duplicates.")
		}
	}
	return setOwned(t, members), nil
}

// listText renders set members the way DynamoDB's messages do: [a, b].
func listText(members []string, binary bool) string {
	b := []byte{'['}
	for i, m := range members {
		if i > 0 {
			b = append(b, ',', ' ')
		}
		if binary {
			b = base64.StdEncoding.AppendEncode(b, []byte(m))
		} else {
			b = append(b, m...)
		}
	}
	return string(append(b, ']'))
}

func hasDuplicate(ss []string) bool {
	if len(ss) <= 16 {
		for i := 1; i < len(ss); i++ {
			for j := 0; j < i; j++ {
				if ss[i] == ss[j] {
					return true
				}
			}
		}
		return false
	}
	seen := make(map[string]struct{}, len(ss))
	for _, s := range ss {
		if _, ok := seen[s]; ok {
			return true
		}
		seen[s] = struct{}{}
	}
	return false
}

// kindMessage words a JSON-type mismatch for a member whose model type is
// a list or map; collection is used when the JSON holds an array.
func (d *decoder) kindMessage(scalar, collection string) string {
	switch d.peek() {
	case '{':
		return msgStartStructure
	case '[':
		if collection != "" {
			return collection
		}
		return msgFieldType
	}
	return scalar
}

// jsonKind names the JSON token at pos the way the AWS JSON reader does.
func (d *decoder) jsonKind() string {
	switch c := d.peek(); {
	case c == 't':
		return "TRUE_VALUE"
	case c == 'f':
		return "FALSE_VALUE"
	case c == '-' || (c >= '0' && c <= '9'):
		for i := d.pos; i < len(d.data); i++ {
			switch d.data[i] {
			case '.', 'e', 'E':
				return "DECIMAL_VALUE"
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return "NUMBER_VALUE"
			}
		}
		return "NUMBER_VALUE"
	}
	return "VALUE"
}

// scalarString reads a JSON string for a member of model type String.
func (d *decoder) scalarString(model string) (string, error) {
	switch d.peek() {
	case '"':
		return d.str()
	case '{':
		return "", serialization(msgStartStructure)
	case '[':
		return "", serialization("Unrecognized collection type class java.lang." + model)
	}
	return "", serialization(d.jsonKind() + " cannot be converted to " + model)
}

// binary reads a base64 JSON string.
func (d *decoder) binary() (string, error) {
	switch d.peek() {
	case '"':
	case '{':
		return "", serialization(msgStartStructure)
	case '[':
		return "", serialization("Unrecognized collection type class java.nio.ByteBuffer")
	default:
		return "", serialization("only base-64-encoded strings are convertible to bytes")
	}
	s, err := d.str()
	if err != nil {
		return "", err
	}
	if len(s)%4 != 0 {
		return "", serialization("Base64 encoded length is expected a multiple of 4 bytes but found: " + strconv.Itoa(len(s)))
	}
	var stack [256]byte
	buf := stack[:]
	if n := base64.StdEncoding.DecodedLen(len(s)); n > len(buf) {
		buf = make([]byte, n)
	}
	n, err := base64.StdEncoding.Strict().Decode(buf, []byte(s))
	if err != nil {
		return "", serialization("Invalid last non-pad Base64 character dectected")
	}
	return string(buf[:n]), nil
}

// boolean reads a JSON true/false for a member of model type Boolean.
func (d *decoder) boolean() (bool, error) {
	rest := d.data[d.pos:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		d.pos += 4
		return true, nil
	case len(rest) >= 5 && string(rest[:5]) == "false":
		d.pos += 5
		return false, nil
	}
	switch d.peek() {
	case '"':
		return false, serialization(msgBadJSON)
	case '{':
		return false, serialization(msgStartStructure)
	case '[':
		return false, serialization("Unrecognized collection type class java.lang.Boolean")
	}
	return false, serialization(d.jsonKind() + " cannot be converted to Boolean")
}

// rawKey returns the bytes of a member name when it has no escapes (the
// common case, compared without allocating); otherwise it decodes it.
func (d *decoder) rawKey() ([]byte, bool, error) {
	start := d.pos + 1
	for i := start; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			d.pos = i + 1
			return d.data[start:i], true, nil
		case c == '\\' || c < 0x20:
			_, err := d.str()
			return nil, false, err
		}
	}
	return nil, false, serialization(msgBadJSON)
}

// str decodes the JSON string at pos (which holds '"').
func (d *decoder) str() (string, error) {
	start := d.pos + 1
	ascii := true
	for i := start; i < len(d.data); i++ {
		c := d.data[i]
		if c == '"' {
			d.pos = i + 1
			if ascii {
				return string(d.data[start:i]), nil
			}
			return validString(string(d.data[start:i])), nil
		}
		if c == '\\' {
			return d.slowStr(start)
		}
		if c < 0x20 {
			return "", serialization(msgBadJSON)
		}
		if c >= 0x80 {
			ascii = false
		}
	}
	return "", serialization(msgBadJSON)
}

// slowStr decodes a string with escapes.
func (d *decoder) slowStr(start int) (string, error) {
	buf := make([]byte, 0, 64)
	i := start
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return validString(string(buf)), nil
		case c < 0x20:
			return "", serialization(msgBadJSON)
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		i++
		if i >= len(d.data) {
			break
		}
		switch e := d.data[i]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
			i++
		case 'b':
			buf = append(buf, '\b')
			i++
		case 'f':
			buf = append(buf, '\f')
			i++
		case 'n':
			buf = append(buf, '\n')
			i++
		case 'r':
			buf = append(buf, '\r')
			i++
		case 't':
			buf = append(buf, '\t')
			i++
		case 'u':
			r, ok := hex4(d.data, i+1)
			if !ok {
				return "", serialization(msgBadJSON)
			}
			i += 5
			if utf16.IsSurrogate(r) {
				r2, ok2 := rune(0), false
				if i+1 < len(d.data) && d.data[i] == '\\' && d.data[i+1] == 'u' {
					r2, ok2 = hex4(d.data, i+2)
				}
				if ok2 {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", serialization(msgBadJSON)
		}
	}
	return "", serialization(msgBadJSON)
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// skip passes over any JSON value (members we do not know are ignored, as
// AWS's model-driven reader does).
func (d *decoder) skip(depth int) error {
	if depth > 512 {
		return serialization(msgBadJSON)
	}
	d.skipSpace()
	switch c := d.peek(); {
	case c == '"':
		_, err := d.str()
		return err
	case c == '{':
		d.pos++
		return d.members(func(string) error { return d.skip(depth + 1) })
	case c == '[':
		d.pos++
		return d.elements(func() error { return d.skip(depth + 1) })
	case c == 't' || c == 'f' || c == 'n' || c == '-' || (c >= '0' && c <= '9'):
		start := d.pos
		for d.pos < len(d.data) {
			switch d.data[d.pos] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				if d.pos == start {
					return serialization(msgBadJSON)
				}
				return nil
			}
			d.pos++
		}
		return nil
	}
	return serialization(msgBadJSON)
}

// AppendItem appends the JSON encoding of it (attribute names in sorted
// order, numbers as strings, binary as base64), as DynamoDB returns items.
func AppendItem(dst []byte, it Item) []byte {
	var stack [32]string
	names := stack[:0]
	for k := range it {
		names = append(names, k)
	}
	sort.Strings(names)
	dst = append(dst, '{')
	for i, k := range names {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = awsproto.AppendJSONString(dst, k)
		dst = append(dst, ':')
		dst = AppendValue(dst, it[k])
	}
	return append(dst, '}')
}

// AppendValue appends the JSON encoding of one attribute value.
func AppendValue(dst []byte, v Value) []byte {
	switch v.Type() {
	case S:
		dst = append(dst, `{"S":`...)
		dst = awsproto.AppendJSONString(dst, v.s)
	case N:
		dst = append(dst, `{"N":"`...)
		dst = append(dst, v.s...)
		dst = append(dst, '"')
	case B:
		dst = append(dst, `{"B":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, []byte(v.s))
		dst = append(dst, '"')
	case BOOL:
		if v.s != "" {
			return append(dst, `{"BOOL":true}`...)
		}
		return append(dst, `{"BOOL":false}`...)
	case NULL:
		return append(dst, `{"NULL":true}`...)
	case SS, NS:
		if v.Type() == SS {
			dst = append(dst, `{"SS":[`...)
		} else {
			dst = append(dst, `{"NS":[`...)
		}
		for i, m := range v.a.strs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = awsproto.AppendJSONString(dst, m)
		}
		dst = append(dst, ']')
	case BS:
		dst = append(dst, `{"BS":[`...)
		for i, m := range v.a.strs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '"')
			dst = base64.StdEncoding.AppendEncode(dst, []byte(m))
			dst = append(dst, '"')
		}
		dst = append(dst, ']')
	case L:
		dst = append(dst, `{"L":[`...)
		for i, e := range v.a.vals {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendValue(dst, e)
		}
		dst = append(dst, ']')
	case M:
		dst = append(dst, `{"M":{`...)
		for i, k := range v.a.strs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = awsproto.AppendJSONString(dst, k)
			dst = append(dst, ':')
			dst = AppendValue(dst, v.a.vals[i])
		}
		dst = append(dst, '}')
	default:
		return append(dst, "null"...)
	}
	return append(dst, '}')
}

// AppendValues appends a JSON object of named values (an item, a key, an
// ExpressionAttributeValues map).
func AppendValues(dst []byte, m map[string]Value) []byte { return AppendItem(dst, Item(m)) }
