// Package deliveries deploys the deliveries flow through the AWS APIs, so the
// same code works against groundstack, LocalStack or AWS: the token secret,
// four DynamoDB tables, demo users, the function's execution role, the API
// function behind a REST API and
// a Function URL, and the dashboard on an S3 website bucket. Deploy is
// idempotent. It must not import harness/emulator.
package deliveries

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	fixtures "github.com/groundstack/groundstack/fixtures/deliveries"
	"github.com/groundstack/groundstack/handlers/deliveries/auth"
	"github.com/groundstack/groundstack/handlers/deliveries/ledger"
	"github.com/groundstack/groundstack/harness/deploy"
)

// Names of the flow's resources (the original's bucket name kept).
const (
	FunctionName  = "deliveries-api"
	RoleName      = "deliveries-api-role"
	APIName       = "deliveries"
	Bucket        = "cargo-express-monitoring"
	SecretName    = "deliveries/jwt-secret"
	UsersTable    = "Usuarios"
	OrdersTable   = "Pedidos"
	MetricsTable  = "PedidosMetricas"
	ProductsTable = "PedidosProductos"
	DefaultZone   = "America/Bogota"
	HandlerPkg    = "handlers/deliveries/api"
	secretBytes   = 48
	passwordBytes = 12
)

// Options tune a deployment; the zero value is the demo.
type Options struct {
	// TimeZone is the company's zone (default America/Bogota).
	TimeZone string
	// Password is every demo user's password; empty means a random one per
	// user, chosen at each deploy (DELIVERIES_DEMO_PASSWORD sets it from the
	// environment).
	Password string
	// BcryptCost is the users' hash cost (0: bcrypt's default, 10).
	BcryptCost int
	// PollInterval is how often the dashboard refreshes (default 2 s).
	PollInterval time.Duration
}

// Login is a demo user's credentials.
type Login struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Stack is what a deployment made, with every URL a client needs.
type Stack struct {
	Endpoint string `json:"endpoint"`
	// APIURL is the REST API stage's base URL (no DNS needed).
	APIURL string `json:"api_url"`
	// APIHostURL is the same stage on its execute-api host.
	APIHostURL string `json:"api_host_url"`
	// FunctionURL is the function's URL as Lambda reports it; on an
	// emulator FunctionPathURL reaches it without DNS.
	FunctionURL     string `json:"function_url"`
	FunctionPathURL string `json:"function_path_url"`
	// DashboardURL is the website in its path form (no DNS needed);
	// DashboardHostURL is {bucket}.s3-website.localhost.localstack.cloud.
	DashboardURL     string           `json:"dashboard_url"`
	DashboardHostURL string           `json:"dashboard_host_url"`
	Logins           []Login          `json:"logins"`
	Tables           ledger.Tables    `json:"tables"`
	TimeZone         string           `json:"time_zone"`
	SecretID         string           `json:"secret_id"`
	Timings          map[string]int64 `json:"timings_ms"`
}

// Deploy creates or updates the flow on the cloud cfg points at.
func Deploy(ctx context.Context, cfg aws.Config, opts Options) (Stack, error) {
	if opts.TimeZone == "" {
		opts.TimeZone = DefaultZone
	}
	if _, err := time.LoadLocation(opts.TimeZone); err != nil {
		return Stack{}, fmt.Errorf("deliveries: time zone %q: %w", opts.TimeZone, err)
	}
	if opts.Password == "" {
		opts.Password = os.Getenv("DELIVERIES_DEMO_PASSWORD")
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 2 * time.Second
	}
	st := Stack{
		Endpoint: aws.ToString(cfg.BaseEndpoint), TimeZone: opts.TimeZone, Timings: map[string]int64{},
		Tables: Tables(),
	}
	step := func(name string, f func() error) error {
		start := time.Now()
		err := f()
		st.Timings[name] = time.Since(start).Milliseconds()
		if err != nil {
			return fmt.Errorf("deliveries: %s: %w", name, err)
		}
		return nil
	}
	var zip, sha, role string
	steps := []struct {
		name string
		f    func() error
	}{
		{"build handler", func() (err error) { zip, sha, err = buildHandler(ctx); return err }},
		{"token secret", func() (err error) { st.SecretID, err = ensureSecret(ctx, cfg); return err }},
		{"tables", func() error { return ensureTables(ctx, cfg) }},
		{"role", func() (err error) { role, err = ensureRole(ctx, cfg, st.SecretID); return err }},
		{"users", func() (err error) { st.Logins, err = seedUsers(ctx, cfg, opts); return err }},
		{"function", func() error {
			_, err := deploy.EnsureFunction(ctx, cfg, deploy.FunctionSpec{
				Name: FunctionName, ZipPath: zip, CodeSha256: sha, Role: role, MemoryMB: 256, Timeout: 15 * time.Second,
				Description: "deliveries API: /token, /registrar_pedido_entregado, /pedidos, /metrics",
				Environment: map[string]string{
					"DELIVERIES_USERS_TABLE": UsersTable, "DELIVERIES_ORDERS_TABLE": OrdersTable,
					"DELIVERIES_METRICS_TABLE": MetricsTable, "DELIVERIES_PRODUCTS_TABLE": ProductsTable,
					"DELIVERIES_TIME_ZONE": opts.TimeZone,
					"JWT_SECRET_ID":        st.SecretID,
				},
			})
			return err
		}},
		{"rest api", func() error {
			api, err := deploy.EnsureRestAPI(ctx, cfg, deploy.RestAPISpec{
				Name: APIName, Description: "deliveries flow",
				Routes: []deploy.Route{{Path: "/{proxy+}", Method: "ANY", Function: FunctionName}},
			})
			st.APIURL, st.APIHostURL = api.URL, api.URLs.Host
			return err
		}},
		{"function url", func() (err error) {
			st.FunctionURL, err = deploy.EnsureFunctionURL(ctx, cfg, FunctionName, ltypes.FunctionUrlAuthTypeNone)
			st.FunctionPathURL = functionPathURL(st.Endpoint, st.FunctionURL)
			return err
		}},
		{"dashboard", func() (err error) {
			st.DashboardURL, st.DashboardHostURL, err = publishDashboard(ctx, cfg, st, opts)
			return err
		}},
	}
	for _, s := range steps {
		if err := step(s.name, s.f); err != nil {
			return st, err
		}
	}
	return st, nil
}

// Tables are the flow's table names as the ledger takes them.
func Tables() ledger.Tables {
	return ledger.Tables{Users: UsersTable, Orders: OrdersTable, Metrics: MetricsTable, Products: ProductsTable}
}

// buildHandler builds the API function from this module's sources.
func buildHandler(ctx context.Context) (zip, sha string, err error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", "", err
	}
	return deploy.BuildHandler(ctx, filepath.Join(root, filepath.FromSlash(HandlerPkg)))
}

// ModuleRoot finds the groundstack checkout (see deploy.SourceRoot).
func ModuleRoot() (string, error) { return deploy.SourceRoot() }

// ensureSecret creates the signing secret with a random value once; an
// existing secret is kept (tokens issued before stay valid).
func ensureSecret(ctx context.Context, cfg aws.Config) (string, error) {
	c := secretsmanager.NewFromConfig(cfg)
	d, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(SecretName)})
	if err == nil {
		return aws.ToString(d.ARN), nil
	}
	var nf *smtypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		return "", err
	}
	out, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(SecretName), SecretString: aws.String(randomString(secretBytes)),
		Description: aws.String("HS256 key of the deliveries API's bearer tokens"),
	})
	var exists *smtypes.ResourceExistsException
	if errors.As(err, &exists) { // created concurrently
		return SecretName, nil
	}
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ARN), nil
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ensureRole makes the function's execution role: assumable by Lambda,
// allowed exactly what the handler does (the four tables and the indexes it
// queries, the one secret, its own logs).
func ensureRole(ctx context.Context, cfg aws.Config, secretARN string) (string, error) {
	return deploy.EnsureExecutionRole(ctx, cfg, RoleName, "execution role of the deliveries API function", "deliveries-api",
		func(p deploy.RoleARNParts) []deploy.Statement {
			table := func(name string) string {
				return "arn:" + p.Partition + ":dynamodb:" + cfg.Region + ":" + p.Account + ":table/" + name
			}
			return []deploy.Statement{
				deploy.Allow([]string{
					table(UsersTable), table(OrdersTable), table(OrdersTable) + "/index/" + ledger.ByTimeIndex, table(MetricsTable),
					table(ProductsTable), table(ProductsTable) + "/index/" + ledger.ByCountIndex, table(ProductsTable) + "/index/" + ledger.TiesIndex,
				},
					"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"),
				deploy.Allow([]string{secretARN}, "secretsmanager:GetSecretValue"),
				deploy.Allow([]string{"arn:" + p.Partition + ":logs:" + cfg.Region + ":" + p.Account + ":log-group:/aws/lambda/" + FunctionName + ":*"},
					"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"),
			}
		})
}

// tableSpecs are the flow's tables: on-demand, keys as the original's,
// orders with the newest-first index, product counters with the two
// indexes the top products are read through (keys only: the reads need
// names and counts, nothing else).
func tableSpecs() []*dynamodb.CreateTableInput {
	hash := func(n string) dtypes.KeySchemaElement {
		return dtypes.KeySchemaElement{AttributeName: aws.String(n), KeyType: dtypes.KeyTypeHash}
	}
	rng := func(n string) dtypes.KeySchemaElement {
		return dtypes.KeySchemaElement{AttributeName: aws.String(n), KeyType: dtypes.KeyTypeRange}
	}
	attr := func(n string) dtypes.AttributeDefinition {
		return dtypes.AttributeDefinition{AttributeName: aws.String(n), AttributeType: dtypes.ScalarAttributeTypeS}
	}
	num := func(n string) dtypes.AttributeDefinition {
		return dtypes.AttributeDefinition{AttributeName: aws.String(n), AttributeType: dtypes.ScalarAttributeTypeN}
	}
	keysOnly := &dtypes.Projection{ProjectionType: dtypes.ProjectionTypeKeysOnly}
	return []*dynamodb.CreateTableInput{
		{TableName: aws.String(UsersTable), BillingMode: dtypes.BillingModePayPerRequest,
			KeySchema: []dtypes.KeySchemaElement{hash(ledger.AttrUsername)}, AttributeDefinitions: []dtypes.AttributeDefinition{attr(ledger.AttrUsername)}},
		{TableName: aws.String(OrdersTable), BillingMode: dtypes.BillingModePayPerRequest,
			KeySchema: []dtypes.KeySchemaElement{hash(ledger.AttrOrderID)},
			AttributeDefinitions: []dtypes.AttributeDefinition{
				attr(ledger.AttrOrderID), attr(ledger.AttrFeed), attr(ledger.AttrSortKey),
			},
			GlobalSecondaryIndexes: []dtypes.GlobalSecondaryIndex{{
				IndexName:  aws.String(ledger.ByTimeIndex),
				KeySchema:  []dtypes.KeySchemaElement{hash(ledger.AttrFeed), rng(ledger.AttrSortKey)},
				Projection: &dtypes.Projection{ProjectionType: dtypes.ProjectionTypeAll},
			}},
		},
		{TableName: aws.String(MetricsTable), BillingMode: dtypes.BillingModePayPerRequest,
			KeySchema: []dtypes.KeySchemaElement{hash(ledger.AttrDay)}, AttributeDefinitions: []dtypes.AttributeDefinition{attr(ledger.AttrDay)}},
		{TableName: aws.String(ProductsTable), BillingMode: dtypes.BillingModePayPerRequest,
			KeySchema: []dtypes.KeySchemaElement{hash(ledger.AttrDay), rng(ledger.AttrProduct)},
			AttributeDefinitions: []dtypes.AttributeDefinition{
				attr(ledger.AttrDay), attr(ledger.AttrProduct), num(ledger.AttrCount), num(ledger.AttrDayCount),
			},
			LocalSecondaryIndexes: []dtypes.LocalSecondaryIndex{{
				IndexName: aws.String(ledger.ByCountIndex), Projection: keysOnly,
				KeySchema: []dtypes.KeySchemaElement{hash(ledger.AttrDay), rng(ledger.AttrCount)},
			}},
			GlobalSecondaryIndexes: []dtypes.GlobalSecondaryIndex{{
				IndexName: aws.String(ledger.TiesIndex), Projection: keysOnly,
				KeySchema: []dtypes.KeySchemaElement{hash(ledger.AttrDayCount), rng(ledger.AttrProduct)},
			}},
		},
	}
}

// ensureTables creates missing tables and waits until all are ACTIVE; an
// existing table must have the indexes the handler queries.
func ensureTables(ctx context.Context, cfg aws.Config) error {
	if err := deploy.EnsureTables(ctx, cfg, tableSpecs()); err != nil {
		return err
	}
	c := dynamodb.NewFromConfig(cfg)
	for _, in := range tableSpecs() {
		d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName})
		if err != nil {
			return err
		}
		has := map[string]bool{}
		for _, g := range d.Table.GlobalSecondaryIndexes {
			has[aws.ToString(g.IndexName)] = true
		}
		for _, l := range d.Table.LocalSecondaryIndexes {
			has[aws.ToString(l.IndexName)] = true
		}
		var want []string
		for _, g := range in.GlobalSecondaryIndexes {
			want = append(want, aws.ToString(g.IndexName))
		}
		for _, l := range in.LocalSecondaryIndexes {
			want = append(want, aws.ToString(l.IndexName))
		}
		for _, name := range want {
			if !has[name] {
				return fmt.Errorf("table %s exists without the index %s; delete it so the deploy recreates it", aws.ToString(in.TableName), name)
			}
		}
	}
	return nil
}

// seedUsers writes each demo user with a bcrypt hash of its password.
func seedUsers(ctx context.Context, cfg aws.Config, opts Options) ([]Login, error) {
	users, err := fixtures.Users()
	if err != nil {
		return nil, err
	}
	c := dynamodb.NewFromConfig(cfg)
	var logins []Login
	for _, u := range users {
		pw := opts.Password
		if pw == "" {
			pw = randomString(passwordBytes)
		}
		hash, err := auth.HashPassword(pw, opts.BcryptCost)
		if err != nil {
			return nil, err
		}
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(UsersTable), Item: ledger.UserItem(ledger.User{Username: u.Username, PasswordHash: hash}),
		}); err != nil {
			return nil, fmt.Errorf("put user %s: %w", u.Username, err)
		}
		logins = append(logins, Login{Username: u.Username, Password: pw})
	}
	return logins, nil
}

// functionPathURL turns http://{id}.lambda-url.{region}.localhost.localstack.cloud:{port}/
// into {endpoint}/_aws/lambda-url/{id}/, which needs no DNS.
func functionPathURL(endpoint, fnURL string) string {
	u, err := url.Parse(fnURL)
	if err != nil || endpoint == "" {
		return fnURL
	}
	id, _, ok := strings.Cut(u.Hostname(), ".lambda-url.")
	if !ok {
		return fnURL
	}
	return strings.TrimRight(endpoint, "/") + "/_aws/lambda-url/" + id + "/"
}

// WebsiteURLs are the bucket's website addresses: the path form groundstack
// serves at {endpoint}/_aws/s3-website/{bucket}/ and the host form
// LocalStack uses; on AWS both are the regional website endpoint.
func WebsiteURLs(cfg aws.Config, bucket string) (pathForm, hostForm string) {
	endpoint := aws.ToString(cfg.BaseEndpoint)
	u, err := url.Parse(endpoint)
	if endpoint == "" || err != nil || u.Host == "" {
		aws := "http://" + bucket + ".s3-website-" + cfg.Region + ".amazonaws.com/"
		return aws, aws
	}
	host := bucket + ".s3-website.localhost.localstack.cloud"
	if p := u.Port(); p != "" {
		host += ":" + p
	}
	return strings.TrimRight(endpoint, "/") + "/_aws/s3-website/" + bucket + "/", u.Scheme + "://" + host + "/"
}

// publishDashboard makes the website bucket, uploads the static files and
// a config.js naming the API, and returns the website URLs.
func publishDashboard(ctx context.Context, cfg aws.Config, st Stack, opts Options) (pathURL, hostURL string, err error) {
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	in := &s3.CreateBucketInput{Bucket: aws.String(Bucket)}
	if cfg.Region != "" && cfg.Region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(cfg.Region)}
	}
	_, err = c.CreateBucket(ctx, in)
	var owned *s3types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &owned) {
		return "", "", fmt.Errorf("create bucket %s: %w", Bucket, err)
	}
	dash := fixtures.Dashboard()
	err = fs.WalkDir(dash, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(dash, p)
		if err != nil {
			return err
		}
		return putFile(ctx, c, p, b)
	})
	if err != nil {
		return "", "", err
	}
	conf, _ := json.MarshalIndent(map[string]any{
		"apiUrl": st.APIURL, "functionUrl": st.FunctionPathURL, "pollMs": opts.PollInterval.Milliseconds(), "pageSize": 20,
	}, "", "  ")
	if err := putFile(ctx, c, "config.js", []byte("window.DELIVERIES_CONFIG = "+string(conf)+";\n")); err != nil {
		return "", "", err
	}
	if _, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{
		Bucket: aws.String(Bucket),
		WebsiteConfiguration: &s3types.WebsiteConfiguration{
			IndexDocument: &s3types.IndexDocument{Suffix: aws.String("index.html")},
			ErrorDocument: &s3types.ErrorDocument{Key: aws.String("error.html")},
		},
	}); err != nil {
		return "", "", fmt.Errorf("put bucket website: %w", err)
	}
	if err := allowPublicRead(ctx, c); err != nil {
		return "", "", err
	}
	pathURL, hostURL = WebsiteURLs(cfg, Bucket)
	return pathURL, hostURL, nil
}

// allowPublicRead lets anyone GET the dashboard, as AWS requires of a
// website bucket: new buckets block public policies, so the block is
// lifted first.
func allowPublicRead(ctx context.Context, c *s3.Client) error {
	if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(Bucket),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false),
		}}); err != nil {
		return fmt.Errorf("put public access block: %w", err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"PublicReadDashboard","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + Bucket + `/*"}]}`
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(Bucket), Policy: aws.String(policy)}); err != nil {
		return fmt.Errorf("put bucket policy: %w", err)
	}
	return nil
}

func putFile(ctx context.Context, c *s3.Client, key string, b []byte) error {
	ct := mime.TypeByExtension(path.Ext(key))
	if ct == "" {
		ct = "application/octet-stream"
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(Bucket), Key: aws.String(key), Body: bytes.NewReader(b),
		ContentType: aws.String(ct), CacheControl: aws.String("no-cache"),
	})
	if err != nil {
		return fmt.Errorf("upload %s: %w", key, err)
	}
	return nil
}
