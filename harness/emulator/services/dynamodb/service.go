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
	api   awsproto.JSONService
}

// New returns the DynamoDB service and publishes its store in env.Links.
func New(env *cloud.Env) *Service {
	s := &Service{env: env, store: NewStore(env)}
	s.api = awsproto.JSONService{
		Base:           awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Version:        "1.0",
		TargetPrefix:   targetPrefix,
		ErrorNamespace: errorNamespace,
		Ops:            s.ops(),
		MaxBody:        32 << 20,
	}
	if env.Links != nil {
		env.Links.Set(LinkStore, s.store)
	}
	return s
}

func (s *Service) Name() string                { return "dynamodb" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.JSON10 }
func (s *Service) Routes() []cloud.Route {
	return []cloud.Route{{Kind: cloud.ByScope, Key: "dynamodb"}, {Kind: cloud.ByTarget, Key: targetPrefix}}
}
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.api.ServeHTTP(w, r) }

// Reset drops every table and stream.
func (s *Service) Reset() { s.store.Reset() }

// Close stops the TTL sweeper.
func (s *Service) Close() error {
	s.store.sweeper.close()
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
			t.mu.RLock()
			tables = append(tables, map[string]any{"name": name, "items": t.items.Len(), "bytes": t.bytes})
			t.mu.RUnlock()
		}
		if len(tables) > 0 {
			out[r.name] = tables
		}
	}
	return map[string]any{"tables": out}
}

func (s *Service) ops() map[string]awsproto.JSONOp {
	return map[string]awsproto.JSONOp{
		"CreateTable":        s.createTable,
		"DescribeTable":      s.describeTable,
		"ListTables":         s.listTables,
		"UpdateTable":        s.updateTable,
		"DeleteTable":        s.deleteTable,
		"DescribeTimeToLive": s.describeTimeToLive,
		"UpdateTimeToLive":   s.updateTimeToLive,
		"TagResource":        s.tagResource,
		"UntagResource":      s.untagResource,
		"ListTagsOfResource": s.listTagsOfResource,
		"DescribeEndpoints":  s.describeEndpoints,
		"DescribeLimits":     s.describeLimits,
		"PutItem":            s.putItem,
		"GetItem":            s.getItem,
		"UpdateItem":         s.updateItem,
		"DeleteItem":         s.deleteItem,
		"Query":              s.query,
		"Scan":               s.scan,
		"BatchGetItem":       s.batchGetItem,
		"BatchWriteItem":     s.batchWriteItem,
		"TransactWriteItems": s.transactWriteItems,
		"TransactGetItems":   s.transactGetItems,
	}
}

// StreamsService is the DynamoDB Streams API. It reads the store the
// DynamoDB service published in Env.Links.
type StreamsService struct {
	env *cloud.Env
	api awsproto.JSONService
}

// NewStreams returns the DynamoDB Streams service.
func NewStreams(env *cloud.Env) *StreamsService {
	s := &StreamsService{env: env}
	s.api = awsproto.JSONService{
		Base:           awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Version:        "1.0",
		TargetPrefix:   streamsTargetPrefix,
		ErrorNamespace: errorNamespace,
		Ops: map[string]awsproto.JSONOp{
			"ListStreams":      s.listStreams,
			"DescribeStream":   s.describeStream,
			"GetShardIterator": s.getShardIterator,
			"GetRecords":       s.getRecords,
		},
	}
	return s
}

func (s *StreamsService) Name() string                { return "dynamodbstreams" }
func (s *StreamsService) Protocol() awsproto.Protocol { return awsproto.JSON10 }
func (s *StreamsService) Routes() []cloud.Route {
	// The SDK signs Streams calls with the "dynamodb" scope: only the
	// target tells them apart.
	return []cloud.Route{{Kind: cloud.ByTarget, Key: streamsTargetPrefix}, {Kind: cloud.SignedAs, Key: "dynamodb"}}
}
func (s *StreamsService) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.api.ServeHTTP(w, r) }

// Reset is a no-op: streams live in the DynamoDB store, reset with it.
func (s *StreamsService) Reset() {}

// store returns the DynamoDB store, or nil when no DynamoDB service runs.
func (s *StreamsService) store() *Store {
	st, _ := s.env.Links.Get(LinkStore).(*Store)
	return st
}
