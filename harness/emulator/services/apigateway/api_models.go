package apigateway

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Models, request validators and gateway responses of an API.

func (s *Service) modelOperations() []awsproto.Operation {
	const (
		api   = "/restapis/{restapi_id}"
		model = api + "/models/{model_name}"
		val   = api + "/requestvalidators/{requestvalidator_id}"
		gw    = api + "/gatewayresponses/{response_type}"
	)
	h := func(op awsproto.Operation, route string, status int) awsproto.Operation {
		return op.At(route).WithStatus(status)
	}
	return []awsproto.Operation{
		h(awsproto.Handle("CreateModel", s.createModel), "POST "+api+"/models", http.StatusCreated),
		h(awsproto.Handle("GetModels", s.getModels), "GET "+api+"/models", http.StatusOK),
		h(awsproto.Handle("GetModel", s.getModel), "GET "+model, http.StatusOK),
		h(awsproto.Handle("GetModelTemplate", s.getModelTemplate), "GET "+model+"/default_template", http.StatusOK),
		h(awsproto.Handle("UpdateModel", s.updateModel), "PATCH "+model, http.StatusOK),
		h(awsproto.Handle("DeleteModel", s.deleteModel), "DELETE "+model, http.StatusAccepted),

		h(awsproto.Handle("CreateRequestValidator", s.createRequestValidator), "POST "+api+"/requestvalidators", http.StatusCreated),
		h(awsproto.Handle("GetRequestValidators", s.getRequestValidators), "GET "+api+"/requestvalidators", http.StatusOK),
		h(awsproto.Handle("GetRequestValidator", s.getRequestValidator), "GET "+val, http.StatusOK),
		h(awsproto.Handle("UpdateRequestValidator", s.updateRequestValidator), "PATCH "+val, http.StatusOK),
		h(awsproto.Handle("DeleteRequestValidator", s.deleteRequestValidator), "DELETE "+val, http.StatusAccepted),

		h(awsproto.Handle("PutGatewayResponse", s.putGatewayResponse), "PUT "+gw, http.StatusCreated),
		h(awsproto.Handle("GetGatewayResponses", s.getGatewayResponses), "GET "+api+"/gatewayresponses", http.StatusOK),
		h(awsproto.Handle("GetGatewayResponse", s.getGatewayResponse), "GET "+gw, http.StatusOK),
		h(awsproto.Handle("UpdateGatewayResponse", s.updateGatewayResponse), "PATCH "+gw, http.StatusOK),
		h(awsproto.Handle("DeleteGatewayResponse", s.deleteGatewayResponse), "DELETE "+gw, http.StatusAccepted),
	}
}

// --- models

type modelOut struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Schema      string `json:"schema,omitempty"`
	ContentType string `json:"contentType"`
}

func modelView(m *Model) modelOut {
	return modelOut{ID: m.ID, Name: m.Name, Description: m.Description, Schema: m.Schema, ContentType: m.ContentType}
}

type createModelInput struct {
	apiPath
	Name        string `json:"name" required:"true"`
	Description string `json:"description"`
	Schema      string `json:"schema"`
	ContentType string `json:"contentType" required:"true"`
}

func (s *Service) createModel(c *awsproto.Call, in *createModelInput) (modelOut, error) {
	m := &Model{Name: in.Name, Description: in.Description, Schema: in.Schema, ContentType: in.ContentType}
	return edit(s, in.RestAPIID, func(a *API) (modelOut, error) {
		if err := a.CreateModel(s.store, m); err != nil {
			return modelOut{}, err
		}
		return modelView(m), nil
	})
}

type getModelsInput struct {
	apiPath
	pageInput
}

func (s *Service) getModels(c *awsproto.Call, in *getModelsInput) (listOut[modelOut], error) {
	return read(s, in.RestAPIID, func(a *API) (listOut[modelOut], error) {
		return page(in.pageInput, a.Models(), modelView)
	})
}

type modelPath struct {
	apiPath
	ModelName string `json:"-" location:"uri" name:"model_name"`
}

type getModelInput struct {
	modelPath
	Flatten bool `json:"-" location:"querystring" name:"flatten"`
}

func (s *Service) getModel(c *awsproto.Call, in *getModelInput) (modelOut, error) {
	return read(s, in.RestAPIID, func(a *API) (modelOut, error) { return as(modelView)(a.Model(in.ModelName)) })
}

type templateOut struct {
	Value string `json:"value"`
}

func (s *Service) getModelTemplate(c *awsproto.Call, in *modelPath) (templateOut, error) {
	return read(s, in.RestAPIID, func(a *API) (templateOut, error) {
		v, err := a.ModelTemplate(in.ModelName)
		return templateOut{v}, err
	})
}

type updateModelInput struct {
	modelPath
	patchInput
}

func (s *Service) updateModel(c *awsproto.Call, in *updateModelInput) (modelOut, error) {
	return edit(s, in.RestAPIID, func(a *API) (modelOut, error) {
		return as(modelView)(a.PatchModel(in.ModelName, in.PatchOperations))
	})
}

func (s *Service) deleteModel(c *awsproto.Call, in *modelPath) (struct{}, error) {
	return struct{}{}, s.store.Edit(in.RestAPIID, func(a *API) error { return a.DeleteModel(in.ModelName) })
}

// --- request validators

type requestValidatorOut struct {
	ID                        string `json:"id"`
	Name                      string `json:"name,omitempty"`
	ValidateRequestBody       bool   `json:"validateRequestBody"`
	ValidateRequestParameters bool   `json:"validateRequestParameters"`
}

func requestValidatorView(v *RequestValidator) requestValidatorOut {
	return requestValidatorOut{ID: v.ID, Name: v.Name, ValidateRequestBody: v.ValidateBody, ValidateRequestParameters: v.ValidateParameters}
}

type createRequestValidatorInput struct {
	apiPath
	Name                      string `json:"name"`
	ValidateRequestBody       bool   `json:"validateRequestBody"`
	ValidateRequestParameters bool   `json:"validateRequestParameters"`
}

func (s *Service) createRequestValidator(c *awsproto.Call, in *createRequestValidatorInput) (requestValidatorOut, error) {
	v := &RequestValidator{Name: in.Name, ValidateBody: in.ValidateRequestBody, ValidateParameters: in.ValidateRequestParameters}
	return edit(s, in.RestAPIID, func(a *API) (requestValidatorOut, error) {
		if err := a.CreateRequestValidator(s.store, v); err != nil {
			return requestValidatorOut{}, err
		}
		return requestValidatorView(v), nil
	})
}

type getRequestValidatorsInput struct {
	apiPath
	pageInput
}

func (s *Service) getRequestValidators(c *awsproto.Call, in *getRequestValidatorsInput) (listOut[requestValidatorOut], error) {
	return read(s, in.RestAPIID, func(a *API) (listOut[requestValidatorOut], error) {
		return page(in.pageInput, a.RequestValidators(), requestValidatorView)
	})
}

type requestValidatorPath struct {
	apiPath
	RequestValidatorID string `json:"-" location:"uri" name:"requestvalidator_id"`
}

func (s *Service) getRequestValidator(c *awsproto.Call, in *requestValidatorPath) (requestValidatorOut, error) {
	return read(s, in.RestAPIID, func(a *API) (requestValidatorOut, error) {
		return as(requestValidatorView)(a.RequestValidator(in.RequestValidatorID))
	})
}

type updateRequestValidatorInput struct {
	requestValidatorPath
	patchInput
}

func (s *Service) updateRequestValidator(c *awsproto.Call, in *updateRequestValidatorInput) (requestValidatorOut, error) {
	return edit(s, in.RestAPIID, func(a *API) (requestValidatorOut, error) {
		return as(requestValidatorView)(a.PatchRequestValidator(in.RequestValidatorID, in.PatchOperations))
	})
}

func (s *Service) deleteRequestValidator(c *awsproto.Call, in *requestValidatorPath) (struct{}, error) {
	return struct{}{}, s.store.Edit(in.RestAPIID, func(a *API) error { return a.DeleteRequestValidator(in.RequestValidatorID) })
}

// --- gateway responses

type gatewayResponseOut struct {
	ResponseType       string            `json:"responseType"`
	StatusCode         string            `json:"statusCode,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
	DefaultResponse    bool              `json:"defaultResponse"`
}

func gatewayResponseView(r *GatewayResponse) gatewayResponseOut {
	return gatewayResponseOut{ResponseType: r.Type, StatusCode: r.StatusCode, ResponseParameters: r.ResponseParameters,
		ResponseTemplates: r.ResponseTemplates, DefaultResponse: r.Default}
}

type gatewayResponsePath struct {
	apiPath
	ResponseType string `json:"-" location:"uri" name:"response_type" enum:"DEFAULT_4XX,DEFAULT_5XX,RESOURCE_NOT_FOUND,UNAUTHORIZED,INVALID_API_KEY,ACCESS_DENIED,AUTHORIZER_FAILURE,AUTHORIZER_CONFIGURATION_ERROR,INVALID_SIGNATURE,EXPIRED_TOKEN,MISSING_AUTHENTICATION_TOKEN,INTEGRATION_FAILURE,INTEGRATION_TIMEOUT,API_CONFIGURATION_ERROR,UNSUPPORTED_MEDIA_TYPE,BAD_REQUEST_PARAMETERS,BAD_REQUEST_BODY,REQUEST_TOO_LARGE,THROTTLED,QUOTA_EXCEEDED,WAF_FILTERED"`
}

type putGatewayResponseInput struct {
	gatewayResponsePath
	StatusCode         string            `json:"statusCode" pattern:"[1-5]\\d\\d"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
}

func (s *Service) putGatewayResponse(c *awsproto.Call, in *putGatewayResponseInput) (gatewayResponseOut, error) {
	r := &GatewayResponse{Type: in.ResponseType, StatusCode: in.StatusCode, ResponseParameters: in.ResponseParameters,
		ResponseTemplates: in.ResponseTemplates}
	return edit(s, in.RestAPIID, func(a *API) (gatewayResponseOut, error) {
		if err := a.PutGatewayResponse(r); err != nil {
			return gatewayResponseOut{}, err
		}
		return gatewayResponseView(r), nil
	})
}

type getGatewayResponsesInput struct {
	apiPath
	pageInput
}

func (s *Service) getGatewayResponses(c *awsproto.Call, in *getGatewayResponsesInput) (listOut[gatewayResponseOut], error) {
	return read(s, in.RestAPIID, func(a *API) (listOut[gatewayResponseOut], error) {
		return page(in.pageInput, a.GatewayResponses(), gatewayResponseView)
	})
}

func (s *Service) getGatewayResponse(c *awsproto.Call, in *gatewayResponsePath) (gatewayResponseOut, error) {
	return read(s, in.RestAPIID, func(a *API) (gatewayResponseOut, error) {
		return gatewayResponseView(a.GatewayResponse(in.ResponseType)), nil
	})
}

type updateGatewayResponseInput struct {
	gatewayResponsePath
	patchInput
}

func (s *Service) updateGatewayResponse(c *awsproto.Call, in *updateGatewayResponseInput) (gatewayResponseOut, error) {
	return edit(s, in.RestAPIID, func(a *API) (gatewayResponseOut, error) {
		return as(gatewayResponseView)(a.PatchGatewayResponse(in.ResponseType, in.PatchOperations))
	})
}

func (s *Service) deleteGatewayResponse(c *awsproto.Call, in *gatewayResponsePath) (struct{}, error) {
	return struct{}{}, s.store.Edit(in.RestAPIID, func(a *API) error { return a.DeleteGatewayResponse(in.ResponseType) })
}
