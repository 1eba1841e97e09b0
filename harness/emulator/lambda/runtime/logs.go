package runtime

import (
	"bytes"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Log capture limits: a handler printing gigabytes costs us at most these.
const (
	// maxLineBytes splits longer lines, as CloudWatch caps an event at 256 KB.
	maxLineBytes = 256 << 10
	// maxInvocationLogBytes is what one invocation may send to CloudWatch;
	// past it lines are counted and dropped.
	maxInvocationLogBytes = 8 << 20
	// flushBytes hands buffered events to the LogWriter early, so a long
	// invocation's logs are neither held in memory nor invisible until END.
	flushBytes = 256 << 10
	// TailBytes is how much of an invocation's log LogType=Tail returns.
	TailBytes = 4096
)

// logBuffer collects the log lines of one invocation (or of an instance
// between invocations) for CloudWatch and for LogType=Tail.
type logBuffer struct {
	keep     bool // a LogWriter is wired: keep events
	events   []cloud.LogEvent
	pending  int // bytes in events
	sent     int // bytes kept in this invocation so far
	dropped  int // lines dropped past maxInvocationLogBytes
	tail     []byte
	wantTail bool
	flush    func([]cloud.LogEvent)
}

func (b *logBuffer) add(t time.Time, line []byte) {
	if b.wantTail {
		b.tail = appendTail(b.tail, line)
	}
	if !b.keep {
		return
	}
	if b.sent+len(line) > maxInvocationLogBytes {
		b.dropped++
		return
	}
	b.events = append(b.events, cloud.LogEvent{Timestamp: t, Message: string(line)})
	b.pending += len(line)
	b.sent += len(line)
	if b.pending >= flushBytes && b.flush != nil {
		ev := b.events
		b.events, b.pending = nil, 0
		b.flush(ev)
	}
}

func (b *logBuffer) addString(t time.Time, line string) {
	if b.wantTail {
		b.tail = appendTailString(b.tail, line)
	}
	if !b.keep {
		return
	}
	b.events = append(b.events, cloud.LogEvent{Timestamp: t, Message: line})
	b.pending += len(line)
}

// take moves everything b holds into dst (keeping order) and empties b.
func (b *logBuffer) moveTo(dst *logBuffer) {
	if dst.wantTail && len(b.tail) > 0 {
		dst.tail = append(dst.tail, b.tail...)
		trimTail(&dst.tail)
	}
	if dst.keep {
		dst.events = append(dst.events, b.events...)
		dst.pending += b.pending
	}
	b.events, b.pending, b.tail = nil, 0, b.tail[:0]
}

// appendTail appends line and a newline, keeping at most about 2×TailBytes
// so memory stays bounded while the last TailBytes are always present.
func appendTail(t, line []byte) []byte {
	if len(line) >= TailBytes {
		t = append(t[:0], line[len(line)-TailBytes+1:]...)
	} else {
		t = append(t, line...)
	}
	t = append(t, '\n')
	trimTail(&t)
	return t
}

func appendTailString(t []byte, line string) []byte {
	t = append(t, line...)
	t = append(t, '\n')
	trimTail(&t)
	return t
}

func trimTail(t *[]byte) {
	if len(*t) > 2*TailBytes {
		n := copy(*t, (*t)[len(*t)-TailBytes:])
		*t = (*t)[:n]
	}
}

// lastTail returns the last TailBytes of a tail buffer.
func lastTail(t []byte) []byte {
	if len(t) > TailBytes {
		return t[len(t)-TailBytes:]
	}
	return t
}

// capture reads an instance's stdout+stderr pipe and splits it into lines
// for the current sink. All reads happen under mu, so drain (called when an
// invocation ends) can consume whatever the process wrote before answering
// and be sure no line is still in flight in another goroutine.
type capture struct {
	f    *os.File
	rc   syscall.RawConn
	now  func() time.Time
	done chan struct{} // closed at EOF

	// records: a \r inside a line is a newline of one multi-line record.
	records bool

	mu      sync.Mutex
	buf     []byte
	partial []byte
	sink    *logBuffer
}

// newPipe returns a pipe whose read end is non-blocking (polled by the Go
// runtime) and whose write end stays blocking for the child.
func newPipe() (r, w *os.File, err error) {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		return nil, nil, err
	}
	if err := syscall.SetNonblock(p[0], true); err != nil {
		syscall.Close(p[0])
		syscall.Close(p[1])
		return nil, nil, err
	}
	return os.NewFile(uintptr(p[0]), "lambda-logs-r"), os.NewFile(uintptr(p[1]), "lambda-logs-w"), nil
}

func newCapture(r *os.File, now func() time.Time, sink *logBuffer) (*capture, error) {
	rc, err := r.SyscallConn()
	if err != nil {
		return nil, err
	}
	return &capture{f: r, rc: rc, now: now, done: make(chan struct{}), buf: make([]byte, 32<<10), sink: sink}, nil
}

// run reads until EOF (every writer, the child and its children, closed
// the pipe).
func (c *capture) run() {
	defer close(c.done)
	defer c.f.Close()
	for {
		eof := false
		err := c.rc.Read(func(fd uintptr) bool {
			c.mu.Lock()
			defer c.mu.Unlock()
			n, err := c.readLocked(fd)
			if n == 0 && err == nil {
				eof = true
				return true
			}
			return err != syscall.EAGAIN
		})
		if eof || err != nil {
			c.mu.Lock()
			c.flushPartialLocked()
			c.mu.Unlock()
			return
		}
	}
}

// readLocked does one non-blocking read and consumes what it got.
func (c *capture) readLocked(fd uintptr) (int, error) {
	for {
		n, err := syscall.Read(int(fd), c.buf)
		if err == syscall.EINTR {
			continue
		}
		if n > 0 {
			c.consumeLocked(c.buf[:n])
		}
		if n < 0 {
			n = 0
		}
		if n == 0 && err == nil {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		return n, nil
	}
}

// drainLocked consumes what is already in the pipe (one non-blocking read
// when it is empty) and ends any partial line.
func (c *capture) drainLocked() {
	_ = c.rc.Control(func(fd uintptr) {
		for {
			n, err := c.readLocked(fd)
			if n == 0 || err != nil {
				return
			}
		}
	})
	c.flushPartialLocked()
}

func (c *capture) consumeLocked(b []byte) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			c.partial = append(c.partial, b...)
			for len(c.partial) >= maxLineBytes {
				c.emitLocked(c.partial[:maxLineBytes])
				c.partial = append(c.partial[:0], c.partial[maxLineBytes:]...)
			}
			return
		}
		if len(c.partial) > 0 {
			c.partial = append(c.partial, b[:i]...)
			c.emitLocked(c.partial)
			c.partial = c.partial[:0]
		} else {
			c.emitLocked(b[:i])
		}
		b = b[i+1:]
	}
}

func (c *capture) flushPartialLocked() {
	if len(c.partial) > 0 {
		c.emitLocked(c.partial)
		c.partial = c.partial[:0]
	}
}

func (c *capture) emitLocked(line []byte) {
	if c.sink == nil {
		return
	}
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if c.records && bytes.IndexByte(line, '\r') >= 0 {
		line = bytes.ReplaceAll(line, []byte{'\r'}, []byte{'\n'})
	}
	for len(line) > maxLineBytes {
		c.sink.add(c.now(), line[:maxLineBytes])
		line = line[maxLineBytes:]
	}
	c.sink.add(c.now(), line)
}
