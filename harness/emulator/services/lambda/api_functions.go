package lambda

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/lambda/runtime"
)

// --- inputs: members and constraints as AWS's model states them
// (FunctionName patterns: see target)

// ConfigMembers are the configuration members CreateFunction and
// UpdateFunctionConfiguration share (exported so the inputs can embed it).
// Timeout and MemorySize carry the limits AWS enforces on functions (900 s,
// 10240 MB), which the model no longer states.
type ConfigMembers struct {
	Runtime          *string           `json:"Runtime"`
	Handler          *string           `json:"Handler" min:"0" max:"128" pattern:"[^\\s]+"`
	Description      *string           `json:"Description" min:"0" max:"256"`
	Timeout          *int              `json:"Timeout" min:"1" max:"900"`
	MemorySize       *int              `json:"MemorySize" min:"128" max:"10240"`
	Environment      *environmentInput `json:"Environment"`
	TracingConfig    *tracingInput     `json:"TracingConfig"`
	EphemeralStorage *ephemeralInput   `json:"EphemeralStorage"`
	LoggingConfig    *loggingInput     `json:"LoggingConfig"`
	Layers           *[]string         `json:"Layers"`
	DeadLetterConfig *deadLetterInput  `json:"DeadLetterConfig"`
	// Checked and stored (configWire shows them); nothing runs differently
	// for them: no VPC, KMS key, file system or SnapStart is emulated.
	VpcConfig         *vpcConfigInput         `json:"VpcConfig"`
	KMSKeyArn         *string                 `json:"KMSKeyArn" pattern:"(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()"`
	FileSystemConfigs []fileSystemConfigInput `json:"FileSystemConfigs" min:"0" max:"1"`
	ImageConfig       *imageConfigInput       `json:"ImageConfig"`
	SnapStart         *snapStartInput         `json:"SnapStart"`
	// CapacityProviderConfig names a capacity provider (api_capacity.go):
	// stored; the function runs as any other.
	CapacityProviderConfig *capacityProviderConfigInput `json:"CapacityProviderConfig"`
	// DurableConfig makes invocations durable executions (api_durable.go).
	DurableConfig *durableConfigInput `json:"DurableConfig"`
}

type vpcConfigInput struct {
	SubnetIds               []string `json:"SubnetIds" min:"0" max:"16"`
	SecurityGroupIds        []string `json:"SecurityGroupIds" min:"0" max:"5"`
	Ipv6AllowedForDualStack *bool    `json:"Ipv6AllowedForDualStack"`
}

type fileSystemConfigInput struct {
	Arn            *string `json:"Arn" required:"true" min:"0" max:"256" pattern:"arn:aws[a-zA-Z-]*:elasticfilesystem:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:access-point/fsap-[a-f0-9]{17}$|^arn:aws[-a-z]*:s3files:[0-9a-z-:]+:file-system/fs-[0-9a-f]{17,40}/access-point/fsap-[0-9a-f]{17,40}"`
	LocalMountPath *string `json:"LocalMountPath" required:"true" min:"0" max:"160" pattern:"/mnt/[a-zA-Z0-9-_.]+"`
}

type imageConfigInput struct {
	EntryPoint       []string `json:"EntryPoint" min:"0" max:"1500"`
	Command          []string `json:"Command" min:"0" max:"1500"`
	WorkingDirectory *string  `json:"WorkingDirectory" min:"0" max:"1000"`
}

type snapStartInput struct {
	ApplyOn *string `json:"ApplyOn" enum:"PublishedVersions,None"`
}

type capacityProviderConfigInput struct {
	LambdaManagedInstancesCapacityProviderConfig *managedInstancesConfigInput `json:"LambdaManagedInstancesCapacityProviderConfig" required:"true"`
}

type managedInstancesConfigInput struct {
	CapacityProviderArn                   *string  `json:"CapacityProviderArn" required:"true" min:"1" max:"140" pattern:"arn:aws[a-zA-Z-]*:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:capacity-provider:[a-zA-Z0-9-_]+"`
	PerExecutionEnvironmentMaxConcurrency *int     `json:"PerExecutionEnvironmentMaxConcurrency" min:"1" max:"1600"`
	ExecutionEnvironmentMemoryGiBPerVCpu  *float64 `json:"ExecutionEnvironmentMemoryGiBPerVCpu" min:"2" max:"8"`
}

type durableConfigInput struct {
	RetentionPeriodInDays *int `json:"RetentionPeriodInDays" min:"1" max:"90"`
	ExecutionTimeout      *int `json:"ExecutionTimeout" min:"1" max:"31622400"`
}

type tenancyConfigInput struct {
	TenantIsolationMode *string `json:"TenantIsolationMode" required:"true" enum:"PER_TENANT"`
}

// deadLetterInput is DeadLetterConfig (ResourceArn's pattern; "" removes
// the dead-letter queue).
type deadLetterInput struct {
	TargetArn *string `json:"TargetArn" pattern:"(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()"`
}

type environmentInput struct {
	Variables map[string]string `json:"Variables" sensitive:"true"`
}

type tracingInput struct {
	Mode string `json:"Mode" enum:"Active,PassThrough"`
}

type ephemeralInput struct {
	Size *int `json:"Size" required:"true" min:"512" max:"10240"`
}

type loggingInput struct {
	LogFormat           *string `json:"LogFormat" enum:"JSON,Text"`
	ApplicationLogLevel *string `json:"ApplicationLogLevel" enum:"TRACE,DEBUG,INFO,WARN,ERROR,FATAL"`
	SystemLogLevel      *string `json:"SystemLogLevel" enum:"DEBUG,INFO,WARN"`
	LogGroup            *string `json:"LogGroup" min:"1" max:"512" pattern:"[\\.\\-_/#A-Za-z0-9]+"`
}

// functionCodeInput is FunctionCode. S3Bucket's pattern has a look-behind
// Go's regular expressions lack; S3 answers for a bucket that breaks it.
type functionCodeInput struct {
	ZipFile         []byte  `json:"ZipFile" sensitive:"true"`
	S3Bucket        *string `json:"S3Bucket" min:"3" max:"63"`
	S3Key           *string `json:"S3Key" min:"1" max:"1024"`
	S3ObjectVersion *string `json:"S3ObjectVersion" min:"1" max:"1024"`
	ImageUri        *string `json:"ImageUri"`
	SourceKMSKeyArn *string `json:"SourceKMSKeyArn" pattern:"(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()"`
}

type createFunctionInput struct {
	FunctionName *string `json:"FunctionName" required:"true" min:"1" max:"140"`
	Role         *string `json:"Role" required:"true" pattern:"arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+"`
	ConfigMembers
	Code          *functionCodeInput `json:"Code" required:"true"`
	Publish       bool               `json:"Publish"`
	PackageType   string             `json:"PackageType" enum:"Zip,Image"`
	Architectures []string           `json:"Architectures" min:"1" max:"1"`
	Tags          map[string]string  `json:"Tags"`
	// CodeSigningConfigArn: checked; PutFunctionCodeSigningConfig attaches
	// one. TenancyConfig: checked, not emulated.
	CodeSigningConfigArn *string             `json:"CodeSigningConfigArn" min:"0" max:"200" pattern:"arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:code-signing-config:csc-[a-z0-9]{17}"`
	PublishTo            *string             `json:"PublishTo" enum:"LATEST_PUBLISHED"`
	TenancyConfig        *tenancyConfigInput `json:"TenancyConfig"`
}

func (in *createFunctionInput) Validate() error {
	if err := checkArchitectures(in.Architectures); err != nil {
		return err
	}
	return in.ConfigMembers.check()
}

type updateFunctionConfigurationInput struct {
	FunctionName *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"140"`
	Role         *string `json:"Role" pattern:"arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+"`
	ConfigMembers
	RevisionId *string `json:"RevisionId"`
}

func (in *updateFunctionConfigurationInput) Validate() error { return in.ConfigMembers.check() }

type updateFunctionCodeInput struct {
	FunctionName *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"140"`
	functionCodeInput
	PublishTo     *string  `json:"PublishTo" enum:"LATEST_PUBLISHED"`
	Publish       bool     `json:"Publish"`
	DryRun        bool     `json:"DryRun"`
	RevisionId    *string  `json:"RevisionId"`
	Architectures []string `json:"Architectures" min:"1" max:"1"`
}

func (in *updateFunctionCodeInput) Validate() error { return checkArchitectures(in.Architectures) }

// qualifiedFunctionInput is the input of the operations that take a
// NamespacedFunctionName and a Qualifier only.
type qualifiedFunctionInput struct {
	FunctionName *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"256"`
	Qualifier    *string `json:"-" location:"querystring" name:"Qualifier" min:"1" max:"128" pattern:"\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"`
}

type listFunctionsInput struct {
	MasterRegion    *string `json:"-" location:"querystring" name:"MasterRegion" pattern:"ALL|[a-z]{2}(-gov)?-[a-z]+-\\d{1}"`
	FunctionVersion *string `json:"-" location:"querystring" name:"FunctionVersion" enum:"ALL"`
	Marker          *string `json:"-" location:"querystring" name:"Marker"`
	MaxItems        *int    `json:"-" location:"querystring" name:"MaxItems" min:"1" max:"10000"`
}

// --- outputs

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
	Layers           []layerWire       `json:"Layers,omitempty"`
	DeadLetterConfig *deadLetterWire   `json:"DeadLetterConfig,omitempty"`
	// CapacityProviderConfig and DurableConfig: api_capacity.go,
	// api_durable.go.
	CapacityProviderConfig *capacityProviderConfigWire `json:"CapacityProviderConfig,omitempty"`
	DurableConfig          *durableConfigWire          `json:"DurableConfig,omitempty"`
}

type deadLetterWire struct {
	TargetArn string `json:"TargetArn"`
}

// layerWire is one of a function's layers as its configuration shows it.
type layerWire struct {
	Arn      string `json:"Arn"`
	CodeSize int64  `json:"CodeSize"`
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
		EphemeralStorage:       map[string]int{"Size": c.Ephemeral},
		SnapStart:              map[string]string{"ApplyOn": "None", "OptimizationStatus": "Off"},
		LoggingConfig:          map[string]string{"LogFormat": c.LogFormat, "LogGroup": c.LogGroup},
		CapacityProviderConfig: capacityWire(c.Capacity),
		DurableConfig:          durableWire(c.Durable),
	}
	if len(c.Env) > 0 {
		out.Environment = &environmentWire{Variables: c.Env}
	}
	for _, l := range c.Layers {
		out.Layers = append(out.Layers, layerWire{Arn: l.ARN, CodeSize: l.CodeSize})
	}
	if c.DeadLetter != "" {
		out.DeadLetterConfig = &deadLetterWire{TargetArn: c.DeadLetter}
	}
	return out
}

type codeLocationWire struct {
	RepositoryType string `json:"RepositoryType"`
	Location       string `json:"Location"`
}

type getFunctionOutput struct {
	Configuration functionConfigurationWire `json:"Configuration"`
	Code          codeLocationWire          `json:"Code"`
	Tags          map[string]string         `json:"Tags,omitempty"`
	Concurrency   *concurrencyWire          `json:"Concurrency,omitempty"`
}

type listFunctionsOutput struct {
	Functions  []functionConfigurationWire `json:"Functions"`
	NextMarker string                      `json:"NextMarker,omitempty"`
}

// --- rules tags cannot state

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

// runnable reports whether groundstack runs the runtime at all (whether
// this machine has its interpreter is Executor.CheckRuntime's question).
func runnable(rt string) bool { return runtime.RuntimeFamily(rt) != runtime.FamilyNone }

func runtimeList() string {
	rs := make([]string, 0, len(knownRuntimes))
	for r := range knownRuntimes {
		rs = append(rs, r)
	}
	sort.Strings(rs)
	return strings.Join(rs, ", ")
}

// check applies the rules on configuration members that tags cannot
// state. AWS answers an unknown runtime with InvalidParameterValueException,
// not a validation error, since a runtime may also be an ARN.
func (in *ConfigMembers) check() error {
	if in.Runtime != nil && !knownRuntimes[*in.Runtime] {
		return errInvalidParameterValue.Errorf("Value %s at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [%s] or be a valid ARN", *in.Runtime, runtimeList())
	}
	if in.Layers != nil {
		if err := checkLayerARNs(*in.Layers); err != nil {
			return err
		}
	}
	if dl := in.DeadLetterConfig; dl != nil && str(dl.TargetArn) != "" {
		if svc := arnService(*dl.TargetArn); svc != "sqs" && svc != "sns" {
			return errInvalidParameterValue.New("The provided target arn is invalid: a dead-letter queue must be an SQS queue or an SNS topic.")
		}
	}
	if in.Environment != nil {
		return checkEnv(in.Environment.Variables)
	}
	return nil
}

var envKeyRE = regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9_])+$`)

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

// checkArchitectures checks the members of Architectures (its length is
// a tag), in AWS's words for a list member's enum.
func checkArchitectures(a []string) error { return checkArchitectureList(a, "architectures") }

func checkArchitectureList(a []string, member string) error {
	for _, x := range a {
		if x != "x86_64" && x != "arm64" {
			return validation("["+strings.Join(a, ", ")+"]", member,
				"Member must satisfy constraint: ["+awsproto.EnumSet("x86_64", "arm64")+", "+awsproto.RuleNotNull+"]")
		}
	}
	return nil
}

// change is the configuration change the members ask for.
func (in *ConfigMembers) change(role *string) ConfigChange {
	ch := ConfigChange{Runtime: in.Runtime, Role: role, Handler: in.Handler, Description: in.Description,
		Timeout: in.Timeout, MemorySize: in.MemorySize}
	if in.Environment != nil {
		ch.Env = &in.Environment.Variables
	}
	if in.TracingConfig != nil && in.TracingConfig.Mode != "" {
		ch.TracingMode = &in.TracingConfig.Mode
	}
	if in.EphemeralStorage != nil {
		ch.Ephemeral = in.EphemeralStorage.Size
	}
	if in.DeadLetterConfig != nil {
		target := str(in.DeadLetterConfig.TargetArn)
		ch.DeadLetter = &target
	}
	ch.Durable = durableSettings(in.DurableConfig)
	if lc := in.LoggingConfig; lc != nil {
		if str(lc.LogGroup) != "" {
			ch.LogGroup = lc.LogGroup
		}
		if str(lc.LogFormat) != "" {
			ch.LogFormat = lc.LogFormat
		}
	}
	return ch
}

// --- code

// loadCode returns the zip a request supplies, inline or from S3, after
// checking it is one.
func (s *Service) loadCode(code *functionCodeInput) ([]byte, error) {
	if len(code.ZipFile) == 0 && str(code.S3Bucket) == "" && str(code.ImageUri) == "" {
		return nil, errInvalidParameterValue.New("Please provide a source for function code.")
	}
	if str(code.ImageUri) != "" {
		return nil, errInvalidParameterValue.New("groundstack runs Zip functions only: ImageUri is not supported")
	}
	data := code.ZipFile
	if len(data) == 0 {
		if str(code.S3Key) == "" {
			return nil, errInvalidParameterValue.New("Please provide a source for function code.")
		}
		reader, _ := s.env.Links.Get(cloud.LinkS3).(cloud.ObjectReader)
		if reader == nil {
			return nil, errInvalidParameterValue.New("Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist")
		}
		var size int64
		var ok bool
		data, size, ok = reader.ReadObject(*code.S3Bucket, *code.S3Key, runtime.MaxUnzippedSize)
		if !ok {
			return nil, errInvalidParameterValue.New("Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.")
		}
		if size > runtime.MaxUnzippedSize {
			// a zip this large cannot unzip to less: refused unread
			return nil, errInvalidParameterValue.Errorf("Unzipped size must be smaller than %d bytes", runtime.MaxUnzippedSize)
		}
	}
	if err := zipError(runtime.CheckZip(data)); err != nil {
		return nil, err
	}
	return data, nil
}

// zipError words what the runtime found wrong with a zip.
func zipError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, runtime.ErrNotZip):
		return errInvalidParameterValue.New("Could not unzip uploaded file. Please check your file, then try to upload again.")
	case errors.Is(err, runtime.ErrUnzippedSize):
		return errInvalidParameterValue.Errorf("Unzipped size must be smaller than %d bytes", runtime.MaxUnzippedSize)
	}
	return errService.New("could not unpack the function's code: " + err.Error())
}

// storeCode keeps a zip (unpacked, so that Active means ready: the first
// invocation only starts the process).
func (s *Service) storeCode(data []byte) (*Code, error) {
	hexSum, err := s.exec.StoreCode(data)
	if err != nil {
		return nil, errService.New("could not store the function's code: " + err.Error())
	}
	if err := zipError(s.exec.Unpack(hexSum)); err != nil {
		return nil, err
	}
	unzipped, _ := runtime.UnzippedSizeOf(data)
	return &Code{Sha256: codeSha256(data), Hex: hexSum, Size: int64(len(data)), Unzipped: unzipped}, nil
}

// resolveLayers finds the layer versions a Layers member names (nil when
// the member is absent: the layers stay as they are).
func (s *Service) resolveLayers(region string, arns *[]string) (*[]LayerRef, error) {
	if arns == nil {
		return nil, nil
	}
	refs, err := s.store.ResolveLayers(region, *arns)
	if err != nil {
		return nil, err
	}
	return &refs, nil
}

// codeSha256 is a zip's CodeSha256 as the API shows it.
func codeSha256(data []byte) string {
	sum := sha256.Sum256(data)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// --- operations

func (s *Service) createFunction(c *awsproto.Call, in *createFunctionInput) (functionConfigurationWire, error) {
	region, name, qualifier, ok := parseFunctionName(*in.FunctionName)
	if !ok || qualifier != "" || len(name) > 64 {
		return functionConfigurationWire{}, validation(*in.FunctionName, "functionName", awsproto.Pattern(functionNamePattern))
	}
	if region == "" {
		region = c.Region
	}
	if in.PackageType == "Image" {
		return functionConfigurationWire{}, errInvalidParameterValue.New("groundstack runs Zip functions only: PackageType Image is not supported")
	}
	if in.Runtime == nil {
		return functionConfigurationWire{}, errInvalidParameterValue.New("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	// Before the (slow) code is stored; Create checks again.
	if _, err := s.store.Function(region, name); err == nil {
		return functionConfigurationWire{}, errResourceConflict.New("Function already exist: " + name)
	}
	data, err := s.loadCode(in.Code)
	if err != nil {
		return functionConfigurationWire{}, err
	}
	ch := in.change(in.Role)
	ch.Architectures = in.Architectures
	if ch.Layers, err = s.resolveLayers(region, in.Layers); err != nil {
		return functionConfigurationWire{}, err
	}
	if ch.Capacity, err = s.capacityChange(in.CapacityProviderConfig); err != nil {
		return functionConfigurationWire{}, err
	}
	if ch.Code, err = s.storeCode(data); err != nil {
		return functionConfigurationWire{}, err
	}
	v, pub, err := s.store.Create(region, name, ch, in.Tags, in.Publish, s.env.Now())
	if err != nil {
		return functionConfigurationWire{}, err
	}
	if pub == nil {
		return configWire(v), nil
	}
	// AWS answers the published version's configuration under the
	// function's unqualified ARN: callers pass it back to calls that take
	// no qualifier (UpdateFunctionConfiguration, AddPermission).
	out := configWire(pub)
	out.FunctionArn = pub.Function.ARN
	return out, nil
}

// listedConfigWire is a version as the listings of versions show it
// (ListVersionsByFunction, ListFunctions with FunctionVersion=ALL): every
// ARN qualified, $LATEST's too.
func listedConfigWire(v *Version) functionConfigurationWire {
	out := configWire(v)
	out.FunctionArn = v.ARN()
	return out
}

func (s *Service) getFunction(c *awsproto.Call, in *qualifiedFunctionInput) (getFunctionOutput, error) {
	region, name, q, err := target(*in.FunctionName, str(in.Qualifier), c.Region)
	if err != nil {
		return getFunctionOutput{}, err
	}
	v, f, err := s.store.Resolve(region, name, q)
	if err != nil {
		return getFunctionOutput{}, err
	}
	out := getFunctionOutput{
		Configuration: configWire(v),
		Code:          codeLocationWire{RepositoryType: "S3", Location: "http://" + s.publicHost(c.Request) + codePath + v.Config.CodeHex + ".zip"},
	}
	if tags := f.Tags(); len(tags) > 0 {
		out.Tags = tags
	}
	if r := f.Reserved(); r >= 0 {
		out.Concurrency = &concurrencyWire{ReservedConcurrentExecutions: &r}
	}
	return out, nil
}

func (s *Service) getFunctionConfiguration(c *awsproto.Call, in *qualifiedFunctionInput) (functionConfigurationWire, error) {
	region, name, q, err := target(*in.FunctionName, str(in.Qualifier), c.Region)
	if err != nil {
		return functionConfigurationWire{}, err
	}
	v, _, err := s.store.Resolve(region, name, q)
	if err != nil {
		return functionConfigurationWire{}, err
	}
	return configWire(v), nil
}

func (s *Service) listFunctions(c *awsproto.Call, in *listFunctionsInput) (listFunctionsOutput, error) {
	all := str(in.FunctionVersion) == "ALL"
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
	wire := configWire
	if all {
		wire = listedConfigWire
	}
	fns, next := page(versions, key, in.Marker, in.MaxItems, wire)
	return listFunctionsOutput{Functions: fns, NextMarker: next}, nil
}

// versionKey orders $LATEST first and numbers numerically.
func versionKey(v string) string {
	if v == LatestVersion {
		return "0000000000"
	}
	n, _ := strconv.Atoi(v)
	return strconv.Itoa(1000000000 + n)
}

func (s *Service) deleteFunction(c *awsproto.Call, in *qualifiedFunctionInput) (struct{}, error) {
	region, name, q, err := target(*in.FunctionName, str(in.Qualifier), c.Region)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.Delete(region, name, q)
}

func (s *Service) updateFunctionCode(c *awsproto.Call, in *updateFunctionCodeInput) (functionConfigurationWire, error) {
	region, name, q, err := target(*in.FunctionName, "", c.Region)
	if err != nil {
		return functionConfigurationWire{}, err
	}
	if q != "" {
		return functionConfigurationWire{}, errInvalidParameterValue.New("Unsupported qualifier: function code can only be updated on $LATEST")
	}
	data, err := s.loadCode(&in.functionCodeInput)
	if err != nil {
		return functionConfigurationWire{}, err
	}
	if in.DryRun {
		v, _, err := s.store.Resolve(region, name, "")
		if err != nil {
			return functionConfigurationWire{}, err
		}
		out := configWire(v)
		out.CodeSha256, out.CodeSize = codeSha256(data), int64(len(data))
		return out, nil
	}
	// Before the (slow) code is stored; Update checks again.
	if _, err := s.store.Function(region, name); err != nil {
		return functionConfigurationWire{}, err
	}
	ch := ConfigChange{Architectures: in.Architectures}
	if ch.Code, err = s.storeCode(data); err != nil {
		return functionConfigurationWire{}, err
	}
	v, pub, err := s.store.Update(region, name, str(in.RevisionId), ch, in.Publish, s.env.Now())
	if err != nil {
		return functionConfigurationWire{}, err
	}
	if pub != nil {
		v = pub
	}
	return configWire(v), nil
}

func (s *Service) updateFunctionConfiguration(c *awsproto.Call, in *updateFunctionConfigurationInput) (functionConfigurationWire, error) {
	region, name, q, err := target(*in.FunctionName, "", c.Region)
	if err != nil {
		return functionConfigurationWire{}, err
	}
	if q != "" {
		return functionConfigurationWire{}, errInvalidParameterValue.New("Unsupported qualifier: the configuration can only be updated on $LATEST")
	}
	ch := in.change(in.Role)
	if ch.Layers, err = s.resolveLayers(region, in.Layers); err != nil {
		return functionConfigurationWire{}, err
	}
	if ch.Capacity, err = s.capacityChange(in.CapacityProviderConfig); err != nil {
		return functionConfigurationWire{}, err
	}
	v, _, err := s.store.Update(region, name, str(in.RevisionId), ch, false, s.env.Now())
	if err != nil {
		return functionConfigurationWire{}, err
	}
	return configWire(v), nil
}
