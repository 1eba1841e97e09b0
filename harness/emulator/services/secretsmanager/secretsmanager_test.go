package secretsmanager_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

var ctx = context.Background()

// clock is a settable time source for emulator.WithClock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func start(t *testing.T, opts ...emulator.Option) (*emulator.Emulator, *sm.Client) {
	t.Helper()
	e, cfg := emutest.Start(t, opts...)
	return e, sm.NewFromConfig(cfg)
}

// wantAPIError asserts err is an AWS error with code and (when non-empty) message.
func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want code %s, got %s (%s)", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	if msg != "" && ae.ErrorMessage() != msg {
		t.Fatalf("want message %q, got %q", msg, ae.ErrorMessage())
	}
}

func token(n int) *string { return aws.String(fmt.Sprintf("%032d", n)) }

var arnPattern = regexp.MustCompile(`^arn:aws:secretsmanager:us-east-1:000000000000:secret:(.+)-[A-Za-z0-9]{6}$`)

func TestCreateGetByNameAndARNs(t *testing.T) {
	_, c := start(t)
	out, err := c.CreateSecret(ctx, &sm.CreateSecretInput{
		Name: aws.String("app/db-password"), SecretString: aws.String(`{"user":"admin","pw":"s3cr\"et"}`),
		Description: aws.String("db creds"), KmsKeyId: aws.String("alias/mine"), ClientRequestToken: token(1),
	})
	if err != nil {
		t.Fatal(err)
	}
	m := arnPattern.FindStringSubmatch(aws.ToString(out.ARN))
	if m == nil || m[1] != "app/db-password" {
		t.Fatalf("ARN %q does not look like AWS's", aws.ToString(out.ARN))
	}
	if aws.ToString(out.Name) != "app/db-password" || aws.ToString(out.VersionId) != *token(1) {
		t.Fatalf("create output %+v", out)
	}
	partial := strings.TrimSuffix(aws.ToString(out.ARN), aws.ToString(out.ARN)[len(aws.ToString(out.ARN))-7:])
	for _, id := range []string{"app/db-password", aws.ToString(out.ARN), partial} {
		v, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String(id)})
		if err != nil {
			t.Fatalf("get by %q: %v", id, err)
		}
		if aws.ToString(v.SecretString) != `{"user":"admin","pw":"s3cr\"et"}` || aws.ToString(v.ARN) != aws.ToString(out.ARN) ||
			aws.ToString(v.Name) != "app/db-password" || aws.ToString(v.VersionId) != *token(1) ||
			strings.Join(v.VersionStages, ",") != "AWSCURRENT" || v.CreatedDate == nil || v.SecretBinary != nil {
			t.Fatalf("get by %q: %+v", id, v)
		}
	}
	d, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("app/db-password")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.Description) != "db creds" || aws.ToString(d.KmsKeyId) != "alias/mine" || d.DeletedDate != nil || d.LastAccessedDate == nil {
		t.Fatalf("describe %+v", d)
	}
	for _, id := range []string{"nope", aws.ToString(out.ARN) + "x", partial[:len(partial)-1], "arn:aws:secretsmanager:us-east-1:000000000000:secret:nope-abcdef"} {
		_, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String(id)})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Fatalf("get %q: want ResourceNotFoundException, got %v", id, err)
		}
		wantAPIError(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		// Secrets Manager is awsJson: its not-found travels with HTTP 400, not 404.
		var hs interface{ HTTPStatusCode() int }
		if !errors.As(err, &hs) || hs.HTTPStatusCode() != http.StatusBadRequest {
			t.Fatalf("ResourceNotFoundException status: %v", err)
		}
	}
}

func TestBinarySecretAndSecretWithoutValue(t *testing.T) {
	_, c := start(t)
	bin := []byte{0, 1, 2, 0xff, '"', '\n'}
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("bin"), SecretBinary: bin}); err != nil {
		t.Fatal(err)
	}
	v, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("bin")})
	if err != nil {
		t.Fatal(err)
	}
	if string(v.SecretBinary) != string(bin) || v.SecretString != nil {
		t.Fatalf("binary round trip: %q %v", v.SecretBinary, v.SecretString)
	}
	empty, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("later")})
	if err != nil {
		t.Fatal(err)
	}
	if empty.VersionId != nil {
		t.Fatalf("a secret with no value has no version, got %q", *empty.VersionId)
	}
	_, err = c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("later")})
	wantAPIError(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT")
	p, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("later"), SecretString: aws.String("now")})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.VersionStages, ",") != "AWSCURRENT" {
		t.Fatalf("first version stages %v", p.VersionStages)
	}
	d, _ := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("later")})
	if len(d.VersionIdsToStages) != 1 || d.VersionIdsToStages[aws.ToString(p.VersionId)][0] != "AWSCURRENT" {
		t.Fatalf("stages %v", d.VersionIdsToStages)
	}
}

func TestVersionStageRotation(t *testing.T) {
	_, c := start(t)
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("rot"), SecretString: aws.String("v1"), ClientRequestToken: token(1)}); err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= 4; i++ {
		p, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("rot"), SecretString: aws.String(fmt.Sprintf("v%d", i)), ClientRequestToken: token(i)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(p.VersionId) != *token(i) || strings.Join(p.VersionStages, ",") != "AWSCURRENT" {
			t.Fatalf("put %d: %+v", i, p)
		}
	}
	d, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("rot")})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{*token(4): {"AWSCURRENT"}, *token(3): {"AWSPREVIOUS"}}
	if fmt.Sprint(d.VersionIdsToStages) != fmt.Sprint(want) {
		t.Fatalf("VersionIdsToStages = %v, want %v (v1, v2 deprecated)", d.VersionIdsToStages, want)
	}
	cases := []struct {
		in       sm.GetSecretValueInput
		want     string
		wantCode string
	}{
		{sm.GetSecretValueInput{}, "v4", ""},
		{sm.GetSecretValueInput{VersionStage: aws.String("AWSPREVIOUS")}, "v3", ""},
		{sm.GetSecretValueInput{VersionId: token(1)}, "v1", ""}, // deprecated versions stay readable by id
		{sm.GetSecretValueInput{VersionId: token(3), VersionStage: aws.String("AWSPREVIOUS")}, "v3", ""},
		{sm.GetSecretValueInput{VersionId: token(3), VersionStage: aws.String("AWSCURRENT")}, "", "InvalidRequestException"},
		{sm.GetSecretValueInput{VersionId: token(9)}, "", "ResourceNotFoundException"},
		{sm.GetSecretValueInput{VersionStage: aws.String("AWSPENDING")}, "", "ResourceNotFoundException"},
	}
	for _, tc := range cases {
		in := tc.in
		in.SecretId = aws.String("rot")
		v, err := c.GetSecretValue(ctx, &in)
		if tc.wantCode != "" {
			wantAPIError(t, err, tc.wantCode, "")
			continue
		}
		if err != nil || aws.ToString(v.SecretString) != tc.want {
			t.Fatalf("%+v: got %v %v, want %s", tc.in, v, err, tc.want)
		}
	}
	// A custom label moves without touching AWSCURRENT.
	p, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("rot"), SecretString: aws.String("pending"), ClientRequestToken: token(5), VersionStages: []string{"AWSPENDING"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.VersionStages, ",") != "AWSPENDING" {
		t.Fatalf("pending stages %v", p.VersionStages)
	}
	v, _ := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("rot")})
	if aws.ToString(v.SecretString) != "v4" {
		t.Fatalf("AWSCURRENT moved by an AWSPENDING put: %q", aws.ToString(v.SecretString))
	}
	vs, err := c.ListSecretVersionIds(ctx, &sm.ListSecretVersionIdsInput{SecretId: aws.String("rot")})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs.Versions) != 3 {
		t.Fatalf("non-deprecated versions: %d, want 3", len(vs.Versions))
	}
	all, _ := c.ListSecretVersionIds(ctx, &sm.ListSecretVersionIdsInput{SecretId: aws.String("rot"), IncludeDeprecated: aws.Bool(true)})
	if len(all.Versions) != 5 {
		t.Fatalf("all versions: %d, want 5", len(all.Versions))
	}
}

func TestIdempotentCreateAndPut(t *testing.T) {
	_, c := start(t)
	first, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("idem"), SecretString: aws.String("a"), ClientRequestToken: token(7)})
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("idem"), SecretString: aws.String("a"), ClientRequestToken: token(7)})
	if err != nil {
		t.Fatalf("retry with the same token and value must succeed: %v", err)
	}
	if aws.ToString(again.ARN) != aws.ToString(first.ARN) || aws.ToString(again.VersionId) != *token(7) {
		t.Fatalf("retry answered %+v, first %+v", again, first)
	}
	_, err = c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("idem"), SecretString: aws.String("b"), ClientRequestToken: token(7)})
	var ex *types.ResourceExistsException
	if !errors.As(err, &ex) {
		t.Fatalf("same token, other value: want ResourceExistsException, got %v", err)
	}
	_, err = c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("idem"), SecretString: aws.String("a")})
	wantAPIError(t, err, "ResourceExistsException", "The operation failed because the secret idem already exists.")

	p1, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("idem"), SecretString: aws.String("c"), ClientRequestToken: token(8)})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("idem"), SecretString: aws.String("c"), ClientRequestToken: token(8)})
	if err != nil || aws.ToString(p2.VersionId) != aws.ToString(p1.VersionId) {
		t.Fatalf("put retry: %v %+v", err, p2)
	}
	_, err = c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("idem"), SecretString: aws.String("d"), ClientRequestToken: token(8)})
	wantAPIError(t, err, "ResourceExistsException", "You can't use ClientRequestToken "+*token(8)+" because that value is already in use for a version of secret "+aws.ToString(first.ARN)+".")
	d, _ := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("idem")})
	if len(d.VersionIdsToStages) != 2 {
		t.Fatalf("retries must not add versions: %v", d.VersionIdsToStages)
	}
}

func TestInputValidation(t *testing.T) {
	_, c := start(t)
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("exists"), SecretString: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("a", 513)
	cases := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"name too long", func() error {
			_, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String(long), SecretString: aws.String("x")})
			return err
		}, "ValidationException", "1 validation error detected: Value '" + long + "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 512"},
		{"name with a space", func() error {
			_, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("a b"), SecretString: aws.String("x")})
			return err
		}, "ValidationException", "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"},
		{"string and binary", func() error {
			_, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("both"), SecretString: aws.String("x"), SecretBinary: []byte("y")})
			return err
		}, "InvalidParameterException", "You can't specify both a binary secret value and a string secret value in the same secret."},
		{"short token", func() error {
			_, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("tok"), SecretString: aws.String("x"), ClientRequestToken: aws.String("short")})
			return err
		}, "ValidationException", "1 validation error detected: Value 'short' at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32"},
		{"value too large", func() error {
			_, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("big"), SecretString: aws.String(strings.Repeat("x", 65537))})
			return err
		}, "ValidationException", "1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536"},
		{"empty value", func() error {
			_, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("empty"), SecretString: aws.String("")})
			return err
		}, "ValidationException", "1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"every problem is reported", func() error {
			_, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String(long), SecretString: aws.String("x"), ClientRequestToken: aws.String("short")})
			return err
		}, "ValidationException", "2 validation errors detected: Value '" + long + "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 512; " +
			"Value 'short' at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32"},
		{"too many stages", func() error {
			_, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("exists"), SecretString: aws.String("x"), VersionStages: make([]string, 21)})
			return err
		}, "ValidationException", "1 validation error detected: Value at 'versionStages' failed to satisfy constraint: Member must have length less than or equal to 20"},
		{"empty stage", func() error {
			_, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("exists"), SecretString: aws.String("x"), VersionStages: []string{"a", ""}})
			return err
		}, "ValidationException", "1 validation error detected: Value '' at 'versionStages.member' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"put without value", func() error {
			_, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("exists")})
			return err
		}, "InvalidRequestException", "You must provide either SecretString or SecretBinary."},
		{"put to missing secret", func() error {
			_, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("missing"), SecretString: aws.String("x")})
			return err
		}, "ResourceNotFoundException", "Secrets Manager can't find the specified secret."},
		{"describe missing", func() error {
			_, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("missing")})
			return err
		}, "ResourceNotFoundException", "Secrets Manager can't find the specified secret."},
		{"update missing", func() error {
			_, err := c.UpdateSecret(ctx, &sm.UpdateSecretInput{SecretId: aws.String("missing"), Description: aws.String("d")})
			return err
		}, "ResourceNotFoundException", "Secrets Manager can't find the specified secret."},
		{"list max results 0", func() error {
			_, err := c.ListSecrets(ctx, &sm.ListSecretsInput{MaxResults: aws.Int32(0)})
			return err
		}, "ValidationException", "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"list bad filter key", func() error {
			_, err := c.ListSecrets(ctx, &sm.ListSecretsInput{Filters: []types.Filter{{Key: "color", Values: []string{"x"}}}})
			return err
		}, "ValidationException", "1 validation error detected: Value 'color' at 'filters.1.member.key' failed to satisfy constraint: Member must satisfy enum value set: [all, name, tag-key, description, tag-value, primary-region, owning-service]"},
		{"list filter without values", func() error {
			_, err := c.ListSecrets(ctx, &sm.ListSecretsInput{Filters: []types.Filter{{Key: "name"}}})
			return err
		}, "InvalidParameterException", "Invalid filter values for key: name"},
		{"list filter with an empty list of values", func() error {
			_, err := c.ListSecrets(ctx, &sm.ListSecretsInput{Filters: []types.Filter{{Key: "name", Values: []string{}}}})
			return err
		}, "ValidationException", "1 validation error detected: Value at 'filters.1.member.values' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"list filter value off the pattern", func() error {
			_, err := c.ListSecrets(ctx, &sm.ListSecretsInput{Filters: []types.Filter{{Key: "name", Values: []string{"a;b"}}}})
			return err
		}, "ValidationException", "1 validation error detected: Value 'a;b' at 'filters.1.member.values.member' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$"},
		{"list sort order", func() error {
			_, err := c.ListSecrets(ctx, &sm.ListSecretsInput{SortOrder: "up"})
			return err
		}, "ValidationException", "1 validation error detected: Value 'up' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]"},
		{"untag an empty key", func() error {
			_, err := c.UntagResource(ctx, &sm.UntagResourceInput{SecretId: aws.String("exists"), TagKeys: []string{"a", ""}})
			return err
		}, "ValidationException", "1 validation error detected: Value '' at 'tagKeys.2.member' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"tag without a key", func() error {
			_, err := c.TagResource(ctx, &sm.TagResourceInput{SecretId: aws.String("exists"), Tags: []types.Tag{{Key: aws.String("a")}, {Value: aws.String("v")}}})
			return err
		}, "ValidationException", "1 validation error detected: Value null at 'tags.2.member.key' failed to satisfy constraint: Member must not be null"},
		{"list bad next token", func() error {
			_, err := c.ListSecrets(ctx, &sm.ListSecretsInput{NextToken: aws.String("!!garbage!!")})
			return err
		}, "InvalidNextTokenException", "The NextToken value is invalid."},
		{"tag missing secret", func() error {
			_, err := c.TagResource(ctx, &sm.TagResourceInput{SecretId: aws.String("missing"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, "ResourceNotFoundException", "Secrets Manager can't find the specified secret."},
		{"password too short", func() error {
			_, err := c.GetRandomPassword(ctx, &sm.GetRandomPasswordInput{PasswordLength: aws.Int64(3)})
			return err
		}, "InvalidParameterException", "Password length is too short based on the required types."},
		{"password too long", func() error {
			_, err := c.GetRandomPassword(ctx, &sm.GetRandomPasswordInput{PasswordLength: aws.Int64(5000)})
			return err
		}, "ValidationException", "1 validation error detected: Value '5000' at 'passwordLength' failed to satisfy constraint: Member must have value less than or equal to 4096"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code, tc.msg) })
	}
}

func TestUpdateSecret(t *testing.T) {
	_, c := start(t)
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("u"), SecretString: aws.String("one"), Description: aws.String("old")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.UpdateSecret(ctx, &sm.UpdateSecretInput{SecretId: aws.String("u"), Description: aws.String("new")})
	if err != nil {
		t.Fatal(err)
	}
	if out.VersionId != nil {
		t.Fatalf("a description-only update makes no version, got %s", *out.VersionId)
	}
	out, err = c.UpdateSecret(ctx, &sm.UpdateSecretInput{SecretId: aws.String("u"), SecretString: aws.String("two"), ClientRequestToken: token(2)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.VersionId) != *token(2) {
		t.Fatalf("update version %v", out.VersionId)
	}
	d, _ := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("u")})
	if aws.ToString(d.Description) != "new" || strings.Join(d.VersionIdsToStages[*token(2)], ",") != "AWSCURRENT" || len(d.VersionIdsToStages) != 2 {
		t.Fatalf("after update: %q %v", aws.ToString(d.Description), d.VersionIdsToStages)
	}
	prev, _ := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("u"), VersionStage: aws.String("AWSPREVIOUS")})
	if aws.ToString(prev.SecretString) != "one" {
		t.Fatalf("AWSPREVIOUS = %q", aws.ToString(prev.SecretString))
	}
}

func TestDeleteRestoreLifecycle(t *testing.T) {
	clk := newClock()
	_, c := start(t, emulator.WithClock(clk.Now))
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("life"), SecretString: aws.String("v")}); err != nil {
		t.Fatal(err)
	}
	deletedAt := clk.Now()
	del, err := c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("life")})
	if err != nil {
		t.Fatal(err)
	}
	if !del.DeletionDate.Equal(deletedAt.Add(30 * 24 * time.Hour)) {
		t.Fatalf("default window: DeletionDate %v, want %v", del.DeletionDate, deletedAt.Add(30*24*time.Hour))
	}
	const marked = "You can't perform this operation on the secret because it was marked for deletion."
	_, err = c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("life")})
	var ir *types.InvalidRequestException
	if !errors.As(err, &ir) {
		t.Fatalf("get after delete: %v", err)
	}
	wantAPIError(t, err, "InvalidRequestException", marked)
	_, err = c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("life"), SecretString: aws.String("w")})
	wantAPIError(t, err, "InvalidRequestException", marked)
	_, err = c.UpdateSecret(ctx, &sm.UpdateSecretInput{SecretId: aws.String("life"), Description: aws.String("x")})
	wantAPIError(t, err, "InvalidRequestException", marked)
	_, err = c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("life")})
	wantAPIError(t, err, "InvalidRequestException", "You tried to perform the operation on a secret that's currently marked deleted.")
	_, err = c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("life"), SecretString: aws.String("v")})
	wantAPIError(t, err, "InvalidRequestException", "You can't create this secret because a secret with this name is already scheduled for deletion.")

	d, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("life")})
	if err != nil {
		t.Fatal(err)
	}
	if d.DeletedDate == nil || !d.DeletedDate.Equal(deletedAt) {
		t.Fatalf("DeletedDate %v, want %v", d.DeletedDate, deletedAt)
	}
	if names := listNames(t, c, &sm.ListSecretsInput{}); len(names) != 0 {
		t.Fatalf("scheduled secrets are hidden by default, got %v", names)
	}
	if names := listNames(t, c, &sm.ListSecretsInput{IncludePlannedDeletion: aws.Bool(true)}); strings.Join(names, ",") != "life" {
		t.Fatalf("IncludePlannedDeletion: %v", names)
	}

	clk.Advance(24 * time.Hour)
	r, err := c.RestoreSecret(ctx, &sm.RestoreSecretInput{SecretId: aws.String("life")})
	if err != nil || aws.ToString(r.Name) != "life" {
		t.Fatalf("restore: %v %+v", err, r)
	}
	v, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("life")})
	if err != nil || aws.ToString(v.SecretString) != "v" {
		t.Fatalf("get after restore: %v %v", err, v)
	}
	d, _ = c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("life")})
	if d.DeletedDate != nil {
		t.Fatalf("restored secret still has DeletedDate %v", d.DeletedDate)
	}

	del, err = c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("life"), RecoveryWindowInDays: aws.Int64(7)})
	if err != nil || !del.DeletionDate.Equal(clk.Now().Add(7*24*time.Hour)) {
		t.Fatalf("7-day window: %v %v", err, del)
	}
	clk.Advance(7*24*time.Hour - time.Second)
	if _, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("life")}); err != nil {
		t.Fatalf("still recoverable one second before the window ends: %v", err)
	}
	clk.Advance(time.Second)
	_, err = c.RestoreSecret(ctx, &sm.RestoreSecretInput{SecretId: aws.String("life")})
	wantAPIError(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("life"), SecretString: aws.String("again")}); err != nil {
		t.Fatalf("the name is free once the window has passed: %v", err)
	}

	// Forced deletion: at once, also of a secret already scheduled.
	if _, err := c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("life")}); err != nil {
		t.Fatal(err)
	}
	fd, err := c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("life"), ForceDeleteWithoutRecovery: aws.Bool(true)})
	if err != nil || !fd.DeletionDate.Equal(clk.Now()) {
		t.Fatalf("force: %v %+v", err, fd)
	}
	_, err = c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("life")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("life"), SecretString: aws.String("3")}); err != nil {
		t.Fatalf("the name is free after a forced delete: %v", err)
	}
}

func TestDeleteParameterErrors(t *testing.T) {
	_, c := start(t)
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("d"), SecretString: aws.String("v")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("d"), RecoveryWindowInDays: aws.Int64(7), ForceDeleteWithoutRecovery: aws.Bool(true)})
	var ip *types.InvalidParameterException
	if !errors.As(err, &ip) {
		t.Fatalf("both: %v", err)
	}
	wantAPIError(t, err, "InvalidParameterException", "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
	for _, days := range []int64{6, 31} {
		_, err = c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("d"), RecoveryWindowInDays: aws.Int64(days)})
		wantAPIError(t, err, "InvalidParameterException", "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
	}
	_, err = c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	if _, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("d")}); err != nil {
		t.Fatalf("refused deletes must leave the secret alone: %v", err)
	}
}

func listNames(t *testing.T, c *sm.Client, in *sm.ListSecretsInput) []string {
	t.Helper()
	var names []string
	p := sm.NewListSecretsPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.SecretList {
			names = append(names, aws.ToString(s.Name))
		}
	}
	return names
}

func TestListSecretsPagingAndFilters(t *testing.T) {
	clk := newClock()
	_, c := start(t, emulator.WithClock(clk.Now))
	var want []string
	for i := 0; i < 25; i++ {
		name := fmt.Sprintf("svc/%02d", i)
		in := &sm.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("x")}
		if i%5 == 0 {
			in.Tags = []types.Tag{{Key: aws.String("team"), Value: aws.String("payments")}}
			in.Description = aws.String("Payment Gateway key")
		}
		if _, err := c.CreateSecret(ctx, in); err != nil {
			t.Fatal(err)
		}
		want = append(want, name)
		clk.Advance(time.Second)
	}
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("other"), SecretString: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	want = append(want, "other")

	var pages int
	var got []string
	var next *string
	for {
		page, err := c.ListSecrets(ctx, &sm.ListSecretsInput{MaxResults: aws.Int32(10), NextToken: next})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(page.SecretList) > 10 {
			t.Fatalf("page of %d > MaxResults", len(page.SecretList))
		}
		for _, s := range page.SecretList {
			got = append(got, aws.ToString(s.Name))
			if len(s.SecretVersionsToStages) != 1 || s.CreatedDate == nil {
				t.Fatalf("entry %+v", s)
			}
		}
		if next = page.NextToken; next == nil {
			break
		}
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%d pages: %v, want creation order %v", pages, got, want)
	}
	desc := listNames(t, c, &sm.ListSecretsInput{SortOrder: types.SortOrderTypeDesc, MaxResults: aws.Int32(7)})
	if desc[0] != "other" || desc[len(desc)-1] != "svc/00" || len(desc) != 26 {
		t.Fatalf("descending: %v", desc)
	}

	filters := []struct {
		f    []types.Filter
		want string
	}{
		{[]types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"svc/1"}}}, "svc/10,svc/11,svc/12,svc/13,svc/14,svc/15,svc/16,svc/17,svc/18,svc/19"},
		{[]types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"oth", "svc/2"}}}, "svc/20,svc/21,svc/22,svc/23,svc/24,other"},
		{[]types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"!svc"}}}, "other"},
		{[]types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"SVC"}}}, ""}, // names match case-sensitively
		{[]types.Filter{{Key: types.FilterNameStringTypeTagKey, Values: []string{"tea"}}}, "svc/00,svc/05,svc/10,svc/15,svc/20"},
		{[]types.Filter{{Key: types.FilterNameStringTypeTagValue, Values: []string{"payments"}}, {Key: types.FilterNameStringTypeName, Values: []string{"svc/1"}}}, "svc/10,svc/15"},
		{[]types.Filter{{Key: types.FilterNameStringTypeDescription, Values: []string{"payment"}}}, "svc/00,svc/05,svc/10,svc/15,svc/20"},
		{[]types.Filter{{Key: types.FilterNameStringTypeAll, Values: []string{"gateway"}}}, "svc/00,svc/05,svc/10,svc/15,svc/20"},
	}
	for _, tc := range filters {
		got := strings.Join(listNames(t, c, &sm.ListSecretsInput{Filters: tc.f}), ",")
		if got != tc.want {
			t.Errorf("filters %+v: got %s, want %s", tc.f, got, tc.want)
		}
	}
}

func TestTagAndUntag(t *testing.T) {
	_, c := start(t)
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("t"), SecretString: aws.String("v"),
		Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TagResource(ctx, &sm.TagResourceInput{SecretId: aws.String("t"), Tags: []types.Tag{
		{Key: aws.String("a"), Value: aws.String("2")}, {Key: aws.String("b"), Value: aws.String("3")}}}); err != nil {
		t.Fatal(err)
	}
	d, _ := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("t")})
	if got := tagString(d.Tags); got != "a=2,b=3" {
		t.Fatalf("after tag: %s", got)
	}
	if _, err := c.UntagResource(ctx, &sm.UntagResourceInput{SecretId: aws.String("t"), TagKeys: []string{"a", "zzz"}}); err != nil {
		t.Fatal(err)
	}
	d, _ = c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("t")})
	if got := tagString(d.Tags); got != "b=3" {
		t.Fatalf("after untag: %s", got)
	}
}

func tagString(tags []types.Tag) string {
	var s []string
	for _, t := range tags {
		s = append(s, aws.ToString(t.Key)+"="+aws.ToString(t.Value))
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}

func TestGetRandomPassword(t *testing.T) {
	_, c := start(t)
	out, err := c.GetRandomPassword(ctx, &sm.GetRandomPasswordInput{})
	if err != nil {
		t.Fatal(err)
	}
	pw := aws.ToString(out.RandomPassword)
	if len(pw) != 32 || !strings.ContainsAny(pw, "0123456789") || !strings.ContainsAny(pw, "abcdefghijklmnopqrstuvwxyz") ||
		!strings.ContainsAny(pw, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") || !strings.ContainsAny(pw, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") {
		t.Fatalf("default password %q lacks a required class", pw)
	}
	out, err = c.GetRandomPassword(ctx, &sm.GetRandomPasswordInput{PasswordLength: aws.Int64(200), ExcludePunctuation: aws.Bool(true),
		ExcludeUppercase: aws.Bool(true), ExcludeCharacters: aws.String("abc0")})
	if err != nil {
		t.Fatal(err)
	}
	pw = aws.ToString(out.RandomPassword)
	if len(pw) != 200 || strings.ContainsAny(pw, "abc0ABCXYZ!#$%") || strings.Trim(pw, "defghijklmnopqrstuvwxyz123456789") != "" {
		t.Fatalf("constrained password %q", pw)
	}
}

func TestSecretsArePerRegion(t *testing.T) {
	e, cfg := emutest.Start(t)
	_ = e
	east := sm.NewFromConfig(cfg)
	west := sm.NewFromConfig(cfg, func(o *sm.Options) { o.Region = "eu-west-1" })
	if _, err := east.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("r"), SecretString: aws.String("east")}); err != nil {
		t.Fatal(err)
	}
	_, err := west.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("r")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	w, err := west.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("r"), SecretString: aws.String("west")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(aws.ToString(w.ARN), "arn:aws:secretsmanager:eu-west-1:000000000000:secret:r-") {
		t.Fatalf("west ARN %s", aws.ToString(w.ARN))
	}
	v, _ := east.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("r")})
	if aws.ToString(v.SecretString) != "east" {
		t.Fatalf("east value %q", aws.ToString(v.SecretString))
	}
	// A full ARN of another region does not resolve here.
	_, err = east.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: w.ARN})
	wantAPIError(t, err, "ResourceNotFoundException", "")
}

// TestConcurrentPutsAreNeverLost puts versions from many goroutines while
// others read: every acknowledged version must be readable by its id.
func TestConcurrentPutsAreNeverLost(t *testing.T) {
	_, c := start(t)
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("hot"), SecretString: aws.String("0")}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := 0; w < 8; w++ {
		wg.Add(2)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 8; i++ {
				val := fmt.Sprintf("w%d-%d", w, i)
				p, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("hot"), SecretString: aws.String(val)})
				if err != nil {
					errs <- err
					return
				}
				got, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("hot"), VersionId: p.VersionId})
				if err != nil || aws.ToString(got.SecretString) != val {
					errs <- fmt.Errorf("version %s: %v %v", aws.ToString(p.VersionId), err, got)
					return
				}
			}
		}(w)
		go func() {
			defer wg.Done()
			for i := 0; i < 8; i++ {
				if _, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("hot")}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	all, err := c.ListSecretVersionIds(ctx, &sm.ListSecretVersionIdsInput{SecretId: aws.String("hot"), IncludeDeprecated: aws.Bool(true)})
	if err != nil || len(all.Versions) != 65 {
		t.Fatalf("versions: %v %d, want 65", err, len(all.Versions))
	}
	current := 0
	for _, v := range all.Versions {
		for _, s := range v.VersionStages {
			if s == "AWSCURRENT" {
				current++
			}
		}
	}
	if current != 1 {
		t.Fatalf("%d versions carry AWSCURRENT", current)
	}
}

// rawCall posts body to the edge with an X-Amz-Target, as a hand-rolled
// client would.
func rawCall(t *testing.T, url, target, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260301/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("answer is not JSON: %s", b)
	}
	return resp.StatusCode, m, resp.Header
}

func TestRawProtocolErrors(t *testing.T) {
	e, _ := start(t)
	cases := []struct {
		name, target, body, code string
	}{
		{"malformed JSON", "secretsmanager.GetSecretValue", `{"SecretId": `, "SerializationException"},
		{"wrong type", "secretsmanager.GetSecretValue", `{"SecretId": 5}`, "SerializationException"},
		{"unknown operation", "secretsmanager.FlyToTheMoon", `{}`, "UnknownOperationException"},
		{"missing SecretId", "secretsmanager.GetSecretValue", `{}`, "ValidationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body, h := rawCall(t, e.URL(), tc.target, tc.body)
			if status != http.StatusBadRequest || body["__type"] != tc.code || h.Get("X-Amzn-Errortype") != tc.code {
				t.Fatalf("got %d %v (header %q), want 400 %s", status, body, h.Get("X-Amzn-Errortype"), tc.code)
			}
		})
	}
	status, body, _ := rawCall(t, e.URL(), "secretsmanager.CreateSecret", `{"Name":"raw","SecretString":"\u2028<&>"}`)
	if status != 200 || body["Name"] != "raw" {
		t.Fatalf("raw create: %d %v", status, body)
	}
	status, body, _ = rawCall(t, e.URL(), "secretsmanager.GetSecretValue", `{"SecretId":"raw"}`)
	if status != 200 || body["SecretString"] != "\u2028<&>" {
		t.Fatalf("raw get: %d %v", status, body)
	}
}

func TestCLI(t *testing.T) {
	e, _ := start(t)
	run := func(args ...string) map[string]any {
		t.Helper()
		out, errOut, code := emutest.CLI(t, e.URL(), args...)
		if code != 0 {
			t.Fatalf("aws %v: exit %d: %s", args, code, errOut)
		}
		var m map[string]any
		if strings.TrimSpace(out) != "" {
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatalf("aws %v: %v: %s", args, err, out)
			}
		}
		return m
	}
	file := filepath.Join(t.TempDir(), "secret.json")
	if err := os.WriteFile(file, []byte(`{"password":"from-file"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	created := run("secretsmanager", "create-secret", "--name", "cli/secret", "--secret-string", "file://"+file, "--description", "via cli")
	if !arnPattern.MatchString(created["ARN"].(string)) || created["VersionId"] == nil {
		t.Fatalf("create-secret: %v", created)
	}
	got := run("secretsmanager", "get-secret-value", "--secret-id", "cli/secret")
	if got["SecretString"] != `{"password":"from-file"}` || got["ARN"] != created["ARN"] {
		t.Fatalf("get-secret-value: %v", got)
	}
	put := run("secretsmanager", "put-secret-value", "--secret-id", "cli/secret", "--secret-string", "second")
	if put["VersionId"] == created["VersionId"] {
		t.Fatalf("put-secret-value made no new version: %v", put)
	}
	prev := run("secretsmanager", "get-secret-value", "--secret-id", created["ARN"].(string), "--version-stage", "AWSPREVIOUS")
	if prev["SecretString"] != `{"password":"from-file"}` {
		t.Fatalf("AWSPREVIOUS via CLI: %v", prev)
	}
	// The labels move back as the docs page shows, and a batch read sees it.
	run("secretsmanager", "update-secret-version-stage", "--secret-id", "cli/secret", "--version-stage", "AWSCURRENT",
		"--remove-from-version-id", put["VersionId"].(string), "--move-to-version-id", created["VersionId"].(string))
	batch := run("secretsmanager", "batch-get-secret-value", "--secret-id-list", "cli/secret", "cli/none")
	if vals, errs := batch["SecretValues"].([]any), batch["Errors"].([]any); len(vals) != 1 || len(errs) != 1 ||
		vals[0].(map[string]any)["SecretString"] != `{"password":"from-file"}` || errs[0].(map[string]any)["ErrorCode"] != "ResourceNotFoundException" {
		t.Fatalf("batch-get-secret-value: %v", batch)
	}
	del := run("secretsmanager", "delete-secret", "--secret-id", "cli/secret", "--force-delete-without-recovery")
	if del["Name"] != "cli/secret" || del["DeletionDate"] == nil {
		t.Fatalf("delete-secret: %v", del)
	}
	_, errOut, code := emutest.CLI(t, e.URL(), "secretsmanager", "get-secret-value", "--secret-id", "cli/secret")
	if code == 0 || !strings.Contains(errOut, "ResourceNotFoundException") || !strings.Contains(errOut, "Secrets Manager can't find the specified secret.") {
		t.Fatalf("get after force delete: exit %d: %s", code, errOut)
	}
}

func TestListVersionsPagingAndSortBy(t *testing.T) {
	clk := newClock()
	_, c := start(t, emulator.WithClock(clk.Now))
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("b-first"), SecretBinary: []byte{1}, ClientRequestToken: token(1)}); err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= 7; i++ {
		clk.Advance(time.Minute)
		if _, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("b-first"), SecretBinary: []byte{byte(i)}, ClientRequestToken: token(i)}); err != nil {
			t.Fatal(err)
		}
	}
	// A binary retry with the same token and bytes is idempotent too.
	if _, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("b-first"), SecretBinary: []byte{7}, ClientRequestToken: token(7)}); err != nil {
		t.Fatalf("binary retry: %v", err)
	}
	_, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("b-first"), SecretString: aws.String("\x07"), ClientRequestToken: token(7)})
	wantAPIError(t, err, "ResourceExistsException", "")
	var ids []string
	p := sm.NewListSecretVersionIdsPaginator(c, &sm.ListSecretVersionIdsInput{SecretId: aws.String("b-first"), IncludeDeprecated: aws.Bool(true), MaxResults: aws.Int32(3)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, v := range page.Versions {
			ids = append(ids, aws.ToString(v.VersionId))
		}
	}
	if pages != 3 || len(ids) != 7 || ids[0] != *token(1) || ids[6] != *token(7) {
		t.Fatalf("%d pages: %v", pages, ids)
	}

	clk.Advance(time.Minute)
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("a-second"), SecretString: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	byName := listNames(t, c, &sm.ListSecretsInput{SortBy: types.SortByTypeName})
	byCreated := listNames(t, c, &sm.ListSecretsInput{SortBy: types.SortByTypeCreatedDate, SortOrder: types.SortOrderTypeAsc})
	clk.Advance(time.Minute)
	if _, err := c.UpdateSecret(ctx, &sm.UpdateSecretInput{SecretId: aws.String("b-first"), Description: aws.String("touched")}); err != nil {
		t.Fatal(err)
	}
	byChanged := listNames(t, c, &sm.ListSecretsInput{SortBy: types.SortByTypeLastChangedDate, SortOrder: types.SortOrderTypeDesc})
	if strings.Join(byName, ",") != "a-second,b-first" || strings.Join(byCreated, ",") != "b-first,a-second" || strings.Join(byChanged, ",") != "b-first,a-second" {
		t.Fatalf("by name %v, by created %v, by changed desc %v", byName, byCreated, byChanged)
	}
}

func TestStateAndReset(t *testing.T) {
	e, c := start(t)
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(e.URL() + "/_groundstack/state")
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Services map[string]map[string]any `json:"services"`
	}
	err = json.NewDecoder(resp.Body).Decode(&state)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(state.Services["secretsmanager"]["secrets"]); got != "map[us-east-1:1]" {
		t.Fatalf("state: %v", state.Services["secretsmanager"])
	}
	e.Reset()
	_, err = c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("s")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
}
