package cloudwatch

import (
	"sort"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type streamFilter struct {
	Namespace   *string  `json:"Namespace,omitempty" xml:"Namespace,omitempty" min:"1" max:"255" pattern:"[^:].*"`
	MetricNames []string `json:"MetricNames,omitempty" xml:"MetricNames>member,omitempty"`
}

type streamStatMetric struct {
	Namespace  *string `json:"Namespace" xml:"Namespace" required:"true" min:"1" max:"255" pattern:"[^:].*"`
	MetricName *string `json:"MetricName" xml:"MetricName" required:"true" min:"1" max:"255"`
}

type streamStatsConfig struct {
	IncludeMetrics       []streamStatMetric `json:"IncludeMetrics" xml:"IncludeMetrics>member" required:"true"`
	AdditionalStatistics []string           `json:"AdditionalStatistics" xml:"AdditionalStatistics>member" required:"true"`
}

type putMetricStreamInput struct {
	Name                         *string             `json:"Name" required:"true" min:"1" max:"255"`
	IncludeFilters               []streamFilter      `json:"IncludeFilters"`
	ExcludeFilters               []streamFilter      `json:"ExcludeFilters"`
	FirehoseArn                  *string             `json:"FirehoseArn" required:"true" min:"1" max:"1024"`
	RoleArn                      *string             `json:"RoleArn" required:"true" min:"1" max:"1024"`
	OutputFormat                 *string             `json:"OutputFormat" required:"true" min:"1" max:"255" enum:"json,opentelemetry0.7,opentelemetry1.0"`
	Tags                         []tag               `json:"Tags"`
	StatisticsConfigurations     []streamStatsConfig `json:"StatisticsConfigurations"`
	IncludeLinkedAccountsMetrics *bool               `json:"IncludeLinkedAccountsMetrics"`
}

type putMetricStreamOutput struct {
	Arn string `json:"Arn,omitempty" xml:"Arn,omitempty"`
}

// maxStreamFilters is AWS's limit on include or exclude filters.
const maxStreamFilters = 1000

func checkARN(arn, service, member string) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != service || parts[5] == "" {
		return errInvalidParameter.Errorf("The value %s for parameter %s is not a valid ARN.", arn, member)
	}
	return nil
}

func (s *Service) putMetricStream(c *awsproto.Call, in *putMetricStreamInput) (putMetricStreamOutput, error) {
	if len(in.IncludeFilters) > 0 && len(in.ExcludeFilters) > 0 {
		return putMetricStreamOutput{}, errInvalidCombination.New("The parameters IncludeFilters and ExcludeFilters are mutually exclusive and you have specified both.")
	}
	if len(in.IncludeFilters) > maxStreamFilters || len(in.ExcludeFilters) > maxStreamFilters {
		return putMetricStreamOutput{}, errInvalidParameter.Errorf("A metric stream takes at most %d filters.", maxStreamFilters)
	}
	if err := checkARN(*in.FirehoseArn, "firehose", "FirehoseArn"); err != nil {
		return putMetricStreamOutput{}, err
	}
	if err := checkARN(*in.RoleArn, "iam", "RoleArn"); err != nil {
		return putMetricStreamOutput{}, err
	}
	m := &MetricStream{Name: *in.Name, Region: c.Region, FirehoseARN: *in.FirehoseArn, RoleARN: *in.RoleArn,
		OutputFormat: *in.OutputFormat, LinkedAccounts: in.IncludeLinkedAccountsMetrics != nil && *in.IncludeLinkedAccountsMetrics}
	conv := func(fs []streamFilter) ([]StreamFilter, error) {
		var out []StreamFilter
		for _, f := range fs {
			if f.Namespace == nil && len(f.MetricNames) > 0 {
				return nil, errInvalidParameter.New("A filter with MetricNames must name its Namespace.")
			}
			out = append(out, StreamFilter{Namespace: deref(f.Namespace), MetricNames: f.MetricNames})
		}
		return out, nil
	}
	var err error
	if m.Include, err = conv(in.IncludeFilters); err != nil {
		return putMetricStreamOutput{}, err
	}
	if m.Exclude, err = conv(in.ExcludeFilters); err != nil {
		return putMetricStreamOutput{}, err
	}
	for _, sc := range in.StatisticsConfigurations {
		st := StreamStatistics{Statistics: sc.AdditionalStatistics}
		for _, x := range sc.AdditionalStatistics {
			if _, ok := percentile(x); !ok {
				return putMetricStreamOutput{}, errInvalidParameter.Errorf("The value %s for parameter StatisticsConfigurations.AdditionalStatistics is not supported.", x)
			}
		}
		for _, im := range sc.IncludeMetrics {
			st.Metrics = append(st.Metrics, [2]string{*im.Namespace, *im.MetricName})
		}
		m.Statistics = append(m.Statistics, st)
	}
	arn, err := s.resources.PutMetricStream(m, tagMap(in.Tags), s.clock.Now())
	return putMetricStreamOutput{Arn: arn}, err
}

type streamNameInput struct {
	Name *string `json:"Name" required:"true" min:"1" max:"255"`
}

type streamFilterOut struct {
	Namespace   string   `json:"Namespace,omitempty" xml:"Namespace,omitempty"`
	MetricNames []string `json:"MetricNames" xml:"MetricNames>member"`
}

type streamStatMetricOut struct {
	Namespace  string `json:"Namespace" xml:"Namespace"`
	MetricName string `json:"MetricName" xml:"MetricName"`
}

type streamStatsOut struct {
	IncludeMetrics       []streamStatMetricOut `json:"IncludeMetrics" xml:"IncludeMetrics>member"`
	AdditionalStatistics []string              `json:"AdditionalStatistics" xml:"AdditionalStatistics>member"`
}

type getMetricStreamOutput struct {
	Arn                          string              `json:"Arn" xml:"Arn"`
	Name                         string              `json:"Name" xml:"Name"`
	IncludeFilters               []streamFilterOut   `json:"IncludeFilters" xml:"IncludeFilters>member"`
	ExcludeFilters               []streamFilterOut   `json:"ExcludeFilters" xml:"ExcludeFilters>member"`
	FirehoseArn                  string              `json:"FirehoseArn" xml:"FirehoseArn"`
	RoleArn                      string              `json:"RoleArn" xml:"RoleArn"`
	State                        string              `json:"State" xml:"State"`
	CreationDate                 *awsproto.Timestamp `json:"CreationDate" xml:"CreationDate"`
	LastUpdateDate               *awsproto.Timestamp `json:"LastUpdateDate" xml:"LastUpdateDate"`
	OutputFormat                 string              `json:"OutputFormat" xml:"OutputFormat"`
	StatisticsConfigurations     []streamStatsOut    `json:"StatisticsConfigurations" xml:"StatisticsConfigurations>member"`
	IncludeLinkedAccountsMetrics bool                `json:"IncludeLinkedAccountsMetrics" xml:"IncludeLinkedAccountsMetrics"`
}

func filtersOut(fs []StreamFilter) []streamFilterOut {
	out := make([]streamFilterOut, 0, len(fs))
	for _, f := range fs {
		out = append(out, streamFilterOut{Namespace: f.Namespace, MetricNames: orEmpty(f.MetricNames)})
	}
	return out
}

func (s *Service) getMetricStream(c *awsproto.Call, in *streamNameInput) (getMetricStreamOutput, error) {
	m, err := s.resources.MetricStream(c.Region, *in.Name)
	if err != nil {
		return getMetricStreamOutput{}, err
	}
	out := getMetricStreamOutput{Arn: m.ARN, Name: m.Name, IncludeFilters: filtersOut(m.Include), ExcludeFilters: filtersOut(m.Exclude),
		FirehoseArn: m.FirehoseARN, RoleArn: m.RoleARN, State: m.State, CreationDate: ts(m.Created), LastUpdateDate: ts(m.Updated),
		OutputFormat: m.OutputFormat, StatisticsConfigurations: []streamStatsOut{}, IncludeLinkedAccountsMetrics: m.LinkedAccounts}
	for _, st := range m.Statistics {
		o := streamStatsOut{AdditionalStatistics: orEmpty(st.Statistics), IncludeMetrics: []streamStatMetricOut{}}
		for _, x := range st.Metrics {
			o.IncludeMetrics = append(o.IncludeMetrics, streamStatMetricOut{x[0], x[1]})
		}
		out.StatisticsConfigurations = append(out.StatisticsConfigurations, o)
	}
	return out, nil
}

type listMetricStreamsInput struct {
	NextToken  *string `json:"NextToken"`
	MaxResults *int    `json:"MaxResults" min:"1" max:"500"`
}

type streamEntry struct {
	Arn            string              `json:"Arn" xml:"Arn"`
	CreationDate   *awsproto.Timestamp `json:"CreationDate" xml:"CreationDate"`
	LastUpdateDate *awsproto.Timestamp `json:"LastUpdateDate" xml:"LastUpdateDate"`
	Name           string              `json:"Name" xml:"Name"`
	FirehoseArn    string              `json:"FirehoseArn" xml:"FirehoseArn"`
	State          string              `json:"State" xml:"State"`
	OutputFormat   string              `json:"OutputFormat" xml:"OutputFormat"`
}

type listMetricStreamsOutput struct {
	NextToken string        `json:"NextToken,omitempty" xml:"NextToken,omitempty"`
	Entries   []streamEntry `json:"Entries" xml:"Entries>member"`
}

func (s *Service) listMetricStreams(c *awsproto.Call, in *listMetricStreamsInput) (listMetricStreamsOutput, error) {
	out := listMetricStreamsOutput{Entries: []streamEntry{}}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return out, err
	}
	list := s.resources.MetricStreams(c.Region)
	max := 500
	if in.MaxResults != nil {
		max = *in.MaxResults
	}
	i := sort.Search(len(list), func(i int) bool { return after == "" || list[i].Name > after })
	for ; i < len(list) && len(out.Entries) < max; i++ {
		m := list[i]
		out.Entries = append(out.Entries, streamEntry{Arn: m.ARN, CreationDate: ts(m.Created), LastUpdateDate: ts(m.Updated),
			Name: m.Name, FirehoseArn: m.FirehoseARN, State: m.State, OutputFormat: m.OutputFormat})
	}
	if i < len(list) {
		out.NextToken = encodeToken(list[i-1].Name)
	}
	return out, nil
}

func (s *Service) deleteMetricStream(c *awsproto.Call, in *streamNameInput) (struct{}, error) {
	s.resources.DeleteMetricStream(c.Region, *in.Name)
	return struct{}{}, nil
}

type streamNamesInput struct {
	Names []string `json:"Names" required:"true"`
}

func (s *Service) checkStreamNames(names []string) error {
	for _, n := range names {
		if n == "" || len(n) > 255 {
			return errInvalidParameter.Errorf("The value %s for parameter Names is not valid.", n)
		}
	}
	return nil
}

func (s *Service) startMetricStreams(c *awsproto.Call, in *streamNamesInput) (struct{}, error) {
	if err := s.checkStreamNames(in.Names); err != nil {
		return struct{}{}, err
	}
	s.resources.SetStreamsState(c.Region, in.Names, streamRunning, s.clock.Now())
	return struct{}{}, nil
}

func (s *Service) stopMetricStreams(c *awsproto.Call, in *streamNamesInput) (struct{}, error) {
	if err := s.checkStreamNames(in.Names); err != nil {
		return struct{}{}, err
	}
	s.resources.SetStreamsState(c.Region, in.Names, streamStopped, s.clock.Now())
	return struct{}{}, nil
}

// ---- OTel enrichment

type otelStatusOutput struct {
	Status string `json:"Status" xml:"Status"`
}

func (s *Service) getOTelEnrichment(c *awsproto.Call, _ *struct{}) (otelStatusOutput, error) {
	if s.resources.OTel(c.Region) {
		return otelStatusOutput{Status: otelRunning}, nil
	}
	return otelStatusOutput{Status: otelStopped}, nil
}

func (s *Service) startOTelEnrichment(c *awsproto.Call, _ *struct{}) (struct{}, error) {
	s.resources.SetOTel(c.Region, true)
	return struct{}{}, nil
}

func (s *Service) stopOTelEnrichment(c *awsproto.Call, _ *struct{}) (struct{}, error) {
	s.resources.SetOTel(c.Region, false)
	return struct{}{}, nil
}
