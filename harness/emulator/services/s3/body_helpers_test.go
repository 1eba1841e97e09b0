package s3

import (
	"context"
	"io"
	"time"
)

// memPart is a part held in memory.
// bg is the context of the store calls no request makes.
var bg = context.Background()

func memPart(n int, data []byte) *Part {
	p, err := NewPart(n, BytesBody(data), Checksum{}, time.Unix(0, 0))
	if err != nil {
		panic(err) // a body in memory has nothing to read back
	}
	return p
}

// bodyBytes reads a whole body (nil when it cannot be read).
func bodyBytes(b *Body) []byte {
	out, err := b.Bytes()
	if err != nil {
		return nil
	}
	return out
}

// memoryBodies keeps every body in memory.
var memoryBodies = newBodies("", 1<<40)

// decodeToBytes decodes an aws-chunked body into memory.
func decodeToBytes(r io.Reader, n int64) ([]byte, []trailerField, error) {
	w, err := memoryBodies.newWriter(n, "")
	if err != nil {
		return nil, nil, err
	}
	trailers, err := decodeAWSChunked(r, n, w)
	if err != nil {
		return nil, nil, err
	}
	b, err := w.finish()
	if err != nil {
		return nil, nil, err
	}
	return b.mem, trailers, nil
}

// readPlainBytes reads a plain body into memory.
func readPlainBytes(r io.Reader, n int64) ([]byte, error) {
	w, err := memoryBodies.newWriter(n, "")
	if err != nil {
		return nil, err
	}
	if err := readPlain(r, n, w); err != nil {
		return nil, err
	}
	b, err := w.finish()
	if err != nil {
		return nil, err
	}
	return b.mem, nil
}
