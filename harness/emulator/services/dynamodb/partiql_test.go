package dynamodb_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// PartiQL statements run on the same engine as the item operations.
func TestPartiQL(t *testing.T) {
	t.Parallel()
	v := start(t)
	v.createTable("Music", "Artist", "Year")
	exec := func(stmt string, params ...types.AttributeValue) (*ddb.ExecuteStatementOutput, error) {
		in := &ddb.ExecuteStatementInput{Statement: aws.String(stmt)}
		if len(params) > 0 {
			in.Parameters = params
		}
		return v.db.ExecuteStatement(v.ctx, in)
	}
	for i, stmt := range []string{
		`INSERT INTO "Music" VALUE {'Artist': 'Acme', 'Year': 2019, 'Title': 'One', 'Plays': 1}`,
		`INSERT INTO Music VALUE {'Artist': 'Acme', 'Year': 2020, 'Title': 'Two', 'Tags': ['a']}`,
		`INSERT INTO "Music" VALUE {'Artist': 'Zed', 'Year': 2020, 'Title': 'Three'}`,
	} {
		if _, err := exec(stmt); err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
	}
	if _, err := exec(`INSERT INTO "Music" VALUE ?`, &types.AttributeValueMemberM{Value: item{"Artist": s("Zed"), "Year": ni(2021)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := exec(`UPDATE "Music" SET Plays = Plays + ?, Label = 'L' REMOVE Tags WHERE Artist = 'Acme' AND "Year" = 2019`, ni(4)); err != nil {
		t.Fatal(err)
	}
	got := v.get("Music", item{"Artist": s("Acme"), "Year": ni(2019)})
	if nv(t, got, "Plays") != "5" || sv(t, got, "Label") != "L" {
		t.Fatalf("after UPDATE: %v", got)
	}
	if _, err := exec(`DELETE FROM "Music" WHERE Artist = 'Zed' AND "Year" = 2021`); err != nil {
		t.Fatal(err)
	}

	selects := []struct {
		stmt   string
		params []types.AttributeValue
		want   int
	}{
		{`SELECT * FROM "Music" WHERE Artist = ?`, []types.AttributeValue{s("Acme")}, 2},
		{`SELECT Title FROM "Music" WHERE Artist = 'Acme' AND "Year" = 2020`, nil, 1},
		{`SELECT * FROM "Music" WHERE "Year" = 2020`, nil, 2},                                // a scan
		{`SELECT * FROM "Music" WHERE Artist = 'Acme' AND "Year" >= 2020`, nil, 1},           // key condition in the scan
		{`SELECT * FROM "Music" WHERE begins_with(Title, 'T') AND Label IS MISSING`, nil, 2}, // non-key attributes
		{`SELECT * FROM "Music" WHERE Title IN ['One', 'Three'] OR Plays BETWEEN 1 AND 9`, nil, 2},
		{`SELECT * FROM "Music"`, nil, 3},
	}
	for _, c := range selects {
		out, err := exec(c.stmt, c.params...)
		if err != nil {
			t.Fatalf("%s: %v", c.stmt, err)
		}
		if len(out.Items) != c.want {
			t.Fatalf("%s: %d items, want %d: %v", c.stmt, len(out.Items), c.want, out.Items)
		}
	}
	// NextToken pages through a result.
	var seen int
	in := &ddb.ExecuteStatementInput{Statement: aws.String(`SELECT * FROM "Music"`), Limit: aws.Int32(2)}
	for pages := 0; ; pages++ {
		out, err := v.db.ExecuteStatement(v.ctx, in)
		if err != nil || pages > 5 {
			t.Fatalf("page %d: %v", pages, err)
		}
		seen += len(out.Items)
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if seen != 3 {
		t.Fatalf("paged SELECT saw %d items", seen)
	}

	errs := []struct {
		stmt      string
		params    []types.AttributeValue
		code, msg string
	}{
		{`INSERT INTO "Music" VALUE {'Artist': 'Acme', 'Year': 2019}`, nil, "DuplicateItemException", "Duplicate primary key exists in table"},
		{`UPDATE "Music" SET x = 1 WHERE Artist = 'Nobody' AND "Year" = 1`, nil, "ConditionalCheckFailedException", ""},
		{`DELETE FROM "Music" WHERE Artist = 'Acme' AND "Year" = 2019 AND Plays > 100`, nil, "ConditionalCheckFailedException", ""},
		{`UPDATE "Music" SET x = 1 WHERE Artist = 'Acme'`, nil, "ValidationException", "Where clause does not contain a mandatory equality on all key attributes"},
		{`SELECT * FROM "Music" WHERE Artist = ?`, nil, "ValidationException", "Number of parameters in request and statement don't match."},
		{`SELEC * FROM "Music"`, nil, "ValidationException", "Statement wasn't well formed, can't be processed: Unexpected keyword: SELEC"},
		{`SELECT * FROM "Nope"`, nil, "ResourceNotFoundException", "Requested resource not found"},
	}
	for _, c := range errs {
		_, err := exec(c.stmt, c.params...)
		if c.msg == "" {
			wantErr(t, err, c.code, "")
		} else {
			wantExact(t, err, c.code, c.msg)
		}
	}

	// A batch answers per statement.
	b, err := v.db.BatchExecuteStatement(v.ctx, &ddb.BatchExecuteStatementInput{Statements: []types.BatchStatementRequest{
		{Statement: aws.String(`SELECT Title FROM "Music" WHERE Artist = 'Acme' AND "Year" = 2019`)},
		{Statement: aws.String(`SELECT * FROM "Music" WHERE Artist = 'Acme'`)},
	}})
	if err != nil || len(b.Responses) != 2 || sv(t, b.Responses[0].Item, "Title") != "One" || b.Responses[1].Error == nil ||
		b.Responses[1].Error.Code != types.BatchStatementErrorCodeEnumValidationError {
		t.Fatalf("BatchExecuteStatement: %+v %v", b, err)
	}
	// A transaction is all or nothing.
	_, err = v.db.ExecuteTransaction(v.ctx, &ddb.ExecuteTransactionInput{TransactStatements: []types.ParameterizedStatement{
		{Statement: aws.String(`INSERT INTO "Music" VALUE {'Artist': 'New', 'Year': 1}`)},
		{Statement: aws.String(`UPDATE "Music" SET x = 1 WHERE Artist = 'Nobody' AND "Year" = 1`)},
	}})
	var tce *types.TransactionCanceledException
	if !asErr(err, &tce) || len(tce.CancellationReasons) != 2 || *tce.CancellationReasons[1].Code != "ConditionalCheckFailed" {
		t.Fatalf("ExecuteTransaction: %v", err)
	}
	_, err = v.db.ExecuteTransaction(v.ctx, &ddb.ExecuteTransactionInput{TransactStatements: []types.ParameterizedStatement{
		{Statement: aws.String(`INSERT INTO "Music" VALUE {'Artist': 'New', 'Year': 1}`)},
		{Statement: aws.String(`INSERT INTO "Music" VALUE {'Artist': 'Acme', 'Year': 2019}`)},
	}})
	if !asErr(err, &tce) || *tce.CancellationReasons[1].Code != "DuplicateItem" || *tce.Message != "Transaction cancelled, please refer cancellation reasons for specific reasons [None, DuplicateItem]" {
		t.Fatalf("ExecuteTransaction with a duplicate INSERT: %v", err)
	}
	if it := v.get("Music", item{"Artist": s("New"), "Year": ni(1)}); it != nil {
		t.Fatalf("a cancelled transaction wrote %v", it)
	}
	tx, err := v.db.ExecuteTransaction(v.ctx, &ddb.ExecuteTransactionInput{TransactStatements: []types.ParameterizedStatement{
		{Statement: aws.String(`SELECT * FROM "Music" WHERE Artist = 'Zed' AND "Year" = 2020`)},
	}})
	if err != nil || len(tx.Responses) != 1 || sv(t, tx.Responses[0].Item, "Title") != "Three" {
		t.Fatalf("ExecuteTransaction read: %+v %v", tx, err)
	}
}
