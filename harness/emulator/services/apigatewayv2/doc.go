// Package apigatewayv2 is Amazon API Gateway v2: the control plane of HTTP and
// WebSocket APIs (rest-json under /v2/, signed for "apigateway") and the HTTP
// API data plane on the execute-api invoke URLs. It must not import other
// services (Lambda is reached through cloud.FunctionInvoker).
package apigatewayv2
