// Package execapi holds what API Gateway's REST (v1) and HTTP/WebSocket (v2)
// data planes share: the execute-api invoke URL forms, request ids, Lambda
// integration URIs and the IAM policies authorizers return.
// It must not import either service.
package execapi
