package apigatewayv2

import (
	"maps"
	"slices"
	"sort"
	"strings"
)

// Custom domain names, their API mappings, and VPC links: account-level
// resources, kept with their settings (the edge does not serve custom
// domains; integrations through VPC links are not made).

// DomainNameConfiguration is one endpoint configuration of a domain name.
type DomainNameConfiguration struct {
	APIGatewayDomainName                string     `json:"apiGatewayDomainName,omitempty"`
	CertificateArn                      string     `json:"certificateArn,omitempty"`
	CertificateName                     string     `json:"certificateName,omitempty"`
	CertificateUploadDate               *Timestamp `json:"certificateUploadDate,omitempty"`
	DomainNameStatus                    string     `json:"domainNameStatus,omitempty" enum:"AVAILABLE,UPDATING,PENDING_CERTIFICATE_REIMPORT,PENDING_OWNERSHIP_VERIFICATION"`
	DomainNameStatusMessage             string     `json:"domainNameStatusMessage,omitempty"`
	EndpointType                        string     `json:"endpointType,omitempty" enum:"REGIONAL,EDGE"`
	HostedZoneID                        string     `json:"hostedZoneId,omitempty"`
	IPAddressType                       string     `json:"ipAddressType,omitempty" enum:"ipv4,dualstack"`
	SecurityPolicy                      string     `json:"securityPolicy,omitempty" enum:"TLS_1_0,TLS_1_2"`
	OwnershipVerificationCertificateArn string     `json:"ownershipVerificationCertificateArn,omitempty"`
}

// MutualTLS is a domain name's truststore.
type MutualTLS struct {
	TruststoreURI      string   `json:"truststoreUri,omitempty"`
	TruststoreVersion  string   `json:"truststoreVersion,omitempty"`
	TruststoreWarnings []string `json:"truststoreWarnings,omitempty"`
}

// MutualTLSInput is the truststore a request sets (the model's
// MutualTlsAuthenticationInput: the warnings are AWS's to answer).
type MutualTLSInput struct {
	TruststoreURI     string `json:"truststoreUri,omitempty"`
	TruststoreVersion string `json:"truststoreVersion,omitempty"`
}

// DomainNameSpec is what CreateDomainName and UpdateDomainName set.
type DomainNameSpec struct {
	DomainNameConfigurations []DomainNameConfiguration `json:"domainNameConfigurations"`
	MutualTLSAuthentication  *MutualTLSInput           `json:"mutualTlsAuthentication"`
	RoutingMode              *string                   `json:"routingMode" enum:"API_MAPPING_ONLY,ROUTING_RULE_ONLY,ROUTING_RULE_THEN_API_MAPPING"`
}

// DomainName is what GetDomainName answers.
type DomainName struct {
	APIMappingSelectionExpression string                    `json:"apiMappingSelectionExpression"`
	Name                          string                    `json:"domainName"`
	ARN                           string                    `json:"domainNameArn"`
	DomainNameConfigurations      []DomainNameConfiguration `json:"domainNameConfigurations"`
	MutualTLSAuthentication       *MutualTLS                `json:"mutualTlsAuthentication,omitempty"`
	RoutingMode                   string                    `json:"routingMode"`
	Tags                          map[string]string         `json:"tags,omitempty"`

	region   string
	mappings map[string]*APIMapping
	rules    map[string]*RoutingRule
}

// APIMapping maps a path of a domain name to an API's stage.
type APIMapping struct {
	APIID string `json:"apiId"`
	ID    string `json:"apiMappingId"`
	Key   string `json:"apiMappingKey"`
	Stage string `json:"stage"`
}

// VpcLink is what GetVpcLink answers.
type VpcLink struct {
	CreatedDate      Timestamp         `json:"createdDate"`
	Name             string            `json:"name"`
	SecurityGroupIDs []string          `json:"securityGroupIds"`
	SubnetIDs        []string          `json:"subnetIds"`
	Tags             map[string]string `json:"tags,omitempty"`
	ID               string            `json:"vpcLinkId"`
	Status           string            `json:"vpcLinkStatus"`
	StatusMessage    string            `json:"vpcLinkStatusMessage"`
	Version          string            `json:"vpcLinkVersion"`
	region           string
}

// regionalHostedZones are API Gateway's regional hosted zone ids, for the
// configurations of domain names (Z1UJRXOUMOOFQ8 elsewhere).
var regionalHostedZones = map[string]string{
	"us-east-1": "Z1UJRXOUMOOFQ8", "us-east-2": "ZOJJZC49E0EPZ", "us-west-1": "Z2MUQ32089INYE",
	"us-west-2": "Z2OJLYMUO9EFXC", "eu-west-1": "ZLY8HYME6SFDD", "eu-central-1": "Z1U9ULNL0V5AJ3",
}

func (s *Store) domainKey(region, name string) string { return region + "/" + strings.ToLower(name) }

// CreateDomainName adds a custom domain name.
func (s *Store) CreateDomainName(region, name string, in DomainNameSpec, tags map[string]string) (DomainName, error) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	if s.domains == nil {
		s.domains = map[string]*DomainName{}
	}
	key := s.domainKey(region, name)
	if s.domains[key] != nil {
		return DomainName{}, ErrConflict.New("The domain name you provided already exists.")
	}
	d := &DomainName{Name: name, ARN: "arn:aws:apigateway:" + region + "::/domainnames/" + name,
		APIMappingSelectionExpression: "$request.basepath", RoutingMode: "API_MAPPING_ONLY",
		region: region, mappings: map[string]*APIMapping{}}
	if len(tags) > 0 {
		d.Tags = maps.Clone(tags)
	}
	if in.DomainNameConfigurations == nil {
		in.DomainNameConfigurations = []DomainNameConfiguration{{}}
	}
	if err := s.applyDomain(d, in); err != nil {
		return DomainName{}, err
	}
	s.domains[key] = d
	return d.copy(), nil
}

func (s *Store) applyDomain(d *DomainName, in DomainNameSpec) error {
	if len(in.DomainNameConfigurations) > 1 {
		return ErrBadRequest.New("Only one domain name configuration is supported")
	}
	if in.DomainNameConfigurations != nil {
		cfgs := slices.Clone(in.DomainNameConfigurations)
		for i := range cfgs {
			c := &cfgs[i]
			for _, v := range []struct{ name, value, allowed string }{
				{"endpointType", c.EndpointType, "REGIONAL,EDGE"},
				{"securityPolicy", c.SecurityPolicy, "TLS_1_0,TLS_1_2"},
				{"ipAddressType", c.IPAddressType, "ipv4,dualstack"},
			} {
				if v.value != "" && !slices.Contains(strings.Split(v.allowed, ","), v.value) {
					return ErrBadRequest.Errorf("Invalid %s specified: %s", v.name, v.value)
				}
			}
			c.APIGatewayDomainName = "d-" + s.shortID() + ".execute-api." + d.region + ".amazonaws.com"
			c.DomainNameStatus = "AVAILABLE"
			c.DomainNameStatusMessage = ""
			if c.EndpointType == "" {
				c.EndpointType = "REGIONAL"
			}
			if c.SecurityPolicy == "" {
				c.SecurityPolicy = "TLS_1_2"
			}
			if c.IPAddressType == "" {
				c.IPAddressType = "ipv4"
			}
			c.HostedZoneID = regionalHostedZones[d.region]
			if c.HostedZoneID == "" {
				c.HostedZoneID = "Z1UJRXOUMOOFQ8"
			}
		}
		d.DomainNameConfigurations = cfgs
	}
	if in.MutualTLSAuthentication != nil {
		m := in.MutualTLSAuthentication
		d.MutualTLSAuthentication = &MutualTLS{TruststoreURI: m.TruststoreURI, TruststoreVersion: m.TruststoreVersion}
	}
	if in.RoutingMode != nil {
		d.RoutingMode = *in.RoutingMode
	}
	return nil
}

func (d *DomainName) copy() DomainName {
	c := *d
	c.DomainNameConfigurations = slices.Clone(d.DomainNameConfigurations)
	c.Tags = maps.Clone(d.Tags)
	c.mappings, c.rules = nil, nil
	return c
}

// domain returns a domain name; the caller holds dmu.
func (s *Store) domain(region, name string) (*DomainName, error) {
	if d := s.domains[s.domainKey(region, name)]; d != nil {
		return d, nil
	}
	return nil, ErrNotFound.Errorf("Invalid domain name identifier specified")
}

// DomainName returns a domain name.
func (s *Store) DomainName(region, name string) (DomainName, error) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	d, err := s.domain(region, name)
	if err != nil {
		return DomainName{}, err
	}
	return d.copy(), nil
}

// DomainNames lists a region's domain names by name.
func (s *Store) DomainNames(region string) []DomainName {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	var out []DomainName
	for _, d := range s.domains {
		if d.region == region {
			out = append(out, d.copy())
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// UpdateDomainName changes what in sets.
func (s *Store) UpdateDomainName(region, name string, in DomainNameSpec) (DomainName, error) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	d, err := s.domain(region, name)
	if err != nil {
		return DomainName{}, err
	}
	next := *d
	if err := s.applyDomain(&next, in); err != nil {
		return DomainName{}, err
	}
	*d = next
	return d.copy(), nil
}

// DeleteDomainName removes a domain name and its mappings.
func (s *Store) DeleteDomainName(region, name string) error {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	if _, err := s.domain(region, name); err != nil {
		return err
	}
	delete(s.domains, s.domainKey(region, name))
	return nil
}

// EditDomainTags adds and removes tags of a domain name and returns them.
func (s *Store) EditDomainTags(region, name string, add map[string]string, remove []string) (map[string]string, error) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	d, err := s.domain(region, name)
	if err != nil {
		return nil, err
	}
	return editTagMap(&d.Tags, add, remove)
}

// editTagMap replaces *tags with itself plus add minus remove (at most 50).
func editTagMap(tags *map[string]string, add map[string]string, remove []string) (map[string]string, error) {
	if len(add) > 0 || len(remove) > 0 {
		next := maps.Clone(*tags)
		if next == nil {
			next = map[string]string{}
		}
		maps.Copy(next, add)
		for _, k := range remove {
			delete(next, k)
		}
		if len(next) > 50 {
			return nil, ErrBadRequest.New("A resource can have at most 50 tags")
		}
		*tags = next
	}
	return maps.Clone(*tags), nil
}

// APIMappingSpec is what CreateApiMapping and UpdateApiMapping set.
type APIMappingSpec struct {
	APIID         *string `json:"apiId" required:"true"`
	APIMappingKey *string `json:"apiMappingKey"`
	Stage         *string `json:"stage"`
}

// CreateAPIMapping maps a path of a domain name to a stage of an API that
// exists.
func (s *Store) CreateAPIMapping(region, domain string, in APIMappingSpec) (APIMapping, error) {
	if err := s.checkStage(*in.APIID, *in.Stage); err != nil {
		return APIMapping{}, err
	}
	s.dmu.Lock()
	defer s.dmu.Unlock()
	d, err := s.domain(region, domain)
	if err != nil {
		return APIMapping{}, err
	}
	m := &APIMapping{ID: s.childID(), APIID: *in.APIID, Stage: *in.Stage}
	if in.APIMappingKey != nil {
		m.Key = *in.APIMappingKey
	}
	if err := d.checkKey(m); err != nil {
		return APIMapping{}, err
	}
	d.mappings[m.ID] = m
	return *m, nil
}

// checkKey refuses a key another mapping of d has.
func (d *DomainName) checkKey(m *APIMapping) error {
	for _, o := range d.mappings {
		if o.ID != m.ID && o.Key == m.Key {
			return ErrConflict.New("ApiMapping with the same key already exists")
		}
	}
	return nil
}

// checkStage fails unless the API and its stage exist.
func (s *Store) checkStage(apiID, stage string) error {
	return s.Read(apiID, func(a *API) error {
		_, err := a.Stage(stage)
		return err
	})
}

// APIMapping returns one mapping of a domain name.
func (s *Store) APIMapping(region, domain, id string) (APIMapping, error) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	m, err := s.mapping(region, domain, id)
	if err != nil {
		return APIMapping{}, err
	}
	return *m, nil
}

func (s *Store) mapping(region, domain, id string) (*APIMapping, error) {
	d, err := s.domain(region, domain)
	if err != nil {
		return nil, err
	}
	if m := d.mappings[id]; m != nil {
		return m, nil
	}
	return nil, ErrNotFound.Errorf("Invalid ApiMapping identifier specified %s", id)
}

// APIMappings lists a domain name's mappings by key.
func (s *Store) APIMappings(region, domain string) ([]APIMapping, error) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	d, err := s.domain(region, domain)
	if err != nil {
		return nil, err
	}
	out := make([]APIMapping, 0, len(d.mappings))
	for _, m := range d.mappings {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// UpdateAPIMapping changes what in sets of a mapping.
func (s *Store) UpdateAPIMapping(region, domain, id string, in APIMappingSpec) (APIMapping, error) {
	s.dmu.Lock()
	m, err := s.mapping(region, domain, id)
	var next APIMapping
	if err == nil {
		next = *m
	}
	s.dmu.Unlock()
	if err != nil {
		return APIMapping{}, err
	}
	if in.APIID != nil {
		next.APIID = *in.APIID
	}
	if in.Stage != nil {
		next.Stage = *in.Stage
	}
	if in.APIMappingKey != nil {
		next.Key = *in.APIMappingKey
	}
	if err := s.checkStage(next.APIID, next.Stage); err != nil {
		return APIMapping{}, err
	}
	s.dmu.Lock()
	defer s.dmu.Unlock()
	d, err := s.domain(region, domain)
	if err != nil {
		return APIMapping{}, err
	}
	m = d.mappings[id]
	if m == nil {
		return APIMapping{}, ErrNotFound.Errorf("Invalid ApiMapping identifier specified %s", id)
	}
	if err := d.checkKey(&next); err != nil {
		return APIMapping{}, err
	}
	*m = next
	return next, nil
}

// DeleteAPIMapping removes a mapping.
func (s *Store) DeleteAPIMapping(region, domain, id string) error {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	if _, err := s.mapping(region, domain, id); err != nil {
		return err
	}
	d, _ := s.domain(region, domain)
	delete(d.mappings, id)
	return nil
}

// VpcLinkSpec is what CreateVpcLink sets.
type VpcLinkSpec struct {
	Name             *string           `json:"name" required:"true"`
	SecurityGroupIDs []string          `json:"securityGroupIds"`
	SubnetIDs        []string          `json:"subnetIds" required:"true"`
	Tags             map[string]string `json:"tags"`
}

// CreateVpcLink adds a VPC link, available at once.
func (s *Store) CreateVpcLink(region string, in VpcLinkSpec) VpcLink {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	if s.vpcLinks == nil {
		s.vpcLinks = map[string]*VpcLink{}
	}
	l := &VpcLink{ID: s.childID(), Name: *in.Name, CreatedDate: Timestamp(s.now()),
		SecurityGroupIDs: slices.Clone(in.SecurityGroupIDs), SubnetIDs: slices.Clone(in.SubnetIDs),
		Status: "AVAILABLE", StatusMessage: "VPC link is ready to route traffic", Version: "V2", region: region}
	if l.SecurityGroupIDs == nil {
		l.SecurityGroupIDs = []string{}
	}
	if len(in.Tags) > 0 {
		l.Tags = maps.Clone(in.Tags)
	}
	s.vpcLinks[region+"/"+l.ID] = l
	return l.copy()
}

func (l *VpcLink) copy() VpcLink {
	c := *l
	c.Tags = maps.Clone(l.Tags)
	c.SecurityGroupIDs = slices.Clone(l.SecurityGroupIDs)
	c.SubnetIDs = slices.Clone(l.SubnetIDs)
	return c
}

func (s *Store) vpcLink(region, id string) (*VpcLink, error) {
	if l := s.vpcLinks[region+"/"+id]; l != nil {
		return l, nil
	}
	return nil, errNotFound("VpcLink", id)
}

// VpcLink returns a VPC link.
func (s *Store) VpcLink(region, id string) (VpcLink, error) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	l, err := s.vpcLink(region, id)
	if err != nil {
		return VpcLink{}, err
	}
	return l.copy(), nil
}

// VpcLinks lists a region's VPC links by creation.
func (s *Store) VpcLinks(region string) []VpcLink {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	var out []VpcLink
	for _, l := range s.vpcLinks {
		if l.region == region {
			out = append(out, l.copy())
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if c := compareTime(out[i].CreatedDate, out[j].CreatedDate); c != 0 {
			return c < 0
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// RenameVpcLink changes a VPC link's name.
func (s *Store) RenameVpcLink(region, id string, name *string) (VpcLink, error) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	l, err := s.vpcLink(region, id)
	if err != nil {
		return VpcLink{}, err
	}
	if name != nil {
		l.Name = *name
	}
	return l.copy(), nil
}

// DeleteVpcLink removes a VPC link.
func (s *Store) DeleteVpcLink(region, id string) error {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	if _, err := s.vpcLink(region, id); err != nil {
		return err
	}
	delete(s.vpcLinks, region+"/"+id)
	return nil
}

// EditVpcLinkTags adds and removes tags of a VPC link and returns them.
func (s *Store) EditVpcLinkTags(region, id string, add map[string]string, remove []string) (map[string]string, error) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	l, err := s.vpcLink(region, id)
	if err != nil {
		return nil, err
	}
	return editTagMap(&l.Tags, add, remove)
}
