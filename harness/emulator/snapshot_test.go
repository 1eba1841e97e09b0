package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	"github.com/groundstack/groundstack/harness/emulator/snapshot"
)

// snapshotCall POSTs body to path on the emulator at base.
func snapshotCall(t *testing.T, base, path string, body []byte) (int, []byte) {
	t.Helper()
	resp, err := http.Post(base+path, "application/octet-stream", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func saveSnapshot(t *testing.T, base string) []byte {
	t.Helper()
	status, b := snapshotCall(t, base, "/_groundstack/snapshot", nil)
	if status != http.StatusOK {
		t.Fatalf("save: %d %s", status, b)
	}
	return b
}

// must returns v, and stops the test binary on an error the test does
// not expect (the SDK's error names the call).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// seedSnapshotState builds state in every saved service through the SDK:
// two accounts' worth in the default one, a FIFO queue, in-flight and
// delayed messages, a secret with two versions and one scheduled for
// deletion, a topic with a filtered subscription. It returns a receipt
// handle of an in-flight message.
func seedSnapshotState(t *testing.T, cfg aws.Config) string {
	t.Helper()
	ctx := context.Background()
	sm := secretsmanager.NewFromConfig(cfg)
	must(sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app/db"), SecretString: aws.String("one"),
		Tags: []smTag{{Key: aws.String("env"), Value: aws.String("test")}}}))
	must(sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("app/db"), SecretString: aws.String("two")}))
	must(sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("bin"), SecretBinary: []byte{0, 1, 2}}))
	must(sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("old"), SecretString: aws.String("x")}))
	must(sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("old"), RecoveryWindowInDays: aws.Int64(7)}))

	q := sqs.NewFromConfig(cfg)
	must(q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("dlq")}))
	orders := must(q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders"), Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"5"}`,
	}, Tags: map[string]string{"team": "shop"}})).QueueUrl
	for i := range 3 {
		must(q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: orders, MessageBody: aws.String(fmt.Sprint("m", i)),
			MessageAttributes: map[string]sqstypes.MessageAttributeValue{"i": {DataType: aws.String("Number"), StringValue: aws.String(fmt.Sprint(i))}}}))
	}
	got := must(q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: orders, MaxNumberOfMessages: 1, VisibilityTimeout: 900}))
	if len(got.Messages) != 1 {
		t.Fatalf("received %d", len(got.Messages))
	}
	must(q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: orders, MessageBody: aws.String("delayed"), DelaySeconds: 900}))
	fifo := must(q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs.fifo"), Attributes: map[string]string{"FifoQueue": "true"}})).QueueUrl
	for i := range 2 {
		must(q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: fifo, MessageBody: aws.String(fmt.Sprint("job", i)),
			MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String(fmt.Sprint("d", i))}))
	}

	db := dynamodb.NewFromConfig(cfg)
	must(db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("orders"),
		AttributeDefinitions: []ddb.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddb.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: ddb.ScalarAttributeTypeN}, {AttributeName: aws.String("status"), AttributeType: ddb.ScalarAttributeTypeS}},
		KeySchema:   []ddb.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddb.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: ddb.KeyTypeRange}},
		BillingMode: ddb.BillingModePayPerRequest,
		GlobalSecondaryIndexes: []ddb.GlobalSecondaryIndex{{IndexName: aws.String("by-status"),
			KeySchema:  []ddb.KeySchemaElement{{AttributeName: aws.String("status"), KeyType: ddb.KeyTypeHash}},
			Projection: &ddb.Projection{ProjectionType: ddb.ProjectionTypeKeysOnly}}},
		StreamSpecification: &ddb.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddb.StreamViewTypeNewImage},
		Tags:                []ddb.Tag{{Key: aws.String("team"), Value: aws.String("shop")}},
	}))
	for i := range 5 {
		item := map[string]ddb.AttributeValue{"pk": &ddb.AttributeValueMemberS{Value: "c" + fmt.Sprint(i%2)}, "sk": &ddb.AttributeValueMemberN{Value: fmt.Sprint(i)},
			"doc": &ddb.AttributeValueMemberM{Value: map[string]ddb.AttributeValue{"l": &ddb.AttributeValueMemberL{Value: []ddb.AttributeValue{&ddb.AttributeValueMemberB{Value: []byte{byte(i)}}}}}}}
		if i%2 == 0 {
			item["status"] = &ddb.AttributeValueMemberS{Value: "open"}
		}
		must(db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: item}))
	}
	must(db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("orders"),
		TimeToLiveSpecification: &ddb.TimeToLiveSpecification{AttributeName: aws.String("expires"), Enabled: aws.Bool(true)}}))
	must(db.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String("orders"),
		PointInTimeRecoverySpecification: &ddb.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}}))

	ns := sns.NewFromConfig(cfg)
	topic := must(ns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("events"), Attributes: map[string]string{"DisplayName": "Events"},
		Tags: []snsTag{{Key: aws.String("k"), Value: aws.String("v")}}})).TopicArn
	must(ns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic, Protocol: aws.String("sqs"), Endpoint: aws.String("arn:aws:sqs:us-east-1:000000000000:dlq"),
		Attributes: map[string]string{"FilterPolicy": `{"kind":["a"]}`, "RawMessageDelivery": "true"}}))
	must(ns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("audit.fifo"), Attributes: map[string]string{"FifoTopic": "true"}}))
	return *got.Messages[0].ReceiptHandle
}

// observe reads, through the SDK only and without changing anything,
// what a client sees of the saved services; host is replaced so two
// emulators compare.
func observe(t *testing.T, cfg aws.Config, host string) string {
	t.Helper()
	ctx := context.Background()
	var out []string
	add := func(what string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.ReplaceAll(what+" "+string(b), host, "HOST"))
	}
	sm := secretsmanager.NewFromConfig(cfg)
	secrets := must(sm.ListSecrets(ctx, &secretsmanager.ListSecretsInput{IncludePlannedDeletion: aws.Bool(true)}))
	for _, s := range secrets.SecretList {
		d := must(sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: s.ARN}))
		d.ResultMetadata = noMeta
		add("secret", d)
		if d.DeletedDate != nil {
			continue
		}
		vs := must(sm.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: s.ARN, IncludeDeprecated: aws.Bool(true)}))
		vs.ResultMetadata = noMeta
		add("versions", vs)
		for _, v := range vs.Versions {
			val := must(sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: s.ARN, VersionId: v.VersionId}))
			val.ResultMetadata = noMeta
			add("value", val)
		}
	}
	db := dynamodb.NewFromConfig(cfg)
	tables := must(db.ListTables(ctx, &dynamodb.ListTablesInput{}))
	for _, n := range tables.TableNames {
		d := must(db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(n)}))
		ttl := must(db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(n)}))
		pitr := must(db.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(n)}))
		if p := pitr.ContinuousBackupsDescription.PointInTimeRecoveryDescription; p != nil {
			p.LatestRestorableDateTime = nil // now, whenever asked
		}
		tags := must(db.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: d.Table.TableArn}))
		scan := must(db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(n), ConsistentRead: aws.Bool(true)}))
		add("table "+n, []any{d.Table, ttl.TimeToLiveDescription, pitr.ContinuousBackupsDescription, tags.Tags, scan.Items, scan.Count})
		for _, ix := range d.Table.GlobalSecondaryIndexes {
			s := must(db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(n), IndexName: ix.IndexName}))
			add("index "+*ix.IndexName, []any{s.Items, s.Count})
		}
	}
	q := sqs.NewFromConfig(cfg)
	urls := must(q.ListQueues(ctx, &sqs.ListQueuesInput{}))
	sort.Strings(urls.QueueUrls)
	for _, u := range urls.QueueUrls {
		a := must(q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u), AttributeNames: []sqstypes.QueueAttributeName{"All"}}))
		tags := must(q.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(u)}))
		add("queue "+u, []any{a.Attributes, tags.Tags})
	}
	ns := sns.NewFromConfig(cfg)
	topics := must(ns.ListTopics(ctx, &sns.ListTopicsInput{}))
	for _, tp := range topics.Topics {
		a := must(ns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: tp.TopicArn}))
		tags := must(ns.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: tp.TopicArn}))
		subs := must(ns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: tp.TopicArn}))
		add("topic "+*tp.TopicArn, []any{a.Attributes, tags.Tags, subs.Subscriptions})
		for _, s := range subs.Subscriptions {
			sa := must(ns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: s.SubscriptionArn}))
			add("subscription", sa.Attributes)
		}
	}
	return strings.Join(out, "\n")
}

// receiveAll receives every visible message of the queues named (with a
// long visibility timeout) and returns what a client sees of them.
func receiveAll(t *testing.T, cfg aws.Config, names ...string) string {
	t.Helper()
	ctx := context.Background()
	q := sqs.NewFromConfig(cfg)
	var out []string
	for _, n := range names {
		u := must(q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(n)})).QueueUrl
		for {
			got := must(q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: u, MaxNumberOfMessages: 10, VisibilityTimeout: 900,
				MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}, MessageAttributeNames: []string{"All"}}))
			if len(got.Messages) == 0 {
				break
			}
			for _, m := range got.Messages {
				delete(m.Attributes, "ApproximateFirstReceiveTimestamp")
				m.ReceiptHandle = nil
				b, _ := json.Marshal(m)
				out = append(out, n+" "+string(b))
			}
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

var noMeta = secretsmanager.DescribeSecretOutput{}.ResultMetadata

type (
	smTag   = smtypes.Tag
	snsTag  = snstypes.Tag
	snsAttr = snstypes.MessageAttributeValue
)

// State built through the SDK, saved, loaded into a second emulator, reads
// the same through the SDK; receipt handles given before the save still
// work after the load.
func TestSnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, acfg := emutest.Start(t)
	handle := seedSnapshotState(t, acfg)
	file := saveSnapshot(t, a.URL())
	if !bytes.HasPrefix(file, []byte("groundstack-snapshot v1\n")) {
		t.Fatalf("first line: %q", bytes.SplitN(file, []byte("\n"), 2)[0])
	}

	b, bcfg := emutest.Start(t)
	status, body := snapshotCall(t, b.URL(), "/_groundstack/snapshot/load", file)
	if status != http.StatusOK {
		t.Fatalf("load: %d %s", status, body)
	}
	var res emulator.LoadResult
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"dynamodb", "lambda", "s3", "secretsmanager", "sns", "sqs"} {
		if !contains(res.Loaded, n) || contains(res.NotSaved, n) {
			t.Errorf("load answered %s: want %s loaded", body, n)
		}
	}
	if !strings.Contains(res.Message, "not restored: ") || len(res.NotSaved) == 0 {
		t.Errorf("load answered %s", body)
	}
	before, after := observe(t, acfg, a.URL()[len("http://"):]), observe(t, bcfg, b.URL()[len("http://"):])
	if d := lineDiff(before, after); d != "" {
		t.Errorf("observed state differs after load:\n%s", d)
	}
	if !strings.Contains(after, `"ItemCount":5`) || !strings.Contains(after, `"ItemCount":3`) {
		t.Errorf("want 5 items and 3 in the index:\n%s", after)
	}
	if n := strings.Count(after, "\nqueue "); n != 3 {
		t.Errorf("%d queues observed:\n%s", n, after)
	}
	// The in-flight message's handle is valid on the copy.
	q := sqs.NewFromConfig(bcfg)
	orders := must(q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})).QueueUrl
	if _, err := q.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: orders, ReceiptHandle: &handle, VisibilityTimeout: 0}); err != nil {
		t.Fatalf("a receipt handle from before the save: %v", err)
	}
	if _, err := sqs.NewFromConfig(acfg).ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(strings.Replace(*orders, b.URL(), a.URL(), 1)), ReceiptHandle: &handle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	ra, rb := receiveAll(t, acfg, "orders", "jobs.fifo"), receiveAll(t, bcfg, "orders", "jobs.fifo")
	if d := lineDiff(ra, rb); d != "" {
		t.Errorf("messages differ:\n%s", d)
	}
	if !strings.Contains(rb, `"ApproximateReceiveCount":"2"`) || strings.Count(rb, "\n") != 4 {
		t.Errorf("want the re-received message with 2 receives and 5 messages:\n%s", rb)
	}
	// A new message after the load gets a fresh id and a later sequence.
	fifo := must(q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("jobs.fifo")})).QueueUrl
	dup := must(q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: fifo, MessageBody: aws.String("job0"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d0")}))
	if !strings.Contains(rb, *dup.MessageId) {
		t.Errorf("a deduplicated send after the load answered a new message id %s", *dup.MessageId)
	}
}

// lineDiff lists the lines of a and b that differ ("" when none).
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out = append(out, "- "+x, "+ "+y)
		}
	}
	return strings.Join(out, "\n")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The committed v1 fixture loads into a fresh emulator and every resource
// it holds reads back through the SDK. It was written once by
// go run ./harness/emulator/snapshot/mkfixture; it must keep loading.
func TestSnapshotFixtureV1Loads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	file, err := os.ReadFile("../../fixtures/snapshots/v1.snapshot")
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's clock, a minute on: messages are within retention and
	// the in-flight one still in flight.
	epoch := time.Date(2026, 1, 2, 3, 5, 5, 0, time.UTC)
	e, cfg := emutest.Start(t, emulator.WithClock(func() time.Time { return epoch }))
	if status, body := snapshotCall(t, e.URL(), "/_groundstack/snapshot/load", file); status != http.StatusOK {
		t.Fatalf("load: %d %s", status, body)
	}

	db := dynamodb.NewFromConfig(cfg)
	d0 := must(db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders")})).Table
	if *d0.TableId != "00000000-0000-4000-8000-000000000002" || *d0.ItemCount != 3 || !d0.CreationDateTime.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) ||
		*d0.LatestStreamArn != "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2026-01-02T03:04:05.000" ||
		d0.StreamSpecification.StreamViewType != ddb.StreamViewTypeNewAndOldImages || len(d0.GlobalSecondaryIndexes) != 1 {
		t.Errorf("table: %+v", d0)
	}
	item := must(db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("orders"), Key: map[string]ddb.AttributeValue{
		"pk": &ddb.AttributeValueMemberS{Value: "customer#1"}, "sk": &ddb.AttributeValueMemberN{Value: "2"}}})).Item
	if v, _ := item["status"].(*ddb.AttributeValueMemberS); v == nil || v.Value != "shipped" {
		t.Errorf("item 2: %+v", item)
	}
	if b, _ := item["blob"].(*ddb.AttributeValueMemberB); b == nil || !bytes.Equal(b.Value, []byte{0xde, 0xad, 1}) {
		t.Errorf("item 2's blob: %+v", item["blob"])
	}
	open := must(db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("orders"), IndexName: aws.String("by-status"),
		KeyConditionExpression: aws.String("#s = :s"), ExpressionAttributeNames: map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]ddb.AttributeValue{":s": &ddb.AttributeValueMemberS{Value: "open"}}}))
	if open.Count != 2 {
		t.Errorf("the index holds %d open orders", open.Count)
	}
	if ttl := must(db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("orders")})).TimeToLiveDescription; *ttl.AttributeName != "expires" {
		t.Errorf("TTL %+v", ttl)
	}
	if pitr := must(db.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String("orders")})).ContinuousBackupsDescription; pitr.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus != ddb.PointInTimeRecoveryStatusEnabled {
		t.Errorf("PITR %+v", pitr.PointInTimeRecoveryDescription)
	}

	sm := secretsmanager.NewFromConfig(cfg)
	cur := must(sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db")}))
	prev := must(sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db"), VersionStage: aws.String("AWSPREVIOUS")}))
	if *cur.SecretString != `{"password":"two"}` || *cur.VersionId != "22222222-2222-4222-8222-222222222222" ||
		*prev.SecretString != `{"password":"one"}` || *prev.VersionId != "11111111-1111-4111-8111-111111111111" {
		t.Errorf("secret versions: current %s %s, previous %s %s", *cur.VersionId, *cur.SecretString, *prev.VersionId, *prev.SecretString)
	}
	if *cur.ARN != "arn:aws:secretsmanager:us-east-1:000000000000:secret:app/db-GAYCIx" {
		t.Errorf("ARN %s", *cur.ARN)
	}
	d := must(sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("app/db")}))
	if *d.Description != "database" || !d.CreatedDate.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("describe: %q %v", *d.Description, d.CreatedDate)
	}

	q := sqs.NewFromConfig(cfg)
	orders := must(q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})).QueueUrl
	attrs := must(q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: orders, AttributeNames: []sqstypes.QueueAttributeName{"All"}})).Attributes
	want := map[string]string{"ApproximateNumberOfMessages": "1", "ApproximateNumberOfMessagesNotVisible": "1", "ApproximateNumberOfMessagesDelayed": "1",
		"VisibilityTimeout": "60", "CreatedTimestamp": "1767323045", "QueueArn": "arn:aws:sqs:us-east-1:000000000000:orders"}
	for k, v := range want {
		if attrs[k] != v {
			t.Errorf("orders %s = %q, want %q", k, attrs[k], v)
		}
	}
	if !strings.Contains(attrs["RedrivePolicy"], "orders-dlq") {
		t.Errorf("RedrivePolicy %q", attrs["RedrivePolicy"])
	}
	tags := must(q.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: orders}))
	if tags.Tags["team"] != "shop" {
		t.Errorf("tags %v", tags.Tags)
	}
	got := must(q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: orders, MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}, MessageAttributeNames: []string{"All"}}))
	if len(got.Messages) != 1 || *got.Messages[0].Body != "second" || *got.Messages[0].MessageId != "00000000-0000-4000-8000-000000000020" ||
		*got.Messages[0].MessageAttributes["n"].StringValue != "2" || got.Messages[0].Attributes["SentTimestamp"] != "1767323045000" {
		t.Errorf("received %+v", got.Messages)
	}
	dlqs := must(q.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: must(q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders-dlq")})).QueueUrl}))
	if len(dlqs.QueueUrls) != 1 {
		t.Errorf("dead-letter sources %v", dlqs.QueueUrls)
	}

	ns := sns.NewFromConfig(cfg)
	topic := "arn:aws:sns:us-east-1:000000000000:events"
	ta := must(ns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)}))
	if ta.Attributes["DisplayName"] != "Events" || ta.Attributes["SubscriptionsConfirmed"] != "1" {
		t.Errorf("topic attributes %v", ta.Attributes)
	}
	subs := must(ns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)}))
	if len(subs.Subscriptions) != 1 || *subs.Subscriptions[0].SubscriptionArn != topic+":00000000-0000-4000-8000-000000000026" {
		t.Fatalf("subscriptions %+v", subs.Subscriptions)
	}
	sa := must(ns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: subs.Subscriptions[0].SubscriptionArn}))
	if sa.Attributes["FilterPolicy"] != `{"kind":["order"]}` || sa.Attributes["RawMessageDelivery"] != "true" {
		t.Errorf("subscription attributes %v", sa.Attributes)
	}
	// The restored subscription delivers, its filter applied.
	must(ns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("skip")}))
	must(ns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("deliver"),
		MessageAttributes: map[string]snsAttr{"kind": {DataType: aws.String("String"), StringValue: aws.String("order")}}}))
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := must(q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: orders, WaitTimeSeconds: 1}))
		if len(got.Messages) == 1 {
			if *got.Messages[0].Body != "deliver" {
				t.Errorf("delivered %q", *got.Messages[0].Body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the restored subscription delivered nothing")
		}
	}
}

// A snapshot of a newer format, or with a service's state of a newer
// version, is refused naming both versions; a corrupt one is refused;
// neither changes the emulator.
func TestSnapshotLoadRefusesWhatItCannotRead(t *testing.T) {
	t.Parallel()
	e, cfg := emutest.Start(t)
	good, err := os.ReadFile("../../fixtures/snapshots/v1.snapshot")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		file []byte
		want string
	}{
		"newer format": {[]byte("groundstack-snapshot v2\n{}"), "snapshot format v2 is newer than this groundstack reads (v1)"},
		"newer service state": {bytes.Replace(good, []byte("\"sqs\": {\n     \"version\": 1"), []byte("\"sqs\": {\n     \"version\": 7"), 1),
			"sqs state v7 is newer than this groundstack reads (v1)"},
		"not a snapshot":   {[]byte("PK\x03\x04 a zip file"), "not a groundstack snapshot"},
		"empty":            {nil, "not a groundstack snapshot"},
		"truncated":        {good[:len(good)/2], "corrupt body"},
		"trailing garbage": {append(append([]byte{}, good...), "{}"...), "data after its JSON document"},
		"unknown service":  {bytes.Replace(good, []byte(`"sns": {`), []byte(`"nosuch": {`), 1), "nosuch state, which this groundstack cannot load"},
		"bad account":      {bytes.Replace(good, []byte(`"account": "000000000000"`), []byte(`"account": "me"`), 1), "not twelve digits"},
		"bad state":        {bytes.Replace(good, []byte(`"state": "inflight"`), []byte(`"state": "lost"`), 1), "unknown state"},
	}
	for name, c := range cases {
		status, body := snapshotCall(t, e.URL(), "/_groundstack/snapshot/load", c.file)
		if status != http.StatusBadRequest || !strings.Contains(string(body), c.want) {
			t.Errorf("%s: %d %s, want 400 with %q", name, status, body, c.want)
		}
	}
	if list := must(sqs.NewFromConfig(cfg).ListQueues(context.Background(), &sqs.ListQueuesInput{})); len(list.QueueUrls) != 0 {
		t.Errorf("a refused snapshot left queues: %v", list.QueueUrls)
	}
}

// An emulator holding resources refuses a snapshot (409) unless asked to
// replace them; replacing leaves only the snapshot's.
func TestSnapshotLoadRefusesANonEmptyEmulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	file, err := os.ReadFile("../../fixtures/snapshots/v1.snapshot")
	if err != nil {
		t.Fatal(err)
	}
	e, cfg := emutest.Start(t)
	q := sqs.NewFromConfig(cfg)
	must(q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("mine")}))
	status, body := snapshotCall(t, e.URL(), "/_groundstack/snapshot/load", file)
	if status != http.StatusConflict || !strings.Contains(string(body), "holds resources") || !strings.Contains(string(body), "replace=true") {
		t.Fatalf("non-empty: %d %s", status, body)
	}
	if status, body = snapshotCall(t, e.URL(), "/_groundstack/snapshot/load?replace=true", file); status != http.StatusOK {
		t.Fatalf("replace: %d %s", status, body)
	}
	list := must(q.ListQueues(ctx, &sqs.ListQueuesInput{}))
	if len(list.QueueUrls) != 2 || contains(list.QueueUrls, e.URL()+"/000000000000/mine") {
		t.Errorf("after replace: %v", list.QueueUrls)
	}
	// A second load without replace: the emulator is no longer empty.
	if status, _ = snapshotCall(t, e.URL(), "/_groundstack/snapshot/load", file); status != http.StatusConflict {
		t.Errorf("a second load answered %d", status)
	}
}

// Every account's cell is saved and loaded into the same account.
func TestSnapshotCoversEveryAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, cfg := emutest.Start(t)
	other := as(cfg, "111122223333")
	must(sqs.NewFromConfig(other).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("theirs")}))
	file := saveSnapshot(t, a.URL())
	b, bcfg := emutest.Start(t)
	if status, body := snapshotCall(t, b.URL(), "/_groundstack/snapshot/load", file); status != http.StatusOK {
		t.Fatalf("load: %d %s", status, body)
	}
	bother := as(bcfg, "111122223333")
	if _, err := sqs.NewFromConfig(bother).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("theirs")}); err != nil {
		t.Errorf("the other account's queue: %v", err)
	}
	if list := must(sqs.NewFromConfig(bcfg).ListQueues(ctx, &sqs.ListQueuesInput{})); len(list.QueueUrls) != 0 {
		t.Errorf("the default account got %v", list.QueueUrls)
	}
}

// A gzipped snapshot loads as the plain one does.
func TestSnapshotGzip(t *testing.T) {
	t.Parallel()
	a, _ := emutest.Start(t)
	seedSnapshotState(t, emutest.Config(a.URL()))
	status, zipped := snapshotCall(t, a.URL(), "/_groundstack/snapshot?gzip=true", nil)
	if status != http.StatusOK || !bytes.HasPrefix(zipped, []byte(snapshot.Header+"\n\x1f\x8b")) {
		t.Fatalf("gzip save: %d %q", status, zipped[:min(40, len(zipped))])
	}
	b, _ := emutest.Start(t)
	if status, body := snapshotCall(t, b.URL(), "/_groundstack/snapshot/load", zipped); status != http.StatusOK {
		t.Fatalf("load: %d %s", status, body)
	}
}
