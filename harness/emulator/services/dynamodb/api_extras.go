package dynamodb

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Resource-based policies, contributor insights and Kinesis streaming
// destinations: stored and reported, not enforced or delivered.

// policyTable finds the table a policy's ResourceArn (a table's or a
// stream's) belongs to.
func (s *Service) policyTable(arn string) (*table, error) {
	region, name, ok := parseTableARN(arn)
	if !ok {
		return nil, badResourceARN(arn)
	}
	t := s.store.region(region).table(name)
	if t == nil || (arn != t.arn && !strings.HasPrefix(arn, t.arn+"/stream/")) {
		return nil, errResourceNotFound.Errorf("Requested resource not found: Table: %s not found", name)
	}
	return t, nil
}

type putResourcePolicyInput struct {
	ResourceArn                     *string `required:"true" min:"1" max:"1283"`
	Policy                          *string `required:"true"`
	ExpectedRevisionId              *string `min:"1" max:"255"`
	ConfirmRemoveSelfResourceAccess bool
}

type revisionOutput struct {
	RevisionId string `json:",omitempty"`
}

func (s *Service) putResourcePolicy(c *awsproto.Call, in *putResourcePolicyInput) (revisionOutput, error) {
	t, err := s.policyTable(*in.ResourceArn)
	if err != nil {
		return revisionOutput{}, err
	}
	var doc struct{ Statement json.RawMessage }
	if json.Unmarshal([]byte(*in.Policy), &doc) != nil {
		return revisionOutput{}, validationf("One or more parameter values were invalid: Invalid policy document: This policy contains invalid Json")
	}
	if len(doc.Statement) == 0 || string(doc.Statement) == "null" || string(doc.Statement) == "[]" {
		return revisionOutput{}, validationf("One or more parameter values were invalid: Invalid policy document: Could not parse the policy: Statement is empty!")
	}
	rev, err := t.putPolicy(*in.ResourceArn, *in.Policy, deref(in.ExpectedRevisionId))
	return revisionOutput{rev}, err
}

type resourceArnIn struct {
	ResourceArn *string `required:"true" min:"1" max:"1283"`
}

type getResourcePolicyOutput struct {
	Policy     string
	RevisionId string
}

func (s *Service) getResourcePolicy(c *awsproto.Call, in *resourceArnIn) (getResourcePolicyOutput, error) {
	t, err := s.policyTable(*in.ResourceArn)
	if err != nil {
		return getResourcePolicyOutput{}, err
	}
	p, err := t.policyOf(*in.ResourceArn)
	return getResourcePolicyOutput{p.doc, p.revision}, err
}

type deleteResourcePolicyInput struct {
	ResourceArn        *string `required:"true" min:"1" max:"1283"`
	ExpectedRevisionId *string `min:"1" max:"255"`
}

func (s *Service) deleteResourcePolicy(c *awsproto.Call, in *deleteResourcePolicyInput) (revisionOutput, error) {
	t, err := s.policyTable(*in.ResourceArn)
	if err != nil {
		return revisionOutput{}, err
	}
	rev, err := t.deletePolicy(*in.ResourceArn, deref(in.ExpectedRevisionId))
	return revisionOutput{rev}, err
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

type describeContributorInsightsInput struct {
	TableName *string `required:"true" min:"1" max:"1024"`
	IndexName *string `min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
}

type contributorInsightsOutput struct {
	TableName                   string
	IndexName                   string   `json:",omitempty"`
	ContributorInsightsRuleList []string `json:",omitempty"`
	ContributorInsightsStatus   string
	LastUpdateDateTime          *awsproto.Timestamp `json:",omitempty"`
	ContributorInsightsMode     string              `json:",omitempty"`
}

// insightsRules names the CloudWatch rules AWS would make.
func insightsRules(table, index string) []string {
	base := "DynamoDBContributorInsights-"
	if index == "" {
		return []string{base + "PKC-" + table, base + "PKT-" + table, base + "SKC-" + table, base + "SKT-" + table}
	}
	return []string{base + "PKC-" + table + "-" + index, base + "PKT-" + table + "-" + index,
		base + "SKC-" + table + "-" + index, base + "SKT-" + table + "-" + index}
}

func (s *Service) describeContributorInsights(c *awsproto.Call, in *describeContributorInsightsInput) (contributorInsightsOutput, error) {
	t, err := s.tableRef(c, *in.TableName)
	if err != nil {
		return contributorInsightsOutput{}, err
	}
	index := deref(in.IndexName)
	st, err := t.insights(index)
	if err != nil {
		return contributorInsightsOutput{}, err
	}
	out := contributorInsightsOutput{TableName: t.name, IndexName: index, ContributorInsightsStatus: "DISABLED"}
	if !st.updated.IsZero() {
		ts := awsproto.TimestampOf(st.updated)
		out.LastUpdateDateTime = &ts
	}
	if st.enabled {
		out.ContributorInsightsStatus = "ENABLED"
		out.ContributorInsightsRuleList = insightsRules(t.name, index)
		out.ContributorInsightsMode = st.mode
	}
	return out, nil
}

type updateContributorInsightsInput struct {
	TableName                 *string `required:"true" min:"1" max:"1024"`
	IndexName                 *string `min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
	ContributorInsightsAction *string `required:"true" enum:"ENABLE,DISABLE"`
	ContributorInsightsMode   string  `enum:"ACCESSED_AND_THROTTLED_KEYS,THROTTLED_KEYS"`
}

func (s *Service) updateContributorInsights(c *awsproto.Call, in *updateContributorInsightsInput) (contributorInsightsOutput, error) {
	t, err := s.tableRef(c, *in.TableName)
	if err != nil {
		return contributorInsightsOutput{}, err
	}
	enable := *in.ContributorInsightsAction == "ENABLE"
	st, err := t.setInsights(deref(in.IndexName), enable, in.ContributorInsightsMode)
	if err != nil {
		return contributorInsightsOutput{}, err
	}
	out := contributorInsightsOutput{TableName: t.name, IndexName: deref(in.IndexName), ContributorInsightsStatus: "DISABLING"}
	if enable {
		out.ContributorInsightsStatus = "ENABLING"
		out.ContributorInsightsMode = st.mode
	}
	return out, nil
}

type listContributorInsightsInput struct {
	TableName  *string `min:"1" max:"1024"`
	NextToken  *string
	MaxResults *int `max:"100"`
}

type insightsSummary struct {
	TableName                 string
	IndexName                 string `json:",omitempty"`
	ContributorInsightsStatus string
	ContributorInsightsMode   string `json:",omitempty"`
}

type listContributorInsightsOutput struct {
	ContributorInsightsSummaries []insightsSummary
	NextToken                    string `json:",omitempty"`
}

func (s *Service) listContributorInsights(c *awsproto.Call, in *listContributorInsightsInput) (listContributorInsightsOutput, error) {
	var tables []*table
	if in.TableName != nil {
		t, err := s.tableRef(c, *in.TableName)
		if err != nil {
			return listContributorInsightsOutput{}, err
		}
		tables = []*table{t}
	} else {
		r := s.store.region(c.Region)
		for _, n := range r.tableNames() {
			if t := r.table(n); t != nil {
				tables = append(tables, t)
			}
		}
	}
	var all []insightsSummary
	for _, t := range tables {
		m := t.insightsList()
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			st := m[k]
			sum := insightsSummary{TableName: t.name, IndexName: k, ContributorInsightsStatus: "DISABLED"}
			if st.enabled {
				sum.ContributorInsightsStatus, sum.ContributorInsightsMode = "ENABLED", st.mode
			}
			all = append(all, sum)
		}
	}
	start := 0
	if in.NextToken != nil {
		n, err := strconv.Atoi(*in.NextToken)
		if err != nil || n < 0 || n > len(all) {
			return listContributorInsightsOutput{}, validationf("Invalid NextToken")
		}
		start = n
	}
	limit := 100
	if in.MaxResults != nil && *in.MaxResults > 0 {
		limit = *in.MaxResults
	}
	out := listContributorInsightsOutput{ContributorInsightsSummaries: []insightsSummary{}}
	end := min(start+limit, len(all))
	out.ContributorInsightsSummaries = append(out.ContributorInsightsSummaries, all[start:end]...)
	if end < len(all) {
		out.NextToken = strconv.Itoa(end)
	}
	return out, nil
}

type kinesisConfig struct {
	ApproximateCreationDateTimePrecision string `enum:"MILLISECOND,MICROSECOND"`
}

type kinesisDestinationInput struct {
	TableName                           *string `required:"true" min:"1" max:"1024"`
	StreamArn                           *string `required:"true" min:"37" max:"1024"`
	EnableKinesisStreamingConfiguration *kinesisConfig
}

type kinesisDestinationOutput struct {
	TableName                           string
	StreamArn                           string
	DestinationStatus                   string
	EnableKinesisStreamingConfiguration *kinesisConfig `json:",omitempty"`
}

// checkKinesisARN accepts the ARN of a Kinesis data stream.
func checkKinesisARN(arn string) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "kinesis" || !strings.HasPrefix(parts[5], "stream/") {
		return validationf("Invalid StreamArn: %s", arn)
	}
	return nil
}

func (s *Service) kinesisDestination(c *awsproto.Call, in *kinesisDestinationInput, enable bool) (kinesisDestinationOutput, error) {
	t, err := s.namedTable(c, *in.TableName)
	if err != nil {
		return kinesisDestinationOutput{}, err
	}
	if err := checkKinesisARN(*in.StreamArn); err != nil {
		return kinesisDestinationOutput{}, err
	}
	var precision string
	if in.EnableKinesisStreamingConfiguration != nil {
		precision = in.EnableKinesisStreamingConfiguration.ApproximateCreationDateTimePrecision
	}
	d, err := t.setKinesis(*in.StreamArn, enable, false, precision)
	if err != nil {
		return kinesisDestinationOutput{}, err
	}
	out := kinesisDestinationOutput{TableName: t.name, StreamArn: d.arn, DestinationStatus: "DISABLING"}
	if enable {
		out.DestinationStatus = "ENABLING"
	}
	if in.EnableKinesisStreamingConfiguration != nil {
		out.EnableKinesisStreamingConfiguration = &kinesisConfig{d.precision}
	}
	return out, nil
}

func (s *Service) enableKinesisStreamingDestination(c *awsproto.Call, in *kinesisDestinationInput) (kinesisDestinationOutput, error) {
	return s.kinesisDestination(c, in, true)
}

func (s *Service) disableKinesisStreamingDestination(c *awsproto.Call, in *kinesisDestinationInput) (kinesisDestinationOutput, error) {
	return s.kinesisDestination(c, in, false)
}

type updateKinesisStreamingDestinationInput struct {
	TableName                           *string `required:"true" min:"1" max:"1024"`
	StreamArn                           *string `required:"true" min:"37" max:"1024"`
	UpdateKinesisStreamingConfiguration *kinesisConfig
}

type updateKinesisStreamingDestinationOutput struct {
	TableName                           string
	StreamArn                           string
	DestinationStatus                   string
	UpdateKinesisStreamingConfiguration *kinesisConfig `json:",omitempty"`
}

func (s *Service) updateKinesisStreamingDestination(c *awsproto.Call, in *updateKinesisStreamingDestinationInput) (updateKinesisStreamingDestinationOutput, error) {
	t, err := s.namedTable(c, *in.TableName)
	if err != nil {
		return updateKinesisStreamingDestinationOutput{}, err
	}
	if err := checkKinesisARN(*in.StreamArn); err != nil {
		return updateKinesisStreamingDestinationOutput{}, err
	}
	var precision string
	if in.UpdateKinesisStreamingConfiguration != nil {
		precision = in.UpdateKinesisStreamingConfiguration.ApproximateCreationDateTimePrecision
	}
	if precision == "" {
		return updateKinesisStreamingDestinationOutput{}, validationf("Streaming destination cannot be updated with given parameters: UpdateKinesisStreamingConfiguration cannot be null or contain only null values")
	}
	d, err := t.setKinesis(*in.StreamArn, true, true, precision)
	if err != nil {
		return updateKinesisStreamingDestinationOutput{}, err
	}
	return updateKinesisStreamingDestinationOutput{TableName: t.name, StreamArn: d.arn, DestinationStatus: "UPDATING",
		UpdateKinesisStreamingConfiguration: &kinesisConfig{d.precision}}, nil
}

type kinesisDestinationDesc struct {
	StreamArn                            string
	DestinationStatus                    string
	ApproximateCreationDateTimePrecision string
}

type describeKinesisStreamingDestinationOutput struct {
	TableName                     string
	KinesisDataStreamDestinations []kinesisDestinationDesc
}

func (s *Service) describeKinesisStreamingDestination(c *awsproto.Call, in *tableArnIn) (describeKinesisStreamingDestinationOutput, error) {
	t, err := s.tableRef(c, *in.TableName)
	if err != nil {
		return describeKinesisStreamingDestinationOutput{}, err
	}
	list, err := t.kinesisList()
	if err != nil {
		return describeKinesisStreamingDestinationOutput{}, err
	}
	out := describeKinesisStreamingDestinationOutput{TableName: t.name, KinesisDataStreamDestinations: []kinesisDestinationDesc{}}
	for _, d := range list {
		st := "DISABLED"
		if d.enabled {
			st = "ACTIVE"
		}
		out.KinesisDataStreamDestinations = append(out.KinesisDataStreamDestinations, kinesisDestinationDesc{d.arn, st, d.precision})
	}
	return out, nil
}
