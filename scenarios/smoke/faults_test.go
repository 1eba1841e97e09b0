package smoke_test

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/groundstack/groundstack/harness/backend"
	"github.com/groundstack/groundstack/harness/emulator/faults"
	"github.com/groundstack/groundstack/scenarios/scenario"
)

// A fault put in force by one spec is gone in the next, whatever its
// outcome: the two specs run in order.
var _ = Describe("a fault scoped to a spec", Ordered, Label("smoke", "faults"), scenario.Needs(backend.FeatureFaults), func() {
	var q *sqs.Client
	name := "smoke-faults-" + strconv.FormatInt(time.Now().UnixNano(), 36)

	BeforeAll(func() {
		cfg := cloud.Config()
		cfg.RetryMaxAttempts = 1
		q = sqs.NewFromConfig(cfg)
	})

	It("fails the calls it matches with the AWS error it names", func(ctx SpecContext) {
		rule, err := cloud.WithFault(ctx, faults.Rule{Service: "sqs", Operation: "CreateQueue", Resource: name, Error: "ThrottlingException"})
		Expect(err).NotTo(HaveOccurred())
		_, err = q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
		var ae smithy.APIError
		Expect(errors.As(err, &ae)).To(BeTrue(), "%v", err)
		Expect(ae.ErrorCode()).To(Equal("ThrottlingException"))
		// Another queue's name is not matched.
		_, err = q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + "-other")})
		Expect(err).NotTo(HaveOccurred())
		rules, err := cloud.Faults(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(rules).To(ContainElement(HaveField("ID", rule.ID)))
	})

	It("is gone after the spec that set it", func(ctx SpecContext) {
		rules, err := cloud.Faults(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(rules).To(BeEmpty())
		_, err = q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx context.Context) {
			for _, n := range []string{name, name + "-other"} {
				if u, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(n)}); err == nil {
					q.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: u.QueueUrl})
				}
			}
		})
	})
})
