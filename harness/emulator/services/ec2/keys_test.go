package ec2_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"golang.org/x/crypto/ssh"
)

// newPublicKey is a fresh ED25519 public key in authorized_keys form.
func newPublicKey(t testing.TB) []byte {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return ssh.MarshalAuthorizedKey(sp)
}

// tool is the path of an external program the fingerprint checks run; the
// check fails without it (make deps installs openssh-client and openssl).
func tool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is needed to compute the expected fingerprints as AWS's documentation does (Debian package %s; make deps installs it): %v", name, pkg, err)
	}
	return p
}

// pipeline runs each command with the previous one's output as its input,
// as a shell pipeline of AWS's documented commands would, and returns the
// last output.
func pipeline(t *testing.T, cmds ...[]string) string {
	t.Helper()
	var in []byte
	for _, c := range cmds {
		cmd := exec.Command(c[0], c[1:]...)
		cmd.Stdin = bytes.NewReader(in)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(c, " "), err, stderr.String())
		}
		in = out
	}
	return strings.TrimSpace(string(in))
}

// digestOf reads the digest out of openssl dgst's "MD5(stdin)= aa:bb:…".
func digestOf(t *testing.T, out string) string {
	t.Helper()
	_, d, ok := strings.Cut(out, "= ")
	if !ok {
		t.Fatalf("openssl digest output %q", out)
	}
	return d
}

// sha256Of reads ssh-keygen -l's "256 SHA256:… comment (ED25519)" and
// restores the base64 padding ssh-keygen drops: AWS documents that EC2
// pads the fingerprint with '=' where tools such as ssh-keygen omit it.
func sha256Of(t *testing.T, out string) string {
	t.Helper()
	f := strings.Fields(out)
	if len(f) < 2 || !strings.HasPrefix(f[1], "SHA256:") {
		t.Fatalf("ssh-keygen -l output %q", out)
	}
	fp := strings.TrimPrefix(f[1], "SHA256:")
	return fp + strings.Repeat("=", (4-len(fp)%4)%4)
}

// writeKey saves key material as AWS's guide has users do it (aws ec2
// create-key-pair --query KeyMaterial --output text > key.pem, which ends
// the file with a newline OpenSSH's parser needs).
func writeKey(t *testing.T, name, material string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(material+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// createdFingerprint is what AWS's "Verify your key pair's fingerprint"
// has you run on a private key EC2 created: for RSA, openssl pkcs8 … |
// openssl sha1 -c (SHA-1 of the PKCS#8 DER); for ED25519, ssh-keygen -l.
func createdFingerprint(t *testing.T, keyType types.KeyType, path string) string {
	t.Helper()
	if keyType == types.KeyTypeEd25519 {
		return sha256Of(t, pipeline(t, []string{tool(t, "ssh-keygen", "openssh-client"), "-l", "-f", path}))
	}
	openssl := tool(t, "openssl", "openssl")
	return digestOf(t, pipeline(t,
		[]string{openssl, "pkcs8", "-in", path, "-inform", "PEM", "-outform", "DER", "-topk8", "-nocrypt"},
		[]string{openssl, "sha1", "-c"}))
}

// importedFingerprint is what the same page has you run on a public key you
// imported: for RSA, ssh-keygen -e -m PEM | openssl rsa -RSAPublicKey_in
// -outform DER | openssl md5 -c (MD5 of the DER public key); for ED25519,
// ssh-keygen -l.
func importedFingerprint(t *testing.T, pubPath string) string {
	t.Helper()
	keygen := tool(t, "ssh-keygen", "openssh-client")
	if strings.HasPrefix(readFile(t, pubPath), "ssh-ed25519 ") {
		return sha256Of(t, pipeline(t, []string{keygen, "-l", "-f", pubPath}))
	}
	openssl := tool(t, "openssl", "openssl")
	return digestOf(t, pipeline(t,
		[]string{keygen, "-e", "-m", "PEM", "-f", pubPath},
		[]string{openssl, "rsa", "-RSAPublicKey_in", "-outform", "DER"},
		[]string{openssl, "md5", "-c"}))
}

// generateKey makes a throwaway key pair with ssh-keygen (test-time only,
// nothing kept) and returns the private key's path; the public key is at
// path + ".pub".
func generateKey(t *testing.T, keyType, comment string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "id_"+keyType)
	args := []string{tool(t, "ssh-keygen", "openssh-client"), "-q", "-t", keyType, "-N", "", "-C", comment, "-f", path}
	if keyType == "rsa" {
		args = append(args, "-b", "2048")
	}
	pipeline(t, args)
	return path
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var keyPairIDShape = regexp.MustCompile(`^key-[0-9a-f]{17}$`)

func TestCreateKeyPair(t *testing.T) {
	f := start(t)
	cases := []struct {
		name    string
		keyType types.KeyType
		header  string
	}{
		{"rsa", types.KeyTypeRsa, "-----BEGIN RSA PRIVATE KEY-----"},
		{"ed25519", types.KeyTypeEd25519, "-----BEGIN OPENSSH PRIVATE KEY-----"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := f.c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("k-" + tc.name), KeyType: tc.keyType,
				TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeKeyPair, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}}}})
			if err != nil {
				t.Fatal(err)
			}
			material := aws.ToString(out.KeyMaterial)
			if !strings.HasPrefix(material, tc.header) {
				t.Fatalf("key material starts %q", material[:40])
			}
			signer, err := ssh.ParsePrivateKey([]byte(material))
			if err != nil {
				t.Fatalf("ssh.ParsePrivateKey: %v", err)
			}
			want := createdFingerprint(t, tc.keyType, writeKey(t, "k-"+tc.name+".pem", material))
			if got := aws.ToString(out.KeyFingerprint); got != want {
				t.Fatalf("fingerprint %q, want %q", got, want)
			}
			if !keyPairIDShape.MatchString(aws.ToString(out.KeyPairId)) || tagsOf(out.Tags)["team"] != "ops" {
				t.Fatalf("id %q tags %v", aws.ToString(out.KeyPairId), out.Tags)
			}
			d := must[*ec2.DescribeKeyPairsOutput](t)(f.c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{KeyNames: []string{"k-" + tc.name}, IncludePublicKey: aws.Bool(true)}))
			k := d.KeyPairs[0]
			if aws.ToString(k.KeyFingerprint) != aws.ToString(out.KeyFingerprint) || k.KeyType != tc.keyType || k.CreateTime == nil || tagsOf(k.Tags)["team"] != "ops" {
				t.Fatalf("described %+v", k)
			}
			pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(aws.ToString(k.PublicKey)))
			if err != nil || string(pub.Marshal()) != string(signer.PublicKey().Marshal()) {
				t.Fatalf("PublicKey %q does not match the private key (%v)", aws.ToString(k.PublicKey), err)
			}
		})
	}
	d := must[*ec2.DescribeKeyPairsOutput](t)(f.c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{}))
	if len(d.KeyPairs) != 2 || d.KeyPairs[0].PublicKey != nil {
		t.Fatalf("all key pairs (public keys only when asked): %+v", d.KeyPairs)
	}
}

func TestCreateKeyPairPPK(t *testing.T) {
	f := start(t)
	out := must[*ec2.CreateKeyPairOutput](t)(f.c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("putty"), KeyType: types.KeyTypeEd25519, KeyFormat: types.KeyFormatPpk}))
	m := aws.ToString(out.KeyMaterial)
	for _, want := range []string{"PuTTY-User-Key-File-2: ssh-ed25519\n", "Encryption: none\n", "Comment: putty\n", "Private-MAC: "} {
		if !strings.Contains(m, want) {
			t.Fatalf("PPK lacks %q:\n%s", want, m)
		}
	}
	// Read it back as PuTTY does: the MAC covers the blobs, and the private
	// seed yields the public key.
	lines := strings.Split(m, "\n")
	field := func(name string) string {
		for _, l := range lines {
			if v, ok := strings.CutPrefix(l, name+": "); ok {
				return v
			}
		}
		t.Fatalf("no %s", name)
		return ""
	}
	blob := func(name string) []byte {
		for i, l := range lines {
			if v, ok := strings.CutPrefix(l, name+"-Lines: "); ok {
				n, _ := strconv.Atoi(v)
				b, err := base64.StdEncoding.DecodeString(strings.Join(lines[i+1:i+1+n], ""))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
		}
		t.Fatalf("no %s blob", name)
		return nil
	}
	public, private := blob("Public"), blob("Private")
	str := func(b []byte) []byte { return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...) }
	var macData []byte
	for _, b := range [][]byte{[]byte("ssh-ed25519"), []byte("none"), []byte("putty"), public, private} {
		macData = append(macData, str(b)...)
	}
	key := sha1.Sum([]byte("putty-private-key-file-mac-key"))
	mac := hmac.New(sha1.New, key[:])
	mac.Write(macData)
	if got := field("Private-MAC"); got != hex.EncodeToString(mac.Sum(nil)) {
		t.Fatalf("Private-MAC %s does not verify", got)
	}
	if len(private) != 36 {
		t.Fatalf("private blob of %d bytes", len(private))
	}
	seed := ed25519.NewKeyFromSeed(private[4:])
	sp, _ := ssh.NewPublicKey(seed.Public())
	if string(sp.Marshal()) != string(public) {
		t.Fatal("the private seed does not give the public key")
	}
}

func TestImportKeyPair(t *testing.T) {
	f := start(t)
	// Keys made by ssh-keygen, in the forms AWS accepts (OpenSSH, RFC 4716
	// as ssh-keygen -e writes it, base64 DER), and their fingerprints as
	// AWS's documented commands compute them.
	rsaPath := generateKey(t, "rsa", "")
	rsaFingerprint := importedFingerprint(t, rsaPath+".pub")
	keygen := tool(t, "ssh-keygen", "openssh-client")
	rfc4716 := pipeline(t, []string{keygen, "-e", "-f", rsaPath + ".pub"}) + "\n"
	pkcs8 := pipeline(t, []string{keygen, "-e", "-m", "PKCS8", "-f", rsaPath + ".pub"})
	block, _ := pem.Decode([]byte(pkcs8))
	if block == nil || block.Type != "PUBLIC KEY" {
		t.Fatalf("ssh-keygen -e -m PKCS8: %q", pkcs8)
	}
	edPath := generateKey(t, "ed25519", "me@laptop")
	edLine := readFile(t, edPath+".pub")

	cases := []struct {
		name, material, keyType, fingerprint string
	}{
		{"openssh rsa", readFile(t, rsaPath+".pub"), "rsa", rsaFingerprint},
		{"openssh ed25519 with comment", edLine, "ed25519", importedFingerprint(t, edPath+".pub")},
		{"rfc4716", rfc4716, "rsa", rsaFingerprint},
		{"der base64", base64.StdEncoding.EncodeToString(block.Bytes), "rsa", rsaFingerprint},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := "imported-" + string(rune('a'+i))
			out, err := f.c.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{KeyName: aws.String(name), PublicKeyMaterial: []byte(tc.material)})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.KeyFingerprint) != tc.fingerprint || aws.ToString(out.KeyName) != name || !keyPairIDShape.MatchString(aws.ToString(out.KeyPairId)) {
				t.Fatalf("imported %+v, want fingerprint %s", out, tc.fingerprint)
			}
			d := must[*ec2.DescribeKeyPairsOutput](t)(f.c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{KeyPairIds: []string{aws.ToString(out.KeyPairId)}}))
			if string(d.KeyPairs[0].KeyType) != tc.keyType {
				t.Fatalf("key type %q", d.KeyPairs[0].KeyType)
			}
		})
	}
	dsa := "ssh-dss AAAAB3NzaC1kc3MAAACBAP1/U4EddRIpUt9KnC7s5Of2EbdSPO9EAMMeP4C2USZpRV1AIlH7WT2NWPq/xfW6MPbLm1Vs14E7gB00b/JmYLdrmVClpJ+f6AR7ECLCT7up1/63xhv4O1fnxqimFQ8E+4P208UewwI1VBNaFpEy9nXzrith1yrv8iIDGZ3RSAHHAAAAFQCXYFCPFSMLzLKSuYKi64QL8Fgc9QAAAIEA9+GghdabPd7LvKtcNrhXuXmUr7v6OuqC+VdMCz0HgmdRWVeOutRZT+ZxBxCBgLRJFnEj6EwoFhO3zwkyjMim4TwWeotUfI0o4KOuHiuzpnWRbqN/C/ohNWLx+2J6ASQ7zKTxvqhRkImog9/hWuWfBpKLZl6Ae1UlZAFMO/7PSSo="
	bad := []struct{ name, material string }{
		{"garbage", "hello"},
		{"dsa", dsa},
		{"truncated", strings.TrimSpace(edLine)[:30]},
	}
	for _, tc := range bad {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			_, err := f.c.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{KeyName: aws.String("bad"), PublicKeyMaterial: []byte(tc.material)})
			wantAPIError(t, err, "InvalidKeyPair.Format", "Key is not in valid OpenSSH public key format")
		})
	}
	_, err := f.c.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{KeyName: aws.String("imported-a"), PublicKeyMaterial: []byte(edLine)})
	wantAPIError(t, err, "InvalidKeyPair.Duplicate", "The keypair 'imported-a' already exists.")
}

func TestKeyPairErrorsAndDelete(t *testing.T) {
	f := start(t)
	created := must[*ec2.CreateKeyPairOutput](t)(f.c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("main"), KeyType: types.KeyTypeEd25519}))
	_, err := f.c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("main")})
	wantAPIError(t, err, "InvalidKeyPair.Duplicate", "The keypair 'main' already exists.")
	_, err = f.c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("x"), KeyType: "dsa"})
	wantAPIError(t, err, "InvalidParameterValue", "")
	_, err = f.c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String(strings.Repeat("k", 256))})
	wantAPIError(t, err, "InvalidParameterValue", "")
	_, err = f.c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{KeyNames: []string{"main", "ghost"}})
	wantAPIError(t, err, "InvalidKeyPair.NotFound", "The key pair 'ghost' does not exist")
	_, err = f.c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{KeyPairIds: []string{"key-0123456789abcdef0"}})
	wantAPIError(t, err, "InvalidKeyPair.NotFound", "")

	for _, tc := range []struct {
		name    string
		filters []types.Filter
		want    int
	}{
		{"key-name", []types.Filter{{Name: aws.String("key-name"), Values: []string{"ma*"}}}, 1},
		{"key-pair-id", []types.Filter{{Name: aws.String("key-pair-id"), Values: []string{aws.ToString(created.KeyPairId)}}}, 1},
		{"fingerprint", []types.Filter{{Name: aws.String("fingerprint"), Values: []string{aws.ToString(created.KeyFingerprint)}}}, 1},
		{"tag miss", []types.Filter{{Name: aws.String("tag:team"), Values: []string{"ops"}}}, 0},
	} {
		d := must[*ec2.DescribeKeyPairsOutput](t)(f.c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{Filters: tc.filters}))
		if len(d.KeyPairs) != tc.want {
			t.Fatalf("%s: %d key pairs", tc.name, len(d.KeyPairs))
		}
	}
	must[*ec2.CreateTagsOutput](t)(f.c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{aws.ToString(created.KeyPairId)}, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}}))
	d := must[*ec2.DescribeKeyPairsOutput](t)(f.c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{Filters: []types.Filter{{Name: aws.String("tag:team"), Values: []string{"ops"}}}}))
	if len(d.KeyPairs) != 1 {
		t.Fatalf("tag filter after CreateTags: %+v", d.KeyPairs)
	}

	del := must[*ec2.DeleteKeyPairOutput](t)(f.c.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyName: aws.String("main")}))
	if !aws.ToBool(del.Return) || aws.ToString(del.KeyPairId) != aws.ToString(created.KeyPairId) {
		t.Fatalf("delete: %+v", del)
	}
	// Deleting what is not there succeeds, as on AWS.
	del = must[*ec2.DeleteKeyPairOutput](t)(f.c.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyName: aws.String("main")}))
	if !aws.ToBool(del.Return) || del.KeyPairId != nil {
		t.Fatalf("second delete: %+v", del)
	}
	must[*ec2.DeleteKeyPairOutput](t)(f.c.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyPairId: aws.String("key-0123456789abcdef0")}))
	_, err = f.c.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{})
	wantAPIError(t, err, "MissingParameter", "")
	// A deleted key pair can no longer launch instances.
	_, err = f.c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-1"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), KeyName: aws.String("main")})
	wantAPIError(t, err, "InvalidKeyPair.NotFound", "The key pair 'main' does not exist")
}

// The private key CreateKeyPair returns is what an SSH client loads; its
// public half is what the instance's machine authorizes.
func TestCreatedKeyIsAuthorizedOnTheHost(t *testing.T) {
	f, l := withHosts(t)
	out := must[*ec2.CreateKeyPairOutput](t)(f.c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("runner-keypair"), KeyType: types.KeyTypeEd25519}))
	signer, err := ssh.ParsePrivateKey([]byte(aws.ToString(out.KeyMaterial)))
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(f.run(t, 1, func(in *ec2.RunInstancesInput) { in.KeyName = aws.String("runner-keypair") })[0].InstanceId)
	f.waitRunning(t, id)
	authorized, _, _, _, err := ssh.ParseAuthorizedKey([]byte(l.host(t, id).spec.AuthorizedKey))
	if err != nil {
		t.Fatalf("HostSpec.AuthorizedKey %q: %v", l.host(t, id).spec.AuthorizedKey, err)
	}
	if string(authorized.Marshal()) != string(signer.PublicKey().Marshal()) {
		t.Fatal("the host authorizes another key than the key pair's")
	}
	// Without a key pair, no key is authorized.
	bare := aws.ToString(f.run(t, 1)[0].InstanceId)
	f.waitRunning(t, bare)
	if k := l.host(t, bare).spec.AuthorizedKey; k != "" {
		t.Fatalf("an instance without KeyName authorizes %q", k)
	}
}
