package s3

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"io"
	"strconv"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Bucket configurations kept by id: analytics, metrics, inventory and
// intelligent-tiering. Each family is Put, Get, Deleted by its ?id= and
// Listed 100 at a time; documents are checked against S3's schema (every
// element known, required ones present, enums), stored whole and returned
// as given. groundstack produces no analytics, CloudWatch request metrics,
// inventory reports or archive tiering from them.

// idConfig describes one family of configurations kept by id.
type idConfig struct {
	sub    string // the sub-resource, and the store's name for the family
	root   string // the document's element
	list   string // the List result's element
	schema *xs    // the document's schema below root
}

// idConfigsPerPage is how many configurations a List answers at once, as S3.
const idConfigsPerPage = 100

// maxConfigID bounds an id, as S3 does (64 letters, digits, '.', '-', '_').
const maxConfigID = 64

type idConfigInput struct {
	Bucket string    `xml:"-" location:"uri" name:"Bucket"`
	ID     *string   `xml:"-" location:"querystring" name:"id" required:"true"`
	Body   io.Reader `xml:"-" location:"body" required:"true"`
}

type idInput struct {
	Bucket string  `xml:"-" location:"uri" name:"Bucket"`
	ID     *string `xml:"-" location:"querystring" name:"id" required:"true"`
}

type listIDConfigsInput struct {
	Bucket            string `xml:"-" location:"uri" name:"Bucket"`
	ContinuationToken string `xml:"-" location:"querystring" name:"continuation-token"`
}

func validConfigID(id string) bool {
	if id == "" || len(id) > maxConfigID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (s *Service) putIDConfig(ic *idConfig) func(*awsproto.Call, *idConfigInput) (struct{}, error) {
	return func(c *awsproto.Call, in *idConfigInput) (struct{}, error) {
		if _, err := s.store.Bucket(in.Bucket); err != nil {
			return struct{}{}, err
		}
		body, err := readXMLBody(c, in.Body)
		if err != nil {
			return struct{}{}, err
		}
		var n xmlNode
		if err := awsproto.DecodeXML(body, &n); err != nil {
			return struct{}{}, err
		}
		if n.XMLName.Local != ic.root {
			return struct{}{}, malformedXML()
		}
		n.canonical()
		if err := ic.schema.check(&n); err != nil {
			return struct{}{}, err
		}
		id := *in.ID
		if bodyID, _ := n.text("Id"); bodyID != id {
			return struct{}{}, invalidArgument("The Id in the configuration does not match the id of the request", "id", id)
		}
		if !validConfigID(id) {
			return struct{}{}, invalidArgument("The configuration id is not valid: it must be 1 to 64 letters, digits, periods, hyphens or underscores", "id", id)
		}
		n.XMLName.Space = awsproto.S3XMLNS
		doc, err := xml.Marshal(&n)
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, s.store.SetIDConfig(c.Request.Context(), in.Bucket, ic.sub, id, doc)
	}
}

func (s *Service) getIDConfig(ic *idConfig) func(*awsproto.Call, *idInput) (storedDoc, error) {
	return func(c *awsproto.Call, in *idInput) (storedDoc, error) {
		return s.store.IDConfig(in.Bucket, ic.sub, *in.ID)
	}
}

func (s *Service) deleteIDConfig(ic *idConfig) func(*awsproto.Call, *idInput) (struct{}, error) {
	return func(c *awsproto.Call, in *idInput) (struct{}, error) {
		return struct{}{}, s.store.SetIDConfig(c.Request.Context(), in.Bucket, ic.sub, *in.ID, nil)
	}
}

func (s *Service) listIDConfigs(ic *idConfig) func(*awsproto.Call, *listIDConfigsInput) (storedDoc, error) {
	return func(c *awsproto.Call, in *listIDConfigsInput) (storedDoc, error) {
		after := ""
		if in.ContinuationToken != "" {
			b, err := base64.RawURLEncoding.DecodeString(in.ContinuationToken)
			if err != nil || len(b) == 0 {
				return nil, invalidArgument("The continuation token provided is incorrect", "continuation-token", in.ContinuationToken)
			}
			after = string(b)
		}
		ids, docs, more, err := s.store.IDConfigs(in.Bucket, ic.sub, after, idConfigsPerPage)
		if err != nil {
			return nil, err
		}
		var out bytes.Buffer
		out.WriteString("<" + ic.list + ` xmlns="` + awsproto.S3XMLNS + `">`)
		for _, d := range docs {
			out.Write(d)
		}
		out.WriteString("<IsTruncated>" + strconv.FormatBool(more) + "</IsTruncated>")
		if in.ContinuationToken != "" {
			out.WriteString("<ContinuationToken>")
			xml.EscapeText(&out, []byte(in.ContinuationToken))
			out.WriteString("</ContinuationToken>")
		}
		if more {
			out.WriteString("<NextContinuationToken>" + base64.RawURLEncoding.EncodeToString([]byte(ids[len(ids)-1])) + "</NextContinuationToken>")
		}
		out.WriteString("</" + ic.list + ">")
		return out.Bytes(), nil
	}
}

// ----- schemas

// xs is an element's schema: its children (nil: text), which are required,
// which may repeat, the values its text may take.
type xs struct {
	kids   map[string]*xs
	req    []string
	many   map[string]bool
	choice bool     // at most one child
	enum   []string // allowed texts
	kind   byte     // 'b' boolean, 'i' integer, 0 text
}

// check applies the schema to n: S3 answers MalformedXML for a document
// that does not validate against its schema.
func (x *xs) check(n *xmlNode) error {
	if x.kids == nil {
		if len(n.Nodes) > 0 {
			return malformedXML()
		}
		switch {
		case x.kind == 'b' && !isBool(n.Text):
			return malformedXML()
		case x.kind == 'i':
			if _, err := strconv.Atoi(n.Text); err != nil {
				return malformedXML()
			}
		case x.enum != nil:
			for _, v := range x.enum {
				if v == n.Text {
					return nil
				}
			}
			return malformedXML()
		}
		return nil
	}
	seen := map[string]bool{}
	for i := range n.Nodes {
		c := &n.Nodes[i]
		k := x.kids[c.XMLName.Local]
		if k == nil || (seen[c.XMLName.Local] && !x.many[c.XMLName.Local]) {
			return malformedXML()
		}
		seen[c.XMLName.Local] = true
		if err := k.check(c); err != nil {
			return err
		}
	}
	if x.choice && len(seen) > 1 {
		return malformedXML()
	}
	for _, r := range x.req {
		if !seen[r] {
			return malformedXML()
		}
	}
	return nil
}

var (
	xsText = &xs{}
	xsBool = &xs{kind: 'b'}
	xsInt  = &xs{kind: 'i'}
	xsTag  = &xs{kids: map[string]*xs{"Key": xsText, "Value": xsText}, req: []string{"Key", "Value"}}
)

func xsEnum(v ...string) *xs { return &xs{enum: v} }

// xsFilter is the filter of analytics and intelligent-tiering
// configurations (metrics add access points).
func xsFilter(accessPoints bool) *xs {
	and := &xs{kids: map[string]*xs{"Prefix": xsText, "Tag": xsTag}, many: map[string]bool{"Tag": true}}
	f := &xs{kids: map[string]*xs{"Prefix": xsText, "Tag": xsTag, "And": and}, choice: true}
	if accessPoints {
		and.kids["AccessPointArn"] = xsText
		f.kids["AccessPointArn"] = xsText
	}
	return f
}

var analyticsConfig = idConfig{
	sub: "analytics", root: "AnalyticsConfiguration", list: "ListBucketAnalyticsConfigurationResult",
	schema: &xs{kids: map[string]*xs{
		"Id":     xsText,
		"Filter": xsFilter(false),
		"StorageClassAnalysis": {kids: map[string]*xs{
			"DataExport": {kids: map[string]*xs{
				"OutputSchemaVersion": xsEnum("V_1"),
				"Destination": {kids: map[string]*xs{
					"S3BucketDestination": {kids: map[string]*xs{
						"Format": xsEnum("CSV"), "BucketAccountId": xsText, "Bucket": xsText, "Prefix": xsText,
					}, req: []string{"Format", "Bucket"}},
				}, req: []string{"S3BucketDestination"}},
			}, req: []string{"OutputSchemaVersion", "Destination"}},
		}},
	}, req: []string{"Id", "StorageClassAnalysis"}},
}

var metricsConfig = idConfig{
	sub: "metrics", root: "MetricsConfiguration", list: "ListMetricsConfigurationsResult",
	schema: &xs{kids: map[string]*xs{"Id": xsText, "Filter": xsFilter(true)}, req: []string{"Id"}},
}

var inventoryConfig = idConfig{
	sub: "inventory", root: "InventoryConfiguration", list: "ListInventoryConfigurationsResult",
	schema: &xs{kids: map[string]*xs{
		"Id": xsText,
		"Destination": {kids: map[string]*xs{
			"S3BucketDestination": {kids: map[string]*xs{
				"AccountId": xsText, "Bucket": xsText, "Format": xsEnum("CSV", "ORC", "Parquet"), "Prefix": xsText,
				"Encryption": {kids: map[string]*xs{
					"SSE-S3":  {kids: map[string]*xs{}},
					"SSE-KMS": {kids: map[string]*xs{"KeyId": xsText}, req: []string{"KeyId"}},
				}, choice: true},
			}, req: []string{"Bucket", "Format"}},
		}, req: []string{"S3BucketDestination"}},
		"IsEnabled":              xsBool,
		"Filter":                 {kids: map[string]*xs{"Prefix": xsText}, req: []string{"Prefix"}},
		"IncludedObjectVersions": xsEnum("All", "Current"),
		"OptionalFields": {kids: map[string]*xs{"Field": xsEnum("Size", "LastModifiedDate", "StorageClass", "ETag",
			"IsMultipartUploaded", "ReplicationStatus", "EncryptionStatus", "ObjectLockRetainUntilDate", "ObjectLockMode",
			"ObjectLockLegalHoldStatus", "IntelligentTieringAccessTier", "BucketKeyStatus", "ChecksumAlgorithm",
			"ObjectAccessControlList", "ObjectOwner", "LifecycleExpirationDate")}, many: map[string]bool{"Field": true}},
		"Schedule": {kids: map[string]*xs{"Frequency": xsEnum("Daily", "Weekly")}, req: []string{"Frequency"}},
	}, req: []string{"Destination", "IsEnabled", "Id", "IncludedObjectVersions", "Schedule"}},
}

var intelligentTieringConfig = idConfig{
	sub: "intelligent-tiering", root: "IntelligentTieringConfiguration", list: "ListBucketIntelligentTieringConfigurationsOutput",
	schema: &xs{kids: map[string]*xs{
		"Id":     xsText,
		"Filter": xsFilter(false),
		"Status": xsEnum("Enabled", "Disabled"),
		"Tiering": {kids: map[string]*xs{"Days": xsInt, "AccessTier": xsEnum("ARCHIVE_ACCESS", "DEEP_ARCHIVE_ACCESS")},
			req: []string{"Days", "AccessTier"}},
	}, many: map[string]bool{"Tiering": true}, req: []string{"Id", "Status", "Tiering"}},
}
