package secretsmanager

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Service is Secrets Manager as the edge sees it.
type Service struct {
	env   *cloud.Env
	store *Store
	api   awsproto.JSONService
}

// New returns the Secrets Manager service.
func New(env *cloud.Env) *Service {
	s := &Service{env: env}
	s.store = NewStore(s.arnSuffix)
	s.api = awsproto.JSONService{
		Base:         awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Version:      "1.1",
		TargetPrefix: "secretsmanager",
		MaxBody:      1 << 20,
		Ops: map[string]awsproto.JSONOp{
			"CreateSecret":         s.createSecret,
			"GetSecretValue":       s.getSecretValue,
			"PutSecretValue":       s.putSecretValue,
			"DescribeSecret":       s.describeSecret,
			"ListSecrets":          s.listSecrets,
			"ListSecretVersionIds": s.listSecretVersionIDs,
			"UpdateSecret":         s.updateSecret,
			"DeleteSecret":         s.deleteSecret,
			"RestoreSecret":        s.restoreSecret,
			"TagResource":          s.tagResource,
			"UntagResource":        s.untagResource,
			"GetRandomPassword":    s.getRandomPassword,
		},
	}
	return s
}

func (s *Service) Name() string                { return "secretsmanager" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.JSON11 }
func (s *Service) Reset()                      { s.store.Reset() }

func (s *Service) Routes() []cloud.Route {
	return []cloud.Route{
		{Kind: cloud.ByTarget, Key: "secretsmanager"},
		{Kind: cloud.ByScope, Key: "secretsmanager"},
	}
}

func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.api.ServeHTTP(w, r) }

// Summary counts secrets per region for GET /_groundstack/state.
func (s *Service) Summary() map[string]any {
	return map[string]any{"secrets": s.store.Count()}
}

// arnSuffix derives the ARN's 6 random characters from the ID source, so
// tests that fix IDs get fixed ARNs.
func (s *Service) arnSuffix() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	sum := sha256.Sum256([]byte(s.env.NewID()))
	var out [6]byte
	for i := range out {
		out[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return string(out[:])
}

// arnPrefix is every secret ARN of a region up to the name.
func (s *Service) arnPrefix(region string) string {
	return "arn:" + partition(region) + ":secretsmanager:" + region + ":" + s.env.Account + ":secret:"
}

func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// ---- wire shapes ----

type tagJSON struct {
	Key   *string `json:"Key"`
	Value *string `json:"Value"`
}

// epoch is a timestamp as awsJson writes it: seconds since 1970, fractional.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	return appendEpoch(nil, time.Time(t)), nil
}

func appendEpoch(b []byte, t time.Time) []byte {
	return strconv.AppendFloat(b, float64(t.UnixMilli())/1000, 'f', -1, 64)
}

func epochOrNil(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

type refOutput struct {
	ARN           string   `json:"ARN"`
	Name          string   `json:"Name"`
	VersionID     string   `json:"VersionId,omitempty"`
	VersionStages []string `json:"VersionStages,omitempty"`
}

type tagOut struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func tagsOut(tags []Tag) []tagOut {
	if len(tags) == 0 {
		return nil
	}
	out := make([]tagOut, len(tags))
	for i, t := range tags {
		out[i] = tagOut(t)
	}
	return out
}

func stagesMap(vs []VersionInfo) map[string][]string {
	if len(vs) == 0 {
		return nil
	}
	m := make(map[string][]string, len(vs))
	for _, v := range vs {
		m[v.ID] = v.Stages
	}
	return m
}

// ---- validation: awsproto's constraint wording with Secrets Manager's code ----

func constraint(value, field, rule string) error {
	return awsproto.Constraint(errValidation, value, field, rule)
}

func required(field string) error { return awsproto.NotNull(errValidation, field) }

func checkLen(v, field string, min, max int) error {
	return awsproto.CheckLength(errValidation, v, field, min, max)
}

func checkRange(n int, field string, min, max int) error {
	return awsproto.CheckValue(errValidation, n, field, min, max)
}

func checkOptLen(v *string, field string, min, max int) error {
	if v == nil {
		return nil
	}
	return checkLen(*v, field, min, max)
}

// secretID validates a SecretId (name or ARN).
func secretID(id *string) (string, error) {
	if id == nil {
		return "", required("secretId")
	}
	return *id, checkLen(*id, "secretId", 1, 2048)
}

// validName checks a new secret's name: ASCII letters, digits and /_+=.@-.
func validName(name *string) (string, error) {
	if name == nil {
		return "", required("name")
	}
	if err := checkLen(*name, "name", 1, 512); err != nil {
		return "", err
	}
	for i := 0; i < len(*name); i++ {
		c := (*name)[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("/_+=.@-", c) >= 0) {
			return "", errValidation.New(msgInvalidName)
		}
	}
	return *name, nil
}

// token returns the version id: the client's ClientRequestToken or a new UUID.
func (s *Service) token(t *string) (string, error) {
	if t == nil || *t == "" {
		return s.env.NewID(), nil
	}
	return *t, checkLen(*t, "clientRequestToken", 32, 64)
}

// value builds the payload from SecretString / SecretBinary.
func value(str *string, bin []byte) (*Value, error) {
	switch {
	case str != nil && bin != nil:
		return nil, errInvalidParameter.New("You can't specify both a binary secret value and a string secret value in the same secret.")
	case str != nil:
		if len(*str) > 65536 {
			return nil, awsproto.ConstraintWithheld(errValidation, "secretString", awsproto.MaxLength(65536))
		}
		return &Value{String: *str}, nil
	case bin != nil:
		if len(bin) > 65536 {
			return nil, awsproto.ConstraintWithheld(errValidation, "secretBinary", awsproto.MaxLength(65536))
		}
		return &Value{Binary: bin, IsBinary: true}, nil
	}
	return nil, nil
}

func tags(in []tagJSON, field string) ([]Tag, error) {
	if len(in) > maxTags {
		return nil, constraint("[...]", field, awsproto.MaxLength(maxTags))
	}
	out := make([]Tag, 0, len(in))
	for i, t := range in {
		n := field + "." + strconv.Itoa(i+1) + ".member."
		if t.Key == nil {
			return nil, required(n + "key")
		}
		if err := checkLen(*t.Key, n+"key", 1, 128); err != nil {
			return nil, err
		}
		v := ""
		if t.Value != nil {
			v = *t.Value
		}
		if err := checkLen(v, n+"value", 0, 256); err != nil {
			return nil, err
		}
		out = append(out, Tag{*t.Key, v})
	}
	return out, nil
}

func stages(in []string) ([]string, error) {
	if in == nil {
		return nil, nil
	}
	if len(in) < 1 || len(in) > 20 {
		return nil, constraint("["+strings.Join(in, ", ")+"]", "versionStages", awsproto.MaxLength(20))
	}
	out := make([]string, 0, len(in))
	for _, l := range in {
		if err := checkLen(l, "versionStages.member", 1, 256); err != nil {
			return nil, err
		}
		if !containsString(out, l) {
			out = append(out, l)
		}
	}
	return out, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ---- operations ----

type createSecretInput struct {
	Name               *string
	ClientRequestToken *string
	Description        *string
	KmsKeyId           *string
	SecretString       *string
	SecretBinary       []byte
	Tags               []tagJSON
	AddReplicaRegions  []json.RawMessage
}

func (s *Service) createSecret(c *awsproto.Call, body []byte) (any, error) {
	var in createSecretInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	name, err := validName(in.Name)
	if err != nil {
		return nil, err
	}
	if err := checkOptLen(in.Description, "description", 0, 2048); err != nil {
		return nil, err
	}
	if err := checkOptLen(in.KmsKeyId, "kmsKeyId", 0, 2048); err != nil {
		return nil, err
	}
	if len(in.AddReplicaRegions) > 0 {
		return nil, errInvalidRequest.New("groundstack does not emulate secret replication (AddReplicaRegions).")
	}
	tok, err := s.token(in.ClientRequestToken)
	if err != nil {
		return nil, err
	}
	val, err := value(in.SecretString, in.SecretBinary)
	if err != nil {
		return nil, err
	}
	tg, err := tags(in.Tags, "tags")
	if err != nil {
		return nil, err
	}
	ref, err := s.store.Create(c.Region, s.arnPrefix(c.Region), CreateInput{
		Name: name, Description: deref(in.Description), KmsKeyID: deref(in.KmsKeyId),
		Token: tok, Value: val, Tags: tg,
	}, s.env.Now())
	if err != nil {
		return nil, wire(err)
	}
	return refOutput{ARN: ref.ARN, Name: ref.Name, VersionID: ref.VersionID}, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

type getSecretValueInput struct {
	SecretId     *string
	VersionId    *string
	VersionStage *string
}

// getSecretValue is the hot path: it encodes its answer by hand.
func (s *Service) getSecretValue(c *awsproto.Call, body []byte) (any, error) {
	var in getSecretValueInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	if err := checkOptLen(in.VersionId, "versionId", 32, 64); err != nil {
		return nil, err
	}
	if err := checkOptLen(in.VersionStage, "versionStage", 1, 256); err != nil {
		return nil, err
	}
	v, err := s.store.GetValue(c.Region, id, deref(in.VersionId), deref(in.VersionStage), s.env.Now())
	if err != nil {
		return nil, wire(err)
	}
	return encodeSecretValue(v), nil
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

type putSecretValueInput struct {
	SecretId           *string
	ClientRequestToken *string
	SecretString       *string
	SecretBinary       []byte
	VersionStages      []string
}

func (s *Service) putSecretValue(c *awsproto.Call, body []byte) (any, error) {
	var in putSecretValueInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	tok, err := s.token(in.ClientRequestToken)
	if err != nil {
		return nil, err
	}
	val, err := value(in.SecretString, in.SecretBinary)
	if err != nil {
		return nil, err
	}
	if val == nil {
		return nil, errInvalidRequest.New("You must provide either SecretString or SecretBinary.")
	}
	st, err := stages(in.VersionStages)
	if err != nil {
		return nil, err
	}
	ref, err := s.store.PutValue(c.Region, id, tok, *val, st, s.env.Now())
	if err != nil {
		return nil, wire(err)
	}
	return refOutput{ARN: ref.ARN, Name: ref.Name, VersionID: ref.VersionID, VersionStages: nonNil(ref.Stages)}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type secretIDInput struct {
	SecretId *string
}

type describeSecretOutput struct {
	ARN                string              `json:"ARN"`
	Name               string              `json:"Name"`
	Description        string              `json:"Description,omitempty"`
	KmsKeyID           string              `json:"KmsKeyId,omitempty"`
	LastChangedDate    *epoch              `json:"LastChangedDate,omitempty"`
	LastAccessedDate   *epoch              `json:"LastAccessedDate,omitempty"`
	DeletedDate        *epoch              `json:"DeletedDate,omitempty"`
	Tags               []tagOut            `json:"Tags,omitempty"`
	VersionIdsToStages map[string][]string `json:"VersionIdsToStages,omitempty"`
	CreatedDate        *epoch              `json:"CreatedDate,omitempty"`
}

func describeOut(d Description) describeSecretOutput {
	return describeSecretOutput{
		ARN: d.ARN, Name: d.Name, Description: d.Description, KmsKeyID: d.KmsKeyID,
		LastChangedDate: epochOrNil(d.LastChanged), LastAccessedDate: epochOrNil(d.LastAccessed),
		DeletedDate: epochOrNil(d.DeletedDate), Tags: tagsOut(d.Tags),
		VersionIdsToStages: stagesMap(d.Versions), CreatedDate: epochOrNil(d.Created),
	}
}

func (s *Service) describeSecret(c *awsproto.Call, body []byte) (any, error) {
	var in secretIDInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	d, err := s.store.Describe(c.Region, id, false, s.env.Now())
	if err != nil {
		return nil, wire(err)
	}
	return describeOut(d), nil
}

type listSecretsInput struct {
	Filters []struct {
		Key    *string
		Values []string
	}
	IncludePlannedDeletion bool
	MaxResults             *int
	NextToken              *string
	SortBy                 *string
	SortOrder              *string
}

type secretListEntry struct {
	ARN                    string              `json:"ARN"`
	Name                   string              `json:"Name"`
	Description            string              `json:"Description,omitempty"`
	KmsKeyID               string              `json:"KmsKeyId,omitempty"`
	LastChangedDate        *epoch              `json:"LastChangedDate,omitempty"`
	LastAccessedDate       *epoch              `json:"LastAccessedDate,omitempty"`
	DeletedDate            *epoch              `json:"DeletedDate,omitempty"`
	Tags                   []tagOut            `json:"Tags,omitempty"`
	SecretVersionsToStages map[string][]string `json:"SecretVersionsToStages,omitempty"`
	CreatedDate            *epoch              `json:"CreatedDate,omitempty"`
}

type listSecretsOutput struct {
	SecretList []secretListEntry `json:"SecretList"`
	NextToken  string            `json:"NextToken,omitempty"`
}

var filterKeys = []string{"all", "name", "tag-key", "description", "tag-value", "primary-region", "owning-service"}

func (s *Service) listSecrets(c *awsproto.Call, body []byte) (any, error) {
	var in listSecretsInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	q := ListQuery{IncludeDeleted: in.IncludePlannedDeletion, Max: 100}
	if in.MaxResults != nil {
		if err := checkRange(*in.MaxResults, "maxResults", 1, 100); err != nil {
			return nil, err
		}
		q.Max = *in.MaxResults
	}
	if len(in.Filters) > 10 {
		return nil, constraint("[...]", "filters", awsproto.MaxLength(10))
	}
	for i, f := range in.Filters {
		at := "filters." + strconv.Itoa(i+1) + ".member."
		if f.Key == nil {
			return nil, errInvalidParameter.New("Invalid filter key")
		}
		if !containsString(filterKeys, *f.Key) {
			return nil, constraint(*f.Key, at+"key", awsproto.EnumSet(filterKeys...))
		}
		if len(f.Values) == 0 {
			return nil, errInvalidParameter.New("Invalid filter values for key: " + *f.Key)
		}
		if len(f.Values) > 10 {
			return nil, constraint("[...]", at+"values", awsproto.MaxLength(10))
		}
		for _, v := range f.Values {
			if err := checkLen(v, at+"values.member", 1, 512); err != nil {
				return nil, err
			}
			if !validFilterValue(v) {
				return nil, constraint(v, at+"values.member", awsproto.Pattern(`^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$`))
			}
		}
		q.Filters = append(q.Filters, Filter{Key: *f.Key, Values: f.Values})
	}
	if in.SortOrder != nil {
		switch *in.SortOrder {
		case "asc":
		case "desc":
			q.Descending = true
		default:
			return nil, constraint(*in.SortOrder, "sortOrder", awsproto.EnumSet("asc", "desc"))
		}
	}
	if in.SortBy != nil {
		switch *in.SortBy {
		case "created-date", "last-accessed-date", "last-changed-date", "name":
			q.SortBy = *in.SortBy
		default:
			return nil, constraint(*in.SortBy, "sortBy", awsproto.EnumSet("created-date", "last-accessed-date", "last-changed-date", "name"))
		}
	}
	if in.NextToken != nil {
		cur, ok := decodeCursor(*in.NextToken)
		if !ok {
			return nil, errInvalidNextToken.New("The NextToken value is invalid.")
		}
		q.After = &cur
	}
	list, next := s.store.List(c.Region, q, s.env.Now())
	out := listSecretsOutput{SecretList: make([]secretListEntry, len(list))}
	for i, d := range list {
		out.SecretList[i] = secretListEntry{
			ARN: d.ARN, Name: d.Name, Description: d.Description, KmsKeyID: d.KmsKeyID,
			LastChangedDate: epochOrNil(d.LastChanged), LastAccessedDate: epochOrNil(d.LastAccessed),
			DeletedDate: epochOrNil(d.DeletedDate), Tags: tagsOut(d.Tags),
			SecretVersionsToStages: stagesMap(d.Versions), CreatedDate: epochOrNil(d.Created),
		}
	}
	if next != nil {
		out.NextToken = encodeCursor(*next)
	}
	return out, nil
}

func validFilterValue(v string) bool {
	v = strings.TrimPrefix(v, "!")
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(" :_@/+=.-!", c) >= 0) {
			return false
		}
	}
	return true
}

// A NextToken is the opaque form of the last listed secret's sort key.
func encodeCursor(c ListCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.Key, 10) + "|" + c.Name))
}

func decodeCursor(tok string) (ListCursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return ListCursor{}, false
	}
	k, name, ok := strings.Cut(string(raw), "|")
	if !ok {
		return ListCursor{}, false
	}
	n, err := strconv.ParseInt(k, 10, 64)
	if err != nil {
		return ListCursor{}, false
	}
	return ListCursor{Key: n, Name: name}, true
}

type listVersionsInput struct {
	SecretId          *string
	IncludeDeprecated bool
	MaxResults        *int
	NextToken         *string
}

type versionEntry struct {
	VersionID        string   `json:"VersionId"`
	VersionStages    []string `json:"VersionStages,omitempty"`
	LastAccessedDate *epoch   `json:"LastAccessedDate,omitempty"`
	CreatedDate      *epoch   `json:"CreatedDate,omitempty"`
}

type listVersionsOutput struct {
	ARN       string         `json:"ARN"`
	Name      string         `json:"Name"`
	Versions  []versionEntry `json:"Versions"`
	NextToken string         `json:"NextToken,omitempty"`
}

func (s *Service) listSecretVersionIDs(c *awsproto.Call, body []byte) (any, error) {
	var in listVersionsInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	max := 100
	if in.MaxResults != nil {
		if err := checkRange(*in.MaxResults, "maxResults", 1, 100); err != nil {
			return nil, err
		}
		max = *in.MaxResults
	}
	d, err := s.store.ListVersions(c.Region, id, in.IncludeDeprecated, s.env.Now())
	if err != nil {
		return nil, wire(err)
	}
	start := 0
	if in.NextToken != nil {
		cur, ok := decodeCursor(*in.NextToken)
		if !ok || cur.Key < 0 || int(cur.Key) > len(d.Versions) {
			return nil, errInvalidNextToken.New("The NextToken value is invalid.")
		}
		start = int(cur.Key)
	}
	vs := d.Versions[start:]
	out := listVersionsOutput{ARN: d.ARN, Name: d.Name, Versions: []versionEntry{}}
	if len(vs) > max {
		vs = vs[:max]
		out.NextToken = encodeCursor(ListCursor{Key: int64(start + max)})
	}
	for _, v := range vs {
		out.Versions = append(out.Versions, versionEntry{VersionID: v.ID, VersionStages: v.Stages, LastAccessedDate: epochOrNil(v.LastAccessed), CreatedDate: epochOrNil(v.Created)})
	}
	return out, nil
}

type updateSecretInput struct {
	SecretId           *string
	ClientRequestToken *string
	Description        *string
	KmsKeyId           *string
	SecretString       *string
	SecretBinary       []byte
}

func (s *Service) updateSecret(c *awsproto.Call, body []byte) (any, error) {
	var in updateSecretInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	if err := checkOptLen(in.Description, "description", 0, 2048); err != nil {
		return nil, err
	}
	if err := checkOptLen(in.KmsKeyId, "kmsKeyId", 0, 2048); err != nil {
		return nil, err
	}
	tok, err := s.token(in.ClientRequestToken)
	if err != nil {
		return nil, err
	}
	val, err := value(in.SecretString, in.SecretBinary)
	if err != nil {
		return nil, err
	}
	ref, err := s.store.Update(c.Region, id, UpdateInput{Description: in.Description, KmsKeyID: in.KmsKeyId, Token: tok, Value: val}, s.env.Now())
	if err != nil {
		return nil, wire(err)
	}
	return refOutput{ARN: ref.ARN, Name: ref.Name, VersionID: ref.VersionID}, nil
}

type deleteSecretInput struct {
	SecretId                   *string
	RecoveryWindowInDays       *int64
	ForceDeleteWithoutRecovery *bool
}

type deleteSecretOutput struct {
	ARN          string `json:"ARN"`
	Name         string `json:"Name"`
	DeletionDate *epoch `json:"DeletionDate,omitempty"`
}

func (s *Service) deleteSecret(c *awsproto.Call, body []byte) (any, error) {
	var in deleteSecretInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	force := in.ForceDeleteWithoutRecovery != nil && *in.ForceDeleteWithoutRecovery
	window := int64(30)
	if in.RecoveryWindowInDays != nil {
		if *in.RecoveryWindowInDays < 7 || *in.RecoveryWindowInDays > 30 {
			return nil, errInvalidParameter.New("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
		}
		if force {
			return nil, errInvalidParameter.New("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
		}
		window = *in.RecoveryWindowInDays
	}
	d, err := s.store.Delete(c.Region, s.arnPrefix(c.Region), id, int(window), force, s.env.Now())
	if err != nil {
		return nil, wire(err)
	}
	return deleteSecretOutput{ARN: d.ARN, Name: d.Name, DeletionDate: epochOrNil(d.DeletionDate)}, nil
}

func (s *Service) restoreSecret(c *awsproto.Call, body []byte) (any, error) {
	var in secretIDInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	ref, err := s.store.Restore(c.Region, id, s.env.Now())
	if err != nil {
		return nil, wire(err)
	}
	return refOutput{ARN: ref.ARN, Name: ref.Name}, nil
}

func (s *Service) tagResource(c *awsproto.Call, body []byte) (any, error) {
	var in struct {
		SecretId *string
		Tags     []tagJSON
	}
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	if in.Tags == nil {
		return nil, required("tags")
	}
	tg, err := tags(in.Tags, "tags")
	if err != nil {
		return nil, err
	}
	if err := s.store.Tag(c.Region, id, tg, s.env.Now()); err != nil {
		return nil, wire(err)
	}
	return nil, nil
}

func (s *Service) untagResource(c *awsproto.Call, body []byte) (any, error) {
	var in struct {
		SecretId *string
		TagKeys  []string
	}
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, required("tagKeys")
	}
	for i, k := range in.TagKeys {
		if err := checkLen(k, "tagKeys."+strconv.Itoa(i+1)+".member", 1, 128); err != nil {
			return nil, err
		}
	}
	if err := s.store.Untag(c.Region, id, in.TagKeys, s.env.Now()); err != nil {
		return nil, wire(err)
	}
	return nil, nil
}

type randomPasswordInput struct {
	PasswordLength          *int64
	ExcludeCharacters       *string
	ExcludeNumbers          bool
	ExcludePunctuation      bool
	ExcludeUppercase        bool
	ExcludeLowercase        bool
	IncludeSpace            bool
	RequireEachIncludedType *bool
}

func (s *Service) getRandomPassword(c *awsproto.Call, body []byte) (any, error) {
	var in randomPasswordInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	n := int64(32)
	if in.PasswordLength != nil {
		n = *in.PasswordLength
		if n < 1 || n > 4096 {
			return nil, checkRange(int(max(min(n, 1<<20), -1<<20)), "passwordLength", 1, 4096)
		}
	}
	if err := checkOptLen(in.ExcludeCharacters, "excludeCharacters", 0, 4096); err != nil {
		return nil, err
	}
	spec := PasswordSpec{
		Length: int(n), Exclude: deref(in.ExcludeCharacters),
		NoNumbers: in.ExcludeNumbers, NoPunctuation: in.ExcludePunctuation,
		NoUpper: in.ExcludeUppercase, NoLower: in.ExcludeLowercase, Space: in.IncludeSpace,
		EachType: in.RequireEachIncludedType == nil || *in.RequireEachIncludedType,
	}
	pw, err := RandomPassword(spec)
	if err != nil {
		return nil, wire(err)
	}
	return struct {
		RandomPassword string `json:"RandomPassword"`
	}{pw}, nil
}
