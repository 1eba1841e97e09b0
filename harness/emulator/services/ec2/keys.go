package ec2

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Key types and formats as the API names them.
const (
	keyTypeRSA     = "rsa"
	keyTypeED25519 = "ed25519"
	keyFormatPEM   = "pem"
	keyFormatPPK   = "ppk"
)

// generatedKey is a key pair made by CreateKeyPair: the private half goes
// to the client once and is never stored.
type generatedKey struct {
	Material    string // private key, PEM (or PPK)
	PublicKey   string // authorized_keys form, no newline
	Fingerprint string
}

// generateKey makes a key pair as CreateKeyPair does: RSA 2048 returned as
// PKCS#1 PEM, ED25519 as an OpenSSH private key, or either in PuTTY's format.
func generateKey(keyType, format, comment string) (generatedKey, error) {
	var (
		priv any
		pub  ssh.PublicKey
		err  error
	)
	switch keyType {
	case keyTypeRSA:
		k, gerr := rsa.GenerateKey(rand.Reader, 2048)
		if gerr != nil {
			return generatedKey{}, gerr
		}
		priv = k
		pub, err = ssh.NewPublicKey(&k.PublicKey)
	case keyTypeED25519:
		p, k, gerr := ed25519.GenerateKey(rand.Reader)
		if gerr != nil {
			return generatedKey{}, gerr
		}
		priv = k
		pub, err = ssh.NewPublicKey(p)
	default:
		return generatedKey{}, errors.New("unknown key type " + keyType)
	}
	if err != nil {
		return generatedKey{}, err
	}
	out := generatedKey{PublicKey: authorizedKey(pub, comment)}
	if out.Fingerprint, err = createdFingerprint(priv, pub); err != nil {
		return generatedKey{}, err
	}
	if format == keyFormatPPK {
		out.Material, err = puttyKey(priv, pub, comment)
		return out, err
	}
	var block *pem.Block
	switch k := priv.(type) {
	case *rsa.PrivateKey:
		block = &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}
	default:
		if block, err = ssh.MarshalPrivateKey(k, ""); err != nil {
			return generatedKey{}, err
		}
	}
	out.Material = strings.TrimRight(string(pem.EncodeToMemory(block)), "\n")
	return out, nil
}

// createdFingerprint is EC2's fingerprint of a key it generated: SHA-1 of
// the PKCS#8 DER private key for RSA, padded base64 SHA-256 of the public
// key blob for ED25519.
func createdFingerprint(priv any, pub ssh.PublicKey) (string, error) {
	if _, ok := priv.(ed25519.PrivateKey); ok {
		return ed25519Fingerprint(pub), nil
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", err
	}
	sum := sha1.Sum(der)
	return colonHex(sum[:]), nil
}

// importedFingerprint is EC2's fingerprint of an imported key: MD5 of the
// DER SubjectPublicKeyInfo for RSA (what AWS computes, whatever its docs
// say about RFC 4716), padded base64 SHA-256 of the blob for ED25519.
func importedFingerprint(pub ssh.PublicKey) (string, error) {
	if pub.Type() == ssh.KeyAlgoED25519 {
		return ed25519Fingerprint(pub), nil
	}
	cpk, ok := pub.(ssh.CryptoPublicKey)
	if !ok {
		return "", errors.New("no crypto key")
	}
	der, err := x509.MarshalPKIXPublicKey(cpk.CryptoPublicKey())
	if err != nil {
		return "", err
	}
	sum := md5.Sum(der)
	return colonHex(sum[:]), nil
}

// ed25519Fingerprint is OpenSSH's SHA256 fingerprint spelled as EC2 does:
// no "SHA256:" prefix, base64 padding kept.
func ed25519Fingerprint(pub ssh.PublicKey) string {
	sum := sha256.Sum256(pub.Marshal())
	return base64.StdEncoding.EncodeToString(sum[:])
}

func colonHex(b []byte) string {
	h := hex.EncodeToString(b)
	var sb strings.Builder
	sb.Grow(len(h) + len(b))
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteString(h[i : i+2])
	}
	return sb.String()
}

// authorizedKey renders pub in authorized_keys form with an optional comment.
func authorizedKey(pub ssh.PublicKey, comment string) string {
	s := strings.TrimRight(string(ssh.MarshalAuthorizedKey(pub)), "\n")
	if comment != "" {
		s += " " + comment
	}
	return s
}

// keyBits is a public key's size as ssh-keygen reports it.
func keyBits(pub ssh.PublicKey) int {
	cpk, ok := pub.(ssh.CryptoPublicKey)
	if !ok {
		return 0
	}
	switch k := cpk.CryptoPublicKey().(type) {
	case *rsa.PublicKey:
		return k.N.BitLen()
	case *ecdsa.PublicKey:
		return k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return 256
	}
	return 0
}

// errKeyFormat is any public key material EC2 would not accept.
var errKeyFormat = errors.New("key is not in valid OpenSSH public key format")

// parsePublicKey reads what ImportKeyPair accepts: an OpenSSH public key
// line, an RFC 4716 (SSH2) public key, or base64 DER SubjectPublicKeyInfo;
// RSA of 1024–4096 bits or ED25519. It returns the key and the comment the
// material carried.
func parsePublicKey(material []byte) (ssh.PublicKey, string, error) {
	material = bytes.TrimSpace(material)
	var (
		pub     ssh.PublicKey
		comment string
		err     error
	)
	switch {
	case bytes.HasPrefix(material, []byte("---- BEGIN SSH2 PUBLIC KEY ----")):
		pub, comment, err = parseRFC4716(material)
	case bytes.HasPrefix(material, []byte("ssh-")):
		pub, comment, _, _, err = ssh.ParseAuthorizedKey(material)
	default:
		pub, err = parseDERBase64(material)
	}
	if err != nil {
		return nil, "", errKeyFormat
	}
	switch pub.Type() {
	case ssh.KeyAlgoED25519:
	case ssh.KeyAlgoRSA:
		cpk, ok := pub.(ssh.CryptoPublicKey)
		if !ok {
			return nil, "", errKeyFormat
		}
		rk, ok := cpk.CryptoPublicKey().(*rsa.PublicKey)
		if !ok || rk.N.BitLen() < 1024 || rk.N.BitLen() > 4096 {
			return nil, "", errKeyFormat
		}
	default:
		return nil, "", errKeyFormat
	}
	return pub, comment, nil
}

// parseRFC4716 reads "---- BEGIN SSH2 PUBLIC KEY ----", headers (with
// backslash continuations), the base64 body and the END line.
func parseRFC4716(material []byte) (ssh.PublicKey, string, error) {
	lines := strings.Split(strings.ReplaceAll(string(material), "\r\n", "\n"), "\n")
	if len(lines) < 3 || strings.TrimSpace(lines[len(lines)-1]) != "---- END SSH2 PUBLIC KEY ----" {
		return nil, "", errKeyFormat
	}
	var body strings.Builder
	comment := ""
	inHeader := false
	for _, l := range lines[1 : len(lines)-1] {
		l = strings.TrimSpace(l)
		switch {
		case inHeader:
			inHeader = strings.HasSuffix(l, `\`)
		case strings.Contains(l, ":"):
			k, v, _ := strings.Cut(l, ":")
			if strings.EqualFold(strings.TrimSpace(k), "Comment") {
				comment = strings.Trim(strings.TrimSpace(v), `"`)
			}
			inHeader = strings.HasSuffix(l, `\`)
		default:
			body.WriteString(l)
		}
	}
	blob, err := base64.StdEncoding.DecodeString(body.String())
	if err != nil {
		return nil, "", errKeyFormat
	}
	pub, err := ssh.ParsePublicKey(blob)
	return pub, comment, err
}

func parseDERBase64(material []byte) (ssh.PublicKey, error) {
	der, err := base64.StdEncoding.DecodeString(string(material))
	if err != nil {
		return nil, errKeyFormat
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, errKeyFormat
	}
	return ssh.NewPublicKey(k)
}

// puttyKey renders an unencrypted PuTTY private key (PPK version 2, which
// every PuTTY release reads).
func puttyKey(priv any, pub ssh.PublicKey, comment string) (string, error) {
	var private []byte
	switch k := priv.(type) {
	case *rsa.PrivateKey:
		k.Precompute()
		private = appendMPInt(private, k.D)
		private = appendMPInt(private, k.Primes[0])
		private = appendMPInt(private, k.Primes[1])
		private = appendMPInt(private, k.Precomputed.Qinv)
	case ed25519.PrivateKey:
		private = appendString(private, k.Seed())
	default:
		return "", errors.New("unsupported key")
	}
	// Unencrypted, PPK 2 pads nothing (the cipher block size counts as 1).
	public := pub.Marshal()
	const encryption = "none"
	var macData []byte
	for _, s := range [][]byte{[]byte(pub.Type()), []byte(encryption), []byte(comment), public, private} {
		macData = appendString(macData, s)
	}
	macKey := sha1.Sum([]byte("putty-private-key-file-mac-key"))
	mac := hmac.New(sha1.New, macKey[:])
	mac.Write(macData)
	var sb strings.Builder
	sb.WriteString("PuTTY-User-Key-File-2: " + pub.Type() + "\n")
	sb.WriteString("Encryption: " + encryption + "\n")
	sb.WriteString("Comment: " + comment + "\n")
	writeLines := func(name string, b []byte) {
		enc := base64.StdEncoding.EncodeToString(b)
		n := (len(enc) + 63) / 64
		sb.WriteString(name + "-Lines: " + strconv.Itoa(n) + "\n")
		for i := 0; i < len(enc); i += 64 {
			sb.WriteString(enc[i:min(i+64, len(enc))] + "\n")
		}
	}
	writeLines("Public", public)
	writeLines("Private", private)
	sb.WriteString("Private-MAC: " + hex.EncodeToString(mac.Sum(nil)))
	return sb.String(), nil
}

func appendString(b, s []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// appendMPInt appends an SSH mpint (two's complement, leading zero when the
// top bit is set).
func appendMPInt(b []byte, n *big.Int) []byte {
	v := n.Bytes()
	if len(v) > 0 && v[0]&0x80 != 0 {
		v = append([]byte{0}, v...)
	}
	return appendString(b, v)
}
