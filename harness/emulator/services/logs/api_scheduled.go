package logs

import (
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type scheduledQueryRef struct {
	Identifier string `json:"identifier" required:"true" pattern:"[\\w#+=/:,.@-]*"`
}

type s3Configuration struct {
	DestinationIdentifier *string `json:"destinationIdentifier" required:"true" max:"1024" pattern:"s3://[a-z0-9][\\.\\-a-z0-9]{1,61}[a-z0-9](/.*)?"`
	RoleArn               *string `json:"roleArn" required:"true" min:"1"`
	OwnerAccountID        *string `json:"ownerAccountId,omitempty" min:"12" max:"12" pattern:"^\\d{12}$"`
	KmsKeyID              string  `json:"kmsKeyId,omitempty" max:"256"`
}

type destinationConfiguration struct {
	S3Configuration *s3Configuration `json:"s3Configuration" required:"true"`
}

// scheduledQueryDef is what Create and Update both carry.
type scheduledQueryDef struct {
	Description              *string                   `json:"description" max:"1024"`
	QueryLanguage            string                    `json:"queryLanguage" required:"true" enum:"CWLI,SQL,PPL"`
	QueryString              *string                   `json:"queryString" required:"true" max:"10000"`
	LogGroupIdentifiers      []string                  `json:"logGroupIdentifiers" min:"1" max:"50"`
	ScheduleExpression       *string                   `json:"scheduleExpression" required:"true" max:"256"`
	Timezone                 *string                   `json:"timezone" min:"1"`
	StartTimeOffset          *int64                    `json:"startTimeOffset"`
	DestinationConfiguration *destinationConfiguration `json:"destinationConfiguration"`
	ScheduleStartTime        *int64                    `json:"scheduleStartTime" min:"0"`
	ScheduleEndTime          *int64                    `json:"scheduleEndTime" min:"0"`
	ExecutionRoleArn         string                    `json:"executionRoleArn" required:"true" min:"1"`
	State                    string                    `json:"state" enum:"ENABLED,DISABLED"`
}

// Validate: a cron() or rate() schedule, a window that ends after it
// starts, and log group identifiers the model allows.
func (d *scheduledQueryDef) Validate() error {
	e := *d.ScheduleExpression
	if !(strings.HasPrefix(e, "cron(") || strings.HasPrefix(e, "rate(")) || !strings.HasSuffix(e, ")") {
		return errValidation.Errorf("Invalid schedule expression: %s", e)
	}
	if d.ScheduleStartTime != nil && d.ScheduleEndTime != nil && *d.ScheduleEndTime <= *d.ScheduleStartTime {
		return errValidation.New("scheduleEndTime must be after scheduleStartTime.")
	}
	for _, g := range d.LogGroupIdentifiers {
		if len(g) < 1 || len(g) > 2048 {
			return awsproto.Constraint(errInvalidParameter, g, "logGroupIdentifiers.member", "Member must have length less than or equal to 2048")
		}
	}
	return nil
}

type createScheduledQueryInput struct {
	Name string `json:"name" required:"true" min:"1" max:"255" pattern:"^[a-zA-Z0-9_\\-/.#]+$"`
	scheduledQueryDef
	Tags map[string]string `json:"tags" min:"1" max:"50"`
}

type updateScheduledQueryInput struct {
	scheduledQueryRef
	scheduledQueryDef
}

type listScheduledQueriesInput struct {
	MaxResults *int32  `json:"maxResults" min:"1" max:"1000"`
	NextToken  *string `json:"nextToken" min:"1"`
	State      string  `json:"state" enum:"ENABLED,DISABLED"`
}

type getScheduledQueryHistoryInput struct {
	scheduledQueryRef
	StartTime         *int64   `json:"startTime" required:"true" min:"0"`
	EndTime           *int64   `json:"endTime" required:"true" min:"0"`
	ExecutionStatuses []string `json:"executionStatuses"`
	MaxResults        *int32   `json:"maxResults" min:"1" max:"1000"`
	NextToken         *string  `json:"nextToken" min:"1"`
}

type scheduledQueryOut struct {
	ScheduledQueryArn        string                    `json:"scheduledQueryArn"`
	Name                     string                    `json:"name"`
	Description              string                    `json:"description,omitempty"`
	QueryLanguage            string                    `json:"queryLanguage,omitempty"`
	QueryString              *string                   `json:"queryString,omitempty"`
	LogGroupIdentifiers      []string                  `json:"logGroupIdentifiers,omitempty"`
	ScheduleExpression       string                    `json:"scheduleExpression"`
	Timezone                 string                    `json:"timezone,omitempty"`
	StartTimeOffset          *int64                    `json:"startTimeOffset,omitempty"`
	DestinationConfiguration *destinationConfiguration `json:"destinationConfiguration,omitempty"`
	State                    string                    `json:"state"`
	ScheduleStartTime        *int64                    `json:"scheduleStartTime,omitempty"`
	ScheduleEndTime          *int64                    `json:"scheduleEndTime,omitempty"`
	ExecutionRoleArn         string                    `json:"executionRoleArn,omitempty"`
	CreationTime             int64                     `json:"creationTime"`
	LastUpdatedTime          int64                     `json:"lastUpdatedTime"`
}

func (s *Service) scheduledQueryOf(name, arn string, d *scheduledQueryDef, now int64) ScheduledQuery {
	q := ScheduledQuery{Name: name, ARN: arn, Description: deref(d.Description), QueryLanguage: d.QueryLanguage, QueryString: *d.QueryString,
		LogGroupIdentifiers: d.LogGroupIdentifiers, ScheduleExpression: *d.ScheduleExpression, Timezone: deref(d.Timezone),
		StartTimeOffset: d.StartTimeOffset, ScheduleStart: d.ScheduleStartTime, ScheduleEnd: d.ScheduleEndTime,
		ExecutionRoleArn: d.ExecutionRoleArn, State: d.State, Created: now, Updated: now}
	if dc := d.DestinationConfiguration; dc != nil {
		s3 := dc.S3Configuration
		q.Destination = &ScheduledQueryDestination{S3URI: *s3.DestinationIdentifier, RoleArn: *s3.RoleArn, OwnerAccountID: deref(s3.OwnerAccountID), KmsKeyID: s3.KmsKeyID}
	}
	return q
}

func scheduledQueryOutOf(q ScheduledQuery, full bool) scheduledQueryOut {
	out := scheduledQueryOut{ScheduledQueryArn: q.ARN, Name: q.Name, ScheduleExpression: q.ScheduleExpression, Timezone: q.Timezone,
		State: q.State, CreationTime: q.Created, LastUpdatedTime: q.Updated}
	if d := q.Destination; d != nil {
		uri, role, owner := d.S3URI, d.RoleArn, d.OwnerAccountID
		s3 := &s3Configuration{DestinationIdentifier: &uri, RoleArn: &role, KmsKeyID: d.KmsKeyID}
		if owner != "" {
			s3.OwnerAccountID = &owner
		}
		out.DestinationConfiguration = &destinationConfiguration{S3Configuration: s3}
	}
	if full {
		qs := q.QueryString
		out.Description, out.QueryLanguage, out.QueryString, out.LogGroupIdentifiers = q.Description, q.QueryLanguage, &qs, q.LogGroupIdentifiers
		out.StartTimeOffset, out.ScheduleStartTime, out.ScheduleEndTime, out.ExecutionRoleArn = q.StartTimeOffset, q.ScheduleStart, q.ScheduleEnd, q.ExecutionRoleArn
	}
	return out
}

func (s *Service) createScheduledQuery(c *awsproto.Call, in *createScheduledQueryInput) (struct {
	ScheduledQueryArn string `json:"scheduledQueryArn"`
	State             string `json:"state"`
}, error) {
	var out struct {
		ScheduledQueryArn string `json:"scheduledQueryArn"`
		State             string `json:"state"`
	}
	q := s.scheduledQueryOf(in.Name, s.arn(c.Region, "scheduled-query", s.env.NewID()), &in.scheduledQueryDef, s.env.Now().UnixMilli())
	if q.State == "" {
		q.State = "ENABLED"
	}
	q.Tags = in.Tags
	if err := s.store.cfg.CreateScheduledQuery(c.Region, q); err != nil {
		return out, err
	}
	out.ScheduledQueryArn, out.State = q.ARN, q.State
	return out, nil
}

func (s *Service) getScheduledQuery(c *awsproto.Call, in *scheduledQueryRef) (scheduledQueryOut, error) {
	q, err := s.store.cfg.ScheduledQuery(c.Region, in.Identifier)
	if err != nil {
		return scheduledQueryOut{}, err
	}
	return scheduledQueryOutOf(q, true), nil
}

func (s *Service) listScheduledQueries(c *awsproto.Call, in *listScheduledQueriesInput) (struct {
	NextToken        string              `json:"nextToken,omitempty"`
	ScheduledQueries []scheduledQueryOut `json:"scheduledQueries"`
}, error) {
	var out struct {
		NextToken        string              `json:"nextToken,omitempty"`
		ScheduledQueries []scheduledQueryOut `json:"scheduledQueries"`
	}
	page, next, ok := pageOf(s.store.cfg.ScheduledQueries(c.Region, in.State), func(q ScheduledQuery) string { return q.Name }, deref(in.NextToken), limitOr(in.MaxResults, 1000))
	if !ok {
		return out, errValidation.New(msgBadToken)
	}
	out.ScheduledQueries, out.NextToken = make([]scheduledQueryOut, len(page)), next
	for i, q := range page {
		out.ScheduledQueries[i] = scheduledQueryOutOf(q, false)
	}
	return out, nil
}

func (s *Service) updateScheduledQuery(c *awsproto.Call, in *updateScheduledQueryInput) (scheduledQueryOut, error) {
	q := s.scheduledQueryOf("", "", &in.scheduledQueryDef, s.env.Now().UnixMilli())
	q, err := s.store.cfg.UpdateScheduledQuery(c.Region, in.Identifier, q)
	if err != nil {
		return scheduledQueryOut{}, err
	}
	return scheduledQueryOutOf(q, true), nil
}

func (s *Service) deleteScheduledQuery(c *awsproto.Call, in *scheduledQueryRef) (struct{}, error) {
	return struct{}{}, s.store.cfg.DeleteScheduledQuery(c.Region, in.Identifier)
}

var executionStatuses = map[string]bool{"Running": true, "InvalidQuery": true, "Complete": true, "Failed": true, "Timeout": true}

// getScheduledQueryHistory: the emulator runs no scheduled query, so the
// history is empty.
func (s *Service) getScheduledQueryHistory(c *awsproto.Call, in *getScheduledQueryHistoryInput) (struct {
	Name              string     `json:"name"`
	ScheduledQueryArn string     `json:"scheduledQueryArn"`
	TriggerHistory    []struct{} `json:"triggerHistory"`
}, error) {
	var out struct {
		Name              string     `json:"name"`
		ScheduledQueryArn string     `json:"scheduledQueryArn"`
		TriggerHistory    []struct{} `json:"triggerHistory"`
	}
	for _, st := range in.ExecutionStatuses {
		if !executionStatuses[st] {
			return out, awsproto.Constraint(errInvalidParameter, st, "executionStatuses.member", awsproto.EnumSet("Running", "InvalidQuery", "Complete", "Failed", "Timeout"))
		}
	}
	q, err := s.store.cfg.ScheduledQuery(c.Region, in.Identifier)
	if err != nil {
		return out, err
	}
	if *in.EndTime < *in.StartTime {
		return out, errValidation.New("endTime must not be before startTime.")
	}
	if in.NextToken != nil {
		return out, errValidation.New(msgBadToken)
	}
	out.Name, out.ScheduledQueryArn, out.TriggerHistory = q.Name, q.ARN, []struct{}{}
	return out, nil
}
