package deploy_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/groundstack/groundstack/harness/deploy"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

func TestFindRestAPI(t *testing.T) {
	e, cfg := emutest.Start(t)
	c := apigw.NewFromConfig(cfg)
	// mockAPI makes an API with a MOCK GET / deployed to stages.
	mockAPI := func(name string, stages ...string) string {
		api, err := c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutIntegration(ctx, &apigw.PutIntegrationInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"), Type: agtypes.IntegrationTypeMock}); err != nil {
			t.Fatal(err)
		}
		for _, s := range stages {
			if _, err := c.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String(s)}); err != nil {
				t.Fatal(err)
			}
		}
		return aws.ToString(api.Id)
	}
	prod := mockAPI("deliveries", "prod", "dev")
	only := mockAPI("reports", "v1")
	mockAPI("twice", "prod")
	mockAPI("twice", "prod")
	cases := []struct {
		name, stage string
		wantURL     string
		wantErr     string
	}{
		{"deliveries", "", e.URL() + "/restapis/" + prod + "/prod/_user_request_", ""},
		{"deliveries", "dev", e.URL() + "/restapis/" + prod + "/dev/_user_request_", ""},
		{"reports", "", e.URL() + "/restapis/" + only + "/v1/_user_request_", ""},
		{"reports", "prod", "", `has no stage "prod" (stages: [v1])`},
		{"missing", "", "", `no REST API of that name "missing"`},
		{"twice", "", "", `2 REST APIs are named "twice"`},
	}
	for _, tc := range cases {
		api, err := deploy.FindRestAPI(ctx, cfg, tc.name, tc.stage)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s/%s: %v, want %q", tc.name, tc.stage, err, tc.wantErr)
			}
			continue
		}
		if err != nil || api.URL != tc.wantURL {
			t.Errorf("%s/%s: %q %v, want %q", tc.name, tc.stage, api.URL, err, tc.wantURL)
		}
	}
	if _, err := deploy.FindRestAPI(ctx, cfg, "missing", ""); !errors.Is(err, deploy.ErrNoRestAPI) {
		t.Errorf("not ErrNoRestAPI: %v", err)
	}
}
