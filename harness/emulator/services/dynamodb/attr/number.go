package attr

import (
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// DynamoDB's number limits.
const (
	maxDigits   = 38
	maxExponent = 125  // largest power of ten of the leading digit
	minExponent = -130 // smallest power of ten of the leading digit
)

// Number validation messages, as DynamoDB words them.
const (
	msgNotNumeric = "The parameter cannot be converted to a numeric value"
	msgOverflow   = "Number overflow. Attempting to store a number with magnitude larger than supported range"
	msgUnderflow  = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
	msgPrecision  = "Attempting to store more than 38 significant digits in a Number"
)

// CanonicalNumber validates s as a DynamoDB number and returns it the way
// DynamoDB returns it: plain notation, no exponent, no leading zeros, no
// trailing fractional zeros, no sign on zero ("1.50" → "1.5", "1e2" → "100").
func CanonicalNumber(s string) (string, error) {
	var buf [192]byte
	out, err := canonicalNumber(buf[:0], s)
	if err != nil {
		return "", err
	}
	if string(out) == s {
		return s, nil // already canonical: no allocation
	}
	return string(out), nil
}

// canonicalNumber appends the canonical text of s to dst. The work is
// done on the digit string, exactly (no floating point).
func canonicalNumber(dst []byte, s string) ([]byte, error) {
	if s == "" {
		return nil, awsproto.ErrValidation.New(msgNotNumeric)
	}
	bad := func() ([]byte, error) {
		return nil, awsproto.ErrValidation.New(msgNotNumeric + ": " + s)
	}
	i := 0
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		i++
	}
	// Mantissa: digits with at most one point. firstSig/lastSig index the
	// significant digits in s; pointDigits counts digits before the point.
	nDigits, pointDigits := 0, -1
	firstSig, lastSig := -1, -1
	sigBefore := 0 // significant digits seen before the point (incl. zeros after first)
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if pointDigits >= 0 {
				return bad()
			}
			pointDigits = nDigits
			continue
		}
		if c < '0' || c > '9' {
			break
		}
		nDigits++
		if c != '0' {
			if firstSig < 0 {
				firstSig = i
			}
			lastSig = i
		}
		if firstSig >= 0 && pointDigits < 0 {
			sigBefore++
		}
	}
	if nDigits == 0 {
		return bad()
	}
	if pointDigits < 0 {
		pointDigits = nDigits
	}
	// Exponent.
	exp := 0
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return bad()
		}
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return bad()
		}
		for ; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return bad()
			}
			if exp < 1_000_000 { // beyond this only over/underflow matters
				exp = exp*10 + int(c-'0')
			}
		}
		if eneg {
			exp = -exp
		}
	}
	if firstSig < 0 {
		return append(dst, '0'), nil
	}
	// Collect the significant digits (without the point).
	var dbuf [80]byte
	digits := dbuf[:0]
	for j := firstSig; j <= lastSig; j++ {
		if s[j] != '.' {
			digits = append(digits, s[j])
			if len(digits) > 64 {
				break // already too precise; keep counting cheaply below
			}
		}
	}
	sig := 0
	for j := firstSig; j <= lastSig; j++ {
		if s[j] != '.' {
			sig++
		}
	}
	// Power of ten of the leading significant digit.
	var lead int
	if sigBefore > 0 {
		lead = sigBefore - 1 + exp
	} else {
		// Leading digit is after the point: count zeros between point and it.
		zeros := 0
		seenPoint := false
		for j := 0; j < firstSig; j++ {
			if s[j] == '.' {
				seenPoint = true
			} else if seenPoint {
				zeros++
			}
		}
		lead = -zeros - 1 + exp
	}
	if lead > maxExponent {
		return nil, awsproto.ErrValidation.New(msgOverflow)
	}
	if lead < minExponent {
		return nil, awsproto.ErrValidation.New(msgUnderflow)
	}
	if sig > maxDigits {
		return nil, awsproto.ErrValidation.New(msgPrecision)
	}
	return appendPlain(dst, neg, digits, lead), nil
}

// appendPlain writes ±d.ddd×10^lead in plain notation.
func appendPlain(dst []byte, neg bool, digits []byte, lead int) []byte {
	if neg {
		dst = append(dst, '-')
	}
	switch {
	case lead < 0:
		dst = append(dst, '0', '.')
		for z := 0; z < -lead-1; z++ {
			dst = append(dst, '0')
		}
		dst = append(dst, digits...)
	case lead >= len(digits)-1:
		dst = append(dst, digits...)
		for z := 0; z < lead-(len(digits)-1); z++ {
			dst = append(dst, '0')
		}
	default:
		dst = append(dst, digits[:lead+1]...)
		dst = append(dst, '.')
		dst = append(dst, digits[lead+1:]...)
	}
	return dst
}

// compareNumbers orders two canonical numbers without parsing them.
func compareNumbers(a, b string) int {
	an, bn := strings.HasPrefix(a, "-"), strings.HasPrefix(b, "-")
	if an != bn {
		if an {
			return -1
		}
		return 1
	}
	if an {
		return -compareMagnitudes(a[1:], b[1:])
	}
	return compareMagnitudes(a, b)
}

// compareMagnitudes orders two canonical non-negative numbers: the integer
// part has no leading zeros (or is "0"), the fraction no trailing zeros.
func compareMagnitudes(a, b string) int {
	ai, af, _ := strings.Cut(a, ".")
	bi, bf, _ := strings.Cut(b, ".")
	if len(ai) != len(bi) {
		if len(ai) < len(bi) {
			return -1
		}
		return 1
	}
	if c := strings.Compare(ai, bi); c != 0 {
		return c
	}
	return strings.Compare(af, bf)
}

// numberSize is DynamoDB's storage size of a canonical number: one byte
// per two significant digits (aligned on the decimal point), plus one, plus
// one for negatives.
func numberSize(s string) int {
	neg := false
	if strings.HasPrefix(s, "-") {
		neg = true
		s = s[1:]
	}
	if s == "0" {
		return 1
	}
	intPart, frac, _ := strings.Cut(s, ".")
	var digits string
	var lead int
	if intPart != "0" {
		lead = len(intPart) - 1
		digits = strings.TrimRight(intPart+frac, "0")
	} else {
		t := strings.TrimLeft(frac, "0")
		lead = -(len(frac) - len(t)) - 1
		digits = t
	}
	n := len(digits)
	size := 1 + (n+1)/2
	if n%2 == 0 && lead%2 == 0 {
		size++
	}
	if neg {
		size++
	}
	return size
}

// decimalContext computes sums exactly; the result is then validated like
// any stored number (so a 39-digit sum fails as DynamoDB does).
var decimalContext = apd.Context{
	Precision:   300, // exact across the whole range; validation rounds nothing
	MaxExponent: apd.MaxExponent,
	MinExponent: apd.MinExponent,
	Traps:       apd.DefaultTraps,
	Rounding:    apd.RoundHalfEven,
}

// AddNumbers returns a+b (or a-b when subtract) for canonical numbers,
// validated against DynamoDB's range.
func AddNumbers(a, b Value, subtract bool) (Value, error) {
	var x, y, z apd.Decimal
	if _, _, err := x.SetString(a.s); err != nil {
		return Value{}, awsproto.ErrValidation.New(msgNotNumeric + ": " + a.s)
	}
	if _, _, err := y.SetString(b.s); err != nil {
		return Value{}, awsproto.ErrValidation.New(msgNotNumeric + ": " + b.s)
	}
	ctx := decimalContext
	var cond apd.Condition
	var err error
	if subtract {
		cond, err = ctx.Sub(&z, &x, &y)
	} else {
		cond, err = ctx.Add(&z, &x, &y)
	}
	if err != nil {
		return Value{}, awsproto.ErrValidation.New(msgOverflow)
	}
	if cond.Inexact() {
		return Value{}, awsproto.ErrValidation.New(msgPrecision)
	}
	text := z.Text('f')
	c, verr := CanonicalNumber(text)
	if verr != nil {
		return Value{}, verr
	}
	return number(c), nil
}

// Int returns the N value of an integer (canonical by construction).
func Int(n int) Value { return number(strconv.Itoa(n)) }
