package ui

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// call hands one AWS API request to the internal edge, routed by a
// credential scope naming service (the internal edge checks no signature),
// and returns the service's answer.
func (c *Console) call(r *http.Request, service, method, target, path string, hdr http.Header, body io.Reader) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req, err := http.NewRequestWithContext(r.Context(), method, "http://localhost:4566"+path, body)
	if err != nil {
		rec.Code = http.StatusBadRequest
		rec.Body.WriteString(`{"message":"the console could not make this call: ` + strings.ReplaceAll(err.Error(), `"`, `'`) + `"}`)
		return rec
	}
	req.RemoteAddr = "127.0.0.1:0"
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/"+time.Now().UTC().Format("20060102")+"/"+c.region+"/"+service+
		"/aws4_request, SignedHeaders=host, Signature=0000")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	c.edge.ServeHTTP(rec, req)
	return rec
}

// failed turns a service's error answer into a callError.
func failed(rec *httptest.ResponseRecorder) error {
	if rec.Code < 300 {
		return nil
	}
	msg := strings.TrimSpace(rec.Body.String())
	var j struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
		Msg     string `json:"Message"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &j) == nil && (j.Message != "" || j.Msg != "") {
		typ := j.Type[strings.LastIndexByte(j.Type, '#')+1:]
		msg = strings.TrimPrefix(typ+": "+j.Message+j.Msg, ": ")
	} else {
		var x struct {
			Code    string `xml:"Error>Code"`
			Message string `xml:"Error>Message"`
			SCode   string `xml:"Code"`
			SMsg    string `xml:"Message"`
		}
		if xml.Unmarshal(rec.Body.Bytes(), &x) == nil && (x.Code != "" || x.SCode != "") {
			msg = x.Code + x.SCode + ": " + x.Message + x.SMsg
		}
	}
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	return &callError{status: rec.Code, message: msg}
}

// jsonCall calls a JSON-protocol operation (DynamoDB, SQS, CloudWatch Logs).
func (c *Console) jsonCall(r *http.Request, service, target, version string, in any) (map[string]any, error) {
	rec := c.call(r, service, http.MethodPost, target, "/", http.Header{"Content-Type": {"application/x-amz-json-" + version}}, bodyOf(in))
	if err := failed(rec); err != nil {
		return nil, err
	}
	out := map[string]any{}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// rest calls a REST-JSON operation (Lambda, API Gateway).
func (c *Console) rest(r *http.Request, service, method, path string, in any) (map[string]any, error) {
	var body io.Reader
	if in != nil {
		body = bodyOf(in)
	}
	rec := c.call(r, service, method, "", path, http.Header{"Content-Type": {"application/json"}}, body)
	if err := failed(rec); err != nil {
		return nil, err
	}
	out := map[string]any{}
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// query calls a query-protocol operation (SNS, EC2) and decodes its XML
// answer into out.
func (c *Console) queryCall(r *http.Request, service string, form url.Values, out any) error {
	rec := c.call(r, service, http.MethodPost, "", "/", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, strings.NewReader(form.Encode()))
	if err := failed(rec); err != nil {
		return err
	}
	return xml.Unmarshal(rec.Body.Bytes(), out)
}

// DynamoDB.

func (c *Console) tables(r *http.Request) (any, error) {
	return c.jsonCall(r, "dynamodb", "DynamoDB_20120810.ListTables", "1.0", map[string]any{})
}

// scan reads one page of a table: limit items after start (the previous
// page's "next", a LastEvaluatedKey as JSON).
func (c *Console) scan(r *http.Request, table, start string, limit int) (any, error) {
	in := map[string]any{"TableName": table, "Limit": limit}
	if start != "" {
		var k any
		if err := json.Unmarshal([]byte(start), &k); err != nil {
			return nil, err
		}
		in["ExclusiveStartKey"] = k
	}
	out, err := c.jsonCall(r, "dynamodb", "DynamoDB_20120810.Scan", "1.0", in)
	if err != nil {
		return nil, err
	}
	desc, err := c.jsonCall(r, "dynamodb", "DynamoDB_20120810.DescribeTable", "1.0", map[string]any{"TableName": table})
	if err != nil {
		return nil, err
	}
	return page(out, desc), nil
}

// page is a Scan's or Query's answer as the console shows it.
func page(out, desc map[string]any) map[string]any {
	p := map[string]any{"items": out["Items"], "count": out["Count"]}
	if p["items"] == nil {
		p["items"] = []any{}
	}
	if t, ok := desc["Table"].(map[string]any); ok {
		p["keySchema"] = t["KeySchema"]
		p["itemCount"] = t["ItemCount"]
	}
	if k, ok := out["LastEvaluatedKey"]; ok {
		b, _ := json.Marshal(k)
		p["next"] = string(b)
	}
	return p
}

// queryInput is the console's Query: a key condition in DynamoDB's own
// expression language, with its values in DynamoDB JSON.
type queryInput struct {
	Table     string         `json:"table"`
	Index     string         `json:"index"`
	Condition string         `json:"keyCondition"`
	Values    map[string]any `json:"values"`
	Names     map[string]any `json:"names"`
	Start     string         `json:"start"`
	Limit     int            `json:"limit"`
}

func (c *Console) query(r *http.Request) (any, error) {
	var q queryInput
	if err := readBody(r, &q); err != nil {
		return nil, err
	}
	in := map[string]any{"TableName": q.Table, "KeyConditionExpression": q.Condition, "Limit": min(max(q.Limit, 1), 1000)}
	if q.Limit == 0 {
		in["Limit"] = 50
	}
	if len(q.Values) > 0 {
		in["ExpressionAttributeValues"] = q.Values
	}
	if len(q.Names) > 0 {
		in["ExpressionAttributeNames"] = q.Names
	}
	if q.Index != "" {
		in["IndexName"] = q.Index
	}
	if q.Start != "" {
		var k any
		if err := json.Unmarshal([]byte(q.Start), &k); err != nil {
			return nil, err
		}
		in["ExclusiveStartKey"] = k
	}
	out, err := c.jsonCall(r, "dynamodb", "DynamoDB_20120810.Query", "1.0", in)
	if err != nil {
		return nil, err
	}
	desc, err := c.jsonCall(r, "dynamodb", "DynamoDB_20120810.DescribeTable", "1.0", map[string]any{"TableName": q.Table})
	if err != nil {
		return nil, err
	}
	return page(out, desc), nil
}

type itemInput struct {
	Table string         `json:"table"`
	Item  map[string]any `json:"item"`
	Key   map[string]any `json:"key"`
}

func (c *Console) putItem(r *http.Request) (any, error) {
	var in itemInput
	if err := readBody(r, &in); err != nil {
		return nil, err
	}
	return c.jsonCall(r, "dynamodb", "DynamoDB_20120810.PutItem", "1.0", map[string]any{"TableName": in.Table, "Item": in.Item})
}

func (c *Console) deleteItem(r *http.Request) (any, error) {
	var in itemInput
	if err := readBody(r, &in); err != nil {
		return nil, err
	}
	return c.jsonCall(r, "dynamodb", "DynamoDB_20120810.DeleteItem", "1.0", map[string]any{"TableName": in.Table, "Key": in.Key})
}

// S3.

func objectPath(bucket, key string) string {
	p := "/" + url.PathEscape(bucket)
	if key != "" {
		p += "/" + strings.ReplaceAll(url.PathEscape(key), "%2F", "/")
	}
	return p
}

func (c *Console) s3(r *http.Request, method, bucket, key string, hdr http.Header, body io.Reader) (any, error) {
	if bucket == "" || key == "" {
		return nil, &callError{status: http.StatusBadRequest, message: "bucket and key are required"}
	}
	rec := c.call(r, "s3", method, "", objectPath(bucket, key), hdr, body)
	if err := failed(rec); err != nil {
		return nil, err
	}
	return map[string]any{"ok": true}, nil
}

func (c *Console) buckets(r *http.Request) (any, error) {
	rec := c.call(r, "s3", http.MethodGet, "", "/", nil, nil)
	if err := failed(rec); err != nil {
		return nil, err
	}
	var out struct {
		Buckets []struct {
			Name         string `xml:"Name" json:"name"`
			CreationDate string `xml:"CreationDate" json:"created"`
		} `xml:"Buckets>Bucket" json:"buckets"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// objects lists one level of a bucket under prefix ("/" delimits levels).
func (c *Console) objects(r *http.Request, bucket, prefix, token string) (any, error) {
	q := url.Values{"list-type": {"2"}, "delimiter": {"/"}, "prefix": {prefix}, "max-keys": {"200"}}
	if token != "" {
		q.Set("continuation-token", token)
	}
	rec := c.call(r, "s3", http.MethodGet, "", objectPath(bucket, "")+"?"+q.Encode(), nil, nil)
	if err := failed(rec); err != nil {
		return nil, err
	}
	var out struct {
		Prefix   string `xml:"Prefix" json:"prefix"`
		Contents []struct {
			Key          string `xml:"Key" json:"key"`
			Size         int64  `xml:"Size" json:"size"`
			LastModified string `xml:"LastModified" json:"lastModified"`
			ETag         string `xml:"ETag" json:"etag"`
		} `xml:"Contents" json:"objects"`
		Prefixes []string `xml:"CommonPrefixes>Prefix" json:"prefixes"`
		Next     string   `xml:"NextContinuationToken" json:"next,omitempty"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// download answers an object's bytes as an attachment, with its metadata
// in the headers S3 gives them.
func (c *Console) download(w http.ResponseWriter, r *http.Request, bucket, key string) {
	if bucket == "" || key == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bucket and key are required"})
		return
	}
	rec := c.call(r, "s3", r.Method, "", objectPath(bucket, key), nil, nil)
	if err := failed(rec); err != nil {
		writeJSON(w, rec.Code, map[string]string{"error": err.Error()})
		return
	}
	h := w.Header()
	for k, v := range rec.Header() {
		if k == "Content-Length" || k == "Etag" || k == "Last-Modified" || strings.HasPrefix(strings.ToLower(k), "x-amz-meta-") {
			h[k] = v
		}
	}
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(key[strings.LastIndexByte(key, '/')+1:]))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(rec.Body.Bytes())
	}
}

// head is an object's metadata: its system headers and user metadata.
func (c *Console) head(r *http.Request, bucket, key string) (any, error) {
	if bucket == "" || key == "" {
		return nil, &callError{status: http.StatusBadRequest, message: "bucket and key are required"}
	}
	rec := c.call(r, "s3", http.MethodHead, "", objectPath(bucket, key), nil, nil)
	if rec.Code == http.StatusNotFound {
		return nil, &callError{status: http.StatusNotFound, message: "NoSuchKey: the object does not exist"}
	}
	if err := failed(rec); err != nil {
		return nil, err
	}
	system, user := map[string]string{}, map[string]string{}
	for k, v := range rec.Header() {
		lk := strings.ToLower(k)
		switch {
		case strings.HasPrefix(lk, "x-amz-meta-"):
			user[lk[len("x-amz-meta-"):]] = strings.Join(v, ",")
		case lk == "content-type", lk == "content-length", lk == "etag", lk == "last-modified", lk == "cache-control",
			lk == "content-encoding", lk == "content-disposition", lk == "expires", lk == "x-amz-version-id",
			lk == "x-amz-storage-class", lk == "x-amz-server-side-encryption", lk == "x-amz-tagging-count":
			system[lk] = strings.Join(v, ",")
		}
	}
	return map[string]any{"bucket": bucket, "key": key, "system": system, "metadata": user}, nil
}

func (c *Console) upload(r *http.Request, bucket, key string) (any, error) {
	hdr := http.Header{}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		hdr.Set("Content-Type", ct)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, &callError{status: http.StatusRequestEntityTooLarge, message: "the console uploads objects of up to " + strconv.Itoa(maxBody>>20) + " MiB"}
	}
	hdr.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	return c.s3(r, http.MethodPut, bucket, key, hdr, strings.NewReader(string(body)))
}

// SQS.

func (c *Console) queues(r *http.Request) (any, error) {
	out, err := c.jsonCall(r, "sqs", "AmazonSQS.ListQueues", "1.0", map[string]any{"MaxResults": 1000})
	if err != nil {
		return nil, err
	}
	var qs []map[string]any
	urls, _ := out["QueueUrls"].([]any)
	for _, u := range urls {
		a, err := c.jsonCall(r, "sqs", "AmazonSQS.GetQueueAttributes", "1.0", map[string]any{"QueueUrl": u, "AttributeNames": []string{"All"}})
		if err != nil {
			continue // deleted meanwhile
		}
		s, _ := u.(string)
		qs = append(qs, map[string]any{"url": s, "name": s[strings.LastIndexByte(s, '/')+1:], "attributes": a["Attributes"]})
	}
	if qs == nil {
		qs = []map[string]any{}
	}
	return map[string]any{"queues": qs}, nil
}

func (c *Console) purge(r *http.Request, queue string) (any, error) {
	u, err := c.jsonCall(r, "sqs", "AmazonSQS.GetQueueUrl", "1.0", map[string]any{"QueueName": queue})
	if err != nil {
		return nil, err
	}
	return c.jsonCall(r, "sqs", "AmazonSQS.PurgeQueue", "1.0", map[string]any{"QueueUrl": u["QueueUrl"]})
}

// SNS, API Gateway, EC2, CloudWatch Logs.

func (c *Console) topics(r *http.Request) (any, error) {
	var t struct {
		Topics []string `xml:"ListTopicsResult>Topics>member>TopicArn"`
	}
	if err := c.queryCall(r, "sns", url.Values{"Action": {"ListTopics"}, "Version": {"2010-03-31"}}, &t); err != nil {
		return nil, err
	}
	var s struct {
		Subs []struct {
			TopicArn        string `xml:"TopicArn" json:"topicArn"`
			Protocol        string `xml:"Protocol" json:"protocol"`
			Endpoint        string `xml:"Endpoint" json:"endpoint"`
			SubscriptionArn string `xml:"SubscriptionArn" json:"subscriptionArn"`
		} `xml:"ListSubscriptionsResult>Subscriptions>member"`
	}
	if err := c.queryCall(r, "sns", url.Values{"Action": {"ListSubscriptions"}, "Version": {"2010-03-31"}}, &s); err != nil {
		return nil, err
	}
	topics := []map[string]any{}
	for _, arn := range t.Topics {
		subs := []any{}
		for _, sub := range s.Subs {
			if sub.TopicArn == arn {
				subs = append(subs, sub)
			}
		}
		topics = append(topics, map[string]any{"arn": arn, "subscriptions": subs})
	}
	return map[string]any{"topics": topics}, nil
}

func (c *Console) apis(r *http.Request) (any, error) {
	v2, err := c.rest(r, "apigateway", http.MethodGet, "/v2/apis", nil)
	if err != nil {
		return nil, err
	}
	items, _ := v2["items"].([]any)
	for _, it := range items {
		api, _ := it.(map[string]any)
		id, _ := api["apiId"].(string)
		if routes, err := c.rest(r, "apigateway", http.MethodGet, "/v2/apis/"+url.PathEscape(id)+"/routes", nil); err == nil {
			api["routes"] = routes["items"]
		}
	}
	v1, err := c.rest(r, "apigateway", http.MethodGet, "/restapis?limit=500", nil)
	if err != nil {
		return nil, err
	}
	return map[string]any{"http": items, "rest": v1["item"]}, nil
}

func (c *Console) instances(r *http.Request) (any, error) {
	var out struct {
		Reservations []struct {
			Instances []struct {
				ID        string `xml:"instanceId" json:"id"`
				State     string `xml:"instanceState>name" json:"state"`
				Type      string `xml:"instanceType" json:"type"`
				Image     string `xml:"imageId" json:"image"`
				PrivateIP string `xml:"privateIpAddress" json:"privateIp"`
				PublicIP  string `xml:"ipAddress" json:"publicIp"`
			} `xml:"instancesSet>item" json:"instances"`
		} `xml:"reservationSet>item" json:"reservations"`
	}
	if err := c.queryCall(r, "ec2", url.Values{"Action": {"DescribeInstances"}, "Version": {"2016-11-15"}}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// tail returns a function's log events after since (milliseconds since
// the epoch); the page calls it again with the last event's time.
func (c *Console) tail(r *http.Request, function, since string) (any, error) {
	in := map[string]any{"logGroupName": "/aws/lambda/" + function, "limit": 500}
	if ms, err := strconv.ParseInt(since, 10, 64); err == nil && ms > 0 {
		in["startTime"] = ms
	}
	out, err := c.jsonCall(r, "logs", "Logs_20140328.FilterLogEvents", "1.1", in)
	var ce *callError
	if err != nil && asCall(err, &ce) && strings.Contains(ce.message, "ResourceNotFound") {
		return map[string]any{"events": []any{}}, nil // no invocation has logged yet
	}
	if err != nil {
		return nil, err
	}
	if out["events"] == nil {
		out["events"] = []any{}
	}
	return out, nil
}

func asCall(err error, ce **callError) bool {
	e, ok := err.(*callError)
	*ce = e
	return ok
}
