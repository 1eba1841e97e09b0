package report

import (
	"errors"
	"fmt"
	"strings"
)

// Merge combines the results of a sharded run into one: counts added,
// histograms merged (never averaged), time series aligned on each shard's
// start, ramp steps merged step by step and judged again. checks and rule
// are re-evaluated on the merged figures; names label the inputs.
func Merge(names []string, rs []*Result, checks []Threshold, rule StepRule) (*Result, error) {
	if len(rs) == 0 {
		return nil, errors.New("merge: no results")
	}
	first := rs[0]
	m := &Result{Profile: first.Profile, Target: first.Target, Started: first.Started, Ended: first.Ended,
		Requests: map[string]*Kind{}, Freshness: Freshness{BudgetMS: first.Freshness.BudgetMS, Hist: NewHist()},
		Series: Series{BucketSeconds: first.Series.BucketSeconds}, Machine: first.Machine, MergedFrom: names, Status: StatusComplete}
	if first.Ramp != nil {
		m.Ramp = &Ramp{}
	}
	var errs []string
	shards := map[string]bool{}
	for i, r := range rs {
		r.fill()
		if r.Profile.Name != first.Profile.Name {
			return nil, fmt.Errorf("merge: %s ran profile %q, %s ran %q", names[0], first.Profile.Name, names[i], r.Profile.Name)
		}
		if r.Series.BucketSeconds != first.Series.BucketSeconds {
			return nil, fmt.Errorf("merge: %s and %s have different time buckets (%gs, %gs)", names[0], names[i], first.Series.BucketSeconds, r.Series.BucketSeconds)
		}
		if (r.Ramp == nil) != (first.Ramp == nil) {
			return nil, fmt.Errorf("merge: %s and %s are not both ramps", names[0], names[i])
		}
		if r.Shard != "" {
			if shards[r.Shard] {
				return nil, fmt.Errorf("merge: shard %s appears twice (%s)", r.Shard, names[i])
			}
			shards[r.Shard] = true
		}
		if r.Started.Before(m.Started) {
			m.Started = r.Started
		}
		if r.Ended.After(m.Ended) {
			m.Ended = r.Ended
		}
		m.Seconds = max(m.Seconds, r.Seconds)
		if r.Status != StatusComplete {
			m.Status = worse(m.Status, r.Status)
			errs = append(errs, fmt.Sprintf("%s: %s", names[i], orStatus(r.Error, r.Status)))
		}
		for name, k := range r.Requests {
			if m.Requests[name] == nil {
				m.Requests[name] = newKind()
			}
			m.Requests[name].add(k)
		}
		f := &m.Freshness
		f.Accepted += r.Freshness.Accepted
		f.Seen += r.Freshness.Seen
		f.Lost += r.Freshness.Lost
		f.Pending += r.Freshness.Pending
		f.Reads += r.Freshness.Reads
		f.ReadErrors += r.Freshness.ReadErrors
		f.MaxReadGapMS = max(f.MaxReadGapMS, r.Freshness.MaxReadGapMS)
		if r.Freshness.LastReadError != "" {
			f.LastReadError = r.Freshness.LastReadError
		}
		f.LostIDs = append(f.LostIDs, r.Freshness.LostIDs...)
		f.Hist.Merge(r.Freshness.Hist)
		for j, b := range r.Series.Buckets {
			for len(m.Series.Buckets) <= j {
				m.Series.Buckets = append(m.Series.Buckets, newBucket(float64(len(m.Series.Buckets))*m.Series.BucketSeconds))
			}
			m.Series.Buckets[j].add(b)
		}
		if r.Ramp != nil {
			for j, s := range r.Ramp.Steps {
				for len(m.Ramp.Steps) <= j {
					m.Ramp.Steps = append(m.Ramp.Steps, &Step{Index: len(m.Ramp.Steps), From: s.From, To: s.To, Orders: newKind(), FreshnessHist: NewHist()})
				}
				t := m.Ramp.Steps[j]
				t.To = max(t.To, s.To)
				t.RPS += s.RPS
				t.Orders.add(s.Orders)
				t.Answered += s.Answered
				t.FreshnessHist.Merge(s.FreshnessHist)
				t.Accepted += s.Accepted
				t.Lost += s.Lost
				t.Unsettled += s.Unsettled
			}
		}
		m.Machine.CPUSecs += r.Machine.CPUSecs
		m.Machine.ChildCPU += r.Machine.ChildCPU
	}
	m.Events = mergeEvents(rs)
	if len(m.Freshness.LostIDs) > 20 {
		m.Freshness.LostIDs = m.Freshness.LostIDs[:20]
	}
	if len(errs) > 0 {
		m.Error = strings.Join(errs, "; ")
	}
	m.Shard = ""
	m.Machine.Note = fmt.Sprintf("merged from %d results", len(rs))
	m.Finish(checks, rule)
	return m, nil
}

// worse is the graver of two statuses.
func worse(a, b string) string {
	rank := map[string]int{StatusComplete: 0, StatusInterrupted: 1, StatusFailed: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

func orStatus(err, status string) string {
	if err != "" {
		return err
	}
	return status
}
