package s3

import (
	"encoding/xml"
	"io"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ACLs: GetBucketAcl, PutBucketAcl, GetObjectAcl, PutObjectAcl. Canned
// ACLs, x-amz-grant-* headers and AccessControlPolicy documents are
// stored and returned; a bucket whose object ownership is
// BucketOwnerEnforced (the default) refuses every ACL but the owner's full
// control, as S3 does.

// grant is one grantee and permission of an ACL.
type grant struct {
	Type       string // CanonicalUser, Group, AmazonCustomerByEmail
	ID         string
	URI        string
	Email      string
	Permission string
}

const (
	allUsers           = "http://acs.amazonaws.com/groups/global/AllUsers"
	authenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	logDelivery        = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

var ownerFull = grant{Type: "CanonicalUser", ID: defaultOwner.ID, Permission: "FULL_CONTROL"}

// cannedACLs are the grants each canned ACL stands for (the bucket's owner
// is every object's owner here).
var cannedACLs = map[string][]grant{
	"private":                   {ownerFull},
	"public-read":               {ownerFull, {Type: "Group", URI: allUsers, Permission: "READ"}},
	"public-read-write":         {ownerFull, {Type: "Group", URI: allUsers, Permission: "READ"}, {Type: "Group", URI: allUsers, Permission: "WRITE"}},
	"authenticated-read":        {ownerFull, {Type: "Group", URI: authenticatedUsers, Permission: "READ"}},
	"aws-exec-read":             {ownerFull},
	"bucket-owner-read":         {ownerFull},
	"bucket-owner-full-control": {ownerFull},
	"log-delivery-write":        {ownerFull, {Type: "Group", URI: logDelivery, Permission: "WRITE"}, {Type: "Group", URI: logDelivery, Permission: "READ_ACP"}},
}

var permissions = map[string]bool{"FULL_CONTROL": true, "WRITE": true, "WRITE_ACP": true, "READ": true, "READ_ACP": true}

// aclInput is PutObjectAcl's input.
type aclInput struct {
	Key string `xml:"-" location:"uri" name:"Key"`
	bucketACLInput
}

// bucketACLInput is PutBucketAcl's input (and PutObjectAcl's, less the key).
type bucketACLInput struct {
	Bucket           string    `xml:"-" location:"uri" name:"Bucket"`
	ACL              string    `xml:"-" location:"header" name:"X-Amz-Acl"`
	GrantFullControl string    `xml:"-" location:"header" name:"X-Amz-Grant-Full-Control"`
	GrantRead        string    `xml:"-" location:"header" name:"X-Amz-Grant-Read"`
	GrantReadACP     string    `xml:"-" location:"header" name:"X-Amz-Grant-Read-Acp"`
	GrantWrite       string    `xml:"-" location:"header" name:"X-Amz-Grant-Write"`
	GrantWriteACP    string    `xml:"-" location:"header" name:"X-Amz-Grant-Write-Acp"`
	Body             io.Reader `xml:"-" location:"body"`
}

type accessControlPolicyWire struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	Owner   *struct {
		ID string `xml:"ID"`
	} `xml:"Owner"`
	Grants []struct {
		Grantee *struct {
			Type         string `xml:"type,attr"`
			ID           string `xml:"ID"`
			URI          string `xml:"URI"`
			EmailAddress string `xml:"EmailAddress"`
		} `xml:"Grantee"`
		Permission string `xml:"Permission"`
	} `xml:"AccessControlList>Grant"`
}

func malformedACL() error {
	return errMalformedACL.New("The XML you provided was not well-formed or did not validate against our published schema")
}

// grants reads the ACL a request sets: canned, grant headers or document.
func (in *bucketACLInput) grants(c *awsproto.Call) ([]grant, error) {
	headers := []struct{ perm, v string }{{"FULL_CONTROL", in.GrantFullControl}, {"READ", in.GrantRead},
		{"READ_ACP", in.GrantReadACP}, {"WRITE", in.GrantWrite}, {"WRITE_ACP", in.GrantWriteACP}}
	var out []grant
	for _, h := range headers {
		if h.v == "" {
			continue
		}
		for _, g := range strings.Split(h.v, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(g), "=")
			v = strings.Trim(strings.TrimSpace(v), `"`)
			if !ok || v == "" {
				return nil, invalidArgument("Invalid id", "x-amz-grant-"+strings.ToLower(strings.ReplaceAll(h.perm, "_", "-")), h.v)
			}
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "id":
				out = append(out, grant{Type: "CanonicalUser", ID: v, Permission: h.perm})
			case "uri":
				out = append(out, grant{Type: "Group", URI: v, Permission: h.perm})
			case "emailaddress":
				out = append(out, grant{Type: "AmazonCustomerByEmail", Email: v, Permission: h.perm})
			default:
				return nil, invalidArgument("Argument format not recognized", "x-amz-grant-"+strings.ToLower(strings.ReplaceAll(h.perm, "_", "-")), h.v)
			}
		}
	}
	if in.ACL != "" {
		if out != nil {
			return nil, errInvalidRequest.New("Specifying both Canned ACLs and Header Grants is not allowed")
		}
		g, ok := cannedACLs[in.ACL]
		if !ok {
			return nil, invalidArgument("", "x-amz-acl", in.ACL)
		}
		return g, nil
	}
	body, err := readXMLBody(c, in.Body)
	if err != nil {
		return nil, err
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		if out == nil {
			return nil, errMissingSecurityHeader.New("Your request was missing a required header").With("MissingHeaderName", "x-amz-acl")
		}
		return out, nil
	}
	if out != nil {
		return nil, errUnexpectedContent.New("This request does not support content")
	}
	var doc accessControlPolicyWire
	if xml.Unmarshal(body, &doc) != nil || doc.Owner == nil {
		return nil, malformedACL()
	}
	for _, g := range doc.Grants {
		if g.Grantee == nil || !permissions[g.Permission] {
			return nil, malformedACL()
		}
		ge := grant{Type: g.Grantee.Type, Permission: g.Permission}
		switch ge.Type {
		case "CanonicalUser":
			ge.ID = g.Grantee.ID
		case "Group":
			ge.URI = g.Grantee.URI
		case "AmazonCustomerByEmail":
			ge.Email = g.Grantee.EmailAddress
		default:
			return nil, malformedACL()
		}
		out = append(out, ge)
	}
	return out, nil
}

// ownerOnly reports whether an ACL grants nothing but the owner's full
// control: the one ACL a bucket with ACLs disabled accepts.
func ownerOnly(gs []grant) bool {
	for _, g := range gs {
		if g != ownerFull {
			return false
		}
	}
	return true
}

// renderACL is the AccessControlPolicy document of grants.
func renderACL(gs []grant) []byte {
	d := newXMLDoc("AccessControlPolicy")
	defer xmlDocs.Put(d)
	d.open("Owner")
	d.elem("ID", defaultOwner.ID)
	d.elem("DisplayName", defaultOwner.DisplayName)
	d.close("Owner")
	d.open("AccessControlList")
	for _, g := range gs {
		d.open("Grant")
		d.WriteString(`<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="` + g.Type + `">`)
		switch g.Type {
		case "CanonicalUser":
			d.elem("ID", g.ID)
			if g.ID == defaultOwner.ID {
				d.elem("DisplayName", defaultOwner.DisplayName)
			}
		case "Group":
			d.elem("URI", g.URI)
		default:
			d.elem("EmailAddress", g.Email)
		}
		d.close("Grantee")
		d.elem("Permission", g.Permission)
		d.close("Grant")
	}
	d.close("AccessControlList")
	d.close(d.root)
	// storedDoc adds the declaration back
	return []byte(strings.TrimPrefix(d.String(), xml.Header))
}

var defaultACL = renderACL([]grant{ownerFull})

// checkACL refuses an ACL a bucket does not allow.
func (s *Service) checkACL(bucket string, gs []grant) error {
	own, err := s.ownership(bucket)
	if err != nil {
		return err
	}
	if own == "BucketOwnerEnforced" && !ownerOnly(gs) {
		return errACLNotSupported.New("The bucket does not allow ACLs")
	}
	return nil
}

func (s *Service) putBucketACL(c *awsproto.Call, in *bucketACLInput) (struct{}, error) {
	if _, err := s.store.Bucket(in.Bucket); err != nil {
		return struct{}{}, err
	}
	gs, err := in.grants(c)
	if err != nil {
		return struct{}{}, err
	}
	if err := s.checkACL(in.Bucket, gs); err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.SetBucketConfig(c.Request.Context(), in.Bucket, "acl", renderACL(gs))
}

func (s *Service) getBucketACL(c *awsproto.Call, in *bucketInput) (storedDoc, error) {
	doc, err := s.store.BucketConfig(in.Bucket, "acl")
	if err != nil {
		return nil, err
	}
	if doc == nil {
		return defaultACL, nil
	}
	return doc, nil
}

func (s *Service) putObjectACL(c *awsproto.Call, in *aclInput) (struct{}, error) {
	if _, err := s.store.Object(in.Bucket, in.Key); err != nil {
		return struct{}{}, err
	}
	gs, err := in.grants(c)
	if err != nil {
		return struct{}{}, err
	}
	if err := s.checkACL(in.Bucket, gs); err != nil {
		return struct{}{}, err
	}
	doc := renderACL(gs)
	return struct{}{}, s.store.updateObject(c.Request.Context(), in.Bucket, in.Key, func(o *Object) { o.ACL = doc })
}

func (s *Service) getObjectACL(c *awsproto.Call, in *objectInput) (storedDoc, error) {
	o, err := s.store.Object(in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	if o.ACL == nil {
		return defaultACL, nil
	}
	return o.ACL, nil
}
