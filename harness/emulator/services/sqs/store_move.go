package sqs

import (
	"encoding/base64"
	"strconv"
	"sync"
	"time"
)

// Message move task statuses, as AWS spells them.
const (
	TaskRunning    = "RUNNING"
	TaskCompleted  = "COMPLETED"
	TaskCancelling = "CANCELLING"
	TaskCancelled  = "CANCELLED"
	TaskFailed     = "FAILED"
)

// MoveTask is a dead-letter queue redrive (StartMessageMoveTask).
type MoveTask struct {
	Handle, SourceARN, DestinationARN string
	Rate                              int // messages per second, 0: as fast as possible
	Started                           int64
	Status                            string
	Moved, ToMove                     int64
	FailureReason                     string
}

type moveTask struct {
	MoveTask
	cancel chan struct{}
	once   sync.Once
}

// moveTasks tracks running and finished tasks; every goroutine it starts
// is stopped by stopAll.
type moveTasks struct {
	mu       sync.Mutex
	byHandle map[string]*moveTask
	bySource map[string][]*moveTask // newest last
	wg       sync.WaitGroup
}

func (t *moveTasks) init() {
	t.byHandle = map[string]*moveTask{}
	t.bySource = map[string][]*moveTask{}
}

func (t *moveTasks) stopAll() {
	t.mu.Lock()
	for _, mt := range t.byHandle {
		mt.once.Do(func() { close(mt.cancel) })
	}
	t.mu.Unlock()
	t.wg.Wait()
	t.mu.Lock()
	t.init()
	t.mu.Unlock()
}

// cancelFor cancels the tasks moving out of or into a deleted queue.
func (t *moveTasks) cancelFor(arn string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, mt := range t.byHandle {
		if mt.SourceARN == arn || mt.DestinationARN == arn {
			mt.once.Do(func() { close(mt.cancel) })
		}
	}
}

// StartMoveTask starts moving the messages of a dead-letter queue back to
// destARN, or, when it is empty, to the queue each message came from.
func (s *Store) StartMoveTask(sourceARN, destARN string, rate int) (string, error) {
	src, err := s.QueueByARN(sourceARN)
	if err != nil {
		return "", errResourceNotFound.New("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	var dst *Queue
	if destARN != "" {
		if dst, err = s.QueueByARN(destARN); err != nil {
			return "", errResourceNotFound.New("The resource that you specified for the DestinationArn parameter doesn't exist.")
		}
	}
	if rate < 0 || rate > 500 {
		return "", errInvalidParameterValue.Errorf(msgParamInvalid, strconv.Itoa(rate), "MaxNumberOfMessagesPerSecond", "MaxNumberOfMessagesPerSecond must be between 1 and 500.")
	}
	if sources, _ := s.DeadLetterSources(src, "", 1); len(sources) == 0 {
		return "", errInvalidParameterValue.New("Source queue must be configured as a Dead Letter Queue.")
	}
	src.mu.Lock()
	src.advance(s.now())
	toMove := src.nVisible
	src.mu.Unlock()

	s.tasks.mu.Lock()
	defer s.tasks.mu.Unlock()
	for _, mt := range s.tasks.bySource[sourceARN] {
		if mt.Status == TaskRunning || mt.Status == TaskCancelling {
			return "", errUnsupportedOperation.New("There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
		}
	}
	id := s.newID()
	mt := &moveTask{cancel: make(chan struct{})}
	mt.MoveTask = MoveTask{
		Handle:    base64.StdEncoding.EncodeToString([]byte(`{"taskId":"` + id + `","sourceArn":"` + sourceARN + `"}`)),
		SourceARN: sourceARN, DestinationARN: destARN, Rate: rate,
		Started: s.now().UnixMilli(), Status: TaskRunning, ToMove: int64(toMove),
	}
	s.tasks.byHandle[mt.Handle] = mt
	s.tasks.bySource[sourceARN] = append(s.tasks.bySource[sourceARN], mt)
	s.tasks.wg.Add(1)
	go s.runMove(mt, src, dst)
	return mt.Handle, nil
}

func (s *Store) runMove(mt *moveTask, src, dst *Queue) {
	defer s.tasks.wg.Done()
	var tick *time.Ticker
	if mt.Rate > 0 {
		tick = time.NewTicker(time.Second / time.Duration(mt.Rate))
		defer tick.Stop()
	}
	finish := func(status, reason string) {
		s.tasks.mu.Lock()
		mt.Status, mt.FailureReason = status, reason
		s.tasks.mu.Unlock()
	}
	for moved := int64(0); moved < mt.ToMove; moved++ {
		if tick != nil {
			select {
			case <-tick.C:
			case <-mt.cancel:
				finish(TaskCancelled, "")
				return
			}
		} else {
			select {
			case <-mt.cancel:
				finish(TaskCancelled, "")
				return
			default:
			}
		}
		src.mu.Lock()
		src.advance(s.now())
		m := src.detachVisible()
		src.mu.Unlock()
		if m == nil {
			break
		}
		target := dst
		if target == nil {
			var origin string
			if m.x != nil {
				origin = m.x.dlqSource
			}
			q, err := s.QueueByARN(origin)
			if err != nil {
				// Nowhere to go: the message stays in the dead-letter queue.
				s.transfer(m, "", src, false)
				finish(TaskFailed, "CouldNotDetermineMessageSource")
				return
			}
			target = q
		}
		s.transfer(m, "", target, false)
		s.tasks.mu.Lock()
		mt.Moved++
		s.tasks.mu.Unlock()
	}
	finish(TaskCompleted, "")
}

// detachVisible removes and returns the first receivable message.
func (q *Queue) detachVisible() *message {
	var m *message
	if q.Fifo {
		if g := q.avail.head; g != nil {
			m = g.msgs.head
		}
	} else {
		m = q.ready.head
	}
	if m != nil {
		q.remove(m)
	}
	return m
}

// CancelMoveTask cancels a running task and returns how many messages it moved.
func (s *Store) CancelMoveTask(handle string) (int64, error) {
	s.tasks.mu.Lock()
	mt := s.tasks.byHandle[handle]
	if mt == nil {
		s.tasks.mu.Unlock()
		return 0, errResourceNotFound.New("Task does not exist.")
	}
	if mt.Status != TaskRunning {
		s.tasks.mu.Unlock()
		return 0, errUnsupportedOperation.New("Only active tasks can be cancelled.")
	}
	mt.Status = TaskCancelling
	mt.once.Do(func() { close(mt.cancel) })
	moved := mt.Moved
	s.tasks.mu.Unlock()
	return moved, nil
}

// MoveTasks lists the most recent tasks of a source queue, newest first.
func (s *Store) MoveTasks(sourceARN string, max int) ([]MoveTask, error) {
	if _, err := s.QueueByARN(sourceARN); err != nil {
		return nil, errResourceNotFound.New("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	if max <= 0 {
		max = 1
	}
	s.tasks.mu.Lock()
	defer s.tasks.mu.Unlock()
	list := s.tasks.bySource[sourceARN]
	var out []MoveTask
	for i := len(list) - 1; i >= 0 && len(out) < max; i-- {
		out = append(out, list[i].MoveTask)
	}
	return out, nil
}
