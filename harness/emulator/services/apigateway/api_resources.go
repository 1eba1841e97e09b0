package apigateway

import (
	"slices"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type resourceOut struct {
	ID              string               `json:"id"`
	ParentID        string               `json:"parentId,omitempty"`
	PathPart        string               `json:"pathPart,omitempty"`
	Path            string               `json:"path"`
	ResourceMethods map[string]methodOut `json:"resourceMethods,omitempty"`
}

// resourceView renders a resource; with embed, methods come in full, else
// as AWS lists them without embed: names only.
func resourceView(r *Resource, embed bool) resourceOut {
	out := resourceOut{ID: r.ID, ParentID: r.ParentID, PathPart: r.PathPart, Path: r.Path}
	if len(r.Methods) > 0 {
		out.ResourceMethods = make(map[string]methodOut, len(r.Methods))
		for k, m := range r.Methods {
			if embed {
				out.ResourceMethods[k] = methodView(m)
			} else {
				out.ResourceMethods[k] = methodOut{}
			}
		}
	}
	return out
}

type getResourcesInput struct {
	apiPath
	pageInput
	embedInput
}

func (s *Service) getResources(c *awsproto.Call, in *getResourcesInput) (listOut[resourceOut], error) {
	embed := in.has("methods")
	return read(s, in.RestAPIID, func(a *API) (listOut[resourceOut], error) {
		return page(in.pageInput, a.Resources(), func(r *Resource) resourceOut { return resourceView(r, embed) })
	})
}

type getResourceInput struct {
	resourcePath
	embedInput
}

func (s *Service) getResource(c *awsproto.Call, in *getResourceInput) (resourceOut, error) {
	return read(s, in.RestAPIID, func(a *API) (resourceOut, error) {
		r, err := a.Resource(in.ResourceID)
		if err != nil {
			return resourceOut{}, err
		}
		return resourceView(r, in.has("methods")), nil
	})
}

type createResourceInput struct {
	apiPath
	ParentID string `json:"-" location:"uri" name:"parent_id"`
	PathPart string `json:"pathPart" required:"true"`
}

func (s *Service) createResource(c *awsproto.Call, in *createResourceInput) (resourceOut, error) {
	return edit(s, in.RestAPIID, func(a *API) (resourceOut, error) {
		r, err := a.CreateResource(s.store, in.ParentID, in.PathPart)
		if err != nil {
			return resourceOut{}, err
		}
		return resourceView(r, false), nil
	})
}

type updateResourceInput struct {
	resourcePath
	patchInput
}

func (s *Service) updateResource(c *awsproto.Call, in *updateResourceInput) (resourceOut, error) {
	return edit(s, in.RestAPIID, func(a *API) (resourceOut, error) {
		r, err := a.PatchResource(in.ResourceID, in.PatchOperations)
		if err != nil {
			return resourceOut{}, err
		}
		return resourceView(r, false), nil
	})
}

func (s *Service) deleteResource(c *awsproto.Call, in *resourcePath) (struct{}, error) {
	return struct{}{}, s.store.Edit(in.RestAPIID, func(a *API) error { return a.DeleteResource(in.ResourceID) })
}

// --- methods ----------------------------------------------------------------------

type methodResponseOut struct {
	StatusCode         string            `json:"statusCode"`
	ResponseParameters map[string]bool   `json:"responseParameters,omitempty"`
	ResponseModels     map[string]string `json:"responseModels,omitempty"`
}

type methodOut struct {
	HTTPMethod          string                       `json:"httpMethod,omitempty"`
	AuthorizationType   string                       `json:"authorizationType,omitempty"`
	AuthorizerID        string                       `json:"authorizerId,omitempty"`
	APIKeyRequired      *bool                        `json:"apiKeyRequired,omitempty"`
	OperationName       string                       `json:"operationName,omitempty"`
	RequestValidatorID  string                       `json:"requestValidatorId,omitempty"`
	RequestParameters   map[string]bool              `json:"requestParameters,omitempty"`
	RequestModels       map[string]string            `json:"requestModels,omitempty"`
	AuthorizationScopes []string                     `json:"authorizationScopes,omitempty"`
	MethodResponses     map[string]methodResponseOut `json:"methodResponses,omitempty"`
	MethodIntegration   *integrationOut              `json:"methodIntegration,omitempty"`
}

func methodView(m *Method) methodOut {
	req := m.APIKeyRequired
	out := methodOut{
		HTTPMethod: m.HTTPMethod, AuthorizationType: m.AuthorizationType, AuthorizerID: m.AuthorizerID, APIKeyRequired: &req,
		OperationName: m.OperationName, RequestValidatorID: m.RequestValidatorID, RequestParameters: m.RequestParameters,
		RequestModels: m.RequestModels, AuthorizationScopes: m.AuthorizationScopes,
	}
	if len(m.Responses) > 0 {
		out.MethodResponses = make(map[string]methodResponseOut, len(m.Responses))
		for k, r := range m.Responses {
			out.MethodResponses[k] = methodResponseView(r)
		}
	}
	if m.Integration != nil {
		iv := integrationView(m.Integration)
		out.MethodIntegration = &iv
	}
	return out
}

func methodResponseView(r *MethodResponse) methodResponseOut {
	return methodResponseOut{StatusCode: r.StatusCode, ResponseParameters: r.ResponseParameters, ResponseModels: r.ResponseModels}
}

type putMethodInput struct {
	methodPath
	AuthorizationType   string            `json:"authorizationType" required:"true"`
	AuthorizerID        string            `json:"authorizerId"`
	APIKeyRequired      bool              `json:"apiKeyRequired"`
	OperationName       string            `json:"operationName"`
	RequestParameters   map[string]bool   `json:"requestParameters"`
	RequestModels       map[string]string `json:"requestModels"`
	RequestValidatorID  string            `json:"requestValidatorId"`
	AuthorizationScopes []string          `json:"authorizationScopes"`
}

func (s *Service) putMethod(c *awsproto.Call, in *putMethodInput) (methodOut, error) {
	if !slices.Contains(AuthorizationTypes, in.AuthorizationType) {
		return methodOut{}, errAuthorizationType()
	}
	m := &Method{
		HTTPMethod: in.HTTPMethod, AuthorizationType: in.AuthorizationType, AuthorizerID: in.AuthorizerID,
		APIKeyRequired: in.APIKeyRequired, OperationName: in.OperationName, RequestParameters: in.RequestParameters,
		RequestModels: in.RequestModels, RequestValidatorID: in.RequestValidatorID, AuthorizationScopes: in.AuthorizationScopes,
	}
	return edit(s, in.RestAPIID, func(a *API) (methodOut, error) {
		if err := a.PutMethod(in.ResourceID, m); err != nil {
			return methodOut{}, err
		}
		return methodView(m), nil
	})
}

func (s *Service) getMethod(c *awsproto.Call, in *methodPath) (methodOut, error) {
	return read(s, in.RestAPIID, func(a *API) (methodOut, error) {
		return as(methodView)(a.Method(in.ResourceID, in.HTTPMethod))
	})
}

type updateMethodInput struct {
	methodPath
	patchInput
}

func (s *Service) updateMethod(c *awsproto.Call, in *updateMethodInput) (methodOut, error) {
	return edit(s, in.RestAPIID, func(a *API) (methodOut, error) {
		return as(methodView)(a.PatchMethod(in.ResourceID, in.HTTPMethod, in.PatchOperations))
	})
}

func (s *Service) deleteMethod(c *awsproto.Call, in *methodPath) (struct{}, error) {
	return struct{}{}, s.store.Edit(in.RestAPIID, func(a *API) error { return a.DeleteMethod(in.ResourceID, in.HTTPMethod) })
}

type putMethodResponseInput struct {
	responsePath
	ResponseParameters map[string]bool   `json:"responseParameters"`
	ResponseModels     map[string]string `json:"responseModels"`
}

func (s *Service) putMethodResponse(c *awsproto.Call, in *putMethodResponseInput) (methodResponseOut, error) {
	r := &MethodResponse{StatusCode: in.StatusCode, ResponseParameters: in.ResponseParameters, ResponseModels: in.ResponseModels}
	return edit(s, in.RestAPIID, func(a *API) (methodResponseOut, error) {
		if err := a.PutMethodResponse(in.ResourceID, in.HTTPMethod, r); err != nil {
			return methodResponseOut{}, err
		}
		return methodResponseView(r), nil
	})
}

func (s *Service) getMethodResponse(c *awsproto.Call, in *responsePath) (methodResponseOut, error) {
	return read(s, in.RestAPIID, func(a *API) (methodResponseOut, error) {
		return as(methodResponseView)(a.MethodResponse(in.ResourceID, in.HTTPMethod, in.StatusCode))
	})
}

func (s *Service) deleteMethodResponse(c *awsproto.Call, in *responsePath) (struct{}, error) {
	return struct{}{}, s.store.Edit(in.RestAPIID, func(a *API) error {
		return a.DeleteMethodResponse(in.ResourceID, in.HTTPMethod, in.StatusCode)
	})
}
