package bondmarket_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	deploy "github.com/groundstack/groundstack/harness/deploy/bondmarket"
)

// alarmNotice is CloudWatch's alarm notification, inside SNS's envelope
// (the queue's subscription is not raw).
type alarmNotice struct {
	AlarmName, NewStateValue string
	Trigger                  struct{ Namespace, MetricName string }
}

// controlSigningName is the SigV4 service name of groundstack's control
// endpoints (strict mode wants them signed; elsewhere the signature is
// ignored).
const controlSigningName = "groundstack"

// advanceClock moves the cloud's alarm clock (POST /_groundstack/clock).
func advanceClock(ctx context.Context, d time.Duration) {
	GinkgoHelper()
	body := `{"advance":"` + d.String() + `"}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cloud.Endpoint()+"/_groundstack/clock", strings.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/json")
	cfg := cloud.Config()
	creds, err := cfg.Credentials.Retrieve(ctx)
	Expect(err).NotTo(HaveOccurred())
	sum := sha256.Sum256([]byte(body))
	Expect(v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), controlSigningName, cfg.Region, time.Now())).To(Succeed())
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	resp.Body.Close()
	Expect(resp.StatusCode).To(Equal(200), "the clock endpoint")
}

// The clock is the cloud's: this spec runs alone.
var _ = Describe("Ops alarm", Label("bondmarket", "alarm"), Serial, func() {
	It("fires on the jobs function's Errors and notifies the alarm queue through SNS", func(ctx SpecContext) {
		if cloud.Endpoint() == "" {
			Skip("real AWS: its alarm clock cannot be advanced")
		}
		if len(stack.Alarms) == 0 {
			Skip("this cloud made no alarms: " + strings.Join(stack.Notes, "; "))
		}
		q := sqs.NewFromConfig(cloud.Config())
		cw := cloudwatch.NewFromConfig(cloud.Config())
		alarm := deploy.AlarmName(stack.Functions["jobs"])
		// before the poison job the worker has not failed: its alarm is not in ALARM
		advanceClock(ctx, time.Minute)
		before, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{alarm}})
		Expect(err).NotTo(HaveOccurred())
		Expect(before.MetricAlarms).To(HaveLen(1))
		Expect(before.MetricAlarms[0].StateValue).NotTo(Equal(cwtypes.StateValueAlarm), "the jobs worker failed before the poison job")
		// a poison job: the worker fails on it (SQS redelivers it, then dead-letters it)
		_, err = q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &stack.JobsQueueURL, MessageBody: aws.String(`{"kind":"recommend","request_id":"no-such-request"}`)})
		Expect(err).NotTo(HaveOccurred())
		start := time.Now()
		var got alarmNotice
		Eventually(func(g Gomega) {
			advanceClock(ctx, time.Minute)
			out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &stack.AlarmQueueURL, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
			g.Expect(err).NotTo(HaveOccurred())
			for _, m := range out.Messages {
				var env struct{ Subject, Message string }
				g.Expect(json.Unmarshal([]byte(aws.ToString(m.Body)), &env)).To(Succeed())
				var n alarmNotice
				g.Expect(json.Unmarshal([]byte(env.Message), &n)).To(Succeed(), env.Message)
				q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &stack.AlarmQueueURL, ReceiptHandle: m.ReceiptHandle})
				if n.AlarmName == alarm && n.NewStateValue == "ALARM" {
					g.Expect(env.Subject).To(HavePrefix(`ALARM: "` + alarm + `"`))
					got = n
				}
			}
			g.Expect(got.AlarmName).To(Equal(alarm), "no ALARM notification of %s yet", alarm)
		}).WithContext(ctx).WithTimeout(45 * time.Second).WithPolling(500 * time.Millisecond).Should(Succeed())
		record("poison job → ALARM notification in the queue (s)", time.Since(start).Seconds())
		Expect(got.Trigger.Namespace).To(Equal("AWS/Lambda"))
		Expect(got.Trigger.MetricName).To(Equal("Errors"))
		d, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{alarm}})
		Expect(err).NotTo(HaveOccurred())
		Expect(d.MetricAlarms).To(HaveLen(1))
		Expect(d.MetricAlarms[0].StateValue).To(BeElementOf(cwtypes.StateValueAlarm, cwtypes.StateValueOk))
	}, SpecTimeout(2*time.Minute))
})
