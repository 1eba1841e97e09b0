package execapi

import (
	"encoding/base64"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Wire names of the invoke URL forms.
const (
	PathExecuteAPI = "/_aws/execute-api"
	PathRestAPIs   = "/restapis"
	HostExecuteAPI = "execute-api.localhost.localstack.cloud"
	UserRequest    = "_user_request_"
)

// Invocation is a data-plane request's API, stage and path (escaped, with
// its leading '/').
type Invocation struct {
	APIID string
	Stage string
	Path  string
	Host  bool // the {api}.execute-api host form
}

// ParseInvocation recognises the three invoke URL forms:
//
//	http://{api}.execute-api.localhost.localstack.cloud:{port}/{stage}/{path}
//	http://host:{port}/_aws/execute-api/{api}/{stage}/{path}
//	http://host:{port}/restapis/{api}/{stage}/_user_request_/{path}
func ParseInvocation(r *http.Request) (Invocation, bool) {
	p := r.URL.EscapedPath()
	if m, ok := awsproto.HostMatchOf(r); ok && !strings.Contains(m.Resource, ".") {
		stage, rest := CutSegment(p)
		return Invocation{APIID: m.Resource, Stage: stage, Path: rest, Host: true}, true
	}
	if rest, ok := strings.CutPrefix(p, PathExecuteAPI+"/"); ok {
		id, rest := CutSegment("/" + rest)
		stage, rest := CutSegment(rest)
		return Invocation{APIID: id, Stage: stage, Path: rest}, true
	}
	if rest, ok := strings.CutPrefix(p, PathRestAPIs+"/"); ok {
		id, rest := CutSegment("/" + rest)
		stage, rest := CutSegment(rest)
		marker, rest := CutSegment(rest)
		if marker == UserRequest {
			return Invocation{APIID: id, Stage: stage, Path: rest}, true
		}
	}
	return Invocation{}, false
}

// CutSegment splits "/a/b/c" into "a" and "/b/c".
func CutSegment(p string) (string, string) {
	p = strings.TrimPrefix(p, "/")
	seg, rest, ok := strings.Cut(p, "/")
	if !ok {
		return seg, "/"
	}
	return seg, "/" + rest
}

// SourceIP is the client's address without its port.
func SourceIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// HostOnly strips the port from a Host header.
func HostOnly(h string) string {
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
		return h[:i]
	}
	return h
}

// PortOf is the port of a Host header ("80" when it names none).
func PortOf(h string) string {
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
		return h[i+1:]
	}
	return "80"
}

// APIGWID is the short id API Gateway returns in x-amz-apigw-id (and as
// extendedRequestId), e.g. "TWegAcC4EowCHnA=", made from a fresh UUID.
func APIGWID(uuid string) string {
	var b [10]byte
	hex := strings.ReplaceAll(uuid, "-", "")
	for i := range b {
		if 2*i+1 < len(hex) {
			b[i] = Unhex(hex[2*i])<<4 | Unhex(hex[2*i+1])
		}
	}
	return base64.StdEncoding.EncodeToString(b[:])
}

// TraceID is an X-Ray trace header: Root=1-{epoch hex}-{24 hex}.
func TraceID(t time.Time, requestID string) string {
	hex := strings.ReplaceAll(requestID, "-", "")
	for len(hex) < 24 {
		hex += "0"
	}
	return "Root=1-" + strconv.FormatInt(t.Unix(), 16) + "-" + hex[:24]
}

// Unhex is the value of one hex digit.
func Unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	return c
}

// ShortID turns a fresh UUID into n lowercase alphanumerics, as API Gateway
// ids look ("a1b2c3d4e5").
func ShortID(uuid string, n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	src := strings.ReplaceAll(uuid, "-", "")
	out := make([]byte, n)
	for i := range out {
		var b byte
		if 2*i+1 < len(src) {
			b = Unhex(src[2*i])<<4 | Unhex(src[2*i+1])
		} else {
			b = byte(i * 7)
		}
		out[i] = alphabet[int(b)%len(alphabet)]
	}
	return string(out)
}

// SubstituteStageVariables replaces ${stageVariables.name} in an
// integration URI.
func SubstituteStageVariables(s string, vars map[string]string) string {
	if !strings.Contains(s, "${stageVariables.") {
		return s
	}
	for k, v := range vars {
		s = strings.ReplaceAll(s, "${stageVariables."+k+"}", v)
	}
	return s
}

// LambdaFunctionOf extracts the function ARN from an integration URI
// (arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations).
func LambdaFunctionOf(uri string) (string, bool) {
	const marker = ":lambda:path/2015-03-31/functions/"
	i := strings.Index(uri, marker)
	if !strings.HasPrefix(uri, "arn:") || i < 0 || !strings.HasSuffix(uri, "/invocations") {
		return "", false
	}
	fn := uri[i+len(marker) : len(uri)-len("/invocations")]
	return fn, fn != ""
}

// SplitQualifier splits arn:aws:lambda:r:acct:function:name[:qualifier].
func SplitQualifier(arn string) (fn, qualifier string) {
	parts := strings.Split(arn, ":")
	if len(parts) == 8 && parts[0] == "arn" && parts[5] == "function" {
		return strings.Join(parts[:7], ":"), parts[7]
	}
	return arn, ""
}

// RegionOfARN is an ARN's region, or def when it names none.
func RegionOfARN(arn, def string) string {
	parts := strings.Split(arn, ":")
	if len(parts) > 3 && parts[0] == "arn" && parts[3] != "" {
		return parts[3]
	}
	return def
}
