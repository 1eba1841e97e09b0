package emulator_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/groundstack/groundstack/harness/deploy"
)

// TestDataDirLambdaRestart: functions created before a restart (from
// records, then from a checkpoint) invoke after it, their state is the
// same, and their code is a file of the blob directory, not base64 in the
// log.
func TestDataDirLambdaRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	zipPath, _, err := deploy.BuildHandler(ctx, "../../handlers/testfn")
	if err != nil {
		t.Fatal(err)
	}
	code, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a, acfg := startPersisted(t, dir)
	seedLambda(t, acfg, code)
	// An invocation's logs reach CloudWatch Logs past the edge; they are
	// persisted all the same.
	must(awslambda.NewFromConfig(acfg).Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("api"), Payload: []byte(`{"mode":"env"}`)}))
	waitLogs(t, acfg, 1)
	// Nobody waits for those: a request's record, later in the same log,
	// is durable only once they are.
	must(cloudwatchlogs.NewFromConfig(acfg).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("barrier")}))
	before := observeLambda(t, acfg, a.URL()[len("http://"):])
	var logBytes int64
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(p, string(filepath.Separator)+"lambda"+string(filepath.Separator)) &&
			!strings.Contains(p, "blobs") {
			if fi, err := d.Info(); err == nil {
				logBytes += fi.Size()
			}
		}
		return nil
	})
	if logBytes == 0 || logBytes > int64(len(code))/2 {
		t.Errorf("Lambda's log holds %d bytes for a %d-byte zip: the code is in it", logBytes, len(code))
	}
	// A copy of the directory while the emulator runs is what a crash
	// leaves: a start on it replays Lambda's records.
	crashed := t.TempDir()
	if err := os.CopyFS(crashed, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	c, ccfg := startPersisted(t, crashed)
	if d := lineDiff(before, observeLambda(t, ccfg, c.URL()[len("http://"):])); d != "" {
		t.Errorf("observed state differs after a crash:\n%s", d)
	}
	res := must(awslambda.NewFromConfig(ccfg).Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("api"), Payload: []byte(`{"mode":"env"}`)}))
	if res.FunctionError != nil || !strings.Contains(string(res.Payload), "STAGE") {
		t.Errorf("invoke after a crash: %s %s", aws.ToString(res.FunctionError), res.Payload)
	}
	waitLogs(t, ccfg, 1)
	if rep := c.Persistence(); rep.Restored.Records == 0 || len(rep.Failed) > 0 {
		t.Errorf("after a crash: %+v", rep)
	}
	c.Close()

	// Close checkpoints: the first start restores a checkpoint, the
	// second replays the record of a change made after it.

	for round := range 2 {
		b, bcfg := startPersisted(t, dir)
		if d := lineDiff(before, observeLambda(t, bcfg, b.URL()[len("http://"):])); d != "" {
			t.Errorf("round %d: observed state differs after a restart:\n%s", round, d)
		}
		lc := awslambda.NewFromConfig(bcfg)
		for _, q := range []string{"", "1", "live"} {
			in := &awslambda.InvokeInput{FunctionName: aws.String("api"), Payload: []byte(`{"mode":"env"}`)}
			if q != "" {
				in.Qualifier = aws.String(q)
			}
			res := must(lc.Invoke(ctx, in))
			if res.FunctionError != nil || !strings.Contains(string(res.Payload), "STAGE") {
				t.Errorf("round %d: invoke %q after the restart: %s %s", round, q, aws.ToString(res.FunctionError), res.Payload)
			}
		}
		waitLogs(t, bcfg, 1)
		if rep := b.Persistence(); len(rep.Failed) > 0 {
			t.Errorf("round %d: %v", round, rep.Failed)
		}
		if round == 0 {
			// A change whose record the next start replays.
			must(lc.UpdateFunctionConfiguration(ctx, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("twin"),
				Description: aws.String("after the restart")}))
			before = observeLambda(t, bcfg, b.URL()[len("http://"):])
		}
		b.Close()
	}
}

// waitLogs waits until function api's log group holds at least n
// REPORT lines (the runtime writes them after the answer).
func waitLogs(t *testing.T, cfg aws.Config, n int) {
	t.Helper()
	cw := cloudwatchlogs.NewFromConfig(cfg)
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := cw.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/api"),
			FilterPattern: aws.String("REPORT")})
		if err == nil && len(out.Events) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the log group of api holds no REPORT line: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
