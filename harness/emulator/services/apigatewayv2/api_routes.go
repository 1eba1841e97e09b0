package apigatewayv2

import (
	"maps"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type routePath struct {
	apiPath
	RouteID string `json:"-" location:"uri" name:"routeId"`
}

type createRouteInput struct {
	apiPath
	RouteSpec
}

func (in *createRouteInput) Validate() error {
	if in.RouteKey == nil {
		return ErrBadRequest.New("RouteKey is required")
	}
	return nil
}

func (s *Service) createRoute(c *awsproto.Call, in *createRouteInput) (Route, error) {
	return edit(s, in.APIID, true, func(a *API) (Route, error) { return copied(s.store.CreateRoute(a, in.RouteSpec)) })
}

type listRoutesInput struct {
	apiPath
	pageInput
}

func (s *Service) getRoutes(c *awsproto.Call, in *listRoutesInput) (listOut[Route], error) {
	return read(s, in.APIID, func(a *API) (listOut[Route], error) { return page(in.pageInput, a.Routes(), view[Route]) })
}

func (s *Service) getRoute(c *awsproto.Call, in *routePath) (Route, error) {
	return read(s, in.APIID, func(a *API) (Route, error) { return copied(a.Route(in.RouteID)) })
}

type updateRouteInput struct {
	routePath
	RouteSpec
}

func (s *Service) updateRoute(c *awsproto.Call, in *updateRouteInput) (Route, error) {
	return edit(s, in.APIID, true, func(a *API) (Route, error) { return copied(a.UpdateRoute(in.RouteID, in.RouteSpec)) })
}

func (s *Service) deleteRoute(c *awsproto.Call, in *routePath) (struct{}, error) {
	return edit(s, in.APIID, true, func(a *API) (struct{}, error) { return struct{}{}, a.DeleteRoute(in.RouteID) })
}

type routeParameterPath struct {
	routePath
	Key string `json:"-" location:"uri" name:"requestParameterKey"`
}

func (s *Service) deleteRouteRequestParameter(c *awsproto.Call, in *routeParameterPath) (struct{}, error) {
	return edit(s, in.APIID, true, func(a *API) (struct{}, error) {
		r, err := a.Route(in.RouteID)
		if err != nil {
			return struct{}{}, err
		}
		if _, ok := r.RequestParameters[in.Key]; !ok {
			return struct{}{}, errNotFound("RequestParameter", in.Key)
		}
		next := maps.Clone(r.RequestParameters)
		delete(next, in.Key)
		r.RequestParameters = next
		return struct{}{}, nil
	})
}

// --- route responses ------------------------------------------------------------

type routeResponsePath struct {
	routePath
	RouteResponseID string `json:"-" location:"uri" name:"routeResponseId"`
}

type createRouteResponseInput struct {
	routePath
	RouteResponseSpec
}

func (in *createRouteResponseInput) Validate() error {
	if in.RouteResponseKey == nil {
		return ErrBadRequest.New("RouteResponseKey is required")
	}
	return nil
}

func (s *Service) createRouteResponse(c *awsproto.Call, in *createRouteResponseInput) (RouteResponse, error) {
	return edit(s, in.APIID, true, func(a *API) (RouteResponse, error) {
		return copied(s.store.CreateRouteResponse(a, in.RouteID, in.RouteResponseSpec))
	})
}

type listRouteResponsesInput struct {
	routePath
	pageInput
}

func (s *Service) getRouteResponses(c *awsproto.Call, in *listRouteResponsesInput) (listOut[RouteResponse], error) {
	return read(s, in.APIID, func(a *API) (listOut[RouteResponse], error) {
		r, err := a.Route(in.RouteID)
		if err != nil {
			return listOut[RouteResponse]{}, err
		}
		return page(in.pageInput, r.RouteResponses(), view[RouteResponse])
	})
}

func (s *Service) getRouteResponse(c *awsproto.Call, in *routeResponsePath) (RouteResponse, error) {
	return read(s, in.APIID, func(a *API) (RouteResponse, error) {
		_, rr, err := a.RouteResponse(in.RouteID, in.RouteResponseID)
		return copied(rr, err)
	})
}

type updateRouteResponseInput struct {
	routeResponsePath
	RouteResponseSpec
}

func (s *Service) updateRouteResponse(c *awsproto.Call, in *updateRouteResponseInput) (RouteResponse, error) {
	return edit(s, in.APIID, true, func(a *API) (RouteResponse, error) {
		return copied(a.UpdateRouteResponse(in.RouteID, in.RouteResponseID, in.RouteResponseSpec))
	})
}

func (s *Service) deleteRouteResponse(c *awsproto.Call, in *routeResponsePath) (struct{}, error) {
	return edit(s, in.APIID, true, func(a *API) (struct{}, error) {
		return struct{}{}, a.DeleteRouteResponse(in.RouteID, in.RouteResponseID)
	})
}
