package secretsmanager

import (
	"encoding/base64"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- CreateSecret ----

type createSecretInput struct {
	Name                        *string              `json:"Name" required:"true" min:"1" max:"512"`
	ClientRequestToken          *string              `json:"ClientRequestToken" min:"32" max:"64"`
	Description                 *string              `json:"Description" max:"2048"`
	KmsKeyId                    *string              `json:"KmsKeyId" max:"2048"`
	SecretBinary                []byte               `json:"SecretBinary" min:"1" max:"65536" sensitive:"true"`
	SecretString                *string              `json:"SecretString" min:"1" max:"65536" sensitive:"true"`
	Tags                        []tagParam           `json:"Tags"`
	AddReplicaRegions           []replicaRegionParam `json:"AddReplicaRegions" min:"1"`
	ForceOverwriteReplicaSecret bool                 `json:"ForceOverwriteReplicaSecret"`
	Type                        *string              `json:"Type" max:"256"`
}

func (in *createSecretInput) Validate() error { return validName(*in.Name) }

func (s *Service) createSecret(c *awsproto.Call, in *createSecretInput) (refOutput, error) {
	val, err := secretValue(in.SecretString, in.SecretBinary)
	if err != nil {
		return refOutput{}, err
	}
	tags, err := tagList(in.Tags)
	if err != nil {
		return refOutput{}, err
	}
	adds, err := replicaRegions(in.AddReplicaRegions)
	if err != nil {
		return refOutput{}, err
	}
	ref, err := s.store.Create(c.Region, s.arnPrefix(c.Region), CreateInput{
		Name: *in.Name, Description: deref(in.Description), KmsKeyID: deref(in.KmsKeyId), Type: deref(in.Type),
		Token: s.token(in.ClientRequestToken), Value: val, Tags: tags,
	}, s.env.Now())
	if err != nil {
		return refOutput{}, err
	}
	out := refOutput{ARN: ref.ARN, Name: ref.Name, VersionID: ref.VersionID}
	if len(adds) > 0 {
		_, st, err := s.store.Replicate(c.Region, ref.ARN, adds, in.ForceOverwriteReplicaSecret, s.arnPrefix, s.env.Now())
		if err != nil {
			return refOutput{}, err
		}
		out.ReplicationStatus = replicationOut(st)
	}
	return out, nil
}

// ---- GetSecretValue ----

type getSecretValueInput struct {
	SecretId     *string `json:"SecretId" required:"true" min:"1" max:"2048"`
	VersionId    *string `json:"VersionId" min:"32" max:"64"`
	VersionStage *string `json:"VersionStage" min:"1" max:"256"`
}

// getSecretValue is the hot path: it reads the plain body clients send
// itself (encoding/json reads any other), and encodes its answer by hand.
func (s *Service) getSecretValue(c *awsproto.Call, body *[]byte) ([]byte, error) {
	var in getSecretValueInput
	if !in.decodeFast(*body) {
		in = getSecretValueInput{}
		if err := awsproto.DecodeJSON(*body, &in); err != nil {
			return nil, err
		}
	}
	if err := s.api.Check(&in); err != nil {
		return nil, err
	}
	v, err := s.store.GetValue(c.Region, *in.SecretId, deref(in.VersionId), deref(in.VersionStage), s.env.Now())
	if err != nil {
		return nil, err
	}
	return encodeSecretValue(v), nil
}

// decodeFast reads the object clients send ({"SecretId":"…"} with any of
// the input's members, in any order, as strings of printable ASCII without
// escapes) and reports false for anything else. The body is valid JSON
// already; what it accepts, encoding/json reads the same way.
func (in *getSecretValueInput) decodeFast(b []byte) bool {
	i := skipSpace(b, 0)
	if i == len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipSpace(b, i+1) == len(b)
	}
	for {
		key, j, ok := plainString(b, i)
		if !ok {
			return false
		}
		if i = skipSpace(b, j); i == len(b) || b[i] != ':' {
			return false
		}
		val, j, ok := plainString(b, skipSpace(b, i+1))
		if !ok {
			return false
		}
		v := string(val)
		switch string(key) {
		case "SecretId":
			in.SecretId = &v
		case "VersionId":
			in.VersionId = &v
		case "VersionStage":
			in.VersionStage = &v
		default:
			return false
		}
		if i = skipSpace(b, j); i == len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return skipSpace(b, i+1) == len(b)
		default:
			return false
		}
	}
}

// plainString reads the JSON string at b[i] when it is printable ASCII
// without escapes, and returns its contents and the index after it.
func plainString(b []byte, i int) ([]byte, int, bool) {
	if i == len(b) || b[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[i+1 : j], j + 1, true
		case c < 0x20 || c == '\\' || c > 0x7e:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// encodeSecretValue writes GetSecretValue's answer without reflection.
func encodeSecretValue(v SecretValue) []byte {
	n := 128 + len(v.ARN) + len(v.Name) + len(v.VersionID) + len(v.Value.String) + len(v.Value.Binary)*4/3
	b := make([]byte, 0, n)
	b = append(b, `{"ARN":`...)
	b = awsproto.AppendJSONString(b, v.ARN)
	b = append(b, `,"Name":`...)
	b = awsproto.AppendJSONString(b, v.Name)
	b = append(b, `,"VersionId":`...)
	b = awsproto.AppendJSONString(b, v.VersionID)
	if v.Value.IsBinary {
		b = append(b, `,"SecretBinary":"`...)
		b = base64.StdEncoding.AppendEncode(b, v.Value.Binary)
		b = append(b, '"')
	} else {
		b = append(b, `,"SecretString":`...)
		b = awsproto.AppendJSONString(b, v.Value.String)
	}
	b = append(b, `,"VersionStages":[`...)
	for i, l := range v.Stages {
		if i > 0 {
			b = append(b, ',')
		}
		b = awsproto.AppendJSONString(b, l)
	}
	b = append(b, `],"CreatedDate":`...)
	b = appendEpoch(b, v.Created)
	return append(b, '}')
}

// ---- PutSecretValue ----

type putSecretValueInput struct {
	SecretId           *string  `json:"SecretId" required:"true" min:"1" max:"2048"`
	ClientRequestToken *string  `json:"ClientRequestToken" min:"32" max:"64"`
	SecretBinary       []byte   `json:"SecretBinary" min:"1" max:"65536" sensitive:"true"`
	SecretString       *string  `json:"SecretString" min:"1" max:"65536" sensitive:"true"`
	VersionStages      []string `json:"VersionStages" min:"1" max:"20"`
	RotationToken      *string  `json:"RotationToken" min:"36" max:"256" pattern:"^[a-zA-Z0-9\\-]+$" sensitive:"true"`
}

// Validate checks each staging label, which a tag cannot: 1 to 256
// characters.
func (in *putSecretValueInput) Validate() error {
	for _, l := range in.VersionStages {
		if err := awsproto.CheckLength(errValidation, l, "versionStages.member", 1, 256); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) putSecretValue(c *awsproto.Call, in *putSecretValueInput) (refOutput, error) {
	val, err := secretValue(in.SecretString, in.SecretBinary)
	if err != nil {
		return refOutput{}, err
	}
	if val == nil {
		return refOutput{}, errInvalidRequest.New("You must provide either SecretString or SecretBinary.")
	}
	var stages []string
	for _, l := range in.VersionStages {
		if !containsString(stages, l) {
			stages = append(stages, l)
		}
	}
	ref, err := s.store.PutValue(c.Region, *in.SecretId, s.token(in.ClientRequestToken), *val, stages, s.env.Now())
	if err != nil {
		return refOutput{}, err
	}
	if ref.Stages == nil {
		ref.Stages = []string{}
	}
	return refOutput{ARN: ref.ARN, Name: ref.Name, VersionID: ref.VersionID, VersionStages: ref.Stages}, nil
}

// ---- UpdateSecret ----

type updateSecretInput struct {
	SecretId           *string `json:"SecretId" required:"true" min:"1" max:"2048"`
	ClientRequestToken *string `json:"ClientRequestToken" min:"32" max:"64"`
	Description        *string `json:"Description" max:"2048"`
	KmsKeyId           *string `json:"KmsKeyId" max:"2048"`
	SecretBinary       []byte  `json:"SecretBinary" min:"1" max:"65536" sensitive:"true"`
	SecretString       *string `json:"SecretString" min:"1" max:"65536" sensitive:"true"`
	Type               *string `json:"Type" max:"256"`
}

func (s *Service) updateSecret(c *awsproto.Call, in *updateSecretInput) (refOutput, error) {
	val, err := secretValue(in.SecretString, in.SecretBinary)
	if err != nil {
		return refOutput{}, err
	}
	ref, err := s.store.Update(c.Region, *in.SecretId, UpdateInput{
		Description: in.Description, KmsKeyID: in.KmsKeyId, Type: in.Type, Token: s.token(in.ClientRequestToken), Value: val,
	}, s.env.Now())
	if err != nil {
		return refOutput{}, err
	}
	return refOutput{ARN: ref.ARN, Name: ref.Name, VersionID: ref.VersionID}, nil
}

// ---- DescribeSecret, RestoreSecret ----

type secretIDInput struct {
	SecretId *string `json:"SecretId" required:"true" min:"1" max:"2048"`
}

// secretMeta is what DescribeSecret and ListSecrets show of a secret
// before its versions.
type secretMeta struct {
	ARN               string                 `json:"ARN"`
	Name              string                 `json:"Name"`
	Description       string                 `json:"Description,omitempty"`
	KmsKeyID          string                 `json:"KmsKeyId,omitempty"`
	Type              string                 `json:"Type,omitempty"`
	LastChangedDate   *epoch                 `json:"LastChangedDate,omitempty"`
	LastAccessedDate  *epoch                 `json:"LastAccessedDate,omitempty"`
	DeletedDate       *epoch                 `json:"DeletedDate,omitempty"`
	Tags              []tagOut               `json:"Tags,omitempty"`
	RotationEnabled   *bool                  `json:"RotationEnabled,omitempty"`
	RotationLambdaARN string                 `json:"RotationLambdaARN,omitempty"`
	RotationRules     *rotationRules         `json:"RotationRules,omitempty"`
	LastRotatedDate   *epoch                 `json:"LastRotatedDate,omitempty"`
	NextRotationDate  *epoch                 `json:"NextRotationDate,omitempty"`
	PrimaryRegion     string                 `json:"PrimaryRegion,omitempty"`
	ReplicationStatus []replicationStatusOut `json:"ReplicationStatus,omitempty"`
}

func metaOf(d Description, region string) secretMeta {
	return secretMeta{
		ARN: d.ARN, Name: d.Name, Description: d.Description, KmsKeyID: d.KmsKeyID, Type: d.Type,
		LastChangedDate: epochOrNil(d.LastChanged), LastAccessedDate: epochOrNil(d.LastAccessed),
		DeletedDate: epochOrNil(d.DeletedDate), Tags: tagsOut(d.Tags),
	}.withRotation(d.Rotation).withReplication(d, region)
}

// withReplication adds PrimaryRegion (of a replica, or of a primary with
// replicas) and a primary's ReplicationStatus.
func (m secretMeta) withReplication(d Description, region string) secretMeta {
	m.PrimaryRegion = d.PrimaryRegion
	if len(d.Replication) > 0 {
		m.PrimaryRegion = region
		m.ReplicationStatus = replicationOut(d.Replication)
	}
	return m
}

// withRotation adds the rotation members of a secret that was ever set to
// rotate.
func (m secretMeta) withRotation(r Rotation) secretMeta {
	if r.LambdaARN == "" {
		return m
	}
	enabled := r.Enabled
	m.RotationEnabled = &enabled
	m.RotationLambdaARN = r.LambdaARN
	if r.AfterDays != 0 || r.Schedule != "" {
		rr := rotationRules{ScheduleExpression: r.Schedule, Duration: r.Duration}
		if r.AfterDays != 0 {
			rr.AutomaticallyAfterDays = &r.AfterDays
		}
		m.RotationRules = &rr
	}
	m.LastRotatedDate = epochOrNil(r.LastRotate)
	if r.Enabled {
		m.NextRotationDate = epochOrNil(r.Next)
	}
	return m
}

type describeSecretOutput struct {
	secretMeta
	VersionIdsToStages map[string][]string `json:"VersionIdsToStages,omitempty"`
	CreatedDate        *epoch              `json:"CreatedDate,omitempty"`
}

func (s *Service) describeSecret(c *awsproto.Call, in *secretIDInput) (describeSecretOutput, error) {
	d, err := s.store.Describe(c.Region, *in.SecretId, false, s.env.Now())
	if err != nil {
		return describeSecretOutput{}, err
	}
	return describeSecretOutput{metaOf(d, c.Region), stagesMap(d.Versions), epochOrNil(d.Created)}, nil
}

func (s *Service) restoreSecret(c *awsproto.Call, in *secretIDInput) (refOutput, error) {
	ref, err := s.store.Restore(c.Region, *in.SecretId, s.env.Now())
	if err != nil {
		return refOutput{}, err
	}
	return refOutput{ARN: ref.ARN, Name: ref.Name}, nil
}

// ---- DeleteSecret ----

type deleteSecretInput struct {
	SecretId                   *string `json:"SecretId" required:"true" min:"1" max:"2048"`
	RecoveryWindowInDays       *int64  `json:"RecoveryWindowInDays"`
	ForceDeleteWithoutRecovery *bool   `json:"ForceDeleteWithoutRecovery"`
}

// Validate checks the recovery window (7 to 30 days, and not with a forced
// delete), which the model leaves to the service.
func (in *deleteSecretInput) Validate() error {
	if in.RecoveryWindowInDays == nil {
		return nil
	}
	if *in.RecoveryWindowInDays < 7 || *in.RecoveryWindowInDays > 30 {
		return errInvalidParameter.New("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
	}
	if in.ForceDeleteWithoutRecovery != nil && *in.ForceDeleteWithoutRecovery {
		return errInvalidParameter.New("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
	}
	return nil
}

type deleteSecretOutput struct {
	ARN          string `json:"ARN"`
	Name         string `json:"Name"`
	DeletionDate *epoch `json:"DeletionDate,omitempty"`
}

func (s *Service) deleteSecret(c *awsproto.Call, in *deleteSecretInput) (deleteSecretOutput, error) {
	force := in.ForceDeleteWithoutRecovery != nil && *in.ForceDeleteWithoutRecovery
	window := int64(30)
	if in.RecoveryWindowInDays != nil {
		window = *in.RecoveryWindowInDays
	}
	d, err := s.store.Delete(c.Region, s.arnPrefix(c.Region), *in.SecretId, int(window), force, s.env.Now())
	if err != nil {
		return deleteSecretOutput{}, err
	}
	return deleteSecretOutput{ARN: d.ARN, Name: d.Name, DeletionDate: epochOrNil(d.DeletionDate)}, nil
}
