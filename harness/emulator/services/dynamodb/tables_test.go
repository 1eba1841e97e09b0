package dynamodb_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func attrDef(name string, t types.ScalarAttributeType) types.AttributeDefinition {
	return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: t}
}

func keyElem(name string, t types.KeyType) types.KeySchemaElement {
	return types.KeySchemaElement{AttributeName: aws.String(name), KeyType: t}
}

func TestCreateTableValidation(t *testing.T) {
	v := start(t)
	base := func() *ddb.CreateTableInput {
		return &ddb.CreateTableInput{
			TableName:            aws.String("tbl"),
			BillingMode:          types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{attrDef("pk", types.ScalarAttributeTypeS)},
			KeySchema:            []types.KeySchemaElement{keyElem("pk", types.KeyTypeHash)},
		}
	}
	gsi := func(name, hash string) types.GlobalSecondaryIndex {
		return types.GlobalSecondaryIndex{IndexName: aws.String(name), KeySchema: []types.KeySchemaElement{keyElem(hash, types.KeyTypeHash)},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}
	}
	cases := []struct {
		name string
		mod  func(*ddb.CreateTableInput)
		code string
		msg  string
	}{
		{"index key not defined", func(in *ddb.CreateTableInput) {
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{gsi("gsi1", "gk")}
		}, "ValidationException", "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [gk], AttributeDefinitions: [pk]"},
		{"unused definition with index", func(in *ddb.CreateTableInput) {
			in.AttributeDefinitions = append(in.AttributeDefinitions, attrDef("gk", types.ScalarAttributeTypeS), attrDef("extra", types.ScalarAttributeTypeN))
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{gsi("gsi1", "gk")}
		}, "ValidationException", "One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [extra, gk, pk], keys used: [gk, pk]"},
		{"unused definition", func(in *ddb.CreateTableInput) {
			in.AttributeDefinitions = append(in.AttributeDefinitions, attrDef("extra", types.ScalarAttributeTypeN))
		}, "ValidationException", "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"},
		{"provisioned without throughput", func(in *ddb.CreateTableInput) {
			in.BillingMode = types.BillingModeProvisioned
		}, "ValidationException", "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"},
		{"on-demand with throughput", func(in *ddb.CreateTableInput) {
			in.ProvisionedThroughput = &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)}
		}, "ValidationException", "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"},
		{"bad key type", func(in *ddb.CreateTableInput) {
			in.KeySchema[0].KeyType = "SORT"
		}, "ValidationException", "1 validation error detected: Value 'SORT' at 'keySchema.1.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]"},
		{"short name", func(in *ddb.CreateTableInput) {
			in.TableName = aws.String("ab")
		}, "ValidationException", "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{"lsi on hash-only table", func(in *ddb.CreateTableInput) {
			in.AttributeDefinitions = append(in.AttributeDefinitions, attrDef("lk", types.ScalarAttributeTypeS))
			in.LocalSecondaryIndexes = []types.LocalSecondaryIndex{{IndexName: aws.String("lsi1"),
				KeySchema:  []types.KeySchemaElement{keyElem("pk", types.KeyTypeHash), keyElem("lk", types.KeyTypeRange)},
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}}}
		}, "ValidationException", "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"},
		// The messages below as a catalogue of live AWS answers records them (docs/dynamodb.md).
		{"duplicate definition", func(in *ddb.CreateTableInput) {
			in.AttributeDefinitions = append(in.AttributeDefinitions, attrDef("pk", types.ScalarAttributeTypeN))
		}, "ValidationException", "Attribute Name is duplicated: pk"},
		{"stream without view type", func(in *ddb.CreateTableInput) {
			in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true)}
		}, "ValidationException", "One or more parameter values were invalid: Table is being created with a stream enabled, UpdateViewType is required"},
		{"disabled stream with view type", func(in *ddb.CreateTableInput) {
			in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(false), StreamViewType: types.StreamViewTypeKeysOnly}
		}, "ValidationException", "One or more parameter values were invalid: Table is being created with a stream disabled, UpdateViewType should not be specified"},
		{"include without attributes", func(in *ddb.CreateTableInput) {
			in.AttributeDefinitions = append(in.AttributeDefinitions, attrDef("gk", types.ScalarAttributeTypeS))
			g := gsi("gsi1", "gk")
			g.Projection = &types.Projection{ProjectionType: types.ProjectionTypeInclude}
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{g}
		}, "ValidationException", "One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified"},
		{"too many global indexes", func(in *ddb.CreateTableInput) {
			in.AttributeDefinitions = append(in.AttributeDefinitions, attrDef("gk", types.ScalarAttributeTypeS))
			for i := 0; i < 21; i++ {
				in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, gsi(fmt.Sprintf("gsi%d", i), "gk"))
			}
		}, "ValidationException", "One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of 20"},
		{"provisioned index without throughput", func(in *ddb.CreateTableInput) {
			in.BillingMode = types.BillingModeProvisioned
			in.ProvisionedThroughput = &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)}
			in.AttributeDefinitions = append(in.AttributeDefinitions, attrDef("gk", types.ScalarAttributeTypeS))
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{gsi("gsi1", "gk")}
		}, "ValidationException", "One or more parameter values were invalid: ProvisionedThroughput is not specified for index: gsi1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			c.mod(in)
			_, err := v.db.CreateTable(v.ctx, in)
			wantExact(t, err, c.code, c.msg)
		})
	}
	if _, err := v.db.CreateTable(v.ctx, base()); err != nil {
		t.Fatal(err)
	}
	_, err := v.db.CreateTable(v.ctx, base())
	wantExact(t, err, "ResourceInUseException", "Table already exists: tbl")
}

func TestDescribeListDeleteAndWaiter(t *testing.T) {
	v := start(t)
	v.createTable("orders", "pk", "sk", func(in *ddb.CreateTableInput) {
		in.BillingMode = types.BillingModeProvisioned
		in.ProvisionedThroughput = &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(7)}
		in.AttributeDefinitions = append(in.AttributeDefinitions, attrDef("gk", types.ScalarAttributeTypeS), attrDef("lk", types.ScalarAttributeTypeS))
		in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{IndexName: aws.String("byG"),
			KeySchema:             []types.KeySchemaElement{keyElem("gk", types.KeyTypeHash)},
			Projection:            &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"a"}},
			ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)}}}
		in.LocalSecondaryIndexes = []types.LocalSecondaryIndex{{IndexName: aws.String("byL"),
			KeySchema:  []types.KeySchemaElement{keyElem("pk", types.KeyTypeHash), keyElem("lk", types.KeyTypeRange)},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}}}
		in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewImage}
		in.Tags = []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}
	})
	w := ddb.NewTableExistsWaiter(v.db)
	if err := w.Wait(v.ctx, &ddb.DescribeTableInput{TableName: aws.String("orders")}, 10*time.Second); err != nil {
		t.Fatalf("waiter: %v", err)
	}
	v.put("orders", item{"pk": s("p"), "sk": ni(1), "gk": s("g"), "a": s("x")})
	d, err := v.db.DescribeTable(v.ctx, &ddb.DescribeTableInput{TableName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	tb := d.Table
	if tb.TableStatus != types.TableStatusActive || *tb.ItemCount != 1 || *tb.TableSizeBytes == 0 ||
		*tb.TableArn != "arn:aws:dynamodb:us-east-1:000000000000:table/orders" || tb.TableId == nil || tb.CreationDateTime == nil {
		t.Fatalf("describe: %+v", tb)
	}
	if *tb.ProvisionedThroughput.ReadCapacityUnits != 5 || *tb.ProvisionedThroughput.WriteCapacityUnits != 7 {
		t.Fatalf("throughput: %+v", tb.ProvisionedThroughput)
	}
	if len(tb.GlobalSecondaryIndexes) != 1 || tb.GlobalSecondaryIndexes[0].IndexStatus != types.IndexStatusActive || *tb.GlobalSecondaryIndexes[0].ItemCount != 1 {
		t.Fatalf("gsi: %+v", tb.GlobalSecondaryIndexes)
	}
	if len(tb.LocalSecondaryIndexes) != 1 || *tb.LocalSecondaryIndexes[0].ItemCount != 0 {
		t.Fatalf("lsi (item has no lk: sparse): %+v", tb.LocalSecondaryIndexes)
	}
	if tb.LatestStreamArn == nil || tb.LatestStreamLabel == nil || !*tb.StreamSpecification.StreamEnabled {
		t.Fatalf("stream: %+v", tb)
	}
	tags, err := v.db.ListTagsOfResource(v.ctx, &ddb.ListTagsOfResourceInput{ResourceArn: tb.TableArn})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Value != "core" {
		t.Fatalf("tags: %+v %v", tags, err)
	}
	_, err = v.db.DescribeTable(v.ctx, &ddb.DescribeTableInput{TableName: aws.String("missing")})
	wantExact(t, err, "ResourceNotFoundException", "Requested resource not found: Table: missing not found")

	del, err := v.db.DeleteTable(v.ctx, &ddb.DeleteTableInput{TableName: aws.String("orders")})
	if err != nil || del.TableDescription.TableStatus != types.TableStatusDeleting {
		t.Fatalf("delete: %+v %v", del, err)
	}
	nw := ddb.NewTableNotExistsWaiter(v.db)
	if err := nw.Wait(v.ctx, &ddb.DescribeTableInput{TableName: aws.String("orders")}, 10*time.Second); err != nil {
		t.Fatalf("not-exists waiter: %v", err)
	}
	_, err = v.db.GetItem(v.ctx, &ddb.GetItemInput{TableName: aws.String("orders"), Key: item{"pk": s("p"), "sk": ni(1)}})
	wantExact(t, err, "ResourceNotFoundException", "Requested resource not found")
}

func TestListTablesPaging(t *testing.T) {
	v := start(t)
	for i := 0; i < 7; i++ {
		v.createTable(fmt.Sprintf("table-%02d", i), "id", "")
	}
	var names []string
	var start *string
	pages := 0
	for {
		out, err := v.db.ListTables(v.ctx, &ddb.ListTablesInput{Limit: aws.Int32(3), ExclusiveStartTableName: start})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		names = append(names, out.TableNames...)
		if out.LastEvaluatedTableName == nil {
			break
		}
		start = out.LastEvaluatedTableName
	}
	if len(names) != 7 || pages != 3 || names[0] != "table-00" || names[6] != "table-06" {
		t.Fatalf("pages=%d names=%v", pages, names)
	}
	_, err := v.db.ListTables(v.ctx, &ddb.ListTablesInput{Limit: aws.Int32(0)})
	wantErr(t, err, "ValidationException", "Member must have value greater than or equal to 1")
}

func TestUpdateTableIndexesStreamsBilling(t *testing.T) {
	v := start(t)
	v.createTable("tbl", "id", "")
	for i := 0; i < 5; i++ {
		it := item{"id": s(fmt.Sprint(i))}
		if i%2 == 0 {
			it["color"] = s("red")
		}
		v.put("tbl", it)
	}
	out, err := v.db.UpdateTable(v.ctx, &ddb.UpdateTableInput{
		TableName:            aws.String("tbl"),
		AttributeDefinitions: []types.AttributeDefinition{attrDef("color", types.ScalarAttributeTypeS)},
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
			IndexName: aws.String("byColor"), KeySchema: []types.KeySchemaElement{keyElem("color", types.KeyTypeHash)},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// AWS changes a stream and indexes in separate requests.
	if _, err := v.db.UpdateTable(v.ctx, &ddb.UpdateTableInput{TableName: aws.String("tbl"),
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeKeysOnly}}); err != nil {
		t.Fatal(err)
	}
	if g := out.TableDescription.GlobalSecondaryIndexes; len(g) != 1 || g[0].IndexStatus != types.IndexStatusCreating {
		t.Fatalf("create index response: %+v", g)
	}
	// The new index was backfilled (sparse: 3 of 5 items have color).
	q, err := v.db.Query(v.ctx, &ddb.QueryInput{TableName: aws.String("tbl"), IndexName: aws.String("byColor"),
		KeyConditionExpression: aws.String("color = :c"), ExpressionAttributeValues: item{":c": s("red")}})
	if err != nil || q.Count != 3 {
		t.Fatalf("backfilled query: %+v %v", q, err)
	}
	_, err = v.db.UpdateTable(v.ctx, &ddb.UpdateTableInput{TableName: aws.String("tbl"),
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeKeysOnly}})
	wantErr(t, err, "ValidationException", "Table already has an enabled stream")
	// Remove the index, turn the stream off, switch billing.
	_, err = v.db.UpdateTable(v.ctx, &ddb.UpdateTableInput{TableName: aws.String("tbl"),
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("byColor")}}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.db.UpdateTable(v.ctx, &ddb.UpdateTableInput{TableName: aws.String("tbl"),
		StreamSpecification:   &types.StreamSpecification{StreamEnabled: aws.Bool(false)},
		BillingMode:           types.BillingModeProvisioned,
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(3), WriteCapacityUnits: aws.Int64(4)}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := v.db.DescribeTable(v.ctx, &ddb.DescribeTableInput{TableName: aws.String("tbl")})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Table.GlobalSecondaryIndexes) != 0 || d.Table.StreamSpecification != nil || *d.Table.ProvisionedThroughput.WriteCapacityUnits != 4 || d.Table.BillingModeSummary != nil {
		t.Fatalf("after update: %+v", d.Table)
	}
	if len(d.Table.AttributeDefinitions) != 1 {
		t.Fatalf("unused definition kept: %+v", d.Table.AttributeDefinitions)
	}
	_, err = v.db.Query(v.ctx, &ddb.QueryInput{TableName: aws.String("tbl"), IndexName: aws.String("byColor"),
		KeyConditionExpression: aws.String("color = :c"), ExpressionAttributeValues: item{":c": s("red")}})
	wantExact(t, err, "ValidationException", "The table does not have the specified index: byColor")
}

func TestTagsAndTTLDescribe(t *testing.T) {
	v := start(t)
	v.createTable("tbl", "id", "")
	arn := aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/tbl")
	if _, err := v.db.TagResource(v.ctx, &ddb.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{
		{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.db.UntagResource(v.ctx, &ddb.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := v.db.ListTagsOfResource(v.ctx, &ddb.ListTagsOfResourceInput{ResourceArn: arn})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Key != "b" {
		t.Fatalf("tags: %+v %v", tags, err)
	}
	_, err = v.db.ListTagsOfResource(v.ctx, &ddb.ListTagsOfResourceInput{ResourceArn: aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/nope")})
	wantErr(t, err, "ResourceNotFoundException", "")

	ttl, err := v.db.DescribeTimeToLive(v.ctx, &ddb.DescribeTimeToLiveInput{TableName: aws.String("tbl")})
	if err != nil || ttl.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusDisabled {
		t.Fatalf("ttl: %+v %v", ttl, err)
	}
	if _, err := v.db.UpdateTimeToLive(v.ctx, &ddb.UpdateTimeToLiveInput{TableName: aws.String("tbl"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{Enabled: aws.Bool(true), AttributeName: aws.String("exp")}}); err != nil {
		t.Fatal(err)
	}
	ttl, err = v.db.DescribeTimeToLive(v.ctx, &ddb.DescribeTimeToLiveInput{TableName: aws.String("tbl")})
	if err != nil || ttl.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled || *ttl.TimeToLiveDescription.AttributeName != "exp" {
		t.Fatalf("ttl: %+v %v", ttl, err)
	}
	_, err = v.db.UpdateTimeToLive(v.ctx, &ddb.UpdateTimeToLiveInput{TableName: aws.String("tbl"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{Enabled: aws.Bool(true), AttributeName: aws.String("exp")}})
	wantExact(t, err, "ValidationException", "TimeToLive is already enabled")
	ep, err := v.db.DescribeEndpoints(v.ctx, &ddb.DescribeEndpointsInput{})
	if err != nil || len(ep.Endpoints) != 1 {
		t.Fatalf("endpoints: %+v %v", ep, err)
	}
}

// UpdateTable's refusals as a catalogue of live AWS answers records them
// (docs/dynamodb.md).
func TestUpdateTableRefusalWording(t *testing.T) {
	v := start(t)
	v.createTable("tbl", "id", "")
	update := func(in *ddb.UpdateTableInput) error {
		in.TableName = aws.String("tbl")
		_, err := v.db.UpdateTable(v.ctx, in)
		return err
	}
	wantExact(t, update(&ddb.UpdateTableInput{}), "ValidationException", "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "+
		"GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, "+
		"DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required")
	wantExact(t, update(&ddb.UpdateTableInput{StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(false)}}),
		"ValidationException", "Table has no stream to disable: TableName: tbl")
	wantExact(t, update(&ddb.UpdateTableInput{StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true)}}),
		"ValidationException", "One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required")
	if err := update(&ddb.UpdateTableInput{StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeKeysOnly}}); err != nil {
		t.Fatal(err)
	}
	wantExact(t, update(&ddb.UpdateTableInput{StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewImage}}),
		"ValidationException", "Table already has an enabled stream: TableName: tbl")
	create := &types.CreateGlobalSecondaryIndexAction{IndexName: aws.String("byColor"), KeySchema: []types.KeySchemaElement{keyElem("color", types.KeyTypeHash)},
		Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}}
	gsi := &ddb.UpdateTableInput{AttributeDefinitions: []types.AttributeDefinition{attrDef("color", types.ScalarAttributeTypeS)},
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: create}}}
	if err := update(gsi); err != nil {
		t.Fatal(err)
	}
	wantExact(t, update(gsi), "ValidationException", "Attempting to create an index which already exists")
	noDefs := &ddb.UpdateTableInput{GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
		IndexName: aws.String("bySize"), KeySchema: []types.KeySchemaElement{keyElem("size", types.KeyTypeHash)},
		Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}}}}}
	wantExact(t, update(noDefs), "ValidationException", "One or more parameter values were invalid: AttributeDefinitions is not specified for index: bySize")
	gsi.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(false)}
	gsi.GlobalSecondaryIndexUpdates = []types.GlobalSecondaryIndexUpdate{{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("byColor")}}}
	wantExact(t, update(gsi), "ValidationException", "One or more parameter values were invalid: You cannot create or delete index while changing stream status")
}
