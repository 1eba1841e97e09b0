package awsproto

import (
	"net/http"
	"testing"
)

// The wire strings below are the ones services answered with before the
// wording moved here; they must not drift.
func TestConstraintMessages(t *testing.T) {
	invalidParameter := Code{"InvalidParameterException", http.StatusBadRequest}
	tests := []struct {
		name string
		err  *Error
		code string
		msg  string
	}{
		{"value", Constraint(ErrValidation, "ab", "tableName", MinLength(3)), "ValidationException",
			"1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{"query code", Constraint(ErrValidationError, "x", "roleName", MaxLength(64)), "ValidationError",
			"1 validation error detected: Value 'x' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"empty value", Constraint(invalidParameter, "", "logEvents.1.member.message", MinLength(1)), "InvalidParameterException",
			"1 validation error detected: Value '' at 'logEvents.1.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"not null", NotNull(ErrValidation, "requestItems"), "ValidationException",
			"1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null"},
		{"withheld", ConstraintWithheld(ErrValidation, "secretString", MaxLength(65536)), "ValidationException",
			"1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536"},
		{"min value", Constraint(ErrValidation, "0", "limit", MinValue(1)), "ValidationException",
			"1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"max value", Constraint(ErrValidation, "901", "timeout", MaxValue(900)), "ValidationException",
			"1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900"},
		{"value between", Constraint(ErrValidation, "0", "limit", ValueBetween(1, 100)), "ValidationException",
			"1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100"},
		{"pattern", Constraint(ErrValidationError, "a b", "roleName", Pattern(`[\w+=,.@-]+`)), "ValidationError",
			`1 validation error detected: Value 'a b' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"enum", Constraint(ErrValidation, "X", "billingMode", EnumSet("PROVISIONED", "PAY_PER_REQUEST")), "ValidationException",
			"1 validation error detected: Value 'X' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"},
		{"one-value enum", Constraint(ErrValidation, "X", "m", EnumSet("A")), "ValidationException",
			"1 validation error detected: Value 'X' at 'm' failed to satisfy constraint: Member must satisfy enum value set: [A]"},
		{"quoted null", Constraint(ErrValidation, "null", "role", RuleNotNull), "ValidationException",
			"1 validation error detected: Value 'null' at 'role' failed to satisfy constraint: Member must not be null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err.Code != tt.code || tt.err.Status != http.StatusBadRequest || tt.err.Message != tt.msg {
				t.Errorf("got %s %d %q\nwant %s 400 %q", tt.err.Code, tt.err.Status, tt.err.Message, tt.code, tt.msg)
			}
		})
	}
}

func TestCheckLengthAndValue(t *testing.T) {
	tests := []struct {
		name string
		err  error
		msg  string // "" = no error
	}{
		{"length below", CheckLength(ErrValidationError, "a", "roleSessionName", 2, 64),
			"1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{"length above", CheckLength(ErrValidationError, "abcd", "tokenCode", 1, 3),
			"1 validation error detected: Value 'abcd' at 'tokenCode' failed to satisfy constraint: Member must have length less than or equal to 3"},
		{"length at min", CheckLength(ErrValidationError, "ab", "f", 2, 3), ""},
		{"length at max", CheckLength(ErrValidationError, "abc", "f", 2, 3), ""},
		{"length counts bytes", CheckLength(ErrValidationError, "é", "f", 0, 1),
			"1 validation error detected: Value 'é' at 'f' failed to satisfy constraint: Member must have length less than or equal to 1"},
		{"empty allowed", CheckLength(ErrValidationError, "", "description", 0, 1000), ""},
		{"value below", CheckValue(ErrValidation, -1, "durationSeconds", 900, 3600),
			"1 validation error detected: Value '-1' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"value above", CheckValue(ErrValidation, 3601, "durationSeconds", 900, 3600),
			"1 validation error detected: Value '3601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 3600"},
		{"value at bounds", CheckValue(ErrValidation, 900, "durationSeconds", 900, 900), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.msg == "" {
				// A nil *Error in a non-nil error would read as a failure.
				if tt.err != nil {
					t.Fatalf("got %v, want nil", tt.err)
				}
				return
			}
			e, ok := tt.err.(*Error)
			if !ok || e.Message != tt.msg || e.Status != http.StatusBadRequest {
				t.Fatalf("got %#v, want message %q", tt.err, tt.msg)
			}
		})
	}
}
