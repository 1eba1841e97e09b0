package ec2

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// globRegexp is the reference semantics of EC2 filter wildcards.
func globRegexp(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; {
		case c == '\\' && i+1 < len(rs):
			i++
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		case c == '*':
			b.WriteString(`.*`)
		case c == '?':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		p, s string
		want bool
	}{
		{"web", "web", true}, {"web", "web1", false}, {"w*", "web", true}, {"*b", "web", true},
		{"w?b", "web", true}, {"w?b", "wb", false}, {"*", "", true}, {"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false}, {`\*`, "*", true}, {`\*`, "x", false}, {`a\?`, "a?", true},
		{`a\`, `a\`, true}, {"ü?", "üß", true},
	}
	for _, c := range cases {
		if got := globMatch(c.p, c.s); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v", c.p, c.s, got)
		}
	}
}

// FuzzGlobMatch checks the filter wildcard matcher against a regexp built
// from the same pattern.
func FuzzGlobMatch(f *testing.F) {
	for _, s := range [][2]string{{"w*b", "web"}, {`\*?`, "*x"}, {"**a*", "aaa"}, {"?", "ü"}, {`a\`, `a\`}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, p, s string) {
		if !utf8Valid(p) || !utf8Valid(s) {
			return // filter values arrive as form text; invalid UTF-8 compares byte-wise elsewhere
		}
		if got, want := globMatch(p, s), globRegexp(p).MatchString(s); got != want {
			t.Fatalf("globMatch(%q, %q) = %v, regexp says %v", p, s, got, want)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// FuzzParsePublicKey feeds ImportKeyPair's parser arbitrary material: it must
// not panic, and what it accepts must fingerprint and round-trip through the
// authorized_keys form the host is given.
func FuzzParsePublicKey(f *testing.F) {
	for _, s := range []string{
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGVnb3M9TmV2ZXJHb25uYUdpdmVZb3VVcE5ldmVy comment",
		"---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"x\\\nmore\"\nAAAAC3NzaC1lZDI1NTE5AAAAIGVnb3M9TmV2ZXJHb25uYUdpdmVZb3VVcE5ldmVy\n---- END SSH2 PUBLIC KEY ----",
		"MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=",
		"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQ",
		"---- BEGIN SSH2 PUBLIC KEY ----\n---- END SSH2 PUBLIC KEY ----",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, material []byte) {
		pub, _, err := parsePublicKey(material)
		if err != nil {
			return
		}
		if _, err := importedFingerprint(pub); err != nil {
			t.Fatalf("accepted key has no fingerprint: %v", err)
		}
		back, _, _, _, err := ssh.ParseAuthorizedKey([]byte(authorizedKey(pub, "")))
		if err != nil || string(back.Marshal()) != string(pub.Marshal()) {
			t.Fatalf("authorized_keys round trip: %v", err)
		}
	})
}
