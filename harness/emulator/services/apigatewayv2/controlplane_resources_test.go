package apigatewayv2_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// Models, custom domain names and their API mappings, VPC links and the
// stage settings deletes, through the SDK: state, then each failure a user
// can cause, with AWS's code and status.
func TestControlPlaneResources(t *testing.T) {
	t.Parallel()
	_, cfg := emutest.Start(t)
	c := apigw.NewFromConfig(cfg)
	httpAPI := must(c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("shop"), ProtocolType: types.ProtocolTypeHttp})).ok(t)
	must(c.CreateStage(ctx, &apigw.CreateStageInput{ApiId: httpAPI.ApiId, StageName: aws.String("prod"),
		AccessLogSettings: &types.AccessLogSettings{DestinationArn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:x"), Format: aws.String("$context.requestId")},
		RouteSettings:     map[string]types.RouteSettings{"GET /a": {ThrottlingBurstLimit: aws.Int32(5)}}})).ok(t)
	ws := must(c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("chat"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")})).ok(t)

	t.Run("models", func(t *testing.T) {
		t.Parallel()
		id := ws.ApiId
		schema := `{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}}}`
		m := must(c.CreateModel(ctx, &apigw.CreateModelInput{ApiId: id, Name: aws.String("Person"), Schema: aws.String(schema)})).ok(t)
		if *m.Name != "Person" || *m.ContentType != "application/json" || *m.Schema != schema || m.ModelId == nil {
			t.Fatalf("%+v", m)
		}
		got := must(c.GetModel(ctx, &apigw.GetModelInput{ApiId: id, ModelId: m.ModelId})).ok(t)
		if *got.ModelId != *m.ModelId || *got.Name != "Person" {
			t.Fatalf("%+v", got)
		}
		up := must(c.UpdateModel(ctx, &apigw.UpdateModelInput{ApiId: id, ModelId: m.ModelId, Description: aws.String("a person")})).ok(t)
		if *up.Description != "a person" || *up.Schema != schema {
			t.Fatalf("%+v", up)
		}
		tpl := must(c.GetModelTemplate(ctx, &apigw.GetModelTemplateInput{ApiId: id, ModelId: m.ModelId})).ok(t)
		if !strings.Contains(*tpl.Value, `"age" : "$inputRoot.age"`) || !strings.HasPrefix(*tpl.Value, "#set($inputRoot = $input.path('$'))") {
			t.Fatalf("template %q", *tpl.Value)
		}
		must(c.CreateModel(ctx, &apigw.CreateModelInput{ApiId: id, Name: aws.String("Other"), Schema: aws.String(`{}`)})).ok(t)
		list := must(c.GetModels(ctx, &apigw.GetModelsInput{ApiId: id})).ok(t)
		if len(list.Items) != 2 || *list.Items[0].Name != "Other" {
			t.Fatalf("%+v", list.Items)
		}
		for _, tc := range []struct {
			name string
			err  error
			want func(t *testing.T, err error)
		}{
			{"same name", second(c.CreateModel(ctx, &apigw.CreateModelInput{ApiId: id, Name: aws.String("Person"), Schema: aws.String(`{}`)})),
				func(t *testing.T, err error) { wantErr[*types.ConflictException](t, err, 409, "") }},
			{"schema not JSON", second(c.CreateModel(ctx, &apigw.CreateModelInput{ApiId: id, Name: aws.String("Bad"), Schema: aws.String(`{`)})),
				func(t *testing.T, err error) { wantErr[*types.BadRequestException](t, err, 400, "") }},
			{"name not alphanumeric", second(c.CreateModel(ctx, &apigw.CreateModelInput{ApiId: id, Name: aws.String("a-b"), Schema: aws.String(`{}`)})),
				func(t *testing.T, err error) { wantErr[*types.BadRequestException](t, err, 400, "") }},
			{"unknown model", second(c.GetModel(ctx, &apigw.GetModelInput{ApiId: id, ModelId: aws.String("nope")})),
				func(t *testing.T, err error) {
					wantErr[*types.NotFoundException](t, err, 404, "Invalid Model identifier specified nope")
				}},
			{"unknown API", second(c.GetModels(ctx, &apigw.GetModelsInput{ApiId: aws.String("nope")})),
				func(t *testing.T, err error) { wantErr[*types.NotFoundException](t, err, 404, "") }},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.want(t, tc.err) })
		}
		must(c.DeleteModel(ctx, &apigw.DeleteModelInput{ApiId: id, ModelId: m.ModelId})).ok(t)
		_, err := c.GetModelTemplate(ctx, &apigw.GetModelTemplateInput{ApiId: id, ModelId: m.ModelId})
		wantErr[*types.NotFoundException](t, err, 404, "")
	})

	t.Run("domain names and API mappings", func(t *testing.T) {
		t.Parallel()
		d := must(c.CreateDomainName(ctx, &apigw.CreateDomainNameInput{DomainName: aws.String("api.example.com"),
			DomainNameConfigurations: []types.DomainNameConfiguration{{CertificateArn: aws.String("arn:aws:acm:us-east-1:000000000000:certificate/x")}},
			Tags:                     map[string]string{"team": "a"}})).ok(t)
		if *d.DomainName != "api.example.com" || *d.ApiMappingSelectionExpression != "$request.basepath" || len(d.DomainNameConfigurations) != 1 ||
			d.DomainNameConfigurations[0].EndpointType != types.EndpointTypeRegional || d.DomainNameConfigurations[0].DomainNameStatus != types.DomainNameStatusAvailable ||
			!strings.HasSuffix(*d.DomainNameConfigurations[0].ApiGatewayDomainName, ".execute-api.us-east-1.amazonaws.com") || d.Tags["team"] != "a" {
			t.Fatalf("%+v", d)
		}
		arn := "arn:aws:apigateway:us-east-1::/domainnames/api.example.com"
		must(c.TagResource(ctx, &apigw.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"env": "p"}})).ok(t)
		if tags := must(c.GetTags(ctx, &apigw.GetTagsInput{ResourceArn: aws.String(arn)})).ok(t).Tags; tags["env"] != "p" || tags["team"] != "a" {
			t.Fatalf("tags %v", tags)
		}
		up := must(c.UpdateDomainName(ctx, &apigw.UpdateDomainNameInput{DomainName: aws.String("api.example.com"),
			DomainNameConfigurations: []types.DomainNameConfiguration{{SecurityPolicy: types.SecurityPolicyTls10}}})).ok(t)
		if up.DomainNameConfigurations[0].SecurityPolicy != types.SecurityPolicyTls10 {
			t.Fatalf("%+v", up.DomainNameConfigurations)
		}
		m := must(c.CreateApiMapping(ctx, &apigw.CreateApiMappingInput{DomainName: aws.String("api.example.com"), ApiId: httpAPI.ApiId,
			Stage: aws.String("prod"), ApiMappingKey: aws.String("v1")})).ok(t)
		if *m.ApiId != *httpAPI.ApiId || *m.Stage != "prod" || *m.ApiMappingKey != "v1" {
			t.Fatalf("%+v", m)
		}
		got := must(c.GetApiMapping(ctx, &apigw.GetApiMappingInput{DomainName: aws.String("api.example.com"), ApiMappingId: m.ApiMappingId})).ok(t)
		if *got.ApiMappingKey != "v1" {
			t.Fatalf("%+v", got)
		}
		um := must(c.UpdateApiMapping(ctx, &apigw.UpdateApiMappingInput{DomainName: aws.String("api.example.com"), ApiMappingId: m.ApiMappingId,
			ApiId: httpAPI.ApiId, ApiMappingKey: aws.String("v2")})).ok(t)
		if *um.ApiMappingKey != "v2" || *um.Stage != "prod" {
			t.Fatalf("%+v", um)
		}
		if l := must(c.GetApiMappings(ctx, &apigw.GetApiMappingsInput{DomainName: aws.String("api.example.com")})).ok(t); len(l.Items) != 1 {
			t.Fatalf("%+v", l.Items)
		}
		listed := false // other subtests make domain names too
		for _, x := range must(c.GetDomainNames(ctx, &apigw.GetDomainNamesInput{})).ok(t).Items {
			listed = listed || *x.DomainName == "api.example.com"
		}
		if !listed {
			t.Fatal("api.example.com not listed")
		}
		for _, tc := range []struct {
			name string
			err  error
			want func(t *testing.T, err error)
		}{
			{"domain exists", second(c.CreateDomainName(ctx, &apigw.CreateDomainNameInput{DomainName: aws.String("api.example.com")})),
				func(t *testing.T, err error) { wantErr[*types.ConflictException](t, err, 409, "") }},
			{"unknown domain", second(c.GetDomainName(ctx, &apigw.GetDomainNameInput{DomainName: aws.String("nope.example.com")})),
				func(t *testing.T, err error) { wantErr[*types.NotFoundException](t, err, 404, "") }},
			{"enum checked before the name is", second(c.CreateDomainName(ctx, &apigw.CreateDomainNameInput{DomainName: aws.String("api.example.com"),
				DomainNameConfigurations: []types.DomainNameConfiguration{{DomainNameStatus: "BROKEN"}}})),
				func(t *testing.T, err error) {
					wantErr[*types.BadRequestException](t, err, 400, "1 validation error detected: Value 'BROKEN' at 'domainNameConfigurations.1.member.domainNameStatus' failed to satisfy constraint: "+
						"Member must satisfy enum value set: [AVAILABLE, UPDATING, PENDING_CERTIFICATE_REIMPORT, PENDING_OWNERSHIP_VERIFICATION]")
				}},
			{"bad endpoint type", second(c.CreateDomainName(ctx, &apigw.CreateDomainNameInput{DomainName: aws.String("x.example.com"),
				DomainNameConfigurations: []types.DomainNameConfiguration{{EndpointType: "PRIVATE"}}})),
				func(t *testing.T, err error) { wantErr[*types.BadRequestException](t, err, 400, "") }},
			{"same key", second(c.CreateApiMapping(ctx, &apigw.CreateApiMappingInput{DomainName: aws.String("api.example.com"), ApiId: httpAPI.ApiId,
				Stage: aws.String("prod"), ApiMappingKey: aws.String("v2")})),
				func(t *testing.T, err error) { wantErr[*types.ConflictException](t, err, 409, "") }},
			{"unknown API", second(c.CreateApiMapping(ctx, &apigw.CreateApiMappingInput{DomainName: aws.String("api.example.com"), ApiId: aws.String("nope"),
				Stage: aws.String("prod")})),
				func(t *testing.T, err error) { wantErr[*types.NotFoundException](t, err, 404, "") }},
			{"unknown stage", second(c.CreateApiMapping(ctx, &apigw.CreateApiMappingInput{DomainName: aws.String("api.example.com"), ApiId: httpAPI.ApiId,
				Stage: aws.String("dev")})),
				func(t *testing.T, err error) {
					wantErr[*types.NotFoundException](t, err, 404, "Invalid stage identifier specified dev")
				}},
			{"unknown mapping", second(c.GetApiMapping(ctx, &apigw.GetApiMappingInput{DomainName: aws.String("api.example.com"), ApiMappingId: aws.String("nope")})),
				func(t *testing.T, err error) { wantErr[*types.NotFoundException](t, err, 404, "") }},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.want(t, tc.err) })
		}
		must(c.DeleteApiMapping(ctx, &apigw.DeleteApiMappingInput{DomainName: aws.String("api.example.com"), ApiMappingId: m.ApiMappingId})).ok(t)
		must(c.DeleteDomainName(ctx, &apigw.DeleteDomainNameInput{DomainName: aws.String("api.example.com")})).ok(t)
		_, err := c.DeleteDomainName(ctx, &apigw.DeleteDomainNameInput{DomainName: aws.String("api.example.com")})
		wantErr[*types.NotFoundException](t, err, 404, "")
	})

	t.Run("routing rules", func(t *testing.T) {
		t.Parallel()
		dn := aws.String("rules.example.com")
		must(c.CreateDomainName(ctx, &apigw.CreateDomainNameInput{DomainName: dn, RoutingMode: types.RoutingModeRoutingRuleThenApiMapping})).ok(t)
		invoke := []types.RoutingRuleAction{{InvokeApi: &types.RoutingRuleActionInvokeApi{ApiId: httpAPI.ApiId, Stage: aws.String("prod"), StripBasePath: aws.Bool(true)}}}
		paths := []types.RoutingRuleCondition{{MatchBasePaths: &types.RoutingRuleMatchBasePaths{AnyOf: []string{"orders"}}}}
		r := must(c.CreateRoutingRule(ctx, &apigw.CreateRoutingRuleInput{DomainName: dn, Priority: aws.Int32(10), Actions: invoke, Conditions: paths})).ok(t)
		if *r.Priority != 10 || !strings.HasSuffix(*r.RoutingRuleArn, ":/domainnames/rules.example.com/routingrules/"+*r.RoutingRuleId) ||
			*r.Actions[0].InvokeApi.Stage != "prod" || r.Conditions[0].MatchBasePaths.AnyOf[0] != "orders" {
			t.Fatalf("%+v", r)
		}
		headers := []types.RoutingRuleCondition{{MatchHeaders: &types.RoutingRuleMatchHeaders{AnyOf: []types.RoutingRuleMatchHeaderValue{{Header: aws.String("x-version"), ValueGlob: aws.String("v2*")}}}}}
		r2 := must(c.CreateRoutingRule(ctx, &apigw.CreateRoutingRuleInput{DomainName: dn, Priority: aws.Int32(5), Actions: invoke, Conditions: headers})).ok(t)
		put := must(c.PutRoutingRule(ctx, &apigw.PutRoutingRuleInput{DomainName: dn, RoutingRuleId: r.RoutingRuleId, Priority: aws.Int32(20), Actions: invoke, Conditions: headers})).ok(t)
		if *put.Priority != 20 || put.Conditions[0].MatchHeaders == nil {
			t.Fatalf("%+v", put)
		}
		list := must(c.ListRoutingRules(ctx, &apigw.ListRoutingRulesInput{DomainName: dn})).ok(t)
		if len(list.RoutingRules) != 2 || *list.RoutingRules[0].RoutingRuleId != *r2.RoutingRuleId {
			t.Fatalf("%+v", list.RoutingRules)
		}
		if got := must(c.GetRoutingRule(ctx, &apigw.GetRoutingRuleInput{DomainName: dn, RoutingRuleId: r.RoutingRuleId})).ok(t); *got.Priority != 20 {
			t.Fatalf("%+v", got)
		}
		for _, tc := range []struct {
			name string
			err  error
			want func(t *testing.T, err error)
		}{
			{"same priority", second(c.CreateRoutingRule(ctx, &apigw.CreateRoutingRuleInput{DomainName: dn, Priority: aws.Int32(5), Actions: invoke, Conditions: paths})),
				func(t *testing.T, err error) { wantErr[*types.ConflictException](t, err, 409, "") }},
			{"priority out of range", second(c.CreateRoutingRule(ctx, &apigw.CreateRoutingRuleInput{DomainName: dn, Priority: aws.Int32(0), Actions: invoke, Conditions: paths})),
				func(t *testing.T, err error) { wantErr[*types.BadRequestException](t, err, 400, "") }},
			{"unknown stage", second(c.CreateRoutingRule(ctx, &apigw.CreateRoutingRuleInput{DomainName: dn, Priority: aws.Int32(7), Conditions: paths,
				Actions: []types.RoutingRuleAction{{InvokeApi: &types.RoutingRuleActionInvokeApi{ApiId: httpAPI.ApiId, Stage: aws.String("dev")}}}})),
				func(t *testing.T, err error) { wantErr[*types.NotFoundException](t, err, 404, "") }},
			{"unknown domain", second(c.ListRoutingRules(ctx, &apigw.ListRoutingRulesInput{DomainName: aws.String("nope.example.com")})),
				func(t *testing.T, err error) { wantErr[*types.NotFoundException](t, err, 404, "") }},
			{"unknown rule", second(c.PutRoutingRule(ctx, &apigw.PutRoutingRuleInput{DomainName: dn, RoutingRuleId: aws.String("nope"), Priority: aws.Int32(30), Actions: invoke, Conditions: paths})),
				func(t *testing.T, err error) { wantErr[*types.NotFoundException](t, err, 404, "") }},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.want(t, tc.err) })
		}
		must(c.DeleteRoutingRule(ctx, &apigw.DeleteRoutingRuleInput{DomainName: dn, RoutingRuleId: r.RoutingRuleId})).ok(t)
		_, err := c.GetRoutingRule(ctx, &apigw.GetRoutingRuleInput{DomainName: dn, RoutingRuleId: r.RoutingRuleId})
		wantErr[*types.NotFoundException](t, err, 404, "")
	})

	t.Run("portals", func(t *testing.T) {
		t.Parallel()
		colors := &types.CustomColors{AccentColor: aws.String("#000000"), BackgroundColor: aws.String("#ffffff"), ErrorValidationColor: aws.String("#ff0000"),
			HeaderColor: aws.String("#111111"), NavigationColor: aws.String("#222222"), TextColor: aws.String("#333333")}
		content := &types.PortalContent{DisplayName: aws.String("Shop developers"), Theme: &types.PortalTheme{CustomColors: colors}}
		p := must(c.CreatePortal(ctx, &apigw.CreatePortalInput{Authorization: &types.Authorization{None: &types.None{}},
			EndpointConfiguration: &types.EndpointConfigurationRequest{None: &types.None{}}, PortalContent: content,
			Tags: map[string]string{"team": "a"}})).ok(t)
		if !regexpPortalID.MatchString(*p.PortalId) || *p.PortalContent.DisplayName != "Shop developers" || p.Authorization.None == nil ||
			p.EndpointConfiguration.PortalDefaultDomainName == nil || p.Tags["team"] != "a" || !strings.HasSuffix(*p.PortalArn, ":/portals/"+*p.PortalId) {
			t.Fatalf("%+v", p)
		}
		up := must(c.UpdatePortal(ctx, &apigw.UpdatePortalInput{PortalId: p.PortalId, PortalContent: &types.PortalContent{DisplayName: aws.String("Shop APIs"),
			Theme: &types.PortalTheme{CustomColors: colors}}})).ok(t)
		if *up.PortalContent.DisplayName != "Shop APIs" {
			t.Fatalf("%+v", up.PortalContent)
		}
		_, err := c.DisablePortal(ctx, &apigw.DisablePortalInput{PortalId: p.PortalId})
		wantErr[*types.ConflictException](t, err, 409, "")
		must(c.PublishPortal(ctx, &apigw.PublishPortalInput{PortalId: p.PortalId, Description: aws.String("v1")})).ok(t)
		must(c.PreviewPortal(ctx, &apigw.PreviewPortalInput{PortalId: p.PortalId})).ok(t)
		got := must(c.GetPortal(ctx, &apigw.GetPortalInput{PortalId: p.PortalId})).ok(t)
		if got.PublishStatus != types.PublishStatusPublished || *got.LastPublishedDescription != "v1" || got.Preview == nil ||
			got.Preview.PreviewStatus != types.PreviewStatusPreviewReady {
			t.Fatalf("%+v", got)
		}
		must(c.DisablePortal(ctx, &apigw.DisablePortalInput{PortalId: p.PortalId})).ok(t)
		if got := must(c.GetPortal(ctx, &apigw.GetPortalInput{PortalId: p.PortalId})).ok(t); got.PublishStatus != types.PublishStatusDisabled {
			t.Fatalf("%+v", got.PublishStatus)
		}
		if l := must(c.ListPortals(ctx, &apigw.ListPortalsInput{})).ok(t); len(l.Items) != 1 {
			t.Fatalf("%+v", l.Items)
		}
		must(c.UntagResource(ctx, &apigw.UntagResourceInput{ResourceArn: p.PortalArn, TagKeys: []string{"team"}})).ok(t)
		for _, tc := range []struct {
			name string
			err  error
			want func(t *testing.T, err error)
		}{
			{"both authorizations", second(c.CreatePortal(ctx, &apigw.CreatePortalInput{PortalContent: content,
				Authorization: &types.Authorization{None: &types.None{}, CognitoConfig: &types.CognitoConfig{AppClientId: aws.String("a"),
					UserPoolArn: aws.String("arn:aws:cognito-idp:us-east-1:000000000000:userpool/x"), UserPoolDomain: aws.String("https://auth.example.com/x")}},
				EndpointConfiguration: &types.EndpointConfigurationRequest{None: &types.None{}}})),
				func(t *testing.T, err error) { wantErr[*types.BadRequestException](t, err, 400, "") }},
			{"display name too short", second(c.CreatePortal(ctx, &apigw.CreatePortalInput{Authorization: &types.Authorization{None: &types.None{}},
				EndpointConfiguration: &types.EndpointConfigurationRequest{None: &types.None{}},
				PortalContent:         &types.PortalContent{DisplayName: aws.String("ab"), Theme: &types.PortalTheme{CustomColors: colors}}})),
				func(t *testing.T, err error) { wantErr[*types.BadRequestException](t, err, 400, "") }},
			{"unknown portal", second(c.GetPortal(ctx, &apigw.GetPortalInput{PortalId: aws.String("nope")})),
				func(t *testing.T, err error) {
					wantErr[*types.NotFoundException](t, err, 404, "Invalid Portal identifier specified nope")
				}},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.want(t, tc.err) })
		}
		must(c.DeletePortal(ctx, &apigw.DeletePortalInput{PortalId: p.PortalId})).ok(t)
		_, err = c.PublishPortal(ctx, &apigw.PublishPortalInput{PortalId: p.PortalId})
		wantErr[*types.NotFoundException](t, err, 404, "")
	})

	t.Run("VPC links", func(t *testing.T) {
		t.Parallel()
		l := must(c.CreateVpcLink(ctx, &apigw.CreateVpcLinkInput{Name: aws.String("link"), SubnetIds: []string{"subnet-1", "subnet-2"},
			Tags: map[string]string{"team": "a"}})).ok(t)
		if *l.Name != "link" || l.VpcLinkStatus != types.VpcLinkStatusAvailable || l.VpcLinkVersion != types.VpcLinkVersionV2 ||
			len(l.SubnetIds) != 2 || l.CreatedDate == nil || l.Tags["team"] != "a" {
			t.Fatalf("%+v", l)
		}
		up := must(c.UpdateVpcLink(ctx, &apigw.UpdateVpcLinkInput{VpcLinkId: l.VpcLinkId, Name: aws.String("renamed")})).ok(t)
		if *up.Name != "renamed" || len(up.SubnetIds) != 2 {
			t.Fatalf("%+v", up)
		}
		arn := "arn:aws:apigateway:us-east-1::/vpclinks/" + *l.VpcLinkId
		must(c.UntagResource(ctx, &apigw.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team"}})).ok(t)
		if got := must(c.GetVpcLink(ctx, &apigw.GetVpcLinkInput{VpcLinkId: l.VpcLinkId})).ok(t); len(got.Tags) != 0 || *got.Name != "renamed" {
			t.Fatalf("%+v", got)
		}
		if list := must(c.GetVpcLinks(ctx, &apigw.GetVpcLinksInput{})).ok(t); len(list.Items) != 1 {
			t.Fatalf("%+v", list.Items)
		}
		must(c.DeleteVpcLink(ctx, &apigw.DeleteVpcLinkInput{VpcLinkId: l.VpcLinkId})).ok(t)
		_, err := c.GetVpcLink(ctx, &apigw.GetVpcLinkInput{VpcLinkId: l.VpcLinkId})
		wantErr[*types.NotFoundException](t, err, 404, "Invalid VpcLink identifier specified "+*l.VpcLinkId)
	})

	t.Run("stage settings deletes", func(t *testing.T) {
		t.Parallel()
		id := httpAPI.ApiId
		must(c.DeleteRouteSettings(ctx, &apigw.DeleteRouteSettingsInput{ApiId: id, StageName: aws.String("prod"), RouteKey: aws.String("GET /a")})).ok(t)
		must(c.DeleteAccessLogSettings(ctx, &apigw.DeleteAccessLogSettingsInput{ApiId: id, StageName: aws.String("prod")})).ok(t)
		st := must(c.GetStage(ctx, &apigw.GetStageInput{ApiId: id, StageName: aws.String("prod")})).ok(t)
		if st.AccessLogSettings != nil || len(st.RouteSettings) != 0 {
			t.Fatalf("%+v %+v", st.AccessLogSettings, st.RouteSettings)
		}
		_, err := c.DeleteRouteSettings(ctx, &apigw.DeleteRouteSettingsInput{ApiId: id, StageName: aws.String("prod"), RouteKey: aws.String("GET /a")})
		wantErr[*types.NotFoundException](t, err, 404, "")
		_, err = c.DeleteAccessLogSettings(ctx, &apigw.DeleteAccessLogSettingsInput{ApiId: id, StageName: aws.String("dev")})
		wantErr[*types.NotFoundException](t, err, 404, "Invalid stage identifier specified dev")
	})
}

var regexpPortalID = regexp.MustCompile(`^[a-z0-9]{10,30}$`)

// second is the error of a call, for tables of failures.
func second[T any](_ T, err error) error { return err }
