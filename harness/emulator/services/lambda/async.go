package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/lambda/runtime"
)

// Event invocations: queued per function, run by a few workers per
// function, retried on a function error (MaximumRetryAttempts of the
// event invoke config, else twice, as AWS does, with the delays scaled
// from minutes to seconds) and with backoff while throttled, until the
// event is older than MaximumEventAgeInSeconds (else 6 h). A finished
// event's record goes to its destinations or dead-letter queue
// (destination.go).
const (
	maxQueuedEvents       = 10000 // across functions; past it Invoke answers 429
	maxWorkersPerFunction = 4
	maxRetryDelay         = 30 * time.Second
)

type asyncEvent struct {
	region, name, qualifier string
	payload                 []byte
	requestID               string
	enqueued                time.Time
	attempts                int // failed runs so far
	throttles               int
	runs                    int            // runs of the function (approximateInvokeCount)
	last                    *attemptResult // what the last run (or throttle) produced
}

type eventQueue struct {
	events  []*asyncEvent
	workers int
}

type asyncQueue struct {
	s *Service

	mu        sync.Mutex
	queues    map[string]*eventQueue
	queued    int // events waiting or scheduled for a retry
	closed    bool
	retryBase time.Duration
	timers    map[*time.Timer]struct{}
	workers   sync.WaitGroup
	ctx       context.Context
	cancel    context.CancelFunc
	// invoke runs an event once on v (tests replace it); err is a
	// throttle, everything else is in the result.
	invoke func(ctx context.Context, ev *asyncEvent, v *Version, f *Function) (attemptResult, error)
}

func newAsyncQueue(s *Service) *asyncQueue {
	ctx, cancel := context.WithCancel(context.Background())
	q := &asyncQueue{s: s, queues: map[string]*eventQueue{}, retryBase: time.Second,
		timers: map[*time.Timer]struct{}{}, ctx: ctx, cancel: cancel}
	q.invoke = q.invokeOnce
	return q
}

func (q *asyncQueue) setRetryBase(d time.Duration) {
	q.mu.Lock()
	q.retryBase = d
	q.mu.Unlock()
}

// enqueue accepts an event; once it returns nil the event will run (or be
// retried) unless the function is deleted or the emulator stops.
func (q *asyncQueue) enqueue(region, name, qualifier string, payload []byte, requestID string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return errService.New("the emulator is shutting down")
	}
	if q.queued >= maxQueuedEvents {
		return throttled(reasonConcurrency)
	}
	q.queued++
	q.pushLocked(&asyncEvent{region: region, name: name, qualifier: qualifier, payload: payload, requestID: requestID, enqueued: q.s.env.Now()})
	return nil
}

func (q *asyncQueue) pushLocked(ev *asyncEvent) {
	key := ev.region + "/" + ev.name + ":" + ev.qualifier
	eq := q.queues[key]
	if eq == nil {
		eq = &eventQueue{}
		q.queues[key] = eq
	}
	eq.events = append(eq.events, ev)
	if eq.workers < maxWorkersPerFunction {
		eq.workers++
		q.workers.Add(1)
		go q.work(key, eq)
	}
}

// work runs the events of one function until its queue is empty.
func (q *asyncQueue) work(key string, eq *eventQueue) {
	defer q.workers.Done()
	for {
		q.mu.Lock()
		if q.closed || len(eq.events) == 0 {
			eq.workers--
			if eq.workers == 0 && len(eq.events) == 0 && q.queues[key] == eq {
				delete(q.queues, key)
			}
			q.mu.Unlock()
			return
		}
		ev := eq.events[0]
		eq.events[0] = nil
		eq.events = eq.events[1:]
		q.mu.Unlock()
		q.run(ev)
	}
}

// run invokes one event and schedules its retry when it failed, or sends
// its record once it is finished.
func (q *asyncQueue) run(ev *asyncEvent) {
	s := q.s
	v, f, err := s.store.Resolve(ev.region, ev.name, ev.qualifier)
	if err != nil {
		s.env.Log.Warn("lambda: dropping event for a deleted function", "function", ev.name, "requestId", ev.requestID)
		q.done()
		return
	}
	cfg := f.asyncConfig(ev.qualifier)
	if s.env.Now().Sub(ev.enqueued) > cfg.maxAge() {
		s.finish(ev, f, v, cfg, conditionEventAgeExceeded)
		q.done()
		return
	}
	res, err := q.invoke(q.ctx, ev, v, f)
	if err != nil { // throttled: retried until the event is too old
		ev.throttles++
		msg := err.Error()
		var ae *awsproto.Error
		if errors.As(err, &ae) {
			msg = ae.Message
		}
		ev.last = &attemptResult{statusCode: http.StatusTooManyRequests, errorMessage: msg}
		q.retry(ev, q.delay(ev.throttles))
		return
	}
	ev.runs++
	ev.last = &res
	if res.functionError == "" {
		s.finish(ev, f, v, cfg, conditionSuccess)
		q.done()
		return
	}
	ev.attempts++
	if ev.attempts > cfg.retries() {
		s.env.Log.Warn("lambda: event failed after retries", "function", ev.name, "requestId", ev.requestID, "attempts", ev.attempts)
		s.finish(ev, f, v, cfg, conditionRetriesExhausted)
		q.done()
		return
	}
	q.retry(ev, q.delay(ev.attempts))
}

// invokeOnce runs an event on the function's instances.
func (q *asyncQueue) invokeOnce(ctx context.Context, ev *asyncEvent, v *Version, f *Function) (attemptResult, error) {
	req := runtime.Request{RequestID: ev.requestID, Payload: ev.payload, TraceID: traceID("", ev.requestID)}
	res, rv, err := q.s.invokeSync(ctx, ev.region, ev.name, ev.qualifier, v, f, &req)
	switch {
	case isThrottle(err):
		return attemptResult{}, err
	case err != nil:
		// Lambda could not run it (the instance would not start…): a
		// failed run, retried like a function error.
		msg := err.Error()
		var ae *awsproto.Error
		if errors.As(err, &ae) {
			msg = ae.Message
		}
		p, _ := json.Marshal(map[string]string{"errorMessage": msg, "errorType": "ServiceException"})
		return attemptResult{statusCode: http.StatusOK, executedVersion: v.Name, functionError: "Unhandled", payload: p, errorMessage: msg}, nil
	}
	defer res.Release()
	out := attemptResult{statusCode: http.StatusOK, executedVersion: rv.Name, payload: append([]byte(nil), res.Payload...)}
	if res.Outcome != runtime.Succeeded {
		out.functionError = "Unhandled"
		out.errorMessage = errorMessageOf(res.Payload)
	}
	return out, nil
}

func isThrottle(err error) bool {
	var ae *awsproto.Error
	return errors.As(err, &ae) && ae.Code == errTooManyRequests.Name
}

// delay is the wait before retry n (1, 2, …): base, 2×base, 4×base …
func (q *asyncQueue) delay(n int) time.Duration {
	q.mu.Lock()
	d := q.retryBase
	q.mu.Unlock()
	for i := 1; i < n && d < maxRetryDelay; i++ {
		d *= 2
	}
	return min(d, maxRetryDelay)
}

// retry puts ev back on its queue after d, without holding a goroutine.
func (q *asyncQueue) retry(ev *asyncEvent, d time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		delete(q.timers, t)
		if !q.closed {
			q.pushLocked(ev)
		}
	})
	q.timers[t] = struct{}{}
}

func (q *asyncQueue) done() {
	q.mu.Lock()
	q.queued--
	q.mu.Unlock()
}

// reset drops every queued event (the functions are going away).
func (q *asyncQueue) reset() {
	q.mu.Lock()
	for t := range q.timers {
		if t.Stop() {
			q.queued--
		}
	}
	q.timers = map[*time.Timer]struct{}{}
	for _, eq := range q.queues {
		q.queued -= len(eq.events)
		eq.events = nil
	}
	q.mu.Unlock()
}

// close stops the workers (their current invocation is ended by the
// executor's Close) and drops what is still queued.
func (q *asyncQueue) close() {
	q.mu.Lock()
	q.closed = true
	for t := range q.timers {
		t.Stop()
	}
	q.timers = nil
	q.mu.Unlock()
	q.cancel()
}
