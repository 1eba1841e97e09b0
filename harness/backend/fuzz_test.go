package backend

import (
	"os"
	"strconv"
	"testing"
)

// Labels come from whatever containers the engine lists: no label may
// crash the leftover sweep, and none from another host is ever a leftover.
func FuzzOwnerGone(f *testing.F) {
	host, _ := os.Hostname()
	f.Add(ownerLabel())
	f.Add(host + "/1/1")
	f.Add(host + "/" + strconv.Itoa(1<<30) + "/")
	f.Add("other/1/1")
	f.Add("//")
	f.Add(host + "/-1/x")
	f.Fuzz(func(t *testing.T, label string) {
		gone := ownerGone(label)
		if gone && (len(label) <= len(host) || label[:len(host)+1] != host+"/") {
			t.Fatalf("%q from another host taken for a leftover", label)
		}
	})
}

// A LocalStack health answer may be anything; it never earns groundstack's
// features.
func FuzzLocalStackFeatures(f *testing.F) {
	f.Add(200, []byte(`{"edition":"community"}`))
	f.Add(200, []byte(`{"edition":"pro","services":{}}`))
	f.Add(503, []byte(`{`))
	f.Fuzz(func(t *testing.T, code int, body []byte) {
		fs := localStackFeatures(code, body)
		if fs.Has(FeatureReset) || fs.Has(FeaturePathURLs) {
			t.Fatalf("%d %q: %v", code, body, fs)
		}
	})
}
