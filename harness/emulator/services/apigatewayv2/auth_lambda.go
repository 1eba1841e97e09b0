package apigatewayv2

func (x *httpCall) authorizeLambda() bool { x.fail(gwInternalError); return false }
