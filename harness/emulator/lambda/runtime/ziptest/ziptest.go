// Package ziptest builds zip archives for tests of size limits without
// the cost of deflating what they hold.
package ziptest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
)

// Zeros is a zip of one deflated entry, name, of 64 KiB + mib MiB of
// zeros, its sizes and CRC true. The deflate stream is one compressed MiB
// repeated: its blocks only copy from the zeros before them, so they can
// follow each other. Deflating 250 MiB cost minutes under -race; this
// costs a MiB.
func Zeros(name string, mib int) ([]byte, error) {
	var stream bytes.Buffer
	fw, err := flate.NewWriter(&stream, flate.BestSpeed)
	if err != nil {
		return nil, err
	}
	zeros := make([]byte, 1<<20)
	fw.Write(zeros[:64<<10])
	fw.Flush()
	head := len(stream.Bytes())
	fw.Write(zeros)
	fw.Flush()
	mibBlock := append([]byte(nil), stream.Bytes()[head:]...)
	stream.Truncate(head)
	for range mib {
		stream.Write(mibBlock)
	}
	fw.Close() // after the last Flush: the final, empty block
	var final bytes.Buffer
	fw.Reset(&final)
	fw.Close()
	stream.Write(final.Bytes())

	size := uint64(64<<10) + uint64(mib)<<20
	crc := crc32.Update(0, crc32.IEEETable, zeros[:64<<10])
	for range mib {
		crc = crc32.Update(crc, crc32.IEEETable, zeros)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(stream.Len()), UncompressedSize64: size})
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(stream.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
