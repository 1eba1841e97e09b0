package s3

import (
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"sort"
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

func validProtocol(p string) error {
	if p != "" && p != "http" && p != "https" {
		return invalidArgument("Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.", "Protocol", p)
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
			return nil, invalidArgument("RedirectAllRequestsTo cannot be provided in conjunction with other Routing/Redirection configurations.", "RedirectAllRequestsTo", "not null")
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
		return nil, invalidArgument("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty", "IndexDocument", "null")
	}
	suffix := *in.IndexDocument.Suffix
	if suffix == "" || strings.Contains(suffix, "/") {
		return nil, invalidArgument("The IndexDocument Suffix is not well formed", "IndexDocument", suffix)
	}
	w.IndexSuffix = suffix
	if e := in.ErrorDocument; e != nil {
		if e.Key == nil || *e.Key == "" {
			return nil, invalidArgument("The ErrorDocument Key is not well formed", "ErrorDocument", "")
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
					return nil, invalidArgument("Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be present.", "Condition", "")
				}
				if c.KeyPrefixEquals != nil {
					rule.KeyPrefixEquals = *c.KeyPrefixEquals
				}
				if v := c.HttpErrorCodeReturnedEquals; v != nil {
					n, err := strconv.Atoi(*v)
					if err != nil || n < 400 || n > 599 {
						return nil, invalidArgument("The provided HTTP error code ("+*v+") is not valid. Valid codes are 4XX or 5XX.", "HttpErrorCodeReturnedEquals", *v)
					}
					rule.ErrorCodeEquals = n
				}
			}
			rd := rw.Redirect
			if rd.ReplaceKeyWith != nil && rd.ReplaceKeyPrefixWith != nil {
				return nil, invalidArgument("You can only define ReplaceKeyPrefix or ReplaceKey but not both.", "Redirect", "")
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
					return nil, invalidArgument("The provided HTTP redirect code ("+*v+") is not valid. Valid codes are 3XX except 300.", "HttpRedirectCode", *v)
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

type putBucketWebsiteInput struct {
	Bucket               string    `xml:"-" location:"uri" name:"Bucket"`
	WebsiteConfiguration io.Reader `xml:"-" location:"body"`
}

func (s *Service) putBucketWebsite(c *awsproto.Call, in *putBucketWebsiteInput) (struct{}, error) {
	body, err := readXMLBody(c, in.WebsiteConfiguration)
	if err != nil {
		return struct{}{}, err
	}
	if _, err := s.store.Bucket(in.Bucket); err != nil {
		return struct{}{}, err
	}
	w, err := parseWebsite(body)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.SetWebsite(c.Request.Context(), in.Bucket, w)
}

func (s *Service) getBucketWebsite(c *awsproto.Call, in *bucketInput) (websiteConfigurationWire, error) {
	w, err := s.store.Website(in.Bucket)
	if err != nil {
		return websiteConfigurationWire{}, err
	}
	return websiteWire(w), nil
}

func (s *Service) deleteBucketWebsite(c *awsproto.Call, in *bucketInput) (struct{}, error) {
	return struct{}{}, s.store.SetWebsite(c.Request.Context(), in.Bucket, nil)
}

// ----- data plane: the website endpoint

func isWebsiteHost(pattern string) bool {
	return pattern == websiteHostSuffix || pattern == websiteShortHostSuffix
}

// websiteTarget recognises a website request: the bucket, the escaped key
// path and the prefix links on this endpoint start with ("/" on a website
// host, "/_aws/s3-website/{bucket}/" in the path form).
func websiteTarget(r *http.Request) (bucket, rawKey, base string, ok bool) {
	if m, found := awsproto.HostMatchOf(r); found && m.Resource != "" && isWebsiteHost(m.Pattern) {
		return m.Resource, strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/", true
	}
	if rest, found := strings.CutPrefix(r.URL.EscapedPath(), websitePathPrefix); found {
		bucket, key, _ := strings.Cut(rest, "/")
		if b, err := url.PathUnescape(bucket); err == nil && b != "" {
			return b, key, websitePathPrefix + bucket + "/", true
		}
	}
	return "", "", "", false
}

// writeWebsiteError writes e as the HTML page S3 website endpoints answer
// errors with, and docErr, the failure to fetch the custom error document,
// when there is one.
func writeWebsiteError(w http.ResponseWriter, r *http.Request, id string, e, docErr *awsproto.Error) {
	title := strconv.Itoa(e.Status) + " " + http.StatusText(e.Status)
	var b strings.Builder
	b.WriteString("<html>\n<head><title>" + title + "</title></head>\n<body>\n<h1>" + title + "</h1>\n")
	websiteErrorList(&b, e, id)
	if docErr != nil {
		b.WriteString("<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n")
		websiteErrorList(&b, docErr, "")
	}
	b.WriteString("<hr/>\n</body>\n</html>\n")
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(e.Status)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(b.String()))
	}
}

// websiteErrorList is one error as the page's list: code, message, the
// error's members and, for the page's own error, the request id.
func websiteErrorList(b *strings.Builder, e *awsproto.Error, id string) {
	b.WriteString("<ul>\n")
	b.WriteString("<li>Code: " + html.EscapeString(e.Code) + "</li>\n")
	b.WriteString("<li>Message: " + html.EscapeString(e.Message) + "</li>\n")
	names := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		b.WriteString("<li>" + k + ": " + html.EscapeString(fmt.Sprint(e.Fields[k])) + "</li>\n")
	}
	if id != "" {
		b.WriteString("<li>RequestId: " + html.EscapeString(id) + "</li>\n")
		b.WriteString("<li>HostId: " + html.EscapeString(id) + "</li>\n")
	}
	b.WriteString("</ul>\n")
}

// serveWebsite answers a website endpoint request: public GET and HEAD of
// objects, index documents for folders, redirects, and the custom error
// document with the error's status.
func (s *Service) serveWebsite(w http.ResponseWriter, r *http.Request, id, bucket, rawKey, base string) {
	w.Header()["X-Amz-Request-Id"] = []string{id}
	c := &awsproto.Call{Request: r, RequestID: id}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeWebsiteError(w, r, id, methodNotAllowed(r.Method, "OBJECT"), nil)
		return
	}
	key, err := url.PathUnescape(rawKey)
	if err != nil {
		key = rawKey
	}
	cfg, err := s.store.Website(bucket)
	if err != nil {
		writeWebsiteError(w, r, id, err.(*awsproto.Error), nil)
		return
	}
	if ra := cfg.RedirectAll; ra != nil {
		proto := ra.Protocol
		if proto == "" {
			proto = "http"
		}
		redirect(w, http.StatusMovedPermanently, proto+"://"+ra.HostName+"/"+rawKey)
		return
	}
	if rule := cfg.MatchRule(key, 0); rule != nil {
		redirectByRule(w, r, base, key, rule)
		return
	}
	get := r.Method == http.MethodGet
	indexKey := cfg.IndexKey(key)
	if obj := s.store.find(bucket, indexKey, get); obj != nil {
		h := r.Header
		in := getObjectInput{
			IfMatch: h.Get("If-Match"), IfNoneMatch: h.Get("If-None-Match"),
			IfModifiedSince: h.Get("If-Modified-Since"), IfUnmodifiedSince: h.Get("If-Unmodified-Since"),
			Range: h.Get("Range"), ChecksumMode: h.Get("X-Amz-Checksum-Mode"),
		}
		var reply objectReply
		if err := reply.prepare(obj, &in, get); err != nil {
			if get {
				obj.Body.Release()
			}
			awsproto.WriteXMLError(w, r, id, err.(*awsproto.Error))
			return
		}
		reply.opened = get
		reply.Respond(w, c)
		return
	}
	// A folder asked for without its slash: S3 redirects to the slash form
	// when that folder has an index document.
	if indexKey == key && key != "" && s.store.find(bucket, key+"/"+cfg.IndexSuffix, false) != nil {
		redirect(w, http.StatusFound, base+rawKey+"/")
		return
	}
	if rule := cfg.MatchRule(key, http.StatusNotFound); rule != nil {
		redirectByRule(w, r, base, key, rule)
		return
	}
	if cfg.ErrorKey == "" {
		writeWebsiteError(w, r, id, noSuchKey(indexKey), nil)
		return
	}
	doc := s.store.find(bucket, cfg.ErrorKey, get)
	if doc == nil {
		writeWebsiteError(w, r, id, noSuchKey(indexKey), noSuchKey(cfg.ErrorKey))
		return
	}
	reply := objectReply{obj: doc, status: http.StatusNotFound, end: doc.Size() - 1, body: get, opened: get}
	reply.Respond(w, c)
}

// redirectByRule answers with a routing rule's redirect; without a host
// name it stays on this endpoint (and in the path form, under its prefix).
func redirectByRule(w http.ResponseWriter, r *http.Request, base, key string, rule *RoutingRule) {
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
	redirect(w, code, loc)
}

func redirect(w http.ResponseWriter, code int, location string) {
	h := w.Header()
	h.Set("Location", location)
	h.Set("Content-Length", "0")
	w.WriteHeader(code)
}
