package dynamodb_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// On-demand backups: a backup holds the table as it was; restoring it
// makes a new table with its items, indexes and billing.
func TestBackupsRestoreItemsAndIndexes(t *testing.T) {
	t.Parallel()
	v := start(t)
	v.createTable("orders", "id", "", func(in *ddb.CreateTableInput) {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String("cust"), AttributeType: types.ScalarAttributeTypeS})
		in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{IndexName: aws.String("byCust"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("cust"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
	})
	v.put("orders", item{"id": s("o1"), "cust": s("ann")})
	v.put("orders", item{"id": s("o2"), "cust": s("bob")})
	made, err := v.db.CreateBackup(v.ctx, &ddb.CreateBackupInput{TableName: aws.String("orders"), BackupName: aws.String("nightly")})
	if err != nil {
		t.Fatal(err)
	}
	arn := made.BackupDetails.BackupArn
	if made.BackupDetails.BackupStatus != types.BackupStatusCreating || *made.BackupDetails.BackupName != "nightly" {
		t.Fatalf("CreateBackup: %+v", made.BackupDetails)
	}
	// Changes after the backup are not in it.
	v.put("orders", item{"id": s("o3"), "cust": s("ann")})
	d, err := v.db.DescribeBackup(v.ctx, &ddb.DescribeBackupInput{BackupArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	if d.BackupDescription.BackupDetails.BackupStatus != types.BackupStatusAvailable || *d.BackupDescription.SourceTableDetails.ItemCount != 2 ||
		len(d.BackupDescription.SourceTableFeatureDetails.GlobalSecondaryIndexes) != 1 {
		t.Fatalf("DescribeBackup: %+v", d.BackupDescription)
	}
	list, err := v.db.ListBackups(v.ctx, &ddb.ListBackupsInput{TableName: aws.String("orders")})
	if err != nil || len(list.BackupSummaries) != 1 || *list.BackupSummaries[0].BackupArn != *arn {
		t.Fatalf("ListBackups: %+v %v", list, err)
	}
	r, err := v.db.RestoreTableFromBackup(v.ctx, &ddb.RestoreTableFromBackupInput{TargetTableName: aws.String("orders2"), BackupArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	if r.TableDescription.TableStatus != types.TableStatusCreating || !*r.TableDescription.RestoreSummary.RestoreInProgress ||
		*r.TableDescription.RestoreSummary.SourceBackupArn != *arn {
		t.Fatalf("RestoreTableFromBackup: %+v", r.TableDescription)
	}
	if err := ddb.NewTableExistsWaiter(v.db).Wait(v.ctx, &ddb.DescribeTableInput{TableName: aws.String("orders2")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	q, err := v.db.Query(v.ctx, &ddb.QueryInput{TableName: aws.String("orders2"), IndexName: aws.String("byCust"),
		KeyConditionExpression: aws.String("cust = :c"), ExpressionAttributeValues: item{":c": s("ann")}})
	if err != nil || q.Count != 1 || sv(t, q.Items[0], "id") != "o1" {
		t.Fatalf("query of the restored index: %+v %v", q, err)
	}

	cases := []struct {
		name      string
		call      func() error
		code, msg string
	}{
		{"restore onto an existing table", func() error {
			_, err := v.db.RestoreTableFromBackup(v.ctx, &ddb.RestoreTableFromBackupInput{TargetTableName: aws.String("orders"), BackupArn: arn})
			return err
		}, "TableAlreadyExistsException", "Table already exists: orders"},
		{"backup of a missing table", func() error {
			_, err := v.db.CreateBackup(v.ctx, &ddb.CreateBackupInput{TableName: aws.String("nope"), BackupName: aws.String("bk1")})
			return err
		}, "TableNotFoundException", "Table not found: nope"},
		{"describe a missing backup", func() error {
			_, err := v.db.DescribeBackup(v.ctx, &ddb.DescribeBackupInput{BackupArn: aws.String(*arn + "x")})
			return err
		}, "BackupNotFoundException", "Backup not found: " + *arn + "x"},
		{"backup name shorter than the model allows", func() error {
			_, err := v.db.CreateBackup(v.ctx, &ddb.CreateBackupInput{TableName: aws.String("orders"), BackupName: aws.String("b1")})
			return err
		}, "ValidationException", "1 validation error detected: Value 'b1' at 'backupName' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{"backup name outside the model's pattern", func() error {
			_, err := v.db.CreateBackup(v.ctx, &ddb.CreateBackupInput{TableName: aws.String("orders"), BackupName: aws.String("no spaces")})
			return err
		}, "ValidationException", "1 validation error detected: Value 'no spaces' at 'backupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"PAY_PER_REQUEST override with throughput", func() error {
			_, err := v.db.RestoreTableFromBackup(v.ctx, &ddb.RestoreTableFromBackupInput{TargetTableName: aws.String("ord3"), BackupArn: arn,
				BillingModeOverride:           types.BillingModePayPerRequest,
				ProvisionedThroughputOverride: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantExact(t, c.call(), c.code, c.msg) })
	}

	del, err := v.db.DeleteBackup(v.ctx, &ddb.DeleteBackupInput{BackupArn: arn})
	if err != nil || del.BackupDescription.BackupDetails.BackupStatus != types.BackupStatusDeleted {
		t.Fatalf("DeleteBackup: %+v %v", del, err)
	}
	_, err = v.db.DeleteBackup(v.ctx, &ddb.DeleteBackupInput{BackupArn: arn})
	wantExact(t, err, "BackupNotFoundException", "Backup not found: "+*arn)
}

// Point-in-time recovery keeps the table's history for the recovery
// period; a restore rebuilds the table as it was at a time in the window.
func TestPointInTimeRecovery(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	v := start(t, clock.option())
	v.createTable("pitr", "id", "")
	v.put("pitr", item{"id": s("before"), "v": ni(0)}) // before recovery is on

	_, err := v.db.RestoreTableToPointInTime(v.ctx, &ddb.RestoreTableToPointInTimeInput{SourceTableName: aws.String("pitr"),
		TargetTableName: aws.String("xx1"), UseLatestRestorableTime: aws.Bool(true)})
	wantExact(t, err, "PointInTimeRecoveryUnavailableException", "Point in time recovery is not enabled for table 'pitr'")

	d, err := v.db.DescribeContinuousBackups(v.ctx, &ddb.DescribeContinuousBackupsInput{TableName: aws.String("pitr")})
	if err != nil || d.ContinuousBackupsDescription.ContinuousBackupsStatus != types.ContinuousBackupsStatusEnabled ||
		d.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusDisabled {
		t.Fatalf("DescribeContinuousBackups before: %+v %v", d, err)
	}
	on := clock.now
	u, err := v.db.UpdateContinuousBackups(v.ctx, &ddb.UpdateContinuousBackupsInput{TableName: aws.String("pitr"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true), RecoveryPeriodInDays: aws.Int32(7)}})
	if err != nil {
		t.Fatal(err)
	}
	p := u.ContinuousBackupsDescription.PointInTimeRecoveryDescription
	if p.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusEnabled || *p.RecoveryPeriodInDays != 7 || !p.EarliestRestorableDateTime.Equal(on) {
		t.Fatalf("UpdateContinuousBackups: %+v", p)
	}

	clock.Advance(time.Hour)
	v.put("pitr", item{"id": s("a"), "v": ni(1)})
	v.put("pitr", item{"id": s("before"), "v": ni(1)})
	t1 := clock.now
	clock.Advance(time.Hour)
	v.put("pitr", item{"id": s("a"), "v": ni(2)})
	v.put("pitr", item{"id": s("b"), "v": ni(2)})
	if _, err := v.db.DeleteItem(v.ctx, &ddb.DeleteItemInput{TableName: aws.String("pitr"), Key: item{"id": s("before")}}); err != nil {
		t.Fatal(err)
	}
	t2 := clock.now
	clock.Advance(time.Hour)
	v.put("pitr", item{"id": s("c"), "v": ni(3)})

	state := func(table string) map[string]string {
		out, err := v.db.Scan(v.ctx, &ddb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, it := range out.Items {
			m[sv(t, it, "id")] = nv(t, it, "v")
		}
		return m
	}
	cases := []struct {
		target string
		at     *time.Time
		want   map[string]string
	}{
		{"at-on", &on, map[string]string{"before": "0"}},
		{"at-t1", &t1, map[string]string{"before": "1", "a": "1"}},
		{"at-t2", &t2, map[string]string{"a": "2", "b": "2"}},
		{"latest", nil, map[string]string{"a": "2", "b": "2", "c": "3"}},
	}
	for _, c := range cases {
		in := &ddb.RestoreTableToPointInTimeInput{SourceTableName: aws.String("pitr"), TargetTableName: aws.String(c.target), RestoreDateTime: c.at}
		if c.at == nil {
			in.UseLatestRestorableTime = aws.Bool(true)
		}
		r, err := v.db.RestoreTableToPointInTime(v.ctx, in)
		if err != nil {
			t.Fatalf("%s: %v", c.target, err)
		}
		if *r.TableDescription.RestoreSummary.SourceTableArn != "arn:aws:dynamodb:us-east-1:000000000000:table/pitr" {
			t.Fatalf("%s: restore summary %+v", c.target, r.TableDescription.RestoreSummary)
		}
		got := state(c.target)
		if len(got) != len(c.want) {
			t.Fatalf("%s: got %v, want %v", c.target, got, c.want)
		}
		for k, w := range c.want {
			if got[k] != w {
				t.Fatalf("%s: got %v, want %v", c.target, got, c.want)
			}
		}
	}
	early := on.Add(-time.Minute)
	_, err = v.db.RestoreTableToPointInTime(v.ctx, &ddb.RestoreTableToPointInTimeInput{SourceTableName: aws.String("pitr"),
		TargetTableName: aws.String("xx2"), RestoreDateTime: &early})
	wantExact(t, err, "InvalidRestoreTimeException", "Invalid restore time specified. RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime.")
	_, err = v.db.DescribeContinuousBackups(v.ctx, &ddb.DescribeContinuousBackupsInput{TableName: aws.String("nope")})
	wantExact(t, err, "TableNotFoundException", "Table not found: nope")

	// Past the recovery period the window starts later.
	clock.Advance(8 * 24 * time.Hour)
	d, err = v.db.DescribeContinuousBackups(v.ctx, &ddb.DescribeContinuousBackupsInput{TableName: aws.String("pitr")})
	if err != nil || !d.ContinuousBackupsDescription.PointInTimeRecoveryDescription.EarliestRestorableDateTime.Equal(clock.now.Add(-7*24*time.Hour)) {
		t.Fatalf("window after 8 days: %+v %v", d, err)
	}
}
