package dynamodb

import (
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// keyDef is the key schema of a table or index: a hash attribute and an
// optional range attribute, each with its declared scalar type. A global
// index may name up to four of each (multi-attribute keys); then multi
// lists them all, and hash and rng name the first of each.
type keyDef struct {
	hash, rng   string
	hashT, rngT attr.Type
	multi       *multiKey // nil for the usual one-attribute key
}

// multiKey is the key of a global index whose partition or sort key names
// more than one attribute, in the order of its KeySchema.
type multiKey struct {
	hashes, ranges []keyPart
}

// keyPart is one attribute of a multi-attribute key.
type keyPart struct {
	name string
	typ  attr.Type
}

// maxKeyParts is the most partition (or sort) attributes an index key has.
const maxKeyParts = 4

func (k keyDef) hasRange() bool { return k.rng != "" }

// names returns the key attribute names, hash first.
func (k keyDef) names() []string {
	if k.multi != nil {
		out := make([]string, 0, len(k.multi.hashes)+len(k.multi.ranges))
		for _, p := range k.multi.hashes {
			out = append(out, p.name)
		}
		for _, p := range k.multi.ranges {
			out = append(out, p.name)
		}
		return out
	}
	if k.rng == "" {
		return []string{k.hash}
	}
	return []string{k.hash, k.rng}
}

// has reports whether name is one of the key attributes.
func (k keyDef) has(name string) bool {
	if k.multi != nil {
		_, ok := k.multi.typeOf(name)
		return ok
	}
	return name == k.hash || (k.rng != "" && name == k.rng)
}

// typeOf returns the declared type of key attribute name.
func (k keyDef) typeOf(name string) attr.Type {
	if k.multi != nil {
		t, _ := k.multi.typeOf(name)
		return t
	}
	if name == k.hash {
		return k.hashT
	}
	return k.rngT
}

// in reports whether an item carries every key attribute (sparse indexes
// hold only those).
func (k keyDef) in(it attr.Item) bool {
	if k.multi != nil {
		for _, n := range k.names() {
			if _, ok := it[n]; !ok {
				return false
			}
		}
		return true
	}
	if _, ok := it[k.hash]; !ok {
		return false
	}
	if k.rng != "" {
		if _, ok := it[k.rng]; !ok {
			return false
		}
	}
	return true
}

func (m *multiKey) typeOf(name string) (attr.Type, bool) {
	for _, p := range m.hashes {
		if p.name == name {
			return p.typ, true
		}
	}
	for _, p := range m.ranges {
		if p.name == name {
			return p.typ, true
		}
	}
	return attr.Type(0), false
}

// orderKeys returns the partition and sort order bytes of an item under a
// multi-attribute key, or false when the item lacks a key attribute or has
// one of another type.
func (m *multiKey) orderKeys(it attr.Item) (hk, rk string, ok bool) {
	hb, ok := appendParts(nil, m.hashes, it)
	if !ok {
		return "", "", false
	}
	rb, ok := appendParts(nil, m.ranges, it)
	if !ok {
		return "", "", false
	}
	return string(hb), string(rb), true
}

func appendParts(b []byte, parts []keyPart, it attr.Item) ([]byte, bool) {
	for _, p := range parts {
		v, ok := it[p.name]
		if !ok || v.Type() != p.typ {
			return nil, false
		}
		b = appendPart(b, v)
	}
	return b, true
}

// appendPart appends one component of a multi-attribute key so that the
// bytewise order of concatenated components is the order of the tuples:
// each 0x00 of the component's order bytes becomes 0x00 0xFF and the
// component ends with 0x00 0x01 (below any continuation of a longer value).
func appendPart(b []byte, v attr.Value) []byte {
	b = appendEscaped(b, orderBytes(v))
	return append(b, 0x00, 0x01)
}

func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			b = append(b, 0x00, 0xFF)
			continue
		}
		b = append(b, s[i])
	}
	return b
}

// orderBytes returns a string whose bytewise order is DynamoDB's order of
// key values of one type: S and B bytewise, N numerically. Equal numbers
// (1, 1.0) give equal strings because attr keeps numbers canonical.
func orderBytes(v attr.Value) string {
	if v.Type() != attr.N {
		return v.Raw()
	}
	return numberOrderBytes(v.N())
}

// numberOrderBytes encodes canonical number text so that byte order is
// numeric order. A number is 0.d1d2…dn × 10^e; zero is one byte, positives
// are 0xC0, the biased exponent, then the digits; negatives are 0x40, the
// inverted exponent, the nine's complement of the digits and 0xFF (so a
// longer negative mantissa sorts first).
func numberOrderBytes(s string) string {
	if s == "" {
		return ""
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	// Collect significant digits and the position of the decimal point.
	var digits [48]byte
	nd := 0
	exp := 0 // digits before the point, minus leading zeros after it
	seenPoint, seenSig := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			seenPoint = true
			continue
		}
		if c < '0' || c > '9' {
			break
		}
		if !seenSig && c == '0' {
			if seenPoint {
				exp--
			}
			continue
		}
		seenSig = true
		if !seenPoint {
			exp++
		}
		if nd < len(digits) {
			digits[nd] = c
			nd++
		}
	}
	for nd > 0 && digits[nd-1] == '0' {
		nd--
	}
	if nd == 0 {
		return "\x80"
	}
	out := make([]byte, 0, nd+4)
	e := uint16(exp + 0x8000)
	if !neg {
		out = append(out, 0xC0, byte(e>>8), byte(e))
		out = append(out, digits[:nd]...)
		return string(out)
	}
	e = ^e
	out = append(out, 0x40, byte(e>>8), byte(e))
	for _, d := range digits[:nd] {
		out = append(out, '9'-d+'0')
	}
	out = append(out, 0xFF)
	return string(out)
}

// fnv64 hashes a partition key; it orders partitions in Scan (as AWS scans
// in the order of its internal partition hash) and splits parallel scans.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// names returns the partition and the sort attribute names, in order.
func (m *multiKey) names() (hashes, ranges []string) {
	for _, p := range m.hashes {
		hashes = append(hashes, p.name)
	}
	for _, p := range m.ranges {
		ranges = append(ranges, p.name)
	}
	return hashes, ranges
}
