package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/groundstack/groundstack/harness/ec2host"
)

func TestParseEC2HostFlags(t *testing.T) {
	cases := []struct {
		args []string
		ok   bool
	}{
		{[]string{"--dir", "d", "--authorized-key-file", "k"}, true},
		{[]string{"--dir", "d", "--authorized-key-file", "k", "--listen", "127.0.0.1:0", "--idle-timeout", "10m", "--command-timeout", "5s"}, true},
		{[]string{"--authorized-key-file", "k"}, false},
		{[]string{"--dir", "d"}, false},
		{[]string{"--dir", "d", "--authorized-key-file", "k", "extra"}, false},
		{[]string{"--dir", "d", "--authorized-key-file", "k", "--command-timeout", "0s"}, false},
		{[]string{"--dir", "d", "--authorized-key-file", "k", "--idle-timeout", "soon"}, false},
		{[]string{"--dir", "d", "--authorized-key-file", "k", "--output-cap", "-1"}, false},
	}
	for _, tc := range cases {
		o, err := parseEC2HostFlags(tc.args, io.Discard)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err = %v", tc.args, err)
		}
		if tc.ok && (o.dir != "d" || o.commandTimeout <= 0) {
			t.Errorf("%q: %+v", tc.args, o)
		}
	}
}

func FuzzParseEC2HostFlags(f *testing.F) {
	f.Add("--dir\x00d\x00--authorized-key-file\x00k\x00--idle-timeout\x001h")
	f.Add("--listen\x00[::1]:0\x00--output-cap\x009999999999999999999")
	f.Fuzz(func(t *testing.T, joined string) {
		o, err := parseEC2HostFlags(strings.Split(joined, "\x00"), io.Discard)
		if err == nil && (o.dir == "" || o.authorizedKeys == "" || o.commandTimeout <= 0 || o.outputCap <= 0 || o.idleTimeout < 0) {
			t.Fatalf("accepted %+v", o)
		}
	})
}

func TestEC2HostServesUntilCancelled(t *testing.T) {
	tmp := t.TempDir()
	_, clientKey, _ := ed25519.GenerateKey(rand.Reader)
	client, _ := gossh.NewSignerFromKey(clientKey)
	keyFile := filepath.Join(tmp, "authorized_keys")
	os.WriteFile(keyFile, []byte("# the runner\n"+ec2host.AuthorizedKeyLine(client.PublicKey())+" runner\n"), 0o600)
	_, hostPriv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := gossh.MarshalPrivateKey(hostPriv, "")
	if err != nil {
		t.Fatal(err)
	}
	hostKeyFile := filepath.Join(tmp, "host_key")
	os.WriteFile(hostKeyFile, pem.EncodeToMemory(block), 0o600)
	hostSigner, _ := gossh.NewSignerFromKey(hostPriv)

	for _, withHostKey := range []bool{true, false} {
		dir := filepath.Join(tmp, "box")
		args := []string{"--listen", "127.0.0.1:0", "--dir", dir, "--authorized-key-file", keyFile}
		if withHostKey {
			args = append(args, "--host-key-file", hostKeyFile)
		}
		o, err := parseEC2HostFlags(args, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() { done <- serveEC2Host(ctx, o, pw); pw.Close() }()
		sc := bufio.NewScanner(pr)
		var addr, hostKey string
		for (addr == "" || hostKey == "") && sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "ec2host listening on "); ok {
				addr = a
			}
			if k, ok := strings.CutPrefix(sc.Text(), "host key: "); ok {
				hostKey = k
			}
		}
		go io.Copy(io.Discard, pr)
		pub, _, _, _, err := gossh.ParseAuthorizedKey([]byte(hostKey))
		if err != nil {
			t.Fatalf("host key line %q: %v", hostKey, err)
		}
		if withHostKey && hostKey != ec2host.AuthorizedKeyLine(hostSigner.PublicKey()) {
			t.Fatalf("printed host key %q is not the one given", hostKey)
		}
		c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{
			User: "ec2-user", Auth: []gossh.AuthMethod{gossh.PublicKeys(client)},
			HostKeyCallback: gossh.FixedHostKey(pub), Timeout: 10 * time.Second,
		})
		if err != nil {
			t.Fatal(err)
		}
		s, _ := c.NewSession()
		out, err := s.Output("echo hi > f; cat f")
		c.Close()
		if err != nil || string(out) != "hi\n" {
			t.Fatalf("exec: %q %v", out, err)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(filepath.Join(dir, "f")); err != nil || string(b) != "hi\n" {
			t.Fatalf("the CLI must leave its --dir in place: %q %v", b, err)
		}
	}
}

func TestEC2HostExitsWhenIdle(t *testing.T) {
	tmp := t.TempDir()
	keyFile := filepath.Join(tmp, "authorized_keys")
	os.WriteFile(keyFile, nil, 0o600)
	o, err := parseEC2HostFlags([]string{"--listen", "127.0.0.1:0", "--dir", tmp, "--authorized-key-file", keyFile, "--idle-timeout", "50ms"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := serveEC2Host(context.Background(), o, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "no session for 50ms, stopped") {
		t.Fatalf("output %q", out.String())
	}
}
