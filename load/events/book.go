package events

import (
	"sync"
	"time"

	"github.com/groundstack/groundstack/handlers/eventprobe/trace"
	"github.com/groundstack/groundstack/load/report"
)

// Book follows every event a run produced until it is seen: the events are
// registered before their producing call (a consumer may see one before the
// call's answer arrives) and each sighting is matched to its event by ID.
// Sightings of IDs the book never issued are counted as strays.
type Book struct {
	mu     sync.Mutex
	events map[string]*event
	strays int64
}

type event struct {
	tally     *Tally
	sent      time.Time // when the producing request was written (else when Expect was called, just before the call)
	accepted  time.Time // zero until the producing call answered 2xx
	failed    bool
	seen      time.Time // first sighting (zero until then)
	via       string
	sightings int
	seenCh    chan struct{} // closed at the first sighting
}

// NewBook returns an empty book.
func NewBook() *Book { return &Book{events: map[string]*event{}} }

// Tally is one path and phase's events: what the book counts for them.
type Tally struct {
	book *Book
	ids  []string
	// folded are the counts of events Fold forgot.
	folded *Counts
}

// NewTally starts counting a path and phase's events.
func (b *Book) NewTally() *Tally { return &Tally{book: b} }

// Expect registers an event about to be produced and returns a channel
// closed when it is first seen.
func (t *Tally) Expect(id string) <-chan struct{} {
	b := t.book
	b.mu.Lock()
	defer b.mu.Unlock()
	if e, ok := b.events[id]; ok {
		return e.seenCh
	}
	e := &event{tally: t, sent: time.Now(), seenCh: make(chan struct{})}
	b.events[id] = e
	t.ids = append(t.ids, id)
	return e.seenCh
}

// Sent records that id's producing request was written to the wire at at
// (the last attempt's, when the SDK retried).
func (t *Tally) Sent(id string, at time.Time) {
	t.book.mu.Lock()
	if e := t.book.events[id]; e != nil {
		e.sent = at
	}
	t.book.mu.Unlock()
}

// Accepted records that id's producing call answered 2xx at at.
func (t *Tally) Accepted(id string, at time.Time) {
	t.book.mu.Lock()
	if e := t.book.events[id]; e != nil {
		e.accepted = at
	}
	t.book.mu.Unlock()
}

// Failed records that id's producing call failed: it is not followed.
func (t *Tally) Failed(id string) {
	t.book.mu.Lock()
	if e := t.book.events[id]; e != nil {
		e.failed = true
	}
	t.book.mu.Unlock()
}

// Seen records the sightings of one report: each ID's consumer started at
// start.
func (b *Book) Seen(start time.Time, ss []trace.Sighting) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range ss {
		e := b.events[s.ID]
		if e == nil {
			b.strays++
			continue
		}
		e.sightings++
		if e.sightings == 1 {
			e.seen, e.via = start, s.Via
			close(e.seenCh)
		}
	}
}

// Strays is the number of sightings of IDs this book did not issue.
func (b *Book) Strays() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.strays
}

// Wait blocks until every accepted event of the tally is seen or its
// deadline (accepted + deadline) has passed, or done closes.
func (t *Tally) Wait(deadline time.Duration, done <-chan struct{}) {
	t.book.mu.Lock()
	type w struct {
		ch  <-chan struct{}
		due time.Time
	}
	var ws []w
	for _, id := range t.ids {
		e := t.book.events[id]
		if e.failed || e.sightings > 0 {
			continue
		}
		due := e.accepted
		if due.IsZero() {
			due = time.Now()
		}
		ws = append(ws, w{e.seenCh, due.Add(deadline)})
	}
	t.book.mu.Unlock()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for _, x := range ws {
		d := time.Until(x.due)
		if d <= 0 {
			select {
			case <-x.ch:
			default:
			}
			continue
		}
		timer.Reset(d)
		select {
		case <-x.ch:
		case <-timer.C:
		case <-done:
			return
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// Counts is a tally's figures.
type Counts struct {
	// Produced events; Accepted of them answered 2xx, Failed did not.
	Produced, Accepted, Failed int64
	// Seen accepted events; Lost accepted but never seen (by the time the
	// counts were taken, past the deadline); Duplicates are sightings
	// after the first; Early were seen before their call's answer came
	// back (recorded as 0).
	Seen, Lost, Duplicates, Early int64
	// Via counts the routes the events were seen through.
	Via map[string]int64
	// Freshness is seen − accepted of every seen event; FromSend is seen −
	// the moment the producing request was written to the wire (an upper
	// bound: the server's work and the answer's way back are in it).
	Freshness, FromSend *report.Hist
	// LostIDs are up to 10 of the lost events.
	LostIDs []string
}

// Counts takes the tally's figures now: accepted events not seen yet are
// lost. Events folded earlier (Fold) are included.
func (t *Tally) Counts() Counts {
	t.book.mu.Lock()
	defer t.book.mu.Unlock()
	c := newCounts()
	if t.folded != nil {
		c.add(t.folded)
	}
	for _, id := range t.ids {
		c.count(id, t.book.events[id])
	}
	return c
}

func newCounts() Counts {
	return Counts{Freshness: report.NewHist(), FromSend: report.NewHist(), Via: map[string]int64{}}
}

// count adds one event's fate.
func (c *Counts) count(id string, e *event) {
	c.Produced++
	if e.failed {
		c.Failed++
		return
	}
	if e.accepted.IsZero() {
		return // still under way (the run was stopped)
	}
	c.Accepted++
	if e.sightings == 0 {
		c.Lost++
		if len(c.LostIDs) < 10 {
			c.LostIDs = append(c.LostIDs, id)
		}
		return
	}
	c.Seen++
	c.Duplicates += int64(e.sightings - 1)
	c.Via[e.via]++
	d := e.seen.Sub(e.accepted)
	if d < 0 {
		c.Early++
		d = 0
	}
	c.Freshness.Record(d)
	c.FromSend.Record(max(e.seen.Sub(e.sent), 0))
}

// add adds another tally's counts.
func (c *Counts) add(o *Counts) {
	c.Produced += o.Produced
	c.Accepted += o.Accepted
	c.Failed += o.Failed
	c.Seen += o.Seen
	c.Lost += o.Lost
	c.Duplicates += o.Duplicates
	c.Early += o.Early
	for k, n := range o.Via {
		c.Via[k] += n
	}
	c.Freshness.Merge(o.Freshness)
	c.FromSend.Merge(o.FromSend)
	for _, id := range o.LostIDs {
		if len(c.LostIDs) < 10 {
			c.LostIDs = append(c.LostIDs, id)
		}
	}
}

// Fold settles the tally's events registered before cutoff whose call has
// answered: they are counted as Counts would count them now (unseen ones
// as lost) and forgotten, so a long run's book holds only its recent
// events. Sightings of a folded event come too late to count: they are
// strays. It returns how many events were folded.
func (t *Tally) Fold(cutoff time.Time) int {
	b := t.book
	b.mu.Lock()
	defer b.mu.Unlock()
	if t.folded == nil {
		c := newCounts()
		t.folded = &c
	}
	keep := t.ids[:0]
	n := 0
	for _, id := range t.ids {
		e := b.events[id]
		if !e.sent.Before(cutoff) || !e.failed && e.accepted.IsZero() {
			keep = append(keep, id)
			continue
		}
		t.folded.count(id, e)
		delete(b.events, id)
		n++
	}
	clear(t.ids[len(keep):])
	t.ids = keep
	return n
}

// into copies the counts into a path's figures: the achieved rate over
// producing seconds (when known), and a measured path that had no event
// accepted becomes failed, with the last producing error as its reason.
func (c Counts) into(e *report.EventPath, producing float64) {
	e.Produced, e.Accepted, e.Failed = c.Produced, c.Accepted, c.Failed
	e.Seen, e.Lost, e.Duplicates, e.Early = c.Seen, c.Lost, c.Duplicates, c.Early
	e.Via, e.Hist, e.FromSendHist, e.LostIDs = c.Via, c.Freshness, c.FromSend, c.LostIDs
	e.Summarize()
	if producing > 0 {
		e.AchievedRate = float64(e.Accepted) / producing
	}
	if e.Accepted == 0 && e.Status == StatusMeasured {
		e.Status = StatusFailed
		e.Reason = "no event was accepted"
		if e.LastError != "" {
			e.Reason += ": " + e.LastError
		}
	}
}
