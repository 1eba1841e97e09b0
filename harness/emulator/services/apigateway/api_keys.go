package apigateway

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// API keys, usage plans and their keys: the account's regional resources
// that meter invocations of methods with apiKeyRequired.

func (s *Service) keyOperations() []awsproto.Operation {
	const (
		key  = "/apikeys/{api_Key}"
		plan = "/usageplans/{usageplanId}"
	)
	h := func(op awsproto.Operation, route string, status int) awsproto.Operation {
		return op.At(route).WithStatus(status)
	}
	return []awsproto.Operation{
		h(awsproto.Handle("CreateApiKey", s.createAPIKey), "POST /apikeys", http.StatusCreated),
		h(awsproto.Handle("GetApiKeys", s.getAPIKeys), "GET /apikeys", http.StatusOK),
		h(awsproto.Handle("GetApiKey", s.getAPIKey), "GET "+key, http.StatusOK),
		h(awsproto.Handle("UpdateApiKey", s.updateAPIKey), "PATCH "+key, http.StatusOK),
		h(awsproto.Handle("DeleteApiKey", s.deleteAPIKey), "DELETE "+key, http.StatusAccepted),

		h(awsproto.Handle("CreateUsagePlan", s.createUsagePlan), "POST /usageplans", http.StatusCreated),
		h(awsproto.Handle("GetUsagePlans", s.getUsagePlans), "GET /usageplans", http.StatusOK),
		h(awsproto.Handle("GetUsagePlan", s.getUsagePlan), "GET "+plan, http.StatusOK),
		h(awsproto.Handle("UpdateUsagePlan", s.updateUsagePlan), "PATCH "+plan, http.StatusOK),
		h(awsproto.Handle("DeleteUsagePlan", s.deleteUsagePlan), "DELETE "+plan, http.StatusAccepted),

		h(awsproto.Handle("CreateUsagePlanKey", s.createUsagePlanKey), "POST "+plan+"/keys", http.StatusCreated),
		h(awsproto.Handle("GetUsagePlanKeys", s.getUsagePlanKeys), "GET "+plan+"/keys", http.StatusOK),
		h(awsproto.Handle("GetUsagePlanKey", s.getUsagePlanKey), "GET "+plan+"/keys/{keyId}", http.StatusOK),
		h(awsproto.Handle("DeleteUsagePlanKey", s.deleteUsagePlanKey), "DELETE "+plan+"/keys/{keyId}", http.StatusAccepted),
		h(awsproto.Handle("GetUsage", s.getUsage), "GET "+plan+"/usage", http.StatusOK),
	}
}

// --- API keys -------------------------------------------------------------------

type apiKeyOut struct {
	ID              string            `json:"id"`
	Value           string            `json:"value,omitempty"`
	Name            string            `json:"name,omitempty"`
	CustomerID      string            `json:"customerId,omitempty"`
	Description     string            `json:"description,omitempty"`
	Enabled         bool              `json:"enabled"`
	CreatedDate     int64             `json:"createdDate"`
	LastUpdatedDate int64             `json:"lastUpdatedDate"`
	StageKeys       []string          `json:"stageKeys"`
	Tags            map[string]string `json:"tags,omitempty"`
}

// apiKeyView renders a key; its value only when asked for (includeValue),
// as AWS does.
func apiKeyView(k APIKey, withValue bool) apiKeyOut {
	out := apiKeyOut{
		ID: k.ID, Name: k.Name, CustomerID: k.CustomerID, Description: k.Description, Enabled: k.Enabled,
		CreatedDate: epoch(k.Created), LastUpdatedDate: epoch(k.Updated), StageKeys: k.StageKeys, Tags: k.Tags,
	}
	if out.StageKeys == nil {
		out.StageKeys = []string{}
	}
	if withValue {
		out.Value = k.Value
	}
	return out
}

type stageKeyIn struct {
	RestAPIID string `json:"restApiId"`
	StageName string `json:"stageName"`
}

type createAPIKeyInput struct {
	Name               string            `json:"name"`
	Description        string            `json:"description"`
	Enabled            bool              `json:"enabled"`
	GenerateDistinctID bool              `json:"generateDistinctId"`
	Value              string            `json:"value"`
	StageKeys          []stageKeyIn      `json:"stageKeys"`
	CustomerID         string            `json:"customerId"`
	Tags               map[string]string `json:"tags"`
}

func (s *Service) createAPIKey(c *awsproto.Call, in *createAPIKeyInput) (apiKeyOut, error) {
	var stageKeys []string
	for _, sk := range in.StageKeys {
		stageKeys = append(stageKeys, sk.RestAPIID+"/"+sk.StageName)
	}
	k, err := s.store.CreateAPIKey(c.Region, NewAPIKey{
		Name: in.Name, Description: in.Description, Value: in.Value, CustomerID: in.CustomerID,
		Enabled: in.Enabled, StageKeys: stageKeys, Tags: in.Tags,
	})
	if err != nil {
		return apiKeyOut{}, err
	}
	return apiKeyView(k, true), nil
}

type getAPIKeysInput struct {
	pageInput
	NameQuery     string `json:"-" location:"querystring" name:"name"`
	CustomerID    string `json:"-" location:"querystring" name:"customerId"`
	IncludeValues bool   `json:"-" location:"querystring" name:"includeValues"`
}

func (s *Service) getAPIKeys(c *awsproto.Call, in *getAPIKeysInput) (listOut[apiKeyOut], error) {
	with := in.IncludeValues
	return page(in.pageInput, s.store.APIKeys(c.Region, in.NameQuery, in.CustomerID), func(k APIKey) apiKeyOut { return apiKeyView(k, with) })
}

type apiKeyPath struct {
	APIKey string `json:"-" location:"uri" name:"api_Key"`
}

type getAPIKeyInput struct {
	apiKeyPath
	IncludeValue bool `json:"-" location:"querystring" name:"includeValue"`
}

func (s *Service) getAPIKey(c *awsproto.Call, in *getAPIKeyInput) (apiKeyOut, error) {
	k, err := s.store.APIKey(in.APIKey)
	if err != nil {
		return apiKeyOut{}, err
	}
	return apiKeyView(k, in.IncludeValue), nil
}

type updateAPIKeyInput struct {
	apiKeyPath
	patchInput
}

func (s *Service) updateAPIKey(c *awsproto.Call, in *updateAPIKeyInput) (apiKeyOut, error) {
	k, err := s.store.PatchAPIKey(in.APIKey, in.PatchOperations)
	if err != nil {
		return apiKeyOut{}, err
	}
	return apiKeyView(k, false), nil
}

func (s *Service) deleteAPIKey(c *awsproto.Call, in *apiKeyPath) (struct{}, error) {
	return struct{}{}, s.store.DeleteAPIKey(in.APIKey)
}

// --- usage plans ------------------------------------------------------------------

type throttleJSON struct {
	BurstLimit int     `json:"burstLimit"`
	RateLimit  float64 `json:"rateLimit"`
}

type quotaJSON struct {
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
	Period string `json:"period" enum:"DAY,WEEK,MONTH"`
}

type apiStageJSON struct {
	APIID    string                  `json:"apiId"`
	Stage    string                  `json:"stage"`
	Throttle map[string]throttleJSON `json:"throttle,omitempty"`
}

type usagePlanOut struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	APIStages   []apiStageJSON    `json:"apiStages"`
	Throttle    *throttleJSON     `json:"throttle,omitempty"`
	Quota       *quotaJSON        `json:"quota,omitempty"`
	ProductCode string            `json:"productCode,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
}

func usagePlanView(p UsagePlan) usagePlanOut {
	out := usagePlanOut{ID: p.ID, Name: p.Name, Description: p.Description, ProductCode: p.ProductCode, Tags: p.Tags,
		APIStages: make([]apiStageJSON, 0, len(p.Stages))}
	for _, ps := range p.Stages {
		st := apiStageJSON{APIID: ps.APIID, Stage: ps.Stage}
		if len(ps.Throttle) > 0 {
			st.Throttle = make(map[string]throttleJSON, len(ps.Throttle))
			for k, t := range ps.Throttle {
				st.Throttle[k] = throttleJSON{BurstLimit: t.BurstLimit, RateLimit: t.RateLimit}
			}
		}
		out.APIStages = append(out.APIStages, st)
	}
	if p.Throttle != nil {
		out.Throttle = &throttleJSON{BurstLimit: p.Throttle.BurstLimit, RateLimit: p.Throttle.RateLimit}
	}
	if p.Quota != nil {
		out.Quota = &quotaJSON{Limit: p.Quota.Limit, Offset: p.Quota.Offset, Period: p.Quota.Period}
	}
	return out
}

type createUsagePlanInput struct {
	Name        *string           `json:"name" required:"true"`
	Description string            `json:"description"`
	APIStages   []apiStageJSON    `json:"apiStages"`
	Throttle    *throttleJSON     `json:"throttle"`
	Quota       *quotaJSON        `json:"quota"`
	Tags        map[string]string `json:"tags"`
}

func (s *Service) createUsagePlan(c *awsproto.Call, in *createUsagePlanInput) (usagePlanOut, error) {
	np := NewUsagePlan{Name: *in.Name, Description: in.Description, Tags: in.Tags}
	for _, st := range in.APIStages {
		ps := PlanStage{APIID: st.APIID, Stage: st.Stage}
		if len(st.Throttle) > 0 {
			ps.Throttle = make(map[string]Throttle, len(st.Throttle))
			for k, t := range st.Throttle {
				ps.Throttle[k] = Throttle{RateLimit: t.RateLimit, BurstLimit: t.BurstLimit}
			}
		}
		np.Stages = append(np.Stages, ps)
	}
	if in.Throttle != nil {
		np.Throttle = &Throttle{RateLimit: in.Throttle.RateLimit, BurstLimit: in.Throttle.BurstLimit}
	}
	if in.Quota != nil {
		np.Quota = &Quota{Limit: in.Quota.Limit, Offset: in.Quota.Offset, Period: in.Quota.Period}
	}
	return as(usagePlanView)(s.store.CreateUsagePlan(c.Region, np))
}

type getUsagePlansInput struct {
	pageInput
	KeyID string `json:"-" location:"querystring" name:"keyId"`
}

func (s *Service) getUsagePlans(c *awsproto.Call, in *getUsagePlansInput) (listOut[usagePlanOut], error) {
	return page(in.pageInput, s.store.UsagePlans(c.Region, in.KeyID), usagePlanView)
}

type usagePlanPath struct {
	UsagePlanID string `json:"-" location:"uri" name:"usageplanId"`
}

func (s *Service) getUsagePlan(c *awsproto.Call, in *usagePlanPath) (usagePlanOut, error) {
	return as(usagePlanView)(s.store.UsagePlan(in.UsagePlanID))
}

type updateUsagePlanInput struct {
	usagePlanPath
	patchInput
}

func (s *Service) updateUsagePlan(c *awsproto.Call, in *updateUsagePlanInput) (usagePlanOut, error) {
	return as(usagePlanView)(s.store.PatchUsagePlan(in.UsagePlanID, in.PatchOperations))
}

func (s *Service) deleteUsagePlan(c *awsproto.Call, in *usagePlanPath) (struct{}, error) {
	return struct{}{}, s.store.DeleteUsagePlan(in.UsagePlanID)
}

// --- usage plan keys ---------------------------------------------------------------

type usagePlanKeyOut struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Value string `json:"value"`
	Name  string `json:"name,omitempty"`
}

func usagePlanKeyView(k APIKey) usagePlanKeyOut {
	return usagePlanKeyOut{ID: k.ID, Type: "API_KEY", Value: k.Value, Name: k.Name}
}

type createUsagePlanKeyInput struct {
	usagePlanPath
	KeyID   *string `json:"keyId" required:"true"`
	KeyType *string `json:"keyType" required:"true"`
}

func (s *Service) createUsagePlanKey(c *awsproto.Call, in *createUsagePlanKeyInput) (usagePlanKeyOut, error) {
	return as(usagePlanKeyView)(s.store.AddPlanKey(in.UsagePlanID, *in.KeyID, *in.KeyType))
}

type getUsagePlanKeysInput struct {
	usagePlanPath
	pageInput
	NameQuery string `json:"-" location:"querystring" name:"name"`
}

func (s *Service) getUsagePlanKeys(c *awsproto.Call, in *getUsagePlanKeysInput) (listOut[usagePlanKeyOut], error) {
	keys, err := s.store.PlanKeys(in.UsagePlanID, in.NameQuery)
	if err != nil {
		return listOut[usagePlanKeyOut]{}, err
	}
	return page(in.pageInput, keys, usagePlanKeyView)
}

type usagePlanKeyPath struct {
	usagePlanPath
	KeyID string `json:"-" location:"uri" name:"keyId"`
}

func (s *Service) getUsagePlanKey(c *awsproto.Call, in *usagePlanKeyPath) (usagePlanKeyOut, error) {
	return as(usagePlanKeyView)(s.store.PlanKey(in.UsagePlanID, in.KeyID))
}

func (s *Service) deleteUsagePlanKey(c *awsproto.Call, in *usagePlanKeyPath) (struct{}, error) {
	return struct{}{}, s.store.DeletePlanKey(in.UsagePlanID, in.KeyID)
}

// --- usage ------------------------------------------------------------------------

type getUsageInput struct {
	usagePlanPath
	pageInput
	KeyID     string  `json:"-" location:"querystring" name:"keyId"`
	StartDate *string `json:"-" location:"querystring" name:"startDate" required:"true"`
	EndDate   *string `json:"-" location:"querystring" name:"endDate" required:"true"`
}

type usageOut struct {
	UsagePlanID string              `json:"usagePlanId"`
	StartDate   string              `json:"startDate"`
	EndDate     string              `json:"endDate"`
	Values      map[string][][2]int `json:"values"`
	Position    string              `json:"position,omitempty"`
}

func (s *Service) getUsage(c *awsproto.Call, in *getUsageInput) (usageOut, error) {
	u, err := s.store.Usage(in.UsagePlanID, in.KeyID, *in.StartDate, *in.EndDate)
	if err != nil {
		return usageOut{}, err
	}
	return usageOut{UsagePlanID: in.UsagePlanID, StartDate: u.Start, EndDate: u.End, Values: u.Values}, nil
}
