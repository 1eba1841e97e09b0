package sns

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// List pages resume after the token, whatever was added or deleted since.
func TestPage(t *testing.T) {
	t.Parallel()
	keys := []string{"c", "a", "e", "b", "d"}
	for _, tc := range []struct {
		after string
		n     int
		want  []string
		next  string
	}{
		{"", 2, []string{"a", "b"}, "b"},
		{"b", 2, []string{"c", "d"}, "d"},
		{"d", 2, []string{"e"}, ""},
		{"bb", 2, []string{"c", "d"}, "d"}, // a deleted token
		{"", 10, []string{"a", "b", "c", "d", "e"}, ""},
	} {
		got, next := page(slices.Clone(keys), tc.after, tc.n)
		if !slices.Equal(got, tc.want) || next != tc.next {
			t.Errorf("page(after %q, %d) = %v %q, want %v %q", tc.after, tc.n, got, next, tc.want, tc.next)
		}
	}
}

// Endpoints page through ListEndpoints, and an application's deletion takes
// its endpoints with it.
func TestEndpointsPaged(t *testing.T) {
	t.Parallel()
	n := 0
	s := NewStore("000000000000", time.Now, func() string { n++; return fmt.Sprintf("id-%03d", n) })
	app, err := s.CreatePlatformApplication("us-east-1", "a", "GCM", map[string]string{"PlatformCredential": "k"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range listPage + 5 {
		if _, err := s.CreatePlatformEndpoint(app, fmt.Sprint("token-", i), "", nil); err != nil {
			t.Fatal(err)
		}
	}
	first, next, err := s.ListEndpoints(app, "")
	if err != nil || len(first) != listPage || next == "" {
		t.Fatalf("first page: %d %q %v", len(first), next, err)
	}
	rest, next, _ := s.ListEndpoints(app, next)
	if len(rest) != 5 || next != "" {
		t.Fatalf("second page: %d %q", len(rest), next)
	}
	s.DeletePlatformApplication(app)
	s.platform.mu.Lock()
	left := len(s.platform.endpoints)
	s.platform.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d endpoints outlived their application", left)
	}
}
