package iam_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	iamsvc "github.com/groundstack/groundstack/harness/emulator/services/iam"
)

// serverCert makes a self-signed certificate and its PKCS #8 key, in PEM.
func serverCert(t testing.TB, notAfter time.Time) (certPEM, keyPEM string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "www.example.com"},
		NotBefore: notAfter.Add(-24 * time.Hour), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	k8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k8}))
}

func TestServerCertificates(t *testing.T) {
	t.Parallel()
	c := shared.c
	notAfter := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	body, key := serverCert(t, notAfter)
	up, err := c.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("sc-www"), Path: aws.String("/cloudfront/"),
		CertificateBody: aws.String(body), PrivateKey: aws.String(key), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
	if err != nil {
		t.Fatal(err)
	}
	m := up.ServerCertificateMetadata
	if aws.ToString(m.Arn) != "arn:aws:iam::000000000000:server-certificate/cloudfront/sc-www" || !m.Expiration.Equal(notAfter) || len(up.Tags) != 1 {
		t.Fatalf("uploaded %+v", m)
	}
	got, err := c.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("sc-www")})
	if err != nil || aws.ToString(got.ServerCertificate.CertificateBody) != body {
		t.Fatalf("get: %v %+v", err, got)
	}
	if _, err := c.UpdateServerCertificate(ctx, &iam.UpdateServerCertificateInput{ServerCertificateName: aws.String("sc-www"), NewServerCertificateName: aws.String("sc-www2")}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListServerCertificates(ctx, &iam.ListServerCertificatesInput{PathPrefix: aws.String("/cloudfront/")})
	if err != nil || len(list.ServerCertificateMetadataList) != 1 || aws.ToString(list.ServerCertificateMetadataList[0].ServerCertificateName) != "sc-www2" {
		t.Fatalf("list: %v %+v", err, list)
	}
	if _, err := c.UntagServerCertificate(ctx, &iam.UntagServerCertificateInput{ServerCertificateName: aws.String("sc-www2"), TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TagServerCertificate(ctx, &iam.TagServerCertificateInput{ServerCertificateName: aws.String("sc-www2"), Tags: []types.Tag{{Key: aws.String("b"), Value: aws.String("2")}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListServerCertificateTags(ctx, &iam.ListServerCertificateTagsInput{ServerCertificateName: aws.String("sc-www2")})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "b" {
		t.Fatalf("tags: %v %+v", err, tags)
	}
	_, otherKey := serverCert(t, notAfter)
	cases := []struct {
		name   string
		call   func() error
		code   string
		status int
		msg    string
	}{
		{"key of another certificate", func() error {
			_, err := c.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("sc-x"), CertificateBody: aws.String(body), PrivateKey: aws.String(otherKey)})
			return err
		}, "KeyPairMismatch", 400, "The private key does not match the certificate."},
		{"not a certificate", func() error {
			_, err := c.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("sc-x"), CertificateBody: aws.String("nope"), PrivateKey: aws.String(key)})
			return err
		}, "MalformedCertificate", 400, "Unable to parse certificate. Please ensure the certificate is in PEM format."},
		{"duplicate", func() error {
			_, err := c.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("SC-WWW2"), CertificateBody: aws.String(body), PrivateKey: aws.String(key)})
			return err
		}, "EntityAlreadyExists", 409, "The Server Certificate with name SC-WWW2 already exists."},
		{"missing", func() error {
			_, err := c.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("sc-www")})
			return err
		}, "NoSuchEntity", 404, "The Server Certificate with name sc-www cannot be found."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code, tc.status, tc.msg) })
	}
	if _, err := c.DeleteServerCertificate(ctx, &iam.DeleteServerCertificateInput{ServerCertificateName: aws.String("sc-www2")}); err != nil {
		t.Fatal(err)
	}
}

func FuzzCheckServerCertificate(f *testing.F) {
	body, key := serverCert(f, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	f.Add(body, key)
	f.Add(body, "")
	f.Add("", key)
	f.Add("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----")
	f.Fuzz(func(t *testing.T, body, key string) { _, _ = iamsvc.CheckServerCertificate(body, key) })
}
