package emulator

import "testing"

func TestMatchHost(t *testing.T) {
	cases := []struct{ host, pattern, want string }{
		{"abc.lambda-url.us-east-1.localhost.localstack.cloud", "lambda-url.*.localhost.localstack.cloud", "abc"},
		{"my.bucket.s3.localhost.localstack.cloud", "s3.localhost.localstack.cloud", "my.bucket"},
		{"s3.localhost.localstack.cloud", "s3.localhost.localstack.cloud", ""},
		{"api1.execute-api.localhost.localstack.cloud", "s3.localhost.localstack.cloud", ""},
		{"API1.Execute-Api.localhost.localstack.cloud", "execute-api.localhost.localstack.cloud", "API1"},
		{"localhost", "s3.localhost.localstack.cloud", ""},
		{"", "x.y", ""},
	}
	for _, c := range cases {
		if got := MatchHost(c.host, c.pattern); got != c.want {
			t.Errorf("MatchHost(%q, %q) = %q, want %q", c.host, c.pattern, got, c.want)
		}
	}
}
