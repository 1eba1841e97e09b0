// Package trace is the event-freshness probe's wire format: how a producer
// marks an event with an ID (a token that survives every envelope AWS wraps
// it in: S3 keys, SNS messages inside SQS bodies, DynamoDB stream images),
// how a consumer finds those IDs in whatever it received and which services
// the event came through, and the report a consumer sends to a collector.
// It imports only the standard library (handlers and the harness share it).
package trace

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Prefix starts every event ID. IDs are made of [A-Za-z0-9._-] only, so
// they pass through JSON strings, URL-encoded S3 keys and nested JSON
// (an S3 event inside an SNS message inside an SQS body) unchanged.
const Prefix = "gsev."

// MaxIDLen bounds an ID a consumer accepts (longer runs are cut off there).
const MaxIDLen = 128

// ID is the event ID of run, path, phase and sequence number; run, path
// and phase must be made of the ID alphabet without dots.
func ID(run, path, phase string, seq int64) string {
	var b strings.Builder
	b.Grow(len(Prefix) + len(run) + len(path) + len(phase) + 24)
	b.WriteString(Prefix)
	b.WriteString(run)
	b.WriteByte('.')
	b.WriteString(path)
	b.WriteByte('.')
	b.WriteString(phase)
	b.WriteByte('.')
	writeInt(&b, seq)
	return b.String()
}

func writeInt(b *strings.Builder, n int64) {
	if n < 0 {
		b.WriteByte('-')
		n = -n
	}
	var d [20]byte
	i := len(d)
	for {
		i--
		d[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	b.Write(d[i:])
}

// Parts splits an ID into run, path, phase and sequence number text; ok is
// false for anything ID did not make.
func Parts(id string) (run, path, phase, seq string, ok bool) {
	rest, found := strings.CutPrefix(id, Prefix)
	if !found {
		return "", "", "", "", false
	}
	f := strings.Split(rest, ".")
	if len(f) != 4 {
		return "", "", "", "", false
	}
	for _, s := range f {
		if s == "" {
			return "", "", "", "", false
		}
	}
	return f[0], f[1], f[2], f[3], true
}

func idByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}

// IDs returns the distinct event IDs in b, in the order they first appear.
func IDs(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := bytes.Index(b, []byte(Prefix))
		if i < 0 {
			break
		}
		j := i + len(Prefix)
		for j < len(b) && j-i < MaxIDLen && idByte(b[j]) {
			j++
		}
		id := strings.TrimRight(string(b[i:j]), ".") // a sentence's full stop is not part of it
		if _, _, _, _, ok := Parts(id); ok && !contains(out, id) {
			out = append(out, id)
		}
		b = b[j:]
	}
	return out
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Sighting is one event ID a consumer found, and the services it came
// through, first to last ("s3>sns>sqs"; "" when the shape is unknown).
type Sighting struct {
	ID  string `json:"id"`
	Via string `json:"via,omitempty"`
}

// Find returns the events in a Lambda event (or any JSON document): for a
// {"Records": […]} event, each record's IDs with the record's route; for
// anything else, the IDs in it with Via "". An ID seen twice in one event
// (a stream record's Keys and NewImage) is reported once.
func Find(event []byte) []Sighting {
	var env struct {
		Records []json.RawMessage `json:"Records"`
	}
	if json.Unmarshal(event, &env) != nil || len(env.Records) == 0 {
		return sightings(IDs(event), "")
	}
	var out []Sighting
	seen := map[string]bool{}
	for _, r := range env.Records {
		via := Route(r)
		for _, id := range IDs(r) {
			if !seen[id] {
				seen[id] = true
				out = append(out, Sighting{ID: id, Via: via})
			}
		}
	}
	return out
}

// FindInMessage returns the events in a message body a queue consumer
// received (an SNS notification, an S3 event, or the ID itself), with the
// route the body shows followed by last ("sqs" for a queue).
func FindInMessage(body []byte, last string) []Sighting {
	via := join(innerRoute(body, 0), last)
	return sightings(IDs(body), via)
}

func sightings(ids []string, via string) []Sighting {
	out := make([]Sighting, len(ids))
	for i, id := range ids {
		out[i] = Sighting{ID: id, Via: via}
	}
	return out
}

// maxDepth bounds how many envelopes Route opens.
const maxDepth = 4

// Route is the services a Lambda event record came through, first to last:
// "s3", "sqs", "sns", "dynamodb", and what an SQS body or SNS message shows
// inside ("s3>sns>sqs" for an S3 event published to SNS and delivered to
// SQS). Unknown shapes give "".
func Route(record []byte) string { return route(record, 0) }

func route(record []byte, depth int) string {
	if depth > maxDepth {
		return ""
	}
	var r struct {
		EventSource  string `json:"eventSource"`
		EventSource2 string `json:"EventSource"`
		Body         string `json:"body"`
		Sns          *struct {
			Message string `json:"Message"`
		} `json:"Sns"`
	}
	if json.Unmarshal(record, &r) != nil {
		return ""
	}
	src := r.EventSource
	if src == "" {
		src = r.EventSource2
	}
	switch src {
	case "aws:sqs":
		return join(innerRoute([]byte(r.Body), depth+1), "sqs")
	case "aws:sns":
		inner := ""
		if r.Sns != nil {
			inner = innerRoute([]byte(r.Sns.Message), depth+1)
		}
		return join(inner, "sns")
	case "aws:s3":
		return "s3"
	case "aws:dynamodb":
		return "dynamodb"
	}
	return ""
}

// innerRoute is the route shown by a message body: an SNS notification
// (whose Message may hold more), an S3 event, or nothing known.
func innerRoute(body []byte, depth int) string {
	if depth > maxDepth || len(body) == 0 || body[0] != '{' {
		return ""
	}
	var m struct {
		Type    string            `json:"Type"`
		Message string            `json:"Message"`
		Records []json.RawMessage `json:"Records"`
	}
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	if m.Type == "Notification" {
		return join(innerRoute([]byte(m.Message), depth+1), "sns")
	}
	if len(m.Records) > 0 {
		return route(m.Records[0], depth+1)
	}
	return ""
}

func join(inner, last string) string {
	if inner == "" {
		return last
	}
	return inner + ">" + last
}

// Report is what a consumer sends the collector once per invocation or
// receive: when its handler started (Unix nanoseconds, the machine's
// clock) and the events it was handed.
type Report struct {
	Function  string     `json:"fn,omitempty"`
	RequestID string     `json:"req,omitempty"`
	StartNS   int64      `json:"start_ns"`
	Events    []Sighting `json:"events"`
}

// EnvCollector names the environment variable that holds the collector's
// URL (the probe function POSTs its Report there).
const EnvCollector = "PROBE_COLLECTOR_URL"
