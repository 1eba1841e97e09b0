package apigatewayv2

import "testing"

// The OpenAPI reader takes any bytes without panicking.
func FuzzParseOpenAPI(f *testing.F) {
	f.Add(`{"openapi":"3.0.1","info":{"title":"x"},"paths":{"/a/{id}":{"get":{"x-amazon-apigateway-integration":{"type":"aws_proxy","uri":"u"}}}}}`, "ignore")
	f.Add("openapi: 3.0.1\ninfo: {title: t}\npaths:\n  /$default:\n    x-amazon-apigateway-any-method: {}\n", "prepend")
	f.Add("openapi: 3.0.1\nservers: [{url: 'https://x/v1'}]\ninfo: {title: t}\n", "split")
	f.Add("paths: [1, 2]", "")
	f.Add("{[", "")
	f.Fuzz(func(t *testing.T, body, basepath string) {
		_, routes, _, err := parseOpenAPI(body, basepath)
		if err != nil && len(routes) > 0 {
			t.Fatal("routes with an error")
		}
	})
}
