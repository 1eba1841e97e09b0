package dynamodb_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator"
)

// fuzzOps are the operations the fuzz target drives; DeleteTable is left
// out so the seeded tables stay.
var fuzzOps = []string{
	"DynamoDB_20120810.PutItem", "DynamoDB_20120810.GetItem", "DynamoDB_20120810.UpdateItem", "DynamoDB_20120810.DeleteItem",
	"DynamoDB_20120810.Query", "DynamoDB_20120810.Scan", "DynamoDB_20120810.BatchWriteItem", "DynamoDB_20120810.BatchGetItem",
	"DynamoDB_20120810.TransactWriteItems", "DynamoDB_20120810.TransactGetItems", "DynamoDB_20120810.CreateTable",
	"DynamoDB_20120810.UpdateTable", "DynamoDB_20120810.UpdateTimeToLive", "DynamoDBStreams_20120810.GetShardIterator",
	"DynamoDBStreams_20120810.GetRecords", "DynamoDBStreams_20120810.DescribeStream",
}

var debugSeeds = false

var (
	fuzzOnce sync.Once
	fuzzEdge http.Handler
)

func call(h http.Handler, target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261123/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// fuzzSetup builds one emulator with a keyed table (with GSI, LSI and a
// stream) and a hash-only table for the whole fuzz run.
func fuzzSetup(t testing.TB) http.Handler {
	fuzzOnce.Do(func() {
		e := emulator.New()
		fuzzEdge = e.Handler()
		for _, body := range []string{
			`{"TableName":"fzz","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"},{"AttributeName":"l","AttributeType":"B"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"GlobalSecondaryIndexes":[{"IndexName":"gsi","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["a"]}}],"LocalSecondaryIndexes":[{"IndexName":"lsi","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"l","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}],"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}`,
			`{"TableName":"fhh","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}`,
			`{"TableName":"fzz","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"g":{"S":"x"},"a":{"L":[{"N":"1"},{"M":{"b":{"SS":["q"]}}}]}}}`,
		} {
			target := "DynamoDB_20120810.CreateTable"
			if strings.Contains(body, `"Item"`) {
				target = "DynamoDB_20120810.PutItem"
			}
			if w := call(fuzzEdge, target, body); w.Code != 200 {
				t.Fatalf("setup %s: %d %s", target, w.Code, w.Body)
			}
		}
	})
	return fuzzEdge
}

func FuzzOperations(f *testing.F) {
	seeds := map[int][]string{
		0: {`{"TableName":"fzz","Item":{"pk":{"S":"b"},"sk":{"N":"2.50"},"g":{"S":"y"},"l":{"B":"AAE="}},"ConditionExpression":"attribute_not_exists(pk) OR #a < :v","ExpressionAttributeNames":{"#a":"a"},"ExpressionAttributeValues":{":v":{"N":"3"}},"ReturnValues":"ALL_OLD"}`,
			`{"TableName":"fhh","Item":{"id":{"S":"x"},"m":{"M":{"n":{"NS":["1","2"]}}}},"Expected":{"id":{"Exists":false}}}`},
		1: {`{"TableName":"fzz","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"ProjectionExpression":"a[1].b, #p","ExpressionAttributeNames":{"#p":"pk"}}`},
		2: {`{"TableName":"fzz","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"SET a[0] = a[0] + :one, c = list_append(if_not_exists(c, :e), :l) REMOVE g ADD s :ss DELETE t :ss","ExpressionAttributeValues":{":one":{"N":"1"},":e":{"L":[]},":l":{"L":[{"S":"z"}]},":ss":{"SS":["k"]}},"ReturnValues":"UPDATED_NEW"}`,
			`{"TableName":"fhh","Key":{"id":{"S":"y"}},"AttributeUpdates":{"n":{"Action":"ADD","Value":{"N":"5"}}}}`},
		3: {`{"TableName":"fzz","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"ConditionExpression":"size(a) > :z","ExpressionAttributeValues":{":z":{"N":"0"}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}`},
		4: {`{"TableName":"fzz","KeyConditionExpression":"pk = :p AND sk BETWEEN :a AND :b","FilterExpression":"contains(a, :x)","ExpressionAttributeValues":{":p":{"S":"a"},":a":{"N":"0"},":b":{"N":"9"},":x":{"N":"1"}},"Limit":1,"ScanIndexForward":false,"ExclusiveStartKey":{"pk":{"S":"a"},"sk":{"N":"5"}}}`,
			`{"TableName":"fzz","IndexName":"gsi","KeyConditions":{"g":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}},"Select":"COUNT"}`,
			`{"TableName":"fzz","IndexName":"lsi","KeyConditionExpression":"pk = :p AND begins_with(l, :b)","ExpressionAttributeValues":{":p":{"S":"a"},":b":{"B":"AA=="}}}`},
		5: {`{"TableName":"fzz","Segment":1,"TotalSegments":3,"Limit":2,"ScanFilter":{"a":{"ComparisonOperator":"NOT_NULL"}}}`,
			`{"TableName":"fzz","IndexName":"gsi","ProjectionExpression":"a","ExclusiveStartKey":{"pk":{"S":"a"},"sk":{"N":"1"},"g":{"S":"x"}}}`},
		6:  {`{"RequestItems":{"fhh":[{"PutRequest":{"Item":{"id":{"S":"p"}}}},{"DeleteRequest":{"Key":{"id":{"S":"q"}}}}]}}`},
		7:  {`{"RequestItems":{"fzz":{"Keys":[{"pk":{"S":"a"},"sk":{"N":"1"}}],"ProjectionExpression":"pk"}}}`},
		8:  {`{"ClientRequestToken":"t1","TransactItems":[{"ConditionCheck":{"TableName":"fhh","Key":{"id":{"S":"p"}},"ConditionExpression":"attribute_exists(id)"}},{"Update":{"TableName":"fzz","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"BOOL":true}}}},{"Put":{"TableName":"fhh","Item":{"id":{"S":"r"}}}},{"Delete":{"TableName":"fhh","Key":{"id":{"S":"s"}}}}]}`},
		9:  {`{"TransactItems":[{"Get":{"TableName":"fzz","Key":{"pk":{"S":"a"},"sk":{"N":"1"}}}}]}`},
		10: {`{"TableName":"fz2x","AttributeDefinitions":[{"AttributeName":"k","AttributeType":"N"}],"KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}`},
		11: {`{"TableName":"fhh","AttributeDefinitions":[{"AttributeName":"c","AttributeType":"S"}],"GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"byc","KeySchema":[{"AttributeName":"c","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}`},
		12: {`{"TableName":"fhh","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}`},
		13: {`{"StreamArn":"arn:aws:dynamodb:us-east-1:000000000000:table/fzz/stream/2026-01-01T00:00:00.000","ShardId":"shardId-1","ShardIteratorType":"AT_SEQUENCE_NUMBER","SequenceNumber":"100000000000000000001"}`},
		14: {`{"ShardIterator":"arn:aws:dynamodb:us-east-1:000000000000:table/fzz/stream/x|1|AAAAAAAAAAAAAAAAAAAAAA==","Limit":5}`},
		15: {`{"StreamArn":"arn:aws:dynamodb:us-east-1:000000000000:table/fzz/stream/x"}`},
	}
	for op, bodies := range seeds {
		for _, b := range bodies {
			f.Add(uint8(op), b)
		}
	}
	f.Add(uint8(0), `{"TableName":"fzz","Item":{"pk":{"S":"a","N":"1"}}}`)
	f.Add(uint8(4), `{"TableName":"fzz","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"NS":[]}}}`)
	f.Add(uint8(2), `{"TableName":"fzz","Key":{"pk":{"S":"a"},"sk":{"N":"1e126"}},"UpdateExpression":"SET #a.#b[99999999999] = :v"}`)
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		h := fuzzSetup(t)
		target := fuzzOps[int(op)%len(fuzzOps)]
		w := call(h, target, body)
		if debugSeeds {
			t.Logf("%s → %d %.300s", target, w.Code, w.Body)
		}
		if w.Code >= 500 {
			t.Fatalf("%s %s: %d %s", target, body, w.Code, w.Body)
		}
		if w.Code != 200 && !strings.Contains(w.Body.String(), `"__type"`) {
			t.Fatalf("%s: error without __type: %d %s", target, w.Code, w.Body)
		}
	})
}
