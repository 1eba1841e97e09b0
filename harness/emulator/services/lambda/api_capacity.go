package lambda

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// --- capacity providers (Lambda Managed Instances) and function scaling
// configs (store_capacity.go): stored and answered; no instance is
// provisioned, and functions on a provider run as local processes.

const (
	capacityPath = "/2025-11-30/capacity-providers"
	scalingPath  = "/2025-11-30/functions/{FunctionName}/function-scaling-config"
)

func (s *Service) registerCapacity() {
	const accepted = http.StatusAccepted
	s.api.Register(
		awsproto.Handle("CreateCapacityProvider", s.createCapacityProvider).At("POST "+capacityPath).WithStatus(accepted),
		awsproto.Handle("ListCapacityProviders", s.listCapacityProviders).At("GET "+capacityPath),
		awsproto.Handle("GetCapacityProvider", s.getCapacityProvider).At("GET "+capacityPath+"/{CapacityProviderName}"),
		awsproto.Handle("UpdateCapacityProvider", s.updateCapacityProvider).At("PUT "+capacityPath+"/{CapacityProviderName}").WithStatus(accepted),
		awsproto.Handle("DeleteCapacityProvider", s.deleteCapacityProvider).At("DELETE "+capacityPath+"/{CapacityProviderName}").WithStatus(accepted),
		awsproto.Handle("ListFunctionVersionsByCapacityProvider", s.listFunctionVersionsByCapacityProvider).
			At("GET "+capacityPath+"/{CapacityProviderName}/function-versions"),
		awsproto.Handle("PutFunctionScalingConfig", s.putScalingConfig).At("PUT "+scalingPath).WithStatus(accepted),
		awsproto.Handle("GetFunctionScalingConfig", s.getScalingConfig).At("GET "+scalingPath),
	)
}

// --- inputs

type capacityVpcInput struct {
	SubnetIds        []string `json:"SubnetIds" required:"true" min:"1" max:"16"`
	SecurityGroupIds []string `json:"SecurityGroupIds" required:"true" min:"0" max:"5"`
}

type capacityPermissionsInput struct {
	CapacityProviderOperatorRoleArn *string `json:"CapacityProviderOperatorRoleArn" required:"true" pattern:"arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+"`
}

type instanceRequirementsInput struct {
	Architectures         []string `json:"Architectures" min:"1" max:"1"`
	AllowedInstanceTypes  []string `json:"AllowedInstanceTypes" min:"0" max:"400"`
	ExcludedInstanceTypes []string `json:"ExcludedInstanceTypes" min:"0" max:"400"`
}

type targetTrackingInput struct {
	PredefinedMetricType *string  `json:"PredefinedMetricType" required:"true" enum:"LambdaCapacityProviderAverageCPUUtilization"`
	TargetValue          *float64 `json:"TargetValue" required:"true" min:"0" max:"100"`
}

type capacityScalingInput struct {
	MaxVCpuCount    *int                  `json:"MaxVCpuCount" min:"2" max:"15000"`
	ScalingMode     *string               `json:"ScalingMode" enum:"Auto,Manual"`
	ScalingPolicies []targetTrackingInput `json:"ScalingPolicies" min:"1" max:"10"`
}

func (in *capacityScalingInput) settings() *CapacityProviderScaling {
	if in == nil {
		return nil
	}
	out := &CapacityProviderScaling{MaxVCpuCount: in.MaxVCpuCount, ScalingMode: str(in.ScalingMode)}
	for _, p := range in.ScalingPolicies {
		out.ScalingPolicies = append(out.ScalingPolicies, TargetTrackingPolicy{PredefinedMetricType: *p.PredefinedMetricType, TargetValue: *p.TargetValue})
	}
	return out
}

type createCapacityProviderInput struct {
	CapacityProviderName          *string                    `json:"CapacityProviderName" required:"true" min:"1" max:"140" pattern:"(arn:aws[a-zA-Z-]*:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:capacity-provider:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"`
	VpcConfig                     *capacityVpcInput          `json:"VpcConfig" required:"true"`
	PermissionsConfig             *capacityPermissionsInput  `json:"PermissionsConfig" required:"true"`
	InstanceRequirements          *instanceRequirementsInput `json:"InstanceRequirements"`
	CapacityProviderScalingConfig *capacityScalingInput      `json:"CapacityProviderScalingConfig"`
	KmsKeyArn                     *string                    `json:"KmsKeyArn" min:"0" max:"10000" pattern:"arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*"`
	Tags                          map[string]string          `json:"Tags"`
}

func (in *createCapacityProviderInput) Validate() error {
	if r := in.InstanceRequirements; r != nil {
		return checkArchitectureList(r.Architectures, "instanceRequirements.architectures")
	}
	return nil
}

type capacityProviderNameInput struct {
	CapacityProviderName *string `json:"-" location:"uri" name:"CapacityProviderName" required:"true" min:"1" max:"140" pattern:"(arn:aws[a-zA-Z-]*:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:capacity-provider:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"`
}

type updateCapacityProviderInput struct {
	CapacityProviderName          *string               `json:"-" location:"uri" name:"CapacityProviderName" required:"true" min:"1" max:"140" pattern:"(arn:aws[a-zA-Z-]*:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:capacity-provider:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"`
	CapacityProviderScalingConfig *capacityScalingInput `json:"CapacityProviderScalingConfig"`
}

type listCapacityProvidersInput struct {
	State    *string `json:"-" location:"querystring" name:"State" enum:"Pending,Active,Failed,Deleting"`
	Marker   *string `json:"-" location:"querystring" name:"Marker"`
	MaxItems *int    `json:"-" location:"querystring" name:"MaxItems" min:"1" max:"50"`
}

type listVersionsByCapacityProviderInput struct {
	CapacityProviderName *string `json:"-" location:"uri" name:"CapacityProviderName" required:"true" min:"1" max:"140" pattern:"(arn:aws[a-zA-Z-]*:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:capacity-provider:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"`
	Marker               *string `json:"-" location:"querystring" name:"Marker"`
	MaxItems             *int    `json:"-" location:"querystring" name:"MaxItems" min:"1" max:"50"`
}

type functionScalingInput struct {
	MinExecutionEnvironments *int `json:"MinExecutionEnvironments" min:"0" max:"15000"`
	MaxExecutionEnvironments *int `json:"MaxExecutionEnvironments" min:"0" max:"15000"`
}

type putScalingConfigInput struct {
	FunctionName          *string               `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"140" pattern:"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)"`
	Qualifier             *string               `json:"-" location:"querystring" name:"Qualifier" required:"true" min:"1" max:"128" pattern:"(\\$LATEST\\.PUBLISHED|[0-9]+)"`
	FunctionScalingConfig *functionScalingInput `json:"FunctionScalingConfig"`
}

func (in *putScalingConfigInput) Validate() error {
	if c := in.FunctionScalingConfig; c != nil && c.MinExecutionEnvironments != nil && c.MaxExecutionEnvironments != nil &&
		*c.MinExecutionEnvironments > *c.MaxExecutionEnvironments {
		return errInvalidParameterValue.New("MinExecutionEnvironments must be less than or equal to MaxExecutionEnvironments.")
	}
	return nil
}

type getScalingConfigInput struct {
	FunctionName *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"140" pattern:"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)"`
	Qualifier    *string `json:"-" location:"querystring" name:"Qualifier" required:"true" min:"1" max:"128" pattern:"(\\$LATEST\\.PUBLISHED|[0-9]+)"`
}

// --- outputs

type capacityProviderOutput struct {
	CapacityProvider CapacityProvider `json:"CapacityProvider"`
}

type listCapacityProvidersOutput struct {
	CapacityProviders []CapacityProvider `json:"CapacityProviders"`
	NextMarker        string             `json:"NextMarker,omitempty"`
}

type versionOnProviderWire struct {
	FunctionArn string `json:"FunctionArn"`
	State       string `json:"State"`
}

type listVersionsByCapacityProviderOutput struct {
	CapacityProviderArn string                  `json:"CapacityProviderArn"`
	FunctionVersions    []versionOnProviderWire `json:"FunctionVersions"`
	NextMarker          string                  `json:"NextMarker,omitempty"`
}

type functionScalingWire struct {
	MinExecutionEnvironments *int `json:"MinExecutionEnvironments,omitempty"`
	MaxExecutionEnvironments *int `json:"MaxExecutionEnvironments,omitempty"`
}

type putScalingConfigOutput struct {
	FunctionState string `json:"FunctionState"`
}

type getScalingConfigOutput struct {
	FunctionArn                    string               `json:"FunctionArn"`
	AppliedFunctionScalingConfig   *functionScalingWire `json:"AppliedFunctionScalingConfig,omitempty"`
	RequestedFunctionScalingConfig *functionScalingWire `json:"RequestedFunctionScalingConfig,omitempty"`
}

// --- operations

func (s *Service) createCapacityProvider(c *awsproto.Call, in *createCapacityProviderInput) (capacityProviderOutput, error) {
	region, name := capacityName(*in.CapacityProviderName, c.Region)
	p := CapacityProvider{
		VpcConfig:                     CapacityProviderVpc{SubnetIds: in.VpcConfig.SubnetIds, SecurityGroupIds: in.VpcConfig.SecurityGroupIds},
		PermissionsConfig:             CapacityProviderRole{CapacityProviderOperatorRoleArn: *in.PermissionsConfig.CapacityProviderOperatorRoleArn},
		CapacityProviderScalingConfig: in.CapacityProviderScalingConfig.settings(),
		KmsKeyArn:                     str(in.KmsKeyArn),
	}
	if p.VpcConfig.SecurityGroupIds == nil {
		p.VpcConfig.SecurityGroupIds = []string{}
	}
	if p.CapacityProviderScalingConfig == nil {
		p.CapacityProviderScalingConfig = &CapacityProviderScaling{ScalingMode: "Auto"}
	}
	if r := in.InstanceRequirements; r != nil {
		p.InstanceRequirements = &InstanceRequirements{Architectures: r.Architectures,
			AllowedInstanceTypes: r.AllowedInstanceTypes, ExcludedInstanceTypes: r.ExcludedInstanceTypes}
	} else {
		p.InstanceRequirements = &InstanceRequirements{Architectures: []string{"x86_64"}}
	}
	out, err := s.store.CreateCapacityProvider(region, name, p, in.Tags, s.env.Now())
	return capacityProviderOutput{CapacityProvider: out}, err
}

func (s *Service) getCapacityProvider(c *awsproto.Call, in *capacityProviderNameInput) (capacityProviderOutput, error) {
	p, err := s.store.CapacityProvider(c.Region, *in.CapacityProviderName)
	return capacityProviderOutput{CapacityProvider: p}, err
}

func (s *Service) updateCapacityProvider(c *awsproto.Call, in *updateCapacityProviderInput) (capacityProviderOutput, error) {
	p, err := s.store.UpdateCapacityProvider(c.Region, *in.CapacityProviderName, in.CapacityProviderScalingConfig.settings(), s.env.Now())
	return capacityProviderOutput{CapacityProvider: p}, err
}

func (s *Service) deleteCapacityProvider(c *awsproto.Call, in *capacityProviderNameInput) (capacityProviderOutput, error) {
	p, err := s.store.DeleteCapacityProvider(c.Region, *in.CapacityProviderName)
	return capacityProviderOutput{CapacityProvider: p}, err
}

func (s *Service) listCapacityProviders(c *awsproto.Call, in *listCapacityProvidersInput) (listCapacityProvidersOutput, error) {
	all := s.store.CapacityProviders(c.Region)
	ps := all[:0]
	for _, p := range all {
		if in.State == nil || p.State == *in.State {
			ps = append(ps, p)
		}
	}
	key := func(p CapacityProvider) string { return p.name }
	list, next := page(ps, key, in.Marker, in.MaxItems, func(p CapacityProvider) CapacityProvider { return p })
	return listCapacityProvidersOutput{CapacityProviders: list, NextMarker: next}, nil
}

func (s *Service) listFunctionVersionsByCapacityProvider(c *awsproto.Call, in *listVersionsByCapacityProviderInput) (listVersionsByCapacityProviderOutput, error) {
	arn, vs, err := s.store.FunctionVersionsByCapacityProvider(c.Region, *in.CapacityProviderName)
	if err != nil {
		return listVersionsByCapacityProviderOutput{}, err
	}
	list, next := page(vs, (*Version).ARN, in.Marker, in.MaxItems, func(v *Version) versionOnProviderWire {
		return versionOnProviderWire{FunctionArn: v.ARN(), State: "Active"}
	})
	return listVersionsByCapacityProviderOutput{CapacityProviderArn: arn, FunctionVersions: list, NextMarker: next}, nil
}

func (s *Service) putScalingConfig(c *awsproto.Call, in *putScalingConfigInput) (putScalingConfigOutput, error) {
	region, name, q, err := target(*in.FunctionName, *in.Qualifier, c.Region)
	if err != nil {
		return putScalingConfigOutput{}, err
	}
	var sc ScalingConfig
	if in.FunctionScalingConfig != nil {
		sc = ScalingConfig{Min: in.FunctionScalingConfig.MinExecutionEnvironments, Max: in.FunctionScalingConfig.MaxExecutionEnvironments}
	}
	if err := s.store.PutScalingConfig(region, name, q, sc); err != nil {
		return putScalingConfigOutput{}, err
	}
	return putScalingConfigOutput{FunctionState: "Active"}, nil
}

func (s *Service) getScalingConfig(c *awsproto.Call, in *getScalingConfigInput) (getScalingConfigOutput, error) {
	region, name, q, err := target(*in.FunctionName, *in.Qualifier, c.Region)
	if err != nil {
		return getScalingConfigOutput{}, err
	}
	sc, ok, err := s.store.ScalingConfigOf(region, name, q)
	if err != nil {
		return getScalingConfigOutput{}, err
	}
	out := getScalingConfigOutput{FunctionArn: s.store.FunctionARN(region, name) + ":" + q}
	if ok {
		// applied at once: there are no instances to scale
		w := &functionScalingWire{MinExecutionEnvironments: sc.Min, MaxExecutionEnvironments: sc.Max}
		out.AppliedFunctionScalingConfig, out.RequestedFunctionScalingConfig = w, w
	}
	return out, nil
}

// capacityChange checks a CapacityProviderConfig member against the stored
// providers and returns what the function keeps of it (nil when absent).
func (s *Service) capacityChange(in *capacityProviderConfigInput) (*FunctionCapacity, error) {
	if in == nil {
		return nil, nil
	}
	m := in.LambdaManagedInstancesCapacityProviderConfig
	if !s.store.capacityProviderExists(*m.CapacityProviderArn) {
		return nil, errInvalidParameterValue.New("Capacity provider not found: " + *m.CapacityProviderArn)
	}
	return &FunctionCapacity{ProviderARN: *m.CapacityProviderArn, MaxConcurrency: m.PerExecutionEnvironmentMaxConcurrency,
		MemoryGiBPerVCpu: m.ExecutionEnvironmentMemoryGiBPerVCpu}, nil
}

// capacityWire is a function's CapacityProviderConfig as its
// configuration shows it.
func capacityWire(fc *FunctionCapacity) *capacityProviderConfigWire {
	if fc == nil {
		return nil
	}
	return &capacityProviderConfigWire{LambdaManagedInstancesCapacityProviderConfig: managedInstancesWire{
		CapacityProviderArn: fc.ProviderARN, PerExecutionEnvironmentMaxConcurrency: fc.MaxConcurrency,
		ExecutionEnvironmentMemoryGiBPerVCpu: fc.MemoryGiBPerVCpu}}
}

type capacityProviderConfigWire struct {
	LambdaManagedInstancesCapacityProviderConfig managedInstancesWire `json:"LambdaManagedInstancesCapacityProviderConfig"`
}

type managedInstancesWire struct {
	CapacityProviderArn                   string   `json:"CapacityProviderArn"`
	PerExecutionEnvironmentMaxConcurrency *int     `json:"PerExecutionEnvironmentMaxConcurrency,omitempty"`
	ExecutionEnvironmentMemoryGiBPerVCpu  *float64 `json:"ExecutionEnvironmentMemoryGiBPerVCpu,omitempty"`
}
