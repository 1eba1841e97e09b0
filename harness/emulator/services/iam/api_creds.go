package iam

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// SSH public keys and signing certificates of users.

// sshUser names a user (userNameType).
type sshUser struct {
	UserName *string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
}

type uploadSSHKeyInput struct {
	sshUser
	SSHPublicKeyBody *string `required:"true" min:"1" max:"16384" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
}

type sshKeyRef struct {
	sshUser
	SSHPublicKeyId *string `required:"true" min:"20" max:"128" pattern:"[\\w]+"`
}

type getSSHKeyInput struct {
	sshKeyRef
	Encoding *string `required:"true" enum:"SSH,PEM"`
}

type updateSSHKeyInput struct {
	sshKeyRef
	Status *string `required:"true" enum:"Active,Inactive,Expired"`
}

type listSSHKeysInput struct {
	UserName *string `min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	page
}

type sshKeyXML struct {
	UserName         string
	SSHPublicKeyId   string
	Fingerprint      string
	SSHPublicKeyBody string
	Status           string
	UploadDate       string
}

type sshKeyResult struct {
	SSHPublicKey sshKeyXML
}

func sshKeyOut(k SSHPublicKey, body string) sshKeyXML {
	return sshKeyXML{UserName: k.UserName, SSHPublicKeyId: k.ID, Fingerprint: k.Fingerprint, SSHPublicKeyBody: body,
		Status: k.Status, UploadDate: isoTime(k.Uploaded)}
}

func (s *Service) uploadSSHPublicKey(c *awsproto.Call, in *uploadSSHKeyInput) (sshKeyResult, error) {
	fp, pemForm, err := ParseSSHPublicKey(*in.SSHPublicKeyBody)
	if err != nil {
		return sshKeyResult{}, err
	}
	k, err := s.store.UploadSSHPublicKey(*in.UserName, SSHPublicKey{ID: s.entityID("APKA"), Body: *in.SSHPublicKeyBody,
		Fingerprint: fp, PEM: pemForm, Uploaded: s.env.Now()})
	if err != nil {
		return sshKeyResult{}, err
	}
	return sshKeyResult{sshKeyOut(k, k.Body)}, nil
}

func (s *Service) getSSHPublicKey(c *awsproto.Call, in *getSSHKeyInput) (sshKeyResult, error) {
	k, err := s.store.SSHPublicKeyOf(*in.UserName, *in.SSHPublicKeyId)
	if err != nil {
		return sshKeyResult{}, err
	}
	body := k.Body
	if *in.Encoding == "PEM" {
		body = k.PEM
	}
	return sshKeyResult{sshKeyOut(k, body)}, nil
}

type sshKeyMetadataXML struct {
	UserName       string
	SSHPublicKeyId string
	Status         string
	UploadDate     string
}

type listSSHKeysResult struct {
	SSHPublicKeys members[sshKeyMetadataXML]
	pagination
}

func (s *Service) listSSHPublicKeys(c *awsproto.Call, in *listSSHKeysInput) (listSSHKeysResult, error) {
	name, ok := s.userOrCaller(c, in.UserName)
	if !ok {
		return listSSHKeysResult{}, nil
	}
	keys, err := s.store.SSHPublicKeys(name)
	if err != nil {
		return listSSHKeysResult{}, err
	}
	view := func(k SSHPublicKey) sshKeyMetadataXML {
		return sshKeyMetadataXML{k.UserName, k.ID, k.Status, isoTime(k.Uploaded)}
	}
	shown, more, err := pageOf(keys, nil, in.page, view)
	return listSSHKeysResult{shown, more}, err
}

func (s *Service) updateSSHPublicKey(c *awsproto.Call, in *updateSSHKeyInput) (struct{}, error) {
	return struct{}{}, s.store.UpdateSSHPublicKey(*in.UserName, *in.SSHPublicKeyId, *in.Status)
}

func (s *Service) deleteSSHPublicKey(c *awsproto.Call, in *sshKeyRef) (struct{}, error) {
	return struct{}{}, s.store.DeleteSSHPublicKey(*in.UserName, *in.SSHPublicKeyId)
}

// ---- signing certificates ----

type uploadCertInput struct {
	optionalUser
	CertificateBody *string `required:"true" min:"1" max:"16384" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
}

type certRef struct {
	optionalUser
	CertificateId *string `required:"true" min:"24" max:"128" pattern:"[\\w]+"`
}

type updateCertInput struct {
	optionalUser
	CertificateId *string `required:"true" min:"24" max:"128" pattern:"[\\w]+"`
	Status        *string `required:"true" enum:"Active,Inactive,Expired"`
}

type certXML struct {
	UserName        string
	CertificateId   string
	CertificateBody string
	Status          string
	UploadDate      string
}

func certOut(c SigningCertificate) certXML {
	return certXML{c.UserName, c.ID, c.Body, c.Status, isoTime(c.Uploaded)}
}

type uploadCertResult struct {
	Certificate certXML
}

func (s *Service) uploadSigningCertificate(c *awsproto.Call, in *uploadCertInput) (uploadCertResult, error) {
	name, ok := s.userOrCaller(c, in.UserName)
	if !ok {
		return uploadCertResult{}, errInvalidInput.New("groundstack keeps no signing certificates of the account root: name an IAM user with UserName.")
	}
	id, err := ParseCertificatePEM(*in.CertificateBody)
	if err != nil {
		return uploadCertResult{}, err
	}
	cert, err := s.store.UploadSigningCertificate(name, SigningCertificate{ID: id, Body: *in.CertificateBody, Uploaded: s.env.Now()})
	if err != nil {
		return uploadCertResult{}, err
	}
	return uploadCertResult{certOut(cert)}, nil
}

type listCertsResult struct {
	Certificates members[certXML]
	pagination
}

func (s *Service) listSigningCertificates(c *awsproto.Call, in *optionalUserPage) (listCertsResult, error) {
	name, ok := s.userOrCaller(c, in.UserName)
	if !ok {
		return listCertsResult{}, nil
	}
	certs, err := s.store.SigningCertificates(name)
	if err != nil {
		return listCertsResult{}, err
	}
	shown, more, err := pageOf(certs, nil, in.page, certOut)
	return listCertsResult{shown, more}, err
}

func (s *Service) updateSigningCertificate(c *awsproto.Call, in *updateCertInput) (struct{}, error) {
	name, _ := s.userOrCaller(c, in.UserName)
	return struct{}{}, s.store.UpdateSigningCertificate(name, *in.CertificateId, *in.Status)
}

func (s *Service) deleteSigningCertificate(c *awsproto.Call, in *certRef) (struct{}, error) {
	name, _ := s.userOrCaller(c, in.UserName)
	return struct{}{}, s.store.DeleteSigningCertificate(name, *in.CertificateId)
}
