package apigatewayv2

import (
	"maps"
	"slices"
)

// Developer portals: stored with their content and publish state (publish,
// disable and preview finish at once); the emulator serves no portal site.

// CognitoConfig is a portal's Cognito sign-in.
type CognitoConfig struct {
	AppClientID    *string `json:"appClientId" required:"true" min:"1" max:"256"`
	UserPoolARN    *string `json:"userPoolArn" required:"true" min:"20" max:"2048"`
	UserPoolDomain *string `json:"userPoolDomain" required:"true" min:"20" max:"2048"`
}

// PortalAuthorization is Cognito or none.
type PortalAuthorization struct {
	CognitoConfig *CognitoConfig `json:"cognitoConfig,omitempty"`
	None          *struct{}      `json:"none,omitempty"`
}

// ACMManaged is a portal's own domain name.
type ACMManaged struct {
	CertificateARN *string `json:"certificateArn" required:"true" min:"10" max:"2048"`
	DomainName     *string `json:"domainName" required:"true" min:"3" max:"256"`
}

// PortalEndpointRequest is the endpoint configuration a caller sets.
type PortalEndpointRequest struct {
	ACMManaged *ACMManaged `json:"acmManaged,omitempty"`
	None       *struct{}   `json:"none,omitempty"`
}

// PortalEndpoint is the endpoint configuration a portal has.
type PortalEndpoint struct {
	CertificateARN           string `json:"certificateArn,omitempty"`
	DomainName               string `json:"domainName,omitempty"`
	PortalDefaultDomainName  string `json:"portalDefaultDomainName"`
	PortalDomainHostedZoneID string `json:"portalDomainHostedZoneId"`
}

// CustomColors are a portal theme's colors.
type CustomColors struct {
	AccentColor          *string `json:"accentColor" required:"true" min:"1" max:"16"`
	BackgroundColor      *string `json:"backgroundColor" required:"true" min:"1" max:"16"`
	ErrorValidationColor *string `json:"errorValidationColor" required:"true" min:"1" max:"16"`
	HeaderColor          *string `json:"headerColor" required:"true" min:"1" max:"16"`
	NavigationColor      *string `json:"navigationColor" required:"true" min:"1" max:"16"`
	TextColor            *string `json:"textColor" required:"true" min:"1" max:"16"`
}

// PortalTheme is a portal's look.
type PortalTheme struct {
	CustomColors     *CustomColors `json:"customColors" required:"true"`
	LogoLastUploaded *Timestamp    `json:"logoLastUploaded,omitempty"`
}

// PortalContent is what a portal shows.
type PortalContent struct {
	Description *string      `json:"description,omitempty" max:"1024"`
	DisplayName *string      `json:"displayName" required:"true" min:"3" max:"255"`
	Theme       *PortalTheme `json:"theme" required:"true"`
}

// PortalSpec is what CreatePortal and UpdatePortal set.
type PortalSpec struct {
	Authorization             *PortalAuthorization   `json:"authorization"`
	EndpointConfiguration     *PortalEndpointRequest `json:"endpointConfiguration"`
	IncludedPortalProductARNs []string               `json:"includedPortalProductArns"`
	LogoURI                   *string                `json:"logoUri" max:"1092"`
	PortalContent             *PortalContent         `json:"portalContent"`
	RumAppMonitorName         *string                `json:"rumAppMonitorName" max:"255"`
}

// PortalPreview is a portal's preview state.
type PortalPreview struct {
	PreviewStatus string `json:"previewStatus"`
	PreviewURL    string `json:"previewUrl,omitempty"`
}

// Portal is what GetPortal answers.
type Portal struct {
	Authorization             PortalAuthorization `json:"authorization"`
	EndpointConfiguration     PortalEndpoint      `json:"endpointConfiguration"`
	IncludedPortalProductARNs []string            `json:"includedPortalProductArns"`
	LastModified              Timestamp           `json:"lastModified"`
	LastPublished             *Timestamp          `json:"lastPublished,omitempty"`
	LastPublishedDescription  string              `json:"lastPublishedDescription,omitempty"`
	ARN                       string              `json:"portalArn"`
	PortalContent             PortalContent       `json:"portalContent"`
	ID                        string              `json:"portalId"`
	Preview                   *PortalPreview      `json:"preview,omitempty"`
	PublishStatus             string              `json:"publishStatus,omitempty"`
	RumAppMonitorName         string              `json:"rumAppMonitorName,omitempty"`
	Tags                      map[string]string   `json:"tags,omitempty"`
	region                    string
}

func (p *Portal) copy() Portal {
	c := *p
	c.IncludedPortalProductARNs = slices.Clone(p.IncludedPortalProductARNs)
	c.Tags = maps.Clone(p.Tags)
	return c
}

func (s *Store) portal(region, id string) (*Portal, error) {
	if p := s.portals[region+"/"+id]; p != nil {
		return p, nil
	}
	return nil, errNotFound("Portal", id)
}

// CreatePortal adds a portal (not published).
func (s *Store) CreatePortal(region string, in PortalSpec, tags map[string]string) (Portal, error) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	if s.portals == nil {
		s.portals = map[string]*Portal{}
	}
	id := s.shortID()
	p := &Portal{ID: id, ARN: "arn:aws:apigateway:" + region + ":" + s.account + ":/portals/" + id, region: region,
		IncludedPortalProductARNs: []string{}, LastModified: Timestamp(s.now())}
	if len(tags) > 0 {
		p.Tags = maps.Clone(tags)
	}
	p.apply(in, p.LastModified)
	s.portals[region+"/"+id] = p
	return p.copy(), nil
}

func (p *Portal) apply(in PortalSpec, now Timestamp) {
	if in.Authorization != nil {
		p.Authorization = *in.Authorization
	}
	if e := in.EndpointConfiguration; e != nil {
		p.EndpointConfiguration = PortalEndpoint{PortalDefaultDomainName: p.ID + ".portal." + p.region + ".amazonaws.com",
			PortalDomainHostedZoneID: "Z2FDTNDATAQYW2"}
		if e.ACMManaged != nil {
			p.EndpointConfiguration.CertificateARN = deref(e.ACMManaged.CertificateARN)
			p.EndpointConfiguration.DomainName = deref(e.ACMManaged.DomainName)
		}
	}
	if in.IncludedPortalProductARNs != nil {
		p.IncludedPortalProductARNs = slices.Clone(in.IncludedPortalProductARNs)
	}
	if in.PortalContent != nil {
		p.PortalContent = *in.PortalContent
	}
	if in.RumAppMonitorName != nil {
		p.RumAppMonitorName = *in.RumAppMonitorName
	}
	if in.LogoURI != nil && p.PortalContent.Theme != nil {
		t := *p.PortalContent.Theme
		t.LogoLastUploaded = &now
		p.PortalContent.Theme = &t
	}
}

// Portal returns a portal.
func (s *Store) Portal(region, id string) (Portal, error) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	p, err := s.portal(region, id)
	if err != nil {
		return Portal{}, err
	}
	return p.copy(), nil
}

// Portals lists a region's portals by id.
func (s *Store) Portals(region string) []Portal {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	var out []Portal
	for _, p := range s.portals {
		if p.region == region {
			out = append(out, p.copy())
		}
	}
	slices.SortFunc(out, func(a, b Portal) int { return compareTime(a.LastModified, b.LastModified) })
	return out
}

// UpdatePortal changes what in sets.
func (s *Store) UpdatePortal(region, id string, in PortalSpec) (Portal, error) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	p, err := s.portal(region, id)
	if err != nil {
		return Portal{}, err
	}
	p.LastModified = Timestamp(s.now())
	p.apply(in, p.LastModified)
	return p.copy(), nil
}

// DeletePortal removes a portal.
func (s *Store) DeletePortal(region, id string) error {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	if _, err := s.portal(region, id); err != nil {
		return err
	}
	delete(s.portals, region+"/"+id)
	return nil
}

// PublishPortal publishes (description) or disables (publish false) a portal.
func (s *Store) PublishPortal(region, id string, publish bool, description *string) error {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	p, err := s.portal(region, id)
	if err != nil {
		return err
	}
	if !publish {
		if p.PublishStatus != "PUBLISHED" {
			return ErrConflict.New("The portal is not published")
		}
		p.PublishStatus = "DISABLED"
		return nil
	}
	p.PublishStatus = "PUBLISHED"
	p.LastPublished = ptr(Timestamp(s.now()))
	p.LastPublishedDescription = deref(description)
	return nil
}

// PreviewPortal makes a portal's preview ready.
func (s *Store) PreviewPortal(region, id string) error {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	p, err := s.portal(region, id)
	if err != nil {
		return err
	}
	p.Preview = &PortalPreview{PreviewStatus: "PREVIEW_READY", PreviewURL: "https://" + p.ID + ".portal-preview." + p.region + ".amazonaws.com"}
	return nil
}

// EditPortalTags adds and removes tags of a portal and returns them.
func (s *Store) EditPortalTags(region, id string, add map[string]string, remove []string) (map[string]string, error) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	p, err := s.portal(region, id)
	if err != nil {
		return nil, err
	}
	return editTagMap(&p.Tags, add, remove)
}
