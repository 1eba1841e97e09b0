package logs

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- StartQuery / GetQueryResults / StopQuery / DescribeQueries ----

type startQueryInput struct {
	QueryLanguage       string   `json:"queryLanguage" enum:"CWLI,SQL,PPL"`
	LogGroupName        string   `json:"logGroupName" min:"1" max:"512" pattern:"[\\.\\-_/#A-Za-z0-9]+"`
	LogGroupNames       []string `json:"logGroupNames"`
	LogGroupIdentifiers []string `json:"logGroupIdentifiers"`
	StartTime           *int64   `json:"startTime" required:"true" min:"0"`
	EndTime             *int64   `json:"endTime" required:"true" min:"0"`
	QueryString         *string  `json:"queryString" required:"true" max:"10000"`
	Limit               *int32   `json:"limit" min:"1" max:"100000"`
}

// Validate: the groups named one way, and a time range in order.
func (in *startQueryInput) Validate() error {
	n := 0
	for _, set := range []bool{in.LogGroupName != "", in.LogGroupNames != nil, in.LogGroupIdentifiers != nil} {
		if set {
			n++
		}
	}
	switch {
	case n == 0:
		return errInvalidParameter.New("Log group name, log group names or log group identifiers must be specified.")
	case n > 1:
		return errInvalidParameter.New("Only one of logGroupName, logGroupNames or logGroupIdentifiers may be specified.")
	case len(in.LogGroupNames) > 50 || len(in.LogGroupIdentifiers) > 50:
		return errInvalidParameter.New("A query can search at most 50 log groups.")
	case *in.EndTime < *in.StartTime:
		return errInvalidParameter.New("End time should not be before the start time.")
	case in.QueryLanguage != "" && in.QueryLanguage != "CWLI":
		return errInvalidParameter.Errorf("Query language %s is not supported by this emulator.", in.QueryLanguage)
	}
	return nil
}

type startQueryOutput struct {
	QueryID string `json:"queryId"`
}

func (s *Service) startQuery(c *awsproto.Call, in *startQueryInput) (startQueryOutput, error) {
	pq, err := ParseQuery(*in.QueryString)
	if err != nil {
		return startQueryOutput{}, err
	}
	var targets []QueryTarget
	add := func(id string) {
		if r, n, ok := parseGroupARN(id); ok {
			targets = append(targets, QueryTarget{r, n})
		} else {
			targets = append(targets, QueryTarget{c.Region, id})
		}
	}
	if in.LogGroupName != "" {
		add(in.LogGroupName)
	}
	for _, n := range in.LogGroupNames {
		add(n)
	}
	for _, n := range in.LogGroupIdentifiers {
		add(n)
	}
	for _, t := range targets {
		if _, err := s.store.Group(t.Region, t.Name); err != nil {
			return startQueryOutput{}, errResourceNotFound.Errorf("Log group '%s' does not exist for account ID '%s'", t.Name, s.env.Account)
		}
	}
	out, err := s.store.RunQuery(targets, s.env.Account, *in.StartTime*1000, *in.EndTime*1000+999, pq, limitOr(in.Limit, maxQueryResults))
	if err != nil {
		return startQueryOutput{}, err
	}
	q := &Query{ID: c.RequestID, String: *in.QueryString, Language: "CWLI", Status: "Complete", Created: s.env.Now().UnixMilli(), Output: out}
	if len(targets) > 0 {
		q.Group = targets[0].Name
	}
	s.store.AddQuery(c.Region, q)
	return startQueryOutput{QueryID: q.ID}, nil
}

type queryRef struct {
	QueryID string `json:"queryId" required:"true" min:"1" max:"256"`
}

type getQueryResultsInput struct {
	queryRef
	NextToken string `json:"nextToken" max:"1024"`
	MaxItems  *int32 `json:"maxItems" min:"0" max:"10000"`
}

type resultFieldOut struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

type queryStatisticsOut struct {
	RecordsMatched   float64 `json:"recordsMatched"`
	RecordsScanned   float64 `json:"recordsScanned"`
	BytesScanned     float64 `json:"bytesScanned"`
	LogGroupsScanned float64 `json:"logGroupsScanned"`
}

type getQueryResultsOutput struct {
	QueryLanguage string             `json:"queryLanguage"`
	Results       [][]resultFieldOut `json:"results"`
	Statistics    queryStatisticsOut `json:"statistics"`
	Status        string             `json:"status"`
	NextToken     string             `json:"nextToken,omitempty"`
}

func (s *Service) getQueryResults(c *awsproto.Call, in *getQueryResultsInput) (getQueryResultsOutput, error) {
	q, ok := s.store.Query(c.Region, in.QueryID)
	if !ok {
		return getQueryResultsOutput{}, errResourceNotFound.New(msgQueryNotFound)
	}
	rows := q.Output.Rows
	start, err := pageStart(in.NextToken, len(rows))
	if err != nil {
		return getQueryResultsOutput{}, err
	}
	end := len(rows)
	if in.MaxItems != nil && *in.MaxItems > 0 {
		end = min(end, start+int(*in.MaxItems))
	}
	out := getQueryResultsOutput{QueryLanguage: q.Language, Status: q.Status, Results: [][]resultFieldOut{}, NextToken: pageToken(end, len(rows)),
		Statistics: queryStatisticsOut{RecordsMatched: q.Output.Matched, RecordsScanned: q.Output.Scanned, BytesScanned: q.Output.BytesScanned,
			LogGroupsScanned: q.Output.Groups}}
	for _, r := range rows[start:end] {
		row := make([]resultFieldOut, len(r))
		for i, f := range r {
			row[i] = resultFieldOut(f)
		}
		out.Results = append(out.Results, row)
	}
	return out, nil
}

type stopQueryOutput struct {
	Success bool `json:"success"`
}

func (s *Service) stopQuery(c *awsproto.Call, in *queryRef) (stopQueryOutput, error) {
	if err := s.store.StopQuery(c.Region, in.QueryID); err != nil {
		return stopQueryOutput{}, err
	}
	return stopQueryOutput{Success: true}, nil
}

type describeQueriesInput struct {
	LogGroupName  *string `json:"logGroupName" min:"1" max:"512" pattern:"[\\.\\-_/#A-Za-z0-9]+"`
	Status        string  `json:"status" enum:"Scheduled,Running,Complete,Failed,Cancelled,Timeout,Unknown"`
	MaxResults    *int32  `json:"maxResults" min:"1" max:"1000"`
	NextToken     *string `json:"nextToken" min:"1"`
	QueryLanguage string  `json:"queryLanguage" enum:"CWLI,SQL,PPL"`
}

type queryInfoOut struct {
	QueryLanguage string `json:"queryLanguage"`
	QueryID       string `json:"queryId"`
	QueryString   string `json:"queryString"`
	Status        string `json:"status"`
	CreateTime    int64  `json:"createTime"`
	LogGroupName  string `json:"logGroupName,omitempty"`
}

type describeQueriesOutput struct {
	Queries   []queryInfoOut `json:"queries"`
	NextToken string         `json:"nextToken,omitempty"`
}

func (s *Service) describeQueries(c *awsproto.Call, in *describeQueriesInput) (describeQueriesOutput, error) {
	qs := s.store.Queries(c.Region, deref(in.LogGroupName), in.Status)
	if in.QueryLanguage != "" && in.QueryLanguage != "CWLI" {
		qs = nil
	}
	start, err := pageStart(deref(in.NextToken), len(qs))
	if err != nil {
		return describeQueriesOutput{}, err
	}
	end := min(len(qs), start+limitOr(in.MaxResults, 1000))
	out := describeQueriesOutput{Queries: []queryInfoOut{}, NextToken: pageToken(end, len(qs))}
	for _, q := range qs[start:end] {
		out.Queries = append(out.Queries, queryInfoOut{QueryLanguage: q.Language, QueryID: q.ID, QueryString: q.String, Status: q.Status,
			CreateTime: q.Created, LogGroupName: q.Group})
	}
	return out, nil
}

// ---- query definitions ----

type queryParameterIn struct {
	Name         string `json:"name" required:"true" min:"1" max:"128" pattern:"^[a-zA-Z_][a-zA-Z0-9_]*"`
	DefaultValue string `json:"defaultValue" max:"1024"`
	Description  string `json:"description" max:"512"`
}

type putQueryDefinitionInput struct {
	QueryLanguage     string             `json:"queryLanguage" enum:"CWLI,SQL,PPL"`
	Name              string             `json:"name" required:"true" min:"1" max:"255"`
	QueryDefinitionID *string            `json:"queryDefinitionId" min:"1" max:"256"`
	LogGroupNames     []string           `json:"logGroupNames"`
	QueryString       string             `json:"queryString" required:"true" min:"1" max:"10000"`
	ClientToken       string             `json:"clientToken" min:"36" max:"128" pattern:"\\S{36,128}"`
	Parameters        []queryParameterIn `json:"parameters" max:"20"`
}

type putQueryDefinitionOutput struct {
	QueryDefinitionID string `json:"queryDefinitionId"`
}

func (s *Service) putQueryDefinition(c *awsproto.Call, in *putQueryDefinitionInput) (putQueryDefinitionOutput, error) {
	lang := in.QueryLanguage
	if lang == "" {
		lang = "CWLI"
	}
	d := QueryDef{ID: deref(in.QueryDefinitionID), Name: in.Name, String: in.QueryString, Language: lang, Groups: in.LogGroupNames}
	for _, p := range in.Parameters {
		d.Params = append(d.Params, QueryParam{p.Name, p.DefaultValue, p.Description})
	}
	id, err := s.store.PutQueryDef(c.Region, d, c.RequestID)
	if err != nil {
		return putQueryDefinitionOutput{}, err
	}
	return putQueryDefinitionOutput{QueryDefinitionID: id}, nil
}

type describeQueryDefinitionsInput struct {
	QueryLanguage             string  `json:"queryLanguage" enum:"CWLI,SQL,PPL"`
	QueryDefinitionNamePrefix *string `json:"queryDefinitionNamePrefix" min:"1" max:"255"`
	MaxResults                *int32  `json:"maxResults" min:"1" max:"1000"`
	NextToken                 *string `json:"nextToken" min:"1"`
}

type queryParameterOut struct {
	Name         string `json:"name"`
	DefaultValue string `json:"defaultValue,omitempty"`
	Description  string `json:"description,omitempty"`
}

type queryDefinitionOut struct {
	QueryLanguage     string              `json:"queryLanguage"`
	QueryDefinitionID string              `json:"queryDefinitionId"`
	Name              string              `json:"name"`
	QueryString       string              `json:"queryString"`
	LastModified      int64               `json:"lastModified"`
	LogGroupNames     []string            `json:"logGroupNames,omitempty"`
	Parameters        []queryParameterOut `json:"parameters,omitempty"`
}

type describeQueryDefinitionsOutput struct {
	QueryDefinitions []queryDefinitionOut `json:"queryDefinitions"`
	NextToken        string               `json:"nextToken,omitempty"`
}

func (s *Service) describeQueryDefinitions(c *awsproto.Call, in *describeQueryDefinitionsInput) (describeQueryDefinitionsOutput, error) {
	ds := s.store.QueryDefs(c.Region, deref(in.QueryDefinitionNamePrefix), in.QueryLanguage)
	start, err := pageStart(deref(in.NextToken), len(ds))
	if err != nil {
		return describeQueryDefinitionsOutput{}, err
	}
	end := min(len(ds), start+limitOr(in.MaxResults, 1000))
	out := describeQueryDefinitionsOutput{QueryDefinitions: []queryDefinitionOut{}, NextToken: pageToken(end, len(ds))}
	for _, d := range ds[start:end] {
		o := queryDefinitionOut{QueryLanguage: d.Language, QueryDefinitionID: d.ID, Name: d.Name, QueryString: d.String,
			LastModified: d.Modified, LogGroupNames: d.Groups}
		for _, p := range d.Params {
			o.Parameters = append(o.Parameters, queryParameterOut{p.Name, p.Default, p.Description})
		}
		out.QueryDefinitions = append(out.QueryDefinitions, o)
	}
	return out, nil
}

type deleteQueryDefinitionInput struct {
	QueryDefinitionID string `json:"queryDefinitionId" required:"true" min:"1" max:"256"`
}

func (s *Service) deleteQueryDefinition(c *awsproto.Call, in *deleteQueryDefinitionInput) (stopQueryOutput, error) {
	if err := s.store.DeleteQueryDef(c.Region, in.QueryDefinitionID); err != nil {
		return stopQueryOutput{}, err
	}
	return stopQueryOutput{Success: true}, nil
}

// ---- GetLogRecord / GetLogGroupFields ----

type getLogRecordInput struct {
	LogRecordPointer string `json:"logRecordPointer" required:"true"`
	Unmask           bool   `json:"unmask"`
}

type getLogRecordOutput struct {
	LogRecord map[string]string `json:"logRecord"`
}

func (s *Service) getLogRecord(c *awsproto.Call, in *getLogRecordInput) (getLogRecordOutput, error) {
	r, err := s.store.LogRecord(s.env.Account, in.LogRecordPointer)
	if err != nil {
		return getLogRecordOutput{}, err
	}
	return getLogRecordOutput{LogRecord: r}, nil
}

type getLogGroupFieldsInput struct {
	LogGroupName       string `json:"logGroupName" min:"1" max:"512" pattern:"[\\.\\-_/#A-Za-z0-9]+"`
	Time               *int64 `json:"time" min:"0"`
	LogGroupIdentifier string `json:"logGroupIdentifier" min:"1" max:"2048" pattern:"[\\w#+=/:,.@-]*"`
}

// Validate: a name or an identifier, one of the two.
func (in *getLogGroupFieldsInput) Validate() error {
	return groupIdent{LogGroupName: in.LogGroupName, LogGroupIdentifier: in.LogGroupIdentifier}.Validate()
}

type logGroupFieldOut struct {
	Name    string `json:"name"`
	Percent int    `json:"percent"`
}

type getLogGroupFieldsOutput struct {
	LogGroupFields []logGroupFieldOut `json:"logGroupFields"`
}

func (s *Service) getLogGroupFields(c *awsproto.Call, in *getLogGroupFieldsInput) (getLogGroupFieldsOutput, error) {
	region := c.Region
	name := groupIdent{LogGroupName: in.LogGroupName, LogGroupIdentifier: in.LogGroupIdentifier}.name()
	if r, _, ok := parseGroupARN(in.LogGroupIdentifier); ok {
		region = r
	}
	g, err := s.store.Group(region, name)
	if err != nil {
		return getLogGroupFieldsOutput{}, err
	}
	var at int64
	if in.Time != nil {
		at = *in.Time * 1000
	}
	out := getLogGroupFieldsOutput{LogGroupFields: []logGroupFieldOut{}}
	for _, f := range g.Fields(s.env.Account, at) {
		out.LogGroupFields = append(out.LogGroupFields, logGroupFieldOut(f))
	}
	return out, nil
}
