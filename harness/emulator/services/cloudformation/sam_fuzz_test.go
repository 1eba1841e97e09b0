package cloudformation

import (
	"errors"
	"testing"
)

// FuzzSAMTransform: whatever a SAM template holds, the transform answers
// with a template or a template error, never a panic.
func FuzzSAMTransform(f *testing.F) {
	head := "Transform: AWS::Serverless-2016-10-31\n"
	f.Add(head + "Globals: {Function: {Timeout: 3, Environment: {Variables: {A: b}}}}\nResources:\n  F:\n    Type: AWS::Serverless::Function\n" +
		"    Properties: {Runtime: python3.12, Handler: i.h, InlineCode: x, AutoPublishAlias: live, FunctionUrlConfig: {AuthType: NONE},\n" +
		"      Policies: [A, {DynamoDBCrudPolicy: {TableName: t}}], Events: {E: {Type: Api, Properties: {Path: /x, Method: any}}, Q: {Type: SQS, Properties: {Queue: q}}}}\n")
	f.Add(head + "Resources:\n  B: {Type: AWS::S3::Bucket}\n  L: {Type: AWS::Serverless::LayerVersion, Properties: {ContentUri: s3://b/k}}\n" +
		"  F: {Type: AWS::Serverless::Function, Properties: {CodeUri: {Bucket: b, Key: k}, Layers: [!Ref L], Events: {S: {Type: S3, Properties: {Bucket: !Ref B, Events: [e]}}, H: {Type: HttpApi}}}}\n" +
		"  T: {Type: AWS::Serverless::SimpleTable}\n  A: {Type: AWS::Serverless::Api, Properties: {StageName: v1}}\n  H: {Type: AWS::Serverless::HttpApi}\n")
	f.Add(head + "Resources:\n  F: {Type: AWS::Serverless::Function, Properties: {Events: [1], Policies: 3}}\n")
	f.Fuzz(func(t *testing.T, body string) {
		tpl, err := loadTemplate(body)
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
