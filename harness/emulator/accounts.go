package emulator

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/control"
	"github.com/groundstack/groundstack/harness/emulator/faults"
	"github.com/groundstack/groundstack/harness/emulator/persist"
)

// DefaultMaxAccounts bounds how many accounts one emulator serves at once
// (WithMaxAccounts): each is a whole set of services, and any client can
// name a new one with a 12-digit access key id.
const DefaultMaxAccounts = 64

// cell is one account's cloud: its own services, wired to each other, and
// the edge that routes among them. Every account is isolated by
// construction: nothing one cell's services hold is reachable from
// another's, except what AWS itself shares across accounts (S3 bucket
// names, through cloud.Env.Names) and the emulator's machines (EC2 hosts,
// the MQTT broker).
type cell struct {
	account   string
	env       *cloud.Env
	services  []cloud.Service
	control   *control.Plane
	edge      *edge
	claimants []claimant
	logs      []*persist.Log // its services' write-ahead logs (--data-dir)
}

// claimant is a service of a cell that can say whether an unsigned request
// names one of its resources.
type claimant struct {
	svc   cloud.Service
	claim cloud.Claimant
}

// accounts routes each request to its account's cell: the account of the
// access key that signed it (a 12-digit key id is the account itself, as
// in LocalStack; a key an account's STS or IAM issued is that account's;
// any other key is the default account's), and for a request without
// credentials, the account holding the resource it names (a bucket, a
// Function URL, an API), else the default.
type accounts struct {
	def    *cell
	max    int
	build  func(account string) *cell
	faults *faults.Engine

	mu     sync.RWMutex
	others map[string]*cell // every account but the default's
	order  []*cell          // others, oldest first
}

// errTooManyAccounts answers a request that would start one account more
// than the emulator serves.
func (a *accounts) errTooMany(account string) error {
	return fmt.Errorf("groundstack serves at most %d accounts at once (GROUNDSTACK_MAX_ACCOUNTS); account %s would be one more: reset the emulator (POST /_groundstack/reset) or raise the limit", a.max, account)
}

// all returns every cell, the default's first.
func (a *accounts) all() []*cell {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return append([]*cell{a.def}, a.order...)
}

// peek returns the cell of account if it exists.
func (a *accounts) peek(account string) *cell {
	if account == a.def.account {
		return a.def
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.others[account]
}

// cell returns account's cell, building it on first use.
func (a *accounts) cell(account string) (*cell, error) {
	if c := a.peek(account); c != nil {
		return c, nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if c := a.others[account]; c != nil {
		return c, nil
	}
	if 1+len(a.others) >= a.max {
		return nil, a.errTooMany(account)
	}
	c := a.build(account)
	if a.others == nil {
		a.others = map[string]*cell{}
	}
	a.others[account] = c
	a.order = append(a.order, c)
	return c, nil
}

// many reports whether any account besides the default has a cell.
func (a *accounts) many() bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return len(a.order) > 0
}

// dropOthers removes every account's cell but the default's and returns
// them, for the caller to close.
func (a *accounts) dropOthers() []*cell {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := a.order
	a.others, a.order = nil, nil
	return out
}

// IsAccountID reports whether s is an AWS account id: twelve digits.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// accountOfKey returns the account whose cloud serves requests signed with
// key.
func (a *accounts) accountOfKey(key string) string {
	if IsAccountID(key) {
		return key
	}
	// Temporary credentials (ASIA…) belong to the account of the identity
	// they were issued to, which AssumeRole can make another account.
	// Long-term keys (AKIA…) an IAM user of another account holds are that
	// account's; the default account's are found by default.
	switch {
	case strings.HasPrefix(key, "ASIA"):
		for _, c := range a.all() {
			if o, ok := c.env.Links.Get(cloud.LinkCredentials).(cloud.KeyOwner); ok {
				if acct, ok := o.KeyAccount(key); ok {
					return acct
				}
			}
		}
		// S3 Express sessions are the account's whose S3 opened them.
		for _, c := range a.all() {
			if bs, ok := c.env.Links.Get(cloud.LinkBucketSessions).(cloud.BucketSessions); ok {
				if _, _, ok := bs.LookupBucketSession(key); ok {
					return c.env.Account
				}
			}
		}
	case strings.HasPrefix(key, "AKIA") && a.many():
		for _, c := range a.all()[1:] {
			if keys, ok := c.env.Links.Get(cloud.LinkAccessKeys).(cloud.AccessKeys); ok {
				if k, ok := keys.AccessKey(key); ok {
					return k.Identity.Account
				}
			}
		}
	}
	return a.def.account
}

// accessKeyOf returns the access key id r is signed with: SigV4 in its
// Authorization header or presigned query, SigV2 likewise; "" when r
// carries none. It reads no more of the header than the key (the edge
// parses the whole scope later).
func accessKeyOf(r *http.Request) string {
	if h := r.Header["Authorization"]; len(h) > 0 {
		v := h[0]
		if i := strings.Index(v, "Credential="); i >= 0 {
			key, _, _ := strings.Cut(v[i+len("Credential="):], "/")
			return key
		}
		if rest, ok := strings.CutPrefix(v, "AWS "); ok {
			key, _, _ := strings.Cut(rest, ":")
			return strings.TrimSpace(key)
		}
		return ""
	}
	if q := r.URL.RawQuery; q != "" {
		if strings.Contains(q, "X-Amz-Credential=") {
			if s, ok := awsproto.ScopeOf(r); ok {
				return s.AccessKey
			}
		}
		if strings.Contains(q, "AWSAccessKeyId=") {
			return r.URL.Query().Get("AWSAccessKeyId")
		}
	}
	return ""
}

// ServeHTTP hands r to its account's edge, with the fault rules when
// there are any.
func (a *accounts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.faults != nil && a.faults.Active() {
		r = awsproto.WithInjector(r, a.faults)
	}
	c := a.def
	if key := accessKeyOf(r); key != "" {
		if acct := a.accountOfKey(key); acct != c.account {
			var err error
			if c, err = a.cell(acct); err != nil {
				a.refuse(w, r, err)
				return
			}
		}
	} else if a.many() {
		c = a.claimed(r)
	}
	c.edge.ServeHTTP(w, r)
}

// claimed returns the cell of the account that holds the resource an
// unsigned request names, or the default's.
func (a *accounts) claimed(r *http.Request) *cell {
	for _, c := range a.all() {
		t, m, ok := c.edge.match(r)
		if !ok {
			continue
		}
		for _, cl := range c.claimants {
			if cl.svc != t.svc {
				continue
			}
			rr := r
			if m.Resource != "" {
				rr = awsproto.WithHostMatch(r, m)
			}
			if cl.claim.Claims(rr) {
				return c
			}
		}
	}
	return a.def
}

// refuse answers a request the emulator cannot give an account, in the
// protocol of the service it was meant for, as AWS refuses an access key
// it does not know.
func (a *accounts) refuse(w http.ResponseWriter, r *http.Request, err error) {
	proto := awsproto.JSON11
	if t, _, ok := a.def.edge.match(r); ok {
		proto = t.svc.Protocol()
	}
	code := awsproto.AuthErrorsFor(proto).UnknownKey
	awsproto.WriteError(proto, w, r, a.def.env.NewID(), code.New(err.Error()))
}

// closeCells releases what cells' services hold (child processes,
// listeners) and their shared names.
func closeCells(cells []*cell) error {
	var errs []error
	for _, c := range cells {
		for _, s := range c.services {
			if cl, ok := s.(io.Closer); ok {
				errs = append(errs, cl.Close())
			}
		}
		c.env.Names.ReleaseAccount(c.account)
	}
	return errors.Join(errs...)
}

// cellClock is the clock POST /_groundstack/clock moves: every account's
// CloudWatch clock, together, so alarms of every account see one time.
type cellClock struct{ a *accounts }

func (k cellClock) clocks() []cloud.Clock {
	var out []cloud.Clock
	for _, c := range k.a.all() {
		if cl, ok := c.env.Links.Get(linkOwnClock).(cloud.Clock); ok {
			out = append(out, cl)
		}
	}
	return out
}

func (k cellClock) Now() time.Time {
	if cl, ok := k.a.def.env.Links.Get(linkOwnClock).(cloud.Clock); ok {
		return cl.Now()
	}
	return k.a.def.env.Now()
}

func (k cellClock) Advance(d time.Duration) time.Time {
	for _, cl := range k.clocks() {
		cl.Advance(d)
	}
	return k.Now()
}

func (k cellClock) Set(t time.Time) (time.Time, error) {
	for _, cl := range k.clocks() {
		if _, err := cl.Set(t); err != nil {
			return k.Now(), err
		}
	}
	return k.Now(), nil
}

// linkOwnClock is where a cell keeps its own CloudWatch clock once
// cloud.LinkClock names the clock of every account.
const linkOwnClock = "clock.own"

// sessionDirectory finds temporary credentials in every account's STS.
type sessionDirectory struct{ e *Emulator }

func (d sessionDirectory) Session(key string) (cloud.SessionIdentity, bool) {
	type sessions interface {
		SessionIdentity(string) (cloud.SessionIdentity, bool)
	}
	if d.e.accounts == nil {
		return cloud.SessionIdentity{}, false
	}
	for _, c := range d.e.accounts.all() {
		if s, ok := c.env.Links.Get(cloud.LinkCredentials).(sessions); ok {
			if id, ok := s.SessionIdentity(key); ok {
				return id, true
			}
		}
	}
	return cloud.SessionIdentity{}, false
}

// Environment variables of the accounts an emulator serves.
const (
	EnvAccountID   = "GROUNDSTACK_ACCOUNT_ID"
	EnvMaxAccounts = "GROUNDSTACK_MAX_ACCOUNTS"
)

// AccountOptions reads EnvAccountID (twelve digits) and EnvMaxAccounts (a
// positive number) through getenv, for groundstack up and the embedded
// backend.
func AccountOptions(getenv func(string) string) ([]Option, error) {
	var opts []Option
	if v := strings.TrimSpace(getenv(EnvAccountID)); v != "" {
		if !IsAccountID(v) {
			return nil, fmt.Errorf("%s=%q: an AWS account id is twelve digits, such as 000000000000", EnvAccountID, v)
		}
		opts = append(opts, WithAccount(v))
	}
	if v := strings.TrimSpace(getenv(EnvMaxAccounts)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s=%q: want a positive number of accounts", EnvMaxAccounts, v)
		}
		opts = append(opts, WithMaxAccounts(n))
	}
	return opts, nil
}
