package s3

import (
	"context"
	"encoding/xml"
	"io"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// S3 Metadata configurations (V2: CreateBucketMetadataConfiguration and its
// Update operations; V1: CreateBucketMetadataTableConfiguration) and the
// bucket's ABAC status. The configurations are validated and kept, and Get
// answers them as an active configuration would be; no S3 Tables table
// bucket, namespace or table is created and no journal or inventory record
// is written.

// Sub-resource names the configurations are stored under.
const (
	metadataSub   = "metadataConfiguration" // a V2 configuration, or V1's seen through V2's Get
	metadataV1Sub = "metadataTable"         // set only for a V1 configuration
	abacSub       = "abac"
)

type metadataInput struct {
	Bucket string    `xml:"-" location:"uri" name:"Bucket"`
	Body   io.Reader `xml:"-" location:"body" required:"true"`
}

// metadataResult is GetBucketMetadataConfiguration's answer, as stored.
type metadataResult struct {
	XMLName     xml.Name          `xml:"GetBucketMetadataConfigurationResult"`
	Xmlns       string            `xml:"xmlns,attr"`
	Destination metadataDest      `xml:"MetadataConfigurationResult>DestinationResult"`
	Journal     *metadataJournal  `xml:"MetadataConfigurationResult>JournalTableConfigurationResult,omitempty"`
	Inventory   *metadataInvTable `xml:"MetadataConfigurationResult>InventoryTableConfigurationResult,omitempty"`
}

type metadataDest struct {
	TableBucketType string `xml:"TableBucketType,omitempty"`
	TableBucketArn  string `xml:"TableBucketArn,omitempty"`
	TableNamespace  string `xml:"TableNamespace,omitempty"`
}

type metadataJournal struct {
	TableStatus      string   `xml:"TableStatus"`
	TableName        string   `xml:"TableName"`
	TableArn         string   `xml:"TableArn,omitempty"`
	RecordExpiration *xmlNode `xml:"RecordExpiration"`
}

type metadataInvTable struct {
	ConfigurationState string `xml:"ConfigurationState"`
	TableStatus        string `xml:"TableStatus,omitempty"`
	TableName          string `xml:"TableName,omitempty"`
	TableArn           string `xml:"TableArn,omitempty"`
}

// metadataV1Result is GetBucketMetadataTableConfiguration's answer.
type metadataV1Result struct {
	XMLName        xml.Name `xml:"GetBucketMetadataTableConfigurationResult"`
	Xmlns          string   `xml:"xmlns,attr"`
	TableBucketArn string   `xml:"MetadataTableConfigurationResult>S3TablesDestinationResult>TableBucketArn"`
	TableName      string   `xml:"MetadataTableConfigurationResult>S3TablesDestinationResult>TableName"`
	TableArn       string   `xml:"MetadataTableConfigurationResult>S3TablesDestinationResult>TableArn"`
	TableNamespace string   `xml:"MetadataTableConfigurationResult>S3TablesDestinationResult>TableNamespace"`
	Status         string   `xml:"Status"`
}

// Schemas of the documents the operations take.
var (
	xsMetadataEncryption = &xs{kids: map[string]*xs{"SseAlgorithm": xsEnum("aws:kms", "AES256"), "KmsKeyArn": xsText}, req: []string{"SseAlgorithm"}}
	xsRecordExpiration   = &xs{kids: map[string]*xs{"Expiration": xsEnum("ENABLED", "DISABLED"), "Days": xsInt}, req: []string{"Expiration"}}
	xsJournalTable       = &xs{kids: map[string]*xs{"RecordExpiration": xsRecordExpiration, "EncryptionConfiguration": xsMetadataEncryption},
		req: []string{"RecordExpiration"}}
	xsInventoryTable = &xs{kids: map[string]*xs{"ConfigurationState": xsEnum("ENABLED", "DISABLED"), "EncryptionConfiguration": xsMetadataEncryption},
		req: []string{"ConfigurationState"}}
	xsMetadataConfiguration = &xs{kids: map[string]*xs{"JournalTableConfiguration": xsJournalTable, "InventoryTableConfiguration": xsInventoryTable},
		req: []string{"JournalTableConfiguration"}}
	xsMetadataTable = &xs{kids: map[string]*xs{"S3TablesDestination": {kids: map[string]*xs{"TableBucketArn": xsText, "TableName": xsText},
		req: []string{"TableBucketArn", "TableName"}}}, req: []string{"S3TablesDestination"}}
	xsAbacStatus = &xs{kids: map[string]*xs{"Status": xsEnum("Enabled", "Disabled")}}
)

// readDoc reads an operation's XML document: its root must be root and it
// must validate against schema.
func readDoc(c *awsproto.Call, body io.Reader, root string, schema *xs) (*xmlNode, error) {
	b, err := readXMLBody(c, body)
	if err != nil {
		return nil, err
	}
	var n xmlNode
	if err := awsproto.DecodeXML(b, &n); err != nil {
		return nil, err
	}
	if n.XMLName.Local != root {
		return nil, malformedXML()
	}
	n.canonical()
	if err := schema.check(&n); err != nil {
		return nil, err
	}
	return &n, nil
}

// recordExpiration checks a RecordExpiration: Days (7 to 2147483647) with
// ENABLED only.
func recordExpiration(n *xmlNode) error {
	exp, _ := n.text("Expiration")
	days, has := n.text("Days")
	switch {
	case exp == "ENABLED" && !has:
		return invalidArgument("Days must be specified when record expiration is enabled.", "Days", "null")
	case exp == "DISABLED" && has:
		return invalidArgument("Days must not be specified when record expiration is disabled.", "Days", days)
	case has:
		if v, err := strconv.Atoi(days); err != nil || v < 7 {
			return invalidArgument("Days must be at least 7.", "Days", days)
		}
	}
	return nil
}

func (s *Service) tableBucketARN() string {
	return "arn:aws:s3tables:" + s.env.Region + ":" + cloud.DefaultAccount + ":bucket/aws-s3"
}

func metadataExists(bucket string) error {
	return errInvalidRequest.New("The specified bucket already has a metadata configuration.").With("BucketName", bucket)
}

func noMetadata(bucket string) error {
	return errNoSuchMetadataConfiguration.New("The specified bucket does not have a metadata configuration.").With("BucketName", bucket)
}

func (s *Service) createBucketMetadataConfiguration(c *awsproto.Call, in *metadataInput) (struct{}, error) {
	if _, err := s.store.Bucket(in.Bucket); err != nil {
		return struct{}{}, err
	}
	n, err := readDoc(c, in.Body, "MetadataConfiguration", xsMetadataConfiguration)
	if err != nil {
		return struct{}{}, err
	}
	j := n.child("JournalTableConfiguration")
	re := j.child("RecordExpiration")
	if err := recordExpiration(re); err != nil {
		return struct{}{}, err
	}
	tb, ns := s.tableBucketARN(), "b_"+strings.ReplaceAll(in.Bucket, ".", "_")
	res := metadataResult{Xmlns: awsproto.S3XMLNS, Destination: metadataDest{TableBucketType: "aws", TableBucketArn: tb, TableNamespace: ns},
		Journal: &metadataJournal{TableStatus: "ACTIVE", TableName: "journal", TableArn: tb + "/table/" + s.env.NewID(), RecordExpiration: re}}
	state := "DISABLED"
	if it := n.child("InventoryTableConfiguration"); it != nil {
		state, _ = it.text("ConfigurationState")
	}
	res.Inventory = inventoryTable(state, tb, s.env.NewID())
	return struct{}{}, s.setMetadata(c.Request.Context(), in.Bucket, &res, nil)
}

func inventoryTable(state, tableBucket, id string) *metadataInvTable {
	if state != "ENABLED" {
		return &metadataInvTable{ConfigurationState: "DISABLED"}
	}
	return &metadataInvTable{ConfigurationState: "ENABLED", TableStatus: "ACTIVE", TableName: "inventory", TableArn: tableBucket + "/table/" + id}
}

// setMetadata stores a configuration (with its V1 answer when it is one),
// unless the bucket has one already.
func (s *Service) setMetadata(ctx context.Context, bucket string, res *metadataResult, v1 *metadataV1Result) error {
	cur, err := s.store.BucketConfig(bucket, metadataSub)
	if err != nil {
		return err
	}
	if cur != nil {
		return metadataExists(bucket)
	}
	doc, err := xml.Marshal(res)
	if err != nil {
		return err
	}
	if v1 != nil {
		d1, err := xml.Marshal(v1)
		if err != nil {
			return err
		}
		if err := s.store.SetBucketConfig(ctx, bucket, metadataV1Sub, d1); err != nil {
			return err
		}
	}
	return s.store.SetBucketConfig(ctx, bucket, metadataSub, doc)
}

func (s *Service) createBucketMetadataTableConfiguration(c *awsproto.Call, in *metadataInput) (struct{}, error) {
	if _, err := s.store.Bucket(in.Bucket); err != nil {
		return struct{}{}, err
	}
	n, err := readDoc(c, in.Body, "MetadataTableConfiguration", xsMetadataTable)
	if err != nil {
		return struct{}{}, err
	}
	d := n.child("S3TablesDestination")
	tb, _ := d.text("TableBucketArn")
	name, _ := d.text("TableName")
	if !strings.HasPrefix(tb, "arn:aws:s3tables:") || !strings.Contains(tb, ":bucket/") {
		return struct{}{}, invalidArgument("The table bucket ARN is not valid.", "TableBucketArn", tb)
	}
	v1 := metadataV1Result{Xmlns: awsproto.S3XMLNS, TableBucketArn: tb, TableName: name, TableArn: tb + "/table/" + s.env.NewID(),
		TableNamespace: "aws_s3_metadata", Status: "ACTIVE"}
	res := metadataResult{Xmlns: awsproto.S3XMLNS, Destination: metadataDest{TableBucketType: "customer", TableBucketArn: tb, TableNamespace: v1.TableNamespace},
		Journal: &metadataJournal{TableStatus: "ACTIVE", TableName: name, TableArn: v1.TableArn,
			RecordExpiration: &xmlNode{Nodes: []xmlNode{{XMLName: xml.Name{Local: "Expiration"}, Text: "DISABLED"}}}}}
	return struct{}{}, s.setMetadata(c.Request.Context(), in.Bucket, &res, &v1)
}

func (s *Service) getBucketMetadataConfiguration(c *awsproto.Call, in *bucketInput) (storedDoc, error) {
	doc, err := s.store.BucketConfig(in.Bucket, metadataSub)
	if err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, noMetadata(in.Bucket)
	}
	return doc, nil
}

// v1Metadata is a bucket's V1 configuration; V1 operations on a V2 one
// are answered as S3 does: 405.
func (s *Service) v1Metadata(c *awsproto.Call, bucket string) ([]byte, error) {
	v1, err := s.store.BucketConfig(bucket, metadataV1Sub)
	if err != nil {
		return nil, err
	}
	if v1 == nil {
		if v2, _ := s.store.BucketConfig(bucket, metadataSub); v2 != nil {
			return nil, methodNotAllowed(c.Method, "BUCKET")
		}
		return nil, noMetadata(bucket)
	}
	return v1, nil
}

func (s *Service) getBucketMetadataTableConfiguration(c *awsproto.Call, in *bucketInput) (storedDoc, error) {
	return s.v1Metadata(c, in.Bucket)
}

func (s *Service) deleteBucketMetadataConfiguration(c *awsproto.Call, in *bucketInput) (struct{}, error) {
	doc, err := s.store.BucketConfig(in.Bucket, metadataSub)
	if err != nil {
		return struct{}{}, err
	}
	if doc == nil {
		return struct{}{}, noMetadata(in.Bucket)
	}
	s.store.SetBucketConfig(c.Request.Context(), in.Bucket, metadataV1Sub, nil)
	return struct{}{}, s.store.SetBucketConfig(c.Request.Context(), in.Bucket, metadataSub, nil)
}

func (s *Service) deleteBucketMetadataTableConfiguration(c *awsproto.Call, in *bucketInput) (struct{}, error) {
	if _, err := s.v1Metadata(c, in.Bucket); err != nil {
		return struct{}{}, err
	}
	return s.deleteBucketMetadataConfiguration(c, in)
}

// updateMetadata applies fn to a bucket's V2 configuration.
func (s *Service) updateMetadata(c *awsproto.Call, bucket string, fn func(*metadataResult)) error {
	doc, err := s.store.BucketConfig(bucket, metadataSub)
	if err != nil {
		return err
	}
	if doc == nil {
		return noMetadata(bucket)
	}
	if v1, _ := s.store.BucketConfig(bucket, metadataV1Sub); v1 != nil {
		return errInvalidRequest.New("The metadata configuration of this bucket was created with CreateBucketMetadataTableConfiguration and cannot be updated.")
	}
	var res metadataResult
	if err := xml.Unmarshal(doc, &res); err != nil {
		return err
	}
	res.Xmlns = awsproto.S3XMLNS
	fn(&res)
	out, err := xml.Marshal(&res)
	if err != nil {
		return err
	}
	return s.store.SetBucketConfig(c.Request.Context(), bucket, metadataSub, out)
}

func (s *Service) updateBucketMetadataInventoryTableConfiguration(c *awsproto.Call, in *metadataInput) (struct{}, error) {
	if _, err := s.store.Bucket(in.Bucket); err != nil {
		return struct{}{}, err
	}
	n, err := readDoc(c, in.Body, "InventoryTableConfiguration", xsInventoryTable)
	if err != nil {
		return struct{}{}, err
	}
	state, _ := n.text("ConfigurationState")
	return struct{}{}, s.updateMetadata(c, in.Bucket, func(r *metadataResult) {
		if r.Inventory == nil || r.Inventory.ConfigurationState != state {
			r.Inventory = inventoryTable(state, r.Destination.TableBucketArn, s.env.NewID())
		}
	})
}

func (s *Service) updateBucketMetadataJournalTableConfiguration(c *awsproto.Call, in *metadataInput) (struct{}, error) {
	if _, err := s.store.Bucket(in.Bucket); err != nil {
		return struct{}{}, err
	}
	n, err := readDoc(c, in.Body, "JournalTableConfiguration", xsJournalTable)
	if err != nil {
		return struct{}{}, err
	}
	re := n.child("RecordExpiration")
	if err := recordExpiration(re); err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.updateMetadata(c, in.Bucket, func(r *metadataResult) {
		if r.Journal != nil {
			r.Journal.RecordExpiration = re
		}
	})
}

// ----- ABAC

func (s *Service) putBucketAbac(c *awsproto.Call, in *metadataInput) (struct{}, error) {
	if _, err := s.store.Bucket(in.Bucket); err != nil {
		return struct{}{}, err
	}
	n, err := readDoc(c, in.Body, "AbacStatus", xsAbacStatus)
	if err != nil {
		return struct{}{}, err
	}
	n.XMLName.Space = awsproto.S3XMLNS
	doc, err := xml.Marshal(n)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.SetBucketConfig(c.Request.Context(), in.Bucket, abacSub, doc)
}

var abacDisabled = doc("AbacStatus", "<Status>Disabled</Status>")

// getBucketAbac answers a bucket that never had its ABAC status set as
// disabled, as new buckets are.
func (s *Service) getBucketAbac(c *awsproto.Call, in *bucketInput) (storedDoc, error) {
	d, err := s.store.BucketConfig(in.Bucket, abacSub)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return storedDoc(abacDisabled), nil
	}
	return d, nil
}
