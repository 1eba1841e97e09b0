package smoke_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/groundstack/groundstack/harness/backend"
	"github.com/groundstack/groundstack/scenarios/scenario"
)

var _ = Describe("a first look at the local cloud", Ordered, Label("smoke"), func() {
	var (
		s3c *s3.Client
		sm  *secretsmanager.Client
	)
	// Names of this run: a cloud without reset (LocalStack, AWS) keeps
	// what earlier runs made, and bucket names are global on AWS.
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	bucket, secret := "smoke-bucket-"+run, "smoke/"+run+"/db"

	BeforeAll(func() {
		s3c = s3.NewFromConfig(cloud.Config(), func(o *s3.Options) { o.UsePathStyle = true })
		sm = secretsmanager.NewFromConfig(cloud.Config())
		DeferCleanup(func(ctx context.Context) {
			if cloud.Supports(backend.FeatureReset) {
				return // the reset spec empties everything
			}
			// Best effort: what the specs made, gone.
			if out, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)}); err == nil {
				for _, o := range out.Contents {
					s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: o.Key})
				}
			}
			s3c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
			sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(secret), ForceDeleteWithoutRecovery: aws.Bool(true)})
		})
	})

	It("answers the LocalStack health check", scenario.Needs(backend.FeatureHealth), func() {
		resp, err := http.Get(cloud.Endpoint() + "/_localstack/health")
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(200))
		body, _ := io.ReadAll(resp.Body)
		// LocalStack says "available" until a service's first request.
		Expect(string(body)).To(MatchRegexp(`"s3": ?"(running|available)"`))
		Expect(string(body)).To(MatchRegexp(`"secretsmanager": ?"(running|available)"`))
	})

	It("creates a bucket, uploads objects and lists them", func(ctx context.Context) {
		_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
		Expect(err).NotTo(HaveOccurred())
		for _, key := range []string{"reports/2026/a.csv", "reports/2026/b.csv", "readme.txt"} {
			_, err := s3c.PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String(bucket), Key: aws.String(key),
				Body: strings.NewReader("content of " + key), ContentType: aws.String("text/plain"),
			})
			Expect(err).NotTo(HaveOccurred())
		}
		out, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("reports/")})
		Expect(err).NotTo(HaveOccurred())
		var keys []string
		for _, o := range out.Contents {
			keys = append(keys, *o.Key)
			Expect(*o.Size).To(BeNumerically(">", 0))
		}
		sort.Strings(keys)
		Expect(keys).To(Equal([]string{"reports/2026/a.csv", "reports/2026/b.csv"}))

		got, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("readme.txt")})
		Expect(err).NotTo(HaveOccurred())
		body, _ := io.ReadAll(got.Body)
		got.Body.Close()
		Expect(string(body)).To(Equal("content of readme.txt"))
		Expect(*got.ContentType).To(Equal("text/plain"))
	})

	It("stores and reads a secret", func(ctx context.Context) {
		_, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
			Name: aws.String(secret), SecretString: aws.String(`{"user":"app","password":"generated-at-test-time"}`),
		})
		Expect(err).NotTo(HaveOccurred())
		v, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secret)})
		Expect(err).NotTo(HaveOccurred())
		Expect(*v.SecretString).To(ContainSubstring(`"user":"app"`))
		Expect(v.VersionStages).To(ContainElement("AWSCURRENT"))
	})

	It("empties every store on reset", scenario.Needs(backend.FeatureReset), func(ctx context.Context) {
		Expect(cloud.Backend.Reset(ctx)).To(Succeed())
		_, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
		var nf *s3types.NotFound
		Expect(errors.As(err, &nf)).To(BeTrue(), "bucket should be gone after reset, got %v", err)
		_, err = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secret)})
		var rnf *smtypes.ResourceNotFoundException
		Expect(errors.As(err, &rnf)).To(BeTrue(), "secret should be gone after reset, got %v", err)
	})
})
