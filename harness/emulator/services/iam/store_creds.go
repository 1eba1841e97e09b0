package iam

import (
	"crypto/sha1"
	"crypto/x509"
	"encoding/base32"
	"encoding/pem"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// SSHPublicKey is a user's SSH public key (for CodeCommit).
type SSHPublicKey struct {
	UserName, ID, Body, Fingerprint, Status string
	PEM                                     string // the key as PKIX PEM
	Uploaded                                time.Time
}

// SigningCertificate is a user's X.509 signing certificate.
type SigningCertificate struct {
	UserName, ID, Body, Status string
	Uploaded                   time.Time
}

// Quotas of a user's SSH keys and certificates.
const (
	maxSSHKeysPerUser = 5
	maxCertsPerUser   = 2
)

// ParseSSHPublicKey reads an OpenSSH public key line (RSA or Ed25519) and
// returns its MD5 fingerprint, as IAM shows it, and its PKIX PEM form.
func ParseSSHPublicKey(body string) (fingerprint, pemForm string, err error) {
	key, _, _, _, perr := ssh.ParseAuthorizedKey([]byte(body))
	if perr != nil {
		return "", "", errUnrecognizedKey.New("Unrecognized public key encoding.")
	}
	switch key.Type() {
	case ssh.KeyAlgoRSA, ssh.KeyAlgoED25519:
	default:
		return "", "", errInvalidPublicKey.New("Unsupported public key type " + key.Type() + ".")
	}
	ck, ok := key.(ssh.CryptoPublicKey)
	if !ok {
		return "", "", errInvalidPublicKey.New("The public key is not valid.")
	}
	der, merr := x509.MarshalPKIXPublicKey(ck.CryptoPublicKey())
	if merr != nil {
		return "", "", errInvalidPublicKey.New("The public key is not valid.")
	}
	fp := strings.TrimPrefix(ssh.FingerprintLegacyMD5(key), "MD5:")
	return fp, string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

// ParseCertificatePEM reads one PEM X.509 certificate and returns an ID
// derived from its contents (so the same certificate gets the same ID).
func ParseCertificatePEM(body string) (string, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(body)))
	if block == nil || block.Type != "CERTIFICATE" {
		return "", errMalformedCert.New("Unable to parse certificate. Please ensure the certificate is in PEM format.")
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return "", errMalformedCert.New("Unable to parse certificate. Please ensure the certificate is in PEM format.")
	}
	sum := sha1.Sum(block.Bytes)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:]), nil
}

// UploadSSHPublicKey stores a parsed key for a user.
func (s *Store) UploadSSHPublicKey(userName string, k SSHPublicKey) (SSHPublicKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[key(userName)]
	if u == nil {
		return SSHPublicKey{}, noUser(userName)
	}
	if slices.ContainsFunc(u.sshKeys, func(x *SSHPublicKey) bool { return x.Fingerprint == k.Fingerprint }) {
		return SSHPublicKey{}, errDuplicateSSHKey.New("The SSH public key you uploaded is a duplicate.")
	}
	if len(u.sshKeys) >= maxSSHKeysPerUser {
		return SSHPublicKey{}, errLimitExceeded.New("Cannot exceed quota for PublicKeysPerUser: " + strconv.Itoa(maxSSHKeysPerUser))
	}
	k.UserName, k.Status = u.Name, "Active"
	u.sshKeys = append(u.sshKeys, &k)
	return k, nil
}

func (s *Store) userSSHKey(userName, id string) (*user, int, error) {
	u := s.users[key(userName)]
	if u == nil {
		return nil, 0, noUser(userName)
	}
	i := slices.IndexFunc(u.sshKeys, func(x *SSHPublicKey) bool { return x.ID == id })
	if i < 0 {
		return nil, 0, errNoSuchEntity.New("The Public Key with id " + id + " cannot be found.")
	}
	return u, i, nil
}

// SSHPublicKeyOf returns one of a user's keys.
func (s *Store) SSHPublicKeyOf(userName, id string) (SSHPublicKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, i, err := s.userSSHKey(userName, id)
	if err != nil {
		return SSHPublicKey{}, err
	}
	k := *u.sshKeys[i]
	k.UserName = u.Name
	return k, nil
}

// SSHPublicKeys lists a user's keys, oldest first.
func (s *Store) SSHPublicKeys(userName string) ([]SSHPublicKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.users[key(userName)]
	if u == nil {
		return nil, noUser(userName)
	}
	out := make([]SSHPublicKey, len(u.sshKeys))
	for i, k := range u.sshKeys {
		out[i] = *k
		out[i].UserName = u.Name
	}
	return out, nil
}

// UpdateSSHPublicKey sets a key's status; DeleteSSHPublicKey removes it.
func (s *Store) UpdateSSHPublicKey(userName, id, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, i, err := s.userSSHKey(userName, id)
	if err == nil {
		u.sshKeys[i].Status = status
	}
	return err
}

// DeleteSSHPublicKey removes a user's key.
func (s *Store) DeleteSSHPublicKey(userName, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, i, err := s.userSSHKey(userName, id)
	if err == nil {
		u.sshKeys = slices.Delete(u.sshKeys, i, i+1)
	}
	return err
}

// UploadSigningCertificate stores a parsed certificate for a user.
func (s *Store) UploadSigningCertificate(userName string, c SigningCertificate) (SigningCertificate, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[key(userName)]
	if u == nil {
		return SigningCertificate{}, noUser(userName)
	}
	for _, o := range s.users {
		if slices.ContainsFunc(o.certs, func(x *SigningCertificate) bool { return x.ID == c.ID }) {
			return SigningCertificate{}, errDuplicateCert.New("The Certificate you uploaded is a duplicate.")
		}
	}
	if len(u.certs) >= maxCertsPerUser {
		return SigningCertificate{}, errLimitExceeded.New("Cannot exceed quota for SigningCertificatesPerUser: " + strconv.Itoa(maxCertsPerUser))
	}
	c.UserName, c.Status = u.Name, "Active"
	u.certs = append(u.certs, &c)
	return c, nil
}

func (s *Store) userCert(userName, id string) (*user, int, error) {
	u := s.users[key(userName)]
	if u == nil {
		return nil, 0, noUser(userName)
	}
	i := slices.IndexFunc(u.certs, func(x *SigningCertificate) bool { return x.ID == id })
	if i < 0 {
		return nil, 0, errNoSuchEntity.New("The Certificate with id " + id + " cannot be found.")
	}
	return u, i, nil
}

// SigningCertificates lists a user's certificates.
func (s *Store) SigningCertificates(userName string) ([]SigningCertificate, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.users[key(userName)]
	if u == nil {
		return nil, noUser(userName)
	}
	out := make([]SigningCertificate, len(u.certs))
	for i, c := range u.certs {
		out[i] = *c
		out[i].UserName = u.Name
	}
	return out, nil
}

// UpdateSigningCertificate sets a certificate's status.
func (s *Store) UpdateSigningCertificate(userName, id, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, i, err := s.userCert(userName, id)
	if err == nil {
		u.certs[i].Status = status
	}
	return err
}

// DeleteSigningCertificate removes a user's certificate.
func (s *Store) DeleteSigningCertificate(userName, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, i, err := s.userCert(userName, id)
	if err == nil {
		u.certs = slices.Delete(u.certs, i, i+1)
	}
	return err
}
