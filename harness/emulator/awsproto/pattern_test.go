package awsproto

import (
	"strings"
	"testing"
)

// AWS's models write patterns with Java's \uXXXX escapes (IAM's paths,
// policy documents, markers); the tag keeps the model's spelling, which is
// what the message quotes, and matching uses RE2's \x{XXXX}.
type pathIn struct {
	Path *string `pattern:"(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"`
	Doc  *string `pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	Lit  *string `pattern:"a\\\\u0041"` // an escaped backslash, then "u0041"
}

func TestPatternJavaEscapes(t *testing.T) {
	s := func(v string) *string { return &v }
	for _, ok := range []pathIn{{Path: s("/")}, {Path: s("/a/b/")}, {Doc: s("{\"a\":\t\"é\"}\n")}, {Lit: s(`a\u0041`)}} {
		if err := validateTags(ErrValidationError, false, &ok); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
	err := validateTags(ErrValidationError, false, &pathIn{Path: s("no-slashes"), Doc: s("emoji 🙂"), Lit: s("aA")})
	want := `3 validation errors detected: ` +
		`Value 'no-slashes' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F); ` +
		`Value 'emoji 🙂' at 'doc' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+; ` +
		`Value 'aA' at 'lit' failed to satisfy constraint: Member must satisfy regular expression pattern: a\\u0041`
	if err == nil || err.(*Error).Message != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	for in, out := range map[string]string{
		`[a-z]+`:          `[a-z]+`,
		`\u002F`:          `\x{002F}`,
		`\\u002F`:         `\\u002F`,
		`\u00zz\u0041\`:   `\u00zz\x{0041}\`,
		`[\w+=,.@-]+`:     `[\w+=,.@-]+`,
		`x\u12`:           `x\u12`,
		`\\\u0041\\u0041`: `\\\x{0041}\\u0041`,
	} {
		if got := goPattern(in); got != out {
			t.Errorf("goPattern(%s) = %s, want %s", in, got, out)
		}
	}
	if strings.Contains(goPattern(`\u0041`), `\u`) {
		t.Fatal("escape left in")
	}
}
