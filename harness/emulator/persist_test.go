package emulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	"github.com/groundstack/groundstack/harness/emulator/persist"
)

// startPersisted starts an emulator on dir; the caller closes it.
func startPersisted(t *testing.T, dir string) (*emulator.Emulator, aws.Config) {
	t.Helper()
	e := emulator.New(emulator.WithDataDir(dir, persist.FsyncBatch))
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	return e, emutest.Config(e.URL())
}

func TestDataDirSurvivesRestarts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, acfg := startPersisted(t, dir)
	handle := seedSnapshotState(t, acfg)
	observe(t, acfg, a.URL()[len("http://"):]) // reading secrets marks them accessed: once first
	before := observe(t, acfg, a.URL()[len("http://"):])
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	// A clean restart (from checkpoints), then changes, then a restart
	// that replays their records.
	b, bcfg := startPersisted(t, dir)
	after := observe(t, bcfg, b.URL()[len("http://"):])
	if d := lineDiff(before, after); d != "" {
		t.Errorf("observed state differs after a restart:\n%s", d)
	}
	db := dynamodb.NewFromConfig(bcfg)
	must(db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("orders"),
		Item: map[string]ddb.AttributeValue{"pk": &ddb.AttributeValueMemberS{Value: "late"}, "sk": &ddb.AttributeValueMemberN{Value: "9"}}}))
	must(db.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String("orders"),
		Key: map[string]ddb.AttributeValue{"pk": &ddb.AttributeValueMemberS{Value: "c0"}, "sk": &ddb.AttributeValueMemberN{Value: "0"}}}))
	mid := observe(t, bcfg, b.URL()[len("http://"):])
	b.Close()

	c, ccfg := startPersisted(t, dir)
	defer c.Close()
	if d := lineDiff(mid, observe(t, ccfg, c.URL()[len("http://"):])); d != "" {
		t.Errorf("observed state differs after a second restart:\n%s", d)
	}
	_ = handle
	rep := c.Persistence()
	if rep == nil || rep.Restored.Services < 4 || !contains(rep.NotPersisted, "lambda") {
		t.Errorf("persistence report: %+v", rep)
	}
	resp, err := http.Get(c.URL() + "/_groundstack/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Persistence emulator.PersistenceReport `json:"persistence"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || st.Persistence.DataDir != dir {
		t.Errorf("state's persistence: %+v %v", st.Persistence, err)
	}
}

func TestDataDirResetEmptiesIt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, acfg := startPersisted(t, dir)
	seedSnapshotState(t, acfg)
	resp, err := http.Post(a.URL()+"/_groundstack/reset", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	a.Close()
	b, bcfg := startPersisted(t, dir)
	defer b.Close()
	tables := must(dynamodb.NewFromConfig(bcfg).ListTables(context.Background(), &dynamodb.ListTablesInput{}))
	if len(tables.TableNames) != 0 {
		t.Fatalf("tables after a reset and a restart: %v", tables.TableNames)
	}
}

func TestDataDirOfANewerFormatIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "FORMAT"), []byte("999\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := emulator.New(emulator.WithDataDir(dir, persist.FsyncBatch))
	defer e.Close()
	if err := e.Start(); err == nil || !strings.Contains(err.Error(), "newer groundstack") {
		t.Fatalf("start on a newer data directory: %v", err)
	}
}
