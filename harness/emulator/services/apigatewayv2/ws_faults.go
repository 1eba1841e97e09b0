package apigatewayv2

import (
	"context"
	"net/http"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/apigatewayv2/wsconn"
)

// This file is the WebSocket data plane's side of fault injection: rules
// targeting cloud.PlaneWebSocket, matched by API id or connection id in the
// API's region. A drop refuses new connections (the upgrade request's TCP
// connection is closed without an answer) and cuts open ones as a network
// failure does: no close frame, so the client sees an abnormal closure
// (1006) and $disconnect runs with 1006, as when a client vanishes. Open
// connections are checked when a message arrives or is about to be sent,
// and once a second while any is open. A delay holds each answer the
// gateway sends a connection (route responses, error frames, @connections
// posts) and the upgrade's answer.

// faultPoll is how often open connections are checked.
const faultPoll = time.Second

// wsService is the service name rules give for this plane.
const wsService = "apigatewayv2"

// fault asks the rules about s's connection (at the upgrade: the
// connection about to be made). The names are built once per connection:
// with no rule set a check allocates nothing.
func (s *wsSession) fault() *cloud.FaultHit {
	return cloud.FaultOn(s.p.env.Links, cloud.PlaneWebSocket, wsService, s.region, s.names...)
}

// refuse closes an upgrade request's connection without an answer.
func refuse(w http.ResponseWriter) {
	if nc, _, err := http.NewResponseController(w).Hijack(); err == nil {
		nc.Close()
		return
	}
	panic(http.ErrAbortHandler) // net/http closes the connection
}

// watch runs while connections are open (started at the first one): every
// faultPoll it cuts those a drop rule matches.
func (p *wsPlane) watch() {
	tick := time.NewTicker(faultPoll)
	defer tick.Stop()
	for range tick.C {
		if p.hub.Len() == 0 {
			p.watching.Store(false)
			// a connection registered meanwhile found the flag still set
			if p.hub.Len() == 0 || !p.watching.CompareAndSwap(false, true) {
				return
			}
		}
		fp, _ := p.env.Links.Get(cloud.LinkFaultPlanes).(cloud.FaultPlanes)
		if fp == nil {
			continue
		}
		p.hub.Range(func(id string) {
			c, ok := p.hub.Get(id)
			if !ok {
				return
			}
			s, ok := c.Data.(*wsSession)
			if !ok {
				return
			}
			if fp.Dropped(cloud.PlaneWebSocket, wsService, s.region, s.names...) {
				c.Drop()
			}
		})
	}
}

// startWatch starts watch unless it runs.
func (p *wsPlane) startWatch() {
	if p.watching.CompareAndSwap(false, true) {
		go p.watch()
	}
}

// sendDelayed sends data to c after hit's delay (nil: at once), as text
// when text is set.
func sendDelayed(c *wsconn.Conn, hit *cloud.FaultHit, data []byte, text bool) error {
	ctx := context.Background()
	_ = hit.Sleep(ctx)
	if text {
		return c.SendText(ctx, data)
	}
	return c.Send(ctx, data)
}
