// Package apigateway emulates Amazon API Gateway REST APIs (v1): the
// rest-json control plane and the invoke data plane (AWS_PROXY to Lambda,
// MOCK). It reaches Lambda only through cloud.FunctionInvoker.
package apigateway
