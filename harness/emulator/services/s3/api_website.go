package s3

import (
	"encoding/xml"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Website endpoints, as LocalStack serves them, plus a path form that needs
// no DNS. Chromium resolves *.localhost to loopback, so the short host form
// works in a browser offline.
const (
	websiteHostSuffix      = "s3-website.localhost.localstack.cloud"
	websiteShortHostSuffix = "s3-website.localhost"
	websitePathPrefix      = "/_aws/s3-website/"
)

// ----- control plane: PutBucketWebsite, GetBucketWebsite, DeleteBucketWebsite

type websiteConfigurationWire struct {
	XMLName               xml.Name             `xml:"WebsiteConfiguration"`
	Xmlns                 string               `xml:"xmlns,attr,omitempty"`
	RedirectAllRequestsTo *redirectAllWire     `xml:"RedirectAllRequestsTo,omitempty"`
	IndexDocument         *indexDocumentWire   `xml:"IndexDocument,omitempty"`
	ErrorDocument         *errorDocumentWire   `xml:"ErrorDocument,omitempty"`
	RoutingRules          *routingRulesWrapper `xml:"RoutingRules,omitempty"`
}

type redirectAllWire struct {
	HostName *string `xml:"HostName"`
	Protocol string  `xml:"Protocol,omitempty"`
}

type indexDocumentWire struct {
	Suffix *string `xml:"Suffix"`
}

type errorDocumentWire struct {
	Key *string `xml:"Key"`
}

type routingRulesWrapper struct {
	Rules []routingRuleWire `xml:"RoutingRule"`
}

type routingRuleWire struct {
	Condition *struct {
		KeyPrefixEquals             *string `xml:"KeyPrefixEquals,omitempty"`
		HttpErrorCodeReturnedEquals *string `xml:"HttpErrorCodeReturnedEquals,omitempty"`
	} `xml:"Condition,omitempty"`
	Redirect *struct {
		HostName             *string `xml:"HostName,omitempty"`
		HttpRedirectCode     *string `xml:"HttpRedirectCode,omitempty"`
		Protocol             *string `xml:"Protocol,omitempty"`
		ReplaceKeyPrefixWith *string `xml:"ReplaceKeyPrefixWith,omitempty"`
		ReplaceKeyWith       *string `xml:"ReplaceKeyWith,omitempty"`
	} `xml:"Redirect"`
}

func invalidWebsiteArgument(msg, name, value string) error {
	return ErrInvalidArgument.New(msg).With("ArgumentName", name).With("ArgumentValue", value)
}

func validProtocol(p string) error {
	if p != "" && p != "http" && p != "https" {
		return invalidWebsiteArgument("Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.", "Protocol", p)
	}
	return nil
}

// parseWebsite validates a PutBucketWebsite body as S3 does.
func parseWebsite(body []byte) (*Website, error) {
	var in websiteConfigurationWire
	if err := awsproto.DecodeXML(body, &in); err != nil {
		return nil, err
	}
	w := &Website{}
	if r := in.RedirectAllRequestsTo; r != nil {
		if in.IndexDocument != nil || in.ErrorDocument != nil || in.RoutingRules != nil {
			return nil, invalidWebsiteArgument("RedirectAllRequestsTo cannot be provided in conjunction with other Routing/Redirection configurations.", "RedirectAllRequestsTo", "not null")
		}
		if r.HostName == nil || *r.HostName == "" {
			return nil, malformedXML()
		}
		if err := validProtocol(r.Protocol); err != nil {
			return nil, err
		}
		w.RedirectAll = &Redirect{HostName: *r.HostName, Protocol: r.Protocol}
		return w, nil
	}
	if in.IndexDocument == nil || in.IndexDocument.Suffix == nil {
		return nil, invalidWebsiteArgument("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty", "IndexDocument", "null")
	}
	suffix := *in.IndexDocument.Suffix
	if suffix == "" || strings.Contains(suffix, "/") {
		return nil, invalidWebsiteArgument("The IndexDocument Suffix is not well formed", "IndexDocument", suffix)
	}
	w.IndexSuffix = suffix
	if e := in.ErrorDocument; e != nil {
		if e.Key == nil || *e.Key == "" {
			return nil, invalidWebsiteArgument("The ErrorDocument Key is not well formed", "ErrorDocument", "")
		}
		w.ErrorKey = *e.Key
	}
	if in.RoutingRules != nil {
		if len(in.RoutingRules.Rules) == 0 {
			return nil, malformedXML()
		}
		for _, rw := range in.RoutingRules.Rules {
			if rw.Redirect == nil {
				return nil, malformedXML()
			}
			var rule RoutingRule
			if c := rw.Condition; c != nil {
				if c.KeyPrefixEquals == nil && c.HttpErrorCodeReturnedEquals == nil {
					return nil, invalidWebsiteArgument("Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be present.", "Condition", "")
				}
				if c.KeyPrefixEquals != nil {
					rule.KeyPrefixEquals = *c.KeyPrefixEquals
				}
				if v := c.HttpErrorCodeReturnedEquals; v != nil {
					n, err := strconv.Atoi(*v)
					if err != nil || n < 400 || n > 599 {
						return nil, invalidWebsiteArgument("The provided HTTP error code ("+*v+") is not valid. Valid codes are 4XX or 5XX.", "HttpErrorCodeReturnedEquals", *v)
					}
					rule.ErrorCodeEquals = n
				}
			}
			rd := rw.Redirect
			if rd.ReplaceKeyWith != nil && rd.ReplaceKeyPrefixWith != nil {
				return nil, invalidWebsiteArgument("You can only define ReplaceKeyPrefix or ReplaceKey but not both.", "Redirect", "")
			}
			if rd.HostName != nil {
				rule.Redirect.HostName = *rd.HostName
			}
			if rd.Protocol != nil {
				if err := validProtocol(*rd.Protocol); err != nil {
					return nil, err
				}
				rule.Redirect.Protocol = *rd.Protocol
			}
			if rd.ReplaceKeyWith != nil {
				rule.Redirect.ReplaceKeyWith = *rd.ReplaceKeyWith
			}
			if rd.ReplaceKeyPrefixWith != nil {
				rule.Redirect.ReplaceKeyPrefixWith, rule.Redirect.HasPrefixReplacement = *rd.ReplaceKeyPrefixWith, true
			}
			if v := rd.HttpRedirectCode; v != nil {
				n, err := strconv.Atoi(*v)
				if err != nil || n < 301 || n > 399 {
					return nil, invalidWebsiteArgument("The provided HTTP redirect code ("+*v+") is not valid. Valid codes are 3XX except 300.", "HttpRedirectCode", *v)
				}
				rule.Redirect.Code = n
			}
			w.Rules = append(w.Rules, rule)
		}
	}
	return w, nil
}

// websiteWire is the GetBucketWebsite document of w.
func websiteWire(w *Website) websiteConfigurationWire {
	out := websiteConfigurationWire{Xmlns: awsproto.S3XMLNS}
	str := func(s string) *string { return &s }
	if w.RedirectAll != nil {
		out.RedirectAllRequestsTo = &redirectAllWire{HostName: str(w.RedirectAll.HostName), Protocol: w.RedirectAll.Protocol}
		return out
	}
	out.IndexDocument = &indexDocumentWire{Suffix: str(w.IndexSuffix)}
	if w.ErrorKey != "" {
		out.ErrorDocument = &errorDocumentWire{Key: str(w.ErrorKey)}
	}
	if len(w.Rules) > 0 {
		out.RoutingRules = &routingRulesWrapper{}
		for _, r := range w.Rules {
			var rw routingRuleWire
			if r.KeyPrefixEquals != "" || r.ErrorCodeEquals != 0 {
				rw.Condition = &struct {
					KeyPrefixEquals             *string `xml:"KeyPrefixEquals,omitempty"`
					HttpErrorCodeReturnedEquals *string `xml:"HttpErrorCodeReturnedEquals,omitempty"`
				}{}
				if r.KeyPrefixEquals != "" {
					rw.Condition.KeyPrefixEquals = str(r.KeyPrefixEquals)
				}
				if r.ErrorCodeEquals != 0 {
					rw.Condition.HttpErrorCodeReturnedEquals = str(strconv.Itoa(r.ErrorCodeEquals))
				}
			}
			rw.Redirect = &struct {
				HostName             *string `xml:"HostName,omitempty"`
				HttpRedirectCode     *string `xml:"HttpRedirectCode,omitempty"`
				Protocol             *string `xml:"Protocol,omitempty"`
				ReplaceKeyPrefixWith *string `xml:"ReplaceKeyPrefixWith,omitempty"`
				ReplaceKeyWith       *string `xml:"ReplaceKeyWith,omitempty"`
			}{}
			rd := r.Redirect
			if rd.HostName != "" {
				rw.Redirect.HostName = str(rd.HostName)
			}
			if rd.Code != 0 {
				rw.Redirect.HttpRedirectCode = str(strconv.Itoa(rd.Code))
			}
			if rd.Protocol != "" {
				rw.Redirect.Protocol = str(rd.Protocol)
			}
			if rd.HasPrefixReplacement {
				rw.Redirect.ReplaceKeyPrefixWith = str(rd.ReplaceKeyPrefixWith)
			}
			if rd.ReplaceKeyWith != "" {
				rw.Redirect.ReplaceKeyWith = str(rd.ReplaceKeyWith)
			}
			out.RoutingRules.Rules = append(out.RoutingRules.Rules, rw)
		}
	}
	return out
}

func (s *Service) putBucketWebsite(c *call) error {
	body, release, err := readXMLBody(c)
	if err != nil {
		return err
	}
	defer release()
	if _, err := s.store.Bucket(c.bucket); err != nil {
		return storeError(c, err)
	}
	w, err := parseWebsite(body)
	if err != nil {
		return err
	}
	if err := s.store.SetWebsite(c.bucket, w); err != nil {
		return storeError(c, err)
	}
	c.w.Header().Set("X-Amz-Request-Id", c.id)
	c.w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Service) getBucketWebsite(c *call) error {
	w, err := s.store.Website(c.bucket)
	if err != nil {
		return storeError(c, err)
	}
	if w == nil {
		return noSuchWebsite(c.bucket)
	}
	return c.respond(websiteWire(w))
}

func (s *Service) deleteBucketWebsite(c *call) error {
	if err := s.store.SetWebsite(c.bucket, nil); err != nil {
		return storeError(c, err)
	}
	c.w.Header().Set("X-Amz-Request-Id", c.id)
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

func noSuchWebsite(bucket string) *awsproto.Error {
	return ErrNoSuchWebsiteConfiguration.New("The specified bucket does not have a website configuration").With("BucketName", bucket)
}

// ----- data plane: the website endpoint

// websiteTarget recognises a website request: the bucket, the escaped key
// path and the prefix links on this endpoint start with ("/" on a website
// host, "/_aws/s3-website/{bucket}/" in the path form).
func websiteTarget(r *http.Request) (bucket, rawKey, base string, ok bool) {
	host := r.Host
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	for _, suffix := range [...]string{websiteHostSuffix, websiteShortHostSuffix} {
		if n := len(host) - len(suffix); n > 1 && host[n-1] == '.' && strings.EqualFold(host[n:], suffix) {
			return host[:n-1], strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/", true
		}
	}
	if rest, found := strings.CutPrefix(r.URL.EscapedPath(), websitePathPrefix); found {
		bucket, key, _ := strings.Cut(rest, "/")
		if b, err := url.PathUnescape(bucket); err == nil && b != "" {
			return b, key, websitePathPrefix + bucket + "/", true
		}
	}
	return "", "", "", false
}

// websiteError is an HTML error page as S3 website endpoints answer.
type websiteError struct {
	status int
	code   string
	msg    string
	fields [][2]string
}

func (e websiteError) list(b *strings.Builder) {
	b.WriteString("<ul>\n")
	b.WriteString("<li>Code: " + html.EscapeString(e.code) + "</li>\n")
	b.WriteString("<li>Message: " + html.EscapeString(e.msg) + "</li>\n")
	for _, f := range e.fields {
		b.WriteString("<li>" + f[0] + ": " + html.EscapeString(f[1]) + "</li>\n")
	}
	b.WriteString("</ul>\n")
}

// writeWebsiteError writes e, and the failure to fetch the custom error
// document when there is one.
func (s *Service) writeWebsiteError(w http.ResponseWriter, r *http.Request, id string, e websiteError, docErr *websiteError) {
	title := strconv.Itoa(e.status) + " " + http.StatusText(e.status)
	var b strings.Builder
	b.WriteString("<html>\n<head><title>" + title + "</title></head>\n<body>\n<h1>" + title + "</h1>\n")
	e.fields = append(e.fields, [2]string{"RequestId", id}, [2]string{"HostId", id})
	e.list(&b)
	if docErr != nil {
		b.WriteString("<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n")
		docErr.list(&b)
	}
	b.WriteString("<hr/>\n</body>\n</html>\n")
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Amz-Request-Id", id)
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(e.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(b.String()))
	}
}

// serveWebsite answers a website endpoint request: public GET and HEAD of
// objects, index documents for folders, redirects, and the custom error
// document with the error's status.
func (s *Service) serveWebsite(w http.ResponseWriter, r *http.Request, bucket, rawKey, base string) {
	id := s.env.NewID()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.writeWebsiteError(w, r, id, websiteError{status: http.StatusMethodNotAllowed, code: "MethodNotAllowed",
			msg: "The specified method is not allowed against this resource.", fields: [][2]string{{"Method", r.Method}, {"ResourceType", "OBJECT"}}}, nil)
		return
	}
	key, err := url.PathUnescape(rawKey)
	if err != nil {
		key = rawKey
	}
	cfg, err := s.store.Website(bucket)
	if err != nil {
		s.writeWebsiteError(w, r, id, websiteError{status: http.StatusNotFound, code: "NoSuchBucket",
			msg: "The specified bucket does not exist", fields: [][2]string{{"BucketName", bucket}}}, nil)
		return
	}
	if cfg == nil {
		s.writeWebsiteError(w, r, id, websiteError{status: http.StatusNotFound, code: "NoSuchWebsiteConfiguration",
			msg: "The specified bucket does not have a website configuration", fields: [][2]string{{"BucketName", bucket}}}, nil)
		return
	}
	if ra := cfg.RedirectAll; ra != nil {
		proto := ra.Protocol
		if proto == "" {
			proto = "http"
		}
		redirect(w, id, http.StatusMovedPermanently, proto+"://"+ra.HostName+"/"+rawKey)
		return
	}
	if rule := cfg.MatchRule(key, 0); rule != nil {
		s.redirectByRule(w, r, id, base, key, rule)
		return
	}
	c := &call{w: w, r: r, id: id, bucket: bucket, key: cfg.IndexKey(key), q: url.Values{}}
	if _, err := s.store.Object(bucket, c.key); err == nil {
		if err := s.getObject(c, r.Method == http.MethodGet); err != nil {
			s.writeError(c, err)
		}
		return
	}
	// A folder asked for without its slash: S3 redirects to the slash form
	// when that folder has an index document.
	if c.key == key && key != "" {
		if _, err := s.store.Object(bucket, key+"/"+cfg.IndexSuffix); err == nil {
			redirect(w, id, http.StatusFound, base+rawKey+"/")
			return
		}
	}
	if rule := cfg.MatchRule(key, http.StatusNotFound); rule != nil {
		s.redirectByRule(w, r, id, base, key, rule)
		return
	}
	notFound := websiteError{status: http.StatusNotFound, code: "NoSuchKey", msg: "The specified key does not exist.", fields: [][2]string{{"Key", c.key}}}
	if cfg.ErrorKey == "" {
		s.writeWebsiteError(w, r, id, notFound, nil)
		return
	}
	doc, err := s.store.Object(bucket, cfg.ErrorKey)
	if err != nil {
		s.writeWebsiteError(w, r, id, notFound, &websiteError{code: "NoSuchKey", msg: "The specified key does not exist.", fields: [][2]string{{"Key", cfg.ErrorKey}}})
		return
	}
	writeObjectHeaders(&call{w: w, r: r, id: id}, doc)
	w.Header().Set("Content-Length", strconv.FormatInt(doc.Size(), 10))
	w.WriteHeader(http.StatusNotFound)
	if r.Method == http.MethodGet {
		_, _ = w.Write(doc.Data)
	}
}

// redirectByRule answers with a routing rule's redirect; without a host
// name it stays on this endpoint (and in the path form, under its prefix).
func (s *Service) redirectByRule(w http.ResponseWriter, r *http.Request, id, base, key string, rule *RoutingRule) {
	target := (&url.URL{Path: rule.TargetKey(key)}).EscapedPath()
	code := rule.Redirect.Code
	if code == 0 {
		code = http.StatusMovedPermanently
	}
	loc := base + target
	if rule.Redirect.HostName != "" || rule.Redirect.Protocol != "" {
		host := rule.Redirect.HostName
		if host == "" {
			host = r.Host
		}
		proto := rule.Redirect.Protocol
		if proto == "" {
			proto = "http"
		}
		loc = proto + "://" + host + "/" + target
	}
	redirect(w, id, code, loc)
}

func redirect(w http.ResponseWriter, id string, code int, location string) {
	h := w.Header()
	h.Set("Location", location)
	h.Set("X-Amz-Request-Id", id)
	h.Set("Content-Length", "0")
	w.WriteHeader(code)
}
