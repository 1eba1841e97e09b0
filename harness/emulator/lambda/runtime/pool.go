package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// finishingGrace is how long an invocation waits for an instance that has
// just answered (and is about to ask for more work) before starting a new
// one: a client invoking in a loop keeps one warm instance, not two. On a
// loaded 2-core machine an instance took more than 250 ms between its
// answer and its next request, and a sequential invoke started a second,
// cold instance; a second of patience costs nothing when none is finishing.
const finishingGrace = time.Second

// Pool holds the instances of one function version.
type Pool struct {
	x  *Executor
	fn *Function

	mu        sync.Mutex
	idle      []*instance // most recently used last
	waiters   []*waiter   // FIFO
	all       map[*instance]struct{}
	total     int // instances alive or starting, counted against the cap
	finishing int
	retired   bool

	reaped sync.WaitGroup // one per spawned process

	zfitOnce sync.Once // whether its instances can fork from a zygote
	zfit     bool
}

type waiter struct{ ch chan grant }

// grant answers a waiter: an instance to use, leave to start one, or
// neither (the pool was retired).
type grant struct {
	inst  *instance
	spawn bool
}

// Function returns the version this pool runs.
func (p *Pool) Function() *Function { return p.fn }

func (p *Pool) capLocked() int {
	if p.fn.MaxConcurrency != nil {
		if r := p.fn.MaxConcurrency(); r >= 0 {
			return r
		}
		return math.MaxInt
	}
	return p.x.cfg.MaxInstances
}

// acquire returns an instance for one invocation: an idle one, one that is
// just finishing, or a new one (cold=true, not yet initialised).
func (p *Pool) acquire(ctx context.Context) (inst *instance, cold bool, err error) {
	patient := true // wait for finishing instances before spawning
	p.mu.Lock()
	for {
		if p.retired {
			p.mu.Unlock()
			return nil, false, ErrRetired
		}
		if n := len(p.idle); n > 0 {
			inst = p.idle[n-1]
			p.idle[n-1] = nil
			p.idle = p.idle[:n-1]
			inst.state = stBusy
			p.mu.Unlock()
			return inst, false, nil
		}
		limit := p.capLocked()
		awaitFinishing := patient && p.finishing > len(p.waiters)
		if p.total < limit && !awaitFinishing {
			p.total++
			p.mu.Unlock()
			return p.spawnCounted()
		}
		w := &waiter{ch: make(chan grant, 1)}
		p.waiters = append(p.waiters, w)
		useGrace := awaitFinishing && p.total < limit
		p.mu.Unlock()

		var grace <-chan time.Time
		var t *time.Timer
		if useGrace {
			t = time.NewTimer(finishingGrace)
			grace = t.C
		}
		select {
		case g := <-w.ch:
			stopTimer(t)
			return p.take(g)
		case <-grace:
			p.mu.Lock()
			if p.dropWaiterLocked(w) {
				patient = false
				continue // still nobody: start one
			}
			p.mu.Unlock()
			return p.take(<-w.ch)
		case <-ctx.Done():
			stopTimer(t)
			p.mu.Lock()
			if p.dropWaiterLocked(w) {
				p.mu.Unlock()
				return nil, false, ctx.Err()
			}
			p.mu.Unlock()
			p.giveBack(<-w.ch)
			return nil, false, ctx.Err()
		}
	}
}

func stopTimer(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}

func (p *Pool) take(g grant) (*instance, bool, error) {
	switch {
	case g.inst != nil:
		return g.inst, false, nil
	case g.spawn:
		return p.spawnCounted()
	default:
		return nil, false, ErrRetired
	}
}

// spawnCounted starts an instance whose slot (p.total) is already taken.
func (p *Pool) spawnCounted() (*instance, bool, error) {
	inst, err := p.spawn()
	if err != nil {
		p.mu.Lock()
		p.total--
		p.wakeSpawnersLocked()
		p.mu.Unlock()
		return nil, true, err
	}
	return inst, true, nil
}

// giveBack returns a grant nobody will use.
func (p *Pool) giveBack(g grant) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case g.inst != nil:
		if !p.parkLocked(g.inst) {
			go g.inst.kill()
		}
	case g.spawn:
		p.total--
		p.wakeSpawnersLocked()
	}
}

func (p *Pool) dropWaiterLocked(w *waiter) bool {
	for i, x := range p.waiters {
		if x == w {
			p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
			return true
		}
	}
	return false
}

// parkLocked makes a ready instance available: to the first waiter, else
// to the idle list. It reports false when the instance should stop.
func (p *Pool) parkLocked(inst *instance) bool {
	if p.retired || inst.state == stStopping {
		inst.state = stStopping
		return false
	}
	if len(p.waiters) > 0 {
		w := p.waiters[0]
		p.waiters = p.waiters[1:]
		inst.state = stBusy
		w.ch <- grant{inst: inst}
		return true
	}
	inst.state = stIdle
	inst.idleSince = time.Now()
	p.idle = append(p.idle, inst)
	return true
}

// wakeSpawnersLocked lets waiters start instances while there is room and
// no finishing instance will serve them.
func (p *Pool) wakeSpawnersLocked() {
	for !p.retired && len(p.waiters) > p.finishing && p.total < p.capLocked() {
		w := p.waiters[0]
		p.waiters = p.waiters[1:]
		p.total++
		w.ch <- grant{spawn: true}
	}
}

// runtimeReady is called when the runtime asks for work (/next). It
// reports false when the instance must stop instead.
func (p *Pool) runtimeReady(inst *instance) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch inst.state {
	case stStarting:
		inst.readyAt = time.Now()
		if inst.abandoned {
			if !p.parkLocked(inst) {
				go inst.kill()
				return false
			}
			return true
		}
		inst.state = stBusy // reserved for the invocation that started it
		close(inst.ready)
		return true
	case stFinishing:
		p.finishing--
		if !p.parkLocked(inst) {
			go inst.kill()
			return false
		}
		return true
	case stStopping:
		return false
	default:
		return true // a repeated /next: keep waiting
	}
}

// runtimeAnswered is called when the runtime posted an invocation's
// answer: the instance will ask for more work in a moment.
func (p *Pool) runtimeAnswered(inst *instance) {
	p.mu.Lock()
	if inst.state == stBusy {
		inst.state = stFinishing
		p.finishing++
	}
	p.mu.Unlock()
}

// gone removes a reaped instance.
func (p *Pool) gone(inst *instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch inst.state {
	case stIdle:
		for i, x := range p.idle {
			if x == inst {
				p.idle = append(p.idle[:i], p.idle[i+1:]...)
				break
			}
		}
	case stFinishing:
		p.finishing--
	}
	inst.state = stStopping
	if _, ok := p.all[inst]; ok {
		delete(p.all, inst)
		p.total--
	}
	p.wakeSpawnersLocked()
	if p.retired && len(p.all) == 0 {
		p.x.forget(p)
	}
}

// Retire takes the pool out of service: idle instances stop now, busy ones
// when their invocation ends (or now, with kill).
func (p *Pool) Retire(kill bool) {
	p.mu.Lock()
	p.retired = true
	waiters := p.waiters
	p.waiters = nil
	var stop []*instance
	for inst := range p.all {
		if kill || inst.state == stIdle || inst.state == stStarting && inst.abandoned {
			inst.state = stStopping
			stop = append(stop, inst)
		}
	}
	p.idle = nil
	empty := len(p.all) == 0
	p.mu.Unlock()
	for _, w := range waiters {
		w.ch <- grant{}
	}
	for _, inst := range stop {
		inst.kill()
	}
	if empty {
		p.x.forget(p)
	}
}

// wait blocks until every process of the pool is reaped.
func (p *Pool) wait() { p.reaped.Wait() }

// PIDs lists the process IDs of the pool's live instances (tests and
// benchmarks count them).
func (p *Pool) PIDs() []int { return p.pids() }

func (p *Pool) pids() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]int, 0, len(p.all))
	for inst := range p.all {
		out = append(out, inst.pid)
	}
	return out
}

// stopIdleSince stops instances idle since before cutoff.
func (p *Pool) stopIdleSince(cutoff time.Time) {
	p.mu.Lock()
	var stop []*instance
	kept := p.idle[:0]
	for _, inst := range p.idle {
		if inst.idleSince.Before(cutoff) {
			inst.state = stStopping
			stop = append(stop, inst)
		} else {
			kept = append(kept, inst)
		}
	}
	for i := len(kept); i < len(p.idle); i++ {
		p.idle[i] = nil
	}
	p.idle = kept
	p.mu.Unlock()
	for _, inst := range stop {
		inst.kill()
	}
}

// Invoke runs req on an instance of the pool and returns what it
// produced. Function failures (errors, timeouts, crashes, init failures)
// are Results, not errors; errors are ErrRetired, ErrClosed or ctx's.
// req.Payload must stay untouched until Invoke returns.
func (p *Pool) Invoke(ctx context.Context, req *Request) (*Result, error) {
	for attempt := 0; ; attempt++ {
		inst, cold, err := p.acquire(ctx)
		if err != nil {
			var se *spawnError
			if errors.As(err, &se) {
				return p.spawnFailed(req, se), nil
			}
			return nil, err
		}
		var initDur, bootDur time.Duration
		if cold {
			res, err := p.awaitInit(ctx, inst, req, p.fault(cloud.PlaneColdStart))
			if err != nil || res != nil {
				return res, err
			}
			p.mu.Lock()
			initDur = inst.readyAt.Sub(inst.started)
			p.mu.Unlock()
			bootDur = initDur
		}
		res, redo := p.run(inst, req, initDur)
		if redo && attempt < 3 {
			continue // the instance died before it saw req: use another
		}
		if res != nil {
			res.Cold = cold
			res.InitDuration = initDur
			res.BootstrapStart = bootDur
		}
		return res, nil
	}
}

// fault asks the fault rules about an event of the pool's function.
func (p *Pool) fault(plane string) *cloud.FaultHit {
	if f := p.x.cfg.Fault; f != nil {
		return f(plane, p.fn)
	}
	return nil
}

// awaitInit waits for a new instance's first /next. It returns a Result
// when init failed. A cold-start fault (hit) makes the init take its delay
// longer, as a slow init would (the init timeout still applies), and then,
// with Crash, kills the process before it is ready: the invocation sees a
// runtime that exited during init.
func (p *Pool) awaitInit(ctx context.Context, inst *instance, req *Request, hit *cloud.FaultHit) (*Result, error) {
	initTimeout := time.Duration(p.x.initTimeout.Load())
	t := time.NewTimer(initTimeout)
	defer t.Stop()
	ready := inst.ready
	var delayed <-chan time.Time // the fault's delay is running
	if hit != nil && hit.Delay > 0 {
		d := time.NewTimer(hit.Delay)
		defer d.Stop()
		delayed, ready = d.C, nil
	} else if hit != nil && hit.Crash {
		inst.kill()
		ready = nil
	}
	var fail Result
	for waiting := true; waiting; {
		waiting = false
		select {
		case <-delayed:
			delayed, waiting = nil, true
			if hit.Crash {
				inst.kill()
			} else {
				ready = inst.ready
			}
		case <-ready:
			if hit != nil && hit.Delay > 0 {
				p.mu.Lock()
				inst.readyAt = time.Now() // the delay was part of the init
				p.mu.Unlock()
			}
			return nil, nil
		case <-inst.initFailed:
			inst.mu.Lock()
			doc := inst.initErr
			inst.mu.Unlock()
			fail = Result{Outcome: InitFailed, Payload: doc, ErrorType: errorTypeOf(doc)}
			inst.kill()
		case <-inst.exited:
			// Wait for the reader to see EOF: a crash's last words matter.
			select {
			case <-inst.logs.done:
			case <-time.After(200 * time.Millisecond):
			}
			fail = errorResult(InitFailed, inst.exitErrorType(),
				"RequestId: "+req.RequestID+" Error: Runtime exited with error: "+exitText(inst.exitErr))
		case <-t.C:
			inst.kill()
			fail = errorResult(InitFailed, "Runtime.Unknown",
				"RequestId: "+req.RequestID+" Error: Runtime failed to start: the runtime did not ask for an invocation within "+
					seconds(initTimeout)+" seconds")
		case <-ctx.Done():
			p.mu.Lock()
			if inst.state == stStarting {
				inst.abandoned = true
				p.mu.Unlock()
			} else {
				// It became ready just now and is ours: hand it on.
				if !p.parkLocked(inst) {
					go inst.kill()
				}
				p.mu.Unlock()
			}
			return nil, ctx.Err()
		}
	}
	initDur := time.Since(inst.started)
	status := "error"
	if fail.ErrorType == "Runtime.Unknown" && fail.Outcome == InitFailed {
		status = "timeout"
	}
	logs := p.newLogs(inst.stream, req.Tail)
	// The instance is dying: take its init lines as they are now.
	inst.logs.mu.Lock()
	inst.pending.moveTo(logs)
	inst.logs.mu.Unlock()
	now := p.x.cfg.Now()
	logs.addString(now, "INIT_REPORT Init Duration: "+millis(initDur)+" ms\tPhase: init\tStatus: "+status+"\tError Type: "+fail.ErrorType)
	p.finishFailedLogs(logs, req, &fail, initDur, now)
	fail.Cold = true
	fail.InitDuration = initDur
	return &fail, nil
}

// spawnFailed is the result of an instance that could not even start.
func (p *Pool) spawnFailed(req *Request, se *spawnError) *Result {
	res := errorResult(InitFailed, se.typ, "RequestId: "+req.RequestID+" Error: "+se.msg)
	logs := p.newLogs(p.x.cfg.Now().UTC().Format("2006/01/02")+"/["+p.fn.Version+"]"+newInstanceID(), req.Tail)
	now := p.x.cfg.Now()
	logs.addString(now, "INIT_REPORT Init Duration: 0.00 ms\tPhase: init\tStatus: error\tError Type: "+se.typ)
	p.finishFailedLogs(logs, req, &res, 0, now)
	res.Cold = true
	return &res
}

// finishFailedLogs writes the START/error/END/REPORT lines of an
// invocation that never ran and sends them.
func (p *Pool) finishFailedLogs(logs *logBuffer, req *Request, res *Result, initDur time.Duration, now time.Time) {
	logs.addString(now, "START RequestId: "+req.RequestID+" Version: "+p.fn.Version)
	msg := errorMessageOf(res.Payload)
	logs.addString(now, msg)
	logs.addString(now, res.ErrorType)
	logs.addString(now, "END RequestId: "+req.RequestID)
	logs.addString(now, "REPORT RequestId: "+req.RequestID+"\tDuration: "+millis(initDur)+" ms\tBilled Duration: "+
		strconv.Itoa(billedMillis(initDur))+" ms\tMemory Size: "+strconv.Itoa(p.fn.MemoryMB)+" MB\tMax Memory Used: 0 MB\tStatus: error\tError Type: "+res.ErrorType)
	p.sendLogs(logs, res)
}

func (p *Pool) newLogs(stream string, tail bool) *logBuffer {
	b := &logBuffer{wantTail: tail}
	if w := p.x.cfg.Logs(); w != nil {
		b.keep = true
		region, group := p.fn.Region, p.fn.LogGroup
		b.flush = func(ev []cloud.LogEvent) { w.WriteLogs(region, group, stream, ev) }
	}
	return b
}

// sendLogs hands the invocation's remaining events to CloudWatch and its
// tail to the result.
func (p *Pool) sendLogs(logs *logBuffer, res *Result) {
	if logs.wantTail {
		res.LogTail = append([]byte(nil), lastTail(logs.tail)...)
	}
	if logs.keep && len(logs.events) > 0 && logs.flush != nil {
		logs.flush(logs.events)
		logs.events = nil
	}
}

// run gives req to a ready instance and waits for the outcome. redo means
// the instance died before it received req.
func (p *Pool) run(inst *instance, req *Request, initDur time.Duration) (*Result, bool) {
	fn := p.fn
	inv := &invocation{req: req, done: make(chan struct{})}
	inv.logs = p.newLogs(inst.stream, req.Tail)
	hit := p.fault(cloud.PlaneInvoke)
	inv.crash = hit != nil && hit.Crash
	inv.start = time.Now()
	inv.deadline = inv.start.Add(fn.Timeout)
	timer := time.AfterFunc(fn.Timeout, func() {
		res := errorResult(TimedOut, "Sandbox.Timedout",
			"RequestId: "+req.RequestID+" Error: Task timed out after "+seconds(fn.Timeout)+" seconds")
		if inst.complete(inv, res) {
			inst.kill()
		}
	})
	if hit != nil && hit.Delay > 0 {
		// An invoke fault's delay runs on the invocation's clock, as a
		// slow handler's would: the timeout can end it.
		d := time.NewTimer(hit.Delay)
		select {
		case <-d.C:
		case <-inv.done:
		case <-inst.exited:
		}
		d.Stop()
	}
	if inv.state.Load() == invQueued {
		select {
		case inst.invokes <- inv:
		default:
			// Only the instance's owner sends, and a live instance has
			// taken the previous one; a full slot means the instance is
			// broken.
			timer.Stop()
			inst.kill()
			return nil, true
		}
	}
	select {
	case <-inv.done:
	case <-inst.exited:
		if inv.state.Load() == invQueued {
			if inst.complete(inv, Result{Outcome: notStarted}) {
				timer.Stop()
				return nil, true
			}
		}
		inst.complete(inv, inst.exitResult(inv))
		<-inv.done
	}
	timer.Stop()
	if inv.res.Outcome == notStarted {
		return nil, true
	}
	inv.writing.Wait()
	dur := time.Since(inv.start)
	res := inv.res
	res.Duration = dur
	now := p.x.cfg.Now()
	logs := inv.logs
	switch res.Outcome {
	case TimedOut:
		logs.addString(now, now.UTC().Format("2006-01-02T15:04:05.000Z")+" "+req.RequestID+" Task timed out after "+seconds(fn.Timeout)+" seconds")
	case Crashed, TooLarge:
		logs.addString(now, errorMessageOf(res.Payload))
		logs.addString(now, res.ErrorType)
	}
	if logs.dropped > 0 {
		logs.addString(now, "[groundstack] "+strconv.Itoa(logs.dropped)+" log lines of this invocation were dropped (over "+strconv.Itoa(maxInvocationLogBytes>>20)+" MB)")
	}
	logs.addString(now, "END RequestId: "+req.RequestID)
	if logs.keep || logs.wantTail {
		report := "REPORT RequestId: " + req.RequestID + "\tDuration: " + millis(dur) + " ms\tBilled Duration: " +
			strconv.Itoa(billedMillis(dur)+billedMillis(initDur)) + " ms\tMemory Size: " + strconv.Itoa(fn.MemoryMB) +
			" MB\tMax Memory Used: " + strconv.Itoa(inst.maxMemoryMB()) + " MB\t"
		if initDur > 0 {
			report += "Init Duration: " + millis(initDur) + " ms\t"
		}
		switch res.Outcome {
		case TimedOut:
			report += "Status: timeout"
		case Crashed, TooLarge:
			report += "Status: error\tError Type: " + res.ErrorType
		}
		logs.addString(now, report)
	}
	p.sendLogs(logs, &res)
	return &res, false
}

func errorMessageOf(doc []byte) string {
	var e struct {
		Message string `json:"errorMessage"`
	}
	_ = json.Unmarshal(doc, &e)
	return e.Message
}

// seconds formats d as AWS's timeout messages do ("3.00").
func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) }

func millis(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64)
}

func billedMillis(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int(math.Ceil(float64(d) / float64(time.Millisecond)))
}
