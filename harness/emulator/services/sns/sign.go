package sns

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"strings"
	"sync"
	"time"
)

// signer signs messages as SNS does (SignatureVersion 1: SHA1withRSA,
// 2: SHA256withRSA) with a key generated on first use, and holds the
// self-signed certificate served at SigningCertURL.
type signer struct {
	once    sync.Once
	key     *rsa.PrivateKey
	certPEM []byte
	name    string // the certificate's file name
	err     error
}

func (g *signer) init() {
	g.once.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, signingKeyBits)
		if err != nil {
			g.err = err
			return
		}
		serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
		tmpl := &x509.Certificate{
			SerialNumber: serial,
			Subject:      pkix.Name{CommonName: "sns.amazonaws.com", Organization: []string{"groundstack"}},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().AddDate(10, 0, 0),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			DNSNames:     []string{"sns.amazonaws.com"},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			g.err = err
			return
		}
		g.key = key
		g.certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		sum := sha256.Sum256(der)
		g.name = "SimpleNotificationService-" + hex.EncodeToString(sum[:16]) + ".pem"
	})
}

// certName is the certificate's file name under /_aws/sns/.
func (g *signer) certName() string { g.init(); return g.name }

// cert returns the PEM certificate.
func (g *signer) cert() []byte { g.init(); return g.certPEM }

// Sign signs the canonical string of a message's fields (name, value
// pairs in the order SNS signs them) and returns the base64 signature.
func (g *signer) Sign(version string, fields [][2]string) string {
	g.init()
	if g.err != nil {
		return ""
	}
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(f[0])
		b.WriteByte('\n')
		b.WriteString(f[1])
		b.WriteByte('\n')
	}
	var sig []byte
	var err error
	if version == "2" {
		sum := sha256.Sum256([]byte(b.String()))
		sig, err = rsa.SignPKCS1v15(nil, g.key, crypto.SHA256, sum[:])
	} else {
		sum := sha1.Sum([]byte(b.String()))
		sig, err = rsa.SignPKCS1v15(nil, g.key, crypto.SHA1, sum[:])
	}
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// notificationFields are the fields SNS signs for a Notification, in order
// (Subject only when the message has one).
func notificationFields(message, messageID, subject, timestamp, topicARN string) [][2]string {
	f := [][2]string{{"Message", message}, {"MessageId", messageID}}
	if subject != "" {
		f = append(f, [2]string{"Subject", subject})
	}
	return append(f, [2]string{"Timestamp", timestamp}, [2]string{"TopicArn", topicARN}, [2]string{"Type", "Notification"})
}

// confirmationFields are the fields signed for a SubscriptionConfirmation.
func confirmationFields(message, messageID, subscribeURL, timestamp, token, topicARN string) [][2]string {
	return [][2]string{{"Message", message}, {"MessageId", messageID}, {"SubscribeURL", subscribeURL},
		{"Timestamp", timestamp}, {"Token", token}, {"TopicArn", topicARN}, {"Type", "SubscriptionConfirmation"}}
}

// signingKeyBits is the size of the emulator's throwaway signing key. AWS
// signs with 2048 bits; verification is the same code for any size, and a
// 2048-bit signature costs about a millisecond of CPU per message on the
// reference machine (four times a 1024-bit one), which would dominate
// Publish. The key never leaves the process and signs nothing real.
const signingKeyBits = 1024
