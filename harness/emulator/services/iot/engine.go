package iot

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"sync"
	"sync/atomic"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/mqtt"
)

const (
	engineWorkers = 4
	engineQueue   = 4096 // messages waiting for their rules' actions
)

// engine runs topic rules: the broker hands it every accepted message; the
// rules whose FROM filter matches are queued with it, and workers evaluate
// WHERE and SELECT and run the actions (the error action when one fails).
// A full queue slows publishers down (nothing acknowledged is lost), except
// for messages rules republished, which are dropped and counted so a rule
// republishing to its own topic cannot wedge the engine.
type engine struct {
	env    *cloud.Env
	store  *Store
	queue  chan job
	stop   chan struct{}
	wg     sync.WaitGroup
	remove func()
	once   sync.Once

	matched, failed, dropped atomic.Int64
}

type job struct {
	rules []*rule
	msg   *message
}

// EngineStats count what the rules engine did.
type EngineStats struct {
	// Matched counts (rule, message) pairs whose SELECT and WHERE ran.
	Matched int64
	// Failed counts failed actions; Dropped, republished messages dropped
	// because the engine's queue was full.
	Failed, Dropped int64
}

func newEngine(env *cloud.Env, store *Store) *engine {
	e := &engine{env: env, store: store, queue: make(chan job, engineQueue), stop: make(chan struct{})}
	b, ok := env.Links.Get(cloud.LinkMQTT).(cloud.MessageBroker)
	if !ok {
		return e
	}
	for range engineWorkers {
		e.wg.Add(1)
		go e.work()
	}
	e.remove = b.Observe(e.observe)
	return e
}

func (e *engine) stats() EngineStats {
	return EngineStats{Matched: e.matched.Load(), Failed: e.failed.Load(), Dropped: e.dropped.Load()}
}

// basicIngest is the topic prefix that reaches one rule directly.
const basicIngest = "$aws/rules/"

func (e *engine) observe(bm cloud.BrokerMessage) {
	rules := e.store.activeRules()
	if len(rules) == 0 {
		return
	}
	var hit []*rule
	topic := bm.Topic
	if len(topic) > len(basicIngest) && topic[:len(basicIngest)] == basicIngest {
		// $aws/rules/<name>/<topic>: that rule alone, topic() is the rest
		name, rest, _ := cut(topic[len(basicIngest):])
		for _, r := range rules {
			if r.name == name {
				hit = append(hit, r)
			}
		}
		topic = rest
	} else {
		for _, r := range rules {
			if mqtt.MatchTopic(r.q.topic, topic) {
				hit = append(hit, r)
			}
		}
	}
	if len(hit) == 0 {
		return
	}
	j := job{rules: hit, msg: newMessage(topic, bm.ClientID, bm.Payload, bm.Time)}
	if bm.ClientID == cloud.RulesClientID {
		select {
		case e.queue <- j:
		default:
			e.dropped.Add(1)
			e.env.Log.Warn("iot rules: queue full, dropped a republished message", "topic", bm.Topic)
		}
		return
	}
	select {
	case e.queue <- j:
	case <-e.stop:
	}
}

func cut(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func (e *engine) work() {
	defer e.wg.Done()
	ctx := context.Background()
	for {
		select {
		case <-e.stop:
			return
		case j := <-e.queue:
			for _, r := range j.rules {
				e.apply(ctx, r, j.msg)
			}
		}
	}
}

// apply runs one rule on one message.
func (e *engine) apply(ctx context.Context, r *rule, m *message) {
	if !r.q.matches(m) {
		return
	}
	e.matched.Add(1)
	out, isJSON := r.q.project(m)
	var failures []map[string]string
	for i := range r.actions {
		a := &r.actions[i]
		if err := e.run(ctx, r, a, m, out, isJSON); err != nil {
			e.failed.Add(1)
			e.env.Log.Warn("iot rule action failed", "rule", r.name, "action", a.kind, "error", err)
			failures = append(failures, map[string]string{"failedAction": a.failedAction(), "failedResource": a.resource(), "errorMessage": err.Error()})
		}
	}
	if len(failures) == 0 || r.errorAction == nil {
		return
	}
	report := map[string]any{
		"ruleName":              r.name,
		"topic":                 m.topic,
		"cloudwatchTraceId":     e.env.NewID(),
		"clientId":              m.clientID,
		"base64OriginalPayload": base64.StdEncoding.EncodeToString(m.payload),
		"failures":              failures,
	}
	b, _ := json.Marshal(report)
	if err := e.run(ctx, r, r.errorAction, m, b, true); err != nil {
		e.failed.Add(1)
		e.env.Log.Warn("iot rule error action failed", "rule", r.name, "action", r.errorAction.kind, "error", err)
	}
}

func (e *engine) close() {
	e.once.Do(func() {
		if e.remove != nil {
			e.remove()
		}
		close(e.stop)
		e.wg.Wait()
	})
}
