package apigateway

import (
	"slices"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type endpointConfiguration struct {
	Types          []string `json:"types"`
	VpcEndpointIDs []string `json:"vpcEndpointIds,omitempty"`
	IPAddressType  string   `json:"ipAddressType,omitempty" enum:"ipv4,dualstack"` // checked, not kept
}

type restAPIInput struct {
	Name                      string                 `json:"name" required:"true"`
	Description               string                 `json:"description"`
	Version                   string                 `json:"version"`
	BinaryMediaTypes          []string               `json:"binaryMediaTypes"`
	MinimumCompressionSize    *int32                 `json:"minimumCompressionSize"`
	APIKeySource              string                 `json:"apiKeySource" enum:"HEADER,AUTHORIZER"`
	EndpointConfiguration     *endpointConfiguration `json:"endpointConfiguration"`
	Policy                    string                 `json:"policy"`
	Tags                      map[string]string      `json:"tags"`
	DisableExecuteAPIEndpoint bool                   `json:"disableExecuteApiEndpoint"`
	CloneFrom                 string                 `json:"cloneFrom"`
	// Checked against the model, not applied: the edge serves one TLS setup.
	SecurityPolicy     *string `json:"securityPolicy" enum:"TLS_1_0,TLS_1_2,SecurityPolicy_TLS13_1_3_2025_09,SecurityPolicy_TLS13_1_3_FIPS_2025_09,SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09,SecurityPolicy_TLS13_1_2_FIPS_PQ_2025_09,SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09,SecurityPolicy_TLS13_1_2_PQ_2025_09,SecurityPolicy_TLS13_1_2_2021_06,SecurityPolicy_TLS13_2025_EDGE,SecurityPolicy_TLS12_PFS_2025_EDGE,SecurityPolicy_TLS12_2018_EDGE"`
	EndpointAccessMode *string `json:"endpointAccessMode" enum:"BASIC,STRICT"`
}

type restAPIOut struct {
	ID                        string                `json:"id"`
	Name                      string                `json:"name"`
	Description               string                `json:"description,omitempty"`
	CreatedDate               int64                 `json:"createdDate"`
	Version                   string                `json:"version,omitempty"`
	BinaryMediaTypes          []string              `json:"binaryMediaTypes,omitempty"`
	MinimumCompressionSize    *int32                `json:"minimumCompressionSize,omitempty"`
	APIKeySource              string                `json:"apiKeySource"`
	EndpointConfiguration     endpointConfiguration `json:"endpointConfiguration"`
	Policy                    string                `json:"policy,omitempty"`
	Tags                      map[string]string     `json:"tags,omitempty"`
	DisableExecuteAPIEndpoint bool                  `json:"disableExecuteApiEndpoint"`
	RootResourceID            string                `json:"rootResourceId"`
}

func restAPIView(a *API) restAPIOut {
	return restAPIOut{
		ID: a.ID, Name: a.Name, Description: a.Description, CreatedDate: epoch(a.Created), Version: a.Version,
		BinaryMediaTypes: a.BinaryMediaTypes, MinimumCompressionSize: a.MinimumCompressionSize, APIKeySource: a.APIKeySource,
		EndpointConfiguration: endpointConfiguration{Types: a.EndpointTypes}, Policy: a.Policy, Tags: a.Tags,
		DisableExecuteAPIEndpoint: a.DisableExecuteAPIEndpoint, RootResourceID: a.RootID,
	}
}

func (s *Service) createRestAPI(c *awsproto.Call, in *restAPIInput) (restAPIOut, error) {
	if in.Name == "" {
		return restAPIOut{}, ErrBadRequest.New("Invalid REST API name specified")
	}
	switch in.APIKeySource {
	case "", "HEADER", "AUTHORIZER":
	default:
		return restAPIOut{}, ErrBadRequest.New("Invalid API Key source specified")
	}
	var types []string
	if in.EndpointConfiguration != nil {
		types = in.EndpointConfiguration.Types
		if len(types) > 1 {
			return restAPIOut{}, ErrBadRequest.New("Cannot create an api with multiple Endpoint Types.")
		}
		for _, t := range types {
			if !slices.Contains([]string{"EDGE", "REGIONAL", "PRIVATE"}, t) {
				return restAPIOut{}, ErrBadRequest.New("Invalid Endpoint Type specified: " + t)
			}
		}
	}
	a := s.store.CreateAPI(c.Region, NewAPI{
		Name: in.Name, Description: in.Description, Version: in.Version, APIKeySource: in.APIKeySource, Policy: in.Policy,
		BinaryMediaTypes: in.BinaryMediaTypes, MinimumCompressionSize: in.MinimumCompressionSize, EndpointTypes: types,
		DisableExecuteAPIEndpoint: in.DisableExecuteAPIEndpoint, Tags: in.Tags,
	})
	return read(s, a.ID, func(a *API) (restAPIOut, error) { return restAPIView(a), nil })
}

func (s *Service) getRestAPIs(c *awsproto.Call, in *pageInput) (listOut[restAPIOut], error) {
	return page(*in, s.store.APIs(c.Region), func(a *API) (v restAPIOut) {
		a.View(func() { v = restAPIView(a) })
		return v
	})
}

func (s *Service) getRestAPI(c *awsproto.Call, in *apiPath) (restAPIOut, error) {
	return read(s, in.RestAPIID, func(a *API) (restAPIOut, error) { return restAPIView(a), nil })
}

func (s *Service) deleteRestAPI(c *awsproto.Call, in *apiPath) (struct{}, error) {
	return struct{}{}, s.store.DeleteAPI(in.RestAPIID)
}

type updateRestAPIInput struct {
	apiPath
	patchInput
}

func (s *Service) updateRestAPI(c *awsproto.Call, in *updateRestAPIInput) (restAPIOut, error) {
	return edit(s, in.RestAPIID, func(a *API) (restAPIOut, error) {
		if err := a.Patch(in.PatchOperations); err != nil {
			return restAPIOut{}, err
		}
		return restAPIView(a), nil
	})
}
