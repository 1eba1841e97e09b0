package awsproto

import (
	"log/slog"
	"net/http"
	"runtime/debug"
)

// Call is one request as an operation handler sees it.
type Call struct {
	*http.Request
	Region    string
	RequestID string
}

// Base is what every protocol dispatcher needs from its service.
type Base struct {
	DefaultRegion string
	NewID         func() string
	Log           *slog.Logger
}

func (b *Base) call(r *http.Request) *Call {
	return &Call{Request: r, Region: RegionOf(r, b.DefaultRegion), RequestID: b.NewID()}
}

// internal logs an error that is not an *Error (a bug) and returns the
// InternalFailure a client sees.
func (b *Base) internal(c *Call, err error) *Error {
	e, ok := AsError(err)
	if !ok && b.Log != nil {
		b.Log.Error("internal error", "err", err, "path", c.URL.Path)
	}
	return e
}

// recoverTo turns a panic in an operation into an InternalFailure written by
// write, so one bad request never takes the edge down.
func (b *Base) recoverTo(c *Call, write func(*Error)) {
	if v := recover(); v != nil {
		if v == http.ErrAbortHandler {
			panic(v)
		}
		if b.Log != nil {
			b.Log.Error("panic in operation", "panic", v, "path", c.URL.Path, "stack", string(debug.Stack()))
		}
		write(ErrInternalFailure.New("We encountered an internal error. Please try again."))
	}
}
