package logs

import "strings"

// ---- anomaly detectors ----

// Detector is a log anomaly detector (configuration only: the emulator
// trains on nothing and reports no anomalies).
type Detector struct {
	ID, ARN, Name     string
	GroupArns         []string
	Frequency         string
	FilterPattern     *string
	KmsKeyID          string
	VisibilityTime    *int64
	Status            string
	Created, Modified int64
	Tags              map[string]string
}

const msgNoDetector = "The specified anomaly detector does not exist."

// CreateDetector stores a detector.
func (c *Config) CreateDetector(region string, d Detector) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if inRegion(c.detectors, region) >= maxConfigPerRegion {
		return errLimitExceeded.New("Resource limit exceeded.")
	}
	d.Tags = copyTags(d.Tags)
	c.detectors[rkey{region, d.ID}] = &d
	return nil
}

// Detector returns a detector by id.
func (c *Config) Detector(region, id string) (Detector, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.detectors[rkey{region, id}]; d != nil {
		return *d, nil
	}
	return Detector{}, errResourceNotFound.New(msgNoDetector)
}

// Detectors lists a region's detectors (those watching group when it is
// not empty) by id.
func (c *Config) Detectors(region, group string) []Detector {
	c.mu.Lock()
	defer c.mu.Unlock()
	return listed(c.detectors, region, func(d *Detector) bool {
		if group == "" {
			return true
		}
		for _, g := range d.GroupArns {
			if strings.TrimSuffix(g, ":*") == strings.TrimSuffix(group, ":*") {
				return true
			}
		}
		return false
	})
}

// UpdateDetector applies update to a detector.
func (c *Config) UpdateDetector(region, id string, update func(*Detector)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.detectors[rkey{region, id}]
	if d == nil {
		return errResourceNotFound.New(msgNoDetector)
	}
	update(d)
	return nil
}

// DeleteDetector deletes a detector.
func (c *Config) DeleteDetector(region, id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := rkey{region, id}
	if c.detectors[k] == nil {
		return errResourceNotFound.New(msgNoDetector)
	}
	delete(c.detectors, k)
	return nil
}

// ---- integrations ----

// Integration is an OpenSearch integration (stored; nothing is
// provisioned).
type Integration struct {
	Name, Type, Status string
	DataSourceRoleArn  string
	KmsKeyArn          string
	ApplicationArn     string
	Principals         []string
	RetentionDays      int32
	Created            int64
}

const msgNoIntegration = "The specified integration does not exist."

// PutIntegration creates or replaces an integration.
func (c *Config) PutIntegration(region string, in Integration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := rkey{region, in.Name}
	if c.integrations[k] == nil && inRegion(c.integrations, region) >= maxConfigPerRegion {
		return errLimitExceeded.New("Resource limit exceeded.")
	}
	c.integrations[k] = &in
	return nil
}

// Integration returns an integration by name.
func (c *Config) Integration(region, name string) (Integration, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if in := c.integrations[rkey{region, name}]; in != nil {
		return *in, nil
	}
	return Integration{}, errResourceNotFound.New(msgNoIntegration)
}

// Integrations lists a region's integrations that keep passes, by name.
func (c *Config) Integrations(region string, keep func(*Integration) bool) []Integration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return listed(c.integrations, region, keep)
}

// DeleteIntegration deletes an integration.
func (c *Config) DeleteIntegration(region, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := rkey{region, name}
	if c.integrations[k] == nil {
		return errResourceNotFound.New(msgNoIntegration)
	}
	delete(c.integrations, k)
	return nil
}

// ---- lookup tables ----

// LookupTable is a CSV table Insights queries may join with.
type LookupTable struct {
	Name, ARN, Description, KmsKeyID string
	Body                             string
	Fields                           []string
	Records                          int64
	Created, Updated                 int64
	Tags                             map[string]string
}

const (
	msgNoLookupTable     = "The specified lookup table does not exist."
	msgLookupTableExists = "The specified lookup table already exists."
)

// CreateLookupTable stores a new table.
func (c *Config) CreateLookupTable(region string, t LookupTable) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := rkey{region, t.Name}
	if c.lookups[k] != nil {
		return errResourceAlreadyExists.New(msgLookupTableExists)
	}
	if inRegion(c.lookups, region) >= maxLookupTables || c.lookupBytes+int64(len(t.Body)) > maxLookupBytes {
		return errLimitExceeded.New("Resource limit exceeded.")
	}
	t.Tags = copyTags(t.Tags)
	c.lookups[k] = &t
	c.lookupBytes += int64(len(t.Body))
	return nil
}

// LookupTable returns a table by name.
func (c *Config) LookupTable(region, name string) (LookupTable, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := c.lookups[rkey{region, name}]; t != nil {
		return *t, nil
	}
	return LookupTable{}, errResourceNotFound.New(msgNoLookupTable)
}

// LookupTables lists a region's tables whose names start with prefix.
func (c *Config) LookupTables(region, prefix string) []LookupTable {
	c.mu.Lock()
	defer c.mu.Unlock()
	return listed(c.lookups, region, func(t *LookupTable) bool { return strings.HasPrefix(t.Name, prefix) })
}

// UpdateLookupTable replaces a table's body (and description and key when
// given).
func (c *Config) UpdateLookupTable(region, name string, t LookupTable) (LookupTable, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.lookups[rkey{region, name}]
	if old == nil {
		return LookupTable{}, errResourceNotFound.New(msgNoLookupTable)
	}
	if c.lookupBytes-int64(len(old.Body))+int64(len(t.Body)) > maxLookupBytes {
		return LookupTable{}, errLimitExceeded.New("Resource limit exceeded.")
	}
	c.lookupBytes += int64(len(t.Body)) - int64(len(old.Body))
	old.Body, old.Fields, old.Records, old.Updated = t.Body, t.Fields, t.Records, t.Updated
	if t.Description != "" {
		old.Description = t.Description
	}
	if t.KmsKeyID != "" {
		old.KmsKeyID = t.KmsKeyID
	}
	return *old, nil
}

// DeleteLookupTable deletes a table.
func (c *Config) DeleteLookupTable(region, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := rkey{region, name}
	t := c.lookups[k]
	if t == nil {
		return errResourceNotFound.New(msgNoLookupTable)
	}
	c.lookupBytes -= int64(len(t.Body))
	delete(c.lookups, k)
	return nil
}

// ---- scheduled queries ----

// ScheduledQuery is a stored query schedule (never run by the emulator).
type ScheduledQuery struct {
	Name, ARN, Description, QueryLanguage, QueryString string
	LogGroupIdentifiers                                []string
	ScheduleExpression, Timezone                       string
	StartTimeOffset                                    *int64
	Destination                                        *ScheduledQueryDestination
	ScheduleStart, ScheduleEnd                         *int64
	ExecutionRoleArn, State                            string
	Created, Updated                                   int64
	Tags                                               map[string]string
}

// ScheduledQueryDestination is where a scheduled query writes results.
type ScheduledQueryDestination struct {
	S3URI, RoleArn, OwnerAccountID, KmsKeyID string
}

const (
	msgNoScheduledQuery     = "The specified scheduled query does not exist."
	msgScheduledQueryExists = "A scheduled query with this name already exists."
)

// CreateScheduledQuery stores a new scheduled query.
func (c *Config) CreateScheduledQuery(region string, q ScheduledQuery) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := rkey{region, q.Name}
	if c.scheduled[k] != nil {
		return errConflict.New(msgScheduledQueryExists)
	}
	if inRegion(c.scheduled, region) >= maxConfigPerRegion {
		return errServiceQuotaExceeded.New("You have reached the maximum number of scheduled queries allowed.")
	}
	q.Tags = copyTags(q.Tags)
	c.scheduled[k] = &q
	return nil
}

// scheduledQuery finds a query by name or ARN; the caller holds mu.
func (c *Config) scheduledQuery(region, ident string) *ScheduledQuery {
	if q := c.scheduled[rkey{region, ident}]; q != nil {
		return q
	}
	for k, q := range c.scheduled {
		if k.region == region && q.ARN == ident {
			return q
		}
	}
	return nil
}

// ScheduledQuery returns a query by name or ARN.
func (c *Config) ScheduledQuery(region, ident string) (ScheduledQuery, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if q := c.scheduledQuery(region, ident); q != nil {
		return *q, nil
	}
	return ScheduledQuery{}, errResourceNotFound.New(msgNoScheduledQuery)
}

// ScheduledQueries lists a region's queries in state (all when "").
func (c *Config) ScheduledQueries(region, state string) []ScheduledQuery {
	c.mu.Lock()
	defer c.mu.Unlock()
	return listed(c.scheduled, region, func(q *ScheduledQuery) bool { return state == "" || q.State == state })
}

// UpdateScheduledQuery replaces a query's definition, keeping its name,
// ARN, creation time and tags.
func (c *Config) UpdateScheduledQuery(region, ident string, q ScheduledQuery) (ScheduledQuery, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.scheduledQuery(region, ident)
	if old == nil {
		return ScheduledQuery{}, errResourceNotFound.New(msgNoScheduledQuery)
	}
	q.Name, q.ARN, q.Created, q.Tags = old.Name, old.ARN, old.Created, old.Tags
	if q.State == "" {
		q.State = old.State
	}
	*old = q
	return q, nil
}

// DeleteScheduledQuery deletes a query by name or ARN.
func (c *Config) DeleteScheduledQuery(region, ident string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	q := c.scheduledQuery(region, ident)
	if q == nil {
		return errResourceNotFound.New(msgNoScheduledQuery)
	}
	delete(c.scheduled, rkey{region, q.Name})
	return nil
}

// ---- import tasks ----

// ImportTask is an import from a CloudTrail event data store.
type ImportTask struct {
	ID, SourceArn, DestinationArn, Status string
	StartEventTime, EndEventTime          *int64
	Created, Updated                      int64
}

const msgNoImportTask = "The specified import task does not exist."

// CreateImportTask stores a task.
func (c *Config) CreateImportTask(region string, t ImportTask) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, o := range c.imports {
		if k.region == region && o.SourceArn == t.SourceArn && o.Status == "IN_PROGRESS" {
			return errConflict.New("An import task for this source is already in progress.")
		}
	}
	if inRegion(c.imports, region) >= maxConfigPerRegion {
		return errInvalidOperation.New("You have reached the maximum number of import tasks allowed.")
	}
	c.imports[rkey{region, t.ID}] = &t
	return nil
}

// ImportTasks lists a region's tasks that keep passes, by id.
func (c *Config) ImportTasks(region string, keep func(*ImportTask) bool) []ImportTask {
	c.mu.Lock()
	defer c.mu.Unlock()
	return listed(c.imports, region, keep)
}

// ImportTask returns a task by id.
func (c *Config) ImportTask(region, id string) (ImportTask, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := c.imports[rkey{region, id}]; t != nil {
		return *t, nil
	}
	return ImportTask{}, errResourceNotFound.New(msgNoImportTask)
}

// CancelImportTask cancels a task in progress.
func (c *Config) CancelImportTask(region, id string, now int64) (ImportTask, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.imports[rkey{region, id}]
	if t == nil {
		return ImportTask{}, errResourceNotFound.New(msgNoImportTask)
	}
	if t.Status != "IN_PROGRESS" {
		return ImportTask{}, errInvalidOperation.Errorf("The import task is already %s.", strings.ToLower(t.Status))
	}
	t.Status, t.Updated = "CANCELLED", now
	return *t, nil
}

// ---- S3 table integration sources ----

// S3TableSource is a data source associated with an S3 table integration.
type S3TableSource struct {
	ID, IntegrationArn, Name, Type string
	Created                        int64
}

// AssociateS3TableSource stores a source.
func (c *Config) AssociateS3TableSource(region string, s S3TableSource) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if inRegion(c.s3Sources, region) >= maxConfigPerRegion {
		return errValidation.New("You have reached the maximum number of sources allowed.")
	}
	c.s3Sources[rkey{region, s.ID}] = &s
	return nil
}

// DisassociateS3TableSource removes a source by identifier.
func (c *Config) DisassociateS3TableSource(region, id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := rkey{region, id}
	if c.s3Sources[k] == nil {
		return errResourceNotFound.New("The specified source does not exist.")
	}
	delete(c.s3Sources, k)
	return nil
}

// S3TableSources lists an integration's sources by identifier.
func (c *Config) S3TableSources(region, integrationArn string) []S3TableSource {
	c.mu.Lock()
	defer c.mu.Unlock()
	return listed(c.s3Sources, region, func(s *S3TableSource) bool { return s.IntegrationArn == integrationArn })
}

// ---- bearer token authentication ----

// SetBearerToken records whether a log group accepts bearer tokens.
func (c *Config) SetBearerToken(region, group string, enabled bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if enabled {
		c.bearer[rkey{region, group}] = true
	} else {
		delete(c.bearer, rkey{region, group})
	}
}

// BearerToken reports whether a log group accepts bearer tokens.
func (c *Config) BearerToken(region, group string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bearer[rkey{region, group}]
}
