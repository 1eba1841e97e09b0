// Package expr is DynamoDB's expression language: condition, filter, key
// condition, update and projection expressions, parsed once and evaluated per item.
// It builds on attr; it must not import net/http or the service's store.
package expr
