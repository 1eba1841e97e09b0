// Package sts emulates AWS STS (query protocol): caller identity and
// temporary credentials, issued but not enforced. Only api.go speaks the
// wire; store.go must not import net/http or awsproto.
package sts
