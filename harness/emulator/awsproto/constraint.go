package awsproto

import (
	"strconv"
	"strings"
)

// AWS reports a request member that breaks its model's constraints as
// "1 validation error detected: Value '<value>' at '<member>' failed to
// satisfy constraint: <rule>". The wording lives here once; the code differs
// by service (ValidationException, ValidationError, InvalidParameterException),
// so every helper takes it.

const constraintPrefix = "1 validation error detected: Value "

// Constraint is the error for a member whose value breaks rule.
func Constraint(code Code, value, field, rule string) *Error {
	return code.New(constraintPrefix + "'" + value + "' at '" + field + "' failed to satisfy constraint: " + rule)
}

// ConstraintWithheld is Constraint for a value AWS does not echo (a secret,
// a whole map or list).
func ConstraintWithheld(code Code, field, rule string) *Error {
	return code.New(constraintPrefix + "at '" + field + "' failed to satisfy constraint: " + rule)
}

// NotNull is the error for a required member that is missing.
func NotNull(code Code, field string) *Error {
	return code.New(constraintPrefix + "null at '" + field + "' failed to satisfy constraint: " + RuleNotNull)
}

// CheckLength is the Constraint error for a value whose length in bytes is
// outside [min, max], or nil.
func CheckLength(code Code, value, field string, min, max int) error {
	switch {
	case len(value) < min:
		return Constraint(code, value, field, MinLength(min))
	case len(value) > max:
		return Constraint(code, value, field, MaxLength(max))
	}
	return nil
}

// CheckValue is the Constraint error for a number outside [min, max], or nil.
func CheckValue(code Code, n int, field string, min, max int) error {
	switch {
	case n < min:
		return Constraint(code, strconv.Itoa(n), field, MinValue(min))
	case n > max:
		return Constraint(code, strconv.Itoa(n), field, MaxValue(max))
	}
	return nil
}

// RuleNotNull is the rule a missing required member breaks.
const RuleNotNull = "Member must not be null"

// MinLength is the rule "length greater than or equal to n".
func MinLength(n int) string {
	return "Member must have length greater than or equal to " + strconv.Itoa(n)
}

// MaxLength is the rule "length less than or equal to n".
func MaxLength(n int) string {
	return "Member must have length less than or equal to " + strconv.Itoa(n)
}

// MinValue is the rule "value greater than or equal to n".
func MinValue(n int) string {
	return "Member must have value greater than or equal to " + strconv.Itoa(n)
}

// MaxValue is the rule "value less than or equal to n".
func MaxValue(n int) string {
	return "Member must have value less than or equal to " + strconv.Itoa(n)
}

// ValueBetween is the rule AWS states as one range of values.
func ValueBetween(min, max int) string {
	return "Member must have value between " + strconv.Itoa(min) + " and " + strconv.Itoa(max)
}

// Pattern is the rule "match this regular expression" (as the model spells it).
func Pattern(re string) string {
	return "Member must satisfy regular expression pattern: " + re
}

// EnumSet is the rule "one of these values", in the model's order.
func EnumSet(values ...string) string {
	return "Member must satisfy enum value set: [" + strings.Join(values, ", ") + "]"
}
