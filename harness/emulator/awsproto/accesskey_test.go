package awsproto

import (
	"regexp"
	"testing"
)

func TestAccessKeyIDCarriesItsAccount(t *testing.T) {
	t.Parallel()
	shape := regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`)
	for _, account := range []string{"000000000000", "123456789012", "999999999999", "000000000001"} {
		id := NewAccessKeyID("AKIA", account)
		got, ok := AccountOfAccessKey(id)
		if !shape.MatchString(id) || !ok || got != account {
			t.Fatalf("%s: key %s decodes to %q, %v", account, id, got, ok)
		}
	}
	// AWS's documented example key decodes, as GetAccessKeyInfo answers it for any key.
	if _, ok := AccountOfAccessKey("AKIAIOSFODNN7EXAMPLE"); !ok {
		t.Fatal("the example key did not decode")
	}
	for _, bad := range []string{"", "test", "AKIA!!!!!!!!!!!!!!!!", "AKIAIOSFODNN7EXAMPLE1"} {
		if a, ok := AccountOfAccessKey(bad); ok {
			t.Fatalf("%q decoded to %s", bad, a)
		}
	}
}

func FuzzAccountOfAccessKey(f *testing.F) {
	for _, s := range []string{"AKIAIOSFODNN7EXAMPLE", "ASIAQNZGKIQY56JQ7WML", "", "AKIA================"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		a, ok := AccountOfAccessKey(id)
		if ok && len(a) != 12 {
			t.Fatalf("%q: account %q", id, a)
		}
	})
}
