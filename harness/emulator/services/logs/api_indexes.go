package logs

import (
	"encoding/json"
	"sort"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- field-index policies ----

type putIndexPolicyInput struct {
	groupIdentRequired
	PolicyDocument string `json:"policyDocument" required:"true" min:"1" max:"51200"`
}

type indexPolicyOut struct {
	LogGroupIdentifier string `json:"logGroupIdentifier"`
	LastUpdateTime     int64  `json:"lastUpdateTime"`
	PolicyDocument     string `json:"policyDocument"`
	PolicyName         string `json:"policyName"`
	Source             string `json:"source"`
}

type putIndexPolicyOutput struct {
	IndexPolicy indexPolicyOut `json:"indexPolicy"`
}

// indexFields reads a field-index policy: {"Fields": ["a", "b"]}.
func indexFields(doc string) ([]string, bool) {
	var p struct {
		Fields []string `json:"Fields"`
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil || len(p.Fields) == 0 || len(p.Fields) > 20 {
		return nil, false
	}
	return p.Fields, true
}

func (s *Service) putIndexPolicy(c *awsproto.Call, in *putIndexPolicyInput) (putIndexPolicyOutput, error) {
	g, err := in.group(s, c.Region)
	if err != nil {
		return putIndexPolicyOutput{}, err
	}
	if _, ok := indexFields(in.PolicyDocument); !ok {
		return putIndexPolicyOutput{}, errInvalidParameter.New("Invalid policy document: it must be JSON with a Fields list of 1 to 20 field names.")
	}
	p, err := g.SetPolicy(IndexPolicy, "", in.PolicyDocument)
	if err != nil {
		return putIndexPolicyOutput{}, err
	}
	return putIndexPolicyOutput{IndexPolicy: s.indexPolicyOf(c.Region, g, p)}, nil
}

func (s *Service) indexPolicyOf(region string, g *Group, p GroupPolicy) indexPolicyOut {
	arn := s.groupARN(region, g.Name)
	return indexPolicyOut{LogGroupIdentifier: arn, LastUpdateTime: p.Updated, PolicyDocument: p.Document,
		PolicyName: "LogGroupPolicy-" + g.Name, Source: "LOG_GROUP"}
}

type describeIndexPoliciesInput struct {
	LogGroupIdentifiers []string `json:"logGroupIdentifiers" required:"true" min:"1" max:"1"`
	NextToken           *string  `json:"nextToken" min:"1"`
}

type describeIndexPoliciesOutput struct {
	IndexPolicies []indexPolicyOut `json:"indexPolicies"`
}

func (s *Service) describeIndexPolicies(c *awsproto.Call, in *describeIndexPoliciesInput) (describeIndexPoliciesOutput, error) {
	out := describeIndexPoliciesOutput{IndexPolicies: []indexPolicyOut{}}
	for _, id := range in.LogGroupIdentifiers {
		g, err := groupIdentRequired{id}.group(s, c.Region)
		if err != nil {
			return out, err
		}
		if p, ok := g.Policy(IndexPolicy); ok {
			out.IndexPolicies = append(out.IndexPolicies, s.indexPolicyOf(g.Region, g, p))
		}
	}
	return out, nil
}

func (s *Service) deleteIndexPolicy(c *awsproto.Call, in *groupIdentRequired) (struct{}, error) {
	g, err := in.group(s, c.Region)
	if err != nil {
		return struct{}{}, err
	}
	if !g.DeletePolicy(IndexPolicy) {
		return struct{}{}, errResourceNotFound.New("The specified index policy does not exist.")
	}
	return struct{}{}, nil
}

type describeFieldIndexesInput struct {
	LogGroupIdentifiers []string `json:"logGroupIdentifiers" required:"true" min:"1" max:"100"`
	NextToken           *string  `json:"nextToken" min:"1"`
}

type fieldIndexOut struct {
	LogGroupIdentifier string `json:"logGroupIdentifier"`
	FieldIndexName     string `json:"fieldIndexName"`
	LastScanTime       int64  `json:"lastScanTime"`
	FirstEventTime     int64  `json:"firstEventTime,omitempty"`
	LastEventTime      int64  `json:"lastEventTime,omitempty"`
	Type               string `json:"type"`
}

type describeFieldIndexesOutput struct {
	FieldIndexes []fieldIndexOut `json:"fieldIndexes"`
}

// describeFieldIndexes lists the fields of each group's index policy,
// with the first and last times of the events that have the field.
func (s *Service) describeFieldIndexes(c *awsproto.Call, in *describeFieldIndexesInput) (describeFieldIndexesOutput, error) {
	out := describeFieldIndexesOutput{FieldIndexes: []fieldIndexOut{}}
	now := s.env.Now().UnixMilli()
	for _, id := range in.LogGroupIdentifiers {
		g, err := groupIdentRequired{id}.group(s, c.Region)
		if err != nil {
			return out, err
		}
		p, ok := g.Policy(IndexPolicy)
		if !ok {
			continue
		}
		fields, _ := indexFields(p.Document)
		sort.Strings(fields)
		spans := g.FieldSpans(fields)
		for _, f := range fields {
			o := fieldIndexOut{LogGroupIdentifier: s.groupARN(g.Region, g.Name), FieldIndexName: f, LastScanTime: now, Type: "FIELD_INDEX"}
			if sp, ok := spans[f]; ok {
				o.FirstEventTime, o.LastEventTime = sp[0], sp[1]
			}
			out.FieldIndexes = append(out.FieldIndexes, o)
		}
	}
	return out, nil
}
