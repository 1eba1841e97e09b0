// Package wsconn is the connection hub behind API Gateway WebSocket APIs:
// it upgrades requests, reads each connection's messages in order, sends
// posted data, and closes connections on close frames, lost peers, idle
// time and lifetime. It knows nothing of routes or Lambda (a Handler does)
// and must not import the apigatewayv2 package or awsproto.
package wsconn
