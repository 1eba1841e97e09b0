package dynamodb_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A global table replicates writes between the regions of one emulator.
func TestGlobalTablesReplicate(t *testing.T) {
	t.Parallel()
	v := start(t)
	west := func(o *ddb.Options) { o.Region = "eu-west-1" }
	streams := func(in *ddb.CreateTableInput) {
		in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages}
	}
	v.createTable("glob", "id", "", streams)
	_, err := v.db.CreateGlobalTable(v.ctx, &ddb.CreateGlobalTableInput{GlobalTableName: aws.String("glob"),
		ReplicationGroup: []types.Replica{{RegionName: aws.String("us-east-1")}, {RegionName: aws.String("eu-west-1")}}})
	wantErr(t, err, "TableNotFoundException", "")
	in := &ddb.CreateTableInput{TableName: aws.String("glob"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}}}
	streams(in)
	if _, err := v.db.CreateTable(v.ctx, in, west); err != nil {
		t.Fatal(err)
	}
	c, err := v.db.CreateGlobalTable(v.ctx, &ddb.CreateGlobalTableInput{GlobalTableName: aws.String("glob"),
		ReplicationGroup: []types.Replica{{RegionName: aws.String("us-east-1")}, {RegionName: aws.String("eu-west-1")}}})
	if err != nil || len(c.GlobalTableDescription.ReplicationGroup) != 2 {
		t.Fatalf("CreateGlobalTable: %+v %v", c, err)
	}
	_, err = v.db.CreateGlobalTable(v.ctx, &ddb.CreateGlobalTableInput{GlobalTableName: aws.String("glob"),
		ReplicationGroup: []types.Replica{{RegionName: aws.String("us-east-1")}}})
	wantErr(t, err, "GlobalTableAlreadyExistsException", "")

	// A write in one region shows up in the other, and back.
	v.put("glob", item{"id": s("a"), "v": ni(1)})
	waitItem := func(opt func(*ddb.Options), id string, want bool) {
		t.Helper()
		ctx, cancel := context.WithTimeout(v.ctx, 30*time.Second)
		defer cancel()
		tick := time.NewTicker(2 * time.Millisecond) // replication is asynchronous: poll
		defer tick.Stop()
		for ; ; <-tick.C {
			out, err := v.db.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String("glob"), Key: item{"id": s(id)}, ConsistentRead: aws.Bool(true)}, opt)
			if err != nil {
				t.Fatalf("waiting for %s: %v", id, err)
			}
			if (out.Item != nil) == want {
				return
			}
		}
	}
	waitItem(west, "a", true)
	if _, err := v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("glob"), Item: item{"id": s("b")}}, west); err != nil {
		t.Fatal(err)
	}
	waitItem(func(*ddb.Options) {}, "b", true)
	if _, err := v.db.DeleteItem(v.ctx, &ddb.DeleteItemInput{TableName: aws.String("glob"), Key: item{"id": s("a")}}, west); err != nil {
		t.Fatal(err)
	}
	waitItem(func(*ddb.Options) {}, "a", false)

	d, err := v.db.DescribeGlobalTable(v.ctx, &ddb.DescribeGlobalTableInput{GlobalTableName: aws.String("glob")})
	if err != nil || d.GlobalTableDescription.GlobalTableStatus != types.GlobalTableStatusActive {
		t.Fatalf("DescribeGlobalTable: %+v %v", d, err)
	}
	l, err := v.db.ListGlobalTables(v.ctx, &ddb.ListGlobalTablesInput{RegionName: aws.String("eu-west-1")})
	if err != nil || len(l.GlobalTables) != 1 {
		t.Fatalf("ListGlobalTables: %+v %v", l, err)
	}
	st, err := v.db.DescribeGlobalTableSettings(v.ctx, &ddb.DescribeGlobalTableSettingsInput{GlobalTableName: aws.String("glob")})
	if err != nil || len(st.ReplicaSettings) != 2 {
		t.Fatalf("DescribeGlobalTableSettings: %+v %v", st, err)
	}
	if _, err := v.db.UpdateGlobalTableSettings(v.ctx, &ddb.UpdateGlobalTableSettingsInput{GlobalTableName: aws.String("glob"),
		ReplicaSettingsUpdate: []types.ReplicaSettingsUpdate{{RegionName: aws.String("eu-west-1"), ReplicaTableClass: types.TableClassStandardInfrequentAccess}}}); err != nil {
		t.Fatal(err)
	}
	dt, err := v.db.DescribeTable(v.ctx, &ddb.DescribeTableInput{TableName: aws.String("glob")}, west)
	if err != nil || dt.Table.TableClassSummary == nil || dt.Table.TableClassSummary.TableClass != types.TableClassStandardInfrequentAccess {
		t.Fatalf("table class after UpdateGlobalTableSettings: %+v %v", dt, err)
	}
	// auto scaling settings are kept for every replica, as UpdateTableReplicaAutoScaling keeps them
	if _, err := v.db.UpdateGlobalTableSettings(v.ctx, &ddb.UpdateGlobalTableSettingsInput{GlobalTableName: aws.String("glob"),
		GlobalTableProvisionedWriteCapacityAutoScalingSettingsUpdate: &types.AutoScalingSettingsUpdate{MinimumUnits: aws.Int64(2), MaximumUnits: aws.Int64(9)}}); err != nil {
		t.Fatal(err)
	}
	as, err := v.db.DescribeTableReplicaAutoScaling(v.ctx, &ddb.DescribeTableReplicaAutoScalingInput{TableName: aws.String("glob")})
	if err != nil || len(as.TableAutoScalingDescription.Replicas) != 2 {
		t.Fatalf("DescribeTableReplicaAutoScaling: %+v %v", as, err)
	}
	for _, r := range as.TableAutoScalingDescription.Replicas {
		if w := r.ReplicaProvisionedWriteCapacityAutoScalingSettings; w == nil || aws.ToInt64(w.MinimumUnits) != 2 || aws.ToInt64(w.MaximumUnits) != 9 {
			t.Fatalf("%s: write auto scaling %+v", aws.ToString(r.RegionName), w)
		}
	}
	u, err := v.db.UpdateGlobalTable(v.ctx, &ddb.UpdateGlobalTableInput{GlobalTableName: aws.String("glob"),
		ReplicaUpdates: []types.ReplicaUpdate{{Delete: &types.DeleteReplicaAction{RegionName: aws.String("eu-west-1")}}}})
	if err != nil || len(u.GlobalTableDescription.ReplicationGroup) != 1 {
		t.Fatalf("UpdateGlobalTable: %+v %v", u, err)
	}
	_, err = v.db.DescribeGlobalTable(v.ctx, &ddb.DescribeGlobalTableInput{GlobalTableName: aws.String("nope")})
	wantErr(t, err, "GlobalTableNotFoundException", "")
}

// UpdateTable's ReplicaUpdates (version 2019.11.21) copy the table to
// another region and replicate both ways.
func TestReplicaUpdatesOnUpdateTable(t *testing.T) {
	t.Parallel()
	v := start(t)
	west := func(o *ddb.Options) { o.Region = "us-west-2" }
	v.createTable("multi", "id", "")
	v.put("multi", item{"id": s("before")})
	add := &ddb.UpdateTableInput{TableName: aws.String("multi"),
		ReplicaUpdates: []types.ReplicationGroupUpdate{{Create: &types.CreateReplicationGroupMemberAction{RegionName: aws.String("us-west-2")}}}}
	_, err := v.db.UpdateTable(v.ctx, add)
	wantExact(t, err, "ValidationException", "One or more parameter values were invalid: Table multi must have DynamoDB Streams enabled with StreamViewType NEW_AND_OLD_IMAGES to add replicas")
	if _, err := v.db.UpdateTable(v.ctx, &ddb.UpdateTableInput{TableName: aws.String("multi"),
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages}}); err != nil {
		t.Fatal(err)
	}
	u, err := v.db.UpdateTable(v.ctx, add)
	if err != nil || len(u.TableDescription.Replicas) != 1 || *u.TableDescription.Replicas[0].RegionName != "us-west-2" || *u.TableDescription.GlobalTableVersion != "2019.11.21" {
		t.Fatalf("UpdateTable ReplicaUpdates: %+v %v", u, err)
	}
	// The replica starts with the table's items, then follows its writes.
	got, err := v.db.GetItem(v.ctx, &ddb.GetItemInput{TableName: aws.String("multi"), Key: item{"id": s("before")}}, west)
	if err != nil || got.Item == nil {
		t.Fatalf("copied item: %+v %v", got, err)
	}
	v.put("multi", item{"id": s("after")})
	ctx, cancel := context.WithTimeout(v.ctx, 30*time.Second)
	defer cancel()
	tick := time.NewTicker(2 * time.Millisecond) // replication is asynchronous: poll
	defer tick.Stop()
	for ; ; <-tick.C {
		out, err := v.db.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String("multi"), Key: item{"id": s("after")}}, west)
		if err != nil {
			t.Fatal(err)
		}
		if out.Item != nil {
			break
		}
	}
	if _, err := v.db.UpdateTable(v.ctx, &ddb.UpdateTableInput{TableName: aws.String("multi"),
		ReplicaUpdates: []types.ReplicationGroupUpdate{{Delete: &types.DeleteReplicationGroupMemberAction{RegionName: aws.String("us-west-2")}}}}); err != nil {
		t.Fatal(err)
	}
	_, err = v.db.DescribeTable(v.ctx, &ddb.DescribeTableInput{TableName: aws.String("multi")}, west)
	wantErr(t, err, "ResourceNotFoundException", "")
}
