// Package cloud holds what every emulated service shares: the Service
// contract the edge routes to, and the injectable environment (clock, IDs,
// account). It must not import net/http handlers of any service.
package cloud

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// DefaultAccount is the account every resource lives in, as in LocalStack.
const DefaultAccount = "000000000000"

// DefaultRegion is used when a request carries no region.
const DefaultRegion = "us-east-1"

// Env is what a service may take from its surroundings. Tests replace Now and
// NewID to make responses deterministic.
type Env struct {
	Account string
	Region  string // default region
	Now     func() time.Time
	NewID   func() string // request IDs, resource IDs (UUID-shaped)
	// Host is the public host:port clients reach the edge on (for URLs the
	// services hand out, e.g. queue URLs, function URLs).
	Host string
	Log  *slog.Logger
	// Links lets services reach each other through small interfaces the
	// emulator wires at start-up (S3 → Lambda, Streams → Lambda, SNS → SQS).
	Links *Links
	// TempDir is where services make their private temporary directories
	// (S3's object bodies on disk), each removed when its service closes;
	// "" is os.TempDir().
	TempDir string
	// AlarmEvaluation is how often CloudWatch evaluates alarms on the wall
	// clock while no test drives its clock (0: every 10 s; < 0: never, only
	// when the clock is advanced).
	AlarmEvaluation time.Duration
	// MaxBodyInMemory is the size past which S3 keeps an object's or a
	// part's bytes on disk rather than in memory (0: 1 MiB).
	MaxBodyInMemory int64
	// WebSocketIdleTimeout and WebSocketMaxLifetime bound API Gateway
	// WebSocket connections (0: AWS's 10 minutes and 2 hours).
	WebSocketIdleTimeout time.Duration
	WebSocketMaxLifetime time.Duration
	// Names is shared by every account's services (S3 bucket names are
	// unique across accounts); nil when a service runs alone.
	Names *Names
}

// Links is the registry of cross-service interfaces, filled by the emulator
// at start-up; a name not set means "not wired".
type Links struct {
	mu     sync.RWMutex
	values map[string]any
}

// Set publishes v under name.
func (l *Links) Set(name string, v any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.values == nil {
		l.values = map[string]any{}
	}
	l.values[name] = v
}

// Get returns what was published under name, or nil.
func (l *Links) Get(name string) any {
	if l == nil {
		return nil
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.values[name]
}

// DefaultEnv returns an Env on the wall clock with random UUIDs.
func DefaultEnv() *Env {
	return &Env{Account: DefaultAccount, Region: DefaultRegion, Now: time.Now, NewID: NewUUID, Links: &Links{}, Log: slog.New(slog.DiscardHandler)}
}

// NewUUID returns a random RFC 4122 version 4 UUID.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// Service is one emulated AWS service as the edge sees it.
type Service interface {
	// Name is the service's name in /_localstack/health ("s3", "dynamodb").
	Name() string
	// Routes says which requests belong to this service.
	Routes() []Route
	// Protocol is the wire protocol the service's errors are written in.
	Protocol() awsproto.Protocol
	http.Handler
	// Reset empties every store of the service.
	Reset()
}

// Modeled is a service whose operations AWS's models describe: it lists
// its APIs (one per protocol it speaks), each naming its model, for the
// coverage report and the checks of its inputs against the models.
type Modeled interface {
	APIs() []*awsproto.API
}

// Summarizer is implemented by services that can summarise their resources
// for GET /_groundstack/state.
type Summarizer interface {
	Summary() map[string]any
}

// LiteralPaths is implemented by a service whose request paths carry user
// data verbatim (S3 object keys may hold "//" and ".."): the edge hands it
// paths as sent instead of normalising them.
type LiteralPaths interface {
	LiteralPaths() bool
}

// CORSServer is implemented by a service that answers browsers' CORS
// itself for some requests (S3 buckets with a CORS configuration): for
// those, once the edge's origin check passed, the edge adds no CORS
// headers and answers no preflight of its own.
type CORSServer interface {
	ServesCORS(r *http.Request) bool
}

// RouteKind says what part of a request a Route matches.
type RouteKind int

const (
	// ByScope matches the service in the SigV4 credential scope
	// (Authorization header or X-Amz-Credential query parameter).
	ByScope RouteKind = iota
	// ByTarget matches the part of X-Amz-Target before the first '.'.
	ByTarget
	// ByPath matches a path prefix.
	ByPath
	// ByHost matches a Host header ending in Key, a dot-separated pattern in
	// which "*" stands for one label ("lambda-url.*.localhost.localstack.cloud");
	// what precedes it is the resource (bucket, API id, URL id): see
	// emulator.MatchHost.
	ByHost
	// Fallback takes whatever nothing else claimed (S3 path-style).
	Fallback
	// ByAction matches an unsigned query-protocol request to "/" (a form
	// POST or a GET) by its Version and Action, keyed "Version/Action"
	// ("2011-06-15/AssumeRoleWithWebIdentity"): the calls AWS accepts
	// without a signature, which carry no credential scope to route by.
	ByAction
	// SignedAs routes nothing: it names a signing scope the service's
	// requests carry besides its ByScope keys (DynamoDB Streams signs as
	// "dynamodb"), for strict mode's check that a signature was made for
	// the service it reaches.
	SignedAs
)

// Route is one row of the edge's routing table.
type Route struct {
	Kind RouteKind
	Key  string
	// Public routes (data planes: API invoke URLs, function URLs, website
	// endpoints) are served unsigned even in strict auth mode.
	Public bool
	// PublicIf, on a route that is not Public, makes only the requests it
	// accepts public: for a prefix shared by a control plane and a data
	// plane (/restapis and /restapis/{id}/{stage}/_user_request_/).
	PublicIf func(r *http.Request) bool
	// DataPlane, on a Public (or PublicIf) route, is the only handler its
	// unsigned requests reach: whatever their path, they can never fall
	// through to the service's control plane. Without it they reach the
	// service's ServeHTTP, which must then serve only the data plane.
	DataPlane http.Handler
	// When, on a ByPath route, narrows it to the requests it accepts: the
	// others go on down the routing table as if the prefix had not matched
	// (/mqtt is the broker's only for WebSocket upgrades; any other request
	// there reaches S3, whose path-style bucket may be named "mqtt").
	When func(r *http.Request) bool
}
