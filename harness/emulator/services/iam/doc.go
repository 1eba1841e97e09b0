// Package iam emulates AWS IAM (query protocol, global): users, groups and
// their access keys (published to strict mode's verifier), passwords,
// roles, managed and inline policies (stored, not enforced; the policy
// simulator evaluates them with package iampolicy), identity
// providers, MFA devices and the account's settings. Only the api*.go files
// speak the wire; the store*.go files and policy.go must not import
// net/http or awsproto.
package iam
