// Package openloop issues requests at their intended times whatever the
// responses do (no coordinated omission): latency is measured from the
// intended time, late starts and drops are counted. It knows no HTTP, flow
// or cloud: a request is a function.
package openloop
