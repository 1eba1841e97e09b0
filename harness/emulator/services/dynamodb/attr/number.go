package attr

import (
	"math/big"
	"strconv"
	"strings"

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

// AddNumbers returns a+b (or a-b when subtract) for canonical numbers,
// validated against DynamoDB's range. The sum is exact: both are read as
// integers scaled to the longer fraction (at most 131 + 126 digits), then
// validated like any stored number, so a 39-digit sum fails as DynamoDB
// does.
func AddNumbers(a, b Value, subtract bool) (Value, error) {
	if sum, ok := addSmall(a.s, b.s, subtract); ok {
		return number(sum), nil
	}
	return addBig(a, b, subtract)
}

// addBig is AddNumbers on big integers, for any two numbers.
func addBig(a, b Value, subtract bool) (Value, error) {
	x, xScale, ok := scaledInt(a.s)
	if !ok {
		return Value{}, awsproto.ErrValidation.New(msgNotNumeric + ": " + a.s)
	}
	y, yScale, ok := scaledInt(b.s)
	if !ok {
		return Value{}, awsproto.ErrValidation.New(msgNotNumeric + ": " + b.s)
	}
	scale := max(xScale, yScale)
	x.Mul(x, pow10(scale-xScale))
	y.Mul(y, pow10(scale-yScale))
	if subtract {
		x.Sub(x, y)
	} else {
		x.Add(x, y)
	}
	c, err := CanonicalNumber(formatScaled(x, scale))
	if err != nil {
		return Value{}, err
	}
	return number(c), nil
}

// maxSmallDigits keeps a scaled number and a sum of two in an int64.
const maxSmallDigits = 18

// addSmall adds canonical numbers that fit an int64 at their common scale
// (counters, amounts) without big integers; the sum needs no validation
// (at most 19 digits, exponents within ±18).
func addSmall(a, b string, subtract bool) (string, bool) {
	x, xWhole, xScale, ok := smallScaled(a)
	if !ok {
		return "", false
	}
	y, yWhole, yScale, ok := smallScaled(b)
	if !ok {
		return "", false
	}
	scale := max(xScale, yScale)
	if max(xWhole, yWhole)+scale > maxSmallDigits {
		return "", false
	}
	for ; xScale < scale; xScale++ {
		x *= 10
	}
	for ; yScale < scale; yScale++ {
		y *= 10
	}
	if subtract {
		y = -y
	}
	var buf [48]byte
	return string(appendScaled(buf[:0], x+y, scale)), true
}

// smallScaled reads a canonical number of at most maxSmallDigits digits
// as an integer, the digits of its whole part and its scale.
func smallScaled(s string) (v int64, whole, scale int, ok bool) {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	if len(s) == 0 || len(s) > maxSmallDigits+1 {
		return 0, 0, 0, false
	}
	whole = len(s)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			v = v*10 + int64(c-'0')
		case c == '.' && whole == len(s):
			whole, scale = i, len(s)-i-1
		default:
			return 0, 0, 0, false
		}
	}
	if whole+scale > maxSmallDigits {
		return 0, 0, 0, false
	}
	if neg {
		v = -v
	}
	return v, whole, scale, true
}

// appendScaled writes v×10^-scale in canonical form.
func appendScaled(dst []byte, v int64, scale int) []byte {
	if v == 0 {
		return append(dst, '0')
	}
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	var dbuf [24]byte
	digits := strconv.AppendInt(dbuf[:0], v, 10)
	for scale > 0 && digits[len(digits)-1] == '0' {
		digits, scale = digits[:len(digits)-1], scale-1
	}
	if scale == 0 {
		return append(dst, digits...)
	}
	if len(digits) <= scale {
		dst = append(dst, '0', '.')
		for z := len(digits); z < scale; z++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[:len(digits)-scale]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-scale:]...)
}

// scaledInt reads a number in plain notation ("-12.345") as an integer
// and its scale (-12345, 3).
func scaledInt(s string) (*big.Int, int, bool) {
	c, err := CanonicalNumber(s)
	if err != nil {
		return nil, 0, false
	}
	whole, frac, _ := strings.Cut(c, ".")
	z, ok := new(big.Int).SetString(whole+frac, 10)
	return z, len(frac), ok
}

var bigTen = big.NewInt(10)

func pow10(n int) *big.Int {
	if n == 0 {
		return big.NewInt(1)
	}
	return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil)
}

// formatScaled writes z×10^-scale in plain notation.
func formatScaled(z *big.Int, scale int) string {
	digits := new(big.Int).Abs(z).String()
	sign := ""
	if z.Sign() < 0 {
		sign = "-"
	}
	if scale == 0 {
		return sign + digits
	}
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	return sign + digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
}

// Int returns the N value of an integer (canonical by construction).
func Int(n int) Value { return number(strconv.Itoa(n)) }
