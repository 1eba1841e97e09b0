package lambda

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// --- code signing configs (store_signing.go): stored, attached to
// functions, tagged and listed; no signature is ever checked.

const (
	cscPath        = "/2020-04-22/code-signing-configs"
	fnCodeSignPath = "/2020-06-30/functions/{FunctionName}/code-signing-config"
)

func (s *Service) registerCodeSigning() {
	s.api.Register(
		awsproto.Handle("CreateCodeSigningConfig", s.createCSC).At("POST "+cscPath).WithStatus(http.StatusCreated),
		awsproto.Handle("ListCodeSigningConfigs", s.listCSCs).At("GET "+cscPath),
		awsproto.Handle("GetCodeSigningConfig", s.getCSC).At("GET "+cscPath+"/{CodeSigningConfigArn}"),
		awsproto.Handle("UpdateCodeSigningConfig", s.updateCSC).At("PUT "+cscPath+"/{CodeSigningConfigArn}"),
		awsproto.Handle("DeleteCodeSigningConfig", s.deleteCSC).At("DELETE "+cscPath+"/{CodeSigningConfigArn}").WithStatus(http.StatusNoContent),
		awsproto.Handle("ListFunctionsByCodeSigningConfig", s.listFunctionsByCSC).At("GET "+cscPath+"/{CodeSigningConfigArn}/functions"),
		awsproto.Handle("PutFunctionCodeSigningConfig", s.putFunctionCSC).At("PUT "+fnCodeSignPath),
		awsproto.Handle("GetFunctionCodeSigningConfig", s.getFunctionCSC).At("GET "+fnCodeSignPath),
		awsproto.Handle("DeleteFunctionCodeSigningConfig", s.deleteFunctionCSC).At("DELETE "+fnCodeSignPath).WithStatus(http.StatusNoContent),
	)
}

// --- inputs

type allowedPublishersInput struct {
	SigningProfileVersionArns []string `json:"SigningProfileVersionArns" required:"true" min:"1" max:"20"`
}

type codeSigningPoliciesInput struct {
	UntrustedArtifactOnDeployment *string `json:"UntrustedArtifactOnDeployment" enum:"Warn,Enforce"`
}

type createCSCInput struct {
	Description         *string                   `json:"Description" min:"0" max:"256"`
	AllowedPublishers   *allowedPublishersInput   `json:"AllowedPublishers" required:"true"`
	CodeSigningPolicies *codeSigningPoliciesInput `json:"CodeSigningPolicies"`
	Tags                map[string]string         `json:"Tags"`
}

type cscInput struct {
	CodeSigningConfigArn *string `json:"-" location:"uri" name:"CodeSigningConfigArn" required:"true" min:"0" max:"200" pattern:"arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:code-signing-config:csc-[a-z0-9]{17}"`
}

type updateCSCInput struct {
	CodeSigningConfigArn *string                   `json:"-" location:"uri" name:"CodeSigningConfigArn" required:"true" min:"0" max:"200" pattern:"arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:code-signing-config:csc-[a-z0-9]{17}"`
	Description          *string                   `json:"Description" min:"0" max:"256"`
	AllowedPublishers    *allowedPublishersInput   `json:"AllowedPublishers"`
	CodeSigningPolicies  *codeSigningPoliciesInput `json:"CodeSigningPolicies"`
}

type listCSCsInput struct {
	Marker   *string `json:"-" location:"querystring" name:"Marker"`
	MaxItems *int    `json:"-" location:"querystring" name:"MaxItems" min:"1" max:"10000"`
}

type listFunctionsByCSCInput struct {
	CodeSigningConfigArn *string `json:"-" location:"uri" name:"CodeSigningConfigArn" required:"true" min:"0" max:"200" pattern:"arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:code-signing-config:csc-[a-z0-9]{17}"`
	Marker               *string `json:"-" location:"querystring" name:"Marker"`
	MaxItems             *int    `json:"-" location:"querystring" name:"MaxItems" min:"1" max:"10000"`
}

type putFunctionCSCInput struct {
	FunctionName         *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"256"`
	CodeSigningConfigArn *string `json:"CodeSigningConfigArn" required:"true" min:"0" max:"200" pattern:"arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:code-signing-config:csc-[a-z0-9]{17}"`
}

type namespacedFunctionInput struct {
	FunctionName *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"256"`
}

// --- outputs

type allowedPublishersWire struct {
	SigningProfileVersionArns []string `json:"SigningProfileVersionArns"`
}

type codeSigningPoliciesWire struct {
	UntrustedArtifactOnDeployment string `json:"UntrustedArtifactOnDeployment"`
}

type cscWire struct {
	CodeSigningConfigId  string                  `json:"CodeSigningConfigId"`
	CodeSigningConfigArn string                  `json:"CodeSigningConfigArn"`
	Description          string                  `json:"Description"`
	AllowedPublishers    allowedPublishersWire   `json:"AllowedPublishers"`
	CodeSigningPolicies  codeSigningPoliciesWire `json:"CodeSigningPolicies"`
	LastModified         string                  `json:"LastModified"`
}

type cscOutput struct {
	CodeSigningConfig cscWire `json:"CodeSigningConfig"`
}

type listCSCsOutput struct {
	CodeSigningConfigs []cscWire `json:"CodeSigningConfigs"`
	NextMarker         string    `json:"NextMarker,omitempty"`
}

type listFunctionsByCSCOutput struct {
	FunctionArns []string `json:"FunctionArns"`
	NextMarker   string   `json:"NextMarker,omitempty"`
}

type functionCSCOutput struct {
	CodeSigningConfigArn string `json:"CodeSigningConfigArn"`
	FunctionName         string `json:"FunctionName"`
}

func csc(c CodeSigningConfig) cscWire {
	return cscWire{
		CodeSigningConfigId: c.ID, CodeSigningConfigArn: c.ARN, Description: c.Description,
		AllowedPublishers:   allowedPublishersWire{SigningProfileVersionArns: c.Profiles},
		CodeSigningPolicies: codeSigningPoliciesWire{UntrustedArtifactOnDeployment: c.Policy},
		LastModified:        c.Modified.UTC().Format(timeLayout),
	}
}

// --- operations

func (s *Service) createCSC(c *awsproto.Call, in *createCSCInput) (cscOutput, error) {
	cfg := CodeSigningConfig{Description: str(in.Description), Profiles: in.AllowedPublishers.SigningProfileVersionArns, Policy: "Warn", Tags: in.Tags}
	if in.CodeSigningPolicies != nil && in.CodeSigningPolicies.UntrustedArtifactOnDeployment != nil {
		cfg.Policy = *in.CodeSigningPolicies.UntrustedArtifactOnDeployment
	}
	return cscOutput{csc(s.store.CreateCodeSigningConfig(c.Region, cfg, s.env.Now()))}, nil
}

func (s *Service) getCSC(_ *awsproto.Call, in *cscInput) (cscOutput, error) {
	cfg, err := s.store.CodeSigningConfigOf(*in.CodeSigningConfigArn)
	if err != nil {
		return cscOutput{}, err
	}
	return cscOutput{csc(cfg)}, nil
}

func (s *Service) updateCSC(_ *awsproto.Call, in *updateCSCInput) (cscOutput, error) {
	ch := CodeSigningChange{Description: in.Description}
	if in.AllowedPublishers != nil {
		ch.Profiles = in.AllowedPublishers.SigningProfileVersionArns
	}
	if in.CodeSigningPolicies != nil {
		ch.Policy = in.CodeSigningPolicies.UntrustedArtifactOnDeployment
	}
	cfg, err := s.store.UpdateCodeSigningConfig(*in.CodeSigningConfigArn, ch, s.env.Now())
	if err != nil {
		return cscOutput{}, err
	}
	return cscOutput{csc(cfg)}, nil
}

func (s *Service) deleteCSC(_ *awsproto.Call, in *cscInput) (struct{}, error) {
	return struct{}{}, s.store.DeleteCodeSigningConfig(*in.CodeSigningConfigArn)
}

func (s *Service) listCSCs(c *awsproto.Call, in *listCSCsInput) (listCSCsOutput, error) {
	out, next := page(s.store.CodeSigningConfigs(c.Region), func(x CodeSigningConfig) string { return x.ARN }, in.Marker, in.MaxItems, csc)
	return listCSCsOutput{CodeSigningConfigs: out, NextMarker: next}, nil
}

func (s *Service) listFunctionsByCSC(_ *awsproto.Call, in *listFunctionsByCSCInput) (listFunctionsByCSCOutput, error) {
	if _, err := s.store.CodeSigningConfigOf(*in.CodeSigningConfigArn); err != nil {
		return listFunctionsByCSCOutput{}, err
	}
	arns := s.store.FunctionsByCodeSigningConfig(*in.CodeSigningConfigArn)
	out, next := page(arns, func(a string) string { return a }, in.Marker, in.MaxItems, func(a string) string { return a })
	return listFunctionsByCSCOutput{FunctionArns: out, NextMarker: next}, nil
}

func (s *Service) putFunctionCSC(c *awsproto.Call, in *putFunctionCSCInput) (functionCSCOutput, error) {
	region, name, err := unqualifiedTarget(*in.FunctionName, c.Region)
	if err != nil {
		return functionCSCOutput{}, err
	}
	if _, err := s.store.Function(region, name); err != nil {
		return functionCSCOutput{}, err
	}
	if err := s.store.SetFunctionCodeSigningConfig(region, name, *in.CodeSigningConfigArn); err != nil {
		return functionCSCOutput{}, err
	}
	return functionCSCOutput{CodeSigningConfigArn: *in.CodeSigningConfigArn, FunctionName: name}, nil
}

func (s *Service) getFunctionCSC(c *awsproto.Call, in *namespacedFunctionInput) (functionCSCOutput, error) {
	region, name, err := unqualifiedTarget(*in.FunctionName, c.Region)
	if err != nil {
		return functionCSCOutput{}, err
	}
	arn, err := s.store.FunctionCodeSigningConfig(region, name)
	if err != nil {
		return functionCSCOutput{}, err
	}
	return functionCSCOutput{CodeSigningConfigArn: arn, FunctionName: name}, nil
}

func (s *Service) deleteFunctionCSC(c *awsproto.Call, in *namespacedFunctionInput) (struct{}, error) {
	region, name, err := unqualifiedTarget(*in.FunctionName, c.Region)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.SetFunctionCodeSigningConfig(region, name, "")
}
