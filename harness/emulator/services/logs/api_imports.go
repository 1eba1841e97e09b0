package logs

import (
	"sort"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- import tasks (from CloudTrail Lake event data stores) ----

type importFilter struct {
	StartEventTime *int64 `json:"startEventTime,omitempty" min:"0"`
	EndEventTime   *int64 `json:"endEventTime,omitempty" min:"0"`
}

type createImportTaskInput struct {
	ImportSourceArn *string       `json:"importSourceArn" required:"true"`
	ImportRoleArn   string        `json:"importRoleArn" required:"true" min:"1"`
	ImportFilter    *importFilter `json:"importFilter"`
}

type importRef struct {
	ImportID string `json:"importId" required:"true" min:"1" max:"256" pattern:"[\\-a-zA-Z0-9]+"`
}

type describeImportTasksInput struct {
	ImportID        *string `json:"importId" min:"1" max:"256" pattern:"[\\-a-zA-Z0-9]+"`
	ImportStatus    string  `json:"importStatus" enum:"IN_PROGRESS,CANCELLED,COMPLETED,FAILED"`
	ImportSourceArn string  `json:"importSourceArn"`
	Limit           *int32  `json:"limit" min:"1" max:"50"`
	NextToken       *string `json:"nextToken" min:"1"`
}

type describeImportTaskBatchesInput struct {
	importRef
	BatchImportStatus []string `json:"batchImportStatus"`
	Limit             *int32   `json:"limit" min:"1" max:"50"`
	NextToken         *string  `json:"nextToken" min:"1"`
}

type importStatistics struct {
	BytesImported int64 `json:"bytesImported"`
}

type importOut struct {
	ImportID             string           `json:"importId"`
	ImportSourceArn      string           `json:"importSourceArn"`
	ImportStatus         string           `json:"importStatus"`
	ImportDestinationArn string           `json:"importDestinationArn"`
	ImportStatistics     importStatistics `json:"importStatistics"`
	ImportFilter         *importFilter    `json:"importFilter,omitempty"`
	CreationTime         int64            `json:"creationTime"`
	LastUpdatedTime      int64            `json:"lastUpdatedTime"`
}

// eventDataStoreID is the id in arn:aws:cloudtrail:REGION:ACCOUNT:eventdatastore/ID.
func eventDataStoreID(arn string) (string, bool) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[2] != "cloudtrail" || !strings.HasPrefix(p[5], "eventdatastore/") {
		return "", false
	}
	id := strings.TrimPrefix(p[5], "eventdatastore/")
	return id, id != "" && !strings.ContainsAny(id, "/:")
}

// createImportTask creates the managed destination log group
// (aws/cloudtrail/ID) and completes at once: the emulator has no
// CloudTrail Lake data to import, so nothing is imported.
func (s *Service) createImportTask(c *awsproto.Call, in *createImportTaskInput) (struct {
	ImportID             string `json:"importId"`
	ImportDestinationArn string `json:"importDestinationArn"`
	CreationTime         int64  `json:"creationTime"`
}, error) {
	var out struct {
		ImportID             string `json:"importId"`
		ImportDestinationArn string `json:"importDestinationArn"`
		CreationTime         int64  `json:"creationTime"`
	}
	eds, ok := eventDataStoreID(*in.ImportSourceArn)
	if !ok {
		return out, errInvalidParameter.Errorf("Invalid import source ARN: %s. Only CloudTrail event data stores are supported.", *in.ImportSourceArn)
	}
	t := ImportTask{ID: s.env.NewID(), SourceArn: *in.ImportSourceArn, Status: "COMPLETED"}
	if f := in.ImportFilter; f != nil {
		if f.StartEventTime != nil && f.EndEventTime != nil && *f.EndEventTime < *f.StartEventTime {
			return out, errInvalidParameter.New("endEventTime must not be before startEventTime.")
		}
		t.StartEventTime, t.EndEventTime = f.StartEventTime, f.EndEventTime
	}
	group := "aws/cloudtrail/" + eds
	t.DestinationArn = s.groupARN(c.Region, group)
	t.Created = s.env.Now().UnixMilli()
	t.Updated = t.Created
	if err := s.store.cfg.CreateImportTask(c.Region, t); err != nil {
		return out, err
	}
	s.store.groupOrNew(c.Region, group)
	out.ImportID, out.ImportDestinationArn, out.CreationTime = t.ID, t.DestinationArn, t.Created
	return out, nil
}

func importOutOf(t ImportTask) importOut {
	out := importOut{ImportID: t.ID, ImportSourceArn: t.SourceArn, ImportStatus: t.Status, ImportDestinationArn: t.DestinationArn,
		CreationTime: t.Created, LastUpdatedTime: t.Updated}
	if t.StartEventTime != nil || t.EndEventTime != nil {
		out.ImportFilter = &importFilter{StartEventTime: t.StartEventTime, EndEventTime: t.EndEventTime}
	}
	return out
}

func (s *Service) describeImportTasks(c *awsproto.Call, in *describeImportTasksInput) (struct {
	Imports   []importOut `json:"imports"`
	NextToken string      `json:"nextToken,omitempty"`
}, error) {
	var out struct {
		Imports   []importOut `json:"imports"`
		NextToken string      `json:"nextToken,omitempty"`
	}
	id := deref(in.ImportID)
	if id != "" {
		if _, err := s.store.cfg.ImportTask(c.Region, id); err != nil {
			return out, err
		}
	}
	list := s.store.cfg.ImportTasks(c.Region, func(t *ImportTask) bool {
		return (id == "" || t.ID == id) && (in.ImportStatus == "" || t.Status == in.ImportStatus) &&
			(in.ImportSourceArn == "" || t.SourceArn == in.ImportSourceArn)
	})
	page, next, ok := pageOf(list, func(t ImportTask) string { return t.ID }, deref(in.NextToken), limitOr(in.Limit, 50))
	if !ok {
		return out, badToken()
	}
	out.Imports, out.NextToken = make([]importOut, len(page)), next
	for i, t := range page {
		out.Imports[i] = importOutOf(t)
	}
	return out, nil
}

// describeImportTaskBatches: an import of no data has no batches.
func (s *Service) describeImportTaskBatches(c *awsproto.Call, in *describeImportTaskBatchesInput) (struct {
	ImportSourceArn string     `json:"importSourceArn"`
	ImportID        string     `json:"importId"`
	ImportBatches   []struct{} `json:"importBatches"`
}, error) {
	var out struct {
		ImportSourceArn string     `json:"importSourceArn"`
		ImportID        string     `json:"importId"`
		ImportBatches   []struct{} `json:"importBatches"`
	}
	for _, st := range in.BatchImportStatus {
		switch st {
		case "IN_PROGRESS", "CANCELLED", "COMPLETED", "FAILED":
		default:
			return out, awsproto.Constraint(errInvalidParameter, st, "batchImportStatus.member", awsproto.EnumSet("IN_PROGRESS", "CANCELLED", "COMPLETED", "FAILED"))
		}
	}
	t, err := s.store.cfg.ImportTask(c.Region, in.ImportID)
	if err != nil {
		return out, err
	}
	if in.NextToken != nil {
		return out, badToken()
	}
	out.ImportSourceArn, out.ImportID, out.ImportBatches = t.SourceArn, t.ID, []struct{}{}
	return out, nil
}

func (s *Service) cancelImportTask(c *awsproto.Call, in *importRef) (struct {
	ImportID         string           `json:"importId"`
	ImportStatistics importStatistics `json:"importStatistics"`
	ImportStatus     string           `json:"importStatus"`
	CreationTime     int64            `json:"creationTime"`
	LastUpdatedTime  int64            `json:"lastUpdatedTime"`
}, error) {
	var out struct {
		ImportID         string           `json:"importId"`
		ImportStatistics importStatistics `json:"importStatistics"`
		ImportStatus     string           `json:"importStatus"`
		CreationTime     int64            `json:"creationTime"`
		LastUpdatedTime  int64            `json:"lastUpdatedTime"`
	}
	t, err := s.store.cfg.CancelImportTask(c.Region, in.ImportID, s.env.Now().UnixMilli())
	if err != nil {
		return out, err
	}
	out.ImportID, out.ImportStatus, out.CreationTime, out.LastUpdatedTime = t.ID, t.Status, t.Created, t.Updated
	return out, nil
}

// ---- bearer token authentication ----

type putBearerTokenAuthenticationInput struct {
	LogGroupIdentifier               string `json:"logGroupIdentifier" required:"true" min:"1" max:"2048" pattern:"[\\w#+=/:,.@-]*"`
	BearerTokenAuthenticationEnabled *bool  `json:"bearerTokenAuthenticationEnabled" required:"true"`
}

func (s *Service) putBearerTokenAuthentication(c *awsproto.Call, in *putBearerTokenAuthenticationInput) (struct{}, error) {
	region, name := c.Region, in.LogGroupIdentifier
	if strings.HasPrefix(name, "arn:") {
		var ok bool
		if region, name, ok = parseGroupARN(in.LogGroupIdentifier); !ok {
			return struct{}{}, errInvalidParameter.Errorf("Invalid log group identifier: %s", in.LogGroupIdentifier)
		}
	}
	if _, err := s.store.Group(region, name); err != nil {
		return struct{}{}, err
	}
	s.store.cfg.SetBearerToken(region, name, *in.BearerTokenAuthenticationEnabled)
	return struct{}{}, nil
}

// ---- aggregate log group summaries ----

type listAggregateLogGroupSummariesInput struct {
	AccountIdentifiers    []string `json:"accountIdentifiers" max:"20"`
	IncludeLinkedAccounts *bool    `json:"includeLinkedAccounts"`
	LogGroupClass         string   `json:"logGroupClass" enum:"STANDARD,INFREQUENT_ACCESS,DELIVERY"`
	LogGroupNamePattern   *string  `json:"logGroupNamePattern" min:"3" max:"129" pattern:"(\\^?[\\.\\-_\\/#A-Za-z0-9]{3,24})(\\|\\^?[\\.\\-_\\/#A-Za-z0-9]{3,24}){0,4}"`
	DataSources           []struct {
		Name *string `json:"name" required:"true"`
		Type string  `json:"type"`
	} `json:"dataSources" min:"1" max:"5"`
	GroupBy   string  `json:"groupBy" required:"true" enum:"DATA_SOURCE_NAME_TYPE_AND_FORMAT,DATA_SOURCE_NAME_AND_TYPE"`
	NextToken *string `json:"nextToken" min:"1"`
	Limit     *int32  `json:"limit" min:"1" max:"50"`
}

// groupDataSource is the data source a log group's name implies: the
// service of an /aws/SERVICE/… (or aws/SERVICE/…) group, else "unknown".
func groupDataSource(name string) string {
	p := strings.Split(strings.TrimPrefix(name, "/"), "/")
	if len(p) >= 3 && p[0] == "aws" && p[1] != "" {
		return strings.ToLower(p[1])
	}
	return "unknown"
}

type groupingIdentifier struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type aggregateSummary struct {
	LogGroupCount       int                  `json:"logGroupCount"`
	GroupingIdentifiers []groupingIdentifier `json:"groupingIdentifiers"`
}

func (s *Service) listAggregateLogGroupSummaries(c *awsproto.Call, in *listAggregateLogGroupSummariesInput) (struct {
	AggregateLogGroupSummaries []aggregateSummary `json:"aggregateLogGroupSummaries"`
	NextToken                  string             `json:"nextToken,omitempty"`
}, error) {
	var out struct {
		AggregateLogGroupSummaries []aggregateSummary `json:"aggregateLogGroupSummaries"`
		NextToken                  string             `json:"nextToken,omitempty"`
	}
	var terms []string
	if p := deref(in.LogGroupNamePattern); p != "" {
		terms = strings.Split(strings.ToLower(p), "|")
	}
	match := func(name string) bool {
		if len(terms) == 0 {
			return true
		}
		name = strings.ToLower(name)
		for _, t := range terms {
			if p, ok := strings.CutPrefix(t, "^"); ok && strings.HasPrefix(name, p) || !ok && strings.Contains(name, t) {
				return true
			}
		}
		return false
	}
	if in.LogGroupClass != "" && in.LogGroupClass != "STANDARD" {
		match = func(string) bool { return false } // every emulated group is STANDARD
	}
	groups, _ := s.store.Groups(c.Region, match, "", 1<<30)
	counts := map[string]int{}
	for _, g := range groups {
		ds := groupDataSource(g.Name)
		keep := in.DataSources == nil
		for _, f := range in.DataSources {
			if *f.Name == ds && (f.Type == "" || f.Type == "unknown") {
				keep = true
			}
		}
		if keep {
			counts[ds]++
		}
	}
	all := make([]aggregateSummary, 0, len(counts))
	for ds, n := range counts {
		ids := []groupingIdentifier{{"dataSourceName", ds}, {"dataSourceType", "unknown"}}
		if in.GroupBy == "DATA_SOURCE_NAME_TYPE_AND_FORMAT" {
			ids = append(ids, groupingIdentifier{"dataSourceFormat", "unknown"})
		}
		all = append(all, aggregateSummary{LogGroupCount: n, GroupingIdentifiers: ids})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].GroupingIdentifiers[0].Value < all[j].GroupingIdentifiers[0].Value })
	page, next, ok := pageOf(all, func(a aggregateSummary) string { return a.GroupingIdentifiers[0].Value }, deref(in.NextToken), limitOr(in.Limit, 50))
	if !ok {
		return out, badToken()
	}
	out.AggregateLogGroupSummaries, out.NextToken = page, next
	return out, nil
}
