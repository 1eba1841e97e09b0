package ec2host

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestSandboxPath(t *testing.T) {
	cases := map[string]string{
		"/":                 ".",
		"":                  ".",
		".":                 ".",
		"/a/b":              "a/b",
		"a/b/":              "a/b",
		"../../etc/passwd":  "etc/passwd",
		"/../x":             "x",
		"a/../../b":         "b",
		"//double//slash":   "double/slash",
		"dot/./file":        "dot/file",
		"back\\slash":       "back\\slash", // a legal file name on Linux
		"/..":               ".",
		"..\\..\\win\\path": "..\\..\\win\\path",
	}
	for in, want := range cases {
		if got := sandboxPath(in); got != want {
			t.Errorf("sandboxPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSandboxPath(f *testing.F) {
	for _, s := range []string{"/", "../../etc/passwd", "a/../../b", "/x/./y/", "\x00", "..", "a/.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got := sandboxPath(p)
		if got != "." && !filepath.IsLocal(got) {
			t.Fatalf("sandboxPath(%q) = %q escapes", p, got)
		}
		if strings.HasPrefix(got, "/") || got == ".." || strings.HasPrefix(got, "../") {
			t.Fatalf("sandboxPath(%q) = %q", p, got)
		}
		if sandboxPath(got) != got && !(got == "." && sandboxPath(".") == ".") {
			t.Fatalf("not idempotent: %q → %q → %q", p, got, sandboxPath(got))
		}
	})
}

func FuzzParseAuthorizedKeys(f *testing.F) {
	f.Add("")
	f.Add("# comment\n\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host\n")
	f.Add("command=\"x\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n")
	f.Add("ssh-rsa !!!")
	f.Fuzz(func(t *testing.T, text string) {
		keys, err := ParseAuthorizedKeys(text)
		if err == nil && strings.TrimSpace(text) == "" && len(keys) != 0 {
			t.Fatalf("keys from blank text")
		}
		for _, k := range keys {
			if k == nil {
				t.Fatal("nil key")
			}
		}
	})
}

func TestParseAuthorizedKeys(t *testing.T) {
	const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
	cases := []struct {
		text string
		n    int
		ok   bool
	}{
		{"", 0, true},
		{"  \n# only a comment\n", 0, true},
		{key, 1, true},
		{key + " user@host\n# trailing comment\n", 1, true},
		{"# head\n" + key + "\n\n" + key + " second\r\n", 2, true},
		{`no-pty,command="echo" ` + key, 1, true},
		{key + "\nssh-ed25519 !!!\n", 0, false},
		{"not a key", 0, false},
	}
	for _, tc := range cases {
		keys, err := ParseAuthorizedKeys(tc.text)
		if (err == nil) != tc.ok || len(keys) != tc.n {
			t.Errorf("%q: %d keys, err %v; want %d, ok=%v", tc.text, len(keys), err, tc.n, tc.ok)
		}
	}
}
