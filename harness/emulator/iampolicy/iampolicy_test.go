package iampolicy

import (
	"errors"
	"testing"
)

// The positions of the aws CLI's documented simulate-custom-policy example
// (awscli/examples/iam/simulate-custom-policy.rst): a one-line policy whose
// single statement opens at character 37 and closes at 166.
func TestPositionsAsTheCLIExampleShowsThem(t *testing.T) {
	doc, err := Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`)
	if err != nil {
		t.Fatal(err)
	}
	if st := doc.Statements[0]; st.Start != (Position{1, 38}) || st.End != (Position{1, 167}) {
		t.Fatalf("start %v end %v", st.Start, st.End)
	}
	doc, err = Parse("{\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n    {\n      \"Effect\": \"Deny\", \"Action\": \"s3:Delete*\", \"Resource\": \"*\",\n      \"Condition\": {\"Bool\": {\"x:y\": \"true\"}}\n    }\n  ]\n}")
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]Position{{{3, 6}, {3, 59}}, {{4, 6}, {7, 6}}}
	for i, st := range doc.Statements {
		if st.Start != want[i][0] || st.End != want[i][1] {
			t.Errorf("statement %d: %v %v, want %v", i, st.Start, st.End, want[i])
		}
	}
}

func TestConditions(t *testing.T) {
	ctx := Context{}
	ctx.Set("aws:SourceIp", "203.0.113.7")
	ctx.Set("aws:SecureTransport", "false")
	ctx.Set("aws:CurrentTime", "2026-01-02T03:04:05Z")
	ctx.Set("aws:TagKeys", "team", "env")
	ctx.Set("s3:max-keys", "20")
	ctx.Set("aws:username", "ana")
	ctx.Set("s3:prefix", "home/ana/docs")
	cases := []struct {
		cond        string
		holds, miss bool
	}{
		{`{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, true, false},
		{`{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.0.2.1"]}}`, false, false},
		{`{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, true, false},
		{`{"Bool":{"aws:SecureTransport":"false"}}`, true, false},
		{`{"Bool":{"aws:SecureTransport":true}}`, false, false},
		{`{"DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, true, false},
		{`{"DateLessThan":{"aws:CurrentTime":"2026-01-01"}}`, false, false},
		{`{"NumericLessThanEquals":{"s3:max-keys":20}}`, true, false},
		{`{"NumericGreaterThan":{"s3:max-keys":"20"}}`, false, false},
		{`{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`, true, false},
		{`{"StringNotLike":{"s3:prefix":"home/bob/*"}}`, true, false},
		{`{"StringEquals":{"aws:Referer":"x"}}`, false, true},
		{`{"StringEqualsIfExists":{"aws:Referer":"x"}}`, true, false},
		{`{"StringNotEquals":{"aws:Referer":"x"}}`, true, true},
		{`{"Null":{"aws:Referer":"true"}}`, true, false},
		{`{"Null":{"aws:SourceIp":"true"}}`, false, false},
		{`{"ForAllValues:StringEquals":{"aws:TagKeys":["team","env","cost"]}}`, true, false},
		{`{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}`, false, false},
		{`{"ForAllValues:StringEquals":{"aws:Absent":["team"]}}`, true, false},
		{`{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}`, true, false},
		{`{"ForAnyValue:StringEquals":{"aws:Absent":["env"]}}`, false, true},
		{`{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:t"}}`, false, true},
		{`{"StringEquals":{"aws:username":"ana"},"Bool":{"aws:SecureTransport":"false"}}`, true, false},
	}
	for _, c := range cases {
		doc, err := Parse(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":` + c.cond + `}}`)
		if err != nil {
			t.Fatalf("%s: %v", c.cond, err)
		}
		ok, miss := doc.Statements[0].Applies(Request{Action: "s3:GetObject", Resource: "*", Context: ctx})
		if ok != c.holds || (len(miss) > 0) != c.miss {
			t.Errorf("%s: holds %v missing %v", c.cond, ok, miss)
		}
	}
	if _, err := Parse(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringSorta":{"a:b":"c"}}}}`); !errors.As(err, new(*UnknownOperatorError)) {
		t.Fatalf("unknown operator: %v", err)
	}
}

func TestEvaluatePrincipals(t *testing.T) {
	doc, err := Parse(`{"Statement":[
		{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
		{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/admin"},"Action":"s3:Delete*","Resource":"arn:aws:s3:::b/*"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	anon := Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: Context{}}
	if r := Evaluate([]*Document{doc}, anon); r.Decision != Allowed || len(r.Matched) != 1 {
		t.Fatalf("anonymous get: %+v", r)
	}
	del := Request{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/k", Context: Context{}}
	if r := Evaluate([]*Document{doc}, del); r.Decision != ExplicitDeny {
		t.Fatalf("anonymous delete: %+v", r)
	}
	del.Caller = Caller{ARN: "arn:aws:iam::111122223333:user/admin", Account: "111122223333"}
	if r := Evaluate([]*Document{doc}, del); r.Decision != ImplicitDeny {
		t.Fatalf("admin delete: %+v", r)
	}
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		p, v string
		ok   bool
	}{{"*", "", true}, {"a*c", "abbbc", true}, {"a?c", "abc", true}, {"a?c", "ac", false}, {"arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y", true}, {"s3:Get*", "s3:PutObject", false}, {"[a]", "[a]", true}} {
		if Match(c.p, c.v) != c.ok {
			t.Errorf("%q %q", c.p, c.v)
		}
	}
}
