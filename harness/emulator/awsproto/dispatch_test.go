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

func doJSON(h http.Handler, target, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
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
func FuzzAPIJSON(f *testing.F) {
	f.Add("Things.CreateThing", `{"Name":"x"}`)
	f.Add("Things.CreateThing", `{"Name":[1,2],"Tags":[{"Key":null}]}`)
	f.Add("Things.CreateThing", "\x00\xff{")
	f.Add(".", "")
	a := jsonAPI()
	f.Fuzz(func(t *testing.T, target, body string) {
		if target == "Things.Boom" {
			return // panics on purpose: its 500 is tested
		}
		w := doJSON(a, target, body)
		if w.Code >= 500 {
			t.Fatalf("%q %q → %d %s", target, body, w.Code, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("invalid JSON answer %q", w.Body)
		}
	})
}

func FuzzAPIQuery(f *testing.F) {
	f.Add("Action=ListThings&RoleName=r&Tags.member.1.Key=a&Tags.member.x=b&Tags.member.-1.Key=c")
	f.Add("Action=ListThings&InstanceId.1.2.3=a&Attributes.entry..=b&MaxItems=99999999999999999999")
	f.Add("%zz")
	apis := []*API{queryAPI(Query), queryAPI(EC2Query)}
	f.Fuzz(func(t *testing.T, form string) {
		for _, a := range apis {
			r := httptest.NewRequest("POST", "/", strings.NewReader(form))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := httptest.NewRecorder()
			a.ServeHTTP(w, r)
			if w.Code >= 500 {
				t.Fatalf("%q → %d %s", form, w.Code, w.Body)
			}
			var any struct{}
			if err := xml.Unmarshal(w.Body.Bytes(), &any); err != nil {
				t.Fatalf("invalid XML answer %q: %v", w.Body, err)
			}
		}
	})
}

func FuzzAPIRest(f *testing.F) {
	f.Add("GET", "/2015-03-31/functions/f%2", "")
	f.Add("POST", "//2015-03-31//functions/%zz/invocations", "{")
	f.Add("POST", "/2017-03-31/tags/a/b/c", `{"Tags":{"a":1}}`)
	a := restAPI()
	f.Fuzz(func(t *testing.T, method, path, body string) {
		r, err := http.NewRequest(method, "http://127.0.0.1", strings.NewReader(body))
		if err != nil {
			return
		}
		r.URL.Path = path
		r.URL.RawPath = path
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %q → %d", method, path, w.Code)
		}
	})
}
