package wsconn

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"strings"
	"testing"
	"time"
)

// clientFrame is one masked frame as a client sends it (RFC 6455 §5.2).
func clientFrame(fin bool, opcode byte, payload []byte) []byte {
	b0 := opcode
	if fin {
		b0 |= 0x80
	}
	f := []byte{b0}
	switch n := len(payload); {
	case n < 126:
		f = append(f, 0x80|byte(n))
	case n <= 0xffff:
		f = append(f, 0x80|126)
		f = binary.BigEndian.AppendUint16(f, uint16(n))
	default:
		f = append(f, 0x80|127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	key := [4]byte{7, 1, 9, 3}
	f = append(f, key[:]...)
	for i, c := range payload {
		f = append(f, c^key[i%4])
	}
	return f
}

// serverFrame reads one unmasked frame the server sent.
func serverFrame(t *testing.T, r *bufio.Reader) (fin bool, opcode byte, payload []byte) {
	t.Helper()
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		t.Fatalf("frame header: %v", err)
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var x [2]byte
		io.ReadFull(r, x[:])
		n = uint64(binary.BigEndian.Uint16(x[:]))
	case 127:
		var x [8]byte
		io.ReadFull(r, x[:])
		n = binary.BigEndian.Uint64(x[:])
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		t.Fatalf("frame payload: %v", err)
	}
	return h[0]&0x80 != 0, h[0] & 0x0f, payload
}

// serverMessage reads frames up to the end of a message (or a close frame).
func serverMessage(t *testing.T, r *bufio.Reader) (opcode byte, data []byte) {
	t.Helper()
	for {
		fin, op, p := serverFrame(t, r)
		if op != 0 {
			opcode = op
		}
		data = append(data, p...)
		if fin || op == 0x8 {
			return opcode, data
		}
	}
}

// AWS: frames over 32 KB close the connection with 1009; a message may be
// up to 128 KB in frames of at most 32 KB each.
func TestFrameLimit(t *testing.T) {
	t.Parallel()
	const kb = 1024
	for _, tc := range []struct {
		name      string
		fragments []int // frame payload sizes of one text message
		closed    bool
	}{
		{"one 33 KB frame", []int{33 * kb}, true},
		{"one 32 KB frame", []int{32 * kb}, false},
		{"100 KB in 4 frames of 25 KB", []int{25 * kb, 25 * kb, 25 * kb, 25 * kb}, false},
		{"a 33 KB continuation", []int{kb, 33 * kb}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder()
			h := New(Options{}, nil)
			nc := upgradeRaw(t, serve(t, h, rec))
			defer nc.Close()
			_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
			var msg, wire []byte
			for i, n := range tc.fragments {
				p := bytes.Repeat([]byte{'a' + byte(i)}, n)
				msg = append(msg, p...)
				op := byte(0x1)
				if i > 0 {
					op = 0x0
				}
				wire = append(wire, clientFrame(i == len(tc.fragments)-1, op, p)...)
			}
			go func() { _, _ = nc.Write(wire) }() // the server may stop reading half-way
			r := bufio.NewReader(nc)
			op, data := serverMessage(t, r)
			if !tc.closed {
				if op != 0x1 || string(data) != "echo:"+string(msg) {
					t.Fatalf("answer opcode %d, %d bytes; want the %d-byte echo", op, len(data), len(msg)+5)
				}
				return
			}
			if op != 0x8 || len(data) < 2 {
				t.Fatalf("answer opcode %d (%d bytes), want a close frame", op, len(data))
			}
			if code, reason := int(binary.BigEndian.Uint16(data)), string(data[2:]); code != StatusTooBig || reason != ReasonFrameTooBig {
				t.Fatalf("close %d %q", code, reason)
			}
			if code, reason := rec.waitGone(t); code != StatusTooBig || reason != ReasonFrameTooBig {
				t.Fatalf("disconnect %d %q", code, reason)
			}
			if n := rec.handled.Load(); n != 0 {
				t.Fatalf("%d messages reached the handler", n)
			}
		})
	}
}

// The guard sees the same frames however the bytes are split into reads.
func FuzzFrameGuard(f *testing.F) {
	f.Add(clientFrame(true, 1, []byte("hello")), uint16(3), int64(16))
	f.Add(append(clientFrame(false, 1, make([]byte, 200)), clientFrame(true, 0, make([]byte, 70000))...), uint16(7), int64(32<<10))
	f.Add([]byte{0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1}, uint16(1), int64(32<<10))
	f.Add([]byte(strings.Repeat("\x81\x7e\x00\x10", 3)), uint16(2), int64(15))
	f.Fuzz(func(t *testing.T, stream []byte, chunk uint16, max int64) {
		if max < 0 {
			max = -max
		}
		whole := newFrameGuard(bytes.NewReader(stream), max)
		_, _ = io.ReadAll(whole)
		split := newFrameGuard(&chunked{b: stream, n: int(chunk%64) + 1}, max)
		_, _ = io.ReadAll(split)
		if whole.tooBig() != split.tooBig() {
			t.Fatalf("whole read says %v, split reads %v", whole.tooBig(), split.tooBig())
		}
	})
}

// chunked reads at most n bytes at a time.
type chunked struct {
	b []byte
	n int
}

func (c *chunked) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.b)
	c.b = c.b[k:]
	return k, nil
}
