package apigateway

import (
	"net/http"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Custom domain names, their base path mappings and access associations:
// stored and answered as AWS does; the edge serves no custom domain (invoke
// URLs are the execute-api ones).

func (s *Service) domainOperations() []awsproto.Operation {
	const (
		domain  = "/domainnames/{domain_name}"
		mapping = domain + "/basepathmappings/{base_path}"
		assocs  = "/domainnameaccessassociations"
	)
	h := func(op awsproto.Operation, route string, status int) awsproto.Operation {
		return op.At(route).WithStatus(status)
	}
	return []awsproto.Operation{
		h(awsproto.Handle("CreateDomainName", s.createDomainName), "POST /domainnames", http.StatusCreated),
		h(awsproto.Handle("GetDomainNames", s.getDomainNames), "GET /domainnames", http.StatusOK),
		h(awsproto.Handle("GetDomainName", s.getDomainName), "GET "+domain, http.StatusOK),
		h(awsproto.Handle("UpdateDomainName", s.updateDomainName), "PATCH "+domain, http.StatusOK),
		h(awsproto.Handle("DeleteDomainName", s.deleteDomainName), "DELETE "+domain, http.StatusAccepted),

		h(awsproto.Handle("CreateBasePathMapping", s.createBasePathMapping), "POST "+domain+"/basepathmappings", http.StatusCreated),
		h(awsproto.Handle("GetBasePathMappings", s.getBasePathMappings), "GET "+domain+"/basepathmappings", http.StatusOK),
		h(awsproto.Handle("GetBasePathMapping", s.getBasePathMapping), "GET "+mapping, http.StatusOK),
		h(awsproto.Handle("UpdateBasePathMapping", s.updateBasePathMapping), "PATCH "+mapping, http.StatusOK),
		h(awsproto.Handle("DeleteBasePathMapping", s.deleteBasePathMapping), "DELETE "+mapping, http.StatusAccepted),

		h(awsproto.Handle("CreateDomainNameAccessAssociation", s.createAccessAssociation), "POST "+assocs, http.StatusCreated),
		h(awsproto.Handle("GetDomainNameAccessAssociations", s.getAccessAssociations), "GET "+assocs, http.StatusOK),
		h(awsproto.Handle("DeleteDomainNameAccessAssociation", s.deleteAccessAssociation), "DELETE "+assocs+"/{domain_name_access_association_arn}", http.StatusAccepted),
		h(awsproto.Handle("RejectDomainNameAccessAssociation", s.rejectAccessAssociation), "POST /rejectdomainnameaccessassociations", http.StatusAccepted),
	}
}

type mutualTLSOut struct {
	TruststoreURI     string `json:"truststoreUri,omitempty"`
	TruststoreVersion string `json:"truststoreVersion,omitempty"`
}

type domainNameOut struct {
	DomainName                          string                `json:"domainName"`
	DomainNameID                        string                `json:"domainNameId,omitempty"`
	DomainNameARN                       string                `json:"domainNameArn"`
	CertificateName                     string                `json:"certificateName,omitempty"`
	CertificateArn                      string                `json:"certificateArn,omitempty"`
	CertificateUploadDate               int64                 `json:"certificateUploadDate,omitempty"`
	RegionalDomainName                  string                `json:"regionalDomainName,omitempty"`
	RegionalHostedZoneID                string                `json:"regionalHostedZoneId,omitempty"`
	RegionalCertificateName             string                `json:"regionalCertificateName,omitempty"`
	RegionalCertificateArn              string                `json:"regionalCertificateArn,omitempty"`
	DistributionDomainName              string                `json:"distributionDomainName,omitempty"`
	DistributionHostedZoneID            string                `json:"distributionHostedZoneId,omitempty"`
	EndpointConfiguration               endpointConfiguration `json:"endpointConfiguration"`
	DomainNameStatus                    string                `json:"domainNameStatus"`
	SecurityPolicy                      string                `json:"securityPolicy"`
	EndpointAccessMode                  string                `json:"endpointAccessMode,omitempty"`
	Tags                                map[string]string     `json:"tags,omitempty"`
	MutualTLSAuthentication             *mutualTLSOut         `json:"mutualTlsAuthentication,omitempty"`
	OwnershipVerificationCertificateArn string                `json:"ownershipVerificationCertificateArn,omitempty"`
	Policy                              string                `json:"policy,omitempty"`
	RoutingMode                         string                `json:"routingMode"`
}

// regionalHostedZones are API Gateway's regional hosted zone ids (the
// us-east-1 one for regions not listed).
var regionalHostedZones = map[string]string{
	"us-east-1": "Z1UJRXOUMOOFQ8", "us-east-2": "ZOJJZC49E0EPZ", "us-west-1": "Z2MOQ7HGRT2RMW", "us-west-2": "Z2OJLYMUO9EFXC",
	"eu-west-1": "ZLY8HYME6SFDD", "eu-central-1": "Z1U9ULNL0V5AJ3", "ap-southeast-1": "ZL327KTPIQFUL", "ap-northeast-1": "Z1YSHQZHG15GKL",
}

func domainNameView(d DomainName) domainNameOut {
	out := domainNameOut{
		DomainName: d.Name, DomainNameARN: domainNameARN(&d), CertificateName: d.CertificateName, CertificateArn: d.CertificateArn,
		RegionalCertificateName: d.RegionalCertificateName, RegionalCertificateArn: d.RegionalCertificateArn,
		EndpointConfiguration: endpointConfiguration{Types: d.EndpointTypes}, DomainNameStatus: "AVAILABLE",
		SecurityPolicy: d.SecurityPolicy, EndpointAccessMode: d.EndpointAccessMode, Tags: d.Tags, Policy: d.Policy,
		OwnershipVerificationCertificateArn: d.OwnershipVerificationCertificateArn, RoutingMode: d.RoutingMode,
	}
	if d.CertificateArn != "" || d.CertificateName != "" {
		out.CertificateUploadDate = epoch(d.Created)
	}
	switch d.EndpointTypes[0] {
	case "REGIONAL":
		zone := regionalHostedZones[d.Region]
		if zone == "" {
			zone = regionalHostedZones["us-east-1"]
		}
		out.RegionalDomainName = "d-" + strings.ToLower(d.ID) + ".execute-api." + d.Region + ".amazonaws.com"
		out.RegionalHostedZoneID = zone
	case "PRIVATE":
		out.DomainNameID = d.ID
	default:
		out.DistributionDomainName = strings.ToLower(d.ID) + ".cloudfront.net"
		out.DistributionHostedZoneID = "Z2FDTNDATAQYW2" // CloudFront's, as AWS answers
	}
	if d.TruststoreURI != "" {
		out.MutualTLSAuthentication = &mutualTLSOut{TruststoreURI: d.TruststoreURI, TruststoreVersion: d.TruststoreVersion}
	}
	return out
}

type mutualTLSInput struct {
	TruststoreURI     string `json:"truststoreUri"`
	TruststoreVersion string `json:"truststoreVersion"`
}

type createDomainNameInput struct {
	DomainName                          string                 `json:"domainName" required:"true"`
	CertificateName                     string                 `json:"certificateName"`
	CertificateBody                     string                 `json:"certificateBody"`
	CertificatePrivateKey               string                 `json:"certificatePrivateKey"`
	CertificateChain                    string                 `json:"certificateChain"`
	CertificateArn                      string                 `json:"certificateArn"`
	RegionalCertificateName             string                 `json:"regionalCertificateName"`
	RegionalCertificateArn              string                 `json:"regionalCertificateArn"`
	EndpointConfiguration               *endpointConfiguration `json:"endpointConfiguration"`
	Tags                                map[string]string      `json:"tags"`
	SecurityPolicy                      string                 `json:"securityPolicy" enum:"TLS_1_0,TLS_1_2,SecurityPolicy_TLS13_1_3_2025_09,SecurityPolicy_TLS13_1_3_FIPS_2025_09,SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09,SecurityPolicy_TLS13_1_2_FIPS_PQ_2025_09,SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09,SecurityPolicy_TLS13_1_2_PQ_2025_09,SecurityPolicy_TLS13_1_2_2021_06,SecurityPolicy_TLS13_2025_EDGE,SecurityPolicy_TLS12_PFS_2025_EDGE,SecurityPolicy_TLS12_2018_EDGE"`
	EndpointAccessMode                  string                 `json:"endpointAccessMode" enum:"BASIC,STRICT"`
	MutualTLSAuthentication             *mutualTLSInput        `json:"mutualTlsAuthentication"`
	OwnershipVerificationCertificateArn string                 `json:"ownershipVerificationCertificateArn"`
	Policy                              string                 `json:"policy"`
	RoutingMode                         string                 `json:"routingMode" enum:"BASE_PATH_MAPPING_ONLY,ROUTING_RULE_ONLY,ROUTING_RULE_THEN_BASE_PATH_MAPPING"`
}

func (s *Service) createDomainName(c *awsproto.Call, in *createDomainNameInput) (domainNameOut, error) {
	d := &DomainName{
		Region: c.Region, Name: in.DomainName, CertificateName: in.CertificateName, CertificateArn: in.CertificateArn,
		RegionalCertificateName: in.RegionalCertificateName, RegionalCertificateArn: in.RegionalCertificateArn,
		SecurityPolicy: in.SecurityPolicy, EndpointAccessMode: in.EndpointAccessMode, RoutingMode: in.RoutingMode,
		Policy: in.Policy, OwnershipVerificationCertificateArn: in.OwnershipVerificationCertificateArn, Tags: in.Tags,
	}
	if in.EndpointConfiguration != nil {
		types := in.EndpointConfiguration.Types
		if len(types) > 1 {
			return domainNameOut{}, ErrBadRequest.New("Cannot create a domain name with multiple Endpoint Types.")
		}
		for _, t := range types {
			if t != "EDGE" && t != "REGIONAL" && t != "PRIVATE" {
				return domainNameOut{}, ErrBadRequest.New("Invalid Endpoint Type specified: " + t)
			}
		}
		d.EndpointTypes = types
	}
	if in.MutualTLSAuthentication != nil {
		d.TruststoreURI, d.TruststoreVersion = in.MutualTLSAuthentication.TruststoreURI, in.MutualTLSAuthentication.TruststoreVersion
	}
	if in.CertificateBody != "" && d.CertificateName == "" {
		d.CertificateName = in.DomainName
	}
	return as(domainNameView)(s.store.CreateDomainName(d))
}

type getDomainNamesInput struct {
	pageInput
	ResourceOwner string `json:"-" location:"querystring" name:"resourceOwner" enum:"SELF,OTHER_ACCOUNTS"`
}

func (s *Service) getDomainNames(c *awsproto.Call, in *getDomainNamesInput) (listOut[domainNameOut], error) {
	all := s.store.DomainNames(c.Region)
	if in.ResourceOwner == "OTHER_ACCOUNTS" { // one account: none is another's
		all = nil
	}
	return page(in.pageInput, all, domainNameView)
}

type domainPath struct {
	DomainName   string `json:"-" location:"uri" name:"domain_name"`
	DomainNameID string `json:"-" location:"querystring" name:"domainNameId"`
}

func (s *Service) getDomainName(c *awsproto.Call, in *domainPath) (domainNameOut, error) {
	return as(domainNameView)(s.store.DomainName(c.Region, in.DomainName))
}

type updateDomainNameInput struct {
	domainPath
	patchInput
}

func (s *Service) updateDomainName(c *awsproto.Call, in *updateDomainNameInput) (domainNameOut, error) {
	return as(domainNameView)(s.store.PatchDomainName(c.Region, in.DomainName, in.PatchOperations))
}

func (s *Service) deleteDomainName(c *awsproto.Call, in *domainPath) (struct{}, error) {
	return struct{}{}, s.store.DeleteDomainName(c.Region, in.DomainName)
}

// --- base path mappings

type basePathMappingOut struct {
	BasePath  string `json:"basePath"`
	RestAPIID string `json:"restApiId"`
	Stage     string `json:"stage,omitempty"`
}

func basePathMappingView(m BasePathMapping) basePathMappingOut {
	return basePathMappingOut(m)
}

type createBasePathMappingInput struct {
	domainPath
	BasePath  string `json:"basePath"`
	RestAPIID string `json:"restApiId" required:"true"`
	Stage     string `json:"stage"`
}

func (s *Service) createBasePathMapping(c *awsproto.Call, in *createBasePathMappingInput) (basePathMappingOut, error) {
	return as(basePathMappingView)(s.store.CreateBasePathMapping(c.Region, in.DomainName,
		BasePathMapping{BasePath: in.BasePath, RestAPIID: in.RestAPIID, Stage: in.Stage}))
}

type getBasePathMappingsInput struct {
	domainPath
	pageInput
}

func (s *Service) getBasePathMappings(c *awsproto.Call, in *getBasePathMappingsInput) (listOut[basePathMappingOut], error) {
	all, err := s.store.BasePathMappings(c.Region, in.DomainName)
	if err != nil {
		return listOut[basePathMappingOut]{}, err
	}
	return page(in.pageInput, all, basePathMappingView)
}

type basePathMappingPath struct {
	domainPath
	BasePath string `json:"-" location:"uri" name:"base_path"`
}

func (s *Service) getBasePathMapping(c *awsproto.Call, in *basePathMappingPath) (basePathMappingOut, error) {
	return as(basePathMappingView)(s.store.EditBasePathMapping(c.Region, in.DomainName, in.BasePath, nil, false))
}

type updateBasePathMappingInput struct {
	basePathMappingPath
	patchInput
}

func (s *Service) updateBasePathMapping(c *awsproto.Call, in *updateBasePathMappingInput) (basePathMappingOut, error) {
	return as(basePathMappingView)(s.store.EditBasePathMapping(c.Region, in.DomainName, in.BasePath, in.PatchOperations, false))
}

func (s *Service) deleteBasePathMapping(c *awsproto.Call, in *basePathMappingPath) (struct{}, error) {
	_, err := s.store.EditBasePathMapping(c.Region, in.DomainName, in.BasePath, nil, true)
	return struct{}{}, err
}

// --- access associations

type accessAssociationOut struct {
	ARN           string            `json:"domainNameAccessAssociationArn"`
	DomainNameARN string            `json:"domainNameArn"`
	SourceType    string            `json:"accessAssociationSourceType"`
	Source        string            `json:"accessAssociationSource"`
	Tags          map[string]string `json:"tags,omitempty"`
}

func accessAssociationView(a AccessAssociation) accessAssociationOut {
	return accessAssociationOut(a)
}

type createAccessAssociationInput struct {
	DomainNameARN string            `json:"domainNameArn" required:"true"`
	SourceType    string            `json:"accessAssociationSourceType" required:"true" enum:"VPCE"`
	Source        string            `json:"accessAssociationSource" required:"true"`
	Tags          map[string]string `json:"tags"`
}

func (s *Service) createAccessAssociation(c *awsproto.Call, in *createAccessAssociationInput) (accessAssociationOut, error) {
	return as(accessAssociationView)(s.store.CreateAccessAssociation(c.Region,
		AccessAssociation{DomainNameARN: in.DomainNameARN, SourceType: in.SourceType, Source: in.Source, Tags: in.Tags}))
}

func (s *Service) getAccessAssociations(c *awsproto.Call, in *getDomainNamesInput) (listOut[accessAssociationOut], error) {
	all := s.store.AccessAssociations(c.Region)
	if in.ResourceOwner == "OTHER_ACCOUNTS" {
		all = nil
	}
	return page(in.pageInput, all, accessAssociationView)
}

type accessAssociationPath struct {
	ARN string `json:"-" location:"uri" name:"domain_name_access_association_arn"`
}

func (s *Service) deleteAccessAssociation(c *awsproto.Call, in *accessAssociationPath) (struct{}, error) {
	return struct{}{}, s.store.DeleteAccessAssociation(in.ARN, "")
}

type rejectAccessAssociationInput struct {
	ARN           string `json:"-" location:"querystring" name:"domainNameAccessAssociationArn" required:"true"`
	DomainNameARN string `json:"-" location:"querystring" name:"domainNameArn" required:"true"`
}

func (s *Service) rejectAccessAssociation(c *awsproto.Call, in *rejectAccessAssociationInput) (struct{}, error) {
	return struct{}{}, s.store.DeleteAccessAssociation(in.ARN, in.DomainNameARN)
}
