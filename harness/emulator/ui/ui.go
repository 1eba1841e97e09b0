// Package ui is the emulator's web console, served at /_groundstack/ui/:
// static pages embedded in the binary (no build step, nothing fetched from
// the network) and a small JSON API under /_groundstack/ui/api/ that reads
// and changes the services in process, through the emulator's internal
// edge (cloud.LinkInternalEdge), as their own AWS APIs do.
//
// The console costs the edge nothing: it is a route of the control plane,
// reached only by requests to its path. Reads (GET) are public; every
// change is a POST or DELETE, which strict mode refuses unless signed
// (the control plane's rule), so a strict emulator's console is read-only
// to an unsigned browser.
package ui

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/sqs"
)

// Path is where the console is served (control.PathConsole).
const Path = "/_groundstack/ui"

//go:embed static
var static embed.FS

// Console serves the console's pages and API.
type Console struct {
	edge     http.Handler
	services map[string]cloud.Service
	region   string
	files    http.Handler
}

// New returns the console of services, which it calls through edge (the
// internal edge) in region.
func New(edge http.Handler, services []cloud.Service, region string) *Console {
	sub, _ := fs.Sub(static, "static")
	c := &Console{edge: edge, services: map[string]cloud.Service{}, region: region, files: http.FileServerFS(sub)}
	for _, s := range services {
		c.services[s.Name()] = s
	}
	return c
}

// maxBody bounds what the API reads of a request (an item, an object).
const maxBody = 16 << 20

func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, Path)
	if rest == "" {
		http.Redirect(w, r, Path+"/", http.StatusFound)
		return
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
	api, ok := strings.CutPrefix(rest, "/api/")
	if !ok {
		r2 := r.Clone(r.Context())
		r2.URL.Path = rest
		c.files.ServeHTTP(w, r2)
		return
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	}
	q := r.URL.Query()
	var (
		out any
		err error
	)
	switch api + " " + r.Method {
	case "summary GET":
		out = c.summary()
	case "dynamodb/tables GET":
		out, err = c.tables(r)
	case "dynamodb/items GET":
		out, err = c.scan(r, q.Get("table"), q.Get("start"), limit(q))
	case "dynamodb/query POST":
		out, err = c.query(r)
	case "dynamodb/item POST":
		out, err = c.putItem(r)
	case "dynamodb/item DELETE":
		out, err = c.deleteItem(r)
	case "s3/buckets GET":
		out, err = c.buckets(r)
	case "s3/objects GET":
		out, err = c.objects(r, q.Get("bucket"), q.Get("prefix"), q.Get("token"))
	case "s3/object GET":
		c.download(w, r, q.Get("bucket"), q.Get("key"))
		return
	case "s3/head GET":
		out, err = c.head(r, q.Get("bucket"), q.Get("key"))
	case "s3/object POST":
		out, err = c.upload(r, q.Get("bucket"), q.Get("key"))
	case "s3/object DELETE":
		out, err = c.s3(r, http.MethodDelete, q.Get("bucket"), q.Get("key"), nil, nil)
	case "sqs/queues GET":
		out, err = c.queues(r)
	case "sqs/peek GET":
		out, err = c.peek(q.Get("queue"), limit(q))
	case "sqs/purge POST":
		out, err = c.purge(r, q.Get("queue"))
	case "lambda/functions GET":
		out, err = c.rest(r, "lambda", http.MethodGet, "/2015-03-31/functions?MaxItems=1000", nil)
	case "apigateway/apis GET":
		out, err = c.apis(r)
	case "sns/topics GET":
		out, err = c.topics(r)
	case "ec2/instances GET":
		out, err = c.instances(r)
	case "logs/tail GET":
		out, err = c.tail(r, q.Get("function"), q.Get("since"))
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such console call: " + r.Method + " " + api})
		return
	}
	if err != nil {
		var ce *callError
		if errors.As(err, &ce) {
			writeJSON(w, ce.status, map[string]string{"error": ce.message})
			return
		}
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func limit(q map[string][]string) int {
	n, err := strconv.Atoi(first(q["limit"]))
	if err != nil || n <= 0 {
		return 50
	}
	return min(n, 1000)
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// writeJSON answers v as JSON. Encoding escapes <, > and & so no answer can
// be read as markup, whatever a resource's name holds.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// summary is every service's resource counts (cloud.Summarizer).
func (c *Console) summary() map[string]any {
	out := map[string]any{}
	for name, s := range c.services {
		if sm, ok := s.(cloud.Summarizer); ok {
			out[name] = sm.Summary()
		}
	}
	return map[string]any{"region": c.region, "services": out}
}

// peeker is SQS's console-only read of a queue's messages.
type peeker interface {
	Peek(region, name string, max int) ([]sqs.MessageState, int, error)
}

func (c *Console) peek(queue string, max int) (any, error) {
	p, ok := c.services["sqs"].(peeker)
	if !ok {
		return nil, &callError{status: http.StatusNotFound, message: "this emulator serves no SQS"}
	}
	msgs, total, err := p.Peek(c.region, queue, max)
	if err != nil {
		return nil, &callError{status: http.StatusNotFound, message: err.Error()}
	}
	return map[string]any{"queue": queue, "total": total, "messages": msgs}, nil
}

// callError is a service's refusal, passed on.
type callError struct {
	status  int
	message string
}

func (e *callError) Error() string { return e.message }

// readBody reads a JSON request body into v.
func readBody(r *http.Request, v any) error {
	if r.Body == nil {
		return errors.New("a JSON body is required")
	}
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		return errors.New("the body is not the JSON expected: " + err.Error())
	}
	return nil
}

// bodyOf returns v as a JSON request body.
func bodyOf(v any) io.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}
