package iam

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Service-specific credentials and the context keys of policies.

type createSSCInput struct {
	sshUser
	ServiceName       *string `required:"true"`
	CredentialAgeDays *int    `min:"1" max:"36600"`
}

type listSSCInput struct {
	UserName    *string `min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	ServiceName *string
	AllUsers    *bool
	page
}

type sscRef struct {
	UserName                    *string `min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	ServiceSpecificCredentialId *string `required:"true" min:"20" max:"128" pattern:"[\\w]+"`
}

type updateSSCInput struct {
	sscRef
	Status *string `required:"true" enum:"Active,Inactive,Expired"`
}

type sscXML struct {
	CreateDate                  string
	ExpirationDate              string `xml:",omitempty"`
	ServiceName                 string
	ServiceUserName             string
	ServicePassword             string `xml:",omitempty"`
	ServiceSpecificCredentialId string
	UserName                    string
	Status                      string
}

func sscOut(c ServiceCredential, withPassword bool) sscXML {
	x := sscXML{CreateDate: isoTime(c.Created), ServiceName: c.Service, ServiceUserName: c.ServiceUserName,
		ServiceSpecificCredentialId: c.ID, UserName: c.UserName, Status: c.Status}
	if !c.Expires.IsZero() {
		x.ExpirationDate = isoTime(c.Expires)
	}
	if withPassword {
		x.ServicePassword = c.Password
	}
	return x
}

type sscResult struct {
	ServiceSpecificCredential sscXML
}

func (s *Service) createServiceSpecificCredential(c *awsproto.Call, in *createSSCInput) (sscResult, error) {
	cred, err := s.store.CreateServiceCredential(*in.UserName, *in.ServiceName, s.entityID("ACCA"), intOr(in.CredentialAgeDays, 0), s.env.Now())
	if err != nil {
		return sscResult{}, err
	}
	return sscResult{sscOut(cred, true)}, nil
}

type listSSCResult struct {
	ServiceSpecificCredentials members[sscXML]
	pagination
}

func (s *Service) listServiceSpecificCredentials(c *awsproto.Call, in *listSSCInput) (listSSCResult, error) {
	name := ""
	if !isTrue(in.AllUsers) {
		var ok bool
		if name, ok = s.userOrCaller(c, in.UserName); !ok {
			return listSSCResult{}, nil
		}
	}
	service := orDefault(in.ServiceName, "")
	if service != "" && !serviceCredentialServices[service] {
		return listSSCResult{}, errNotSupportedService.New("Service " + service + " is not supported for service-specific credentials.")
	}
	creds, err := s.store.ServiceCredentials(name, service)
	if err != nil {
		return listSSCResult{}, err
	}
	shown, more, err := pageOf(creds, nil, in.page, func(c ServiceCredential) sscXML { return sscOut(c, false) })
	return listSSCResult{shown, more}, err
}

func (s *Service) resetServiceSpecificCredential(c *awsproto.Call, in *sscRef) (sscResult, error) {
	cred, err := s.store.UpdateServiceCredential(orDefault(in.UserName, ""), *in.ServiceSpecificCredentialId,
		func(c *ServiceCredential) { c.Password = newServicePassword() })
	if err != nil {
		return sscResult{}, err
	}
	return sscResult{sscOut(cred, true)}, nil
}

func (s *Service) updateServiceSpecificCredential(c *awsproto.Call, in *updateSSCInput) (struct{}, error) {
	_, err := s.store.UpdateServiceCredential(orDefault(in.UserName, ""), *in.ServiceSpecificCredentialId,
		func(c *ServiceCredential) { c.Status = *in.Status })
	return struct{}{}, err
}

func (s *Service) deleteServiceSpecificCredential(c *awsproto.Call, in *sscRef) (struct{}, error) {
	return struct{}{}, s.store.DeleteServiceCredential(orDefault(in.UserName, ""), *in.ServiceSpecificCredentialId)
}

// ---- context keys ----

type customContextKeysInput struct {
	PolicyInputList []string `required:"true"`
}

type principalContextKeysInput struct {
	PolicySourceArn *string `required:"true" min:"20" max:"2048"`
	PolicyInputList []string
}

type contextKeysResult struct {
	ContextKeyNames members[string]
}

func contextKeysOf(docs []string) (contextKeysResult, error) {
	keys, err := ContextKeys(docs)
	if err != nil {
		return contextKeysResult{}, err
	}
	return contextKeysResult{members[string]{Member: keys}}, nil
}

func (s *Service) getContextKeysForCustomPolicy(c *awsproto.Call, in *customContextKeysInput) (contextKeysResult, error) {
	return contextKeysOf(in.PolicyInputList)
}

func (s *Service) getContextKeysForPrincipalPolicy(c *awsproto.Call, in *principalContextKeysInput) (contextKeysResult, error) {
	docs, err := s.store.PrincipalDocuments(*in.PolicySourceArn)
	if err != nil {
		return contextKeysResult{}, err
	}
	return contextKeysOf(append(docs, in.PolicyInputList...))
}
