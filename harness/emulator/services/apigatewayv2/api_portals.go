package apigatewayv2

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type portalPath struct {
	PortalID string `json:"-" location:"uri" name:"portalId"`
}

// createPortalInput is PortalSpec with the members CreatePortal requires.
type createPortalInput struct {
	Authorization             *PortalAuthorization   `json:"authorization" required:"true"`
	EndpointConfiguration     *PortalEndpointRequest `json:"endpointConfiguration" required:"true"`
	IncludedPortalProductARNs []string               `json:"includedPortalProductArns"`
	LogoURI                   *string                `json:"logoUri" max:"1092"`
	PortalContent             *PortalContent         `json:"portalContent" required:"true"`
	RumAppMonitorName         *string                `json:"rumAppMonitorName" max:"255"`
	Tags                      map[string]string      `json:"tags"`
}

func (in *createPortalInput) spec() PortalSpec {
	return PortalSpec{Authorization: in.Authorization, EndpointConfiguration: in.EndpointConfiguration,
		IncludedPortalProductARNs: in.IncludedPortalProductARNs, LogoURI: in.LogoURI, PortalContent: in.PortalContent,
		RumAppMonitorName: in.RumAppMonitorName}
}

func (in *createPortalInput) Validate() error {
	spec := in.spec()
	return spec.check()
}

// check refuses an authorization or endpoint configuration with both or
// neither of its choices.
func (in *PortalSpec) check() error {
	if a := in.Authorization; a != nil && (a.CognitoConfig == nil) == (a.None == nil) {
		return ErrBadRequest.New("Authorization must have exactly one of cognitoConfig and none")
	}
	if e := in.EndpointConfiguration; e != nil && (e.ACMManaged == nil) == (e.None == nil) {
		return ErrBadRequest.New("EndpointConfiguration must have exactly one of acmManaged and none")
	}
	return nil
}

func (s *Service) createPortal(c *awsproto.Call, in *createPortalInput) (Portal, error) {
	return s.store.CreatePortal(c.Region, in.spec(), in.Tags)
}

func (s *Service) getPortal(c *awsproto.Call, in *portalPath) (Portal, error) {
	return s.store.Portal(c.Region, in.PortalID)
}

func (s *Service) listPortals(c *awsproto.Call, in *pageInput) (listOut[Portal], error) {
	return page(*in, s.store.Portals(c.Region), func(p Portal) Portal { return p })
}

type updatePortalInput struct {
	portalPath
	PortalSpec
}

func (in *updatePortalInput) Validate() error { return in.PortalSpec.check() }

func (s *Service) updatePortal(c *awsproto.Call, in *updatePortalInput) (Portal, error) {
	return s.store.UpdatePortal(c.Region, in.PortalID, in.PortalSpec)
}

func (s *Service) deletePortal(c *awsproto.Call, in *portalPath) (struct{}, error) {
	return struct{}{}, s.store.DeletePortal(c.Region, in.PortalID)
}

type publishPortalInput struct {
	portalPath
	Description *string `json:"description" max:"1024"`
}

func (s *Service) publishPortal(c *awsproto.Call, in *publishPortalInput) (struct{}, error) {
	return struct{}{}, s.store.PublishPortal(c.Region, in.PortalID, true, in.Description)
}

func (s *Service) disablePortal(c *awsproto.Call, in *portalPath) (struct{}, error) {
	return struct{}{}, s.store.PublishPortal(c.Region, in.PortalID, false, nil)
}

func (s *Service) previewPortal(c *awsproto.Call, in *portalPath) (struct{}, error) {
	return struct{}{}, s.store.PreviewPortal(c.Region, in.PortalID)
}
