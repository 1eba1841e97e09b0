package awsproto

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
)

var encPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

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
