package s3_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestBucketConfiguration runs the policy, ACL and stored configuration
// operations against one emulator.
func TestBucketConfiguration(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	b := aws.String

	t.Run("policy", func(t *testing.T) {
		t.Parallel()
		mustCreateBucket(t, c, "cfg-policy")
		// New buckets block public policies, as on S3.
		const publicPolicy = `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cfg-policy/*"}]}`
		_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b("cfg-policy"), Policy: b(publicPolicy)})
		wantAPIError(t, err, "AccessDenied", 403)
		if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b("cfg-policy"),
			PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(false)}}); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b("cfg-policy")})
		wantAPIError(t, err, "NoSuchBucketPolicy", 404)
		wantMessage(t, err, "The bucket policy does not exist")
		_, err = c.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: b("cfg-policy")})
		wantAPIError(t, err, "NoSuchBucketPolicy", 404)
		const private = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::cfg-policy/*"}]}`
		const public = `{"Version":"2012-10-17","Statement":{"Sid":"Public","Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::cfg-policy/*"]}}`
		for _, tc := range []struct {
			policy   string
			isPublic bool
		}{{private, false}, {public, true}} {
			if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b("cfg-policy"), Policy: b(tc.policy)}); err != nil {
				t.Fatal(err)
			}
			got, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b("cfg-policy")})
			if err != nil || aws.ToString(got.Policy) != tc.policy {
				t.Fatalf("GetBucketPolicy = %q, %v", aws.ToString(got.Policy), err)
			}
			st, err := c.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: b("cfg-policy")})
			if err != nil || aws.ToBool(st.PolicyStatus.IsPublic) != tc.isPublic {
				t.Errorf("GetBucketPolicyStatus = %v, %v; want public %v", st, err, tc.isPublic)
			}
		}
		for _, tc := range []struct{ policy, msg string }{
			{"not json", "Policies must be valid JSON and the first byte must be '{'"},
			{`{"Version":"2012-10-17"}`, "Missing required field Statement"},
			{`{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"s3:*","Resource":"*"}]}`, "Invalid effect: Maybe"},
			{`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, "Missing required field Principal"},
			{`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*"}]}`, "Policy has invalid action"},
			{`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}]}`, "Policy has invalid resource"},
		} {
			_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b("cfg-policy"), Policy: b(tc.policy)})
			wantAPIError(t, err, "MalformedPolicy", 400)
			wantMessage(t, err, tc.msg)
		}
		if _, err := c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: b("cfg-policy")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b("cfg-policy")})
		wantAPIError(t, err, "NoSuchBucketPolicy", 404)
		_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b("cfg-missing"), Policy: b(public)})
		wantAPIError(t, err, "NoSuchBucket", 404)
	})

	t.Run("public access block", func(t *testing.T) {
		t.Parallel()
		mustCreateBucket(t, c, "cfg-pab")
		got, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b("cfg-pab")})
		if err != nil || !aws.ToBool(got.PublicAccessBlockConfiguration.BlockPublicPolicy) || !aws.ToBool(got.PublicAccessBlockConfiguration.BlockPublicAcls) {
			t.Fatalf("a new bucket's public access block = %+v, %v", got, err)
		}
		if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b("cfg-pab"), PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(false)}}); err != nil {
			t.Fatal(err)
		}
		got, err = c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b("cfg-pab")})
		if p := got.PublicAccessBlockConfiguration; err != nil || !aws.ToBool(p.BlockPublicAcls) || aws.ToBool(p.BlockPublicPolicy) || aws.ToBool(p.IgnorePublicAcls) {
			t.Fatalf("GetPublicAccessBlock = %+v, %v", got, err)
		}
		if _, err := c.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: b("cfg-pab")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b("cfg-pab")})
		wantAPIError(t, err, "NoSuchPublicAccessBlockConfiguration", 404)
		wantMessage(t, err, "The public access block configuration was not found")
	})

	t.Run("ownership and ACLs", func(t *testing.T) {
		t.Parallel()
		mustCreateBucket(t, c, "cfg-acl")
		mustPut(t, c, "cfg-acl", "o", []byte("o"))
		own, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b("cfg-acl")})
		if err != nil || own.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerEnforced {
			t.Fatalf("a new bucket's ownership controls = %+v, %v", own, err)
		}
		acl, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b("cfg-acl")})
		if err != nil || len(acl.Grants) != 1 || acl.Grants[0].Permission != types.PermissionFullControl || acl.Owner == nil {
			t.Fatalf("GetBucketAcl = %+v, %v", acl, err)
		}
		// ACLs disabled: only the owner's full control is accepted.
		if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b("cfg-acl"), ACL: types.BucketCannedACLPrivate}); err != nil {
			t.Fatal(err)
		}
		_, err = c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b("cfg-acl"), ACL: types.BucketCannedACLPublicRead})
		wantAPIError(t, err, "AccessControlListNotSupported", 400)
		wantMessage(t, err, "The bucket does not allow ACLs")
		_, err = c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b("cfg-acl"), Key: b("o"), ACL: types.ObjectCannedACLPublicRead})
		wantAPIError(t, err, "AccessControlListNotSupported", 400)
		// ACLs enabled.
		if _, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b("cfg-acl"), OwnershipControls: &types.OwnershipControls{
			Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b("cfg-acl"), ACL: types.BucketCannedACLPublicRead}); err != nil {
			t.Fatal(err)
		}
		acl, err = c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b("cfg-acl")})
		if err != nil || len(acl.Grants) != 2 || aws.ToString(acl.Grants[1].Grantee.URI) != "http://acs.amazonaws.com/groups/global/AllUsers" ||
			acl.Grants[1].Grantee.Type != types.TypeGroup || acl.Grants[1].Permission != types.PermissionRead {
			t.Fatalf("GetBucketAcl after public-read = %+v, %v", acl, err)
		}
		if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b("cfg-acl"), Key: b("o"), GrantRead: b(`id="abc123"`)}); err != nil {
			t.Fatal(err)
		}
		oacl, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b("cfg-acl"), Key: b("o")})
		if err != nil || len(oacl.Grants) != 1 || aws.ToString(oacl.Grants[0].Grantee.ID) != "abc123" || oacl.Grants[0].Permission != types.PermissionRead {
			t.Fatalf("GetObjectAcl = %+v, %v", oacl, err)
		}
		// The ACL document form.
		if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b("cfg-acl"), Key: b("o"), AccessControlPolicy: &types.AccessControlPolicy{
			Owner:  &types.Owner{ID: acl.Owner.ID},
			Grants: []types.Grant{{Grantee: &types.Grantee{Type: types.TypeGroup, URI: b("http://acs.amazonaws.com/groups/global/AuthenticatedUsers")}, Permission: types.PermissionRead}},
		}}); err != nil {
			t.Fatal(err)
		}
		oacl, err = c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b("cfg-acl"), Key: b("o")})
		if err != nil || len(oacl.Grants) != 1 || oacl.Grants[0].Grantee.Type != types.TypeGroup {
			t.Fatalf("GetObjectAcl after a document = %+v, %v", oacl, err)
		}
		_, err = c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b("cfg-acl"), Key: b("missing")})
		wantAPIError(t, err, "NoSuchKey", 404)
		_, err = c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b("cfg-acl"), ACL: types.BucketCannedACLPrivate, GrantRead: b(`id="x"`)})
		wantAPIError(t, err, "InvalidRequest", 400)
		if _, err := c.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: b("cfg-acl")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b("cfg-acl")})
		wantAPIError(t, err, "OwnershipControlsNotFoundError", 404)
	})

	t.Run("encryption", func(t *testing.T) {
		t.Parallel()
		mustCreateBucket(t, c, "cfg-sse")
		alg := func() (types.ServerSideEncryption, string) {
			t.Helper()
			got, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b("cfg-sse")})
			if err != nil {
				t.Fatal(err)
			}
			d := got.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault
			return d.SSEAlgorithm, aws.ToString(d.KMSMasterKeyID)
		}
		if a, _ := alg(); a != types.ServerSideEncryptionAes256 {
			t.Errorf("default encryption = %q", a)
		}
		if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b("cfg-sse"), ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
			Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: b("alias/k")}, BucketKeyEnabled: aws.Bool(true)}}}}); err != nil {
			t.Fatal(err)
		}
		if a, k := alg(); a != types.ServerSideEncryptionAwsKms || k != "alias/k" {
			t.Errorf("encryption = %q %q", a, k)
		}
		_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b("cfg-sse"), ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
			Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256, KMSMasterKeyID: b("k")}}}}})
		wantAPIError(t, err, "InvalidArgument", 400)
		if _, err := c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: b("cfg-sse")}); err != nil {
			t.Fatal(err)
		}
		if a, _ := alg(); a != types.ServerSideEncryptionAes256 {
			t.Errorf("encryption after delete = %q", a)
		}
	})

	t.Run("cors", func(t *testing.T) {
		t.Parallel()
		mustCreateBucket(t, c, "cfg-cors")
		_, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b("cfg-cors")})
		wantAPIError(t, err, "NoSuchCORSConfiguration", 404)
		wantMessage(t, err, "The CORS configuration does not exist")
		rule := types.CORSRule{ID: b("web"), AllowedMethods: []string{"GET", "PUT"}, AllowedOrigins: []string{"https://app.example.com"}, AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(300)}
		if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: b("cfg-cors"), CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{rule}}}); err != nil {
			t.Fatal(err)
		}
		got, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b("cfg-cors")})
		if err != nil || len(got.CORSRules) != 1 || strings.Join(got.CORSRules[0].AllowedMethods, ",") != "GET,PUT" || aws.ToInt32(got.CORSRules[0].MaxAgeSeconds) != 300 || aws.ToString(got.CORSRules[0].ID) != "web" {
			t.Fatalf("GetBucketCors = %+v, %v", got, err)
		}
		rule.AllowedMethods = []string{"PATCH"}
		_, err = c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: b("cfg-cors"), CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{rule}}})
		wantAPIError(t, err, "InvalidRequest", 400)
		wantMessage(t, err, "Found unsupported HTTP method in CORS config. Unsupported method is PATCH")
		if _, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: b("cfg-cors")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b("cfg-cors")})
		wantAPIError(t, err, "NoSuchCORSConfiguration", 404)
	})

	t.Run("lifecycle", func(t *testing.T) {
		t.Parallel()
		mustCreateBucket(t, c, "cfg-lifecycle")
		_, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b("cfg-lifecycle")})
		wantAPIError(t, err, "NoSuchLifecycleConfiguration", 404)
		put := func(rules ...types.LifecycleRule) error {
			_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b("cfg-lifecycle"),
				LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}})
			return err
		}
		if err := put(types.LifecycleRule{ID: b("logs"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: b("logs/")},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(30)}}); err != nil {
			t.Fatal(err)
		}
		got, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b("cfg-lifecycle")})
		if err != nil || len(got.Rules) != 1 || aws.ToInt32(got.Rules[0].Expiration.Days) != 30 || aws.ToString(got.Rules[0].Filter.Prefix) != "logs/" {
			t.Fatalf("GetBucketLifecycleConfiguration = %+v, %v", got, err)
		}
		err = put(types.LifecycleRule{ID: b("none"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: b("")}})
		wantAPIError(t, err, "InvalidRequest", 400)
		wantMessage(t, err, "At least one action needs to be specified in a rule")
		err = put(types.LifecycleRule{ID: b("neg"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: b("")}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(0)}})
		wantAPIError(t, err, "InvalidArgument", 400)
		if _, err := c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: b("cfg-lifecycle")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b("cfg-lifecycle")})
		wantAPIError(t, err, "NoSuchLifecycleConfiguration", 404)
	})

	t.Run("logging, accelerate, request payment", func(t *testing.T) {
		t.Parallel()
		mustCreateBucket(t, c, "cfg-misc")
		mustCreateBucket(t, c, "cfg-misc-logs")
		lg, err := c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: b("cfg-misc")})
		if err != nil || lg.LoggingEnabled != nil {
			t.Fatalf("GetBucketLogging of a new bucket = %+v, %v", lg, err)
		}
		if _, err := c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: b("cfg-misc"), BucketLoggingStatus: &types.BucketLoggingStatus{
			LoggingEnabled: &types.LoggingEnabled{TargetBucket: b("cfg-misc-logs"), TargetPrefix: b("access/")}}}); err != nil {
			t.Fatal(err)
		}
		lg, err = c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: b("cfg-misc")})
		if err != nil || lg.LoggingEnabled == nil || aws.ToString(lg.LoggingEnabled.TargetPrefix) != "access/" {
			t.Fatalf("GetBucketLogging = %+v, %v", lg, err)
		}
		_, err = c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: b("cfg-misc"), BucketLoggingStatus: &types.BucketLoggingStatus{
			LoggingEnabled: &types.LoggingEnabled{TargetBucket: b("cfg-nowhere"), TargetPrefix: b("x/")}}})
		wantAPIError(t, err, "InvalidTargetBucketForLogging", 400)

		ac, err := c.GetBucketAccelerateConfiguration(ctx, &s3.GetBucketAccelerateConfigurationInput{Bucket: b("cfg-misc")})
		if err != nil || ac.Status != "" {
			t.Fatalf("GetBucketAccelerateConfiguration of a new bucket = %+v, %v", ac, err)
		}
		if _, err := c.PutBucketAccelerateConfiguration(ctx, &s3.PutBucketAccelerateConfigurationInput{Bucket: b("cfg-misc"),
			AccelerateConfiguration: &types.AccelerateConfiguration{Status: types.BucketAccelerateStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
		if ac, err := c.GetBucketAccelerateConfiguration(ctx, &s3.GetBucketAccelerateConfigurationInput{Bucket: b("cfg-misc")}); err != nil || ac.Status != types.BucketAccelerateStatusEnabled {
			t.Fatalf("GetBucketAccelerateConfiguration = %+v, %v", ac, err)
		}

		rp, err := c.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: b("cfg-misc")})
		if err != nil || rp.Payer != types.PayerBucketOwner {
			t.Fatalf("GetBucketRequestPayment = %+v, %v", rp, err)
		}
		if _, err := c.PutBucketRequestPayment(ctx, &s3.PutBucketRequestPaymentInput{Bucket: b("cfg-misc"),
			RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerRequester}}); err != nil {
			t.Fatal(err)
		}
		if rp, err := c.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: b("cfg-misc")}); err != nil || rp.Payer != types.PayerRequester {
			t.Fatalf("GetBucketRequestPayment = %+v, %v", rp, err)
		}
	})

	// What CloudFormation, CDK and Terraform do to every bucket, through
	// the CLI.
	t.Run("cli", func(t *testing.T) {
		t.Parallel()
		ep := e.URL()
		mustCreateBucket(t, c, "cfg-cli")
		cli(t, ep, "s3api", "put-public-access-block", "--bucket", "cfg-cli", "--public-access-block-configuration",
			"BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false")
		cli(t, ep, "s3api", "put-bucket-policy", "--bucket", "cfg-cli", "--policy",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cfg-cli/*"}]}`)
		var pol struct{ Policy string }
		if err := json.Unmarshal([]byte(cli(t, ep, "s3api", "get-bucket-policy", "--bucket", "cfg-cli")), &pol); err != nil || !strings.Contains(pol.Policy, `"Principal":"*"`) {
			t.Errorf("get-bucket-policy: %+v %v", pol, err)
		}
		var st struct{ PolicyStatus struct{ IsPublic bool } }
		if err := json.Unmarshal([]byte(cli(t, ep, "s3api", "get-bucket-policy-status", "--bucket", "cfg-cli")), &st); err != nil || !st.PolicyStatus.IsPublic {
			t.Errorf("get-bucket-policy-status: %+v %v", st, err)
		}
		cli(t, ep, "s3api", "put-bucket-encryption", "--bucket", "cfg-cli", "--server-side-encryption-configuration",
			`{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms"},"BucketKeyEnabled":true}]}`)
		cli(t, ep, "s3api", "put-bucket-cors", "--bucket", "cfg-cli", "--cors-configuration",
			`{"CORSRules":[{"AllowedMethods":["GET"],"AllowedOrigins":["*"]}]}`)
		if out := cli(t, ep, "s3api", "get-bucket-cors", "--bucket", "cfg-cli"); !strings.Contains(out, `"AllowedOrigins"`) {
			t.Errorf("get-bucket-cors: %s", out)
		}
		cli(t, ep, "s3api", "put-bucket-lifecycle-configuration", "--bucket", "cfg-cli", "--lifecycle-configuration",
			`{"Rules":[{"ID":"tmp","Status":"Enabled","Filter":{"Prefix":"tmp/"},"Expiration":{"Days":1}}]}`)
		if out := cli(t, ep, "s3api", "get-bucket-lifecycle-configuration", "--bucket", "cfg-cli"); !strings.Contains(out, `"tmp/"`) {
			t.Errorf("get-bucket-lifecycle-configuration: %s", out)
		}
	})

	// What S3's schema requires of a document is checked before the bucket's
	// or object's state: an empty policy, a restore request part without its
	// required members, a logging grantee without its type.
	t.Run("documents missing required parts", func(t *testing.T) {
		t.Parallel()
		mustCreateBucket(t, c, "cfg-docs")
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b("cfg-docs"), Key: b("warm"), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
		const malformed = "<Code>MalformedXML</Code>"
		for _, tc := range []struct{ name, path, body, want string }{
			{"empty policy", "/cfg-docs?policy", "", "<Code>MissingRequestBodyError</Code><Message>Request Body is empty</Message>"},
			{"glacier job without tier", "/cfg-docs/warm?restore",
				`<RestoreRequest><Days>1</Days><GlacierJobParameters></GlacierJobParameters></RestoreRequest>`, malformed},
			{"output location without prefix", "/cfg-docs/warm?restore",
				`<RestoreRequest><OutputLocation><S3><BucketName>cfg-docs</BucketName></S3></OutputLocation></RestoreRequest>`, malformed},
			{"logging grantee without type", "/cfg-docs?logging",
				`<BucketLoggingStatus><LoggingEnabled><TargetBucket>cfg-docs</TargetBucket><TargetPrefix>l/</TargetPrefix>` +
					`<TargetGrants><Grant><Grantee><ID>abc</ID></Grantee><Permission>READ</Permission></Grant></TargetGrants></LoggingEnabled></BucketLoggingStatus>`, malformed},
		} {
			t.Run(tc.name, func(t *testing.T) {
				method := "PUT"
				if strings.HasSuffix(tc.path, "?restore") {
					method = "POST"
				}
				req, _ := http.NewRequest(method, e.URL()+tc.path, strings.NewReader(tc.body))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != 400 || !strings.Contains(string(body), tc.want) {
					t.Fatalf("got %d %s, want 400 %s", resp.StatusCode, body, tc.want)
				}
			})
		}
	})
}
