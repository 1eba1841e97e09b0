package logs

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Bounds on what one stream keeps: past either, the oldest events go (in
// chunks of a tenth, so trimming is amortised).
const (
	DefaultMaxEventsPerStream = 100_000
	DefaultMaxBytesPerStream  = 64 << 20
	// eventOverhead is what AWS counts per event on top of its message.
	eventOverhead = 26
)

// Event is one stored log event. Seq orders events with equal timestamps
// (the group's ingestion order) and makes every (TS, Seq) key unique.
type Event struct {
	TS     int64 // ms since the epoch
	Seq    uint64
	Ingest int64 // ms since the epoch
	Msg    string
}

// Key is a position in a stream's (TS, Seq) order.
type Key struct {
	TS  int64
	Seq uint64
}

func (e *Event) key() Key { return Key{e.TS, e.Seq} }

func (a Key) less(b Key) bool { return a.TS < b.TS || a.TS == b.TS && a.Seq < b.Seq }

// Rejected says which events of a batch PutEvents refused, by index, as
// PutLogEvents' rejectedLogEventsInfo does (-1 = none).
type Rejected struct {
	TooNewStart int
	TooOldEnd   int
	ExpiredEnd  int
}

// Any reports whether something was rejected.
func (r Rejected) Any() bool { return r.TooNewStart >= 0 || r.TooOldEnd >= 0 || r.ExpiredEnd >= 0 }

// InputEvent is one event of a PutLogEvents batch.
type InputEvent struct {
	TS  int64
	Msg string
}

// Put is what PutEvents did with a batch: the events it refused, and when
// it took in the rest.
type Put struct {
	Rejected
	At int64 // ingestion time, ms since the epoch
}

// maxBatchSpanMS is how far apart the accepted events of one batch may be.
const maxBatchSpanMS = 24 * 3600 * 1000

// PutEvents appends a chronological batch to a stream, dropping events too
// far in the past or future (or past the retention) as AWS does.
func (g *Group) PutEvents(ctx context.Context, stream string, batch []InputEvent) (Put, error) {
	now := g.store.nowMS()
	put := Put{Rejected: Rejected{-1, -1, -1}, At: now}
	tooOld := now - 14*24*3600*1000
	tooNew := now + 2*3600*1000
	// the 24-hour span rule applies to the events that would be accepted
	lo, hi := int64(-1), int64(-1)
	for _, ev := range batch {
		if ev.TS < tooOld || ev.TS > tooNew {
			continue
		}
		if lo < 0 {
			lo = ev.TS
		}
		hi = ev.TS
	}
	if lo >= 0 && hi-lo > maxBatchSpanMS {
		return put, errInvalidParameter.New("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	g.mu.Lock()
	if g.deleted {
		g.mu.Unlock()
		return put, noGroup()
	}
	st := g.streams[stream]
	if st == nil {
		g.mu.Unlock()
		return put, noStream()
	}
	expired := int64(-1 << 62)
	if g.Retention > 0 {
		expired = now - int64(g.Retention)*24*3600*1000
	}
	rej := &put.Rejected
	accepted := make([]Event, 0, len(batch))
	for i, ev := range batch {
		switch {
		case ev.TS < tooOld:
			rej.TooOldEnd = i
		case ev.TS < expired:
			rej.ExpiredEnd = i
		case ev.TS > tooNew:
			if rej.TooNewStart < 0 {
				rej.TooNewStart = i
			}
		default:
			g.seq++
			accepted = append(accepted, Event{TS: ev.TS, Seq: g.seq, Ingest: now, Msg: ev.Msg})
		}
	}
	st.insertBatch(accepted)
	st.trim(g.store.MaxEventsPerStream, g.store.MaxBytesPerStream)
	g.store.recordEvents(ctx, g, st, accepted)
	b := g.batchLocked(stream, accepted)
	g.mu.Unlock()
	if b != nil {
		g.store.OnEvents(*b)
	}
	return put, nil
}

// WriteLogs implements cloud.LogWriter: it appends events, creating the
// group and stream when missing, without PutLogEvents' time checks (the
// writer is another service, not a client).
func (s *Store) WriteLogs(region, group, stream string, events []cloud.LogEvent) {
	if len(events) == 0 {
		return
	}
	if region == "" {
		region = cloud.DefaultRegion
	}
	now := s.nowMS()
	for {
		g := s.groupOrNew(region, group)
		g.mu.Lock()
		if g.deleted {
			g.mu.Unlock()
			continue
		}
		st := g.streams[stream]
		if st == nil {
			st = &Stream{Name: stream, Created: now}
			g.streams[stream] = st
		}
		batch := make([]Event, len(events))
		for i, ev := range events {
			g.seq++
			batch[i] = Event{TS: ev.Timestamp.UnixMilli(), Seq: g.seq, Ingest: now, Msg: ev.Message}
		}
		sort.SliceStable(batch, func(i, j int) bool { return batch[i].TS < batch[j].TS })
		st.insertBatch(batch)
		st.trim(s.MaxEventsPerStream, s.MaxBytesPerStream)
		s.recordEvents(context.Background(), g, st, batch) // nobody waits: a function's logs
		b := g.batchLocked(stream, batch)
		g.mu.Unlock()
		if b != nil {
			s.OnEvents(*b)
		}
		return
	}
}

// insertBatch adds a batch sorted by key, keeping the stream ordered. Events
// almost always arrive after what is stored (an append); a late batch is
// merged into the tail it overlaps, once per batch, not once per event.
func (st *Stream) insertBatch(batch []Event) {
	if len(batch) == 0 {
		return
	}
	n := len(st.events)
	if n == 0 || !batch[0].key().less(st.events[n-1].key()) {
		st.events = append(st.events, batch...)
	} else {
		i := sort.Search(n, func(i int) bool { return batch[0].key().less(st.events[i].key()) })
		tail := append([]Event(nil), st.events[i:]...)
		st.events = append(st.events[:i], make([]Event, len(tail)+len(batch))...)
		out := st.events[i:]
		a, b, k := 0, 0, 0
		for a < len(tail) || b < len(batch) {
			if b == len(batch) || a < len(tail) && tail[a].key().less(batch[b].key()) {
				out[k] = tail[a]
				a++
			} else {
				out[k] = batch[b]
				b++
			}
			k++
		}
	}
	for i := range batch {
		ev := &batch[i]
		st.bytes += int64(len(ev.Msg)) + eventOverhead
		if st.LastIngestion == 0 || ev.TS < st.FirstEvent {
			st.FirstEvent = ev.TS
		}
		if ev.TS > st.LastEvent || st.LastIngestion == 0 {
			st.LastEvent = ev.TS
		}
		st.LastIngestion = ev.Ingest
	}
}

// trim drops the oldest events past the bounds, a tenth at a time.
func (st *Stream) trim(maxEvents int, maxBytes int64) {
	if maxEvents <= 0 {
		maxEvents = DefaultMaxEventsPerStream
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytesPerStream
	}
	if len(st.events) <= maxEvents && st.bytes <= maxBytes {
		return
	}
	keepEvents := maxEvents - maxEvents/10
	keepBytes := maxBytes - maxBytes/10
	drop := 0
	for drop < len(st.events) && (len(st.events)-drop > keepEvents || st.bytes > keepBytes) {
		st.bytes -= int64(len(st.events[drop].Msg)) + eventOverhead
		drop++
	}
	n := copy(st.events, st.events[drop:])
	clear(st.events[n:])
	st.events = st.events[:n]
	if n > 0 {
		st.FirstEvent = st.events[0].TS
	}
}

// Window bounds a read: Start inclusive; End exclusive when EndInclusive is
// false (GetLogEvents) and inclusive otherwise (FilterLogEvents).
type Window struct {
	Start, End       int64
	HasStart, HasEnd bool
	EndInclusive     bool
}

func (w Window) after(ts int64) bool {
	if !w.HasEnd {
		return false
	}
	if w.EndInclusive {
		return ts > w.End
	}
	return ts >= w.End
}

// Direction of a GetLogEvents token.
type Direction byte

const (
	NoToken  Direction = 0
	Forward  Direction = 'f'
	Backward Direction = 'b'
)

// Token is a GetLogEvents position: events after Key (forward) or at and
// before Key (backward).
type Token struct {
	Dir Direction
	Key Key
}

// String renders the token in AWS's shape: f/ or b/, 56 digits, /s.
func (t Token) String() string {
	ts := t.Key.TS
	if ts < 0 {
		ts = 0
	}
	return fmt.Sprintf("%c/%020d%036d/s", t.Dir, ts, t.Key.Seq)
}

// ParseToken parses a GetLogEvents token.
func ParseToken(s string) (Token, error) {
	if len(s) < 2+56 || (s[0] != 'f' && s[0] != 'b') || s[1] != '/' {
		return Token{}, badToken()
	}
	digits := s[2 : 2+56]
	if rest := s[2+56:]; rest != "" && rest != "/s" {
		return Token{}, badToken()
	}
	ts, err1 := strconv.ParseInt(digits[:20], 10, 64)
	seq, err2 := strconv.ParseUint(digits[20:], 10, 64)
	if err1 != nil || err2 != nil || ts < 0 {
		return Token{}, badToken()
	}
	return Token{Dir: Direction(s[0]), Key: Key{ts, seq}}, nil
}

// Page is what GetEvents returns.
type Page struct {
	Events   []Event
	Forward  Token
	Backward Token
}

// maxResponseBytes bounds one GetLogEvents/FilterLogEvents response as AWS
// does (1 MB).
const maxResponseBytes = 1 << 20

// GetEvents reads a stream as GetLogEvents does: with no token from the head
// (fromHead) or the tail; with a token onwards in its direction. Events come
// back ascending. At the end, the token passed in comes back unchanged.
func (g *Group) GetEvents(stream string, w Window, tok Token, fromHead bool, limit int) (Page, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	st := g.streams[stream]
	if st == nil {
		return Page{}, noStream()
	}
	evs := st.events
	// the window as index bounds [lo, hi)
	lo := 0
	if w.HasStart {
		lo = sort.Search(len(evs), func(i int) bool { return evs[i].TS >= w.Start })
	}
	hi := len(evs)
	if w.HasEnd {
		hi = sort.Search(len(evs), func(i int) bool { return w.after(evs[i].TS) })
	}
	forward := fromHead
	switch tok.Dir {
	case Forward:
		forward = true
		if i := sort.Search(len(evs), func(i int) bool { return tok.Key.less(evs[i].key()) }); i > lo {
			lo = i
		}
	case Backward:
		forward = false
		if i := sort.Search(len(evs), func(i int) bool { return tok.Key.less(evs[i].key()) }); i < hi {
			hi = i
		}
	}
	var first, last int // the page is evs[first:last]
	if lo >= hi {
		first, last = lo, lo
		if !forward {
			first, last = hi, hi
		}
	} else if forward {
		first, last = lo, lo
		size := 0
		for last < hi && last-first < limit && size+len(evs[last].Msg)+eventOverhead <= maxResponseBytes {
			size += len(evs[last].Msg) + eventOverhead
			last++
		}
	} else {
		first, last = hi, hi
		size := 0
		for first > lo && last-first < limit && size+len(evs[first-1].Msg)+eventOverhead <= maxResponseBytes {
			size += len(evs[first-1].Msg) + eventOverhead
			first--
		}
	}
	p := Page{Events: append([]Event(nil), evs[first:last]...)}
	if len(p.Events) > 0 {
		p.Forward = Token{Forward, p.Events[len(p.Events)-1].key()}
		k := p.Events[0].key()
		p.Backward = Token{Backward, Key{k.TS, k.Seq - 1}}
		return p, nil
	}
	// nothing: both tokens stay where the read ended, so a reader that
	// passes a token back gets the same token (its signal to stop)
	if tok.Dir != NoToken {
		p.Forward, p.Backward = Token{Forward, tok.Key}, Token{Backward, tok.Key}
		return p, nil
	}
	var k Key
	if first > 0 {
		k = evs[first-1].key()
	} else if w.HasStart {
		k = Key{TS: w.Start}
	}
	p.Forward, p.Backward = Token{Forward, k}, Token{Backward, k}
	return p, nil
}

// FoundEvent is an event FilterEvents matched, with its stream.
type FoundEvent struct {
	Stream string
	Event
}

// FilterQuery is a FilterLogEvents request.
type FilterQuery struct {
	Streams []string // exact names; nil = all
	Prefix  string
	Window  Window
	After   Key // resume after this key (exclusive)
	Pattern *Pattern
	Limit   int
}

// FilterEvents searches a group's streams, interleaved by (timestamp,
// ingestion order). more says a next page exists.
func (g *Group) FilterEvents(q FilterQuery) (found []FoundEvent, searched []string, more bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	var streams []*Stream
	if q.Streams != nil {
		for _, n := range q.Streams {
			if st := g.streams[n]; st != nil {
				streams = append(streams, st)
			}
		}
	} else {
		for _, st := range g.streams {
			if strings.HasPrefix(st.Name, q.Prefix) {
				streams = append(streams, st)
			}
		}
	}
	sort.Slice(streams, func(i, j int) bool { return streams[i].Name < streams[j].Name })
	for _, st := range streams {
		searched = append(searched, st.Name)
		evs := st.events
		i := sort.Search(len(evs), func(i int) bool { return q.After.less(evs[i].key()) })
		if q.Window.HasStart {
			if j := sort.Search(len(evs), func(i int) bool { return evs[i].TS >= q.Window.Start }); j > i {
				i = j
			}
		}
		n := 0
		for ; i < len(evs) && !q.Window.after(evs[i].TS); i++ {
			if !q.Pattern.Match(evs[i].Msg) {
				continue
			}
			if n == q.Limit {
				more = true
				break
			}
			found = append(found, FoundEvent{Stream: st.Name, Event: evs[i]})
			n++
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].key().less(found[j].key()) })
	size := 0
	for i, f := range found {
		size += len(f.Msg) + eventOverhead
		if i == q.Limit || size > maxResponseBytes {
			found, more = found[:i], true
			break
		}
	}
	return found, searched, more
}

// FilterToken renders the resume position of FilterLogEvents opaquely.
func FilterToken(k Key) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(k.TS))
	binary.BigEndian.PutUint64(b[8:], k.Seq)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// ParseFilterToken reverses FilterToken.
func ParseFilterToken(s string) (Key, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 16 {
		return Key{}, badToken()
	}
	return Key{int64(binary.BigEndian.Uint64(b[:8])), binary.BigEndian.Uint64(b[8:])}, nil
}

// EventID is the eventId FilterLogEvents reports for an event.
func EventID(k Key) string {
	ts := k.TS
	if ts < 0 {
		ts = 0
	}
	return fmt.Sprintf("%020d%036d", ts, k.Seq)
}
