package logs

import (
	"bytes"
	"compress/gzip"
	"regexp"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// ---- export tasks ----

type createExportTaskInput struct {
	TaskName            string `json:"taskName" min:"1" max:"512"`
	LogGroupName        string `json:"logGroupName" required:"true" min:"1" max:"512" pattern:"[\\.\\-_/#A-Za-z0-9]+"`
	LogStreamNamePrefix string `json:"logStreamNamePrefix" min:"1" max:"512" pattern:"[^:*]*"`
	From                *int64 `json:"from" required:"true" min:"0"`
	To                  *int64 `json:"to" required:"true" min:"0"`
	Destination         string `json:"destination" required:"true" min:"1" max:"512"`
	DestinationPrefix   string `json:"destinationPrefix"`
}

// Validate: a time range in order.
func (in *createExportTaskInput) Validate() error {
	if *in.To < *in.From {
		return errInvalidParameter.New("The \"from\" time must be before the \"to\" time.")
	}
	return nil
}

type createExportTaskOutput struct {
	TaskID string `json:"taskId"`
}

// createExportTask writes the events at once, as AWS's layout has them:
// <prefix>/<taskId>/<stream>/000000.gz, each line "<ISO time> <message>".
func (s *Service) createExportTask(c *awsproto.Call, in *createExportTaskInput) (createExportTaskOutput, error) {
	g, err := s.store.Group(c.Region, in.LogGroupName)
	if err != nil {
		return createExportTaskOutput{}, err
	}
	objects, _ := s.env.Links.Get(cloud.LinkS3).(cloud.ObjectStore)
	prefix := strings.Trim(in.DestinationPrefix, "/")
	if prefix == "" {
		prefix = "exportedlogs"
	}
	now := s.env.Now()
	if objects == nil {
		return createExportTaskOutput{}, errInvalidParameter.New(msgBucketNotFound)
	}
	ok, err := objects.WriteObject(in.Destination, prefix+"/aws-logs-write-test", []byte("Permission Check Successful"), "text/plain", now)
	if err != nil {
		return createExportTaskOutput{}, err
	}
	if !ok {
		return createExportTaskOutput{}, errInvalidParameter.New(msgBucketNotFound)
	}
	t := ExportTask{ID: c.RequestID, Name: in.TaskName, Group: in.LogGroupName, Bucket: in.Destination, Prefix: prefix,
		StreamPrefix: in.LogStreamNamePrefix, From: *in.From, To: *in.To, Created: now.UnixMilli()}
	for stream, evs := range g.ExportEvents(in.LogStreamNamePrefix, *in.From, *in.To) {
		var raw bytes.Buffer
		zw := gzip.NewWriter(&raw)
		for _, ev := range evs {
			zw.Write([]byte(time.UnixMilli(ev.TS).UTC().Format("2006-01-02T15:04:05.000Z") + " " + ev.Msg + "\n"))
		}
		zw.Close()
		if _, err := objects.WriteObject(in.Destination, prefix+"/"+t.ID+"/"+stream+"/000000.gz", raw.Bytes(), "application/gzip", now); err != nil {
			return createExportTaskOutput{}, err
		}
	}
	t.Status, t.Message, t.Completed = "COMPLETED", "Completed successfully", s.env.Now().UnixMilli()
	if err := s.store.AddExportTask(c.Region, t); err != nil {
		return createExportTaskOutput{}, err
	}
	return createExportTaskOutput{TaskID: t.ID}, nil
}

type describeExportTasksInput struct {
	TaskID     *string `json:"taskId" min:"1" max:"512"`
	StatusCode string  `json:"statusCode" enum:"CANCELLED,COMPLETED,FAILED,PENDING,PENDING_CANCEL,RUNNING"`
	NextToken  *string `json:"nextToken" min:"1"`
	Limit      *int32  `json:"limit" min:"1" max:"50"`
}

type exportStatusOut struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type exportExecutionOut struct {
	CreationTime   int64 `json:"creationTime"`
	CompletionTime int64 `json:"completionTime,omitempty"`
}

type exportTaskOut struct {
	TaskID            string             `json:"taskId"`
	TaskName          string             `json:"taskName,omitempty"`
	LogGroupName      string             `json:"logGroupName"`
	From              int64              `json:"from"`
	To                int64              `json:"to"`
	Destination       string             `json:"destination"`
	DestinationPrefix string             `json:"destinationPrefix"`
	Status            exportStatusOut    `json:"status"`
	ExecutionInfo     exportExecutionOut `json:"executionInfo"`
}

type describeExportTasksOutput struct {
	ExportTasks []exportTaskOut `json:"exportTasks"`
	NextToken   string          `json:"nextToken,omitempty"`
}

func (s *Service) describeExportTasks(c *awsproto.Call, in *describeExportTasksInput) (describeExportTasksOutput, error) {
	ts := s.store.ExportTasks(c.Region, deref(in.TaskID), in.StatusCode)
	start, err := pageStart(deref(in.NextToken), len(ts))
	if err != nil {
		return describeExportTasksOutput{}, err
	}
	end := min(len(ts), start+limitOr(in.Limit, 50))
	out := describeExportTasksOutput{ExportTasks: []exportTaskOut{}, NextToken: pageToken(end, len(ts))}
	for _, t := range ts[start:end] {
		out.ExportTasks = append(out.ExportTasks, exportTaskOut{TaskID: t.ID, TaskName: t.Name, LogGroupName: t.Group, From: t.From, To: t.To,
			Destination: t.Bucket, DestinationPrefix: t.Prefix, Status: exportStatusOut{t.Status, t.Message},
			ExecutionInfo: exportExecutionOut{t.Created, t.Completed}})
	}
	return out, nil
}

type cancelExportTaskInput struct {
	TaskID string `json:"taskId" required:"true" min:"1" max:"512"`
}

func (s *Service) cancelExportTask(c *awsproto.Call, in *cancelExportTaskInput) (struct{}, error) {
	return struct{}{}, s.store.CancelExportTask(c.Region, in.TaskID)
}

// ---- ListLogGroups ----

type tagFilterIn struct {
	Key    string   `json:"key" required:"true" min:"1" max:"128" pattern:"^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$"`
	Values []string `json:"values" max:"5"`
}

type dataSourceFilterIn struct {
	Name string `json:"name" required:"true"`
	Type string `json:"type"`
}

type listLogGroupsInput struct {
	LogGroupNamePattern   string               `json:"logGroupNamePattern" min:"3" max:"129" pattern:"(\\^?[\\.\\-_\\/#A-Za-z0-9]{3,24})(\\|\\^?[\\.\\-_\\/#A-Za-z0-9]{3,24}){0,4}"`
	LogGroupClass         string               `json:"logGroupClass" enum:"STANDARD,INFREQUENT_ACCESS,DELIVERY"`
	IncludeLinkedAccounts bool                 `json:"includeLinkedAccounts"`
	AccountIdentifiers    []string             `json:"accountIdentifiers" max:"20"`
	NextToken             *string              `json:"nextToken" min:"1"`
	Limit                 *int32               `json:"limit" min:"1" max:"1000"`
	DataSources           []dataSourceFilterIn `json:"dataSources" min:"1" max:"5"`
	FieldIndexNames       []string             `json:"fieldIndexNames" min:"1" max:"20"`
	LogGroupTags          []tagFilterIn        `json:"logGroupTags" min:"1" max:"5"`
}

type logGroupSummaryOut struct {
	LogGroupName  string `json:"logGroupName"`
	LogGroupArn   string `json:"logGroupArn"`
	LogGroupClass string `json:"logGroupClass"`
}

type listLogGroupsOutput struct {
	LogGroups []logGroupSummaryOut `json:"logGroups"`
	NextToken string               `json:"nextToken,omitempty"`
}

func (s *Service) listLogGroups(c *awsproto.Call, in *listLogGroupsInput) (listLogGroupsOutput, error) {
	match := func(string) bool { return true }
	if in.LogGroupNamePattern != "" {
		// alternatives of literal names, each optionally anchored with ^
		var parts []string
		for _, alt := range strings.Split(in.LogGroupNamePattern, "|") {
			if strings.HasPrefix(alt, "^") {
				parts = append(parts, "^"+regexp.QuoteMeta(alt[1:]))
			} else {
				parts = append(parts, regexp.QuoteMeta(alt))
			}
		}
		re := regexp.MustCompile("(?i)" + strings.Join(parts, "|"))
		match = re.MatchString
	}
	if in.LogGroupClass != "" && in.LogGroupClass != "STANDARD" {
		match = func(string) bool { return false }
	}
	after := ""
	if in.NextToken != nil {
		b, err := base64URL(*in.NextToken)
		if err != nil {
			return listLogGroupsOutput{}, badToken()
		}
		after = b
	}
	groups, more := s.store.Groups(c.Region, match, after, 1<<30)
	out := listLogGroupsOutput{LogGroups: []logGroupSummaryOut{}}
	limit := limitOr(in.Limit, 50)
	for _, g := range groups {
		if len(in.LogGroupTags) > 0 && !tagsMatch(g.Tags(), in.LogGroupTags) {
			continue
		}
		if len(out.LogGroups) == limit {
			more = true
			break
		}
		out.LogGroups = append(out.LogGroups, logGroupSummaryOut{LogGroupName: g.Name, LogGroupArn: s.groupARN(c.Region, g.Name), LogGroupClass: "STANDARD"})
	}
	if more && len(out.LogGroups) > 0 {
		out.NextToken = base64URLEncode(out.LogGroups[len(out.LogGroups)-1].LogGroupName)
	}
	return out, nil
}

// tagsMatch: every filter's key is present, with one of its values when it
// lists some.
func tagsMatch(tags map[string]string, filters []tagFilterIn) bool {
	for _, f := range filters {
		v, ok := tags[f.Key]
		if !ok || len(f.Values) > 0 && !contains(f.Values, v) {
			return false
		}
	}
	return true
}
