package sqs

import (
	"sync"
	"sync/atomic"
	"time"
)

// Queue is one queue: its attributes and its messages behind its own lock.
//
// Messages live in intrusive lists so that every operation a consumer makes
// costs O(1) (or O(log n) for the timer heap), however deep the queue:
//   - age: every message in enqueue order (retention expiry, purge);
//   - ready (standard queues): the visible messages, in order;
//   - groups (FIFO): each group's messages in sequence order, and avail,
//     the groups whose head may be received (nothing of the group in flight);
//   - timers: delayed and in-flight messages by the time they become visible.
type Queue struct {
	Name, Region, ARN string
	Fifo              bool

	uid   uint64
	store *Store

	mu                        sync.Mutex
	cfg                       queueConfig
	created, modified, purged time.Time
	tags                      map[string]string
	deleted                   atomic.Bool // read without the lock by queues naming this one their DLQ

	byID   map[uint64]*message
	n      uint64 // internal message numbers, also the FIFO sequence
	nonce  uint64 // receipt handle nonces
	age    ageList
	ready  readyList
	timers timerHeap
	groups map[string]*group
	avail  groupList
	dedup  map[string]*dedupEntry
	dedupQ []*dedupEntry // by expiry (times only grow)
	// attempts are FIFO receives by ReceiveRequestAttemptId.
	attempts map[string]*receiveAttempt

	nVisible, nDelayed, nInflight int

	// wake is closed (and cleared) when a message becomes receivable;
	// created only when someone waits.
	wake chan struct{}
}

type msgState uint8

const (
	stVisible msgState = iota
	stDelayed
	stInflight
)

// message is one stored message. Rare members live in *extra so a plain
// 1 KB message costs ~1.3 KB of memory in all.
type message struct {
	n         uint64
	id        string
	body      string
	md5Body   [16]byte
	enq       int64 // enqueue time (ns), for retention
	sent      int64 // SentTimestamp (ms)
	firstRecv int64 // ms, 0 before the first receive
	visibleAt int64 // ns
	receipt   uint64
	recvCount int32
	heapIdx   int32
	state     msgState
	group     *group
	x         *extra

	age   links[message]
	ready links[message] // the queue's ready list or the group's messages
}

// extra holds what most messages lack.
type extra struct {
	attrs     []MessageAttribute
	md5Attrs  string
	md5Sys    string
	trace     string
	groupID   string
	dedupID   string
	seq       string
	dlqSource string // the queue a dead-letter message came from
	senderID  string
}

// group is a FIFO message group.
type group struct {
	id       string
	msgs     readyList
	inflight int
	inAvail  bool
	avail    links[group]
}

type dedupEntry struct {
	key     string
	id, seq string
	expires int64
}

// ---- lists

// links is an element's place in one intrusive doubly linked list.
type links[T any] struct{ next, prev *T }

// linker picks which of an element's links a list threads through.
type linker[T any] interface{ of(*T) *links[T] }

// dlist is an intrusive doubly linked list through the links L picks:
// O(1) push and unlink with no allocation.
type dlist[T any, L linker[T]] struct{ head, tail *T }

func (l *dlist[T, L]) push(x *T) {
	var by L
	n := by.of(x)
	n.prev, n.next = l.tail, nil
	if l.tail != nil {
		by.of(l.tail).next = x
	} else {
		l.head = x
	}
	l.tail = x
}

func (l *dlist[T, L]) unlink(x *T) {
	var by L
	n := by.of(x)
	if n.prev != nil {
		by.of(n.prev).next = n.next
	} else {
		l.head = n.next
	}
	if n.next != nil {
		by.of(n.next).prev = n.prev
	} else {
		l.tail = n.prev
	}
	n.next, n.prev = nil, nil
}

type byAge struct{}   // every message of a queue, oldest first (retention)
type byReady struct{} // a standard queue's visible messages, or one FIFO group's messages
type byAvail struct{} // FIFO groups with a deliverable head

func (byAge) of(m *message) *links[message]   { return &m.age }
func (byReady) of(m *message) *links[message] { return &m.ready }
func (byAvail) of(g *group) *links[group]     { return &g.avail }

// The lists reach their linkers only through type parameters, which
// staticcheck does not follow.
var (
	_ linker[message] = byAge{}
	_ linker[message] = byReady{}
	_ linker[group]   = byAvail{}
)

type (
	ageList   = dlist[message, byAge]
	readyList = dlist[message, byReady]
)

// groupList is the FIFO groups available to a receive.
type groupList struct{ dlist[group, byAvail] }

func (l *groupList) push(g *group) {
	l.dlist.push(g)
	g.inAvail = true
}

func (l *groupList) unlink(g *group) {
	l.dlist.unlink(g)
	g.inAvail = false
}

// timerHeap orders delayed and in-flight messages by visibleAt.
type timerHeap struct {
	q     *Queue
	items []*message
}

func (h *timerHeap) less(i, j int) bool { return h.items[i].visibleAt < h.items[j].visibleAt }

func (h *timerHeap) swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].heapIdx = int32(i)
	h.items[j].heapIdx = int32(j)
}

func (h *timerHeap) up(j int) {
	for {
		i := (j - 1) / 2
		if i == j || !h.less(j, i) {
			break
		}
		h.swap(i, j)
		j = i
	}
}

func (h *timerHeap) down(i0 int) bool {
	i, n := i0, len(h.items)
	for {
		j1 := 2*i + 1
		if j1 >= n || j1 < 0 {
			break
		}
		j := j1
		if j2 := j1 + 1; j2 < n && h.less(j2, j1) {
			j = j2
		}
		if !h.less(j, i) {
			break
		}
		h.swap(i, j)
		i = j
	}
	return i > i0
}

func (h *timerHeap) push(m *message) {
	m.heapIdx = int32(len(h.items))
	h.items = append(h.items, m)
	h.up(len(h.items) - 1)
}

func (h *timerHeap) remove(m *message) {
	i := int(m.heapIdx)
	n := len(h.items) - 1
	if i != n {
		h.swap(i, n)
	}
	h.items[n] = nil
	h.items = h.items[:n]
	if i != n && !h.down(i) {
		h.up(i)
	}
	m.heapIdx = -1
	if cap(h.items) > 1024 && len(h.items) < cap(h.items)/4 {
		h.items = append([]*message(nil), h.items...)
	}
}

func (h *timerHeap) fix(m *message) {
	i := int(m.heapIdx)
	if !h.down(i) {
		h.up(i)
	}
}

func (h *timerHeap) peek() *message {
	if len(h.items) == 0 {
		return nil
	}
	return h.items[0]
}
