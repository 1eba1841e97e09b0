package s3

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"strconv"
	"strings"
	"sync"
)

// Payload errors; api.go maps them to S3 error codes.
var (
	errChunkFormat = errors.New("malformed aws-chunked body")
	errShortBody   = errors.New("body shorter than declared")
	errLongBody    = errors.New("body longer than declared")
)

// Bounds that keep a hostile body from costing more than its own size.
const (
	chunkReaderSize = 8 << 10 // longest chunk header or trailer line
	maxTrailers     = 16      // trailing headers after the last chunk
)

// readPlain reads exactly n bytes of body into w.
func readPlain(r io.Reader, n int64, w *bodyWriter) error {
	for w.written() < n {
		p := w.buf(int(min(n-w.written(), 1<<20)))
		if _, err := io.ReadFull(r, p); err != nil {
			if err == io.ErrUnexpectedEOF || err == io.EOF {
				return errShortBody
			}
			return err
		}
		if err := w.wrote(len(p)); err != nil {
			return err
		}
	}
	return nil
}

// trailerField is one trailing header of an aws-chunked body
// ("x-amz-checksum-crc32:…").
type trailerField struct{ name, value string }

var chunkReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, chunkReaderSize) }}

// decodeAWSChunked strips aws-chunked framing ("<hex-size>[;chunk-signature=…]
// CRLF <data> CRLF … 0[;…] CRLF [trailers CRLF] CRLF"), writes exactly
// decodedLen bytes of payload to w and returns any trailing headers. Chunk
// signatures are not verified.
func decodeAWSChunked(body io.Reader, decodedLen int64, w *bodyWriter) ([]trailerField, error) {
	br := chunkReaders.Get().(*bufio.Reader)
	br.Reset(body)
	defer func() { br.Reset(nil); chunkReaders.Put(br) }()

	for {
		line, err := readLine(br)
		if err != nil {
			return nil, err
		}
		sizeField, _, _ := strings.Cut(line, ";")
		size, err := strconv.ParseUint(strings.TrimSpace(sizeField), 16, 63)
		if err != nil {
			return nil, errChunkFormat
		}
		if size == 0 {
			break
		}
		if size > uint64(decodedLen-w.written()) {
			return nil, errLongBody
		}
		for rest := int(size); rest > 0; {
			p := w.buf(min(rest, 1<<20))
			if _, err := io.ReadFull(br, p); err != nil {
				return nil, errShortBody
			}
			if err := w.wrote(len(p)); err != nil {
				return nil, err
			}
			rest -= len(p)
		}
		if line, err := readLine(br); err != nil || line != "" {
			return nil, errChunkFormat
		}
	}
	var trailers []trailerField
	for {
		line, err := readLine(br)
		if err == errShortBody && len(trailers) == 0 {
			break // no trailer section at all
		}
		if err != nil {
			return nil, err
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || len(trailers) == maxTrailers {
			return nil, errChunkFormat
		}
		trailers = append(trailers, trailerField{strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)})
	}
	if w.written() != decodedLen {
		return nil, errShortBody
	}
	return trailers, nil
}

// readLine reads one CRLF-terminated line (without the CRLF).
func readLine(br *bufio.Reader) (string, error) {
	line, err := br.ReadSlice('\n')
	switch {
	case err == bufio.ErrBufferFull:
		return "", errChunkFormat
	case err != nil:
		return "", errShortBody
	case len(line) < 2 || line[len(line)-2] != '\r':
		return "", errChunkFormat
	}
	return string(line[:len(line)-2]), nil
}

// Flexible checksums S3 accepts, by the suffix of x-amz-checksum-<name>.
var checksumAlgorithms = map[string]string{
	"crc32":     "CRC32",
	"crc32c":    "CRC32C",
	"crc64nvme": "CRC64NVME",
	"sha1":      "SHA1",
	"sha256":    "SHA256",
}

// checksumHeader is the header (and trailer) name of an algorithm.
func checksumHeader(alg string) string { return "x-amz-checksum-" + strings.ToLower(alg) }

var (
	crc32cTable    = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })
	crc64NVMETable = sync.OnceValue(func() *crc64.Table { return crc64.MakeTable(0x9a6c9329ac4bc9b5) })
)

func newChecksumHash(alg string) hash.Hash {
	switch alg {
	case "CRC32":
		return crc32.NewIEEE()
	case "CRC32C":
		return crc32.New(crc32cTable())
	case "CRC64NVME":
		return crc64.New(crc64NVMETable())
	case "SHA1":
		return sha1.New()
	case "SHA256":
		return sha256.New()
	}
	return nil
}

// computeChecksum returns the base64 checksum of data, "" for an unknown
// algorithm.
func computeChecksum(alg string, data []byte) string {
	h := newChecksumHash(alg)
	if h == nil {
		return ""
	}
	h.Write(data)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// bodyChecksum returns the base64 checksum of a body, reading it back
// when it is on disk.
func bodyChecksum(alg string, b *Body) (string, error) {
	if !b.spilled() {
		return computeChecksum(alg, b.mem), nil
	}
	h := newChecksumHash(alg)
	if h == nil {
		return "", nil
	}
	if err := b.hash(h); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

// validChecksumValue reports whether v is a well-formed checksum of alg.
func validChecksumValue(alg, v string) bool {
	h := newChecksumHash(alg)
	b, err := base64.StdEncoding.DecodeString(v)
	return h != nil && err == nil && len(b) == h.Size()
}

// hasToken reports whether a comma-separated header value lists tok.
func hasToken(v, tok string) bool {
	for v != "" {
		var t string
		t, v, _ = strings.Cut(v, ",")
		if strings.EqualFold(strings.TrimSpace(t), tok) {
			return true
		}
	}
	return false
}

// withoutToken removes tok from a comma-separated header value.
func withoutToken(v, tok string) string {
	if !hasToken(v, tok) {
		return v
	}
	var out bytes.Buffer
	for _, t := range strings.Split(v, ",") {
		if t = strings.TrimSpace(t); t != "" && !strings.EqualFold(t, tok) {
			if out.Len() > 0 {
				out.WriteByte(',')
			}
			out.WriteString(t)
		}
	}
	return out.String()
}
