package apigateway

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type methodSnapshotOut struct {
	AuthorizationType string `json:"authorizationType"`
	APIKeyRequired    bool   `json:"apiKeyRequired"`
}

type deploymentOut struct {
	ID          string                                  `json:"id"`
	Description string                                  `json:"description,omitempty"`
	CreatedDate int64                                   `json:"createdDate"`
	APISummary  map[string]map[string]methodSnapshotOut `json:"apiSummary,omitempty"`
}

func deploymentView(d *Deployment, summary bool) deploymentOut {
	out := deploymentOut{ID: d.ID, Description: d.Description, CreatedDate: epoch(d.Created)}
	if summary {
		out.APISummary = map[string]map[string]methodSnapshotOut{}
		var walk func(n *RouteNode)
		seen := map[*RouteNode]bool{}
		walk = func(n *RouteNode) {
			if n == nil || seen[n] {
				return
			}
			seen[n] = true
			if len(n.Methods) > 0 {
				ms := map[string]methodSnapshotOut{}
				for k, m := range n.Methods {
					ms[k] = methodSnapshotOut{AuthorizationType: m.AuthorizationType, APIKeyRequired: m.APIKeyRequired}
				}
				out.APISummary[n.Path] = ms
			}
			for _, c := range n.literal {
				walk(c)
			}
			walk(n.param)
			walk(n.greedy)
		}
		walk(d.Snapshot.Root)
	}
	return out
}

type createDeploymentInput struct {
	apiPath
	StageName        string            `json:"stageName"`
	StageDescription string            `json:"stageDescription"`
	Description      string            `json:"description"`
	Variables        map[string]string `json:"variables"`
	TracingEnabled   bool              `json:"tracingEnabled"`
	// Checked against the model, not applied: no cache cluster, no canary.
	CacheClusterEnabled *bool                     `json:"cacheClusterEnabled"`
	CacheClusterSize    string                    `json:"cacheClusterSize" enum:"0.5,1.6,6.1,13.5,28.4,58.2,118,237"`
	CanarySettings      *deploymentCanarySettings `json:"canarySettings"`
}

type deploymentCanarySettings struct {
	PercentTraffic         *float64          `json:"percentTraffic"`
	StageVariableOverrides map[string]string `json:"stageVariableOverrides"`
	UseStageCache          *bool             `json:"useStageCache"`
}

func (s *Service) createDeployment(c *awsproto.Call, in *createDeploymentInput) (deploymentOut, error) {
	return edit(s, in.RestAPIID, func(a *API) (deploymentOut, error) {
		d, err := a.DeployTo(s.store, NewDeployment{Description: in.Description, StageName: in.StageName,
			StageDescription: in.StageDescription, Variables: in.Variables, TracingEnabled: in.TracingEnabled})
		if err != nil {
			return deploymentOut{}, err
		}
		return deploymentView(d, false), nil
	})
}

type getDeploymentsInput struct {
	apiPath
	pageInput
}

func (s *Service) getDeployments(c *awsproto.Call, in *getDeploymentsInput) (listOut[deploymentOut], error) {
	return read(s, in.RestAPIID, func(a *API) (listOut[deploymentOut], error) {
		return page(in.pageInput, a.Deployments(), func(d *Deployment) deploymentOut { return deploymentView(d, false) })
	})
}

type deploymentPath struct {
	apiPath
	DeploymentID string `json:"-" location:"uri" name:"deployment_id"`
}

type getDeploymentInput struct {
	deploymentPath
	embedInput
}

func (s *Service) getDeployment(c *awsproto.Call, in *getDeploymentInput) (deploymentOut, error) {
	return read(s, in.RestAPIID, func(a *API) (deploymentOut, error) {
		d, err := a.Deployment(in.DeploymentID)
		if err != nil {
			return deploymentOut{}, err
		}
		return deploymentView(d, in.has("apisummary")), nil
	})
}

type updateDeploymentInput struct {
	deploymentPath
	patchInput
}

func (s *Service) updateDeployment(c *awsproto.Call, in *updateDeploymentInput) (deploymentOut, error) {
	return edit(s, in.RestAPIID, func(a *API) (deploymentOut, error) {
		d, err := a.PatchDeployment(in.DeploymentID, in.PatchOperations)
		if err != nil {
			return deploymentOut{}, err
		}
		return deploymentView(d, false), nil
	})
}

func (s *Service) deleteDeployment(c *awsproto.Call, in *deploymentPath) (struct{}, error) {
	return struct{}{}, s.store.Edit(in.RestAPIID, func(a *API) error { return a.DeleteDeployment(in.DeploymentID) })
}

// --- stages -----------------------------------------------------------------------

type stageOut struct {
	DeploymentID         string                    `json:"deploymentId"`
	StageName            string                    `json:"stageName"`
	Description          string                    `json:"description,omitempty"`
	CacheClusterEnabled  bool                      `json:"cacheClusterEnabled"`
	CacheClusterSize     string                    `json:"cacheClusterSize,omitempty"`
	CacheClusterStatus   string                    `json:"cacheClusterStatus"`
	MethodSettings       map[string]map[string]any `json:"methodSettings"`
	Variables            map[string]string         `json:"variables,omitempty"`
	TracingEnabled       bool                      `json:"tracingEnabled"`
	Tags                 map[string]string         `json:"tags,omitempty"`
	DocumentationVersion string                    `json:"documentationVersion,omitempty"`
	ClientCertificateID  string                    `json:"clientCertificateId,omitempty"`
	CreatedDate          int64                     `json:"createdDate"`
	LastUpdatedDate      int64                     `json:"lastUpdatedDate"`
}

func stageView(st *Stage) stageOut {
	out := stageOut{
		DeploymentID: st.DeploymentID, StageName: st.Name, Description: st.Description, CacheClusterEnabled: st.CacheClusterEnabled,
		CacheClusterSize: st.CacheClusterSize, CacheClusterStatus: "NOT_AVAILABLE", MethodSettings: st.MethodSettings,
		Variables: st.Variables, TracingEnabled: st.TracingEnabled, Tags: st.Tags,
		DocumentationVersion: st.DocumentationVersion, ClientCertificateID: st.ClientCertificateID,
		CreatedDate: epoch(st.Created), LastUpdatedDate: epoch(st.Updated),
	}
	if st.CacheClusterEnabled {
		out.CacheClusterStatus = "AVAILABLE"
	}
	if out.MethodSettings == nil {
		out.MethodSettings = map[string]map[string]any{}
	}
	return out
}

type createStageInput struct {
	apiPath
	StageName           string            `json:"stageName" required:"true"`
	DeploymentID        string            `json:"deploymentId" required:"true"`
	Description         string            `json:"description"`
	CacheClusterEnabled bool              `json:"cacheClusterEnabled"`
	CacheClusterSize    string            `json:"cacheClusterSize" enum:"0.5,1.6,6.1,13.5,28.4,58.2,118,237"`
	Variables           map[string]string `json:"variables"`
	TracingEnabled      bool              `json:"tracingEnabled"`
	Tags                map[string]string `json:"tags"`
	// Checked against the model, not applied: no canary traffic is split
	// and documentation versions are not tied to stages.
	DocumentationVersion string          `json:"documentationVersion"`
	CanarySettings       *canarySettings `json:"canarySettings"`
}

// canarySettings is a stage's (and, without deploymentId, a deployment's)
// canary: accepted, not applied.
type canarySettings struct {
	PercentTraffic         *float64          `json:"percentTraffic"`
	DeploymentID           *string           `json:"deploymentId"`
	StageVariableOverrides map[string]string `json:"stageVariableOverrides"`
	UseStageCache          *bool             `json:"useStageCache"`
}

func (s *Service) createStage(c *awsproto.Call, in *createStageInput) (stageOut, error) {
	st := &Stage{Name: in.StageName, DeploymentID: in.DeploymentID, Description: in.Description, Variables: in.Variables,
		TracingEnabled: in.TracingEnabled, CacheClusterEnabled: in.CacheClusterEnabled, CacheClusterSize: in.CacheClusterSize, Tags: in.Tags,
		DocumentationVersion: in.DocumentationVersion}
	return edit(s, in.RestAPIID, func(a *API) (stageOut, error) {
		if err := a.CreateStage(s.env.Now(), st); err != nil {
			return stageOut{}, err
		}
		return stageView(st), nil
	})
}

type getStagesInput struct {
	apiPath
	DeploymentID string `json:"-" location:"querystring" name:"deploymentId"`
}

// getStages lists without paging, as AWS does (no position, no limit).
func (s *Service) getStages(c *awsproto.Call, in *getStagesInput) (listOut[stageOut], error) {
	return read(s, in.RestAPIID, func(a *API) (listOut[stageOut], error) {
		out := listOut[stageOut]{Items: []stageOut{}}
		for _, st := range a.Stages(in.DeploymentID) {
			out.Items = append(out.Items, stageView(st))
		}
		return out, nil
	})
}

type stagePath struct {
	apiPath
	StageName string `json:"-" location:"uri" name:"stage_name"`
}

func (s *Service) getStage(c *awsproto.Call, in *stagePath) (stageOut, error) {
	return read(s, in.RestAPIID, func(a *API) (stageOut, error) {
		return as(stageView)(a.Stage(in.StageName))
	})
}

type updateStageInput struct {
	stagePath
	patchInput
}

func (s *Service) updateStage(c *awsproto.Call, in *updateStageInput) (stageOut, error) {
	return edit(s, in.RestAPIID, func(a *API) (stageOut, error) {
		return as(stageView)(a.PatchStage(in.StageName, in.PatchOperations, s.env.Now()))
	})
}

func (s *Service) deleteStage(c *awsproto.Call, in *stagePath) (struct{}, error) {
	return struct{}{}, s.store.Edit(in.RestAPIID, func(a *API) error { return a.DeleteStage(in.StageName) })
}
