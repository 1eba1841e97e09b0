package apigatewayv2

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type stagePath struct {
	apiPath
	StageName string `json:"-" location:"uri" name:"stageName"`
}

type createStageInput struct {
	apiPath
	StageSpec
	StageName *string           `json:"stageName"`
	Tags      map[string]string `json:"tags"`
}

func (in *createStageInput) Validate() error {
	if in.StageName == nil {
		return ErrBadRequest.New("StageName is required")
	}
	return nil
}

func (s *Service) createStage(c *awsproto.Call, in *createStageInput) (Stage, error) {
	return edit(s, in.APIID, false, func(a *API) (Stage, error) {
		return copied(s.store.CreateStage(a, *in.StageName, in.StageSpec, in.Tags))
	})
}

type listStagesInput struct {
	apiPath
	pageInput
}

func (s *Service) getStages(c *awsproto.Call, in *listStagesInput) (listOut[Stage], error) {
	return read(s, in.APIID, func(a *API) (listOut[Stage], error) { return page(in.pageInput, a.Stages(), view[Stage]) })
}

func (s *Service) getStage(c *awsproto.Call, in *stagePath) (Stage, error) {
	return read(s, in.APIID, func(a *API) (Stage, error) { return copied(a.Stage(in.StageName)) })
}

type updateStageInput struct {
	stagePath
	StageSpec
}

func (s *Service) updateStage(c *awsproto.Call, in *updateStageInput) (Stage, error) {
	return edit(s, in.APIID, false, func(a *API) (Stage, error) { return copied(s.store.UpdateStage(a, in.StageName, in.StageSpec)) })
}

func (s *Service) deleteStage(c *awsproto.Call, in *stagePath) (struct{}, error) {
	return edit(s, in.APIID, false, func(a *API) (struct{}, error) { return struct{}{}, a.DeleteStage(in.StageName) })
}

func (s *Service) resetAuthorizersCache(c *awsproto.Call, in *stagePath) (struct{}, error) {
	_, err := read(s, in.APIID, func(a *API) (struct{}, error) {
		_, err := a.Stage(in.StageName)
		return struct{}{}, err
	})
	if err == nil {
		s.store.auth.clear(authCachePrefix(in.APIID, in.StageName))
	}
	return struct{}{}, err
}

// --- deployments ------------------------------------------------------------------

type deploymentPath struct {
	apiPath
	DeploymentID string `json:"-" location:"uri" name:"deploymentId"`
}

type createDeploymentInput struct {
	apiPath
	Description *string `json:"description"`
	StageName   *string `json:"stageName"`
}

func (s *Service) createDeployment(c *awsproto.Call, in *createDeploymentInput) (Deployment, error) {
	return edit(s, in.APIID, false, func(a *API) (Deployment, error) {
		return copied(s.store.CreateDeployment(a, deref(in.StageName), deref(in.Description)))
	})
}

type listDeploymentsInput struct {
	apiPath
	pageInput
}

func (s *Service) getDeployments(c *awsproto.Call, in *listDeploymentsInput) (listOut[Deployment], error) {
	return read(s, in.APIID, func(a *API) (listOut[Deployment], error) {
		return page(in.pageInput, a.Deployments(), view[Deployment])
	})
}

func (s *Service) getDeployment(c *awsproto.Call, in *deploymentPath) (Deployment, error) {
	return read(s, in.APIID, func(a *API) (Deployment, error) { return copied(a.Deployment(in.DeploymentID)) })
}

type updateDeploymentInput struct {
	deploymentPath
	Description *string `json:"description"`
}

func (s *Service) updateDeployment(c *awsproto.Call, in *updateDeploymentInput) (Deployment, error) {
	return edit(s, in.APIID, false, func(a *API) (Deployment, error) {
		d, err := a.Deployment(in.DeploymentID)
		if err != nil {
			return Deployment{}, err
		}
		set(&d.Description, in.Description)
		return *d, nil
	})
}

func (s *Service) deleteDeployment(c *awsproto.Call, in *deploymentPath) (struct{}, error) {
	return edit(s, in.APIID, false, func(a *API) (struct{}, error) { return struct{}{}, a.DeleteDeployment(in.DeploymentID) })
}

// --- authorizers --------------------------------------------------------------------

type authorizerPath struct {
	apiPath
	AuthorizerID string `json:"-" location:"uri" name:"authorizerId"`
}

type createAuthorizerInput struct {
	apiPath
	AuthorizerSpec
}

func (in *createAuthorizerInput) Validate() error {
	switch {
	case in.AuthorizerType == nil:
		return ErrBadRequest.New("AuthorizerType is required")
	case in.IdentitySource == nil:
		// Required by the model for every type, and checked before the API
		// is looked up; a REQUEST authorizer without caching may send an
		// empty list (HTTP APIs).
		return ErrBadRequest.New("IdentitySource is required")
	case in.Name == nil:
		return ErrBadRequest.New("Name is required")
	}
	return nil
}

func (s *Service) createAuthorizer(c *awsproto.Call, in *createAuthorizerInput) (Authorizer, error) {
	return edit(s, in.APIID, true, func(a *API) (Authorizer, error) { return copied(s.store.CreateAuthorizer(a, in.AuthorizerSpec)) })
}

type listAuthorizersInput struct {
	apiPath
	pageInput
}

func (s *Service) getAuthorizers(c *awsproto.Call, in *listAuthorizersInput) (listOut[Authorizer], error) {
	return read(s, in.APIID, func(a *API) (listOut[Authorizer], error) {
		return page(in.pageInput, a.Authorizers(), view[Authorizer])
	})
}

func (s *Service) getAuthorizer(c *awsproto.Call, in *authorizerPath) (Authorizer, error) {
	return read(s, in.APIID, func(a *API) (Authorizer, error) { return copied(a.Authorizer(in.AuthorizerID)) })
}

type updateAuthorizerInput struct {
	authorizerPath
	AuthorizerSpec
}

func (s *Service) updateAuthorizer(c *awsproto.Call, in *updateAuthorizerInput) (Authorizer, error) {
	return edit(s, in.APIID, true, func(a *API) (Authorizer, error) {
		return copied(a.UpdateAuthorizer(in.AuthorizerID, in.AuthorizerSpec))
	})
}

func (s *Service) deleteAuthorizer(c *awsproto.Call, in *authorizerPath) (struct{}, error) {
	return edit(s, in.APIID, true, func(a *API) (struct{}, error) { return struct{}{}, a.DeleteAuthorizer(in.AuthorizerID) })
}
