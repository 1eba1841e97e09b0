package apigateway

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/services/execapi"
)

// API keys and usage plans are regional resources of the account, not of
// one API: a plan binds keys to API stages, with a throttle (token bucket
// per key) and a quota (requests per day, week or month per key).

// APIKey is one API key.
type APIKey struct {
	Region      string
	ID          string
	Value       string
	Name        string
	Description string
	CustomerID  string
	Enabled     bool
	StageKeys   []string // "restApiId/stage", the pre-usage-plan binding
	Tags        map[string]string
	Created     time.Time
	Updated     time.Time

	plans map[string]*UsagePlan // the plans the key is in, by plan id
}

// Throttle is a usage plan's (or an API stage's method's) rate limit.
type Throttle struct {
	RateLimit  float64 // requests per second, refilled continuously
	BurstLimit int     // the bucket's capacity
}

// Quota is a usage plan's request allowance per period.
type Quota struct {
	Limit  int
	Offset int    // requests already counted in the first period
	Period string // DAY, WEEK, MONTH
}

// PlanStage binds a usage plan to an API stage, with per-method throttles
// keyed "/resource/path/METHOD".
type PlanStage struct {
	APIID    string
	Stage    string
	Throttle map[string]Throttle
}

func (p PlanStage) key() string { return p.APIID + ":" + p.Stage }

// UsagePlan is one usage plan.
type UsagePlan struct {
	Region      string
	ID          string
	Name        string
	Description string
	ProductCode string
	Stages      []PlanStage
	Throttle    *Throttle
	Quota       *Quota
	Tags        map[string]string
	Created     time.Time

	keys map[string]*meter // the plan's keys and what they used, by key id
}

// meter is one key's consumption under one plan: its token bucket and its
// quota period. It has its own lock so invocations of different keys never
// wait on each other.
type meter struct {
	mu      sync.Mutex
	tokens  float64
	last    time.Time // of the last refill; zero before the first request
	period  time.Time // start of the quota period counted in used
	used    int
	started bool           // the first period (the one Offset counts in) has begun
	daily   map[string]int // requests served per UTC day ("2006-01-02"), for GetUsage
	day     time.Time      // the UTC day dayKey names
	dayKey  string
}

// maxUsageDays bounds the days of history a meter keeps for GetUsage.
const maxUsageDays = 100

// keyring holds the account's API keys and usage plans.
type keyring struct {
	mu      sync.RWMutex
	keys    map[string]*APIKey // by id
	byValue map[string]*APIKey
	plans   map[string]*UsagePlan
}

func newKeyring() keyring {
	return keyring{keys: map[string]*APIKey{}, byValue: map[string]*APIKey{}, plans: map[string]*UsagePlan{}}
}

var (
	errAPIKeyNotFound    = ErrNotFound.New("Invalid API Key identifier specified")
	errUsagePlanNotFound = ErrNotFound.New("Invalid Usage Plan ID specified")
)

// NewAPIKey holds what CreateApiKey takes.
type NewAPIKey struct {
	Name, Description, Value, CustomerID string
	Enabled                              bool
	StageKeys                            []string
	Tags                                 map[string]string
}

// keyValue is a generated key value: 40 letters and digits.
func (s *Store) keyValue() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, 0, 40)
	for len(out) < 40 {
		src := strings.ReplaceAll(s.newID(), "-", "")
		for i := 0; i+1 < len(src) && len(out) < 40; i += 2 {
			out = append(out, alphabet[int(execapi.Unhex(src[i])<<4|execapi.Unhex(src[i+1]))%len(alphabet)])
		}
	}
	return string(out)
}

// CreateAPIKey creates a key; its value is generated unless given.
func (s *Store) CreateAPIKey(region string, in NewAPIKey) (APIKey, error) {
	if in.Value != "" && len(in.Value) < 20 {
		return APIKey{}, ErrBadRequest.New("API Key value should be at least 20 characters")
	}
	for _, sk := range in.StageKeys {
		if err := s.checkStageKey(sk); err != nil {
			return APIKey{}, err
		}
	}
	now := s.now()
	k := &APIKey{
		Region: region, Name: in.Name, Description: in.Description, CustomerID: in.CustomerID, Enabled: in.Enabled,
		StageKeys: slices.Clone(in.StageKeys), Tags: maps.Clone(in.Tags), Created: now, Updated: now,
		Value: in.Value, plans: map[string]*UsagePlan{},
	}
	if k.Value == "" {
		k.Value = s.keyValue()
	}
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	if s.keys.byValue[k.Value] != nil {
		return APIKey{}, ErrConflict.New("API Key already exists")
	}
	for {
		k.ID = s.shortID(10)
		if s.keys.keys[k.ID] == nil {
			break
		}
	}
	s.keys.keys[k.ID] = k
	s.keys.byValue[k.Value] = k
	return k.copy(), nil
}

// KeyCounts is the number of API keys and usage plans of every region.
func (s *Store) KeyCounts() (keys, plans int) {
	s.keys.mu.RLock()
	defer s.keys.mu.RUnlock()
	return len(s.keys.keys), len(s.keys.plans)
}

// checkStageKey checks a "restApiId/stage" names a stage.
func (s *Store) checkStageKey(sk string) error {
	id, stage, ok := strings.Cut(sk, "/")
	if !ok {
		return ErrBadRequest.New("Invalid stage key specified: " + sk)
	}
	return s.Read(id, func(a *API) error {
		_, err := a.Stage(stage)
		return err
	})
}

// APIKey returns a copy of key id (its plans left out).
func (s *Store) APIKey(id string) (APIKey, error) {
	s.keys.mu.RLock()
	defer s.keys.mu.RUnlock()
	k := s.keys.keys[id]
	if k == nil {
		return APIKey{}, errAPIKeyNotFound
	}
	return k.copy(), nil
}

func (k *APIKey) copy() APIKey {
	c := *k
	c.StageKeys = slices.Clone(k.StageKeys)
	c.Tags = maps.Clone(k.Tags)
	c.plans = nil
	return c
}

// APIKeys lists a region's keys by name then id, those whose name starts
// with nameQuery and of customerID when given.
func (s *Store) APIKeys(region, nameQuery, customerID string) []APIKey {
	s.keys.mu.RLock()
	out := make([]APIKey, 0, len(s.keys.keys))
	for _, k := range s.keys.keys {
		if k.Region == region && strings.HasPrefix(k.Name, nameQuery) && (customerID == "" || k.CustomerID == customerID) {
			out = append(out, k.copy())
		}
	}
	s.keys.mu.RUnlock()
	sortByNameThenID(out, func(k APIKey) (string, string) { return k.Name, k.ID })
	return out
}

// PatchAPIKey applies UpdateApiKey's operations, all or none.
func (s *Store) PatchAPIKey(id string, ops []PatchOp) (APIKey, error) {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	k := s.keys.keys[id]
	if k == nil {
		return APIKey{}, errAPIKeyNotFound
	}
	next := k.copy()
	for _, op := range ops {
		if err := s.patchAPIKey(&next, op); err != nil {
			return APIKey{}, err
		}
	}
	next.Updated = s.now()
	next.plans = k.plans
	*k = next
	return k.copy(), nil
}

func (s *Store) patchAPIKey(k *APIKey, op PatchOp) error {
	if op.Path == "/stages" {
		if op.Op == "add" {
			if err := s.checkStageKey(op.Value); err != nil {
				return err
			}
		}
		return patchSet(&k.StageKeys, op.Value, op, "add")
	}
	if op.Op != "replace" {
		return badPatch(op)
	}
	switch op.Path {
	case "/name":
		k.Name = op.Value
	case "/description":
		k.Description = op.Value
	case "/customerId":
		k.CustomerID = op.Value
	case "/enabled":
		b, err := parseBool(op)
		if err != nil {
			return err
		}
		k.Enabled = b
	default:
		return badPatch(op)
	}
	return nil
}

// DeleteAPIKey deletes a key and takes it out of its plans.
func (s *Store) DeleteAPIKey(id string) error {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	k := s.keys.keys[id]
	if k == nil {
		return errAPIKeyNotFound
	}
	for _, p := range k.plans {
		delete(p.keys, id)
	}
	delete(s.keys.keys, id)
	delete(s.keys.byValue, k.Value)
	return nil
}

// NewUsagePlan holds what CreateUsagePlan takes.
type NewUsagePlan struct {
	Name, Description string
	Stages            []PlanStage
	Throttle          *Throttle
	Quota             *Quota
	Tags              map[string]string
}

var quotaPeriods = []string{"DAY", "WEEK", "MONTH"}

func checkQuota(q *Quota) error {
	if q == nil {
		return nil
	}
	if !slices.Contains(quotaPeriods, q.Period) {
		return ErrBadRequest.New("Invalid quota period specified. Valid options are DAY,WEEK,MONTH")
	}
	if q.Limit < 0 {
		return ErrBadRequest.New("Quota limit must be a non-negative integer")
	}
	if q.Offset < 0 || (q.Limit > 0 && q.Offset >= q.Limit) {
		return ErrBadRequest.New("Quota offset must be a non-negative integer smaller than the quota limit")
	}
	return nil
}

func checkThrottle(t *Throttle) error {
	if t == nil {
		return nil
	}
	if t.RateLimit < 0 || math.IsNaN(t.RateLimit) || math.IsInf(t.RateLimit, 0) || t.BurstLimit < 0 {
		return ErrBadRequest.New("Throttle rate and burst limits must be non-negative")
	}
	return nil
}

// checkPlanStages checks each API stage exists and is named once.
func (s *Store) checkPlanStages(stages []PlanStage) error {
	seen := map[string]bool{}
	for _, ps := range stages {
		if seen[ps.key()] {
			return ErrBadRequest.New("Duplicate API stage " + ps.key() + " in usage plan")
		}
		seen[ps.key()] = true
		err := s.Read(ps.APIID, func(a *API) error {
			_, err := a.Stage(ps.Stage)
			return err
		})
		if err != nil {
			return err
		}
		for _, t := range ps.Throttle {
			if err := checkThrottle(&t); err != nil {
				return err
			}
		}
	}
	return nil
}

// CreateUsagePlan creates a plan.
func (s *Store) CreateUsagePlan(region string, in NewUsagePlan) (UsagePlan, error) {
	if in.Name == "" {
		return UsagePlan{}, ErrBadRequest.New("Usage Plan name must be non-empty")
	}
	if err := checkQuota(in.Quota); err != nil {
		return UsagePlan{}, err
	}
	if err := checkThrottle(in.Throttle); err != nil {
		return UsagePlan{}, err
	}
	if err := s.checkPlanStages(in.Stages); err != nil {
		return UsagePlan{}, err
	}
	p := &UsagePlan{
		Region: region, Name: in.Name, Description: in.Description, Stages: clonePlanStages(in.Stages),
		Throttle: clonePtr(in.Throttle), Quota: clonePtr(in.Quota), Tags: maps.Clone(in.Tags), Created: s.now(),
		keys: map[string]*meter{},
	}
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	for {
		p.ID = s.shortID(6)
		if s.keys.plans[p.ID] == nil {
			break
		}
	}
	s.keys.plans[p.ID] = p
	return p.copy(), nil
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

func clonePlanStages(in []PlanStage) []PlanStage {
	out := slices.Clone(in)
	for i := range out {
		out[i].Throttle = maps.Clone(out[i].Throttle)
	}
	return out
}

func (p *UsagePlan) copy() UsagePlan {
	c := *p
	c.Stages = clonePlanStages(p.Stages)
	c.Throttle, c.Quota = clonePtr(p.Throttle), clonePtr(p.Quota)
	c.Tags = maps.Clone(p.Tags)
	c.keys = nil
	return c
}

// UsagePlan returns a copy of plan id.
func (s *Store) UsagePlan(id string) (UsagePlan, error) {
	s.keys.mu.RLock()
	defer s.keys.mu.RUnlock()
	p := s.keys.plans[id]
	if p == nil {
		return UsagePlan{}, errUsagePlanNotFound
	}
	return p.copy(), nil
}

// UsagePlans lists a region's plans by name then id, those holding keyID
// when given.
func (s *Store) UsagePlans(region, keyID string) []UsagePlan {
	s.keys.mu.RLock()
	out := make([]UsagePlan, 0, len(s.keys.plans))
	for _, p := range s.keys.plans {
		if p.Region != region {
			continue
		}
		if _, ok := p.keys[keyID]; keyID != "" && !ok {
			continue
		}
		out = append(out, p.copy())
	}
	s.keys.mu.RUnlock()
	sortByNameThenID(out, func(p UsagePlan) (string, string) { return p.Name, p.ID })
	return out
}

// PatchUsagePlan applies UpdateUsagePlan's operations, all or none.
func (s *Store) PatchUsagePlan(id string, ops []PatchOp) (UsagePlan, error) {
	s.keys.mu.RLock()
	p := s.keys.plans[id]
	var next UsagePlan
	if p != nil {
		next = p.copy()
	}
	s.keys.mu.RUnlock()
	if p == nil {
		return UsagePlan{}, errUsagePlanNotFound
	}
	var added []PlanStage
	for _, op := range ops {
		a, err := patchUsagePlan(&next, op)
		if err != nil {
			return UsagePlan{}, err
		}
		added = append(added, a...)
	}
	if err := checkQuota(next.Quota); err != nil {
		return UsagePlan{}, err
	}
	if err := checkThrottle(next.Throttle); err != nil {
		return UsagePlan{}, err
	}
	if err := s.checkPlanStages(next.Stages); err != nil {
		return UsagePlan{}, err
	}
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	if s.keys.plans[id] != p {
		return UsagePlan{}, errUsagePlanNotFound
	}
	for _, ps := range added {
		if err := s.stageConflict(p, ps.key(), p.keys); err != nil {
			return UsagePlan{}, err
		}
	}
	next.keys = p.keys
	quotaChanged := !equalQuota(p.Quota, next.Quota)
	*p = next
	if quotaChanged {
		for _, m := range p.keys {
			m.mu.Lock()
			m.used, m.started = 0, false
			m.mu.Unlock()
		}
	}
	return p.copy(), nil
}

func equalQuota(a, b *Quota) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// patchUsagePlan applies one operation to a plan's copy; it returns the
// API stages the operation added.
func patchUsagePlan(p *UsagePlan, op PatchOp) ([]PlanStage, error) {
	switch {
	case op.Path == "/apiStages":
		apiID, stage, ok := strings.Cut(op.Value, ":")
		if !ok || apiID == "" || stage == "" {
			return nil, ErrBadRequest.New("Invalid API stage specified: " + op.Value)
		}
		switch op.Op {
		case "add":
			ps := PlanStage{APIID: apiID, Stage: stage}
			for _, x := range p.Stages {
				if x.key() == ps.key() {
					return nil, ErrConflict.New("Usage Plan " + p.ID + " already contains API stage " + ps.key())
				}
			}
			p.Stages = append(p.Stages, ps)
			return []PlanStage{ps}, nil
		case "remove":
			n := len(p.Stages)
			p.Stages = slices.DeleteFunc(p.Stages, func(x PlanStage) bool { return x.key() == op.Value })
			if len(p.Stages) == n {
				return nil, ErrNotFound.New("Invalid API stage specified: " + op.Value)
			}
			return nil, nil
		}
		return nil, badPatch(op)
	case strings.HasPrefix(op.Path, "/apiStages/"):
		// /apiStages/{apiId:stage}/throttle/{resourcePath/METHOD}/{rateLimit|burstLimit}
		// or /apiStages/{apiId:stage}/throttle/{resourcePath/METHOD} (remove)
		rest := strings.TrimPrefix(op.Path, "/apiStages/")
		stageKey, rest, ok := strings.Cut(rest, "/throttle")
		if !ok {
			return nil, badPatch(op)
		}
		i := slices.IndexFunc(p.Stages, func(x PlanStage) bool { return x.key() == stageKey })
		if i < 0 {
			return nil, ErrNotFound.New("Invalid API stage specified: " + stageKey)
		}
		ps := &p.Stages[i]
		rest = unescapePointer(strings.TrimPrefix(rest, "/"))
		if op.Op == "remove" {
			if rest == "" {
				ps.Throttle = nil
			} else {
				delete(ps.Throttle, rest)
			}
			return nil, nil
		}
		j := strings.LastIndexByte(rest, '/')
		if j < 0 || (op.Op != "replace" && op.Op != "add") {
			return nil, badPatch(op)
		}
		method, field := rest[:j], rest[j+1:]
		if ps.Throttle == nil {
			ps.Throttle = map[string]Throttle{}
		}
		t := ps.Throttle[method]
		if err := setThrottleField(&t, field, op); err != nil {
			return nil, err
		}
		ps.Throttle[method] = t
		return nil, nil
	case op.Path == "/throttle" && op.Op == "remove":
		p.Throttle = nil
	case op.Path == "/quota" && op.Op == "remove":
		p.Quota = nil
	case strings.HasPrefix(op.Path, "/throttle/"):
		if op.Op != "replace" && op.Op != "add" {
			return nil, badPatch(op)
		}
		if p.Throttle == nil {
			p.Throttle = &Throttle{}
		}
		return nil, setThrottleField(p.Throttle, strings.TrimPrefix(op.Path, "/throttle/"), op)
	case strings.HasPrefix(op.Path, "/quota/"):
		if op.Op != "replace" && op.Op != "add" {
			return nil, badPatch(op)
		}
		if p.Quota == nil {
			p.Quota = &Quota{Period: "DAY"}
		}
		switch strings.TrimPrefix(op.Path, "/quota/") {
		case "period":
			p.Quota.Period = op.Value
		case "limit", "offset":
			n, err := strconv.Atoi(op.Value)
			if err != nil {
				return nil, ErrBadRequest.Errorf("Invalid value '%s' for path %s", op.Value, op.Path)
			}
			if strings.HasSuffix(op.Path, "limit") {
				p.Quota.Limit = n
			} else {
				p.Quota.Offset = n
			}
		default:
			return nil, badPatch(op)
		}
	default:
		if op.Op != "replace" {
			return nil, badPatch(op)
		}
		switch op.Path {
		case "/name":
			if op.Value == "" {
				return nil, ErrBadRequest.New("Usage Plan name must be non-empty")
			}
			p.Name = op.Value
		case "/description":
			p.Description = op.Value
		case "/productCode":
			p.ProductCode = op.Value
		default:
			return nil, badPatch(op)
		}
	}
	return nil, nil
}

func setThrottleField(t *Throttle, field string, op PatchOp) error {
	switch field {
	case "rateLimit":
		f, err := strconv.ParseFloat(op.Value, 64)
		if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			return ErrBadRequest.Errorf("Invalid value '%s' for path %s", op.Value, op.Path)
		}
		t.RateLimit = f
	case "burstLimit":
		n, err := strconv.Atoi(op.Value)
		if err != nil || n < 0 {
			return ErrBadRequest.Errorf("Invalid value '%s' for path %s", op.Value, op.Path)
		}
		t.BurstLimit = n
	default:
		return badPatch(op)
	}
	return nil
}

// DeleteUsagePlan deletes a plan; its keys leave it.
func (s *Store) DeleteUsagePlan(id string) error {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	p := s.keys.plans[id]
	if p == nil {
		return errUsagePlanNotFound
	}
	for kid := range p.keys {
		if k := s.keys.keys[kid]; k != nil {
			delete(k.plans, id)
		}
	}
	delete(s.keys.plans, id)
	return nil
}

// stageConflict refuses a key in two plans that share an API stage, as
// API Gateway does (the key's usage would be counted twice).
func (s *Store) stageConflict(p *UsagePlan, stageKey string, keys map[string]*meter) error {
	for kid := range keys {
		k := s.keys.keys[kid]
		if k == nil {
			continue
		}
		for _, other := range k.plans {
			if other == p {
				continue
			}
			for _, ps := range other.Stages {
				if ps.key() == stageKey {
					return ErrConflict.Errorf("Usage Plan %s cannot be added because API Key %s cannot reference multiple Usage Plans with the same API Stage: %s", p.ID, kid, stageKey)
				}
			}
		}
	}
	return nil
}

// AddPlanKey puts key keyID in plan planID.
func (s *Store) AddPlanKey(planID, keyID, keyType string) (APIKey, error) {
	if keyType != "API_KEY" {
		return APIKey{}, ErrBadRequest.New("Invalid key type specified. Valid options are API_KEY")
	}
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	p := s.keys.plans[planID]
	if p == nil {
		return APIKey{}, errUsagePlanNotFound
	}
	k := s.keys.keys[keyID]
	if k == nil {
		return APIKey{}, errAPIKeyNotFound
	}
	if _, ok := p.keys[keyID]; ok {
		return APIKey{}, ErrConflict.New("Usage Plan Key already exists")
	}
	for _, ps := range p.Stages {
		if err := s.stageConflict(p, ps.key(), map[string]*meter{keyID: nil}); err != nil {
			return APIKey{}, err
		}
	}
	p.keys[keyID] = &meter{}
	k.plans[planID] = p
	return k.copy(), nil
}

// PlanKeys lists a plan's keys by name then id, those whose name starts
// with nameQuery.
func (s *Store) PlanKeys(planID, nameQuery string) ([]APIKey, error) {
	s.keys.mu.RLock()
	defer s.keys.mu.RUnlock()
	p := s.keys.plans[planID]
	if p == nil {
		return nil, errUsagePlanNotFound
	}
	out := make([]APIKey, 0, len(p.keys))
	for kid := range p.keys {
		if k := s.keys.keys[kid]; k != nil && strings.HasPrefix(k.Name, nameQuery) {
			out = append(out, k.copy())
		}
	}
	sortByNameThenID(out, func(k APIKey) (string, string) { return k.Name, k.ID })
	return out, nil
}

// PlanKey returns key keyID of plan planID.
func (s *Store) PlanKey(planID, keyID string) (APIKey, error) {
	s.keys.mu.RLock()
	defer s.keys.mu.RUnlock()
	p := s.keys.plans[planID]
	if p == nil {
		return APIKey{}, errUsagePlanNotFound
	}
	k := s.keys.keys[keyID]
	if _, ok := p.keys[keyID]; !ok || k == nil {
		return APIKey{}, ErrNotFound.New("Invalid Usage Plan Key identifier specified")
	}
	return k.copy(), nil
}

// DeletePlanKey takes key keyID out of plan planID.
func (s *Store) DeletePlanKey(planID, keyID string) error {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	p := s.keys.plans[planID]
	if p == nil {
		return errUsagePlanNotFound
	}
	if _, ok := p.keys[keyID]; !ok {
		return ErrNotFound.New("Invalid Usage Plan Key identifier specified")
	}
	delete(p.keys, keyID)
	if k := s.keys.keys[keyID]; k != nil {
		delete(k.plans, planID)
	}
	return nil
}

// Usage is GetUsage's answer: per key, [used, remaining] per day from
// start to end (remaining is the quota left at the end of that day's
// period, or 0 without a quota).
type Usage struct {
	Start, End string
	Values     map[string][][2]int
}

const usageDay = "2006-01-02"

// Usage reports the requests each key of a plan (or keyID alone) made per
// UTC day between start and end (yyyy-MM-dd, at most 90 days apart).
func (s *Store) Usage(planID, keyID, start, end string) (Usage, error) {
	from, err1 := time.Parse(usageDay, start)
	to, err2 := time.Parse(usageDay, end)
	if err1 != nil || err2 != nil {
		return Usage{}, ErrBadRequest.New("Invalid date format: dates must be yyyy-MM-dd")
	}
	if to.Before(from) {
		return Usage{}, ErrBadRequest.New("The start date must be before the end date")
	}
	if to.Sub(from) > 90*24*time.Hour {
		return Usage{}, ErrBadRequest.New("The usage data is only available for the last 90 days")
	}
	s.keys.mu.RLock()
	defer s.keys.mu.RUnlock()
	p := s.keys.plans[planID]
	if p == nil {
		return Usage{}, errUsagePlanNotFound
	}
	out := Usage{Start: start, End: end, Values: map[string][][2]int{}}
	now := s.now()
	for kid, m := range p.keys {
		if keyID != "" && kid != keyID {
			continue
		}
		m.mu.Lock()
		var days [][2]int
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			used := m.daily[d.Format(usageDay)]
			remaining := 0
			if p.Quota != nil && p.Quota.Limit > 0 {
				remaining = p.Quota.Limit - used
				if m.started && !m.period.After(d) && d.Before(quotaPeriodEnd(m.period, p.Quota.Period)) && !d.After(now) {
					remaining = p.Quota.Limit - m.used
				}
				remaining = max(remaining, 0)
			}
			days = append(days, [2]int{used, remaining})
		}
		m.mu.Unlock()
		out.Values[kid] = days
	}
	return out, nil
}

// quotaPeriodStart is the start of the period holding t: the UTC day, the
// week (from Monday) or the month.
func quotaPeriodStart(t time.Time, period string) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch period {
	case "WEEK":
		back := (int(day.Weekday()) + 6) % 7 // days since Monday
		return day.AddDate(0, 0, -back)
	case "MONTH":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

func quotaPeriodEnd(start time.Time, period string) time.Time {
	switch period {
	case "WEEK":
		return start.AddDate(0, 0, 7)
	case "MONTH":
		return start.AddDate(0, 1, 0)
	}
	return start.AddDate(0, 0, 1)
}

// Metering verdicts of one invocation with a key.
type Verdict int

const (
	Admitted       Verdict = iota
	KeyRefused             // unknown, disabled, or in no plan of this API stage
	Throttled              // the plan's (or method's) token bucket is empty
	QuotaExhausted         // the plan's quota for this period is used up
)

// Admit meters one request made with API key value to apiID/stage for a
// method (resource path and HTTP method): the key must be enabled and in a
// usage plan bound to the stage; the plan's throttle (or the stage's
// throttle for that method) and quota apply. It returns the key's id for
// the request's identity.
func (s *Store) Admit(value, apiID, stage, resourcePath, httpMethod string, now time.Time) (string, Verdict) {
	s.keys.mu.RLock()
	k := s.keys.byValue[value]
	if k == nil || !k.Enabled {
		s.keys.mu.RUnlock()
		return "", KeyRefused
	}
	var (
		m        *meter
		throttle *Throttle
		quota    *Quota
	)
	for _, p := range k.plans {
		for _, ps := range p.Stages {
			if ps.APIID != apiID || ps.Stage != stage {
				continue
			}
			m, throttle, quota = p.keys[k.ID], p.Throttle, p.Quota
			if len(ps.Throttle) > 0 {
				if t, ok := ps.Throttle[resourcePath+"/"+httpMethod]; ok {
					throttle = &t
				}
			}
		}
	}
	id := k.ID
	s.keys.mu.RUnlock()
	if m == nil {
		return id, KeyRefused
	}
	return id, m.admit(now, throttle, quota)
}

// admit takes a token and counts the request against the quota.
func (m *meter) admit(now time.Time, t *Throttle, q *Quota) Verdict {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t != nil && (t.RateLimit > 0 || t.BurstLimit > 0) {
		capacity := float64(max(t.BurstLimit, 1))
		if m.last.IsZero() {
			m.tokens = capacity
		} else if d := now.Sub(m.last); d > 0 {
			m.tokens = min(capacity, m.tokens+d.Seconds()*t.RateLimit)
		}
		if now.After(m.last) {
			m.last = now
		}
		if m.tokens < 1 {
			return Throttled
		}
		m.tokens--
	}
	if q != nil && q.Limit > 0 {
		start := quotaPeriodStart(now, q.Period)
		switch {
		case !m.started:
			m.started, m.period, m.used = true, start, q.Offset
		case !start.Equal(m.period):
			m.period, m.used = start, 0
		}
		if m.used >= q.Limit {
			return QuotaExhausted
		}
		m.used++
	}
	if m.daily == nil {
		m.daily = map[string]int{}
	}
	if d := now.Sub(m.day); m.dayKey == "" || d < 0 || d >= 24*time.Hour {
		u := now.UTC()
		m.day = time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
		m.dayKey = m.day.Format(usageDay)
	}
	day := m.dayKey
	if _, ok := m.daily[day]; !ok && len(m.daily) >= maxUsageDays {
		oldest := ""
		for d := range m.daily {
			if oldest == "" || d < oldest {
				oldest = d
			}
		}
		delete(m.daily, oldest)
	}
	m.daily[day]++
	return Admitted
}

// sortByNameThenID orders a listing as API Gateway returns it: by name,
// then by id.
func sortByNameThenID[T any](out []T, key func(T) (name, id string)) {
	slices.SortFunc(out, func(a, b T) int {
		an, ai := key(a)
		bn, bi := key(b)
		return cmp.Or(strings.Compare(an, bn), strings.Compare(ai, bi))
	})
}

// SetRemaining applies UpdateUsage's operation (replace /remaining): the
// key's quota left in the current period becomes value. It returns the
// key's usage of today.
func (s *Store) SetRemaining(planID, keyID string, ops []PatchOp) (Usage, error) {
	s.keys.mu.RLock()
	p := s.keys.plans[planID]
	var m *meter
	if p != nil {
		m = p.keys[keyID]
	}
	var q *Quota
	if p != nil {
		q = p.Quota
	}
	s.keys.mu.RUnlock()
	if p == nil {
		return Usage{}, errUsagePlanNotFound
	}
	if m == nil {
		return Usage{}, ErrNotFound.New("Invalid API Key identifier specified")
	}
	for _, op := range ops {
		if op.Op != "replace" || op.Path != "/remaining" {
			return Usage{}, badPatch(op)
		}
		n, err := strconv.Atoi(op.Value)
		if err != nil || n < 0 {
			return Usage{}, ErrBadRequest.Errorf("Invalid remaining value specified: %s", op.Value)
		}
		if q == nil || q.Limit <= 0 {
			return Usage{}, ErrBadRequest.New("Usage plan has no quota")
		}
		now := s.now()
		m.mu.Lock()
		m.started, m.period, m.used = true, quotaPeriodStart(now, q.Period), max(q.Limit-n, 0)
		m.mu.Unlock()
	}
	today := s.now().UTC().Format(usageDay)
	return s.Usage(planID, keyID, today, today)
}
