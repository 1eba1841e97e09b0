package logs_test

import (
	"compress/gzip"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

const doc = `{"Version":"2012-10-17","Statement":[]}`

func TestResourceAndAccountPolicies(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	p := must(c.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{PolicyName: aws.String("p1"), PolicyDocument: aws.String(doc)})).ok(t)
	if *p.ResourcePolicy.PolicyName != "p1" || p.ResourcePolicy.PolicyScope != types.PolicyScopeAccount || p.RevisionId == nil {
		t.Fatalf("put %+v", p.ResourcePolicy)
	}
	_, err := c.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{PolicyName: aws.String("p1"), PolicyDocument: aws.String(doc), ExpectedRevisionId: aws.String("stale")})
	wantCode(t, err, "InvalidParameterException", "")
	for i := 2; i <= 10; i++ {
		must(c.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{PolicyName: aws.String("p" + string(rune('0'+i))), PolicyDocument: aws.String(doc)})).ok(t)
	}
	_, err = c.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{PolicyName: aws.String("p11"), PolicyDocument: aws.String(doc)})
	wantCode(t, err, "LimitExceededException", "Resource limit exceeded.")
	list := must(c.DescribeResourcePolicies(ctx, &cwl.DescribeResourcePoliciesInput{})).ok(t)
	if len(list.ResourcePolicies) != 10 {
		t.Fatalf("%d policies", len(list.ResourcePolicies))
	}
	must(c.DeleteResourcePolicy(ctx, &cwl.DeleteResourcePolicyInput{PolicyName: aws.String("p1")})).ok(t)
	_, err = c.DeleteResourcePolicy(ctx, &cwl.DeleteResourcePolicyInput{PolicyName: aws.String("p1")})
	wantCode(t, err, "ResourceNotFoundException", "Policy with name [p1] does not exist")

	ap := must(c.PutAccountPolicy(ctx, &cwl.PutAccountPolicyInput{PolicyName: aws.String("dp"), PolicyDocument: aws.String(doc),
		PolicyType: types.PolicyTypeDataProtectionPolicy})).ok(t)
	if *ap.AccountPolicy.AccountId != "000000000000" || ap.AccountPolicy.Scope != types.ScopeAll {
		t.Fatalf("account policy %+v", ap.AccountPolicy)
	}
	aps := must(c.DescribeAccountPolicies(ctx, &cwl.DescribeAccountPoliciesInput{PolicyType: types.PolicyTypeDataProtectionPolicy})).ok(t)
	if len(aps.AccountPolicies) != 1 {
		t.Fatalf("%d account policies", len(aps.AccountPolicies))
	}
	if aps := must(c.DescribeAccountPolicies(ctx, &cwl.DescribeAccountPoliciesInput{PolicyType: types.PolicyTypeFieldIndexPolicy})).ok(t); len(aps.AccountPolicies) != 0 {
		t.Fatal("other type listed")
	}
	must(c.DeleteAccountPolicy(ctx, &cwl.DeleteAccountPolicyInput{PolicyName: aws.String("dp"), PolicyType: types.PolicyTypeDataProtectionPolicy})).ok(t)
	_, err = c.DeleteAccountPolicy(ctx, &cwl.DeleteAccountPolicyInput{PolicyName: aws.String("dp"), PolicyType: types.PolicyTypeDataProtectionPolicy})
	wantCode(t, err, "ResourceNotFoundException", "Policy with name [dp] does not exist")
	_, err = c.PutAccountPolicy(ctx, &cwl.PutAccountPolicyInput{PolicyName: aws.String("bad"), PolicyDocument: aws.String("not json"),
		PolicyType: types.PolicyTypeDataProtectionPolicy})
	wantCode(t, err, "InvalidParameterException", "")
}

func TestGroupSettings(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	mkGroup(t, c, "/settings")
	// data protection
	dp := must(c.PutDataProtectionPolicy(ctx, &cwl.PutDataProtectionPolicyInput{LogGroupIdentifier: aws.String("/settings"), PolicyDocument: aws.String(doc)})).ok(t)
	if *dp.PolicyDocument != doc {
		t.Fatalf("put %+v", dp)
	}
	got := must(c.GetDataProtectionPolicy(ctx, &cwl.GetDataProtectionPolicyInput{LogGroupIdentifier: aws.String("/settings")})).ok(t)
	if aws.ToString(got.PolicyDocument) != doc {
		t.Fatalf("get %+v", got)
	}
	must(c.DeleteDataProtectionPolicy(ctx, &cwl.DeleteDataProtectionPolicyInput{LogGroupIdentifier: aws.String("/settings")})).ok(t)
	_, err := c.DeleteDataProtectionPolicy(ctx, &cwl.DeleteDataProtectionPolicyInput{LogGroupIdentifier: aws.String("/settings")})
	wantCode(t, err, "ResourceNotFoundException", "")
	_, err = c.GetDataProtectionPolicy(ctx, &cwl.GetDataProtectionPolicyInput{LogGroupIdentifier: aws.String("/none")})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")

	// KMS key
	key := "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	must(c.AssociateKmsKey(ctx, &cwl.AssociateKmsKeyInput{LogGroupName: aws.String("/settings"), KmsKeyId: aws.String(key)})).ok(t)
	g := must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/settings")})).ok(t).LogGroups[0]
	if aws.ToString(g.KmsKeyId) != key {
		t.Fatalf("kmsKeyId %v", g.KmsKeyId)
	}
	_, err = c.AssociateKmsKey(ctx, &cwl.AssociateKmsKeyInput{LogGroupName: aws.String("/settings"), KmsKeyId: aws.String("alias/x")})
	wantCode(t, err, "InvalidParameterException", "Specified KMS key alias/x is not a valid KMS key ARN.")
	must(c.DisassociateKmsKey(ctx, &cwl.DisassociateKmsKeyInput{LogGroupName: aws.String("/settings")})).ok(t)
	g = must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/settings")})).ok(t).LogGroups[0]
	if g.KmsKeyId != nil {
		t.Fatalf("kmsKeyId after disassociate %v", *g.KmsKeyId)
	}

	// deletion protection: put on a group, or asked at its creation
	must(c.PutLogGroupDeletionProtection(ctx, &cwl.PutLogGroupDeletionProtectionInput{LogGroupIdentifier: aws.String("/settings"), DeletionProtectionEnabled: aws.Bool(true)})).ok(t)
	must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/born-protected"), DeletionProtectionEnabled: aws.Bool(true)})).ok(t)
	for _, name := range []string{"/settings", "/born-protected"} {
		g = must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})).ok(t).LogGroups[0]
		if !aws.ToBool(g.DeletionProtectionEnabled) {
			t.Fatalf("%s: deletion protection not shown", name)
		}
		_, err = c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String(name)})
		wantCode(t, err, "ValidationException", "")
	}
	must(c.PutLogGroupDeletionProtection(ctx, &cwl.PutLogGroupDeletionProtectionInput{LogGroupIdentifier: aws.String("/settings"), DeletionProtectionEnabled: aws.Bool(false)})).ok(t)
	must(c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/settings")})).ok(t)
}

func TestDestinations(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	d := must(c.PutDestination(ctx, &cwl.PutDestinationInput{DestinationName: aws.String("d1"), TargetArn: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s"),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/r")})).ok(t).Destination
	if *d.Arn != "arn:aws:logs:us-east-1:000000000000:destination:d1" || d.CreationTime == nil {
		t.Fatalf("destination %+v", d)
	}
	must(c.PutDestinationPolicy(ctx, &cwl.PutDestinationPolicyInput{DestinationName: aws.String("d1"), AccessPolicy: aws.String(doc)})).ok(t)
	_, err := c.PutDestinationPolicy(ctx, &cwl.PutDestinationPolicyInput{DestinationName: aws.String("nope"), AccessPolicy: aws.String(doc)})
	wantCode(t, err, "ResourceNotFoundException", "The specified destination does not exist.")
	ds := must(c.DescribeDestinations(ctx, &cwl.DescribeDestinationsInput{DestinationNamePrefix: aws.String("d")})).ok(t)
	if len(ds.Destinations) != 1 || aws.ToString(ds.Destinations[0].AccessPolicy) != doc {
		t.Fatalf("destinations %+v", ds.Destinations)
	}
	// a subscription filter may name it
	mkGroup(t, c, "/dest")
	must(c.PutSubscriptionFilter(ctx, &cwl.PutSubscriptionFilterInput{LogGroupName: aws.String("/dest"), FilterName: aws.String("f"),
		FilterPattern: aws.String(""), DestinationArn: d.Arn})).ok(t)
	must(c.DeleteDestination(ctx, &cwl.DeleteDestinationInput{DestinationName: aws.String("d1")})).ok(t)
	_, err = c.DeleteDestination(ctx, &cwl.DeleteDestinationInput{DestinationName: aws.String("d1")})
	wantCode(t, err, "ResourceNotFoundException", "The specified destination does not exist.")
	_, err = c.PutSubscriptionFilter(ctx, &cwl.PutSubscriptionFilterInput{LogGroupName: aws.String("/dest"), FilterName: aws.String("g"),
		FilterPattern: aws.String(""), DestinationArn: d.Arn})
	wantCode(t, err, "InvalidParameterException", "The specified destination does not exist.")
}

func TestExportTasks(t *testing.T) {
	t.Parallel()
	e, c := client(t)
	s3c := s3.NewFromConfig(emutest.Config(e.URL()), func(o *s3.Options) { o.UsePathStyle = true })
	must(s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("exports")})).ok(t)
	mkGroup(t, c, "/exp", "a", "b", "c")
	now := time.Now().Truncate(time.Second)
	put(t, c, "/exp", "a", now, "one", "two")
	put(t, c, "/exp", "b", now, "three")
	put(t, c, "/exp", "c", now.Add(-time.Hour), "old")
	id := must(c.CreateExportTask(ctx, &cwl.CreateExportTaskInput{TaskName: aws.String("t"), LogGroupName: aws.String("/exp"), From: aws.Int64(now.Add(-time.Minute).UnixMilli()),
		To: aws.Int64(now.Add(time.Minute).UnixMilli()), Destination: aws.String("exports"), DestinationPrefix: aws.String("logs")})).ok(t).TaskId
	obj := must(s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("exports"), Key: aws.String("logs/" + *id + "/a/000000.gz")})).ok(t)
	zr, err := gzip.NewReader(obj.Body)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(zr)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "Z one") || !strings.HasSuffix(lines[1], " two") {
		t.Fatalf("export of a: %q", b)
	}
	keys := must(s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("exports"), Prefix: aws.String("logs/" + *id + "/")})).ok(t)
	if len(keys.Contents) != 2 { // a and b; c has nothing in the range
		t.Fatalf("%d objects", len(keys.Contents))
	}
	tasks := must(c.DescribeExportTasks(ctx, &cwl.DescribeExportTasksInput{TaskId: id})).ok(t)
	if len(tasks.ExportTasks) != 1 || tasks.ExportTasks[0].Status.Code != types.ExportTaskStatusCodeCompleted || *tasks.ExportTasks[0].DestinationPrefix != "logs" {
		t.Fatalf("tasks %+v", tasks.ExportTasks)
	}
	_, err = c.CancelExportTask(ctx, &cwl.CancelExportTaskInput{TaskId: id})
	wantCode(t, err, "InvalidOperationException", "The specified export task has already finished")
	_, err = c.CancelExportTask(ctx, &cwl.CancelExportTaskInput{TaskId: aws.String("nope")})
	wantCode(t, err, "ResourceNotFoundException", "The specified export task does not exist.")
	_, err = c.CreateExportTask(ctx, &cwl.CreateExportTaskInput{LogGroupName: aws.String("/exp"), From: aws.Int64(0), To: aws.Int64(1), Destination: aws.String("no-bucket")})
	wantCode(t, err, "InvalidParameterException", "The given bucket does not exist. Please make sure the bucket is valid.")
}

func TestListLogGroups(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	for _, n := range []string{"/svc/api", "/svc/web", "/batch/jobs"} {
		mkGroup(t, c, n)
	}
	must(c.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:/svc/web"), Tags: map[string]string{"team": "web"}})).ok(t)
	out := must(c.ListLogGroups(ctx, &cwl.ListLogGroupsInput{LogGroupNamePattern: aws.String("^/svc")})).ok(t)
	if len(out.LogGroups) != 2 || *out.LogGroups[0].LogGroupName != "/svc/api" || *out.LogGroups[0].LogGroupArn != "arn:aws:logs:us-east-1:000000000000:log-group:/svc/api" {
		t.Fatalf("pattern %+v", out.LogGroups)
	}
	out = must(c.ListLogGroups(ctx, &cwl.ListLogGroupsInput{Limit: aws.Int32(2)})).ok(t)
	if len(out.LogGroups) != 2 || out.NextToken == nil {
		t.Fatalf("page 1 %+v", out)
	}
	out = must(c.ListLogGroups(ctx, &cwl.ListLogGroupsInput{Limit: aws.Int32(2), NextToken: out.NextToken})).ok(t)
	if len(out.LogGroups) != 1 || out.NextToken != nil {
		t.Fatalf("page 2 %+v", out)
	}
	out = must(c.ListLogGroups(ctx, &cwl.ListLogGroupsInput{LogGroupTags: []types.TagFilter{{Key: aws.String("team"), Values: []string{"web"}}}})).ok(t)
	if len(out.LogGroups) != 1 || *out.LogGroups[0].LogGroupName != "/svc/web" {
		t.Fatalf("tags %+v", out.LogGroups)
	}
}

func TestIndexPolicies(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	mkGroup(t, c, "/idx", "s")
	now := time.Now()
	put(t, c, "/idx", "s", now, `{"RequestId":"r1"}`, "plain", `{"RequestId":"r2","Other":1}`)
	p := must(c.PutIndexPolicy(ctx, &cwl.PutIndexPolicyInput{LogGroupIdentifier: aws.String("/idx"), PolicyDocument: aws.String(`{"Fields":["RequestId","Missing"]}`)})).ok(t)
	if *p.IndexPolicy.LogGroupIdentifier != "arn:aws:logs:us-east-1:000000000000:log-group:/idx" || p.IndexPolicy.Source != types.IndexSourceLogGroup {
		t.Fatalf("policy %+v", p.IndexPolicy)
	}
	_, err := c.PutIndexPolicy(ctx, &cwl.PutIndexPolicyInput{LogGroupIdentifier: aws.String("/idx"), PolicyDocument: aws.String(`{}`)})
	wantCode(t, err, "InvalidParameterException", "")
	_, err = c.PutIndexPolicy(ctx, &cwl.PutIndexPolicyInput{LogGroupIdentifier: aws.String("/none"), PolicyDocument: aws.String(`{"Fields":["a"]}`)})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	ps := must(c.DescribeIndexPolicies(ctx, &cwl.DescribeIndexPoliciesInput{LogGroupIdentifiers: []string{"/idx"}})).ok(t)
	if len(ps.IndexPolicies) != 1 || *ps.IndexPolicies[0].PolicyDocument != `{"Fields":["RequestId","Missing"]}` {
		t.Fatalf("policies %+v", ps.IndexPolicies)
	}
	fi := must(c.DescribeFieldIndexes(ctx, &cwl.DescribeFieldIndexesInput{LogGroupIdentifiers: []string{"/idx"}})).ok(t)
	if len(fi.FieldIndexes) != 2 || *fi.FieldIndexes[1].FieldIndexName != "RequestId" || aws.ToInt64(fi.FieldIndexes[1].FirstEventTime) != now.UnixMilli() ||
		aws.ToInt64(fi.FieldIndexes[1].LastEventTime) != now.UnixMilli()+2 || fi.FieldIndexes[0].FirstEventTime != nil {
		t.Fatalf("field indexes %+v", fi.FieldIndexes)
	}
	must(c.DeleteIndexPolicy(ctx, &cwl.DeleteIndexPolicyInput{LogGroupIdentifier: aws.String("/idx")})).ok(t)
	_, err = c.DeleteIndexPolicy(ctx, &cwl.DeleteIndexPolicyInput{LogGroupIdentifier: aws.String("/idx")})
	wantCode(t, err, "ResourceNotFoundException", "The specified index policy does not exist.")
}

func TestTransformers(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	mkGroup(t, c, "/tr")
	cfg := []types.Processor{
		{ParseJSON: &types.ParseJSON{}},
		{AddKeys: &types.AddKeys{Entries: []types.AddKeyEntry{{Key: aws.String("env"), Value: aws.String("prod")}}}},
		{RenameKeys: &types.RenameKeys{Entries: []types.RenameKeyEntry{{Key: aws.String("lvl"), RenameTo: aws.String("level")}}}},
		{UpperCaseString: &types.UpperCaseString{WithKeys: []string{"level"}}},
		{DeleteKeys: &types.DeleteKeys{WithKeys: []string{"secret"}}},
		{TypeConverter: &types.TypeConverter{Entries: []types.TypeConverterEntry{{Key: aws.String("ms"), Type: types.TypeInteger}}}},
	}
	must(c.PutTransformer(ctx, &cwl.PutTransformerInput{LogGroupIdentifier: aws.String("/tr"), TransformerConfig: cfg})).ok(t)
	got := must(c.GetTransformer(ctx, &cwl.GetTransformerInput{LogGroupIdentifier: aws.String("/tr")})).ok(t)
	if len(got.TransformerConfig) != 6 || got.TransformerConfig[1].AddKeys == nil || *got.TransformerConfig[1].AddKeys.Entries[0].Value != "prod" || got.CreationTime == nil {
		t.Fatalf("transformer %+v", got)
	}
	_, err := c.PutTransformer(ctx, &cwl.PutTransformerInput{LogGroupIdentifier: aws.String("/tr"), TransformerConfig: cfg[1:]})
	wantCode(t, err, "InvalidParameterException", "The first processor of a transformer must be a parser.")
	out := must(c.TestTransformer(ctx, &cwl.TestTransformerInput{TransformerConfig: cfg,
		LogEventMessages: []string{`{"lvl":"warn","ms":"12","secret":"x"}`, "not json"}})).ok(t)
	if len(out.TransformedLogs) != 2 || *out.TransformedLogs[0].TransformedEventMessage != `{"env":"prod","level":"WARN","ms":12}` ||
		*out.TransformedLogs[1].TransformedEventMessage != `{"env":"prod"}` {
		t.Fatalf("transformed %+v %+v", *out.TransformedLogs[0].TransformedEventMessage, *out.TransformedLogs[1].TransformedEventMessage)
	}
	_, err = c.TestTransformer(ctx, &cwl.TestTransformerInput{TransformerConfig: []types.Processor{{Grok: &types.Grok{Match: aws.String("%{IP:ip}")}}},
		LogEventMessages: []string{"1.2.3.4"}})
	wantCode(t, err, "InvalidOperationException", "")
	must(c.DeleteTransformer(ctx, &cwl.DeleteTransformerInput{LogGroupIdentifier: aws.String("/tr")})).ok(t)
	_, err = c.DeleteTransformer(ctx, &cwl.DeleteTransformerInput{LogGroupIdentifier: aws.String("/tr")})
	wantCode(t, err, "ResourceNotFoundException", "The specified transformer does not exist.")
}
