package logs

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Wire names of the service.
const (
	targetPrefix = "Logs_20140328"
	scope        = "logs"
)

// Service is CloudWatch Logs.
type Service struct {
	awsproto.JSONService
	env   *cloud.Env
	store *Store
}

// New returns the service and publishes its LogWriter under cloud.LinkLogs.
func New(env *cloud.Env) *Service {
	s := &Service{env: env, store: NewStore(env.Now)}
	s.JSONService = awsproto.JSONService{
		Base:         awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Version:      "1.1",
		TargetPrefix: targetPrefix,
		MaxBody:      8 << 20,
		Ops: map[string]awsproto.JSONOp{
			"CreateLogGroup":        s.createLogGroup,
			"DeleteLogGroup":        s.deleteLogGroup,
			"DescribeLogGroups":     s.describeLogGroups,
			"PutRetentionPolicy":    s.putRetentionPolicy,
			"DeleteRetentionPolicy": s.deleteRetentionPolicy,
			"CreateLogStream":       s.createLogStream,
			"DeleteLogStream":       s.deleteLogStream,
			"DescribeLogStreams":    s.describeLogStreams,
			"PutLogEvents":          s.putLogEvents,
			"GetLogEvents":          s.getLogEvents,
			"FilterLogEvents":       s.filterLogEvents,
			"TagLogGroup":           s.tagLogGroup,
			"UntagLogGroup":         s.untagLogGroup,
			"ListTagsLogGroup":      s.listTagsLogGroup,
			"TagResource":           s.tagResource,
			"UntagResource":         s.untagResource,
			"ListTagsForResource":   s.listTagsForResource,
		},
	}
	if env.Links != nil {
		env.Links.Set(cloud.LinkLogs, cloud.LogWriter(s.store))
	}
	return s
}

func (s *Service) Name() string                { return "logs" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.JSON11 }
func (s *Service) Reset()                      { s.store.Reset() }
func (s *Service) Summary() map[string]any     { return s.store.Summary() }

func (s *Service) Routes() []cloud.Route {
	return []cloud.Route{
		{Kind: cloud.ByScope, Key: scope},
		{Kind: cloud.ByTarget, Key: targetPrefix},
	}
}

// Store exposes the store (for benchmarks and the LogWriter).
func (s *Service) Store() *Store { return s.store }

// --- validation ----------------------------------------------------------

var groupNameRE = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]+$`)

// constraint is awsproto's wording; CloudWatch Logs answers it as InvalidParameterException.
func constraint(value, member, rule string) error {
	return awsproto.Constraint(ErrInvalidParameter, value, member, rule)
}

func notNull(member string) error { return awsproto.NotNull(ErrInvalidParameter, member) }

func checkGroupName(name, member string) error {
	switch {
	case name == "":
		return notNull(member)
	case len(name) > 512:
		return constraint(name, member, awsproto.MaxLength(512))
	case !groupNameRE.MatchString(name):
		return constraint(name, member, awsproto.Pattern(`[\.\-_/#A-Za-z0-9]+`))
	}
	return nil
}

func checkStreamName(name string) error {
	switch {
	case name == "":
		return notNull("logStreamName")
	case len(name) > 512:
		return constraint(name, "logStreamName", awsproto.MaxLength(512))
	case strings.ContainsAny(name, ":*"):
		return constraint(name, "logStreamName", awsproto.Pattern("[^:*]*"))
	}
	return nil
}

func checkLimit(limit *int32, max int32) (int, error) {
	if limit == nil {
		return int(max), nil
	}
	if err := awsproto.CheckValue(ErrInvalidParameter, int(*limit), "limit", 1, int(max)); err != nil {
		return 0, err
	}
	return int(*limit), nil
}

// groupNameOf resolves logGroupName / logGroupIdentifier (a name or ARN).
func groupNameOf(name, ident string) (string, error) {
	if name != "" && ident != "" {
		return "", ErrInvalidParameter.New("LogGroup name and LogGroup identifier are mutually exclusive parameters.")
	}
	if ident != "" {
		if strings.HasPrefix(ident, "arn:") {
			_, n, ok := parseGroupARN(ident)
			if !ok {
				return "", ErrInvalidParameter.Errorf("Invalid log group identifier: %s", ident)
			}
			return n, nil
		}
		return ident, checkGroupName(ident, "logGroupIdentifier")
	}
	return name, checkGroupName(name, "logGroupName")
}

// parseGroupARN splits arn:aws:logs:region:account:log-group:NAME[:*].
func parseGroupARN(arn string) (region, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[2] != "logs" || parts[5] != "log-group" {
		return "", "", false
	}
	name = strings.TrimSuffix(parts[6], ":*")
	return parts[3], name, name != ""
}

func (s *Service) groupARN(region, name string) string {
	return "arn:aws:logs:" + region + ":" + s.env.Account + ":log-group:" + name
}

func (s *Service) group(c *awsproto.Call, name string) (*Group, error) {
	g, err := s.store.Group(c.Region, name)
	if err != nil {
		return nil, ErrResourceNotFound.New(msgGroupNotFound)
	}
	return g, nil
}

// decodeGroup decodes body into in, checks the logGroupName it carries (at
// name, a field of in) and finds that group.
func (s *Service) decodeGroup(c *awsproto.Call, body []byte, in any, name *string) (*Group, error) {
	if err := awsproto.DecodeJSON(body, in); err != nil {
		return nil, err
	}
	if err := checkGroupName(*name, "logGroupName"); err != nil {
		return nil, err
	}
	return s.group(c, *name)
}

func storeError(err error) error {
	switch err {
	case nil:
		return nil
	case ErrGroupNotFound:
		return ErrResourceNotFound.New(msgGroupNotFound)
	case ErrStreamNotFound:
		return ErrResourceNotFound.New(msgStreamNotFound)
	case ErrGroupExists:
		return ErrResourceAlreadyExists.New(msgGroupExists)
	case ErrStreamExists:
		return ErrResourceAlreadyExists.New(msgStreamExists)
	case ErrBadToken:
		return ErrInvalidParameter.New(msgBadToken)
	}
	return err
}

// --- groups ----------------------------------------------------------------

type createLogGroupInput struct {
	LogGroupName  string            `json:"logGroupName"`
	KmsKeyID      string            `json:"kmsKeyId"`
	Tags          map[string]string `json:"tags"`
	LogGroupClass string            `json:"logGroupClass"`
}

func (s *Service) createLogGroup(c *awsproto.Call, body []byte) (any, error) {
	var in createLogGroupInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	if err := checkGroupName(in.LogGroupName, "logGroupName"); err != nil {
		return nil, err
	}
	switch in.LogGroupClass {
	case "", "STANDARD", "INFREQUENT_ACCESS", "DELIVERY":
	default:
		return nil, constraint(in.LogGroupClass, "logGroupClass", awsproto.EnumSet("STANDARD", "INFREQUENT_ACCESS", "DELIVERY"))
	}
	_, err := s.store.CreateGroup(c.Region, in.LogGroupName, in.Tags)
	return nil, storeError(err)
}

type groupNameInput struct {
	LogGroupName string `json:"logGroupName"`
}

func (s *Service) deleteLogGroup(c *awsproto.Call, body []byte) (any, error) {
	var in groupNameInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	if err := checkGroupName(in.LogGroupName, "logGroupName"); err != nil {
		return nil, err
	}
	return nil, storeError(s.store.DeleteGroup(c.Region, in.LogGroupName))
}

type describeLogGroupsInput struct {
	LogGroupNamePrefix  string   `json:"logGroupNamePrefix"`
	LogGroupNamePattern string   `json:"logGroupNamePattern"`
	NextToken           string   `json:"nextToken"`
	Limit               *int32   `json:"limit"`
	LogGroupIdentifiers []string `json:"logGroupIdentifiers"`
	LogGroupClass       string   `json:"logGroupClass"`
}

type logGroupOut struct {
	LogGroupName      string `json:"logGroupName"`
	CreationTime      int64  `json:"creationTime"`
	RetentionInDays   int32  `json:"retentionInDays,omitempty"`
	MetricFilterCount int    `json:"metricFilterCount"`
	Arn               string `json:"arn"`
	StoredBytes       int64  `json:"storedBytes"`
	LogGroupClass     string `json:"logGroupClass"`
	LogGroupArn       string `json:"logGroupArn"`
}

type describeLogGroupsOutput struct {
	LogGroups []logGroupOut `json:"logGroups"`
	NextToken string        `json:"nextToken,omitempty"`
}

func (s *Service) describeLogGroups(c *awsproto.Call, body []byte) (any, error) {
	var in describeLogGroupsInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	limit, err := checkLimit(in.Limit, 50)
	if err != nil {
		return nil, err
	}
	if in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "" {
		return nil, ErrInvalidParameter.New("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	}
	match := func(name string) bool { return strings.HasPrefix(name, in.LogGroupNamePrefix) }
	if in.LogGroupNamePattern != "" {
		pat := strings.ToLower(in.LogGroupNamePattern)
		match = func(name string) bool { return strings.Contains(strings.ToLower(name), pat) }
	}
	if in.LogGroupIdentifiers != nil {
		want := map[string]bool{}
		for _, id := range in.LogGroupIdentifiers {
			if _, n, ok := parseGroupARN(id); ok {
				want[n] = true
			} else {
				want[id] = true
			}
		}
		match = func(name string) bool { return want[name] }
	}
	after := ""
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		if err != nil || len(b) == 0 {
			return nil, ErrInvalidParameter.New(msgBadToken)
		}
		after = string(b)
	}
	groups, more := s.store.Groups(c.Region, match, after, limit)
	out := describeLogGroupsOutput{LogGroups: make([]logGroupOut, 0, len(groups))}
	for _, g := range groups {
		gi := g.Info()
		arn := s.groupARN(c.Region, gi.Name)
		out.LogGroups = append(out.LogGroups, logGroupOut{
			LogGroupName: gi.Name, CreationTime: gi.Created, RetentionInDays: gi.Retention,
			Arn: arn + ":*", LogGroupArn: arn, StoredBytes: gi.StoredBytes, LogGroupClass: "STANDARD",
		})
	}
	if more && len(groups) > 0 {
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(groups[len(groups)-1].Name))
	}
	return out, nil
}

// retentionDays are the values PutRetentionPolicy accepts.
var retentionDays = []int32{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

type putRetentionPolicyInput struct {
	LogGroupName    string `json:"logGroupName"`
	RetentionInDays *int32 `json:"retentionInDays"`
}

func (s *Service) putRetentionPolicy(c *awsproto.Call, body []byte) (any, error) {
	var in putRetentionPolicyInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	if err := checkGroupName(in.LogGroupName, "logGroupName"); err != nil {
		return nil, err
	}
	if in.RetentionInDays == nil {
		return nil, notNull("retentionInDays")
	}
	valid := false
	for _, d := range retentionDays {
		valid = valid || d == *in.RetentionInDays
	}
	if !valid {
		set := make([]string, len(retentionDays))
		for i, d := range retentionDays {
			set[i] = strconv.Itoa(int(d))
		}
		return nil, constraint(strconv.Itoa(int(*in.RetentionInDays)), "retentionInDays", awsproto.EnumSet(set...))
	}
	g, err := s.group(c, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	g.SetRetention(*in.RetentionInDays)
	return nil, nil
}

func (s *Service) deleteRetentionPolicy(c *awsproto.Call, body []byte) (any, error) {
	var in groupNameInput
	g, err := s.decodeGroup(c, body, &in, &in.LogGroupName)
	if err != nil {
		return nil, err
	}
	g.SetRetention(0)
	return nil, nil
}

// --- streams ---------------------------------------------------------------

type streamInput struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName"`
}

// streamTarget decodes a Create/DeleteLogStream input, checks both names
// and finds the group.
func (s *Service) streamTarget(c *awsproto.Call, body []byte) (*Group, string, error) {
	var in streamInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, "", err
	}
	if err := checkGroupName(in.LogGroupName, "logGroupName"); err != nil {
		return nil, "", err
	}
	if err := checkStreamName(in.LogStreamName); err != nil {
		return nil, "", err
	}
	g, err := s.group(c, in.LogGroupName)
	return g, in.LogStreamName, err
}

func (s *Service) createLogStream(c *awsproto.Call, body []byte) (any, error) {
	g, stream, err := s.streamTarget(c, body)
	if err != nil {
		return nil, err
	}
	return nil, storeError(g.CreateStream(stream, s.store.nowMS()))
}

func (s *Service) deleteLogStream(c *awsproto.Call, body []byte) (any, error) {
	g, stream, err := s.streamTarget(c, body)
	if err != nil {
		return nil, err
	}
	return nil, storeError(g.DeleteStream(stream))
}

type describeLogStreamsInput struct {
	LogGroupName        string `json:"logGroupName"`
	LogGroupIdentifier  string `json:"logGroupIdentifier"`
	LogStreamNamePrefix string `json:"logStreamNamePrefix"`
	OrderBy             string `json:"orderBy"`
	Descending          bool   `json:"descending"`
	NextToken           string `json:"nextToken"`
	Limit               *int32 `json:"limit"`
}

type logStreamOut struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp *int64 `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  *int64 `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   *int64 `json:"lastIngestionTime,omitempty"`
	UploadSequenceToken string `json:"uploadSequenceToken"`
	Arn                 string `json:"arn"`
	StoredBytes         int64  `json:"storedBytes"`
}

type describeLogStreamsOutput struct {
	LogStreams []logStreamOut `json:"logStreams"`
	NextToken  string         `json:"nextToken,omitempty"`
}

func (s *Service) describeLogStreams(c *awsproto.Call, body []byte) (any, error) {
	var in describeLogStreamsInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	name, err := groupNameOf(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	limit, err := checkLimit(in.Limit, 50)
	if err != nil {
		return nil, err
	}
	order := ByStreamName
	switch in.OrderBy {
	case "", "LogStreamName":
	case "LastEventTime":
		order = ByLastEventTime
		if in.LogStreamNamePrefix != "" {
			return nil, ErrInvalidParameter.New("Cannot order by LastEventTime with a logStreamNamePrefix.")
		}
	default:
		return nil, constraint(in.OrderBy, "orderBy", awsproto.EnumSet("LogStreamName", "LastEventTime"))
	}
	var cur StreamCursor
	if in.NextToken != "" {
		if cur, err = parseStreamCursor(in.NextToken); err != nil {
			return nil, err
		}
	}
	g, err := s.group(c, name)
	if err != nil {
		return nil, err
	}
	streams, more := g.Streams(in.LogStreamNamePrefix, order, in.Descending, cur, limit)
	arn := s.groupARN(c.Region, name)
	out := describeLogStreamsOutput{LogStreams: make([]logStreamOut, 0, len(streams))}
	for _, st := range streams {
		o := logStreamOut{
			LogStreamName: st.Name, CreationTime: st.Created, Arn: arn + ":log-stream:" + st.Name,
			UploadSequenceToken: sequenceToken(st.LastIngestion), StoredBytes: st.StoredBytes,
		}
		if st.HasEvents {
			first, last, ing := st.FirstEvent, st.LastEvent, st.LastIngestion
			o.FirstEventTimestamp, o.LastEventTimestamp, o.LastIngestionTime = &first, &last, &ing
		}
		out.LogStreams = append(out.LogStreams, o)
	}
	if more && len(streams) > 0 {
		last := streams[len(streams)-1]
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(last.LastEvent, 10) + "/" + last.Name))
	}
	return out, nil
}

func parseStreamCursor(tok string) (StreamCursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return StreamCursor{}, ErrInvalidParameter.New(msgBadToken)
	}
	ts, name, ok := strings.Cut(string(b), "/")
	n, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil {
		return StreamCursor{}, ErrInvalidParameter.New(msgBadToken)
	}
	return StreamCursor{LastEvent: n, Name: name, Set: true}, nil
}

// sequenceToken is the (ignored) upload sequence token clients still read.
func sequenceToken(ingest int64) string {
	return fmt.Sprintf("4961%052d", ingest)
}

// --- events ----------------------------------------------------------------

type putLogEventsInput struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName"`
	LogEvents     []struct {
		Timestamp *int64  `json:"timestamp"`
		Message   *string `json:"message"`
	} `json:"logEvents"`
	SequenceToken string `json:"sequenceToken"`
}

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
	maxBatchEvents = 10_000
	maxBatchBytes  = 1_048_576
	maxEventBytes  = 1_048_576 - eventOverhead
	maxBatchSpanMS = 24 * 3600 * 1000
)

func (s *Service) putLogEvents(c *awsproto.Call, body []byte) (any, error) {
	var in putLogEventsInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	if err := checkGroupName(in.LogGroupName, "logGroupName"); err != nil {
		return nil, err
	}
	if err := checkStreamName(in.LogStreamName); err != nil {
		return nil, err
	}
	n := len(in.LogEvents)
	switch {
	case in.LogEvents == nil:
		return nil, notNull("logEvents")
	case n == 0:
		return nil, constraint("[]", "logEvents", awsproto.MinLength(1))
	case n > maxBatchEvents:
		return nil, constraint("[...]", "logEvents", awsproto.MaxLength(maxBatchEvents))
	}
	batch := make([]InputEvent, n)
	size := 0
	for i, ev := range in.LogEvents {
		if ev.Timestamp == nil {
			return nil, notNull(fmt.Sprintf("logEvents.%d.member.timestamp", i+1))
		}
		if ev.Message == nil {
			return nil, notNull(fmt.Sprintf("logEvents.%d.member.message", i+1))
		}
		if *ev.Message == "" {
			return nil, constraint("", fmt.Sprintf("logEvents.%d.member.message", i+1), awsproto.MinLength(1))
		}
		if *ev.Timestamp < 0 {
			return nil, constraint(strconv.FormatInt(*ev.Timestamp, 10), fmt.Sprintf("logEvents.%d.member.timestamp", i+1), awsproto.MinValue(0))
		}
		if len(*ev.Message) > maxEventBytes {
			return nil, ErrInvalidParameter.Errorf("Log event too large: %d bytes exceeds limit of %d", len(*ev.Message)+eventOverhead, maxEventBytes+eventOverhead)
		}
		if i > 0 && *ev.Timestamp < batch[i-1].TS {
			return nil, ErrInvalidParameter.New("Log events in a single PutLogEvents request must be in chronological order.")
		}
		size += len(*ev.Message) + eventOverhead
		msg := *ev.Message
		if !utf8.ValidString(msg) {
			msg = strings.ToValidUTF8(msg, "\uFFFD")
		}
		batch[i] = InputEvent{TS: *ev.Timestamp, Msg: msg}
	}
	if size > maxBatchBytes {
		return nil, ErrInvalidParameter.Errorf("Upload too large: %d bytes exceeds limit of %d", size, maxBatchBytes)
	}
	now := s.store.nowMS()
	// the 24-hour span rule applies to the events that would be accepted
	lo, hi := int64(-1), int64(-1)
	for _, ev := range batch {
		if ev.TS < now-14*24*3600*1000 || ev.TS > now+2*3600*1000 {
			continue
		}
		if lo < 0 {
			lo = ev.TS
		}
		hi = ev.TS
	}
	if lo >= 0 && hi-lo > maxBatchSpanMS {
		return nil, ErrInvalidParameter.New("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	g, err := s.group(c, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	rej, err := g.PutEvents(in.LogStreamName, batch, now, s.store.MaxEventsPerStream, s.store.MaxBytesPerStream)
	if err != nil {
		return nil, storeError(err)
	}
	out := putLogEventsOutput{NextSequenceToken: sequenceToken(now)}
	if rej.Any() {
		r := &rejectedOut{}
		if rej.TooNewStart >= 0 {
			r.TooNewLogEventStartIndex = &rej.TooNewStart
		}
		if rej.TooOldEnd >= 0 {
			r.TooOldLogEventEndIndex = &rej.TooOldEnd
		}
		if rej.ExpiredEnd >= 0 {
			r.ExpiredLogEventEndIndex = &rej.ExpiredEnd
		}
		out.RejectedLogEventsInfo = r
	}
	return out, nil
}

type getLogEventsInput struct {
	LogGroupName       string `json:"logGroupName"`
	LogGroupIdentifier string `json:"logGroupIdentifier"`
	LogStreamName      string `json:"logStreamName"`
	StartTime          *int64 `json:"startTime"`
	EndTime            *int64 `json:"endTime"`
	NextToken          string `json:"nextToken"`
	Limit              *int32 `json:"limit"`
	StartFromHead      bool   `json:"startFromHead"`
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

func (s *Service) getLogEvents(c *awsproto.Call, body []byte) (any, error) {
	var in getLogEventsInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	name, err := groupNameOf(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if err := checkStreamName(in.LogStreamName); err != nil {
		return nil, err
	}
	limit, err := checkLimit(in.Limit, 10_000)
	if err != nil {
		return nil, err
	}
	var tok Token
	if in.NextToken != "" {
		if tok, err = ParseToken(in.NextToken); err != nil {
			return nil, ErrInvalidParameter.New(msgBadToken)
		}
	}
	w := window(in.StartTime, in.EndTime, false)
	g, err := s.group(c, name)
	if err != nil {
		return nil, err
	}
	page, err := g.GetEvents(in.LogStreamName, w, tok, in.StartFromHead, limit)
	if err != nil {
		return nil, storeError(err)
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

type filterLogEventsInput struct {
	LogGroupName        string   `json:"logGroupName"`
	LogGroupIdentifier  string   `json:"logGroupIdentifier"`
	LogStreamNames      []string `json:"logStreamNames"`
	LogStreamNamePrefix string   `json:"logStreamNamePrefix"`
	StartTime           *int64   `json:"startTime"`
	EndTime             *int64   `json:"endTime"`
	FilterPattern       string   `json:"filterPattern"`
	NextToken           string   `json:"nextToken"`
	Limit               *int32   `json:"limit"`
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

func (s *Service) filterLogEvents(c *awsproto.Call, body []byte) (any, error) {
	var in filterLogEventsInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	name, err := groupNameOf(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	limit, err := checkLimit(in.Limit, 10_000)
	if err != nil {
		return nil, err
	}
	if in.LogStreamNames != nil && in.LogStreamNamePrefix != "" {
		return nil, ErrInvalidParameter.New("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
	}
	if in.LogStreamNames != nil && (len(in.LogStreamNames) < 1 || len(in.LogStreamNames) > 100) {
		return nil, constraint("[...]", "logStreamNames", awsproto.LengthBetween(1, 100))
	}
	pat, err := CompilePattern(in.FilterPattern)
	if err != nil {
		return nil, ErrInvalidParameter.New("Invalid filter pattern")
	}
	q := FilterQuery{Streams: in.LogStreamNames, Prefix: in.LogStreamNamePrefix, Window: window(in.StartTime, in.EndTime, true), Pattern: pat, Limit: limit}
	if in.NextToken != "" {
		if q.After, err = ParseFilterToken(in.NextToken); err != nil {
			return nil, ErrInvalidParameter.New(msgBadToken)
		}
	}
	g, err := s.group(c, name)
	if err != nil {
		return nil, err
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

// --- tags ------------------------------------------------------------------

type tagLogGroupInput struct {
	LogGroupName string            `json:"logGroupName"`
	Tags         map[string]string `json:"tags"`
}

func (s *Service) tagLogGroup(c *awsproto.Call, body []byte) (any, error) {
	var in tagLogGroupInput
	g, err := s.decodeGroup(c, body, &in, &in.LogGroupName)
	if err != nil {
		return nil, err
	}
	g.Tag(in.Tags)
	return nil, nil
}

type untagLogGroupInput struct {
	LogGroupName string   `json:"logGroupName"`
	Tags         []string `json:"tags"`
}

func (s *Service) untagLogGroup(c *awsproto.Call, body []byte) (any, error) {
	var in untagLogGroupInput
	g, err := s.decodeGroup(c, body, &in, &in.LogGroupName)
	if err != nil {
		return nil, err
	}
	g.Untag(in.Tags)
	return nil, nil
}

type tagsOutput struct {
	Tags map[string]string `json:"tags"`
}

func (s *Service) listTagsLogGroup(c *awsproto.Call, body []byte) (any, error) {
	var in groupNameInput
	g, err := s.decodeGroup(c, body, &in, &in.LogGroupName)
	if err != nil {
		return nil, err
	}
	return tagsOutput{Tags: g.Tags()}, nil
}

type resourceInput struct {
	ResourceArn string            `json:"resourceArn"`
	Tags        map[string]string `json:"tags"`
	TagKeys     []string          `json:"tagKeys"`
}

func (s *Service) resourceGroup(c *awsproto.Call, body []byte) (*Group, resourceInput, error) {
	var in resourceInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, in, err
	}
	if in.ResourceArn == "" {
		return nil, in, notNull("resourceArn")
	}
	region, name, ok := parseGroupARN(in.ResourceArn)
	if !ok {
		return nil, in, ErrInvalidParameter.Errorf("Invalid resource ARN: %s", in.ResourceArn)
	}
	g, err := s.store.Group(region, name)
	if err != nil {
		return nil, in, ErrResourceNotFound.New(msgGroupNotFound)
	}
	return g, in, nil
}

func (s *Service) tagResource(c *awsproto.Call, body []byte) (any, error) {
	g, in, err := s.resourceGroup(c, body)
	if err != nil {
		return nil, err
	}
	g.Tag(in.Tags)
	return nil, nil
}

func (s *Service) untagResource(c *awsproto.Call, body []byte) (any, error) {
	g, in, err := s.resourceGroup(c, body)
	if err != nil {
		return nil, err
	}
	g.Untag(in.TagKeys)
	return nil, nil
}

func (s *Service) listTagsForResource(c *awsproto.Call, body []byte) (any, error) {
	g, _, err := s.resourceGroup(c, body)
	if err != nil {
		return nil, err
	}
	return tagsOutput{Tags: g.Tags()}, nil
}
