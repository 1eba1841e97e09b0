package cloudformation

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// The type registry. The AWS:: types the providers implement are listed as
// AWS's public types; a registered private type is kept with its versions,
// registrations and configurations, but the emulator cannot run its
// handlers, so a stack that uses one is refused with that reason.

const maxPrivateTypes = 500

type typeVersion struct {
	ID      string
	Created time.Time
}

type privateType struct {
	Kind, Name     string // RESOURCE, MODULE or HOOK; Acme::Widget::Thing
	Arn            string
	Versions       []typeVersion
	Default        string
	Created        time.Time
	Updated        time.Time
	TestsStatus    string
	TestsReason    string
	ExecutionRole  string
	Configurations map[string]typeConfiguration // by alias
}

type typeConfiguration struct {
	Arn, Alias, Body string
	Updated          time.Time
}

type typeRegistration struct {
	Token, TypeArn, VersionArn string
}

// typeRegistry is one account's registry, by region.
type typeRegistry struct {
	mu            sync.Mutex
	types         map[string]map[string]*privateType // region → type name → type
	registrations map[string]map[string]typeRegistration
	publisher     string // the account's publisher id once registered
}

func (r *typeRegistry) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.types, r.registrations, r.publisher = map[string]map[string]*privateType{}, map[string]map[string]typeRegistration{}, ""
}

func (s *Service) typeArn(region, kind, name string) string {
	return fmt.Sprintf("arn:aws:cloudformation:%s:%s:type/%s/%s", region, s.env.Account, strings.ToLower(kind), strings.ReplaceAll(name, "::", "-"))
}

func publicTypeArn(region, name string) string {
	return fmt.Sprintf("arn:aws:cloudformation:%s::type/resource/%s", region, strings.ReplaceAll(name, "::", "-"))
}

var typeNamePattern = func(kind, name string) bool {
	parts := strings.Split(name, "::")
	want := 3
	if kind == "MODULE" {
		want = 4
	}
	if len(parts) != want || (kind == "MODULE" && parts[3] != "MODULE") {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
	}
	return !strings.HasPrefix(name, "AWS::") && !strings.HasPrefix(name, "Alexa::") && !strings.HasPrefix(name, "Custom::")
}

// findType finds a private type by ARN (optionally with a version) or by
// kind and name; the caller holds r.mu.
func (s *Service) findType(region string, arn, kind, name *string) (*privateType, string, error) {
	var version string
	if arn != nil {
		for _, t := range s.reg.types[region] {
			if *arn == t.Arn {
				return t, "", nil
			}
			if v, ok := strings.CutPrefix(*arn, t.Arn+"/"); ok {
				version = v
				return t, version, nil
			}
		}
		return nil, "", errTypeNotFound.Errorf("The type '%s' cannot be found.", *arn)
	}
	if name == nil {
		return nil, "", errValidation.New("Either Arn or TypeName must be specified")
	}
	t := s.reg.types[region][*name]
	if t == nil || (kind != nil && *kind != t.Kind) {
		return nil, "", errTypeNotFound.Errorf("The type '%s' cannot be found.", *name)
	}
	return t, "", nil
}

type registerTypeInput struct {
	Type                 *string `enum:"RESOURCE,MODULE,HOOK"`
	TypeName             *string `required:"true" min:"10" max:"204" pattern:"[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}(::MODULE){0,1}"`
	SchemaHandlerPackage *string `required:"true" min:"1" max:"4096"`
	LoggingConfig        *struct {
		LogRoleArn   *string `required:"true" max:"256" min:"1" pattern:"arn:.+:iam::[0-9]{12}:role/.+"`
		LogGroupName *string `required:"true" max:"512" min:"1" pattern:"[\\.\\-_/#A-Za-z0-9]+"`
	}
	ExecutionRoleArn   *string `min:"1" max:"256" pattern:"arn:.+:iam::[0-9]{12}:role/.+"`
	ClientRequestToken *string `min:"1" max:"128" pattern:"[a-zA-Z0-9][-a-zA-Z0-9]*"`
}

type registerTypeOutput struct {
	RegistrationToken string
}

func (s *Service) registerType(c *awsproto.Call, in *registerTypeInput) (registerTypeOutput, error) {
	kind := "RESOURCE"
	if in.Type != nil {
		kind = *in.Type
	}
	if !typeNamePattern(kind, *in.TypeName) {
		return registerTypeOutput{}, errCFNRegistry.Errorf("Type name '%s' is invalid for a %s type.", *in.TypeName, kind)
	}
	pkg := *in.SchemaHandlerPackage
	if b, k, ok := strings.Cut(strings.TrimPrefix(pkg, "s3://"), "/"); strings.HasPrefix(pkg, "s3://") && (!ok || b == "" || k == "") {
		return registerTypeOutput{}, errCFNRegistry.New("SchemaHandlerPackage must be an S3 URL.")
	} else if _, _, ok := s3Location(pkg); !strings.HasPrefix(pkg, "s3://") && !ok {
		return registerTypeOutput{}, errCFNRegistry.New("SchemaHandlerPackage must be an S3 URL.")
	}
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	if s.reg.types[c.Region] == nil {
		s.reg.types[c.Region] = map[string]*privateType{}
		s.reg.registrations[c.Region] = map[string]typeRegistration{}
	}
	now := s.env.Now()
	t := s.reg.types[c.Region][*in.TypeName]
	if t == nil {
		if len(s.reg.types[c.Region]) >= maxPrivateTypes {
			return registerTypeOutput{}, errLimitExceeded.Errorf("Limit for the number of private types (%d) exceeded", maxPrivateTypes)
		}
		t = &privateType{Kind: kind, Name: *in.TypeName, Arn: s.typeArn(c.Region, kind, *in.TypeName), Created: now,
			Configurations: map[string]typeConfiguration{}, TestsStatus: "NOT_TESTED"}
		s.reg.types[c.Region][t.Name] = t
	}
	if len(t.Versions) >= 50 {
		return registerTypeOutput{}, errCFNRegistry.New("The maximum number of versions (50) for this type has been reached. Deregister a version first.")
	}
	v := fmt.Sprintf("%08d", len(t.Versions)+1)
	if n := len(t.Versions); n > 0 {
		var last int
		_, _ = fmt.Sscanf(t.Versions[n-1].ID, "%d", &last)
		v = fmt.Sprintf("%08d", last+1)
	}
	t.Versions = append(t.Versions, typeVersion{ID: v, Created: now})
	if t.Default == "" {
		t.Default = v
	}
	t.Updated, t.ExecutionRole = now, deref(in.ExecutionRoleArn)
	token := s.env.NewID()
	s.reg.registrations[c.Region][token] = typeRegistration{Token: token, TypeArn: t.Arn, VersionArn: t.Arn + "/" + v}
	return registerTypeOutput{RegistrationToken: token}, nil
}

type describeTypeRegistrationInput struct {
	RegistrationToken *string `required:"true" min:"1" max:"128" pattern:"[a-zA-Z0-9][-a-zA-Z0-9]*"`
}

type describeTypeRegistrationOutput struct {
	ProgressStatus string
	Description    string
	TypeArn        string
	TypeVersionArn string
}

func (s *Service) describeTypeRegistration(c *awsproto.Call, in *describeTypeRegistrationInput) (describeTypeRegistrationOutput, error) {
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	r, ok := s.reg.registrations[c.Region][*in.RegistrationToken]
	if !ok {
		return describeTypeRegistrationOutput{}, errCFNRegistry.Errorf("Registration token '%s' not found.", *in.RegistrationToken)
	}
	return describeTypeRegistrationOutput{ProgressStatus: "COMPLETE", Description: "Deployment is currently in DEPLOY_STAGE of status COMPLETED; ",
		TypeArn: r.TypeArn, TypeVersionArn: r.VersionArn}, nil
}

type listTypeRegistrationsInput struct {
	Type                     *string `enum:"RESOURCE,MODULE,HOOK"`
	TypeName                 *string `min:"10" max:"204" pattern:"[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}(::MODULE){0,1}"`
	TypeArn                  *string `max:"1024" pattern:"arn:aws[A-Za-z0-9-]{0,64}:cloudformation:[A-Za-z0-9-]{1,64}:([0-9]{12})?:type/.+"`
	RegistrationStatusFilter *string `enum:"COMPLETE,IN_PROGRESS,FAILED"`
	MaxResults               *int    `min:"1" max:"100"`
	NextToken                *string `min:"1" max:"1024"`
}

type listTypeRegistrationsOutput struct {
	RegistrationTokenList []string `xml:"RegistrationTokenList>member"`
	NextToken             string   `xml:",omitempty"`
}

func (s *Service) listTypeRegistrations(c *awsproto.Call, in *listTypeRegistrationsInput) (listTypeRegistrationsOutput, error) {
	if (in.TypeName == nil) == (in.TypeArn == nil) {
		return listTypeRegistrationsOutput{}, errCFNRegistry.New("Exactly one of TypeArn or TypeName must be specified.")
	}
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	want := deref(in.TypeArn)
	if in.TypeName != nil {
		kind := "RESOURCE"
		if in.Type != nil {
			kind = *in.Type
		}
		want = s.typeArn(c.Region, kind, *in.TypeName)
	}
	var all []string
	if in.RegistrationStatusFilter == nil || *in.RegistrationStatusFilter == "COMPLETE" {
		for _, tok := range sortedKeys(s.reg.registrations[c.Region]) {
			if s.reg.registrations[c.Region][tok].TypeArn == want {
				all = append(all, tok)
			}
		}
	}
	page, next, err := pageOf(all, in.NextToken, in.MaxResults, 100)
	return listTypeRegistrationsOutput{RegistrationTokenList: page, NextToken: next}, err
}

type typeRefInput struct {
	Type                *string `enum:"RESOURCE,MODULE,HOOK"`
	TypeName            *string `min:"10" max:"204" pattern:"[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}(::MODULE){0,1}"`
	Arn                 *string `max:"1024" pattern:"arn:aws[A-Za-z0-9-]{0,64}:cloudformation:[A-Za-z0-9-]{1,64}:([0-9]{12})?:type/.+"`
	VersionId           *string `min:"1" max:"128" pattern:"[A-Za-z0-9-]+"`
	PublisherId         *string `min:"1" max:"40" pattern:"[0-9a-zA-Z]{12,40}"`
	PublicVersionNumber *string `min:"5" pattern:"^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(.*)$"`
}

type describeTypeOutput struct {
	Arn                        string
	Type                       string
	TypeName                   string
	DefaultVersionId           string `xml:",omitempty"`
	IsDefaultVersion           *bool
	TypeTestsStatus            string `xml:",omitempty"`
	TypeTestsStatusDescription string `xml:",omitempty"`
	Description                string
	Schema                     string
	ProvisioningType           string
	DeprecatedStatus           string
	ExecutionRoleArn           string `xml:",omitempty"`
	Visibility                 string
	LastUpdated                string `xml:",omitempty"`
	TimeCreated                string `xml:",omitempty"`
	PublisherId                string `xml:",omitempty"`
	IsActivated                *bool
}

func typeSchema(name, description string) string {
	return fmt.Sprintf(`{"typeName":%q,"description":%q,"additionalProperties":false,"properties":{}}`, name, description)
}

func (s *Service) describeType(c *awsproto.Call, in *typeRefInput) (describeTypeOutput, error) {
	if in.Arn == nil && in.TypeName == nil {
		return describeTypeOutput{}, errValidation.New("Either Arn or TypeName must be specified")
	}
	// An AWS:: type the providers implement is public.
	name := deref(in.TypeName)
	if in.Arn != nil {
		if n, ok := strings.CutPrefix(*in.Arn, publicTypeArn(c.Region, "")); ok {
			name = strings.ReplaceAll(n, "-", "::")
		}
	}
	if strings.HasPrefix(name, "AWS::") && (in.Type == nil || *in.Type == "RESOURCE") {
		if lookupType(name) == nil {
			return describeTypeOutput{}, errTypeNotFound.Errorf("The type '%s' cannot be found.", name)
		}
		desc := "Resource type " + name + ", as groundstack emulates it"
		return describeTypeOutput{Arn: publicTypeArn(c.Region, name), Type: "RESOURCE", TypeName: name, Description: desc,
			Schema: typeSchema(name, desc), ProvisioningType: "FULLY_MUTABLE", DeprecatedStatus: "LIVE", Visibility: "PUBLIC",
			PublisherId: "aws", IsDefaultVersion: boolPtr(true)}, nil
	}
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	t, version, err := s.findType(c.Region, in.Arn, in.Type, in.TypeName)
	if err != nil {
		return describeTypeOutput{}, err
	}
	if in.VersionId != nil {
		version = *in.VersionId
	}
	arn := t.Arn
	if version != "" {
		if !t.hasVersion(version) {
			return describeTypeOutput{}, errTypeNotFound.Errorf("The type '%s' version '%s' cannot be found.", t.Name, version)
		}
		arn += "/" + version
	}
	desc := "Private type " + t.Name + " (groundstack keeps it but cannot run its handlers)"
	return describeTypeOutput{Arn: arn, Type: t.Kind, TypeName: t.Name, DefaultVersionId: t.Default,
		IsDefaultVersion: boolPtr(version == "" || version == t.Default), TypeTestsStatus: t.TestsStatus, TypeTestsStatusDescription: t.TestsReason,
		Description: desc, Schema: typeSchema(t.Name, desc), ProvisioningType: "FULLY_MUTABLE", DeprecatedStatus: "LIVE",
		ExecutionRoleArn: t.ExecutionRole, Visibility: "PRIVATE", LastUpdated: isoTime(t.Updated), TimeCreated: isoTime(t.Created)}, nil
}

func boolPtr(b bool) *bool { return &b }

func (t *privateType) hasVersion(v string) bool {
	for _, tv := range t.Versions {
		if tv.ID == v {
			return true
		}
	}
	return false
}

type listTypesInput struct {
	Visibility       *string `enum:"PUBLIC,PRIVATE"`
	ProvisioningType *string `enum:"NON_PROVISIONABLE,IMMUTABLE,FULLY_MUTABLE"`
	DeprecatedStatus *string `enum:"LIVE,DEPRECATED"`
	Type             *string `enum:"RESOURCE,MODULE,HOOK"`
	Filters          *struct {
		Category       *string `enum:"REGISTERED,ACTIVATED,THIRD_PARTY,AWS_TYPES"`
		PublisherId    *string `min:"1" max:"40" pattern:"[0-9a-zA-Z]{12,40}"`
		TypeNamePrefix *string `min:"1" max:"204" pattern:"([A-Za-z0-9]{2,64}::){0,2}([A-Za-z0-9]{2,64}:?){0,1}"`
	}
	MaxResults *int    `min:"1" max:"100"`
	NextToken  *string `min:"1" max:"1024"`
}

type typeSummaryXML struct {
	Type             string
	TypeName         string
	DefaultVersionId string `xml:",omitempty"`
	TypeArn          string
	LastUpdated      string `xml:",omitempty"`
	Description      string
	PublisherId      string `xml:",omitempty"`
	IsActivated      *bool
}

type listTypesOutput struct {
	TypeSummaries []typeSummaryXML `xml:"TypeSummaries>member"`
	NextToken     string           `xml:",omitempty"`
}

func (s *Service) listTypes(c *awsproto.Call, in *listTypesInput) (listTypesOutput, error) {
	visibility, kind := "PRIVATE", "RESOURCE"
	if in.Visibility != nil {
		visibility = *in.Visibility
	}
	if in.Type != nil {
		kind = *in.Type
	}
	prefix, category := "", ""
	if in.Filters != nil {
		prefix, category = deref(in.Filters.TypeNamePrefix), deref(in.Filters.Category)
	}
	var all []typeSummaryXML
	if in.DeprecatedStatus == nil || *in.DeprecatedStatus == "LIVE" {
		if visibility == "PUBLIC" && kind == "RESOURCE" && (category == "" || category == "AWS_TYPES") {
			names := make([]string, 0, len(registry))
			for n := range registry {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				if strings.HasPrefix(n, prefix) {
					all = append(all, typeSummaryXML{Type: "RESOURCE", TypeName: n, TypeArn: publicTypeArn(c.Region, n),
						Description: "Resource type " + n + ", as groundstack emulates it", PublisherId: "aws", IsActivated: boolPtr(true)})
				}
			}
		}
		if visibility == "PRIVATE" && (category == "" || category == "REGISTERED") {
			s.reg.mu.Lock()
			for _, n := range sortedKeys(s.reg.types[c.Region]) {
				t := s.reg.types[c.Region][n]
				if t.Kind == kind && strings.HasPrefix(n, prefix) {
					all = append(all, typeSummaryXML{Type: t.Kind, TypeName: n, DefaultVersionId: t.Default, TypeArn: t.Arn,
						LastUpdated: isoTime(t.Updated), Description: "Private type " + n})
				}
			}
			s.reg.mu.Unlock()
		}
	}
	page, next, err := pageOf(all, in.NextToken, in.MaxResults, 100)
	return listTypesOutput{TypeSummaries: page, NextToken: next}, err
}

type listTypeVersionsInput struct {
	Type             *string `enum:"RESOURCE,MODULE,HOOK"`
	TypeName         *string `min:"10" max:"204" pattern:"[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}(::MODULE){0,1}"`
	Arn              *string `max:"1024" pattern:"arn:aws[A-Za-z0-9-]{0,64}:cloudformation:[A-Za-z0-9-]{1,64}:([0-9]{12})?:type/.+"`
	MaxResults       *int    `min:"1" max:"100"`
	NextToken        *string `min:"1" max:"1024"`
	DeprecatedStatus *string `enum:"LIVE,DEPRECATED"`
	PublisherId      *string `min:"1" max:"40" pattern:"[0-9a-zA-Z]{12,40}"`
}

type typeVersionXML struct {
	Type             string
	TypeName         string
	VersionId        string
	IsDefaultVersion bool
	Arn              string
	TimeCreated      string
	Description      string
}

type listTypeVersionsOutput struct {
	TypeVersionSummaries []typeVersionXML `xml:"TypeVersionSummaries>member"`
	NextToken            string           `xml:",omitempty"`
}

func (s *Service) listTypeVersions(c *awsproto.Call, in *listTypeVersionsInput) (listTypeVersionsOutput, error) {
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	t, _, err := s.findType(c.Region, in.Arn, in.Type, in.TypeName)
	if err != nil {
		return listTypeVersionsOutput{}, err
	}
	var all []typeVersionXML
	if in.DeprecatedStatus == nil || *in.DeprecatedStatus == "LIVE" {
		for _, v := range t.Versions {
			all = append(all, typeVersionXML{Type: t.Kind, TypeName: t.Name, VersionId: v.ID, IsDefaultVersion: v.ID == t.Default,
				Arn: t.Arn + "/" + v.ID, TimeCreated: isoTime(v.Created), Description: "Private type " + t.Name})
		}
	}
	page, next, err := pageOf(all, in.NextToken, in.MaxResults, 100)
	return listTypeVersionsOutput{TypeVersionSummaries: page, NextToken: next}, err
}

type typeVersionRefInput struct {
	Arn       *string `max:"1024" pattern:"arn:aws[A-Za-z0-9-]{0,64}:cloudformation:[A-Za-z0-9-]{1,64}:[0-9]{12}:type/.+"`
	Type      *string `enum:"RESOURCE,MODULE,HOOK"`
	TypeName  *string `min:"10" max:"204" pattern:"[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}(::MODULE){0,1}"`
	VersionId *string `min:"1" max:"128" pattern:"[A-Za-z0-9-]+"`
}

// deregisterType removes one version of a private type (not the default
// while others remain), or the whole type.
func (s *Service) deregisterType(c *awsproto.Call, in *typeVersionRefInput) (struct{}, error) {
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	t, version, err := s.findType(c.Region, in.Arn, in.Type, in.TypeName)
	if err != nil {
		return struct{}{}, err
	}
	if in.VersionId != nil {
		version = *in.VersionId
	}
	if version == "" || (len(t.Versions) == 1 && t.hasVersion(version)) {
		delete(s.reg.types[c.Region], t.Name)
		return struct{}{}, nil
	}
	if !t.hasVersion(version) {
		return struct{}{}, errTypeNotFound.Errorf("The type '%s' version '%s' cannot be found.", t.Name, version)
	}
	if version == t.Default {
		return struct{}{}, errCFNRegistry.Errorf("Version '%s' is the default version of '%s' and cannot be deregistered while other versions exist.", version, t.Name)
	}
	for i, v := range t.Versions {
		if v.ID == version {
			t.Versions = append(t.Versions[:i:i], t.Versions[i+1:]...)
			break
		}
	}
	return struct{}{}, nil
}

func (s *Service) setTypeDefaultVersion(c *awsproto.Call, in *typeVersionRefInput) (struct{}, error) {
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	t, version, err := s.findType(c.Region, in.Arn, in.Type, in.TypeName)
	if err != nil {
		return struct{}{}, err
	}
	if in.VersionId != nil {
		version = *in.VersionId
	}
	if version == "" || !t.hasVersion(version) {
		return struct{}{}, errTypeNotFound.Errorf("The type '%s' version '%s' cannot be found.", t.Name, version)
	}
	t.Default, t.Updated = version, s.env.Now()
	return struct{}{}, nil
}

type activateTypeInput struct {
	Type          *string `enum:"RESOURCE,MODULE,HOOK"`
	PublicTypeArn *string `max:"1024" pattern:"arn:aws[A-Za-z0-9-]{0,64}:cloudformation:[A-Za-z0-9-]{1,64}::type/.+/[0-9a-zA-Z]{12,40}/.+"`
	PublisherId   *string `min:"1" max:"40" pattern:"[0-9a-zA-Z]{12,40}"`
	TypeName      *string `min:"10" max:"204" pattern:"[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}(::MODULE){0,1}"`
	TypeNameAlias *string `min:"10" max:"204" pattern:"[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}(::MODULE){0,1}"`
	AutoUpdate    *bool
	LoggingConfig *struct {
		LogRoleArn   *string `required:"true" max:"256" min:"1" pattern:"arn:.+:iam::[0-9]{12}:role/.+"`
		LogGroupName *string `required:"true" max:"512" min:"1" pattern:"[\\.\\-_/#A-Za-z0-9]+"`
	}
	ExecutionRoleArn *string `min:"1" max:"256" pattern:"arn:.+:iam::[0-9]{12}:role/.+"`
	VersionBump      *string `enum:"MAJOR,MINOR"`
	MajorVersion     *int64  `min:"1" max:"100000"`
}

// activateType: there are no third-party public types here (a type can
// only be published after passing contract tests, which need its
// handlers), so every public type named is not found.
func (s *Service) activateType(c *awsproto.Call, in *activateTypeInput) (struct{ Arn string }, error) {
	name := deref(in.PublicTypeArn)
	if name == "" {
		name = deref(in.TypeName)
	}
	if name == "" {
		return struct{ Arn string }{}, errValidation.New("Either PublicTypeArn or TypeName and PublisherId must be specified")
	}
	return struct{ Arn string }{}, errTypeNotFound.Errorf("The type '%s' cannot be found.", name)
}

type deactivateTypeInput struct {
	TypeName *string `min:"10" max:"204" pattern:"[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}(::MODULE){0,1}"`
	Type     *string `enum:"RESOURCE,MODULE,HOOK"`
	Arn      *string `max:"1024" pattern:"arn:aws[A-Za-z0-9-]{0,64}:cloudformation:[A-Za-z0-9-]{1,64}:[0-9]{12}:type/.+"`
}

func (s *Service) deactivateType(c *awsproto.Call, in *deactivateTypeInput) (struct{}, error) {
	name := deref(in.Arn)
	if name == "" {
		name = deref(in.TypeName)
	}
	return struct{}{}, errTypeNotFound.Errorf("The type '%s' cannot be found.", name)
}

type setTypeConfigurationInput struct {
	TypeArn            *string `max:"1024" pattern:"arn:aws[A-Za-z0-9-]{0,64}:cloudformation:[A-Za-z0-9-]{1,64}:([0-9]{12})?:type/.+"`
	Configuration      *string `required:"true" min:"1" max:"204800" pattern:"[\\s\\S]+"`
	ConfigurationAlias *string `min:"1" max:"256" pattern:"^[a-zA-Z0-9]{1,256}$"`
	TypeName           *string `min:"10" max:"204" pattern:"[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}(::MODULE){0,1}"`
	Type               *string `enum:"RESOURCE,MODULE,HOOK"`
}

func (s *Service) setTypeConfiguration(c *awsproto.Call, in *setTypeConfigurationInput) (struct{ ConfigurationArn string }, error) {
	type out = struct{ ConfigurationArn string }
	if !validJSONObject(*in.Configuration) {
		return out{}, errCFNRegistry.New("Configuration must be a JSON object.")
	}
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	t, _, err := s.findType(c.Region, in.TypeArn, in.Type, in.TypeName)
	if err != nil {
		return out{}, err
	}
	alias := "default"
	if in.ConfigurationAlias != nil {
		alias = *in.ConfigurationAlias
	}
	arn := strings.Replace(t.Arn, ":type/", ":type-configuration/", 1) + "/" + alias
	t.Configurations[alias] = typeConfiguration{Arn: arn, Alias: alias, Body: *in.Configuration, Updated: s.env.Now()}
	return out{ConfigurationArn: arn}, nil
}

type typeConfigurationIdentifier struct {
	TypeArn                *string `max:"1024" pattern:"arn:aws[A-Za-z0-9-]{0,64}:cloudformation:[A-Za-z0-9-]{1,64}:([0-9]{12})?:type/.+"`
	TypeConfigurationAlias *string `min:"1" max:"256" pattern:"^[a-zA-Z0-9]{1,256}$"`
	TypeConfigurationArn   *string `max:"1024" pattern:"arn:aws[A-Za-z0-9-]{0,64}:cloudformation:[A-Za-z0-9-]{1,64}:([0-9]{12})?:type-configuration/.+"`
	Type                   *string `enum:"RESOURCE,MODULE,HOOK"`
	TypeName               *string `min:"10" max:"204" pattern:"[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}(::MODULE){0,1}"`
}

type batchDescribeTypeConfigurationsInput struct {
	TypeConfigurationIdentifiers []typeConfigurationIdentifier `required:"true" min:"1"`
}

type typeConfigurationIdentifierXML struct {
	TypeArn                string `xml:",omitempty"`
	TypeConfigurationAlias string `xml:",omitempty"`
	TypeConfigurationArn   string `xml:",omitempty"`
	Type                   string `xml:",omitempty"`
	TypeName               string `xml:",omitempty"`
}

type typeConfigurationErrorXML struct {
	ErrorCode                   string
	ErrorMessage                string
	TypeConfigurationIdentifier typeConfigurationIdentifierXML
}

type typeConfigurationDetailsXML struct {
	Arn                    string
	Alias                  string
	Configuration          string
	LastUpdated            string
	TypeArn                string
	TypeName               string
	IsDefaultConfiguration bool
}

type batchDescribeTypeConfigurationsOutput struct {
	Errors                        []typeConfigurationErrorXML      `xml:"Errors>member"`
	UnprocessedTypeConfigurations []typeConfigurationIdentifierXML `xml:"UnprocessedTypeConfigurations>member"`
	TypeConfigurations            []typeConfigurationDetailsXML    `xml:"TypeConfigurations>member"`
}

func (s *Service) batchDescribeTypeConfigurations(c *awsproto.Call, in *batchDescribeTypeConfigurationsInput) (batchDescribeTypeConfigurationsOutput, error) {
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	out := batchDescribeTypeConfigurationsOutput{Errors: []typeConfigurationErrorXML{}, UnprocessedTypeConfigurations: []typeConfigurationIdentifierXML{},
		TypeConfigurations: []typeConfigurationDetailsXML{}}
	for _, id := range in.TypeConfigurationIdentifiers {
		idx := typeConfigurationIdentifierXML{deref(id.TypeArn), deref(id.TypeConfigurationAlias), deref(id.TypeConfigurationArn), deref(id.Type), deref(id.TypeName)}
		var found *typeConfiguration
		var owner *privateType
		for _, t := range s.reg.types[c.Region] {
			for alias, cfg := range t.Configurations {
				byArn := id.TypeConfigurationArn != nil && *id.TypeConfigurationArn == cfg.Arn
				byType := (id.TypeArn != nil && *id.TypeArn == t.Arn || id.TypeName != nil && *id.TypeName == t.Name) &&
					(id.TypeConfigurationAlias == nil && alias == "default" || deref(id.TypeConfigurationAlias) == alias)
				if byArn || byType {
					cfg := cfg
					found, owner = &cfg, t
				}
			}
		}
		if found == nil {
			out.Errors = append(out.Errors, typeConfigurationErrorXML{ErrorCode: "TypeConfigurationNotFoundException",
				ErrorMessage: "Type configuration not found", TypeConfigurationIdentifier: idx})
			continue
		}
		out.TypeConfigurations = append(out.TypeConfigurations, typeConfigurationDetailsXML{Arn: found.Arn, Alias: found.Alias,
			Configuration: found.Body, LastUpdated: isoTime(found.Updated), TypeArn: owner.Arn, TypeName: owner.Name, IsDefaultConfiguration: found.Alias == "default"})
	}
	return out, nil
}

type publishTypeInput struct {
	Type                *string `enum:"RESOURCE,MODULE,HOOK"`
	Arn                 *string `max:"1024" pattern:"arn:aws[A-Za-z0-9-]{0,64}:cloudformation:[A-Za-z0-9-]{1,64}:[0-9]{12}:type/.+"`
	TypeName            *string `min:"10" max:"204" pattern:"[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}(::MODULE){0,1}"`
	PublicVersionNumber *string `min:"5" pattern:"^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(.*)$"`
}

// publishType: AWS publishes only a type that passed its contract tests,
// and those need the handlers, which the emulator cannot run.
func (s *Service) publishType(c *awsproto.Call, in *publishTypeInput) (struct{ PublicTypeArn string }, error) {
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	t, _, err := s.findType(c.Region, in.Arn, in.Type, in.TypeName)
	if err != nil {
		return struct{ PublicTypeArn string }{}, err
	}
	if s.reg.publisher == "" {
		return struct{ PublicTypeArn string }{}, errCFNRegistry.New("Account is not registered as a publisher. Call RegisterPublisher first.")
	}
	return struct{ PublicTypeArn string }{}, errCFNRegistry.Errorf("Type '%s' has not passed contract tests (TypeTestsStatus %s); only a type that passed them can be published.", t.Name, t.TestsStatus)
}

type testTypeInput struct {
	Arn               *string `max:"1024" pattern:"arn:aws[A-Za-z0-9-]{0,64}:cloudformation:[A-Za-z0-9-]{1,64}:([0-9]{12})?:type/.+"`
	Type              *string `enum:"RESOURCE,MODULE,HOOK"`
	TypeName          *string `min:"10" max:"204" pattern:"[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}(::MODULE){0,1}"`
	VersionId         *string `min:"1" max:"128" pattern:"[A-Za-z0-9-]+"`
	LogDeliveryBucket *string `min:"3" max:"63" pattern:"[\\s\\S]+"`
}

// testType records the contract tests as failed: the emulator cannot run
// a private type's handlers.
func (s *Service) testType(c *awsproto.Call, in *testTypeInput) (struct{ TypeVersionArn string }, error) {
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	t, version, err := s.findType(c.Region, in.Arn, in.Type, in.TypeName)
	if err != nil {
		return struct{ TypeVersionArn string }{}, err
	}
	if in.VersionId != nil {
		version = *in.VersionId
	}
	if version == "" {
		version = t.Default
	}
	if !t.hasVersion(version) {
		return struct{ TypeVersionArn string }{}, errTypeNotFound.Errorf("The type '%s' version '%s' cannot be found.", t.Name, version)
	}
	t.TestsStatus, t.TestsReason = "FAILED", "groundstack cannot run the handlers of a private type, so its contract tests cannot pass"
	return struct{ TypeVersionArn string }{TypeVersionArn: t.Arn + "/" + version}, nil
}

type registerPublisherInput struct {
	AcceptTermsAndConditions *bool
	ConnectionArn            *string `min:"1" max:"256" pattern:"arn:aws(-[\\w]+)*:.+:.+:[0-9]{12}:.+"`
}

func (s *Service) registerPublisher(c *awsproto.Call, in *registerPublisherInput) (struct{ PublisherId string }, error) {
	if in.AcceptTermsAndConditions == nil || !*in.AcceptTermsAndConditions {
		return struct{ PublisherId string }{}, errCFNRegistry.New("You must accept the terms and conditions to register as a publisher.")
	}
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	if s.reg.publisher == "" {
		sum := sha1.Sum([]byte("publisher:" + s.env.Account))
		s.reg.publisher = hex.EncodeToString(sum[:])
	}
	return struct{ PublisherId string }{s.reg.publisher}, nil
}

type describePublisherInput struct {
	PublisherId *string `min:"1" max:"40" pattern:"[0-9a-zA-Z]{12,40}"`
}

type describePublisherOutput struct {
	PublisherId      string
	PublisherStatus  string
	IdentityProvider string
}

func (s *Service) describePublisher(c *awsproto.Call, in *describePublisherInput) (describePublisherOutput, error) {
	if in.PublisherId != nil && *in.PublisherId == "aws" {
		return describePublisherOutput{PublisherId: "aws", PublisherStatus: "VERIFIED", IdentityProvider: "AWS_Marketplace"}, nil
	}
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	if s.reg.publisher == "" || (in.PublisherId != nil && *in.PublisherId != s.reg.publisher) {
		return describePublisherOutput{}, errCFNRegistry.Errorf("Publisher '%s' not found.", deref(in.PublisherId))
	}
	return describePublisherOutput{PublisherId: s.reg.publisher, PublisherStatus: "UNVERIFIED", IdentityProvider: "AWS_Marketplace"}, nil
}

// privateTypeRefusal explains a template refused for types outside AWS::
// when they are registered private types: the emulator keeps them but
// cannot run their handlers.
func (s *Service) privateTypeRefusal(region string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	i := strings.Index(msg, "Unrecognized resource types: [")
	if i < 0 {
		return err
	}
	list := strings.TrimSuffix(msg[i+len("Unrecognized resource types: ["):], "]")
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	var private []string
	for _, n := range strings.Split(list, ", ") {
		if s.reg.types[region][n] != nil {
			private = append(private, n)
		}
	}
	if len(private) == 0 {
		return err
	}
	return errValidation.Errorf("groundstack cannot run the handlers of the registered private type(s) [%s]: a stack can use only the AWS:: types it emulates (see docs/cloudformation.md)", strings.Join(private, ", "))
}

func validJSONObject(s string) bool {
	var m map[string]any
	return json.Unmarshal([]byte(s), &m) == nil
}
