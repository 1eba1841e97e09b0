// Package backend gives scenario suites and the load generator one way to
// get a running cloud — embedded, container, LocalStack or an external
// endpoint — without knowing which. It may import harness/emulator and
// harness/deploy (to build the container image's binary); neither imports it.
package backend
