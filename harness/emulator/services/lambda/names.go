package lambda

import (
	"regexp"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// FunctionName members are checked here, not by a pattern tag: Invoke is
// the hot path and parseFunctionName splits the name it checks without a
// regular expression. Failures quote functionNamePattern, what
// parseFunctionName accepts: the model's pattern before it added the ISO
// partitions (and, for NamespacedFunctionName, dots in names).
const functionNamePattern = `(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`

// unqualifiedFunctionNamePattern is functionNamePattern without the
// qualifier, for the operations that take none.
const unqualifiedFunctionNamePattern = `(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)`

// parseFunctionName splits a FunctionName parameter (name, name:qualifier,
// partial or full ARN) without regular expressions (it is on the invoke
// path).
func parseFunctionName(s string) (region, name, qualifier string, ok bool) {
	if len(s) == 0 || len(s) > 170 {
		return "", "", "", false
	}
	if strings.IndexByte(s, ':') < 0 {
		if !isNameChars(s) {
			return "", "", "", false
		}
		return "", s, "", true
	}
	parts := strings.Split(s, ":")
	hasQualifier := false
	switch {
	case len(parts) == 2:
		name, qualifier, hasQualifier = parts[0], parts[1], true
	case parts[0] == "arn" && (len(parts) == 7 || len(parts) == 8):
		if !strings.HasPrefix(parts[1], "aws") || parts[2] != "lambda" || parts[5] != "function" || !isRegion(parts[3]) || !isAccount(parts[4]) {
			return "", "", "", false
		}
		region, name = parts[3], parts[6]
		if len(parts) == 8 {
			qualifier, hasQualifier = parts[7], true
		}
	case (len(parts) == 3 || len(parts) == 4) && parts[1] == "function" && isAccount(parts[0]):
		name = parts[2]
		if len(parts) == 4 {
			qualifier, hasQualifier = parts[3], true
		}
	default:
		return "", "", "", false
	}
	if !isNameChars(name) || (hasQualifier && qualifier != LatestVersion && !isNameChars(qualifier)) {
		return "", "", "", false
	}
	return region, name, qualifier, true
}

func isNameChars(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func isAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

var regionRE = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d$`)

func isRegion(s string) bool { return regionRE.MatchString(s) }

// target resolves a FunctionName member: the function's name, its
// qualifier (from the name or the Qualifier member) and its region (the
// ARN's, else region, the request's).
func target(raw, qualifierParam, region string) (string, string, string, error) {
	r, name, q, ok := parseFunctionName(raw)
	if !ok {
		return "", "", "", validation(raw, "functionName", awsproto.Pattern(functionNamePattern))
	}
	if qualifierParam != "" {
		if q != "" && q != qualifierParam {
			return "", "", "", errInvalidParameterValue.New("The derived qualifier from the function name does not match the specified qualifier.")
		}
		q = qualifierParam
	}
	if r != "" {
		region = r
	}
	return region, name, q, nil
}

// validation is awsproto's constraint wording with Lambda's code, for
// the rules struct tags cannot state.
func validation(value, member, rule string) *awsproto.Error {
	return awsproto.Constraint(errValidation, value, member, rule)
}

// str is the value of an optional string member ("" when absent).
func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
