package dynamodb_test

import (
	"encoding/json"
	"testing"
)

// The members of error bodies are DynamoDB's: "message" for most errors,
// "Message" where the model names it so (ConditionalCheckFailedException
// carrying the item, as moto reproduces AWS; TransactionCanceledException,
// IdempotentParameterMismatchException), never both. boto3 copies a
// lower-case "message" to the top of the parsed error, so an extra one
// showed up there. BatchGetItem checks its expressions before looking its
// tables up.
func TestErrorBodyMembers(t *testing.T) {
	t.Parallel()
	h := rawEdge(t)
	if w := call(h, "DynamoDB_20120810.PutItem", `{"TableName":"tbl","Item":{"id":{"S":"a"},"v":{"N":"1"}}}`); w.Code != 200 {
		t.Fatalf("put: %d %s", w.Code, w.Body)
	}
	cases := []struct {
		name, target, body string
		want               map[string]string // member → value ("*": present)
		absent             []string
	}{
		{"condition failed", "DynamoDB_20120810.PutItem",
			`{"TableName":"tbl","Item":{"id":{"S":"a"}},"ConditionExpression":"attribute_not_exists(id)"}`,
			map[string]string{"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "message": "The conditional request failed"},
			[]string{"Message", "Item"}},
		{"condition failed with the item", "DynamoDB_20120810.PutItem",
			`{"TableName":"tbl","Item":{"id":{"S":"a"}},"ConditionExpression":"attribute_not_exists(id)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}`,
			map[string]string{"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "Message": "The conditional request failed", "Item": "*"},
			[]string{"message"}},
		{"transaction cancelled", "DynamoDB_20120810.TransactWriteItems",
			`{"TransactItems":[{"ConditionCheck":{"TableName":"tbl","Key":{"id":{"S":"a"}},"ConditionExpression":"attribute_not_exists(id)"}}]}`,
			map[string]string{"Message": "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed]", "CancellationReasons": "*"},
			[]string{"message"}},
		{"batch get: unused name before a missing table", "DynamoDB_20120810.BatchGetItem",
			`{"RequestItems":{"nope":{"Keys":[{"id":{"S":"a"}}],"ProjectionExpression":"id","ExpressionAttributeNames":{"#n":"x"}}}}`,
			map[string]string{"__type": "com.amazonaws.dynamodb.v20120810#ValidationException", "message": "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}"},
			[]string{"Message"}},
	}
	for _, tc := range cases {
		w := call(h, tc.target, tc.body)
		var body map[string]json.RawMessage
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != 400 {
			t.Errorf("%s: %d %s", tc.name, w.Code, w.Body)
			continue
		}
		for k, want := range tc.want {
			var got string
			json.Unmarshal(body[k], &got)
			if _, ok := body[k]; !ok || (want != "*" && got != want) {
				t.Errorf("%s: %s = %s, want %q (body %s)", tc.name, k, body[k], want, w.Body)
			}
		}
		for _, k := range tc.absent {
			if _, ok := body[k]; ok {
				t.Errorf("%s: body has %q, which DynamoDB does not send: %s", tc.name, k, w.Body)
			}
		}
	}
}
