package apigatewayv2

import (
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type createAPIInput struct {
	APISpec
	ProtocolType *string `json:"protocolType" required:"true"`
}

// Validate runs CreateApi's required members in AWS's order.
func (in *createAPIInput) Validate() error {
	if in.Name == nil {
		return ErrBadRequest.New("Name is required")
	}
	return nil
}

func (s *Service) apiView(c *awsproto.Call, a *API) APIInfo {
	v := a.APIInfo
	scheme := "http"
	if v.ProtocolType == ProtocolWebSocket {
		scheme = "wss"
	}
	host := s.env.Host
	if host == "" {
		host = c.Host
	}
	port := ""
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		port = host[i:]
	}
	if scheme == "wss" {
		scheme = "ws"
	}
	v.APIEndpoint = scheme + "://" + v.ID + ".execute-api.localhost.localstack.cloud" + port
	return v
}

func (s *Service) createAPI(c *awsproto.Call, in *createAPIInput) (APIInfo, error) {
	a, err := s.store.CreateAPI(c.Region, *in.ProtocolType, in.APISpec)
	if err != nil {
		return APIInfo{}, err
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	return s.apiView(c, a), nil
}

func (s *Service) getAPIs(c *awsproto.Call, in *pageInput) (listOut[APIInfo], error) {
	apis := s.store.APIs(c.Region)
	return page(*in, apis, func(a *API) APIInfo {
		a.mu.RLock()
		defer a.mu.RUnlock()
		return s.apiView(c, a)
	})
}

func (s *Service) getAPI(c *awsproto.Call, in *apiPath) (APIInfo, error) {
	return read(s, in.APIID, func(a *API) (APIInfo, error) { return s.apiView(c, a), nil })
}

type updateAPIInput struct {
	apiPath
	APISpec
}

func (s *Service) updateAPI(c *awsproto.Call, in *updateAPIInput) (APIInfo, error) {
	return edit(s, in.APIID, true, func(a *API) (APIInfo, error) {
		if err := a.Update(in.APISpec); err != nil {
			return APIInfo{}, err
		}
		return s.apiView(c, a), nil
	})
}

func (s *Service) deleteAPI(c *awsproto.Call, in *apiPath) (struct{}, error) {
	return struct{}{}, s.store.DeleteAPI(in.APIID)
}

func (s *Service) deleteCors(c *awsproto.Call, in *apiPath) (struct{}, error) {
	return edit(s, in.APIID, true, func(a *API) (struct{}, error) {
		a.CorsConfiguration = nil
		return struct{}{}, nil
	})
}

// --- tags -----------------------------------------------------------------------

type tagsPath struct {
	ResourceARN string `json:"-" location:"uri" name:"resourceArn"`
}

type tagsOut struct {
	Tags map[string]string `json:"tags"`
}

func (s *Service) getTags(c *awsproto.Call, in *tagsPath) (tagsOut, error) {
	tags, err := s.editTags(in.ResourceARN, nil, nil)
	if tags == nil {
		tags = map[string]string{}
	}
	return tagsOut{tags}, err
}

type tagResourceInput struct {
	tagsPath
	Tags map[string]string `json:"tags"`
}

func (s *Service) tagResource(c *awsproto.Call, in *tagResourceInput) (struct{}, error) {
	_, err := s.editTags(in.ResourceARN, in.Tags, nil)
	return struct{}{}, err
}

type untagResourceInput struct {
	tagsPath
	TagKeys []string `json:"-" location:"querystring" name:"tagKeys" required:"true"`
}

func (s *Service) untagResource(c *awsproto.Call, in *untagResourceInput) (struct{}, error) {
	_, err := s.editTags(in.ResourceARN, nil, in.TagKeys)
	return struct{}{}, err
}

// editTags adds and removes tags of the API or stage an ARN names
// (arn:aws:apigateway:{region}::/apis/{id}[/stages/{name}]) and returns
// them. Tag maps are replaced, never edited in place.
func (s *Service) editTags(arn string, add map[string]string, remove []string) (map[string]string, error) {
	_, path, ok := strings.Cut(arn, "::")
	region, _, _ := strings.Cut(strings.TrimPrefix(arn, "arn:aws:apigateway:"), ":")
	if name, isDomain := strings.CutPrefix(path, "/domainnames/"); ok && isDomain && name != "" {
		return s.store.EditDomainTags(region, name, add, remove)
	}
	if id, isLink := strings.CutPrefix(path, "/vpclinks/"); ok && isLink && id != "" {
		return s.store.EditVpcLinkTags(region, id, add, remove)
	}
	if _, portal, isPortal := strings.Cut(arn, ":/portals/"); isPortal && portal != "" && strings.HasPrefix(arn, "arn:aws:apigateway:") {
		return s.store.EditPortalTags(region, portal, add, remove)
	}
	rest, isAPI := strings.CutPrefix(path, "/apis/")
	if !strings.HasPrefix(arn, "arn:aws:apigateway:") || !ok || !isAPI || rest == "" {
		return nil, ErrBadRequest.Errorf("Invalid resource ARN specified: %s", arn)
	}
	id, stage, _ := strings.Cut(rest, "/stages/")
	id = strings.TrimSuffix(id, "/")
	var out map[string]string
	err := s.store.Edit(id, false, func(a *API) error {
		tags := &a.Tags
		if stage != "" {
			st, err := a.Stage(stage)
			if err != nil {
				return err
			}
			tags = &st.Tags
		}
		var err error
		out, err = editTagMap(tags, add, remove)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
