package lambda

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
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
	// urlHostPattern is the Host of function URLs; "*" is the region.
	urlHostSuffix = ".localhost.localstack.cloud"
	urlPathPrefix = "/_aws/lambda-url/"
	codePath      = "/_aws/lambda-code/"
	timeLayout    = "2006-01-02T15:04:05.000-0700"
	urlTimeLayout = "2006-01-02T15:04:05.000000Z"
)

// Service is AWS Lambda.
type Service struct {
	env    *cloud.Env
	store  *Store
	exec   *runtime.Executor
	router awsproto.RestRouter
	async  *asyncQueue

	closeOnce sync.Once
}

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
		Now: env.Now,
		Log: env.Log,
	})
	s.store = NewStore(env.Account, env.NewID, s.newExec)
	s.async = newAsyncQueue(s)
	s.router = awsproto.RestRouter{Base: awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log}}
	s.routes()
	if env.Links != nil {
		env.Links.Set(cloud.LinkLambda, cloud.FunctionInvoker(s))
	}
	return s
}

func (s *Service) routes() {
	r := &s.router
	const fn = "/2015-03-31/functions/{FunctionName}"
	r.Handle("POST", "/2015-03-31/functions", s.createFunction)
	r.Handle("GET", "/2015-03-31/functions", s.listFunctions)
	r.Handle("GET", fn, s.getFunction)
	r.Handle("DELETE", fn, s.deleteFunction)
	r.Handle("GET", fn+"/configuration", s.getFunctionConfiguration)
	r.Handle("PUT", fn+"/configuration", s.updateFunctionConfiguration)
	r.Handle("PUT", fn+"/code", s.updateFunctionCode)
	r.Handle("POST", fn+"/invocations", s.invoke)
	r.Handle("POST", "/2014-11-13/functions/{FunctionName}/invoke-async", s.invokeAsync)
	r.Handle("POST", fn+"/versions", s.publishVersion)
	r.Handle("GET", fn+"/versions", s.listVersions)
	r.Handle("POST", fn+"/aliases", s.createAlias)
	r.Handle("GET", fn+"/aliases", s.listAliases)
	r.Handle("GET", fn+"/aliases/{Name}", s.getAlias)
	r.Handle("PUT", fn+"/aliases/{Name}", s.updateAlias)
	r.Handle("DELETE", fn+"/aliases/{Name}", s.deleteAlias)
	r.Handle("POST", fn+"/policy", s.addPermission)
	r.Handle("GET", fn+"/policy", s.getPolicy)
	r.Handle("DELETE", fn+"/policy/{StatementId}", s.removePermission)
	r.Handle("PUT", "/2017-10-31/functions/{FunctionName}/concurrency", s.putConcurrency)
	r.Handle("DELETE", "/2017-10-31/functions/{FunctionName}/concurrency", s.deleteConcurrency)
	r.Handle("GET", "/2019-09-30/functions/{FunctionName}/concurrency", s.getConcurrency)
	r.Handle("POST", "/2021-10-31/functions/{FunctionName}/url", s.createURL)
	r.Handle("GET", "/2021-10-31/functions/{FunctionName}/url", s.getURL)
	r.Handle("PUT", "/2021-10-31/functions/{FunctionName}/url", s.updateURL)
	r.Handle("DELETE", "/2021-10-31/functions/{FunctionName}/url", s.deleteURL)
	r.Handle("GET", "/2021-10-31/functions/{FunctionName}/urls", s.listURLs)
	r.Handle("GET", "/2016-08-19/account-settings", s.accountSettings)
	r.Handle("POST", "/2017-03-31/tags/{Resource}", s.tagResource)
	r.Handle("DELETE", "/2017-03-31/tags/{Resource}", s.untagResource)
	r.Handle("GET", "/2017-03-31/tags/{Resource}", s.listTags)
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
		{Kind: cloud.ByPath, Key: "/2021-10-31/functions"},
		{Kind: cloud.ByPath, Key: "/2016-08-19/account-settings"},
		{Kind: cloud.ByPath, Key: "/2017-03-31/tags"},
		{Kind: cloud.ByPath, Key: strings.TrimSuffix(urlPathPrefix, "/"), Public: true},
		{Kind: cloud.ByPath, Key: strings.TrimSuffix(codePath, "/"), Public: true},
		{Kind: cloud.ByHost, Key: "lambda-url.*" + urlHostSuffix, Public: true},
	}
}

// Reset deletes every function and kills every instance.
func (s *Service) Reset() {
	s.async.reset()
	s.store.Reset()
}

// Close stops every instance and waits until each child process is
// reaped.
func (s *Service) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.async.close()
		s.store.Reset()
		err = s.exec.Close()
		s.async.workers.Wait()
	})
	return err
}

// Summary counts functions and instances.
func (s *Service) Summary() map[string]any {
	n := 0
	s.store.mu.RLock()
	for _, fns := range s.store.regions {
		n += len(fns)
	}
	s.store.mu.RUnlock()
	return map[string]any{"functions": n, "instances": len(s.exec.PIDs())}
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
}

// Tune changes the service's tuning; zero fields keep their value.
func (s *Service) Tune(t Tuning) {
	if t.AsyncRetryBase > 0 {
		s.async.setRetryBase(t.AsyncRetryBase)
	}
	s.exec.SetInitTimeout(t.InitTimeout)
}

func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if id, region, ok := urlIDFromHost(r.Host); ok {
		s.serveFunctionURL(w, r, id, region, r.URL.EscapedPath())
		return
	}
	path := r.URL.Path
	if strings.HasPrefix(path, urlPathPrefix) {
		rest := r.URL.EscapedPath()[len(urlPathPrefix):]
		id, sub, _ := strings.Cut(rest, "/")
		s.serveFunctionURL(w, r, id, "", "/"+sub)
		return
	}
	if strings.HasPrefix(path, codePath) {
		s.serveCode(w, r, path[len(codePath):])
		return
	}
	s.router.ServeHTTP(w, r)
}

// newExec makes the process pool of a new version.
func (s *Service) newExec(f *Function, v *Version) Executor {
	c := v.Config
	return s.exec.NewPool(&runtime.Function{
		Name: f.Name, ARN: f.ARN, Version: v.Name, Region: f.Region,
		Runtime: c.Runtime, Handler: c.Handler, CodeSHA256: c.CodeHex, Env: c.Env,
		Timeout: time.Duration(c.Timeout) * time.Second, MemoryMB: c.MemorySize,
		LogGroup: c.LogGroup, MaxConcurrency: f.Reserved,
	})
}

// --- errors

// noContent answers 204 No Content once a store change has succeeded.
func noContent(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// validation is awsproto's constraint wording with Lambda's code. A missing
// member is reported here as Value 'null' (quoted, unlike awsproto.NotNull):
// callers pass "null" with awsproto.RuleNotNull.
func validation(value, member, rule string) *awsproto.Error {
	return awsproto.Constraint(errValidation, value, member, rule)
}

// --- names

const functionNamePattern = `(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`

// parseFunctionName splits a FunctionName parameter (name, name:qualifier,
// partial or full ARN) without regular expressions (it is on the invoke
// path).
func parseFunctionName(s string) (region, name, qualifier string, ok bool) {
	if len(s) == 0 || len(s) > 170 {
		return "", "", "", false
	}
	if strings.IndexByte(s, ':') < 0 {
		if !isNameChars(s) {
			return "", "", "", false
		}
		return "", s, "", true
	}
	parts := strings.Split(s, ":")
	hasQualifier := false
	switch {
	case len(parts) == 2:
		name, qualifier, hasQualifier = parts[0], parts[1], true
	case parts[0] == "arn" && (len(parts) == 7 || len(parts) == 8):
		if !strings.HasPrefix(parts[1], "aws") || parts[2] != "lambda" || parts[5] != "function" || !isRegion(parts[3]) || !isAccount(parts[4]) {
			return "", "", "", false
		}
		region, name = parts[3], parts[6]
		if len(parts) == 8 {
			qualifier, hasQualifier = parts[7], true
		}
	case (len(parts) == 3 || len(parts) == 4) && parts[1] == "function" && isAccount(parts[0]):
		name = parts[2]
		if len(parts) == 4 {
			qualifier, hasQualifier = parts[3], true
		}
	default:
		return "", "", "", false
	}
	if !isNameChars(name) || (hasQualifier && qualifier != LatestVersion && !isNameChars(qualifier)) {
		return "", "", "", false
	}
	return region, name, qualifier, true
}

func isNameChars(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func isAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

var regionRE = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d$`)

func isRegion(s string) bool { return regionRE.MatchString(s) }

// target resolves a request's function: its name, its qualifier (from the
// name or the Qualifier parameter) and its region (the ARN's, else the
// request's).
func (s *Service) target(c *awsproto.Call, raw, qualifierParam string) (region, name, qualifier string, err error) {
	r, name, q, ok := parseFunctionName(raw)
	if !ok {
		return "", "", "", validation(raw, "functionName", awsproto.Pattern(functionNamePattern))
	}
	if qualifierParam != "" {
		if q != "" && q != qualifierParam {
			return "", "", "", errInvalidParameterValue.New("The derived qualifier from the function name does not match the specified qualifier.")
		}
		q = qualifierParam
	}
	region = c.Region
	if r != "" {
		region = r
	}
	return region, name, q, nil
}

// --- wire shapes

type environmentWire struct {
	Variables map[string]string `json:"Variables"`
}

type functionConfigurationWire struct {
	FunctionName     string            `json:"FunctionName"`
	FunctionArn      string            `json:"FunctionArn"`
	Runtime          string            `json:"Runtime,omitempty"`
	Role             string            `json:"Role"`
	Handler          string            `json:"Handler,omitempty"`
	CodeSize         int64             `json:"CodeSize"`
	Description      string            `json:"Description"`
	Timeout          int               `json:"Timeout"`
	MemorySize       int               `json:"MemorySize"`
	LastModified     string            `json:"LastModified"`
	CodeSha256       string            `json:"CodeSha256"`
	Version          string            `json:"Version"`
	Environment      *environmentWire  `json:"Environment,omitempty"`
	TracingConfig    map[string]string `json:"TracingConfig"`
	RevisionID       string            `json:"RevisionId"`
	State            string            `json:"State"`
	LastUpdateStatus string            `json:"LastUpdateStatus"`
	PackageType      string            `json:"PackageType"`
	Architectures    []string          `json:"Architectures"`
	EphemeralStorage map[string]int    `json:"EphemeralStorage"`
	SnapStart        map[string]string `json:"SnapStart"`
	LoggingConfig    map[string]string `json:"LoggingConfig"`
}

func configWire(v *Version) functionConfigurationWire {
	c := v.Config
	arn := v.Function.ARN
	if v.Name != LatestVersion {
		arn = v.ARN()
	}
	out := functionConfigurationWire{
		FunctionName: v.Function.Name, FunctionArn: arn, Runtime: c.Runtime, Role: c.Role, Handler: c.Handler,
		CodeSize: c.CodeSize, Description: c.Description, Timeout: c.Timeout, MemorySize: c.MemorySize,
		LastModified: c.LastModified.UTC().Format(timeLayout), CodeSha256: c.CodeSha256, Version: v.Name,
		TracingConfig: map[string]string{"Mode": c.TracingMode}, RevisionID: c.RevisionID,
		State: "Active", LastUpdateStatus: "Successful", PackageType: "Zip", Architectures: c.Architectures,
		EphemeralStorage: map[string]int{"Size": c.Ephemeral},
		SnapStart:        map[string]string{"ApplyOn": "None", "OptimizationStatus": "Off"},
		LoggingConfig:    map[string]string{"LogFormat": c.LogFormat, "LogGroup": c.LogGroup},
	}
	if len(c.Env) > 0 {
		out.Environment = &environmentWire{Variables: c.Env}
	}
	return out
}

type functionCodeWire struct {
	ZipFile         []byte `json:"ZipFile"`
	S3Bucket        string `json:"S3Bucket"`
	S3Key           string `json:"S3Key"`
	S3ObjectVersion string `json:"S3ObjectVersion"`
	ImageURI        string `json:"ImageUri"`
}

type configInput struct {
	Runtime     *string `json:"Runtime"`
	Role        *string `json:"Role"`
	Handler     *string `json:"Handler"`
	Description *string `json:"Description"`
	Timeout     *int    `json:"Timeout"`
	MemorySize  *int    `json:"MemorySize"`
	Environment *struct {
		Variables map[string]string `json:"Variables"`
	} `json:"Environment"`
	TracingConfig *struct {
		Mode string `json:"Mode"`
	} `json:"TracingConfig"`
	EphemeralStorage *struct {
		Size int `json:"Size"`
	} `json:"EphemeralStorage"`
	LoggingConfig *struct {
		LogFormat string `json:"LogFormat"`
		LogGroup  string `json:"LogGroup"`
	} `json:"LoggingConfig"`
	PackageType string `json:"PackageType"`
	RevisionID  string `json:"RevisionId"`
}

type createFunctionInput struct {
	configInput
	FunctionName  string            `json:"FunctionName"`
	Code          *functionCodeWire `json:"Code"`
	Publish       bool              `json:"Publish"`
	Architectures []string          `json:"Architectures"`
	Tags          map[string]string `json:"Tags"`
}

// decode reads a JSON request body (up to limit bytes) into v.
func decode(c *awsproto.Call, limit int64, op string, v any) error {
	body, release, err := awsproto.ReadBody(c.Request, limit)
	if err != nil {
		if err == awsproto.ErrBodyTooLarge {
			return errRequestEntityTooLarge.Errorf("Request must be smaller than %d bytes for the %s operation", limit, op)
		}
		return awsproto.ErrSerialization.New("Could not read request body")
	}
	defer release()
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return awsproto.ErrSerialization.New("Could not parse request body: " + err.Error())
	}
	return nil
}

// --- validation of configuration

var knownRuntimes = map[string]bool{}

func init() {
	for _, r := range strings.Fields(`nodejs nodejs4.3 nodejs6.10 nodejs8.10 nodejs10.x nodejs12.x nodejs14.x
		nodejs16.x nodejs18.x nodejs20.x nodejs22.x nodejs24.x nodejs26.x java8 java8.al2 java11 java17 java21 java25
		java8.al2023 java11.al2023 java17.al2023 python2.7 python3.6 python3.7 python3.8 python3.9 python3.10
		python3.11 python3.12 python3.13 python3.14 python3.15 dotnetcore1.0 dotnetcore2.0 dotnetcore2.1
		dotnetcore3.1 dotnet6 dotnet8 dotnet10 nodejs4.3-edge go1.x ruby2.5 ruby2.7 ruby3.2 ruby3.3 ruby3.4
		ruby4.0 provided provided.al2 provided.al2023`) {
		knownRuntimes[r] = true
	}
}

// runnable reports whether groundstack can run the runtime.
func runnable(rt string) bool {
	switch rt {
	case "provided", "provided.al2", "provided.al2023", "go1.x":
		return true
	}
	return false
}

var (
	roleRE   = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$`)
	envKeyRE = regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9_])+$`)
)

const rolePattern = `arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`

// apply validates in and applies it to cfg.
func (in *configInput) apply(cfg *Config) error {
	if in.Runtime != nil {
		if !knownRuntimes[*in.Runtime] {
			return errInvalidParameterValue.Errorf("Value %s at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [%s] or be a valid ARN", *in.Runtime, runtimeList())
		}
		cfg.Runtime = *in.Runtime
	}
	if in.Role != nil {
		if !roleRE.MatchString(*in.Role) {
			return validation(*in.Role, "role", awsproto.Pattern(rolePattern))
		}
		cfg.Role = *in.Role
	}
	if in.Handler != nil {
		if len(*in.Handler) > 128 {
			return validation(*in.Handler, "handler", awsproto.MaxLength(128))
		}
		cfg.Handler = *in.Handler
	}
	if in.Description != nil {
		if len(*in.Description) > 256 {
			return validation(*in.Description, "description", awsproto.MaxLength(256))
		}
		cfg.Description = *in.Description
	}
	if in.Timeout != nil {
		if err := awsproto.CheckValue(errValidation, *in.Timeout, "timeout", 1, 900); err != nil {
			return err
		}
		cfg.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		if err := awsproto.CheckValue(errValidation, *in.MemorySize, "memorySize", 128, 10240); err != nil {
			return err
		}
		cfg.MemorySize = *in.MemorySize
	}
	if in.Environment != nil {
		if err := checkEnv(in.Environment.Variables); err != nil {
			return err
		}
		cfg.Env = in.Environment.Variables
	}
	if in.TracingConfig != nil && in.TracingConfig.Mode != "" {
		if in.TracingConfig.Mode != "Active" && in.TracingConfig.Mode != "PassThrough" {
			return validation(in.TracingConfig.Mode, "tracingConfig.mode", awsproto.EnumSet("Active", "PassThrough"))
		}
		cfg.TracingMode = in.TracingConfig.Mode
	}
	if in.EphemeralStorage != nil {
		if in.EphemeralStorage.Size < 512 || in.EphemeralStorage.Size > 10240 {
			return validation(strconv.Itoa(in.EphemeralStorage.Size), "ephemeralStorage.size", awsproto.ValueBetween(512, 10240))
		}
		cfg.Ephemeral = in.EphemeralStorage.Size
	}
	if in.LoggingConfig != nil {
		if in.LoggingConfig.LogGroup != "" {
			cfg.LogGroup = in.LoggingConfig.LogGroup
		}
		if in.LoggingConfig.LogFormat != "" {
			cfg.LogFormat = in.LoggingConfig.LogFormat
		}
	}
	return nil
}

func runtimeList() string {
	rs := make([]string, 0, len(knownRuntimes))
	for r := range knownRuntimes {
		rs = append(rs, r)
	}
	sort.Strings(rs)
	return strings.Join(rs, ", ")
}

// checkEnv applies AWS's rules on environment variables: key syntax, no
// reserved keys, at most 4 KB in all.
func checkEnv(vars map[string]string) error {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		if !envKeyRE.MatchString(k) {
			return awsproto.ConstraintWithheld(errValidation, "environment.variables", "Map keys must satisfy constraint: ["+awsproto.Pattern("[a-zA-Z]([a-zA-Z0-9_])+")+"]")
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var reserved []string
	for _, k := range keys {
		for _, r := range runtime.ReservedEnv {
			if k == r {
				reserved = append(reserved, k)
			}
		}
	}
	if len(reserved) > 0 {
		return errInvalidParameterValue.New("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: " + strings.Join(reserved, ", "))
	}
	if b, _ := json.Marshal(vars); len(b) > 4096 {
		return errInvalidParameterValue.New("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: " + string(b))
	}
	return nil
}

func checkArchitectures(a []string) error {
	if a == nil {
		return nil
	}
	if len(a) != 1 || (a[0] != "x86_64" && a[0] != "arm64") {
		return validation("["+strings.Join(a, ", ")+"]", "architectures", awsproto.MaxLength(1)+", "+awsproto.EnumSet("x86_64", "arm64"))
	}
	return nil
}

// loadCode returns the zip a request supplies, inline or from S3, after
// checking it is one.
func (s *Service) loadCode(code *functionCodeWire) ([]byte, error) {
	if code == nil || (len(code.ZipFile) == 0 && code.S3Bucket == "" && code.ImageURI == "") {
		return nil, errInvalidParameterValue.New("Please provide a source for function code.")
	}
	if code.ImageURI != "" {
		return nil, errInvalidParameterValue.New("groundstack runs Zip functions only: ImageUri is not supported")
	}
	data := code.ZipFile
	if len(data) == 0 {
		if code.S3Key == "" {
			return nil, errInvalidParameterValue.New("Please provide a source for function code.")
		}
		reader, _ := s.env.Links.Get(cloud.LinkS3).(cloud.ObjectReader)
		if reader == nil {
			return nil, errInvalidParameterValue.New("Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist")
		}
		var ok bool
		data, ok = reader.ReadObject(code.S3Bucket, code.S3Key)
		if !ok {
			return nil, errInvalidParameterValue.New("Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.")
		}
	}
	switch err := runtime.CheckZip(data); {
	case errors.Is(err, runtime.ErrNotZip):
		return nil, errInvalidParameterValue.New("Could not unzip uploaded file. Please check your file, then try to upload again.")
	case errors.Is(err, runtime.ErrUnzippedSize):
		return nil, errInvalidParameterValue.Errorf("Unzipped size must be smaller than %d bytes", runtime.MaxUnzippedSize)
	case err != nil:
		return nil, err
	}
	return data, nil
}

// storeCode keeps a zip and fills cfg's code fields.
func (s *Service) storeCode(data []byte, cfg *Config) error {
	hexSum, err := s.exec.StoreCode(data)
	if err != nil {
		return errService.New("could not store the function's code: " + err.Error())
	}
	sum := sha256.Sum256(data)
	cfg.CodeSha256 = base64.StdEncoding.EncodeToString(sum[:])
	cfg.CodeHex = hexSum
	cfg.CodeSize = int64(len(data))
	// Unpacking here (tens of ms for a Go binary) makes Active mean ready:
	// the first invocation only starts the process.
	switch err := s.exec.Unpack(hexSum); {
	case errors.Is(err, runtime.ErrNotZip):
		return errInvalidParameterValue.New("Could not unzip uploaded file. Please check your file, then try to upload again.")
	case errors.Is(err, runtime.ErrUnzippedSize):
		return errInvalidParameterValue.Errorf("Unzipped size must be smaller than %d bytes", runtime.MaxUnzippedSize)
	case err != nil:
		return errService.New("could not unpack the function's code: " + err.Error())
	}
	return nil
}

// --- functions

func (s *Service) createFunction(w http.ResponseWriter, c *awsproto.Call, _ awsproto.Params) error {
	var in createFunctionInput
	if err := decode(c, maxCreateBody, "CreateFunction", &in); err != nil {
		return err
	}
	if in.FunctionName == "" {
		return validation("null", "functionName", awsproto.RuleNotNull)
	}
	region, name, qualifier, ok := parseFunctionName(in.FunctionName)
	if !ok || qualifier != "" || len(name) > 64 {
		return validation(in.FunctionName, "functionName", awsproto.Pattern(functionNamePattern))
	}
	if region == "" {
		region = c.Region
	}
	if in.Role == nil {
		return validation("null", "role", awsproto.RuleNotNull)
	}
	if in.PackageType == "Image" {
		return errInvalidParameterValue.New("groundstack runs Zip functions only: PackageType Image is not supported")
	}
	if in.Runtime == nil {
		return errInvalidParameterValue.New("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	if _, err := s.store.Function(region, name); err == nil {
		return errResourceConflict.Errorf("Function already exist: %s", name)
	}
	if err := checkArchitectures(in.Architectures); err != nil {
		return err
	}
	cfg := Config{Timeout: 3, MemorySize: 128, Architectures: []string{"x86_64"}, TracingMode: "PassThrough",
		Ephemeral: defaultEphemeralBytes, LogFormat: "Text", LogGroup: "/aws/lambda/" + name}
	if err := in.configInput.apply(&cfg); err != nil {
		return err
	}
	if in.Architectures != nil {
		cfg.Architectures = in.Architectures
	}
	if cfg.Runtime == "go1.x" && cfg.Handler == "" {
		return errInvalidParameterValue.New("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	data, err := s.loadCode(in.Code)
	if err != nil {
		return err
	}
	cfg.LastModified = s.env.Now()
	if err := s.storeCode(data, &cfg); err != nil {
		return err
	}
	v, pub, err := s.store.Create(region, name, cfg, in.Tags, in.Publish)
	if err != nil {
		return err
	}
	if pub != nil {
		v = pub
	}
	return awsproto.WriteJSON(w, http.StatusCreated, configWire(v))
}

func (s *Service) getFunction(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, q, err := s.target(c, p["FunctionName"], c.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	v, f, err := s.store.Resolve(region, name, q)
	if err != nil {
		return err
	}
	out := map[string]any{
		"Configuration": configWire(v),
		"Code": map[string]string{
			"RepositoryType": "S3",
			"Location":       "http://" + s.publicHost(c.Request) + codePath + v.Config.CodeHex + ".zip",
		},
	}
	if tags := f.Tags(); len(tags) > 0 {
		out["Tags"] = tags
	}
	if r := f.Reserved(); r >= 0 {
		out["Concurrency"] = map[string]int{"ReservedConcurrentExecutions": r}
	}
	return awsproto.WriteJSON(w, http.StatusOK, out)
}

// publicHost is the host:port clients reach the edge on.
func (s *Service) publicHost(r *http.Request) string {
	if s.env.Host != "" {
		return s.env.Host
	}
	return r.Host
}

func (s *Service) getFunctionConfiguration(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, q, err := s.target(c, p["FunctionName"], c.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	v, _, err := s.store.Resolve(region, name, q)
	if err != nil {
		return err
	}
	return awsproto.WriteJSON(w, http.StatusOK, configWire(v))
}

// pageOf parses Marker/MaxItems.
func pageOf(c *awsproto.Call) (marker string, max int, err error) {
	q := c.URL.Query()
	marker, max = q.Get("Marker"), 50
	if m := q.Get("MaxItems"); m != "" {
		n, perr := strconv.Atoi(m)
		if perr != nil || n < 1 {
			return "", 0, validation(m, "maxItems", awsproto.MinValue(1))
		}
		if n > 10000 {
			return "", 0, validation(m, "maxItems", awsproto.MaxValue(10000))
		}
		max = n
	}
	return marker, max, nil
}

// page cuts items (sorted by key) at marker; the marker is the key of the
// first item of the next page.
func page[T any](items []T, key func(T) string, marker string, max int) ([]T, string) {
	start := 0
	if marker != "" {
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) >= marker })
	}
	end := min(start+max, len(items))
	next := ""
	if end < len(items) {
		next = key(items[end])
	}
	return items[start:end], next
}

func (s *Service) listFunctions(w http.ResponseWriter, c *awsproto.Call, _ awsproto.Params) error {
	marker, max, err := pageOf(c)
	if err != nil {
		return err
	}
	all := c.URL.Query().Get("FunctionVersion") == "ALL"
	var versions []*Version
	for _, f := range s.store.List(c.Region) {
		if all {
			vs, err := s.store.Versions(c.Region, f.Name)
			if err == nil {
				versions = append(versions, vs...)
			}
			continue
		}
		versions = append(versions, f.Latest())
	}
	key := func(v *Version) string { return v.Function.Name + ":" + versionKey(v.Name) }
	pageItems, next := page(versions, key, marker, max)
	out := struct {
		Functions  []functionConfigurationWire `json:"Functions"`
		NextMarker string                      `json:"NextMarker,omitempty"`
	}{Functions: make([]functionConfigurationWire, 0, len(pageItems)), NextMarker: next}
	for _, v := range pageItems {
		out.Functions = append(out.Functions, configWire(v))
	}
	return awsproto.WriteJSON(w, http.StatusOK, out)
}

// versionKey orders $LATEST first and numbers numerically.
func versionKey(v string) string {
	if v == LatestVersion {
		return "0000000000"
	}
	n, _ := strconv.Atoi(v)
	return strconv.Itoa(1000000000 + n)
}

func (s *Service) deleteFunction(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, q, err := s.target(c, p["FunctionName"], c.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	return noContent(w, s.store.Delete(region, name, q))
}

func (s *Service) updateFunctionCode(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, q, err := s.target(c, p["FunctionName"], "")
	if err != nil {
		return err
	}
	if q != "" {
		return errInvalidParameterValue.New("Unsupported qualifier: function code can only be updated on $LATEST")
	}
	var in struct {
		functionCodeWire
		Publish       bool     `json:"Publish"`
		DryRun        bool     `json:"DryRun"`
		RevisionID    string   `json:"RevisionId"`
		Architectures []string `json:"Architectures"`
	}
	if err := decode(c, maxCreateBody, "UpdateFunctionCode", &in); err != nil {
		return err
	}
	if err := checkArchitectures(in.Architectures); err != nil {
		return err
	}
	data, err := s.loadCode(&in.functionCodeWire)
	if err != nil {
		return err
	}
	if in.DryRun {
		v, _, err := s.store.Resolve(region, name, "")
		if err != nil {
			return err
		}
		out := configWire(v)
		sum := sha256.Sum256(data)
		out.CodeSha256, out.CodeSize = base64.StdEncoding.EncodeToString(sum[:]), int64(len(data))
		return awsproto.WriteJSON(w, http.StatusOK, out)
	}
	if _, err := s.store.Function(region, name); err != nil {
		return err
	}
	var codeCfg Config
	if err := s.storeCode(data, &codeCfg); err != nil {
		return err
	}
	now := s.env.Now()
	v, pub, err := s.store.Update(region, name, in.RevisionID, in.Publish, func(cfg *Config) error {
		cfg.CodeSha256, cfg.CodeHex, cfg.CodeSize = codeCfg.CodeSha256, codeCfg.CodeHex, codeCfg.CodeSize
		if in.Architectures != nil {
			cfg.Architectures = in.Architectures
		}
		cfg.LastModified = now
		return nil
	})
	if err != nil {
		return err
	}
	if pub != nil {
		v = pub
	}
	return awsproto.WriteJSON(w, http.StatusOK, configWire(v))
}

func (s *Service) updateFunctionConfiguration(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, q, err := s.target(c, p["FunctionName"], "")
	if err != nil {
		return err
	}
	if q != "" {
		return errInvalidParameterValue.New("Unsupported qualifier: the configuration can only be updated on $LATEST")
	}
	var in configInput
	if err := decode(c, maxConfigBody, "UpdateFunctionConfiguration", &in); err != nil {
		return err
	}
	now := s.env.Now()
	v, _, err := s.store.Update(region, name, in.RevisionID, false, func(cfg *Config) error {
		if err := in.apply(cfg); err != nil {
			return err
		}
		if cfg.Runtime == "go1.x" && cfg.Handler == "" {
			return errInvalidParameterValue.New("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
		}
		cfg.LastModified = now
		return nil
	})
	if err != nil {
		return err
	}
	return awsproto.WriteJSON(w, http.StatusOK, configWire(v))
}

// --- versions and aliases

func (s *Service) publishVersion(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, _, err := s.target(c, p["FunctionName"], "")
	if err != nil {
		return err
	}
	var in struct {
		CodeSha256  string `json:"CodeSha256"`
		Description string `json:"Description"`
		RevisionID  string `json:"RevisionId"`
	}
	if err := decode(c, maxConfigBody, "PublishVersion", &in); err != nil {
		return err
	}
	v, err := s.store.Publish(region, name, in.Description, in.CodeSha256, in.RevisionID)
	if err != nil {
		return err
	}
	return awsproto.WriteJSON(w, http.StatusCreated, configWire(v))
}

func (s *Service) listVersions(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, _, err := s.target(c, p["FunctionName"], "")
	if err != nil {
		return err
	}
	marker, max, err := pageOf(c)
	if err != nil {
		return err
	}
	vs, err := s.store.Versions(region, name)
	if err != nil {
		return err
	}
	items, next := page(vs, func(v *Version) string { return versionKey(v.Name) }, marker, max)
	out := struct {
		Versions   []functionConfigurationWire `json:"Versions"`
		NextMarker string                      `json:"NextMarker,omitempty"`
	}{Versions: make([]functionConfigurationWire, 0, len(items)), NextMarker: next}
	for _, v := range items {
		out.Versions = append(out.Versions, configWire(v))
	}
	return awsproto.WriteJSON(w, http.StatusOK, out)
}

type aliasWire struct {
	AliasArn        string       `json:"AliasArn"`
	Name            string       `json:"Name"`
	FunctionVersion string       `json:"FunctionVersion"`
	Description     string       `json:"Description"`
	RevisionID      string       `json:"RevisionId"`
	RoutingConfig   *routingWire `json:"RoutingConfig,omitempty"`
}

type routingWire struct {
	AdditionalVersionWeights map[string]float64 `json:"AdditionalVersionWeights,omitempty"`
}

func aliasOut(a Alias) aliasWire {
	out := aliasWire{AliasArn: a.ARN, Name: a.Name, FunctionVersion: a.FunctionVersion, Description: a.Description, RevisionID: a.RevisionID}
	if len(a.Routing) > 0 {
		out.RoutingConfig = &routingWire{AdditionalVersionWeights: a.Routing}
	}
	return out
}

var aliasNameRE = regexp.MustCompile(`^(?:[a-zA-Z0-9-_]*[a-zA-Z-_][a-zA-Z0-9-_]*)$`)

func (s *Service) createAlias(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, _, err := s.target(c, p["FunctionName"], "")
	if err != nil {
		return err
	}
	var in struct {
		Name            string       `json:"Name"`
		FunctionVersion string       `json:"FunctionVersion"`
		Description     string       `json:"Description"`
		RoutingConfig   *routingWire `json:"RoutingConfig"`
	}
	if err := decode(c, maxConfigBody, "CreateAlias", &in); err != nil {
		return err
	}
	if !aliasNameRE.MatchString(in.Name) || len(in.Name) > 128 || in.Name == "" {
		return validation(in.Name, "name", awsproto.Pattern("(?!^[0-9]+$)([a-zA-Z0-9-_]+)"))
	}
	a := Alias{Name: in.Name, FunctionVersion: in.FunctionVersion, Description: in.Description}
	if in.RoutingConfig != nil {
		a.Routing = in.RoutingConfig.AdditionalVersionWeights
	}
	out, err := s.store.CreateAlias(region, name, a)
	if err != nil {
		return err
	}
	return awsproto.WriteJSON(w, http.StatusCreated, aliasOut(out))
}

func (s *Service) getAlias(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, _, err := s.target(c, p["FunctionName"], "")
	if err != nil {
		return err
	}
	a, err := s.store.Alias(region, name, p["Name"])
	if err != nil {
		return err
	}
	return awsproto.WriteJSON(w, http.StatusOK, aliasOut(a))
}

func (s *Service) listAliases(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, _, err := s.target(c, p["FunctionName"], "")
	if err != nil {
		return err
	}
	marker, max, err := pageOf(c)
	if err != nil {
		return err
	}
	as, err := s.store.Aliases(region, name, c.URL.Query().Get("FunctionVersion"))
	if err != nil {
		return err
	}
	items, next := page(as, func(a Alias) string { return a.Name }, marker, max)
	out := struct {
		Aliases    []aliasWire `json:"Aliases"`
		NextMarker string      `json:"NextMarker,omitempty"`
	}{Aliases: make([]aliasWire, 0, len(items)), NextMarker: next}
	for _, a := range items {
		out.Aliases = append(out.Aliases, aliasOut(a))
	}
	return awsproto.WriteJSON(w, http.StatusOK, out)
}

func (s *Service) updateAlias(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, _, err := s.target(c, p["FunctionName"], "")
	if err != nil {
		return err
	}
	var in struct {
		FunctionVersion *string      `json:"FunctionVersion"`
		Description     *string      `json:"Description"`
		RoutingConfig   *routingWire `json:"RoutingConfig"`
		RevisionID      string       `json:"RevisionId"`
	}
	if err := decode(c, maxConfigBody, "UpdateAlias", &in); err != nil {
		return err
	}
	var routing map[string]float64
	if in.RoutingConfig != nil {
		routing = in.RoutingConfig.AdditionalVersionWeights
		if routing == nil {
			routing = map[string]float64{}
		}
	}
	a, err := s.store.UpdateAlias(region, name, p["Name"], in.FunctionVersion, in.Description, routing, in.RevisionID)
	if err != nil {
		return err
	}
	return awsproto.WriteJSON(w, http.StatusOK, aliasOut(a))
}

func (s *Service) deleteAlias(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, _, err := s.target(c, p["FunctionName"], "")
	if err != nil {
		return err
	}
	return noContent(w, s.store.DeleteAlias(region, name, p["Name"]))
}

// --- permissions

func (s *Service) addPermission(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, q, err := s.target(c, p["FunctionName"], c.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	var in struct {
		StatementID         string `json:"StatementId"`
		Action              string `json:"Action"`
		Principal           string `json:"Principal"`
		SourceArn           string `json:"SourceArn"`
		SourceAccount       string `json:"SourceAccount"`
		EventSourceToken    string `json:"EventSourceToken"`
		PrincipalOrgID      string `json:"PrincipalOrgID"`
		FunctionURLAuthType string `json:"FunctionUrlAuthType"`
		RevisionID          string `json:"RevisionId"`
	}
	if err := decode(c, maxConfigBody, "AddPermission", &in); err != nil {
		return err
	}
	switch {
	case in.StatementID == "" || len(in.StatementID) > 100 || !isSid(in.StatementID):
		return validation(in.StatementID, "statementId", awsproto.Pattern("([a-zA-Z0-9-_.]+)"))
	case in.Action == "":
		return validation("null", "action", awsproto.RuleNotNull)
	case in.Principal == "":
		return validation("null", "principal", awsproto.RuleNotNull)
	}
	if !strings.HasPrefix(in.Action, "lambda:") && in.Action != "*" {
		return validation(in.Action, "action", awsproto.Pattern("(lambda:[*]|lambda:[a-zA-Z]+|[*])"))
	}
	js, err := s.store.AddStatement(region, name, q, in.StatementID, in.RevisionID, func(resource string) string {
		st := map[string]any{"Sid": in.StatementID, "Effect": "Allow", "Action": in.Action, "Resource": resource}
		switch {
		case in.Principal == "*":
			st["Principal"] = "*"
		case strings.Contains(in.Principal, ".amazonaws.com") || strings.HasSuffix(in.Principal, ".amazon.com"):
			st["Principal"] = map[string]string{"Service": in.Principal}
		case isAccount(in.Principal):
			st["Principal"] = map[string]string{"AWS": "arn:aws:iam::" + in.Principal + ":root"}
		default:
			st["Principal"] = map[string]string{"AWS": in.Principal}
		}
		cond := map[string]map[string]string{}
		if in.SourceArn != "" {
			cond["ArnLike"] = map[string]string{"AWS:SourceArn": in.SourceArn}
		}
		if in.SourceAccount != "" {
			cond["StringEquals"] = map[string]string{"AWS:SourceAccount": in.SourceAccount}
		}
		if in.FunctionURLAuthType != "" {
			if cond["StringEquals"] == nil {
				cond["StringEquals"] = map[string]string{}
			}
			cond["StringEquals"]["lambda:FunctionUrlAuthType"] = in.FunctionURLAuthType
		}
		if in.PrincipalOrgID != "" {
			if cond["StringEquals"] == nil {
				cond["StringEquals"] = map[string]string{}
			}
			cond["StringEquals"]["aws:PrincipalOrgID"] = in.PrincipalOrgID
		}
		if len(cond) > 0 {
			st["Condition"] = cond
		}
		b, _ := json.Marshal(st)
		return string(b)
	})
	if err != nil {
		return err
	}
	return awsproto.WriteJSON(w, http.StatusCreated, map[string]string{"Statement": js})
}

func isSid(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func (s *Service) getPolicy(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, q, err := s.target(c, p["FunctionName"], c.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	sts, rev, err := s.store.Policy(region, name, q)
	if err != nil {
		return err
	}
	raw := make([]json.RawMessage, len(sts))
	for i, st := range sts {
		raw[i] = json.RawMessage(st.JSON)
	}
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Id": "default", "Statement": raw})
	return awsproto.WriteJSON(w, http.StatusOK, map[string]string{"Policy": string(b), "RevisionId": rev})
}

func (s *Service) removePermission(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, q, err := s.target(c, p["FunctionName"], c.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	return noContent(w, s.store.RemoveStatement(region, name, q, p["StatementId"], c.URL.Query().Get("RevisionId")))
}

// --- concurrency

func (s *Service) putConcurrency(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, q, err := s.target(c, p["FunctionName"], "")
	if err != nil {
		return err
	}
	if q != "" {
		return errInvalidParameterValue.New("Concurrency can only be set on the function, not on a version or alias.")
	}
	var in struct {
		Reserved *int `json:"ReservedConcurrentExecutions"`
	}
	if err := decode(c, maxConfigBody, "PutFunctionConcurrency", &in); err != nil {
		return err
	}
	if in.Reserved == nil {
		return validation("null", "reservedConcurrentExecutions", awsproto.RuleNotNull)
	}
	if *in.Reserved < 0 {
		return validation(strconv.Itoa(*in.Reserved), "reservedConcurrentExecutions", awsproto.MinValue(0))
	}
	if err := s.store.SetReserved(region, name, *in.Reserved); err != nil {
		return err
	}
	return awsproto.WriteJSON(w, http.StatusOK, map[string]int{"ReservedConcurrentExecutions": *in.Reserved})
}

func (s *Service) getConcurrency(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, _, err := s.target(c, p["FunctionName"], "")
	if err != nil {
		return err
	}
	f, err := s.store.Function(region, name)
	if err != nil {
		return err
	}
	out := map[string]int{}
	if r := f.Reserved(); r >= 0 {
		out["ReservedConcurrentExecutions"] = r
	}
	return awsproto.WriteJSON(w, http.StatusOK, out)
}

func (s *Service) deleteConcurrency(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, _, err := s.target(c, p["FunctionName"], "")
	if err != nil {
		return err
	}
	return noContent(w, s.store.SetReserved(region, name, -1))
}

func (s *Service) accountSettings(w http.ResponseWriter, c *awsproto.Call, _ awsproto.Params) error {
	n, size := s.store.Count(c.Region)
	return awsproto.WriteJSON(w, http.StatusOK, map[string]any{
		"AccountLimit": map[string]any{
			"TotalCodeSize":                  int64(80530636800),
			"CodeSizeUnzipped":               runtime.MaxUnzippedSize,
			"CodeSizeZipped":                 52428800,
			"ConcurrentExecutions":           accountConcurrency,
			"UnreservedConcurrentExecutions": s.store.Unreserved(c.Region),
		},
		"AccountUsage": map[string]any{"TotalCodeSize": size, "FunctionCount": n},
	})
}

// --- tags

// tagTarget resolves a tagging request's ARN to a function.
func (s *Service) tagTarget(c *awsproto.Call, arn string) (string, string, error) {
	region, name, q, ok := parseFunctionName(arn)
	if !ok || !strings.HasPrefix(arn, "arn:") || q != "" {
		return "", "", errInvalidParameterValue.Errorf("Invalid ARN: %s", arn)
	}
	if region == "" {
		region = c.Region
	}
	return region, name, nil
}

func (s *Service) tagResource(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, err := s.tagTarget(c, p["Resource"])
	if err != nil {
		return err
	}
	var in struct {
		Tags map[string]string `json:"Tags"`
	}
	if err := decode(c, maxConfigBody, "TagResource", &in); err != nil {
		return err
	}
	return noContent(w, s.store.Tag(region, name, in.Tags))
}

func (s *Service) untagResource(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, err := s.tagTarget(c, p["Resource"])
	if err != nil {
		return err
	}
	return noContent(w, s.store.Untag(region, name, c.URL.Query()["tagKeys"]))
}

func (s *Service) listTags(w http.ResponseWriter, c *awsproto.Call, p awsproto.Params) error {
	region, name, err := s.tagTarget(c, p["Resource"])
	if err != nil {
		return err
	}
	f, err := s.store.Function(region, name)
	if err != nil {
		return err
	}
	return awsproto.WriteJSON(w, http.StatusOK, map[string]any{"Tags": f.Tags()})
}

// --- code download (GetFunction's Code.Location)

func (s *Service) serveCode(w http.ResponseWriter, r *http.Request, file string) {
	sum := strings.TrimSuffix(file, ".zip")
	f, err := s.exec.OpenCode(sum)
	if err != nil {
		http.Error(w, "NoSuchKey", http.StatusNotFound)
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
