package dynamodb

import (
	"net/http"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Wire constants of the two services.
const (
	targetPrefix        = "DynamoDB_20120810"
	streamsTargetPrefix = "DynamoDBStreams_20120810"
	errorNamespace      = "com.amazonaws.dynamodb.v20120810#"
	// LinkStore is the Env.Links name under which the DynamoDB service
	// publishes its *Store, a cloud.StreamReader: the Streams API and
	// in-process consumers (Lambda event source mappings) read it at
	// request time.
	LinkStore = cloud.LinkDynamoDBStreams
)

var _ cloud.StreamReader = (*Store)(nil)

// Service is the DynamoDB API.
type Service struct {
	env   *cloud.Env
	store *Store
	api   awsproto.API
}

// New returns the DynamoDB service and publishes its store in env.Links.
func New(env *cloud.Env) *Service {
	s := &Service{env: env, store: NewStore(env)}
	s.api = awsproto.API{
		Model:          "dynamodb",
		Base:           awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Protocol:       awsproto.JSON10,
		TargetPrefix:   targetPrefix,
		ErrorNamespace: errorNamespace,
		MaxBody:        32 << 20,
		ResponseCRC32:  true,
	}
	s.api.Register(
		awsproto.Handle("CreateTable", s.createTable),
		awsproto.Handle("DescribeTable", s.describeTable),
		awsproto.Handle("ListTables", s.listTables),
		awsproto.Handle("UpdateTable", s.updateTable),
		awsproto.Handle("DeleteTable", s.deleteTable),
		awsproto.Handle("DescribeTimeToLive", s.describeTimeToLive),
		awsproto.Handle("UpdateTimeToLive", s.updateTimeToLive),
		awsproto.Handle("TagResource", s.tagResource),
		awsproto.Handle("UntagResource", s.untagResource),
		awsproto.Handle("ListTagsOfResource", s.listTagsOfResource),
		awsproto.Handle("DescribeEndpoints", s.describeEndpoints),
		awsproto.Handle("DescribeLimits", s.describeLimits),
		awsproto.Handle("PutItem", s.putItem),
		awsproto.Handle("GetItem", s.getItem),
		awsproto.Handle("UpdateItem", s.updateItem),
		awsproto.Handle("DeleteItem", s.deleteItem),
		awsproto.Handle("Query", s.query),
		awsproto.Handle("Scan", s.scan),
		awsproto.Handle("BatchGetItem", s.batchGetItem),
		awsproto.Handle("BatchWriteItem", s.batchWriteItem),
		awsproto.Handle("TransactWriteItems", s.transactWriteItems),
		awsproto.Handle("TransactGetItems", s.transactGetItems),
		awsproto.Handle("DescribeContinuousBackups", s.describeContinuousBackups),
		awsproto.Handle("UpdateContinuousBackups", s.updateContinuousBackups),
		awsproto.Handle("CreateBackup", s.createBackup),
		awsproto.Handle("DescribeBackup", s.describeBackup),
		awsproto.Handle("ListBackups", s.listBackups),
		awsproto.Handle("DeleteBackup", s.deleteBackup),
		awsproto.Handle("RestoreTableFromBackup", s.restoreTableFromBackup),
		awsproto.Handle("RestoreTableToPointInTime", s.restoreTableToPointInTime),
		awsproto.Handle("PutResourcePolicy", s.putResourcePolicy),
		awsproto.Handle("GetResourcePolicy", s.getResourcePolicy),
		awsproto.Handle("DeleteResourcePolicy", s.deleteResourcePolicy),
		awsproto.Handle("DescribeContributorInsights", s.describeContributorInsights),
		awsproto.Handle("UpdateContributorInsights", s.updateContributorInsights),
		awsproto.Handle("ListContributorInsights", s.listContributorInsights),
		awsproto.Handle("EnableKinesisStreamingDestination", s.enableKinesisStreamingDestination),
		awsproto.Handle("DisableKinesisStreamingDestination", s.disableKinesisStreamingDestination),
		awsproto.Handle("UpdateKinesisStreamingDestination", s.updateKinesisStreamingDestination),
		awsproto.Handle("DescribeKinesisStreamingDestination", s.describeKinesisStreamingDestination),
		awsproto.Handle("CreateGlobalTable", s.createGlobalTable),
		awsproto.Handle("DescribeGlobalTable", s.describeGlobalTable),
		awsproto.Handle("UpdateGlobalTable", s.updateGlobalTable),
		awsproto.Handle("ListGlobalTables", s.listGlobalTables),
		awsproto.Handle("DescribeGlobalTableSettings", s.describeGlobalTableSettings),
		awsproto.Handle("UpdateGlobalTableSettings", s.updateGlobalTableSettings),
		awsproto.Handle("ExportTableToPointInTime", s.exportTableToPointInTime),
		awsproto.Handle("DescribeExport", s.describeExport),
		awsproto.Handle("ListExports", s.listExports),
		awsproto.Handle("ImportTable", s.importTable),
		awsproto.Handle("DescribeImport", s.describeImport),
		awsproto.Handle("ListImports", s.listImports),
		awsproto.Handle("DescribeTableReplicaAutoScaling", s.describeTableReplicaAutoScaling),
		awsproto.Handle("UpdateTableReplicaAutoScaling", s.updateTableReplicaAutoScaling),
		awsproto.Handle("ExecuteStatement", s.executeStatement),
		awsproto.Handle("BatchExecuteStatement", s.batchExecuteStatement),
		awsproto.Handle("ExecuteTransaction", s.executeTransaction),
	)
	if env.Links != nil {
		env.Links.Set(LinkStore, s.store)
		env.Links.Set(cloud.LinkDynamoDB, cloud.ItemWriter(itemWriter{s}))
	}
	return s
}

func (s *Service) Name() string                { return "dynamodb" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.JSON10 }
func (s *Service) Routes() []cloud.Route {
	return []cloud.Route{{Kind: cloud.ByScope, Key: "dynamodb"}, {Kind: cloud.ByTarget, Key: targetPrefix}}
}

// APIs is the service's API, for the coverage report and the model checks.
func (s *Service) APIs() []*awsproto.API { return []*awsproto.API{&s.api} }

func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.api.ServeHTTP(w, r) }

// Reset drops every table and stream.
func (s *Service) Reset() { s.store.Reset() }

// Close stops the TTL sweeper.
func (s *Service) Close() error {
	s.store.sweeper.close()
	s.store.globals.close()
	return nil
}

// Store returns the service's store (for in-process stream consumers).
func (s *Service) Store() *Store { return s.store }

// SweepTTL deletes every expired item now, as the background sweeper
// eventually would; tests call it to expire items deterministically.
func (s *Service) SweepTTL() int { return s.store.sweepTTL(0) }

// Summary lists tables per region for GET /_groundstack/state.
func (s *Service) Summary() map[string]any {
	out := map[string]any{}
	for _, r := range s.store.allRegions() {
		var tables []map[string]any
		for _, name := range r.tableNames() {
			t := r.table(name)
			if t == nil {
				continue
			}
			items, bytes := t.stats()
			tables = append(tables, map[string]any{"name": name, "items": items, "bytes": bytes})
		}
		if len(tables) > 0 {
			out[r.name] = tables
		}
	}
	return map[string]any{"tables": out}
}

// StreamsService is the DynamoDB Streams API. It reads the store the
// DynamoDB service published in Env.Links.
type StreamsService struct {
	env *cloud.Env
	api awsproto.API
}

// NewStreams returns the DynamoDB Streams service.
func NewStreams(env *cloud.Env) *StreamsService {
	s := &StreamsService{env: env}
	s.api = awsproto.API{
		Model:          "dynamodbstreams",
		Base:           awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Protocol:       awsproto.JSON10,
		TargetPrefix:   streamsTargetPrefix,
		ErrorNamespace: errorNamespace,
	}
	s.api.Register(
		awsproto.Handle("ListStreams", s.listStreams),
		awsproto.Handle("DescribeStream", s.describeStream),
		awsproto.Handle("GetShardIterator", s.getShardIterator),
		awsproto.Handle("GetRecords", s.getRecords),
	)
	return s
}

func (s *StreamsService) Name() string                { return "dynamodbstreams" }
func (s *StreamsService) Protocol() awsproto.Protocol { return awsproto.JSON10 }
func (s *StreamsService) Routes() []cloud.Route {
	// The SDK signs Streams calls with the "dynamodb" scope: only the
	// target tells them apart.
	return []cloud.Route{{Kind: cloud.ByTarget, Key: streamsTargetPrefix}, {Kind: cloud.SignedAs, Key: "dynamodb"}}
}

// APIs is the service's API, for the coverage report and the model checks.
func (s *StreamsService) APIs() []*awsproto.API { return []*awsproto.API{&s.api} }

func (s *StreamsService) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.api.ServeHTTP(w, r) }

// Reset is a no-op: streams live in the DynamoDB store, reset with it.
func (s *StreamsService) Reset() {}

// store returns the DynamoDB store, or nil when no DynamoDB service runs.
func (s *StreamsService) store() *Store {
	st, _ := s.env.Links.Get(LinkStore).(*Store)
	return st
}
