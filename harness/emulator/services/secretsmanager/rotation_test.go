package secretsmanager

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// fakeRotator is a rotation function as AWS's templates write one: it
// calls Secrets Manager back to add the AWSPENDING version (createSecret)
// and to move AWSCURRENT onto it (finishSecret).
type fakeRotator struct {
	c     *sm.Client
	mu    sync.Mutex
	calls []string
	fail  string // a step that fails as an unhandled error
}

func (f *fakeRotator) Invoke(ctx context.Context, req cloud.InvokeRequest) (cloud.InvokeResult, error) {
	var ev struct{ Step, SecretId, ClientRequestToken string }
	if err := json.Unmarshal(req.Payload, &ev); err != nil {
		return cloud.InvokeResult{}, err
	}
	f.mu.Lock()
	f.calls = append(f.calls, req.Function+" "+ev.Step)
	f.mu.Unlock()
	if ev.Step == f.fail {
		return cloud.InvokeResult{FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"boom"}`)}, nil
	}
	switch ev.Step {
	case "createSecret":
		_, err := f.c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: &ev.SecretId, ClientRequestToken: &ev.ClientRequestToken,
			SecretString: aws.String("rotated"), VersionStages: []string{"AWSPENDING"}})
		return cloud.InvokeResult{}, err
	case "finishSecret":
		d, err := f.c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: &ev.SecretId})
		if err != nil {
			return cloud.InvokeResult{}, err
		}
		var cur string
		for id, st := range d.VersionIdsToStages {
			if strings.Contains(fmt.Sprint(st), "AWSCURRENT") {
				cur = id
			}
		}
		_, err = f.c.UpdateSecretVersionStage(ctx, &sm.UpdateSecretVersionStageInput{SecretId: &ev.SecretId, VersionStage: aws.String("AWSCURRENT"),
			MoveToVersionId: &ev.ClientRequestToken, RemoveFromVersionId: &cur})
		return cloud.InvokeResult{}, err
	}
	return cloud.InvokeResult{}, nil
}

func (f *fakeRotator) steps() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := strings.Join(f.calls, ",")
	f.calls = nil
	return out
}

// RotateSecret runs the four steps through the Lambda link, in order, and
// the version the function wrote becomes AWSCURRENT.
func TestRotateSecretInvokesTheRotationFunction(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	env := &cloud.Env{Account: "000000000000", Region: "us-east-1", Now: func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) },
		NewID: func() string { return fmt.Sprintf("%08d-0000-4000-8000-000000000000", n.Add(1)) },
		Log:   slog.New(slog.DiscardHandler), Links: &cloud.Links{}}
	srv := httptest.NewServer(New(env))
	t.Cleanup(srv.Close)
	c := sm.New(sm.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	rot := &fakeRotator{c: c}
	env.Links.Set(cloud.LinkLambda, cloud.FunctionInvoker(rot))
	ctx := context.Background()
	const fn = "arn:aws:lambda:us-east-1:000000000000:function:rotator"
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("initial")}); err != nil {
		t.Fatal(err)
	}

	tok := strings.Repeat("a", 32)
	out, err := c.RotateSecret(ctx, &sm.RotateSecretInput{SecretId: aws.String("db"), RotationLambdaARN: aws.String(fn), ClientRequestToken: &tok,
		RotationRules: &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}})
	if err != nil || aws.ToString(out.VersionId) != tok {
		t.Fatalf("rotate: %v %+v", err, out)
	}
	if got, want := rot.steps(), fn+" createSecret,"+fn+" setSecret,"+fn+" testSecret,"+fn+" finishSecret"; got != want {
		t.Fatalf("steps %s, want %s", got, want)
	}
	g, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("db")})
	if err != nil || aws.ToString(g.SecretString) != "rotated" || aws.ToString(g.VersionId) != tok {
		t.Fatalf("after rotation: %v %+v", err, g)
	}
	d, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("db")})
	if err != nil || !aws.ToBool(d.RotationEnabled) || d.LastRotatedDate == nil || d.NextRotationDate == nil ||
		!d.NextRotationDate.After(*d.LastRotatedDate) {
		t.Fatalf("describe: %v %+v", err, d)
	}

	// RotateImmediately=false runs testSecret only; the stored function is reused.
	if _, err := c.RotateSecret(ctx, &sm.RotateSecretInput{SecretId: aws.String("db"), RotateImmediately: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	if got := rot.steps(); got != fn+" testSecret" {
		t.Fatalf("steps %s", got)
	}

	// A failing step fails the call and leaves AWSPENDING on the new version:
	// the next rotation is refused until it is cancelled.
	rot.fail = "setSecret"
	_, err = c.RotateSecret(ctx, &sm.RotateSecretInput{SecretId: aws.String("db"), ClientRequestToken: aws.String(strings.Repeat("b", 32))})
	if err == nil || !strings.Contains(err.Error(), "InvalidRequestException") {
		t.Fatalf("failing step: %v", err)
	}
	rot.fail = ""
	_, err = c.RotateSecret(ctx, &sm.RotateSecretInput{SecretId: aws.String("db"), ClientRequestToken: aws.String(strings.Repeat("c", 32))})
	if err == nil || !strings.Contains(err.Error(), "A previous rotation isn't complete.") {
		t.Fatalf("while pending: %v", err)
	}
	cr, err := c.CancelRotateSecret(ctx, &sm.CancelRotateSecretInput{SecretId: aws.String("db")})
	if err != nil || aws.ToString(cr.VersionId) != strings.Repeat("b", 32) {
		t.Fatalf("cancel: %v %s", err, aws.ToString(cr.VersionId))
	}
	rot.steps()
	if _, err := c.RotateSecret(ctx, &sm.RotateSecretInput{SecretId: aws.String("db"), ClientRequestToken: aws.String(strings.Repeat("d", 32))}); err != nil {
		t.Fatalf("after cancel: %v", err)
	}
}

// Without a Lambda service, RotateSecret stores the configuration and makes
// a new AWSCURRENT version holding the same value.
func TestRotateSecretWithoutLambda(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	env := &cloud.Env{Account: "000000000000", Region: "us-east-1", Now: time.Now,
		NewID: func() string { return fmt.Sprintf("%08d-0000-4000-8000-000000000000", n.Add(1)) },
		Log:   slog.New(slog.DiscardHandler)}
	srv := httptest.NewServer(New(env))
	t.Cleanup(srv.Close)
	c := sm.New(sm.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	ctx := context.Background()
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("same"), ClientRequestToken: aws.String(strings.Repeat("a", 32))}); err != nil {
		t.Fatal(err)
	}
	tok := strings.Repeat("b", 32)
	if _, err := c.RotateSecret(ctx, &sm.RotateSecretInput{SecretId: aws.String("db"), ClientRequestToken: &tok,
		RotationLambdaARN: aws.String("arn:aws:lambda:us-east-1:000000000000:function:f")}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("db")})
	if err != nil || fmt.Sprint(d.VersionIdsToStages) != fmt.Sprint(map[string][]string{strings.Repeat("a", 32): {"AWSPREVIOUS"}, tok: {"AWSCURRENT"}}) {
		t.Fatalf("describe: %v %v", err, d.VersionIdsToStages)
	}
	g, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("db")})
	if err != nil || aws.ToString(g.SecretString) != "same" {
		t.Fatalf("get: %v %+v", err, g)
	}
}
