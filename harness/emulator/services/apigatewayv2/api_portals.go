package apigatewayv2

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type portalPath struct {
	PortalID string `json:"-" location:"uri" name:"portalId"`
}

type createPortalInput struct {
	PortalSpec
	Tags map[string]string `json:"tags"`
}

func (in *createPortalInput) Validate() error {
	switch {
	case in.Authorization == nil:
		return ErrBadRequest.New("Authorization is required")
	case in.PortalContent == nil:
		return ErrBadRequest.New("PortalContent is required")
	case in.EndpointConfiguration == nil:
		return ErrBadRequest.New("EndpointConfiguration is required")
	}
	return in.PortalSpec.check()
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
	return s.store.CreatePortal(c.Region, in.PortalSpec, in.Tags)
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
