package secretsmanager

import (
	"crypto/rand"
	"strings"
)

// Character classes of GetRandomPassword, as AWS defines them.
const (
	lowerChars       = "abcdefghijklmnopqrstuvwxyz"
	upperChars       = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digitChars       = "0123456789"
	punctuationChars = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)

// PasswordSpec is a validated GetRandomPassword request.
type PasswordSpec struct {
	Length                                     int
	Exclude                                    string
	NoNumbers, NoPunctuation, NoUpper, NoLower bool
	Space                                      bool
	EachType                                   bool // at least one character of every included class
}

// RandomPassword draws a password from crypto/rand: passwords are the one
// thing here that must not be predictable, even in tests.
func RandomPassword(p PasswordSpec) (string, error) {
	var classes []string
	add := func(skip bool, chars string) {
		if skip {
			return
		}
		kept := strings.Map(func(r rune) rune {
			if strings.ContainsRune(p.Exclude, r) {
				return -1
			}
			return r
		}, chars)
		if kept != "" {
			classes = append(classes, kept)
		}
	}
	add(p.NoLower, lowerChars)
	add(p.NoUpper, upperChars)
	add(p.NoNumbers, digitChars)
	add(p.NoPunctuation, punctuationChars)
	add(!p.Space, " ")
	if len(classes) == 0 {
		return "", errInvalidParameter.New("The password must contain at least one character type.")
	}
	if p.EachType && p.Length < len(classes) {
		return "", errInvalidParameter.New("Password length is too short based on the required types.")
	}
	all := strings.Join(classes, "")
	out := make([]byte, p.Length)
	i := 0
	if p.EachType {
		for _, c := range classes {
			out[i] = c[uniform(len(c))]
			i++
		}
	}
	for ; i < len(out); i++ {
		out[i] = all[uniform(len(all))]
	}
	// Shuffle so the guaranteed characters are not always in front.
	for j := len(out) - 1; j > 0; j-- {
		k := uniform(j + 1)
		out[j], out[k] = out[k], out[j]
	}
	return string(out), nil
}

// uniform returns an unbiased random integer in [0, n), n ≤ 4097.
func uniform(n int) int {
	limit := 65536 - 65536%n
	var b [2]byte
	for {
		_, _ = rand.Read(b[:])
		v := int(b[0])<<8 | int(b[1])
		if v < limit {
			return v % n
		}
	}
}
