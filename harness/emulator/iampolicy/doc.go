// Package iampolicy parses IAM policy documents and evaluates their
// statements (actions, resources, principals and Condition blocks) against
// a request's action, resource and context keys. IAM's policy simulator and
// S3's bucket policies share it. It must not import net/http or awsproto.
package iampolicy
