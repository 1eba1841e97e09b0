package apigateway

import (
	"net/http/httptest"
	"testing"
)

// Only invoke URLs under /restapis are public in strict auth mode.
func TestRestAPIsPrefixIsPublicOnlyForInvocations(t *testing.T) {
	for path, want := range map[string]bool{
		"/restapis/abc123/prod/_user_request_/x": true,
		"/restapis/abc123/prod/_user_request_/":  true,
		"/restapis":                              false,
		"/restapis/abc123/resources":             false,
		"/restapis/abc123/deployments":           false,
	} {
		if got := isInvocation(httptest.NewRequest("GET", path, nil)); got != want {
			t.Errorf("isInvocation(%s) = %v, want %v", path, got, want)
		}
	}
}
