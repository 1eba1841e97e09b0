package logs

import (
	"encoding/csv"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// lookupBodyLimit is the model's (and AWS's documented) 10 MB bound on a
// table's CSV, twice over for JSON escapes, plus room for the rest.
const lookupBodyLimit = 2*10<<20 + 64<<10

type lookupTableRef struct {
	LookupTableArn *string `json:"lookupTableArn" required:"true"`
}

// name is the table's name, "" for an ARN that names no lookup table.
func (r lookupTableRef) name(region string) string {
	rg, kind, id, ok := parseLogsARN(*r.LookupTableArn)
	if !ok || kind != "lookup-table" || rg != region {
		return ""
	}
	return id
}

type createLookupTableInput struct {
	LookupTableName string            `json:"lookupTableName" required:"true" min:"1" max:"256" pattern:"^[a-zA-Z0-9_]+$"`
	Description     *string           `json:"description" max:"1024"`
	TableBody       string            `json:"tableBody" required:"true" min:"1" max:"10485760"`
	KmsKeyID        string            `json:"kmsKeyId" max:"256"`
	Tags            map[string]string `json:"tags" min:"1" max:"50"`
}

type updateLookupTableInput struct {
	lookupTableRef
	Description *string `json:"description" max:"1024"`
	TableBody   string  `json:"tableBody" required:"true" min:"1" max:"10485760"`
	KmsKeyID    string  `json:"kmsKeyId" max:"256"`
}

type describeLookupTablesInput struct {
	LookupTableNamePrefix *string `json:"lookupTableNamePrefix" min:"1" max:"256" pattern:"^[a-zA-Z0-9_]+$"`
	MaxResults            *int32  `json:"maxResults" max:"100"`
	NextToken             *string `json:"nextToken" min:"1"`
}

// parseCSV returns a table's header and its number of records: UTF-8
// CSV whose first row names the columns.
func parseCSV(body string) ([]string, int64, error) {
	if !utf8.ValidString(body) {
		return nil, 0, errValidation.New("The table body must be UTF-8 encoded CSV.")
	}
	r := csv.NewReader(strings.NewReader(body))
	header, err := r.Read()
	if err != nil {
		return nil, 0, errValidation.New("The table body must be CSV with a header row.")
	}
	seen := map[string]bool{}
	for _, h := range header {
		if h = strings.TrimSpace(h); h == "" || seen[h] {
			return nil, 0, errValidation.New("The header row must name each column once.")
		}
		seen[h] = true
	}
	var n int64
	for {
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, errValidation.Errorf("The table body is not valid CSV: %v", err)
		}
		n++
	}
	return header, n, nil
}

type lookupTableOut struct {
	LookupTableArn  string   `json:"lookupTableArn"`
	LookupTableName string   `json:"lookupTableName"`
	Description     string   `json:"description,omitempty"`
	TableFields     []string `json:"tableFields"`
	RecordsCount    int64    `json:"recordsCount"`
	SizeBytes       int64    `json:"sizeBytes"`
	LastUpdatedTime int64    `json:"lastUpdatedTime"`
	KmsKeyID        string   `json:"kmsKeyId,omitempty"`
}

func (s *Service) createLookupTable(c *awsproto.Call, in *createLookupTableInput) (struct {
	LookupTableArn string `json:"lookupTableArn"`
	CreatedAt      int64  `json:"createdAt"`
}, error) {
	var out struct {
		LookupTableArn string `json:"lookupTableArn"`
		CreatedAt      int64  `json:"createdAt"`
	}
	fields, n, err := parseCSV(in.TableBody)
	if err != nil {
		return out, err
	}
	now := s.env.Now().UnixMilli()
	t := LookupTable{Name: in.LookupTableName, ARN: s.arn(c.Region, "lookup-table", in.LookupTableName), Description: deref(in.Description),
		KmsKeyID: in.KmsKeyID, Body: in.TableBody, Fields: fields, Records: n, Created: now, Updated: now, Tags: in.Tags}
	if err := s.store.cfg.CreateLookupTable(c.Region, t); err != nil {
		return out, err
	}
	out.LookupTableArn, out.CreatedAt = t.ARN, now
	return out, nil
}

func (s *Service) getLookupTable(c *awsproto.Call, in *lookupTableRef) (struct {
	LookupTableArn  string `json:"lookupTableArn"`
	LookupTableName string `json:"lookupTableName"`
	Description     string `json:"description,omitempty"`
	TableBody       string `json:"tableBody"`
	SizeBytes       int64  `json:"sizeBytes"`
	LastUpdatedTime int64  `json:"lastUpdatedTime"`
	KmsKeyID        string `json:"kmsKeyId,omitempty"`
}, error) {
	var out struct {
		LookupTableArn  string `json:"lookupTableArn"`
		LookupTableName string `json:"lookupTableName"`
		Description     string `json:"description,omitempty"`
		TableBody       string `json:"tableBody"`
		SizeBytes       int64  `json:"sizeBytes"`
		LastUpdatedTime int64  `json:"lastUpdatedTime"`
		KmsKeyID        string `json:"kmsKeyId,omitempty"`
	}
	t, err := s.store.cfg.LookupTable(c.Region, in.name(c.Region))
	if err != nil {
		return out, err
	}
	out.LookupTableArn, out.LookupTableName, out.Description, out.TableBody = t.ARN, t.Name, t.Description, t.Body
	out.SizeBytes, out.LastUpdatedTime, out.KmsKeyID = int64(len(t.Body)), t.Updated, t.KmsKeyID
	return out, nil
}

func (s *Service) describeLookupTables(c *awsproto.Call, in *describeLookupTablesInput) (struct {
	LookupTables []lookupTableOut `json:"lookupTables"`
	NextToken    string           `json:"nextToken,omitempty"`
}, error) {
	var out struct {
		LookupTables []lookupTableOut `json:"lookupTables"`
		NextToken    string           `json:"nextToken,omitempty"`
	}
	limit := limitOr(in.MaxResults, 100)
	if limit < 1 {
		limit = 100
	}
	page, next, ok := pageOf(s.store.cfg.LookupTables(c.Region, deref(in.LookupTableNamePrefix)), func(t LookupTable) string { return t.Name }, deref(in.NextToken), limit)
	if !ok {
		return out, badToken()
	}
	out.LookupTables, out.NextToken = make([]lookupTableOut, len(page)), next
	for i, t := range page {
		out.LookupTables[i] = lookupTableOut{LookupTableArn: t.ARN, LookupTableName: t.Name, Description: t.Description, TableFields: t.Fields,
			RecordsCount: t.Records, SizeBytes: int64(len(t.Body)), LastUpdatedTime: t.Updated, KmsKeyID: t.KmsKeyID}
	}
	return out, nil
}

func (s *Service) updateLookupTable(c *awsproto.Call, in *updateLookupTableInput) (struct {
	LookupTableArn  string `json:"lookupTableArn"`
	LastUpdatedTime int64  `json:"lastUpdatedTime"`
}, error) {
	var out struct {
		LookupTableArn  string `json:"lookupTableArn"`
		LastUpdatedTime int64  `json:"lastUpdatedTime"`
	}
	name := in.name(c.Region)
	if _, err := s.store.cfg.LookupTable(c.Region, name); err != nil {
		return out, err
	}
	fields, n, err := parseCSV(in.TableBody)
	if err != nil {
		return out, err
	}
	t, err := s.store.cfg.UpdateLookupTable(c.Region, name, LookupTable{Description: deref(in.Description), KmsKeyID: in.KmsKeyID,
		Body: in.TableBody, Fields: fields, Records: n, Updated: s.env.Now().UnixMilli()})
	if err != nil {
		return out, err
	}
	out.LookupTableArn, out.LastUpdatedTime = t.ARN, t.Updated
	return out, nil
}

func (s *Service) deleteLookupTable(c *awsproto.Call, in *lookupTableRef) (struct{}, error) {
	return struct{}{}, s.store.cfg.DeleteLookupTable(c.Region, in.name(c.Region))
}
