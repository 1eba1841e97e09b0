package lambda

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"sort"
	"strconv"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/lambda/runtime"
	"github.com/groundstack/groundstack/harness/emulator/services/lambda/esm"
)

// stateVersion is the version of the state format below.
const stateVersion = 1

// State is Lambda's saved state (version 1): every region's functions with
// their versions and settings, layers, event source mappings, code signing
// configs and capacity providers, and the code they run (zips: the
// emulator runs no container images). Decoupled from the store's structs,
// it changes only with stateVersion.
//
// Not saved: execution environments (a loaded function cold-starts),
// asynchronous invocations waiting or being retried, durable executions,
// event source mappings' pollers' positions (a loaded mapping starts its
// poller anew, from its starting position), the account's concurrency
// limit (a tuning knob) and metrics.
type State struct {
	// Codes are the deployment packages and layer archives, each once
	// however many versions use it; the rest refers to them by SHA-256.
	Codes               []CodeState             `json:"codes"`
	Functions           []FunctionState         `json:"functions"`
	Layers              []LayerState            `json:"layers,omitempty"`
	EventSourceMappings []MappingState          `json:"eventSourceMappings,omitempty"`
	CodeSigningConfigs  []CodeSigningState      `json:"codeSigningConfigs,omitempty"`
	CapacityProviders   []CapacityProviderState `json:"capacityProviders,omitempty"`
}

// CodeState is one zip: its SHA-256 (hex) and its bytes (base64 in JSON).
// A snapshot holds every zip in full, within the file's 1 GiB limit.
type CodeState struct {
	SHA256 string `json:"sha256"`
	// Unzipped is what the zip unpacks to, as its headers say.
	Unzipped int64   `json:"unzipped"`
	Zip      ZipData `json:"zip"`
}

// ZipData is a zip's bytes, base64 in JSON. A saved state reads them from
// the code cache only when it is encoded, so SaveState stays cheap however
// big the code is.
type ZipData struct {
	data []byte
	open func() (io.ReadCloser, error)
}

// MarshalJSON reads the zip (from the code cache) and encodes it.
func (z ZipData) MarshalJSON() ([]byte, error) {
	data := z.data
	if z.open != nil {
		r, err := z.open()
		if err != nil {
			return nil, fmt.Errorf("the code cache no longer holds this zip (its functions were deleted while it was saved): %w", err)
		}
		defer r.Close()
		if data, err = io.ReadAll(r); err != nil {
			return nil, err
		}
	}
	return json.Marshal(data)
}

// UnmarshalJSON decodes the zip's base64.
func (z *ZipData) UnmarshalJSON(b []byte) error {
	z.open = nil
	return json.Unmarshal(b, &z.data)
}

// FunctionState is one function.
type FunctionState struct {
	Region string `json:"region"`
	Name   string `json:"name"`
	ARN    string `json:"arn"`
	// Latest is $LATEST; Versions the published versions, in order.
	Latest   VersionState   `json:"latest"`
	Versions []VersionState `json:"versions,omitempty"`
	// NextVersion is the number the next published version gets (numbers
	// are not reused after deletions); LastPublished is the version an
	// unchanged $LATEST publishes as again ("" for none).
	NextVersion   int                 `json:"nextVersion"`
	LastPublished string              `json:"lastPublished,omitempty"`
	Aliases       []AliasState        `json:"aliases,omitempty"`
	Policies      []PolicyState       `json:"policies,omitempty"`
	Tags          map[string]string   `json:"tags,omitempty"`
	URLs          []URLState          `json:"urls,omitempty"`
	InvokeConfigs []InvokeConfigState `json:"invokeConfigs,omitempty"`
	Provisioned   []ProvisionedState  `json:"provisioned,omitempty"`
	// Reserved is the reserved concurrency (absent: none).
	Reserved       *int                 `json:"reserved,omitempty"`
	RuntimeConfigs []RuntimeConfigState `json:"runtimeConfigs,omitempty"`
	RecursiveLoop  string               `json:"recursiveLoop,omitempty"`
	CodeSigning    string               `json:"codeSigningConfigArn,omitempty"`
	Scaling        []ScalingState       `json:"scaling,omitempty"`
}

// VersionState is one version's configuration. Code is the SHA-256 (hex)
// of one of State.Codes.
type VersionState struct {
	Name          string                 `json:"name"`
	Runtime       string                 `json:"runtime,omitempty"`
	Role          string                 `json:"role,omitempty"`
	Handler       string                 `json:"handler,omitempty"`
	Description   string                 `json:"description,omitempty"`
	Timeout       int                    `json:"timeout"`
	MemorySize    int                    `json:"memorySize"`
	Ephemeral     int                    `json:"ephemeralStorage"`
	Env           map[string]string      `json:"environment,omitempty"`
	Architectures []string               `json:"architectures,omitempty"`
	Code          string                 `json:"code"`
	Layers        []LayerRefState        `json:"layers,omitempty"`
	LastModified  time.Time              `json:"lastModified"`
	RevisionID    string                 `json:"revisionId"`
	LogGroup      string                 `json:"logGroup,omitempty"`
	LogFormat     string                 `json:"logFormat,omitempty"`
	TracingMode   string                 `json:"tracingMode,omitempty"`
	DeadLetter    string                 `json:"deadLetterTarget,omitempty"`
	Capacity      *FunctionCapacityState `json:"capacityProvider,omitempty"`
	Durable       *DurableConfigState    `json:"durable,omitempty"`
}

// LayerRefState is a layer version a function uses; Code is its zip's
// SHA-256 (the function keeps it after the layer version is deleted).
type LayerRefState struct {
	ARN  string `json:"arn"`
	Code string `json:"code"`
}

// FunctionCapacityState is a version's CapacityProviderConfig.
type FunctionCapacityState struct {
	ProviderARN      string   `json:"providerArn"`
	MaxConcurrency   *int     `json:"maxConcurrency,omitempty"`
	MemoryGiBPerVCpu *float64 `json:"memoryGiBPerVCpu,omitempty"`
}

// DurableConfigState is a version's DurableConfig.
type DurableConfigState struct {
	RetentionPeriodInDays int `json:"retentionPeriodInDays"`
	ExecutionTimeout      int `json:"executionTimeout"`
}

// AliasState is one alias; Routing maps a version to its weight.
type AliasState struct {
	Name        string             `json:"name"`
	Version     string             `json:"version"`
	Description string             `json:"description,omitempty"`
	Routing     map[string]float64 `json:"routing,omitempty"`
	RevisionID  string             `json:"revisionId"`
}

// PolicyState is the resource policy of the function ("" qualifier) or of
// a version or alias: its statements (JSON documents) and revision.
type PolicyState struct {
	Qualifier  string           `json:"qualifier,omitempty"`
	RevisionID string           `json:"revisionId,omitempty"`
	Statements []StatementState `json:"statements,omitempty"`
}

// StatementState is one policy statement.
type StatementState struct {
	Sid       string          `json:"sid"`
	Statement json.RawMessage `json:"statement"`
}

// URLState is a function URL config. ID is the URL's first host label: a
// loaded URL answers at the same address.
type URLState struct {
	ID         string    `json:"id"`
	Qualifier  string    `json:"qualifier,omitempty"`
	AuthType   string    `json:"authType"`
	Cors       *Cors     `json:"cors,omitempty"`
	InvokeMode string    `json:"invokeMode,omitempty"`
	Created    time.Time `json:"created"`
	Modified   time.Time `json:"modified"`
}

// InvokeConfigState is an event invoke config ($LATEST for the
// unqualified function).
type InvokeConfigState struct {
	Qualifier  string    `json:"qualifier"`
	MaxRetries *int      `json:"maxRetries,omitempty"`
	MaxAge     *int      `json:"maxAge,omitempty"`
	OnSuccess  string    `json:"onSuccess,omitempty"`
	OnFailure  string    `json:"onFailure,omitempty"`
	Modified   time.Time `json:"modified"`
}

// ProvisionedState is a provisioned concurrency config.
type ProvisionedState struct {
	Qualifier string    `json:"qualifier"`
	Requested int       `json:"requested"`
	Modified  time.Time `json:"modified"`
}

// RuntimeConfigState is a version's runtime management config.
type RuntimeConfigState struct {
	Qualifier  string `json:"qualifier"`
	UpdateOn   string `json:"updateOn"`
	VersionARN string `json:"runtimeVersionArn,omitempty"`
}

// ScalingState is a version's function scaling config.
type ScalingState struct {
	Qualifier string `json:"qualifier"`
	Min       *int   `json:"min,omitempty"`
	Max       *int   `json:"max,omitempty"`
}

// LayerState is one layer name with its live versions. Next is the
// number its next version gets.
type LayerState struct {
	Region   string              `json:"region"`
	Name     string              `json:"name"`
	Next     int64               `json:"next"`
	Versions []LayerVersionState `json:"versions"`
}

// LayerVersionState is one layer version; Code is its zip's SHA-256.
type LayerVersionState struct {
	Version                 int64             `json:"version"`
	Description             string            `json:"description,omitempty"`
	LicenseInfo             string            `json:"licenseInfo,omitempty"`
	CompatibleRuntimes      []string          `json:"compatibleRuntimes,omitempty"`
	CompatibleArchitectures []string          `json:"compatibleArchitectures,omitempty"`
	Created                 time.Time         `json:"created"`
	Code                    string            `json:"code"`
	Policy                  []json.RawMessage `json:"policy,omitempty"`
	PolicyRevision          string            `json:"policyRevisionId,omitempty"`
}

// MappingState is one event source mapping. A loaded enabled mapping
// starts its poller (State Creating, then Enabled) as a new one does.
type MappingState struct {
	UUID             string            `json:"uuid"`
	ARN              string            `json:"arn"`
	Region           string            `json:"region"`
	SourceARN        string            `json:"sourceArn"`
	Kind             string            `json:"kind"`
	Function         string            `json:"function"`
	Qualifier        string            `json:"qualifier,omitempty"`
	FunctionARN      string            `json:"functionArn"`
	Enabled          bool              `json:"enabled"`
	BatchSize        int               `json:"batchSize"`
	Window           int               `json:"window,omitempty"`
	Filters          []string          `json:"filters,omitempty"`
	ResponseTypes    []string          `json:"responseTypes,omitempty"`
	MaxConcurrency   int               `json:"maxConcurrency,omitempty"`
	StartingPosition string            `json:"startingPosition,omitempty"`
	Bisect           bool              `json:"bisect,omitempty"`
	MaxRetries       int               `json:"maxRetries"`
	MaxAge           int               `json:"maxAge"`
	OnFailure        string            `json:"onFailure,omitempty"`
	Parallelization  int               `json:"parallelization,omitempty"`
	Tumbling         int               `json:"tumbling,omitempty"`
	Reason           string            `json:"stateTransitionReason,omitempty"`
	LastResult       string            `json:"lastResult,omitempty"`
	Modified         time.Time         `json:"modified"`
	Tags             map[string]string `json:"tags,omitempty"`
}

// CodeSigningState is a code signing config.
type CodeSigningState struct {
	ID          string            `json:"id"`
	ARN         string            `json:"arn"`
	Region      string            `json:"region"`
	Description string            `json:"description,omitempty"`
	Profiles    []string          `json:"profiles,omitempty"`
	Policy      string            `json:"policy,omitempty"`
	Modified    time.Time         `json:"modified"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// CapacityProviderState is a capacity provider: the API's shape, with its
// name, region and tags.
type CapacityProviderState struct {
	Region   string            `json:"region"`
	Name     string            `json:"name"`
	Provider CapacityProvider  `json:"provider"`
	Tags     map[string]string `json:"tags,omitempty"`
}

// StateVersion, SaveState and LoadState make Lambda a cloud.StateSaver.
func (s *Service) StateVersion() int { return stateVersion }

func (s *Service) SaveState() (any, error) {
	s.journal.mu.Lock()
	err := s.finishReplayLocked()
	s.journal.mu.Unlock()
	if err != nil {
		return nil, err
	}
	st := s.store.saveState()
	st.EventSourceMappings = s.esm.saveState()
	for i := range st.Codes {
		sum := st.Codes[i].SHA256
		st.Codes[i].Zip.open = func() (io.ReadCloser, error) { return s.exec.OpenCode(sum) }
	}
	return st, nil
}

func (s *Service) LoadState(version int, raw json.RawMessage) (err error) {
	st, err := cloud.DecodeState[State](version, stateVersion, raw)
	if err != nil {
		return err
	}
	return s.loadState(st)
}

// loadState restores st, zips included, into the emptied service.
func (s *Service) loadState(st State) (err error) {
	codes := map[string]Code{}
	defer func() {
		if err != nil { // the caller resets the service: let the zips go with it
			for sum := range codes {
				s.exec.DropCode(sum)
			}
		}
	}()
	for _, c := range st.Codes {
		if err := runtime.CheckZip(c.Zip.data); err != nil {
			return fmt.Errorf("code %s: %w", c.SHA256, err)
		}
		sum, err := s.exec.StoreCode(c.Zip.data)
		if err != nil {
			return fmt.Errorf("code %s: %w", c.SHA256, err)
		}
		b, _ := hex.DecodeString(sum)
		codes[sum] = Code{Sha256: base64.StdEncoding.EncodeToString(b), Hex: sum, Size: int64(len(c.Zip.data)), Unzipped: c.Unzipped}
		if sum != c.SHA256 {
			return fmt.Errorf("code %s: its zip's SHA-256 is %s", c.SHA256, sum)
		}
	}
	if err := s.store.loadState(st, codes, s.exec.KeepCode); err != nil {
		return err
	}
	return s.esm.loadState(st.EventSourceMappings)
}

// --- saving

// saveState copies the store (the zips stay in the code cache: only their
// sums are listed).
func (s *Store) saveState() State {
	out := State{Codes: []CodeState{}, Functions: []FunctionState{}}
	codes := map[string]bool{}
	use := func(sum string, unzipped int64) {
		if sum != "" && !codes[sum] {
			codes[sum] = true
			out.Codes = append(out.Codes, CodeState{SHA256: sum, Unzipped: unzipped})
		}
	}
	for _, f := range s.allFunctions() {
		fs, ok := f.state(use)
		if !ok {
			continue
		}
		out.Functions = append(out.Functions, fs)
	}
	sort.Slice(out.Functions, func(i, j int) bool {
		a, b := out.Functions[i], out.Functions[j]
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.Name < b.Name
	})
	out.Layers = s.saveLayers(use)
	sort.Slice(out.Codes, func(i, j int) bool { return out.Codes[i].SHA256 < out.Codes[j].SHA256 })

	s.cscMu.RLock()
	for _, c := range s.cscs {
		cc := c.clone()
		out.CodeSigningConfigs = append(out.CodeSigningConfigs, CodeSigningState(cc))
	}
	s.cscMu.RUnlock()
	sort.Slice(out.CodeSigningConfigs, func(i, j int) bool { return out.CodeSigningConfigs[i].ARN < out.CodeSigningConfigs[j].ARN })

	s.capacity.mu.Lock()
	for region, byName := range s.capacity.providers {
		for name, p := range byName {
			tags := make(map[string]string, len(p.tags))
			for k, v := range p.tags {
				tags[k] = v
			}
			out.CapacityProviders = append(out.CapacityProviders, CapacityProviderState{Region: region, Name: name, Provider: *p, Tags: tags})
		}
	}
	s.capacity.mu.Unlock()
	sort.Slice(out.CapacityProviders, func(i, j int) bool {
		return out.CapacityProviders[i].Provider.CapacityProviderArn < out.CapacityProviders[j].Provider.CapacityProviderArn
	})
	return out
}

// state copies f under its lock (false when it was deleted meanwhile);
// use hears of the code of each version and layer.
func (f *Function) state(use func(sum string, unzipped int64)) (FunctionState, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.deleted {
		return FunctionState{}, false
	}
	for _, v := range append([]*Version{f.Latest()}, mapValues(f.versions)...) {
		use(v.Config.CodeHex, v.Config.CodeUnzipped)
		for _, l := range v.Config.Layers {
			use(l.Hex, l.Unzipped)
		}
	}
	out := FunctionState{Region: f.Region, Name: f.Name, ARN: f.ARN, Latest: versionState(f.Latest()),
		NextVersion: f.nextVersion, RecursiveLoop: f.recursiveLoop, CodeSigning: f.codeSigning}
	nums := make([]int, 0, len(f.versions))
	for k := range f.versions {
		n, _ := strconv.Atoi(k)
		nums = append(nums, n)
	}
	sort.Ints(nums)
	for _, n := range nums {
		out.Versions = append(out.Versions, versionState(f.versions[strconv.Itoa(n)]))
	}
	if f.lastPublished != nil {
		out.LastPublished = f.lastPublished.Name
	}
	for _, a := range f.aliases {
		out.Aliases = append(out.Aliases, AliasState{Name: a.Name, Version: a.FunctionVersion, Description: a.Description,
			Routing: a.Routing, RevisionID: a.RevisionID})
	}
	sort.Slice(out.Aliases, func(i, j int) bool { return out.Aliases[i].Name < out.Aliases[j].Name })
	for q, sts := range f.policies {
		p := PolicyState{Qualifier: q, RevisionID: f.policyRev[q]}
		for _, st := range sts {
			p.Statements = append(p.Statements, StatementState{Sid: st.Sid, Statement: json.RawMessage(st.JSON)})
		}
		out.Policies = append(out.Policies, p)
	}
	sort.Slice(out.Policies, func(i, j int) bool { return out.Policies[i].Qualifier < out.Policies[j].Qualifier })
	if len(f.tags) > 0 {
		out.Tags = make(map[string]string, len(f.tags))
		for k, v := range f.tags {
			out.Tags[k] = v
		}
	}
	for _, u := range f.urls {
		out.URLs = append(out.URLs, URLState{ID: u.ID, Qualifier: u.Qualifier, AuthType: u.AuthType, Cors: u.Cors,
			InvokeMode: u.InvokeMode, Created: u.Created, Modified: u.Modified})
	}
	sort.Slice(out.URLs, func(i, j int) bool { return out.URLs[i].Qualifier < out.URLs[j].Qualifier })
	for _, c := range f.invokeConfigs {
		out.InvokeConfigs = append(out.InvokeConfigs, InvokeConfigState{Qualifier: c.Qualifier, MaxRetries: c.MaxRetries,
			MaxAge: c.MaxAge, OnSuccess: c.OnSuccess, OnFailure: c.OnFailure, Modified: c.Modified})
	}
	sort.Slice(out.InvokeConfigs, func(i, j int) bool { return out.InvokeConfigs[i].Qualifier < out.InvokeConfigs[j].Qualifier })
	for _, c := range f.provisioned {
		out.Provisioned = append(out.Provisioned, ProvisionedState{Qualifier: c.Qualifier, Requested: c.Requested, Modified: c.Modified})
	}
	sort.Slice(out.Provisioned, func(i, j int) bool { return out.Provisioned[i].Qualifier < out.Provisioned[j].Qualifier })
	if r := f.Reserved(); r >= 0 {
		out.Reserved = &r
	}
	for q, c := range f.runtimeConfigs {
		out.RuntimeConfigs = append(out.RuntimeConfigs, RuntimeConfigState{Qualifier: q, UpdateOn: c.UpdateOn, VersionARN: c.VersionARN})
	}
	sort.Slice(out.RuntimeConfigs, func(i, j int) bool { return out.RuntimeConfigs[i].Qualifier < out.RuntimeConfigs[j].Qualifier })
	for q, c := range f.scaling {
		out.Scaling = append(out.Scaling, ScalingState{Qualifier: q, Min: c.Min, Max: c.Max})
	}
	sort.Slice(out.Scaling, func(i, j int) bool { return out.Scaling[i].Qualifier < out.Scaling[j].Qualifier })
	return out, true
}

func versionState(v *Version) VersionState {
	c := v.Config
	out := VersionState{Name: v.Name, Runtime: c.Runtime, Role: c.Role, Handler: c.Handler, Description: c.Description,
		Timeout: c.Timeout, MemorySize: c.MemorySize, Ephemeral: c.Ephemeral, Env: c.Env, Architectures: c.Architectures,
		Code: c.CodeHex, LastModified: c.LastModified, RevisionID: c.RevisionID, LogGroup: c.LogGroup, LogFormat: c.LogFormat,
		TracingMode: c.TracingMode, DeadLetter: c.DeadLetter}
	for _, l := range c.Layers {
		out.Layers = append(out.Layers, LayerRefState{ARN: l.ARN, Code: l.Hex})
	}
	if p := c.Capacity; p != nil {
		out.Capacity = &FunctionCapacityState{ProviderARN: p.ProviderARN, MaxConcurrency: p.MaxConcurrency, MemoryGiBPerVCpu: p.MemoryGiBPerVCpu}
	}
	if d := c.Durable; d != nil {
		out.Durable = &DurableConfigState{RetentionPeriodInDays: d.RetentionPeriodInDays, ExecutionTimeout: d.ExecutionTimeout}
	}
	return out
}

func mapValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func (s *Store) saveLayers(use func(sum string, unzipped int64)) []LayerState {
	ls := &s.layers
	ls.mu.Lock()
	defer ls.mu.Unlock()
	var out []LayerState
	for region, byName := range ls.regions {
		for name, l := range byName {
			st := LayerState{Region: region, Name: name, Next: l.next, Versions: []LayerVersionState{}}
			for _, v := range l.versions {
				lv := LayerVersionState{Version: v.Version, Description: v.Description, LicenseInfo: v.LicenseInfo,
					CompatibleRuntimes: v.CompatibleRuntimes, CompatibleArchitectures: v.CompatibleArchitectures,
					Created: v.Created, Code: v.Code.Hex, PolicyRevision: v.policyRev}
				for _, p := range v.policy {
					b, _ := json.Marshal(p)
					lv.Policy = append(lv.Policy, b)
				}
				use(v.Code.Hex, v.Code.Unzipped)
				st.Versions = append(st.Versions, lv)
			}
			sort.Slice(st.Versions, func(i, j int) bool { return st.Versions[i].Version < st.Versions[j].Version })
			out = append(out, st)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Region != out[j].Region {
			return out[i].Region < out[j].Region
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func (es *eventSources) saveState() []MappingState {
	es.mu.Lock()
	defer es.mu.Unlock()
	var out []MappingState
	for _, m := range es.byID {
		if m.deleting {
			continue
		}
		out = append(out, MappingState{UUID: m.UUID, ARN: m.ARN, Region: m.Region, SourceARN: m.SourceARN, Kind: m.Kind,
			Function: m.FnName, Qualifier: m.Qualifier, FunctionARN: m.FunctionARN, Enabled: m.Enabled, BatchSize: m.BatchSize,
			Window: m.Window, Filters: m.Filters, ResponseTypes: m.ResponseTypes, MaxConcurrency: m.MaxConcurrency,
			StartingPosition: m.StartingPosition, Bisect: m.Bisect, MaxRetries: m.MaxRetries, MaxAge: m.MaxAge,
			OnFailure: m.OnFailure, Parallelization: m.Parallelization, Tumbling: m.Tumbling, Reason: m.Reason,
			LastResult: m.LastResult, Modified: m.Modified, Tags: maps.Clone(m.Tags)}) // tag() edits the map in place
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UUID < out[j].UUID })
	return out
}

// --- loading

// loadState restores st into the emptied store; codes are the stored
// zips by SHA-256, keep pins a layer version's code.
func (s *Store) loadState(st State, codes map[string]Code, keep func(sum string)) error {
	code := func(sum string) (Code, error) {
		c, ok := codes[sum]
		if !ok {
			return Code{}, fmt.Errorf("no code with SHA-256 %q in the state", sum)
		}
		return c, nil
	}
	for _, cs := range st.CodeSigningConfigs {
		c := CodeSigningConfig(cs)
		if c.ARN == "" {
			return fmt.Errorf("a code signing config without an ARN")
		}
		stored := c.clone()
		s.cscMu.Lock()
		s.cscs[c.ARN] = &stored
		s.cscMu.Unlock()
	}
	for _, cp := range st.CapacityProviders {
		p := cp.Provider
		p.name = cp.Name
		p.tags = map[string]string{}
		for k, v := range cp.Tags {
			p.tags[k] = v
		}
		s.capacity.mu.Lock()
		if s.capacity.providers == nil {
			s.capacity.providers = map[string]map[string]*CapacityProvider{}
		}
		if s.capacity.providers[cp.Region] == nil {
			s.capacity.providers[cp.Region] = map[string]*CapacityProvider{}
		}
		s.capacity.providers[cp.Region][cp.Name] = &p
		s.capacity.mu.Unlock()
	}
	for _, l := range st.Layers {
		if err := s.loadLayer(l, code, keep); err != nil {
			return fmt.Errorf("layer %s: %w", l.Name, err)
		}
	}
	for _, fs := range st.Functions {
		if err := s.loadFunction(fs, code); err != nil {
			return fmt.Errorf("function %s: %w", fs.Name, err)
		}
	}
	return nil
}

func (s *Store) loadLayer(st LayerState, code func(string) (Code, error), keep func(string)) error {
	if st.Region == "" || st.Name == "" {
		return fmt.Errorf("a layer without a region or a name")
	}
	l := &Layer{Name: st.Name, Region: st.Region, ARN: s.LayerARN(st.Region, st.Name), versions: map[int64]*LayerVersion{}, next: st.Next}
	for _, vs := range st.Versions {
		c, err := code(vs.Code)
		if err != nil {
			return err
		}
		if vs.Version < 1 || vs.Version >= l.next || l.versions[vs.Version] != nil {
			return fmt.Errorf("version %d: not below the next number %d, or twice", vs.Version, l.next)
		}
		v := &LayerVersion{Layer: l, Version: vs.Version, Description: vs.Description, LicenseInfo: vs.LicenseInfo,
			CompatibleRuntimes: vs.CompatibleRuntimes, CompatibleArchitectures: vs.CompatibleArchitectures,
			Created: vs.Created, Code: c, policyRev: vs.PolicyRevision}
		for _, raw := range vs.Policy {
			var p layerStatement
			if err := json.Unmarshal(raw, &p); err != nil {
				return fmt.Errorf("version %d's policy: %w", vs.Version, err)
			}
			v.policy = append(v.policy, p)
		}
		l.versions[v.Version] = v
		keep(c.Hex)
	}
	ls := &s.layers
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.regions == nil {
		ls.regions = map[string]map[string]*Layer{}
	}
	if ls.regions[st.Region] == nil {
		ls.regions[st.Region] = map[string]*Layer{}
	}
	if ls.regions[st.Region][st.Name] != nil {
		return fmt.Errorf("saved twice")
	}
	ls.regions[st.Region][st.Name] = l
	return nil
}

func (s *Store) loadFunction(st FunctionState, code func(string) (Code, error)) error {
	if st.Region == "" || st.Name == "" {
		return fmt.Errorf("a function without a region or a name")
	}
	f := &Function{
		Name: st.Name, ARN: s.FunctionARN(st.Region, st.Name), Region: st.Region,
		versions: map[string]*Version{}, aliases: map[string]*Alias{}, nextVersion: st.NextVersion,
		policies: map[string][]Statement{}, policyRev: map[string]string{}, tags: map[string]string{},
		urls: map[string]*URLConfig{}, invokeConfigs: map[string]*EventInvokeConfig{},
		provisioned: map[string]*ProvisionedConfig{}, runtimeConfigs: map[string]RuntimeConfig{},
		recursiveLoop: st.RecursiveLoop, codeSigning: st.CodeSigning,
	}
	if st.ARN != "" {
		f.ARN = st.ARN
	}
	f.reserved.Store(-1)
	if st.Reserved != nil {
		f.reserved.Store(int64(*st.Reserved))
	}
	version := func(vs VersionState) (*Version, error) {
		c, err := code(vs.Code)
		if err != nil {
			return nil, err
		}
		cfg := Config{Runtime: vs.Runtime, Role: vs.Role, Handler: vs.Handler, Description: vs.Description,
			Timeout: vs.Timeout, MemorySize: vs.MemorySize, Ephemeral: vs.Ephemeral, Env: vs.Env, Architectures: vs.Architectures,
			CodeSha256: c.Sha256, CodeHex: c.Hex, CodeSize: c.Size, CodeUnzipped: c.Unzipped,
			LastModified: vs.LastModified, RevisionID: vs.RevisionID, LogGroup: vs.LogGroup, LogFormat: vs.LogFormat,
			TracingMode: vs.TracingMode, DeadLetter: vs.DeadLetter}
		for _, l := range vs.Layers {
			lc, err := code(l.Code)
			if err != nil {
				return nil, err
			}
			cfg.Layers = append(cfg.Layers, LayerRef{ARN: l.ARN, CodeSize: lc.Size, Hex: lc.Hex, Unzipped: lc.Unzipped})
		}
		if p := vs.Capacity; p != nil {
			cfg.Capacity = &FunctionCapacity{ProviderARN: p.ProviderARN, MaxConcurrency: p.MaxConcurrency, MemoryGiBPerVCpu: p.MemoryGiBPerVCpu}
		}
		if d := vs.Durable; d != nil {
			cfg.Durable = &DurableSettings{RetentionPeriodInDays: d.RetentionPeriodInDays, ExecutionTimeout: d.ExecutionTimeout}
		}
		return &Version{Function: f, Name: vs.Name, Config: cfg}, nil
	}
	latest, err := version(st.Latest)
	if err != nil {
		return err
	}
	if latest.Name != LatestVersion {
		return fmt.Errorf("its latest version is called %q", latest.Name)
	}
	for _, vs := range st.Versions {
		v, err := version(vs)
		if err != nil {
			return fmt.Errorf("version %s: %w", vs.Name, err)
		}
		if n, err := strconv.Atoi(vs.Name); err != nil || n < 1 || n >= f.nextVersion || f.versions[vs.Name] != nil {
			return fmt.Errorf("version %q: not a number below the next one (%d), or twice", vs.Name, f.nextVersion)
		}
		f.versions[v.Name] = v
	}
	if f.nextVersion < 1 {
		return fmt.Errorf("next version %d", f.nextVersion)
	}
	if st.LastPublished != "" {
		if f.lastPublished = f.versions[st.LastPublished]; f.lastPublished == nil {
			return fmt.Errorf("its last published version %s is not saved", st.LastPublished)
		}
	}
	for _, a := range st.Aliases {
		if a.Version != LatestVersion && f.versions[a.Version] == nil {
			return fmt.Errorf("alias %s: version %s is not saved", a.Name, a.Version)
		}
		f.aliases[a.Name] = &Alias{Name: a.Name, FunctionVersion: a.Version, Description: a.Description, Routing: a.Routing,
			RevisionID: a.RevisionID, ARN: f.ARN + ":" + a.Name}
	}
	for _, p := range st.Policies {
		for _, x := range p.Statements {
			f.policies[p.Qualifier] = append(f.policies[p.Qualifier], Statement{Sid: x.Sid, JSON: string(x.Statement)})
		}
		f.policyRev[p.Qualifier] = p.RevisionID
	}
	for k, v := range st.Tags {
		f.tags[k] = v
	}
	for _, c := range st.InvokeConfigs {
		f.invokeConfigs[c.Qualifier] = &EventInvokeConfig{Qualifier: c.Qualifier, MaxRetries: c.MaxRetries, MaxAge: c.MaxAge,
			OnSuccess: c.OnSuccess, OnFailure: c.OnFailure, Modified: c.Modified}
	}
	for _, c := range st.Provisioned {
		f.provisioned[c.Qualifier] = &ProvisionedConfig{Qualifier: c.Qualifier, Requested: c.Requested, Modified: c.Modified}
	}
	for _, c := range st.RuntimeConfigs {
		f.runtimeConfigs[c.Qualifier] = RuntimeConfig{UpdateOn: c.UpdateOn, VersionARN: c.VersionARN}
	}
	for _, c := range st.Scaling {
		if f.scaling == nil {
			f.scaling = map[string]ScalingConfig{}
		}
		f.scaling[c.Qualifier] = ScalingConfig{Min: c.Min, Max: c.Max}
	}
	var urls []*URLConfig
	for _, u := range st.URLs {
		if u.ID == "" || (u.Qualifier != "" && f.aliases[u.Qualifier] == nil) {
			return fmt.Errorf("URL %q of %q: no id, or no such alias", u.ID, u.Qualifier)
		}
		uc := &URLConfig{ID: u.ID, Region: f.Region, Function: f.Name, Qualifier: u.Qualifier, AuthType: u.AuthType,
			Cors: u.Cors, InvokeMode: u.InvokeMode, Created: u.Created, Modified: u.Modified}
		f.urls[u.Qualifier] = uc
		urls = append(urls, uc)
	}

	s.mu.Lock()
	fns := s.regions[f.Region]
	if fns == nil {
		fns = map[string]*Function{}
		s.regions[f.Region] = fns
	}
	if fns[f.Name] != nil {
		s.mu.Unlock()
		return fmt.Errorf("saved twice")
	}
	// Executors are made once the function is complete: they read its
	// reserved concurrency.
	latest.Exec = s.newExec(f, latest)
	f.latest.Store(latest)
	for _, v := range f.versions {
		v.Exec = s.newExec(f, v)
	}
	fns[f.Name] = f
	s.mu.Unlock()
	s.urlMu.Lock()
	for _, u := range urls {
		s.urls[u.ID] = u
	}
	s.urlMu.Unlock()
	return nil
}

// loadState adds the saved mappings and starts the enabled ones' pollers.
func (es *eventSources) loadState(ms []MappingState) error {
	es.mu.Lock()
	defer es.mu.Unlock()
	for _, st := range ms {
		if st.UUID == "" || es.byID[st.UUID] != nil {
			return fmt.Errorf("event source mapping %q: no UUID, or saved twice", st.UUID)
		}
		if st.Kind != sourceSQS && st.Kind != sourceStream {
			return fmt.Errorf("event source mapping %s: unknown kind %q", st.UUID, st.Kind)
		}
		m := &mapping{UUID: st.UUID, ARN: st.ARN, Region: st.Region, SourceARN: st.SourceARN, Kind: st.Kind,
			FnName: st.Function, Qualifier: st.Qualifier, FunctionARN: st.FunctionARN, Enabled: st.Enabled, BatchSize: st.BatchSize,
			Window: st.Window, Filters: st.Filters, ResponseTypes: st.ResponseTypes, MaxConcurrency: st.MaxConcurrency,
			StartingPosition: st.StartingPosition, Bisect: st.Bisect, MaxRetries: st.MaxRetries, MaxAge: st.MaxAge,
			OnFailure: st.OnFailure, Parallelization: st.Parallelization, Tumbling: st.Tumbling, Reason: st.Reason,
			LastResult: st.LastResult, Modified: st.Modified, Tags: st.Tags}
		if len(st.Filters) > 0 {
			compiled, err := esm.ParseFilters(st.Filters)
			if err != nil {
				return fmt.Errorf("event source mapping %s's filters: %w", st.UUID, err)
			}
			m.compiled = compiled
		}
		m.State = stateCreating
		es.byID[m.UUID] = m
		es.kickLocked(m)
	}
	return nil
}
