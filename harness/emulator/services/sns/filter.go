package sns

import (
	"encoding/json"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/eventpattern"
)

// FilterPolicy is a parsed subscription filter policy (the event-pattern
// language of package eventpattern, with SNS's limits).
type FilterPolicy struct {
	p *eventpattern.Pattern
}

// ParseFilterPolicy parses a policy; nested allows nested objects (the
// MessageBody scope). Errors carry the reason AWS states after
// "Invalid parameter: FilterPolicy: ".
func ParseFilterPolicy(policy string, nested bool) (*FilterPolicy, error) {
	p, err := eventpattern.Parse(policy, eventpattern.Options{Nested: nested, Limits: true})
	if err != nil {
		return nil, err
	}
	return &FilterPolicy{p: p}, nil
}

// Attribute is a message attribute as the filter sees it.
type Attribute struct {
	Type  string // String, String.Array, Number, Binary (with optional .custom suffix)
	Value string
}

// MatchAttributes reports whether message attributes pass the policy
// (MessageAttributes scope).
func (f *FilterPolicy) MatchAttributes(attrs map[string]Attribute) bool {
	return f.p.MatchKeys(func(name string) (values []any, present bool) {
		a, ok := attrs[name]
		if !ok {
			return nil, false
		}
		base, _, _ := strings.Cut(a.Type, ".")
		switch {
		case a.Type == "String.Array" || strings.HasPrefix(a.Type, "String.Array."):
			var arr []any
			d := json.NewDecoder(strings.NewReader(a.Value))
			d.UseNumber()
			if d.Decode(&arr) != nil {
				return []any{a.Value}, true
			}
			return arr, true
		case base == "Number":
			return []any{json.Number(strings.TrimSpace(a.Value))}, true
		case base == "Binary":
			return nil, true // present, but matches no value condition
		}
		return []any{a.Value}, true
	})
}

// MatchBody reports whether a JSON message body passes the policy
// (MessageBody scope); a body that is not a JSON object matches nothing.
func (f *FilterPolicy) MatchBody(body string) bool { return f.p.MatchJSON(body) }

// ---- small JSON helpers

func validJSONObject(s string) bool {
	var m map[string]any
	return json.Unmarshal([]byte(s), &m) == nil
}

// redriveTarget returns the deadLetterTargetArn of a RedrivePolicy, empty
// when it has none (or is not an SQS ARN).
func redriveTarget(policy string) string {
	var p struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	}
	if json.Unmarshal([]byte(policy), &p) != nil || !strings.HasPrefix(p.DeadLetterTargetArn, "arn:aws:sqs:") {
		return ""
	}
	return p.DeadLetterTargetArn
}
