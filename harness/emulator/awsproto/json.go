package awsproto

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
)

// JSONOp handles one awsJson operation. It returns the output to encode: a
// value for encoding/json, or []byte / json.RawMessage already encoded (for
// hot paths with their own encoder). A nil output encodes as {}.
type JSONOp func(c *Call, body []byte) (any, error)

// JSONService dispatches awsJson 1.0/1.1 requests (X-Amz-Target) to its Ops.
type JSONService struct {
	Base
	// Version is "1.0" or "1.1".
	Version string
	// TargetPrefix is the part of X-Amz-Target before the '.'.
	TargetPrefix string
	// ErrorNamespace prefixes __type ("com.amazonaws.dynamodb.v20120810#"),
	// or is empty for bare codes.
	ErrorNamespace string
	Ops            map[string]JSONOp
	// MaxBody bounds the request body (bytes).
	MaxBody int64
}

var encPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (s *JSONService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := s.call(r)
	defer s.recoverTo(c, func(e *Error) { s.WriteError(w, c, e) })
	target := r.Header.Get("X-Amz-Target")
	prefix, opName, ok := strings.Cut(target, ".")
	if !ok || prefix != s.TargetPrefix {
		s.WriteError(w, c, ErrUnknownOperation.New(""))
		return
	}
	op := s.Ops[opName]
	if op == nil {
		s.WriteError(w, c, ErrUnknownOperation.New(""))
		return
	}
	if r.Method != http.MethodPost {
		s.WriteError(w, c, ErrSerialization.New("Only POST is supported"))
		return
	}
	limit := s.MaxBody
	if limit == 0 {
		limit = 16 << 20
	}
	body, release, err := ReadBody(r, limit)
	if err != nil {
		if err == ErrBodyTooLarge {
			s.WriteError(w, c, ErrRequestEntityTooLarge.New("Request entity too large"))
		} else {
			s.WriteError(w, c, ErrSerialization.New("Could not read request body"))
		}
		return
	}
	defer release()
	if len(bytes.TrimSpace(body)) == 0 {
		body = append(body[:0], '{', '}')
	} else if !json.Valid(body) {
		s.WriteError(w, c, ErrSerialization.New("Start of structure or map found where not expected."))
		return
	}
	out, err := op(c, body)
	if err != nil {
		s.WriteError(w, c, s.internal(c, err))
		return
	}
	s.writeOutput(w, c, out)
}

func (s *JSONService) contentType() string {
	if s.Version == "1.0" {
		return "application/x-amz-json-1.0"
	}
	return "application/x-amz-json-1.1"
}

func (s *JSONService) writeOutput(w http.ResponseWriter, c *Call, out any) {
	h := w.Header()
	h["Content-Type"] = []string{s.contentType()}
	h["X-Amzn-Requestid"] = []string{c.RequestID}
	switch v := out.(type) {
	case nil:
		w.Write([]byte("{}"))
	case []byte:
		w.Write(v)
	case json.RawMessage:
		w.Write(v)
	default:
		buf := encPool.Get().(*bytes.Buffer)
		buf.Reset()
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			encPool.Put(buf)
			s.WriteError(w, c, s.internal(c, err))
			return
		}
		w.Write(bytes.TrimRight(buf.Bytes(), "\n"))
		encPool.Put(buf)
	}
}

// WriteError writes e in the awsJson error shape: X-Amzn-ErrorType header
// and a body with __type, message and any extra fields.
func (s *JSONService) WriteError(w http.ResponseWriter, c *Call, e *Error) {
	WriteJSONError(w, s.contentType(), s.ErrorNamespace, c.RequestID, e)
}

// WriteJSONError writes e as awsJson services do.
func WriteJSONError(w http.ResponseWriter, contentType, namespace, requestID string, e *Error) {
	body := make(map[string]any, len(e.Fields)+2)
	for k, v := range e.Fields {
		body[k] = v
	}
	body["__type"] = namespace + e.Code
	if _, ok := body["Message"]; !ok {
		body["message"] = e.Message
	}
	b, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Amzn-Errortype", e.Code)
	h.Set("X-Amzn-Requestid", requestID)
	for k, v := range e.Headers {
		h.Set(k, v)
	}
	w.WriteHeader(e.Status)
	w.Write(b)
}

// DecodeJSON unmarshals an operation's input, mapping type errors to the
// SerializationException AWS answers with.
func DecodeJSON(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		if te, ok := err.(*json.UnmarshalTypeError); ok {
			return ErrSerialization.Errorf("Unexpected value type in payload for field %s", te.Field)
		}
		return ErrSerialization.New("Start of structure or map found where not expected.")
	}
	return nil
}
