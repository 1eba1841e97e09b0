package logs

import (
	"encoding/base64"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// qrecord is one row flowing through a query.
type qrecord struct {
	ts int64
	f  map[string]string
}

// ResultField is one field of a query result row.
type ResultField struct{ Field, Value string }

// QueryOutput is what running a query produced.
type QueryOutput struct {
	Rows                                   [][]ResultField
	Matched, Scanned, BytesScanned, Groups float64
}

// QueryTarget is a group a query reads.
type QueryTarget struct{ Region, Name string }

// Bounds of one query run.
const (
	maxQueryResults = 10_000
	maxQueryScan    = 1_000_000
	maxJSONFields   = 200
)

// insightsTime is how Insights renders @timestamp and bin().
const insightsTime = "2006-01-02 15:04:05.000"

func fmtTS(ms int64) string { return time.UnixMilli(ms).UTC().Format(insightsTime) }

// RunQuery runs a parsed query over the events of groups between start and
// end (ms, both inclusive), returning at most limit rows.
func (s *Store) RunQuery(targets []QueryTarget, account string, start, end int64, pq *parsedQuery, limit int) (QueryOutput, error) {
	var out QueryOutput
	var recs []qrecord
	for _, t := range targets {
		g, err := s.Group(t.Region, t.Name)
		if err != nil {
			return out, err
		}
		out.Groups++
		g.mu.RLock()
		for _, st := range g.streams {
			evs := st.events
			i := sort.Search(len(evs), func(i int) bool { return evs[i].TS >= start })
			for ; i < len(evs) && evs[i].TS <= end && len(recs) < maxQueryScan; i++ {
				ev := &evs[i]
				out.Scanned++
				out.BytesScanned += float64(len(ev.Msg))
				recs = append(recs, eventRecord(account, g, st.Name, ev))
			}
		}
		g.mu.RUnlock()
	}
	// newest first, as Insights returns events without a sort
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].ts > recs[j].ts })
	var fieldsOut, display []string
	stats := false
	for _, c := range pq.cmds {
		switch c.kind {
		case "fields":
			for _, f := range c.fields {
				if f.as != "" {
					for _, r := range recs {
						if v, ok := r.f[f.name]; ok {
							r.f[f.as] = v
						}
					}
				}
				fieldsOut = appendUnique(fieldsOut, f.outName())
			}
		case "display":
			display = display[:0]
			for _, f := range c.fields {
				display = append(display, f.name)
			}
		case "filter":
			kept := recs[:0]
			for _, r := range recs {
				if c.cond.eval(r) {
					kept = append(kept, r)
				}
			}
			recs = kept
		case "parse":
			for _, r := range recs {
				c.parseInto(r)
			}
		case "dedup":
			seen := map[string]bool{}
			kept := recs[:0]
			for _, r := range recs {
				var key strings.Builder
				for _, f := range c.fields {
					key.WriteString(r.f[f.name])
					key.WriteByte(0)
				}
				if !seen[key.String()] {
					seen[key.String()] = true
					kept = append(kept, r)
				}
			}
			recs = kept
		case "stats":
			out.Matched = float64(len(recs))
			recs, fieldsOut = c.aggregate(recs)
			stats = true
		case "sort":
			sort.SliceStable(recs, func(i, j int) bool {
				for _, s := range c.sorts {
					if d := compareValues(recs[i], recs[j], s.field); d != 0 {
						return (d < 0) != s.desc
					}
				}
				return false
			})
		case "limit":
			if len(recs) > c.limit {
				recs = recs[:c.limit]
			}
		}
	}
	if !stats {
		out.Matched = float64(len(recs))
	}
	if limit <= 0 || limit > maxQueryResults {
		limit = maxQueryResults
	}
	if len(recs) > limit {
		recs = recs[:limit]
	}
	names := fieldsOut
	if len(display) > 0 {
		names = display
	}
	for _, r := range recs {
		row := []ResultField{}
		if names == nil {
			keys := make([]string, 0, len(r.f))
			for k := range r.f {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				row = append(row, ResultField{k, r.f[k]})
			}
		} else {
			for _, n := range names {
				if v, ok := r.f[n]; ok {
					row = append(row, ResultField{n, v})
				}
			}
			if p, ok := r.f["@ptr"]; ok && !stats && !contains(names, "@ptr") {
				row = append(row, ResultField{"@ptr", p})
			}
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

func appendUnique(list []string, s string) []string {
	if contains(list, s) {
		return list
	}
	return append(list, s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// eventRecord makes an event a row: the system fields and, for a JSON
// message, its fields flattened (a.b, list.0).
func eventRecord(account string, g *Group, stream string, ev *Event) qrecord {
	f := map[string]string{
		"@timestamp":     fmtTS(ev.TS),
		"@message":       ev.Msg,
		"@logStream":     stream,
		"@log":           account + ":" + g.Name,
		"@ingestionTime": fmtTS(ev.Ingest),
		"@ptr":           recordPointer(g.Region, g.Name, stream, ev.key()),
	}
	discoverJSON(ev.Msg, f)
	return qrecord{ts: ev.TS, f: f}
}

// discoverJSON adds the fields of a JSON message to f.
func discoverJSON(msg string, f map[string]string) {
	m := strings.TrimSpace(msg)
	if m == "" || m[0] != '{' {
		return
	}
	doc, ok := decodeJSONDoc(m)
	if !ok {
		return
	}
	n := 0
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if n >= maxJSONFields {
			return
		}
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, x)
			}
		case []any:
			for i, x := range t {
				walk(prefix+"."+strconv.Itoa(i), x)
			}
		case nil:
		default:
			if s, ok := scalarString(t); ok && prefix != "" {
				if _, sys := f[prefix]; !sys {
					f[prefix] = s
					n++
				}
			}
		}
	}
	walk("", doc)
}

// recordPointer is @ptr: where GetLogRecord finds the event again.
func recordPointer(region, group, stream string, k Key) string {
	raw := region + "\x00" + group + "\x00" + stream + "\x00" + strconv.FormatInt(k.TS, 10) + "\x00" + strconv.FormatUint(k.Seq, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// LogRecord returns the fields of the event @ptr points at.
func (s *Store) LogRecord(account, ptr string) (map[string]string, error) {
	bad := errInvalidParameter.New("The specified log record pointer is invalid.")
	raw, err := base64.RawURLEncoding.DecodeString(ptr)
	if err != nil {
		return nil, bad
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 5 {
		return nil, bad
	}
	ts, err1 := strconv.ParseInt(parts[3], 10, 64)
	seq, err2 := strconv.ParseUint(parts[4], 10, 64)
	if err1 != nil || err2 != nil {
		return nil, bad
	}
	g, err := s.Group(parts[0], parts[1])
	if err != nil {
		return nil, err
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	st := g.streams[parts[2]]
	if st == nil {
		return nil, noStream()
	}
	k := Key{ts, seq}
	i := sort.Search(len(st.events), func(i int) bool { return !st.events[i].key().less(k) })
	if i == len(st.events) || st.events[i].key() != k {
		return nil, errResourceNotFound.New("The specified log record does not exist.")
	}
	r := eventRecord(account, g, st.Name, &st.events[i])
	delete(r.f, "@ptr")
	return r.f, nil
}

// FieldShare is a field of a group's events and the share of events
// having it.
type FieldShare struct {
	Name    string
	Percent int
}

// Fields reports the fields of a group's most recent events (up to 1,000,
// before at when at > 0), as GetLogGroupFields does.
func (g *Group) Fields(account string, at int64) []FieldShare {
	const sample = 1000
	g.mu.RLock()
	var recs []qrecord
	for _, st := range g.streams {
		evs := st.events
		hi := len(evs)
		if at > 0 {
			hi = sort.Search(len(evs), func(i int) bool { return evs[i].TS > at })
		}
		for i := max(0, hi-sample); i < hi; i++ {
			recs = append(recs, eventRecord(account, g, st.Name, &evs[i]))
		}
	}
	g.mu.RUnlock()
	sort.Slice(recs, func(i, j int) bool { return recs[i].ts > recs[j].ts })
	if len(recs) > sample {
		recs = recs[:sample]
	}
	counts := map[string]int{}
	for _, r := range recs {
		for k := range r.f {
			if k != "@ptr" {
				counts[k]++
			}
		}
	}
	out := make([]FieldShare, 0, len(counts))
	for k, n := range counts {
		out = append(out, FieldShare{k, int(math.Round(float64(n) * 100 / float64(len(recs))))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ---- evaluation ----

func (e *qexpr) eval(r qrecord) bool {
	switch e.op {
	case "and":
		return e.l.eval(r) && e.r.eval(r)
	case "or":
		return e.l.eval(r) || e.r.eval(r)
	case "not":
		return !e.l.eval(r)
	case "ispresent":
		_, ok := r.f[e.field]
		return ok
	case "isempty":
		return r.f[e.field] == ""
	}
	v, ok := r.f[e.field]
	if !ok {
		return e.op == "notlike"
	}
	switch e.op {
	case "like":
		return e.re.MatchString(v)
	case "notlike":
		return !e.re.MatchString(v)
	case "in":
		return contains(e.list, v)
	}
	if e.num != nil {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return compareNum(f, e.cmp, *e.num)
		}
		if e.cmp != "=" && e.cmp != "!=" {
			return false
		}
	}
	c := strings.Compare(v, e.val)
	switch e.cmp {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	default:
		return c >= 0
	}
}

// parseInto sets the fields a parse command extracts from r.
func (c *qcmd) parseInto(r qrecord) {
	src, ok := r.f[c.src]
	if !ok {
		return
	}
	if c.re != nil {
		m := c.re.FindStringSubmatch(src)
		if m == nil {
			return
		}
		for i, n := range c.re.SubexpNames() {
			if n != "" && i < len(m) {
				r.f[n] = m[i]
			}
		}
		return
	}
	// a glob: the literal parts in order, a capture between each two
	i := 0
	if c.glob[0] != "" {
		j := strings.Index(src, c.glob[0])
		if j < 0 {
			return
		}
		i = j + len(c.glob[0])
	}
	vals := make([]string, 0, len(c.names))
	for k := 1; k < len(c.glob); k++ {
		lit := c.glob[k]
		if lit == "" {
			if k == len(c.glob)-1 {
				vals = append(vals, src[i:])
				i = len(src)
				continue
			}
			vals = append(vals, "")
			continue
		}
		j := strings.Index(src[i:], lit)
		if j < 0 {
			return
		}
		vals = append(vals, src[i:i+j])
		i += j + len(lit)
	}
	for k, n := range c.names {
		r.f[n] = vals[k]
	}
}

// aggregate runs a stats command: one row per group of the by fields.
func (c *qcmd) aggregate(recs []qrecord) ([]qrecord, []string) {
	type acc struct {
		count    []float64
		sum      []float64
		min, max []float64
		n        []float64
		distinct []map[string]bool
		row      qrecord
	}
	var order []string
	groups := map[string]*acc{}
	for _, r := range recs {
		var key strings.Builder
		keyVals := make([]string, len(c.by))
		for i, b := range c.by {
			if b.bin > 0 {
				keyVals[i] = fmtTS(r.ts - ((r.ts%b.bin)+b.bin)%b.bin)
			} else {
				keyVals[i] = r.f[b.name]
			}
			key.WriteString(keyVals[i])
			key.WriteByte(0)
		}
		a := groups[key.String()]
		if a == nil {
			n := len(c.aggs)
			a = &acc{count: make([]float64, n), sum: make([]float64, n), min: make([]float64, n), max: make([]float64, n),
				n: make([]float64, n), distinct: make([]map[string]bool, n), row: qrecord{ts: r.ts, f: map[string]string{}}}
			for i := range c.aggs {
				a.min[i], a.max[i] = math.Inf(1), math.Inf(-1)
			}
			for i, b := range c.by {
				if _, ok := r.f[b.name]; ok || b.bin > 0 {
					a.row.f[b.outName()] = keyVals[i]
				}
			}
			groups[key.String()] = a
			order = append(order, key.String())
		}
		for i, ag := range c.aggs {
			if ag.arg == "*" {
				a.count[i]++
				continue
			}
			v, ok := r.f[ag.arg]
			if !ok {
				continue
			}
			a.count[i]++
			if ag.fn == "count_distinct" {
				if a.distinct[i] == nil {
					a.distinct[i] = map[string]bool{}
				}
				if len(a.distinct[i]) < 100_000 {
					a.distinct[i][v] = true
				}
				continue
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			a.n[i]++
			a.sum[i] += f
			a.min[i] = math.Min(a.min[i], f)
			a.max[i] = math.Max(a.max[i], f)
		}
	}
	var names []string
	for _, b := range c.by {
		names = append(names, b.outName())
	}
	for _, ag := range c.aggs {
		names = append(names, ag.outName())
	}
	out := make([]qrecord, 0, len(order))
	for _, k := range order {
		a := groups[k]
		for i, ag := range c.aggs {
			var v float64
			switch ag.fn {
			case "count":
				v = a.count[i]
			case "count_distinct":
				v = float64(len(a.distinct[i]))
			case "sum":
				v = a.sum[i]
			case "avg":
				if a.n[i] == 0 {
					continue
				}
				v = a.sum[i] / a.n[i]
			case "min":
				if a.n[i] == 0 {
					continue
				}
				v = a.min[i]
			case "max":
				if a.n[i] == 0 {
					continue
				}
				v = a.max[i]
			}
			a.row.f[ag.outName()] = strconv.FormatFloat(v, 'f', -1, 64)
		}
		out = append(out, a.row)
	}
	return out, names
}

// compareValues orders two rows by a field: numerically when both values
// are numbers, else as strings; a missing value sorts first.
func compareValues(a, b qrecord, field string) int {
	x, okA := a.f[field]
	y, okB := b.f[field]
	switch {
	case !okA && !okB:
		return 0
	case !okA:
		return -1
	case !okB:
		return 1
	}
	if field == "@timestamp" {
		return cmpInt(a.ts, b.ts)
	}
	fx, e1 := strconv.ParseFloat(x, 64)
	fy, e2 := strconv.ParseFloat(y, 64)
	if e1 == nil && e2 == nil {
		switch {
		case fx < fy:
			return -1
		case fx > fy:
			return 1
		}
		return 0
	}
	return strings.Compare(x, y)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
