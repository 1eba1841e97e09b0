package secretsmanager_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	secrets "github.com/groundstack/groundstack/harness/emulator/services/secretsmanager"
)

// ListSecrets' filters as Secrets Manager applies them (AWS's docs for the
// prefix rules and "!" negation; moto's list_secrets/filters.py, written by
// testing against AWS, for the word rules): name, tag-key and tag-value by
// case-sensitive prefix; description and all by words, case folded, where
// a name splits at its one kind of separator and at capitals, and a name
// holding two kinds of separator is one word.
func TestListSecretsFilterRules(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	for _, s := range []*sm.CreateSecretInput{
		{Name: aws.String("MyTestSecret"), Description: aws.String("Rotated by Lambda"), Tags: []types.Tag{{Key: aws.String("Owner"), Value: aws.String("TeamBlue")}}},
		{Name: aws.String("prod/db-password")},
		{Name: aws.String("app_config"), Description: aws.String("Production config"), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}},
	} {
		s.SecretString = aws.String("x")
		if _, err := c.CreateSecret(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	const a, b, cc = "MyTestSecret", "prod/db-password", "app_config"
	cases := []struct {
		key    types.FilterNameStringType
		values []string
		want   []string
	}{
		{types.FilterNameStringTypeAll, []string{"test"}, []string{a}},
		{types.FilterNameStringTypeAll, []string{"SECRET"}, []string{a}},
		{types.FilterNameStringTypeAll, []string{"lambda"}, []string{a}},
		{types.FilterNameStringTypeAll, []string{"blue"}, []string{a}},
		{types.FilterNameStringTypeAll, []string{"owner"}, []string{a}},
		{types.FilterNameStringTypeAll, []string{"prod"}, []string{b, cc}},
		{types.FilterNameStringTypeAll, []string{"db"}, nil}, // prod/db-password is one word
		{types.FilterNameStringTypeAll, []string{"config"}, []string{cc}},
		{types.FilterNameStringTypeAll, []string{"!test"}, []string{b, cc}},
		{types.FilterNameStringTypeAll, []string{"my secret"}, []string{a}},
		{types.FilterNameStringTypeDescription, []string{"production"}, []string{cc}},
		{types.FilterNameStringTypeDescription, []string{"lambda rotated"}, []string{a}},
		{types.FilterNameStringTypeDescription, []string{"!lambda"}, []string{b, cc}},
		{types.FilterNameStringTypeName, []string{"My"}, []string{a}},
		{types.FilterNameStringTypeName, []string{"my"}, nil},
		{types.FilterNameStringTypeName, []string{"!prod"}, []string{a, cc}},
		{types.FilterNameStringTypeTagKey, []string{"Own"}, []string{a}},
		{types.FilterNameStringTypeTagValue, []string{"Team"}, []string{a}},
		{types.FilterNameStringTypeTagValue, []string{"team"}, nil},
	}
	for _, tc := range cases {
		got := listNames(t, c, &sm.ListSecretsInput{Filters: []types.Filter{{Key: tc.key, Values: tc.values}}})
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s %q: got %v, want %v", tc.key, tc.values, got, tc.want)
		}
	}
}

func TestSecretWords(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"MyTestSecret": "My,Test,Secret", "prod/db-password": "prod/db-password", "app_config": "app,config",
		"My Prod database": "My,Prod,database", "svc/00": "svc,00", "/": "", "a.B.cDe": "a,B,c,De",
	} {
		if got := strings.Join(secrets.SecretWords(in), ","); got != want {
			t.Errorf("SecretWords(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSecretWords(f *testing.F) {
	for _, s := range []string{"MyTestSecret", "prod/db-password", "", "/", "ÀbcDé", "a  b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, w := range secrets.SecretWords(s) {
			if w == "" || !strings.Contains(s, w) {
				t.Fatalf("SecretWords(%q) has word %q", s, w)
			}
		}
	})
}
