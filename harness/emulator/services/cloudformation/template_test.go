package cloudformation

import (
	"errors"
	"strings"
	"testing"
)

// evalIn evaluates expr (a YAML value) in a template with a parameter Env,
// a mapping, two conditions and a resource Q whose Ref is "q-url" and Arn
// attribute "arn:q".
func evalIn(t *testing.T, expr string) (any, error) {
	t.Helper()
	body := `
Parameters:
  Env: {Type: String, Default: prod}
  Zones: {Type: CommaDelimitedList, Default: "a,b,c"}
Mappings:
  M: {prod: {Size: 5}, dev: {Size: 1}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Or [!Condition NotProd, !Equals [a, a]]]
Resources:
  Q: {Type: AWS::SQS::Queue}
Outputs:
  X:
    Value: ` + expr + "\n"
	tpl, err := parseTemplate(body)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	ev := &evaluator{t: tpl, params: map[string]any{"Env": "prod", "Zones": []any{"a", "b", "c"}},
		pseudo: map[string]any{"AWS::Region": "eu-west-1", "AWS::AccountId": "123456789012", "AWS::StackName": "s"},
		ref: func(l string) (any, bool) {
			if l == "Q" {
				return "q-url", true
			}
			return nil, false
		},
		att: func(l, a string) (any, error) {
			if l == "Q" && a == "Arn" {
				return "arn:q", nil
			}
			return nil, templateErr("resource %s does not support attribute type %s in Fn::GetAtt", l, a)
		},
		imports: func(n string) (string, bool) { return "imported-" + n, n == "shared" },
		where:   "Outputs"}
	if err := ev.evalConditions(); err != nil {
		t.Fatalf("conditions: %v", err)
	}
	return ev.eval(tpl.Outputs["X"]["Value"])
}

func TestIntrinsicFunctions(t *testing.T) {
	cases := []struct{ expr, want string }{
		{`!Ref Q`, "q-url"},
		{`!Ref AWS::Region`, "eu-west-1"},
		{`!GetAtt Q.Arn`, "arn:q"},
		{`!GetAtt [Q, Arn]`, "arn:q"},
		{`!Sub "${AWS::StackName}-${Q}-${Q.Arn}-${!Literal}"`, "s-q-url-arn:q-${Literal}"},
		{`!Sub ["${A}-${Env}", {A: !Ref AWS::AccountId}]`, "123456789012-prod"},
		{`!Join [":", [a, !Ref Env, !Select [2, !Ref Zones]]]`, "a:prod:c"},
		{`!Select ["1", !Split ["/", "x/y/z"]]`, "y"},
		{`!If [IsProd, big, small]`, "big"},
		{`!If [NotProd, big, small]`, "small"},
		{`!If [Both, yes, no]`, "yes"},
		{`!FindInMap [M, !Ref Env, Size]`, "5"},
		{`!ImportValue shared`, "imported-shared"},
		{`!Base64 "hello"`, "aGVsbG8="},
		{`!Join [",", !GetAZs ""]`, "eu-west-1a,eu-west-1b,eu-west-1c"},
		{`!Join [",", !Cidr ["192.168.0.0/24", 4, 6]]`, "192.168.0.0/26,192.168.0.64/26,192.168.0.128/26,192.168.0.192/26"},
		{`{"Fn::Join": ["", ["a", {"Ref": "Env"}]]}`, "aprod"},
		{`{"Fn::ToJsonString": {"k": [1, true]}}`, `{"k":[1,true]}`},
		{`{"Fn::Length": [1, 2, 3]}`, "3"},
	}
	for _, tc := range cases {
		got, err := evalIn(t, tc.expr)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		if str(got) != tc.want {
			t.Errorf("%s = %q, want %q", tc.expr, str(got), tc.want)
		}
	}
}

func TestIntrinsicFunctionErrors(t *testing.T) {
	cases := []struct{ expr, want string }{
		{`!Ref Nowhere`, "Template format error: Unresolved resource dependencies [Nowhere] in the Outputs block of the template"},
		{`!GetAtt Q.Nope`, "Template error: resource Q does not support attribute type Nope in Fn::GetAtt"},
		{`!Select [7, [a]]`, "Template error: Fn::Select cannot select nonexistent value at index 7"},
		{`!FindInMap [M, test, Size]`, "Template error: Unable to get mapping for M::test::Size"},
		{`!ImportValue other`, "No export named other found."},
		{`!If [Unknown, a, b]`, "Template format error: Unresolved condition dependency Unknown in Fn::If"},
		{`!Cidr ["10.0.0.0/30", 4, 8]`, "Template error: Fn::Cidr: the subnet bits exceed the address block"},
	}
	for _, tc := range cases {
		_, err := evalIn(t, tc.expr)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: error %v, want %q", tc.expr, err, tc.want)
		}
	}
}

func TestDependencyOrder(t *testing.T) {
	tpl, err := parseTemplate(`
Resources:
  C: {Type: AWS::SQS::Queue, Properties: {QueueName: !Sub "${B.QueueName}-c"}}
  B: {Type: AWS::SQS::Queue, DependsOn: [A]}
  A: {Type: AWS::SQS::Queue}
  D: {Type: AWS::SQS::Queue, Properties: {QueueName: !Join ["", [!Ref A]]}}
`)
	if err != nil {
		t.Fatal(err)
	}
	order, _, err := tpl.order()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(order, ",") != "A,B,C,D" {
		t.Fatalf("order %v", order)
	}
	tpl, _ = parseTemplate(`
Resources:
  A: {Type: AWS::SQS::Queue, Properties: {QueueName: !Ref C}}
  B: {Type: AWS::SQS::Queue, Properties: {QueueName: !Ref A}}
  C: {Type: AWS::SQS::Queue, Properties: {QueueName: !GetAtt B.Arn}}
  Downstream: {Type: AWS::SQS::Queue, DependsOn: C}
`)
	_, _, err = tpl.order()
	var te *templateError
	if !errors.As(err, &te) || te.msg != "Circular dependency between resources: [A, B, C]" {
		t.Fatalf("cycle: %v", err)
	}
}

// FuzzParseTemplate: any bytes parse, are refused with a template error,
// and a parsed template's dependency check never panics.
func FuzzParseTemplate(f *testing.F) {
	f.Add(`{"Resources": {"A": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "${AWS::StackName}"}}}}}`)
	f.Add("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: !Join [\"-\", [!Ref AWS::Region, !GetAtt B.Arn]]}\n  B: {Type: AWS::SQS::Queue}\n")
	f.Add("Conditions:\n  C: !Equals [a, !Ref P]\nParameters:\n  P: {Type: String}\nResources:\n  A: {Type: AWS::S3::Bucket, Condition: C}\n")
	f.Add("a: &x [*x]")
	f.Fuzz(func(t *testing.T, body string) {
		tpl, err := parseTemplate(body)
		if err != nil {
			var te *templateError
			if !errors.As(err, &te) {
				t.Fatalf("error of another kind: %v", err)
			}
			return
		}
		_, _, _ = tpl.order()
	})
}

func TestUnknownAttributeRefusedBeforeTheStackStarts(t *testing.T) {
	for _, body := range []string{
		"Resources:\n  Q: {Type: AWS::SQS::Queue}\n  T: {Type: AWS::SNS::Topic, Properties: {DisplayName: !GetAtt Q.Colour}}\n",
		"Resources:\n  Q: {Type: AWS::SQS::Queue}\nOutputs:\n  O: {Value: !Sub '${Q.Colour}'}\n",
	} {
		tpl, err := parseTemplate(body)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = tpl.order()
		if err == nil || err.Error() != "Template error: resource Q does not support attribute type Colour in Fn::GetAtt" {
			t.Errorf("%s: %v", body, err)
		}
	}
}

// Every resource type has its Fn::GetAtt attributes listed, and only those.
func TestEveryTypeListsItsAttributes(t *testing.T) {
	for name := range registry {
		if _, ok := attributes[name]; !ok {
			t.Errorf("%s has no attributes entry", name)
		}
	}
	for name := range attributes {
		if _, ok := registry[name]; !ok {
			t.Errorf("attributes list %s, which has no provider", name)
		}
	}
}
