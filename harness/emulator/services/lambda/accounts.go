package lambda

import (
	"net/http"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Claims is cloud.Claimant: a Function URL request without credentials
// belongs to the account holding the URL its host or path names.
func (s *Service) Claims(r *http.Request) bool {
	id := ""
	if m, ok := awsproto.HostMatchOf(r); ok {
		id = m.Resource
	} else if rest, ok := strings.CutPrefix(r.URL.Path, urlPathPrefix); ok {
		id, _, _ = strings.Cut(rest, "/")
	}
	if id == "" {
		return false
	}
	_, ok := s.store.URLByID(strings.ToLower(id))
	return ok
}

// ownAccountRole is the execution role a function's code runs as: a
// function runs in its own account, with a role of that account, so a
// role ARN naming another account (LocalStack users' habitual
// arn:aws:iam::000000000000:role/… in an account of their own) is taken as
// the role of that name in the function's account.
func ownAccountRole(role, account string) string {
	parts := strings.SplitN(role, ":", 6)
	if len(parts) != 6 || parts[4] == account || parts[4] == "" {
		return role
	}
	parts[4] = account
	return strings.Join(parts, ":")
}
