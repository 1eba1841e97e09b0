package s3_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// CreateBucket's region rules, as S3 (and moto's s3/responses.py) apply
// them: in us-east-1 creating a bucket you already own there succeeds and
// keeps its objects; elsewhere it is BucketAlreadyOwnedByYou; us-east-1
// takes no LocationConstraint (InvalidLocationConstraint when sent); a
// regional endpoint needs its own region as the constraint.
func TestCreateBucketRegionRules(t *testing.T) {
	t.Parallel()
	_, cfg := startEmu(t)
	east := s3.NewFromConfig(cfg)
	cfg.Region = "eu-central-1"
	central := s3.NewFromConfig(cfg)
	mustCreateBucket(t, east, "again-east")
	mustPut(t, east, "again-east", "k", []byte("kept"))
	if _, err := central.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("again-central"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "eu-central-1"}}); err != nil {
		t.Fatal(err)
	}
	const incompatible = " location constraint is incompatible for the region specific endpoint this request was sent to."
	cases := []struct {
		name       string
		c          *s3.Client
		bucket     string
		constraint types.BucketLocationConstraint
		code, msg  string
		status     int
	}{
		{"us-east-1 again", east, "again-east", "", "", "", 200},
		{"regional again", central, "again-central", "eu-central-1", "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", 409},
		{"us-east-1 bucket from us-east-1 elsewhere", east, "again-east", "eu-west-1", "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", 409},
		{"us-east-1 explicit", east, "new-east", "us-east-1", "InvalidLocationConstraint", "The specified location-constraint is not valid", 400},
		{"regional unspecified", central, "new-central", "", "IllegalLocationConstraintException", "The unspecified" + incompatible, 400},
		{"regional other region", central, "new-central", "eu-west-1", "IllegalLocationConstraintException", "The eu-west-1" + incompatible, 400},
	}
	for _, tc := range cases {
		in := &s3.CreateBucketInput{Bucket: aws.String(tc.bucket)}
		if tc.constraint != "" {
			in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: tc.constraint}
		}
		_, err := tc.c.CreateBucket(ctx, in)
		if tc.status == 200 {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		wantAPIError(t, err, tc.code, tc.status)
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorMessage() != tc.msg {
			t.Errorf("%s: message %q, want %q", tc.name, ae.ErrorMessage(), tc.msg)
		}
	}
	got, err := east.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("again-east"), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("the object did not survive the second CreateBucket: %v", err)
	}
	got.Body.Close()
}
