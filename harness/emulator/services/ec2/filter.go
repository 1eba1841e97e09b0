package ec2

import "strings"

// Filter is one Filter.N of a Describe call: the resource matches when one
// of its values for Name matches one of Values (EC2's OR within a filter;
// filters AND together). Requests send it as Filter.N.Name and
// Filter.N.Value.M.
type Filter struct {
	Name   string
	Values []string `query:"Value"`
}

// fieldsOf returns a resource's values for a filter name; tags are handled
// by matchFilters itself.
type fieldsOf func(name string) []string

// checkFilters reports the first filter name not in known (tag filters are
// always allowed where tags is true).
func checkFilters(filters []Filter, known map[string]bool, tags bool) (bad string, ok bool) {
	for _, f := range filters {
		if known[f.Name] {
			continue
		}
		if tags && (f.Name == "tag-key" || f.Name == "tag-value" || (strings.HasPrefix(f.Name, "tag:") && len(f.Name) > 4)) {
			continue
		}
		return f.Name, false
	}
	return "", true
}

// matchFilters reports whether a resource with these fields and tags
// passes every filter.
func matchFilters(filters []Filter, fields fieldsOf, tags []Tag) bool {
	for _, f := range filters {
		var have []string
		switch {
		case f.Name == "tag-key":
			for _, t := range tags {
				have = append(have, t.Key)
			}
		case f.Name == "tag-value":
			for _, t := range tags {
				have = append(have, t.Value)
			}
		case strings.HasPrefix(f.Name, "tag:"):
			for _, t := range tags {
				if t.Key == f.Name[4:] {
					have = append(have, t.Value)
				}
			}
		default:
			have = fields(f.Name)
		}
		if !anyMatch(f.Values, have) {
			return false
		}
	}
	return true
}

func anyMatch(patterns, values []string) bool {
	for _, p := range patterns {
		for _, v := range values {
			if globMatch(p, v) {
				return true
			}
		}
	}
	return false
}

// globMatch is EC2's filter wildcard match: '*' any run, '?' one character,
// a backslash escapes the next character. It runs in O(len(p)·len(s)) at
// worst, so hostile patterns cannot blow up.
func globMatch(p, s string) bool {
	if !strings.ContainsAny(p, `*?\`) {
		return p == s
	}
	pr, sr := []rune(p), []rune(s)
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(sr) {
		if pi < len(pr) {
			c, lit := pr[pi], false
			if c == '\\' && pi+1 < len(pr) {
				c, lit = pr[pi+1], true
			}
			step := 1
			if lit {
				step = 2
			}
			switch {
			case !lit && c == '*':
				starP, starS = pi, si
				pi++
				continue
			case (!lit && c == '?') || c == sr[si]:
				pi += step
				si++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		si = starS
		pi = starP + 1
	}
	for pi < len(pr) && pr[pi] == '*' {
		pi++
	}
	return pi == len(pr)
}
