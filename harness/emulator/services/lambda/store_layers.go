package lambda

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxFunctionLayers is how many layers one function may use.
const maxFunctionLayers = 5

// Layer is one layer name with its versions. Version numbers go on
// increasing after deletions, as on AWS.
type Layer struct {
	Name, Region, ARN string

	versions map[int64]*LayerVersion
	next     int64
}

// LayerVersion is one immutable published layer version.
type LayerVersion struct {
	Layer                   *Layer
	Version                 int64
	Description             string
	LicenseInfo             string
	CompatibleRuntimes      []string
	CompatibleArchitectures []string
	Created                 time.Time
	Code                    Code

	policy    []layerStatement // guarded by the store's layerMu
	policyRev string
}

// ARN is the version's ARN.
func (v *LayerVersion) ARN() string { return v.Layer.ARN + ":" + strconv.FormatInt(v.Version, 10) }

// LayerRef is a layer version as a function's configuration holds it: the
// function keeps using it after the version is deleted, as on AWS.
type LayerRef struct {
	ARN      string
	CodeSize int64
	Hex      string // the code cache key
	Unzipped int64
}

// LayerMeta is what PublishLayerVersion says of a version besides its code.
type LayerMeta struct {
	Description, LicenseInfo                    string
	CompatibleRuntimes, CompatibleArchitectures []string
}

type layerStatement struct {
	Sid       string `json:"Sid"`
	Effect    string `json:"Effect"`
	Principal any    `json:"Principal"`
	Action    string `json:"Action"`
	Resource  string `json:"Resource"`
	Condition any    `json:"Condition,omitempty"`
}

// layerStore holds every region's layers behind one lock: layers change
// rarely and are read at function creation, never on the invoke path.
type layerStore struct {
	mu      sync.Mutex
	regions map[string]map[string]*Layer
}

// LayerARN is the ARN of a layer name.
func (s *Store) LayerARN(region, name string) string {
	return "arn:aws:lambda:" + region + ":" + s.account + ":layer:" + name
}

// OnLayerCodeReleased makes the store call f with the code key of every
// layer version it deletes (and of every one on Reset).
func (s *Store) OnLayerCodeReleased(f func(hex string)) { s.releaseLayer = f }

// PublishLayer makes the next version of a layer (creating the layer).
func (s *Store) PublishLayer(region, name string, meta LayerMeta, code Code, now time.Time) *LayerVersion {
	ls := &s.layers
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.regions == nil {
		ls.regions = map[string]map[string]*Layer{}
	}
	byName := ls.regions[region]
	if byName == nil {
		byName = map[string]*Layer{}
		ls.regions[region] = byName
	}
	l := byName[name]
	if l == nil {
		l = &Layer{Name: name, Region: region, ARN: s.LayerARN(region, name), versions: map[int64]*LayerVersion{}, next: 1}
		byName[name] = l
	}
	v := &LayerVersion{Layer: l, Version: l.next, Description: meta.Description, LicenseInfo: meta.LicenseInfo,
		CompatibleRuntimes: meta.CompatibleRuntimes, CompatibleArchitectures: meta.CompatibleArchitectures,
		Created: now, Code: code}
	l.next++
	l.versions[v.Version] = v
	return v
}

// LayerVersion returns one version of a layer.
func (s *Store) LayerVersion(region, name string, version int64) (*LayerVersion, error) {
	ls := &s.layers
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if l := ls.regions[region][name]; l != nil {
		if v := l.versions[version]; v != nil {
			return v, nil
		}
	}
	return nil, errResourceNotFound.New(msgNoSuchResource)
}

// Layers returns the region's layers that have versions, by name, each with
// its versions newest first.
func (s *Store) Layers(region string) []*Layer {
	ls := &s.layers
	ls.mu.Lock()
	defer ls.mu.Unlock()
	out := make([]*Layer, 0, len(ls.regions[region]))
	for _, l := range ls.regions[region] {
		if len(l.versions) > 0 {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// LayerVersions returns a layer's versions, newest first (none for a layer
// that does not exist, as AWS answers).
func (s *Store) LayerVersions(region, name string) []*LayerVersion {
	ls := &s.layers
	ls.mu.Lock()
	defer ls.mu.Unlock()
	l := ls.regions[region][name]
	if l == nil {
		return nil
	}
	out := make([]*LayerVersion, 0, len(l.versions))
	for _, v := range l.versions {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version > out[j].Version })
	return out
}

// DeleteLayerVersion deletes a version; deleting one that does not exist
// succeeds, as on AWS. Functions using it keep their copy.
func (s *Store) DeleteLayerVersion(region, name string, version int64) {
	ls := &s.layers
	ls.mu.Lock()
	var gone *LayerVersion
	if l := ls.regions[region][name]; l != nil {
		gone = l.versions[version]
		delete(l.versions, version)
	}
	ls.mu.Unlock()
	if gone != nil && s.releaseLayer != nil {
		s.releaseLayer(gone.Code.Hex)
	}
}

// ResolveLayers finds the layer versions a function's Layers member names.
func (s *Store) ResolveLayers(region string, arns []string) ([]LayerRef, error) {
	if len(arns) > maxFunctionLayers {
		return nil, errInvalidParameterValue.Errorf("Cannot reference more than %d layers.", maxFunctionLayers)
	}
	out := make([]LayerRef, 0, len(arns))
	seen := map[string]string{}
	for _, arn := range arns {
		lregion, name, version, ok := parseLayerVersionARN(arn)
		v, err := s.LayerVersion(lregion, name, version)
		if !ok || err != nil || lregion != region || !strings.HasPrefix(arn, v.Layer.ARN+":") {
			return nil, errInvalidParameterValue.Errorf("Layer version %s does not exist.", arn)
		}
		if other, dup := seen[v.Layer.ARN]; dup {
			return nil, errInvalidParameterValue.Errorf("Two different versions of the same layer are not allowed to be referenced in the same function. %s and %s", other, arn)
		}
		seen[v.Layer.ARN] = arn
		out = append(out, LayerRef{ARN: arn, CodeSize: v.Code.Size, Hex: v.Code.Hex, Unzipped: v.Code.Unzipped})
	}
	return out, nil
}

// parseLayerVersionARN splits arn:aws:lambda:<region>:<account>:layer:<name>:<version>.
func parseLayerVersionARN(arn string) (region, name string, version int64, ok bool) {
	var parts [8]string
	n := 0
	start := 0
	for i := 0; i <= len(arn) && n < 8; i++ {
		if i == len(arn) || arn[i] == ':' {
			parts[n] = arn[start:i]
			n++
			start = i + 1
		}
	}
	if n != 8 || start <= len(arn) || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "layer" {
		return "", "", 0, false
	}
	v, err := strconv.ParseInt(parts[7], 10, 64)
	if err != nil || v < 1 {
		return "", "", 0, false
	}
	return parts[3], parts[6], v, true
}

// AddLayerPermission adds a statement to a layer version's policy and
// returns it as JSON with the policy's new revision.
func (s *Store) AddLayerPermission(region, name string, version int64, st layerStatement, revisionID string) (string, string, error) {
	v, err := s.LayerVersion(region, name, version)
	if err != nil {
		return "", "", err
	}
	ls := &s.layers
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if revisionID != "" && revisionID != v.policyRev {
		return "", "", errPreconditionFailed.New("The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id")
	}
	for _, x := range v.policy {
		if x.Sid == st.Sid {
			return "", "", errResourceConflict.Errorf("The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", st.Sid)
		}
	}
	st.Resource = v.ARN()
	v.policy = append(v.policy, st)
	v.policyRev = s.newID()
	b, _ := json.Marshal(st)
	return string(b), v.policyRev, nil
}

// LayerPolicy returns a layer version's policy document and revision.
func (s *Store) LayerPolicy(region, name string, version int64) (string, string, error) {
	v, err := s.LayerVersion(region, name, version)
	if err != nil {
		return "", "", err
	}
	ls := &s.layers
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if len(v.policy) == 0 {
		return "", "", errResourceNotFound.New("No policy is associated with the given resource.")
	}
	b, _ := json.Marshal(struct {
		Version   string           `json:"Version"`
		ID        string           `json:"Id"`
		Statement []layerStatement `json:"Statement"`
	}{"2012-10-17", "default", v.policy})
	return string(b), v.policyRev, nil
}

// RemoveLayerPermission removes one statement of a layer version's policy.
func (s *Store) RemoveLayerPermission(region, name string, version int64, sid, revisionID string) error {
	v, err := s.LayerVersion(region, name, version)
	if err != nil {
		return err
	}
	ls := &s.layers
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if revisionID != "" && revisionID != v.policyRev {
		return errPreconditionFailed.New("The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id")
	}
	for i, x := range v.policy {
		if x.Sid == sid {
			v.policy = append(v.policy[:i:i], v.policy[i+1:]...)
			v.policyRev = s.newID()
			return nil
		}
	}
	return errResourceNotFound.Errorf("Statement %s is not found in resource policy.", sid)
}

// resetLayers deletes every layer.
func (s *Store) resetLayers() {
	ls := &s.layers
	ls.mu.Lock()
	regions := ls.regions
	ls.regions = nil
	ls.mu.Unlock()
	if s.releaseLayer == nil {
		return
	}
	for _, byName := range regions {
		for _, l := range byName {
			for _, v := range l.versions {
				s.releaseLayer(v.Code.Hex)
			}
		}
	}
}
