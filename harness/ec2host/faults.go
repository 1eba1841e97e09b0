package ec2host

import (
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// This file is the host's side of fault injection (rules targeting
// cloud.PlaneSSH, asked through Config.Fault). An outage (a drop) makes the
// host look unreachable, as a real instance does when its network fails:
// the TCP connection is accepted (loopback always answers the SYN) but not
// one byte of the SSH banner follows, so a client with a connect or
// handshake timeout gives up with a timeout ("Connection timed out during
// banner exchange" from OpenSSH, an i/o timeout from x/crypto/ssh), and
// connections already open are cut. Nothing restarts: once the outage
// ends, held connections that are still there proceed and new ones are
// served at once.

// MaxHold bounds how long a connection is held unanswered during an
// outage: about as long as Linux retries an unanswered SYN (127 s) before a
// client's connect fails. Past it the connection is closed.
const MaxHold = 2 * time.Minute

// faultPoll is how often the host asks its fault rules about held and open
// connections.
const faultPoll = time.Second

// fault asks the host's fault rules; with none configured it costs a nil
// check, and with no rule set the rules' own check is one atomic load.
func (h *Host) fault() *cloud.FaultHit {
	if h.cfg.Fault == nil {
		return nil
	}
	return h.cfg.Fault(false)
}

// dropped asks only the rules that drop: the periodic checks, which must
// not count hits on a rule that delays new connections.
func (h *Host) dropped() bool {
	return h.cfg.Fault != nil && h.cfg.Fault(true) != nil
}

// admit decides a new connection: during an outage it is held without an
// answer until the outage ends (true) or the run stops or MaxHold passes
// (false); a delay holds it that long first.
func (r *run) admit(tc *trackedConn) bool {
	hit := r.h.fault()
	if hit != nil && hit.Drop {
		tc.held.Store(true)
		defer tc.held.Store(false)
		var ok bool
		if hit, ok = r.hold(); !ok {
			return false
		}
	}
	return hit.Sleep(r.ctx) == nil
}

// hold waits for the outage to end, asking every faultPoll, and returns
// what the rules say then (a delay may still apply).
func (r *run) hold() (*cloud.FaultHit, bool) {
	giveUp := time.NewTimer(MaxHold)
	defer giveUp.Stop()
	tick := time.NewTicker(faultPoll)
	defer tick.Stop()
	for {
		select {
		case <-r.ctx.Done():
			return nil, false
		case <-giveUp.C:
			return nil, false
		case <-tick.C:
		}
		if !r.h.dropped() {
			return r.h.fault(), true
		}
	}
}

// watch runs while the run has connections (started by track): every
// faultPoll it asks the rules and, during an outage, cuts every open
// connection (held ones stay held).
func (r *run) watch() {
	tick := time.NewTicker(faultPoll)
	defer tick.Stop()
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-tick.C:
		}
		r.mu.Lock()
		if len(r.conns) == 0 {
			r.watching = false
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
		if r.h.dropped() {
			r.cut()
		}
	}
}

// cut closes every open connection that is not held: their sessions end
// and their commands are killed, as when the client vanishes.
func (r *run) cut() {
	r.mu.Lock()
	open := make([]*trackedConn, 0, len(r.conns))
	for c := range r.conns {
		if !c.held.Load() {
			open = append(open, c)
		}
	}
	r.mu.Unlock()
	for _, c := range open {
		_ = c.Close()
	}
	if len(open) > 0 {
		r.h.log.Debug("ec2host outage: connections cut", "addr", r.addr, "n", len(open))
	}
}
