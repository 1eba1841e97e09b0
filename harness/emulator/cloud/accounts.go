package cloud

import (
	"net/http"
	"sync"
)

// KeyOwner is a service that knows the account of the access keys it
// issued (STS's sessions, IAM users' keys): the emulator serves a request
// signed with such a key from that account's cloud.
type KeyOwner interface {
	// KeyAccount returns the account accessKey belongs to, when the
	// service issued it and still knows it.
	KeyAccount(accessKey string) (account string, ok bool)
}

// Claimant is a service whose public data plane is reached without
// credentials (a website bucket, a Function URL, an API's invoke URL):
// for a request that carries no access key, the emulator asks each
// account's service whether the resource the request names is its own.
// r carries the edge's host match (awsproto.HostMatchOf) when a Host
// pattern routed it.
type Claimant interface {
	Claims(r *http.Request) bool
}

// Names is a namespace shared by every account of one emulator, for names
// AWS makes unique across accounts (S3 bucket names). The zero value is
// ready to use; a nil *Names claims every name, for services built alone.
type Names struct {
	mu    sync.Mutex
	owner map[string]string // kind + "\x00" + name → account
}

// Claim takes name of kind (such as "s3") for account; it returns the
// current owner and false when another account holds it. Claiming a name
// the account already holds succeeds.
func (n *Names) Claim(kind, name, account string) (string, bool) {
	if n == nil {
		return account, true
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	k := kind + "\x00" + name
	if o, ok := n.owner[k]; ok && o != account {
		return o, false
	}
	if n.owner == nil {
		n.owner = map[string]string{}
	}
	n.owner[k] = account
	return account, true
}

// Release gives name of kind back, if account holds it.
func (n *Names) Release(kind, name, account string) {
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	k := kind + "\x00" + name
	if n.owner[k] == account {
		delete(n.owner, k)
	}
}

// ReleaseAll gives back every name of kind account holds (its service was
// reset).
func (n *Names) ReleaseAll(kind, account string) {
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	prefix := kind + "\x00"
	for k, o := range n.owner {
		if o == account && len(k) > len(prefix) && k[:len(prefix)] == prefix {
			delete(n.owner, k)
		}
	}
}

// Owner returns the account holding name of kind.
func (n *Names) Owner(kind, name string) (string, bool) {
	if n == nil {
		return "", false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	o, ok := n.owner[kind+"\x00"+name]
	return o, ok
}

// ReleaseAccount gives back every name account holds (the account's cloud
// was dropped).
func (n *Names) ReleaseAccount(account string) {
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for k, o := range n.owner {
		if o == account {
			delete(n.owner, k)
		}
	}
}

// LinkSessions names a SessionDirectory.
const LinkSessions = "sessions"

// SessionDirectory finds the temporary credentials any account's STS
// issued, for the STS of the account they work in (AssumeRole into
// another account's role issues them in the caller's account).
type SessionDirectory interface {
	Session(accessKey string) (SessionIdentity, bool)
}

// SessionIdentity is who temporary credentials were issued to.
type SessionIdentity struct {
	CallerIdentity
	AssumedRole, Federated bool
}
