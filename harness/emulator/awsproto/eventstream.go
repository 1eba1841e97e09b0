package awsproto

import (
	"encoding/binary"
	"hash/crc32"
)

// EventStreamMessage encodes one message of an event stream
// (application/vnd.amazon.eventstream), as Lambda's response streams, S3
// Select and Logs' live tail send them: a prelude (total and headers
// lengths, then their CRC32), the headers (all strings, in order), the
// payload and the CRC32 of all that precedes it.
func EventStreamMessage(headers [][2]string, payload []byte) []byte {
	var hs []byte
	for _, kv := range headers {
		hs = append(hs, byte(len(kv[0])))
		hs = append(hs, kv[0]...)
		hs = append(hs, 7) // string
		hs = binary.BigEndian.AppendUint16(hs, uint16(len(kv[1])))
		hs = append(hs, kv[1]...)
	}
	total := 12 + len(hs) + len(payload) + 4
	msg := make([]byte, 0, total)
	msg = binary.BigEndian.AppendUint32(msg, uint32(total))
	msg = binary.BigEndian.AppendUint32(msg, uint32(len(hs)))
	msg = binary.BigEndian.AppendUint32(msg, crc32.ChecksumIEEE(msg))
	msg = append(msg, hs...)
	msg = append(msg, payload...)
	return binary.BigEndian.AppendUint32(msg, crc32.ChecksumIEEE(msg))
}
