package dynamodb_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// A table exported to S3 in DynamoDB JSON imports back into a new table;
// CSV imports type key attributes by their definitions.
func TestExportAndImportThroughS3(t *testing.T) {
	t.Parallel()
	e, cfg := emutest.Start(t)
	v := &env{t: t, e: e, db: ddb.NewFromConfig(cfg), ctx: t.Context()}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(v.ctx, &s3.CreateBucketInput{Bucket: aws.String("exports")}); err != nil {
		t.Fatal(err)
	}
	v.createTable("src", "id", "")
	for _, id := range []string{"a", "b", "c"} {
		v.put("src", item{"id": s(id), "n": ni(len(id))})
	}
	arn := aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/src")
	_, err := v.db.ExportTableToPointInTime(v.ctx, &ddb.ExportTableToPointInTimeInput{TableArn: arn, S3Bucket: aws.String("exports")})
	wantExact(t, err, "PointInTimeRecoveryUnavailableException", "Point in time recovery is not enabled for table 'src'")
	if _, err := v.db.UpdateContinuousBackups(v.ctx, &ddb.UpdateContinuousBackupsInput{TableName: aws.String("src"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	ex, err := v.db.ExportTableToPointInTime(v.ctx, &ddb.ExportTableToPointInTimeInput{TableArn: arn, S3Bucket: aws.String("exports"), S3Prefix: aws.String("snap")})
	if err != nil || ex.ExportDescription.ExportStatus != types.ExportStatusInProgress {
		t.Fatalf("ExportTableToPointInTime: %+v %v", ex, err)
	}
	d, err := v.db.DescribeExport(v.ctx, &ddb.DescribeExportInput{ExportArn: ex.ExportDescription.ExportArn})
	if err != nil || d.ExportDescription.ExportStatus != types.ExportStatusCompleted || *d.ExportDescription.ItemCount != 3 {
		t.Fatalf("DescribeExport: %+v %v", d.ExportDescription, err)
	}
	l, err := s3c.ListObjectsV2(v.ctx, &s3.ListObjectsV2Input{Bucket: aws.String("exports"), Prefix: aws.String("snap/AWSDynamoDB/")})
	if err != nil || len(l.Contents) != 3 {
		t.Fatalf("export objects: %+v %v", l, err)
	}
	var dataKey string
	for _, o := range l.Contents {
		if strings.HasSuffix(*o.Key, ".json.gz") {
			dataKey = *o.Key
		}
	}
	obj, err := s3c.GetObject(v.ctx, &s3.GetObjectInput{Bucket: aws.String("exports"), Key: aws.String(dataKey)})
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(obj.Body)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(zr)
	obj.Body.Close()
	if n := strings.Count(string(data), `{"Item":{`); n != 3 {
		t.Fatalf("export data has %d items: %s", n, data)
	}
	exports, err := v.db.ListExports(v.ctx, &ddb.ListExportsInput{TableArn: arn})
	if err != nil || len(exports.ExportSummaries) != 1 {
		t.Fatalf("ListExports: %+v %v", exports, err)
	}

	// The export's data file imports into a new table.
	params := func(name string) *types.TableCreationParameters {
		return &types.TableCreationParameters{TableName: aws.String(name), BillingMode: types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
			KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}}}
	}
	im, err := v.db.ImportTable(v.ctx, &ddb.ImportTableInput{InputFormat: types.InputFormatDynamodbJson, InputCompressionType: types.InputCompressionTypeGzip,
		S3BucketSource: &types.S3BucketSource{S3Bucket: aws.String("exports"), S3KeyPrefix: aws.String(dataKey)}, TableCreationParameters: params("copy")})
	if err != nil {
		t.Fatal(err)
	}
	di, err := v.db.DescribeImport(v.ctx, &ddb.DescribeImportInput{ImportArn: im.ImportTableDescription.ImportArn})
	if err != nil || di.ImportTableDescription.ImportStatus != types.ImportStatusCompleted || di.ImportTableDescription.ImportedItemCount != 3 {
		t.Fatalf("DescribeImport: %+v %v", di, err)
	}
	if got := v.get("copy", item{"id": s("b")}); nv(t, got, "n") != "1" {
		t.Fatalf("imported item: %v", got)
	}

	csvData := "id,colour,size\nx,red,3\ny,blue,\n"
	if _, err := s3c.PutObject(v.ctx, &s3.PutObjectInput{Bucket: aws.String("exports"), Key: aws.String("csv/items.csv"), Body: bytes.NewReader([]byte(csvData))}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.db.ImportTable(v.ctx, &ddb.ImportTableInput{InputFormat: types.InputFormatCsv,
		S3BucketSource: &types.S3BucketSource{S3Bucket: aws.String("exports"), S3KeyPrefix: aws.String("csv/")}, TableCreationParameters: params("fromcsv")}); err != nil {
		t.Fatal(err)
	}
	if got := v.get("fromcsv", item{"id": s("x")}); sv(t, got, "size") != "3" || sv(t, got, "colour") != "red" {
		t.Fatalf("CSV item: %v", got)
	}
	_, err = v.db.ImportTable(v.ctx, &ddb.ImportTableInput{InputFormat: types.InputFormatCsv,
		S3BucketSource: &types.S3BucketSource{S3Bucket: aws.String("exports"), S3KeyPrefix: aws.String("csv/")}, TableCreationParameters: params("fromcsv")})
	wantExact(t, err, "ResourceInUseException", "Table already exists: fromcsv")
	list, err := v.db.ListImports(v.ctx, &ddb.ListImportsInput{PageSize: aws.Int32(1)})
	if err != nil || len(list.ImportSummaryList) != 1 || list.NextToken == nil {
		t.Fatalf("ListImports: %+v %v", list, err)
	}
	if list, err = v.db.ListImports(v.ctx, &ddb.ListImportsInput{PageSize: aws.Int32(1), NextToken: list.NextToken}); err != nil || len(list.ImportSummaryList) != 1 {
		t.Fatalf("ListImports page 2: %+v %v", list, err)
	}
}
