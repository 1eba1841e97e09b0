package logs

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- inputs: members and constraints as the model states them ----

type createLogGroupInput struct {
	groupRef
	KmsKeyId      string            `json:"kmsKeyId" max:"256"`
	Tags          map[string]string `json:"tags" min:"1" max:"50"`
	LogGroupClass string            `json:"logGroupClass" enum:"STANDARD,INFREQUENT_ACCESS,DELIVERY"`
	// DeletionProtectionEnabled starts the group protected, as
	// PutLogGroupDeletionProtection would.
	DeletionProtectionEnabled bool `json:"deletionProtectionEnabled"`
}

type describeLogGroupsInput struct {
	LogGroupNamePrefix  *string `json:"logGroupNamePrefix" min:"1" max:"512" pattern:"[\\.\\-_/#A-Za-z0-9]+"`
	LogGroupNamePattern string  `json:"logGroupNamePattern" max:"512" pattern:"[\\.\\-_/#A-Za-z0-9]*"`
	NextToken           *string `json:"nextToken" min:"1"`
	Limit               *int32  `json:"limit" min:"1" max:"50"`
	// Cross-account observability: checked against the model; this account
	// is the only one there is.
	AccountIdentifiers    []string `json:"accountIdentifiers" max:"20"`
	IncludeLinkedAccounts *bool    `json:"includeLinkedAccounts"`
	LogGroupClass         string   `json:"logGroupClass" enum:"STANDARD,INFREQUENT_ACCESS,DELIVERY"`
	LogGroupIdentifiers   []string `json:"logGroupIdentifiers" min:"1" max:"50"`
}

// Validate: a prefix or a pattern, not both.
func (in *describeLogGroupsInput) Validate() error {
	if deref(in.LogGroupNamePrefix) != "" && in.LogGroupNamePattern != "" {
		return errInvalidParameter.New("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	}
	return nil
}

// retentionDays are the values PutRetentionPolicy accepts.
var retentionDays = []int32{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

type putRetentionPolicyInput struct {
	groupRef
	RetentionInDays *int32 `json:"retentionInDays" required:"true"`
}

// Validate: one of the periods CloudWatch Logs offers (the model lists none).
func (in *putRetentionPolicyInput) Validate() error {
	if slices.Contains(retentionDays, *in.RetentionInDays) {
		return nil
	}
	set := make([]string, len(retentionDays))
	for i, d := range retentionDays {
		set[i] = strconv.Itoa(int(d))
	}
	return awsproto.Constraint(errInvalidParameter, strconv.Itoa(int(*in.RetentionInDays)), "retentionInDays", awsproto.EnumSet(set...))
}

type tagLogGroupInput struct {
	groupRef
	Tags map[string]string `json:"tags" required:"true" min:"1" max:"50"`
}

type untagLogGroupInput struct {
	groupRef
	Tags []string `json:"tags" required:"true" min:"1"`
}

// resourceRef names a log group by ARN (the tagging API of every resource).
type resourceRef struct {
	ResourceArn string `json:"resourceArn" required:"true" min:"1" max:"1011" pattern:"[\\w+=/:,.@-]*"`
}

// Validate: an ARN of a log group (or of a configuration resource,
// api_deliveries.go).
func (r resourceRef) Validate() error {
	if _, _, _, ok := configARN(r.ResourceArn); ok {
		return nil
	}
	if _, _, ok := parseGroupARN(r.ResourceArn); !ok {
		return errInvalidParameter.Errorf("Invalid resource ARN: %s", r.ResourceArn)
	}
	return nil
}

// group finds the log group the ARN names, in the ARN's region.
func (r resourceRef) group(s *Store) (*Group, error) {
	region, name, _ := parseGroupARN(r.ResourceArn)
	return s.Group(region, name)
}

type tagResourceInput struct {
	resourceRef
	Tags map[string]string `json:"tags" required:"true" min:"1" max:"50"`
}

type untagResourceInput struct {
	resourceRef
	TagKeys []string `json:"tagKeys" required:"true" max:"50"`
}

// ---- outputs ----

type logGroupOut struct {
	LogGroupName      string `json:"logGroupName"`
	CreationTime      int64  `json:"creationTime"`
	RetentionInDays   int32  `json:"retentionInDays,omitempty"`
	MetricFilterCount int    `json:"metricFilterCount"`
	Arn               string `json:"arn"`
	StoredBytes       int64  `json:"storedBytes"`
	LogGroupClass     string `json:"logGroupClass"`
	LogGroupArn       string `json:"logGroupArn"`
	// settings of api_policies.go and api_filters.go
	KmsKeyId                  string `json:"kmsKeyId,omitempty"`
	DataProtectionStatus      string `json:"dataProtectionStatus,omitempty"`
	DeletionProtectionEnabled bool   `json:"deletionProtectionEnabled"`
}

type describeLogGroupsOutput struct {
	LogGroups []logGroupOut `json:"logGroups"`
	NextToken string        `json:"nextToken,omitempty"`
}

type tagsOutput struct {
	Tags map[string]string `json:"tags"`
}

// ---- groups ----

func (s *Service) createLogGroup(c *awsproto.Call, in *createLogGroupInput) (struct{}, error) {
	return struct{}{}, s.store.CreateGroup(c.Region, in.LogGroupName, in.Tags, in.DeletionProtectionEnabled)
}

func (s *Service) deleteLogGroup(c *awsproto.Call, in *groupRef) (struct{}, error) {
	return struct{}{}, s.store.DeleteGroup(c.Region, in.LogGroupName)
}

func (s *Service) describeLogGroups(c *awsproto.Call, in *describeLogGroupsInput) (describeLogGroupsOutput, error) {
	prefix := deref(in.LogGroupNamePrefix)
	match := func(name string) bool { return strings.HasPrefix(name, prefix) }
	if in.LogGroupNamePattern != "" {
		pat := strings.ToLower(in.LogGroupNamePattern)
		match = func(name string) bool { return strings.Contains(strings.ToLower(name), pat) }
	}
	if in.LogGroupIdentifiers != nil {
		want := map[string]bool{}
		for _, id := range in.LogGroupIdentifiers {
			if _, n, ok := parseGroupARN(id); ok {
				want[n] = true
			} else {
				want[id] = true
			}
		}
		match = func(name string) bool { return want[name] }
	}
	after := ""
	if in.NextToken != nil {
		b, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		if err != nil || len(b) == 0 {
			return describeLogGroupsOutput{}, badToken()
		}
		after = string(b)
	}
	groups, more := s.store.Groups(c.Region, match, after, limitOr(in.Limit, 50))
	out := describeLogGroupsOutput{LogGroups: make([]logGroupOut, 0, len(groups))}
	for _, g := range groups {
		gi := g.Info()
		arn := s.groupARN(c.Region, gi.Name)
		out.LogGroups = append(out.LogGroups, logGroupOut{
			LogGroupName: gi.Name, CreationTime: gi.Created, RetentionInDays: gi.Retention,
			Arn: arn + ":*", LogGroupArn: arn, StoredBytes: gi.StoredBytes, LogGroupClass: "STANDARD",
			KmsKeyId: gi.KMSKey, MetricFilterCount: gi.MetricFilters, DeletionProtectionEnabled: gi.Protected,
		})
		if gi.DataProtection {
			out.LogGroups[len(out.LogGroups)-1].DataProtectionStatus = "ACTIVATED"
		}
	}
	if more && len(groups) > 0 {
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(groups[len(groups)-1].Name))
	}
	return out, nil
}

func limitOr(limit *int32, def int) int {
	if limit == nil {
		return def
	}
	return int(*limit)
}

func (s *Service) putRetentionPolicy(c *awsproto.Call, in *putRetentionPolicyInput) (struct{}, error) {
	g, err := s.store.Group(c.Region, in.LogGroupName)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, g.SetRetention(*in.RetentionInDays)
}

func (s *Service) deleteRetentionPolicy(c *awsproto.Call, in *groupRef) (struct{}, error) {
	g, err := s.store.Group(c.Region, in.LogGroupName)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, g.SetRetention(0)
}

// ---- tags ----

func (s *Service) tagLogGroup(c *awsproto.Call, in *tagLogGroupInput) (struct{}, error) {
	g, err := s.store.Group(c.Region, in.LogGroupName)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, g.Tag(in.Tags)
}

func (s *Service) untagLogGroup(c *awsproto.Call, in *untagLogGroupInput) (struct{}, error) {
	g, err := s.store.Group(c.Region, in.LogGroupName)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, g.Untag(in.Tags)
}

func (s *Service) listTagsLogGroup(c *awsproto.Call, in *groupRef) (tagsOutput, error) {
	g, err := s.store.Group(c.Region, in.LogGroupName)
	if err != nil {
		return tagsOutput{}, err
	}
	return tagsOutput{Tags: g.Tags()}, nil
}

func (s *Service) tagResource(c *awsproto.Call, in *tagResourceInput) (struct{}, error) {
	if ok, err := s.tagConfig(in.ResourceArn, in.Tags, nil); ok {
		return struct{}{}, err
	}
	g, err := in.group(s.store)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, g.Tag(in.Tags)
}

func (s *Service) untagResource(c *awsproto.Call, in *untagResourceInput) (struct{}, error) {
	if ok, err := s.tagConfig(in.ResourceArn, nil, in.TagKeys); ok {
		return struct{}{}, err
	}
	g, err := in.group(s.store)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, g.Untag(in.TagKeys)
}

func (s *Service) listTagsForResource(c *awsproto.Call, in *resourceRef) (tagsOutput, error) {
	if tags, ok, err := s.configTags(in.ResourceArn); ok {
		return tagsOutput{Tags: tags}, err
	}
	g, err := in.group(s.store)
	if err != nil {
		return tagsOutput{}, err
	}
	return tagsOutput{Tags: g.Tags()}, nil
}

// deref is the string p points at, or "".
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
