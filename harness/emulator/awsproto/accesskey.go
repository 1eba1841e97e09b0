package awsproto

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"strconv"
	"strings"
)

// NewAccessKeyID makes an access key ID ("AKIA…", "ASIA…") that carries
// its account as AWS's do: after the four-letter prefix, the base32 of ten
// bytes whose first six hold the account number shifted left by seven bits;
// the other bits are random.
func NewAccessKeyID(prefix, account string) string {
	var b [10]byte
	rand.Read(b[:])
	n, err := strconv.ParseUint(account, 10, 64)
	if err != nil || n >= 1<<40 {
		n = 0
	}
	var hi [8]byte
	binary.BigEndian.PutUint64(hi[:], n<<7|uint64(b[5]&0x7f))
	copy(b[:6], hi[2:])
	return prefix + base32.StdEncoding.EncodeToString(b[:])
}

// AccountOfAccessKey decodes the account an access key ID carries (see
// NewAccessKeyID); ok is false for an ID not shaped like AWS's.
func AccountOfAccessKey(id string) (string, bool) {
	if len(id) != 20 {
		return "", false
	}
	b, err := base32.StdEncoding.DecodeString(id[4:])
	if err != nil || len(b) != 10 {
		return "", false
	}
	var hi [8]byte
	copy(hi[2:], b[:6])
	n := binary.BigEndian.Uint64(hi[:]) & 0x7fffffffff80 >> 7
	if n > 999_999_999_999 {
		return "", false
	}
	s := strconv.FormatUint(n, 10)
	return strings.Repeat("0", max(0, 12-len(s))) + s, true
}
