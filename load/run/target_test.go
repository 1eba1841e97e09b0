package run

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/groundstack/groundstack/harness/backend"
)

// TestTargetForms: an invoke URL is used as given; an edge URL is a cloud
// in which the API is found by name through the SDK.
func TestTargetForms(t *testing.T) {
	ctx := context.Background()
	b, err := backend.StartEmbedded(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	edge := b.Endpoint()
	cases := []struct{ target, wantAPI, wantHow, wantErr string }{
		{"https://abc123.execute-api.eu-west-1.amazonaws.com/prod/", "https://abc123.execute-api.eu-west-1.amazonaws.com/prod", "given", ""},
		{edge + "/restapis/abc/prod/_user_request_", edge + "/restapis/abc/prod/_user_request_", "given", ""},
		{"http://x.lambda-url.us-east-1.localhost.localstack.cloud:4566/", "http://x.lambda-url.us-east-1.localhost.localstack.cloud:4566", "given", ""},
		{edge, "", "", `has no REST API named "deliveries": deploy the flow`},
		{"localhost:4566", "", "", "is not an http(s) URL"},
	}
	for _, tc := range cases {
		api, how, _, err := apiURL(ctx, tc.target, DefaultAPIName, "")
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: %v, want %q", tc.target, err, tc.wantErr)
			}
			continue
		}
		if err != nil || api != tc.wantAPI || !strings.HasPrefix(how, tc.wantHow) {
			t.Errorf("%s: %q (%s) %v", tc.target, api, how, err)
		}
	}
	// with an API of that name deployed, the edge URL finds it
	c := apigw.NewFromConfig(b.Config())
	created, err := c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String(DefaultAPIName)})
	if err != nil {
		t.Fatal(err)
	}
	c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: created.Id, ResourceId: created.RootResourceId, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
	c.PutIntegration(ctx, &apigw.PutIntegrationInput{RestApiId: created.Id, ResourceId: created.RootResourceId, HttpMethod: aws.String("GET"), Type: agtypes.IntegrationTypeMock})
	if _, err := c.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestApiId: created.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	api, how, endpoint, err := apiURL(ctx, edge+"/", DefaultAPIName, "")
	want := edge + "/restapis/" + aws.ToString(created.Id) + "/prod/_user_request_"
	if err != nil || api != want || endpoint != edge || !strings.HasPrefix(how, "discovered: REST API \"deliveries\"") {
		t.Errorf("discovered %q (%s, %s) %v, want %q", api, how, endpoint, err, want)
	}
}
