package apigatewayv2

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// authorize runs the route's authorization before the body is read; false
// means the answer was written.
func (x *httpCall) authorize() bool {
	switch x.route.AuthorizationType {
	case "JWT":
		return x.authorizeJWT()
	case "CUSTOM":
		return x.authorizeLambda()
	case "AWS_IAM":
		return x.authorizeIAM()
	}
	return true
}

// authorizeIAM requires a SigV4 signature scoped to execute-api. In strict
// mode (the edge publishes its verifier) the emulator's keys check it in
// full, body hash included as the body is read; otherwise its presence and
// shape are checked and any key is taken, as the rest of the emulator does.
// HTTP APIs answer every refusal 403 {"message":"Forbidden"}.
func (x *httpCall) authorizeIAM() bool {
	sig, signed, err := awsproto.SignatureOf(x.r)
	if !signed || err != nil || sig.Scope.Service != "execute-api" {
		x.fail(gwForbidden)
		return false
	}
	if v, _ := x.s.env.Links.Get(cloud.LinkSigV4).(cloud.RequestVerifier); v != nil {
		if err := v.VerifyFor(x.r, awsproto.Expect{Services: []string{"execute-api"}, MaxBody: maxPayload}); err != nil {
			x.fail(gwForbidden)
			return false
		}
	}
	return true
}
