package cloudformation

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

func init() {
	registry["AWS::S3::Bucket"] = &resourceType{
		create: createBucket, update: updateBucket, delete: deleteBucket,
		replaceOn: []string{"BucketName"}, nameProps: []string{"BucketName"},
		applied: []string{"BucketName", "VersioningConfiguration", "Tags", "NotificationConfiguration", "CorsConfiguration",
			"PublicAccessBlockConfiguration", "BucketEncryption", "WebsiteConfiguration"},
	}
	registry["AWS::S3::BucketPolicy"] = &resourceType{
		create: putBucketPolicy,
		update: func(ctx context.Context, c *call) (map[string]any, error) {
			_, attrs, err := putBucketPolicy(ctx, c)
			return attrs, err
		},
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.s3().DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(c.physical)})
			return ignoreGone(err)
		},
		replaceOn: []string{"Bucket"},
	}
	registry["AWS::DynamoDB::Table"] = &resourceType{
		create: createTable, update: updateTable, delete: deleteTable,
		replaceOn: []string{"TableName", "KeySchema", "LocalSecondaryIndexes"}, nameProps: []string{"TableName"},
		applied: []string{"TableName", "AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput",
			"GlobalSecondaryIndexes", "LocalSecondaryIndexes", "StreamSpecification", "TimeToLiveSpecification", "Tags"},
	}
	registry["AWS::SQS::Queue"] = &resourceType{
		create: createQueue, update: updateQueue, delete: deleteQueue,
		replaceOn: []string{"QueueName", "FifoQueue"}, nameProps: []string{"QueueName"},
		applied: append([]string{"QueueName", "Tags"}, queueAttributes...),
	}
	registry["AWS::SQS::QueuePolicy"] = &resourceType{
		create: putQueuePolicy,
		update: func(ctx context.Context, c *call) (map[string]any, error) {
			_, attrs, err := putQueuePolicy(ctx, c)
			return attrs, err
		},
		delete: func(ctx context.Context, c *call) error {
			for _, q := range listOf(c.props["Queues"]) {
				_, err := c.cl.sqs().SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(str(q)), Attributes: map[string]string{"Policy": ""}})
				if err := ignoreGone(err); err != nil {
					return err
				}
			}
			return nil
		},
	}
	registry["AWS::SNS::Topic"] = &resourceType{
		create: createTopic, update: updateTopic, delete: deleteTopic,
		replaceOn: []string{"TopicName", "FifoTopic"}, nameProps: []string{"TopicName"},
		applied: []string{"TopicName", "DisplayName", "FifoTopic", "ContentBasedDeduplication", "KmsMasterKeyId", "TracingConfig",
			"SignatureVersion", "Subscription", "Tags"},
	}
	registry["AWS::SNS::Subscription"] = &resourceType{
		create: subscribe,
		update: func(ctx context.Context, c *call) (map[string]any, error) {
			for _, k := range []string{"FilterPolicy", "RawMessageDelivery", "RedrivePolicy", "FilterPolicyScope"} {
				if canonical(c.old[k]) == canonical(c.props[k]) {
					continue
				}
				v := ""
				if c.has(k) {
					v = jsonText(c.props[k])
					if s, ok := c.props[k].(bool); ok {
						v = strconv.FormatBool(s)
					}
				}
				if _, err := c.cl.sns().SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(c.physical), AttributeName: aws.String(k), AttributeValue: aws.String(v)}); err != nil {
					return nil, cause(err)
				}
			}
			return nil, nil
		},
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.sns().Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(c.physical)})
			return ignoreGone(err)
		},
		replaceOn: []string{"Endpoint", "Protocol", "TopicArn"},
	}
	registry["AWS::SNS::TopicPolicy"] = &resourceType{
		create: putTopicPolicy,
		update: func(ctx context.Context, c *call) (map[string]any, error) {
			_, attrs, err := putTopicPolicy(ctx, c)
			return attrs, err
		},
		delete: func(ctx context.Context, c *call) error { return nil },
	}
}

func ignoreGone(err error) error {
	if err == nil || notFound(err) {
		return nil
	}
	return cause(err)
}

func listOf(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// ---- S3 ----

func bucketAttrs(c *call, name string) map[string]any {
	return map[string]any{
		"Arn":                 "arn:aws:s3:::" + name,
		"DomainName":          name + ".s3.amazonaws.com",
		"RegionalDomainName":  name + ".s3." + c.cl.region + ".amazonaws.com",
		"DualStackDomainName": name + ".s3.dualstack." + c.cl.region + ".amazonaws.com",
		"WebsiteURL":          "http://" + name + ".s3-website-" + c.cl.region + ".amazonaws.com",
		"BucketName":          name,
	}
}

func createBucket(ctx context.Context, c *call) (string, map[string]any, error) {
	name := c.name("BucketName", 63, true)
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if c.cl.region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(c.cl.region)}
	}
	if _, err := c.cl.s3().CreateBucket(ctx, in); err != nil {
		return "", nil, cause(err)
	}
	if err := configureBucket(ctx, c, name); err != nil {
		_, _ = c.cl.s3().DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)})
		return "", nil, err
	}
	return name, bucketAttrs(c, name), nil
}

// configureBucket applies the properties beyond the name.
func configureBucket(ctx context.Context, c *call, name string) error {
	if v, ok := c.props["VersioningConfiguration"].(map[string]any); ok {
		_, err := c.cl.s3().PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name),
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatus(str(v["Status"]))}})
		if err != nil {
			return cause(err)
		}
	}
	if err := bucketExtras(ctx, c, name); err != nil {
		return err
	}
	if c.has("Tags") || (c.old != nil && c.old["Tags"] != nil) {
		tags := tagsOf(c.props["Tags"])
		var set []s3types.Tag
		for _, k := range sortedKeys(tags) {
			set = append(set, s3types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
		}
		var err error
		if len(set) == 0 {
			_, err = c.cl.s3().DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String(name)})
		} else {
			_, err = c.cl.s3().PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(name), Tagging: &s3types.Tagging{TagSet: set}})
		}
		if err != nil {
			return cause(err)
		}
	}
	return nil
}

// changed reports whether property p differs from what was deployed (or
// is set, at creation).
func (c *call) changed(p string) bool {
	if c.old == nil {
		return c.has(p)
	}
	return canonical(c.old[p]) != canonical(c.props[p])
}

// bucketExtras applies a bucket's notification, CORS, public access block,
// encryption and website properties (those that changed).
func bucketExtras(ctx context.Context, c *call, name string) error {
	b := aws.String(name)
	if c.changed("NotificationConfiguration") {
		n := mapOf(c.props["NotificationConfiguration"])
		conf := &s3types.NotificationConfiguration{}
		filter := func(v any) *s3types.NotificationConfigurationFilter {
			rules := listOf(mapOf(mapOf(v)["S3Key"])["Rules"])
			if len(rules) == 0 {
				return nil
			}
			f := &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{}}
			for _, r := range rules {
				f.Key.FilterRules = append(f.Key.FilterRules, s3types.FilterRule{Name: s3types.FilterRuleName(str(mapOf(r)["Name"])), Value: aws.String(str(mapOf(r)["Value"]))})
			}
			return f
		}
		for _, q := range listOf(n["QueueConfigurations"]) {
			m := mapOf(q)
			conf.QueueConfigurations = append(conf.QueueConfigurations, s3types.QueueConfiguration{QueueArn: aws.String(str(m["Queue"])),
				Events: []s3types.Event{s3types.Event(str(m["Event"]))}, Filter: filter(m["Filter"])})
		}
		for _, q := range listOf(n["TopicConfigurations"]) {
			m := mapOf(q)
			conf.TopicConfigurations = append(conf.TopicConfigurations, s3types.TopicConfiguration{TopicArn: aws.String(str(m["Topic"])),
				Events: []s3types.Event{s3types.Event(str(m["Event"]))}, Filter: filter(m["Filter"])})
		}
		for _, q := range listOf(n["LambdaConfigurations"]) {
			m := mapOf(q)
			conf.LambdaFunctionConfigurations = append(conf.LambdaFunctionConfigurations, s3types.LambdaFunctionConfiguration{LambdaFunctionArn: aws.String(str(m["Function"])),
				Events: []s3types.Event{s3types.Event(str(m["Event"]))}, Filter: filter(m["Filter"])})
		}
		if n["EventBridgeConfiguration"] != nil {
			conf.EventBridgeConfiguration = &s3types.EventBridgeConfiguration{}
		}
		if _, err := c.cl.s3().PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: b, NotificationConfiguration: conf}); err != nil {
			return cause(err)
		}
	}
	if c.changed("CorsConfiguration") {
		var rules []s3types.CORSRule
		for _, r := range listOf(mapOf(c.props["CorsConfiguration"])["CorsRules"]) {
			m := mapOf(r)
			rule := s3types.CORSRule{ID: strOrNil(m["Id"])}
			for _, v := range listOf(m["AllowedOrigins"]) {
				rule.AllowedOrigins = append(rule.AllowedOrigins, str(v))
			}
			for _, v := range listOf(m["AllowedMethods"]) {
				rule.AllowedMethods = append(rule.AllowedMethods, str(v))
			}
			for _, v := range listOf(m["AllowedHeaders"]) {
				rule.AllowedHeaders = append(rule.AllowedHeaders, str(v))
			}
			for _, v := range listOf(m["ExposedHeaders"]) {
				rule.ExposeHeaders = append(rule.ExposeHeaders, str(v))
			}
			if v, ok := m["MaxAge"]; ok {
				n, _ := strconv.Atoi(str(v))
				rule.MaxAgeSeconds = aws.Int32(int32(n))
			}
			rules = append(rules, rule)
		}
		var err error
		if len(rules) == 0 {
			_, err = c.cl.s3().DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: b})
		} else {
			_, err = c.cl.s3().PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: &s3types.CORSConfiguration{CORSRules: rules}})
		}
		if err != nil {
			return cause(err)
		}
	}
	if c.changed("PublicAccessBlockConfiguration") {
		var pab s3types.PublicAccessBlockConfiguration
		if err := convert(c.props["PublicAccessBlockConfiguration"], &pab); err != nil {
			return reasonf("Property PublicAccessBlockConfiguration: %v", err)
		}
		if _, err := c.cl.s3().PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &pab}); err != nil {
			return cause(err)
		}
	}
	if c.changed("BucketEncryption") {
		var rules []s3types.ServerSideEncryptionRule
		if err := convert(mapOf(c.props["BucketEncryption"])["ServerSideEncryptionConfiguration"], &rules); err != nil {
			return reasonf("Property BucketEncryption: %v", err)
		}
		if _, err := c.cl.s3().PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: rules}}); err != nil {
			return cause(err)
		}
	}
	if c.changed("WebsiteConfiguration") {
		w := mapOf(c.props["WebsiteConfiguration"])
		conf := &s3types.WebsiteConfiguration{}
		if v, ok := w["IndexDocument"]; ok {
			conf.IndexDocument = &s3types.IndexDocument{Suffix: aws.String(str(v))}
		}
		if v, ok := w["ErrorDocument"]; ok {
			conf.ErrorDocument = &s3types.ErrorDocument{Key: aws.String(str(v))}
		}
		var err error
		if w == nil {
			_, err = c.cl.s3().DeleteBucketWebsite(ctx, &s3.DeleteBucketWebsiteInput{Bucket: b})
		} else {
			_, err = c.cl.s3().PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: b, WebsiteConfiguration: conf})
		}
		if err != nil {
			return cause(err)
		}
	}
	return nil
}

func updateBucket(ctx context.Context, c *call) (map[string]any, error) {
	return bucketAttrs(c, c.physical), configureBucket(ctx, c, c.physical)
}

func deleteBucket(ctx context.Context, c *call) error {
	_, err := c.cl.s3().DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(c.physical)})
	return ignoreGone(err)
}

func putBucketPolicy(ctx context.Context, c *call) (string, map[string]any, error) {
	bucket := c.str("Bucket")
	_, err := c.cl.s3().PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(jsonText(c.props["PolicyDocument"]))})
	if err != nil {
		return "", nil, cause(err)
	}
	return bucket, map[string]any{}, nil
}

// ---- DynamoDB ----

func tableAttrs(t *ddbtypes.TableDescription) map[string]any {
	a := map[string]any{"Arn": aws.ToString(t.TableArn)}
	if t.LatestStreamArn != nil {
		a["StreamArn"] = aws.ToString(t.LatestStreamArn)
	}
	return a
}

func createTable(ctx context.Context, c *call) (string, map[string]any, error) {
	name := c.name("TableName", 255, false)
	in := &dynamodb.CreateTableInput{TableName: aws.String(name)}
	if err := convert(c.props["AttributeDefinitions"], &in.AttributeDefinitions); err != nil {
		return "", nil, reasonf("Property AttributeDefinitions: %v", err)
	}
	if err := convert(c.props["KeySchema"], &in.KeySchema); err != nil {
		return "", nil, reasonf("Property KeySchema: %v", err)
	}
	in.BillingMode = ddbtypes.BillingMode(c.str("BillingMode"))
	if in.BillingMode == "" {
		in.BillingMode = ddbtypes.BillingModeProvisioned
	}
	if pt, ok := c.props["ProvisionedThroughput"].(map[string]any); ok {
		in.ProvisionedThroughput = throughput(pt)
	}
	if c.has("GlobalSecondaryIndexes") {
		for _, g := range listOf(c.props["GlobalSecondaryIndexes"]) {
			gm, _ := g.(map[string]any)
			var gsi ddbtypes.GlobalSecondaryIndex
			pt, _ := gm["ProvisionedThroughput"].(map[string]any)
			delete(gm, "ProvisionedThroughput")
			if err := convert(gm, &gsi); err != nil {
				return "", nil, reasonf("Property GlobalSecondaryIndexes: %v", err)
			}
			if pt != nil {
				gsi.ProvisionedThroughput = throughput(pt)
				gm["ProvisionedThroughput"] = pt
			}
			in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, gsi)
		}
	}
	if c.has("LocalSecondaryIndexes") {
		if err := convert(c.props["LocalSecondaryIndexes"], &in.LocalSecondaryIndexes); err != nil {
			return "", nil, reasonf("Property LocalSecondaryIndexes: %v", err)
		}
	}
	if ss, ok := c.props["StreamSpecification"].(map[string]any); ok {
		in.StreamSpecification = &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewType(str(ss["StreamViewType"]))}
	}
	for k, v := range tagsOf(c.props["Tags"]) {
		in.Tags = append(in.Tags, ddbtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	out, err := c.cl.dynamodb().CreateTable(ctx, in)
	if err != nil {
		return "", nil, cause(err)
	}
	if err := tableTTL(ctx, c, name); err != nil {
		_, _ = c.cl.dynamodb().DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
		return "", nil, err
	}
	return name, tableAttrs(out.TableDescription), nil
}

func throughput(pt map[string]any) *ddbtypes.ProvisionedThroughput {
	r, _ := strconv.ParseInt(str(pt["ReadCapacityUnits"]), 10, 64)
	w, _ := strconv.ParseInt(str(pt["WriteCapacityUnits"]), 10, 64)
	return &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(r), WriteCapacityUnits: aws.Int64(w)}
}

func tableTTL(ctx context.Context, c *call, name string) error {
	ttl, ok := c.props["TimeToLiveSpecification"].(map[string]any)
	if !ok || canonical(ttl) == canonical(c.old["TimeToLiveSpecification"]) {
		return nil
	}
	enabled := str(ttl["Enabled"]) == "true"
	_, err := c.cl.dynamodb().UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(name),
		TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: aws.String(str(ttl["AttributeName"])), Enabled: aws.Bool(enabled)}})
	return cause0(err)
}

func cause0(err error) error {
	if err == nil {
		return nil
	}
	return cause(err)
}

func updateTable(ctx context.Context, c *call) (map[string]any, error) {
	in := &dynamodb.UpdateTableInput{TableName: aws.String(c.physical)}
	changed := false
	if canonical(c.old["BillingMode"]) != canonical(c.props["BillingMode"]) || canonical(c.old["ProvisionedThroughput"]) != canonical(c.props["ProvisionedThroughput"]) {
		in.BillingMode = ddbtypes.BillingMode(c.str("BillingMode"))
		if in.BillingMode == "" {
			in.BillingMode = ddbtypes.BillingModeProvisioned
		}
		if pt, ok := c.props["ProvisionedThroughput"].(map[string]any); ok {
			in.ProvisionedThroughput = throughput(pt)
		}
		changed = true
	}
	if canonical(c.old["StreamSpecification"]) != canonical(c.props["StreamSpecification"]) {
		if ss, ok := c.props["StreamSpecification"].(map[string]any); ok {
			in.StreamSpecification = &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewType(str(ss["StreamViewType"]))}
		} else {
			in.StreamSpecification = &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(false)}
		}
		changed = true
	}
	gsiUpdates, err := gsiChanges(c)
	if err != nil {
		return nil, err
	}
	var desc *ddbtypes.TableDescription
	if changed {
		out, err := c.cl.dynamodb().UpdateTable(ctx, in)
		if err != nil {
			return nil, cause(err)
		}
		desc = out.TableDescription
	}
	// DynamoDB takes one index change per UpdateTable, as CloudFormation
	// makes them.
	for _, u := range gsiUpdates {
		in := &dynamodb.UpdateTableInput{TableName: aws.String(c.physical), GlobalSecondaryIndexUpdates: []ddbtypes.GlobalSecondaryIndexUpdate{u}}
		if u.Create != nil {
			if err := convert(c.props["AttributeDefinitions"], &in.AttributeDefinitions); err != nil {
				return nil, reasonf("Property AttributeDefinitions: %v", err)
			}
		}
		out, err := c.cl.dynamodb().UpdateTable(ctx, in)
		if err != nil {
			return nil, cause(err)
		}
		desc = out.TableDescription
	}
	if err := tableTTL(ctx, c, c.physical); err != nil {
		return nil, err
	}
	if desc == nil {
		out, err := c.cl.dynamodb().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(c.physical)})
		if err != nil {
			return nil, cause(err)
		}
		desc = out.Table
	}
	return tableAttrs(desc), nil
}

// gsiChanges compares the deployed and the new global secondary indexes
// by name: those gone are deleted, new ones created, and a changed one is
// refused (AWS cannot change an index's keys or projection either).
func gsiChanges(c *call) ([]ddbtypes.GlobalSecondaryIndexUpdate, error) {
	byName := func(v any) map[string]map[string]any {
		m := map[string]map[string]any{}
		for _, g := range listOf(v) {
			gm := mapOf(g)
			m[str(gm["IndexName"])] = gm
		}
		return m
	}
	old, cur := byName(c.old["GlobalSecondaryIndexes"]), byName(c.props["GlobalSecondaryIndexes"])
	var out []ddbtypes.GlobalSecondaryIndexUpdate
	for _, name := range sortedKeys(old) {
		if _, ok := cur[name]; !ok {
			out = append(out, ddbtypes.GlobalSecondaryIndexUpdate{Delete: &ddbtypes.DeleteGlobalSecondaryIndexAction{IndexName: aws.String(name)}})
		}
	}
	for _, name := range sortedKeys(cur) {
		g := cur[name]
		if prev, ok := old[name]; ok {
			if canonical(prev) != canonical(g) {
				return nil, reasonf("groundstack does not change the global secondary index %s of %s in place: give the changed index a new name", name, c.physical)
			}
			continue
		}
		var a ddbtypes.CreateGlobalSecondaryIndexAction
		if err := convert(map[string]any{"IndexName": g["IndexName"], "KeySchema": g["KeySchema"], "Projection": g["Projection"]}, &a); err != nil {
			return nil, reasonf("Property GlobalSecondaryIndexes: %v", err)
		}
		if pt, ok := g["ProvisionedThroughput"].(map[string]any); ok {
			a.ProvisionedThroughput = throughput(pt)
		}
		out = append(out, ddbtypes.GlobalSecondaryIndexUpdate{Create: &a})
	}
	return out, nil
}

func deleteTable(ctx context.Context, c *call) error {
	_, err := c.cl.dynamodb().DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(c.physical)})
	return ignoreGone(err)
}

// ---- SQS ----

// queueAttributes are the queue properties that are SQS attributes.
var queueAttributes = []string{
	"DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
	"VisibilityTimeout", "RedrivePolicy", "RedriveAllowPolicy", "ContentBasedDeduplication", "FifoQueue",
	"KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled", "DeduplicationScope", "FifoThroughputLimit",
}

func queueAttrMap(c *call, create bool) map[string]string {
	attrs := map[string]string{}
	for _, k := range queueAttributes {
		v, ok := c.props[k]
		if !ok {
			continue
		}
		if !create && (k == "FifoQueue" || canonical(v) == canonical(c.old[k])) {
			continue
		}
		if _, isMap := v.(map[string]any); isMap {
			attrs[k] = jsonText(v)
		} else {
			attrs[k] = str(v)
		}
	}
	return attrs
}

func createQueue(ctx context.Context, c *call) (string, map[string]any, error) {
	name := c.name("QueueName", 80, false)
	if c.boolean("FifoQueue") && !c.has("QueueName") {
		name = physicalName(c.stack.Name, c.logical, 75, false) + ".fifo"
	}
	in := &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: queueAttrMap(c, true)}
	if t := tagsOf(c.props["Tags"]); len(t) > 0 {
		in.Tags = t
	}
	out, err := c.cl.sqs().CreateQueue(ctx, in)
	if err != nil {
		return "", nil, cause(err)
	}
	url := aws.ToString(out.QueueUrl)
	return url, map[string]any{"Arn": c.cl.arn("sqs", name), "QueueName": name, "QueueUrl": url}, nil
}

func updateQueue(ctx context.Context, c *call) (map[string]any, error) {
	attrs := queueAttrMap(c, false)
	if len(attrs) > 0 {
		if _, err := c.cl.sqs().SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(c.physical), Attributes: attrs}); err != nil {
			return nil, cause(err)
		}
	}
	return nil, nil
}

func deleteQueue(ctx context.Context, c *call) error {
	_, err := c.cl.sqs().DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(c.physical)})
	return ignoreGone(err)
}

func putQueuePolicy(ctx context.Context, c *call) (string, map[string]any, error) {
	doc := jsonText(c.props["PolicyDocument"])
	for _, q := range listOf(c.props["Queues"]) {
		if _, err := c.cl.sqs().SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(str(q)), Attributes: map[string]string{"Policy": doc}}); err != nil {
			return "", nil, cause(err)
		}
	}
	return physicalName(c.stack.Name, c.logical, 128, false), map[string]any{}, nil
}

// ---- SNS ----

func createTopic(ctx context.Context, c *call) (string, map[string]any, error) {
	name := c.name("TopicName", 256, false)
	if c.boolean("FifoTopic") && !c.has("TopicName") {
		name = physicalName(c.stack.Name, c.logical, 251, false) + ".fifo"
	}
	in := &sns.CreateTopicInput{Name: aws.String(name), Attributes: map[string]string{}}
	for _, k := range sortedKeys(tagsOf(c.props["Tags"])) {
		in.Tags = append(in.Tags, snstypes.Tag{Key: aws.String(k), Value: aws.String(tagsOf(c.props["Tags"])[k])})
	}
	for _, k := range []string{"DisplayName", "FifoTopic", "ContentBasedDeduplication", "KmsMasterKeyId", "TracingConfig", "SignatureVersion"} {
		if c.has(k) {
			in.Attributes[k] = c.str(k)
		}
	}
	out, err := c.cl.sns().CreateTopic(ctx, in)
	if err != nil {
		return "", nil, cause(err)
	}
	arn := aws.ToString(out.TopicArn)
	for _, s := range listOf(c.props["Subscription"]) {
		sm, _ := s.(map[string]any)
		if _, err := c.cl.sns().Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String(str(sm["Protocol"])), Endpoint: aws.String(str(sm["Endpoint"]))}); err != nil {
			_, _ = c.cl.sns().DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(arn)})
			return "", nil, cause(err)
		}
	}
	return arn, map[string]any{"TopicArn": arn, "TopicName": name}, nil
}

func updateTopic(ctx context.Context, c *call) (map[string]any, error) {
	for _, k := range []string{"DisplayName", "KmsMasterKeyId", "TracingConfig", "SignatureVersion", "ContentBasedDeduplication"} {
		if canonical(c.old[k]) == canonical(c.props[k]) {
			continue
		}
		if _, err := c.cl.sns().SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(c.physical), AttributeName: aws.String(k), AttributeValue: aws.String(c.str(k))}); err != nil {
			return nil, cause(err)
		}
	}
	if canonical(c.old["Subscription"]) != canonical(c.props["Subscription"]) {
		return nil, reasonf("groundstack does not change a topic's inline Subscription in place yet: use AWS::SNS::Subscription resources")
	}
	return nil, nil
}

func deleteTopic(ctx context.Context, c *call) error {
	_, err := c.cl.sns().DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(c.physical)})
	return ignoreGone(err)
}

func subscribe(ctx context.Context, c *call) (string, map[string]any, error) {
	in := &sns.SubscribeInput{TopicArn: aws.String(c.str("TopicArn")), Protocol: aws.String(c.str("Protocol")), Endpoint: c.strPtr("Endpoint"),
		ReturnSubscriptionArn: true, Attributes: map[string]string{}}
	for _, k := range []string{"FilterPolicy", "RawMessageDelivery", "RedrivePolicy", "FilterPolicyScope", "DeliveryPolicy"} {
		if c.has(k) {
			in.Attributes[k] = jsonText(c.props[k])
			if b, ok := c.props[k].(bool); ok {
				in.Attributes[k] = strconv.FormatBool(b)
			}
		}
	}
	out, err := c.cl.sns().Subscribe(ctx, in)
	if err != nil {
		return "", nil, cause(err)
	}
	arn := aws.ToString(out.SubscriptionArn)
	return arn, map[string]any{"Arn": arn}, nil
}

func putTopicPolicy(ctx context.Context, c *call) (string, map[string]any, error) {
	doc := jsonText(c.props["PolicyDocument"])
	for _, t := range listOf(c.props["Topics"]) {
		if _, err := c.cl.sns().SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(str(t)), AttributeName: aws.String("Policy"), AttributeValue: aws.String(doc)}); err != nil {
			return "", nil, cause(err)
		}
	}
	return physicalName(c.stack.Name, c.logical, 128, false), map[string]any{}, nil
}
