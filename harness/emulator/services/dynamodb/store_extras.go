package dynamodb

import (
	"sort"
	"strconv"
	"time"
)

// Table settings the emulator stores and reports but does not act on:
// resource-based policies (no request is refused by them), contributor
// insights (no CloudWatch rules are made), Kinesis streaming destinations
// (no Kinesis service receives the changes) and auto scaling (nothing is
// scaled).

// tableExtras is guarded by its table's lock.
type tableExtras struct {
	policies map[string]policy             // by resource ARN: the table's or its stream's
	insights map[string]insightsSetting    // by index name, "" for the table
	kinesis  map[string]kinesisDestination // by Kinesis stream ARN
	scaling  map[scalingKey]autoScaling    // replica auto scaling settings
}

type policy struct {
	doc, revision string
}

type insightsSetting struct {
	enabled bool
	mode    string
	updated time.Time
}

type kinesisDestination struct {
	arn       string
	enabled   bool
	precision string
}

// nextRevision returns a policy revision id: the time in milliseconds, made
// larger than prev when the clock has not moved.
func nextRevision(now time.Time, prev string) string {
	r := now.UnixMilli()
	if p, err := strconv.ParseInt(prev, 10, 64); err == nil && p >= r {
		r = p + 1
	}
	return strconv.FormatInt(r, 10)
}

// putPolicy stores a policy for arn, the table's or its stream's, if the
// expected revision matches ("NO_POLICY": none may exist).
func (t *table) putPolicy(arn, doc, expected string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.deleted {
		return "", errResourceNotFound.Errorf("Requested resource not found: Table: %s not found", t.name)
	}
	cur, ok := t.extras.policies[arn]
	switch {
	case ok && expected == "NO_POLICY":
		return "", errPolicyNotFound.Errorf("Resource-based policy not found for the provided ResourceArn: Requested policy update expecting none to be present for table %s, but a policy exists with revision id %s.", t.name, cur.revision)
	case ok && expected != "" && cur.revision != expected:
		return "", errPolicyNotFound.Errorf("Resource-based policy not found for the provided ResourceArn: Requested update for policy with revision id %s, but the policy associated to target table %s has revision id %s.", expected, t.name, cur.revision)
	case !ok && expected != "" && expected != "NO_POLICY":
		return "", errPolicyNotFound.Errorf("Resource-based policy not found for the provided ResourceArn: Requested update for policy with revision id %s, but the policy associated to target table %s has no policy.", expected, t.name)
	case ok && cur.doc == doc:
		return cur.revision, nil
	}
	if t.extras.policies == nil {
		t.extras.policies = map[string]policy{}
	}
	p := policy{doc: doc, revision: nextRevision(t.now(), cur.revision)}
	t.extras.policies[arn] = p
	return p.revision, nil
}

// policyOf returns the policy stored for arn.
func (t *table) policyOf(arn string) (policy, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.deleted {
		return policy{}, errResourceNotFound.Errorf("Requested resource not found: Table: %s not found", t.name)
	}
	p, ok := t.extras.policies[arn]
	if !ok {
		return policy{}, errPolicyNotFound.Errorf("Resource-based policy not found for the provided ResourceArn: %s", arn)
	}
	return p, nil
}

// deletePolicy drops the policy stored for arn, if the expected revision
// matches, and returns its revision.
func (t *table) deletePolicy(arn, expected string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.deleted {
		return "", errResourceNotFound.Errorf("Requested resource not found: Table: %s not found", t.name)
	}
	p, ok := t.extras.policies[arn]
	switch {
	case !ok:
		return "", errPolicyNotFound.Errorf("Resource-based policy not found for the provided ResourceArn: %s", arn)
	case expected != "" && p.revision != expected:
		return "", errPolicyNotFound.Errorf("Resource-based policy not found for the provided ResourceArn: Requested update for policy with revision id %s, but the policy associated to target table %s has revision id %s.", expected, t.name, p.revision)
	}
	delete(t.extras.policies, arn)
	return p.revision, nil
}

// errIndexNotFound is the error for an index the table does not have.
func errIndexNotFound(name string) error {
	return errResourceNotFound.Errorf("Requested resource not found: Index: %s not found", name)
}

// insights returns the contributor insights setting of the table ("") or
// one of its indexes.
func (t *table) insights(index string) (insightsSetting, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.deleted {
		return insightsSetting{}, tableNotFound()
	}
	if index != "" && t.indexNamed(index) == nil {
		return insightsSetting{}, errIndexNotFound(index)
	}
	return t.extras.insights[index], nil
}

// setInsights turns contributor insights on or off.
func (t *table) setInsights(index string, enabled bool, mode string) (insightsSetting, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.deleted {
		return insightsSetting{}, tableNotFound()
	}
	if index != "" && t.indexNamed(index) == nil {
		return insightsSetting{}, errIndexNotFound(index)
	}
	if t.extras.insights == nil {
		t.extras.insights = map[string]insightsSetting{}
	}
	st := t.extras.insights[index]
	st.enabled, st.updated = enabled, t.now()
	if mode != "" {
		st.mode = mode
	} else if st.mode == "" {
		st.mode = "ACCESSED_AND_THROTTLED_KEYS"
	}
	t.extras.insights[index] = st
	return st, nil
}

// insightsList returns the table's contributor insights settings, the
// table's first, then its indexes' by name.
func (t *table) insightsList() map[string]insightsSetting {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make(map[string]insightsSetting, len(t.extras.insights))
	for k, v := range t.extras.insights {
		out[k] = v
	}
	return out
}

// setKinesis enables or disables streaming to a Kinesis stream, or (update)
// changes an enabled destination's timestamp precision.
func (t *table) setKinesis(streamARN string, enabled, update bool, precision string) (kinesisDestination, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.deleted {
		return kinesisDestination{}, tableNotFound()
	}
	d, ok := t.extras.kinesis[streamARN]
	active := ok && d.enabled
	switch {
	case update && !active:
		// AWS says "enable" here too (a recorded answer to UpdateKinesisStreamingDestination).
		return d, validationf("Table is not in a valid state to enable Kinesis Streaming Destination: No streaming destination with streamArn: %s found for table with tableName: %s", streamARN, t.name)
	case update && precision == d.precision:
		return d, validationf("Invalid Request: Precision is already set to the desired value of %s for tableId: %s, kdsArn: %s", precision, t.id, streamARN)
	case !update && enabled && active:
		return d, validationf("Table is not in a valid state to enable Kinesis Streaming Destination: EnableKinesisStreamingDestination must be DISABLED or ENABLE_FAILED to perform ENABLE operation.")
	case !update && !enabled && !active:
		return d, validationf("Table is not in a valid state to enable Kinesis Streaming Destination: KinesisStreamingDestination must be ACTIVE to perform DISABLE operation.")
	case !update && enabled:
		for _, other := range t.extras.kinesis {
			if other.enabled {
				return d, errLimitExceeded.New("Subscriber limit exceeded: a table can stream to at most one Kinesis data stream")
			}
		}
	}
	if t.extras.kinesis == nil {
		t.extras.kinesis = map[string]kinesisDestination{}
	}
	d.arn = streamARN
	if !update {
		d.enabled = enabled
	}
	if precision != "" {
		d.precision = precision
	} else if d.precision == "" {
		d.precision = "MILLISECOND"
	}
	t.extras.kinesis[streamARN] = d
	return d, nil
}

// kinesisList returns the table's Kinesis destinations by ARN.
func (t *table) kinesisList() ([]kinesisDestination, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.deleted {
		return nil, tableNotFound()
	}
	out := make([]kinesisDestination, 0, len(t.extras.kinesis))
	for _, d := range t.extras.kinesis {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].arn < out[j].arn })
	return out, nil
}
