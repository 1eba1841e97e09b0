package s3

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// PutBucketLogging and GetBucketLogging (?logging), and the access-log
// line of each request to a bucket that logs (logging.go delivers them).

type putBucketLoggingInput struct {
	Bucket              string    `xml:"-" location:"uri" name:"Bucket"`
	BucketLoggingStatus io.Reader `xml:"-" location:"body"`
}

func (s *Service) putBucketLogging(c *awsproto.Call, in *putBucketLoggingInput) (struct{}, error) {
	if _, err := s.store.Bucket(in.Bucket); err != nil {
		return struct{}{}, err
	}
	body, err := readXMLBody(c, in.BucketLoggingStatus)
	if err != nil {
		return struct{}{}, err
	}
	t, err := ParseLogging(body)
	if err != nil {
		return struct{}{}, err
	}
	if t != nil {
		if _, err := s.store.Bucket(t.Bucket); err != nil {
			return struct{}{}, errInvalidTargetBucketForLogging.New("The target bucket for logging does not exist").With("TargetBucket", t.Bucket)
		}
	}
	return struct{}{}, s.store.SetLogging(c.Request.Context(), in.Bucket, t)
}

func (s *Service) getBucketLogging(c *awsproto.Call, in *bucketInput) (bucketLoggingStatusWire, error) {
	t, err := s.store.Logging(in.Bucket)
	if err != nil {
		return bucketLoggingStatusWire{}, err
	}
	return loggingWire(t), nil
}

// logOperations are the access log's names of the operations S3 serves
// here (REST.<method>.<resource>); others are logged by method and level.
var logOperations = map[string]string{
	"ListObjects": "REST.GET.BUCKET", "ListObjectsV2": "REST.GET.BUCKET", "HeadBucket": "REST.HEAD.BUCKET",
	"CreateBucket": "REST.PUT.BUCKET", "DeleteBucket": "REST.DELETE.BUCKET",
	"GetBucketLocation": "REST.GET.LOCATION", "GetBucketVersioning": "REST.GET.VERSIONING",
	"GetObject": "REST.GET.OBJECT", "HeadObject": "REST.HEAD.OBJECT", "PutObject": "REST.PUT.OBJECT",
	"CopyObject": "REST.COPY.OBJECT", "DeleteObject": "REST.DELETE.OBJECT", "DeleteObjects": "REST.POST.MULTI_OBJECT_DELETE",
	"CreateMultipartUpload": "REST.POST.UPLOADS", "UploadPart": "REST.PUT.PART", "UploadPartCopy": "REST.COPY.PART",
	"CompleteMultipartUpload": "REST.POST.UPLOAD", "AbortMultipartUpload": "REST.DELETE.UPLOAD",
	"ListParts": "REST.GET.UPLOAD", "ListMultipartUploads": "REST.GET.UPLOADS",
	"PutBucketWebsite": "REST.PUT.WEBSITE", "GetBucketWebsite": "REST.GET.WEBSITE", "DeleteBucketWebsite": "REST.DELETE.WEBSITE",
	"PutBucketNotificationConfiguration": "REST.PUT.NOTIFICATION", "GetBucketNotificationConfiguration": "REST.GET.NOTIFICATION",
	"PutBucketLogging": "REST.PUT.LOGGING_STATUS", "GetBucketLogging": "REST.GET.LOGGING_STATUS",
}

// logRecorder is the response writer of a request to a logging bucket: it
// keeps the status, the bytes sent and the start of an error's body (for
// its code).
type logRecorder struct {
	http.ResponseWriter
	status int
	sent   int64
	head   []byte
}

func (w *logRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *logRecorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.status >= 300 && len(w.head) < 512 {
		w.head = append(w.head, p[:min(len(p), 512-len(w.head))]...)
	}
	n, err := w.ResponseWriter.Write(p)
	w.sent += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (Flush).
func (w *logRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// errorCode is the <Code> of an error body, "-" for none.
func (w *logRecorder) errorCode() string {
	_, rest, ok := bytes.Cut(w.head, []byte("<Code>"))
	if !ok {
		return "-"
	}
	code, _, ok := bytes.Cut(rest, []byte("</Code>"))
	if !ok || len(code) == 0 {
		return "-"
	}
	return string(code)
}

// accessLogLine is one request in S3's server access log format: owner,
// bucket, [time], remote IP, requester, request ID, operation, key,
// "request-URI", status, error code, bytes sent, object size, total time,
// turn-around time, "referer", "user-agent", version ID, host ID,
// signature version, cipher suite, authentication type, host header, TLS
// version, access point ARN, ACL required. Absent values are "-".
func accessLogLine(r *http.Request, id, bucket, key, op string, w *logRecorder, start time.Time, took time.Duration) []byte {
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	quoted := func(s string) string { return `"` + strings.ReplaceAll(dash(s), `"`, `\"`) + `"` }
	num := func(n int64) string {
		if n <= 0 {
			return "-"
		}
		return strconv.FormatInt(n, 10)
	}
	remote, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		remote = r.RemoteAddr
	}
	requester, sigVersion, authType := "-", "-", "-"
	if sig, signed, err := awsproto.SignatureOf(r); signed && err == nil {
		requester, sigVersion, authType = defaultOwner.ID, "SigV4", "AuthHeader"
		if sig.Presigned {
			authType = "QueryString"
		}
	}
	size := int64(-1)
	if key != "" {
		switch r.Method {
		case http.MethodPut:
			size = r.ContentLength
		case http.MethodGet, http.MethodHead:
			size, _ = strconv.ParseInt(w.Header().Get("Content-Length"), 10, 64)
		}
	}
	keyField := "-"
	if key != "" {
		keyField = (&url.URL{Path: key}).EscapedPath()
	}
	ms := strconv.FormatInt(took.Milliseconds(), 10)
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	fields := []string{
		defaultOwner.ID, bucket, "[" + start.UTC().Format("02/Jan/2006:15:04:05 -0700") + "]", dash(remote), requester, id, op, keyField,
		quoted(r.Method + " " + r.RequestURI + " " + r.Proto), strconv.Itoa(status), w.errorCode(), num(w.sent), num(size), ms, ms,
		quoted(r.Referer()), quoted(r.UserAgent()), "-", "-", sigVersion, "-", authType, dash(r.Host), "-", "-", "-",
	}
	return []byte(strings.Join(fields, " ") + "\n")
}

// logOperation names a request's operation in the access log.
func logOperation(r *http.Request, op *awsproto.Operation, key string) string {
	if op != nil {
		if name, ok := logOperations[op.Name]; ok {
			return name
		}
	}
	if key != "" {
		return "REST." + r.Method + ".OBJECT"
	}
	return "REST." + r.Method + ".BUCKET"
}
