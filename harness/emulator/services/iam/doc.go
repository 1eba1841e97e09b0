// Package iam emulates AWS IAM (query protocol, global): roles, managed and
// inline policies, attachments and instance profiles, stored but not
// enforced. Only api.go speaks the wire; store.go must not import net/http or awsproto.
package iam
