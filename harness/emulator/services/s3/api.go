package s3

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Limits of S3's API.
const (
	maxObjectSize   = 5 << 30 // single PUT and each part
	maxCopySource   = 5 << 30 // CopyObject's source
	maxKeyLength    = 1024
	maxMetadataSize = 2 << 10
	maxXMLBody      = 4 << 20 // DeleteObjects, CompleteMultipartUpload, …
	// maxPayloadBody bounds an object or part body on the wire: readPayload
	// holds the decoded size to maxObjectSize, and aws-chunked framing adds
	// a few bytes per chunk.
	maxPayloadBody = 2 * maxObjectSize
)

// Service is the S3 service as the edge sees it.
type Service struct {
	env   *cloud.Env
	store *Store
	api   awsproto.API
	ops   [len(routes)]*awsproto.Operation // the operation of each route
	// listDirectory is ListDirectoryBuckets: GET / signed for s3express.
	listDirectory *awsproto.Operation
	seq           sequencer   // event notifications' sequencers
	logs          *accessLogs // server access logs on their way
	lifecycle     lifecycle   // lifecycle expiration (lifecycle.go)
}

// New returns the S3 service and publishes its object reader for the
// services that load data from S3 (Lambda code).
//
// S3 states the constraints of its model itself: bucket and key come from
// the route, so the model's required Bucket and Key are always there, and
// S3 answers a bad argument in its own words (InvalidArgument naming the
// argument, InvalidStorageClass, …), never "N validation errors detected".
// Inputs therefore carry no constraint tags; their Validate methods and the
// operations check what S3 checks, with S3's codes.
func New(env *cloud.Env) *Service {
	s := &Service{env: env, store: NewStoreAt(env.TempDir, env.MaxBodyInMemory)}
	s.logs = newAccessLogs(s.store, env.Now)
	s.lifecycle.stop = make(chan struct{})
	go s.runLifecycle()
	s.api = awsproto.API{
		Model:      "s3",
		Base:       awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Protocol:   awsproto.RestXML,
		SelfRouted: true,
		// The bodies S3 reads whole are small XML documents; readXMLBody
		// answers past maxXMLBody in S3's words before this bound is hit.
		MaxBody: maxXMLBody + 1,
		Invalid: errInvalidArgument,
		Label:   label,
	}
	s.api.Register(
		// api_buckets.go
		awsproto.Handle("ListBuckets", s.listBuckets),
		awsproto.Handle("CreateBucket", s.createBucket),
		awsproto.Handle("DeleteBucket", s.deleteBucket).WithStatus(http.StatusNoContent),
		awsproto.Handle("HeadBucket", s.headBucket),
		awsproto.Handle("GetBucketLocation", s.getBucketLocation),
		awsproto.Handle("GetBucketVersioning", s.getBucketVersioning),
		awsproto.Handle("PutBucketVersioning", s.putBucketVersioning),
		awsproto.Handle("ListObjectVersions", s.listObjectVersions),
		awsproto.Handle("ListObjects", s.listObjects),
		awsproto.Handle("ListObjectsV2", s.listObjectsV2),
		// api_objects.go
		awsproto.Handle("PutObject", s.putObject).WithMaxBody(maxPayloadBody),
		awsproto.Handle("GetObject", s.getObject),
		awsproto.Handle("HeadObject", s.headObject),
		awsproto.Handle("CopyObject", s.copyObject),
		awsproto.Handle("RestoreObject", s.restoreObject),
		awsproto.Handle("SelectObjectContent", s.selectObjectContent), // api_select.go
		awsproto.Handle("DeleteObject", s.deleteObject).WithStatus(http.StatusNoContent),
		awsproto.Handle("DeleteObjects", s.deleteObjects),
		// api_multipart.go
		awsproto.Handle("CreateMultipartUpload", s.createMultipartUpload),
		awsproto.Handle("UploadPart", s.uploadPart).WithMaxBody(maxPayloadBody),
		awsproto.Handle("UploadPartCopy", s.uploadPartCopy),
		awsproto.Handle("CompleteMultipartUpload", s.completeMultipartUpload),
		awsproto.Handle("AbortMultipartUpload", s.abortMultipartUpload).WithStatus(http.StatusNoContent),
		awsproto.Handle("ListParts", s.listParts),
		awsproto.Handle("ListMultipartUploads", s.listMultipartUploads),
		// api_website.go
		awsproto.Handle("PutBucketWebsite", s.putBucketWebsite),
		awsproto.Handle("GetBucketWebsite", s.getBucketWebsite),
		awsproto.Handle("DeleteBucketWebsite", s.deleteBucketWebsite).WithStatus(http.StatusNoContent),
		// api_notify.go
		awsproto.Handle("PutBucketNotificationConfiguration", s.putBucketNotification),
		awsproto.Handle("GetBucketNotificationConfiguration", s.getBucketNotification),
		// api_tagging.go
		awsproto.Handle("PutBucketTagging", s.putBucketTagging).WithStatus(http.StatusNoContent),
		awsproto.Handle("GetBucketTagging", s.getBucketTagging),
		awsproto.Handle("DeleteBucketTagging", s.deleteBucketTagging).WithStatus(http.StatusNoContent),
		awsproto.Handle("PutObjectTagging", s.putObjectTagging),
		awsproto.Handle("GetObjectTagging", s.getObjectTagging),
		awsproto.Handle("DeleteObjectTagging", s.deleteObjectTagging).WithStatus(http.StatusNoContent),
		// api_policy.go
		awsproto.Handle("PutBucketPolicy", s.putBucketPolicy).WithStatus(http.StatusNoContent),
		awsproto.Handle("GetBucketPolicy", s.getBucketPolicy),
		awsproto.Handle("DeleteBucketPolicy", s.deleteBucketPolicy).WithStatus(http.StatusNoContent),
		awsproto.Handle("GetBucketPolicyStatus", s.getBucketPolicyStatus),
		// api_acl.go
		awsproto.Handle("PutBucketAcl", s.putBucketACL),
		awsproto.Handle("GetBucketAcl", s.getBucketACL),
		awsproto.Handle("PutObjectAcl", s.putObjectACL),
		awsproto.Handle("GetObjectAcl", s.getObjectACL),
		// api_config.go
		awsproto.Handle("PutPublicAccessBlock", s.putConfig(&publicAccessBlockConfig)),
		awsproto.Handle("GetPublicAccessBlock", s.getConfig(&publicAccessBlockConfig)),
		awsproto.Handle("DeletePublicAccessBlock", s.deleteConfig(&publicAccessBlockConfig)).WithStatus(http.StatusNoContent),
		awsproto.Handle("PutBucketOwnershipControls", s.putConfig(&ownershipControlsConfig)),
		awsproto.Handle("GetBucketOwnershipControls", s.getConfig(&ownershipControlsConfig)),
		awsproto.Handle("DeleteBucketOwnershipControls", s.deleteConfig(&ownershipControlsConfig)).WithStatus(http.StatusNoContent),
		awsproto.Handle("PutBucketCors", s.putConfig(&corsConfig)),
		awsproto.Handle("GetBucketCors", s.getConfig(&corsConfig)),
		awsproto.Handle("DeleteBucketCors", s.deleteConfig(&corsConfig)).WithStatus(http.StatusNoContent),
		awsproto.Handle("PutBucketEncryption", s.putConfig(&encryptionConfig)),
		awsproto.Handle("GetBucketEncryption", s.getConfig(&encryptionConfig)),
		awsproto.Handle("DeleteBucketEncryption", s.deleteConfig(&encryptionConfig)).WithStatus(http.StatusNoContent),
		awsproto.Handle("PutBucketLifecycleConfiguration", s.putConfig(&lifecycleConfig)),
		awsproto.Handle("GetBucketLifecycleConfiguration", s.getConfig(&lifecycleConfig)),
		awsproto.Handle("DeleteBucketLifecycle", s.deleteConfig(&lifecycleConfig)).WithStatus(http.StatusNoContent),
		awsproto.Handle("PutBucketLogging", s.putBucketLogging),
		awsproto.Handle("GetBucketLogging", s.getBucketLogging),
		awsproto.Handle("PutBucketAccelerateConfiguration", s.putConfig(&accelerateConfig)),
		awsproto.Handle("GetBucketAccelerateConfiguration", s.getConfig(&accelerateConfig)),
		awsproto.Handle("PutBucketRequestPayment", s.putConfig(&requestPaymentConfig)),
		awsproto.Handle("GetBucketRequestPayment", s.getConfig(&requestPaymentConfig)),
		// api_lock.go, api_attributes.go
		awsproto.Handle("PutObjectLockConfiguration", s.putObjectLockConfiguration),
		awsproto.Handle("GetObjectLockConfiguration", s.getObjectLockConfiguration),
		awsproto.Handle("PutObjectRetention", s.putObjectRetention),
		awsproto.Handle("GetObjectRetention", s.getObjectRetention),
		awsproto.Handle("PutObjectLegalHold", s.putObjectLegalHold),
		awsproto.Handle("GetObjectLegalHold", s.getObjectLegalHold),
		awsproto.Handle("GetObjectAttributes", s.getObjectAttributes),
		awsproto.Handle("RenameObject", s.renameObject),
		awsproto.Handle("UpdateObjectEncryption", s.updateObjectEncryption),
		awsproto.Handle("GetObjectTorrent", s.getObjectTorrent), // api_torrent.go
	)
	s.api.Register( // api_buckets.go
		awsproto.Handle("ListDirectoryBuckets", s.listDirectoryBuckets),
		awsproto.Handle("CreateSession", s.createSession), // api_session.go
	)
	s.api.Register( // api_metadata.go
		awsproto.Handle("CreateBucketMetadataConfiguration", s.createBucketMetadataConfiguration),
		awsproto.Handle("CreateBucketMetadataTableConfiguration", s.createBucketMetadataTableConfiguration),
		awsproto.Handle("GetBucketMetadataConfiguration", s.getBucketMetadataConfiguration),
		awsproto.Handle("GetBucketMetadataTableConfiguration", s.getBucketMetadataTableConfiguration),
		awsproto.Handle("DeleteBucketMetadataConfiguration", s.deleteBucketMetadataConfiguration).WithStatus(http.StatusNoContent),
		awsproto.Handle("DeleteBucketMetadataTableConfiguration", s.deleteBucketMetadataTableConfiguration).WithStatus(http.StatusNoContent),
		awsproto.Handle("UpdateBucketMetadataInventoryTableConfiguration", s.updateBucketMetadataInventoryTableConfiguration),
		awsproto.Handle("UpdateBucketMetadataJournalTableConfiguration", s.updateBucketMetadataJournalTableConfiguration),
		awsproto.Handle("PutBucketAbac", s.putBucketAbac),
		awsproto.Handle("GetBucketAbac", s.getBucketAbac),
	)
	s.api.Register( // api_replication.go
		awsproto.Handle("PutBucketReplication", s.putBucketReplication),
		awsproto.Handle("GetBucketReplication", s.getBucketReplication),
		awsproto.Handle("DeleteBucketReplication", s.deleteBucketReplication).WithStatus(http.StatusNoContent),
	)
	// api_idconfig.go
	for _, f := range []struct {
		name string
		ic   *idConfig
	}{{"Analytics", &analyticsConfig}, {"Metrics", &metricsConfig}, {"Inventory", &inventoryConfig}, {"IntelligentTiering", &intelligentTieringConfig}} {
		s.api.Register(
			awsproto.Handle("PutBucket"+f.name+"Configuration", s.putIDConfig(f.ic)),
			awsproto.Handle("GetBucket"+f.name+"Configuration", s.getIDConfig(f.ic)),
			awsproto.Handle("DeleteBucket"+f.name+"Configuration", s.deleteIDConfig(f.ic)).WithStatus(http.StatusNoContent),
			awsproto.Handle("ListBucket"+f.name+"Configurations", s.listIDConfigs(f.ic)),
		)
	}
	s.listDirectory = s.api.Op("ListDirectoryBuckets")
	for i, rt := range routes {
		if rt.op != "" {
			if s.ops[i] = s.api.Op(rt.op); s.ops[i] == nil {
				panic("s3: route to unregistered operation " + rt.op)
			}
		}
	}
	if env.Links != nil {
		env.Links.Set(cloud.LinkS3, cloud.ObjectReader(s.store))
		env.Links.Set(cloud.LinkBucketSessions, cloud.BucketSessions(s))
	}
	return s
}

// Capabilities: bucket websites answer at the edge's path form too.
func (s *Service) Capabilities() []string { return []string{cloud.CapWebsitePaths} }

// Store is the service's state (for features wired on top: notifications).
func (s *Service) Store() *Store { return s.store }

func (s *Service) Name() string                { return "s3" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.RestXML }

// LiteralPaths keeps object keys as sent: "a//b" and "../x" are keys.
func (s *Service) LiteralPaths() bool { return true }
func (s *Service) Reset() {
	s.logs.discard()
	s.store.Reset(context.Background())
	s.env.Names.ReleaseAll(nameKind, s.env.Account)
	s.lifecycle.mu.Lock()
	s.lifecycle.next = time.Time{}
	s.lifecycle.mu.Unlock()
}

// Close stops access-log delivery and removes the directory of bodies on
// disk.
func (s *Service) Close() error {
	s.lifecycle.once.Do(func() { close(s.lifecycle.stop) })
	s.logs.close()
	return s.store.Close()
}

// Host suffixes of virtual-hosted-style requests: {bucket}.<suffix>[:port].
// (Website endpoints, {bucket}.s3-website.localhost.localstack.cloud, are a
// public route of their own: see api_website.go.)
var virtualHostSuffixes = []string{"s3.localhost.localstack.cloud", "localhost"}

// Routes: signed S3 requests, virtual-hosted-style hosts, website
// endpoints (public), and whatever nothing else claims (path-style).
func (s *Service) Routes() []cloud.Route {
	// Website endpoints are public: an unsigned request there reaches the
	// website and nothing else, whatever headers it carries.
	site := http.HandlerFunc(s.serveWebsiteOnly)
	rs := []cloud.Route{{Kind: cloud.ByScope, Key: "s3"}, {Kind: cloud.Fallback},
		{Kind: cloud.ByScope, Key: "s3express"},        // S3 Express One Zone (api_session.go)
		{Kind: cloud.ByScope, Key: "s3-object-lambda"}, // WriteGetObjectResponse (not served)
		{Kind: cloud.ByHost, Key: websiteHostSuffix, Public: true, DataPlane: site},
		{Kind: cloud.ByHost, Key: websiteShortHostSuffix, Public: true, DataPlane: site},
		{Kind: cloud.ByPath, Key: strings.TrimSuffix(websitePathPrefix, "/"), Public: true, DataPlane: site},
	}
	for _, h := range virtualHostSuffixes {
		rs = append(rs, cloud.Route{Kind: cloud.ByHost, Key: h})
	}
	return rs
}

// Summary counts buckets, objects and bytes for GET /_groundstack/state.
func (s *Service) Summary() map[string]any {
	b, o, n := s.store.Summary()
	return map[string]any{"buckets": b, "objects": o, "bytes": n}
}

// recoverTo answers a panic outside an operation with write, so one bad
// request never takes the edge down (deferred: it recovers itself).
func (s *Service) recoverTo(r *http.Request, write func(*awsproto.Error)) {
	if v := recover(); v != nil {
		if v == http.ErrAbortHandler {
			panic(v)
		}
		s.env.Log.Error("s3: panic", "panic", v, "path", r.URL.Path, "stack", string(debug.Stack()))
		write(awsproto.ErrInternalFailure.New("We encountered an internal error. Please try again."))
	}
}

// serveWebsiteOnly is all a public website route reaches.
func (s *Service) serveWebsiteOnly(w http.ResponseWriter, r *http.Request) {
	id := s.env.NewID()
	s.maybeSweep()
	defer s.recoverTo(r, func(e *awsproto.Error) { writeWebsiteError(w, r, id, e, nil) })
	bucket, key, base, ok := websiteTarget(r)
	if !ok {
		writeWebsiteError(w, r, id, errNoSuchBucket.New("The specified bucket does not exist"), nil)
		return
	}
	if s.store.guarded.Load() > 0 {
		if err := s.decideAnonymous(r, bucket, websiteKey(key)); err != nil {
			writeWebsiteError(w, r, id, err, nil)
			return
		}
	}
	s.serveWebsite(w, r, id, bucket, key, base)
}

// APIs is the service's API, for the coverage report and the model checks.
func (s *Service) APIs() []*awsproto.API { return []*awsproto.API{&s.api} }

func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil { // handlers called directly (not by net/http) may pass none
		r.Body = http.NoBody
	}
	id := s.env.NewID()
	s.maybeSweep()
	// Operations recover inside api.Serve; this covers routing and the
	// website endpoint.
	defer s.recoverTo(r, func(e *awsproto.Error) { awsproto.WriteXMLError(w, r, id, e) })
	if bucket, key, base, ok := websiteTarget(r); ok && r.Header.Get("Authorization") == "" {
		if s.store.guarded.Load() > 0 {
			if err := s.decideAnonymous(r, bucket, websiteKey(key)); err != nil {
				writeWebsiteError(w, r, id, err, nil)
				return
			}
		}
		s.serveWebsite(w, r, id, bucket, key, base)
		return
	}
	if origin := r.Header["Origin"]; len(origin) > 0 && origin[0] != "" && s.serveCORS(w, r, id, origin[0]) {
		return
	}
	if tok := r.Header["X-Amz-S3session-Token"]; len(tok) > 0 {
		if err := s.checkSession(r, tok[0]); err != nil { // api_session.go
			awsproto.WriteXMLError(w, r, id, err)
			return
		}
	}
	if s.store.guarded.Load() > 0 && unsigned(r) {
		if err := s.checkAnonymous(r); err != nil {
			awsproto.WriteXMLError(w, r, id, err)
			return
		}
	}
	// Region is left to CreateBucket, the one operation that reads it:
	// parsing the signature for it on every GetObject costs 5% of its time.
	c := &awsproto.Call{Request: r, RequestID: id}
	op, err := s.route(c)
	if s.store.logging.Load() > 0 {
		if bucket, key := target(r); s.store.loggingOf(bucket) != nil {
			s.serveLogged(w, c, op, err, bucket, key)
			return
		}
	}
	if err == nil {
		err = s.refuseForDirectoryBucket(c, op) // directory.go
	}
	if err != nil {
		s.api.WriteError(w, c, err)
		return
	}
	s.api.Serve(w, c, op)
}

// serveLogged serves a request to a bucket that logs, and queues its
// access-log line (the target is read again after: the request may have
// changed it).
func (s *Service) serveLogged(w http.ResponseWriter, c *awsproto.Call, op *awsproto.Operation, err *awsproto.Error, bucket, key string) {
	rec := &logRecorder{ResponseWriter: w}
	start := time.Now()
	if err != nil {
		s.api.WriteError(rec, c, err)
	} else {
		s.api.Serve(rec, c, op)
	}
	took := time.Since(start)
	if t := s.store.loggingOf(bucket); t != nil {
		s.logs.add(*t, accessLogLine(c.Request, c.RequestID, bucket, key, logOperation(c.Request, op, key), rec, s.env.Now(), took))
	}
}

// ----- routing

// level is what a request names: the service, a bucket or an object.
type level uint8

const (
	serviceLevel level = iota
	bucketLevel
	objectLevel
)

// Query parameters routing looks at, as bits of query.params.
const (
	pUploads = 1 << iota
	pUploadID
	pDelete
	pVersionID
	pWebsite
	pLocation
	pVersioning
	pListV2    // list-type=2
	pSigV4     // X-Amz-Signature or X-Amz-Credential: a presigned URL
	pAccessKey // AWSAccessKeyId and Signature: a SigV2 presigned URL
	pSignature
	pNotification
	pTagging
	pPolicy
	pPolicyStatus
	pPublicAccessBlock
	pOwnershipControls
	pACL
	pCORS
	pEncryption
	pLifecycle
	pLogging
	pAccelerate
	pRequestPayment
	pVersions
	pRestore
	// bucket configurations of api_idconfig.go, api_replication.go and
	// api_metadata.go
	pID
	pAnalytics
	pMetrics
	pInventory
	pIntelligentTiering
	pReplication
	pMetadataConfiguration
	pMetadataTable
	pMetadataInventoryTable
	pMetadataJournalTable
	pAbac
	pSession
	pSelect     // SelectObjectContent (api_select.go)
	pObjectLock // object lock (api_lock.go), object attributes, renames
	pRetention
	pLegalHold
	pAttributes
	pRename
	pTorrent // GetObjectTorrent (api_torrent.go)
)

// param is what routing knows of a query parameter.
type param struct {
	bit        uint64
	write      bool // a parameter of the write operations served here
	bucketOnly bool // a sub-resource of buckets: refused on objects
}

// params are the query parameters routing knows. Presign parameters
// (X-Amz-*) come on top of the write parameters; a write with any other
// parameter (PUT ?versioning, a new sub-resource) must not fall through to
// PutObject or CreateBucket, and is refused.
var params = func() map[string]param {
	m := map[string]param{
		"uploads": {bit: pUploads, write: true}, "uploadId": {bit: pUploadID, write: true},
		"delete": {bit: pDelete, write: true}, "versionId": {bit: pVersionID, write: true},
		"website": {bit: pWebsite, write: true}, "partNumber": {write: true}, "x-id": {write: true},
		"location": {bit: pLocation}, "versioning": {bit: pVersioning, write: true}, "versions": {bit: pVersions}, "notification": {bit: pNotification, write: true},
		"tagging":           {bit: pTagging, write: true},
		"policy":            {bit: pPolicy, write: true},
		"policyStatus":      {bit: pPolicyStatus, write: true},
		"publicAccessBlock": {bit: pPublicAccessBlock, write: true},
		"ownershipControls": {bit: pOwnershipControls, write: true},
		"acl":               {bit: pACL, write: true},
		"cors":              {bit: pCORS, write: true},
		"encryption":        {bit: pEncryption, write: true},
		"lifecycle":         {bit: pLifecycle, write: true},
		"logging":           {bit: pLogging, write: true},
		"accelerate":        {bit: pAccelerate, write: true},
		"requestPayment":    {bit: pRequestPayment, write: true},

		"restore": {bit: pRestore, write: true},

		"id":     {bit: pID, write: true},
		"select": {bit: pSelect, write: true}, "select-type": {write: true},
		"object-lock": {bit: pObjectLock, write: true}, "retention": {bit: pRetention, write: true},
		"legal-hold": {bit: pLegalHold, write: true}, "attributes": {bit: pAttributes}, "renameObject": {bit: pRename, write: true},
		"torrent":         {bit: pTorrent, write: true}, // PUT, DELETE: MethodNotAllowed
		"X-Amz-Signature": {bit: pSigV4}, "X-Amz-Credential": {bit: pSigV4},
		// the read operations' parameters
		"prefix": {}, "delimiter": {}, "marker": {}, "max-keys": {}, "encoding-type": {}, "start-after": {},
		"continuation-token": {}, "fetch-owner": {}, "key-marker": {}, "version-id-marker": {}, "upload-id-marker": {},
		"max-uploads": {}, "max-parts": {}, "part-number-marker": {},
		// SigV2 presigned URLs (aws s3 presign)
		"AWSAccessKeyId": {bit: pAccessKey, write: true}, "Signature": {bit: pSignature, write: true}, "Expires": {write: true},
	}
	// Bucket sub-resources whose routes are all at the bucket level.
	for sub, bit := range map[string]uint64{
		"analytics": pAnalytics, "metrics": pMetrics, "inventory": pInventory, "intelligent-tiering": pIntelligentTiering,
		"replication": pReplication, "metadataConfiguration": pMetadataConfiguration, "metadataTable": pMetadataTable,
		"metadataInventoryTable": pMetadataInventoryTable, "metadataJournalTable": pMetadataJournalTable, "abac": pAbac,
		"session": pSession,
	} {
		m[sub] = param{bit: bit, write: true, bucketOnly: true}
	}
	return m
}()

// route is one row of S3's dispatch table. A level's rows are read top to
// bottom: the first whose method (any when ""), sub-resource and copy
// source match decides. It names an operation, or refuses the request with
// NotImplemented (refuse) or, when it has neither, MethodNotAllowed.
type route struct {
	level  level
	method string
	param  uint64 // query parameter that must be present
	copy   bool   // x-amz-copy-source must be set
	op     string
	refuse string
	// versioned: the operation reads versionId itself.
	versioned bool
}

// routes is S3's dispatch table, its rows grouped by level (levelStart).
var routes = [...]route{
	{level: serviceLevel, method: "GET", op: "ListBuckets"},

	{level: bucketLevel, method: "GET", param: pWebsite, op: "GetBucketWebsite"},
	{level: bucketLevel, method: "PUT", param: pWebsite, op: "PutBucketWebsite"},
	{level: bucketLevel, method: "DELETE", param: pWebsite, op: "DeleteBucketWebsite"},
	{level: bucketLevel, param: pWebsite}, // other methods: MethodNotAllowed
	{level: bucketLevel, method: "GET", param: pNotification, op: "GetBucketNotificationConfiguration"},
	{level: bucketLevel, method: "PUT", param: pNotification, op: "PutBucketNotificationConfiguration"},
	{level: bucketLevel, param: pNotification}, // other methods: MethodNotAllowed
	{level: bucketLevel, method: "GET", param: pTagging, op: "GetBucketTagging"},
	{level: bucketLevel, method: "PUT", param: pTagging, op: "PutBucketTagging"},
	{level: bucketLevel, method: "DELETE", param: pTagging, op: "DeleteBucketTagging"},
	{level: bucketLevel, param: pTagging},
	{level: bucketLevel, method: "GET", param: pPolicy, op: "GetBucketPolicy"},
	{level: bucketLevel, method: "PUT", param: pPolicy, op: "PutBucketPolicy"},
	{level: bucketLevel, method: "DELETE", param: pPolicy, op: "DeleteBucketPolicy"},
	{level: bucketLevel, param: pPolicy},
	{level: bucketLevel, method: "GET", param: pPolicyStatus, op: "GetBucketPolicyStatus"},
	{level: bucketLevel, param: pPolicyStatus},
	{level: bucketLevel, method: "GET", param: pPublicAccessBlock, op: "GetPublicAccessBlock"},
	{level: bucketLevel, method: "PUT", param: pPublicAccessBlock, op: "PutPublicAccessBlock"},
	{level: bucketLevel, method: "DELETE", param: pPublicAccessBlock, op: "DeletePublicAccessBlock"},
	{level: bucketLevel, param: pPublicAccessBlock},
	{level: bucketLevel, method: "GET", param: pOwnershipControls, op: "GetBucketOwnershipControls"},
	{level: bucketLevel, method: "PUT", param: pOwnershipControls, op: "PutBucketOwnershipControls"},
	{level: bucketLevel, method: "DELETE", param: pOwnershipControls, op: "DeleteBucketOwnershipControls"},
	{level: bucketLevel, param: pOwnershipControls},
	{level: bucketLevel, method: "GET", param: pACL, op: "GetBucketAcl"},
	{level: bucketLevel, method: "PUT", param: pACL, op: "PutBucketAcl"},
	{level: bucketLevel, param: pACL},
	{level: bucketLevel, method: "GET", param: pCORS, op: "GetBucketCors"},
	{level: bucketLevel, method: "PUT", param: pCORS, op: "PutBucketCors"},
	{level: bucketLevel, method: "DELETE", param: pCORS, op: "DeleteBucketCors"},
	{level: bucketLevel, param: pCORS},
	{level: bucketLevel, method: "GET", param: pEncryption, op: "GetBucketEncryption"},
	{level: bucketLevel, method: "PUT", param: pEncryption, op: "PutBucketEncryption"},
	{level: bucketLevel, method: "DELETE", param: pEncryption, op: "DeleteBucketEncryption"},
	{level: bucketLevel, param: pEncryption},
	{level: bucketLevel, method: "GET", param: pLifecycle, op: "GetBucketLifecycleConfiguration"},
	{level: bucketLevel, method: "PUT", param: pLifecycle, op: "PutBucketLifecycleConfiguration"},
	{level: bucketLevel, method: "DELETE", param: pLifecycle, op: "DeleteBucketLifecycle"},
	{level: bucketLevel, param: pLifecycle},
	{level: bucketLevel, method: "GET", param: pLogging, op: "GetBucketLogging"},
	{level: bucketLevel, method: "PUT", param: pLogging, op: "PutBucketLogging"},
	{level: bucketLevel, param: pLogging},
	{level: bucketLevel, method: "GET", param: pAccelerate, op: "GetBucketAccelerateConfiguration"},
	{level: bucketLevel, method: "PUT", param: pAccelerate, op: "PutBucketAccelerateConfiguration"},
	{level: bucketLevel, param: pAccelerate},
	{level: bucketLevel, method: "GET", param: pRequestPayment, op: "GetBucketRequestPayment"},
	{level: bucketLevel, method: "PUT", param: pRequestPayment, op: "PutBucketRequestPayment"},
	{level: bucketLevel, param: pRequestPayment},
	{level: bucketLevel, method: "GET", param: pObjectLock, op: "GetObjectLockConfiguration"},
	{level: bucketLevel, method: "PUT", param: pObjectLock, op: "PutObjectLockConfiguration"},
	{level: bucketLevel, param: pObjectLock},
	{level: bucketLevel, method: "GET", param: pVersioning, op: "GetBucketVersioning"},
	{level: bucketLevel, method: "PUT", param: pVersioning, op: "PutBucketVersioning"},
	{level: bucketLevel, param: pVersioning},
	{level: bucketLevel, method: "GET", param: pVersions, op: "ListObjectVersions"},
	// api_metadata.go
	{level: bucketLevel, method: "POST", param: pMetadataConfiguration, op: "CreateBucketMetadataConfiguration"},
	{level: bucketLevel, method: "GET", param: pMetadataConfiguration, op: "GetBucketMetadataConfiguration"},
	{level: bucketLevel, method: "DELETE", param: pMetadataConfiguration, op: "DeleteBucketMetadataConfiguration"},
	{level: bucketLevel, param: pMetadataConfiguration},
	{level: bucketLevel, method: "POST", param: pMetadataTable, op: "CreateBucketMetadataTableConfiguration"},
	{level: bucketLevel, method: "GET", param: pMetadataTable, op: "GetBucketMetadataTableConfiguration"},
	{level: bucketLevel, method: "DELETE", param: pMetadataTable, op: "DeleteBucketMetadataTableConfiguration"},
	{level: bucketLevel, param: pMetadataTable},
	{level: bucketLevel, method: "PUT", param: pMetadataInventoryTable, op: "UpdateBucketMetadataInventoryTableConfiguration"},
	{level: bucketLevel, param: pMetadataInventoryTable},
	{level: bucketLevel, method: "PUT", param: pMetadataJournalTable, op: "UpdateBucketMetadataJournalTableConfiguration"},
	{level: bucketLevel, param: pMetadataJournalTable},
	{level: bucketLevel, method: "PUT", param: pAbac, op: "PutBucketAbac"},
	{level: bucketLevel, method: "GET", param: pAbac, op: "GetBucketAbac"},
	{level: bucketLevel, param: pAbac},
	// api_replication.go
	{level: bucketLevel, method: "GET", param: pReplication, op: "GetBucketReplication"},
	{level: bucketLevel, method: "PUT", param: pReplication, op: "PutBucketReplication"},
	{level: bucketLevel, method: "DELETE", param: pReplication, op: "DeleteBucketReplication"},
	{level: bucketLevel, param: pReplication},
	// configurations kept by id (api_idconfig.go): Get with an id, List without
	{level: bucketLevel, method: "GET", param: pAnalytics | pID, op: "GetBucketAnalyticsConfiguration"},
	{level: bucketLevel, method: "GET", param: pAnalytics, op: "ListBucketAnalyticsConfigurations"},
	{level: bucketLevel, method: "PUT", param: pAnalytics, op: "PutBucketAnalyticsConfiguration"},
	{level: bucketLevel, method: "DELETE", param: pAnalytics, op: "DeleteBucketAnalyticsConfiguration"},
	{level: bucketLevel, param: pAnalytics},
	{level: bucketLevel, method: "GET", param: pMetrics | pID, op: "GetBucketMetricsConfiguration"},
	{level: bucketLevel, method: "GET", param: pMetrics, op: "ListBucketMetricsConfigurations"},
	{level: bucketLevel, method: "PUT", param: pMetrics, op: "PutBucketMetricsConfiguration"},
	{level: bucketLevel, method: "DELETE", param: pMetrics, op: "DeleteBucketMetricsConfiguration"},
	{level: bucketLevel, param: pMetrics},
	{level: bucketLevel, method: "GET", param: pInventory | pID, op: "GetBucketInventoryConfiguration"},
	{level: bucketLevel, method: "GET", param: pInventory, op: "ListBucketInventoryConfigurations"},
	{level: bucketLevel, method: "PUT", param: pInventory, op: "PutBucketInventoryConfiguration"},
	{level: bucketLevel, method: "DELETE", param: pInventory, op: "DeleteBucketInventoryConfiguration"},
	{level: bucketLevel, param: pInventory},
	{level: bucketLevel, method: "GET", param: pIntelligentTiering | pID, op: "GetBucketIntelligentTieringConfiguration"},
	{level: bucketLevel, method: "GET", param: pIntelligentTiering, op: "ListBucketIntelligentTieringConfigurations"},
	{level: bucketLevel, method: "PUT", param: pIntelligentTiering, op: "PutBucketIntelligentTieringConfiguration"},
	{level: bucketLevel, method: "DELETE", param: pIntelligentTiering, op: "DeleteBucketIntelligentTieringConfiguration"},
	{level: bucketLevel, param: pIntelligentTiering},
	{level: bucketLevel, method: "GET", param: pSession, op: "CreateSession"}, // api_session.go
	{level: bucketLevel, param: pSession},
	{level: bucketLevel, param: pTorrent, refuse: "The torrent sub-resource belongs to objects, not buckets"},
	{level: bucketLevel, method: "PUT", op: "CreateBucket"},
	{level: bucketLevel, method: "DELETE", op: "DeleteBucket"},
	{level: bucketLevel, method: "HEAD", op: "HeadBucket"},
	{level: bucketLevel, method: "GET", param: pLocation, op: "GetBucketLocation"},
	{level: bucketLevel, method: "GET", param: pUploads, op: "ListMultipartUploads"},
	{level: bucketLevel, method: "GET", param: pListV2, op: "ListObjectsV2"},
	{level: bucketLevel, method: "GET", op: "ListObjects"},
	{level: bucketLevel, method: "POST", param: pDelete, op: "DeleteObjects"},
	{level: bucketLevel, method: "POST", refuse: "POST object uploads (browser forms) are not implemented by groundstack"},

	{level: objectLevel, param: pWebsite, refuse: "The website sub-resource belongs to buckets, not objects"},
	{level: objectLevel, param: pNotification, refuse: "The notification sub-resource belongs to buckets, not objects"},
	{level: objectLevel, method: "GET", param: pTagging, op: "GetObjectTagging"},
	{level: objectLevel, method: "PUT", param: pTagging, op: "PutObjectTagging"},
	{level: objectLevel, method: "DELETE", param: pTagging, op: "DeleteObjectTagging"},
	{level: objectLevel, param: pTagging},
	{level: objectLevel, method: "GET", param: pACL, op: "GetObjectAcl"},
	{level: objectLevel, method: "PUT", param: pACL, op: "PutObjectAcl"},
	{level: objectLevel, param: pACL},
	{level: objectLevel, param: pPolicy, refuse: "The policy sub-resource belongs to buckets, not objects"},
	{level: objectLevel, param: pPolicyStatus, refuse: "The policyStatus sub-resource belongs to buckets, not objects"},
	{level: objectLevel, param: pPublicAccessBlock, refuse: "The publicAccessBlock sub-resource belongs to buckets, not objects"},
	{level: objectLevel, param: pOwnershipControls, refuse: "The ownershipControls sub-resource belongs to buckets, not objects"},
	{level: objectLevel, param: pCORS, refuse: "The cors sub-resource belongs to buckets, not objects"},
	{level: objectLevel, method: "PUT", param: pEncryption, op: "UpdateObjectEncryption", versioned: true},
	{level: objectLevel, param: pEncryption},
	{level: objectLevel, param: pLifecycle, refuse: "The lifecycle sub-resource belongs to buckets, not objects"},
	{level: objectLevel, param: pLogging, refuse: "The logging sub-resource belongs to buckets, not objects"},
	{level: objectLevel, param: pAccelerate, refuse: "The accelerate sub-resource belongs to buckets, not objects"},
	{level: objectLevel, param: pRequestPayment, refuse: "The requestPayment sub-resource belongs to buckets, not objects"},
	{level: objectLevel, method: "GET", param: pRetention, op: "GetObjectRetention", versioned: true},
	{level: objectLevel, method: "PUT", param: pRetention, op: "PutObjectRetention", versioned: true},
	{level: objectLevel, param: pRetention},
	{level: objectLevel, method: "GET", param: pLegalHold, op: "GetObjectLegalHold", versioned: true},
	{level: objectLevel, method: "PUT", param: pLegalHold, op: "PutObjectLegalHold", versioned: true},
	{level: objectLevel, param: pLegalHold},
	{level: objectLevel, method: "GET", param: pAttributes, op: "GetObjectAttributes", versioned: true},
	{level: objectLevel, param: pAttributes},
	{level: objectLevel, method: "PUT", param: pRename, op: "RenameObject"},
	{level: objectLevel, param: pRename},
	{level: objectLevel, method: "GET", param: pTorrent, op: "GetObjectTorrent"},
	{level: objectLevel, param: pTorrent},
	{level: objectLevel, param: pObjectLock, refuse: "The object-lock sub-resource belongs to buckets, not objects"},
	{level: objectLevel, method: "PUT", param: pUploadID, copy: true, op: "UploadPartCopy"},
	{level: objectLevel, method: "PUT", param: pUploadID, op: "UploadPart"},
	{level: objectLevel, method: "PUT", copy: true, op: "CopyObject"},
	{level: objectLevel, method: "PUT", op: "PutObject"},
	{level: objectLevel, method: "GET", param: pUploadID, op: "ListParts"},
	{level: objectLevel, method: "GET", op: "GetObject", versioned: true},
	{level: objectLevel, method: "HEAD", op: "HeadObject", versioned: true},
	{level: objectLevel, method: "DELETE", param: pUploadID, op: "AbortMultipartUpload"},
	{level: objectLevel, method: "DELETE", op: "DeleteObject", versioned: true},
	{level: objectLevel, method: "POST", param: pRestore, op: "RestoreObject"},
	{level: objectLevel, method: "POST", param: pSelect, op: "SelectObjectContent"},
	{level: objectLevel, method: "POST", param: pUploads, op: "CreateMultipartUpload"},
	{level: objectLevel, method: "POST", param: pUploadID, op: "CompleteMultipartUpload"},
	{level: objectLevel, method: "POST", refuse: "This POST operation on an object is not implemented by groundstack"},
}

var resourceTypes = [...]string{serviceLevel: "SERVICE", bucketLevel: "BUCKET", objectLevel: "OBJECT"}

// levelStart is the index of each level's first row in routes.
var levelStart = func() (start [objectLevel + 2]int) {
	for i := len(routes) - 1; i >= 0; i-- {
		start[routes[i].level] = i
	}
	start[objectLevel+1] = len(routes)
	for i := 1; i < len(routes); i++ {
		if routes[i].level < routes[i-1].level {
			panic("s3: routes are not grouped by level")
		}
	}
	return start
}()

// route picks the operation of a request: presigned URLs are checked first,
// then the dispatch table decides by method, by what the request names and
// by sub-resource.
func (s *Service) route(c *awsproto.Call) (*awsproto.Operation, *awsproto.Error) {
	q := scanQuery(c.URL.RawQuery, c.Method != http.MethodGet && c.Method != http.MethodHead)
	if q.params&pSigV4 != 0 {
		if err := s.checkPresigned(c); err != nil {
			return nil, err
		}
		applyQueryHeaders(c.Request)
	} else if q.params&(pAccessKey|pSignature) == pAccessKey|pSignature {
		if err := s.checkPresignedV2(c); err != nil {
			return nil, err
		}
		applyQueryHeaders(c.Request)
	}
	bucket, key := target(c.Request)
	lvl := serviceLevel
	switch {
	case bucket == "":
	case key == "":
		lvl = bucketLevel
	default:
		lvl = objectLevel
	}
	if lvl != serviceLevel {
		if q.refuse {
			return nil, s.unserved(c, errNotImplemented.Errorf("The %s sub-resource is not implemented by groundstack", q.refused))
		}
		if lvl == objectLevel && q.bucketSub != "" {
			return nil, s.unserved(c, errNotImplemented.Errorf("The %s sub-resource belongs to buckets, not objects", q.bucketSub))
		}
		if q.unknown {
			// A sub-resource of S3's model this table does not know (?abac)
			// is NotImplemented, never taken for a listing or a read.
			if err := s.unserved(c, nil); err != nil {
				return nil, err
			}
		}
	}
	if lvl == serviceLevel && c.Method == http.MethodGet && strings.Contains(c.Header.Get("Authorization"), "/s3express/aws4_request") {
		return s.listDirectory, nil // the one s3express (S3 Express One Zone) control call groundstack answers
	}
	copySource := false
	if c.Method == http.MethodPut {
		v := c.Header["X-Amz-Copy-Source"]
		copySource = len(v) > 0 && v[0] != ""
	}
	for i := levelStart[lvl]; i < levelStart[lvl+1]; i++ {
		rt := &routes[i]
		if (rt.method != "" && rt.method != c.Method) || q.params&rt.param != rt.param || (rt.copy && !copySource) {
			continue
		}
		switch {
		case rt.op != "":
			if q.params&pVersionID != 0 && !rt.versioned {
				// Operations that do not read versionId act on the current
				// version only.
				if o, err := s.store.Object(bucket, key); err != nil || versionOf(o) != q.versionID {
					return nil, noSuchVersion(key, q.versionID)
				}
			}
			return s.ops[i], nil
		case rt.refuse != "":
			return nil, s.unserved(c, errNotImplemented.New(rt.refuse))
		default:
			return nil, methodNotAllowed(c.Method, resourceTypes[lvl])
		}
	}
	return nil, methodNotAllowed(c.Method, resourceTypes[lvl])
}

// unserved names the operation of S3's model a refused request addresses
// ("The operation ListBucketAnalyticsConfigurations of service s3 is not
// implemented by groundstack") when the model can be read; else it is
// refused as it was.
func (s *Service) unserved(c *awsproto.Call, refused *awsproto.Error) *awsproto.Error {
	path := c.URL.EscapedPath()
	if m, ok := awsproto.HostMatchOf(c.Request); ok && m.Resource != "" && !isWebsiteHost(m.Pattern) {
		path = "/" + m.Resource + path
	}
	if name, ok := s.api.ModelOperation(c.Request, path); ok && !s.api.Has(name) {
		return s.api.NotImplemented(name)
	}
	return refused
}

// label is what an operation's Bucket and Key members hold.
func label(c *awsproto.Call, name string) string {
	bucket, key := target(c.Request)
	if name == "Bucket" {
		return bucket
	}
	return key
}

// target is the bucket and key a request names: the bucket the edge matched
// in a virtual-hosted Host and the whole path as the key, or path-style
// /bucket/key.
func target(r *http.Request) (bucket, key string) {
	if m, ok := awsproto.HostMatchOf(r); ok && m.Resource != "" && !isWebsiteHost(m.Pattern) {
		return m.Resource, strings.TrimPrefix(r.URL.Path, "/")
	}
	bucket, key, _ = strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return bucket, key
}

// query is what routing needs from a query string.
type query struct {
	params    uint64 // p* bits of the parameters present
	versionID string // versionId's first value
	refuse    bool   // a write names a parameter no write operation served here takes:
	refused   string // the first such
	bucketSub string // the first sub-resource of buckets alone
	unknown   bool   // a parameter routing does not know (a newer sub-resource?)
}

// scanQuery reads a raw query string as url.ParseQuery would (pairs it
// cannot decode are skipped, and a query of more than 10000 parameters has
// none), allocating only to unescape.
func scanQuery(raw string, write bool) query {
	var q query
	if strings.Count(raw, "&") >= 10000 {
		return q
	}
	seenListType := false
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" || strings.IndexByte(pair, ';') >= 0 {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		var err error
		if strings.ContainsAny(k, "%+") {
			if k, err = url.QueryUnescape(k); err != nil {
				continue
			}
		}
		if strings.ContainsAny(v, "%+") {
			if v, err = url.QueryUnescape(v); err != nil {
				continue
			}
		}
		p, known := params[k]
		switch {
		case k == "list-type":
			if !seenListType && v == "2" {
				p.bit = pListV2
			}
			seenListType = true
		case p.bit == pVersionID && q.params&pVersionID == 0:
			q.versionID = v
		}
		q.params |= p.bit
		if p.bucketOnly && q.bucketSub == "" {
			q.bucketSub = k
		}
		if !q.refuse && write && !p.write && !requestParam(k) {
			q.refuse, q.refused = true, k
		}
		if !known && k != "list-type" && !requestParam(k) {
			q.unknown = true
		}
	}
	return q
}

// requestParam reports whether a query parameter is a request parameter
// rather than a sub-resource: the presign parameters and the headers a
// presigned URL carries in its query (x-amz-*, content-type, content-md5:
// what botocore's SigV2 query signer moves there), and GetObject's
// response-* overrides. S3 does not take them for sub-resources.
func requestParam(k string) bool {
	if len(k) > 6 && strings.EqualFold(k[:6], "x-amz-") {
		return true
	}
	if len(k) > 9 && strings.EqualFold(k[:9], "response-") {
		return true
	}
	return strings.EqualFold(k, "content-type") || strings.EqualFold(k, "content-md5")
}

// ----- presigned URLs

// presignAuthParams are a presigned URL's own parameters, never headers.
var presignAuthParams = map[string]bool{
	"x-amz-algorithm": true, "x-amz-credential": true, "x-amz-date": true, "x-amz-expires": true,
	"x-amz-signedheaders": true, "x-amz-signature": true, "x-amz-security-token": true, "x-amz-content-sha256": true,
}

// applyQueryHeaders makes the headers a presigned URL carries in its query
// (x-amz-meta-*, x-amz-storage-class, content-type…) the request's, as S3
// does for a signed query: a header the request also sends wins.
func applyQueryHeaders(r *http.Request) {
	for k, vs := range r.URL.Query() {
		lk := strings.ToLower(k)
		if len(vs) == 0 || presignAuthParams[lk] || !(strings.HasPrefix(lk, "x-amz-") || lk == "content-type" || lk == "content-md5") {
			continue
		}
		if _, sent := r.Header[http.CanonicalHeaderKey(lk)]; !sent {
			r.Header[http.CanonicalHeaderKey(lk)] = []string{vs[0]}
		}
	}
}

// checkPresigned refuses presigned URLs past their lifetime (strict mode
// also checks the signature at the edge).
func (s *Service) checkPresigned(c *awsproto.Call) *awsproto.Error {
	if c.Header.Get("Authorization") != "" {
		return nil
	}
	if exp := c.URL.Query().Get("X-Amz-Expires"); exp != "" {
		if n, err := strconv.Atoi(exp); err == nil && n > 604800 {
			return errAuthQueryParams.New("X-Amz-Expires must be less than a week (in seconds) that is; the maximum expires is 604800 seconds")
		}
	}
	sig, _, err := awsproto.SignatureOf(c.Request)
	if err != nil {
		return errAuthQueryParams.New("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
	}
	now := s.env.Now()
	if sig.PresignExpired(now) {
		return errAccessDenied.New("Request has expired").
			With("X-Amz-Expires", strconv.Itoa(int(sig.Expires/time.Second))).
			With("Expires", sig.Date.Add(sig.Expires).UTC().Format(time.RFC3339)).
			With("ServerTime", now.UTC().Format(time.RFC3339))
	}
	return nil
}

// checkPresignedV2 refuses SigV2 query-string URLs (what `aws s3 presign`
// makes) past their Expires time.
func (s *Service) checkPresignedV2(c *awsproto.Call) *awsproto.Error {
	v := c.URL.Query().Get("Expires")
	exp, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return errAccessDenied.New("Invalid date (should be seconds since epoch): " + v)
	}
	now := s.env.Now()
	if now.Unix() > exp {
		return errAccessDenied.New("Request has expired").
			With("Expires", time.Unix(exp, 0).UTC().Format(time.RFC3339)).
			With("ServerTime", now.UTC().Format(time.RFC3339))
	}
	return nil
}

// readXMLBody reads the small XML document an operation takes as its body,
// in S3's words when it is too long or cut short.
func readXMLBody(c *awsproto.Call, body io.Reader) ([]byte, error) {
	if c.ContentLength > maxXMLBody {
		return nil, errMaxMessageLengthExceeded.New("Your request was too big.")
	}
	var buf bytes.Buffer
	if c.ContentLength > 0 {
		buf.Grow(int(c.ContentLength))
	}
	if _, err := buf.ReadFrom(io.LimitReader(body, maxXMLBody+1)); err != nil {
		return nil, errIncompleteBody.New("The request body terminated unexpectedly")
	}
	if buf.Len() > maxXMLBody {
		return nil, errMaxMessageLengthExceeded.New("Your request was too big.")
	}
	return buf.Bytes(), nil
}
