package cloudwatch

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type putInsightRuleInput struct {
	RuleName               *string `json:"RuleName" required:"true" min:"1" max:"128" pattern:"[\\x20-\\x7E]+"`
	RuleState              *string `json:"RuleState" min:"1" max:"32" pattern:"[\\x20-\\x7E]+"`
	RuleDefinition         *string `json:"RuleDefinition" required:"true" min:"1" max:"8192" pattern:"[\\x00-\\x7F]+"`
	Tags                   []tag   `json:"Tags"`
	ApplyOnTransformedLogs *bool   `json:"ApplyOnTransformedLogs"`
}

// insightSchema is the one rule schema AWS takes.
const insightSchema = "CloudWatchLogRule/1"

// checkRuleDefinition validates a Contributor Insights rule as AWS does:
// Schema CloudWatchLogRule version 1, LogGroupNames or LogGroupARNs, a
// LogFormat of JSON or CLF, Contribution with 1 to 4 Keys, and
// AggregateOn Count or Sum (Sum needs Contribution.ValueOf).
func checkRuleDefinition(def string) error {
	var d struct {
		Schema *struct {
			Name    string
			Version json.Number
		}
		LogGroupNames []string
		LogGroupARNs  []string
		LogFormat     string
		Contribution  *struct {
			Keys    []string
			ValueOf string
			Filters []json.RawMessage
		}
		AggregateOn string
	}
	bad := func(why string) error {
		return errInvalidParameter.New("The rule definition is invalid: " + why)
	}
	if err := json.Unmarshal([]byte(def), &d); err != nil {
		return bad("not a valid JSON object")
	}
	switch {
	case d.Schema == nil || d.Schema.Name != "CloudWatchLogRule" || d.Schema.Version.String() != "1":
		return bad("Schema must be {\"Name\": \"CloudWatchLogRule\", \"Version\": 1}")
	case len(d.LogGroupNames) == 0 && len(d.LogGroupARNs) == 0:
		return bad("LogGroupNames must name at least one log group")
	case d.LogFormat != "JSON" && d.LogFormat != "CLF":
		return bad("LogFormat must be JSON or CLF")
	case d.Contribution == nil || len(d.Contribution.Keys) == 0 || len(d.Contribution.Keys) > 4:
		return bad("Contribution.Keys must hold 1 to 4 keys")
	case d.AggregateOn != "Count" && d.AggregateOn != "Sum":
		return bad("AggregateOn must be Count or Sum")
	case d.AggregateOn == "Sum" && d.Contribution.ValueOf == "":
		return bad("Contribution.ValueOf is required when AggregateOn is Sum")
	}
	return nil
}

func ruleState(p *string) (string, error) {
	if p == nil {
		return insightEnabled, nil
	}
	switch st := strings.ToUpper(*p); st {
	case insightEnabled, insightDisabled:
		return st, nil
	}
	return "", errInvalidParameter.Errorf("The value %s for parameter RuleState is not valid: it must be ENABLED or DISABLED.", *p)
}

func (s *Service) putInsightRule(c *awsproto.Call, in *putInsightRuleInput) (struct{}, error) {
	state, err := ruleState(in.RuleState)
	if err != nil {
		return struct{}{}, err
	}
	if err := checkRuleDefinition(*in.RuleDefinition); err != nil {
		return struct{}{}, err
	}
	ir := &InsightRule{Name: *in.RuleName, Region: c.Region, State: state, Definition: *in.RuleDefinition,
		OnTransformedLogs: in.ApplyOnTransformedLogs != nil && *in.ApplyOnTransformedLogs}
	return struct{}{}, s.resources.PutInsightRule(ir, tagMap(in.Tags))
}

type describeInsightRulesInput struct {
	NextToken  *string `json:"NextToken"`
	MaxResults *int    `json:"MaxResults" min:"1" max:"500"`
}

type insightRuleOut struct {
	Name                   string `json:"Name" xml:"Name"`
	State                  string `json:"State" xml:"State"`
	Schema                 string `json:"Schema" xml:"Schema"`
	Definition             string `json:"Definition" xml:"Definition"`
	ManagedRule            bool   `json:"ManagedRule" xml:"ManagedRule"`
	ApplyOnTransformedLogs bool   `json:"ApplyOnTransformedLogs" xml:"ApplyOnTransformedLogs"`
}

type describeInsightRulesOutput struct {
	NextToken    string           `json:"NextToken,omitempty" xml:"NextToken,omitempty"`
	InsightRules []insightRuleOut `json:"InsightRules" xml:"InsightRules>member"`
}

func (s *Service) describeInsightRules(c *awsproto.Call, in *describeInsightRulesInput) (describeInsightRulesOutput, error) {
	out := describeInsightRulesOutput{InsightRules: []insightRuleOut{}}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return out, err
	}
	list := s.resources.InsightRules(c.Region)
	max := 500
	if in.MaxResults != nil {
		max = *in.MaxResults
	}
	i := sort.Search(len(list), func(i int) bool { return after == "" || list[i].Name > after })
	for ; i < len(list) && len(out.InsightRules) < max; i++ {
		ir := list[i]
		out.InsightRules = append(out.InsightRules, insightRuleOut{Name: ir.Name, State: ir.State, Schema: insightSchema,
			Definition: ir.Definition, ManagedRule: ir.Managed, ApplyOnTransformedLogs: ir.OnTransformedLogs})
	}
	if i < len(list) {
		out.NextToken = encodeToken(list[i-1].Name)
	}
	return out, nil
}

type ruleNamesInput struct {
	RuleNames []string `json:"RuleNames" required:"true"`
}

type partialFailure struct {
	FailureResource    string `json:"FailureResource,omitempty" xml:"FailureResource,omitempty"`
	ExceptionType      string `json:"ExceptionType,omitempty" xml:"ExceptionType,omitempty"`
	FailureCode        string `json:"FailureCode,omitempty" xml:"FailureCode,omitempty"`
	FailureDescription string `json:"FailureDescription,omitempty" xml:"FailureDescription,omitempty"`
}

type batchOutput struct {
	Failures []partialFailure `json:"Failures" xml:"Failures>member"`
}

func (s *Service) updateRules(c *awsproto.Call, names []string, state string) (batchOutput, error) {
	out := batchOutput{Failures: []partialFailure{}}
	for _, n := range names {
		if n == "" || len(n) > 128 {
			return out, errInvalidParameter.Errorf("The value %s for parameter RuleNames is not valid.", n)
		}
	}
	for _, n := range s.resources.UpdateInsightRules(c.Region, names, state) {
		out.Failures = append(out.Failures, partialFailure{FailureResource: n, ExceptionType: "ResourceNotFoundException",
			FailureCode: "404", FailureDescription: "Rule " + n + " does not exist."})
	}
	return out, nil
}

func (s *Service) enableInsightRules(c *awsproto.Call, in *ruleNamesInput) (batchOutput, error) {
	return s.updateRules(c, in.RuleNames, insightEnabled)
}

func (s *Service) disableInsightRules(c *awsproto.Call, in *ruleNamesInput) (batchOutput, error) {
	return s.updateRules(c, in.RuleNames, insightDisabled)
}

func (s *Service) deleteInsightRules(c *awsproto.Call, in *ruleNamesInput) (batchOutput, error) {
	return s.updateRules(c, in.RuleNames, "")
}

type getInsightRuleReportInput struct {
	RuleName            *string             `json:"RuleName" required:"true" min:"1" max:"128" pattern:"[\\x20-\\x7E]+"`
	StartTime           *awsproto.Timestamp `json:"StartTime" required:"true"`
	EndTime             *awsproto.Timestamp `json:"EndTime" required:"true"`
	Period              *int                `json:"Period" required:"true" min:"1"`
	MaxContributorCount *int                `json:"MaxContributorCount"`
	Metrics             []string            `json:"Metrics"`
	OrderBy             *string             `json:"OrderBy" min:"1" max:"32" pattern:"[\\x20-\\x7E]+"`
}

type getInsightRuleReportOutput struct {
	KeyLabels              []string   `json:"KeyLabels" xml:"KeyLabels>member"`
	AggregationStatistic   string     `json:"AggregationStatistic" xml:"AggregationStatistic"`
	AggregateValue         float64    `json:"AggregateValue" xml:"AggregateValue"`
	ApproximateUniqueCount int64      `json:"ApproximateUniqueCount" xml:"ApproximateUniqueCount"`
	Contributors           []struct{} `json:"Contributors" xml:"Contributors>member"`
	MetricDatapoints       []struct{} `json:"MetricDatapoints" xml:"MetricDatapoints>member"`
}

// insightMetrics are the metrics GetInsightRuleReport takes.
var insightMetrics = map[string]bool{"UniqueContributors": true, "MaxContributorValue": true, "SampleCount": true,
	"Sum": true, "Minimum": true, "Maximum": true, "Average": true}

// getInsightRuleReport answers an empty report: CloudWatch Logs has no link
// that lets rules read its events, so no contributor is ever seen.
func (s *Service) getInsightRuleReport(c *awsproto.Call, in *getInsightRuleReportInput) (getInsightRuleReportOutput, error) {
	out := getInsightRuleReportOutput{KeyLabels: []string{}, Contributors: []struct{}{}, MetricDatapoints: []struct{}{}}
	if !in.StartTime.Time().Before(in.EndTime.Time()) {
		return out, errInvalidParameter.New("The parameter StartTime must be less than the parameter EndTime.")
	}
	if err := checkPeriod(*in.Period, "Period"); err != nil {
		return out, err
	}
	for _, m := range in.Metrics {
		if !insightMetrics[m] {
			return out, errInvalidParameter.Errorf("The value %s for parameter Metrics is not supported.", m)
		}
	}
	ir, ok := s.resources.InsightRule(c.Region, *in.RuleName)
	if !ok {
		return out, notFound("InsightRule", *in.RuleName, "Rule "+*in.RuleName+" does not exist.")
	}
	var d struct {
		Contribution struct{ Keys []string }
		AggregateOn  string
	}
	_ = json.Unmarshal([]byte(ir.Definition), &d)
	out.KeyLabels = orEmpty(d.Contribution.Keys)
	out.AggregationStatistic = strings.ToLower(d.AggregateOn)
	return out, nil
}

// ---- managed rules

type managedRuleIn struct {
	TemplateName *string `json:"TemplateName" required:"true" min:"1" max:"128" pattern:"[0-9A-Za-z][\\-\\.\\_0-9A-Za-z]{0,126}[0-9A-Za-z]"`
	ResourceARN  *string `json:"ResourceARN" required:"true" min:"1" max:"1024"`
	Tags         []tag   `json:"Tags"`
}

type putManagedInsightRulesInput struct {
	ManagedRules []managedRuleIn `json:"ManagedRules" required:"true"`
}

// managedTemplates are the managed rule templates, by the service whose
// resources they watch (DynamoDB's Contributor Insights).
var managedTemplates = map[string]string{
	"DynamoDBContributorInsights-PKC":                  "dynamodb",
	"DynamoDBContributorInsights-PKT":                  "dynamodb",
	"DynamoDBContributorInsights-SKC":                  "dynamodb",
	"DynamoDBContributorInsights-SKT":                  "dynamodb",
	"VpcEndpointService-NewConnectionsByEndpointId-v1": "ec2",
	"VpcEndpointService-BytesByEndpointId-v1":          "ec2",
}

func (s *Service) putManagedInsightRules(c *awsproto.Call, in *putManagedInsightRulesInput) (batchOutput, error) {
	out := batchOutput{Failures: []partialFailure{}}
	for _, mr := range in.ManagedRules {
		svc, known := managedTemplates[*mr.TemplateName]
		parts := strings.SplitN(*mr.ResourceARN, ":", 6)
		if !known || len(parts) != 6 || parts[0] != "arn" || parts[2] != svc {
			out.Failures = append(out.Failures, partialFailure{FailureResource: *mr.ResourceARN, ExceptionType: "InvalidParameterValueException",
				FailureCode: "400", FailureDescription: "Template " + *mr.TemplateName + " does not apply to resource " + *mr.ResourceARN + "."})
			continue
		}
		name := *mr.TemplateName + "-" + lastPart(*mr.ResourceARN)
		if len(name) > 128 {
			name = name[:128]
		}
		ir := &InsightRule{Name: name, Region: c.Region, State: insightEnabled, Managed: true, Template: *mr.TemplateName,
			ResourceARN: *mr.ResourceARN,
			Definition:  `{"Schema":{"Name":"CloudWatchLogRule","Version":1},"AggregateOn":"Count","Contribution":{"Keys":["$.resource"],"Filters":[]},"LogFormat":"JSON","LogGroupNames":[]}`}
		if err := s.resources.PutInsightRule(ir, tagMap(mr.Tags)); err != nil {
			return out, err
		}
	}
	return out, nil
}

func lastPart(arn string) string {
	if i := strings.LastIndexAny(arn, "/:"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

type listManagedInsightRulesInput struct {
	ResourceARN *string `json:"ResourceARN" required:"true" min:"1" max:"1024"`
	NextToken   *string `json:"NextToken"`
	MaxResults  *int    `json:"MaxResults" min:"1" max:"500"`
}

type managedRuleStateOut struct {
	RuleName string `json:"RuleName" xml:"RuleName"`
	State    string `json:"State" xml:"State"`
}

type managedRuleOut struct {
	TemplateName string               `json:"TemplateName" xml:"TemplateName"`
	ResourceARN  string               `json:"ResourceARN" xml:"ResourceARN"`
	RuleState    *managedRuleStateOut `json:"RuleState,omitempty" xml:"RuleState,omitempty"`
}

type listManagedInsightRulesOutput struct {
	ManagedRules []managedRuleOut `json:"ManagedRules" xml:"ManagedRules>member"`
	NextToken    string           `json:"NextToken,omitempty" xml:"NextToken,omitempty"`
}

// listManagedInsightRules lists the templates that apply to a resource,
// with the state of the rule made from each one that is in use.
func (s *Service) listManagedInsightRules(c *awsproto.Call, in *listManagedInsightRulesInput) (listManagedInsightRulesOutput, error) {
	out := listManagedInsightRulesOutput{ManagedRules: []managedRuleOut{}}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return out, err
	}
	parts := strings.SplitN(*in.ResourceARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return out, errInvalidParameter.Errorf("The value %s for parameter ResourceARN is not a valid ARN.", *in.ResourceARN)
	}
	used := map[string]InsightRule{}
	for _, ir := range s.resources.ManagedRules(c.Region, *in.ResourceARN) {
		used[ir.Template] = ir
	}
	var names []string
	for t, svc := range managedTemplates {
		if svc == parts[2] {
			names = append(names, t)
		}
	}
	sort.Strings(names)
	max := 500
	if in.MaxResults != nil {
		max = *in.MaxResults
	}
	i := sort.SearchStrings(names, after)
	if after != "" && i < len(names) && names[i] == after {
		i++
	}
	for ; i < len(names) && len(out.ManagedRules) < max; i++ {
		o := managedRuleOut{TemplateName: names[i], ResourceARN: *in.ResourceARN}
		if ir, ok := used[names[i]]; ok {
			o.RuleState = &managedRuleStateOut{RuleName: ir.Name, State: ir.State}
		}
		out.ManagedRules = append(out.ManagedRules, o)
	}
	if i < len(names) {
		out.NextToken = encodeToken(names[i-1])
	}
	return out, nil
}
