package dynamodb

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Stream retention: records live 24 hours, and a stream keeps at most
// maxStreamRecords of them (the oldest are trimmed first).
const (
	streamRetention  = 24 * time.Hour
	maxStreamRecords = 1_000_000
	iteratorLifetime = 15 * time.Minute
	maxGetRecords    = 1000
)

type eventKind uint8

const (
	eventInsert eventKind = iota + 1
	eventModify
	eventRemove
)

func (k eventKind) String() string {
	switch k {
	case eventInsert:
		return "INSERT"
	case eventModify:
		return "MODIFY"
	}
	return "REMOVE"
}

// streamRecord is one change of one item. Images share the stored item
// bytes, which are immutable.
type streamRecord struct {
	seq      uint64
	at       time.Time
	eventID  string
	kind     eventKind
	keys     []byte
	newImage []byte
	oldImage []byte
	size     int
	byTTL    bool
}

// SequenceNumber returns the record's sequence number as AWS prints them:
// a numeric string of fixed width, so text order is numeric order.
func (r *streamRecord) SequenceNumber() string { return formatSeq(r.seq) }

func formatSeq(n uint64) string { return fmt.Sprintf("1%020d", n) }

// parseSeq reads a sequence number printed by formatSeq.
func parseSeq(s string) (uint64, bool) {
	if len(s) != 21 || s[0] != '1' {
		return 0, false
	}
	var n uint64
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

// eventID shapes an ID source's UUID like AWS's stream event IDs (32 hex).
func eventID(uuid string) string { return strings.ReplaceAll(uuid, "-", "") }

// stream is a table's change stream: one shard holding records in
// sequence order.
type stream struct {
	arn      string
	label    string
	table    string
	tableARN string
	region   string
	key      keyDef
	viewType string
	created  time.Time
	shardID  string
	startSeq uint64 // the shard's starting sequence number

	mu      sync.Mutex
	status  string // ENABLED or DISABLED
	closed  time.Time
	recs    []*streamRecord // recs[head:] are live, in sequence order
	head    int
	trimmed uint64 // highest sequence number dropped by retention
	notify  chan struct{}
}

func newStream(t *table, viewType string, now time.Time, startSeq uint64) *stream {
	label := now.UTC().Format("2006-01-02T15:04:05.000")
	return &stream{
		arn:      t.arn + "/stream/" + label,
		label:    label,
		table:    t.name,
		tableARN: t.arn,
		region:   t.region,
		key:      t.key,
		viewType: viewType,
		created:  now,
		shardID:  fmt.Sprintf("shardId-%020d-%s", now.UnixMilli(), eventID(t.store.env.NewID())[:8]),
		startSeq: startSeq,
		status:   "ENABLED",
		notify:   make(chan struct{}),
	}
}

// append adds a record (called with the table locked, so records are in
// write order) and wakes subscribers.
func (s *stream) append(r *streamRecord, now time.Time) {
	s.mu.Lock()
	s.trimLocked(now)
	s.recs = append(s.recs, r)
	ch := s.notify
	s.notify = make(chan struct{})
	s.mu.Unlock()
	close(ch)
}

// trimLocked drops records past retention or over the bound.
func (s *stream) trimLocked(now time.Time) {
	cut := now.Add(-streamRetention)
	for s.head < len(s.recs) && (len(s.recs)-s.head >= maxStreamRecords || s.recs[s.head].at.Before(cut)) {
		s.trimmed = s.recs[s.head].seq
		s.recs[s.head] = nil
		s.head++
	}
	if s.head > 1024 && s.head*2 > len(s.recs) {
		n := copy(s.recs, s.recs[s.head:])
		for i := n; i < len(s.recs); i++ {
			s.recs[i] = nil
		}
		s.recs = s.recs[:n]
		s.head = 0
	}
}

// disable closes the stream: it keeps its records but takes no new ones.
func (s *stream) disable(now time.Time) {
	s.mu.Lock()
	if s.status == "ENABLED" {
		s.status = "DISABLED"
		s.closed = now
	}
	ch := s.notify
	s.notify = make(chan struct{})
	s.mu.Unlock()
	close(ch)
}

// expired reports whether a disabled stream is past retention.
func (s *stream) expired(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status == "DISABLED" && now.Sub(s.closed) > streamRetention
}

// streamState is a consistent view of a stream's bounds.
type streamState struct {
	status   string
	first    uint64 // first live sequence number (0 when empty)
	last     uint64 // last sequence number (0 when none yet)
	trimmed  uint64
	closed   bool
	notifyCh <-chan struct{}
}

func (s *stream) state(now time.Time) streamState {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trimLocked(now)
	st := streamState{status: s.status, trimmed: s.trimmed, closed: s.status != "ENABLED", notifyCh: s.notify}
	if s.head < len(s.recs) {
		st.first = s.recs[s.head].seq
		st.last = s.recs[len(s.recs)-1].seq
	} else {
		st.last = s.trimmed
	}
	return st
}

// read returns up to max records with sequence numbers greater than after,
// and whether after points at records already trimmed.
func (s *stream) read(after uint64, max int, now time.Time) (recs []*streamRecord, trimmed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trimLocked(now)
	if after < s.trimmed {
		return nil, true
	}
	live := s.recs[s.head:]
	i := sort.Search(len(live), func(i int) bool { return live[i].seq > after })
	end := i + max
	if end > len(live) {
		end = len(live)
	}
	return append([]*streamRecord(nil), live[i:end]...), false
}
