package awsproto

import (
	"context"
	"net/http"
)

// Injector decides, for each call of an operation, whether a fault
// replaces or delays it (harness/emulator/faults): it may sleep, return the
// error the call answers with instead of running, or panic
// http.ErrAbortHandler to drop the connection. It sees the call's decoded,
// valid input.
type Injector interface {
	Inject(c *Call, service, operation string, in any) error
}

type injectorKey struct{}

// WithInjector returns r carrying inj, which every operation r reaches
// consults before it runs.
func WithInjector(r *http.Request, inj Injector) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), injectorKey{}, inj))
}

// inject runs the request's injector, if it carries one.
func (a *API) inject(c *Call, operation string, in any) error {
	inj, _ := c.Request.Context().Value(injectorKey{}).(Injector)
	if inj == nil {
		return nil
	}
	return inj.Inject(c, a.Model, operation, in)
}
