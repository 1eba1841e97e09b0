package lambda_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// messageOf returns the message of a rest-json error body.
func messageOf(t *testing.T, body string) string {
	t.Helper()
	var m struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	return m.Message
}

// TestValidationMessages: every constraint a request breaks is reported,
// in AWS's words, with Lambda's quoted 'null'.
func TestValidationMessages(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	name := createStub(t, c)
	cases := []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		code, msg                string
	}{
		{"create: required members", "POST", "/2015-03-31/functions", `{}`, nil, 400, "ValidationException",
			"3 validation errors detected: Value 'null' at 'functionName' failed to satisfy constraint: Member must not be null; " +
				"Value 'null' at 'role' failed to satisfy constraint: Member must not be null; " +
				"Value 'null' at 'code' failed to satisfy constraint: Member must not be null"},
		{"create: nested and numeric constraints", "POST", "/2015-03-31/functions",
			`{"FunctionName":"f","Role":"` + role + `","Code":{"ZipFile":"UEs="},"Timeout":0,"MemorySize":64,` +
				`"EphemeralStorage":{"Size":20000},"TracingConfig":{"Mode":"Loud"}}`, nil, 400, "ValidationException",
			"4 validation errors detected: Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
				"Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128; " +
				"Value 'Loud' at 'tracingConfig.mode' failed to satisfy constraint: Member must satisfy enum value set: [Active, PassThrough]; " +
				"Value '20000' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value less than or equal to 10240"},
		{"create: architecture", "POST", "/2015-03-31/functions",
			`{"FunctionName":"f","Role":"` + role + `","Runtime":"provided.al2023","Code":{"ZipFile":"UEs="},"Architectures":["sparc"]}`, nil, 400, "ValidationException",
			"1 validation error detected: Value '[sparc]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: " +
				"[Member must satisfy enum value set: [x86_64, arm64], Member must not be null]"},
		{"create: two architectures", "POST", "/2015-03-31/functions",
			`{"FunctionName":"f","Role":"` + role + `","Code":{"ZipFile":"UEs="},"Architectures":["x86_64","arm64"]}`, nil, 400, "ValidationException",
			"1 validation error detected: Value at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1"},
		{"update: memory and ephemeral storage bounds", "PUT", "/2015-03-31/functions/" + name + "/configuration",
			`{"MemorySize":10241,"EphemeralStorage":{"Size":511}}`, nil, 400, "ValidationException",
			"2 validation errors detected: Value '10241' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240; " +
				"Value '511' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value greater than or equal to 512"},
		{"update: handler pattern", "PUT", "/2015-03-31/functions/" + name + "/configuration", `{"Handler":""}`, nil, 400, "ValidationException",
			"1 validation error detected: Value '' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+"},
		{"invoke: header enums", "POST", "/2015-03-31/functions/" + name + "/invocations", `{}`,
			map[string]string{"X-Amz-Invocation-Type": "Bogus", "X-Amz-Log-Type": "Everything"}, 400, "ValidationException",
			"2 validation errors detected: Value 'Bogus' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]; " +
				"Value 'Everything' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]"},
		{"invoke: qualifier pattern", "POST", "/2015-03-31/functions/" + name + "/invocations?Qualifier=a%20b", `{}`, nil, 400, "ValidationException",
			"1 validation error detected: Value 'a b' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: \\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"},
		{"invoke: bad function name", "POST", "/2015-03-31/functions/bad%20name/invocations", `{}`, nil, 400, "ValidationException",
			"1 validation error detected: Value 'bad name' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: "},
		{"event payload over 1 MB", "POST", "/2015-03-31/functions/" + name + "/invocations", `"` + strings.Repeat("a", 1048576) + `"`,
			map[string]string{"X-Amz-Invocation-Type": "Event"}, 413, "RequestTooLargeException",
			"Request must be smaller than 1048576 bytes for the InvokeFunction operation"},
		{"url configs: page size", "GET", "/2021-10-31/functions/" + name + "/urls?MaxItems=51", ``, nil, 400, "ValidationException",
			"1 validation error detected: Value '51' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 50"},
		{"list functions: not a number", "GET", "/2015-03-31/functions?MaxItems=many", ``, nil, 400, "ValidationException",
			"1 validation error detected: Value 'many' at 'maxItems' failed to satisfy constraint: Member must be a number"},
		{"url config: auth type", "POST", "/2021-10-31/functions/" + name + "/url", `{}`, nil, 400, "ValidationException",
			"1 validation error detected: Value 'null' at 'authType' failed to satisfy constraint: Member must not be null"},
		{"url config: cors", "POST", "/2021-10-31/functions/" + name + "/url", `{"AuthType":"NONE","Cors":{"MaxAge":-1}}`, nil, 400, "ValidationException",
			"1 validation error detected: Value '-1' at 'cors.maxAge' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{"permission: statement id", "POST", "/2015-03-31/functions/" + name + "/policy",
			`{"StatementId":"a.b","Action":"lambda:InvokeFunction","Principal":"s3.amazonaws.com"}`, nil, 400, "ValidationException",
			"1 validation error detected: Value 'a.b' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)"},
		{"permission: action", "POST", "/2015-03-31/functions/" + name + "/policy",
			`{"StatementId":"s","Action":"s3:GetObject"}`, nil, 400, "ValidationException",
			"2 validation errors detected: Value 's3:GetObject' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*]); " +
				"Value 'null' at 'principal' failed to satisfy constraint: Member must not be null"},
		{"alias: name", "POST", "/2015-03-31/functions/" + name + "/aliases", `{"Name":"123","FunctionVersion":"$LATEST"}`, nil, 400, "ValidationException",
			"1 validation error detected: Value '123' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)"},
		{"concurrency: required", "PUT", "/2017-10-31/functions/" + name + "/concurrency", `{}`, nil, 400, "ValidationException",
			"1 validation error detected: Value 'null' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null"},
		{"untag: keys required", "DELETE", "/2017-03-31/tags/arn:aws:lambda:us-east-1:000000000000:function:" + name, ``, nil, 400, "ValidationException",
			"1 validation error detected: Value 'null' at 'tagKeys' failed to satisfy constraint: Member must not be null"},
		{"tag: not a function ARN", "POST", "/2017-03-31/tags/" + name, `{"Tags":{"a":"b"}}`, nil, 400, "InvalidParameterValueException",
			"Invalid ARN: " + name},
		{"unknown operation", "GET", "/2015-03-31/functions/" + name + "/nothing", ``, nil, 400, "UnknownOperationException", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, code, body := raw(t, e, tc.method, tc.path, []byte(tc.body), tc.header)
			if status != tc.status || code != tc.code {
				t.Fatalf("got %d %s %s", status, code, body)
			}
			if msg := messageOf(t, body); !strings.HasPrefix(msg, tc.msg) {
				t.Fatalf("message %q\nwant      %q", msg, tc.msg)
			}
		})
	}
}
