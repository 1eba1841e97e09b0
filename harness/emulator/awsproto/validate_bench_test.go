package awsproto

import (
	"encoding/json"
	"testing"
)

// hotIn is shaped like a hot data-plane input (DynamoDB's PutItem): few
// constrained members among many, most of them absent.
type hotIn struct {
	TableName        *string         `json:"TableName" required:"true" min:"1" max:"1024"`
	Item             json.RawMessage `json:"Item" required:"true"`
	Condition        *string         `json:"Condition"`
	Names            map[string]string
	Values           json.RawMessage
	ReturnValues     string `enum:"ALL_NEW,UPDATED_OLD,ALL_OLD,NONE,UPDATED_NEW"`
	ReturnCapacity   string `enum:"INDEXES,TOTAL,NONE"`
	ConditionalMerge string `enum:"AND,OR"`
}

// BenchmarkValidateHotInput is the cost the tag constraints add to every
// call of a hot operation.
func BenchmarkValidateHotInput(b *testing.B) {
	name := "bench"
	in := &hotIn{TableName: &name, Item: json.RawMessage(`{"id":{"S":"x"}}`)}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := validateTags(ErrValidation, false, in); err != nil {
			b.Fatal(err)
		}
	}
}
