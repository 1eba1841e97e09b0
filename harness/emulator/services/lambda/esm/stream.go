package esm

import (
	"encoding/json"
	"time"
)

// streamRecord is one DynamoDB stream record as the poller keeps it: its
// Lambda rendering and what retries, filters and failure records read.
type streamRecord struct {
	raw     json.RawMessage
	seq     string
	created time.Time // ApproximateCreationDateTime
}

type streamPoller struct {
	*Poller
	cfg Config
	l   Links
}

// StartStream starts reading the DynamoDB stream cfg.SourceARN, in order,
// from cfg.Resume or cfg.StartingPosition.
func StartStream(cfg Config, l Links) *Poller {
	l.fill()
	if cfg.BatchSize < 1 {
		cfg.BatchSize = 100
	}
	p := &streamPoller{Poller: newPoller(), cfg: cfg, l: l}
	p.position = cfg.Resume
	p.wg.Add(1)
	go p.run()
	return p.Poller
}

func (p *streamPoller) run() {
	defer p.wg.Done()
	pos := p.cfg.Resume
	failures := 0
	fail := func(err error) bool {
		failures++
		if errorCode(err) == "ResourceNotFoundException" {
			p.l.Report("PROBLEM: Stream not found.")
		} else {
			p.l.Report(problem(err))
		}
		return p.sleep(p.l.backoff(failures))
	}
	for pos == "" {
		var err error
		if pos, err = p.l.Streams.StreamPosition(p.cfg.SourceARN, p.cfg.StartingPosition); err != nil && !fail(err) {
			return
		}
		if p.poll.Err() != nil {
			return
		}
	}
	p.setPosition(pos)
	for p.poll.Err() == nil {
		batch, next, wake, closed, err := p.read(pos)
		if errorCode(err) == "TrimmedDataAccessException" {
			// The records after pos are past the stream's retention: go on
			// from the oldest it keeps, as Lambda does.
			if th, terr := p.l.Streams.StreamPosition(p.cfg.SourceARN, "TRIM_HORIZON"); terr == nil {
				pos = th
				continue
			}
		}
		if err != nil {
			if !fail(err) {
				return
			}
			continue
		}
		failures = 0
		if len(batch) == 0 {
			if closed {
				return // the stream was disabled and is read to its end
			}
			select {
			case <-wake:
			case <-p.poll.Done():
				return
			}
			continue
		}
		if !p.process(batch) {
			return // stopped mid-batch: resume at its start
		}
		pos = next
		p.setPosition(pos)
	}
}

// read returns the next batch: up to BatchSize records, waiting up to the
// batching window for a full one.
func (p *streamPoller) read(pos string) ([]streamRecord, string, <-chan struct{}, bool, error) {
	raws, next, wake, closed, err := p.l.Streams.ReadStream(p.cfg.SourceARN, pos, p.cfg.BatchSize)
	if err != nil || len(raws) == 0 || p.cfg.Window <= 0 {
		return parseRecords(raws), next, wake, closed, err
	}
	deadline := time.NewTimer(p.cfg.Window)
	defer deadline.Stop()
	for len(raws) < p.cfg.BatchSize && !closed {
		select {
		case <-wake:
		case <-deadline.C:
			return parseRecords(raws), next, wake, closed, nil
		case <-p.poll.Done():
			return parseRecords(raws), next, wake, closed, nil
		}
		var more []json.RawMessage
		var n string
		more, n, wake, closed, err = p.l.Streams.ReadStream(p.cfg.SourceARN, next, p.cfg.BatchSize-len(raws))
		if err != nil {
			break
		}
		raws, next = append(raws, more...), n
	}
	return parseRecords(raws), next, wake, closed, nil
}

func parseRecords(raws []json.RawMessage) []streamRecord {
	out := make([]streamRecord, 0, len(raws))
	for _, raw := range raws {
		var r struct {
			DynamoDB struct {
				SequenceNumber              string  `json:"SequenceNumber"`
				ApproximateCreationDateTime float64 `json:"ApproximateCreationDateTime"`
			} `json:"dynamodb"`
		}
		_ = json.Unmarshal(raw, &r)
		sec := int64(r.DynamoDB.ApproximateCreationDateTime)
		out = append(out, streamRecord{raw: raw, seq: r.DynamoDB.SequenceNumber, created: time.Unix(sec, 0)})
	}
	return out
}

// process delivers one batch: filtered, then invoked until it succeeds,
// split in halves on errors when BisectBatchOnFunctionError is on, and
// sent to the on-failure destination once retries run out or its records
// are too old. It returns false when the poller stopped before the batch
// was done.
func (p *streamPoller) process(batch []streamRecord) bool {
	if p.cfg.Filters != nil {
		kept := batch[:0:0]
		for _, r := range batch {
			if p.cfg.Filters.Match(decodeRecord(r.raw)) {
				kept = append(kept, r)
			}
		}
		batch = kept
	}
	pending := splitBySize(batch, maxPayloadBytes)
	attempts, throttles := 0, 0
	var last *invocation
	for len(pending) > 0 {
		b := pending[0]
		if b = p.dropExpired(b, attempts, last); len(b) == 0 {
			pending, attempts, last = pending[1:], 0, nil
			continue
		}
		pending[0] = b
		if d := p.l.deliveryDelay(); d > 0 && !p.sleep(d) {
			return false
		}
		inv, err := p.invoke(b)
		if err != nil {
			if p.poll.Err() != nil {
				return false
			}
			throttles++
			p.l.Report(problem(err))
			if !p.sleep(p.l.backoff(throttles)) {
				return false
			}
			continue
		}
		throttles = 0
		attempts++
		last = inv
		failedFrom := inv.failedFrom(b, p.cfg.ReportItemFailures)
		if failedFrom < 0 {
			p.l.Report(ResultOK)
			pending, attempts, last = pending[1:], 0, nil
			continue
		}
		p.l.Report(ResultFunctionError)
		if failedFrom > 0 {
			// The records before the first failure are done.
			b = b[failedFrom:]
			pending[0] = b
		}
		if p.cfg.Bisect && len(b) > 1 {
			half := len(b) / 2
			rest := append([][]streamRecord{b[:half], b[half:]}, pending[1:]...)
			pending, attempts = rest, 0
			continue
		}
		if p.cfg.MaxRetries >= 0 && attempts > p.cfg.MaxRetries {
			p.sendFailure(b, conditionRetries, attempts, inv)
			pending, attempts, last = pending[1:], 0, nil
			continue
		}
		if !p.sleep(p.l.backoff(attempts)) {
			return false
		}
	}
	return true
}

// dropExpired sends the records older than MaximumRecordAgeInSeconds to
// the on-failure destination and returns the others (records are in
// order, so the old ones lead).
func (p *streamPoller) dropExpired(b []streamRecord, attempts int, last *invocation) []streamRecord {
	if p.cfg.MaxRecordAge <= 0 {
		return b
	}
	cutoff := p.l.Now().Add(-p.cfg.MaxRecordAge)
	n := 0
	for n < len(b) && b[n].created.Before(cutoff) {
		n++
	}
	if n > 0 {
		p.sendFailure(b[:n], conditionAge, attempts, last)
	}
	return b[n:]
}

// invocation is one invocation's outcome.
type invocation struct {
	requestID, executedVersion, functionError string
	payload                                   []byte
}

func (p *streamPoller) invoke(b []streamRecord) (*invocation, error) {
	payload := make([]byte, 0, 64*len(b)+16)
	payload = append(payload, `{"Records":[`...)
	for i, r := range b {
		if i > 0 {
			payload = append(payload, ',')
		}
		payload = append(payload, r.raw...)
	}
	payload = append(payload, "]}"...)
	res, err := p.l.Invoke(p.hard, payload)
	if err != nil {
		return nil, err
	}
	return &invocation{requestID: res.RequestID, executedVersion: res.ExecutedVersion, functionError: res.FunctionError, payload: res.Payload}, nil
}

// failedFrom is the index of the first record to retry: -1 when the batch
// succeeded, 0 when all of it failed, else the lowest sequence number a
// partial batch response names.
func (inv *invocation) failedFrom(b []streamRecord, partial bool) int {
	if inv.functionError != "" {
		return 0
	}
	if !partial {
		return -1
	}
	ids, ok := parseBatchItemFailures(inv.payload)
	if !ok {
		return 0
	}
	if len(ids) == 0 {
		return -1
	}
	first := len(b)
	for _, id := range ids {
		i := indexOfSeq(b, id)
		if i < 0 {
			return 0 // an identifier not in the batch: the whole batch failed
		}
		first = min(first, i)
	}
	return first
}

func indexOfSeq(b []streamRecord, seq string) int {
	for i, r := range b {
		if r.seq == seq {
			return i
		}
	}
	return -1
}

// splitBySize cuts a batch into runs whose records fit one invocation
// payload (a record alone always makes a run).
func splitBySize(b []streamRecord, limit int) [][]streamRecord {
	var out [][]streamRecord
	start, size := 0, 0
	for i, r := range b {
		if i > start && size+len(r.raw) > limit {
			out = append(out, b[start:i])
			start, size = i, 0
		}
		size += len(r.raw) + 1
	}
	if start < len(b) {
		out = append(out, b[start:])
	}
	return out
}
