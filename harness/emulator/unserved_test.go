package emulator_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iot"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/groundstack/groundstack/harness/awsmodel"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// TestUnservedOperations: an operation of a service's AWS model that
// groundstack does not serve answers 501 NotImplemented naming it, in each
// protocol family, as the SDK surfaces it.
func TestUnservedOperations(t *testing.T) {
	t.Parallel()
	if _, err := awsmodel.Locate(); err != nil {
		t.Fatalf("%v (run make deps)", err)
	}
	_, cfg := emutest.Start(t)
	ctx := context.Background()
	for _, tc := range []struct {
		protocol, service, op string
		call                  func() error
	}{
		{"awsJson", "logs", "ListLogGroupsForQuery", func() error {
			_, err := cloudwatchlogs.NewFromConfig(cfg).ListLogGroupsForQuery(ctx, &cloudwatchlogs.ListLogGroupsForQueryInput{QueryId: aws.String("q")})
			return err
		}},
		{"query", "iam", "ListDelegationRequests", func() error {
			_, err := iam.NewFromConfig(cfg).ListDelegationRequests(ctx, &iam.ListDelegationRequestsInput{})
			return err
		}},
		{"ec2", "ec2", "DescribeVpnGateways", func() error {
			_, err := ec2.NewFromConfig(cfg).DescribeVpnGateways(ctx, &ec2.DescribeVpnGatewaysInput{})
			return err
		}},
		{"rest-json", "iot", "ListBillingGroups", func() error {
			_, err := iot.NewFromConfig(cfg).ListBillingGroups(ctx, &iot.ListBillingGroupsInput{})
			return err
		}},
		{"rest-xml", "s3", "WriteGetObjectResponse", func() error {
			// Its endpoint's host prefix ({RequestRoute}.) would name a host
			// no resolver knows: the client leaves it out.
			noHostPrefix := func(st *middleware.Stack) error {
				return st.Initialize.Add(middleware.InitializeMiddlewareFunc("NoHostPrefix",
					func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
						return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
					}), middleware.Before)
			}
			_, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.APIOptions = append(o.APIOptions, noHostPrefix) }).WriteGetObjectResponse(ctx,
				&s3.WriteGetObjectResponseInput{RequestRoute: aws.String("io-route"), RequestToken: aws.String("token")})
			return err
		}},
	} {
		t.Run(tc.protocol+"/"+tc.op, func(t *testing.T) {
			t.Parallel()
			err := tc.call()
			var ae smithy.APIError
			var re *smithyhttp.ResponseError
			if !errors.As(err, &ae) || !errors.As(err, &re) {
				t.Fatalf("err = %v, want an API error", err)
			}
			want := "The operation " + tc.op + " of service " + tc.service + " is not implemented by groundstack"
			if ae.ErrorCode() != "NotImplemented" || re.HTTPStatusCode() != http.StatusNotImplemented || ae.ErrorMessage() != want {
				t.Errorf("got %d %s %q, want 501 NotImplemented %q", re.HTTPStatusCode(), ae.ErrorCode(), ae.ErrorMessage(), want)
			}
		})
	}
}

// TestOperationsInNoModel: what no model has gets the protocol's
// unknown-operation error as AWS sends it.
func TestOperationsInNoModel(t *testing.T) {
	t.Parallel()
	if _, err := awsmodel.Locate(); err != nil {
		t.Fatalf("%v (run make deps)", err)
	}
	e, _ := emutest.Start(t)
	form := func(v url.Values) string { return v.Encode() }
	for _, tc := range []struct {
		name, method, path, target, scope, body string
		status                                  int
		want                                    []string
	}{
		{"awsJson", "POST", "/", "DynamoDB_20120810.FlyToTheMoon", "dynamodb", `{}`, 400, []string{"UnknownOperationException"}},
		{"query", "POST", "/", "", "iam", form(url.Values{"Action": {"CreateUnicorn"}, "Version": {"2010-05-08"}}), 400,
			[]string{"<Code>InvalidAction</Code>", "<Message>Could not find operation CreateUnicorn for version 2010-05-08</Message>"}},
		{"ec2", "POST", "/", "", "ec2", form(url.Values{"Action": {"FlyToTheMoon"}, "Version": {"2016-11-15"}}), 400,
			[]string{"<Code>InvalidAction</Code>", "The action FlyToTheMoon is not valid for this web service."}},
		{"rest-json", "GET", "/2015-03-31/functions/f/nothing", "", "lambda", ``, 400, []string{"UnknownOperationException"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(tc.method, e.URL()+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/"+tc.scope+"/aws4_request, SignedHeaders=host, Signature=0")
			if tc.target != "" {
				req.Header.Set("X-Amz-Target", tc.target)
				req.Header.Set("Content-Type", "application/x-amz-json-1.0")
			} else if tc.body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status = %d, want %d: %s", resp.StatusCode, tc.status, b)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(b)+resp.Header.Get("X-Amzn-Errortype"), w) {
					t.Errorf("answer lacks %q: %s", w, b)
				}
			}
		})
	}
}

// TestUnservedOperationWithTheCLI: the aws CLI shows the code and message
// of an operation not served, without retrying it.
func TestUnservedOperationWithTheCLI(t *testing.T) {
	t.Parallel()
	if _, err := awsmodel.Locate(); err != nil {
		t.Fatalf("%v (run make deps)", err)
	}
	e, _ := emutest.Start(t)
	_, stderr, code := emutest.CLI(t, e.URL(), "logs", "list-log-groups-for-query", "--query-id", "q")
	want := "An error occurred (NotImplemented) when calling the ListLogGroupsForQuery operation: " +
		"The operation ListLogGroupsForQuery of service logs is not implemented by groundstack"
	if code == 0 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr %q; want it to contain %q", code, stderr, want)
	}
}
