package lambda_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// memJournal is a cloud.Journal keeping records in memory and code files
// in a directory; it checks that every file a record names was synced
// before the record was made.
type memJournal struct {
	t      *testing.T
	dir    string
	mu     sync.Mutex
	recs   []json.RawMessage
	synced map[string]bool
}

func (j *memJournal) BlobDir() string { return j.dir }

func (j *memJournal) SyncBlob(f *os.File) error {
	if filepath.Dir(f.Name()) != j.dir {
		j.t.Errorf("SyncBlob of %s, outside %s", f.Name(), j.dir)
	}
	j.mu.Lock()
	j.synced[filepath.Base(f.Name())] = true
	j.mu.Unlock()
	return f.Sync()
}

func (j *memJournal) Record(_ context.Context, rec any) {
	raw, err := json.Marshal(rec)
	if err != nil {
		j.t.Errorf("a record does not encode: %v", err)
		return
	}
	var r struct {
		Codes []struct {
			File string `json:"file"`
		} `json:"codes"`
	}
	json.Unmarshal(raw, &r)
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, c := range r.Codes {
		if !j.synced[c.File] {
			j.t.Errorf("a record names code file %s, never synced", c.File)
		}
	}
	if strings.Contains(string(raw), `"zip"`) {
		j.t.Errorf("a record holds a zip's bytes: %.200s", raw)
	}
	j.recs = append(j.recs, raw)
}

func (j *memJournal) records() []json.RawMessage {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]json.RawMessage(nil), j.recs...)
}

func savedJSON(t *testing.T, s interface{ SaveState() (any, error) }) string {
	t.Helper()
	st, err := s.SaveState()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(st, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// lambdaStorm runs n random control-plane operations through the SDK;
// errors (a function already deleted, an alias on a missing version) are
// part of the game.
func lambdaStorm(t *testing.T, c *awslambda.Client, rng *rand.Rand, n int, after func(i int)) {
	t.Helper()
	s := aws.String
	zips := make([][]byte, 4)
	for i := range zips {
		zips[i] = zipOf(t, map[string]string{"bootstrap": fmt.Sprintf("#!/bin/sh\n# %d\nexit 1\n", i)})
	}
	var layers []string
	fn := func() *string { return s(fmt.Sprintf("j%d", rng.IntN(5))) }
	for i := range n {
		f := fn()
		switch rng.IntN(14) {
		case 0, 1:
			in := &awslambda.CreateFunctionInput{FunctionName: f, Runtime: types.RuntimeProvidedal2023, Role: s(role),
				Handler: s("bootstrap"), Code: &types.FunctionCode{ZipFile: zips[rng.IntN(len(zips))]},
				Environment: &types.Environment{Variables: map[string]string{"IDX": fmt.Sprint(i)}}}
			if len(layers) > 0 && rng.IntN(2) == 0 {
				in.Layers = []string{layers[rng.IntN(len(layers))]}
			}
			c.CreateFunction(bg, in)
		case 2:
			c.UpdateFunctionCode(bg, &awslambda.UpdateFunctionCodeInput{FunctionName: f, ZipFile: zips[rng.IntN(len(zips))]})
		case 3:
			c.UpdateFunctionConfiguration(bg, &awslambda.UpdateFunctionConfigurationInput{FunctionName: f, Description: s(fmt.Sprint("d", i)),
				MemorySize: aws.Int32(int32(128 + 64*rng.IntN(4)))})
		case 4:
			c.PublishVersion(bg, &awslambda.PublishVersionInput{FunctionName: f})
		case 5:
			c.CreateAlias(bg, &awslambda.CreateAliasInput{FunctionName: f, Name: s("live"), FunctionVersion: s(fmt.Sprint(1 + rng.IntN(2)))})
		case 6:
			c.DeleteAlias(bg, &awslambda.DeleteAliasInput{FunctionName: f, Name: s("live")})
		case 7:
			c.AddPermission(bg, &awslambda.AddPermissionInput{FunctionName: f, StatementId: s(fmt.Sprint("st", i%3)), Action: s("lambda:InvokeFunction"),
				Principal: s("s3.amazonaws.com")})
		case 8:
			c.CreateFunctionUrlConfig(bg, &awslambda.CreateFunctionUrlConfigInput{FunctionName: f, AuthType: types.FunctionUrlAuthTypeNone})
		case 9:
			c.PutFunctionConcurrency(bg, &awslambda.PutFunctionConcurrencyInput{FunctionName: f, ReservedConcurrentExecutions: aws.Int32(int32(rng.IntN(5)))})
		case 10:
			c.DeleteFunction(bg, &awslambda.DeleteFunctionInput{FunctionName: f})
		case 11:
			out, err := c.PublishLayerVersion(bg, &awslambda.PublishLayerVersionInput{LayerName: s(fmt.Sprint("lay", rng.IntN(2))),
				Content: &types.LayerVersionContentInput{ZipFile: zips[rng.IntN(len(zips))]}})
			if err == nil {
				layers = append(layers, *out.LayerVersionArn)
			}
		case 12:
			c.DeleteLayerVersion(bg, &awslambda.DeleteLayerVersionInput{LayerName: s(fmt.Sprint("lay", rng.IntN(2))), VersionNumber: aws.Int64(int64(1 + rng.IntN(3)))})
		case 13:
			if out, err := c.GetFunction(bg, &awslambda.GetFunctionInput{FunctionName: f}); err == nil {
				c.TagResource(bg, &awslambda.TagResourceInput{Resource: out.Configuration.FunctionArn, Tags: map[string]string{"i": fmt.Sprint(i)}})
			}
		}
		after(i)
	}
}

// TestJournalReplay: an early checkpoint and every record replayed (those
// the checkpoint holds too) give the live state, and replaying the
// records again changes nothing.
func TestJournalReplay(t *testing.T) {
	for seed := range uint64(2) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			blobs := t.TempDir()
			e1, c1 := start(t)
			live := service(t, e1)
			mj := &memJournal{t: t, dir: blobs, synced: map[string]bool{}}
			live.SetJournal(mj)
			var early json.RawMessage
			lambdaStorm(t, c1, rand.New(rand.NewPCG(seed, 11)), 150, func(i int) {
				if i == 40 {
					cp, err := live.Checkpoint()
					if err != nil {
						t.Fatal(err)
					}
					early, _ = json.Marshal(cp)
				}
			})
			recs := mj.records()
			if len(recs) < 50 {
				t.Fatalf("only %d records", len(recs))
			}
			if strings.Contains(string(early), `"zip"`) {
				t.Error("the checkpoint holds zip bytes")
			}

			e2, _ := start(t)
			replayed := service(t, e2)
			replayed.SetJournal(&memJournal{t: t, dir: blobs, synced: map[string]bool{}})
			if err := replayed.LoadCheckpoint(replayed.StateVersion(), early); err != nil {
				t.Fatalf("LoadCheckpoint: %v", err)
			}
			for i, r := range recs {
				if err := replayed.ApplyRecord(replayed.StateVersion(), r); err != nil {
					t.Fatalf("ApplyRecord %d: %v\n%.300s", i, err, r)
				}
			}
			want, got := savedJSON(t, live), savedJSON(t, replayed)
			if strings.Count(want, `"latest"`) < 2 || !strings.Contains(want, `"layers"`) {
				t.Fatalf("the storm left too little to compare: %.2000s", want)
			}
			if got != want {
				t.Fatalf("replayed state differs:\nwant %.3000s\ngot  %.3000s", want, got)
			}
			for _, r := range recs {
				if err := replayed.ApplyRecord(replayed.StateVersion(), r); err != nil {
					t.Fatal(err)
				}
			}
			if again := savedJSON(t, replayed); again != want {
				t.Error("records replayed twice give another state")
			}
		})
	}
}

// TestJournalReadsWholeState: a data directory written when Lambda was
// saved whole (zips in base64) still restores.
func TestJournalReadsWholeState(t *testing.T) {
	e1, c1 := start(t)
	lambdaStorm(t, c1, rand.New(rand.NewPCG(5, 5)), 60, func(int) {})
	old := service(t, e1)
	want := savedJSON(t, old)
	st, _ := old.SaveState()
	whole, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, asRecord := range []bool{false, true} {
		e2, _ := start(t)
		s := service(t, e2)
		load := s.LoadCheckpoint
		if asRecord {
			load = s.ApplyRecord
		}
		if err := load(s.StateVersion(), whole); err != nil {
			t.Fatal(err)
		}
		s.SetJournal(&memJournal{t: t, dir: t.TempDir(), synced: map[string]bool{}})
		if got := savedJSON(t, s); got != want {
			t.Errorf("as a record %v: the state differs", asRecord)
		}
	}
}
