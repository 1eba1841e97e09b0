// Package order is the delivered-order model of the deliveries flow: parsing
// and validating a posted order, its exact money arithmetic and its day in
// the company's time zone. It imports only the standard library.
package order
