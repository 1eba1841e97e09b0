package dynamodb

import (
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// keyDef is the key schema of a table or index: a hash attribute and an
// optional range attribute, each with its declared scalar type.
type keyDef struct {
	hash, rng   string
	hashT, rngT attr.Type
}

func (k keyDef) hasRange() bool { return k.rng != "" }

// names returns the key attribute names, hash first.
func (k keyDef) names() []string {
	if k.rng == "" {
		return []string{k.hash}
	}
	return []string{k.hash, k.rng}
}

// has reports whether name is one of the key attributes.
func (k keyDef) has(name string) bool { return name == k.hash || (k.rng != "" && name == k.rng) }

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
