package emulator

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/persist"
)

// durableWriter holds a request's answer until every record the request
// logged is durable (groundstack up --data-dir): the status line goes out
// only then, so a client never sees a write acknowledged that a crash
// could undo. A record that could not be logged turns the answer into
// ServiceUnavailable.
type durableWriter struct {
	http.ResponseWriter
	r       *http.Request
	tracker persist.Tracker // in the writer: one allocation for both
	proto   awsproto.Protocol
	newID   func() string
	whole   *persist.Log // the service persisted whole, or nil
	settled bool
	failed  bool
}

// settle waits for the request's records, once; false means it answered
// with an error instead.
func (d *durableWriter) settle(status int) bool {
	if d.settled {
		return !d.failed
	}
	d.settled = true
	if d.whole != nil && status < 400 && changesState(d.r) {
		if g, err := d.whole.MarkDirty(); err != nil {
			d.tracker.Fail(err)
		} else {
			d.tracker.Note(d.whole, g)
		}
	}
	if !d.tracker.Pending() {
		return true
	}
	if err := d.tracker.Wait(d.r.Context()); err != nil {
		d.failed = true
		if d.r.Context().Err() == nil {
			awsproto.WriteError(d.proto, d.ResponseWriter, d.r, d.newID(), awsproto.ErrServiceUnavailable.New(
				"groundstack could not make this change durable in its data directory ("+err.Error()+"); it may or may not be applied"))
		}
		return false
	}
	return true
}

func (d *durableWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 {
		d.ResponseWriter.WriteHeader(code)
		return
	}
	if d.settle(code) {
		d.ResponseWriter.WriteHeader(code)
	}
}

func (d *durableWriter) Write(b []byte) (int, error) {
	if !d.settle(http.StatusOK) {
		return len(b), nil
	}
	return d.ResponseWriter.Write(b)
}

func (d *durableWriter) Flush() {
	if d.settle(http.StatusOK) {
		http.NewResponseController(d.ResponseWriter).Flush()
	}
}

func (d *durableWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	d.settle(http.StatusSwitchingProtocols)
	return http.NewResponseController(d.ResponseWriter).Hijack()
}

func (d *durableWriter) Unwrap() http.ResponseWriter { return d.ResponseWriter }

// ReadFrom keeps the server's copy of files to sockets (sendfile) for
// large bodies, such as S3 objects.
func (d *durableWriter) ReadFrom(r io.Reader) (int64, error) {
	if !d.settle(http.StatusOK) {
		return io.Copy(io.Discard, r)
	}
	if rf, ok := d.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{d.ResponseWriter}, r)
}

// serveDurably serves r through h, holding the answer until what it
// changed is durable.
func serveDurably(h http.Handler, w http.ResponseWriter, r *http.Request, proto awsproto.Protocol, whole *persist.Log, newID func() string) {
	d := &durableWriter{ResponseWriter: w, proto: proto, newID: newID, whole: whole}
	d.r = r.WithContext(d.tracker.Bind(r.Context()))
	h.ServeHTTP(d, d.r)
	d.settle(http.StatusOK) // an answer with no body and no explicit status
}

// readOnlyPrefixes name operations that change nothing, for services
// persisted whole (whose change is their whole state saved again).
var readOnlyPrefixes = []string{"Get", "List", "Describe", "Query", "Scan", "Search", "BatchGet", "Lookup", "Simulate", "Validate", "Test", "Preview", "Estimate", "Check"}

// changesState guesses whether r changes the state of the service it was
// served by: not a GET or HEAD, not an operation named as a read
// (X-Amz-Target's or a query's Action), not an invocation of a function.
// A guess that says yes costs only a save of the state.
func changesState(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	op := r.Header.Get("X-Amz-Target")
	if i := strings.LastIndexByte(op, '.'); i >= 0 {
		op = op[i+1:]
	}
	if op == "" {
		op = r.URL.Query().Get("Action")
	}
	if op == "" && strings.HasSuffix(r.URL.Path, "/invocations") {
		return false // Lambda's Invoke
	}
	for _, p := range readOnlyPrefixes {
		if strings.HasPrefix(op, p) {
			return false
		}
	}
	return true
}
