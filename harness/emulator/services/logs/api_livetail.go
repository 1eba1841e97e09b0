package logs

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- StartLiveTail: an event stream of new matching events ----

// Live-tail bounds: sessions open at once (AWS's quota), how long one
// lasts (AWS: three hours), and how often updates go out.
const (
	maxLiveTails      = 15
	liveTailLifetime  = 3 * time.Hour
	liveTailHeartbeat = time.Second
)

type startLiveTailInput struct {
	LogGroupIdentifiers   []string `json:"logGroupIdentifiers" required:"true" min:"1" max:"10"`
	LogStreamNames        []string `json:"logStreamNames" min:"1" max:"100"`
	LogStreamNamePrefixes []string `json:"logStreamNamePrefixes" min:"1" max:"100"`
	LogEventFilterPattern *string  `json:"logEventFilterPattern" max:"1024"`
}

// Validate: stream names or prefixes, not both, and only with one group.
func (in *startLiveTailInput) Validate() error {
	if in.LogStreamNames != nil && in.LogStreamNamePrefixes != nil {
		return errInvalidParameter.New("logStreamNames and logStreamNamePrefixes are mutually exclusive parameters.")
	}
	if (in.LogStreamNames != nil || in.LogStreamNamePrefixes != nil) && len(in.LogGroupIdentifiers) > 1 {
		return errInvalidParameter.New("logStreamNames and logStreamNamePrefixes can only be specified with a single log group.")
	}
	return nil
}

// liveTailSession streams the session as the Responder of the call.
type liveTailSession struct {
	s      *Service
	tail   *LiveTail
	stops  []func()
	start  liveTailStart
	groups map[string]string // group name → the identifier the client used
}

type liveTailStart struct {
	RequestID             string   `json:"requestId"`
	SessionID             string   `json:"sessionId"`
	LogGroupIdentifiers   []string `json:"logGroupIdentifiers"`
	LogStreamNames        []string `json:"logStreamNames,omitempty"`
	LogStreamNamePrefixes []string `json:"logStreamNamePrefixes,omitempty"`
	LogEventFilterPattern string   `json:"logEventFilterPattern,omitempty"`
}

type liveTailEventOut struct {
	LogStreamName      string `json:"logStreamName"`
	LogGroupIdentifier string `json:"logGroupIdentifier"`
	Message            string `json:"message"`
	Timestamp          int64  `json:"timestamp"`
	IngestionTime      int64  `json:"ingestionTime"`
}

type liveTailUpdate struct {
	SessionMetadata struct {
		Sampled bool `json:"sampled"`
	} `json:"sessionMetadata"`
	SessionResults []liveTailEventOut `json:"sessionResults"`
}

func (s *Service) startLiveTail(c *awsproto.Call, in *startLiveTailInput) (*liveTailSession, error) {
	pat, err := CompilePattern(deref(in.LogEventFilterPattern))
	if err != nil {
		return nil, err
	}
	sess := &liveTailSession{s: s, tail: &LiveTail{Streams: in.LogStreamNames, Prefixes: in.LogStreamNamePrefixes, Pattern: pat},
		groups: map[string]string{},
		start: liveTailStart{RequestID: c.RequestID, SessionID: s.env.NewID(), LogGroupIdentifiers: in.LogGroupIdentifiers,
			LogStreamNames: in.LogStreamNames, LogStreamNamePrefixes: in.LogStreamNamePrefixes, LogEventFilterPattern: deref(in.LogEventFilterPattern)}}
	var groups []*Group
	for _, id := range in.LogGroupIdentifiers {
		g, err := groupIdentRequired{id}.group(s, c.Region)
		if err != nil {
			return nil, err
		}
		groups = append(groups, g)
		sess.groups[g.Name] = id
	}
	if s.ext.tails.Add(1) > maxLiveTails {
		s.ext.tails.Add(-1)
		return nil, errLimitExceeded.New("The maximum number of concurrent Live Tail sessions has been reached.")
	}
	for _, g := range groups {
		stop, err := g.Follow(sess.tail)
		if err != nil {
			sess.close()
			return nil, err
		}
		sess.stops = append(sess.stops, stop)
	}
	return sess, nil
}

func (sess *liveTailSession) close() {
	for _, stop := range sess.stops {
		stop()
	}
	sess.stops = nil
	sess.s.ext.tails.Add(-1)
}

// Respond writes initial-response and sessionStart, then a sessionUpdate every second (empty
// ones too, as AWS's heartbeat) until the client goes or the session
// times out.
func (sess *liveTailSession) Respond(w http.ResponseWriter, c *awsproto.Call) error {
	defer sess.close()
	w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
	w.Header().Set("X-Amzn-Requestid", c.RequestID)
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	send := func(msg []byte) error {
		if _, err := w.Write(msg); err != nil {
			return err
		}
		return rc.Flush()
	}
	// awsJson event streams open with the output's other members
	if err := send(streamEvent("initial-response", []byte("{}"))); err != nil {
		return nil
	}
	b, _ := json.Marshal(sess.start)
	if err := send(streamEvent("sessionStart", b)); err != nil {
		return nil
	}
	ticker := time.NewTicker(liveTailHeartbeat)
	defer ticker.Stop()
	end := time.NewTimer(liveTailLifetime)
	defer end.Stop()
	for {
		select {
		case <-c.Context().Done():
			return nil
		case <-end.C:
			b, _ := json.Marshal(map[string]string{"message": "Session timed out after three hours."})
			_ = send(streamException("SessionTimeoutException", b))
			return nil
		case <-ticker.C:
			evs, sampled := sess.tail.Take()
			var u liveTailUpdate
			u.SessionMetadata.Sampled = sampled
			u.SessionResults = make([]liveTailEventOut, len(evs))
			for i, ev := range evs {
				u.SessionResults[i] = liveTailEventOut{LogStreamName: ev.Stream, LogGroupIdentifier: sess.groups[ev.Group], Message: ev.Msg,
					Timestamp: ev.TS, IngestionTime: ev.Ingest}
			}
			b, _ := json.Marshal(u)
			if err := send(streamEvent("sessionUpdate", b)); err != nil {
				return nil
			}
		}
	}
}

func streamEvent(eventType string, payload []byte) []byte {
	return awsproto.EventStreamMessage([][2]string{{":event-type", eventType}, {":content-type", "application/json"}, {":message-type", "event"}}, payload)
}

func streamException(exceptionType string, payload []byte) []byte {
	return awsproto.EventStreamMessage([][2]string{{":exception-type", exceptionType}, {":content-type", "application/json"}, {":message-type", "exception"}}, payload)
}
