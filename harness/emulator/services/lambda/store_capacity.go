package lambda

import (
	"sort"
	"strings"
	"sync"
	"time"
)

// --- capacity providers (Lambda Managed Instances) and function scaling
// configs. They are stored and answered as AWS does; no EC2 instance is
// started: a function that names a capacity provider runs in a local
// process like any other.

// maxCapacityProviders bounds the providers of a region (AWS's quota).
const maxCapacityProviders = 1000

// CapacityProvider is one capacity provider; its members are the wire
// shape's (CapacityProvider), which the API answers as they are.
type CapacityProvider struct {
	CapacityProviderArn           string                   `json:"CapacityProviderArn"`
	State                         string                   `json:"State"`
	VpcConfig                     CapacityProviderVpc      `json:"VpcConfig"`
	PermissionsConfig             CapacityProviderRole     `json:"PermissionsConfig"`
	InstanceRequirements          *InstanceRequirements    `json:"InstanceRequirements,omitempty"`
	CapacityProviderScalingConfig *CapacityProviderScaling `json:"CapacityProviderScalingConfig,omitempty"`
	KmsKeyArn                     string                   `json:"KmsKeyArn,omitempty"`
	LastModified                  string                   `json:"LastModified,omitempty"`

	name string
	tags map[string]string
}

// CapacityProviderVpc is a provider's VpcConfig.
type CapacityProviderVpc struct {
	SubnetIds        []string `json:"SubnetIds"`
	SecurityGroupIds []string `json:"SecurityGroupIds"`
}

// CapacityProviderRole is a provider's PermissionsConfig.
type CapacityProviderRole struct {
	CapacityProviderOperatorRoleArn string `json:"CapacityProviderOperatorRoleArn"`
}

// InstanceRequirements are the instance types a provider may use.
type InstanceRequirements struct {
	Architectures         []string `json:"Architectures,omitempty"`
	AllowedInstanceTypes  []string `json:"AllowedInstanceTypes,omitempty"`
	ExcludedInstanceTypes []string `json:"ExcludedInstanceTypes,omitempty"`
}

// CapacityProviderScaling is a provider's scaling config.
type CapacityProviderScaling struct {
	MaxVCpuCount    *int                   `json:"MaxVCpuCount,omitempty"`
	ScalingMode     string                 `json:"ScalingMode,omitempty"`
	ScalingPolicies []TargetTrackingPolicy `json:"ScalingPolicies,omitempty"`
}

// TargetTrackingPolicy is one scaling policy.
type TargetTrackingPolicy struct {
	PredefinedMetricType string  `json:"PredefinedMetricType"`
	TargetValue          float64 `json:"TargetValue"`
}

// FunctionCapacity is a function's CapacityProviderConfig.
type FunctionCapacity struct {
	ProviderARN      string
	MaxConcurrency   *int
	MemoryGiBPerVCpu *float64
}

// ScalingConfig is a function version's FunctionScalingConfig.
type ScalingConfig struct {
	Min, Max *int
}

// capacityStore holds every region's capacity providers, by name.
type capacityStore struct {
	mu        sync.Mutex
	providers map[string]map[string]*CapacityProvider
}

// CapacityProviderARN is the ARN of the provider called name.
func (s *Store) CapacityProviderARN(region, name string) string {
	return "arn:aws:lambda:" + region + ":" + s.account + ":capacity-provider:" + name
}

// capacityName returns the region and name a CapacityProviderName (a
// name or an ARN) stands for.
func capacityName(raw, region string) (string, string) {
	if strings.HasPrefix(raw, "arn:") {
		parts := strings.Split(raw, ":")
		if len(parts) == 7 {
			return parts[3], parts[6]
		}
	}
	return region, raw
}

func capacityNotFound(arn string) error {
	return errResourceNotFound.New("Capacity provider not found: " + arn)
}

// CreateCapacityProvider adds p under name: Active at once.
func (s *Store) CreateCapacityProvider(region, name string, p CapacityProvider, tags map[string]string, now time.Time) (CapacityProvider, error) {
	c := &s.capacity
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.providers == nil {
		c.providers = map[string]map[string]*CapacityProvider{}
	}
	byName := c.providers[region]
	if byName == nil {
		byName = map[string]*CapacityProvider{}
		c.providers[region] = byName
	}
	arn := s.CapacityProviderARN(region, name)
	if byName[name] != nil {
		return CapacityProvider{}, errResourceConflict.New("Capacity provider already exists: " + arn)
	}
	if len(byName) >= maxCapacityProviders {
		return CapacityProvider{}, errCapacityProviderLimit.Errorf("You have reached the maximum number of capacity providers (%d) in this Region.", maxCapacityProviders)
	}
	p.CapacityProviderArn, p.State, p.LastModified, p.name = arn, "Active", now.UTC().Format(timeLayout), name
	p.tags = map[string]string{}
	for k, v := range tags {
		p.tags[k] = v
	}
	byName[name] = &p
	return p, nil
}

// CapacityProvider returns the provider a name or ARN names.
func (s *Store) CapacityProvider(region, raw string) (CapacityProvider, error) {
	region, name := capacityName(raw, region)
	c := &s.capacity
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.providers[region][name]
	if p == nil {
		return CapacityProvider{}, capacityNotFound(s.CapacityProviderARN(region, name))
	}
	return *p, nil
}

// UpdateCapacityProvider replaces a provider's scaling config (nil keeps
// it).
func (s *Store) UpdateCapacityProvider(region, raw string, scaling *CapacityProviderScaling, now time.Time) (CapacityProvider, error) {
	region, name := capacityName(raw, region)
	c := &s.capacity
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.providers[region][name]
	if p == nil {
		return CapacityProvider{}, capacityNotFound(s.CapacityProviderARN(region, name))
	}
	if scaling != nil {
		p.CapacityProviderScalingConfig = scaling
	}
	p.LastModified = now.UTC().Format(timeLayout)
	return *p, nil
}

// DeleteCapacityProvider removes a provider no function version uses.
func (s *Store) DeleteCapacityProvider(region, raw string) (CapacityProvider, error) {
	region, name := capacityName(raw, region)
	arn := s.CapacityProviderARN(region, name)
	c := &s.capacity
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.providers[region][name]
	if p == nil {
		return CapacityProvider{}, capacityNotFound(arn)
	}
	if len(s.versionsOnProvider(arn)) > 0 {
		return CapacityProvider{}, errResourceConflict.New("Capacity provider " + arn + " is in use by one or more function versions.")
	}
	delete(c.providers[region], name)
	out := *p
	out.State = "Deleting"
	return out, nil
}

// CapacityProviders lists a region's providers by name.
func (s *Store) CapacityProviders(region string) []CapacityProvider {
	c := &s.capacity
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]CapacityProvider, 0, len(c.providers[region]))
	for _, p := range c.providers[region] {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// capacityProviderExists reports whether arn names a stored provider.
func (s *Store) capacityProviderExists(arn string) bool {
	parts := strings.Split(arn, ":")
	if len(parts) != 7 {
		return false
	}
	c := &s.capacity
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.providers[parts[3]][parts[6]] != nil
}

// versionsOnProvider returns the function versions ($LATEST and published)
// whose configuration names the provider arn, ordered by ARN. It takes one
// function's lock at a time (never while holding a function's lock).
func (s *Store) versionsOnProvider(arn string) []*Version {
	var out []*Version
	for _, f := range s.allFunctions() {
		f.mu.Lock()
		if !f.deleted {
			if l := f.Latest(); l.Config.Capacity != nil && l.Config.Capacity.ProviderARN == arn {
				out = append(out, l)
			}
			for _, v := range f.versions {
				if v.Config.Capacity != nil && v.Config.Capacity.ProviderARN == arn {
					out = append(out, v)
				}
			}
		}
		f.mu.Unlock()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN() < out[j].ARN() })
	return out
}

// FunctionVersionsByCapacityProvider returns the provider's ARN and the
// function versions that use it.
func (s *Store) FunctionVersionsByCapacityProvider(region, raw string) (string, []*Version, error) {
	p, err := s.CapacityProvider(region, raw)
	if err != nil {
		return "", nil, err
	}
	return p.CapacityProviderArn, s.versionsOnProvider(p.CapacityProviderArn), nil
}

// scalingKey checks a scaling config's qualifier ($LATEST.PUBLISHED or a
// published version) against f (locked), which must run on a capacity
// provider.
func (s *Store) scalingKey(f *Function, qualifier string) error {
	if f.deleted {
		return s.notFound(f.Region, f.Name, "")
	}
	v := f.Latest()
	if qualifier != latestPublished {
		if v = f.versions[qualifier]; v == nil {
			return s.notFound(f.Region, f.Name, qualifier)
		}
	}
	if v.Config.Capacity == nil {
		return errInvalidParameterValue.New("Function scaling configuration is only supported for functions that use a capacity provider.")
	}
	return nil
}

// latestPublished is the qualifier of a function's latest published
// version in the scaling config operations.
const latestPublished = "$LATEST.PUBLISHED"

// PutScalingConfig sets the scaling config of a version.
func (s *Store) PutScalingConfig(region, fn, qualifier string, c ScalingConfig) error {
	_, err := withLocked(s, region, fn, func(f *Function) (struct{}, error) {
		if err := s.scalingKey(f, qualifier); err != nil {
			return struct{}{}, err
		}
		if f.scaling == nil {
			f.scaling = map[string]ScalingConfig{}
		}
		f.scaling[qualifier] = c
		return struct{}{}, nil
	})
	return err
}

// ScalingConfigOf returns the scaling config of a version (ok false when
// none was put).
func (s *Store) ScalingConfigOf(region, fn, qualifier string) (ScalingConfig, bool, error) {
	type out struct {
		c  ScalingConfig
		ok bool
	}
	o, err := withLocked(s, region, fn, func(f *Function) (out, error) {
		if err := s.scalingKey(f, qualifier); err != nil {
			return out{}, err
		}
		c, ok := f.scaling[qualifier]
		return out{c, ok}, nil
	})
	return o.c, o.ok, err
}
