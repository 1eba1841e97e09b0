package mqtt

import (
	"crypto/subtle"
	"strings"
	"sync"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// Access is what a Grant allows on the topics its filter covers.
type Access byte

// Accesses a Grant gives.
const (
	Subscribe Access = 1 << iota
	Publish
	PublishSubscribe = Subscribe | Publish
)

// Grant allows Access to the topics Filter matches (MQTT wildcards).
type Grant struct {
	Filter string
	Access Access
}

// User is a username and password with the topics it may use. A user may
// publish to a topic, or subscribe to a filter, only if one of its Grants
// covers it; $SYS topics are never writable.
type User struct {
	Name, Password string
	Grants         []Grant
}

// authHook checks CONNECT credentials and topic ACLs, and hands published
// messages to the broker's observers.
type authHook struct {
	mochi.HookBase
	b     *Broker
	mu    sync.RWMutex
	users map[string]User
}

func newAuthHook(b *Broker) *authHook { return &authHook{b: b, users: map[string]User{}} }

func (h *authHook) add(u User) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.users[u.Name] = u
}

func (h *authHook) user(name []byte) (User, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	u, ok := h.users[string(name)]
	return u, ok
}

func (h *authHook) ID() string { return "groundstack-auth" }

func (h *authHook) Provides(b byte) bool {
	return b == mochi.OnConnectAuthenticate || b == mochi.OnACLCheck || b == mochi.OnPublished
}

// OnConnectAuthenticate accepts a client whose WebSocket request was
// SigV4-signed, and a known user with its password (compared in constant
// time); anything else gets CONNACK "not authorized".
func (h *authHook) OnConnectAuthenticate(cl *mochi.Client, pk packets.Packet) bool {
	if cl.Net.Listener == wsSignedListenerID {
		return true
	}
	u, ok := h.user(cl.Properties.Username)
	if !ok || u.Password == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(u.Password), pk.Connect.Password) == 1
}

// OnACLCheck allows a publish (write) to a topic, or a subscription to a
// filter, when one of the user's grants covers it.
func (h *authHook) OnACLCheck(cl *mochi.Client, topic string, write bool) bool {
	u, ok := h.user(cl.Properties.Username)
	if cl.Net.Listener == wsSignedListenerID {
		u, ok = h.b.cfg.user, true // a SigV4 client has the main user's rights, whatever username it sent
	}
	if !ok {
		return false
	}
	if write && strings.HasPrefix(topic, "$SYS") {
		return false
	}
	need := Subscribe
	if write {
		need = Publish
	}
	for _, g := range u.Grants {
		if g.Access&need != 0 && covers(g.Filter, topic) {
			return true
		}
	}
	return false
}

func (h *authHook) OnPublished(cl *mochi.Client, pk packets.Packet) { h.b.published(cl, pk) }

// covers reports whether every topic filter f matches is matched by grant
// g as well (for a topic name, whether g matches it).
func covers(g, f string) bool {
	if g == "" || f == "" {
		return false
	}
	if f[0] == '$' && (g[0] == '+' || g[0] == '#') {
		return false
	}
	for {
		gl, grest, gmore := strings.Cut(g, "/")
		if gl == "#" {
			return true
		}
		fl, frest, fmore := strings.Cut(f, "/")
		switch {
		case gl == "+":
			if fl == "#" {
				return false
			}
		case gl != fl || fl == "+" || fl == "#":
			return false
		}
		if !gmore || !fmore {
			return !gmore && !fmore || (gmore && !fmore && grest == "#")
		}
		g, f = grest, frest
	}
}
