package wsconn

import (
	"encoding/binary"
	"errors"
	"io"
	"sync/atomic"
)

// errFrameTooBig is what the connection's reader returns once the peer
// sent a frame over the limit: coder/websocket limits messages, not frames.
var errFrameTooBig = errors.New("wsconn: frame over the size limit")

// frameGuard watches the frame headers of the bytes a peer sends as they
// pass on to the WebSocket reader, without copying them. Past a header
// announcing more than max payload bytes, it hands on what it read and
// fails every later read: the frame's payload never reaches the reader.
type frameGuard struct {
	r        io.Reader
	max      int64
	hdr      [14]byte // the header being read (2 to 14 bytes)
	hdrN     int      // bytes of it read so far
	hdrNeed  int      // its length, known once its first 2 bytes are in
	payload  int64    // payload bytes of the current frame still to pass
	exceeded atomic.Bool
}

func newFrameGuard(r io.Reader, max int64) *frameGuard {
	return &frameGuard{r: r, max: max, hdrNeed: 2}
}

// tooBig reports whether the peer sent a frame over the limit.
func (g *frameGuard) tooBig() bool { return g.exceeded.Load() }

func (g *frameGuard) Read(p []byte) (int, error) {
	if g.exceeded.Load() {
		return 0, errFrameTooBig
	}
	n, err := g.r.Read(p)
	g.scan(p[:n])
	return n, err
}

// scan moves the header parser over b (RFC 6455 §5.2).
func (g *frameGuard) scan(b []byte) {
	for len(b) > 0 {
		if g.payload > 0 {
			skip := min(g.payload, int64(len(b)))
			g.payload -= skip
			b = b[skip:]
			continue
		}
		take := min(g.hdrNeed-g.hdrN, len(b))
		copy(g.hdr[g.hdrN:], b[:take])
		g.hdrN += take
		b = b[take:]
		if g.hdrN < g.hdrNeed {
			return
		}
		if g.hdrN == 2 {
			g.hdrNeed = 2 + lengthBytes(g.hdr[1]&0x7f)
			if g.hdr[1]&0x80 != 0 {
				g.hdrNeed += 4 // masking key
			}
			if g.hdrN < g.hdrNeed {
				continue
			}
		}
		var length uint64
		switch l := g.hdr[1] & 0x7f; l {
		case 126:
			length = uint64(binary.BigEndian.Uint16(g.hdr[2:4]))
		case 127:
			length = binary.BigEndian.Uint64(g.hdr[2:10])
		default:
			length = uint64(l)
		}
		g.hdrN, g.hdrNeed = 0, 2
		if length > uint64(g.max) {
			g.exceeded.Store(true)
			return
		}
		g.payload = int64(length)
	}
}

// lengthBytes is how many extended payload length bytes follow a 7-bit length.
func lengthBytes(l byte) int {
	switch l {
	case 126:
		return 2
	case 127:
		return 8
	}
	return 0
}
