package sqs

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// The query protocol (Action=SendMessage&QueueUrl=…, XML answers: older
// SDKs and CLIs) runs the same typed operations as the JSON protocol: the
// form is translated to the operation's JSON input and its JSON output (or
// error) to the query protocol's XML. Only this file knows the query names.

// queryInts are the members the query protocol sends as numbers.
var queryInts = map[string]bool{
	"DelaySeconds": true, "MaxNumberOfMessages": true, "VisibilityTimeout": true, "WaitTimeSeconds": true,
	"MaxResults": true, "MaxNumberOfMessagesPerSecond": true,
}

// queryLists maps a query list prefix (Prefix.N) to its JSON member.
var queryLists = map[string]string{
	"AttributeName": "AttributeNames", "MessageAttributeName": "MessageAttributeNames",
	"MessageSystemAttributeName": "MessageSystemAttributeNames", "TagKey": "TagKeys",
	"AWSAccountId": "AWSAccountIds", "ActionName": "Actions",
	"StringListValue": "StringListValues", "BinaryListValue": "BinaryListValues",
}

// queryEntries are the batch entry prefixes, all sent as JSON "Entries".
var queryEntries = map[string]bool{
	"SendMessageBatchRequestEntry": true, "DeleteMessageBatchRequestEntry": true, "ChangeMessageVisibilityBatchRequestEntry": true,
}

func (s *Service) serveQuery(w http.ResponseWriter, r *http.Request) {
	requestID := s.env.NewID()
	f, err := awsproto.ParseForm(r, maxRequestBody)
	if err != nil {
		writeQueryError(w, requestID, err)
		return
	}
	action := f.Get("Action")
	if action == "" {
		writeQueryError(w, requestID, awsproto.ErrMissingAction.New("Missing Action"))
		return
	}
	if !s.api.Has(action) {
		writeQueryError(w, requestID, awsproto.ErrInvalidAction.Errorf("The action %s is not valid for this web service.", action))
		return
	}
	in, err := formToJSON(action, f)
	if err != nil {
		writeQueryError(w, requestID, err)
		return
	}
	// A request posted to a queue's URL names the queue by its path.
	if _, ok := in["QueueUrl"]; !ok && strings.Count(strings.Trim(r.URL.Path, "/"), "/") >= 1 {
		in["QueueUrl"] = "http://" + r.Host + r.URL.Path
	}
	body, _ := json.Marshal(in)
	inner := r.Clone(r.Context())
	inner.Header = r.Header.Clone()
	inner.Header.Set("X-Amz-Target", "AmazonSQS."+action)
	inner.Header.Set("Content-Type", "application/x-amz-json-1.0")
	inner.Body = io.NopCloser(bytes.NewReader(body))
	inner.ContentLength = int64(len(body))
	rec := &recorder{h: http.Header{}, status: http.StatusOK}
	s.api.ServeHTTP(rec, inner)
	if id := rec.h.Get("X-Amzn-Requestid"); id != "" {
		requestID = id
	}
	if rec.status != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(rec.body.Bytes(), &e)
		code := rec.h.Get(queryErrorHeader)
		code, _, _ = strings.Cut(code, ";")
		if code == "" {
			_, code, _ = strings.Cut(e.Type, "#")
		}
		writeQueryError(w, requestID, &awsproto.Error{Code: code, Status: rec.status, Message: e.Message})
		return
	}
	var out bytes.Buffer
	out.WriteString(xml.Header)
	out.WriteString("<" + action + `Response xmlns="` + xmlns + `"><` + action + "Result>")
	if err := jsonToXML(&out, action, rec.body.Bytes()); err != nil {
		writeQueryError(w, requestID, err)
		return
	}
	out.WriteString("</" + action + "Result><ResponseMetadata><RequestId>")
	xml.EscapeText(&out, []byte(requestID))
	out.WriteString("</RequestId></ResponseMetadata></" + action + "Response>")
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.Write(out.Bytes())
}

// writeQueryError writes e as the query protocol does: <ErrorResponse>
// with the query code (the one x-amzn-query-error carries in JSON).
func writeQueryError(w http.ResponseWriter, requestID string, err error) {
	e, _ := awsproto.AsError(err)
	code := e.Code
	if h, ok := e.Headers[queryErrorHeader]; ok {
		code, _, _ = strings.Cut(h, ";")
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<ErrorResponse xmlns="` + xmlns + `"><Error><Type>` + e.Fault() + "</Type><Code>")
	xml.EscapeText(&b, []byte(code))
	b.WriteString("</Code><Message>")
	xml.EscapeText(&b, []byte(e.Message))
	b.WriteString("</Message><Detail/></Error><RequestId>")
	xml.EscapeText(&b, []byte(requestID))
	b.WriteString("</RequestId></ErrorResponse>")
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(e.Status)
	w.Write(b.Bytes())
}

type recorder struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(s int)           { r.status = s }

// formToJSON translates a query form into the operation's JSON input.
func formToJSON(action string, f awsproto.Form) (map[string]any, error) {
	out, err := convertForm(map[string][]string(f))
	if err != nil {
		return nil, err
	}
	if action == "CreateQueue" {
		if t, ok := out["Tags"]; ok {
			delete(out, "Tags")
			out["tags"] = t
		}
	}
	delete(out, "Action")
	delete(out, "Version")
	return out, nil
}

// convertForm converts one level of a form: scalars, Prefix.N lists,
// Attribute/Tag/MessageAttribute maps and batch entries.
func convertForm(f map[string][]string) (map[string]any, error) {
	out := map[string]any{}
	nested := map[string]map[string][]string{}
	for k, v := range f {
		if len(v) == 0 {
			continue
		}
		head, rest, dotted := strings.Cut(k, ".")
		if !dotted {
			if queryInts[k] {
				n, err := strconv.Atoi(strings.TrimSpace(v[0]))
				if err != nil {
					return nil, errInvalidParameterValue.Errorf(msgParamInvalid, v[0], k, "Must be an integer.")
				}
				out[k] = n
			} else {
				out[k] = v[0]
			}
			continue
		}
		if nested[head] == nil {
			nested[head] = map[string][]string{}
		}
		nested[head][rest] = v
	}
	for head, sub := range nested {
		items := indexed(sub)
		switch {
		case queryLists[head] != "":
			list := make([]string, 0, len(items))
			for _, it := range items {
				list = append(list, first(it[""]))
			}
			out[queryLists[head]] = list
		case head == "Attribute":
			m := map[string]string{}
			for _, it := range items {
				m[first(it["Name"])] = first(it["Value"])
			}
			out["Attributes"] = m
		case head == "Tag":
			m := map[string]string{}
			for _, it := range items {
				m[first(it["Key"])] = first(it["Value"])
			}
			out["Tags"] = m
		case head == "MessageAttribute" || head == "MessageSystemAttribute":
			m := map[string]any{}
			for _, it := range items {
				val := map[string][]string{}
				for k, v := range it {
					if r, ok := strings.CutPrefix(k, "Value."); ok {
						val[r] = v
					}
				}
				cv, err := convertForm(val)
				if err != nil {
					return nil, err
				}
				m[first(it["Name"])] = cv
			}
			out[head+"s"] = m
		case queryEntries[head]:
			list := make([]any, 0, len(items))
			for _, it := range items {
				cv, err := convertForm(it)
				if err != nil {
					return nil, err
				}
				list = append(list, cv)
			}
			out["Entries"] = list
		}
	}
	return out, nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// indexed groups N.rest keys (or member.N.rest) by N, in index order; the
// value of a plain N key is under "".
func indexed(sub map[string][]string) []map[string][]string {
	byN := map[int]map[string][]string{}
	for k, v := range sub {
		k = strings.TrimPrefix(k, "member.")
		num, rest, _ := strings.Cut(k, ".")
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 {
			continue
		}
		if byN[n] == nil {
			byN[n] = map[string][]string{}
		}
		byN[n][rest] = v
	}
	ns := make([]int, 0, len(byN))
	for n := range byN {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	out := make([]map[string][]string, len(ns))
	for i, n := range ns {
		out[i] = byN[n]
	}
	return out
}

// jsonToXML writes an operation's JSON output as its query protocol XML.
func jsonToXML(b *bytes.Buffer, action string, body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		return err
	}
	writeMembers(b, action, v)
	return nil
}

// queryListItems names the elements of the flattened lists of SQS results.
func queryListItem(action, member string) string {
	switch member {
	case "QueueUrls", "queueUrls":
		return "QueueUrl"
	case "Messages":
		return "Message"
	case "Successful":
		return action + "ResultEntry"
	case "Failed":
		return "BatchResultErrorEntry"
	case "Results":
		return "ListMessageMoveTasksResultEntry"
	case "StringListValues":
		return "StringListValue"
	case "BinaryListValues":
		return "BinaryListValue"
	}
	return member
}

func writeMembers(b *bytes.Buffer, action string, obj map[string]any) {
	scalar := func(v any) { writeScalar(b, v) }
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		v := obj[k]
		switch k {
		case "Attributes":
			writeEntries(b, "Attribute", "Name", v, scalar)
			continue
		case "Tags":
			writeEntries(b, "Tag", "Key", v, scalar)
			continue
		case "MessageAttributes":
			writeEntries(b, "MessageAttribute", "Name", v, func(v any) {
				if o, ok := v.(map[string]any); ok {
					writeMembers(b, action, o)
				}
			})
			continue
		}
		switch x := v.(type) {
		case []any:
			item := queryListItem(action, k)
			for _, e := range x {
				writeElement(b, action, item, e)
			}
		default:
			writeElement(b, action, k, v)
		}
	}
}

func writeElement(b *bytes.Buffer, action, name string, v any) {
	b.WriteString("<" + name + ">")
	if o, ok := v.(map[string]any); ok {
		writeMembers(b, action, o)
	} else {
		writeScalar(b, v)
	}
	b.WriteString("</" + name + ">")
}

func writeScalar(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case string:
		xml.EscapeText(b, []byte(x))
	case json.Number:
		b.WriteString(x.String())
	case bool:
		b.WriteString(strconv.FormatBool(x))
	}
}

// writeEntries writes a map member in the query protocol's shape: one
// <elem> per entry, in key order, with the key under <keyTag> and the
// value, written by value, under <Value>.
func writeEntries(b *bytes.Buffer, elem, keyTag string, v any, value func(any)) {
	m, _ := v.(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(m)) {
		b.WriteString("<" + elem + "><" + keyTag + ">")
		xml.EscapeText(b, []byte(name))
		b.WriteString("</" + keyTag + "><Value>")
		value(m[name])
		b.WriteString("</Value></" + elem + ">")
	}
}
