package market

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Job is background work on the jobs queue (the original's Celery tasks).
type Job struct {
	Kind      string `json:"kind"`
	RequestID string `json:"request_id"`
	UserID    string `json:"user_id"`
	FixtureID string `json:"fixture_id"`
}

// JobRecommend recomputes a buyer's recommendations after a purchase is
// accepted.
const JobRecommend = "recommend"

// MaxRecommendations is how many fixtures a user is recommended.
const MaxRecommendations = 3

func (m *Market) enqueueRecommendations(ctx context.Context, r Request) {
	if !r.Internal() || m.SQS == nil || m.Settings.JobsQueueURL == "" {
		return
	}
	b, _ := json.Marshal(Job{Kind: JobRecommend, RequestID: r.RequestID, UserID: r.UserID, FixtureID: r.FixtureID})
	body := string(b)
	if _, err := m.SQS.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &m.Settings.JobsQueueURL, MessageBody: &body}); err != nil {
		m.logf("ERROR enqueue recommendations for %s: %v", r.RequestID, err)
	}
}

// HandleJobs runs the jobs of an SQS batch. A job it cannot run (not JSON,
// an unknown kind, a request that does not exist) fails the invocation:
// SQS redelivers it and, after the queue's maxReceiveCount, moves it to
// the dead-letter queue; the function's Errors metric counts each failure.
func (m *Market) HandleJobs(ctx context.Context, ev events.SQSEvent) error {
	var errs []error
	for _, rec := range ev.Records {
		if err := m.runJob(ctx, rec.Body); err != nil {
			m.logf("ERROR job %s: %v", rec.MessageId, err)
			errs = append(errs, fmt.Errorf("job %s: %w", rec.MessageId, err))
		}
	}
	return errors.Join(errs...)
}

func (m *Market) runJob(ctx context.Context, body string) error {
	var j Job
	if err := json.Unmarshal([]byte(body), &j); err != nil {
		return fmt.Errorf("not a job: %w", err)
	}
	if j.Kind != JobRecommend {
		return fmt.Errorf("unknown job kind %q", j.Kind)
	}
	r, err := m.Request(ctx, j.RequestID)
	if err != nil {
		return err
	}
	bought, err := m.Fixture(ctx, r.FixtureID)
	if err != nil {
		return err
	}
	all, err := m.Fixtures(ctx)
	if err != nil {
		return err
	}
	// fixtures of the same league with bonds left, soonest first; then others
	var same, other []Fixture
	for _, f := range all {
		if f.FixtureID == bought.FixtureID || f.Available <= 0 {
			continue
		}
		if f.LeagueName == bought.LeagueName {
			same = append(same, f)
		} else {
			other = append(other, f)
		}
	}
	picks := append(same, other...)
	if len(picks) > MaxRecommendations {
		picks = picks[:MaxRecommendations]
	}
	if err := m.SetRecommendations(ctx, r.UserID, picks); err != nil {
		return fmt.Errorf("store recommendations of %s: %w", r.UserID, err)
	}
	m.logf("recommended %d fixtures to %s after %s", len(picks), r.UserID, r.RequestID)
	return nil
}
