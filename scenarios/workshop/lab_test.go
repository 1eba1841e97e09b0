package workshop_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	fixtures "github.com/groundstack/groundstack/fixtures/workshop"
	"github.com/groundstack/groundstack/harness/deploy/workshop"
)

// The lab's names (fixtures/workshop/lib.sh).
const (
	originals, processed, thumbnails, logsBucket = "lab-images-original", "lab-images-processed", "lab-images-thumbnails", "lab-logs-archive"
	imagesTable, logsTable, historyTable         = "LabImageMetadata", "LabLogIndex", "LabNotificationHistory"
	imageFn, logFn, notifyFn, routerFn, dashFn   = "lab-image-processor", "lab-log-processor", "lab-notification-handler", "lab-api-router", "lab-dashboard"
	queueName, topicName, apiName                = "lab-notifications-queue", "lab-notifications", "lab-api"
)

var labFunctions = []string{imageFn, logFn, notifyFn, routerFn, dashFn}

// The lab's scripts in chains that may run side by side (each architecture
// makes its own resources); the specs then assert what each left. 05 and
// 07 run in their own specs: 05 consumes the queue 04's spec looks at, and
// 07 counts everything.
var _ = Describe("the workshop lab, run by its scripts", Ordered, ContinueOnFailure, Label("workshop"), func() {
	var (
		runs    = map[string]*scriptRun{}
		goStack workshop.Stack
		goErr   error
		goDone  = make(chan struct{})
	)
	script := func(name string) *scriptRun { return runs[name] }

	BeforeAll(func() {
		for _, n := range append([]string{"cleanup.sh"}, fixtures.Scripts...) {
			runs[n] = &scriptRun{name: n, done: make(chan struct{})}
		}
		chain := func(names ...string) {
			for i, n := range names {
				if i > 0 && script(names[i-1]).err != nil {
					script(n).notRun(names[i-1])
					continue
				}
				script(n).run()
			}
		}
		go chain("01-image-processing.sh", "02-image-trigger.sh")
		go chain("03-distributed-logs.sh")
		go chain("04-notifications.sh")
		go func() {
			for _, n := range []string{"01-image-processing.sh", "03-distributed-logs.sh", "04-notifications.sh"} {
				<-script(n).done
			}
			script("06-api-router.sh").run()
		}()
		go func() {
			defer close(goDone)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			t0 := time.Now()
			goStack, goErr = workshop.Deploy(ctx, cfg, workshop.Options{})
			record("deploy the Go path (s)", time.Since(t0).Seconds())
		}()
	})

	Describe("image processing", func() {
		It("01: three buckets, the metadata table, and an upload processed by a direct invoke", func(ctx SpecContext) {
			out := script("01-image-processing.sh").succeeded()
			Expect(out).To(ContainSubstring("uploads/sample.png\tprocessed"))
			sample, err := os.ReadFile(filepath.Join(work, "lab", "sample.png"))
			Expect(err).NotTo(HaveOccurred())

			table, err := ddb().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(imagesTable)})
			Expect(err).NotTo(HaveOccurred())
			Expect(keySchema(table.Table)).To(Equal("ImageId HASH S, UploadTimestamp RANGE N"))
			Expect(aws.ToInt64(table.Table.ProvisionedThroughput.ReadCapacityUnits)).To(Equal(int64(5)))

			item := imageItem(ctx, imagesTable, "uploads/sample.png")
			Expect(item).To(HaveKeyWithValue("Status", "processed"))
			Expect(item).To(HaveKeyWithValue("OriginalBucket", originals))
			Expect(item).To(HaveKeyWithValue("ProcessedKey", "processed/uploads/sample.png"))
			Expect(item).To(HaveKeyWithValue("ThumbnailKey", "thumbnails/uploads/sample.png"))
			Expect(item).To(HaveKeyWithValue("ContentType", "image/png"))
			Expect(item).To(HaveKeyWithValue("Size", fmt.Sprint(len(sample))))
			Expect(item["ImageId"]).To(MatchRegexp(`^[0-9a-f]{16}$`))
			Expect(item["UploadTimestamp"]).To(MatchRegexp(`^\d{10}$`))
			_, err = time.Parse(time.RFC3339Nano, item["ProcessedAt"])
			Expect(err).NotTo(HaveOccurred(), "ProcessedAt %q", item["ProcessedAt"])

			cp := object(ctx, processed, "processed/uploads/sample.png")
			Expect(cp.body).To(Equal(sample))
			Expect(cp.meta).To(Equal(map[string]string{"original-bucket": originals, "original-key": "uploads/sample.png", "image-id": item["ImageId"], "processed": "true"}))
			thumb := object(ctx, thumbnails, "thumbnails/uploads/sample.png")
			Expect(thumb.body).To(Equal(sample[:1024]))
			Expect(thumb.meta).To(HaveKeyWithValue("thumbnail-size", "150x150"))
			Eventually(logOf(ctx, imageFn)).WithTimeout(30 * time.Second).Should(ContainSubstring("processed s3://lab-images-original/uploads/sample.png (4104 bytes)"))
		})

		It("02: an upload to the originals bucket invokes the function (S3 ObjectCreated notification)", Label("s3-notifications"), func(ctx SpecContext) {
			script("02-image-trigger.sh").succeeded()
			item := imageItem(ctx, imagesTable, "uploads/triggered.png")
			Expect(item).To(HaveKeyWithValue("Status", "processed"))
			Expect(object(ctx, thumbnails, "thumbnails/uploads/triggered.png").meta).To(HaveKeyWithValue("original-key", "uploads/triggered.png"))
			Eventually(logOf(ctx, imageFn)).WithTimeout(30 * time.Second).Should(ContainSubstring("processed s3://lab-images-original/uploads/triggered.png"))
		})
	})

	Describe("distributed logs", func() {
		It("03: batches indexed by level and time (and by service through the GSI), raw batches gzipped by hour", func(ctx SpecContext) {
			out := script("03-distributed-logs.sh").succeeded()
			Expect(out).To(ContainSubstring(`"level": "ERROR", "count": 1`))
			for key, n := range map[string]int{"logs/2026/12/07/10/batch-001.json.gz": 3, "logs/2026/12/07/11/batch-002.json.gz": 2} {
				o := object(ctx, logsBucket, key)
				Expect(o.encoding).To(Equal("gzip"))
				zr, err := gzip.NewReader(bytes.NewReader(o.body))
				Expect(err).NotTo(HaveOccurred(), "%s is not gzip", key)
				var batch struct {
					BatchID string           `json:"batch_id"`
					Logs    []map[string]any `json:"logs"`
				}
				Expect(json.NewDecoder(zr).Decode(&batch)).To(Succeed())
				Expect(batch.Logs).To(HaveLen(n))
				Expect(key).To(ContainSubstring(batch.BatchID))
			}
			errs, err := ddb().Query(ctx, &dynamodb.QueryInput{
				TableName: aws.String(logsTable), KeyConditionExpression: aws.String("LogLevel = :l AND #t BETWEEN :a AND :b"),
				ExpressionAttributeNames: map[string]string{"#t": "Timestamp"},
				ExpressionAttributeValues: map[string]dtypes.AttributeValue{":l": s("ERROR"),
					":a": s("2026-12-07T10:00:00.000Z"), ":b": s("2026-12-07T11:00:00.000Z")},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(errs.Items).To(HaveLen(1))
			Expect(plain(errs.Items[0])).To(HaveKeyWithValue("Message", "GET /orders/42 500: database timeout"))
			worker, err := ddb().Query(ctx, &dynamodb.QueryInput{
				TableName: aws.String(logsTable), IndexName: aws.String("ServiceIndex"),
				KeyConditionExpression:    aws.String("Service = :s"),
				ExpressionAttributeValues: map[string]dtypes.AttributeValue{":s": s("worker")},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(worker.Items).To(HaveLen(3))
			Eventually(logOf(ctx, logFn)).WithTimeout(30 * time.Second).Should(ContainSubstring("batch batch-002: 2 entries indexed"))
		})
	})

	Describe("notifications", func() {
		It("04: the topic fans out to the queue with the type and priority attributes; the email subscription is recorded", func(ctx SpecContext) {
			script("04-notifications.sh").succeeded()
			topics, err := snsc().ListTopics(ctx, &sns.ListTopicsInput{})
			Expect(err).NotTo(HaveOccurred())
			topicARN := ""
			for _, t := range topics.Topics {
				if strings.HasSuffix(aws.ToString(t.TopicArn), ":"+topicName) {
					topicARN = aws.ToString(t.TopicArn)
				}
			}
			Expect(topicARN).NotTo(BeEmpty())
			subs, err := snsc().ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: &topicARN})
			Expect(err).NotTo(HaveOccurred())
			protocols := map[string]string{}
			for _, sub := range subs.Subscriptions {
				protocols[aws.ToString(sub.Protocol)] = aws.ToString(sub.Endpoint)
			}
			Expect(protocols).To(HaveKeyWithValue("email", "alumno@example.com"))
			Expect(protocols).To(HaveKeyWithValue("sqs", HaveSuffix(":"+queueName)))

			q, err := sqsc().GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(queueName)})
			Expect(err).NotTo(HaveOccurred())
			// A look that hides the messages for a second only: the SDK omits
			// a zero VisibilityTimeout (the queue's 30 s would apply), and 05's
			// event source mapping is to receive them next.
			msgs, err := sqsc().ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 1, WaitTimeSeconds: 1})
			Expect(err).NotTo(HaveOccurred())
			var welcome map[string]any
			for _, m := range msgs.Messages {
				var env map[string]any
				Expect(json.Unmarshal([]byte(aws.ToString(m.Body)), &env)).To(Succeed())
				if strings.Contains(fmt.Sprint(env["Message"]), `"lab-welcome"`) {
					welcome = env
				}
			}
			Expect(welcome).NotTo(BeNil(), "the queue holds no copy of lab-welcome: %v", msgs.Messages)
			Expect(welcome).To(HaveKeyWithValue("Type", "Notification"))
			Expect(welcome).To(HaveKeyWithValue("Subject", "Order received"))
			Expect(welcome["MessageAttributes"]).To(Equal(map[string]any{
				"type": map[string]any{"Type": "String", "Value": "order"}, "priority": map[string]any{"Type": "String", "Value": "high"}}))

			item := getItem(ctx, historyTable, "NotificationId", "lab-welcome")
			Expect(item).To(HaveKeyWithValue("Type", "order"))
			Expect(item).To(HaveKeyWithValue("Priority", "high"))
			Expect(item).To(HaveKeyWithValue("MessageId", welcome["MessageId"]))
			Expect(item["Status"]).To(BeElementOf("sent", "delivered"))
		})

		It("05: the queue drives the function through an event source mapping", Label("event-source-mappings"), func(ctx SpecContext) {
			r := script("05-notifications-trigger.sh")
			r.run()
			r.succeeded()
			for _, id := range []string{"lab-welcome", "lab-shipped"} {
				item := getItem(ctx, historyTable, "NotificationId", id)
				Expect(item).To(HaveKeyWithValue("Status", "delivered"))
				Expect(item["QueueMessageId"]).NotTo(BeEmpty())
			}
			Expect(getItem(ctx, historyTable, "NotificationId", "lab-shipped")).To(HaveKeyWithValue("DeliveredType", "shipping"))
			Eventually(logOf(ctx, notifyFn)).WithTimeout(30 * time.Second).Should(ContainSubstring("notification lab-shipped delivered through the queue"))
		})
	})

	Describe("API router", func() {
		It("06: a {proxy+} ANY AWS_PROXY REST API on stage prod routes to every part, with CORS, and 404 lists the endpoints", func(ctx SpecContext) {
			<-script("02-image-trigger.sh").done
			script("06-api-router.sh").succeeded()
			id, err := os.ReadFile(filepath.Join(work, "lab", "api-id"))
			Expect(err).NotTo(HaveOccurred())
			apiID := strings.TrimSpace(string(id))
			res, err := apigateway.NewFromConfig(cfg).GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &apiID, Embed: []string{"methods"}})
			Expect(err).NotTo(HaveOccurred())
			var paths []string
			for _, r := range res.Items {
				paths = append(paths, aws.ToString(r.Path))
			}
			Expect(paths).To(ConsistOf("/", "/{proxy+}"))
			base := endpoint + "/restapis/" + apiID + "/prod/_user_request_"

			status, body, h := call(ctx, "GET", base+"/health", "")
			Expect(status).To(Equal(200))
			Expect(body).To(HaveKeyWithValue("status", "healthy"))
			Expect(h.Get("Access-Control-Allow-Origin")).To(Equal("*"))
			status, body, _ = call(ctx, "GET", base+"/images", "")
			Expect(status).To(Equal(200))
			Expect(body["count"]).To(BeNumerically(">=", 1))
			status, body, _ = call(ctx, "GET", base+"/logs?level=ERROR", "")
			Expect(status).To(Equal(200))
			Expect(body["count"]).To(BeNumerically("==", 2))
			status, body, _ = call(ctx, "GET", base+"/stats", "")
			Expect(status).To(Equal(200))
			Expect(body["logs"]).To(BeNumerically("==", 5))
			status, body, _ = call(ctx, "GET", base+"/files", "")
			Expect(status).To(Equal(200))
			Expect(fmt.Sprint(body["files"])).To(ContainSubstring("processed/uploads/sample.png"))
			status, body, _ = call(ctx, "POST", base+"/notifications", `{"id": "go-api", "type": "alert", "priority": "low", "message": "from the suite"}`)
			Expect(status).To(Equal(201), "%v", body)
			Expect(getItem(ctx, historyTable, "NotificationId", "go-api")).To(HaveKeyWithValue("Type", "alert"))
			Expect(getItem(ctx, historyTable, "NotificationId", "lab-api")).To(HaveKeyWithValue("Priority", "low"))
			status, body, h = call(ctx, "DELETE", base+"/nowhere", "")
			Expect(status).To(Equal(404))
			Expect(body["available_endpoints"]).To(ContainElements("GET /health", "GET /images", "GET /logs?level=LEVEL", "POST /notifications", "GET /files?bucket=BUCKET", "GET /stats"))
			Expect(h.Get("Access-Control-Allow-Origin")).To(Equal("*"))
			Eventually(logOf(ctx, routerFn)).WithTimeout(30 * time.Second).Should(ContainSubstring("GET /health -> health"))
		})
	})

	Describe("dashboard", func() {
		It("07: one JSON summary: items per table, objects per bucket, the functions", func(ctx SpecContext) {
			r := script("07-dashboard.sh")
			r.run()
			r.succeeded()
			b, err := os.ReadFile(filepath.Join(work, "lab", "dashboard.json"))
			Expect(err).NotTo(HaveOccurred())
			var summary struct {
				Tables    map[string]int `json:"tables"`
				Buckets   map[string]int `json:"buckets"`
				Functions []string       `json:"functions"`
			}
			Expect(json.Unmarshal(b, &summary)).To(Succeed())
			Expect(summary.Functions).To(ContainElements(labFunctions))
			for _, t := range []string{imagesTable, logsTable, historyTable} {
				Expect(summary.Tables).To(HaveKeyWithValue(t, count(ctx, t)), "items of %s", t)
			}
			Expect(summary.Buckets).To(HaveKeyWithValue(logsBucket, 2))
			Expect(summary.Buckets).To(HaveKeyWithValue(originals, BeNumerically(">=", 1)))
		})
	})

	It("refuses the reserved word Status in a projection, as DynamoDB does, and takes it through #s", func(ctx SpecContext) {
		<-script("01-image-processing.sh").done
		const want = "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: Status"
		cmd := exec.CommandContext(ctx, filepath.Join(work, "bin", "awslocal"), "dynamodb", "scan", "--table-name", imagesTable, "--projection-expression", "ImageId,Status")
		cmd.Env = labEnv
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		Expect(errors.As(err, &exit)).To(BeTrue(), "the aws CLI accepted it (%v):\n%s", err, out)
		Expect(exit.ExitCode()).To(Equal(255), "the aws CLI's exit code for a service error")
		Expect(string(out)).To(ContainSubstring("An error occurred (ValidationException) when calling the Scan operation: " + want))
		_, err = ddb().Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(imagesTable), ProjectionExpression: aws.String("ImageId,Status")})
		var ae smithy.APIError
		Expect(errors.As(err, &ae)).To(BeTrue(), "%v", err)
		Expect(ae.ErrorCode()).To(Equal("ValidationException"))
		Expect(ae.ErrorMessage()).To(Equal(want))
		ok, err := ddb().Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(imagesTable), ProjectionExpression: aws.String("ImageId,#s"),
			ExpressionAttributeNames: map[string]string{"#s": "Status"}})
		Expect(err).NotTo(HaveOccurred())
		Expect(ok.Items).NotTo(BeEmpty())
		Expect(plain(ok.Items[0])).To(HaveKeyWithValue("Status", "processed"))
		Expect(ok.Items[0]).To(HaveLen(2))
	})

	Describe("the Go path (handlers/workshop) against the Python one, on the same inputs", func() {
		BeforeAll(func() {
			<-goDone
			Expect(goErr).NotTo(HaveOccurred())
			AddReportEntry("Go path deploy timings (ms)", goStack.Timings)
		})
		comparePaths(func() workshop.Stack { return goStack })
	})

	It("cleanup.sh removes everything the lab made, and only that", func(ctx SpecContext) {
		for _, n := range fixtures.Scripts {
			<-script(n).done
		}
		<-goDone
		r := script("cleanup.sh")
		r.run()
		r.succeeded()
		fns, err := lam().ListFunctions(ctx, &lambda.ListFunctionsInput{})
		Expect(err).NotTo(HaveOccurred())
		var names []string
		for _, f := range fns.Functions {
			names = append(names, aws.ToString(f.FunctionName))
		}
		Expect(names).NotTo(ContainElements(ContainSubstring("lab-")))
		if goErr == nil {
			Expect(names).To(ContainElement(goStack.Functions["router"]), "cleanup.sh removed the Go path's functions")
		}
		tables, err := ddb().ListTables(ctx, &dynamodb.ListTablesInput{})
		Expect(err).NotTo(HaveOccurred())
		Expect(tables.TableNames).NotTo(ContainElement(HavePrefix("Lab")))
		buckets, err := s3c().ListBuckets(ctx, &s3.ListBucketsInput{})
		Expect(err).NotTo(HaveOccurred())
		for _, b := range buckets.Buckets {
			Expect(aws.ToString(b.Name)).NotTo(HavePrefix("lab-"))
		}
		apis, err := apigateway.NewFromConfig(cfg).GetRestApis(ctx, &apigateway.GetRestApisInput{})
		Expect(err).NotTo(HaveOccurred())
		for _, a := range apis.Items {
			Expect(aws.ToString(a.Name)).NotTo(Equal(apiName))
		}
		_, err = sqsc().GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(queueName)})
		Expect(err).To(HaveOccurred())
	})
})

var headerSafe = regexp.MustCompile(`[^ -~]`)

// call sends an HTTP request and decodes the JSON answer.
func call(ctx context.Context, method, url, body string) (int, map[string]any, http.Header) {
	GinkgoHelper()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	Expect(json.Unmarshal(b, &out)).To(Succeed(), "%s %s answered %d %s", method, url, resp.StatusCode, headerSafe.ReplaceAllString(string(b), "?"))
	return resp.StatusCode, out, resp.Header
}
