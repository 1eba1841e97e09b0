package dynamodb_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The read-modify-write rules of a table's definition: deletion
// protection, TTL's states, tags, index updates.
func TestTableReadModifyWrite(t *testing.T) {
	v := start(t)
	v.createTable("prot", "id", "", func(in *ddb.CreateTableInput) {
		in.DeletionProtectionEnabled = aws.Bool(true)
	})
	_, err := v.db.DeleteTable(v.ctx, &ddb.DeleteTableInput{TableName: aws.String("prot")})
	wantExact(t, err, "ValidationException", "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
	if _, err := v.db.UpdateTable(v.ctx, &ddb.UpdateTableInput{TableName: aws.String("prot"), DeletionProtectionEnabled: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.db.DeleteTable(v.ctx, &ddb.DeleteTableInput{TableName: aws.String("prot")}); err != nil {
		t.Fatal(err)
	}
	_, err = v.db.DeleteTable(v.ctx, &ddb.DeleteTableInput{TableName: aws.String("prot")})
	wantExact(t, err, "ResourceNotFoundException", "Requested resource not found: Table: prot not found")

	v.createTable("ttl", "id", "")
	ttl := func(enabled bool, name string) error {
		_, err := v.db.UpdateTimeToLive(v.ctx, &ddb.UpdateTimeToLiveInput{TableName: aws.String("ttl"),
			TimeToLiveSpecification: &types.TimeToLiveSpecification{Enabled: aws.Bool(enabled), AttributeName: aws.String(name)}})
		return err
	}
	wantExact(t, ttl(false, "exp"), "ValidationException", "TimeToLive is already disabled")
	if err := ttl(true, "exp"); err != nil {
		t.Fatal(err)
	}
	wantExact(t, ttl(false, "other"), "ValidationException", "TimeToLive is active on a different AttributeName: current AttributeName is exp")
	if err := ttl(false, "exp"); err != nil {
		t.Fatal(err)
	}
	d, err := v.db.DescribeTimeToLive(v.ctx, &ddb.DescribeTimeToLiveInput{TableName: aws.String("ttl")})
	if err != nil || d.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusDisabled {
		t.Fatalf("ttl after disabling: %+v %v", d, err)
	}

	arn := aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/ttl")
	tags := make([]types.Tag, 50)
	for i := range tags {
		tags[i] = types.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")}
	}
	if _, err := v.db.TagResource(v.ctx, &ddb.TagResourceInput{ResourceArn: arn, Tags: tags}); err != nil {
		t.Fatal(err)
	}
	// Replacing a value is not a new tag; a 51st is one too many.
	if _, err := v.db.TagResource(v.ctx, &ddb.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{{Key: aws.String("k0"), Value: aws.String("new")}}}); err != nil {
		t.Fatal(err)
	}
	_, err = v.db.TagResource(v.ctx, &ddb.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{{Key: aws.String("k50"), Value: aws.String("v")}}})
	wantExact(t, err, "ValidationException", "Number of Tags exceed the current limit for the provided ResourceArn")
	lt, err := v.db.ListTagsOfResource(v.ctx, &ddb.ListTagsOfResourceInput{ResourceArn: arn})
	if err != nil || len(lt.Tags) != 50 || *lt.Tags[0].Value != "new" {
		t.Fatalf("tags: %d %v", len(lt.Tags), err)
	}

	v.createTable("gsi", "id", "", func(in *ddb.CreateTableInput) {
		in.BillingMode = types.BillingModeProvisioned
		in.ProvisionedThroughput = &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)}
		in.AttributeDefinitions = append(in.AttributeDefinitions, attrDef("g", types.ScalarAttributeTypeS))
		in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{IndexName: aws.String("byG"), KeySchema: []types.KeySchemaElement{keyElem("g", types.KeyTypeHash)},
			Projection:            &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
			ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)}}}
	})
	_, err = v.db.UpdateTable(v.ctx, &ddb.UpdateTableInput{TableName: aws.String("gsi"), GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{
		{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("nope")}}}})
	wantExact(t, err, "ResourceNotFoundException", "Requested resource not found: Requested index nope not found")
	_, err = v.db.UpdateTable(v.ctx, &ddb.UpdateTableInput{TableName: aws.String("gsi"), GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{
		{Create: &types.CreateGlobalSecondaryIndexAction{IndexName: aws.String("byH"), KeySchema: []types.KeySchemaElement{keyElem("g", types.KeyTypeHash)},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}}})
	// UpdateTable's wording (a catalogue of live AWS answers, docs/dynamodb.md).
	wantExact(t, err, "ValidationException", "One or more parameter values were invalid: ProvisionedThroughput must be specified for index: byH")
	out, err := v.db.UpdateTable(v.ctx, &ddb.UpdateTableInput{TableName: aws.String("gsi"), GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{
		{Update: &types.UpdateGlobalSecondaryIndexAction{IndexName: aws.String("byG"),
			ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(4), WriteCapacityUnits: aws.Int64(5)}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if g := out.TableDescription.GlobalSecondaryIndexes; len(g) != 1 || *g[0].ProvisionedThroughput.ReadCapacityUnits != 4 || *g[0].ProvisionedThroughput.WriteCapacityUnits != 5 {
		t.Fatalf("updated index: %+v", g)
	}
	// A failed change changes nothing.
	_, err = v.db.UpdateTable(v.ctx, &ddb.UpdateTableInput{TableName: aws.String("gsi"), BillingMode: types.BillingModePayPerRequest,
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("nope")}}}})
	wantErr(t, err, "ResourceNotFoundException", "")
	desc, err := v.db.DescribeTable(v.ctx, &ddb.DescribeTableInput{TableName: aws.String("gsi")})
	if err != nil || desc.Table.BillingModeSummary != nil || *desc.Table.ProvisionedThroughput.ReadCapacityUnits != 1 {
		t.Fatalf("table after a failed update: %+v %v", desc.Table, err)
	}
}

// A write that takes an item out of an index consumes capacity on the
// index too, whether it is a PutItem or part of a BatchWriteItem.
func TestWriteCapacityCountsIndexesLeft(t *testing.T) {
	v := start(t)
	v.createTable("tbl", "id", "", func(in *ddb.CreateTableInput) {
		in.AttributeDefinitions = append(in.AttributeDefinitions, attrDef("g", types.ScalarAttributeTypeS))
		in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{IndexName: aws.String("byG"), KeySchema: []types.KeySchemaElement{keyElem("g", types.KeyTypeHash)},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
	})
	v.put("tbl", item{"id": s("a"), "g": s("x")})
	v.put("tbl", item{"id": s("b"), "g": s("x")})
	p, err := v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("tbl"), Item: item{"id": s("a")}, ReturnConsumedCapacity: types.ReturnConsumedCapacityIndexes})
	if err != nil {
		t.Fatal(err)
	}
	if c := p.ConsumedCapacity; *c.CapacityUnits != 2 || *c.GlobalSecondaryIndexes["byG"].CapacityUnits != 1 {
		t.Fatalf("put capacity: %+v", c)
	}
	bw, err := v.db.BatchWriteItem(v.ctx, &ddb.BatchWriteItemInput{ReturnConsumedCapacity: types.ReturnConsumedCapacityIndexes,
		RequestItems: map[string][]types.WriteRequest{"tbl": {{PutRequest: &types.PutRequest{Item: item{"id": s("b")}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if c := bw.ConsumedCapacity; len(c) != 1 || *c[0].CapacityUnits != 2 || *c[0].GlobalSecondaryIndexes["byG"].CapacityUnits != 1 {
		t.Fatalf("batch capacity: %+v", c)
	}
}
