// Package attr is DynamoDB's attribute value model: typed immutable values,
// AWS's validation rules and sizes, and the hand-written JSON codec.
// It must not import net/http or any other service package.
package attr
