package iam

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"slices"
	"sort"
	"strings"
	"time"
)

// ServerCertificate is an uploaded TLS certificate; its private key is
// checked against it and not kept.
type ServerCertificate struct {
	Name, Path, ID, ARN string
	Body, Chain         string
	Uploaded, Expires   time.Time
	Tags                []Tag
}

// maxServerCertificates is the account's quota.
const maxServerCertificates = 20

func noServerCert(name string) error {
	return errNoSuchEntity.New("The Server Certificate with name " + name + " cannot be found.")
}

var malformedCert = errMalformedCert.New("Unable to parse certificate. Please ensure the certificate is in PEM format.")

// CheckServerCertificate parses a PEM certificate and its PEM private key
// (PKCS #1, PKCS #8 or SEC 1) and checks they belong together; it returns
// the certificate's expiry.
func CheckServerCertificate(body, privateKey string) (time.Time, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(body)))
	if block == nil || block.Type != "CERTIFICATE" {
		return time.Time{}, malformedCert
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return time.Time{}, malformedCert
	}
	kb, _ := pem.Decode([]byte(strings.TrimSpace(privateKey)))
	if kb == nil {
		return time.Time{}, errMalformedCert.New("Unable to parse private key.")
	}
	var key any
	if key, err = x509.ParsePKCS8PrivateKey(kb.Bytes); err != nil {
		if key, err = x509.ParsePKCS1PrivateKey(kb.Bytes); err != nil {
			if key, err = x509.ParseECPrivateKey(kb.Bytes); err != nil {
				return time.Time{}, errMalformedCert.New("Unable to parse private key.")
			}
		}
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return time.Time{}, errMalformedCert.New("Unable to parse private key.")
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return time.Time{}, errKeyPairMismatch.New("The private key does not match the certificate.")
	}
	return cert.NotAfter, nil
}

func (c *ServerCertificate) clone() ServerCertificate {
	out := *c
	out.Tags = slices.Clone(c.Tags)
	return out
}

// UploadServerCertificate stores a checked certificate.
func (s *Store) UploadServerCertificate(in ServerCertificate, now time.Time) (ServerCertificate, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.serverCerts[key(in.Name)]; ok {
		return ServerCertificate{}, errEntityExists.New("The Server Certificate with name " + in.Name + " already exists.")
	}
	if len(s.serverCerts) >= maxServerCertificates {
		return ServerCertificate{}, errLimitExceeded.New("Cannot exceed quota for ServerCertificatesPerAccount: 20")
	}
	in.ID, in.ARN, in.Uploaded = s.newID("ASCA"), s.arn("server-certificate", in.Path, in.Name), now
	c := in.clone()
	s.serverCerts[key(in.Name)] = &c
	return c.clone(), nil
}

// GetServerCertificate returns a certificate by name.
func (s *Store) GetServerCertificate(name string) (ServerCertificate, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := s.serverCerts[key(name)]
	if c == nil {
		return ServerCertificate{}, noServerCert(name)
	}
	return c.clone(), nil
}

// ListServerCertificates returns the certificates under pathPrefix, by name.
func (s *Store) ListServerCertificates(pathPrefix string) []ServerCertificate {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []ServerCertificate
	for _, c := range s.serverCerts {
		if strings.HasPrefix(c.Path, pathPrefix) {
			out = append(out, c.clone())
		}
	}
	sort.Slice(out, func(i, j int) bool { return key(out[i].Name) < key(out[j].Name) })
	return out
}

// UpdateServerCertificate renames or moves a certificate.
func (s *Store) UpdateServerCertificate(name string, newName, newPath *string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.serverCerts[key(name)]
	if c == nil {
		return noServerCert(name)
	}
	if newName != nil && key(*newName) != key(name) {
		if _, taken := s.serverCerts[key(*newName)]; taken {
			return errEntityExists.New("The Server Certificate with name " + *newName + " already exists.")
		}
		delete(s.serverCerts, key(name))
		c.Name = *newName
		s.serverCerts[key(c.Name)] = c
	}
	if newPath != nil {
		c.Path = *newPath
	}
	c.ARN = s.arn("server-certificate", c.Path, c.Name)
	return nil
}

// DeleteServerCertificate removes a certificate.
func (s *Store) DeleteServerCertificate(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.serverCerts[key(name)] == nil {
		return noServerCert(name)
	}
	delete(s.serverCerts, key(name))
	return nil
}

// UpdateServerCertificateTags changes a certificate's tags under the lock.
func (s *Store) UpdateServerCertificateTags(name string, f func([]Tag) ([]Tag, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.serverCerts[key(name)]
	if c == nil {
		return noServerCert(name)
	}
	t, err := f(c.Tags)
	if err == nil {
		c.Tags = t
	}
	return err
}
