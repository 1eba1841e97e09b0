package apigateway_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// regionalKind drives one kind of regional resource through the SDK.
type regionalKind struct {
	name string
	// create makes the n-th one and returns its id (a domain's name).
	create func(t testing.TB, c *apigw.Client, n int) string
	// page lists a page of at most two from position, as ids.
	page func(c *apigw.Client, position *string) (ids []string, next *string, err error)
	// get and update return the member path patches ("" when absent).
	get    func(c *apigw.Client, id string) (string, error)
	update func(c *apigw.Client, id string, ops []types.PatchOperation) (string, error)
	remove func(c *apigw.Client, id string) error
	// path is a member update replaces; notFound is the error's message.
	path, notFound string
}

func regionalKinds() []regionalKind {
	return []regionalKind{{
		name: "VPC links",
		create: func(t testing.TB, c *apigw.Client, n int) string {
			return *must(c.CreateVpcLink(ctx, &apigw.CreateVpcLinkInput{Name: aws.String("link" + strconv.Itoa(n)),
				TargetArns: []string{"arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/n/" + strconv.Itoa(n)}})).ok(t).Id
		},
		page: func(c *apigw.Client, position *string) ([]string, *string, error) {
			out, err := c.GetVpcLinks(ctx, &apigw.GetVpcLinksInput{Limit: aws.Int32(2), Position: position})
			if err != nil {
				return nil, nil, err
			}
			return ids(out.Items, func(l types.VpcLink) *string { return l.Id }), out.Position, nil
		},
		get: func(c *apigw.Client, id string) (string, error) {
			l, err := c.GetVpcLink(ctx, &apigw.GetVpcLinkInput{VpcLinkId: &id})
			return shown(l, err, func(l *apigw.GetVpcLinkOutput) *string { return l.Description })
		},
		update: func(c *apigw.Client, id string, ops []types.PatchOperation) (string, error) {
			l, err := c.UpdateVpcLink(ctx, &apigw.UpdateVpcLinkInput{VpcLinkId: &id, PatchOperations: ops})
			return shown(l, err, func(l *apigw.UpdateVpcLinkOutput) *string { return l.Description })
		},
		remove: func(c *apigw.Client, id string) error {
			_, err := c.DeleteVpcLink(ctx, &apigw.DeleteVpcLinkInput{VpcLinkId: &id})
			return err
		},
		path: "/description", notFound: "Invalid VPC link identifier specified",
	}, {
		name: "client certificates",
		create: func(t testing.TB, c *apigw.Client, n int) string {
			return *must(c.GenerateClientCertificate(ctx, &apigw.GenerateClientCertificateInput{})).ok(t).ClientCertificateId
		},
		page: func(c *apigw.Client, position *string) ([]string, *string, error) {
			out, err := c.GetClientCertificates(ctx, &apigw.GetClientCertificatesInput{Limit: aws.Int32(2), Position: position})
			if err != nil {
				return nil, nil, err
			}
			return ids(out.Items, func(c types.ClientCertificate) *string { return c.ClientCertificateId }), out.Position, nil
		},
		get: func(c *apigw.Client, id string) (string, error) {
			cert, err := c.GetClientCertificate(ctx, &apigw.GetClientCertificateInput{ClientCertificateId: &id})
			return shown(cert, err, func(c *apigw.GetClientCertificateOutput) *string { return c.Description })
		},
		update: func(c *apigw.Client, id string, ops []types.PatchOperation) (string, error) {
			cert, err := c.UpdateClientCertificate(ctx, &apigw.UpdateClientCertificateInput{ClientCertificateId: &id, PatchOperations: ops})
			return shown(cert, err, func(c *apigw.UpdateClientCertificateOutput) *string { return c.Description })
		},
		remove: func(c *apigw.Client, id string) error {
			_, err := c.DeleteClientCertificate(ctx, &apigw.DeleteClientCertificateInput{ClientCertificateId: &id})
			return err
		},
		path: "/description", notFound: "Invalid Client Certificate identifier specified",
	}, {
		name: "domain names",
		create: func(t testing.TB, c *apigw.Client, n int) string {
			name := "d" + strconv.Itoa(9-n) + ".example.com" // created in reverse order of names
			return *must(c.CreateDomainName(ctx, &apigw.CreateDomainNameInput{DomainName: &name})).ok(t).DomainName
		},
		page: func(c *apigw.Client, position *string) ([]string, *string, error) {
			out, err := c.GetDomainNames(ctx, &apigw.GetDomainNamesInput{Limit: aws.Int32(2), Position: position})
			if err != nil {
				return nil, nil, err
			}
			return ids(out.Items, func(d types.DomainName) *string { return d.DomainName }), out.Position, nil
		},
		get: func(c *apigw.Client, id string) (string, error) {
			d, err := c.GetDomainName(ctx, &apigw.GetDomainNameInput{DomainName: &id})
			return shown(d, err, func(d *apigw.GetDomainNameOutput) *string { return d.CertificateName })
		},
		update: func(c *apigw.Client, id string, ops []types.PatchOperation) (string, error) {
			d, err := c.UpdateDomainName(ctx, &apigw.UpdateDomainNameInput{DomainName: &id, PatchOperations: ops})
			return shown(d, err, func(d *apigw.UpdateDomainNameOutput) *string { return d.CertificateName })
		},
		remove: func(c *apigw.Client, id string) error {
			_, err := c.DeleteDomainName(ctx, &apigw.DeleteDomainNameInput{DomainName: &id})
			return err
		},
		path: "/certificateName", notFound: "Invalid domain name identifier specified",
	}}
}

func ids[T any](items []T, id func(T) *string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, *id(it))
	}
	return out
}

func shown[O any](out O, err error, member func(O) *string) (string, error) {
	if err != nil {
		return "", err
	}
	return aws.ToString(member(out)), nil
}

func replaceOp(op, path, value string) types.PatchOperation {
	return types.PatchOperation{Op: types.Op(op), Path: aws.String(path), Value: aws.String(value)}
}

// VPC links, client certificates and domain names: each region lists its
// own, in id (domain: name) order, two a page; an update applies all its
// operations or none; reads, updates and deletes of one not in the region
// are not found.
func TestRegionalListsAndPatches(t *testing.T) {
	t.Parallel()
	_, cfg := emutest.Start(t)
	east := apigw.NewFromConfig(cfg)
	west := apigw.NewFromConfig(cfg, func(o *apigw.Options) { o.Region = "eu-west-1" })
	for _, k := range regionalKinds() {
		t.Run(k.name, func(t *testing.T) {
			var made []string
			for n := range 3 {
				made = append(made, k.create(t, east, n))
			}
			other := k.create(t, west, 7)
			slices.Sort(made)

			// paging: two, then the last one, then nothing after it
			first, next, err := k.page(east, nil)
			if err != nil || !slices.Equal(first, made[:2]) || aws.ToString(next) != "2" {
				t.Fatalf("first page %v next %v (%v), want %v", first, aws.ToString(next), err, made[:2])
			}
			last, end, err := k.page(east, next)
			if err != nil || !slices.Equal(last, made[2:]) || end != nil {
				t.Fatalf("last page %v next %v (%v), want %v", last, aws.ToString(end), err, made[2:])
			}
			if beyond, _, err := k.page(east, aws.String("9")); err != nil || len(beyond) != 0 {
				t.Fatalf("page past the end %v (%v)", beyond, err)
			}
			_, _, err = k.page(east, aws.String("-1"))
			wantErr[*types.BadRequestException](t, err, "Invalid position parameter")
			if only, _, err := k.page(west, nil); err != nil || !slices.Equal(only, []string{other}) {
				t.Fatalf("other region lists %v (%v), want [%s]", only, err, other)
			}

			// updates
			id := made[0]
			if v := must(k.update(east, id, []types.PatchOperation{replaceOp("replace", k.path, "one")})).ok(t); v != "one" {
				t.Fatalf("updated %s = %q", k.path, v)
			}
			_, err = k.update(east, id, []types.PatchOperation{replaceOp("replace", k.path, "two"), replaceOp("replace", "/nope", "x")})
			wantErr[*types.BadRequestException](t, err, "Invalid patch path '/nope' specified for op 'replace'")
			_, err = k.update(east, id, []types.PatchOperation{replaceOp("add", k.path, "two")})
			wantErr[*types.BadRequestException](t, err, "Invalid patch path '"+k.path+"' specified for op 'add'")
			if v := must(k.get(east, id)).ok(t); v != "one" {
				t.Fatalf("after refused updates %s = %q, want one", k.path, v)
			}

			// another region's, and one deleted
			_, err = k.get(west, id)
			wantErr[*types.NotFoundException](t, err, k.notFound)
			_, err = k.update(west, id, []types.PatchOperation{replaceOp("replace", k.path, "x")})
			wantErr[*types.NotFoundException](t, err, k.notFound)
			wantErr[*types.NotFoundException](t, k.remove(west, id), k.notFound)
			must(0, k.remove(east, id)).ok(t)
			wantErr[*types.NotFoundException](t, k.remove(east, id), k.notFound)
			if left, _, err := k.page(east, nil); err != nil || !slices.Equal(left, made[1:]) {
				t.Fatalf("after delete %v (%v), want %v", left, err, made[1:])
			}
		})
	}
}

// UpdateDomainName's paths, each shown by GetDomainName; the domain's base
// path mappings outlive an update.
func TestUpdateDomainNamePaths(t *testing.T) {
	t.Parallel()
	_, cfg := emutest.Start(t)
	c := apigw.NewFromConfig(cfg)
	name := aws.String("paths.example.com")
	must(c.CreateDomainName(ctx, &apigw.CreateDomainNameInput{DomainName: name})).ok(t)
	api := must(c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("mapped")})).ok(t)
	must(c.CreateBasePathMapping(ctx, &apigw.CreateBasePathMappingInput{DomainName: name, RestApiId: api.Id, BasePath: aws.String("v1")})).ok(t)

	ops := []types.PatchOperation{
		replaceOp("replace", "/certificateName", "cert"),
		replaceOp("replace", "/certificateArn", "arn:aws:acm:us-east-1:000000000000:certificate/e"),
		replaceOp("replace", "/regionalCertificateName", "rcert"),
		replaceOp("replace", "/regionalCertificateArn", "arn:aws:acm:us-east-1:000000000000:certificate/r"),
		replaceOp("replace", "/securityPolicy", "TLS_1_0"),
		replaceOp("replace", "/endpointConfiguration/types/0", "REGIONAL"),
		replaceOp("replace", "/mutualTlsAuthentication/truststoreUri", "s3://bucket/truststore.pem"),
		replaceOp("replace", "/mutualTlsAuthentication/truststoreVersion", "v2"),
		replaceOp("replace", "/ownershipVerificationCertificateArn", "arn:aws:acm:us-east-1:000000000000:certificate/o"),
		replaceOp("replace", "/policy", `{"Version":"2012-10-17"}`),
		replaceOp("replace", "/routingMode", "ROUTING_RULE_THEN_BASE_PATH_MAPPING"),
		replaceOp("replace", "/endpointAccessMode", "STRICT"),
	}
	must(c.UpdateDomainName(ctx, &apigw.UpdateDomainNameInput{DomainName: name, PatchOperations: ops})).ok(t)
	d := must(c.GetDomainName(ctx, &apigw.GetDomainNameInput{DomainName: name})).ok(t)
	got := []string{aws.ToString(d.CertificateName), aws.ToString(d.CertificateArn), aws.ToString(d.RegionalCertificateName),
		aws.ToString(d.RegionalCertificateArn), string(d.SecurityPolicy), string(d.EndpointConfiguration.Types[0]),
		aws.ToString(d.MutualTlsAuthentication.TruststoreUri), aws.ToString(d.MutualTlsAuthentication.TruststoreVersion),
		aws.ToString(d.OwnershipVerificationCertificateArn), aws.ToString(d.Policy), string(d.RoutingMode), string(d.EndpointAccessMode)}
	for i, op := range ops {
		if got[i] != *op.Value {
			t.Errorf("%s = %q, want %q", *op.Path, got[i], *op.Value)
		}
	}
	if d.RegionalDomainName == nil || len(d.EndpointConfiguration.Types) != 1 {
		t.Errorf("a regional domain name %+v", d)
	}
	if ms := must(c.GetBasePathMappings(ctx, &apigw.GetBasePathMappingsInput{DomainName: name})).ok(t); len(ms.Items) != 1 || *ms.Items[0].BasePath != "v1" {
		t.Fatalf("mappings after an update %+v", ms.Items)
	}
}
