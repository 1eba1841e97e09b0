// Package attr is DynamoDB's attribute value model: compact immutable
// values, AWS's validation rules, sizes and ordering, and the hand-written
// JSON codec. It imports awsproto only for its error type; never net/http.
package attr
