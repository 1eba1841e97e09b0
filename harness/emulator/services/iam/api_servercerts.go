package iam

import (
	"slices"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Server certificates (IAM's store of TLS certificates).

type serverCertRef struct {
	ServerCertificateName *string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

type uploadServerCertInput struct {
	Path *string `min:"1" max:"512" pattern:"(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"`
	serverCertRef
	CertificateBody  *string    `required:"true" min:"1" max:"16384" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	PrivateKey       *string    `required:"true" min:"1" max:"16384" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" sensitive:"true"`
	CertificateChain *string    `min:"1" max:"2097152" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	Tags             []tagInput `max:"50"`
}

type updateServerCertInput struct {
	serverCertRef
	NewPath                  *string `min:"1" max:"512" pattern:"(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"`
	NewServerCertificateName *string `min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

type serverCertTagInput struct {
	serverCertRef
	Tags []tagInput `required:"true" max:"50"`
}

type serverCertUntagInput struct {
	serverCertRef
	TagKeys []string `required:"true" max:"50"`
}

type serverCertTagPage struct {
	serverCertRef
	page
}

type serverCertMetadataXML struct {
	Path                  string
	ServerCertificateName string
	ServerCertificateId   string
	Arn                   string
	UploadDate            string
	Expiration            string
}

func serverCertMetadata(c ServerCertificate) serverCertMetadataXML {
	return serverCertMetadataXML{c.Path, c.Name, c.ID, c.ARN, isoTime(c.Uploaded), isoTime(c.Expires)}
}

type uploadServerCertResult struct {
	ServerCertificateMetadata serverCertMetadataXML
	Tags                      *members[tagXML] `xml:",omitempty"`
}

func (s *Service) uploadServerCertificate(c *awsproto.Call, in *uploadServerCertInput) (uploadServerCertResult, error) {
	expires, err := CheckServerCertificate(*in.CertificateBody, *in.PrivateKey)
	if err != nil {
		return uploadServerCertResult{}, err
	}
	cert, err := s.store.UploadServerCertificate(ServerCertificate{Name: *in.ServerCertificateName, Path: orDefault(in.Path, "/"),
		Body: *in.CertificateBody, Chain: orDefault(in.CertificateChain, ""), Expires: expires, Tags: tagsOf(in.Tags)}, s.env.Now())
	if err != nil {
		return uploadServerCertResult{}, err
	}
	return uploadServerCertResult{serverCertMetadata(cert), tagsXML(cert.Tags)}, nil
}

type serverCertXML struct {
	ServerCertificateMetadata serverCertMetadataXML
	CertificateBody           string
	CertificateChain          string           `xml:",omitempty"`
	Tags                      *members[tagXML] `xml:",omitempty"`
}

type getServerCertResult struct {
	ServerCertificate serverCertXML
}

func (s *Service) getServerCertificate(c *awsproto.Call, in *serverCertRef) (getServerCertResult, error) {
	cert, err := s.store.GetServerCertificate(*in.ServerCertificateName)
	if err != nil {
		return getServerCertResult{}, err
	}
	return getServerCertResult{serverCertXML{serverCertMetadata(cert), cert.Body, cert.Chain, tagsXML(cert.Tags)}}, nil
}

type listServerCertsResult struct {
	ServerCertificateMetadataList members[serverCertMetadataXML]
	pagination
}

func (s *Service) listServerCertificates(c *awsproto.Call, in *listByPathInput) (listServerCertsResult, error) {
	certs := s.store.ListServerCertificates(orDefault(in.PathPrefix, "/"))
	shown, more, err := pageOf(certs, func(c ServerCertificate) string { return key(c.Name) }, in.page, serverCertMetadata)
	return listServerCertsResult{shown, more}, err
}

func (s *Service) updateServerCertificate(c *awsproto.Call, in *updateServerCertInput) (struct{}, error) {
	return struct{}{}, s.store.UpdateServerCertificate(*in.ServerCertificateName, in.NewServerCertificateName, in.NewPath)
}

func (s *Service) deleteServerCertificate(c *awsproto.Call, in *serverCertRef) (struct{}, error) {
	return struct{}{}, s.store.DeleteServerCertificate(*in.ServerCertificateName)
}

func (s *Service) tagServerCertificate(c *awsproto.Call, in *serverCertTagInput) (struct{}, error) {
	return struct{}{}, s.store.UpdateServerCertificateTags(*in.ServerCertificateName, func(t []Tag) ([]Tag, error) { return mergeTags(t, tagsOf(in.Tags)) })
}

func (s *Service) untagServerCertificate(c *awsproto.Call, in *serverCertUntagInput) (struct{}, error) {
	return struct{}{}, s.store.UpdateServerCertificateTags(*in.ServerCertificateName, func(t []Tag) ([]Tag, error) {
		return slices.DeleteFunc(t, func(x Tag) bool { return slices.Contains(in.TagKeys, x.Key) }), nil
	})
}

func (s *Service) listServerCertificateTags(c *awsproto.Call, in *serverCertTagPage) (listTagsResult, error) {
	cert, err := s.store.GetServerCertificate(*in.ServerCertificateName)
	if err != nil {
		return listTagsResult{}, err
	}
	shown, more, err := pageOf(cert.Tags, nil, in.page, tagOut)
	return listTagsResult{shown, more}, err
}
