package apigatewayv2

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type modelPath struct {
	apiPath
	ModelID string `json:"-" location:"uri" name:"modelId"`
}

// createModelInput is ModelSpec with the members CreateModel requires.
type createModelInput struct {
	apiPath
	ContentType *string `json:"contentType"`
	Description *string `json:"description"`
	Name        *string `json:"name" required:"true"`
	Schema      *string `json:"schema" required:"true"`
}

func (s *Service) createModel(c *awsproto.Call, in *createModelInput) (Model, error) {
	spec := ModelSpec{ContentType: in.ContentType, Description: in.Description, Name: in.Name, Schema: in.Schema}
	return edit(s, in.APIID, false, func(a *API) (Model, error) { return copied(s.store.CreateModel(a, spec)) })
}

type listModelsInput struct {
	apiPath
	pageInput
}

func (s *Service) getModels(c *awsproto.Call, in *listModelsInput) (listOut[Model], error) {
	return read(s, in.APIID, func(a *API) (listOut[Model], error) { return page(in.pageInput, a.Models(), view[Model]) })
}

func (s *Service) getModel(c *awsproto.Call, in *modelPath) (Model, error) {
	return read(s, in.APIID, func(a *API) (Model, error) { return copied(a.Model(in.ModelID)) })
}

type updateModelInput struct {
	modelPath
	ModelSpec
}

func (s *Service) updateModel(c *awsproto.Call, in *updateModelInput) (Model, error) {
	return edit(s, in.APIID, false, func(a *API) (Model, error) { return copied(a.UpdateModel(in.ModelID, in.ModelSpec)) })
}

func (s *Service) deleteModel(c *awsproto.Call, in *modelPath) (struct{}, error) {
	return edit(s, in.APIID, false, func(a *API) (struct{}, error) { return struct{}{}, a.DeleteModel(in.ModelID) })
}

type modelTemplateOut struct {
	Value string `json:"value"`
}

func (s *Service) getModelTemplate(c *awsproto.Call, in *modelPath) (modelTemplateOut, error) {
	return read(s, in.APIID, func(a *API) (modelTemplateOut, error) {
		v, err := a.ModelTemplate(in.ModelID)
		return modelTemplateOut{Value: v}, err
	})
}

type routeSettingsPath struct {
	stagePath
	RouteKey string `json:"-" location:"uri" name:"routeKey"`
}

func (s *Service) deleteRouteSettings(c *awsproto.Call, in *routeSettingsPath) (struct{}, error) {
	return edit(s, in.APIID, false, func(a *API) (struct{}, error) {
		return struct{}{}, a.DeleteRouteSettings(in.StageName, in.RouteKey)
	})
}

func (s *Service) deleteAccessLogSettings(c *awsproto.Call, in *stagePath) (struct{}, error) {
	return edit(s, in.APIID, false, func(a *API) (struct{}, error) { return struct{}{}, a.DeleteAccessLogSettings(in.StageName) })
}
