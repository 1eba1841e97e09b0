package partiql

import "strings"

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tQuoted // "identifier"
	tString // 'string'
	tNumber
	tPunct
)

type token struct {
	kind tokKind
	text string
}

func (t token) desc() string {
	switch t.kind {
	case tEOF:
		return "end of statement"
	case tString:
		return "'" + t.text + "'"
	case tQuoted:
		return `"` + t.text + `"`
	}
	return t.text
}

// lex splits a statement into tokens.
func lex(src string) ([]token, error) {
	var out []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || c == '"':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(src) {
					return nil, &Error{"Unterminated quote"}
				}
				if src[j] == c {
					if j+1 < len(src) && src[j+1] == c { // doubled quote
						b.WriteByte(c)
						j += 2
						continue
					}
					break
				}
				b.WriteByte(src[j])
				j++
			}
			kind := tString
			if c == '"' {
				kind = tQuoted
			}
			out = append(out, token{kind, b.String()})
			i = j + 1
		case c >= '0' && c <= '9' || (c == '-' || c == '+') && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9' && numberMayStart(out):
			j := i + 1
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' || src[j] == 'e' || src[j] == 'E' ||
				(src[j] == '-' || src[j] == '+') && (src[j-1] == 'e' || src[j-1] == 'E')) {
				j++
			}
			out = append(out, token{tNumber, strings.TrimPrefix(src[i:j], "+")})
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i + 1
			for j < len(src) && (src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			out = append(out, token{tIdent, src[i:j]})
			i = j
		default:
			for _, p := range []string{"<>", "!=", "<=", ">=", "<<", ">>"} {
				if strings.HasPrefix(src[i:], p) {
					out = append(out, token{tPunct, p})
					i += 2
					goto next
				}
			}
			if strings.IndexByte("=<>(),.[]{}:?*+-", c) < 0 {
				return nil, &Error{"Unexpected character: " + string(rune(c))}
			}
			out = append(out, token{tPunct, string(c)})
			i++
		next:
		}
	}
	return append(out, token{kind: tEOF}), nil
}

// numberMayStart reports whether a sign here starts a number rather than
// being an operator (after an operand it is arithmetic).
func numberMayStart(prev []token) bool {
	if len(prev) == 0 {
		return true
	}
	t := prev[len(prev)-1]
	switch t.kind {
	case tIdent, tQuoted, tString, tNumber:
		return false
	}
	return t.text != ")" && t.text != "]" && t.text != "}"
}
