package lambda

import (
	"net/http"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// --- provisioned concurrency, runtime management and recursion configs
// (store_settings.go): stored and answered; the emulator neither keeps
// instances warm for provisioned concurrency, nor pins runtime versions,
// nor detects recursive loops.

const (
	provisionedPath = "/2019-09-30/functions/{FunctionName}/provisioned-concurrency"
	runtimeConfPath = "/2021-07-20/functions/{FunctionName}/runtime-management-config"
	recursionPath   = "/2024-08-31/functions/{FunctionName}/recursion-config"
	// provisionedTimeLayout is how AWS writes a provisioned concurrency
	// config's LastModified (a string, not a timestamp, in the model).
	provisionedTimeLayout = "2006-01-02T15:04:05-0700"
)

func (s *Service) registerSettings() {
	s.api.Register(
		awsproto.Handle("PutProvisionedConcurrencyConfig", s.putProvisioned).At("PUT "+provisionedPath).WithStatus(http.StatusAccepted),
		awsproto.Handle("GetProvisionedConcurrencyConfig", s.getProvisioned).At("GET "+provisionedPath),
		awsproto.Handle("DeleteProvisionedConcurrencyConfig", s.deleteProvisioned).At("DELETE "+provisionedPath).WithStatus(http.StatusNoContent),
		// The model's requestUri: ServeHTTP routes it (serveProvisionedList).
		awsproto.Handle("ListProvisionedConcurrencyConfigs", s.listProvisioned).At("GET "+provisionedPath+"?List=ALL"),
		awsproto.Handle("PutRuntimeManagementConfig", s.putRuntimeConfig).At("PUT "+runtimeConfPath),
		awsproto.Handle("GetRuntimeManagementConfig", s.getRuntimeConfig).At("GET "+runtimeConfPath),
		awsproto.Handle("PutFunctionRecursionConfig", s.putRecursion).At("PUT "+recursionPath),
		awsproto.Handle("GetFunctionRecursionConfig", s.getRecursion).At("GET "+recursionPath),
	)
}

// serveProvisionedList answers GET
// /2019-09-30/functions/{FunctionName}/provisioned-concurrency?List=ALL,
// which differs from GetProvisionedConcurrencyConfig by its query alone.
func (s *Service) serveProvisionedList(w http.ResponseWriter, r *http.Request) bool {
	const prefix, suffix = "/2019-09-30/functions/", "/provisioned-concurrency"
	path := r.URL.Path
	if r.Method != http.MethodGet || r.URL.Query().Get("List") != "ALL" ||
		!strings.HasPrefix(path, prefix) || !strings.HasSuffix(path, suffix) || len(path) <= len(prefix)+len(suffix) {
		return false
	}
	name := path[len(prefix) : len(path)-len(suffix)]
	if strings.Contains(name, "/") {
		return false
	}
	r.SetPathValue("FunctionName", name)
	c := &awsproto.Call{Request: r, Region: awsproto.RegionOf(r, s.env.Region), RequestID: s.env.NewID()}
	s.api.Serve(w, c, s.api.Op("ListProvisionedConcurrencyConfigs"))
	return true
}

// --- provisioned concurrency

type provisionedInput struct {
	FunctionName *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"140"`
	Qualifier    *string `json:"-" location:"querystring" name:"Qualifier" required:"true" min:"1" max:"128" pattern:"(|[a-zA-Z0-9$_-]+)"`
}

type putProvisionedInput struct {
	FunctionName                    *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"140"`
	Qualifier                       *string `json:"-" location:"querystring" name:"Qualifier" required:"true" min:"1" max:"128" pattern:"(|[a-zA-Z0-9$_-]+)"`
	ProvisionedConcurrentExecutions *int    `json:"ProvisionedConcurrentExecutions" required:"true" min:"1"`
}

type listProvisionedInput struct {
	FunctionName *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"140"`
	Marker       *string `json:"-" location:"querystring" name:"Marker"`
	MaxItems     *int    `json:"-" location:"querystring" name:"MaxItems" min:"1" max:"50"`
}

// provisionedWire is a provisioned concurrency config as Get and Put
// answer it (FunctionArn only in lists). The configuration is READY at
// once: every requested instance counts as allocated and available.
type provisionedWire struct {
	FunctionArn                              string `json:"FunctionArn,omitempty"`
	RequestedProvisionedConcurrentExecutions int    `json:"RequestedProvisionedConcurrentExecutions"`
	AvailableProvisionedConcurrentExecutions int    `json:"AvailableProvisionedConcurrentExecutions"`
	AllocatedProvisionedConcurrentExecutions int    `json:"AllocatedProvisionedConcurrentExecutions"`
	Status                                   string `json:"Status"`
	LastModified                             string `json:"LastModified"`
}

type listProvisionedOutput struct {
	ProvisionedConcurrencyConfigs []provisionedWire `json:"ProvisionedConcurrencyConfigs"`
	NextMarker                    string            `json:"NextMarker,omitempty"`
}

func provisioned(c ProvisionedConfig) provisionedWire {
	return provisionedWire{
		RequestedProvisionedConcurrentExecutions: c.Requested, AvailableProvisionedConcurrentExecutions: c.Requested,
		AllocatedProvisionedConcurrentExecutions: c.Requested, Status: "READY",
		LastModified: c.Modified.UTC().Format(provisionedTimeLayout),
	}
}

func (s *Service) putProvisioned(c *awsproto.Call, in *putProvisionedInput) (provisionedWire, error) {
	region, name, q, err := target(*in.FunctionName, *in.Qualifier, c.Region)
	if err != nil {
		return provisionedWire{}, err
	}
	p, err := s.store.PutProvisioned(region, name, q, *in.ProvisionedConcurrentExecutions, s.env.Now())
	if err != nil {
		return provisionedWire{}, err
	}
	return provisioned(p), nil
}

func (s *Service) getProvisioned(c *awsproto.Call, in *provisionedInput) (provisionedWire, error) {
	region, name, q, err := target(*in.FunctionName, *in.Qualifier, c.Region)
	if err != nil {
		return provisionedWire{}, err
	}
	p, err := s.store.Provisioned(region, name, q)
	if err != nil {
		return provisionedWire{}, err
	}
	return provisioned(p), nil
}

func (s *Service) deleteProvisioned(c *awsproto.Call, in *provisionedInput) (struct{}, error) {
	region, name, q, err := target(*in.FunctionName, *in.Qualifier, c.Region)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.DeleteProvisioned(region, name, q)
}

func (s *Service) listProvisioned(c *awsproto.Call, in *listProvisionedInput) (listProvisionedOutput, error) {
	region, name, _, err := target(*in.FunctionName, "", c.Region)
	if err != nil {
		return listProvisionedOutput{}, err
	}
	all, err := s.store.ProvisionedConfigs(region, name)
	if err != nil {
		return listProvisionedOutput{}, err
	}
	arn := s.store.FunctionARN(region, name)
	out, next := page(all, func(p ProvisionedConfig) string { return p.Qualifier }, in.Marker, in.MaxItems,
		func(p ProvisionedConfig) provisionedWire {
			w := provisioned(p)
			w.FunctionArn = arn + ":" + p.Qualifier
			return w
		})
	return listProvisionedOutput{ProvisionedConcurrencyConfigs: out, NextMarker: next}, nil
}

// --- runtime management

type runtimeConfigInput struct {
	FunctionName *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"256"`
	Qualifier    *string `json:"-" location:"querystring" name:"Qualifier" min:"1" max:"128" pattern:"\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"`
}

type putRuntimeConfigInput struct {
	FunctionName      *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"256"`
	Qualifier         *string `json:"-" location:"querystring" name:"Qualifier" min:"1" max:"128" pattern:"\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"`
	UpdateRuntimeOn   *string `json:"UpdateRuntimeOn" required:"true" enum:"Auto,Manual,FunctionUpdate"`
	RuntimeVersionArn *string `json:"RuntimeVersionArn" min:"26" max:"2048" pattern:"arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}::runtime:.+"`
}

type runtimeConfigWire struct {
	UpdateRuntimeOn   string `json:"UpdateRuntimeOn"`
	RuntimeVersionArn string `json:"RuntimeVersionArn,omitempty"`
	FunctionArn       string `json:"FunctionArn"`
}

// Messages of PutRuntimeManagementConfig.
const (
	msgRuntimeArnManualOnly = "RuntimeVersionArn can be specified only when UpdateRuntimeOn is set to Manual."
	msgRuntimeArnRequired   = "RuntimeVersionArn must be specified when UpdateRuntimeOn is set to Manual."
)

func (s *Service) putRuntimeConfig(c *awsproto.Call, in *putRuntimeConfigInput) (runtimeConfigWire, error) {
	region, name, q, err := target(*in.FunctionName, str(in.Qualifier), c.Region)
	if err != nil {
		return runtimeConfigWire{}, err
	}
	rc := RuntimeConfig{UpdateOn: *in.UpdateRuntimeOn, VersionARN: str(in.RuntimeVersionArn)}
	switch {
	case rc.UpdateOn == "Manual" && rc.VersionARN == "":
		return runtimeConfigWire{}, errInvalidParameterValue.New(msgRuntimeArnRequired)
	case rc.UpdateOn != "Manual" && rc.VersionARN != "":
		return runtimeConfigWire{}, errInvalidParameterValue.New(msgRuntimeArnManualOnly)
	}
	key, err := s.store.PutRuntimeConfig(region, name, q, rc)
	if err != nil {
		return runtimeConfigWire{}, err
	}
	return runtimeConfigWire{UpdateRuntimeOn: rc.UpdateOn, RuntimeVersionArn: rc.VersionARN, FunctionArn: s.store.FunctionARN(region, name) + ":" + key}, nil
}

func (s *Service) getRuntimeConfig(c *awsproto.Call, in *runtimeConfigInput) (runtimeConfigWire, error) {
	region, name, q, err := target(*in.FunctionName, str(in.Qualifier), c.Region)
	if err != nil {
		return runtimeConfigWire{}, err
	}
	rc, key, err := s.store.RuntimeConfigOf(region, name, q)
	if err != nil {
		return runtimeConfigWire{}, err
	}
	return runtimeConfigWire{UpdateRuntimeOn: rc.UpdateOn, RuntimeVersionArn: rc.VersionARN, FunctionArn: s.store.FunctionARN(region, name) + ":" + key}, nil
}

// --- recursive loop detection

type recursionInput struct {
	FunctionName *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"140"`
}

type putRecursionInput struct {
	FunctionName  *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"140"`
	RecursiveLoop *string `json:"RecursiveLoop" required:"true" enum:"Allow,Terminate"`
}

type recursionWire struct {
	RecursiveLoop string `json:"RecursiveLoop"`
}

// unqualifiedTarget resolves a FunctionName that may not carry a qualifier.
func unqualifiedTarget(raw, region string) (string, string, error) {
	region, name, q, err := target(raw, "", region)
	if err == nil && q != "" {
		err = validation(raw, "functionName", awsproto.Pattern(unqualifiedFunctionNamePattern))
	}
	return region, name, err
}

func (s *Service) putRecursion(c *awsproto.Call, in *putRecursionInput) (recursionWire, error) {
	region, name, err := unqualifiedTarget(*in.FunctionName, c.Region)
	if err != nil {
		return recursionWire{}, err
	}
	if err := s.store.SetRecursiveLoop(region, name, *in.RecursiveLoop); err != nil {
		return recursionWire{}, err
	}
	return recursionWire{RecursiveLoop: *in.RecursiveLoop}, nil
}

func (s *Service) getRecursion(c *awsproto.Call, in *recursionInput) (recursionWire, error) {
	region, name, err := unqualifiedTarget(*in.FunctionName, c.Region)
	if err != nil {
		return recursionWire{}, err
	}
	loop, err := s.store.RecursiveLoop(region, name)
	if err != nil {
		return recursionWire{}, err
	}
	return recursionWire{RecursiveLoop: loop}, nil
}
