package awsproto

import (
	"bytes"
	"hash/crc32"
	"net/http"
	"strconv"
	"sync"
)

// crc32Writer holds a response back until it is complete, then sends it
// with X-Amz-Crc32, the CRC-32 (IEEE) of the body bytes exactly as sent.
type crc32Writer struct {
	w      http.ResponseWriter
	status int
	body   *bytes.Buffer
}

var crcBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func newCRC32Writer(w http.ResponseWriter) *crc32Writer {
	b := crcBufs.Get().(*bytes.Buffer)
	b.Reset()
	return &crc32Writer{w: w, body: b}
}

func (c *crc32Writer) Header() http.Header { return c.w.Header() }

func (c *crc32Writer) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func (c *crc32Writer) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (c *crc32Writer) Unwrap() http.ResponseWriter { return c.w }

// send writes the held response with its checksum.
func (c *crc32Writer) send() {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	b := c.body.Bytes()
	h := c.w.Header()
	h["X-Amz-Crc32"] = []string{strconv.FormatUint(uint64(crc32.ChecksumIEEE(b)), 10)}
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	c.w.WriteHeader(c.status)
	c.w.Write(b)
	if c.body.Cap() <= 1<<20 { // keep the pool from holding on to huge pages
		crcBufs.Put(c.body)
	}
	c.body = nil
}
