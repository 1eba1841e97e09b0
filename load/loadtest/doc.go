// Package loadtest is a stand-in for the deliveries API, in memory, for
// tests of the load generator (as net/http/httptest is for servers): it
// speaks the API's routes and can be made slow, failing or forgetful. It
// imports only the standard library.
package loadtest
