package dynamodb

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// itemWriter is DynamoDB as other services write to it (cloud.ItemWriter):
// a PutItem served by the service's own handler in-process, so the item
// meets exactly the validation a client's PutItem meets.
type itemWriter struct{ s *Service }

func (w itemWriter) PutItem(region, table string, item []byte) error {
	body, err := json.Marshal(struct {
		TableName string          `json:"TableName"`
		Item      json.RawMessage `json:"Item"`
	}{table, item})
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, "http://dynamodb.internal/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", targetPrefix+".PutItem")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=internal/20260101/"+region+"/dynamodb/aws4_request, SignedHeaders=host, Signature=0")
	rec := &recorder{h: http.Header{}, status: http.StatusOK}
	w.s.ServeHTTP(rec, req)
	if rec.status == http.StatusOK {
		return nil
	}
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(rec.body.Bytes(), &e)
	code := e.Type[strings.LastIndexByte(e.Type, '#')+1:]
	return &awsproto.Error{Code: code, Status: rec.status, Message: e.Message}
}

var _ cloud.ItemWriter = itemWriter{}

type recorder struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(s int)           { r.status = s }
