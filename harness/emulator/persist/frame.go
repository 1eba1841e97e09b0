package persist

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// A record is framed as its payload's length (4 bytes, little-endian),
// the payload's CRC32C (4 bytes), then the payload: the service's state
// version as a uvarint, then the record's JSON.
const frameHeader = 8

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errTorn is a frame that is cut short or whose checksum does not match:
// the tail a crash tore, or a corrupt byte.
var errTorn = errors.New("torn or corrupt record")

// appendFrame appends one framed record to buf.
func appendFrame(buf []byte, version int, data []byte) []byte {
	var v [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(v[:], uint64(version))
	size := n + len(data)
	start := len(buf)
	buf = append(buf, 0, 0, 0, 0, 0, 0, 0, 0)
	buf = append(buf, v[:n]...)
	buf = append(buf, data...)
	binary.LittleEndian.PutUint32(buf[start:], uint32(size))
	binary.LittleEndian.PutUint32(buf[start+4:], crc32.Checksum(buf[start+frameHeader:], castagnoli))
	return buf
}

// readFrame decodes the frame at the start of b: the record's version and
// JSON, and the frame's length. maxRecord bounds the payload.
func readFrame(b []byte, maxRecord int) (version int, data []byte, n int, err error) {
	if len(b) < frameHeader {
		return 0, nil, 0, errTorn
	}
	size := binary.LittleEndian.Uint32(b)
	if size == 0 || int64(size) > int64(maxRecord)+binary.MaxVarintLen64 || int64(size) > int64(len(b)-frameHeader) {
		return 0, nil, 0, errTorn
	}
	payload := b[frameHeader : frameHeader+int(size)]
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(b[4:]) {
		return 0, nil, 0, errTorn
	}
	v, vn := binary.Uvarint(payload)
	if vn <= 0 || v > 1<<30 {
		return 0, nil, 0, errTorn
	}
	return int(v), payload[vn:], frameHeader + int(size), nil
}
