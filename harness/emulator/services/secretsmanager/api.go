package secretsmanager

import (
	"crypto/sha256"
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
	api   awsproto.API
}

// New returns the Secrets Manager service.
func New(env *cloud.Env) *Service {
	s := &Service{env: env}
	s.store = NewStore(s.arnSuffix)
	s.api = awsproto.API{
		Model:        "secretsmanager",
		Base:         awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Protocol:     awsproto.JSON11,
		TargetPrefix: "secretsmanager",
		MaxBody:      1 << 20,
		Invalid:      errValidation,
	}
	s.api.Register(
		awsproto.Handle("CreateSecret", s.createSecret),
		awsproto.Handle("GetSecretValue", s.getSecretValue),
		awsproto.Handle("PutSecretValue", s.putSecretValue),
		awsproto.Handle("DescribeSecret", s.describeSecret),
		awsproto.Handle("ListSecrets", s.listSecrets),
		awsproto.Handle("ListSecretVersionIds", s.listSecretVersionIDs),
		awsproto.Handle("UpdateSecret", s.updateSecret),
		awsproto.Handle("DeleteSecret", s.deleteSecret),
		awsproto.Handle("RestoreSecret", s.restoreSecret),
		awsproto.Handle("TagResource", s.tagResource),
		awsproto.Handle("UntagResource", s.untagResource),
		awsproto.Handle("GetRandomPassword", s.getRandomPassword),
		awsproto.Handle("PutResourcePolicy", s.putResourcePolicy),
		awsproto.Handle("GetResourcePolicy", s.getResourcePolicy),
		awsproto.Handle("DeleteResourcePolicy", s.deleteResourcePolicy),
		awsproto.Handle("ValidateResourcePolicy", s.validateResourcePolicy),
		awsproto.Handle("UpdateSecretVersionStage", s.updateSecretVersionStage),
		awsproto.Handle("RotateSecret", s.rotateSecret),
		awsproto.Handle("BatchGetSecretValue", s.batchGetSecretValue),
		awsproto.Handle("ReplicateSecretToRegions", s.replicateSecretToRegions),
		awsproto.Handle("RemoveRegionsFromReplication", s.removeRegionsFromReplication),
		awsproto.Handle("StopReplicationToReplica", s.stopReplicationToReplica),
		awsproto.Handle("CancelRotateSecret", s.cancelRotateSecret),
	)
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

// APIs is the service's API, for the coverage report and the model checks.
func (s *Service) APIs() []*awsproto.API { return []*awsproto.API{&s.api} }

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

// ---- shared wire shapes ----

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
	// ReplicationStatus: CreateSecret's, with AddReplicaRegions.
	ReplicationStatus []replicationStatusOut `json:"ReplicationStatus,omitempty"`
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

// ---- shared request members ----

// tagParam is one member of a Tags list. The model leaves Key optional, but
// a tag without one is refused as a missing member.
type tagParam struct {
	Key   *string `json:"Key" required:"true" min:"1" max:"128"`
	Value *string `json:"Value" max:"256"`
}

// tagList checks a Tags list's length (the emulator's limit of 50 tags a
// secret, stated as a constraint) and returns its tags.
func tagList(in []tagParam) ([]Tag, error) {
	if len(in) > maxTags {
		return nil, awsproto.Constraint(errValidation, "[...]", "tags", awsproto.MaxLength(maxTags))
	}
	out := make([]Tag, len(in))
	for i, t := range in {
		out[i] = Tag{Key: *t.Key, Value: deref(t.Value)}
	}
	return out, nil
}

// validName checks a new secret's name: ASCII letters, digits and /_+=.@-.
func validName(name string) error {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("/_+=.@-", c) >= 0) {
			return errValidation.New(msgInvalidName)
		}
	}
	return nil
}

// token returns the version id: the client's ClientRequestToken or a new UUID.
func (s *Service) token(t *string) string {
	if t == nil {
		return s.env.NewID()
	}
	return *t
}

// secretValue is the SecretString / SecretBinary pair of the inputs that
// carry a value; their lengths are checked by tag where they are embedded.
func secretValue(str *string, bin []byte) (*Value, error) {
	switch {
	case str != nil && bin != nil:
		return nil, errInvalidParameter.New("You can't specify both a binary secret value and a string secret value in the same secret.")
	case str != nil:
		return &Value{String: *str}, nil
	case bin != nil:
		return &Value{Binary: bin, IsBinary: true}, nil
	}
	return nil, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ---- GetRandomPassword ----

type randomPasswordInput struct {
	PasswordLength          *int64  `json:"PasswordLength" min:"1" max:"4096"`
	ExcludeCharacters       *string `json:"ExcludeCharacters" max:"4096"`
	ExcludeNumbers          bool    `json:"ExcludeNumbers"`
	ExcludePunctuation      bool    `json:"ExcludePunctuation"`
	ExcludeUppercase        bool    `json:"ExcludeUppercase"`
	ExcludeLowercase        bool    `json:"ExcludeLowercase"`
	IncludeSpace            bool    `json:"IncludeSpace"`
	RequireEachIncludedType *bool   `json:"RequireEachIncludedType"`
}

type randomPasswordOutput struct {
	RandomPassword string `json:"RandomPassword"`
}

func (s *Service) getRandomPassword(c *awsproto.Call, in *randomPasswordInput) (randomPasswordOutput, error) {
	n := int64(32)
	if in.PasswordLength != nil {
		n = *in.PasswordLength
	}
	pw, err := RandomPassword(PasswordSpec{
		Length: int(n), Exclude: deref(in.ExcludeCharacters),
		NoNumbers: in.ExcludeNumbers, NoPunctuation: in.ExcludePunctuation,
		NoUpper: in.ExcludeUppercase, NoLower: in.ExcludeLowercase, Space: in.IncludeSpace,
		EachType: in.RequireEachIncludedType == nil || *in.RequireEachIncludedType,
	})
	return randomPasswordOutput{pw}, err
}
