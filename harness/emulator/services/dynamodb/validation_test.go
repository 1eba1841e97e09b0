package dynamodb_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator"
)

// rawEdge is an emulator's handler for requests the SDK would refuse to
// send (it checks required members itself).
func rawEdge(t *testing.T) http.Handler {
	t.Helper()
	e := emulator.New()
	t.Cleanup(func() { e.Close() })
	h := e.Handler()
	for _, body := range []string{
		`{"TableName":"tbl","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}`,
	} {
		if w := call(h, "DynamoDB_20120810.CreateTable", body); w.Code != 200 {
			t.Fatalf("setup: %d %s", w.Code, w.Body)
		}
	}
	return h
}

// apiError decodes an awsJson error response.
func apiError(t *testing.T, h http.Handler, target, body string) (status int, code, msg string) {
	t.Helper()
	w := call(h, target, body)
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if w.Code != 200 {
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
			t.Fatalf("%s: %d %s", target, w.Code, w.Body)
		}
	}
	return w.Code, w.Header().Get("X-Amzn-ErrorType"), e.Message
}

// The model's constraints are checked before anything else, and every
// violation is reported at once, as AWS reports them.
func TestModelConstraints(t *testing.T) {
	h := rawEdge(t)
	notNull := func(member string) string {
		return "Value null at '" + member + "' failed to satisfy constraint: Member must not be null"
	}
	cases := []struct {
		name, target, body, msg string
	}{
		{"every missing member", "DynamoDB_20120810.PutItem", `{}`,
			"2 validation errors detected: " + notNull("tableName") + "; " + notNull("item")},
		{"enum", "DynamoDB_20120810.GetItem", `{"TableName":"tbl","Key":{"id":{"S":"a"}},"ReturnConsumedCapacity":"ALL"}`,
			"1 validation error detected: Value 'ALL' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"},
		{"before the table is looked up", "DynamoDB_20120810.PutItem", `{"TableName":"nope","Item":{"id":{"S":"a"}},"ReturnValues":"SOME"}`,
			"1 validation error detected: Value 'SOME' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"},
		{"enum and range", "DynamoDB_20120810.Query", `{"TableName":"tbl","Select":"SOME","Limit":0,"KeyConditionExpression":"id = :v","ExpressionAttributeValues":{":v":{"S":"a"}}}`,
			"2 validation errors detected: Value 'SOME' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]; " +
				"Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"nested list members", "DynamoDB_20120810.CreateTable",
			`{"TableName":"t22","BillingMode":"FREE","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"X"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}`,
			"2 validation errors detected: Value 'X' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]; " +
				"Value 'FREE' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"},
		{"throughput members", "DynamoDB_20120810.CreateTable",
			`{"TableName":"t22","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"ProvisionedThroughput":{"ReadCapacityUnits":0}}`,
			"2 validation errors detected: Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
				notNull("provisionedThroughput.writeCapacityUnits")},
		{"what each transaction action requires", "DynamoDB_20120810.TransactWriteItems",
			`{"TransactItems":[{"ConditionCheck":{"TableName":"tbl"}},{"Update":{"TableName":"tbl","Key":{"id":{"S":"a"}}}}]}`,
			"3 validation errors detected: " + notNull("transactItems.1.member.conditionCheck.key") + "; " +
				notNull("transactItems.1.member.conditionCheck.conditionExpression") + "; " + notNull("transactItems.2.member.update.updateExpression")},
		{"transaction action's table", "DynamoDB_20120810.TransactWriteItems", `{"TransactItems":[{"Put":{"Item":{"id":{"S":"a"}}}}]}`,
			"1 validation error detected: " + notNull("transactItems.1.member.put.tableName")},
		{"token length", "DynamoDB_20120810.TransactWriteItems",
			`{"ClientRequestToken":"0123456789012345678901234567890123456","TransactItems":[{"Put":{"TableName":"tbl","Item":{"id":{"S":"a"}}}}]}`,
			"1 validation error detected: Value '0123456789012345678901234567890123456' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36"},
		{"ttl specification", "DynamoDB_20120810.UpdateTimeToLive", `{"TableName":"tbl","TimeToLiveSpecification":{"Enabled":true}}`,
			"1 validation error detected: " + notNull("timeToLiveSpecification.attributeName")},
		{"streams", "DynamoDBStreams_20120810.GetShardIterator", `{"StreamArn":"arn:short","ShardId":"shardId-1","ShardIteratorType":"NOW"}`,
			"3 validation errors detected: Value 'arn:short' at 'streamArn' failed to satisfy constraint: Member must have length greater than or equal to 37; " +
				"Value 'shardId-1' at 'shardId' failed to satisfy constraint: Member must have length greater than or equal to 28; " +
				"Value 'NOW' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_SEQUENCE_NUMBER, TRIM_HORIZON]"},
		{"records page limit", "DynamoDBStreams_20120810.GetRecords", `{"ShardIterator":"x","Limit":1001}`,
			"1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{"streams page limit", "DynamoDBStreams_20120810.ListStreams", `{"Limit":101}`,
			"1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100"},
		{"before the global table is looked up", "DynamoDB_20120810.UpdateGlobalTableSettings",
			`{"GlobalTableName":"nope","GlobalTableGlobalSecondaryIndexSettingsUpdate":[{"IndexName":"ix","ProvisionedWriteCapacityUnits":0}]}`,
			"2 validation errors detected: Value 'ix' at 'globalTableGlobalSecondaryIndexSettingsUpdate.1.member.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
				"Value '0' at 'globalTableGlobalSecondaryIndexSettingsUpdate.1.member.provisionedWriteCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"before the backup is looked up", "DynamoDB_20120810.RestoreTableFromBackup",
			`{"BackupArn":"arn:aws:dynamodb:us-east-1:000000000000:table/nope/backup/01234567890123-abcdefgh","TargetTableName":"t22","GlobalSecondaryIndexOverride":[{"IndexName":"gsi","KeySchema":[],"Projection":{"ProjectionType":"ALL"}}]}`,
			"1 validation error detected: Value at 'globalSecondaryIndexOverride.1.member.keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"a replica without its region (optional in the model)", "DynamoDB_20120810.CreateGlobalTable",
			`{"GlobalTableName":"tbl","ReplicationGroup":[{}]}`,
			"One or more parameter values were invalid: RegionName must be specified for each replica"},
		{"an import's table parameters", "DynamoDB_20120810.ImportTable",
			`{"S3BucketSource":{"S3Bucket":"bucket"},"InputFormat":"CSV","TableCreationParameters":{"TableName":"ab","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}}`,
			"2 validation errors detected: Value 'ab' at 'tableCreationParameters.tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
				notNull("tableCreationParameters.attributeDefinitions")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, code, msg := apiError(t, h, c.target, c.body)
			if status != 400 || code != "ValidationException" || msg != c.msg {
				t.Fatalf("got %d %s %q\nwant 400 ValidationException %q", status, code, msg, c.msg)
			}
		})
	}
}

// A value of the wrong JSON type fails the request before any lookup, as
// DynamoDB's deserializer does (a SerializationException).
func TestWrongTypesFailFirst(t *testing.T) {
	t.Parallel()
	h := rawEdge(t)
	cases := []struct{ name, target, body string }{
		{"a batch statement's parameter", "DynamoDB_20120810.BatchExecuteStatement",
			`{"Statements":[{"Statement":"SELECT * FROM tbl WHERE id = ?","Parameters":[{"S":1}]}]}`},
		{"an index override's on-demand throughput", "DynamoDB_20120810.RestoreTableFromBackup",
			`{"BackupArn":"arn:aws:dynamodb:us-east-1:000000000000:table/nope/backup/01234567890123-abcdefgh","TargetTableName":"t2","GlobalSecondaryIndexOverride":[{"IndexName":"gsi","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"},"OnDemandThroughput":{"MaxReadRequestUnits":"x"}}]}`},
		{"a new index's on-demand throughput", "DynamoDB_20120810.UpdateTable",
			`{"TableName":"nope","GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"gsi","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"},"OnDemandThroughput":{"MaxReadRequestUnits":"x"}}}]}`},
		{"an index update's warm throughput", "DynamoDB_20120810.UpdateTable",
			`{"TableName":"nope","GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"gsi","WarmThroughput":{"ReadUnitsPerSecond":"x"}}}]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if status, code, msg := apiError(t, h, c.target, c.body); status != 400 || code != "SerializationException" {
				t.Fatalf("got %d %s %q, want 400 SerializationException", status, code, msg)
			}
		})
	}
}

// A table created with a stream is never visible without it: the table and
// its stream are registered in one critical section.
func TestCreateTableWithStreamIsAtomic(t *testing.T) {
	h := rawEdge(t)
	const tables = 40
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < tables; i++ {
			body := fmt.Sprintf(`{"TableName":"s%02d","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"}}`, i)
			if w := call(h, "DynamoDB_20120810.CreateTable", body); w.Code != 200 {
				t.Errorf("create %d: %d %s", i, w.Code, w.Body)
				return
			}
		}
	}()
	for i := 0; i < tables; i++ {
		var arn string
		for arn == "" {
			w := call(h, "DynamoDB_20120810.DescribeTable", fmt.Sprintf(`{"TableName":"s%02d"}`, i))
			if w.Code == 200 {
				var d struct {
					Table struct{ LatestStreamArn string }
				}
				json.Unmarshal(w.Body.Bytes(), &d)
				if arn = d.Table.LatestStreamArn; arn == "" {
					t.Fatalf("table s%02d without a stream: %s", i, w.Body)
				}
			}
			if t.Failed() {
				return
			}
		}
		if w := call(h, "DynamoDBStreams_20120810.DescribeStream", `{"StreamArn":"`+arn+`"}`); w.Code != 200 {
			t.Fatalf("table s%02d is visible before its stream: %d %s", i, w.Code, w.Body)
		}
	}
	wg.Wait()
}
