package s3_test

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator"
)

// Memory bounds are measured on an emulator in a child process, so the
// figures are the server's alone: this test binary re-executed as a bare
// emulator (TestMain), or a groundstack binary named by
// GROUNDSTACK_S3_MEMORY_BINARY (`groundstack up`, to compare builds).
// Bodies are generated on the fly and hashed as they go: neither side
// ever holds an object.

const (
	envMemoryChild  = "GROUNDSTACK_S3_MEMORY_CHILD" // the child's temp dir
	envMemoryBinary = "GROUNDSTACK_S3_MEMORY_BINARY"
	// envLarge adds the 5 GiB object to BenchmarkObjectMemory.
	envLarge = "GROUNDSTACK_BENCH_LARGE"
)

func TestMain(m *testing.M) {
	if dir, ok := os.LookupEnv(envMemoryChild); ok {
		os.Exit(runMemoryChild(dir))
	}
	os.Exit(m.Run())
}

// runMemoryChild serves an emulator until stdin closes.
func runMemoryChild(dir string) int {
	e := emulator.New(emulator.WithTempDir(dir))
	if err := e.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(e.URL())
	io.Copy(io.Discard, os.Stdin)
	if err := e.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// memChild is an emulator process whose memory a test reads.
type memChild struct {
	url   string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	dir   string
}

func startMemChild(tb testing.TB) *memChild {
	tb.Helper()
	if runtime.GOOS != "linux" {
		tb.Skip("memory figures are read from /proc (Linux only)")
	}
	dir := tb.TempDir()
	ch := &memChild{dir: dir}
	if bin := os.Getenv(envMemoryBinary); bin != "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
		ch.cmd = exec.Command(bin, "up", "--port", port)
		ch.cmd.Env = append(os.Environ(), "TMPDIR="+dir)
		ch.url = "http://127.0.0.1:" + port
	} else {
		ch.cmd = exec.Command(os.Args[0], "-test.run=^$")
		ch.cmd.Env = append(os.Environ(), envMemoryChild+"="+dir)
	}
	var err error
	if ch.stdin, err = ch.cmd.StdinPipe(); err != nil {
		tb.Fatal(err)
	}
	out, err := ch.cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	ch.cmd.Stderr = os.Stderr
	if err := ch.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ch.stdin.Close() // the test binary's emulator closes on EOF…
		if os.Getenv(envMemoryBinary) != "" {
			ch.cmd.Process.Signal(os.Interrupt) // …groundstack up on SIGINT
		}
		done := make(chan struct{})
		go func() { ch.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			ch.cmd.Process.Kill()
			<-done
		}
	})
	if ch.url == "" {
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil {
			tb.Fatalf("child emulator: %v", err)
		}
		ch.url = strings.TrimSpace(line)
	} else {
		go io.Copy(io.Discard, out)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(ch.url + "/_localstack/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("child emulator not healthy: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return ch
}

// status reads a field of /proc/<pid>/status in MiB (VmRSS, VmHWM).
func (ch *memChild) status(tb testing.TB, field string) float64 {
	tb.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(ch.cmd.Process.Pid) + "/status")
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field+":" {
			kib, _ := strconv.ParseFloat(f[1], 64)
			return kib / 1024
		}
	}
	tb.Fatalf("no %s in /proc/<pid>/status", field)
	return 0
}

// cpu is the child's user+system CPU so far.
func (ch *memChild) cpu(tb testing.TB) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(ch.cmd.Process.Pid) + "/stat")
	if err != nil {
		tb.Fatal(err)
	}
	// Fields after the command's closing parenthesis; utime and stime are
	// the 14th and 15th of the whole line.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// do sends one request with a SigV4-shaped Authorization (any key is
// accepted) and an unsigned payload.
func (ch *memChild) do(tb testing.TB, method, path string, body io.Reader, size int64, hdr map[string]string) *http.Response {
	tb.Helper()
	req, err := http.NewRequest(method, ch.url+path, body)
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Body = io.NopCloser(body) // keep net/http from sniffing a length
		req.ContentLength = size
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261123/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=00")
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// ok sends a request, wants 200, and returns the response body.
func (ch *memChild) ok(tb testing.TB, method, path string, body []byte, hdr map[string]string) []byte {
	tb.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	resp := ch.do(tb, method, path, r, int64(len(body)), hdr)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		tb.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, out)
	}
	return out
}

// generated is n bytes made on the fly from a 1 MiB + 13 random block (so
// part boundaries fall at different places of it), hashed as they go.
type generated struct {
	block []byte
	pos   int64
	left  int64
	sum   hash.Hash
}

var genBlock = func() []byte {
	b := make([]byte, 1<<20+13)
	r := rand.NewChaCha8([32]byte{1, 2, 3})
	r.Read(b)
	return b
}()

func generate(n int64) *generated { return &generated{block: genBlock, left: n, sum: md5.New()} }

func (g *generated) Read(p []byte) (int, error) {
	if g.left == 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), g.left)]
	n := 0
	for n < len(p) {
		k := copy(p[n:], g.block[g.pos%int64(len(g.block)):])
		n += k
		g.pos += int64(k)
	}
	g.left -= int64(n)
	g.sum.Write(p)
	return n, nil
}

func (g *generated) md5() string { return hex.EncodeToString(g.sum.Sum(nil)) }

// putGenerated PUTs n generated bytes and returns their MD5 and MB/s.
func (ch *memChild) putGenerated(tb testing.TB, path string, n int64) (string, float64) {
	tb.Helper()
	g := generate(n)
	t0 := time.Now()
	resp := ch.do(tb, "PUT", path, g, n, nil)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	secs := time.Since(t0).Seconds()
	if resp.StatusCode != 200 {
		tb.Fatalf("PUT %s: %d %s", path, resp.StatusCode, body)
	}
	if etag := strings.Trim(resp.Header.Get("ETag"), `"`); etag != g.md5() {
		tb.Fatalf("PUT %s: ETag %s, the body's MD5 is %s", path, etag, g.md5())
	}
	return g.md5(), float64(n) / 1e6 / secs
}

// getMD5 GETs path and returns the body's MD5, its length and MB/s.
func (ch *memChild) getMD5(tb testing.TB, path string, hdr map[string]string) (string, int64, float64) {
	tb.Helper()
	t0 := time.Now()
	resp := ch.do(tb, "GET", path, nil, 0, hdr)
	defer resp.Body.Close()
	if resp.StatusCode != 200 && resp.StatusCode != 206 {
		b, _ := io.ReadAll(resp.Body)
		tb.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	h := md5.New()
	n, err := io.Copy(h, resp.Body)
	if err != nil {
		tb.Fatalf("GET %s: %v after %d bytes", path, err, n)
	}
	return hex.EncodeToString(h.Sum(nil)), n, float64(n) / 1e6 / time.Since(t0).Seconds()
}

// copiedParts builds key from parts UploadPartCopy'd from one 5 MiB object
// and completes it; it returns the source's MD5.
func (ch *memChild) copiedParts(tb testing.TB, bucket, key string, parts int) string {
	tb.Helper()
	srcMD5, _ := ch.putGenerated(tb, "/"+bucket+"/part-source", 5<<20)
	out := ch.ok(tb, "POST", "/"+bucket+"/"+key+"?uploads", nil, nil)
	id := between(string(out), "<UploadId>", "</UploadId>")
	var xml strings.Builder
	xml.WriteString("<CompleteMultipartUpload>")
	for i := 1; i <= parts; i++ {
		res := ch.ok(tb, "PUT", fmt.Sprintf("/%s/%s?partNumber=%d&uploadId=%s", bucket, key, i, id), nil,
			map[string]string{"X-Amz-Copy-Source": "/" + bucket + "/part-source"})
		fmt.Fprintf(&xml, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", i, between(string(res), "<ETag>", "</ETag>"))
	}
	xml.WriteString("</CompleteMultipartUpload>")
	ch.ok(tb, "POST", fmt.Sprintf("/%s/%s?uploadId=%s", bucket, key, id), []byte(xml.String()), nil)
	return srcMD5
}

func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(rest, to)
	return v
}

// freeGiB is the free space where the child's bodies go.
func freeGiB(dir string) float64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0
	}
	return float64(st.Bavail) * float64(st.Bsize) / (1 << 30)
}

// TestObjectMemoryIsBounded: a 256 MiB object PUT and read back, and a
// 1,030-part object of UploadPartCopy'd 5 MiB parts (5.03 GiB), grow the
// emulator's peak RSS by less than 64 MiB. Before bodies went to disk, the
// first cost at least 256 MiB and the second ran the process out of memory.
func TestObjectMemoryIsBounded(t *testing.T) {
	ch := startMemChild(t)
	if free := freeGiB(ch.dir); free < 1 {
		t.Skipf("%.1f GiB free under %s: the test writes 0.3 GiB", free, ch.dir)
	}
	ch.ok(t, "PUT", "/mem", nil, nil)
	ch.ok(t, "PUT", "/mem/warm", []byte("warm up the paths"), nil)
	ch.ok(t, "GET", "/mem/warm", nil, nil)
	base := ch.status(t, "VmHWM")

	const size = 256 << 20
	sum, _ := ch.putGenerated(t, "/mem/big", size)
	got, n, _ := ch.getMD5(t, "/mem/big", nil)
	if got != sum || n != size {
		t.Fatalf("GET returned %d bytes with MD5 %s, PUT %d with %s", n, got, size, sum)
	}
	afterObject := ch.status(t, "VmHWM")
	if growth := afterObject - base; growth > 64 {
		t.Fatalf("a 256 MiB PUT and GET grew peak RSS by %.1f MiB (from %.1f to %.1f), want at most 64", growth, base, afterObject)
	}

	const parts = 1030 // just past 5 GiB
	src := ch.copiedParts(t, "mem", "copied", parts)
	resp := ch.do(t, "HEAD", "/mem/copied", nil, 0, nil)
	resp.Body.Close()
	if want := strconv.Itoa(parts * 5 << 20); resp.Header.Get("Content-Length") != want || !strings.HasSuffix(resp.Header.Get("ETag"), "-1030\"") {
		t.Fatalf("HEAD of the copied object: length %s ETag %s, want %s and a 1030-part ETag", resp.Header.Get("Content-Length"), resp.Header.Get("ETag"), want)
	}
	// Past 5 GiB, S3 copies only by parts of it.
	tooLarge := "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120"
	for _, req := range []string{"/mem/copy-of-copied", "/mem/copy-of-copied?partNumber=1&uploadId=" + between(string(ch.ok(t, "POST", "/mem/copy-of-copied?uploads", nil, nil)), "<UploadId>", "</UploadId>")} {
		resp := ch.do(t, "PUT", req, nil, 0, map[string]string{"X-Amz-Copy-Source": "/mem/copied"})
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(b), "<Code>InvalidRequest</Code>") || !strings.Contains(string(b), tooLarge) {
			t.Fatalf("PUT %s copying 5.03 GiB: %d %s", req, resp.StatusCode, b)
		}
	}
	if got, n, _ := ch.getMD5(t, "/mem/copied?partNumber=700", nil); got != src || n != 5<<20 {
		t.Fatalf("part 700: %d bytes, MD5 %s; the source's is %s", n, got, src)
	}
	// A range across a part boundary is the source's tail, then its head.
	if got, n, _ := ch.getMD5(t, "/mem/copied", map[string]string{"Range": fmt.Sprintf("bytes=%d-%d", 3*5<<20-10, 3*5<<20+9)}); n != 20 {
		t.Fatalf("range across parts: %d bytes", n)
	} else {
		h := md5.New()
		h.Write(genBlock[(5<<20-10)%len(genBlock) : (5<<20)%len(genBlock)])
		h.Write(genBlock[:10])
		if want := hex.EncodeToString(h.Sum(nil)); got != want {
			t.Fatalf("range across parts has MD5 %s, want %s", got, want)
		}
	}
	peak := ch.status(t, "VmHWM")
	t.Logf("peak RSS: %.1f MiB at start, %.1f after a 256 MiB PUT+GET, %.1f after a %d-part copied upload (%.1f GiB)",
		base, afterObject, peak, parts, float64(parts*5<<20)/(1<<30))
	if growth := peak - base; growth > 64 {
		t.Fatalf("peak RSS grew by %.1f MiB (from %.1f to %.1f), want at most 64", growth, base, peak)
	}
}

// BenchmarkObjectMemory reports, for one object streamed in and out of an
// emulator in a child process, the emulator's peak RSS (rss-peak-MiB,
// growth-MiB over its idle peak), PUT and GET throughput, and its CPU per
// GiB moved. GROUNDSTACK_BENCH_LARGE=1 adds a 5 GiB object (12 GiB free
// needed). parts=10000 is a 10,000-part upload of UploadPartCopy'd 5 MiB
// parts, completed (about 49 GiB, never copied).
func BenchmarkObjectMemory(b *testing.B) {
	sizes := []int64{1 << 30}
	if os.Getenv(envLarge) == "1" {
		sizes = append(sizes, 5<<30)
	}
	for _, size := range sizes {
		b.Run(fmt.Sprintf("object=%dGiB", size>>30), func(b *testing.B) {
			ch := startMemChild(b)
			if free := freeGiB(ch.dir); free < float64(size>>30)*2+2 {
				b.Skipf("%.1f GiB free under %s: not enough for a %d GiB object", free, ch.dir, size>>30)
			}
			ch.ok(b, "PUT", "/mem", nil, nil)
			base := ch.status(b, "VmHWM")
			var putMBs, getMBs float64
			c0 := ch.cpu(b)
			for i := 0; i < b.N; i++ {
				sum, put := ch.putGenerated(b, "/mem/big", size)
				got, n, get := ch.getMD5(b, "/mem/big", nil)
				if got != sum || n != size {
					b.Fatalf("GET returned %d bytes with MD5 %s, PUT %d with %s", n, got, size, sum)
				}
				putMBs += put
				getMBs += get
			}
			cpu := ch.cpu(b) - c0
			peak := ch.status(b, "VmHWM")
			b.ReportMetric(putMBs/float64(b.N), "put-MB/s")
			b.ReportMetric(getMBs/float64(b.N), "get-MB/s")
			b.ReportMetric(peak, "rss-peak-MiB")
			b.ReportMetric(peak-base, "growth-MiB")
			b.ReportMetric(cpu.Seconds()/float64(b.N)/float64(size>>30)/2, "srv-cpu-s/GiB")
		})
	}
	b.Run("parts=10000", func(b *testing.B) {
		ch := startMemChild(b)
		ch.ok(b, "PUT", "/mem", nil, nil)
		base := ch.status(b, "VmHWM")
		c0 := ch.cpu(b)
		for i := 0; i < b.N; i++ {
			ch.copiedParts(b, "mem", "copied", 10000)
		}
		cpu := ch.cpu(b) - c0
		resp := ch.do(b, "HEAD", "/mem/copied", nil, 0, nil)
		resp.Body.Close()
		if resp.Header.Get("Content-Length") != strconv.Itoa(10000*5<<20) {
			b.Fatalf("HEAD: length %s", resp.Header.Get("Content-Length"))
		}
		peak := ch.status(b, "VmHWM")
		b.ReportMetric(peak, "rss-peak-MiB")
		b.ReportMetric(peak-base, "growth-MiB")
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N)/10000, "srv-cpu-us/part")
	})
}
