package cloudwatch

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Clock is the clock CloudWatch stamps metrics and evaluates alarms on: the
// emulator's clock plus an offset that tests move forward
// (POST /_groundstack/clock). Moving it evaluates alarms at once.
type Clock struct {
	base   func() time.Time
	offset atomic.Int64 // nanoseconds
	driven atomic.Bool  // moved by a test: the wall-clock ticker stops

	mu     sync.Mutex // one move at a time
	onMove func(from, to time.Time)
}

// Now implements cloud.Clock.
func (c *Clock) Now() time.Time { return c.base().Add(time.Duration(c.offset.Load())) }

// Advance implements cloud.Clock.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	from := c.Now()
	if d > 0 {
		c.offset.Add(int64(d))
	}
	c.driven.Store(true)
	to := c.Now()
	if c.onMove != nil {
		c.onMove(from, to)
	}
	return to
}

var errClockBackwards = errors.New("the clock cannot go backwards")

// Set implements cloud.Clock.
func (c *Clock) Set(t time.Time) (time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	from := c.Now()
	if t.Before(from) {
		return from, errClockBackwards
	}
	c.offset.Add(int64(t.Sub(from)))
	c.driven.Store(true)
	to := c.Now()
	if c.onMove != nil {
		c.onMove(from, to)
	}
	return to, nil
}

// Driven reports whether a test has moved the clock.
func (c *Clock) Driven() bool { return c.driven.Load() }

func (c *Clock) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset.Store(0)
	c.driven.Store(false)
}
