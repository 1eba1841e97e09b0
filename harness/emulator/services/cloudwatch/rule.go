package cloudwatch

import (
	"strings"
)

// A composite alarm's AlarmRule: ALARM(name), OK(name) and
// INSUFFICIENT_DATA(name) (a name or an alarm ARN, bare or in double
// quotes), TRUE, FALSE, NOT, AND, OR (AND binds tighter) and parentheses.

type ruleNode struct {
	op    byte // 'a' and, 'o' or, 'n' not, 's' state check, 'c' constant
	kids  []*ruleNode
	state string // for 's': the state checked
	alarm string // for 's': the alarm's name
	val   bool   // for 'c'
}

// maxRuleDepth bounds nesting (the rule is at most 10,240 characters).
const maxRuleDepth = 200

type ruleParser struct {
	src   string
	pos   int
	depth int
}

type ruleError string

func (e ruleError) Error() string { return string(e) }

// parseRule parses an alarm rule; names are alarm names (ARNs reduced to
// their name).
func parseRule(src string) (*ruleNode, error) {
	p := &ruleParser{src: src}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos < len(p.src) {
		return nil, ruleError("unexpected '" + p.rest() + "' at position " + itoa(p.pos+1))
	}
	return n, nil
}

func (p *ruleParser) rest() string {
	r := p.src[p.pos:]
	if len(r) > 20 {
		r = r[:20]
	}
	return r
}

func (p *ruleParser) space() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

// word reads a keyword (letters and underscores) without consuming it.
func (p *ruleParser) word() string {
	p.space()
	i := p.pos
	for i < len(p.src) && (p.src[i] >= 'A' && p.src[i] <= 'Z' || p.src[i] >= 'a' && p.src[i] <= 'z' || p.src[i] == '_') {
		i++
	}
	return p.src[p.pos:i]
}

func (p *ruleParser) or() (*ruleNode, error) {
	n, err := p.and()
	if err != nil {
		return nil, err
	}
	for strings.EqualFold(p.word(), "OR") {
		p.pos += 2
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		n = &ruleNode{op: 'o', kids: []*ruleNode{n, r}}
	}
	return n, nil
}

func (p *ruleParser) and() (*ruleNode, error) {
	n, err := p.unary()
	if err != nil {
		return nil, err
	}
	for strings.EqualFold(p.word(), "AND") {
		p.pos += 3
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		n = &ruleNode{op: 'a', kids: []*ruleNode{n, r}}
	}
	return n, nil
}

func (p *ruleParser) unary() (*ruleNode, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxRuleDepth {
		return nil, ruleError("the rule is nested too deeply")
	}
	w := p.word()
	switch strings.ToUpper(w) {
	case "NOT":
		p.pos += 3
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &ruleNode{op: 'n', kids: []*ruleNode{n}}, nil
	case "TRUE", "FALSE":
		p.pos += len(w)
		return &ruleNode{op: 'c', val: strings.EqualFold(w, "TRUE")}, nil
	case "ALARM", "OK", "INSUFFICIENT_DATA":
		p.pos += len(w)
		name, err := p.argument()
		if err != nil {
			return nil, err
		}
		return &ruleNode{op: 's', state: strings.ToUpper(w), alarm: name}, nil
	case "":
		if p.pos < len(p.src) && p.src[p.pos] == '(' {
			p.pos++
			n, err := p.or()
			if err != nil {
				return nil, err
			}
			p.space()
			if p.pos >= len(p.src) || p.src[p.pos] != ')' {
				return nil, ruleError("missing ')' at position " + itoa(p.pos+1))
			}
			p.pos++
			return n, nil
		}
	}
	if p.pos >= len(p.src) {
		return nil, ruleError("unexpected end of the rule")
	}
	return nil, ruleError("unexpected '" + p.rest() + "' at position " + itoa(p.pos+1))
}

// argument reads "(name)" or "(\"name\")".
func (p *ruleParser) argument() (string, error) {
	p.space()
	if p.pos >= len(p.src) || p.src[p.pos] != '(' {
		return "", ruleError("missing '(' at position " + itoa(p.pos+1))
	}
	p.pos++
	p.space()
	var name string
	if p.pos < len(p.src) && p.src[p.pos] == '"' {
		end := strings.IndexByte(p.src[p.pos+1:], '"')
		if end < 0 {
			return "", ruleError("unterminated quoted alarm name")
		}
		name = p.src[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
	} else {
		end := strings.IndexAny(p.src[p.pos:], ") \t\r\n(")
		if end < 0 {
			end = len(p.src) - p.pos
		}
		name = p.src[p.pos : p.pos+end]
		p.pos += end
	}
	p.space()
	if p.pos >= len(p.src) || p.src[p.pos] != ')' {
		return "", ruleError("missing ')' at position " + itoa(p.pos+1))
	}
	p.pos++
	if name == "" {
		return "", ruleError("empty alarm name")
	}
	if strings.HasPrefix(name, "arn:") {
		parts := strings.SplitN(name, ":", 7)
		if len(parts) != 7 || parts[2] != "cloudwatch" || parts[5] != "alarm" || parts[6] == "" {
			return "", ruleError("invalid alarm ARN " + name)
		}
		name = parts[6]
	}
	return name, nil
}

// eval evaluates the rule with the states of alarms.
func (n *ruleNode) eval(state func(name string) string) bool {
	switch n.op {
	case 'a':
		return n.kids[0].eval(state) && n.kids[1].eval(state)
	case 'o':
		return n.kids[0].eval(state) || n.kids[1].eval(state)
	case 'n':
		return !n.kids[0].eval(state)
	case 's':
		return state(n.alarm) == n.state
	}
	return n.val
}

// alarms appends the names the rule refers to, once each.
func (n *ruleNode) alarms(out []string) []string {
	if n.op == 's' {
		for _, x := range out {
			if x == n.alarm {
				return out
			}
		}
		return append(out, n.alarm)
	}
	for _, k := range n.kids {
		out = k.alarms(out)
	}
	return out
}
