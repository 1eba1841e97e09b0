package esm

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Invoke runs the mapping's function synchronously with payload. An error
// means the function could not run (throttled, deleted, the service is
// stopping); a function that ran and failed returns a result whose
// FunctionError is set.
type Invoke func(ctx context.Context, payload []byte) (cloud.InvokeResult, error)

// Config is what a poller needs of its mapping.
type Config struct {
	UUID        string
	SourceARN   string
	FunctionARN string
	Region      string // the function's region, carried by every record

	BatchSize int
	Window    time.Duration // MaximumBatchingWindowInSeconds
	// ReportItemFailures is FunctionResponseTypes=[ReportBatchItemFailures].
	ReportItemFailures bool
	Filters            *Filters // nil: every record

	// SQS: the most batches in flight at once (≥ 1).
	MaxConcurrency int

	// DynamoDB Streams.
	StartingPosition string // TRIM_HORIZON | LATEST
	Resume           string // a position a stopped poller returned; "" starts at StartingPosition
	Bisect           bool
	MaxRetries       int           // -1: until the records expire
	MaxRecordAge     time.Duration // 0: never
	OnFailure        string        // an SQS queue or SNS topic ARN, or ""
	ShardID          string
}

// Links are the services a poller reaches.
type Links struct {
	Queues  cloud.Queues
	Streams cloud.StreamReader
	Invoke  Invoke
	// Deliver sends a stream failure record to a mapping's on-failure
	// destination (an SQS queue or SNS topic ARN); nil drops the records.
	Deliver func(destinationARN, body string) error
	// Fault asks the delivery fault rules about the next batch (nil: no
	// faults); its delay holds the batch before the function gets it.
	Fault func() *cloud.FaultHit
	// Report records the mapping's LastProcessingResult ("OK",
	// "PROBLEM: …").
	Report func(result string)
	Now    func() time.Time
	NewID  func() string
	Log    *slog.Logger
	// RetryDelay is the first wait before a failed batch is retried or a
	// failed poll repeated (doubling up to MaxRetryDelay); 0: 100 ms.
	RetryDelay    time.Duration
	MaxRetryDelay time.Duration // 0: 2 s
}

func (l *Links) fill() {
	if l.Now == nil {
		l.Now = time.Now
	}
	if l.NewID == nil {
		l.NewID = cloud.NewUUID
	}
	if l.Log == nil {
		l.Log = slog.New(slog.DiscardHandler)
	}
	if l.Report == nil {
		l.Report = func(string) {}
	}
	if l.RetryDelay <= 0 {
		l.RetryDelay = 100 * time.Millisecond
	}
	if l.MaxRetryDelay <= 0 {
		l.MaxRetryDelay = 2 * time.Second
	}
}

// deliveryDelay is how long a delivery fault holds the next batch.
func (l *Links) deliveryDelay() time.Duration {
	if l.Fault == nil {
		return 0
	}
	if hit := l.Fault(); hit != nil {
		return hit.Delay
	}
	return 0
}

// backoff returns the wait before retry n (1, 2, …).
func (l *Links) backoff(n int) time.Duration {
	d := l.RetryDelay
	for i := 1; i < n && d < l.MaxRetryDelay; i++ {
		d *= 2
	}
	return min(d, l.MaxRetryDelay)
}

// Processing results a mapping shows in LastProcessingResult.
const (
	ResultOK            = "OK"
	ResultNone          = "No records processed"
	ResultFunctionError = "PROBLEM: Function call failed"
)

// Poller is a running mapping. Stop ends it gracefully (an invocation in
// flight completes; a stream poller returns where to resume); Kill also
// cancels invocations in flight (the emulator is closing).
type Poller struct {
	poll, hard       context.Context
	stopPoll, stopHa context.CancelFunc
	wg               sync.WaitGroup

	mu       sync.Mutex
	position string
}

func newPoller() *Poller {
	p := &Poller{}
	p.hard, p.stopHa = context.WithCancel(context.Background())
	p.poll, p.stopPoll = context.WithCancel(p.hard)
	return p
}

// Stop stops polling, waits for the invocation in flight, and returns the
// position to resume a stream from ("" for a queue).
func (p *Poller) Stop() string {
	p.stopPoll()
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.position
}

// Kill stops at once, cancelling the invocation in flight, and waits for
// every goroutine of the poller.
func (p *Poller) Kill() string {
	p.stopHa()
	return p.Stop()
}

func (p *Poller) setPosition(pos string) {
	p.mu.Lock()
	p.position = pos
	p.mu.Unlock()
}

// sleep waits d unless the poller is stopping; false when it is.
func (p *Poller) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-p.poll.Done():
		return false
	}
}

// errorCode is the AWS error code of err ("" when it has none).
func errorCode(err error) string {
	var ae *awsproto.Error
	if errors.As(err, &ae) {
		return ae.Code
	}
	return ""
}

// problem words an error of the function or its source as
// LastProcessingResult does.
func problem(err error) string {
	switch code := errorCode(err); code {
	case "ResourceNotFoundException":
		return "PROBLEM: Function not found."
	case "TooManyRequestsException":
		return "PROBLEM: Lambda throttled the invocation (TooManyRequestsException)."
	case "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue":
		return "PROBLEM: Queue does not exist."
	case "":
		return "PROBLEM: " + err.Error()
	default:
		return "PROBLEM: " + code
	}
}
