package lambda

import (
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/lambda/runtime"
)

// Wire names and limits of the service.
const (
	scope = "lambda"
	// maxCreateBody is AWS's limit on a CreateFunction/UpdateFunctionCode
	// request: a 50 MB zip, base64-encoded.
	maxCreateBody = 69905067
	maxConfigBody = 1 << 20
	// urlHostSuffix ends the Host of function URLs,
	// {id}.lambda-url.{region}.localhost.localstack.cloud.
	urlHostSuffix = ".localhost.localstack.cloud"
	urlPathPrefix = "/_aws/lambda-url/"
	codePath      = "/_aws/lambda-code/"
	timeLayout    = "2006-01-02T15:04:05.000-0700"
	urlTimeLayout = "2006-01-02T15:04:05.000000Z"
)

// Service is AWS Lambda.
type Service struct {
	env   *cloud.Env
	store *Store
	exec  *runtime.Executor
	api   awsproto.API
	async *asyncQueue
	esm   *eventSources
	// destinationFailures counts records no destination took.
	destinationFailures atomic.Int64
	// metrics are the CloudWatch series invocations are counted in.
	metrics metricsCache
	// journal is where changes are recorded (persistence).
	journal lambdaJournal

	closeOnce sync.Once
}

// Capabilities: function URLs answer at the edge's path form too.
func (s *Service) Capabilities() []string { return []string{cloud.CapFunctionURLPaths} }

// New returns the service and publishes it as the cloud.FunctionInvoker
// under cloud.LinkLambda.
func New(env *cloud.Env) *Service {
	s := &Service{env: env}
	s.exec = runtime.New(runtime.Config{
		EdgeHost: func() string { return env.Host },
		Logs: func() cloud.LogWriter {
			w, _ := env.Links.Get(cloud.LinkLogs).(cloud.LogWriter)
			return w
		},
		// Each instance gets its execution role's session, as on AWS:
		// never the emulator's own keys nor the host's.
		Credentials: func(fn *runtime.Function) (cloud.TemporaryCredentials, func(), error) {
			iss, ok := env.Links.Get(cloud.LinkCredentials).(cloud.CredentialIssuer)
			if !ok {
				return cloud.TemporaryCredentials{AccessKeyID: "test", SecretAccessKey: "test", SessionToken: "test"}, func() {}, nil
			}
			return iss.IssueSession(ownAccountRole(fn.Role, env.Account), fn.Name)
		},
		// Fault rules on the cold-start and invoke targets match the
		// function's name and ARN.
		Fault: func(plane string, fn *runtime.Function) *cloud.FaultHit {
			return cloud.FaultOn(env.Links, plane, "lambda", fn.Region, fn.Name, fn.ARN)
		},
		Now: env.Now,
		Log: env.Log,
	})
	s.store = NewStore(env.Account, env.NewID, s.newExec)
	s.store.OnCodeReleased(s.exec.DropCode)
	s.store.OnLayerCodeReleased(s.exec.ReleaseCode)
	s.async = newAsyncQueue(s)
	s.esm = newEventSources(s)
	s.api = awsproto.API{
		Model:     "lambda",
		Base:      awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Protocol:  awsproto.RestJSON,
		MaxBody:   maxConfigBody,
		Invalid:   errValidation,
		QuoteNull: true,
		TooLarge:  tooLarge,
	}
	s.register()
	s.registerLayers()
	s.registerEventSourceMappings()
	s.registerSettings()
	s.registerCodeSigning()
	s.registerCapacity()
	s.registerDurable()
	if env.Links != nil {
		env.Links.Set(cloud.LinkLambda, cloud.FunctionInvoker(s))
	}
	if q, ok := env.Links.Get(cloud.LinkSQS).(cloud.Queues); ok {
		q.OnQueueDeleted(s.esm.queueDeleted)
	}
	return s
}

func (s *Service) register() {
	const fn = "/2015-03-31/functions/{FunctionName}"
	const invokeConfig = "/2019-09-25/functions/{FunctionName}/event-invoke-config"
	const created, accepted, noContent = http.StatusCreated, http.StatusAccepted, http.StatusNoContent
	s.api.Register(
		// functions: api_functions.go
		awsproto.Handle("CreateFunction", s.createFunction).At("POST /2015-03-31/functions").WithStatus(created).WithMaxBody(maxCreateBody),
		awsproto.Handle("ListFunctions", s.listFunctions).At("GET /2015-03-31/functions"),
		awsproto.Handle("GetFunction", s.getFunction).At("GET "+fn),
		awsproto.Handle("DeleteFunction", s.deleteFunction).At("DELETE "+fn).WithStatus(noContent),
		awsproto.Handle("GetFunctionConfiguration", s.getFunctionConfiguration).At("GET "+fn+"/configuration"),
		awsproto.Handle("UpdateFunctionConfiguration", s.updateFunctionConfiguration).At("PUT "+fn+"/configuration"),
		awsproto.Handle("UpdateFunctionCode", s.updateFunctionCode).At("PUT "+fn+"/code").WithMaxBody(maxCreateBody),
		// invocations: api_invoke.go (they read their payload themselves,
		// within its own limit)
		awsproto.Handle("Invoke", s.invoke).At("POST "+fn+"/invocations").WithMaxBody(maxSyncPayload+1),
		awsproto.Handle("InvokeWithResponseStream", s.invokeWithResponseStream).At("POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations").
			WithMaxBody(maxSyncPayload+1),
		awsproto.Handle("InvokeAsync", s.invokeAsync).At("POST /2014-11-13/functions/{FunctionName}/invoke-async").
			WithStatus(accepted).WithMaxBody(maxAsyncPayload+1),
		// versions and aliases: api_versions.go
		awsproto.Handle("PublishVersion", s.publishVersion).At("POST "+fn+"/versions").WithStatus(created),
		awsproto.Handle("ListVersionsByFunction", s.listVersions).At("GET "+fn+"/versions"),
		awsproto.Handle("CreateAlias", s.createAlias).At("POST "+fn+"/aliases").WithStatus(created),
		awsproto.Handle("ListAliases", s.listAliases).At("GET "+fn+"/aliases"),
		awsproto.Handle("GetAlias", s.getAlias).At("GET "+fn+"/aliases/{Name}"),
		awsproto.Handle("UpdateAlias", s.updateAlias).At("PUT "+fn+"/aliases/{Name}"),
		awsproto.Handle("DeleteAlias", s.deleteAlias).At("DELETE "+fn+"/aliases/{Name}").WithStatus(noContent),
		// permissions: api_policy.go
		awsproto.Handle("AddPermission", s.addPermission).At("POST "+fn+"/policy").WithStatus(created),
		awsproto.Handle("GetPolicy", s.getPolicy).At("GET "+fn+"/policy"),
		awsproto.Handle("RemovePermission", s.removePermission).At("DELETE "+fn+"/policy/{StatementId}").WithStatus(noContent),
		// concurrency and account settings: api_concurrency.go
		awsproto.Handle("PutFunctionConcurrency", s.putConcurrency).At("PUT /2017-10-31/functions/{FunctionName}/concurrency"),
		awsproto.Handle("DeleteFunctionConcurrency", s.deleteConcurrency).At("DELETE /2017-10-31/functions/{FunctionName}/concurrency").WithStatus(noContent),
		awsproto.Handle("GetFunctionConcurrency", s.getConcurrency).At("GET /2019-09-30/functions/{FunctionName}/concurrency"),
		awsproto.Handle("GetAccountSettings", s.accountSettings).At("GET /2016-08-19/account-settings"),
		// function URL configs: api_url.go
		awsproto.Handle("CreateFunctionUrlConfig", s.createURL).At("POST /2021-10-31/functions/{FunctionName}/url").WithStatus(created),
		awsproto.Handle("GetFunctionUrlConfig", s.getURL).At("GET /2021-10-31/functions/{FunctionName}/url"),
		awsproto.Handle("UpdateFunctionUrlConfig", s.updateURL).At("PUT /2021-10-31/functions/{FunctionName}/url"),
		awsproto.Handle("DeleteFunctionUrlConfig", s.deleteURL).At("DELETE /2021-10-31/functions/{FunctionName}/url").WithStatus(noContent),
		awsproto.Handle("ListFunctionUrlConfigs", s.listURLs).At("GET /2021-10-31/functions/{FunctionName}/urls"),
		// event invoke configs: api_invoke_config.go
		awsproto.Handle("PutFunctionEventInvokeConfig", s.putInvokeConfig).At("PUT "+invokeConfig),
		awsproto.Handle("UpdateFunctionEventInvokeConfig", s.updateInvokeConfig).At("POST "+invokeConfig),
		awsproto.Handle("GetFunctionEventInvokeConfig", s.getInvokeConfig).At("GET "+invokeConfig),
		awsproto.Handle("DeleteFunctionEventInvokeConfig", s.deleteInvokeConfig).At("DELETE "+invokeConfig).WithStatus(noContent),
		awsproto.Handle("ListFunctionEventInvokeConfigs", s.listInvokeConfigs).At("GET "+invokeConfig+"/list"),
		// tags: api_tags.go
		awsproto.Handle("TagResource", s.tagResource).At("POST /2017-03-31/tags/{Resource}").WithStatus(noContent),
		awsproto.Handle("UntagResource", s.untagResource).At("DELETE /2017-03-31/tags/{Resource}").WithStatus(noContent),
		awsproto.Handle("ListTags", s.listTags).At("GET /2017-03-31/tags/{Resource}"),
	)
}

func (s *Service) Name() string                { return "lambda" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.RestJSON }

func (s *Service) Routes() []cloud.Route {
	return []cloud.Route{
		{Kind: cloud.ByScope, Key: scope},
		{Kind: cloud.ByPath, Key: "/2015-03-31/functions"},
		{Kind: cloud.ByPath, Key: "/2014-11-13/functions"},
		{Kind: cloud.ByPath, Key: "/2017-10-31/functions"},
		{Kind: cloud.ByPath, Key: "/2019-09-30/functions"},
		{Kind: cloud.ByPath, Key: "/2019-09-25/functions"},
		{Kind: cloud.ByPath, Key: "/2021-10-31/functions"},
		{Kind: cloud.ByPath, Key: "/2021-07-20/functions"},
		{Kind: cloud.ByPath, Key: "/2024-08-31/functions"},
		{Kind: cloud.ByPath, Key: "/2020-06-30/functions"},
		{Kind: cloud.ByPath, Key: "/2021-11-15/functions"},
		{Kind: cloud.ByPath, Key: "/2025-11-30/functions"},
		{Kind: cloud.ByPath, Key: "/2025-12-01/functions"},
		{Kind: cloud.ByPath, Key: capacityPath},
		{Kind: cloud.ByPath, Key: "/2025-12-01/durable-executions"},
		{Kind: cloud.ByPath, Key: "/2025-12-01/durable-execution-callbacks"},
		{Kind: cloud.ByPath, Key: "/2020-04-22/code-signing-configs"},
		{Kind: cloud.ByPath, Key: "/2016-08-19/account-settings"},
		{Kind: cloud.ByPath, Key: "/2017-03-31/tags"},
		{Kind: cloud.ByPath, Key: esmPath},
		{Kind: cloud.ByPath, Key: layersPath},
		{Kind: cloud.ByPath, Key: strings.TrimSuffix(urlPathPrefix, "/"), Public: true},
		{Kind: cloud.ByPath, Key: strings.TrimSuffix(codePath, "/"), Public: true},
		{Kind: cloud.ByHost, Key: "lambda-url.*" + urlHostSuffix, Public: true},
	}
}

// Reset deletes every function and kills every instance.
func (s *Service) Reset() {
	s.recordReset()
	s.reset()
}

func (s *Service) reset() {
	s.esm.reset()
	s.async.reset()
	s.store.Reset()
}

// Close stops every instance and waits until each child process is
// reaped.
func (s *Service) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.esm.close()
		s.async.close()
		s.store.Reset()
		err = s.exec.Close()
		s.async.workers.Wait()
	})
	return err
}

// Summary counts functions and instances.
func (s *Service) Summary() map[string]any {
	return map[string]any{"functions": s.store.FunctionCount(), "instances": len(s.exec.PIDs()),
		"destinationFailures": s.destinationFailures.Load(), "eventSourceMappings": s.esm.count()}
}

// Executor exposes the process executor (tests count its processes).
func (s *Service) Executor() *runtime.Executor { return s.exec }

// Tuning are knobs tests turn down (AWS's values are the defaults).
type Tuning struct {
	// AsyncRetryBase is the delay before an Event invocation's first retry
	// (the second waits twice as long). AWS waits a minute; default 1 s.
	AsyncRetryBase time.Duration
	// InitTimeout bounds an instance's start-up (AWS: 10 s).
	InitTimeout time.Duration
	// AccountConcurrency is the account's concurrency limit per region
	// (AWS's default: 1,000).
	AccountConcurrency int
}

// Tune changes the service's tuning; zero fields keep their value.
func (s *Service) Tune(t Tuning) {
	if t.AsyncRetryBase > 0 {
		s.async.setRetryBase(t.AsyncRetryBase)
	}
	s.exec.SetInitTimeout(t.InitTimeout)
	if t.AccountConcurrency > 0 {
		s.store.SetAccountConcurrency(t.AccountConcurrency)
	}
}

// APIs is the service's API, for the coverage report and the model checks.
func (s *Service) APIs() []*awsproto.API { return []*awsproto.API{&s.api} }

// ServeHTTP serves the function URL data plane (the host form, which the
// edge matched, and the path form), code downloads, and the API.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if m, ok := awsproto.HostMatchOf(r); ok {
		// {id}.lambda-url.{region}.localhost.localstack.cloud
		s.serveFunctionURL(w, r, m.Resource, m.Label, r.URL.EscapedPath())
		return
	}
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, urlPathPrefix):
		rest := r.URL.EscapedPath()[len(urlPathPrefix):]
		id, sub, _ := strings.Cut(rest, "/")
		s.serveFunctionURL(w, r, id, "", "/"+sub)
	case strings.HasPrefix(path, codePath):
		s.serveCode(w, r, path[len(codePath):])
	case s.serveLayerByARN(w, r):
	case s.serveProvisionedList(w, r):
	default:
		if changesState(r) {
			w = &journaledWriter{ResponseWriter: w, s: s, ctx: r.Context()}
			defer w.(*journaledWriter).flush() // an answer with no body
		}
		s.api.ServeHTTP(w, r)
	}
}

// changesState says whether an API request may change the service: not a
// read, not an invocation.
func changesState(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return !strings.HasSuffix(r.URL.Path, "/invocations") && !strings.HasSuffix(r.URL.Path, "/invoke-async") &&
		!strings.HasSuffix(r.URL.Path, "/response-streaming-invocations")
}

// newExec makes the process pool of a new version.
func (s *Service) newExec(f *Function, v *Version) Executor {
	c := v.Config
	var layers []string
	for _, l := range c.Layers {
		layers = append(layers, l.Hex)
	}
	return s.exec.NewPool(&runtime.Function{
		Name: f.Name, ARN: f.ARN, Version: v.Name, Region: f.Region, Layers: layers,
		Runtime: c.Runtime, Handler: c.Handler, Role: c.Role, CodeSHA256: c.CodeHex, Env: c.Env,
		Timeout: time.Duration(c.Timeout) * time.Second, MemoryMB: c.MemorySize, EphemeralMB: c.Ephemeral,
		LogGroup: c.LogGroup, MaxConcurrency: f.Reserved,
	})
}

// publicHost is the host:port clients reach the edge on.
func (s *Service) publicHost(r *http.Request) string {
	if s.env.Host != "" {
		return s.env.Host
	}
	return r.Host
}

// serveCode answers a download of GetFunction's Code.Location.
func (s *Service) serveCode(w http.ResponseWriter, r *http.Request, file string) {
	sum := strings.TrimSuffix(file, ".zip")
	f, err := s.exec.OpenCode(sum)
	if err != nil {
		http.Error(w, errNoSuchCode.Name, errNoSuchCode.Status)
		return
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil {
		w.Header().Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
	}
	w.Header().Set("Content-Type", "application/zip")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = io.Copy(w, f)
}

// --- paging

// defaultMaxItems is a page's size when MaxItems is absent.
const defaultMaxItems = 50

// page cuts items (sorted by key) at marker and returns them in their wire
// shape, with the marker of the next page: the key of its first item.
func page[T, W any](items []T, key func(T) string, marker *string, maxItems *int, wire func(T) W) ([]W, string) {
	start, max := 0, defaultMaxItems
	if marker != nil && *marker != "" {
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) >= *marker })
	}
	if maxItems != nil {
		max = *maxItems
	}
	end := min(start+max, len(items))
	next := ""
	if end < len(items) {
		next = key(items[end])
	}
	out := make([]W, 0, end-start)
	for _, x := range items[start:end] {
		out = append(out, wire(x))
	}
	return out, next
}

// TuneEventSources sets the first wait before an event source mapping
// retries a failed batch or poll (tests shorten it; default 100 ms).
func (s *Service) TuneEventSources(retryDelay time.Duration) {
	s.esm.mu.Lock()
	s.esm.retryDelay = retryDelay
	s.esm.mu.Unlock()
}
