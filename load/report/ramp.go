package report

import (
	"fmt"
	"time"
)

// StepRule says when a ramp step holds.
type StepRule struct {
	// P99 bounds the step's freshness p99 and order latency p99 (default 1 s).
	P99 time.Duration
	// Budget bounds every order's freshness (default 10 s).
	Budget time.Duration
	// MaxErrors bounds failed and dropped orders, as a share of those due
	// (default 0.1 %).
	MaxErrors float64
}

func (s StepRule) withDefaults() StepRule {
	if s.P99 <= 0 {
		s.P99 = time.Second
	}
	if s.Budget <= 0 {
		s.Budget = 10 * time.Second
	}
	if s.MaxErrors <= 0 {
		s.MaxErrors = 0.001
	}
	return s
}

// Verdict judges one step; why is "" when it holds. Writes not settled
// yet count as slower than the p99 limit (judge after the limit passed).
func (s StepRule) Verdict(st *Step) (held bool, why string) {
	s = s.withDefaults()
	o := st.Orders
	span := st.To - st.From
	if o == nil || o.Intended == 0 || span <= 0 {
		return false, "no orders were due"
	}
	fresh := st.FreshnessHist
	lat := o.LatencyHist
	errs := float64(o.Failed+o.Dropped) / float64(o.Intended)
	slow := st.Unsettled + st.Lost
	// p99 ≤ limit ⟺ at most 1 % of the values exceed it; unsettled
	// writes count as exceeding it
	overLimit := func(h *Hist, unsettled int64) bool {
		n := h.Count() + unsettled
		return n > 0 && float64(countAbove(h, s.P99)+unsettled)*100 > float64(n)
	}
	switch {
	case errs > s.MaxErrors:
		return false, fmt.Sprintf("%.2f%% of orders failed or dropped (limit %.2f%%): %s", errs*100, s.MaxErrors*100, o.LastError)
	case st.Lost > 0:
		return false, fmt.Sprintf("%d orders lost", st.Lost)
	case fresh.Max() > s.Budget:
		return false, fmt.Sprintf("freshness max %s > budget %v", fmtMS(ms(fresh.Max())), s.Budget)
	case overLimit(fresh, slow):
		return false, fmt.Sprintf("freshness p99 %s > %v", p99Text(fresh, slow), s.P99)
	case overLimit(lat, o.Sent-o.OK-o.Failed-o.Canceled):
		return false, fmt.Sprintf("order latency p99 %s > %v", p99Text(lat, o.Sent-o.OK-o.Failed-o.Canceled), s.P99)
	}
	return true, ""
}

// countAbove is how many values of h exceed d (to histogram precision).
func countAbove(h *Hist, d time.Duration) int64 {
	var n int64
	if h.h == nil {
		return 0
	}
	limit := int64(d / time.Microsecond)
	h.h.ForEachBucket(func(v, c int64) bool {
		if v > limit {
			n += c
		}
		return true
	})
	return n
}

func p99Text(h *Hist, unsettled int64) string {
	if unsettled > 0 && unsettled*100 > h.Count()+unsettled {
		return fmt.Sprintf("over the limit (%d of %d orders unsettled)", unsettled, h.Count()+unsettled)
	}
	return fmtMS(ms(h.Quantile(99)))
}

// judge fills the steps' figures and verdicts and the capacity: the
// highest step that held with every lower step holding too. Steps after
// the first that broke are not judged; a short last step (cut by the end
// of the run) neither.
func (r *Ramp) judge(rule StepRule) {
	rule = rule.withDefaults()
	r.P99LimitMS = ms(rule.P99)
	r.CapacityOrders, r.CapacityRPS, r.CapacityStep = 0, 0, -1
	broken := false
	full := 0.0
	for _, s := range r.Steps {
		full = max(full, s.To-s.From)
	}
	for _, s := range r.Steps {
		span := s.To - s.From
		s.Freshness = s.FreshnessHist.Summary()
		s.Orders.Latency = s.Orders.LatencyHist.Summary()
		if span > 0 {
			s.IntendedOrders = float64(s.Orders.Intended) / span
			s.AchievedOrders = float64(s.Orders.OK) / span
		}
		switch {
		case broken:
			s.Held, s.Why = false, "not judged: a lower step broke"
		case span < full/2:
			s.Held, s.Why = false, "not judged: the run ended during the step"
		default:
			s.Held, s.Why = rule.Verdict(s)
			if !s.Held {
				broken = true
				if r.StoppedBy == "" {
					r.StoppedBy = fmt.Sprintf("step %d (%.0f requests/s) broke: %s", s.Index, s.RPS, s.Why)
				}
			} else {
				r.CapacityOrders, r.CapacityRPS, r.CapacityStep = s.AchievedOrders, s.RPS, s.Index
			}
		}
	}
	if r.StoppedBy == "" {
		r.StoppedBy = "no step broke before the run ended (raise the ramp's max or --duration to find the limit)"
	}
}
