package lambda

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// LatestVersion is the name of a function's unpublished version.
const LatestVersion = "$LATEST"

// Account concurrency, as a default AWS account has it.
const (
	accountConcurrency    = 1000
	minUnreservedAccount  = 100
	maxReservableAccount  = accountConcurrency - minUnreservedAccount
	defaultEphemeralBytes = 512
)

// Executor runs a version's code; the store only keeps it with the
// version and retires it when the version is replaced or deleted.
type Executor interface {
	Retire(kill bool)
}

// Config is a function version's configuration.
type Config struct {
	Runtime       string
	Role          string
	Handler       string
	Description   string
	Timeout       int // seconds
	MemorySize    int // MB
	Env           map[string]string
	Architectures []string
	CodeSha256    string // base64, as the API shows it
	CodeHex       string // hex, the code cache key
	CodeSize      int64
	CodeUnzipped  int64 // what the code unpacks to
	Layers        []LayerRef
	LastModified  time.Time
	RevisionID    string
	LogGroup      string
	LogFormat     string
	TracingMode   string
	Ephemeral     int // MB
	// DeadLetter is DeadLetterConfig.TargetArn: an SQS queue or SNS topic
	// ("" for none).
	DeadLetter string
	// Capacity is CapacityProviderConfig (nil for none; store_capacity.go).
	Capacity *FunctionCapacity
	// Durable is DurableConfig (nil for none): invocations are durable
	// executions (store_durable.go).
	Durable *DurableSettings
}

// ConfigChange is what CreateFunction, UpdateFunctionConfiguration and
// UpdateFunctionCode set in a function's configuration (checked already);
// nil members keep their value.
type ConfigChange struct {
	Runtime, Role, Handler, Description *string
	Timeout, MemorySize, Ephemeral      *int
	// Env replaces the variables when set (a nil map clears them).
	Env                              *map[string]string
	TracingMode, LogGroup, LogFormat *string
	// DeadLetter sets DeadLetterConfig.TargetArn ("" removes it).
	DeadLetter    *string
	Architectures []string
	Code          *Code
	// Layers replaces the layers when set (an empty list removes them).
	Layers *[]LayerRef
	// Capacity and Durable replace CapacityProviderConfig and
	// DurableConfig when set.
	Capacity *FunctionCapacity
	Durable  *DurableSettings
}

// Code is a stored deployment package.
type Code struct {
	Sha256 string // base64, as the API shows it
	Hex    string // hex, the code cache key
	Size   int64
	// Unzipped is what the zip unpacks to.
	Unzipped int64
}

func (c *Config) apply(ch *ConfigChange) {
	set(&c.Runtime, ch.Runtime)
	set(&c.Role, ch.Role)
	set(&c.Handler, ch.Handler)
	set(&c.Description, ch.Description)
	set(&c.Timeout, ch.Timeout)
	set(&c.MemorySize, ch.MemorySize)
	set(&c.Ephemeral, ch.Ephemeral)
	set(&c.Env, ch.Env)
	set(&c.TracingMode, ch.TracingMode)
	set(&c.LogGroup, ch.LogGroup)
	set(&c.LogFormat, ch.LogFormat)
	set(&c.DeadLetter, ch.DeadLetter)
	if ch.Capacity != nil {
		c.Capacity = ch.Capacity
	}
	if ch.Durable != nil {
		c.Durable = ch.Durable
	}
	if ch.Architectures != nil {
		c.Architectures = append([]string(nil), ch.Architectures...)
	}
	if ch.Code != nil {
		c.CodeSha256, c.CodeHex, c.CodeSize, c.CodeUnzipped = ch.Code.Sha256, ch.Code.Hex, ch.Code.Size, ch.Code.Unzipped
	}
	if ch.Layers != nil {
		c.Layers = append([]LayerRef(nil), (*ch.Layers)...)
	}
}

// check applies the rules on a whole configuration.
func (c *Config) check() error {
	if c.Runtime == "go1.x" && c.Handler == "" {
		return errInvalidParameterValue.New("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	if len(c.Layers) > 0 {
		total := c.CodeUnzipped
		for _, l := range c.Layers {
			total += l.Unzipped
		}
		if total > maxUnzippedWithLayers {
			return errInvalidParameterValue.Errorf("Function code combined with layers exceeds the maximum allowed size of %d bytes. The actual size is %d bytes.", maxUnzippedWithLayers, total)
		}
	}
	return nil
}

// maxUnzippedWithLayers bounds a function's code and layers unpacked.
const maxUnzippedWithLayers = 262144000

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (c Config) clone() Config {
	if c.Env != nil {
		env := make(map[string]string, len(c.Env))
		for k, v := range c.Env {
			env[k] = v
		}
		c.Env = env
	}
	c.Architectures = append([]string(nil), c.Architectures...)
	c.Layers = append([]LayerRef(nil), c.Layers...)
	return c
}

// Version is one immutable version of a function: $LATEST as it is now, or
// a published number.
type Version struct {
	Function *Function
	Name     string // "$LATEST", "1", …
	Config   Config
	Exec     Executor
}

// ARN is the version's qualified ARN.
func (v *Version) ARN() string { return v.Function.ARN + ":" + v.Name }

// Function is one function with its versions, aliases and settings.
type Function struct {
	Name   string
	ARN    string
	Region string

	latest atomic.Pointer[Version]
	// reserved is the reserved concurrency, -1 when none.
	reserved atomic.Int64
	inflight atomic.Int64

	mu            sync.Mutex
	versions      map[string]*Version
	lastPublished *Version
	nextVersion   int
	aliases       map[string]*Alias
	policies      map[string][]Statement // by qualifier ("" = unqualified)
	policyRev     map[string]string
	tags          map[string]string
	urls          map[string]*URLConfig // by qualifier
	// invokeConfigs are the event invoke configs, by qualifier ($LATEST
	// for the unqualified function).
	invokeConfigs map[string]*EventInvokeConfig
	// provisioned are the provisioned concurrency configs, by version
	// or alias (store_settings.go).
	provisioned map[string]*ProvisionedConfig
	// runtimeConfigs are the runtime management configs, by version
	// ($LATEST or a number); absent is AWS's default, Auto.
	runtimeConfigs map[string]RuntimeConfig
	// recursiveLoop is Allow or Terminate ("" is AWS's default,
	// Terminate).
	recursiveLoop string
	// codeSigning is the ARN of the function's code signing config, ""
	// when none (store_signing.go).
	codeSigning string
	// scaling are the function scaling configs, by qualifier
	// (store_capacity.go).
	scaling map[string]ScalingConfig
	deleted bool
}

// Latest returns the function's $LATEST version.
func (f *Function) Latest() *Version { return f.latest.Load() }

// Reserved returns the reserved concurrency, or -1.
func (f *Function) Reserved() int { return int(f.reserved.Load()) }

// Acquire takes one concurrent execution slot; false means the function's
// reserved concurrency is exhausted.
func (f *Function) Acquire() bool {
	n := f.inflight.Add(1)
	if r := f.reserved.Load(); r >= 0 && n > r {
		f.inflight.Add(-1)
		return false
	}
	return true
}

// Release returns a slot taken by Acquire.
func (f *Function) Release() { f.inflight.Add(-1) }

// Tags returns a copy of the function's tags.
func (f *Function) Tags() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]string, len(f.tags))
	for k, v := range f.tags {
		out[k] = v
	}
	return out
}

// Store holds every region's functions.
type Store struct {
	account string
	newExec func(f *Function, v *Version) Executor
	newID   func() string

	mu      sync.RWMutex
	regions map[string]map[string]*Function

	urlMu sync.RWMutex
	urls  map[string]*URLConfig // by URL id

	// releaseCode hears of code no version refers to any more.
	releaseCode func(hex string)

	layers       layerStore
	releaseLayer func(hex string)

	// unreservedInflight counts, per region, the invocations running of
	// functions without reserved concurrency.
	unreservedInflight sync.Map // region → *atomic.Int64
	accountLimit       atomic.Int64

	// cscs are the code signing configs, by ARN (store_signing.go).
	cscMu sync.RWMutex
	cscs  map[string]*CodeSigningConfig

	// capacity are the capacity providers (store_capacity.go).
	capacity capacityStore
	// durable are the durable executions (store_durable.go).
	durable durableStore
}

// OnCodeReleased makes the store call f with the code key (CodeHex) of
// code no function version refers to any more, once the last such version
// is replaced or deleted, so the code cache can let it go.
func (s *Store) OnCodeReleased(f func(hex string)) { s.releaseCode = f }

// released tells releaseCode of the codes of vs that nothing uses now.
func (s *Store) released(vs ...*Version) {
	if s.releaseCode == nil {
		return
	}
	for _, v := range vs {
		if hex := v.Config.CodeHex; hex != "" && !s.codeInUse(hex) {
			s.releaseCode(hex)
		}
	}
}

// allFunctions is every region's functions, read under the list's lock
// only: callers then lock each function by itself.
func (s *Store) allFunctions() []*Function {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var all []*Function
	for _, fns := range s.regions {
		for _, f := range fns {
			all = append(all, f)
		}
	}
	return all
}

// codeInUse reports whether a live version of any function runs hex. It
// holds one lock at a time: the function list's, then each function's.
func (s *Store) codeInUse(hex string) bool {
	for _, f := range s.allFunctions() {
		f.mu.Lock()
		used := f.Latest().Config.CodeHex == hex
		for _, v := range f.versions {
			used = used || v.Config.CodeHex == hex
		}
		f.mu.Unlock()
		if used {
			return true
		}
	}
	return false
}

// NewStore returns an empty store; newExec makes the executor of each new
// version.
func NewStore(account string, newID func() string, newExec func(f *Function, v *Version) Executor) *Store {
	return &Store{account: account, newExec: newExec, newID: newID, regions: map[string]map[string]*Function{}, urls: map[string]*URLConfig{},
		cscs: map[string]*CodeSigningConfig{}}
}

// FunctionARN is the unqualified ARN of name.
func (s *Store) FunctionARN(region, name string) string {
	return "arn:aws:lambda:" + region + ":" + s.account + ":function:" + name
}

func (s *Store) notFound(region, name, qualifier string) error {
	arn := s.FunctionARN(region, name)
	if qualifier != "" {
		arn += ":" + qualifier
	}
	return errResourceNotFound.New("Function not found: " + arn)
}

// withLocked finds the function called name and runs fn on it with its
// lock held.
func withLocked[T any](s *Store, region, name string, fn func(f *Function) (T, error)) (T, error) {
	f, err := s.Function(region, name)
	if err != nil {
		var zero T
		return zero, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return fn(f)
}

// Function returns the function called name.
func (s *Store) Function(region, name string) (*Function, error) {
	s.mu.RLock()
	f := s.regions[region][name]
	s.mu.RUnlock()
	if f == nil {
		return nil, s.notFound(region, name, "")
	}
	return f, nil
}

// Create adds a function whose $LATEST is AWS's defaults changed by ch;
// publish also makes version 1.
func (s *Store) Create(region, name string, ch ConfigChange, tags map[string]string, publish bool, now time.Time) (*Version, *Version, error) {
	cfg := Config{Timeout: 3, MemorySize: 128, Architectures: []string{"x86_64"}, TracingMode: "PassThrough",
		Ephemeral: defaultEphemeralBytes, LogFormat: "Text", LogGroup: "/aws/lambda/" + name}
	cfg.apply(&ch)
	if err := cfg.check(); err != nil {
		return nil, nil, err
	}
	cfg.LastModified = now
	s.mu.Lock()
	fns := s.regions[region]
	if fns == nil {
		fns = map[string]*Function{}
		s.regions[region] = fns
	}
	if _, ok := fns[name]; ok {
		s.mu.Unlock()
		return nil, nil, errResourceConflict.New("Function already exist: " + name)
	}
	f := &Function{
		Name: name, ARN: s.FunctionARN(region, name), Region: region,
		versions: map[string]*Version{}, aliases: map[string]*Alias{}, nextVersion: 1,
		policies: map[string][]Statement{}, policyRev: map[string]string{}, tags: map[string]string{},
		urls: map[string]*URLConfig{}, invokeConfigs: map[string]*EventInvokeConfig{},
		provisioned: map[string]*ProvisionedConfig{}, runtimeConfigs: map[string]RuntimeConfig{},
	}
	f.reserved.Store(-1)
	for k, v := range tags {
		f.tags[k] = v
	}
	cfg.RevisionID = s.newID()
	v := &Version{Function: f, Name: LatestVersion, Config: cfg}
	v.Exec = s.newExec(f, v)
	f.latest.Store(v)
	fns[name] = f
	s.mu.Unlock()
	var pub *Version
	if publish {
		f.mu.Lock()
		pub = s.publishLocked(f, cfg.Description)
		f.mu.Unlock()
	}
	return v, pub, nil
}

// List returns the region's functions by name.
func (s *Store) List(region string) []*Function {
	s.mu.RLock()
	out := make([]*Function, 0, len(s.regions[region]))
	for _, f := range s.regions[region] {
		out = append(out, f)
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// FunctionCount returns how many functions exist in every region.
func (s *Store) FunctionCount() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, fns := range s.regions {
		n += len(fns)
	}
	return n
}

// Count returns how many functions exist in region and their code size.
func (s *Store) Count(region string) (n int, codeSize int64) {
	for _, f := range s.List(region) {
		n++
		codeSize += f.Latest().Config.CodeSize
		f.mu.Lock()
		for _, v := range f.versions {
			codeSize += v.Config.CodeSize
		}
		f.mu.Unlock()
	}
	return n, codeSize
}

// Resolve finds the version a qualifier names: "" or $LATEST, a version
// number, or an alias.
func (s *Store) Resolve(region, name, qualifier string) (*Version, *Function, error) {
	f, err := s.Function(region, name)
	if err != nil {
		return nil, nil, s.notFound(region, name, qualifier)
	}
	if qualifier == "" || qualifier == LatestVersion {
		return f.Latest(), f, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if v, ok := f.versions[qualifier]; ok {
		return v, f, nil
	}
	if a, ok := f.aliases[qualifier]; ok {
		if a.FunctionVersion == LatestVersion {
			return f.Latest(), f, nil
		}
		if v, ok := f.versions[a.FunctionVersion]; ok {
			return v, f, nil
		}
	}
	return nil, nil, s.notFound(region, name, qualifier)
}

func checkRevision(have, want string) error {
	if want != "" && want != have {
		return errPreconditionFailed.New("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
	}
	return nil
}

// Update replaces $LATEST with a copy changed by ch (code or
// configuration); the old $LATEST's instances drain. publish also makes a
// version of the result.
func (s *Store) Update(region, name, revisionID string, ch ConfigChange, publish bool, now time.Time) (*Version, *Version, error) {
	f, err := s.Function(region, name)
	if err != nil {
		return nil, nil, err
	}
	f.mu.Lock()
	if f.deleted {
		f.mu.Unlock()
		return nil, nil, s.notFound(region, name, "")
	}
	old := f.Latest()
	if err := checkRevision(old.Config.RevisionID, revisionID); err != nil {
		f.mu.Unlock()
		return nil, nil, err
	}
	cfg := old.Config.clone()
	cfg.apply(&ch)
	if err := cfg.check(); err != nil {
		f.mu.Unlock()
		return nil, nil, err
	}
	cfg.LastModified = now
	cfg.RevisionID = s.newID()
	v := &Version{Function: f, Name: LatestVersion, Config: cfg}
	v.Exec = s.newExec(f, v)
	f.latest.Store(v)
	var pub *Version
	if publish {
		pub = s.publishLocked(f, cfg.Description)
	}
	f.mu.Unlock()
	old.Exec.Retire(false)
	s.released(old)
	return v, pub, nil
}

// Publish makes a version of $LATEST (or returns the last one when
// $LATEST has not changed since).
func (s *Store) Publish(region, name, description, codeSha256, revisionID string) (*Version, error) {
	return withLocked(s, region, name, func(f *Function) (*Version, error) {
		latest := f.Latest()
		if err := checkRevision(latest.Config.RevisionID, revisionID); err != nil {
			return nil, err
		}
		if codeSha256 != "" && codeSha256 != latest.Config.CodeSha256 {
			return nil, errInvalidParameterValue.Errorf("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again.", codeSha256, latest.Config.CodeSha256)
		}
		return s.publishLocked(f, description), nil
	})
}

func (s *Store) publishLocked(f *Function, description string) *Version {
	latest := f.Latest()
	if lp := f.lastPublished; lp != nil && lp.Config.RevisionID == latest.Config.RevisionID {
		return lp
	}
	cfg := latest.Config.clone()
	if description != "" {
		cfg.Description = description
	}
	v := &Version{Function: f, Name: strconv.Itoa(f.nextVersion), Config: cfg}
	f.nextVersion++
	v.Exec = s.newExec(f, v)
	f.versions[v.Name] = v
	// The version keeps $LATEST's revision so an unchanged $LATEST is not
	// published twice.
	f.lastPublished = v
	return v
}

// Versions returns $LATEST followed by the published versions in order.
func (s *Store) Versions(region, name string) ([]*Version, error) {
	return withLocked(s, region, name, func(f *Function) ([]*Version, error) {
		out := []*Version{f.Latest()}
		nums := make([]int, 0, len(f.versions))
		for k := range f.versions {
			n, _ := strconv.Atoi(k)
			nums = append(nums, n)
		}
		sort.Ints(nums)
		for _, n := range nums {
			out = append(out, f.versions[strconv.Itoa(n)])
		}
		return out, nil
	})
}

// Delete removes a function (qualifier "") and kills its instances, or one
// published version.
func (s *Store) Delete(region, name, qualifier string) error {
	f, err := s.Function(region, name)
	if err != nil {
		return err
	}
	if qualifier == LatestVersion {
		return errInvalidParameterValue.New("$LATEST version cannot be deleted without deleting the function.")
	}
	if qualifier != "" {
		f.mu.Lock()
		v, ok := f.versions[qualifier]
		if !ok {
			f.mu.Unlock()
			return s.notFound(region, name, qualifier)
		}
		var users []string
		for _, a := range f.aliases {
			if a.FunctionVersion == qualifier {
				users = append(users, a.Name)
			}
		}
		if len(users) > 0 {
			f.mu.Unlock()
			sort.Strings(users)
			return errResourceConflict.New("Unable to delete version because the following aliases reference it: [" + strings.Join(users, ", ") + "]")
		}
		delete(f.versions, qualifier)
		delete(f.invokeConfigs, qualifier)
		delete(f.provisioned, qualifier)
		delete(f.runtimeConfigs, qualifier)
		if f.lastPublished == v {
			f.lastPublished = nil
		}
		f.mu.Unlock()
		v.Exec.Retire(true)
		s.released(v)
		return nil
	}
	s.mu.Lock()
	if s.regions[region][name] != f {
		s.mu.Unlock()
		return s.notFound(region, name, "")
	}
	delete(s.regions[region], name)
	s.mu.Unlock()
	s.retireFunction(f)
	return nil
}

func (s *Store) retireFunction(f *Function) {
	f.mu.Lock()
	f.deleted = true
	all := []*Version{f.Latest()}
	for _, v := range f.versions {
		all = append(all, v)
	}
	urls := make([]*URLConfig, 0, len(f.urls))
	for _, u := range f.urls {
		urls = append(urls, u)
	}
	f.urls = map[string]*URLConfig{}
	f.mu.Unlock()
	s.forgetURLs(urls...)
	for _, v := range all {
		v.Exec.Retire(true)
	}
	s.released(all...)
}

// Reset deletes everything and kills every instance.
func (s *Store) Reset() {
	s.mu.Lock()
	regions := s.regions
	s.regions = map[string]map[string]*Function{}
	s.mu.Unlock()
	for _, fns := range regions {
		for _, f := range fns {
			s.retireFunction(f)
		}
	}
	s.urlMu.Lock()
	s.urls = map[string]*URLConfig{}
	s.urlMu.Unlock()
	s.cscMu.Lock()
	s.cscs = map[string]*CodeSigningConfig{}
	s.cscMu.Unlock()
	s.capacity.mu.Lock()
	s.capacity.providers = nil
	s.capacity.mu.Unlock()
	s.durable.reset()
	s.resetLayers()
}

// --- concurrency

// SetReserved sets (n ≥ 0) or clears (n < 0) a function's reserved
// concurrency, keeping the account's unreserved pool at its minimum.
func (s *Store) SetReserved(region, fn string, n int) error {
	f, err := s.Function(region, fn)
	if err != nil {
		return err
	}
	if n >= 0 {
		total := n
		s.mu.RLock()
		for _, fns := range s.regions {
			for _, g := range fns {
				if g != f && g.Region == region {
					if r := g.Reserved(); r > 0 {
						total += r
					}
				}
			}
		}
		s.mu.RUnlock()
		if total > maxReservableAccount {
			return errInvalidParameterValue.Errorf("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", minUnreservedAccount)
		}
	}
	f.reserved.Store(int64(n))
	return nil
}

// Unreserved returns the account's unreserved concurrency in region.
func (s *Store) Unreserved(region string) int {
	total := 0
	for _, f := range s.List(region) {
		if r := f.Reserved(); r > 0 {
			total += r
		}
	}
	return s.AccountConcurrency() - total
}

// AccountConcurrency is the account's concurrency limit in each region
// (AWS's default, unless SetAccountConcurrency changed it).
func (s *Store) AccountConcurrency() int {
	if n := s.accountLimit.Load(); n > 0 {
		return int(n)
	}
	return accountConcurrency
}

// SetAccountConcurrency changes the account's limit (tests turn it down).
func (s *Store) SetAccountConcurrency(n int) { s.accountLimit.Store(int64(n)) }

// AcquireUnreserved takes one of the region's unreserved execution slots
// for a function with no reserved concurrency; false means the account's
// unreserved concurrency is exhausted (AWS answers 429).
func (s *Store) AcquireUnreserved(region string) bool {
	v, _ := s.unreservedInflight.LoadOrStore(region, new(atomic.Int64))
	c := v.(*atomic.Int64)
	n := c.Add(1)
	// At least minUnreservedAccount slots are never reserved: only past
	// them is the exact limit (a walk over the functions) worth computing.
	if n <= int64(min(minUnreservedAccount, s.AccountConcurrency())) || n <= int64(s.Unreserved(region)) {
		return true
	}
	c.Add(-1)
	return false
}

// ReleaseUnreserved returns a slot AcquireUnreserved took.
func (s *Store) ReleaseUnreserved(region string) {
	if v, ok := s.unreservedInflight.Load(region); ok {
		v.(*atomic.Int64).Add(-1)
	}
}

// --- tags

// Tag adds tags to a function and removes the tags called untag.
func (s *Store) Tag(region, fn string, tags map[string]string, untag []string) error {
	_, err := withLocked(s, region, fn, func(f *Function) (struct{}, error) {
		for k, v := range tags {
			f.tags[k] = v
		}
		for _, k := range untag {
			delete(f.tags, k)
		}
		return struct{}{}, nil
	})
	return err
}
