package dynamodb

import (
	"encoding/json"
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"reflect"
	"testing"
)

// normalizeRaw treats a JSON null RawMessage as absent, as every consumer
// of these fields does.
func normalizeRaw(v any) {
	rv := reflect.ValueOf(v).Elem()
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Field(i)
		if raw, ok := f.Interface().(json.RawMessage); ok && string(raw) == "null" {
			f.Set(reflect.ValueOf(json.RawMessage(nil)))
		}
		if raw, ok := f.Interface().(json.RawMessage); ok && raw != nil {
			f.Set(reflect.ValueOf(json.RawMessage(append([]byte(nil), raw...))))
		}
	}
}

// checkFastDecode asserts that whenever the fast decoder accepts a body,
// it decodes exactly what encoding/json decodes.
func checkFastDecode[T any](t *testing.T, body []byte, member func(*T) func([]byte, []byte) bool) {
	if !json.Valid(body) {
		return
	}
	var fast, slow T
	if !awsproto.WalkJSONObject(body, member(&fast)) {
		return
	}
	if err := json.Unmarshal(body, &slow); err != nil {
		t.Fatalf("fast decoder accepted %s, encoding/json refused: %v", body, err)
	}
	normalizeRaw(&fast)
	normalizeRaw(&slow)
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("body %s\nfast %+v\nslow %+v", body, fast, slow)
	}
}

func FuzzFastDecode(f *testing.F) {
	for _, s := range []string{
		`{"TableName":"t","Item":{"id":{"S":"x"}},"ReturnValues":"ALL_OLD","ExpressionAttributeNames":{"#a":"b"}}`,
		`{"TableName":"t","Key":{"id":{"S":"x"}},"ConsistentRead":true,"ProjectionExpression":"a, #b"}`,
		`{"TableName":"t","KeyConditionExpression":"id = :v","ExpressionAttributeValues":{":v":{"N":"1"}},"Limit":5,"ScanIndexForward":false}`,
		`{"TableName":null,"Limit":1.5,"Item":[]}`, `{"tablename":"x"}`, `{"TableName":"a\"b"}`, ` { } `, `{"Limit":99999999999999999999}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkFastDecode(t, body, func(in *putItemInput) func([]byte, []byte) bool { return in.member })
		checkFastDecode(t, body, func(in *getItemInput) func([]byte, []byte) bool { return in.member })
		checkFastDecode(t, body, func(in *deleteItemInput) func([]byte, []byte) bool { return in.member })
		checkFastDecode(t, body, func(in *updateItemInput) func([]byte, []byte) bool { return in.member })
		checkFastDecode(t, body, func(in *queryInput) func([]byte, []byte) bool { return in.member })
	})
}
