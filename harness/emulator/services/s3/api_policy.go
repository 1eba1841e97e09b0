package s3

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/iampolicy"
)

// Access configuration: PutBucketPolicy, GetBucketPolicy,
// DeleteBucketPolicy, GetBucketPolicyStatus, and the ACLs of buckets and
// objects (GetBucketAcl, PutBucketAcl, GetObjectAcl, PutObjectAcl). The
// documents are validated and kept as S3 does; they decide unsigned
// requests (anonymous.go), while every signed request is its account's own.

// ----- bucket policy

// maxPolicySize is S3's bound on a bucket policy.
const maxPolicySize = 20 << 10

type putBucketPolicyInput struct {
	Bucket                        string    `xml:"-" location:"uri" name:"Bucket"`
	ConfirmRemoveSelfBucketAccess string    `xml:"-" location:"header" name:"X-Amz-Confirm-Remove-Self-Bucket-Access"`
	Policy                        io.Reader `xml:"-" location:"body"`
}

// policyStatement is what S3 checks of a policy statement.
type policyStatement struct {
	Effect       *string         `json:"Effect"`
	Principal    json.RawMessage `json:"Principal"`
	NotPrincipal json.RawMessage `json:"NotPrincipal"`
	Action       json.RawMessage `json:"Action"`
	NotAction    json.RawMessage `json:"NotAction"`
	Resource     json.RawMessage `json:"Resource"`
	NotResource  json.RawMessage `json:"NotResource"`
	Condition    json.RawMessage `json:"Condition"`
}

func malformedPolicy(msg string) error { return errMalformedPolicy.New(msg) }

// parsePolicy checks a bucket policy as S3 does and returns its statements.
func parsePolicy(bucket string, body []byte) ([]iampolicy.Statement, error) {
	var doc struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if len(body) == 0 || body[0] != '{' || json.Unmarshal(body, &doc) != nil {
		return nil, malformedPolicy("Policies must be valid JSON and the first byte must be '{'")
	}
	if len(doc.Statement) == 0 || string(doc.Statement) == "null" {
		return nil, malformedPolicy("Missing required field Statement")
	}
	var stmts []policyStatement
	if bytes.HasPrefix(bytes.TrimSpace(doc.Statement), []byte("[")) {
		if err := json.Unmarshal(doc.Statement, &stmts); err != nil {
			return nil, malformedPolicy("Policies must be valid JSON and the first byte must be '{'")
		}
	} else {
		var st policyStatement
		if err := json.Unmarshal(doc.Statement, &st); err != nil {
			return nil, malformedPolicy("Policies must be valid JSON and the first byte must be '{'")
		}
		stmts = []policyStatement{st}
	}
	if len(stmts) == 0 {
		return nil, malformedPolicy("Could not parse the policy: Statement is empty!")
	}
	for _, st := range stmts {
		if st.Effect == nil {
			return nil, malformedPolicy("Missing required field Effect")
		}
		if *st.Effect != "Allow" && *st.Effect != "Deny" {
			return nil, malformedPolicy("Invalid effect: " + *st.Effect)
		}
		if st.Principal == nil && st.NotPrincipal == nil {
			return nil, malformedPolicy("Missing required field Principal")
		}
		actions, ok := stringsOf(st.Action, st.NotAction)
		if !ok {
			return nil, malformedPolicy("Missing required field Action")
		}
		for _, a := range actions {
			if a != "*" && !strings.HasPrefix(strings.ToLower(a), "s3:") {
				return nil, malformedPolicy("Policy has invalid action")
			}
		}
		resources, ok := stringsOf(st.Resource, st.NotResource)
		if !ok {
			return nil, malformedPolicy("Missing required field Resource")
		}
		for _, r := range resources {
			if r != "*" && r != "arn:aws:s3:::"+bucket && !strings.HasPrefix(r, "arn:aws:s3:::"+bucket+"/") {
				return nil, malformedPolicy("Policy has invalid resource")
			}
		}
	}
	parsed, err := iampolicy.Parse(string(body))
	if err != nil {
		if u := (*iampolicy.UnknownOperatorError)(nil); errors.As(err, &u) {
			return nil, malformedPolicy("Invalid Condition type : " + u.Operator)
		}
		return nil, malformedPolicy("Policies must be valid JSON and the first byte must be '{'")
	}
	return parsed.Statements, nil
}

// stringsOf reads a policy element that is a string or a list of strings
// (the first of the two that is present).
func stringsOf(a, b json.RawMessage) ([]string, bool) {
	raw := a
	if raw == nil {
		raw = b
	}
	if raw == nil {
		return nil, false
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, true
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil && len(many) > 0 {
		return many, true
	}
	return nil, false
}

func (s *Service) putBucketPolicy(c *awsproto.Call, in *putBucketPolicyInput) (struct{}, error) {
	if _, err := s.store.Bucket(in.Bucket); err != nil {
		return struct{}{}, err
	}
	body, err := readXMLBody(c, in.Policy)
	if err != nil {
		return struct{}{}, err
	}
	if len(body) == 0 {
		return struct{}{}, errMissingRequestBody.New("Request Body is empty")
	}
	if len(body) > maxPolicySize {
		return struct{}{}, malformedPolicy("Policies must be less than 20 KB")
	}
	stmts, err := parsePolicy(in.Bucket, body)
	if err != nil {
		return struct{}{}, err
	}
	if s.publicAccessBlockOf(in.Bucket).blockPolicy {
		for i := range stmts {
			if publicStatement(&stmts[i]) {
				return struct{}{}, errAccessDenied.Errorf("User: arn:aws:iam::000000000000:root is not authorized to perform: s3:PutBucketPolicy on resource: \"arn:aws:s3:::%s\" because public policies are blocked by the BlockPublicPolicy block public access setting.", in.Bucket)
			}
		}
	}
	return struct{}{}, s.store.SetBucketConfig(c.Request.Context(), in.Bucket, "policy", body)
}

func noSuchBucketPolicy(bucket string) error {
	return errNoSuchBucketPolicy.New("The bucket policy does not exist").With("BucketName", bucket)
}

func (s *Service) getBucketPolicy(c *awsproto.Call, in *bucketInput) (policyDoc, error) {
	doc, err := s.store.BucketConfig(in.Bucket, "policy")
	if err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, noSuchBucketPolicy(in.Bucket)
	}
	return doc, nil
}

func (s *Service) deleteBucketPolicy(c *awsproto.Call, in *bucketInput) (struct{}, error) {
	return struct{}{}, s.store.SetBucketConfig(c.Request.Context(), in.Bucket, "policy", nil)
}

type policyStatusWire struct {
	XMLName  xml.Name `xml:"PolicyStatus"`
	Xmlns    string   `xml:"xmlns,attr"`
	IsPublic bool     `xml:"IsPublic"`
}

func (s *Service) getBucketPolicyStatus(c *awsproto.Call, in *bucketInput) (policyStatusWire, error) {
	doc, err := s.store.BucketConfig(in.Bucket, "policy")
	if err != nil {
		return policyStatusWire{}, err
	}
	if doc == nil {
		return policyStatusWire{}, noSuchBucketPolicy(in.Bucket)
	}
	stmts, err := parsePolicy(in.Bucket, doc)
	if err != nil {
		return policyStatusWire{}, err
	}
	out := policyStatusWire{Xmlns: awsproto.S3XMLNS}
	for i := range stmts {
		out.IsPublic = out.IsPublic || publicStatement(&stmts[i])
	}
	return out, nil
}

// policyDoc is a bucket policy as GetBucketPolicy returns it: the JSON
// document as it was put.
type policyDoc []byte

func (d policyDoc) Respond(w http.ResponseWriter, c *awsproto.Call) error {
	h := w.Header()
	h["X-Amz-Request-Id"] = []string{c.RequestID}
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(d))}
	w.WriteHeader(http.StatusOK)
	w.Write(d)
	return nil
}
