package apigateway

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// The account's regional resources besides APIs and keys: custom domain
// names and their base path mappings, domain name access associations, VPC
// links, client certificates and the account settings. One lock: they are
// configuration, never on an invocation's path.
type regional struct {
	mu       sync.Mutex
	domains  map[string]*DomainName // by region + "/" + name
	assocs   map[string]*AccessAssociation
	vpcLinks map[string]*VpcLink
	certs    map[string]*ClientCert
	accounts map[string]*Account // by region
}

func (r *regional) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.domains, r.assocs = map[string]*DomainName{}, map[string]*AccessAssociation{}
	r.vpcLinks, r.certs, r.accounts = map[string]*VpcLink{}, map[string]*ClientCert{}, map[string]*Account{}
}

// DomainName is a custom domain name (stored: the edge serves no TLS for it).
type DomainName struct {
	Region, Name, ID                                string
	CertificateName, CertificateArn                 string
	RegionalCertificateName, RegionalCertificateArn string
	EndpointTypes                                   []string
	SecurityPolicy, EndpointAccessMode, RoutingMode string
	Policy, OwnershipVerificationCertificateArn     string
	TruststoreURI, TruststoreVersion                string
	Tags                                            map[string]string
	Created                                         time.Time
	Mappings                                        map[string]*BasePathMapping
}

// BasePathMapping maps a base path of a domain name to an API's stage.
type BasePathMapping struct {
	BasePath, RestAPIID, Stage string
}

// AccessAssociation lets a VPC endpoint reach a private domain name.
type AccessAssociation struct {
	ARN, DomainNameARN, SourceType, Source string
	Tags                                   map[string]string
}

// VpcLink is a link to network load balancers (stored, never connected).
type VpcLink struct {
	Region, ID, Name, Description string
	TargetArns                    []string
	Tags                          map[string]string
}

// ClientCert is a client certificate API Gateway presents to HTTP backends.
type ClientCert struct {
	Region, ID, Description, PEM string
	Created, Expires             time.Time
	Tags                         map[string]string
}

// Account is the regional account settings.
type Account struct {
	CloudwatchRoleArn string
}

var (
	errDomainNotFound  = ErrNotFound.New("Invalid domain name identifier specified")
	errMappingNotFound = ErrNotFound.New("Invalid base path mapping identifier specified")
	errVpcLinkNotFound = ErrNotFound.New("Invalid VPC link identifier specified")
	errCertNotFound    = ErrNotFound.New("Invalid Client Certificate identifier specified")
	errAssocNotFound   = ErrNotFound.New("Invalid domain name access association identifier specified")
)

// noneBasePath is how AWS names the empty base path.
const noneBasePath = "(none)"

// CreateDomainName stores a domain name.
func (s *Store) CreateDomainName(d *DomainName) (DomainName, error) {
	if len(d.EndpointTypes) == 0 {
		d.EndpointTypes = []string{"EDGE"}
	}
	if d.SecurityPolicy == "" {
		d.SecurityPolicy = "TLS_1_2"
	}
	if d.RoutingMode == "" {
		d.RoutingMode = "BASE_PATH_MAPPING_ONLY"
	}
	d.Created, d.Mappings, d.ID = s.now(), map[string]*BasePathMapping{}, s.shortID(10)
	r := &s.regional
	r.mu.Lock()
	defer r.mu.Unlock()
	key := d.Region + "/" + d.Name
	if r.domains[key] != nil {
		return DomainName{}, ErrConflict.New("The domain name you provided already exists.")
	}
	r.domains[key] = d
	return d.copy(), nil
}

func (d *DomainName) copy() DomainName {
	c := *d
	c.Tags = maps.Clone(d.Tags)
	c.EndpointTypes = slices.Clone(d.EndpointTypes)
	c.Mappings = nil
	return c
}

func (r *regional) domain(region, name string) (*DomainName, error) {
	if d := r.domains[region+"/"+name]; d != nil {
		return d, nil
	}
	return nil, errDomainNotFound
}

// DomainName returns a domain name.
func (s *Store) DomainName(region, name string) (DomainName, error) {
	r := &s.regional
	r.mu.Lock()
	defer r.mu.Unlock()
	d, err := r.domain(region, name)
	if err != nil {
		return DomainName{}, err
	}
	return d.copy(), nil
}

// DomainNames lists a region's domain names by name.
func (s *Store) DomainNames(region string) []DomainName {
	r := &s.regional
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []DomainName
	for _, d := range r.domains {
		if d.Region == region {
			out = append(out, d.copy())
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// PatchDomainName applies UpdateDomainName's operations.
func (s *Store) PatchDomainName(region, name string, ops []PatchOp) (DomainName, error) {
	r := &s.regional
	r.mu.Lock()
	defer r.mu.Unlock()
	d, err := r.domain(region, name)
	if err != nil {
		return DomainName{}, err
	}
	next := d.copy()
	for _, op := range ops {
		if op.Op != "replace" {
			return DomainName{}, badPatch(op)
		}
		switch op.Path {
		case "/certificateName":
			next.CertificateName = op.Value
		case "/certificateArn":
			next.CertificateArn = op.Value
		case "/regionalCertificateName":
			next.RegionalCertificateName = op.Value
		case "/regionalCertificateArn":
			next.RegionalCertificateArn = op.Value
		case "/securityPolicy":
			next.SecurityPolicy = op.Value
		case "/endpointConfiguration/types/0":
			next.EndpointTypes = []string{op.Value}
		case "/mutualTlsAuthentication/truststoreUri":
			next.TruststoreURI = op.Value
		case "/mutualTlsAuthentication/truststoreVersion":
			next.TruststoreVersion = op.Value
		case "/ownershipVerificationCertificateArn":
			next.OwnershipVerificationCertificateArn = op.Value
		case "/policy":
			next.Policy = op.Value
		case "/routingMode":
			next.RoutingMode = op.Value
		case "/endpointAccessMode":
			next.EndpointAccessMode = op.Value
		default:
			return DomainName{}, badPatch(op)
		}
	}
	next.Mappings = d.Mappings
	*d = next
	return d.copy(), nil
}

// DeleteDomainName deletes a domain name and its mappings.
func (s *Store) DeleteDomainName(region, name string) error {
	r := &s.regional
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.domain(region, name); err != nil {
		return err
	}
	delete(r.domains, region+"/"+name)
	return nil
}

// checkStage reports whether apiID exists and has stage (when not empty),
// in API Gateway's words for a base path mapping.
func (s *Store) checkStage(apiID, stage string) error {
	a, err := s.API(apiID)
	if err != nil {
		return ErrBadRequest.New("Invalid REST API identifier specified")
	}
	if stage == "" {
		return nil
	}
	var ok bool
	a.View(func() { ok = a.stages[stage] != nil })
	if !ok {
		return ErrBadRequest.New("Invalid stage identifier specified")
	}
	return nil
}

// CreateBasePathMapping maps basePath ("" is "(none)") of a domain name.
func (s *Store) CreateBasePathMapping(region, name string, m BasePathMapping) (BasePathMapping, error) {
	if m.BasePath == "" {
		m.BasePath = noneBasePath
	}
	if err := s.checkStage(m.RestAPIID, m.Stage); err != nil {
		return BasePathMapping{}, err
	}
	r := &s.regional
	r.mu.Lock()
	defer r.mu.Unlock()
	d, err := r.domain(region, name)
	if err != nil {
		return BasePathMapping{}, err
	}
	if d.Mappings[m.BasePath] != nil {
		return BasePathMapping{}, ErrConflict.New("Base path already exists for this domain name")
	}
	d.Mappings[m.BasePath] = &m
	return m, nil
}

// BasePathMappings lists a domain name's mappings by base path.
func (s *Store) BasePathMappings(region, name string) ([]BasePathMapping, error) {
	r := &s.regional
	r.mu.Lock()
	defer r.mu.Unlock()
	d, err := r.domain(region, name)
	if err != nil {
		return nil, err
	}
	out := make([]BasePathMapping, 0, len(d.Mappings))
	for _, m := range d.Mappings {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].BasePath < out[j].BasePath })
	return out, nil
}

// EditBasePathMapping runs f on a mapping (nil f: read it; f returning
// remove: delete it) under the lock.
func (s *Store) EditBasePathMapping(region, name, basePath string, ops []PatchOp, remove bool) (BasePathMapping, error) {
	if basePath == "" {
		basePath = noneBasePath
	}
	r := &s.regional
	r.mu.Lock()
	d, err := r.domain(region, name)
	if err != nil {
		r.mu.Unlock()
		return BasePathMapping{}, err
	}
	m := d.Mappings[basePath]
	if m == nil {
		r.mu.Unlock()
		return BasePathMapping{}, errMappingNotFound
	}
	if remove {
		delete(d.Mappings, basePath)
		r.mu.Unlock()
		return *m, nil
	}
	next := *m
	r.mu.Unlock()
	for _, op := range ops {
		if op.Op != "replace" {
			return BasePathMapping{}, badPatch(op)
		}
		switch op.Path {
		case "/basePath":
			next.BasePath = op.Value
			if next.BasePath == "" {
				next.BasePath = noneBasePath
			}
		case "/restapiId", "/restApiId":
			next.RestAPIID = op.Value
		case "/stage":
			next.Stage = op.Value
		default:
			return BasePathMapping{}, badPatch(op)
		}
	}
	if len(ops) > 0 {
		if err := s.checkStage(next.RestAPIID, next.Stage); err != nil {
			return BasePathMapping{}, err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if d.Mappings[basePath] != m {
		return BasePathMapping{}, errMappingNotFound
	}
	if next.BasePath != basePath {
		if d.Mappings[next.BasePath] != nil {
			return BasePathMapping{}, ErrConflict.New("Base path already exists for this domain name")
		}
		delete(d.Mappings, basePath)
	}
	*m = next
	d.Mappings[next.BasePath] = m
	return next, nil
}

// --- domain name access associations

// CreateAccessAssociation associates a VPC endpoint with a private domain name.
func (s *Store) CreateAccessAssociation(region string, a AccessAssociation) (AccessAssociation, error) {
	r := &s.regional
	r.mu.Lock()
	defer r.mu.Unlock()
	var found bool
	for _, d := range r.domains {
		if d.Region == region && domainNameARN(d) == a.DomainNameARN {
			found = true
		}
	}
	if !found {
		return AccessAssociation{}, errDomainNotFound
	}
	for _, x := range r.assocs {
		if x.DomainNameARN == a.DomainNameARN && x.Source == a.Source {
			return AccessAssociation{}, ErrConflict.New("A domain name access association already exists for this domain name and source")
		}
	}
	a.ARN = a.DomainNameARN + "+" + s.shortID(10)
	a.ARN = strings.Replace(a.ARN, ":/domainnames/", ":/domainnameaccessassociations/domainname/", 1)
	a.Tags = maps.Clone(a.Tags)
	r.assocs[a.ARN] = &a
	return a, nil
}

// AccessAssociations lists the associations of a region's domain names.
func (s *Store) AccessAssociations(region string) []AccessAssociation {
	r := &s.regional
	r.mu.Lock()
	defer r.mu.Unlock()
	prefix := "arn:aws:apigateway:" + region + ":"
	var out []AccessAssociation
	for _, a := range r.assocs {
		if strings.HasPrefix(a.ARN, prefix) {
			out = append(out, *a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out
}

// DeleteAccessAssociation deletes an association (Delete, and Reject by
// the domain name's owner: both end it here).
func (s *Store) DeleteAccessAssociation(arn, domainARN string) error {
	r := &s.regional
	r.mu.Lock()
	defer r.mu.Unlock()
	a := r.assocs[arn]
	if a == nil || (domainARN != "" && a.DomainNameARN != domainARN) {
		return errAssocNotFound
	}
	delete(r.assocs, arn)
	return nil
}

func domainNameARN(d *DomainName) string {
	arn := "arn:aws:apigateway:" + d.Region + "::/domainnames/" + d.Name
	if slices.Contains(d.EndpointTypes, "PRIVATE") {
		arn += "+" + d.ID
	}
	return arn
}

// --- VPC links

// CreateVpcLink stores a VPC link.
func (s *Store) CreateVpcLink(l *VpcLink) VpcLink {
	r := &s.regional
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		l.ID = s.shortID(6)
		if r.vpcLinks[l.ID] == nil {
			break
		}
	}
	r.vpcLinks[l.ID] = l
	return l.copy()
}

func (l *VpcLink) copy() VpcLink {
	c := *l
	c.TargetArns, c.Tags = slices.Clone(l.TargetArns), maps.Clone(l.Tags)
	return c
}

// VpcLink returns a VPC link.
func (s *Store) VpcLink(region, id string) (VpcLink, error) {
	return s.EditVpcLink(region, id, nil, false)
}

// VpcLinks lists a region's VPC links by id.
func (s *Store) VpcLinks(region string) []VpcLink {
	r := &s.regional
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []VpcLink
	for _, l := range r.vpcLinks {
		if l.Region == region {
			out = append(out, l.copy())
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// EditVpcLink applies UpdateVpcLink's operations, or deletes the link.
func (s *Store) EditVpcLink(region, id string, ops []PatchOp, remove bool) (VpcLink, error) {
	r := &s.regional
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.vpcLinks[id]
	if l == nil || l.Region != region {
		return VpcLink{}, errVpcLinkNotFound
	}
	if remove {
		delete(r.vpcLinks, id)
		return l.copy(), nil
	}
	next := l.copy()
	for _, op := range ops {
		if op.Op != "replace" {
			return VpcLink{}, badPatch(op)
		}
		switch op.Path {
		case "/name":
			next.Name = op.Value
		case "/description":
			next.Description = op.Value
		default:
			return VpcLink{}, badPatch(op)
		}
	}
	*l = next
	return l.copy(), nil
}

// --- client certificates

// CreateClientCert stores a generated certificate.
func (s *Store) CreateClientCert(c *ClientCert) ClientCert {
	r := &s.regional
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		c.ID = s.shortID(6)
		if r.certs[c.ID] == nil {
			break
		}
	}
	r.certs[c.ID] = c
	return c.copy()
}

func (c *ClientCert) copy() ClientCert {
	x := *c
	x.Tags = maps.Clone(c.Tags)
	return x
}

// ClientCerts lists a region's certificates by id.
func (s *Store) ClientCerts(region string) []ClientCert {
	r := &s.regional
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []ClientCert
	for _, c := range r.certs {
		if c.Region == region {
			out = append(out, c.copy())
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// EditClientCert reads (no ops), updates (/description) or deletes a certificate.
func (s *Store) EditClientCert(region, id string, ops []PatchOp, remove bool) (ClientCert, error) {
	r := &s.regional
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.certs[id]
	if c == nil || c.Region != region {
		return ClientCert{}, errCertNotFound
	}
	if remove {
		delete(r.certs, id)
		return c.copy(), nil
	}
	desc := c.Description
	for _, op := range ops {
		if op.Op != "replace" || op.Path != "/description" {
			return ClientCert{}, badPatch(op)
		}
		desc = op.Value
	}
	c.Description = desc
	return c.copy(), nil
}

// --- account

// EditAccount applies UpdateAccount's operations (none: reads it).
func (s *Store) EditAccount(region string, ops []PatchOp) (Account, error) {
	r := &s.regional
	r.mu.Lock()
	defer r.mu.Unlock()
	a := r.accounts[region]
	next := Account{}
	if a != nil {
		next = *a
	}
	for _, op := range ops {
		if op.Op != "replace" || op.Path != "/cloudwatchRoleArn" {
			return Account{}, badPatch(op)
		}
		if op.Value != "" && !strings.HasPrefix(op.Value, "arn:") {
			return Account{}, ErrBadRequest.New("The role ARN is not well formed")
		}
		next.CloudwatchRoleArn = op.Value
	}
	if len(ops) > 0 {
		r.accounts[region] = &next
	}
	return next, nil
}
