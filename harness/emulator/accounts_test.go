package emulator_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// as returns cfg signing with access key id key.
func as(cfg aws.Config, key string) aws.Config {
	cfg = cfg.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(key, "test", "")
	return cfg
}

func account(t *testing.T, cfg aws.Config) string {
	t.Helper()
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Account)
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// An access key id of twelve digits is an account (as in LocalStack):
// each account sees only its own resources, its ARNs carry its id, and
// any other key is the default account's.
func TestAccountsAreIsolated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, cfg := emutest.Start(t)
	a, b := as(cfg, "111111111111"), as(cfg, "222222222222")
	if got := account(t, cfg); got != "000000000000" {
		t.Fatalf("test key: account %s, want the default 000000000000", got)
	}
	if got := account(t, a); got != "111111111111" {
		t.Fatalf("key 111111111111: account %s", got)
	}

	// The same table name in two accounts: two tables, two ARNs.
	for _, c := range []aws.Config{a, b} {
		out, err := dynamodb.NewFromConfig(c).CreateTable(ctx, &dynamodb.CreateTableInput{
			TableName:            aws.String("orders"),
			AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
			KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
			BillingMode:          ddbtypes.BillingModePayPerRequest,
		})
		if err != nil {
			t.Fatal(err)
		}
		if arn := aws.ToString(out.TableDescription.TableArn); !strings.Contains(arn, ":"+account(t, c)+":table/orders") {
			t.Fatalf("table ARN %s does not carry its account", arn)
		}
	}
	if _, err := dynamodb.NewFromConfig(a).PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String("orders"), Item: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "a-only"}},
	}); err != nil {
		t.Fatal(err)
	}
	got, err := dynamodb.NewFromConfig(b).GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String("orders"), Key: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "a-only"}},
	})
	if err != nil || got.Item != nil {
		t.Fatalf("account 222222222222 sees account 111111111111's item: %v %v", got.Item, err)
	}
	if _, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders")}); apiCode(err) != "ResourceNotFoundException" {
		t.Fatalf("default account DescribeTable of another account's table: %v", err)
	}

	// Queue URLs and ARNs carry the account.
	q, err := sqs.NewFromConfig(b).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(aws.ToString(q.QueueUrl), "/222222222222/jobs") {
		t.Fatalf("queue URL %s", aws.ToString(q.QueueUrl))
	}
	if _, err := sqs.NewFromConfig(a).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("jobs")}); apiCode(err) != "AWS.SimpleQueueService.NonExistentQueue" && apiCode(err) != "QueueDoesNotExist" {
		t.Fatalf("account 111111111111 finds 222222222222's queue: %v", err)
	}
}

// Bucket names are one namespace across accounts, as on AWS; an anonymous
// request reaches the account holding the bucket it names.
func TestBucketNamesAreGlobal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, cfg := emutest.Start(t)
	a, b := as(cfg, "111111111111"), as(cfg, "222222222222")
	sa := s3.NewFromConfig(a, func(o *s3.Options) { o.UsePathStyle = true })
	sb := s3.NewFromConfig(b, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := sa.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shared-name")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sb.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shared-name")}); apiCode(err) != "BucketAlreadyExists" {
		t.Fatalf("another account's bucket name: %v, want BucketAlreadyExists", err)
	}
	// Its owner creating it again in us-east-1 is still fine.
	if _, err := sa.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shared-name")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sa.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared-name"), Key: aws.String("k"), Body: strings.NewReader("from a")}); err != nil {
		t.Fatal(err)
	}
	// Anonymous reads are refused unless a policy allows them; whichever
	// account answers, it is the owner's: the default account has no such
	// bucket and would answer NoSuchBucket.
	resp, err := http.Get(e.URL() + "/shared-name/k")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), "NoSuchBucket") {
		t.Fatalf("anonymous GET reached an account without the bucket: %d %s", resp.StatusCode, body)
	}
	// Deleting the bucket frees the name for everyone.
	if _, err := sa.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("shared-name"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sa.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("shared-name")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sb.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shared-name")}); err != nil {
		t.Fatalf("the name is free again: %v", err)
	}
}

// GROUNDSTACK_ACCOUNT_ID sets the default account; credentials from
// AssumeRole of another account's role act in that account.
func TestDefaultAccountAndAssumedRoles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opts, err := emulator.AccountOptions(func(k string) string {
		if k == emulator.EnvAccountID {
			return "123456789012"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	_, cfg := emutest.Start(t, opts...)
	if got := account(t, cfg); got != "123456789012" {
		t.Fatalf("default account %s, want 123456789012", got)
	}
	out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::444455556666:role/deployer"), RoleSessionName: aws.String("ci"),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	other := cfg.Copy()
	other.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	id, err := sts.NewFromConfig(other).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Account) != "444455556666" || !strings.Contains(aws.ToString(id.Arn), ":assumed-role/deployer/ci") {
		t.Fatalf("assumed role identity %s %s", aws.ToString(id.Account), aws.ToString(id.Arn))
	}
	q, err := sqs.NewFromConfig(other).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("deploys")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(aws.ToString(q.QueueUrl), "/444455556666/deploys") {
		t.Fatalf("queue made with the role's credentials is not in its account: %s", aws.ToString(q.QueueUrl))
	}

	for _, bad := range []string{"12345", "abcdefghijkl", "1234567890123"} {
		if _, err := emulator.AccountOptions(func(k string) string {
			if k == emulator.EnvAccountID {
				return bad
			}
			return ""
		}); err == nil {
			t.Errorf("%s=%q accepted", emulator.EnvAccountID, bad)
		}
	}
}

// Any client can name a new account with a key id: their number is
// bounded, and a reset forgets them.
func TestAccountsAreBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, cfg := emutest.Start(t, emulator.WithMaxAccounts(3))
	for _, k := range []string{"111111111111", "222222222222"} {
		if got := account(t, as(cfg, k)); got != k {
			t.Fatalf("account %s, want %s", got, k)
		}
	}
	_, err := sqs.NewFromConfig(as(cfg, "333333333333")).ListQueues(ctx, &sqs.ListQueuesInput{})
	if err == nil || !strings.Contains(err.Error(), "at most 3 accounts") {
		t.Fatalf("a fourth account: %v", err)
	}
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden {
		t.Fatalf("a fourth account: %v, want 403", err)
	}
	// Known accounts keep working; after a reset there is room again.
	if got := account(t, as(cfg, "111111111111")); got != "111111111111" {
		t.Fatal(got)
	}
	resp, err := http.Post(e.URL()+"/_groundstack/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := sqs.NewFromConfig(as(cfg, "333333333333")).ListQueues(ctx, &sqs.ListQueuesInput{}); err != nil {
		t.Fatalf("after a reset: %v", err)
	}
}

// In strict mode, a key of twelve digits the emulator was given is its
// own account; credentials from AssumeRole into another account, and the
// keys of that account's IAM users, are verified and act there.
func TestStrictAccounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	id, secret := strictKeys(t)
	_, cfg := emutest.Start(t, emulator.WithStrictAuth(map[string]string{id: secret, "777777777777": secret}))
	cfg = withCreds(cfg, id, secret, "")
	if got := account(t, cfg); got != "000000000000" {
		t.Fatalf("configured key: account %s", got)
	}
	if got := account(t, withCreds(cfg, "777777777777", secret, "")); got != "777777777777" {
		t.Fatalf("configured 12-digit key: account %s", got)
	}
	// An unconfigured 12-digit key is refused, as any unknown key.
	if _, err := sts.NewFromConfig(withCreds(cfg, "888888888888", secret, "")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); apiCode(err) != "InvalidClientTokenId" {
		t.Fatalf("unknown 12-digit key in strict mode: %v", err)
	}
	out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::444455556666:role/admin"), RoleSessionName: aws.String("setup"),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	other := withCreds(cfg, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	if got := account(t, other); got != "444455556666" {
		t.Fatalf("assumed role in strict mode: account %s", got)
	}
	// That account's IAM user and its key.
	im := iam.NewFromConfig(other)
	if _, err := im.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ci")}); err != nil {
		t.Fatal(err)
	}
	k, err := im.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ci")})
	if err != nil {
		t.Fatal(err)
	}
	user := withCreds(cfg, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	who, err := sts.NewFromConfig(user).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(who.Account) != "444455556666" || aws.ToString(who.Arn) != "arn:aws:iam::444455556666:user/ci" {
		t.Fatalf("IAM user of another account: %s %s", aws.ToString(who.Account), aws.ToString(who.Arn))
	}
	// The default account has no such user.
	if _, err := iam.NewFromConfig(cfg).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("ci")}); apiCode(err) != "NoSuchEntity" {
		t.Fatalf("default account sees another account's user: %v", err)
	}
}

// An unsigned invocation reaches the API of the account that holds it.
func TestInvokeURLsFindTheirAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, cfg := emutest.Start(t)
	gw := apigateway.NewFromConfig(as(cfg, "555555555555"))
	api, err := gw.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("tenant")})
	if err != nil {
		t.Fatal(err)
	}
	res, err := gw.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id})
	if err != nil {
		t.Fatal(err)
	}
	root := res.Items[0].Id
	steps := []func() error{
		func() error {
			_, err := gw.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: root, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
			return err
		},
		func() error {
			_, err := gw.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: root, HttpMethod: aws.String("GET"),
				Type: apigwtypes.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
			return err
		},
		func() error {
			_, err := gw.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: root, HttpMethod: aws.String("GET"), StatusCode: aws.String("200")})
			return err
		},
		func() error {
			_, err := gw.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: root, HttpMethod: aws.String("GET"),
				StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": `{"tenant": "555555555555"}`}})
			return err
		},
		func() error {
			_, err := gw.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("dev")})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.Get(e.URL() + "/restapis/" + aws.ToString(api.Id) + "/dev/_user_request_/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "555555555555") {
		t.Fatalf("unsigned invocation of another account's API: %d %s", resp.StatusCode, body)
	}
}
