package awsproto

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

var errNoThing = Code{"ResourceNotFoundException", http.StatusNotFound}

type tagIn struct {
	Key   *string `json:"Key" required:"true" min:"1" max:"128"`
	Value *string `json:"Value" max:"256"`
}

type createThingIn struct {
	Name  *string  `json:"Name" required:"true" min:"1" max:"8" pattern:"[a-z]+"`
	Kind  string   `json:"Kind" enum:"small,large"`
	Size  *int     `json:"Size" min:"1" max:"10"`
	Tags  []tagIn  `json:"Tags" max:"2"`
	Notes []string `json:"Notes"`
}

type thingOut struct {
	Name   string
	Region string
	Size   int `json:",omitempty"`
}

func createThing(c *Call, in *createThingIn) (thingOut, error) {
	if *in.Name == "missing" {
		return thingOut{}, errNoThing.New("no such thing")
	}
	out := thingOut{Name: *in.Name, Region: c.Region}
	if in.Size != nil {
		out.Size = *in.Size
	}
	return out, nil
}

func jsonAPI() *API {
	a := &API{Base: testBase(), Protocol: JSON11, TargetPrefix: "Things", MaxBody: 4096}
	a.Register(
		Handle("CreateThing", createThing),
		Handle("Boom", func(c *Call, in *struct{}) (any, error) { panic("boom") }),
		Handle("Raw", func(c *Call, in *[]byte) ([]byte, error) { return append([]byte(`{"echo":`), append(*in, '}')...), nil }),
	)
	return a
}

func TestAPIJSON(t *testing.T) {
	a := jsonAPI()
	cases := []struct {
		name, target, body string
		status             int
		errType, bodyHas   string
	}{
		{"ok", "Things.CreateThing", `{"Name":"abc","Size":3}`, 200, "", `{"Name":"abc","Region":"us-east-1","Size":3}`},
		{"raw in and out", "Things.Raw", `{"a":1}`, 200, "", `{"echo":{"a":1}}`},
		{"store error carries its code", "Things.CreateThing", `{"Name":"missing"}`, 404, "ResourceNotFoundException", `"message":"no such thing"`},
		{"required", "Things.CreateThing", `{}`, 400, "ValidationException",
			`1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null`},
		{"every failure is reported", "Things.CreateThing", `{"Name":"ABCDEFGHIJ","Kind":"huge","Size":11}`, 400, "ValidationException",
			`3 validation errors detected: Value 'ABCDEFGHIJ' at 'name' failed to satisfy constraint: Member must have length less than or equal to 8; ` +
				`Value 'huge' at 'kind' failed to satisfy constraint: Member must satisfy enum value set: [small, large]; ` +
				`Value '11' at 'size' failed to satisfy constraint: Member must have value less than or equal to 10`},
		{"pattern", "Things.CreateThing", `{"Name":"a1"}`, 400, "ValidationException",
			`Value 'a1' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+`},
		{"nested list members", "Things.CreateThing", `{"Name":"a","Tags":[{"Key":"k"},{"Value":"v"}]}`, 400, "ValidationException",
			`Value null at 'tags.2.member.key' failed to satisfy constraint: Member must not be null`},
		{"list length", "Things.CreateThing", `{"Name":"a","Tags":[{"Key":"a"},{"Key":"b"},{"Key":"c"}]}`, 400, "ValidationException",
			`Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 2`},
		{"wrong type", "Things.CreateThing", `{"Name":5}`, 400, "SerializationException", ""},
		{"malformed", "Things.CreateThing", `{"Name":`, 400, "SerializationException", ""},
		{"unknown op", "Things.Nope", `{}`, 400, "UnknownOperationException", ""},
		{"too large", "Things.CreateThing", `{"Name":"` + strings.Repeat("a", 5000) + `"}`, 413, "RequestEntityTooLarge", ""},
		{"panic is a 500", "Things.Boom", `{}`, 500, "InternalFailure", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := doJSON(a, c.target, c.body)
			if w.Code != c.status {
				t.Fatalf("status %d, want %d: %s", w.Code, c.status, w.Body)
			}
			if got := w.Header().Get("X-Amzn-ErrorType"); got != c.errType {
				t.Fatalf("error type %q, want %q", got, c.errType)
			}
			if w.Header().Get("Content-Type") != "application/x-amz-json-1.1" {
				t.Fatalf("content type %q", w.Header().Get("Content-Type"))
			}
			if !strings.Contains(w.Body.String(), c.bodyHas) {
				t.Fatalf("body %s lacks %s", w.Body, c.bodyHas)
			}
		})
	}
}

type queryTag struct {
	Key   string `required:"true" member:"key"`
	Value string
}

type listIn struct {
	RoleName *string           `required:"true" min:"1" max:"64"`
	MaxItems *int              `min:"1" max:"1000"`
	Tags     []queryTag        `query:"Tags"`
	IDs      []string          `query:"InstanceId"`
	Attrs    map[string]string `query:"Attributes" key:"Name" value:"Value"`
	Enabled  *bool
}

type listOut struct {
	RoleName string
	Count    int
	Keys     []string `xml:"Keys>member"`
	IDs      []string `xml:"IDs>member"`
	Attr     string   `xml:",omitempty"`
	Enabled  bool
}

func queryAPI(p Protocol) *API {
	a := &API{Base: testBase(), Protocol: p, XMLNS: "https://iam.amazonaws.com/doc/2010-05-08/", Invalid: ErrValidationError}
	a.Register(Handle("ListThings", func(c *Call, in *listIn) (listOut, error) {
		out := listOut{RoleName: *in.RoleName, IDs: in.IDs, Attr: in.Attrs["color"]}
		if in.MaxItems != nil {
			out.Count = *in.MaxItems
		}
		if in.Enabled != nil {
			out.Enabled = *in.Enabled
		}
		for _, t := range in.Tags {
			out.Keys = append(out.Keys, t.Key+"="+t.Value)
		}
		return out, nil
	}))
	return a
}

func doForm(h http.Handler, form url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestAPIQuery(t *testing.T) {
	a := queryAPI(Query)
	w := doForm(a, url.Values{"Action": {"ListThings"}, "RoleName": {"r"}, "MaxItems": {"5"}, "Enabled": {"true"},
		"Tags.member.2.Key": {"b"}, "Tags.member.1.Key": {"a"}, "Tags.member.1.Value": {"1"},
		"InstanceId.1": {"i-1"}, "InstanceId.2": {"i-2"},
		"Attributes.entry.1.Name": {"color"}, "Attributes.entry.1.Value": {"red"}})
	want := `<ListThingsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListThingsResult><RoleName>r</RoleName><Count>5</Count>` +
		`<Keys><member>a=1</member><member>b=</member></Keys><IDs><member>i-1</member><member>i-2</member></IDs><Attr>red</Attr><Enabled>true</Enabled>` +
		`</ListThingsResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ListThingsResponse>`
	if w.Code != 200 || !strings.Contains(w.Body.String(), want) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	for _, c := range []struct {
		form url.Values
		msg  string
	}{
		{url.Values{"Action": {"ListThings"}}, "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null"},
		{url.Values{"Action": {"ListThings"}, "RoleName": {"r"}, "MaxItems": {"x"}}, "Value 'x' at 'maxItems' failed to satisfy constraint: Member must be a number"},
		{url.Values{"Action": {"ListThings"}, "RoleName": {"r"}, "MaxItems": {"0"}}, "Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{url.Values{"Action": {"ListThings"}, "RoleName": {"r"}, "Tags.member.1.Value": {"v"}}, "Value null at 'tags.1.member.key' failed to satisfy constraint: Member must not be null"},
	} {
		w := doForm(a, c.form)
		if w.Code != 400 || !strings.Contains(w.Body.String(), "<Code>ValidationError</Code>") || !strings.Contains(html.UnescapeString(w.Body.String()), c.msg) {
			t.Errorf("%v: %d %s", c.form, w.Code, w.Body)
		}
	}
	w = doForm(a, url.Values{"Action": {"Nope"}})
	if w.Code != 400 || !strings.Contains(w.Body.String(), "<Code>InvalidAction</Code>") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestAPIEC2Query(t *testing.T) {
	a := queryAPI(EC2Query)
	w := doForm(a, url.Values{"Action": {"ListThings"}, "RoleName": {"r"}})
	if w.Code != 200 || !strings.Contains(w.Body.String(), `<ListThingsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><requestId>req-1</requestId><RoleName>r</RoleName>`) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	w = doForm(a, url.Values{"Action": {"ListThings"}})
	if w.Code != 400 || !strings.Contains(w.Body.String(), "<Response><Errors><Error><Code>ValidationError</Code>") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

type invokeIn struct {
	FunctionName *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"64"`
	Qualifier    *string `json:"-" location:"querystring" name:"Qualifier"`
	LogType      string  `json:"-" location:"header" name:"X-Amz-Log-Type" enum:"None,Tail"`
	Payload      []byte  `json:"-" location:"body"`
}

type invokeOut struct {
	StatusCode int    `json:"-" location:"statusCode"`
	Version    string `json:"-" location:"header" name:"X-Amz-Executed-Version"`
	Payload    []byte `json:"-" location:"body"`
}

type objectOut struct {
	Body io.Reader         `xml:"-" location:"body"`
	ETag string            `xml:"-" location:"header" name:"ETag"`
	Meta map[string]string `xml:"-" location:"headers" name:"x-amz-meta-"`
}

type putIn struct {
	Bucket string            `xml:"-" location:"uri" name:"Bucket"`
	Key    string            `xml:"-" location:"uri" name:"Key"`
	Body   io.Reader         `xml:"-" location:"body"`
	Meta   map[string]string `xml:"-" location:"headers" name:"x-amz-meta-"`
}

type listBucketsOut struct {
	XMLName struct{} `xml:"ListAllMyBucketsResult"`
	Name    string   `xml:"Buckets>Bucket>Name"`
}

func restAPI() *API {
	a := &API{Base: testBase(), Protocol: RestJSON, MaxBody: 64}
	a.Register(
		Handle("Invoke", func(c *Call, in *invokeIn) (invokeOut, error) {
			q := "$LATEST"
			if in.Qualifier != nil {
				q = *in.Qualifier
			}
			return invokeOut{StatusCode: 200, Version: q, Payload: append([]byte(*in.FunctionName+":"), in.Payload...)}, nil
		}).At("POST /2015-03-31/functions/{FunctionName}/invocations"),
		Handle("ListFunctions", func(c *Call, in *struct{}) (map[string]any, error) {
			return map[string]any{"Functions": []string{}}, nil
		}).At("GET /2015-03-31/functions/"),
		Handle("DeleteFunction", func(c *Call, in *struct {
			FunctionName string `json:"-" location:"uri" name:"FunctionName"`
		}) (struct{}, error) {
			return struct{}{}, nil
		}).At("DELETE /2015-03-31/functions/{FunctionName}").WithStatus(http.StatusNoContent),
		Handle("TagResource", func(c *Call, in *struct {
			Resource string            `json:"-" location:"uri" name:"ARN"`
			Tags     map[string]string `json:"Tags" required:"true"`
		}) (map[string]string, error) {
			return map[string]string{"arn": in.Resource, "a": in.Tags["a"]}, nil
		}).At("POST /2017-03-31/tags/{ARN+}").WithStatus(http.StatusCreated).WithMaxBody(1024),
	)
	return a
}

func TestAPIRestJSON(t *testing.T) {
	a := restAPI()
	cases := []struct {
		method, path, body string
		header             map[string]string
		status             int
		errType, bodyHas   string
		respHeader         [2]string
	}{
		{"POST", "/2015-03-31/functions/fn/invocations?Qualifier=3", `{"x":1}`, map[string]string{"X-Amz-Log-Type": "Tail"}, 200, "", `fn:{"x":1}`, [2]string{"X-Amz-Executed-Version", "3"}},
		{"POST", "/2015-03-31/functions/fn/invocations", `{}`, map[string]string{"X-Amz-Log-Type": "Everything"}, 400, "ValidationException",
			`Value 'Everything' at 'x-Amz-Log-Type' failed to satisfy constraint`, [2]string{}},
		{"POST", "/2015-03-31/functions/" + strings.Repeat("f", 65) + "/invocations", ``, nil, 400, "ValidationException", "Member must have length less than or equal to 64", [2]string{}},
		{"GET", "/2015-03-31/functions/", ``, nil, 200, "", `{"Functions":[]}`, [2]string{}},
		{"GET", "/2015-03-31/functions", ``, nil, 200, "", `{"Functions":[]}`, [2]string{}},
		{"DELETE", "/2015-03-31/functions/fn", ``, nil, 204, "", ``, [2]string{}},
		{"POST", "/2017-03-31/tags/arn:aws:apigateway:us-east-1::%2Frestapis%2Fabc", `{"Tags":{"a":"b"}}`, nil, 201, "", `"arn":"arn:aws:apigateway:us-east-1::/restapis/abc"`, [2]string{}},
		{"POST", "/2017-03-31/tags/x/y/z", `{}`, nil, 400, "ValidationException", `Value null at 'tags'`, [2]string{}},
		{"PUT", "/2015-03-31/functions/fn/invocations", ``, nil, 400, "UnknownOperationException", "", [2]string{}},
		{"GET", "/2015-03-31/nothing", ``, nil, 400, "UnknownOperationException", "", [2]string{}},
		{"POST", "/2015-03-31/functions/fn/invocations", strings.Repeat("x", 65), nil, 413, "RequestEntityTooLarge", "", [2]string{}},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			r := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
			for k, v := range c.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			a.ServeHTTP(w, r)
			if w.Code != c.status {
				t.Fatalf("status %d, want %d: %s", w.Code, c.status, w.Body)
			}
			if got := w.Header().Get("X-Amzn-ErrorType"); got != c.errType {
				t.Fatalf("error type %q, want %q (%s)", got, c.errType, w.Body)
			}
			if !strings.Contains(w.Body.String(), c.bodyHas) {
				t.Fatalf("body %s lacks %s", w.Body, c.bodyHas)
			}
			if c.respHeader[0] != "" && w.Header().Get(c.respHeader[0]) != c.respHeader[1] {
				t.Fatalf("header %s = %q", c.respHeader[0], w.Header().Get(c.respHeader[0]))
			}
		})
	}
}

func TestAPITooLargeWording(t *testing.T) {
	a := restAPI()
	a.TooLarge = func(op *Operation, limit int64) *Error {
		return Code{"RequestEntityTooLargeException", http.StatusRequestEntityTooLarge}.Errorf("Request must be smaller than %d bytes for the %s operation", limit, op.Name)
	}
	for _, c := range []struct {
		path, body, want string
	}{
		{"/2015-03-31/functions/fn/invocations", strings.Repeat("x", 65), "Request must be smaller than 64 bytes for the Invoke operation"},
		{"/2017-03-31/tags/arn", `{"Tags":{"a":"` + strings.Repeat("x", 1024) + `"}}`, "Request must be smaller than 1024 bytes for the TagResource operation"},
	} {
		w := httptest.NewRecorder()
		a.ServeHTTP(w, httptest.NewRequest("POST", c.path, strings.NewReader(c.body)))
		if w.Code != 413 || w.Header().Get("X-Amzn-ErrorType") != "RequestEntityTooLargeException" || !strings.Contains(w.Body.String(), c.want) {
			t.Fatalf("%s: %d %s %s", c.path, w.Code, w.Header().Get("X-Amzn-ErrorType"), w.Body)
		}
	}
}

func TestAPIRestXML(t *testing.T) {
	a := &API{Base: testBase(), Protocol: RestXML}
	var stored string
	var meta map[string]string
	a.Register(
		Handle("PutObject", func(c *Call, in *putIn) (struct{}, error) {
			b, err := io.ReadAll(in.Body)
			stored, meta = in.Bucket+"/"+in.Key+"="+string(b), in.Meta
			return struct{}{}, err
		}).At("PUT /{Bucket}/{Key...}"),
		Handle("GetObject", func(c *Call, in *putIn) (objectOut, error) {
			if in.Key == "missing" {
				return objectOut{}, Code{"NoSuchKey", 404}.New("The specified key does not exist.")
			}
			return objectOut{Body: strings.NewReader("hello"), ETag: `"e"`, Meta: map[string]string{"a": "1"}}, nil
		}).At("GET /{Bucket}/{Key...}"),
		Handle("ListBuckets", func(c *Call, in *struct{}) (listBucketsOut, error) {
			return listBucketsOut{Name: "b"}, nil
		}).At("GET /"),
	)
	r := httptest.NewRequest("PUT", "/b/a/b/c.txt", strings.NewReader("data"))
	r.Header.Set("X-Amz-Meta-Color", "red")
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if w.Code != 200 || stored != "b/a/b/c.txt=data" || meta["color"] != "red" {
		t.Fatalf("%d %q %v %s", w.Code, stored, meta, w.Body)
	}
	w = httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest("GET", "/b/k", nil))
	if w.Code != 200 || w.Body.String() != "hello" || w.Header().Get("ETag") != `"e"` || w.Header().Get("X-Amz-Meta-a") != "1" {
		t.Fatalf("%d %s %v", w.Code, w.Body, w.Header())
	}
	w = httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest("GET", "/b/missing", nil))
	if w.Code != 404 || !strings.Contains(w.Body.String(), "<Code>NoSuchKey</Code>") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "<ListAllMyBucketsResult><Buckets><Bucket><Name>b</Name>") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestAPIConflictingRoutesPanicAtStart(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("two operations on one route were accepted")
		}
	}()
	a := &API{Base: testBase(), Protocol: RestJSON}
	op := func(c *Call, in *struct{}) (struct{}, error) { return struct{}{}, nil }
	a.Register(Handle("A", op).At("GET /things/{Id}"), Handle("B", op).At("GET /things/{Name}"))
}

func TestAPILocationWithoutJSONDashPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("a located member that the body would also carry was accepted")
		}
	}()
	type bad struct {
		Name string `location:"uri" name:"Name"`
	}
	planOf(reflect.TypeFor[bad]())
}

type pathLabels struct {
	API string `json:"-" location:"uri" name:"api"`
}

type restEmbeddedIn struct {
	pathLabels
	Name *string `json:"name" required:"true"`
}

func TestAPIEmbeddedUnexportedInputs(t *testing.T) {
	a := &API{Base: testBase(), Protocol: RestJSON}
	a.Register(Handle("Put", func(c *Call, in *restEmbeddedIn) (map[string]string, error) {
		return map[string]string{"api": in.API, "name": *in.Name}, nil
	}).At("PUT /apis/{api}"))
	for _, c := range []struct{ body, want string }{
		{`{"name":"n"}`, `{"api":"a1","name":"n"}`},
		{`{}`, `Value null at 'name'`},
	} {
		w := httptest.NewRecorder()
		a.ServeHTTP(w, httptest.NewRequest("PUT", "/apis/a1", strings.NewReader(c.body)))
		if !strings.Contains(w.Body.String(), c.want) {
			t.Fatalf("%s: %d %s", c.body, w.Code, w.Body)
		}
	}
}

// A headers-prefixed map takes every header with the prefix, whatever its
// case, and joins repeated lines with commas as HTTP does.
func TestAPIRestHeadersMap(t *testing.T) {
	a := &API{Base: testBase(), Protocol: RestXML}
	var meta map[string]string
	a.Register(Handle("PutObject", func(c *Call, in *putIn) (struct{}, error) {
		meta = in.Meta
		return struct{}{}, nil
	}).At("PUT /{Bucket}/{Key...}"))
	r := httptest.NewRequest("PUT", "/b/k", nil)
	r.Header.Set("X-Amz-Meta-Color", "red")
	r.Header["x-amz-meta-Shape"] = []string{"round"}
	r.Header.Add("X-Amz-Meta-Tags", "a")
	r.Header.Add("X-Amz-Meta-Tags", "b")
	r.Header.Set("X-Amz-Met", "short")
	r.Header.Set("Content-Type", "text/plain")
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if w.Code != 200 || len(meta) != 3 || meta["color"] != "red" || meta["shape"] != "round" || meta["tags"] != "a,b" {
		t.Fatalf("%d %v", w.Code, meta)
	}
	meta = map[string]string{"stale": "x"}
	w = httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest("PUT", "/b/k", nil))
	if w.Code != 200 || meta != nil {
		t.Fatalf("no x-amz-meta- headers: %d %v", w.Code, meta)
	}
}

// A rest-xml output whose members all travel in headers has no body; one
// with body members is an XML document as before.
func TestAPIRestXMLHeaderOnlyOutput(t *testing.T) {
	type headOut struct {
		ETag   string `xml:"-" location:"header" name:"ETag"`
		Region string `xml:"-" location:"header" name:"x-amz-bucket-region"`
	}
	type mixedOut struct {
		XMLName struct{} `xml:"Result"`
		ETag    string   `xml:"-" location:"header" name:"ETag"`
		Name    string
	}
	a := &API{Base: testBase(), Protocol: RestXML}
	a.Register(
		Handle("HeadThing", func(c *Call, in *struct{}) (headOut, error) {
			return headOut{ETag: `"e"`, Region: "eu-west-1"}, nil
		}).At("PUT /things"),
		Handle("GetThing", func(c *Call, in *struct{}) (mixedOut, error) {
			return mixedOut{ETag: `"e"`, Name: "n"}, nil
		}).At("GET /things"),
	)
	w := httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest("PUT", "/things", nil))
	if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("ETag") != `"e"` || w.Header()["X-Amz-Bucket-Region"][0] != "eu-west-1" || w.Header().Get("Content-Type") != "" {
		t.Fatalf("header-only: %d %q %v", w.Code, w.Body, w.Header())
	}
	// rest-xml names the request id as S3 does, on success as on errors.
	if w.Header().Get("X-Amz-Request-Id") != "req-1" || w.Header().Get("X-Amzn-Requestid") != "" {
		t.Fatalf("request id headers: %v", w.Header())
	}
	w = httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest("GET", "/things", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "<Result><Name>n</Name></Result>") || w.Header().Get("ETag") != `"e"` {
		t.Fatalf("mixed: %d %q %v", w.Code, w.Body, w.Header())
	}
}

// A self-routed rest API registers operations without routes and runs the
// one it picked with Op and Serve; any other rest API needs a route.
func TestAPISelfRouted(t *testing.T) {
	a := &API{Base: testBase(), Protocol: RestXML, SelfRouted: true}
	a.Register(
		Handle("PutObject", func(c *Call, in *putIn) (struct{}, error) { return struct{}{}, nil }),
		Handle("UploadPart", func(c *Call, in *putIn) (listBucketsOut, error) {
			return listBucketsOut{Name: in.Bucket + "/" + in.Key}, nil
		}),
	)
	r := httptest.NewRequest("PUT", "/b/k?uploadId=1", nil)
	r.SetPathValue("Bucket", "b")
	r.SetPathValue("Key", "k")
	w := httptest.NewRecorder()
	a.Serve(w, &Call{Request: r, RequestID: "req-1"}, a.Op("UploadPart"))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "<Name>b/k</Name>") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	// The service may say what its labels hold instead (a bucket in Host).
	a.Label = func(c *Call, name string) string {
		return map[string]string{"Bucket": c.Host, "Key": c.URL.Path[1:]}[name]
	}
	r = httptest.NewRequest("PUT", "/a/b?uploadId=1", nil)
	r.Host = "vhost"
	w = httptest.NewRecorder()
	a.Serve(w, &Call{Request: r, RequestID: "req-1"}, a.Op("UploadPart"))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "<Name>vhost/a/b</Name>") {
		t.Fatalf("labels: %d %s", w.Code, w.Body)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a rest operation without a route was accepted")
		}
	}()
	(&API{Base: testBase(), Protocol: RestXML}).Register(Handle("PutObject", func(c *Call, in *putIn) (struct{}, error) { return struct{}{}, nil }))
}

// Members of embedded structs count whether the embedded type is exported
// or not, as in encoding/json: shared member groups stay package-private.
func TestAPIEmbeddedUnexportedMembers(t *testing.T) {
	type target struct {
		Bucket string `xml:"-" location:"uri" name:"Bucket"`
		Key    string `xml:"-" location:"uri" name:"Key"`
	}
	type conditions struct {
		IfMatch string `xml:"-" location:"header" name:"If-Match"`
		Part    *int   `xml:"-" location:"querystring" name:"partNumber" min:"1"`
	}
	type getIn struct {
		target
		conditions
	}
	type etag struct {
		ETag string `xml:"-" location:"header" name:"ETag"`
	}
	type getOut struct{ etag }
	a := &API{Base: testBase(), Protocol: RestXML}
	a.Register(Handle("GetObject", func(c *Call, in *getIn) (getOut, error) {
		return getOut{etag{ETag: in.Bucket + "/" + in.Key + " " + in.IfMatch}}, nil
	}).At("GET /{Bucket}/{Key...}"))
	r := httptest.NewRequest("GET", "/b/k/x", nil)
	r.Header.Set("If-Match", `"e"`)
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if w.Code != 200 || w.Header().Get("ETag") != `b/k/x "e"` || w.Body.Len() != 0 {
		t.Fatalf("%d %q %v", w.Code, w.Body, w.Header())
	}
	w = httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest("GET", "/b/k?partNumber=0", nil))
	if w.Code != 400 || !strings.Contains(w.Body.String(), "Value &#39;0&#39; at &#39;partNumber&#39;") {
		t.Fatalf("embedded constraint: %d %s", w.Code, w.Body)
	}
}

// A request without a body reads as an empty one, without a pooled buffer.
func TestReadBodyNoBody(t *testing.T) {
	for _, body := range []io.ReadCloser{nil, http.NoBody} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Body = body
		b, release, err := ReadBody(r, 10)
		if err != nil || b == nil || len(b) != 0 {
			t.Fatalf("%v: %q %v", body, b, err)
		}
		release()
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Body, r.ContentLength = http.NoBody, 11
	if _, _, err := ReadBody(r, 10); err != ErrBodyTooLarge {
		t.Fatalf("declared length over the limit: %v", err)
	}
}

// restQuery reads a member's values exactly as url.ParseQuery gives them,
// for short (scanned) and long (parsed) queries alike.
func FuzzRestQuery(f *testing.F) {
	for _, q := range []string{"", "a=1", "a=1&a=2&b", "x-id=GetObject&partNumber=2", "a%3D=1&a=%zz&a=3", "a;b=1&a=2",
		"=v&a", "a+b=c+d&a%20b=e", "&&a=1&&", "a=1&" + strings.Repeat("b=2&", 20) + "a=3"} {
		f.Add(q, "a")
	}
	f.Fuzz(func(t *testing.T, raw, key string) {
		want, _ := url.ParseQuery(raw)
		q := restQuery{raw: raw}
		first, vals, ok := q.get(key, true)
		wv, wok := want[key]
		if ok != wok || (ok && (first != wv[0] || !reflect.DeepEqual(vals, wv))) {
			t.Fatalf("get(%q, %q) = %q %q %v; ParseQuery says %q %v", raw, key, first, vals, ok, wv, wok)
		}
		q = restQuery{raw: raw}
		if first, _, ok := q.get(key, false); ok != wok || (ok && first != wv[0]) {
			t.Fatalf("get(%q, %q) first = %q %v; ParseQuery says %q", raw, key, first, ok, wv)
		}
	})
}

func TestCheckPlansFindsBadTags(t *testing.T) {
	type badPattern struct {
		Name *string `pattern:"[a-z"`
	}
	a := &API{Base: testBase(), Protocol: JSON10, TargetPrefix: "T"}
	a.Register(Handle("Bad", func(c *Call, in *badPattern) (struct{}, error) { return struct{}{}, nil }))
	err := CheckPlans()
	if err == nil || !strings.Contains(err.Error(), "operation Bad") {
		t.Fatalf("an input whose pattern does not compile passed: %v", err)
	}
	registered.Delete(reflect.TypeFor[badPattern]())
}
