package dynamodb_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// The aws CLI (botocore) drives the same operations users run by hand.
func TestAWSCLI(t *testing.T) {
	e, _ := emutest.Start(t)
	run := func(args ...string) map[string]any {
		t.Helper()
		out, errOut, code := emutest.CLI(t, e.URL(), args...)
		if code != 0 {
			t.Fatalf("aws %v: exit %d: %s", args, code, errOut)
		}
		var m map[string]any
		if out != "" {
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatalf("aws %v: output %q: %v", args, out, err)
			}
		}
		return m
	}
	created := run("dynamodb", "create-table", "--table-name", "Music",
		"--attribute-definitions", "AttributeName=Artist,AttributeType=S", "AttributeName=SongTitle,AttributeType=S",
		"--key-schema", "AttributeName=Artist,KeyType=HASH", "AttributeName=SongTitle,KeyType=RANGE",
		"--billing-mode", "PAY_PER_REQUEST")
	if created["TableDescription"].(map[string]any)["TableName"] != "Music" {
		t.Fatalf("create-table: %v", created)
	}
	run("dynamodb", "wait", "table-exists", "--table-name", "Music")
	desc := run("dynamodb", "describe-table", "--table-name", "Music")
	if desc["Table"].(map[string]any)["TableStatus"] != "ACTIVE" {
		t.Fatalf("describe-table: %v", desc)
	}
	run("dynamodb", "put-item", "--table-name", "Music", "--item",
		`{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"},"Year":{"N":"2015"},"Album":{"S":"Somewhat Famous"}}`)
	run("dynamodb", "put-item", "--table-name", "Music", "--item",
		`{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Blue Sky"},"Year":{"N":"2019"}}`)
	scan := run("dynamodb", "scan", "--table-name", "Music", "--projection-expression", "#y, SongTitle",
		"--expression-attribute-names", `{"#y":"Year"}`)
	items := scan["Items"].([]any)
	if scan["Count"].(float64) != 2 || len(items) != 2 {
		t.Fatalf("scan: %v", scan)
	}
	for _, it := range items {
		m := it.(map[string]any)
		if len(m) != 2 || m["Year"] == nil || m["SongTitle"] == nil {
			t.Fatalf("projected item: %v", m)
		}
	}
	q := run("dynamodb", "query", "--table-name", "Music", "--key-condition-expression", "Artist = :a AND begins_with(SongTitle, :t)",
		"--expression-attribute-values", `{":a":{"S":"No One You Know"},":t":{"S":"Call"}}`)
	if q["Count"].(float64) != 1 {
		t.Fatalf("query: %v", q)
	}
	got := q["Items"].([]any)[0].(map[string]any)
	if got["Year"].(map[string]any)["N"] != "2015" {
		t.Fatalf("query item: %v", got)
	}
	// Errors come back as the CLI prints AWS's.
	_, errOut, code := emutest.CLI(t, e.URL(), "dynamodb", "get-item", "--table-name", "Music", "--key", `{"Artist":{"S":"x"}}`)
	if code == 0 || !strings.Contains(errOut, "ValidationException") || !strings.Contains(errOut, "The provided key element does not match the schema") {
		t.Fatalf("get-item error: %d %s", code, errOut)
	}
}

// The commands docs/dynamodb.md prints: PartiQL, backups, point-in-time
// recovery, through the aws CLI.
func TestAWSCLIBackupsAndPartiQL(t *testing.T) {
	t.Parallel()
	e, _ := emutest.Start(t)
	run := func(args ...string) map[string]any {
		t.Helper()
		out, errOut, code := emutest.CLI(t, e.URL(), args...)
		if code != 0 {
			t.Fatalf("aws %v: exit %d: %s", args, code, errOut)
		}
		var m map[string]any
		if out != "" {
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatalf("aws %v: output %q: %v", args, out, err)
			}
		}
		return m
	}
	run("dynamodb", "create-table", "--table-name", "Books", "--attribute-definitions", "AttributeName=isbn,AttributeType=S",
		"--key-schema", "AttributeName=isbn,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")
	run("dynamodb", "wait", "table-exists", "--table-name", "Books")
	run("dynamodb", "execute-statement", "--statement", `INSERT INTO "Books" VALUE {'isbn': '111', 'title': 'Dune', 'year': 1965}`)
	got := run("dynamodb", "execute-statement", "--statement", `SELECT title FROM "Books" WHERE isbn = ?`, "--parameters", `[{"S":"111"}]`)
	if items := got["Items"].([]any); len(items) != 1 || items[0].(map[string]any)["title"].(map[string]any)["S"] != "Dune" {
		t.Fatalf("execute-statement: %v", got)
	}
	pitr := run("dynamodb", "update-continuous-backups", "--table-name", "Books",
		"--point-in-time-recovery-specification", "PointInTimeRecoveryEnabled=true")
	if pitr["ContinuousBackupsDescription"].(map[string]any)["PointInTimeRecoveryDescription"].(map[string]any)["PointInTimeRecoveryStatus"] != "ENABLED" {
		t.Fatalf("update-continuous-backups: %v", pitr)
	}
	b := run("dynamodb", "create-backup", "--table-name", "Books", "--backup-name", "first")
	arn := b["BackupDetails"].(map[string]any)["BackupArn"].(string)
	r := run("dynamodb", "restore-table-from-backup", "--target-table-name", "Books2", "--backup-arn", arn)
	if r["TableDescription"].(map[string]any)["ItemCount"].(float64) != 1 {
		t.Fatalf("restore-table-from-backup: %v", r)
	}
	_, errOut, code := emutest.CLI(t, e.URL(), "dynamodb", "execute-statement", "--statement", `INSERT INTO "Books" VALUE {'isbn': '111'}`)
	if code == 0 || !strings.Contains(errOut, "DuplicateItemException") || !strings.Contains(errOut, "Duplicate primary key exists in table") {
		t.Fatalf("duplicate INSERT: %d %s", code, errOut)
	}
}
