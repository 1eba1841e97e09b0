package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/groundstack/groundstack/load/profile"
)

// Status of an event path's figures.
const (
	EventMeasured    = "measured"
	EventUnsupported = "unsupported" // the cloud lacks a call the path needs
	EventFailed      = "failed"      // set-up refused, or no event delivered
)

// The event objectives of the messaging issue: every event reaches its
// consumer, 99 % within 100 ms at 1,000 events/s. A load run with event
// traffic checks them per path by default.
var DefaultEventThresholds = []string{"events.%s.p99<=100ms", "events.%s.lost==0"}

// EventPath is one messaging path's event freshness (load/events measures
// it): from the producing call's acknowledgement to the consumer's handler
// start, with losses and duplicates counted. `groundstack bench-events`
// reports one per path and phase, `groundstack load` one per path driven.
type EventPath struct {
	Path   string `json:"path"`
	Status string `json:"status"`
	// Reason says why a path was not measured.
	Reason string `json:"reason,omitempty"`
	// IntendedRate is events/s asked (0: one at a time); AchievedRate is
	// accepted events/s over the producing time.
	IntendedRate float64 `json:"intended_per_s"`
	AchievedRate float64 `json:"achieved_per_s,omitempty"`
	Produced     int64   `json:"produced"`
	Accepted     int64   `json:"accepted"`
	Failed       int64   `json:"failed"`
	Dropped      int64   `json:"dropped,omitempty"`
	Late         int64   `json:"late,omitempty"`
	Seen         int64   `json:"seen"`
	Lost         int64   `json:"lost"`
	Duplicates   int64   `json:"duplicates"`
	Early        int64   `json:"seen_before_ack,omitempty"`
	// Via counts the routes events were seen through.
	Via map[string]int64 `json:"via,omitempty"`
	Summary
	Hist *Hist `json:"hdr,omitempty"`
	// FromSend is measured from the moment the producing request was
	// written to the wire instead of its acknowledgement: an upper bound,
	// the server's work included (the long-poll wake-up is judged by it).
	FromSend     Summary  `json:"from_send"`
	FromSendHist *Hist    `json:"from_send_hdr,omitempty"`
	LostIDs      []string `json:"lost_ids,omitempty"`
	// LastError is the last producing call's error.
	LastError string `json:"last_error,omitempty"`
}

// Measured reports whether the path delivered figures.
func (e *EventPath) Measured() bool { return e.Status == EventMeasured }

// Summarize computes the summaries from the histograms.
func (e *EventPath) Summarize() {
	if e.Hist == nil {
		e.Hist = NewHist()
	}
	if e.FromSendHist == nil {
		e.FromSendHist = NewHist()
	}
	e.Summary, e.FromSend = e.Hist.Summary(), e.FromSendHist.Summary()
}

// add merges o (another shard's figures of the same path) into e: counts
// and rates added, histograms merged.
func (e *EventPath) add(o *EventPath) {
	if e.Hist == nil {
		e.Hist = NewHist()
	}
	if e.FromSendHist == nil {
		e.FromSendHist = NewHist()
	}
	if !o.Measured() && e.Measured() || e.Status == "" {
		e.Status, e.Reason = o.Status, o.Reason
	}
	e.IntendedRate += o.IntendedRate
	e.AchievedRate += o.AchievedRate
	e.Produced += o.Produced
	e.Accepted += o.Accepted
	e.Failed += o.Failed
	e.Dropped += o.Dropped
	e.Late += o.Late
	e.Seen += o.Seen
	e.Lost += o.Lost
	e.Duplicates += o.Duplicates
	e.Early += o.Early
	for k, n := range o.Via {
		if e.Via == nil {
			e.Via = map[string]int64{}
		}
		e.Via[k] += n
	}
	e.Hist.Merge(o.Hist)
	e.FromSendHist.Merge(o.FromSendHist)
	e.LostIDs = append(e.LostIDs, o.LostIDs...)
	if len(e.LostIDs) > 20 {
		e.LostIDs = e.LostIDs[:20]
	}
	if o.LastError != "" {
		e.LastError = o.LastError
	}
}

// Line is the path's figures in one line.
func (e *EventPath) Line() string {
	if !e.Measured() {
		return fmt.Sprintf("%s: %s: %s", e.Path, e.Status, e.Reason)
	}
	return fmt.Sprintf("%s: %d events at %.0f/s of %.0f/s, freshness p50 %s p99 %s max %s (p99 from the send %s), %d lost, %d dup",
		e.Path, e.Accepted, e.AchievedRate, e.IntendedRate, fmtMS(e.P50), fmtMS(e.P99), fmtMS(e.Max), fmtMS(e.FromSend.P99), e.Lost, e.Duplicates)
}

// EventPath returns the result's figures of path, nil when it drove none.
func (r *Result) EventPath(path string) *EventPath {
	for _, e := range r.Events {
		if e.Path == path {
			return e
		}
	}
	return nil
}

// mergeEvents adds rs' event figures path by path, in first-seen order.
func mergeEvents(rs []*Result) []*EventPath {
	var out []*EventPath
	byPath := map[string]*EventPath{}
	for _, r := range rs {
		for _, e := range r.Events {
			m := byPath[e.Path]
			if m == nil {
				m = &EventPath{Path: e.Path}
				byPath[e.Path] = m
				out = append(out, m)
			}
			m.add(e)
		}
	}
	return out
}

// eventLine sums the event paths up for Line.
func (r *Result) eventLine() string {
	if len(r.Events) == 0 {
		return ""
	}
	var seen, lost, dup int64
	worst, worstPath := -1.0, ""
	var down []string
	for _, e := range r.Events {
		if !e.Measured() {
			down = append(down, e.Path+" "+e.Status)
			continue
		}
		seen, lost, dup = seen+e.Seen, lost+e.Lost, dup+e.Duplicates
		if e.P99 > worst {
			worst, worstPath = e.P99, e.Path
		}
	}
	s := fmt.Sprintf("; events on %d paths: %d seen", len(r.Events), seen)
	if worstPath != "" {
		s += fmt.Sprintf(", worst p99 %s (%s)", fmtMS(worst), worstPath)
	}
	s += fmt.Sprintf(", %d lost, %d dup", lost, dup)
	if len(down) > 0 {
		sort.Strings(down)
		s += " (" + strings.Join(down, ", ") + ")"
	}
	return s
}

// eventStats are the figures a threshold may test per event path.
var eventStats = map[string]unit{
	"p50": unitDuration, "p90": unitDuration, "p99": unitDuration, "max": unitDuration, "mean": unitDuration,
	"lost": unitCount, "duplicates": unitCount, "seen": unitCount, "accepted": unitCount, "failed": unitCount,
	"dropped": unitCount, "rate.achieved": unitRatio,
}

// eventStat is one event path's figure, NaN when it was not measured.
func eventStat(e *EventPath, stat string) float64 {
	if e == nil || !e.Measured() {
		return notMeasured
	}
	switch stat {
	case "p50":
		return secs(e.P50)
	case "p90":
		return secs(e.P90)
	case "p99":
		return secs(e.P99)
	case "max":
		return secs(e.Max)
	case "mean":
		return secs(e.Mean)
	case "lost":
		return float64(e.Lost)
	case "duplicates":
		return float64(e.Duplicates)
	case "seen":
		return float64(e.Seen)
	case "accepted":
		return float64(e.Accepted)
	case "failed":
		return float64(e.Failed)
	case "dropped":
		return float64(e.Dropped)
	case "rate.achieved":
		if e.IntendedRate == 0 {
			return 0
		}
		return e.AchievedRate / e.IntendedRate
	}
	return notMeasured
}

// eventMetric is the metric "events.<stat>" (the worst path's figure: the
// highest, or for rate.achieved the lowest; counts are summed) or
// "events.<path>.<stat>" (one path's).
func eventMetric(name string) (metric, bool) {
	rest, ok := strings.CutPrefix(name, "events.")
	if !ok {
		return metric{}, false
	}
	if u, ok := eventStats[rest]; ok {
		return metric{u, func(r *Result) float64 { return worstEvent(r, rest, u) }, ""}, true
	}
	path, stat, ok := strings.Cut(rest, ".")
	u, known := eventStats[stat]
	if !ok || !known || !profile.ValidEventPath(path) {
		return metric{}, false
	}
	return metric{u, func(r *Result) float64 { return eventStat(r.EventPath(path), stat) }, ""}, true
}

// worstEvent is stat over every path: NaN when one was not measured.
func worstEvent(r *Result, stat string, u unit) float64 {
	if len(r.Events) == 0 {
		return notMeasured
	}
	var out float64
	for i, e := range r.Events {
		v := eventStat(e, stat)
		switch {
		case v != v: // NaN
			return v
		case u == unitCount:
			out += v
		case i == 0:
			out = v
		case stat == "rate.achieved":
			out = min(out, v)
		default:
			out = max(out, v)
		}
	}
	return out
}

// eventMetricNames are the event metrics for help texts.
func eventMetricNames() []string {
	var out []string
	for s := range eventStats {
		out = append(out, "events."+s, "events.<path>."+s)
	}
	return out
}

// eventDefaults are DefaultEventThresholds for each path.
func eventDefaults(paths []string) []string {
	var out []string
	for _, p := range paths {
		for _, t := range DefaultEventThresholds {
			out = append(out, fmt.Sprintf(t, p))
		}
	}
	return out
}
