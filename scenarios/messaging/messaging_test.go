package messaging_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundstack/groundstack/handlers/eventprobe/trace"
	"github.com/groundstack/groundstack/harness/backend"
	"github.com/groundstack/groundstack/harness/emulator/faults"
	"github.com/groundstack/groundstack/load/events"
	"github.com/groundstack/groundstack/scenarios/scenario"
)

// budget is the freshness promise: an event not delivered within it is lost.
const budget = 10 * time.Second

// unique is a short random name part, so specs never share a resource.
func unique() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// must fails the spec on err, or skips it when the cloud does not
// implement the call at all (a feature it lacks, said with its answer).
func must(step string, err error) {
	GinkgoHelper()
	if err != nil && events.Unsupported(err) {
		Skip(fmt.Sprintf("the %s backend does not implement %s: %v", cloud.Backend.Name(), step, err))
	}
	Expect(err).NotTo(HaveOccurred(), step)
}

func cleanup(what string, f func(ctx context.Context) error) {
	DeferCleanup(func(ctx context.Context) {
		if err := f(ctx); err != nil {
			GinkgoWriter.Printf("cleanup %s: %v\n", what, err)
		}
	}, NodeTimeout(time.Minute))
}

// probeFunction deploys the probe under name and returns its ARN.
func probeFunction(ctx context.Context, name string) string {
	GinkgoHelper()
	arn, err := events.DeployProbe(ctx, cloud.Config(), events.ProbeSpec{Name: name, ZipPath: probeZip, CodeSha256: probeSHA, CollectorURL: collector.URL()})
	must("CreateFunction", err)
	c := lambda.NewFromConfig(cloud.Config())
	cleanup("function "+name, func(ctx context.Context) error {
		_, err := c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: &name})
		return err
	})
	return arn
}

// queue creates a queue and returns its URL and ARN.
func queue(ctx context.Context, name string, attrs map[string]string) (url, arn string) {
	GinkgoHelper()
	c := sqs.NewFromConfig(cloud.Config())
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &name, Attributes: attrs})
	must("CreateQueue", err)
	url = aws.ToString(out.QueueUrl)
	cleanup("queue "+name, func(ctx context.Context) error {
		_, err := c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: &url})
		return err
	})
	got, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	must("GetQueueAttributes", err)
	return url, got.Attributes["QueueArn"]
}

// allowSNS lets topic send to the queue (as AWS needs).
func allowSNS(ctx context.Context, url, queueARN, topicARN string) {
	GinkgoHelper()
	policy := mustJSON(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]string{"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
		"Resource": queueARN, "Condition": map[string]any{"ArnEquals": map[string]string{"aws:SourceArn": topicARN}},
	}}})
	_, err := sqs.NewFromConfig(cloud.Config()).SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: map[string]string{"Policy": policy}})
	must("SetQueueAttributes Policy", err)
}

// topic creates a topic and returns its ARN.
func topic(ctx context.Context, name string, attrs map[string]string) string {
	GinkgoHelper()
	c := sns.NewFromConfig(cloud.Config())
	out, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: &name, Attributes: attrs})
	must("CreateTopic", err)
	arn := aws.ToString(out.TopicArn)
	cleanup("topic "+name, func(ctx context.Context) error {
		_, err := c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: &arn})
		return err
	})
	return arn
}

func subscribe(ctx context.Context, topicARN, protocol, endpoint string) {
	GinkgoHelper()
	_, err := sns.NewFromConfig(cloud.Config()).Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topicARN, Protocol: &protocol, Endpoint: &endpoint, ReturnSubscriptionArn: true})
	must("Subscribe "+protocol, err)
}

// mapping creates an event source mapping and waits until it is Enabled.
func mapping(ctx context.Context, in *lambda.CreateEventSourceMappingInput) {
	GinkgoHelper()
	uuid, err := events.CreateMapping(ctx, cloud.Config(), in)
	if uuid != "" {
		c := lambda.NewFromConfig(cloud.Config())
		cleanup("event source mapping", func(ctx context.Context) error {
			_, err := c.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: &uuid})
			return err
		})
	}
	must("CreateEventSourceMapping", err)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

// settle waits for a tally's events, then for late duplicates, and
// returns its counts, with the figures recorded under name.
func settle(name string, t *events.Tally) events.Counts {
	GinkgoHelper()
	t.Wait(budget, nil)
	time.Sleep(300 * time.Millisecond) // a duplicate arriving just after the last event is still counted
	c := t.Counts()
	s := c.Freshness.Summary()
	record(name, map[string]any{
		"events": c.Accepted, "seen": c.Seen, "lost": c.Lost, "duplicates": c.Duplicates, "via": c.Via,
		"p50_ms": s.P50, "p99_ms": s.P99, "max_ms": s.Max, "p99_from_send_ms": c.FromSend.Summary().P99,
	})
	Expect(c.Failed).To(BeZero(), "producing calls failed")
	Expect(c.Lost).To(BeZero(), "events never delivered within %v: %v", budget, c.LostIDs)
	Expect(c.Seen).To(Equal(c.Accepted))
	if c.Duplicates > 0 {
		AddReportEntry(name+": duplicates (at-least-once delivery)", c.Duplicates)
	}
	return c
}

var _ = Describe("messaging", Label("messaging"), func() {
	It("carries every S3 object's event through SNS and SQS to a Lambda function", func(ctx context.Context) {
		needProbes()
		n := "gsmsg-" + unique()
		fn := probeFunction(ctx, n)
		t := topic(ctx, n, nil)
		_, err := sns.NewFromConfig(cloud.Config()).SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{
			TopicArn: &t, AttributeName: aws.String("Policy"), AttributeValue: aws.String(mustJSON(map[string]any{
				"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Principal": map[string]string{"Service": "s3.amazonaws.com"},
					"Action": "sns:Publish", "Resource": t, "Condition": map[string]any{"ArnLike": map[string]string{"aws:SourceArn": "arn:aws:s3:::" + n}}}},
			})),
		})
		must("SetTopicAttributes Policy", err)
		qURL, qARN := queue(ctx, n, map[string]string{"VisibilityTimeout": "60"})
		allowSNS(ctx, qURL, qARN, t)
		subscribe(ctx, t, "sqs", qARN)
		mapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: &fn, EventSourceArn: &qARN, BatchSize: aws.Int32(10), MaximumBatchingWindowInSeconds: aws.Int32(0)})

		s3c := s3.NewFromConfig(cloud.Config())
		_, err = s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &n})
		must("CreateBucket", err)
		cleanup("bucket "+n, func(ctx context.Context) error { return emptyBucket(ctx, s3c, n) })
		_, err = s3c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: &n,
			NotificationConfiguration: &s3types.NotificationConfiguration{TopicConfigurations: []s3types.TopicConfiguration{{
				TopicArn: &t, Events: []s3types.Event{"s3:ObjectCreated:*"},
			}}}})
		must("PutBucketNotificationConfiguration", err)

		tally := book.NewTally()
		for i := range 20 {
			id := trace.ID(n[len("gsmsg-"):], "chain", "s", int64(i))
			tally.Expect(id)
			_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: &n, Key: &id, Body: strings.NewReader("x")})
			Expect(err).NotTo(HaveOccurred())
			tally.Accepted(id, time.Now())
		}
		c := settle("s3 → sns → sqs → lambda", tally)
		Expect(c.Via).To(Equal(map[string]int64{"s3>sns>sqs": 20}), "the function saw each S3 event inside an SNS notification inside an SQS message")
	}, NodeTimeout(2*time.Minute))

	It("carries every DynamoDB write through its stream to a Lambda function", func(ctx context.Context) {
		needProbes()
		n := "gsmsg-" + unique()
		fn := probeFunction(ctx, n)
		d := dynamodb.NewFromConfig(cloud.Config())
		out, err := d.CreateTable(ctx, &dynamodb.CreateTableInput{
			TableName: &n, BillingMode: dtypes.BillingModePayPerRequest,
			AttributeDefinitions: []dtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: dtypes.ScalarAttributeTypeS}},
			KeySchema:            []dtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: dtypes.KeyTypeHash}},
			StreamSpecification:  &dtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: dtypes.StreamViewTypeNewAndOldImages},
		})
		must("CreateTable", err)
		cleanup("table "+n, func(ctx context.Context) error {
			_, err := d.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: &n})
			return err
		})
		Expect(dynamodb.NewTableExistsWaiter(d).Wait(ctx, &dynamodb.DescribeTableInput{TableName: &n}, time.Minute)).To(Succeed())
		stream := aws.ToString(out.TableDescription.LatestStreamArn)
		Expect(stream).NotTo(BeEmpty())
		mapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: &fn, EventSourceArn: &stream, StartingPosition: ltypes.EventSourcePositionLatest,
			BatchSize: aws.Int32(100), MaximumBatchingWindowInSeconds: aws.Int32(0)})

		tally := book.NewTally()
		for i := range 20 {
			id := trace.ID(n[len("gsmsg-"):], "stream", "s", int64(i))
			tally.Expect(id)
			_, err := d.PutItem(ctx, &dynamodb.PutItemInput{TableName: &n, Item: map[string]dtypes.AttributeValue{"id": &dtypes.AttributeValueMemberS{Value: id}}})
			Expect(err).NotTo(HaveOccurred())
			tally.Accepted(id, time.Now())
		}
		c := settle("dynamodb → streams → lambda", tally)
		Expect(c.Via).To(Equal(map[string]int64{"dynamodb": 20}))
	}, NodeTimeout(2*time.Minute))

	It("loses nothing when consumers crash mid-batch", scenario.Needs(backend.FeatureFaults), func(ctx SpecContext) {
		needProbes()
		n := "gsmsg-" + unique()
		fn := probeFunction(ctx, n)
		// A message whose batch crashed comes back after the visibility
		// timeout: 2 s, so that the spec stays short.
		qURL, qARN := queue(ctx, n, map[string]string{"VisibilityTimeout": "2"})
		mapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: &fn, EventSourceArn: &qARN, BatchSize: aws.Int32(1), MaximumBatchingWindowInSeconds: aws.Int32(0)})
		const crashFor = 4 * time.Second
		rule, err := cloud.WithFault(ctx, faults.Rule{Target: "invoke", Service: "lambda", Resource: n, Crash: true,
			Probability: aws.Float64(0.3), Duration: crashFor.String()})
		Expect(err).NotTo(HaveOccurred())
		ruleEnds := time.Now().Add(crashFor)

		sqsc := sqs.NewFromConfig(cloud.Config())
		tally := book.NewTally()
		for i := range 30 {
			id := trace.ID(n[len("gsmsg-"):], "crash", "s", int64(i))
			tally.Expect(id)
			_, err := sqsc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &qURL, MessageBody: &id})
			Expect(err).NotTo(HaveOccurred())
			tally.Accepted(id, time.Now())
		}
		time.Sleep(time.Until(ruleEnds))
		rules, err := cloud.Faults(ctx)
		Expect(err).NotTo(HaveOccurred())
		var crashes int64
		for _, r := range rules {
			if r.ID == rule.ID {
				crashes = r.Hits
			}
		}
		// 30 invocations at 0.3: none crashing is a 2-in-100,000 chance.
		Expect(crashes).To(BeNumerically(">", 0), "the rule crashed no invocation")
		AddReportEntry("invocations crashed", crashes)
		record("sqs → lambda with crashing consumers", map[string]any{"crashes": crashes})
		c := settle("sqs → lambda, consumers crashing", tally)
		Expect(c.Via).To(HaveKeyWithValue("sqs", int64(30)))
	}, NodeTimeout(time.Minute))

	It("keeps every SNS FIFO message group in order into an SQS FIFO queue, each message once", func(ctx context.Context) {
		n := "gsmsg-" + unique()
		t := topic(ctx, n+".fifo", map[string]string{"FifoTopic": "true"})
		qURL, qARN := queue(ctx, n+".fifo", map[string]string{"FifoQueue": "true"})
		allowSNS(ctx, qURL, qARN, t)
		subscribe(ctx, t, "sqs", qARN)

		const groups, perGroup = 3, 10
		snsc, sqsc := sns.NewFromConfig(cloud.Config()), sqs.NewFromConfig(cloud.Config())

		// one consumer, long-polling from before the first publish and
		// deleting each batch before the next receive, as a FIFO consumer
		// must for the next message of a group to show
		got := map[string][]int{}
		received := make(chan error, 1)
		cctx, stop := context.WithTimeout(ctx, budget+5*time.Second)
		defer stop()
		go func() {
			defer GinkgoRecover()
			total := 0
			for total < groups*perGroup {
				out, err := sqsc.ReceiveMessage(cctx, &sqs.ReceiveMessageInput{QueueUrl: &qURL, MaxNumberOfMessages: 10, WaitTimeSeconds: 5,
					MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameMessageGroupId}})
				at := time.Now()
				if err != nil {
					received <- err
					return
				}
				for _, m := range out.Messages {
					seen := trace.FindInMessage([]byte(aws.ToString(m.Body)), "sqs")
					if len(seen) != 1 {
						received <- fmt.Errorf("a message with %d event IDs: %q", len(seen), aws.ToString(m.Body))
						return
					}
					book.Seen(at, seen)
					_, path, _, seq, _ := trace.Parts(seen[0].ID)
					group := strings.TrimPrefix(path, "fifo")
					if m.Attributes["MessageGroupId"] != group {
						received <- fmt.Errorf("event %s came with MessageGroupId %q", seen[0].ID, m.Attributes["MessageGroupId"])
						return
					}
					k, _ := strconv.Atoi(seq)
					got[group] = append(got[group], k)
					total++
					if _, err := sqsc.DeleteMessage(cctx, &sqs.DeleteMessageInput{QueueUrl: &qURL, ReceiptHandle: m.ReceiptHandle}); err != nil {
						received <- err
						return
					}
				}
			}
			received <- nil
		}()

		tally := book.NewTally()
		// groups interleaved: a0 b0 c0 a1 b1 c1 …; a4 is published twice
		// with the same deduplication ID (FIFO topics drop the second)
		for i := range perGroup {
			for g := range groups {
				group := string(rune('a' + g))
				id := trace.ID(n[len("gsmsg-"):], "fifo"+group, "s", int64(i))
				tally.Expect(id)
				times := 1
				if group == "a" && i == 4 {
					times = 2
				}
				for range times {
					_, err := snsc.Publish(ctx, &sns.PublishInput{TopicArn: &t, Message: &id, MessageGroupId: &group, MessageDeduplicationId: &id})
					Expect(err).NotTo(HaveOccurred())
				}
				tally.Accepted(id, time.Now())
			}
		}
		Expect(<-received).To(Succeed(), "the consumer received every message")

		want := make([]int, perGroup)
		for i := range want {
			want[i] = i
		}
		for g := range groups {
			Expect(got[string(rune('a'+g))]).To(Equal(want), "group %c in publish order, each message once", 'a'+g)
		}
		// nothing more: the duplicate publish was dropped
		out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &qURL, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		Expect(err).NotTo(HaveOccurred())
		Expect(out.Messages).To(BeEmpty(), "a message published twice with one deduplication ID arrives once")
		c := settle("sns fifo → sqs fifo", tally)
		Expect(c.Duplicates).To(BeZero(), "FIFO delivers exactly once")
		Expect(c.Via).To(Equal(map[string]int64{"sns>sqs": groups * perGroup}))
	}, NodeTimeout(2*time.Minute))

	It("delivers on every bench-events path, idle and under a short open-loop burst", func(ctx context.Context) {
		paths := events.PathNames
		if why := probesReachUs(); why != "" {
			paths = nil
			for _, p := range events.PathNames {
				if !events.UsesProbe(p) {
					paths = append(paths, p)
				}
			}
			AddReportEntry("only the paths without a function", why)
		}
		res, err := events.Run(ctx, events.Options{
			Config: cloud.Config(), Endpoint: cloud.Endpoint(), Backend: cloud.Backend.Name(), Run: unique(), Paths: paths,
			Idle: 10, Rate: 100, Duration: 500 * time.Millisecond, Deadline: budget, Warmup: 20 * time.Second,
			CollectorListen: listenAddr(), CollectorAdvertise: collectorHost(), Progress: GinkgoWriter,
		})
		Expect(err).NotTo(HaveOccurred())
		AddReportEntry("event freshness", "\n"+res.Table())
		var unsupported []string
		for _, r := range res.Rows {
			if r.Status != events.StatusMeasured {
				record("bench-events "+r.Path+" "+r.Phase, map[string]any{"status": r.Status, "reason": r.Reason})
			} else {
				record("bench-events "+r.Path+" "+r.Phase, map[string]any{
					"events": r.Accepted, "lost": r.Lost, "duplicates": r.Duplicates,
					"p50_ms": r.P50, "p99_ms": r.P99, "max_ms": r.Max, "p99_from_send_ms": r.FromSend.P99,
				})
			}
			switch r.Status {
			case events.StatusUnsupported:
				unsupported = append(unsupported, r.Path+" "+r.Phase)
				continue
			case events.StatusFailed:
				Fail(fmt.Sprintf("%s %s failed: %s", r.Path, r.Phase, r.Reason))
			}
			Expect(r.Lost).To(BeZero(), "%s %s: events never delivered within %v: %v", r.Path, r.Phase, budget, r.LostIDs)
			Expect(r.Seen).To(Equal(r.Accepted), r.Line())
			Expect(r.Via).To(HaveKeyWithValue(events.Route(r.Path), r.Seen), "%s: every event through %s", r.Path, events.Route(r.Path))
		}
		if len(unsupported) > 0 {
			AddReportEntry("paths the cloud does not implement", unsupported)
		}
	}, NodeTimeout(3*time.Minute))
})

func emptyBucket(ctx context.Context, c *s3.Client, bucket string) error {
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket})
	if err != nil {
		return err
	}
	for _, o := range out.Contents {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: o.Key}); err != nil {
			return err
		}
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket})
	return err
}
