package expr

import (
	"sort"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// Names are ExpressionAttributeNames ("#n" → "name").
type Names map[string]string

// Values are ExpressionAttributeValues (":v" → value).
type Values map[string]attr.Value

// Usage records which names and values a request's expressions referenced,
// so unused ones can be rejected as DynamoDB does. Pass the same Usage to
// every Parse call of one request, then call Check.
type Usage struct {
	names  map[string]struct{}
	values map[string]struct{}
}

// NewUsage returns an empty usage record.
func NewUsage() *Usage {
	return &Usage{names: map[string]struct{}{}, values: map[string]struct{}{}}
}

// Check rejects names, then values, that no expression used.
func (u *Usage) Check(names Names, values Values) error {
	var unused []string
	for k := range names {
		if _, ok := u.names[k]; !ok {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		return awsproto.ErrValidation.New("Value provided in ExpressionAttributeNames unused in expressions: keys: {" + strings.Join(unused, ", ") + "}")
	}
	for k := range values {
		if _, ok := u.values[k]; !ok {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		return awsproto.ErrValidation.New("Value provided in ExpressionAttributeValues unused in expressions: keys: {" + strings.Join(unused, ", ") + "}")
	}
	return nil
}

// CheckNames validates ExpressionAttributeNames as a request carries them
// (present but empty, or keys that are not #placeholders, are rejected).
func CheckNames(names Names) error {
	if names != nil && len(names) == 0 {
		return awsproto.ErrValidation.New("ExpressionAttributeNames must not be empty")
	}
	for _, k := range sortedKeys(names) {
		if !validPlaceholder(k, '#') {
			return awsproto.ErrValidation.New("ExpressionAttributeNames contains invalid key: Syntax error; key: \"" + k + "\"")
		}
	}
	return nil
}

// DecodeValues decodes and validates an ExpressionAttributeValues object,
// wording errors as DynamoDB does for that parameter.
func DecodeValues(data []byte) (Values, error) {
	m, key, err := attr.DecodeValuesKeyed(data)
	if err != nil {
		// A model validation (an empty set) is reported as it stands.
		if e, ok := err.(*awsproto.Error); ok && e.Code == awsproto.ErrValidation.Name && !strings.HasPrefix(e.Message, "1 validation error detected: ") {
			return nil, awsproto.ErrValidation.New("ExpressionAttributeValues contains invalid value: " + e.Message + " for key " + key)
		}
		return nil, err
	}
	if len(m) == 0 {
		return nil, awsproto.ErrValidation.New("ExpressionAttributeValues must not be empty")
	}
	for _, k := range sortedKeys(m) {
		if !validPlaceholder(k, ':') {
			return nil, awsproto.ErrValidation.New("ExpressionAttributeValues contains invalid key: Syntax error; key: \"" + k + "\"")
		}
	}
	return Values(m), nil
}

func validPlaceholder(k string, sigil byte) bool {
	if len(k) < 2 || k[0] != sigil {
		return false
	}
	for i := 1; i < len(k); i++ {
		if !isIdentPart(k[i]) {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
