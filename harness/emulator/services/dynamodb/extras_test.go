package dynamodb_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Resource-based policies carry revision ids that guard updates.
func TestResourcePolicies(t *testing.T) {
	t.Parallel()
	v := start(t)
	v.createTable("pol", "id", "")
	arn := aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/pol")
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"dynamodb:GetItem","Resource":"*"}]}`
	_, err := v.db.GetResourcePolicy(v.ctx, &ddb.GetResourcePolicyInput{ResourceArn: arn})
	wantExact(t, err, "PolicyNotFoundException", "Resource-based policy not found for the provided ResourceArn: "+*arn)
	put, err := v.db.PutResourcePolicy(v.ctx, &ddb.PutResourcePolicyInput{ResourceArn: arn, Policy: aws.String(doc), ExpectedRevisionId: aws.String("NO_POLICY")})
	if err != nil || put.RevisionId == nil {
		t.Fatalf("PutResourcePolicy: %+v %v", put, err)
	}
	rev := *put.RevisionId
	got, err := v.db.GetResourcePolicy(v.ctx, &ddb.GetResourcePolicyInput{ResourceArn: arn})
	if err != nil || *got.Policy != doc || *got.RevisionId != rev {
		t.Fatalf("GetResourcePolicy: %+v %v", got, err)
	}
	cases := []struct {
		name      string
		call      func() error
		code, msg string
	}{
		{"expecting none", func() error {
			_, err := v.db.PutResourcePolicy(v.ctx, &ddb.PutResourcePolicyInput{ResourceArn: arn, Policy: aws.String(doc), ExpectedRevisionId: aws.String("NO_POLICY")})
			return err
		}, "PolicyNotFoundException", "Resource-based policy not found for the provided ResourceArn: Requested policy update expecting none to be present for table pol, but a policy exists with revision id " + rev + "."},
		{"stale revision", func() error {
			_, err := v.db.DeleteResourcePolicy(v.ctx, &ddb.DeleteResourcePolicyInput{ResourceArn: arn, ExpectedRevisionId: aws.String("1")})
			return err
		}, "PolicyNotFoundException", "Resource-based policy not found for the provided ResourceArn: Requested update for policy with revision id 1, but the policy associated to target table pol has revision id " + rev + "."},
		{"missing table", func() error {
			_, err := v.db.GetResourcePolicy(v.ctx, &ddb.GetResourcePolicyInput{ResourceArn: aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/nope")})
			return err
		}, "ResourceNotFoundException", "Requested resource not found: Table: nope not found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantExact(t, c.call(), c.code, c.msg) })
	}
	del, err := v.db.DeleteResourcePolicy(v.ctx, &ddb.DeleteResourcePolicyInput{ResourceArn: arn, ExpectedRevisionId: aws.String(rev)})
	if err != nil || *del.RevisionId != rev {
		t.Fatalf("DeleteResourcePolicy: %+v %v", del, err)
	}
	_, err = v.db.GetResourcePolicy(v.ctx, &ddb.GetResourcePolicyInput{ResourceArn: arn})
	wantErr(t, err, "PolicyNotFoundException", "")
}

// Contributor insights and Kinesis streaming destinations are stored and
// reported (nothing is delivered: the emulator has no Kinesis).
func TestInsightsAndKinesisDestinations(t *testing.T) {
	t.Parallel()
	v := start(t)
	v.createTable("ins", "id", "")
	d, err := v.db.DescribeContributorInsights(v.ctx, &ddb.DescribeContributorInsightsInput{TableName: aws.String("ins")})
	if err != nil || d.ContributorInsightsStatus != types.ContributorInsightsStatusDisabled {
		t.Fatalf("DescribeContributorInsights: %+v %v", d, err)
	}
	u, err := v.db.UpdateContributorInsights(v.ctx, &ddb.UpdateContributorInsightsInput{TableName: aws.String("ins"), ContributorInsightsAction: types.ContributorInsightsActionEnable})
	if err != nil || u.ContributorInsightsStatus != types.ContributorInsightsStatusEnabling {
		t.Fatalf("UpdateContributorInsights: %+v %v", u, err)
	}
	d, err = v.db.DescribeContributorInsights(v.ctx, &ddb.DescribeContributorInsightsInput{TableName: aws.String("ins")})
	if err != nil || d.ContributorInsightsStatus != types.ContributorInsightsStatusEnabled || len(d.ContributorInsightsRuleList) != 4 {
		t.Fatalf("DescribeContributorInsights after enabling: %+v %v", d, err)
	}
	l, err := v.db.ListContributorInsights(v.ctx, &ddb.ListContributorInsightsInput{})
	if err != nil || len(l.ContributorInsightsSummaries) != 1 || *l.ContributorInsightsSummaries[0].TableName != "ins" {
		t.Fatalf("ListContributorInsights: %+v %v", l, err)
	}
	_, err = v.db.UpdateContributorInsights(v.ctx, &ddb.UpdateContributorInsightsInput{TableName: aws.String("ins"), IndexName: aws.String("nope"),
		ContributorInsightsAction: types.ContributorInsightsActionEnable})
	wantExact(t, err, "ResourceNotFoundException", "Requested resource not found: Index: nope not found")

	stream := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/changes")
	en, err := v.db.EnableKinesisStreamingDestination(v.ctx, &ddb.EnableKinesisStreamingDestinationInput{TableName: aws.String("ins"), StreamArn: stream})
	if err != nil || en.DestinationStatus != types.DestinationStatusEnabling {
		t.Fatalf("EnableKinesisStreamingDestination: %+v %v", en, err)
	}
	_, err = v.db.EnableKinesisStreamingDestination(v.ctx, &ddb.EnableKinesisStreamingDestinationInput{TableName: aws.String("ins"), StreamArn: stream})
	wantExact(t, err, "ValidationException", "Table is not in a valid state to enable Kinesis Streaming Destination: EnableKinesisStreamingDestination must be DISABLED or ENABLE_FAILED to perform ENABLE operation.")
	// AWS's answers as LocalStack's AWS-recorded test of these calls has them.
	_, err = v.db.UpdateKinesisStreamingDestination(v.ctx, &ddb.UpdateKinesisStreamingDestinationInput{TableName: aws.String("ins"), StreamArn: stream})
	wantExact(t, err, "ValidationException", "Streaming destination cannot be updated with given parameters: UpdateKinesisStreamingConfiguration cannot be null or contain only null values")
	micro := &types.UpdateKinesisStreamingConfiguration{ApproximateCreationDateTimePrecision: types.ApproximateCreationDateTimePrecisionMicrosecond}
	other := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/bad-stream")
	_, err = v.db.UpdateKinesisStreamingDestination(v.ctx, &ddb.UpdateKinesisStreamingDestinationInput{TableName: aws.String("ins"), StreamArn: other, UpdateKinesisStreamingConfiguration: micro})
	wantExact(t, err, "ValidationException", "Table is not in a valid state to enable Kinesis Streaming Destination: No streaming destination with streamArn: "+*other+" found for table with tableName: ins")
	if _, err := v.db.UpdateKinesisStreamingDestination(v.ctx, &ddb.UpdateKinesisStreamingDestinationInput{TableName: aws.String("ins"), StreamArn: stream,
		UpdateKinesisStreamingConfiguration: micro}); err != nil {
		t.Fatal(err)
	}
	_, err = v.db.UpdateKinesisStreamingDestination(v.ctx, &ddb.UpdateKinesisStreamingDestinationInput{TableName: aws.String("ins"), StreamArn: stream, UpdateKinesisStreamingConfiguration: micro})
	wantErr(t, err, "ValidationException", "Invalid Request: Precision is already set to the desired value of MICROSECOND for tableId: ")
	desc, err := v.db.DescribeKinesisStreamingDestination(v.ctx, &ddb.DescribeKinesisStreamingDestinationInput{TableName: aws.String("ins")})
	if err != nil || len(desc.KinesisDataStreamDestinations) != 1 || desc.KinesisDataStreamDestinations[0].DestinationStatus != types.DestinationStatusActive ||
		desc.KinesisDataStreamDestinations[0].ApproximateCreationDateTimePrecision != types.ApproximateCreationDateTimePrecisionMicrosecond {
		t.Fatalf("DescribeKinesisStreamingDestination: %+v %v", desc, err)
	}
	dis, err := v.db.DisableKinesisStreamingDestination(v.ctx, &ddb.DisableKinesisStreamingDestinationInput{TableName: aws.String("ins"), StreamArn: stream})
	if err != nil || dis.DestinationStatus != types.DestinationStatusDisabling {
		t.Fatalf("DisableKinesisStreamingDestination: %+v %v", dis, err)
	}
	_, err = v.db.DisableKinesisStreamingDestination(v.ctx, &ddb.DisableKinesisStreamingDestinationInput{TableName: aws.String("ins"), StreamArn: stream})
	wantExact(t, err, "ValidationException", "Table is not in a valid state to enable Kinesis Streaming Destination: KinesisStreamingDestination must be ACTIVE to perform DISABLE operation.")
	_, err = v.db.EnableKinesisStreamingDestination(v.ctx, &ddb.EnableKinesisStreamingDestinationInput{TableName: aws.String("bad-table"), StreamArn: stream})
	wantExact(t, err, "ResourceNotFoundException", "Requested resource not found: Table: bad-table not found")
	_, err = v.db.DisableKinesisStreamingDestination(v.ctx, &ddb.DisableKinesisStreamingDestinationInput{TableName: aws.String("bad-table"), StreamArn: stream})
	wantExact(t, err, "ResourceNotFoundException", "Requested resource not found: Table: bad-table not found")
}

// Replica auto scaling settings are stored per table, index and direction.
func TestReplicaAutoScalingSettings(t *testing.T) {
	t.Parallel()
	v := start(t)
	v.createTable("scaled", "id", "", func(in *ddb.CreateTableInput) {
		in.BillingMode = types.BillingModeProvisioned
		in.ProvisionedThroughput = &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)}
	})
	policy := &types.AutoScalingPolicyUpdate{PolicyName: aws.String("tt"),
		TargetTrackingScalingPolicyConfiguration: &types.AutoScalingTargetTrackingScalingPolicyConfigurationUpdate{TargetValue: aws.Float64(70)}}
	u, err := v.db.UpdateTableReplicaAutoScaling(v.ctx, &ddb.UpdateTableReplicaAutoScalingInput{TableName: aws.String("scaled"),
		ProvisionedWriteCapacityAutoScalingUpdate: &types.AutoScalingSettingsUpdate{MinimumUnits: aws.Int64(1), MaximumUnits: aws.Int64(10), ScalingPolicyUpdate: policy},
		ReplicaUpdates: []types.ReplicaAutoScalingUpdate{{RegionName: aws.String("us-east-1"),
			ReplicaProvisionedReadCapacityAutoScalingUpdate: &types.AutoScalingSettingsUpdate{MinimumUnits: aws.Int64(2), MaximumUnits: aws.Int64(20)}}}})
	if err != nil || u.TableAutoScalingDescription.TableStatus != types.TableStatusUpdating {
		t.Fatalf("UpdateTableReplicaAutoScaling: %+v %v", u, err)
	}
	d, err := v.db.DescribeTableReplicaAutoScaling(v.ctx, &ddb.DescribeTableReplicaAutoScalingInput{TableName: aws.String("scaled")})
	if err != nil || len(d.TableAutoScalingDescription.Replicas) != 1 {
		t.Fatalf("DescribeTableReplicaAutoScaling: %+v %v", d, err)
	}
	r := d.TableAutoScalingDescription.Replicas[0]
	w, rd := r.ReplicaProvisionedWriteCapacityAutoScalingSettings, r.ReplicaProvisionedReadCapacityAutoScalingSettings
	if w == nil || *w.MaximumUnits != 10 || len(w.ScalingPolicies) != 1 || *w.ScalingPolicies[0].PolicyName != "tt" || rd == nil || *rd.MinimumUnits != 2 {
		t.Fatalf("stored settings: write %+v read %+v", w, rd)
	}
	_, err = v.db.UpdateTableReplicaAutoScaling(v.ctx, &ddb.UpdateTableReplicaAutoScalingInput{TableName: aws.String("scaled"),
		ReplicaUpdates: []types.ReplicaAutoScalingUpdate{{RegionName: aws.String("eu-west-1"),
			ReplicaProvisionedReadCapacityAutoScalingUpdate: &types.AutoScalingSettingsUpdate{MinimumUnits: aws.Int64(2)}}}})
	wantExact(t, err, "ReplicaNotFoundException", "Replica not found in region eu-west-1")
}

// Malformed ARNs and policy documents are refused in the words a catalogue
// of live AWS answers records (docs/dynamodb.md).
func TestResourceARNAndPolicyRefusals(t *testing.T) {
	t.Parallel()
	v := start(t)
	v.createTable("pol", "id", "")
	for arn, msg := range map[string]string{
		"table/pol":           "One or more parameter values were invalid: ARNs must start with 'arn:': table/pol",
		"arn:aws:s3:::bucket": "One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: arn:aws:s3:::bucket",
		"arn:aws:dynamodb:us-east-1:000000000000:backup/x": "One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: arn:aws:dynamodb:us-east-1:000000000000:backup/x",
	} {
		_, err := v.db.ListTagsOfResource(v.ctx, &ddb.ListTagsOfResourceInput{ResourceArn: aws.String(arn)})
		wantExact(t, err, "ValidationException", msg)
		_, err = v.db.GetResourcePolicy(v.ctx, &ddb.GetResourcePolicyInput{ResourceArn: aws.String(arn)})
		wantExact(t, err, "ValidationException", msg)
	}
	arn := aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/pol")
	_, err := v.db.PutResourcePolicy(v.ctx, &ddb.PutResourcePolicyInput{ResourceArn: arn, Policy: aws.String("{not json")})
	wantExact(t, err, "ValidationException", "One or more parameter values were invalid: Invalid policy document: This policy contains invalid Json")
	_, err = v.db.PutResourcePolicy(v.ctx, &ddb.PutResourcePolicyInput{ResourceArn: arn, Policy: aws.String(`{"Version":"2012-10-17","Statement":[]}`)})
	wantExact(t, err, "ValidationException", "One or more parameter values were invalid: Invalid policy document: Could not parse the policy: Statement is empty!")
}
