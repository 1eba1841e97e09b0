package dynamodb_test

import (
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// DynamoDB sends X-Amz-Crc32 with every response and aws-sdk-go-v2 checks
// it when it closes the body: without it every call logged "failed to close
// HTTP response body … response did not match expected checksum".
func TestResponsesCarryTheCRC32TheSDKChecks(t *testing.T) {
	e, cfg := emutest.Start(t)
	log := emutest.CaptureSDKLog(&cfg)
	db := ddb.NewFromConfig(cfg)
	v := &env{t: t, e: e, db: db, ctx: t.Context()}
	v.createTable("crc", "pk", "sk")
	for i := range 50 {
		v.put("crc", item{"pk": s("a"), "sk": ni(i), "text": s(strings.Repeat("é<&>\"", i))})
	}
	ctx := t.Context()
	calls := map[string]func() error{
		"GetItem": func() error {
			_, err := db.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String("crc"), Key: item{"pk": s("a"), "sk": ni(7)}})
			return err
		},
		"Query": func() error {
			_, err := db.Query(ctx, &ddb.QueryInput{TableName: aws.String("crc"), KeyConditionExpression: aws.String("pk = :p"),
				ExpressionAttributeValues: item{":p": s("a")}})
			return err
		},
		"Scan": func() error { _, err := db.Scan(ctx, &ddb.ScanInput{TableName: aws.String("crc")}); return err },
		"DescribeTable": func() error {
			_, err := db.DescribeTable(ctx, &ddb.DescribeTableInput{TableName: aws.String("crc")})
			return err
		},
		"ListTables": func() error { _, err := db.ListTables(ctx, &ddb.ListTablesInput{}); return err },
	}
	for name, call := range calls {
		if err := call(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if _, err := db.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String("missing"), Key: item{"pk": s("a")}}); err == nil {
		t.Fatal("GetItem on a missing table succeeded")
	}
	for _, l := range log.Lines() {
		if strings.Contains(l, "checksum") || strings.Contains(l, "close HTTP response body") {
			t.Errorf("the SDK complained: %s", l)
		}
	}

	// The header is the CRC-32 of the exact bytes sent, errors included.
	for _, target := range []string{"ListTables", "DescribeTable"} {
		req, _ := http.NewRequest("POST", e.URL(), strings.NewReader(`{"TableName":"nope"}`))
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261207/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10)
		if got := resp.Header.Get("X-Amz-Crc32"); got != want {
			t.Errorf("%s (HTTP %d): X-Amz-Crc32 %q, want %q for %s", target, resp.StatusCode, got, want, body)
		}
	}
}
