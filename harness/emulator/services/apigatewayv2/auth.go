package apigatewayv2

// authorize runs the route's authorization; false means the answer was
// written.
func (x *httpCall) authorize() bool {
	switch x.route.AuthorizationType {
	case "JWT":
		return x.authorizeJWT()
	case "CUSTOM":
		return x.authorizeLambda()
	}
	return true
}
