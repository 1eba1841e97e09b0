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

// regionalItem is what the helpers below need of a domain name, VPC link or
// client certificate: its region, the member it is listed by, and a copy
// that shares nothing with it.
type regionalItem[T any] interface {
	*T
	home() string
	order() string
	copy() T
}

func (d *DomainName) home() string  { return d.Region }
func (d *DomainName) order() string { return d.Name }
func (l *VpcLink) home() string     { return l.Region }
func (l *VpcLink) order() string    { return l.ID }
func (c *ClientCert) home() string  { return c.Region }
func (c *ClientCert) order() string { return c.ID }

// insertNew stores x in *m under a new 6-character id, which it writes to
// *id, and returns a copy of it.
func insertNew[T any, P regionalItem[T]](s *Store, m *map[string]*T, x *T, id *string) T {
	r := &s.regional
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		*id = s.shortID(6)
		if (*m)[*id] == nil {
			break
		}
	}
	(*m)[*id] = x
	return P(x).copy()
}

// listRegion returns copies of the items of *m in region, in their order.
func listRegion[T any, P regionalItem[T]](r *regional, m *map[string]*T, region string) []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []T
	for _, x := range *m {
		if P(x).home() == region {
			out = append(out, P(x).copy())
		}
	}
	sort.Slice(out, func(i, j int) bool { return P(&out[i]).order() < P(&out[j]).order() })
	return out
}

// patchPaths are the members an Update* call may replace, by patch path.
type patchPaths[T any] map[string]func(x *T, v string)

// editRegion reads (no ops), updates (ops, each a replace of one of paths:
// all of them or, at the first other, none) or deletes (remove) the item
// key of *m when it is in region, else answers notFound.
func editRegion[T any, P regionalItem[T]](r *regional, m *map[string]*T, region, key string, ops []PatchOp, remove bool,
	paths patchPaths[T], notFound error) (T, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var zero T
	x := (*m)[key]
	if x == nil || P(x).home() != region {
		return zero, notFound
	}
	if remove {
		delete(*m, key)
		return P(x).copy(), nil
	}
	// A shallow copy: the setters replace members, never change what the
	// copy shares with x (tags, slices, a domain's mappings).
	next := *x
	for _, op := range ops {
		set := paths[op.Path]
		if op.Op != "replace" || set == nil {
			return zero, badPatch(op)
		}
		set(&next, op.Value)
	}
	*x = next
	return P(x).copy(), nil
}

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
	return s.editDomainName(region, name, nil, false)
}

// DomainNames lists a region's domain names by name.
func (s *Store) DomainNames(region string) []DomainName {
	return listRegion(&s.regional, &s.regional.domains, region)
}

// PatchDomainName applies UpdateDomainName's operations.
func (s *Store) PatchDomainName(region, name string, ops []PatchOp) (DomainName, error) {
	return s.editDomainName(region, name, ops, false)
}

// DeleteDomainName deletes a domain name and its mappings.
func (s *Store) DeleteDomainName(region, name string) error {
	_, err := s.editDomainName(region, name, nil, true)
	return err
}

func (s *Store) editDomainName(region, name string, ops []PatchOp, remove bool) (DomainName, error) {
	return editRegion(&s.regional, &s.regional.domains, region, region+"/"+name, ops, remove, domainNamePaths, errDomainNotFound)
}

// domainNamePaths are the members UpdateDomainName replaces.
var domainNamePaths = patchPaths[DomainName]{
	"/certificateName":                           func(d *DomainName, v string) { d.CertificateName = v },
	"/certificateArn":                            func(d *DomainName, v string) { d.CertificateArn = v },
	"/regionalCertificateName":                   func(d *DomainName, v string) { d.RegionalCertificateName = v },
	"/regionalCertificateArn":                    func(d *DomainName, v string) { d.RegionalCertificateArn = v },
	"/securityPolicy":                            func(d *DomainName, v string) { d.SecurityPolicy = v },
	"/endpointConfiguration/types/0":             func(d *DomainName, v string) { d.EndpointTypes = []string{v} },
	"/mutualTlsAuthentication/truststoreUri":     func(d *DomainName, v string) { d.TruststoreURI = v },
	"/mutualTlsAuthentication/truststoreVersion": func(d *DomainName, v string) { d.TruststoreVersion = v },
	"/ownershipVerificationCertificateArn":       func(d *DomainName, v string) { d.OwnershipVerificationCertificateArn = v },
	"/policy":                                    func(d *DomainName, v string) { d.Policy = v },
	"/routingMode":                               func(d *DomainName, v string) { d.RoutingMode = v },
	"/endpointAccessMode":                        func(d *DomainName, v string) { d.EndpointAccessMode = v },
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
	return insertNew(s, &s.regional.vpcLinks, l, &l.ID)
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
	return listRegion(&s.regional, &s.regional.vpcLinks, region)
}

// EditVpcLink applies UpdateVpcLink's operations, or deletes the link.
func (s *Store) EditVpcLink(region, id string, ops []PatchOp, remove bool) (VpcLink, error) {
	return editRegion(&s.regional, &s.regional.vpcLinks, region, id, ops, remove, vpcLinkPaths, errVpcLinkNotFound)
}

var vpcLinkPaths = patchPaths[VpcLink]{
	"/name":        func(l *VpcLink, v string) { l.Name = v },
	"/description": func(l *VpcLink, v string) { l.Description = v },
}

// --- client certificates

// CreateClientCert stores a generated certificate.
func (s *Store) CreateClientCert(c *ClientCert) ClientCert {
	return insertNew(s, &s.regional.certs, c, &c.ID)
}

func (c *ClientCert) copy() ClientCert {
	x := *c
	x.Tags = maps.Clone(c.Tags)
	return x
}

// ClientCerts lists a region's certificates by id.
func (s *Store) ClientCerts(region string) []ClientCert {
	return listRegion(&s.regional, &s.regional.certs, region)
}

// EditClientCert reads (no ops), updates (/description) or deletes a certificate.
func (s *Store) EditClientCert(region, id string, ops []PatchOp, remove bool) (ClientCert, error) {
	return editRegion(&s.regional, &s.regional.certs, region, id, ops, remove, clientCertPaths, errCertNotFound)
}

var clientCertPaths = patchPaths[ClientCert]{
	"/description": func(c *ClientCert, v string) { c.Description = v },
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
