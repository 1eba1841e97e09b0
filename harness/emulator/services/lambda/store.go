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
	LastModified  time.Time
	RevisionID    string
	LogGroup      string
	LogFormat     string
	TracingMode   string
	Ephemeral     int // MB
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

// Alias names a version.
type Alias struct {
	Name            string
	FunctionVersion string
	Description     string
	Routing         map[string]float64
	RevisionID      string
	ARN             string
}

// Statement is one resource policy statement, kept as the JSON AWS shows.
type Statement struct {
	Sid  string
	JSON string
}

// URLConfig is a function URL.
type URLConfig struct {
	ID         string // 32 lowercase characters, the host's first label
	Region     string
	Function   string
	Qualifier  string // "" (unqualified, $LATEST) or an alias
	AuthType   string
	Cors       *Cors
	InvokeMode string
	Created    time.Time
	Modified   time.Time
}

// Cors is a function URL's CORS configuration.
type Cors struct {
	AllowCredentials bool     `json:"AllowCredentials,omitempty"`
	AllowHeaders     []string `json:"AllowHeaders,omitempty"`
	AllowMethods     []string `json:"AllowMethods,omitempty"`
	AllowOrigins     []string `json:"AllowOrigins,omitempty"`
	ExposeHeaders    []string `json:"ExposeHeaders,omitempty"`
	MaxAge           int      `json:"MaxAge,omitempty"`
}

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
	deleted       bool
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
}

// NewStore returns an empty store; newExec makes the executor of each new
// version.
func NewStore(account string, newID func() string, newExec func(f *Function, v *Version) Executor) *Store {
	return &Store{account: account, newExec: newExec, newID: newID, regions: map[string]map[string]*Function{}, urls: map[string]*URLConfig{}}
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

// Create adds a function with cfg as its $LATEST; publish also makes
// version 1.
func (s *Store) Create(region, name string, cfg Config, tags map[string]string, publish bool) (*Version, *Version, error) {
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
		urls: map[string]*URLConfig{},
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

// Count returns how many functions exist (all regions) and their code size.
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

// Update replaces $LATEST with a copy changed by change (code or
// configuration); the old $LATEST's instances drain. publish also makes a
// version of the result.
func (s *Store) Update(region, name, revisionID string, publish bool, change func(*Config) error) (*Version, *Version, error) {
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
	if err := change(&cfg); err != nil {
		f.mu.Unlock()
		return nil, nil, err
	}
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
	return v, pub, nil
}

// Publish makes a version of $LATEST (or returns the last one when
// $LATEST has not changed since).
func (s *Store) Publish(region, name, description, codeSha256, revisionID string) (*Version, error) {
	f, err := s.Function(region, name)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	latest := f.Latest()
	if err := checkRevision(latest.Config.RevisionID, revisionID); err != nil {
		return nil, err
	}
	if codeSha256 != "" && codeSha256 != latest.Config.CodeSha256 {
		return nil, errInvalidParameterValue.Errorf("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again.", codeSha256, latest.Config.CodeSha256)
	}
	return s.publishLocked(f, description), nil
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
	f, err := s.Function(region, name)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
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
		if f.lastPublished == v {
			f.lastPublished = nil
		}
		f.mu.Unlock()
		v.Exec.Retire(true)
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
	execs := []Executor{f.Latest().Exec}
	for _, v := range f.versions {
		execs = append(execs, v.Exec)
	}
	urls := f.urls
	f.urls = map[string]*URLConfig{}
	f.mu.Unlock()
	s.urlMu.Lock()
	for _, u := range urls {
		delete(s.urls, u.ID)
	}
	s.urlMu.Unlock()
	for _, e := range execs {
		e.Retire(true)
	}
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
}

// --- aliases

func (s *Store) aliasARN(f *Function, name string) string { return f.ARN + ":" + name }

func (s *Store) checkVersionLocked(f *Function, version string) error {
	if version == LatestVersion {
		return nil
	}
	if _, ok := f.versions[version]; !ok {
		return errResourceNotFound.New("Function not found: " + f.ARN + ":" + version)
	}
	return nil
}

// CreateAlias names a version.
func (s *Store) CreateAlias(region, fn string, a Alias) (Alias, error) {
	f, err := s.Function(region, fn)
	if err != nil {
		return Alias{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.aliases[a.Name]; ok {
		return Alias{}, errResourceConflict.New("Alias already exists: " + s.aliasARN(f, a.Name))
	}
	if err := s.checkVersionLocked(f, a.FunctionVersion); err != nil {
		return Alias{}, err
	}
	a.ARN = s.aliasARN(f, a.Name)
	a.RevisionID = s.newID()
	f.aliases[a.Name] = &a
	return a, nil
}

// Alias returns one alias.
func (s *Store) Alias(region, fn, name string) (Alias, error) {
	f, err := s.Function(region, fn)
	if err != nil {
		return Alias{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.aliases[name]
	if !ok {
		return Alias{}, errResourceNotFound.New("Alias not found: " + s.aliasARN(f, name))
	}
	return *a, nil
}

// Aliases lists aliases by name, optionally only those of one version.
func (s *Store) Aliases(region, fn, version string) ([]Alias, error) {
	f, err := s.Function(region, fn)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Alias, 0, len(f.aliases))
	for _, a := range f.aliases {
		if version == "" || a.FunctionVersion == version {
			out = append(out, *a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// UpdateAlias changes an alias; nil fields stay.
func (s *Store) UpdateAlias(region, fn, name string, version, description *string, routing map[string]float64, revisionID string) (Alias, error) {
	f, err := s.Function(region, fn)
	if err != nil {
		return Alias{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.aliases[name]
	if !ok {
		return Alias{}, errResourceNotFound.New("Alias not found: " + s.aliasARN(f, name))
	}
	if err := checkRevision(a.RevisionID, revisionID); err != nil {
		return Alias{}, err
	}
	if version != nil {
		if err := s.checkVersionLocked(f, *version); err != nil {
			return Alias{}, err
		}
		a.FunctionVersion = *version
	}
	if description != nil {
		a.Description = *description
	}
	if routing != nil {
		a.Routing = routing
	}
	a.RevisionID = s.newID()
	return *a, nil
}

// DeleteAlias removes an alias (and its function URL).
func (s *Store) DeleteAlias(region, fn, name string) error {
	f, err := s.Function(region, fn)
	if err != nil {
		return err
	}
	f.mu.Lock()
	delete(f.aliases, name)
	u := f.urls[name]
	delete(f.urls, name)
	f.mu.Unlock()
	if u != nil {
		s.urlMu.Lock()
		delete(s.urls, u.ID)
		s.urlMu.Unlock()
	}
	return nil
}

// --- resource policy

// qualifierExistsLocked reports whether qualifier names something of f.
func (s *Store) qualifierExistsLocked(f *Function, q string) bool {
	if q == "" || q == LatestVersion {
		return true
	}
	if _, ok := f.versions[q]; ok {
		return true
	}
	_, ok := f.aliases[q]
	return ok
}

// AddStatement adds a policy statement built by build (which gets the
// resource ARN).
func (s *Store) AddStatement(region, fn, qualifier, sid, revisionID string, build func(resource string) string) (string, error) {
	f, err := s.Function(region, fn)
	if err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !s.qualifierExistsLocked(f, qualifier) {
		return "", s.notFound(region, fn, qualifier)
	}
	if rev := f.policyRev[qualifier]; revisionID != "" && rev != "" && rev != revisionID {
		return "", checkRevision(rev, revisionID)
	}
	for _, st := range f.policies[qualifier] {
		if st.Sid == sid {
			return "", errResourceConflict.Errorf("The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", sid)
		}
	}
	resource := f.ARN
	if qualifier != "" {
		resource += ":" + qualifier
	}
	js := build(resource)
	f.policies[qualifier] = append(f.policies[qualifier], Statement{Sid: sid, JSON: js})
	f.policyRev[qualifier] = s.newID()
	return js, nil
}

// Policy returns the statements of a qualifier's policy and its revision.
func (s *Store) Policy(region, fn, qualifier string) ([]Statement, string, error) {
	f, err := s.Function(region, fn)
	if err != nil {
		return nil, "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !s.qualifierExistsLocked(f, qualifier) {
		return nil, "", s.notFound(region, fn, qualifier)
	}
	st := f.policies[qualifier]
	if len(st) == 0 {
		return nil, "", errResourceNotFound.New(msgNoSuchResource)
	}
	return append([]Statement(nil), st...), f.policyRev[qualifier], nil
}

// RemoveStatement deletes a statement by id.
func (s *Store) RemoveStatement(region, fn, qualifier, sid, revisionID string) error {
	f, err := s.Function(region, fn)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !s.qualifierExistsLocked(f, qualifier) {
		return s.notFound(region, fn, qualifier)
	}
	if rev := f.policyRev[qualifier]; revisionID != "" && rev != revisionID {
		return checkRevision(rev, revisionID)
	}
	st := f.policies[qualifier]
	for i, x := range st {
		if x.Sid == sid {
			f.policies[qualifier] = append(st[:i:i], st[i+1:]...)
			f.policyRev[qualifier] = s.newID()
			return nil
		}
	}
	return errResourceNotFound.Errorf("Statement %s is not found in resource policy.", sid)
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
	return accountConcurrency - total
}

// --- tags

// Tag adds tags to a function.
func (s *Store) Tag(region, fn string, tags map[string]string) error {
	f, err := s.Function(region, fn)
	if err != nil {
		return err
	}
	f.mu.Lock()
	for k, v := range tags {
		f.tags[k] = v
	}
	f.mu.Unlock()
	return nil
}

// Untag removes tags from a function.
func (s *Store) Untag(region, fn string, keys []string) error {
	f, err := s.Function(region, fn)
	if err != nil {
		return err
	}
	f.mu.Lock()
	for _, k := range keys {
		delete(f.tags, k)
	}
	f.mu.Unlock()
	return nil
}

// --- function URLs

// CreateURL adds a function URL for qualifier ("" or an alias).
func (s *Store) CreateURL(region, fn, qualifier string, u URLConfig) (URLConfig, error) {
	f, err := s.Function(region, fn)
	if err != nil {
		return URLConfig{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !s.urlQualifierOKLocked(f, qualifier) {
		return URLConfig{}, s.notFound(region, fn, qualifier)
	}
	if _, ok := f.urls[qualifier]; ok {
		arn := f.ARN
		if qualifier != "" {
			arn += ":" + qualifier
		}
		return URLConfig{}, errResourceConflict.Errorf("Failed to create function url config for [functionArn = %s]. Error message:  FunctionUrlConfig exists for this Lambda function", arn)
	}
	u.Region, u.Function, u.Qualifier = region, fn, qualifier
	u.Modified = u.Created
	f.urls[qualifier] = &u
	s.urlMu.Lock()
	s.urls[u.ID] = &u
	s.urlMu.Unlock()
	return u, nil
}

func (s *Store) urlQualifierOKLocked(f *Function, q string) bool {
	if q == "" {
		return true
	}
	_, ok := f.aliases[q]
	return ok
}

// URL returns the function URL of qualifier.
func (s *Store) URL(region, fn, qualifier string) (URLConfig, error) {
	f, err := s.Function(region, fn)
	if err != nil {
		return URLConfig{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.urls[qualifier]
	if !ok {
		return URLConfig{}, errResourceNotFound.New(msgNoSuchResource)
	}
	return *u, nil
}

// URLs lists a function's URLs.
func (s *Store) URLs(region, fn string) ([]URLConfig, error) {
	f, err := s.Function(region, fn)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]URLConfig, 0, len(f.urls))
	for _, u := range f.urls {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Qualifier < out[j].Qualifier })
	return out, nil
}

// UpdateURL changes a function URL; change edits a copy.
func (s *Store) UpdateURL(region, fn, qualifier string, now time.Time, change func(*URLConfig)) (URLConfig, error) {
	f, err := s.Function(region, fn)
	if err != nil {
		return URLConfig{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.urls[qualifier]
	if !ok {
		return URLConfig{}, errResourceNotFound.New(msgNoSuchResource)
	}
	c := *u
	change(&c)
	c.Modified = now
	f.urls[qualifier] = &c
	s.urlMu.Lock()
	s.urls[c.ID] = &c
	s.urlMu.Unlock()
	return c, nil
}

// DeleteURL removes a function URL.
func (s *Store) DeleteURL(region, fn, qualifier string) error {
	f, err := s.Function(region, fn)
	if err != nil {
		return err
	}
	f.mu.Lock()
	u, ok := f.urls[qualifier]
	delete(f.urls, qualifier)
	f.mu.Unlock()
	if !ok {
		return errResourceNotFound.New(msgNoSuchResource)
	}
	s.urlMu.Lock()
	delete(s.urls, u.ID)
	s.urlMu.Unlock()
	return nil
}

// URLByID finds a function URL by its id (the host's first label).
func (s *Store) URLByID(id string) (URLConfig, bool) {
	s.urlMu.RLock()
	defer s.urlMu.RUnlock()
	u, ok := s.urls[id]
	if !ok {
		return URLConfig{}, false
	}
	return *u, true
}
