// This suite shows groundstack in a Ginkgo project: one cloud for the
// whole suite (BeforeSuite/AfterSuite), emptied before each spec so no
// spec sees another's buckets.
package ginkgo_test

import (
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/groundstack/groundstack"
)

func TestExampleSuite(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "groundstack in a Ginkgo suite")
}

var (
	gs     *groundstack.Cloud
	client *s3.Client
)

var _ = BeforeSuite(func(ctx SpecContext) {
	var err error
	gs, err = groundstack.Run(ctx, groundstack.WithServices("s3"))
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(gs.Close) // registered at once: AfterSuite's work, even if a spec fails
	client = s3.NewFromConfig(gs.Config())
})

var _ = BeforeEach(func(ctx SpecContext) {
	Expect(gs.Reset(ctx)).To(Succeed())
})

var _ = Describe("a bucket of reports", func() {
	BeforeEach(func(ctx SpecContext) {
		_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("reports")})
		Expect(err).NotTo(HaveOccurred())
	})

	It("gives back what was put", func(ctx SpecContext) {
		_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("reports"), Key: aws.String("q4"), Body: strings.NewReader("up")})
		Expect(err).NotTo(HaveOccurred())
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("reports"), Key: aws.String("q4")})
		Expect(err).NotTo(HaveOccurred())
		defer out.Body.Close()
		Expect(io.ReadAll(out.Body)).To(Equal([]byte("up")))
	})

	It("starts empty in every spec, whatever the one before put", func(ctx SpecContext) {
		out, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("reports")})
		Expect(err).NotTo(HaveOccurred())
		Expect(out.Contents).To(BeEmpty())
	})
})

// AfterSuite is where a suite that did not use DeferCleanup would close
// the cloud; Close may be called twice.
var _ = AfterSuite(func() {
	Expect(gs.Close()).To(Succeed())
})
