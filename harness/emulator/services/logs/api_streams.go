package logs

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type describeLogStreamsInput struct {
	groupIdent
	LogStreamNamePrefix string `json:"logStreamNamePrefix" min:"1" max:"512" pattern:"[^:*]*"`
	OrderBy             string `json:"orderBy" enum:"LogStreamName,LastEventTime"`
	Descending          bool   `json:"descending"`
	NextToken           string `json:"nextToken" min:"1"`
	Limit               *int32 `json:"limit" min:"1" max:"50"`
}

// Validate: the group named one way, and no prefix when ordering by time.
func (in *describeLogStreamsInput) Validate() error {
	if err := in.groupIdent.Validate(); err != nil {
		return err
	}
	if in.OrderBy == "LastEventTime" && in.LogStreamNamePrefix != "" {
		return errInvalidParameter.New("Cannot order by LastEventTime with a logStreamNamePrefix.")
	}
	return nil
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

func (s *Service) createLogStream(c *awsproto.Call, in *streamRef) (struct{}, error) {
	g, err := s.store.Group(c.Region, in.LogGroupName)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, g.CreateStream(in.LogStreamName)
}

func (s *Service) deleteLogStream(c *awsproto.Call, in *streamRef) (struct{}, error) {
	g, err := s.store.Group(c.Region, in.LogGroupName)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, g.DeleteStream(in.LogStreamName)
}

func (s *Service) describeLogStreams(c *awsproto.Call, in *describeLogStreamsInput) (describeLogStreamsOutput, error) {
	name := in.name()
	order := ByStreamName
	if in.OrderBy == "LastEventTime" {
		order = ByLastEventTime
	}
	var cur StreamCursor
	if in.NextToken != "" {
		var err error
		if cur, err = parseStreamCursor(in.NextToken); err != nil {
			return describeLogStreamsOutput{}, err
		}
	}
	g, err := s.store.Group(c.Region, name)
	if err != nil {
		return describeLogStreamsOutput{}, err
	}
	streams, more := g.Streams(in.LogStreamNamePrefix, order, in.Descending, cur, limitOr(in.Limit, 50))
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
		return StreamCursor{}, badToken()
	}
	ts, name, ok := strings.Cut(string(b), "/")
	n, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil {
		return StreamCursor{}, badToken()
	}
	return StreamCursor{LastEvent: n, Name: name, Set: true}, nil
}

// sequenceToken is the (ignored) upload sequence token clients still read.
func sequenceToken(ingest int64) string {
	return fmt.Sprintf("4961%052d", ingest)
}
