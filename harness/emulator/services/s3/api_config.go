package s3

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Stored bucket configurations: PublicAccessBlock, OwnershipControls,
// Encryption, Cors, LifecycleConfiguration, Logging, Accelerate and
// RequestPayment. Each is a sub-resource document S3 validates and returns
// as it was given; the checks below are S3's, the document is kept whole
// (every element, known or not) in its canonical form.

// xmlNode is any XML element, kept whole.
type xmlNode struct {
	XMLName xml.Name
	Text    string    `xml:",chardata"`
	Nodes   []xmlNode `xml:",any"`
}

// child is n's first child element named name (nil: none).
func (n *xmlNode) child(name string) *xmlNode {
	for i := range n.Nodes {
		if n.Nodes[i].XMLName.Local == name {
			return &n.Nodes[i]
		}
	}
	return nil
}

// children are n's child elements named name.
func (n *xmlNode) children(name string) []*xmlNode {
	var out []*xmlNode
	for i := range n.Nodes {
		if n.Nodes[i].XMLName.Local == name {
			out = append(out, &n.Nodes[i])
		}
	}
	return out
}

// text is the text of n's child name, and whether it is there.
func (n *xmlNode) text(name string) (string, bool) {
	if c := n.child(name); c != nil {
		return c.Text, true
	}
	return "", false
}

// canonical drops namespaces below the root and the whitespace between
// elements, so the stored document encodes to what S3 answers.
func (n *xmlNode) canonical() {
	n.XMLName.Space = ""
	if len(n.Nodes) > 0 {
		n.Text = ""
	}
	for i := range n.Nodes {
		n.Nodes[i].canonical()
	}
}

// bucketConfig describes one stored configuration sub-resource.
type bucketConfig struct {
	sub  string // the sub-resource, and the store's name for it
	root string // the document's element
	// check applies S3's rules to a document (nil: any document with the
	// right root).
	check func(s *Service, bucket string, n *xmlNode) error
	// dflt is what a bucket that never had the configuration answers
	// ("": the missing error).
	dflt string
	// deleteResets: Delete restores dflt (encryption); otherwise a bucket
	// with a default answers missing once its configuration is deleted.
	deleteResets bool
	missing      func(bucket string) error
}

// configInput is the input of the Put operations of stored configurations.
type configInput struct {
	Bucket string    `xml:"-" location:"uri" name:"Bucket"`
	Body   io.Reader `xml:"-" location:"body"`
}

// parse reads and checks a configuration document and returns its
// canonical encoding.
func (bc *bucketConfig) parse(s *Service, bucket string, body []byte) ([]byte, error) {
	var n xmlNode
	if err := awsproto.DecodeXML(body, &n); err != nil {
		return nil, err
	}
	if n.XMLName.Local != bc.root {
		return nil, malformedXML()
	}
	n.canonical()
	if bc.check != nil {
		if err := bc.check(s, bucket, &n); err != nil {
			return nil, err
		}
	}
	n.XMLName.Space = awsproto.S3XMLNS
	return xml.Marshal(&n)
}

func (s *Service) putConfig(bc *bucketConfig) func(*awsproto.Call, *configInput) (struct{}, error) {
	return func(c *awsproto.Call, in *configInput) (struct{}, error) {
		if _, err := s.store.Bucket(in.Bucket); err != nil {
			return struct{}{}, err
		}
		body, err := readXMLBody(c, in.Body)
		if err != nil {
			return struct{}{}, err
		}
		doc, err := bc.parse(s, in.Bucket, body)
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, s.store.SetBucketConfig(c.Request.Context(), in.Bucket, bc.sub, doc)
	}
}

func (s *Service) getConfig(bc *bucketConfig) func(*awsproto.Call, *bucketInput) (storedDoc, error) {
	return func(c *awsproto.Call, in *bucketInput) (storedDoc, error) {
		doc, err := s.store.BucketConfig(in.Bucket, bc.sub)
		switch {
		case err != nil:
			return nil, err
		case doc == nil && bc.dflt != "":
			return storedDoc(bc.dflt), nil
		case len(doc) == 0:
			return nil, bc.missing(in.Bucket)
		}
		return doc, nil
	}
}

func (s *Service) deleteConfig(bc *bucketConfig) func(*awsproto.Call, *bucketInput) (struct{}, error) {
	return func(c *awsproto.Call, in *bucketInput) (struct{}, error) {
		var none []byte // absent: the default, if any
		if bc.dflt != "" && !bc.deleteResets {
			none = []byte{} // deleted: no default any more
		}
		return struct{}{}, s.store.SetBucketConfig(c.Request.Context(), in.Bucket, bc.sub, none)
	}
}

// doc is a configuration document with S3's namespace.
func doc(root, inner string) string {
	return "<" + root + ` xmlns="` + awsproto.S3XMLNS + `">` + inner + "</" + root + ">"
}

func isBool(v string) bool { return v == "true" || v == "false" }

// ----- the configurations

var publicAccessBlockConfig = bucketConfig{
	sub: "publicAccessBlock", root: "PublicAccessBlockConfiguration",
	// New buckets block public access, as on S3 since April 2023.
	dflt: doc("PublicAccessBlockConfiguration", "<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>"+
		"<BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>"),
	check: func(_ *Service, _ string, n *xmlNode) error {
		for _, c := range n.Nodes {
			switch c.XMLName.Local {
			case "BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets":
				if !isBool(c.Text) {
					return malformedXML()
				}
			default:
				return malformedXML()
			}
		}
		return nil
	},
	missing: func(bucket string) error {
		return errNoSuchPublicAccessBlock.New("The public access block configuration was not found").With("BucketName", bucket)
	},
}

var objectOwnerships = map[string]bool{"BucketOwnerPreferred": true, "ObjectWriter": true, "BucketOwnerEnforced": true}

var ownershipControlsConfig = bucketConfig{
	sub: "ownershipControls", root: "OwnershipControls",
	// New buckets have ACLs disabled, as on S3 since April 2023.
	dflt: doc("OwnershipControls", "<Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule>"),
	check: func(_ *Service, _ string, n *xmlNode) error {
		rules := n.children("Rule")
		if len(rules) != 1 || len(n.Nodes) != 1 {
			return malformedXML()
		}
		if v, _ := rules[0].text("ObjectOwnership"); !objectOwnerships[v] {
			return malformedXML()
		}
		return nil
	},
	missing: func(bucket string) error {
		return errOwnershipControlsNotFound.New("The bucket ownership controls were not found").With("BucketName", bucket)
	},
}

var encryptionConfig = bucketConfig{
	sub: "encryption", root: "ServerSideEncryptionConfiguration",
	// Every bucket encrypts with SSE-S3 unless told otherwise; deleting
	// the configuration goes back to it.
	dflt: doc("ServerSideEncryptionConfiguration", "<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"+
		"</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule>"),
	deleteResets: true,
	check: func(_ *Service, _ string, n *xmlNode) error {
		rules := n.children("Rule")
		if len(rules) == 0 {
			return malformedXML()
		}
		for _, r := range rules {
			if v, ok := r.text("BucketKeyEnabled"); ok && !isBool(v) {
				return malformedXML()
			}
			d := r.child("ApplyServerSideEncryptionByDefault")
			if d == nil {
				continue
			}
			alg, _ := d.text("SSEAlgorithm")
			switch alg {
			case "AES256":
				if _, ok := d.text("KMSMasterKeyID"); ok {
					return invalidArgument("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse.",
						"ApplyServerSideEncryptionByDefault", "null")
				}
			case "aws:kms", "aws:kms:dsse":
			default:
				return malformedXML()
			}
		}
		return nil
	},
}

var corsMethods = map[string]bool{"GET": true, "PUT": true, "HEAD": true, "POST": true, "DELETE": true}

const maxCORSRules = 100

var corsConfig = bucketConfig{
	sub: "cors", root: "CORSConfiguration",
	check: func(_ *Service, _ string, n *xmlNode) error {
		rules := n.children("CORSRule")
		if len(rules) == 0 || len(rules) > maxCORSRules {
			return malformedXML()
		}
		for _, r := range rules {
			methods, origins := r.children("AllowedMethod"), r.children("AllowedOrigin")
			if len(methods) == 0 || len(origins) == 0 {
				return malformedXML()
			}
			for _, m := range methods {
				if !corsMethods[m.Text] {
					return errInvalidRequest.New("Found unsupported HTTP method in CORS config. Unsupported method is " + m.Text)
				}
			}
			for _, o := range origins {
				if strings.Count(o.Text, "*") > 1 {
					return errInvalidRequest.New(`AllowedOrigin "` + o.Text + `" can not have more than one wildcard.`)
				}
			}
			if v, ok := r.text("MaxAgeSeconds"); ok {
				if _, err := strconv.Atoi(v); err != nil {
					return malformedXML()
				}
			}
		}
		return nil
	},
	missing: func(bucket string) error {
		return errNoSuchCORSConfiguration.New("The CORS configuration does not exist").With("BucketName", bucket)
	},
}

const (
	maxLifecycleRules = 1000
	maxLifecycleID    = 255
)

var lifecycleConfig = bucketConfig{
	sub: "lifecycle", root: "LifecycleConfiguration",
	check: func(_ *Service, _ string, n *xmlNode) error {
		rules := n.children("Rule")
		if len(rules) == 0 || len(rules) > maxLifecycleRules {
			return malformedXML()
		}
		ids := map[string]bool{}
		for _, r := range rules {
			if st, _ := r.text("Status"); st != "Enabled" && st != "Disabled" {
				return malformedXML()
			}
			if id, ok := r.text("ID"); ok {
				if len(id) > maxLifecycleID {
					return invalidArgument("ID length should not exceed allowed limit of 255", "ID", id)
				}
				if ids[id] {
					return invalidArgument("Rule ID must be unique. Found same ID for more than one rule", "ID", id)
				}
				ids[id] = true
			}
			_, prefix := r.text("Prefix")
			if prefix && r.child("Filter") != nil {
				return malformedXML()
			}
			acted := false
			for _, a := range []string{"Expiration", "Transition", "NoncurrentVersionExpiration", "NoncurrentVersionTransition", "AbortIncompleteMultipartUpload"} {
				acted = acted || r.child(a) != nil
			}
			if !acted {
				return errInvalidRequest.New("At least one action needs to be specified in a rule")
			}
			if e := r.child("Expiration"); e != nil {
				if d, ok := e.text("Days"); ok {
					if v, err := strconv.Atoi(d); err != nil || v <= 0 {
						return invalidArgument("'Days' for Expiration action must be a positive integer", "Days", d)
					}
				}
			}
		}
		return nil
	},
	missing: func(bucket string) error {
		return errNoSuchLifecycleConfiguration.New("The lifecycle configuration does not exist").With("BucketName", bucket)
	},
}

var accelerateConfig = bucketConfig{
	sub: "accelerate", root: "AccelerateConfiguration",
	dflt: doc("AccelerateConfiguration", ""),
	check: func(_ *Service, bucket string, n *xmlNode) error {
		if st, _ := n.text("Status"); st != "Enabled" && st != "Suspended" {
			return malformedXML()
		}
		if strings.Contains(bucket, ".") {
			return errInvalidRequest.New("S3 Transfer Acceleration is not supported for buckets with periods (.) in their names")
		}
		return nil
	},
}

var requestPaymentConfig = bucketConfig{
	sub: "requestPayment", root: "RequestPaymentConfiguration",
	dflt: doc("RequestPaymentConfiguration", "<Payer>BucketOwner</Payer>"),
	check: func(_ *Service, _ string, n *xmlNode) error {
		if p, _ := n.text("Payer"); p != "Requester" && p != "BucketOwner" {
			return malformedXML()
		}
		return nil
	},
}

// ownership is the bucket's object ownership setting ("" when its
// ownership controls were deleted: ACLs are then enabled).
func (s *Service) ownership(bucket string) (string, error) {
	d, err := s.store.BucketConfig(bucket, ownershipControlsConfig.sub)
	if err != nil {
		return "", err
	}
	if d == nil {
		return "BucketOwnerEnforced", nil
	}
	for _, v := range []string{"BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"} {
		if bytes.Contains(d, []byte(">"+v+"<")) {
			return v, nil
		}
	}
	return "", nil
}
