package s3

import (
	"net/http"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// nameKind is S3's kind in cloud.Names: bucket names are unique across
// every account of the emulator, as across AWS.
const nameKind = "s3"

// msgBucketAlreadyExists is S3's answer to a bucket name another account
// holds.
const msgBucketAlreadyExists = "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again."

// Claims is cloud.Claimant: a request without credentials (a website
// page, a public object) belongs to the account holding the bucket it
// names, by its Host (virtual-hosted or website endpoint) or its path.
func (s *Service) Claims(r *http.Request) bool {
	name := ""
	if m, ok := awsproto.HostMatchOf(r); ok && m.Resource != "" {
		name = m.Resource
	} else {
		name, _, _ = strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	}
	if name == "" {
		return false
	}
	_, err := s.store.bucket(name)
	return err == nil
}
