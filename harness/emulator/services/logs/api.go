package logs

import (
	"net/http"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Wire names of the service.
const (
	targetPrefix = "Logs_20140328"
	scope        = "logs"
)

// Service is CloudWatch Logs.
type Service struct {
	env   *cloud.Env
	store *Store
	api   awsproto.API
	ext   serviceExt // subscription deliveries (api_filters.go)
	// journal is what was last recorded (journal.go).
	journal logsJournal
}

// New returns the service and publishes its LogWriter under cloud.LinkLogs.
func New(env *cloud.Env) *Service {
	s := &Service{env: env, store: NewStore(env.Now)}
	s.api = awsproto.API{
		Model:        "logs",
		Base:         awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Protocol:     awsproto.JSON11,
		TargetPrefix: targetPrefix,
		MaxBody:      8 << 20,
		Invalid:      errInvalidParameter,
	}
	s.api.Register(
		// groups, retention and tags (api_groups.go)
		awsproto.Handle("CreateLogGroup", s.createLogGroup),
		awsproto.Handle("DeleteLogGroup", s.deleteLogGroup),
		awsproto.Handle("DescribeLogGroups", s.describeLogGroups),
		awsproto.Handle("PutRetentionPolicy", s.putRetentionPolicy),
		awsproto.Handle("DeleteRetentionPolicy", s.deleteRetentionPolicy),
		awsproto.Handle("TagLogGroup", s.tagLogGroup),
		awsproto.Handle("UntagLogGroup", s.untagLogGroup),
		awsproto.Handle("ListTagsLogGroup", s.listTagsLogGroup),
		awsproto.Handle("TagResource", s.tagResource),
		awsproto.Handle("UntagResource", s.untagResource),
		awsproto.Handle("ListTagsForResource", s.listTagsForResource),
		// streams (api_streams.go)
		awsproto.Handle("CreateLogStream", s.createLogStream),
		awsproto.Handle("DeleteLogStream", s.deleteLogStream),
		awsproto.Handle("DescribeLogStreams", s.describeLogStreams),
		// events (api_events.go)
		awsproto.Handle("PutLogEvents", s.putLogEvents),
		awsproto.Handle("GetLogEvents", s.getLogEvents),
		awsproto.Handle("FilterLogEvents", s.filterLogEvents),
		// subscription and metric filters (api_filters.go)
		awsproto.Handle("PutSubscriptionFilter", s.putSubscriptionFilter),
		awsproto.Handle("DescribeSubscriptionFilters", s.describeSubscriptionFilters),
		awsproto.Handle("DeleteSubscriptionFilter", s.deleteSubscriptionFilter),
		awsproto.Handle("PutMetricFilter", s.putMetricFilter),
		awsproto.Handle("DescribeMetricFilters", s.describeMetricFilters),
		awsproto.Handle("DeleteMetricFilter", s.deleteMetricFilter),
		awsproto.Handle("TestMetricFilter", s.testMetricFilter),
		// Insights queries, definitions, records and fields (api_queries.go)
		awsproto.Handle("StartQuery", s.startQuery),
		awsproto.Handle("GetQueryResults", s.getQueryResults),
		awsproto.Handle("StopQuery", s.stopQuery),
		awsproto.Handle("DescribeQueries", s.describeQueries),
		awsproto.Handle("PutQueryDefinition", s.putQueryDefinition),
		awsproto.Handle("DescribeQueryDefinitions", s.describeQueryDefinitions),
		awsproto.Handle("DeleteQueryDefinition", s.deleteQueryDefinition),
		awsproto.Handle("GetLogRecord", s.getLogRecord),
		awsproto.Handle("GetLogGroupFields", s.getLogGroupFields),
		// export tasks and ListLogGroups (api_export.go)
		awsproto.Handle("CreateExportTask", s.createExportTask),
		awsproto.Handle("DescribeExportTasks", s.describeExportTasks),
		awsproto.Handle("CancelExportTask", s.cancelExportTask),
		awsproto.Handle("ListLogGroups", s.listLogGroups),
		// policies, destinations, KMS keys, deletion protection (api_policies.go)
		awsproto.Handle("PutResourcePolicy", s.putResourcePolicy),
		awsproto.Handle("DescribeResourcePolicies", s.describeResourcePolicies),
		awsproto.Handle("DeleteResourcePolicy", s.deleteResourcePolicy),
		awsproto.Handle("PutDataProtectionPolicy", s.putDataProtectionPolicy),
		awsproto.Handle("GetDataProtectionPolicy", s.getDataProtectionPolicy),
		awsproto.Handle("DeleteDataProtectionPolicy", s.deleteDataProtectionPolicy),
		awsproto.Handle("PutAccountPolicy", s.putAccountPolicy),
		awsproto.Handle("DescribeAccountPolicies", s.describeAccountPolicies),
		awsproto.Handle("DeleteAccountPolicy", s.deleteAccountPolicy),
		awsproto.Handle("PutDestination", s.putDestination),
		awsproto.Handle("PutDestinationPolicy", s.putDestinationPolicy),
		awsproto.Handle("DescribeDestinations", s.describeDestinations),
		awsproto.Handle("DeleteDestination", s.deleteDestination),
		awsproto.Handle("AssociateKmsKey", s.associateKmsKey),
		awsproto.Handle("DisassociateKmsKey", s.disassociateKmsKey),
		awsproto.Handle("PutLogGroupDeletionProtection", s.putLogGroupDeletionProtection),
		// field-index policies (api_indexes.go)
		awsproto.Handle("PutIndexPolicy", s.putIndexPolicy),
		awsproto.Handle("DescribeIndexPolicies", s.describeIndexPolicies),
		awsproto.Handle("DeleteIndexPolicy", s.deleteIndexPolicy),
		awsproto.Handle("DescribeFieldIndexes", s.describeFieldIndexes),
		// transformers (api_transformers.go)
		awsproto.Handle("PutTransformer", s.putTransformer),
		awsproto.Handle("GetTransformer", s.getTransformer),
		awsproto.Handle("DeleteTransformer", s.deleteTransformer),
		awsproto.Handle("TestTransformer", s.testTransformer),
		// live tail (api_livetail.go)
		awsproto.Handle("StartLiveTail", s.startLiveTail),
		// delivery sources, destinations and deliveries (api_deliveries.go)
		awsproto.Handle("PutDeliverySource", s.putDeliverySource),
		awsproto.Handle("GetDeliverySource", s.getDeliverySource),
		awsproto.Handle("DescribeDeliverySources", s.describeDeliverySources),
		awsproto.Handle("DeleteDeliverySource", s.deleteDeliverySource),
		awsproto.Handle("PutDeliveryDestination", s.putDeliveryDestination),
		awsproto.Handle("GetDeliveryDestination", s.getDeliveryDestination),
		awsproto.Handle("DescribeDeliveryDestinations", s.describeDeliveryDestinations),
		awsproto.Handle("DeleteDeliveryDestination", s.deleteDeliveryDestination),
		awsproto.Handle("PutDeliveryDestinationPolicy", s.putDeliveryDestinationPolicy),
		awsproto.Handle("GetDeliveryDestinationPolicy", s.getDeliveryDestinationPolicy),
		awsproto.Handle("DeleteDeliveryDestinationPolicy", s.deleteDeliveryDestinationPolicy),
		awsproto.Handle("CreateDelivery", s.createDelivery),
		awsproto.Handle("GetDelivery", s.getDelivery),
		awsproto.Handle("DescribeDeliveries", s.describeDeliveries),
		awsproto.Handle("DeleteDelivery", s.deleteDelivery),
		awsproto.Handle("UpdateDeliveryConfiguration", s.updateDeliveryConfiguration),
		awsproto.Handle("DescribeConfigurationTemplates", s.describeConfigurationTemplates),
		// anomaly detectors (api_anomalies.go)
		awsproto.Handle("CreateLogAnomalyDetector", s.createLogAnomalyDetector),
		awsproto.Handle("GetLogAnomalyDetector", s.getLogAnomalyDetector),
		awsproto.Handle("ListLogAnomalyDetectors", s.listLogAnomalyDetectors),
		awsproto.Handle("UpdateLogAnomalyDetector", s.updateLogAnomalyDetector),
		awsproto.Handle("DeleteLogAnomalyDetector", s.deleteLogAnomalyDetector),
		awsproto.Handle("ListAnomalies", s.listAnomalies),
		awsproto.Handle("UpdateAnomaly", s.updateAnomaly),
		// integrations and S3 table integration sources (api_integrations.go)
		awsproto.Handle("PutIntegration", s.putIntegration),
		awsproto.Handle("GetIntegration", s.getIntegration),
		awsproto.Handle("ListIntegrations", s.listIntegrations),
		awsproto.Handle("DeleteIntegration", s.deleteIntegration),
		awsproto.Handle("AssociateSourceToS3TableIntegration", s.associateSourceToS3TableIntegration),
		awsproto.Handle("DisassociateSourceFromS3TableIntegration", s.disassociateSourceFromS3TableIntegration),
		awsproto.Handle("ListSourcesForS3TableIntegration", s.listSourcesForS3TableIntegration),
		// lookup tables (api_lookups.go)
		awsproto.Handle("CreateLookupTable", s.createLookupTable).WithMaxBody(lookupBodyLimit),
		awsproto.Handle("GetLookupTable", s.getLookupTable),
		awsproto.Handle("DescribeLookupTables", s.describeLookupTables),
		awsproto.Handle("UpdateLookupTable", s.updateLookupTable).WithMaxBody(lookupBodyLimit),
		awsproto.Handle("DeleteLookupTable", s.deleteLookupTable),
		// scheduled queries (api_scheduled.go)
		awsproto.Handle("CreateScheduledQuery", s.createScheduledQuery),
		awsproto.Handle("GetScheduledQuery", s.getScheduledQuery),
		awsproto.Handle("ListScheduledQueries", s.listScheduledQueries),
		awsproto.Handle("UpdateScheduledQuery", s.updateScheduledQuery),
		awsproto.Handle("DeleteScheduledQuery", s.deleteScheduledQuery),
		awsproto.Handle("GetScheduledQueryHistory", s.getScheduledQueryHistory),
		// import tasks, bearer tokens, aggregate summaries (api_imports.go)
		awsproto.Handle("CreateImportTask", s.createImportTask),
		awsproto.Handle("DescribeImportTasks", s.describeImportTasks),
		awsproto.Handle("DescribeImportTaskBatches", s.describeImportTaskBatches),
		awsproto.Handle("CancelImportTask", s.cancelImportTask),
		awsproto.Handle("PutBearerTokenAuthentication", s.putBearerTokenAuthentication),
		awsproto.Handle("ListAggregateLogGroupSummaries", s.listAggregateLogGroupSummaries),
	)
	s.store.OnEvents = s.onEvents // subscription delivery, metric filters (api_filters.go)
	if env.Links != nil {
		env.Links.Set(cloud.LinkLogs, cloud.LogWriter(s.store))
	}
	return s
}

func (s *Service) Name() string                { return "logs" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.JSON11 }
func (s *Service) Reset()                      { s.recordReset(); s.store.Reset() }
func (s *Service) Summary() map[string]any     { return s.store.Summary() }

func (s *Service) Routes() []cloud.Route {
	return []cloud.Route{
		{Kind: cloud.ByScope, Key: scope},
		{Kind: cloud.ByTarget, Key: targetPrefix},
	}
}

// APIs is the service's API, for the coverage report and the model checks.
func (s *Service) APIs() []*awsproto.API { return []*awsproto.API{&s.api} }

func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.store.journal.Load() != nil && changesSettings(r) {
		jw := &journaledWriter{ResponseWriter: w, s: s, ctx: r.Context()}
		defer jw.flush() // an answer with no body
		w = jw
	}
	s.api.ServeHTTP(w, r)
}

// Store exposes the store (for benchmarks and the LogWriter).
func (s *Service) Store() *Store { return s.store }

// ---- members many inputs share, with the model's constraints ----
//
// Each is embedded where the model lists it, so validation messages come in
// the model's order. String members are plain strings, an empty one being a
// missing one ("Value null at …"), as the service answered before awsproto
// and as decoding them costs no allocation on the hot path.

// groupRef names a log group.
type groupRef struct {
	LogGroupName string `json:"logGroupName" required:"true" min:"1" max:"512" pattern:"[\\.\\-_/#A-Za-z0-9]+"`
}

// streamRef names a log stream.
type streamRef struct {
	groupRef
	LogStreamName string `json:"logStreamName" required:"true" min:"1" max:"512" pattern:"[^:*]*"`
}

// groupIdent names a log group by name or by identifier (a name or ARN),
// one of the two.
type groupIdent struct {
	LogGroupName       string `json:"logGroupName" min:"1" max:"512" pattern:"[\\.\\-_/#A-Za-z0-9]+"`
	LogGroupIdentifier string `json:"logGroupIdentifier" min:"1" max:"2048" pattern:"[\\w#+=/:,.@-]*"`
}

// Validate: exactly one of the two, and an ARN that names a log group.
func (g groupIdent) Validate() error {
	switch {
	case g.LogGroupName != "" && g.LogGroupIdentifier != "":
		return errInvalidParameter.New("LogGroup name and LogGroup identifier are mutually exclusive parameters.")
	case g.LogGroupName == "" && g.LogGroupIdentifier == "":
		return awsproto.NotNull(errInvalidParameter, "logGroupName")
	case strings.HasPrefix(g.LogGroupIdentifier, "arn:"):
		if _, _, ok := parseGroupARN(g.LogGroupIdentifier); !ok {
			return errInvalidParameter.Errorf("Invalid log group identifier: %s", g.LogGroupIdentifier)
		}
	}
	return nil
}

// name is the group's name (Validate has passed).
func (g groupIdent) name() string {
	if g.LogGroupName != "" {
		return g.LogGroupName
	}
	if _, n, ok := parseGroupARN(g.LogGroupIdentifier); ok {
		return n
	}
	return g.LogGroupIdentifier
}

// parseGroupARN splits arn:aws:logs:region:account:log-group:NAME[:*].
func parseGroupARN(arn string) (region, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[2] != "logs" || parts[5] != "log-group" {
		return "", "", false
	}
	name = strings.TrimSuffix(parts[6], ":*")
	return parts[3], name, name != ""
}

func (s *Service) groupARN(region, name string) string {
	return "arn:aws:logs:" + region + ":" + s.env.Account + ":log-group:" + name
}
