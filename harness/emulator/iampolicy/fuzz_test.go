package iampolicy

import "testing"

// FuzzParse: any text parses or fails without panicking, and a parsed
// policy evaluates without panicking.
func FuzzParse(f *testing.F) {
	f.Add(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)
	f.Add(`{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["1"]},"NotAction":"s3:*","NotResource":"a*","Condition":{"ForAllValues:StringLike":{"k:k":["${aws:username}*"]},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`)
	f.Add(`{"Statement":[{"Effect":"Allow","Action":"a:b","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":1},"Null":{"x:y":true}}}],"Statement2":"\"}{"}`)
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := Parse(doc)
		if err != nil {
			return
		}
		ctx := Context{}
		ctx.Set("aws:SourceIp", "10.1.2.3")
		ctx.Set("aws:CurrentTime", "2026-01-01T00:00:00Z")
		ctx.Set("aws:username", "u")
		Evaluate([]*Document{p}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx})
	})
}
