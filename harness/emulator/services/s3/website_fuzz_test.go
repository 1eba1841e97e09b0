package s3

import (
	"encoding/xml"
	"reflect"
	"strings"
	"testing"
)

// FuzzWebsiteConfiguration: no document makes parseWebsite panic, and an
// accepted configuration survives GetBucketWebsite's encoding unchanged.
func FuzzWebsiteConfiguration(f *testing.F) {
	f.Add(`<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument><Key>e.html</Key></ErrorDocument></WebsiteConfiguration>`)
	f.Add(`<WebsiteConfiguration><RedirectAllRequestsTo><HostName>x.com</HostName><Protocol>https</Protocol></RedirectAllRequestsTo></WebsiteConfiguration>`)
	f.Add(`<WebsiteConfiguration><IndexDocument><Suffix>i</Suffix></IndexDocument><RoutingRules><RoutingRule><Condition><KeyPrefixEquals>a/</KeyPrefixEquals><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><ReplaceKeyPrefixWith></ReplaceKeyPrefixWith><HttpRedirectCode>307</HttpRedirectCode></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>`)
	f.Add(`<WebsiteConfiguration/>`)
	f.Fuzz(func(t *testing.T, doc string) {
		w, err := parseWebsite([]byte(doc))
		if err != nil {
			return
		}
		b, err := xml.Marshal(websiteWire(w))
		if err != nil {
			t.Fatal(err)
		}
		back, err := parseWebsite(b)
		if err != nil {
			t.Fatalf("our own document %s is refused: %v", b, err)
		}
		if !reflect.DeepEqual(w, back) {
			t.Fatalf("round trip changed the configuration:\n%+v\n%+v", w, back)
		}
	})
}

// FuzzWebsiteRequest: no path makes a website endpoint answer 5xx or panic.
func FuzzWebsiteRequest(f *testing.F) {
	for _, p := range []string{"", "a", "a/", "a/b", "b%20c", "%C3%B1/%C3%BC", "x/../a", "docs/a", "%zz", "a//b"} {
		f.Add("GET", p)
	}
	f.Add("HEAD", "a/b/c")
	f.Add("POST", "a")
	f.Fuzz(func(t *testing.T, method, path string) {
		switch method {
		case "GET", "HEAD", "POST", "PUT", "DELETE":
		default:
			return
		}
		svc := fuzzFixture()
		w, err := parseWebsite([]byte(`<WebsiteConfiguration><IndexDocument><Suffix>c</Suffix></IndexDocument><ErrorDocument><Key>a</Key></ErrorDocument><RoutingRules><RoutingRule><Condition><KeyPrefixEquals>docs/</KeyPrefixEquals></Condition><Redirect><ReplaceKeyPrefixWith>d/</ReplaceKeyPrefixWith></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>`))
		if err != nil {
			t.Fatal(err)
		}
		svc.store.SetWebsite(bg, "fuzz", w)
		if strings.ContainsAny(path, "?#") {
			return
		}
		fuzzService(t, svc, method, websitePathPrefix+"fuzz/"+path, nil, nil)
	})
}
