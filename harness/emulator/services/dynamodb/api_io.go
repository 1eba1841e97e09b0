package dynamodb

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// Exports to S3 (ExportTableToPointInTime, full exports in DynamoDB JSON,
// written as AWS lays them out) and imports from S3 (ImportTable, DynamoDB
// JSON or CSV, plain or gzip) through the S3 service of this emulator.
// Both run while the request is answered: the answer says IN_PROGRESS,
// Describe says COMPLETED (or FAILED with AWS's failure code).

type exportRecord struct {
	arn, status, failureCode, failureMsg string
	tableARN, tableID                    string
	bucket, prefix, manifest, token      string
	start, end, at                       time.Time
	items                                int
	bytes                                int64
}

type importRecord struct {
	arn, status, failureCode, failureMsg string
	tableARN, tableID, format, comp      string
	source                               s3Source
	params                               json.RawMessage
	start, end                           time.Time
	processed, imported, errors          int
	processedBytes                       int64
}

// ioRecords is the store's exports and imports, in creation order.
type ioRecords struct {
	mu      sync.Mutex
	exports []*exportRecord
	imports []*importRecord
}

func (s *Service) objectStore() (cloud.ObjectStore, bool) {
	if s.env.Links == nil {
		return nil, false
	}
	o, ok := s.env.Links.Get(cloud.LinkS3).(cloud.ObjectStore)
	return o, ok
}

type exportTableInput struct {
	TableArn                       *string `required:"true" min:"1" max:"1024"`
	ExportTime                     *awsproto.Timestamp
	ClientToken                    *string `pattern:"^[^\\$]+$"`
	S3Bucket                       *string `required:"true" max:"255" pattern:"^[a-z0-9A-Z]+[\\.\\-\\w]*[a-z0-9A-Z]+$"`
	S3BucketOwner                  *string `pattern:"[0-9]{12}"`
	S3Prefix                       *string `max:"1024"`
	S3SseAlgorithm                 string  `enum:"AES256,KMS"`
	S3SseKmsKeyId                  *string `min:"1" max:"2048"`
	ExportFormat                   string  `enum:"DYNAMODB_JSON,ION"`
	ExportType                     string  `enum:"FULL_EXPORT,INCREMENTAL_EXPORT"`
	IncrementalExportSpecification *json.RawMessage
}

type exportDescription struct {
	ExportArn       string
	ExportStatus    string
	StartTime       awsproto.Timestamp
	EndTime         *awsproto.Timestamp `json:",omitempty"`
	ExportManifest  string              `json:",omitempty"`
	TableArn        string
	TableId         string
	ExportTime      awsproto.Timestamp
	ClientToken     string `json:",omitempty"`
	S3Bucket        string
	S3Prefix        string `json:",omitempty"`
	S3SseAlgorithm  string
	FailureCode     string `json:",omitempty"`
	FailureMessage  string `json:",omitempty"`
	ExportFormat    string
	BilledSizeBytes int64
	ItemCount       int
	ExportType      string
}

func (e *exportRecord) describe(status string) exportDescription {
	d := exportDescription{ExportArn: e.arn, ExportStatus: status, StartTime: awsproto.TimestampOf(e.start), TableArn: e.tableARN,
		TableId: e.tableID, ExportTime: awsproto.TimestampOf(e.at), ClientToken: e.token, S3Bucket: e.bucket, S3Prefix: e.prefix,
		S3SseAlgorithm: "AES256", ExportFormat: "DYNAMODB_JSON", ExportType: "FULL_EXPORT"}
	if status != "IN_PROGRESS" {
		end := awsproto.TimestampOf(e.end)
		d.EndTime, d.ExportManifest, d.FailureCode, d.FailureMessage = &end, e.manifest, e.failureCode, e.failureMsg
		d.BilledSizeBytes, d.ItemCount = e.bytes, e.items
	}
	return d
}

type exportOutput struct {
	ExportDescription exportDescription
}

func (s *Service) exportTableToPointInTime(c *awsproto.Call, in *exportTableInput) (exportOutput, error) {
	if in.ExportType == "INCREMENTAL_EXPORT" || in.ExportFormat == "ION" {
		return exportOutput{}, validationf("This emulator exports FULL_EXPORT in DYNAMODB_JSON only")
	}
	t, err := s.sourceTable(c, *in.TableArn)
	if err != nil {
		return exportOutput{}, err
	}
	recs := &s.store.io
	if in.ClientToken != nil {
		recs.mu.Lock()
		for _, e := range recs.exports {
			if e.token == *in.ClientToken {
				recs.mu.Unlock()
				if e.tableARN != t.arn || e.bucket != *in.S3Bucket {
					return exportOutput{}, errExportConflict.Errorf("Export with client token %s already exists with different parameters", *in.ClientToken)
				}
				return exportOutput{e.describe("IN_PROGRESS")}, nil
			}
		}
		recs.mu.Unlock()
	}
	var at time.Time
	latest := in.ExportTime == nil
	if !latest {
		at = in.ExportTime.Time()
	}
	sn, when, err := t.snapshotAt(at, latest)
	if err != nil {
		if e, ok := err.(*awsproto.Error); ok && e.Code == errInvalidRestoreTime.Name {
			return exportOutput{}, errInvalidExportTime.New("Export time is outside the point in time recovery window")
		}
		return exportOutput{}, err
	}
	now := s.env.Now()
	id := fmt.Sprintf("%013d-%s", now.UnixMilli(), s.env.NewID()[:8])
	e := &exportRecord{arn: t.arn + "/export/" + id, tableARN: t.arn, tableID: sn.id, bucket: *in.S3Bucket,
		prefix: deref(in.S3Prefix), token: deref(in.ClientToken), start: now, at: when}
	s.writeExport(e, id, sn)
	e.end = s.env.Now()
	recs.mu.Lock()
	recs.exports = append(recs.exports, e)
	recs.mu.Unlock()
	return exportOutput{e.describe("IN_PROGRESS")}, nil
}

// writeExport writes a snapshot's items and manifests as AWS lays out an
// export: <prefix>/AWSDynamoDB/<id>/data/<file>.json.gz, one {"Item":…}
// per line, and the manifest files beside it.
func (s *Service) writeExport(e *exportRecord, id string, sn *snapshot) {
	fail := func(code, msg string) { e.status, e.failureCode, e.failureMsg = "FAILED", code, msg }
	store, ok := s.objectStore()
	if !ok {
		fail("S3NoSuchBucket", "The specified bucket does not exist")
		return
	}
	base := strings.TrimSuffix(e.prefix, "/")
	if base != "" {
		base += "/"
	}
	base += "AWSDynamoDB/" + id + "/"
	var raw bytes.Buffer
	zw := gzip.NewWriter(&raw)
	for _, en := range sn.ents {
		zw.Write([]byte(`{"Item":`))
		zw.Write(en.data)
		zw.Write([]byte("}\n"))
		e.bytes += int64(en.size)
	}
	zw.Close()
	e.items = len(sn.ents)
	dataKey := base + "data/" + strings.ReplaceAll(s.env.NewID(), "-", "") + ".json.gz"
	files, _ := json.Marshal(map[string]any{"itemCount": e.items, "md5Checksum": "", "etag": "", "dataFileS3Key": dataKey})
	summary, _ := json.Marshal(map[string]any{"version": "2020-06-30", "exportArn": e.arn, "startTime": e.start.UTC().Format(time.RFC3339),
		"endTime": s.env.Now().UTC().Format(time.RFC3339), "tableArn": e.tableARN, "tableId": e.tableID,
		"exportTime": e.at.UTC().Format(time.RFC3339), "s3Bucket": e.bucket, "s3Prefix": e.prefix, "s3SseAlgorithm": "AES256",
		"manifestFilesS3Key": base + "manifest-files.json", "billedSizeBytes": e.bytes, "itemCount": e.items,
		"outputFormat": "DYNAMODB_JSON", "exportType": "FULL_EXPORT"})
	now := s.env.Now()
	for _, f := range []struct {
		key, ctype string
		data       []byte
	}{{dataKey, "application/gzip", raw.Bytes()}, {base + "manifest-files.json", "application/json", append(files, '\n')},
		{base + "manifest-summary.json", "application/json", summary}} {
		ok, err := store.WriteObject(e.bucket, f.key, f.data, f.ctype, now)
		if !ok {
			fail("S3NoSuchBucket", "The specified bucket does not exist")
			return
		}
		if err != nil {
			fail("UNKNOWN", err.Error())
			return
		}
	}
	e.status, e.manifest = "COMPLETED", base+"manifest-summary.json"
}

type exportArnIn struct {
	ExportArn *string `required:"true" min:"37" max:"1024"`
}

func (s *Service) describeExport(c *awsproto.Call, in *exportArnIn) (exportOutput, error) {
	recs := &s.store.io
	recs.mu.Lock()
	defer recs.mu.Unlock()
	for _, e := range recs.exports {
		if e.arn == *in.ExportArn {
			return exportOutput{e.describe(e.status)}, nil
		}
	}
	return exportOutput{}, errExportNotFound.Errorf("Export not found: %s", *in.ExportArn)
}

type listExportsInput struct {
	TableArn   *string `min:"1" max:"1024"`
	MaxResults *int    `min:"1" max:"25"`
	NextToken  *string
}

type exportSummary struct{ ExportArn, ExportStatus, ExportType string }

type listExportsOutput struct {
	ExportSummaries []exportSummary
	NextToken       string `json:",omitempty"`
}

func (s *Service) listExports(c *awsproto.Call, in *listExportsInput) (listExportsOutput, error) {
	recs := &s.store.io
	recs.mu.Lock()
	var all []exportSummary
	for _, e := range recs.exports {
		region, _, _ := parseTableARN(e.tableARN)
		if region == c.Region && (in.TableArn == nil || *in.TableArn == e.tableARN) {
			all = append(all, exportSummary{e.arn, e.status, "FULL_EXPORT"})
		}
	}
	recs.mu.Unlock()
	limit := 25
	if in.MaxResults != nil {
		limit = *in.MaxResults
	}
	start, err := pageStart(in.NextToken, len(all))
	if err != nil {
		return listExportsOutput{}, err
	}
	end := min(start+limit, len(all))
	out := listExportsOutput{ExportSummaries: append([]exportSummary{}, all[start:end]...)}
	if end < len(all) {
		out.NextToken = pageToken(end)
	}
	return out, nil
}

// pageToken and pageStart make and read list tokens: 112 hex digits, the
// shape ListImports' model requires.
func pageToken(n int) string { return hex.EncodeToString(fmt.Appendf(nil, "%056d", n)) }

func pageStart(tok *string, n int) (int, error) {
	if tok == nil {
		return 0, nil
	}
	b, err := hex.DecodeString(*tok)
	i, err2 := strconv.Atoi(string(b))
	if err != nil || err2 != nil || i < 0 || i > n {
		return 0, validationf("Invalid NextToken")
	}
	return i, nil
}

type s3Source struct {
	S3BucketOwner *string `pattern:"[0-9]{12}" json:",omitempty"`
	S3Bucket      *string `required:"true" max:"255" pattern:"^[a-z0-9A-Z]+[\\.\\-\\w]*[a-z0-9A-Z]+$"`
	S3KeyPrefix   *string `max:"1024" json:",omitempty"`
}

type csvOptions struct {
	Delimiter  *string  `min:"1" max:"1" pattern:"[,;:|\\t ]" json:",omitempty"`
	HeaderList []string `min:"1" max:"255" json:",omitempty"`
}

type importTableInput struct {
	ClientToken        *string   `pattern:"^[^\\$]+$"`
	S3BucketSource     *s3Source `required:"true"`
	InputFormat        *string   `required:"true" enum:"DYNAMODB_JSON,ION,CSV"`
	InputFormatOptions *struct {
		Csv *csvOptions
	}
	InputCompressionType    string                   `enum:"GZIP,ZSTD,NONE"`
	TableCreationParameters *tableCreationParameters `required:"true"`
}

// tableCreationParameters is the model's TableCreationParameters: the part
// of CreateTable an import takes, with its own constraints (no ARN as name).
type tableCreationParameters struct {
	TableName              *string                 `required:"true" min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
	AttributeDefinitions   []attributeDefinitionIn `required:"true"`
	KeySchema              []keySchemaIn           `required:"true" min:"1"`
	BillingMode            string                  `json:",omitempty" enum:"PROVISIONED,PAY_PER_REQUEST"`
	ProvisionedThroughput  *throughputWire         `json:",omitempty"`
	OnDemandThroughput     *onDemandWire           `json:",omitempty"`
	SSESpecification       *sseWire                `json:",omitempty"`
	GlobalSecondaryIndexes []globalIndexWire       `json:",omitempty"`
}

type sseWire struct {
	Enabled        *bool   `json:",omitempty"`
	SSEType        string  `json:",omitempty" enum:"AES256,KMS"`
	KMSMasterKeyId *string `json:",omitempty"`
}

func (p *tableCreationParameters) createTable() *createTableInput {
	return &createTableInput{TableName: p.TableName, AttributeDefinitions: p.AttributeDefinitions, KeySchema: p.KeySchema,
		BillingMode: p.BillingMode, ProvisionedThroughput: p.ProvisionedThroughput, GlobalSecondaryIndexes: p.GlobalSecondaryIndexes}
}

type importDescription struct {
	ImportArn               string
	ImportStatus            string
	TableArn                string
	TableId                 string
	S3BucketSource          s3Source
	ErrorCount              int
	InputFormat             string
	InputCompressionType    string
	TableCreationParameters json.RawMessage
	StartTime               awsproto.Timestamp
	EndTime                 *awsproto.Timestamp `json:",omitempty"`
	ProcessedSizeBytes      int64
	ProcessedItemCount      int
	ImportedItemCount       int
	FailureCode             string `json:",omitempty"`
	FailureMessage          string `json:",omitempty"`
}

func (r *importRecord) describe(status string) importDescription {
	d := importDescription{ImportArn: r.arn, ImportStatus: status, TableArn: r.tableARN, TableId: r.tableID, S3BucketSource: r.source,
		InputFormat: r.format, InputCompressionType: r.comp, TableCreationParameters: r.params, StartTime: awsproto.TimestampOf(r.start)}
	if status != "IN_PROGRESS" {
		end := awsproto.TimestampOf(r.end)
		d.EndTime, d.ErrorCount, d.ProcessedSizeBytes = &end, r.errors, r.processedBytes
		d.ProcessedItemCount, d.ImportedItemCount, d.FailureCode, d.FailureMessage = r.processed, r.imported, r.failureCode, r.failureMsg
	}
	return d
}

type importOutput struct {
	ImportTableDescription importDescription
}

// maxImportObject bounds what one S3 object of an import may hold here.
const maxImportObject = 256 << 20

func (s *Service) importTable(c *awsproto.Call, in *importTableInput) (importOutput, error) {
	tp := in.TableCreationParameters
	sp, err := tp.createTable().spec()
	if err != nil {
		return importOutput{}, err
	}
	if s.store.region(c.Region).table(sp.name) != nil {
		return importOutput{}, errResourceInUse.Errorf("Table already exists: %s", sp.name)
	}
	params, _ := json.Marshal(tp)
	comp := in.InputCompressionType
	if comp == "" {
		comp = "NONE"
	}
	now := s.env.Now()
	r := &importRecord{format: *in.InputFormat, comp: comp, source: *in.S3BucketSource, params: params, start: now,
		tableARN: fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", c.Region, s.env.Account, sp.name)}
	r.arn = r.tableARN + "/import/" + strings.ReplaceAll(s.env.NewID(), "-", "")
	// Read everything first: a failed import makes no table.
	var lines [][]byte
	var rows [][]string
	store, ok := s.objectStore()
	var keys []string
	if ok {
		keys, ok = store.ListObjectKeys(*in.S3BucketSource.S3Bucket, deref(in.S3BucketSource.S3KeyPrefix), 10000)
	}
	fail := func(code, msg string) {
		r.status, r.failureCode, r.failureMsg = "FAILED", code, msg
	}
	switch {
	case !ok:
		fail("S3NoSuchBucket", "The specified bucket does not exist")
	case r.format == "ION" || comp == "ZSTD":
		fail("UnsupportedFormat", "This emulator imports DYNAMODB_JSON and CSV, plain or GZIP")
	case len(keys) == 0:
		fail("S3NoSuchKey", "No objects found under the given prefix")
	}
	for _, k := range keys {
		if r.status == "FAILED" {
			break
		}
		data, size, found := store.ReadObject(*in.S3BucketSource.S3Bucket, k, maxImportObject)
		if !found || data == nil && size > 0 {
			fail("S3NoSuchKey", "Object could not be read: "+k)
			break
		}
		r.processedBytes += size
		if comp == "GZIP" {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				r.errors++
				continue
			}
			data, err = io.ReadAll(io.LimitReader(zr, maxImportObject))
			if err != nil {
				r.errors++
				continue
			}
		}
		if r.format == "CSV" {
			cr := csv.NewReader(bytes.NewReader(data))
			if o := in.InputFormatOptions; o != nil && o.Csv != nil && o.Csv.Delimiter != nil {
				cr.Comma = rune((*o.Csv.Delimiter)[0])
			}
			cr.FieldsPerRecord = -1
			recs, err := cr.ReadAll()
			if err != nil {
				r.errors++
				continue
			}
			rows = append(rows, recs...)
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, maxItemSize*4)
		for sc.Scan() {
			if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
				lines = append(lines, append([]byte(nil), line...))
			}
		}
	}
	if r.status != "FAILED" {
		var items []json.RawMessage
		items, r.errors = decodeImport(r.format, lines, rows, in, sp, r.errors)
		r.processed = len(items) + r.errors
		info, err := s.store.createTable(c.Context(), c.Region, sp)
		if err != nil {
			return importOutput{}, err
		}
		r.tableID = info.id
		t := s.store.region(c.Region).table(sp.name)
		for _, it := range items {
			p, err := preparePut(t, it)
			if err != nil {
				r.errors++
				continue
			}
			if _, err := t.write(c.Context(), p.k, func(*entry) (write, error) { return write{kind: writePut, item: p.item, ent: p.ent}, nil }, false); err != nil {
				r.errors++
				continue
			}
			r.imported++
		}
		r.status = "COMPLETED"
	}
	r.end = s.env.Now()
	s.store.io.mu.Lock()
	s.store.io.imports = append(s.store.io.imports, r)
	s.store.io.mu.Unlock()
	return importOutput{r.describe("IN_PROGRESS")}, nil
}

// decodeImport turns DynamoDB JSON lines ({"Item":{…}}) or CSV rows (a
// header, then values: key attributes typed by their definitions, the rest
// strings, as AWS imports CSV) into items; bad records count as errors.
func decodeImport(format string, lines [][]byte, rows [][]string, in *importTableInput, sp tableSpec, errs int) ([]json.RawMessage, int) {
	var items []json.RawMessage
	if format == "DYNAMODB_JSON" {
		for _, l := range lines {
			var rec struct{ Item json.RawMessage }
			if json.Unmarshal(l, &rec) != nil || rec.Item == nil {
				errs++
				continue
			}
			items = append(items, rec.Item)
		}
		return items, errs
	}
	var header []string
	if o := in.InputFormatOptions; o != nil && o.Csv != nil && o.Csv.HeaderList != nil {
		header = o.Csv.HeaderList
	} else if len(rows) > 0 {
		header, rows = rows[0], rows[1:]
	}
	types := map[string]attr.Type{}
	for _, d := range sp.defs {
		types[d.name] = d.typ
	}
	for _, row := range rows {
		if len(row) > len(header) {
			errs++
			continue
		}
		m := map[string]json.RawMessage{}
		for i, v := range row {
			if v == "" {
				continue
			}
			typ := "S"
			if types[header[i]] == attr.N {
				typ = "N"
			}
			m[header[i]] = attrValueJSON(typ, v)
		}
		b, _ := json.Marshal(m)
		items = append(items, b)
	}
	return items, errs
}

func attrValueJSON(typ, v string) json.RawMessage {
	b, _ := json.Marshal(map[string]string{typ: v})
	return b
}

type importArnIn struct {
	ImportArn *string `required:"true" min:"37" max:"1024"`
}

func (s *Service) describeImport(c *awsproto.Call, in *importArnIn) (importOutput, error) {
	recs := &s.store.io
	recs.mu.Lock()
	defer recs.mu.Unlock()
	for _, r := range recs.imports {
		if r.arn == *in.ImportArn {
			return importOutput{r.describe(r.status)}, nil
		}
	}
	return importOutput{}, errImportNotFound.Errorf("Import not found: %s", *in.ImportArn)
}

type listImportsInput struct {
	TableArn  *string `min:"1" max:"1024"`
	PageSize  *int    `min:"1" max:"25"`
	NextToken *string `min:"112" max:"1024" pattern:"([0-9a-f]{16})+"`
}

type importSummary struct {
	ImportArn      string
	ImportStatus   string
	TableArn       string
	S3BucketSource s3Source
	InputFormat    string
	StartTime      awsproto.Timestamp
	EndTime        awsproto.Timestamp
}

type listImportsOutput struct {
	ImportSummaryList []importSummary
	NextToken         string `json:",omitempty"`
}

func (s *Service) listImports(c *awsproto.Call, in *listImportsInput) (listImportsOutput, error) {
	recs := &s.store.io
	recs.mu.Lock()
	var all []importSummary
	for _, r := range recs.imports {
		region, _, _ := parseTableARN(r.tableARN)
		if region == c.Region && (in.TableArn == nil || *in.TableArn == r.tableARN) {
			all = append(all, importSummary{r.arn, r.status, r.tableARN, r.source, r.format, awsproto.TimestampOf(r.start), awsproto.TimestampOf(r.end)})
		}
	}
	recs.mu.Unlock()
	limit := 25
	if in.PageSize != nil {
		limit = *in.PageSize
	}
	start, err := pageStart(in.NextToken, len(all))
	if err != nil {
		return listImportsOutput{}, err
	}
	end := min(start+limit, len(all))
	out := listImportsOutput{ImportSummaryList: append([]importSummary{}, all[start:end]...)}
	if end < len(all) {
		out.NextToken = pageToken(end)
	}
	return out, nil
}
