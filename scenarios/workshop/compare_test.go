package workshop_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/groundstack/groundstack/harness/deploy/workshop"
)

// invokeJSON invokes a function synchronously and decodes its answer.
func invokeJSON(ctx context.Context, function string, payload any) map[string]any {
	GinkgoHelper()
	b, err := json.Marshal(payload)
	Expect(err).NotTo(HaveOccurred())
	out, err := lam().Invoke(ctx, &lambda.InvokeInput{FunctionName: &function, Payload: b})
	Expect(err).NotTo(HaveOccurred())
	Expect(out.FunctionError).To(BeNil(), "%s failed: %s", function, out.Payload)
	var m map[string]any
	Expect(json.Unmarshal(out.Payload, &m)).To(Succeed(), "%s answered %s", function, out.Payload)
	return m
}

func without(m map[string]string, keys ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

func gunzipJSON(b []byte) any {
	GinkgoHelper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	Expect(err).NotTo(HaveOccurred())
	raw, err := io.ReadAll(zr)
	Expect(err).NotTo(HaveOccurred())
	var v any
	Expect(json.Unmarshal(raw, &v)).To(Succeed())
	return v
}

// comparePaths adds the specs that give the Python and the Go functions
// the same input and compare what they answer and leave.
func comparePaths(stack func() workshop.Stack) {
	It("image processing: the same upload, the same answer, copies, metadata and item", func(ctx SpecContext) {
		st := stack()
		const key = "uploads/sample.png"
		sample, err := os.ReadFile(filepath.Join(work, "lab", "sample.png"))
		Expect(err).NotTo(HaveOccurred())
		_, err = s3c().PutObject(ctx, &s3.PutObjectInput{Bucket: &st.OriginalsBucket, Key: aws.String(key), Body: bytes.NewReader(sample), ContentType: aws.String("image/png")})
		Expect(err).NotTo(HaveOccurred())
		answers := map[string]map[string]any{}
		for path, call := range map[string][2]string{"python": {imageFn, originals}, "go": {st.Functions["image"], st.OriginalsBucket}} {
			a := invokeJSON(ctx, call[0], map[string]string{"bucket": call[1], "key": key})
			Expect(a).To(HaveKeyWithValue("statusCode", BeNumerically("==", 200)))
			var body struct{ Processed []map[string]any }
			Expect(json.Unmarshal([]byte(a["body"].(string)), &body)).To(Succeed())
			Expect(body.Processed).To(HaveLen(1))
			Expect(body.Processed[0]["imageId"]).To(MatchRegexp(`^[0-9a-f]{16}$`))
			delete(body.Processed[0], "imageId") // the bucket is part of it
			answers[path] = body.Processed[0]
		}
		Expect(answers["go"]).To(Equal(answers["python"]))

		py, gi := imageItem(ctx, imagesTable, key), imageItem(ctx, st.ImagesTable, key)
		Expect(keysOfS(gi)).To(Equal(keysOfS(py)))
		Expect(without(gi, "ImageId", "OriginalBucket", "ProcessedAt", "UploadTimestamp")).To(Equal(without(py, "ImageId", "OriginalBucket", "ProcessedAt", "UploadTimestamp")))
		for _, pair := range [][2]string{{processed, st.ProcessedBucket}, {thumbnails, st.ThumbnailsBucket}} {
			prefix := map[string]string{processed: "processed/", thumbnails: "thumbnails/"}[pair[0]]
			p, g := object(ctx, pair[0], prefix+key), object(ctx, pair[1], prefix+key)
			Expect(g.body).To(Equal(p.body))
			Expect(g.ctype).To(Equal(p.ctype))
			Expect(without(g.meta, "image-id", "original-bucket")).To(Equal(without(p.meta, "image-id", "original-bucket")))
			Expect(keysOfS(g.meta)).To(Equal(keysOfS(p.meta)))
		}
	})

	It("distributed logs: the same batch, the same answer, archive and query", func(ctx SpecContext) {
		st := stack()
		batch := map[string]any{"batch_id": "compare-001", "logs": []map[string]string{
			{"timestamp": "2026-12-08T23:59:59.000Z", "level": "ERROR", "service": "billing", "message": "card declined"},
			{"timestamp": "2026-12-08T23:00:00.250Z", "level": "DEBUG", "message": "no service given"},
		}}
		py, gi := invokeJSON(ctx, logFn, batch), invokeJSON(ctx, st.Functions["logs"], batch)
		Expect(gi).To(Equal(py))
		Expect(py).To(HaveKeyWithValue("s3Key", "logs/2026/12/08/23/compare-001.json.gz"))
		Expect(gunzipJSON(object(ctx, st.LogsBucket, py["s3Key"].(string)).body)).To(Equal(gunzipJSON(object(ctx, logsBucket, py["s3Key"].(string)).body)))
		q := map[string]string{"action": "query", "level": "DEBUG", "start": "2026-12-08T00:00:00.000Z", "end": "2026-12-09T00:00:00.000Z"}
		pq, gq := invokeJSON(ctx, logFn, q), invokeJSON(ctx, st.Functions["logs"], q)
		Expect(gq).To(Equal(pq))
		Expect(pq).To(HaveKeyWithValue("count", BeNumerically("==", 1)))
		Expect(pq["entries"]).To(Equal([]any{map[string]any{"timestamp": "2026-12-08T23:00:00.250Z", "service": "unknown", "message": "no service given"}}))
	})

	It("notifications: the same notification, the same answer and history", func(ctx SpecContext) {
		st := stack()
		n := map[string]string{"id": "compare-1", "type": "order", "priority": "high", "message": "same input, two paths"}
		py, gi := invokeJSON(ctx, notifyFn, n), invokeJSON(ctx, st.Functions["notify"], n)
		Expect(keysOf(gi)).To(Equal(keysOf(py)))
		Expect(without(toS(gi), "messageId")).To(Equal(without(toS(py), "messageId")))
		pi, gh := getItem(ctx, historyTable, "NotificationId", "compare-1"), getItem(ctx, st.HistoryTable, "NotificationId", "compare-1")
		fields := []string{"Type", "Priority", "Message"}
		for _, f := range fields {
			Expect(gh[f]).To(Equal(pi[f]), f)
		}
		Expect(gh["MessageId"]).To(Equal(gi["messageId"]))
		Expect(pi["MessageId"]).To(Equal(py["messageId"]))
	})

	It("API router: the same requests, the same statuses, shapes and CORS", func(ctx SpecContext) {
		st := stack()
		id, err := os.ReadFile(filepath.Join(work, "lab", "api-id"))
		Expect(err).NotTo(HaveOccurred())
		pyBase := endpoint + "/restapis/" + string(bytes.TrimSpace(id)) + "/prod/_user_request_"
		for _, path := range []string{"/health", "/nowhere", "/logs?level=ERROR", "/stats", "/images"} {
			ps, pb, ph := call(ctx, "GET", pyBase+path, "")
			gs, gb, gh := call(ctx, "GET", st.APIURL+path, "")
			Expect(gs).To(Equal(ps), path)
			Expect(keysOf(gb)).To(Equal(keysOf(pb)), path)
			for _, h := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Content-Type"} {
				Expect(gh.Get(h)).To(Equal(ph.Get(h)), path+" "+h)
			}
			if path == "/nowhere" {
				Expect(gb).To(Equal(pb))
			}
		}
	})

	It("triggers: an upload under uploads/ and the queue invoke the Go functions too", Label("s3-notifications", "event-source-mappings"), func(ctx SpecContext) {
		st := stack()
		Expect(st.TriggerNotes).To(BeEmpty())
		Expect(st.S3Trigger && st.QueueTrigger).To(BeTrue())
		_, err := s3c().PutObject(ctx, &s3.PutObjectInput{Bucket: &st.OriginalsBucket, Key: aws.String("uploads/by-trigger.png"),
			Body: bytes.NewReader([]byte("not really a png")), ContentType: aws.String("image/png")})
		Expect(err).NotTo(HaveOccurred())
		invokeJSON(ctx, st.Functions["notify"], map[string]string{"id": "go-trigger", "message": "through the queue"})
		Eventually(func(g Gomega) {
			out, err := ddb().GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.HistoryTable, ConsistentRead: aws.Bool(true),
				Key: map[string]dtypes.AttributeValue{"NotificationId": s("go-trigger")}})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(plain(out.Item)).To(HaveKeyWithValue("Status", "delivered"))
		}).WithContext(ctx).WithTimeout(30 * time.Second).WithPolling(200 * time.Millisecond).Should(Succeed())
		Eventually(func(g Gomega) {
			out, err := ddb().Scan(ctx, &dynamodb.ScanInput{TableName: &st.ImagesTable, FilterExpression: aws.String("OriginalKey = :k"),
				ExpressionAttributeValues: map[string]dtypes.AttributeValue{":k": s("uploads/by-trigger.png")}})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(out.Items).To(HaveLen(1))
			g.Expect(plain(out.Items[0])).To(HaveKeyWithValue("Status", "processed"))
		}).WithContext(ctx).WithTimeout(30 * time.Second).WithPolling(200 * time.Millisecond).Should(Succeed())
	})

	It("dashboard: the same summary's shape, each path counting its own resources", func(ctx SpecContext) {
		st := stack()
		py, gi := invokeJSON(ctx, dashFn, map[string]any{}), invokeJSON(ctx, st.Functions["dashboard"], map[string]any{})
		Expect(keysOf(gi)).To(Equal(keysOf(py)))
		Expect(gi["tables"]).To(HaveLen(3))
		Expect(gi["buckets"]).To(HaveLen(4))
		Expect(gi["tables"]).To(HaveKeyWithValue(st.LogsTable, BeNumerically("==", count(ctx, st.LogsTable))))
		Expect(gi["functions"]).To(ContainElements(st.Functions["router"], imageFn))
	})
}

func keysOfS(m map[string]string) []string {
	a := map[string]any{}
	for k, v := range m {
		a[k] = v
	}
	return keysOf(a)
}

func toS(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		b, _ := json.Marshal(v)
		out[k] = string(b)
	}
	return out
}
