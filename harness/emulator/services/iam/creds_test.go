package iam_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"golang.org/x/crypto/ssh"

	iamsvc "github.com/groundstack/groundstack/harness/emulator/services/iam"
)

func newSSHKey(t testing.TB) (string, ssh.PublicKey) {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))), k
}

func newCertPEM(t testing.TB) string {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "signer"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestSSHPublicKeysAndSigningCertificates(t *testing.T) {
	t.Parallel()
	c := shared.c
	mustUser(t, c, "cr-lee")
	body, key := newSSHKey(t)
	up, err := c.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("cr-lee"), SSHPublicKeyBody: aws.String(body)})
	if err != nil {
		t.Fatal(err)
	}
	k := up.SSHPublicKey
	if aws.ToString(k.Fingerprint) != strings.TrimPrefix(ssh.FingerprintLegacyMD5(key), "MD5:") || k.Status != types.StatusTypeActive || len(aws.ToString(k.SSHPublicKeyId)) < 20 {
		t.Fatalf("uploaded %+v", k)
	}
	got, err := c.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String("cr-lee"), SSHPublicKeyId: k.SSHPublicKeyId, Encoding: types.EncodingTypePem})
	if err != nil || !strings.HasPrefix(aws.ToString(got.SSHPublicKey.SSHPublicKeyBody), "-----BEGIN PUBLIC KEY-----") {
		t.Fatalf("PEM: %v %+v", err, got)
	}
	if _, err := c.UpdateSSHPublicKey(ctx, &iam.UpdateSSHPublicKeyInput{UserName: aws.String("cr-lee"), SSHPublicKeyId: k.SSHPublicKeyId, Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	keys, err := c.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("cr-lee")})
	if err != nil || len(keys.SSHPublicKeys) != 1 || keys.SSHPublicKeys[0].Status != types.StatusTypeInactive {
		t.Fatalf("list: %v %+v", err, keys)
	}

	certBody := newCertPEM(t)
	cert, err := c.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("cr-lee"), CertificateBody: aws.String(certBody)})
	if err != nil || len(aws.ToString(cert.Certificate.CertificateId)) < 24 || cert.Certificate.Status != types.StatusTypeActive {
		t.Fatalf("certificate: %v %+v", err, cert)
	}
	certs, err := c.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("cr-lee")})
	if err != nil || len(certs.Certificates) != 1 {
		t.Fatalf("certificates: %v %+v", err, certs)
	}

	cases := []struct {
		name   string
		call   func() error
		code   string
		status int
		msg    string
	}{
		{"duplicate key", func() error {
			_, err := c.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("cr-lee"), SSHPublicKeyBody: aws.String(body)})
			return err
		}, "DuplicateSSHPublicKey", 400, "The SSH public key you uploaded is a duplicate."},
		{"not a key", func() error {
			_, err := c.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("cr-lee"), SSHPublicKeyBody: aws.String("ssh-rsa nope")})
			return err
		}, "UnrecognizedPublicKeyEncoding", 400, "Unrecognized public key encoding."},
		{"duplicate certificate", func() error {
			_, err := c.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("cr-lee"), CertificateBody: aws.String(certBody)})
			return err
		}, "DuplicateCertificate", 409, "The Certificate you uploaded is a duplicate."},
		{"not a certificate", func() error {
			_, err := c.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("cr-lee"), CertificateBody: aws.String("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")})
			return err
		}, "MalformedCertificate", 400, "Unable to parse certificate. Please ensure the certificate is in PEM format."},
		{"delete the user", func() error {
			_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("cr-lee")})
			return err
		},
			"DeleteConflict", 409, "Cannot delete entity, must delete signing certificates first."},
		{"unknown key", func() error {
			_, err := c.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String("cr-lee"), SSHPublicKeyId: aws.String("APKAAAAAAAAAAAAAAAAAA")})
			return err
		}, "NoSuchEntity", 404, "The Public Key with id APKAAAAAAAAAAAAAAAAAA cannot be found."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code, tc.status, tc.msg) })
	}
	if _, err := c.UpdateSigningCertificate(ctx, &iam.UpdateSigningCertificateInput{UserName: aws.String("cr-lee"), CertificateId: cert.Certificate.CertificateId, Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: aws.String("cr-lee"), CertificateId: cert.Certificate.CertificateId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String("cr-lee"), SSHPublicKeyId: k.SSHPublicKeyId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("cr-lee")}); err != nil {
		t.Fatal(err)
	}
}

func FuzzParseSSHPublicKey(f *testing.F) {
	body, _ := newSSHKey(f)
	for _, s := range []string{body, "ssh-rsa AAAA", "", "ssh-ed25519", body + " comment\n" + body} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { _, _, _ = iamsvc.ParseSSHPublicKey(s) })
}

func FuzzParseCertificatePEM(f *testing.F) {
	for _, s := range []string{newCertPEM(f), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "", "-----BEGIN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { _, _ = iamsvc.ParseCertificatePEM(s) })
}
