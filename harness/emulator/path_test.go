package emulator

import (
	"strings"
	"testing"
)

func TestCleanPath(t *testing.T) {
	for in, want := range map[string]string{
		"/":                                     "/",
		"":                                      "/",
		"/a/b":                                  "/a/b",
		"/a/b/":                                 "/a/b/",
		"//restapis":                            "/restapis",
		"/restapis//x///y":                      "/restapis/x/y",
		"/a/./b":                                "/a/b",
		"/a/b/..":                               "/a/",
		"/a/b/.":                                "/a/b/",
		"/../../_groundstack/reset":             "/_groundstack/reset",
		"/restapis/x/prod/_user_request_/../..": "/restapis/x/",
		"a/b":                                   "/a/b",
		"/..":                                   "/",
		"/.../x":                                "/.../x",
		"/a..b/c.":                              "/a..b/c.",
	} {
		if got := cleanPath(in); got != want {
			t.Errorf("cleanPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanPathDoesNotAllocateOnCleanPaths(t *testing.T) {
	p := "/2015-03-31/functions/my-function/invocations"
	if n := testing.AllocsPerRun(100, func() { _ = cleanPath(p) }); n != 0 {
		t.Fatalf("cleanPath of a clean path allocates %v times", n)
	}
}

// FuzzCleanPath: whatever the path, the normalised form starts at the root,
// holds no empty, "." or ".." segment, is its own normal form, and keeps a
// directory a directory.
func FuzzCleanPath(f *testing.F) {
	for _, s := range []string{"/", "", "//a//b", "/a/./b/../c/", "/../..", "a/b/", "/%2e%2e/x", "/a/b/..", "/.", "///"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		c := cleanPath(p)
		if !isCleanPath(c) {
			t.Fatalf("cleanPath(%q) = %q, which is not clean", p, c)
		}
		if cleanPath(c) != c {
			t.Fatalf("cleanPath is not idempotent on %q: %q then %q", p, c, cleanPath(c))
		}
		if isCleanPath(p) && c != p {
			t.Fatalf("a clean path %q was changed to %q", p, c)
		}
		if strings.Contains(c, "//") || strings.Contains(c, "/./") || strings.Contains(c, "/../") {
			t.Fatalf("cleanPath(%q) = %q", p, c)
		}
		if strings.HasSuffix(p, "/") && !strings.HasSuffix(c, "/") {
			t.Fatalf("cleanPath(%q) = %q lost the trailing slash", p, c)
		}
	})
}
