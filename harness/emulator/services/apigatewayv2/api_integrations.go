package apigatewayv2

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type integrationPath struct {
	apiPath
	IntegrationID string `json:"-" location:"uri" name:"integrationId"`
}

type createIntegrationInput struct {
	apiPath
	IntegrationSpec
}

func (in *createIntegrationInput) Validate() error {
	if in.IntegrationType == nil {
		return ErrBadRequest.New("IntegrationType is required")
	}
	return nil
}

func (s *Service) createIntegration(c *awsproto.Call, in *createIntegrationInput) (Integration, error) {
	return edit(s, in.APIID, true, func(a *API) (Integration, error) {
		return copied(s.store.CreateIntegration(a, in.IntegrationSpec))
	})
}

type listIntegrationsInput struct {
	apiPath
	pageInput
}

func (s *Service) getIntegrations(c *awsproto.Call, in *listIntegrationsInput) (listOut[Integration], error) {
	return read(s, in.APIID, func(a *API) (listOut[Integration], error) {
		return page(in.pageInput, a.Integrations(), view[Integration])
	})
}

func (s *Service) getIntegration(c *awsproto.Call, in *integrationPath) (Integration, error) {
	return read(s, in.APIID, func(a *API) (Integration, error) { return copied(a.Integration(in.IntegrationID)) })
}

type updateIntegrationInput struct {
	integrationPath
	IntegrationSpec
}

func (s *Service) updateIntegration(c *awsproto.Call, in *updateIntegrationInput) (Integration, error) {
	return edit(s, in.APIID, true, func(a *API) (Integration, error) {
		return copied(a.UpdateIntegration(in.IntegrationID, in.IntegrationSpec))
	})
}

func (s *Service) deleteIntegration(c *awsproto.Call, in *integrationPath) (struct{}, error) {
	return edit(s, in.APIID, true, func(a *API) (struct{}, error) { return struct{}{}, a.DeleteIntegration(in.IntegrationID) })
}

// --- integration responses -------------------------------------------------------

type integrationResponsePath struct {
	integrationPath
	IntegrationResponseID string `json:"-" location:"uri" name:"integrationResponseId"`
}

type createIntegrationResponseInput struct {
	integrationPath
	IntegrationResponseSpec
}

func (in *createIntegrationResponseInput) Validate() error {
	if in.IntegrationResponseKey == nil {
		return ErrBadRequest.New("IntegrationResponseKey is required")
	}
	return nil
}

func (s *Service) createIntegrationResponse(c *awsproto.Call, in *createIntegrationResponseInput) (IntegrationResponse, error) {
	return edit(s, in.APIID, true, func(a *API) (IntegrationResponse, error) {
		return copied(s.store.CreateIntegrationResponse(a, in.IntegrationID, in.IntegrationResponseSpec))
	})
}

type listIntegrationResponsesInput struct {
	integrationPath
	pageInput
}

func (s *Service) getIntegrationResponses(c *awsproto.Call, in *listIntegrationResponsesInput) (listOut[IntegrationResponse], error) {
	return read(s, in.APIID, func(a *API) (listOut[IntegrationResponse], error) {
		ig, err := a.Integration(in.IntegrationID)
		if err != nil {
			return listOut[IntegrationResponse]{}, err
		}
		return page(in.pageInput, ig.IntegrationResponses(), view[IntegrationResponse])
	})
}

func (s *Service) getIntegrationResponse(c *awsproto.Call, in *integrationResponsePath) (IntegrationResponse, error) {
	return read(s, in.APIID, func(a *API) (IntegrationResponse, error) {
		_, ir, err := a.IntegrationResponse(in.IntegrationID, in.IntegrationResponseID)
		return copied(ir, err)
	})
}

type updateIntegrationResponseInput struct {
	integrationResponsePath
	IntegrationResponseSpec
}

func (s *Service) updateIntegrationResponse(c *awsproto.Call, in *updateIntegrationResponseInput) (IntegrationResponse, error) {
	return edit(s, in.APIID, true, func(a *API) (IntegrationResponse, error) {
		return copied(a.UpdateIntegrationResponse(in.IntegrationID, in.IntegrationResponseID, in.IntegrationResponseSpec))
	})
}

func (s *Service) deleteIntegrationResponse(c *awsproto.Call, in *integrationResponsePath) (struct{}, error) {
	return edit(s, in.APIID, true, func(a *API) (struct{}, error) {
		return struct{}{}, a.DeleteIntegrationResponse(in.IntegrationID, in.IntegrationResponseID)
	})
}
