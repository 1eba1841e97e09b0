package lambda

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/lambda/runtime"
)

// Layers: published versions of zips that functions extract into /opt.

const (
	layersPath       = "/2018-10-31/layers"
	layerNamePattern = `(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+`
	layerARNPattern  = `arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+`
)

var layerARNRE = regexp.MustCompile(`^(?:` + layerARNPattern + `)$`)

func (s *Service) registerLayers() {
	const v = layersPath + "/{LayerName}/versions/{VersionNumber}"
	s.api.Register(
		awsproto.Handle("PublishLayerVersion", s.publishLayerVersion).At("POST "+layersPath+"/{LayerName}/versions").
			WithStatus(http.StatusCreated).WithMaxBody(maxCreateBody),
		awsproto.Handle("ListLayerVersions", s.listLayerVersions).At("GET "+layersPath+"/{LayerName}/versions"),
		awsproto.Handle("ListLayers", s.listLayers).At("GET "+layersPath),
		// The model's requestUri: ServeHTTP routes it (a request path never
		// holds a '?', so the mux never matches it).
		awsproto.Handle("GetLayerVersionByArn", s.getLayerVersionByArn).At("GET "+layersPath+"?find=LayerVersion"),
		awsproto.Handle("GetLayerVersion", s.getLayerVersion).At("GET "+v),
		awsproto.Handle("DeleteLayerVersion", s.deleteLayerVersion).At("DELETE "+v).WithStatus(http.StatusNoContent),
		awsproto.Handle("AddLayerVersionPermission", s.addLayerPermission).At("POST "+v+"/policy").WithStatus(http.StatusCreated),
		awsproto.Handle("GetLayerVersionPolicy", s.getLayerPolicy).At("GET "+v+"/policy"),
		awsproto.Handle("RemoveLayerVersionPermission", s.removeLayerPermission).At("DELETE "+v+"/policy/{StatementId}").
			WithStatus(http.StatusNoContent),
	)
}

// serveLayerByARN answers GET /2018-10-31/layers?find=LayerVersion.
func (s *Service) serveLayerByARN(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet || r.URL.Path != layersPath || r.URL.Query().Get("find") != "LayerVersion" {
		return false
	}
	c := &awsproto.Call{Request: r, Region: awsproto.RegionOf(r, s.env.Region), RequestID: s.env.NewID()}
	s.api.Serve(w, c, s.api.Op("GetLayerVersionByArn"))
	return true
}

// --- inputs

type layerContentInput struct {
	S3Bucket        *string `json:"S3Bucket" min:"3" max:"63"`
	S3Key           *string `json:"S3Key" min:"1" max:"1024"`
	S3ObjectVersion *string `json:"S3ObjectVersion" min:"1" max:"1024"`
	ZipFile         []byte  `json:"ZipFile" sensitive:"true"`
}

type publishLayerVersionInput struct {
	LayerName               *string            `json:"-" location:"uri" name:"LayerName" required:"true" min:"1" max:"140" pattern:"(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"`
	Description             *string            `json:"Description" min:"0" max:"256"`
	Content                 *layerContentInput `json:"Content" required:"true"`
	CompatibleRuntimes      []string           `json:"CompatibleRuntimes" min:"0" max:"15"`
	LicenseInfo             *string            `json:"LicenseInfo" min:"0" max:"512"`
	CompatibleArchitectures []string           `json:"CompatibleArchitectures" min:"0" max:"2"`
}

func (in *publishLayerVersionInput) Validate() error {
	for _, r := range in.CompatibleRuntimes {
		if !knownRuntimes[r] {
			return validation("["+strings.Join(in.CompatibleRuntimes, ", ")+"]", "compatibleRuntimes",
				"Member must satisfy constraint: [Member must satisfy enum value set: ["+runtimeList()+"]]")
		}
	}
	return checkArchitectureList(in.CompatibleArchitectures, "compatibleArchitectures")
}

type layerVersionInput struct {
	LayerName     *string `json:"-" location:"uri" name:"LayerName" required:"true" min:"1" max:"140" pattern:"(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"`
	VersionNumber *int64  `json:"-" location:"uri" name:"VersionNumber" required:"true"`
}

type layerVersionByArnInput struct {
	Arn *string `json:"-" location:"querystring" name:"Arn" required:"true" min:"1" max:"140" pattern:"arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+"`
}

type listLayersInput struct {
	CompatibleRuntime      *string `json:"-" location:"querystring" name:"CompatibleRuntime"`
	CompatibleArchitecture *string `json:"-" location:"querystring" name:"CompatibleArchitecture" enum:"x86_64,arm64"`
	Marker                 *string `json:"-" location:"querystring" name:"Marker"`
	MaxItems               *int    `json:"-" location:"querystring" name:"MaxItems" min:"1" max:"50"`
}

func (in *listLayersInput) Validate() error {
	if in.CompatibleRuntime != nil && !knownRuntimes[*in.CompatibleRuntime] {
		return validation(*in.CompatibleRuntime, "compatibleRuntime", "Member must satisfy enum value set: ["+runtimeList()+"]")
	}
	return nil
}

type listLayerVersionsInput struct {
	LayerName *string `json:"-" location:"uri" name:"LayerName" required:"true" min:"1" max:"140" pattern:"(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"`
	listLayersInput
}

type addLayerPermissionInput struct {
	LayerName      *string `json:"-" location:"uri" name:"LayerName" required:"true" min:"1" max:"140" pattern:"(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"`
	VersionNumber  *int64  `json:"-" location:"uri" name:"VersionNumber" required:"true"`
	StatementId    *string `json:"StatementId" required:"true" min:"1" max:"100" pattern:"([a-zA-Z0-9-_]+)"`
	Action         *string `json:"Action" required:"true" min:"0" max:"22" pattern:"lambda:GetLayerVersion"`
	Principal      *string `json:"Principal" required:"true" pattern:"\\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root"`
	OrganizationId *string `json:"OrganizationId" min:"0" max:"34" pattern:"o-[a-z0-9]{10,32}"`
	RevisionId     *string `json:"-" location:"querystring" name:"RevisionId"`
}

type removeLayerPermissionInput struct {
	LayerName     *string `json:"-" location:"uri" name:"LayerName" required:"true" min:"1" max:"140" pattern:"(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"`
	VersionNumber *int64  `json:"-" location:"uri" name:"VersionNumber" required:"true"`
	StatementId   *string `json:"-" location:"uri" name:"StatementId" required:"true" min:"1" max:"100" pattern:"([a-zA-Z0-9-_]+)"`
	RevisionId    *string `json:"-" location:"querystring" name:"RevisionId"`
}

// --- outputs

type layerContentWire struct {
	Location   string `json:"Location"`
	CodeSha256 string `json:"CodeSha256"`
	CodeSize   int64  `json:"CodeSize"`
}

type layerVersionWire struct {
	Content                 *layerContentWire `json:"Content,omitempty"`
	LayerArn                string            `json:"LayerArn,omitempty"`
	LayerVersionArn         string            `json:"LayerVersionArn"`
	Description             string            `json:"Description"`
	CreatedDate             string            `json:"CreatedDate"`
	Version                 int64             `json:"Version"`
	CompatibleRuntimes      []string          `json:"CompatibleRuntimes,omitempty"`
	LicenseInfo             string            `json:"LicenseInfo,omitempty"`
	CompatibleArchitectures []string          `json:"CompatibleArchitectures,omitempty"`
}

type layersListItemWire struct {
	LayerName             string           `json:"LayerName"`
	LayerArn              string           `json:"LayerArn"`
	LatestMatchingVersion layerVersionWire `json:"LatestMatchingVersion"`
}

type listLayersOutput struct {
	NextMarker string               `json:"NextMarker,omitempty"`
	Layers     []layersListItemWire `json:"Layers"`
}

type listLayerVersionsOutput struct {
	NextMarker    string             `json:"NextMarker,omitempty"`
	LayerVersions []layerVersionWire `json:"LayerVersions"`
}

type layerPolicyOutput struct {
	Statement  string `json:"Statement,omitempty"`
	Policy     string `json:"Policy,omitempty"`
	RevisionId string `json:"RevisionId"`
}

// layerWire is a version as Get and Publish show it (with its content) or
// as the lists show it (without).
func (s *Service) layerWire(c *awsproto.Call, v *LayerVersion, full bool) layerVersionWire {
	out := layerVersionWire{
		LayerVersionArn: v.ARN(), Description: v.Description, CreatedDate: v.Created.UTC().Format(timeLayout),
		Version: v.Version, CompatibleRuntimes: v.CompatibleRuntimes, LicenseInfo: v.LicenseInfo,
		CompatibleArchitectures: v.CompatibleArchitectures,
	}
	if full {
		out.LayerArn = v.Layer.ARN
		out.Content = &layerContentWire{Location: "http://" + s.publicHost(c.Request) + codePath + v.Code.Hex + ".zip",
			CodeSha256: v.Code.Sha256, CodeSize: v.Code.Size}
	}
	return out
}

// layerTarget resolves a LayerName member (a name or a layer ARN).
func layerTarget(raw, region string) (string, string) {
	if strings.HasPrefix(raw, "arn:") {
		parts := strings.Split(raw, ":")
		return parts[3], parts[6]
	}
	return region, raw
}

// --- operations

func (s *Service) publishLayerVersion(c *awsproto.Call, in *publishLayerVersionInput) (layerVersionWire, error) {
	region, name := layerTarget(*in.LayerName, c.Region)
	data, err := s.loadCode(&functionCodeInput{ZipFile: in.Content.ZipFile, S3Bucket: in.Content.S3Bucket,
		S3Key: in.Content.S3Key, S3ObjectVersion: in.Content.S3ObjectVersion})
	if err != nil {
		return layerVersionWire{}, err
	}
	hexSum, err := s.exec.StoreCode(data)
	if err != nil {
		return layerVersionWire{}, errService.New("could not store the layer: " + err.Error())
	}
	unzipped, _ := runtime.UnzippedSizeOf(data)
	s.exec.KeepCode(hexSum)
	v := s.store.PublishLayer(region, name, LayerMeta{Description: str(in.Description), LicenseInfo: str(in.LicenseInfo),
		CompatibleRuntimes: in.CompatibleRuntimes, CompatibleArchitectures: in.CompatibleArchitectures},
		Code{Sha256: codeSha256(data), Hex: hexSum, Size: int64(len(data)), Unzipped: unzipped}, s.env.Now())
	return s.layerWire(c, v, true), nil
}

func (s *Service) getLayerVersion(c *awsproto.Call, in *layerVersionInput) (layerVersionWire, error) {
	region, name := layerTarget(*in.LayerName, c.Region)
	v, err := s.store.LayerVersion(region, name, *in.VersionNumber)
	if err != nil {
		return layerVersionWire{}, err
	}
	return s.layerWire(c, v, true), nil
}

func (s *Service) getLayerVersionByArn(c *awsproto.Call, in *layerVersionByArnInput) (layerVersionWire, error) {
	region, name, version, ok := parseLayerVersionARN(*in.Arn)
	if !ok {
		return layerVersionWire{}, validation(*in.Arn, "arn", awsproto.Pattern(layerARNPattern))
	}
	v, err := s.store.LayerVersion(region, name, version)
	if err != nil || !strings.HasPrefix(*in.Arn, v.Layer.ARN+":") {
		return layerVersionWire{}, errResourceNotFound.New(msgNoSuchResource)
	}
	return s.layerWire(c, v, true), nil
}

// compatible reports whether v matches ListLayers' filters.
func compatible(v *LayerVersion, in *listLayersInput) bool {
	if in.CompatibleRuntime != nil && !contains(v.CompatibleRuntimes, *in.CompatibleRuntime) {
		return false
	}
	if in.CompatibleArchitecture != nil && !contains(v.CompatibleArchitectures, *in.CompatibleArchitecture) {
		return false
	}
	return true
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func (s *Service) listLayers(c *awsproto.Call, in *listLayersInput) (listLayersOutput, error) {
	type item struct {
		l *Layer
		v *LayerVersion
	}
	var items []item
	for _, l := range s.store.Layers(c.Region) {
		for _, v := range s.store.LayerVersions(c.Region, l.Name) {
			if compatible(v, in) {
				items = append(items, item{l, v})
				break
			}
		}
	}
	out, next := page(items, func(x item) string { return x.l.Name }, in.Marker, in.MaxItems, func(x item) layersListItemWire {
		return layersListItemWire{LayerName: x.l.Name, LayerArn: x.l.ARN, LatestMatchingVersion: s.layerWire(c, x.v, false)}
	})
	return listLayersOutput{Layers: out, NextMarker: next}, nil
}

func (s *Service) listLayerVersions(c *awsproto.Call, in *listLayerVersionsInput) (listLayerVersionsOutput, error) {
	region, name := layerTarget(*in.LayerName, c.Region)
	var vs []*LayerVersion
	for _, v := range s.store.LayerVersions(region, name) {
		if compatible(v, &in.listLayersInput) {
			vs = append(vs, v)
		}
	}
	// Newest first; the marker is a version number.
	key := func(v *LayerVersion) string { return strconv.FormatInt(1<<40-v.Version, 10) }
	out, next := page(vs, key, in.Marker, in.MaxItems, func(v *LayerVersion) layerVersionWire { return s.layerWire(c, v, false) })
	return listLayerVersionsOutput{LayerVersions: out, NextMarker: next}, nil
}

func (s *Service) deleteLayerVersion(c *awsproto.Call, in *layerVersionInput) (struct{}, error) {
	region, name := layerTarget(*in.LayerName, c.Region)
	s.store.DeleteLayerVersion(region, name, *in.VersionNumber)
	return struct{}{}, nil
}

func (s *Service) addLayerPermission(c *awsproto.Call, in *addLayerPermissionInput) (layerPolicyOutput, error) {
	region, name := layerTarget(*in.LayerName, c.Region)
	st := layerStatement{Sid: *in.StatementId, Effect: "Allow", Action: *in.Action, Principal: *in.Principal}
	if p := *in.Principal; p != "*" {
		if !strings.HasPrefix(p, "arn:") {
			p = "arn:aws:iam::" + p + ":root"
		}
		st.Principal = map[string]string{"AWS": p}
	}
	if org := str(in.OrganizationId); org != "" {
		st.Condition = map[string]map[string]string{"StringEquals": {"aws:PrincipalOrgID": org}}
	}
	stmt, rev, err := s.store.AddLayerPermission(region, name, *in.VersionNumber, st, str(in.RevisionId))
	if err != nil {
		return layerPolicyOutput{}, err
	}
	return layerPolicyOutput{Statement: stmt, RevisionId: rev}, nil
}

func (s *Service) getLayerPolicy(c *awsproto.Call, in *layerVersionInput) (layerPolicyOutput, error) {
	region, name := layerTarget(*in.LayerName, c.Region)
	policy, rev, err := s.store.LayerPolicy(region, name, *in.VersionNumber)
	if err != nil {
		return layerPolicyOutput{}, err
	}
	return layerPolicyOutput{Policy: policy, RevisionId: rev}, nil
}

func (s *Service) removeLayerPermission(c *awsproto.Call, in *removeLayerPermissionInput) (struct{}, error) {
	region, name := layerTarget(*in.LayerName, c.Region)
	return struct{}{}, s.store.RemoveLayerPermission(region, name, *in.VersionNumber, *in.StatementId, str(in.RevisionId))
}

// --- functions' Layers member

// checkLayerARNs applies the model's constraints on a Layers list.
func checkLayerARNs(arns []string) error {
	for _, a := range arns {
		if len(a) < 1 || len(a) > 140 || !layerARNRE.MatchString(a) {
			return validation("["+strings.Join(arns, ", ")+"]", "layers",
				"Member must satisfy constraint: ["+awsproto.MaxLength(140)+", "+awsproto.MinLength(1)+", "+
					awsproto.Pattern(layerARNPattern)+", "+awsproto.RuleNotNull+"]")
		}
	}
	return nil
}
