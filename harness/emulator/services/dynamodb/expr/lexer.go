package expr

import (
	"unicode/utf8"
)

// tokKind classifies a lexical token.
type tokKind uint8

const (
	tEOF    tokKind = iota
	tIdent          // attribute name, function name or keyword: [A-Za-z_][A-Za-z0-9_]*
	tName           // #name placeholder
	tValue          // :value placeholder
	tNumber         // digits (list indexes)
	tPunct          // ( ) [ ] , . = <> < <= > >= + -
	tBad            // a character the language has no use for
)

// token is one lexeme: its kind and where it sits in the source.
type token struct {
	kind       tokKind
	start, end int
}

// isIdentStart and isIdentPart are DynamoDB's identifier character classes.
func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// lex splits src into tokens; it never fails (bad characters become tBad
// tokens so the parser reports them with context). The last token is tEOF.
func lex(src string, dst []token) []token {
	i := 0
	for {
		for i < len(src) && isSpace(src[i]) {
			i++
		}
		if i >= len(src) {
			return append(dst, token{kind: tEOF, start: len(src), end: len(src)})
		}
		c := src[i]
		start := i
		switch {
		case isIdentStart(c):
			i++
			for i < len(src) && isIdentPart(src[i]) {
				i++
			}
			dst = append(dst, token{tIdent, start, i})
		case c >= '0' && c <= '9':
			i++
			for i < len(src) && src[i] >= '0' && src[i] <= '9' {
				i++
			}
			dst = append(dst, token{tNumber, start, i})
		case c == '#' || c == ':':
			i++
			for i < len(src) && isIdentPart(src[i]) {
				i++
			}
			k := tName
			if c == ':' {
				k = tValue
			}
			dst = append(dst, token{k, start, i})
		case c == '<':
			i++
			if i < len(src) && (src[i] == '=' || src[i] == '>') {
				i++
			}
			dst = append(dst, token{tPunct, start, i})
		case c == '>':
			i++
			if i < len(src) && src[i] == '=' {
				i++
			}
			dst = append(dst, token{tPunct, start, i})
		case c == '(' || c == ')' || c == '[' || c == ']' || c == ',' || c == '.' || c == '=' || c == '+' || c == '-':
			i++
			dst = append(dst, token{tPunct, start, i})
		default:
			_, size := utf8.DecodeRuneInString(src[i:])
			i += size
			dst = append(dst, token{tBad, start, i})
		}
	}
}
