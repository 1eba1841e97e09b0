package deliveries_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/groundstack/groundstack/handlers/deliveries/order"
	"github.com/groundstack/groundstack/harness/deploy/deliveries"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	ld "github.com/groundstack/groundstack/load/deliveries"
)

// TestDeployTwice deploys the flow, uses it, deploys again (as a second
// `make up` against a running cloud would) and checks that nothing was
// replaced: same API, same function URL, same secret, same code, same data.
func TestDeployTwice(t *testing.T) {
	_, cfg := emutest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	first, err := deliveries.Deploy(ctx, cfg, deliveries.Options{Password: "demo-password-1", BcryptCost: 4})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{first.APIURL, first.FunctionPathURL, first.DashboardURL} {
		if !strings.HasPrefix(u, aws.ToString(cfg.BaseEndpoint)) {
			t.Errorf("URL %s is not on the endpoint", u)
		}
	}
	if !strings.Contains(first.FunctionURL, ".lambda-url.us-east-1.localhost.localstack.cloud:") ||
		!strings.HasPrefix(first.DashboardHostURL, "http://cargo-express-monitoring.s3-website.localhost.localstack.cloud:") {
		t.Errorf("host-form URLs: %s, %s", first.FunctionURL, first.DashboardHostURL)
	}
	if len(first.Logins) != 3 || first.Logins[0].Password != "demo-password-1" {
		t.Errorf("logins %+v", first.Logins)
	}
	api := ld.NewClient(first.APIURL)
	tok, err := api.Login(ctx, first.Logins[0].Username, "demo-password-1")
	if err != nil {
		t.Fatal(err)
	}
	api = api.WithToken(tok)
	r, err := api.PostOrder(ctx, []byte(`{"pedido_id":"KEEP-1","repartidor":{"IdRepartidor":1,"Nombre":"Ana"},"productos":[{"IdProducto":1,"producto":"Moneda","precio":2.5}],"timestamp":"2025-01-01T10:00:00-05:00"}`))
	if err != nil || r.Status != 200 {
		t.Fatalf("post: %v %d %s", err, r.Status, r.Body)
	}
	lc := lambda.NewFromConfig(cfg)
	fn1, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(deliveries.FunctionName)})
	if err != nil {
		t.Fatal(err)
	}
	role, err := iam.NewFromConfig(cfg).GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(deliveries.RoleName), PolicyName: aws.String("deliveries-api")})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := url.QueryUnescape(aws.ToString(role.PolicyDocument))
	// Transactions are authorised per item action (PutItem, UpdateItem).
	for _, want := range []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "table/Pedidos/index/por_fecha",
		"table/PedidosProductos/index/por_cuenta", "table/PedidosProductos/index/empates", "secretsmanager:GetSecretValue", first.SecretID} {
		if !strings.Contains(doc, want) {
			t.Errorf("role policy lacks %s: %s", want, doc)
		}
	}
	if !strings.HasSuffix(aws.ToString(fn1.Configuration.Role), ":role/"+deliveries.RoleName) {
		t.Errorf("function role %s", aws.ToString(fn1.Configuration.Role))
	}

	second, err := deliveries.Deploy(ctx, cfg, deliveries.Options{BcryptCost: 4})
	if err != nil {
		t.Fatalf("second deploy: %v", err)
	}
	if second.APIURL != first.APIURL || second.FunctionURL != first.FunctionURL || second.SecretID != first.SecretID || second.DashboardURL != first.DashboardURL {
		t.Errorf("second deploy replaced resources:\n%+v\n%+v", first, second)
	}
	fn2, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(deliveries.FunctionName)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(fn2.Configuration.CodeSha256) != aws.ToString(fn1.Configuration.CodeSha256) ||
		aws.ToString(fn2.Configuration.LastModified) != aws.ToString(fn1.Configuration.LastModified) {
		t.Error("the unchanged function was updated")
	}
	// A token from before the second deploy still verifies: the secret is kept.
	if _, err := api.Orders(ctx, 10, ""); err != nil {
		t.Errorf("old token after redeploy: %v", err)
	}
	page, err := api.Orders(ctx, 10, "")
	if err != nil || page.Count != 1 || page.Orders[0].ID != "KEEP-1" {
		t.Errorf("orders after redeploy: %+v %v", page, err)
	}
	// New random passwords were issued and work; the old one does not.
	if second.Logins[0].Password == "demo-password-1" || len(second.Logins[0].Password) < 12 {
		t.Errorf("second deploy's password %q", second.Logins[0].Password)
	}
	if _, err := api.Login(ctx, second.Logins[0].Username, second.Logins[0].Password); err != nil {
		t.Errorf("new password: %v", err)
	}
	sec, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(deliveries.SecretName)})
	if err != nil || len(aws.ToString(sec.SecretString)) < 32 {
		t.Errorf("secret: %v", err)
	}

	// The dashboard is on the website endpoint, with its config.js.
	for _, path := range []string{"", "config.js", "app.js", "style.css"} {
		resp, err := http.Get(second.DashboardURL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
		if path == "config.js" && !strings.Contains(string(b), second.APIURL) {
			t.Errorf("config.js does not name the API: %s", b)
		}
	}
}

func TestWebsiteURLsOnAWS(t *testing.T) {
	p, h := deliveries.WebsiteURLs(aws.Config{Region: "eu-west-1"}, "b")
	if p != "http://b.s3-website-eu-west-1.amazonaws.com/" || h != p {
		t.Errorf("%s %s", p, h)
	}
	p, h = deliveries.WebsiteURLs(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:4566")}, "b")
	if p != "http://127.0.0.1:4566/_aws/s3-website/b/" || h != "http://b.s3-website.localhost.localstack.cloud:4566/" {
		t.Errorf("%s %s", p, h)
	}
}

// Demo orders are valid orders delivered today in the company's zone, even
// just after midnight, each with its own ID.
func TestDemoOrdersAreTodaysValidOrders(t *testing.T) {
	zone, err := time.LoadLocation(deliveries.DefaultZone)
	if err != nil {
		t.Fatal(err)
	}
	for _, now := range []time.Time{
		time.Date(2026, 3, 14, 15, 30, 0, 0, zone),
		time.Date(2026, 3, 14, 0, 2, 0, 0, zone), // fewer minutes into the day than orders
	} {
		orders, err := deliveries.DemoOrders(8, now, zone)
		if err != nil || len(orders) != 8 {
			t.Fatalf("%d orders, %v", len(orders), err)
		}
		ids := map[string]bool{}
		for _, b := range orders {
			o, err := order.Parse(b, zone, now)
			if err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if day := o.Day(zone); day != "2026-03-14" {
				t.Errorf("%s counts on %s", o.ID, day)
			}
			if o.At.After(now) || ids[o.ID] || !strings.HasPrefix(o.ID, deliveries.DemoOrderPrefix+"20260314-") || len(o.Lines) == 0 {
				t.Errorf("order %+v", o)
			}
			ids[o.ID] = true
		}
	}
}

// Seeding posts the demo orders through the API, so the dashboard's reads
// show them; seeding again the same day adds nothing.
func TestSeedDemoOrdersFillsTheDashboard(t *testing.T) {
	_, cfg := emutest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	st, err := deliveries.Deploy(ctx, cfg, deliveries.Options{BcryptCost: 4})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		n, err := deliveries.SeedDemoOrders(ctx, st, 5, time.Now())
		if err != nil || n != 5 {
			t.Fatalf("seeded %d: %v", n, err)
		}
	}
	api := ld.NewClient(st.APIURL)
	var password string
	for _, l := range st.Logins {
		if l.Username == "monitor" {
			password = l.Password
		}
	}
	tok, err := api.Login(ctx, "monitor", password)
	if err != nil {
		t.Fatal(err)
	}
	page, err := api.WithToken(tok).Orders(ctx, 100, "")
	if err != nil || page.Count != 5 {
		t.Fatalf("orders after seeding twice: %+v %v", page, err)
	}
	for _, o := range page.Orders {
		if !strings.HasPrefix(o.ID, deliveries.DemoOrderPrefix) {
			t.Errorf("order %s", o.ID)
		}
	}
}
