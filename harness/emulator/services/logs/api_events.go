package logs

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- PutLogEvents ----

type putLogEventsInput struct {
	streamRef
	LogEvents     []inputLogEvent `json:"logEvents" required:"true" min:"1" max:"10000"`
	SequenceToken *string         `json:"sequenceToken" min:"1"` // ignored, as AWS now does; checked against the model
}

// inputLogEvent is one event of a batch. The model's constraints on its
// members (timestamp and message required, timestamp >= 0, message not
// empty) are checked by putLogEventsInput.Validate in one pass instead of
// tags: a batch holds up to 10,000 of them and this is the hot path.
type inputLogEvent struct {
	Timestamp *int64  `json:"timestamp"`
	Message   *string `json:"message"`
}

// Validate checks each event as tags would, every failure reported.
func (in *putLogEventsInput) Validate() error {
	var problems []string
	add := func(value string, i int, member, rule string) {
		if len(problems) < maxProblems {
			problems = append(problems, "Value "+value+" at 'logEvents."+strconv.Itoa(i+1)+".member."+member+"' failed to satisfy constraint: "+rule)
		}
	}
	for i, ev := range in.LogEvents {
		switch {
		case ev.Timestamp == nil:
			add("null", i, "timestamp", awsproto.RuleNotNull)
		case *ev.Timestamp < 0:
			add("'"+strconv.FormatInt(*ev.Timestamp, 10)+"'", i, "timestamp", awsproto.MinValue(0))
		}
		switch {
		case ev.Message == nil:
			add("null", i, "message", awsproto.RuleNotNull)
		case *ev.Message == "":
			add("''", i, "message", awsproto.MinLength(1))
		}
	}
	if problems != nil {
		return errInvalidParameter.New(awsproto.ValidationMessage(problems...))
	}
	return nil
}

// maxProblems bounds the failures one batch can make us report, as
// awsproto's validation does.
const maxProblems = 16

type rejectedOut struct {
	TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex,omitempty"`
	TooOldLogEventEndIndex   *int `json:"tooOldLogEventEndIndex,omitempty"`
	ExpiredLogEventEndIndex  *int `json:"expiredLogEventEndIndex,omitempty"`
}

type putLogEventsOutput struct {
	NextSequenceToken     string       `json:"nextSequenceToken"`
	RejectedLogEventsInfo *rejectedOut `json:"rejectedLogEventsInfo,omitempty"`
}

// Batch limits of PutLogEvents.
const (
	maxBatchBytes = 1_048_576
	maxEventBytes = 1_048_576 - eventOverhead
)

func (s *Service) putLogEvents(c *awsproto.Call, in *putLogEventsInput) (putLogEventsOutput, error) {
	batch := make([]InputEvent, len(in.LogEvents))
	size := 0
	for i, ev := range in.LogEvents {
		msg := *ev.Message
		if len(msg) > maxEventBytes {
			return putLogEventsOutput{}, errInvalidParameter.Errorf("Log event too large: %d bytes exceeds limit of %d", len(msg)+eventOverhead, maxEventBytes+eventOverhead)
		}
		if i > 0 && *ev.Timestamp < batch[i-1].TS {
			return putLogEventsOutput{}, errInvalidParameter.New("Log events in a single PutLogEvents request must be in chronological order.")
		}
		size += len(msg) + eventOverhead
		if !utf8.ValidString(msg) {
			msg = strings.ToValidUTF8(msg, "\uFFFD")
		}
		batch[i] = InputEvent{TS: *ev.Timestamp, Msg: msg}
	}
	if size > maxBatchBytes {
		return putLogEventsOutput{}, errInvalidParameter.Errorf("Upload too large: %d bytes exceeds limit of %d", size, maxBatchBytes)
	}
	g, err := s.store.Group(c.Region, in.LogGroupName)
	if err != nil {
		return putLogEventsOutput{}, err
	}
	put, err := g.PutEvents(c.Context(), in.LogStreamName, batch)
	if err != nil {
		return putLogEventsOutput{}, err
	}
	out := putLogEventsOutput{NextSequenceToken: sequenceToken(put.At)}
	if put.Any() {
		r := &rejectedOut{}
		if put.TooNewStart >= 0 {
			r.TooNewLogEventStartIndex = &put.TooNewStart
		}
		if put.TooOldEnd >= 0 {
			r.TooOldLogEventEndIndex = &put.TooOldEnd
		}
		if put.ExpiredEnd >= 0 {
			r.ExpiredLogEventEndIndex = &put.ExpiredEnd
		}
		out.RejectedLogEventsInfo = r
	}
	return out, nil
}

// ---- GetLogEvents ----

type getLogEventsInput struct {
	groupIdent
	LogStreamName string `json:"logStreamName" required:"true" min:"1" max:"512" pattern:"[^:*]*"`
	StartTime     *int64 `json:"startTime" min:"0"`
	EndTime       *int64 `json:"endTime" min:"0"`
	NextToken     string `json:"nextToken" min:"1"`
	Limit         *int32 `json:"limit" min:"1" max:"10000"`
	StartFromHead bool   `json:"startFromHead"`
}

type outputEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

type getLogEventsOutput struct {
	Events            []outputEvent `json:"events"`
	NextForwardToken  string        `json:"nextForwardToken"`
	NextBackwardToken string        `json:"nextBackwardToken"`
}

func (s *Service) getLogEvents(c *awsproto.Call, in *getLogEventsInput) (getLogEventsOutput, error) {
	var tok Token
	if in.NextToken != "" {
		var err error
		if tok, err = ParseToken(in.NextToken); err != nil {
			return getLogEventsOutput{}, err
		}
	}
	g, err := s.store.Group(c.Region, in.name())
	if err != nil {
		return getLogEventsOutput{}, err
	}
	w := window(in.StartTime, in.EndTime, false)
	page, err := g.GetEvents(in.LogStreamName, w, tok, in.StartFromHead, limitOr(in.Limit, 10_000))
	if err != nil {
		return getLogEventsOutput{}, err
	}
	out := getLogEventsOutput{Events: make([]outputEvent, len(page.Events)),
		NextForwardToken: page.Forward.String(), NextBackwardToken: page.Backward.String()}
	for i, ev := range page.Events {
		out.Events[i] = outputEvent{Timestamp: ev.TS, Message: ev.Msg, IngestionTime: ev.Ingest}
	}
	return out, nil
}

func window(start, end *int64, endInclusive bool) Window {
	w := Window{EndInclusive: endInclusive}
	if start != nil {
		w.Start, w.HasStart = *start, true
	}
	if end != nil {
		w.End, w.HasEnd = *end, true
	}
	return w
}

// ---- FilterLogEvents ----

type filterLogEventsInput struct {
	groupIdent
	LogStreamNames      []string `json:"logStreamNames" min:"1" max:"100"`
	LogStreamNamePrefix string   `json:"logStreamNamePrefix" min:"1" max:"512" pattern:"[^:*]*"`
	StartTime           *int64   `json:"startTime" min:"0"`
	EndTime             *int64   `json:"endTime" min:"0"`
	FilterPattern       string   `json:"filterPattern" max:"1024"`
	NextToken           string   `json:"nextToken" min:"1"`
	Limit               *int32   `json:"limit" min:"1" max:"10000"`
}

// Validate: the group named one way; stream names or a prefix, not both.
func (in *filterLogEventsInput) Validate() error {
	if err := in.groupIdent.Validate(); err != nil {
		return err
	}
	if in.LogStreamNames != nil && in.LogStreamNamePrefix != "" {
		return errInvalidParameter.New("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
	}
	return nil
}

type filteredEventOut struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

type searchedStreamOut struct {
	LogStreamName      string `json:"logStreamName"`
	SearchedCompletely bool   `json:"searchedCompletely"`
}

type filterLogEventsOutput struct {
	Events             []filteredEventOut  `json:"events"`
	SearchedLogStreams []searchedStreamOut `json:"searchedLogStreams"`
	NextToken          string              `json:"nextToken,omitempty"`
}

func (s *Service) filterLogEvents(c *awsproto.Call, in *filterLogEventsInput) (filterLogEventsOutput, error) {
	pat, err := CompilePattern(in.FilterPattern)
	if err != nil {
		return filterLogEventsOutput{}, err
	}
	q := FilterQuery{Streams: in.LogStreamNames, Prefix: in.LogStreamNamePrefix, Window: window(in.StartTime, in.EndTime, true),
		Pattern: pat, Limit: limitOr(in.Limit, 10_000)}
	if in.NextToken != "" {
		if q.After, err = ParseFilterToken(in.NextToken); err != nil {
			return filterLogEventsOutput{}, err
		}
	}
	g, err := s.store.Group(c.Region, in.name())
	if err != nil {
		return filterLogEventsOutput{}, err
	}
	found, searched, more := g.FilterEvents(q)
	out := filterLogEventsOutput{Events: make([]filteredEventOut, len(found)), SearchedLogStreams: make([]searchedStreamOut, len(searched))}
	for i, f := range found {
		out.Events[i] = filteredEventOut{LogStreamName: f.Stream, Timestamp: f.TS, Message: f.Msg, IngestionTime: f.Ingest, EventID: EventID(f.key())}
	}
	for i, n := range searched {
		out.SearchedLogStreams[i] = searchedStreamOut{LogStreamName: n, SearchedCompletely: !more}
	}
	if more && len(found) > 0 {
		out.NextToken = FilterToken(found[len(found)-1].key())
	}
	return out, nil
}
