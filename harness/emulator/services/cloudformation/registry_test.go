package cloudformation_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

func TestPublicTypesAreTheEmulatedOnes(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	l, err := c.ListTypes(ctx, &cfn.ListTypesInput{Visibility: cfntypes.VisibilityPublic, Type: cfntypes.RegistryTypeResource,
		Filters: &cfntypes.TypeFilters{TypeNamePrefix: aws.String("AWS::SQS::")}})
	if err != nil || len(l.TypeSummaries) == 0 || aws.ToString(l.TypeSummaries[0].TypeName) != "AWS::SQS::Queue" {
		t.Fatalf("public types %+v %v", l, err)
	}
	d, err := c.DescribeType(ctx, &cfn.DescribeTypeInput{Type: cfntypes.RegistryTypeResource, TypeName: aws.String("AWS::SQS::Queue")})
	if err != nil || d.Visibility != cfntypes.VisibilityPublic || !strings.Contains(aws.ToString(d.Schema), `"typeName":"AWS::SQS::Queue"`) {
		t.Fatalf("describe %+v %v", d, err)
	}
	byArn, err := c.DescribeType(ctx, &cfn.DescribeTypeInput{Arn: d.Arn})
	if err != nil || aws.ToString(byArn.TypeName) != "AWS::SQS::Queue" {
		t.Fatalf("describe by arn %+v %v", byArn, err)
	}
	_, err = c.DescribeType(ctx, &cfn.DescribeTypeInput{Type: cfntypes.RegistryTypeResource, TypeName: aws.String("AWS::Made::Up")})
	wantAPIError(t, err, "TypeNotFoundException", "The type 'AWS::Made::Up' cannot be found.")
}

func TestPrivateTypesAreKeptButCannotRun(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	reg := func() string {
		r, err := c.RegisterType(ctx, &cfn.RegisterTypeInput{Type: cfntypes.RegistryTypeResource, TypeName: aws.String("Acme::Widget::Thing"),
			SchemaHandlerPackage: aws.String("s3://handlers/widget.zip")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(r.RegistrationToken)
	}
	tok := reg()
	reg()
	dr, err := c.DescribeTypeRegistration(ctx, &cfn.DescribeTypeRegistrationInput{RegistrationToken: aws.String(tok)})
	if err != nil || dr.ProgressStatus != cfntypes.RegistrationStatusComplete || !strings.HasSuffix(aws.ToString(dr.TypeVersionArn), "/00000001") {
		t.Fatalf("registration %+v %v", dr, err)
	}
	lr, err := c.ListTypeRegistrations(ctx, &cfn.ListTypeRegistrationsInput{Type: cfntypes.RegistryTypeResource, TypeName: aws.String("Acme::Widget::Thing")})
	if err != nil || len(lr.RegistrationTokenList) != 2 {
		t.Fatalf("registrations %+v %v", lr, err)
	}
	lv, err := c.ListTypeVersions(ctx, &cfn.ListTypeVersionsInput{Type: cfntypes.RegistryTypeResource, TypeName: aws.String("Acme::Widget::Thing")})
	if err != nil || len(lv.TypeVersionSummaries) != 2 || !aws.ToBool(lv.TypeVersionSummaries[0].IsDefaultVersion) {
		t.Fatalf("versions %+v %v", lv, err)
	}
	if _, err := c.SetTypeDefaultVersion(ctx, &cfn.SetTypeDefaultVersionInput{Type: cfntypes.RegistryTypeResource, TypeName: aws.String("Acme::Widget::Thing"), VersionId: aws.String("00000002")}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeType(ctx, &cfn.DescribeTypeInput{Type: cfntypes.RegistryTypeResource, TypeName: aws.String("Acme::Widget::Thing")})
	if err != nil || aws.ToString(d.DefaultVersionId) != "00000002" || d.Visibility != cfntypes.VisibilityPrivate {
		t.Fatalf("describe %+v %v", d, err)
	}
	lt, err := c.ListTypes(ctx, &cfn.ListTypesInput{})
	if err != nil || len(lt.TypeSummaries) != 1 || aws.ToString(lt.TypeSummaries[0].TypeName) != "Acme::Widget::Thing" {
		t.Fatalf("private types %+v %v", lt, err)
	}

	// Configurations.
	sc, err := c.SetTypeConfiguration(ctx, &cfn.SetTypeConfigurationInput{TypeArn: d.Arn, Configuration: aws.String(`{"Key": "v"}`)})
	if err != nil {
		t.Fatal(err)
	}
	bd, err := c.BatchDescribeTypeConfigurations(ctx, &cfn.BatchDescribeTypeConfigurationsInput{TypeConfigurationIdentifiers: []cfntypes.TypeConfigurationIdentifier{
		{TypeConfigurationArn: sc.ConfigurationArn}, {TypeName: aws.String("Acme::Other::Thing")}}})
	if err != nil || len(bd.TypeConfigurations) != 1 || aws.ToString(bd.TypeConfigurations[0].Configuration) != `{"Key": "v"}` || len(bd.Errors) != 1 {
		t.Fatalf("configurations %+v %v", bd, err)
	}
	_, err = c.SetTypeConfiguration(ctx, &cfn.SetTypeConfigurationInput{TypeArn: d.Arn, Configuration: aws.String(`[`)})
	wantAPIError(t, err, "CFNRegistryException", "Configuration must be a JSON object.")

	// A stack using it is refused with the reason.
	_, err = c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("widgets"), TemplateBody: aws.String(`{"Resources": {"W": {"Type": "Acme::Widget::Thing"}}}`)})
	wantAPIError(t, err, "ValidationError", "groundstack cannot run the handlers of the registered private type(s) [Acme::Widget::Thing]: a stack can use only the AWS:: types it emulates (see docs/cloudformation.md)")

	// Tests fail (no handlers), so publishing is refused.
	if _, err := c.TestType(ctx, &cfn.TestTypeInput{Arn: d.Arn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PublishType(ctx, &cfn.PublishTypeInput{Arn: d.Arn})
	wantAPIError(t, err, "CFNRegistryException", "Account is not registered as a publisher. Call RegisterPublisher first.")
	p, err := c.RegisterPublisher(ctx, &cfn.RegisterPublisherInput{AcceptTermsAndConditions: aws.Bool(true)})
	if err != nil || len(aws.ToString(p.PublisherId)) != 40 {
		t.Fatalf("publisher %+v %v", p, err)
	}
	dp, err := c.DescribePublisher(ctx, &cfn.DescribePublisherInput{})
	if err != nil || aws.ToString(dp.PublisherId) != aws.ToString(p.PublisherId) {
		t.Fatalf("describe publisher %+v %v", dp, err)
	}
	_, err = c.PublishType(ctx, &cfn.PublishTypeInput{Arn: d.Arn})
	wantAPIError(t, err, "CFNRegistryException", "")
	_, err = c.ActivateType(ctx, &cfn.ActivateTypeInput{PublicTypeArn: aws.String("arn:aws:cloudformation:us-east-1::type/resource/" + strings.Repeat("a", 40) + "/X-Y-Z")})
	wantAPIError(t, err, "TypeNotFoundException", "")
	_, err = c.DeactivateType(ctx, &cfn.DeactivateTypeInput{TypeName: aws.String("Acme::Widget::Thing"), Type: cfntypes.ThirdPartyTypeResource})
	wantAPIError(t, err, "TypeNotFoundException", "")

	// Deregistering: not the default version while others remain; then all.
	_, err = c.DeregisterType(ctx, &cfn.DeregisterTypeInput{Arn: aws.String(aws.ToString(d.Arn) + "/00000002")})
	wantAPIError(t, err, "CFNRegistryException", "")
	if _, err := c.DeregisterType(ctx, &cfn.DeregisterTypeInput{Type: cfntypes.RegistryTypeResource, TypeName: aws.String("Acme::Widget::Thing")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeType(ctx, &cfn.DescribeTypeInput{Type: cfntypes.RegistryTypeResource, TypeName: aws.String("Acme::Widget::Thing")})
	wantAPIError(t, err, "TypeNotFoundException", "The type 'Acme::Widget::Thing' cannot be found.")
	_, err = c.RegisterType(ctx, &cfn.RegisterTypeInput{TypeName: aws.String("AWS::Mine::Thing"), SchemaHandlerPackage: aws.String("s3://b/k.zip")})
	wantAPIError(t, err, "CFNRegistryException", "Type name 'AWS::Mine::Thing' is invalid for a RESOURCE type.")
	_, err = c.DescribeTypeRegistration(ctx, &cfn.DescribeTypeRegistrationInput{RegistrationToken: aws.String("nope")})
	wantAPIError(t, err, "CFNRegistryException", "Registration token 'nope' not found.")
}

func TestStackEventsComeInPages(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	var b strings.Builder
	b.WriteString("Resources:\n")
	for i := range 40 {
		fmt.Fprintf(&b, "  Q%d: {Type: AWS::SQS::Queue}\n", i)
	}
	createStack(t, c, "many", b.String())
	seen := map[string]bool{}
	pages := 0
	p := cfn.NewDescribeStackEventsPaginator(c, &cfn.DescribeStackEventsInput{StackName: aws.String("many")})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range out.StackEvents {
			if seen[aws.ToString(e.EventId)] {
				t.Fatalf("event %s twice", aws.ToString(e.EventId))
			}
			seen[aws.ToString(e.EventId)] = true
		}
	}
	if pages != 1 || len(seen) != 82 { // 40 queues × 2 events and the stack's 2: one page of 100
		t.Fatalf("%d pages, %d events", pages, len(seen))
	}
	for i := 40; i < 60; i++ {
		fmt.Fprintf(&b, "  Q%d: {Type: AWS::SQS::Queue}\n", i)
	}
	if _, err := c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("many"), TemplateBody: aws.String(b.String())}); err != nil {
		t.Fatal(err)
	}
	seen, pages = map[string]bool{}, 0
	p = cfn.NewDescribeStackEventsPaginator(c, &cfn.DescribeStackEventsInput{StackName: aws.String("many")})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range out.StackEvents {
			seen[aws.ToString(e.EventId)] = true
		}
	}
	if pages != 2 || len(seen) < 120 {
		t.Fatalf("%d pages, %d events", pages, len(seen))
	}
	_, err := c.DescribeStackEvents(ctx, &cfn.DescribeStackEventsInput{StackName: aws.String("many"), NextToken: aws.String("bogus")})
	wantAPIError(t, err, "ValidationError", "Invalid NextToken")
}
