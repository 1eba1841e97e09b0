package awsproto

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"sort"
)

// S3's XML namespace.
const S3XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"

// WriteXML writes v as an XML document with status.
func WriteXML(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteXMLError writes e in rest-xml's (S3's) shape:
// <Error><Code/><Message/>…fields…<RequestId/></Error>. HEAD responses carry
// no body, as on AWS.
func WriteXMLError(w http.ResponseWriter, r *http.Request, requestID string, e *Error) {
	h := w.Header()
	h.Set("X-Amz-Request-Id", requestID)
	for k, v := range e.Headers {
		h.Set(k, v)
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	buf.WriteString("<Error><Code>")
	xml.EscapeText(&buf, []byte(e.Code))
	buf.WriteString("</Code><Message>")
	xml.EscapeText(&buf, []byte(e.Message))
	buf.WriteString("</Message>")
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		enc := xml.NewEncoder(&buf)
		enc.EncodeElement(e.Fields[k], xml.StartElement{Name: xml.Name{Local: k}})
		enc.Flush()
	}
	buf.WriteString("<RequestId>")
	xml.EscapeText(&buf, []byte(requestID))
	buf.WriteString("</RequestId></Error>")
	h.Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	w.Write(buf.Bytes())
}

// ErrMalformedXML is rest-xml's answer to a body it cannot parse.
var ErrMalformedXML = Code{"MalformedXML", http.StatusBadRequest}

// DecodeXML reads an XML request body into v, answering MalformedXML on
// anything it cannot parse.
func DecodeXML(body []byte, v any) error {
	if err := xml.Unmarshal(body, v); err != nil {
		return ErrMalformedXML.New("The XML you provided was not well-formed or did not validate against our published schema")
	}
	return nil
}
