package logs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/logs"
)

// memJournal is a cloud.Journal keeping records in memory.
type memJournal struct {
	mu   sync.Mutex
	recs []json.RawMessage
	t    *testing.T
}

func (j *memJournal) BlobDir() string           { return j.t.TempDir() }
func (j *memJournal) SyncBlob(f *os.File) error { return f.Sync() }

func (j *memJournal) Record(_ context.Context, rec any) {
	raw, err := json.Marshal(rec)
	if err != nil {
		j.t.Errorf("a record does not encode: %v", err)
		return
	}
	j.mu.Lock()
	j.recs = append(j.recs, raw)
	j.mu.Unlock()
}

func (j *memJournal) records() []json.RawMessage {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]json.RawMessage(nil), j.recs...)
}

func logsOf(t *testing.T, e *emulator.Emulator) *logs.Service {
	t.Helper()
	for _, s := range e.Services() {
		if l, ok := s.(*logs.Service); ok {
			return l
		}
	}
	t.Fatal("no logs service")
	return nil
}

func saved(t *testing.T, s *logs.Service) string {
	t.Helper()
	st, err := s.SaveState()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(st, "", " ")
	return string(b)
}

// logsStorm runs n random operations through the SDK, and writes through
// the LogWriter as a Lambda function's runtime does.
func logsStorm(t *testing.T, c *cwl.Client, w cloud.LogWriter, rng *rand.Rand, n int, after func(i int)) {
	t.Helper()
	s := aws.String
	base := time.Now().Add(-time.Hour)
	for i := range n {
		g := s(fmt.Sprint("/g/", rng.IntN(3)))
		st := s(fmt.Sprint("s", rng.IntN(3)))
		switch rng.IntN(12) {
		case 0:
			c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: g, Tags: map[string]string{"i": fmt.Sprint(i)}})
		case 1:
			c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: g, LogStreamName: st})
		case 2, 3, 4:
			var evs []types.InputLogEvent
			for j := range 1 + rng.IntN(8) {
				evs = append(evs, types.InputLogEvent{Message: s(fmt.Sprint("m", i, "-", j)), Timestamp: aws.Int64(base.Add(time.Duration(i*10+j) * time.Second).UnixMilli())})
			}
			c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: g, LogStreamName: st, LogEvents: evs})
		case 5, 6:
			var evs []cloud.LogEvent
			for j := range 1 + rng.IntN(5) {
				evs = append(evs, cloud.LogEvent{Timestamp: base.Add(time.Duration(i*10+rng.IntN(40)) * time.Second), Message: fmt.Sprint("w", i, "-", j)})
			}
			w.WriteLogs("us-east-1", "/aws/lambda/f"+fmt.Sprint(rng.IntN(2)), "2026/01/01/[$LATEST]x", evs)
		case 7:
			c.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: g, LogStreamName: st})
		case 8:
			if rng.IntN(3) == 0 {
				c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: g})
			}
		case 9:
			c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: g, RetentionInDays: aws.Int32([]int32{1, 7, 30}[rng.IntN(3)])})
		case 10:
			c.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: g, FilterName: s("errors"), FilterPattern: s("ERROR"),
				MetricTransformations: []types.MetricTransformation{{MetricName: s("Errors"), MetricNamespace: s("app"), MetricValue: s("1")}}})
		case 11:
			c.PutQueryDefinition(ctx, &cwl.PutQueryDefinitionInput{Name: s(fmt.Sprint("q", rng.IntN(2))), QueryString: s("fields @message")})
		}
		after(i)
	}
}

// TestJournalReplay: an early checkpoint and every record replayed (those
// the checkpoint holds too) give the live state, events trimmed by the
// stream bound included; replaying the records again changes nothing.
func TestJournalReplay(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			e1, c1 := client(t)
			live := logsOf(t, e1)
			live.Store().MaxEventsPerStream = 40
			mj := &memJournal{t: t}
			live.SetJournal(mj)
			var early json.RawMessage
			logsStorm(t, c1, live.Store(), rand.New(rand.NewPCG(seed, 3)), 300, func(i int) {
				if i == 80 {
					cp, err := live.Checkpoint()
					if err != nil {
						t.Fatal(err)
					}
					early, _ = json.Marshal(cp)
				}
			})
			recs := mj.records()
			want := saved(t, live)
			if strings.Count(want, `"msg"`) < 50 || !strings.Contains(want, "/aws/lambda/f") {
				t.Fatalf("the storm left too little to compare (%d records): %.2000s", len(recs), want)
			}

			e2, _ := client(t)
			replayed := logsOf(t, e2)
			replayed.Store().MaxEventsPerStream = 40
			if err := replayed.LoadCheckpoint(replayed.StateVersion(), early); err != nil {
				t.Fatalf("LoadCheckpoint: %v", err)
			}
			for i, r := range recs {
				if err := replayed.ApplyRecord(replayed.StateVersion(), r); err != nil {
					t.Fatalf("ApplyRecord %d: %v\n%.300s", i, err, r)
				}
			}
			if got := saved(t, replayed); got != want {
				t.Fatalf("replayed state differs:\n%s", firstDiff(want, got))
			}
			for _, r := range recs {
				if err := replayed.ApplyRecord(replayed.StateVersion(), r); err != nil {
					t.Fatal(err)
				}
			}
			if got := saved(t, replayed); got != want {
				t.Errorf("records replayed twice:\n%s", firstDiff(want, got))
			}
		})
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			lo := max(0, i-8)
			return fmt.Sprintf("line %d:\nwant %s\ngot  %s\ncontext:\n%s", i, al[i], bl[i], strings.Join(al[lo:i+1], "\n"))
		}
	}
	return fmt.Sprintf("lengths %d, %d", len(al), len(bl))
}

// TestJournalReadsWholeState: a data directory written when Logs was
// saved whole still restores.
func TestJournalReadsWholeState(t *testing.T) {
	e1, c1 := client(t)
	old := logsOf(t, e1)
	logsStorm(t, c1, old.Store(), rand.New(rand.NewPCG(5, 5)), 100, func(int) {})
	want := saved(t, old)
	st, _ := old.SaveState()
	whole, _ := json.Marshal(st)
	e2, _ := client(t)
	s := logsOf(t, e2)
	if err := s.ApplyRecord(s.StateVersion(), whole); err != nil {
		t.Fatal(err)
	}
	if got := saved(t, s); got != want {
		t.Errorf("the state differs:\n%s", firstDiff(want, got))
	}
}
