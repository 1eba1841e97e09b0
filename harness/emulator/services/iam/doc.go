// Package iam emulates AWS IAM (query protocol, global): roles, managed and
// inline policies, attachments and instance profiles, stored but not
// enforced. Only the api*.go files speak the wire; the store*.go files and
// policy.go must not import net/http or awsproto.
package iam
