package s3

import (
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Object lock: PutObjectLockConfiguration, GetObjectLockConfiguration,
// PutObjectRetention, GetObjectRetention, PutObjectLegalHold,
// GetObjectLegalHold, and the x-amz-object-lock-* headers of the writes.
// The store (store_lock.go) enforces them on deletes.

// lockHeaders are the object lock headers of PutObject, CopyObject and
// CreateMultipartUpload.
type lockHeaders struct {
	ObjectLockMode            string `xml:"-" location:"header" name:"X-Amz-Object-Lock-Mode"`
	ObjectLockRetainUntilDate string `xml:"-" location:"header" name:"X-Amz-Object-Lock-Retain-Until-Date"`
	ObjectLockLegalHoldStatus string `xml:"-" location:"header" name:"X-Amz-Object-Lock-Legal-Hold"`
}

// any reports whether the request sets object lock headers.
func (h *lockHeaders) any() bool {
	return h.ObjectLockMode != "" || h.ObjectLockRetainUntilDate != "" || h.ObjectLockLegalHoldStatus != ""
}

// apply sets obj's lock from the headers, as S3 checks them; now is the
// emulator's clock (a retain-until date must be in the future).
func (h *lockHeaders) apply(obj *Object, now time.Time) error {
	if (h.ObjectLockMode == "") != (h.ObjectLockRetainUntilDate == "") {
		return errInvalidArgument.New("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied")
	}
	if m := h.ObjectLockMode; m != "" {
		if m != LockGovernance && m != LockCompliance {
			return invalidArgument("Unknown wormMode directive.", "x-amz-object-lock-mode", m)
		}
		until, err := parseLockDate(h.ObjectLockRetainUntilDate)
		if err != nil {
			return invalidArgument("The retain until date must be provided in ISO 8601 format", "x-amz-object-lock-retain-until-date", h.ObjectLockRetainUntilDate)
		}
		if !until.After(now) {
			return invalidArgument("The retain until date must be in the future!", "x-amz-object-lock-retain-until-date", h.ObjectLockRetainUntilDate)
		}
		obj.protect(func(p *Protection) { p.LockMode, p.LockUntil = m, until })
	}
	switch v := h.ObjectLockLegalHoldStatus; v {
	case "":
	case LegalHoldOn, LegalHoldOff:
		obj.protect(func(p *Protection) { p.LegalHold = v })
	default:
		return invalidArgument("Legal Hold must be either of 'ON' or 'OFF'", "x-amz-object-lock-legal-hold", v)
	}
	return nil
}

// parseLockDate reads an ISO 8601 retain-until date.
func parseLockDate(v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v))
	return t.UTC(), err
}

// lockDate is a retain-until date as S3 writes it.
func lockDate(t time.Time) string { return t.UTC().Format(s3Time) }

// lockResponseHeaders adds a version's lock to a GET or HEAD answer.
func lockResponseHeaders(wh http.Header, p *Protection) {
	if p.LockMode != "" {
		wh["X-Amz-Object-Lock-Mode"] = []string{p.LockMode}
		wh["X-Amz-Object-Lock-Retain-Until-Date"] = []string{lockDate(p.LockUntil)}
	}
	if p.LegalHold != "" {
		wh["X-Amz-Object-Lock-Legal-Hold"] = []string{p.LegalHold}
	}
}

// ----- bucket configuration

type objectLockConfiguration struct {
	XMLName           xml.Name        `xml:"ObjectLockConfiguration"`
	Xmlns             string          `xml:"xmlns,attr,omitempty"`
	ObjectLockEnabled string          `xml:"ObjectLockEnabled,omitempty"`
	Rule              *objectLockRule `xml:"Rule,omitempty"`
}

type objectLockRule struct {
	DefaultRetention *defaultRetention `xml:"DefaultRetention"`
}

type defaultRetention struct {
	Mode  string `xml:"Mode,omitempty"`
	Days  *int   `xml:"Days,omitempty"`
	Years *int   `xml:"Years,omitempty"`
}

type putObjectLockConfigurationInput struct {
	Bucket string    `xml:"-" location:"uri" name:"Bucket"`
	Token  string    `xml:"-" location:"header" name:"X-Amz-Bucket-Object-Lock-Token"`
	Body   io.Reader `xml:"-" location:"body"`
}

// Longest default retention S3 accepts.
const (
	maxRetentionDays  = 36500
	maxRetentionYears = 100
)

func (s *Service) putObjectLockConfiguration(c *awsproto.Call, in *putObjectLockConfigurationInput) (struct{}, error) {
	if _, err := s.store.Bucket(in.Bucket); err != nil {
		return struct{}{}, err
	}
	body, err := readXMLBody(c, in.Body)
	if err != nil {
		return struct{}{}, err
	}
	var doc objectLockConfiguration
	if err := awsproto.DecodeXML(body, &doc); err != nil {
		return struct{}{}, err
	}
	if doc.ObjectLockEnabled != "Enabled" {
		return struct{}{}, malformedXML()
	}
	var conf LockConfig
	if r := doc.Rule; r != nil {
		d := r.DefaultRetention
		if d == nil || (d.Mode != LockGovernance && d.Mode != LockCompliance) || (d.Days == nil) == (d.Years == nil) {
			return struct{}{}, malformedXML()
		}
		conf.Mode = d.Mode
		n, limit := d.Days, maxRetentionDays
		if d.Years != nil {
			n, limit = d.Years, maxRetentionYears
		}
		if *n <= 0 {
			return struct{}{}, errInvalidArgument.New("Default retention period must be a positive integer value.")
		}
		if *n > limit {
			return struct{}{}, errInvalidArgument.New("Default retention period is too large.")
		}
		if d.Years != nil {
			conf.Years = *n
		} else {
			conf.Days = *n
		}
	}
	return struct{}{}, s.store.SetLockConfig(c.Request.Context(), in.Bucket, conf)
}

func (s *Service) getObjectLockConfiguration(c *awsproto.Call, in *bucketInput) (objectLockConfiguration, error) {
	conf, err := s.store.LockConfigOf(in.Bucket)
	if err != nil {
		return objectLockConfiguration{}, err
	}
	out := objectLockConfiguration{Xmlns: awsproto.S3XMLNS, ObjectLockEnabled: "Enabled"}
	if conf.Mode != "" {
		d := &defaultRetention{Mode: conf.Mode}
		if conf.Years > 0 {
			d.Years = &conf.Years
		} else {
			d.Days = &conf.Days
		}
		out.Rule = &objectLockRule{DefaultRetention: d}
	}
	return out, nil
}

// ----- retention

type retentionDoc struct {
	XMLName         xml.Name `xml:"Retention"`
	Xmlns           string   `xml:"xmlns,attr,omitempty"`
	Mode            string   `xml:"Mode,omitempty"`
	RetainUntilDate string   `xml:"RetainUntilDate,omitempty"`
}

// versionInput names an object, or one version of it.
type versionInput struct {
	objectInput
	VersionID string `xml:"-" location:"querystring" name:"versionId"`
}

type putObjectRetentionInput struct {
	versionInput
	BypassGovernanceRetention string    `xml:"-" location:"header" name:"X-Amz-Bypass-Governance-Retention"`
	Body                      io.Reader `xml:"-" location:"body"`
}

func (s *Service) putObjectRetention(c *awsproto.Call, in *putObjectRetentionInput) (struct{}, error) {
	if _, err := s.store.Bucket(in.Bucket); err != nil {
		return struct{}{}, err
	}
	body, err := readXMLBody(c, in.Body)
	if err != nil {
		return struct{}{}, err
	}
	var doc retentionDoc
	if err := awsproto.DecodeXML(body, &doc); err != nil {
		return struct{}{}, err
	}
	if doc.XMLName.Local != "Retention" || (doc.Mode == "") != (doc.RetainUntilDate == "") {
		return struct{}{}, malformedXML()
	}
	now := s.env.Now()
	var r Retention
	if doc.Mode != "" {
		if doc.Mode != LockGovernance && doc.Mode != LockCompliance {
			return struct{}{}, malformedXML()
		}
		until, err := parseLockDate(doc.RetainUntilDate)
		if err != nil {
			return struct{}{}, malformedXML()
		}
		if !until.After(now) {
			return struct{}{}, errInvalidArgument.New("The retain until date must be in the future!")
		}
		r = Retention{Mode: doc.Mode, Until: until}
	}
	return struct{}{}, s.store.SetRetention(c.Request.Context(), in.Bucket, in.Key, in.VersionID, r, bypassGovernance(in.BypassGovernanceRetention), now)
}

func (s *Service) getObjectRetention(c *awsproto.Call, in *versionInput) (retentionDoc, error) {
	v, err := s.store.LockOf(in.Bucket, in.Key, in.VersionID)
	if err != nil {
		return retentionDoc{}, err
	}
	p := v.protection()
	if p.LockMode == "" {
		return retentionDoc{}, noObjectLock()
	}
	return retentionDoc{Xmlns: awsproto.S3XMLNS, Mode: p.LockMode, RetainUntilDate: lockDate(p.LockUntil)}, nil
}

func noObjectLock() error {
	return errNoSuchObjectLockConfig.New("The specified object does not have a ObjectLock configuration")
}

// ----- legal hold

type legalHoldDoc struct {
	XMLName xml.Name `xml:"LegalHold"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Status  string   `xml:"Status"`
}

type putObjectLegalHoldInput struct {
	versionInput
	Body io.Reader `xml:"-" location:"body"`
}

func (s *Service) putObjectLegalHold(c *awsproto.Call, in *putObjectLegalHoldInput) (struct{}, error) {
	if _, err := s.store.Bucket(in.Bucket); err != nil {
		return struct{}{}, err
	}
	body, err := readXMLBody(c, in.Body)
	if err != nil {
		return struct{}{}, err
	}
	var doc legalHoldDoc
	if err := awsproto.DecodeXML(body, &doc); err != nil {
		return struct{}{}, err
	}
	if doc.XMLName.Local != "LegalHold" || (doc.Status != LegalHoldOn && doc.Status != LegalHoldOff) {
		return struct{}{}, malformedXML()
	}
	return struct{}{}, s.store.SetLegalHold(c.Request.Context(), in.Bucket, in.Key, in.VersionID, doc.Status)
}

func (s *Service) getObjectLegalHold(c *awsproto.Call, in *versionInput) (legalHoldDoc, error) {
	v, err := s.store.LockOf(in.Bucket, in.Key, in.VersionID)
	if err != nil {
		return legalHoldDoc{}, err
	}
	p := v.protection()
	if p.LegalHold == "" {
		return legalHoldDoc{}, noObjectLock()
	}
	return legalHoldDoc{Xmlns: awsproto.S3XMLNS, Status: p.LegalHold}, nil
}

// bypassGovernance reads x-amz-bypass-governance-retention.
func bypassGovernance(v string) bool { b, _ := strconv.ParseBool(v); return b }
