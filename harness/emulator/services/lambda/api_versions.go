package lambda

import (
	"regexp"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// --- inputs (FunctionName patterns: see target)

type publishVersionInput struct {
	FunctionName *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"140"`
	CodeSha256   *string `json:"CodeSha256"`
	Description  *string `json:"Description" min:"0" max:"256"`
	RevisionId   *string `json:"RevisionId"`
	PublishTo    *string `json:"PublishTo" enum:"LATEST_PUBLISHED"`
}

type listVersionsInput struct {
	FunctionName *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"256"`
	Marker       *string `json:"-" location:"querystring" name:"Marker"`
	MaxItems     *int    `json:"-" location:"querystring" name:"MaxItems" min:"1" max:"10000"`
}

// Alias names have a pattern with a look-ahead Go's regular expressions
// lack, (?!^[0-9]+$)([a-zA-Z0-9-_]+): checkAliasName states it.
const aliasNamePattern = `(?!^[0-9]+$)([a-zA-Z0-9-_]+)`

var aliasNameRE = regexp.MustCompile(`^[a-zA-Z0-9-_]*[a-zA-Z-_][a-zA-Z0-9-_]*$`)

func checkAliasName(name *string) error {
	if name != nil && !aliasNameRE.MatchString(*name) {
		return validation(*name, "name", awsproto.Pattern(aliasNamePattern))
	}
	return nil
}

type routingInput struct {
	AdditionalVersionWeights map[string]float64 `json:"AdditionalVersionWeights"`
}

type createAliasInput struct {
	FunctionName    *string       `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"140"`
	Name            *string       `json:"Name" required:"true" min:"1" max:"128"`
	FunctionVersion *string       `json:"FunctionVersion" required:"true" min:"1" max:"1024" pattern:"(\\$LATEST(\\.PUBLISHED)?|[0-9]+)"`
	Description     *string       `json:"Description" min:"0" max:"256"`
	RoutingConfig   *routingInput `json:"RoutingConfig"`
}

func (in *createAliasInput) Validate() error { return checkAliasName(in.Name) }

// aliasInput names one alias (GetAlias, DeleteAlias).
type aliasInput struct {
	FunctionName *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"140"`
	Name         *string `json:"-" location:"uri" name:"Name" required:"true" min:"1" max:"128"`
}

func (in *aliasInput) Validate() error { return checkAliasName(in.Name) }

type listAliasesInput struct {
	FunctionName    *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"140"`
	FunctionVersion *string `json:"-" location:"querystring" name:"FunctionVersion" min:"1" max:"1024" pattern:"(\\$LATEST(\\.PUBLISHED)?|[0-9]+)"`
	Marker          *string `json:"-" location:"querystring" name:"Marker"`
	MaxItems        *int    `json:"-" location:"querystring" name:"MaxItems" min:"1" max:"10000"`
}

type updateAliasInput struct {
	FunctionName    *string       `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"140"`
	Name            *string       `json:"-" location:"uri" name:"Name" required:"true" min:"1" max:"128"`
	FunctionVersion *string       `json:"FunctionVersion" min:"1" max:"1024" pattern:"(\\$LATEST(\\.PUBLISHED)?|[0-9]+)"`
	Description     *string       `json:"Description" min:"0" max:"256"`
	RoutingConfig   *routingInput `json:"RoutingConfig"`
	RevisionId      *string       `json:"RevisionId"`
}

func (in *updateAliasInput) Validate() error { return checkAliasName(in.Name) }

// --- outputs

type listVersionsOutput struct {
	Versions   []functionConfigurationWire `json:"Versions"`
	NextMarker string                      `json:"NextMarker,omitempty"`
}

type aliasWire struct {
	AliasArn        string       `json:"AliasArn"`
	Name            string       `json:"Name"`
	FunctionVersion string       `json:"FunctionVersion"`
	Description     string       `json:"Description"`
	RevisionID      string       `json:"RevisionId"`
	RoutingConfig   *routingWire `json:"RoutingConfig,omitempty"`
}

type routingWire struct {
	AdditionalVersionWeights map[string]float64 `json:"AdditionalVersionWeights,omitempty"`
}

func aliasOut(a Alias) aliasWire {
	out := aliasWire{AliasArn: a.ARN, Name: a.Name, FunctionVersion: a.FunctionVersion, Description: a.Description, RevisionID: a.RevisionID}
	if len(a.Routing) > 0 {
		out.RoutingConfig = &routingWire{AdditionalVersionWeights: a.Routing}
	}
	return out
}

type listAliasesOutput struct {
	Aliases    []aliasWire `json:"Aliases"`
	NextMarker string      `json:"NextMarker,omitempty"`
}

// --- versions

func (s *Service) publishVersion(c *awsproto.Call, in *publishVersionInput) (functionConfigurationWire, error) {
	region, name, _, err := target(*in.FunctionName, "", c.Region)
	if err != nil {
		return functionConfigurationWire{}, err
	}
	v, err := s.store.Publish(region, name, str(in.Description), str(in.CodeSha256), str(in.RevisionId))
	if err != nil {
		return functionConfigurationWire{}, err
	}
	return configWire(v), nil
}

func (s *Service) listVersions(c *awsproto.Call, in *listVersionsInput) (listVersionsOutput, error) {
	region, name, _, err := target(*in.FunctionName, "", c.Region)
	if err != nil {
		return listVersionsOutput{}, err
	}
	vs, err := s.store.Versions(region, name)
	if err != nil {
		return listVersionsOutput{}, err
	}
	items, next := page(vs, func(v *Version) string { return versionKey(v.Name) }, in.Marker, in.MaxItems, listedConfigWire)
	return listVersionsOutput{Versions: items, NextMarker: next}, nil
}

// --- aliases

func (s *Service) createAlias(c *awsproto.Call, in *createAliasInput) (aliasWire, error) {
	region, name, _, err := target(*in.FunctionName, "", c.Region)
	if err != nil {
		return aliasWire{}, err
	}
	a := Alias{Name: *in.Name, FunctionVersion: *in.FunctionVersion, Description: str(in.Description)}
	if in.RoutingConfig != nil {
		a.Routing = in.RoutingConfig.AdditionalVersionWeights
	}
	out, err := s.store.CreateAlias(region, name, a)
	if err != nil {
		return aliasWire{}, err
	}
	return aliasOut(out), nil
}

func (s *Service) getAlias(c *awsproto.Call, in *aliasInput) (aliasWire, error) {
	region, name, _, err := target(*in.FunctionName, "", c.Region)
	if err != nil {
		return aliasWire{}, err
	}
	a, err := s.store.Alias(region, name, *in.Name)
	if err != nil {
		return aliasWire{}, err
	}
	return aliasOut(a), nil
}

func (s *Service) listAliases(c *awsproto.Call, in *listAliasesInput) (listAliasesOutput, error) {
	region, name, _, err := target(*in.FunctionName, "", c.Region)
	if err != nil {
		return listAliasesOutput{}, err
	}
	as, err := s.store.Aliases(region, name, str(in.FunctionVersion))
	if err != nil {
		return listAliasesOutput{}, err
	}
	items, next := page(as, func(a Alias) string { return a.Name }, in.Marker, in.MaxItems, aliasOut)
	return listAliasesOutput{Aliases: items, NextMarker: next}, nil
}

func (s *Service) updateAlias(c *awsproto.Call, in *updateAliasInput) (aliasWire, error) {
	region, name, _, err := target(*in.FunctionName, "", c.Region)
	if err != nil {
		return aliasWire{}, err
	}
	var routing map[string]float64
	if in.RoutingConfig != nil {
		// A RoutingConfig without weights clears them.
		routing = in.RoutingConfig.AdditionalVersionWeights
		if routing == nil {
			routing = map[string]float64{}
		}
	}
	a, err := s.store.UpdateAlias(region, name, *in.Name, in.FunctionVersion, in.Description, routing, str(in.RevisionId))
	if err != nil {
		return aliasWire{}, err
	}
	return aliasOut(a), nil
}

func (s *Service) deleteAlias(c *awsproto.Call, in *aliasInput) (struct{}, error) {
	region, name, _, err := target(*in.FunctionName, "", c.Region)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.DeleteAlias(region, name, *in.Name)
}
