package awsproto

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func testBase() Base {
	return Base{DefaultRegion: "us-east-1", NewID: func() string { return "req-1" }}
}

var errThingMissing = Code{"ResourceNotFoundException", http.StatusBadRequest}

func jsonSvc() *JSONService {
	return &JSONService{
		Base: testBase(), Version: "1.0", TargetPrefix: "Test_20200101",
		ErrorNamespace: "com.amazonaws.test#",
		MaxBody:        1024,
		Ops: map[string]JSONOp{
			"Echo": func(c *Call, body []byte) (any, error) {
				var in struct{ Name string }
				if err := DecodeJSON(body, &in); err != nil {
					return nil, err
				}
				return map[string]string{"Name": in.Name, "Region": c.Region}, nil
			},
			"Missing": func(c *Call, body []byte) (any, error) {
				return nil, errThingMissing.New("Requested resource not found")
			},
			"Boom": func(c *Call, body []byte) (any, error) { panic("boom") },
			"Raw":  func(c *Call, body []byte) (any, error) { return []byte(`{"raw":true}`), nil },
		},
	}
}

func doJSON(h http.Handler, target, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestJSONService(t *testing.T) {
	s := jsonSvc()
	cases := []struct {
		name, target, body string
		status             int
		errType            string
		bodyHas            string
	}{
		{"ok", "Test_20200101.Echo", `{"Name":"x"}`, 200, "", `"Name":"x"`},
		{"empty body is {}", "Test_20200101.Echo", ``, 200, "", `"Name":""`},
		{"raw output", "Test_20200101.Raw", `{}`, 200, "", `{"raw":true}`},
		{"service error", "Test_20200101.Missing", `{}`, 400, "ResourceNotFoundException", `"__type":"com.amazonaws.test#ResourceNotFoundException"`},
		{"malformed json", "Test_20200101.Echo", `{"Name":`, 400, "SerializationException", ""},
		{"wrong type", "Test_20200101.Echo", `{"Name":5}`, 400, "SerializationException", ""},
		{"unknown op", "Test_20200101.Nope", `{}`, 400, "UnknownOperationException", ""},
		{"wrong prefix", "Other.Echo", `{}`, 400, "UnknownOperationException", ""},
		{"too large", "Test_20200101.Echo", `{"Name":"` + strings.Repeat("a", 2000) + `"}`, 413, "RequestEntityTooLarge", ""},
		{"panic is a 500, not a crash", "Test_20200101.Boom", `{}`, 500, "InternalFailure", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := doJSON(s, c.target, c.body)
			if w.Code != c.status {
				t.Fatalf("status %d, want %d: %s", w.Code, c.status, w.Body)
			}
			if got := w.Header().Get("X-Amzn-ErrorType"); got != c.errType {
				t.Fatalf("X-Amzn-ErrorType %q, want %q", got, c.errType)
			}
			if w.Header().Get("Content-Type") != "application/x-amz-json-1.0" {
				t.Fatalf("content type %q", w.Header().Get("Content-Type"))
			}
			if !json.Valid(w.Body.Bytes()) || !strings.Contains(w.Body.String(), c.bodyHas) {
				t.Fatalf("body %s lacks %s", w.Body, c.bodyHas)
			}
		})
	}
}

func TestJSONErrorFields(t *testing.T) {
	w := httptest.NewRecorder()
	e := Code{"TransactionCanceledException", 400}.New("Transaction cancelled").With("CancellationReasons", []map[string]string{{"Code": "None"}})
	WriteJSONError(w, "application/x-amz-json-1.0", "", "id", e)
	var body map[string]any
	json.Unmarshal(w.Body.Bytes(), &body)
	if body["__type"] != "TransactionCanceledException" || body["message"] != "Transaction cancelled" || body["CancellationReasons"] == nil {
		t.Fatalf("%s", w.Body)
	}
}

type echoResult struct {
	Name    string   `xml:"Name"`
	Members []string `xml:"Members>member"`
}

func querySvc(ec2 bool) *QueryService {
	return &QueryService{
		Base: testBase(), XMLNS: "https://test.amazonaws.com/doc/2020-01-01/", EC2: ec2,
		Ops: map[string]QueryOp{
			"Echo": func(c *Call, f Form) (any, error) {
				return echoResult{Name: f.Get("Name"), Members: f.List("Items")}, nil
			},
			"Empty": func(c *Call, f Form) (any, error) { return nil, nil },
			"NoSuch": func(c *Call, f Form) (any, error) {
				return nil, Code{"NoSuchEntity", 404}.New("The role with name x cannot be found.")
			},
		},
	}
}

func TestQueryService(t *testing.T) {
	s := querySvc(false)
	post := func(form string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/", strings.NewReader(form))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		return w
	}
	w := post("Action=Echo&Version=2020-01-01&Name=a%20b&Items.member.2=second&Items.member.1=first&Items.member.10=tenth")
	var resp struct {
		XMLName xml.Name   `xml:"EchoResponse"`
		Result  echoResult `xml:"EchoResult"`
		ReqID   string     `xml:"ResponseMetadata>RequestId"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &resp); err != nil || w.Code != 200 {
		t.Fatalf("%d %v %s", w.Code, err, w.Body)
	}
	if resp.Result.Name != "a b" || strings.Join(resp.Result.Members, ",") != "first,second,tenth" || resp.ReqID != "req-1" {
		t.Fatalf("%+v", resp)
	}
	if w := post("Action=Empty"); w.Code != 200 || !strings.Contains(w.Body.String(), "<EmptyResult></EmptyResult>") {
		t.Fatalf("%s", w.Body)
	}
	for _, c := range []struct {
		form, code string
		status     int
	}{
		{"Action=NoSuch", "NoSuchEntity", 404},
		{"Action=Bogus", "InvalidAction", 400},
		{"Version=1", "MissingAction", 400},
		{"Action=Echo&%zz", "MalformedQueryString", 400},
	} {
		w := post(c.form)
		var e2 struct {
			Code string `xml:"Error>Code"`
			Type string `xml:"Error>Type"`
		}
		xml.Unmarshal(w.Body.Bytes(), &e2)
		if w.Code != c.status || e2.Code != c.code || e2.Type != "Sender" {
			t.Errorf("%s: %d %s", c.form, w.Code, w.Body)
		}
	}
}

func TestQueryServiceEC2Dialect(t *testing.T) {
	s := querySvc(true)
	r := httptest.NewRequest("POST", "/", strings.NewReader("Action=Echo&Name=n&Items.1=a&Items.2=b"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	want := `<EchoResponse xmlns="https://test.amazonaws.com/doc/2020-01-01/"><requestId>req-1</requestId><Name>n</Name><Members><member>a</member><member>b</member></Members></EchoResponse>`
	if !strings.Contains(w.Body.String(), want) {
		t.Fatalf("got %s", w.Body)
	}
	r = httptest.NewRequest("POST", "/", strings.NewReader("Action=NoSuch"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w = httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Code != 404 || !strings.Contains(w.Body.String(), "<Response><Errors><Error><Code>NoSuchEntity</Code>") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestFormStructsAndMap(t *testing.T) {
	f := Form{
		"Tags.member.1.Key": {"a"}, "Tags.member.1.Value": {"1"},
		"Tags.member.2.Key": {"b"}, "Tags.member.2.Value": {"2"},
		"Attr.entry.1.key": {"k"}, "Attr.entry.1.value": {"v"},
	}
	tags := f.Structs("Tags")
	if len(tags) != 2 || tags[0].Get("Key") != "a" || tags[1].Get("Value") != "2" {
		t.Fatalf("%v", tags)
	}
	if m := f.Map("Attr", "key", "value"); m["k"] != "v" {
		t.Fatalf("%v", m)
	}
}

func TestRestRouter(t *testing.T) {
	var rt RestRouter
	rt.Base = testBase()
	hit := ""
	mk := func(name string) RestOp {
		return func(w http.ResponseWriter, c *Call, p Params) error {
			hit = name + ":" + p["FunctionName"] + ":" + p["proxy"]
			return WriteJSON(w, 200, map[string]string{"ok": name})
		}
	}
	rt.Handle("GET", "/2015-03-31/functions/{FunctionName}", mk("get"))
	rt.Handle("POST", "/2015-03-31/functions/{FunctionName}/invocations", mk("invoke"))
	rt.Handle("GET", "/2015-03-31/functions/", mk("list"))
	rt.Handle("GET", "/files/{proxy+}", mk("greedy"))
	rt.Handle("GET", "/files/special", mk("literal"))
	rt.Handle("GET", "/fail", func(w http.ResponseWriter, c *Call, p Params) error {
		return Code{"ResourceNotFoundException", 404}.New("Function not found")
	})
	cases := []struct {
		method, path string
		status       int
		hit, errType string
	}{
		{"GET", "/2015-03-31/functions/my-fn", 200, "get:my-fn:", ""},
		{"GET", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A0%3Afunction%3Af", 200, "get:arn:aws:lambda:us-east-1:0:function:f:", ""},
		{"POST", "/2015-03-31/functions/f/invocations", 200, "invoke:f:", ""},
		{"GET", "/2015-03-31/functions/", 200, "list::", ""},
		{"GET", "/files/a/b/c", 200, "greedy::a/b/c", ""},
		{"GET", "/files/special", 200, "literal::", ""},
		{"DELETE", "/files/special", 400, "", "UnknownOperationException"},
		{"GET", "/nowhere", 400, "", "UnknownOperationException"},
		{"GET", "/fail", 404, "", "ResourceNotFoundException"},
	}
	for _, c := range cases {
		hit = ""
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, httptest.NewRequest(c.method, c.path, nil))
		if w.Code != c.status || hit != c.hit || w.Header().Get("X-Amzn-ErrorType") != c.errType {
			t.Errorf("%s %s: %d hit=%q type=%q %s", c.method, c.path, w.Code, hit, w.Header().Get("X-Amzn-ErrorType"), w.Body)
		}
	}
}

func TestWriteXMLError(t *testing.T) {
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/b/k", nil)
	WriteXMLError(w, r, "rid", Code{"NoSuchKey", 404}.New("The specified key does not exist.").With("Key", "k"))
	want := `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>k</Key><RequestId>rid</RequestId></Error>`
	if w.Code != 404 || !strings.Contains(w.Body.String(), want) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	WriteXMLError(w, httptest.NewRequest("HEAD", "/b/k", nil), "rid", Code{"NoSuchKey", 404}.New("x"))
	if w.Code != 404 || w.Body.Len() != 0 {
		t.Fatalf("HEAD error must have no body: %q", w.Body)
	}
}

// Every decoder must answer malformed input with a 4xx in its own shape:
// never a panic, never a 5xx.
func FuzzJSONService(f *testing.F) {
	f.Add("Test_20200101.Echo", `{"Name":"x"}`)
	f.Add("Test_20200101.Echo", `{"Name":[1,2]}`)
	f.Add("Test_20200101.Echo", "\x00\xff{")
	f.Add(".", "")
	s := jsonSvc()
	delete(s.Ops, "Boom")
	f.Fuzz(func(t *testing.T, target, body string) {
		w := doJSON(s, target, body)
		if w.Code >= 500 {
			t.Fatalf("%q %q → %d %s", target, body, w.Code, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("invalid JSON answer %q", w.Body)
		}
	})
}

func FuzzQueryService(f *testing.F) {
	f.Add("Action=Echo&Items.member.1=a&Items.member.x=b&Items.member.-1=c")
	f.Add("Action=Echo&Items.1.2.3=a&Items..=b")
	f.Add("%zz")
	s := querySvc(false)
	f.Fuzz(func(t *testing.T, form string) {
		r := httptest.NewRequest("POST", "/", strings.NewReader(form))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%q → %d %s", form, w.Code, w.Body)
		}
		var any struct{}
		if err := xml.Unmarshal(w.Body.Bytes(), &any); err != nil {
			t.Fatalf("invalid XML answer %q: %v", w.Body, err)
		}
		fm := Form{}
		for _, kv := range strings.Split(form, "&") {
			k, v, _ := strings.Cut(kv, "=")
			fm[k] = append(fm[k], v)
		}
		fm.Structs("Items")
		fm.Map("Items", "key", "value")
	})
}

func FuzzRestRouter(f *testing.F) {
	f.Add("GET", "/2015-03-31/functions/f%2")
	f.Add("POST", "//2015-03-31//functions/%zz/invocations")
	f.Add("GET", "/files/")
	var rt RestRouter
	rt.Base = testBase()
	ok := func(w http.ResponseWriter, c *Call, p Params) error { return WriteJSON(w, 200, p) }
	rt.Handle("GET", "/2015-03-31/functions/{FunctionName}", ok)
	rt.Handle("POST", "/2015-03-31/functions/{FunctionName}/invocations", ok)
	rt.Handle("GET", "/files/{proxy+}", ok)
	f.Fuzz(func(t *testing.T, method, path string) {
		r, err := http.NewRequest(method, "http://127.0.0.1", nil)
		if err != nil {
			return
		}
		r.URL.Path = path
		r.URL.RawPath = path
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %q → %d", method, path, w.Code)
		}
	})
}
