package ec2host_test

import (
	"bufio"
	"fmt"
	"os"
	osexec "os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/groundstack/groundstack/harness/ec2host"
	"github.com/groundstack/groundstack/harness/emulator/emutest/benchcpu"
)

// envBenchServer makes the test binary a bare host for the benchmarks, so
// the server's CPU is measured apart from the client's.
const envBenchServer = "EC2HOST_BENCH_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(envBenchServer) == "1" {
		serveForBench()
		return
	}
	os.Exit(m.Run())
}

// serveForBench runs a host until stdin closes; it prints its address and
// host key on stdout.
func serveForBench() {
	h, err := ec2host.New(ec2host.Config{Dir: os.Getenv("EC2HOST_BENCH_DIR"), AuthorizedKey: os.Getenv("EC2HOST_BENCH_KEY")})
	if err == nil {
		err = h.Start()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%s\n%s\n", h.Addr(), h.HostKey())
	buf := make([]byte, 1)
	os.Stdin.Read(buf)
	h.Stop()
}

// BenchmarkExec is one `ssh host <cmd>` over a reused connection (what a
// warm scriptrunner Lambda does), and over a new connection each time.
// cpu-us/op is this process (client, and the server in-process); with the
// server in a subprocess, srv-us/op is its Go process and sh-us/op the
// shells it ran.
func BenchmarkExec(b *testing.B) {
	f := start(b, nil) // hosts shared by every round of the sub-benchmarks
	addr, cfg, pid := startSubprocess(b)
	for _, cmd := range []string{"true", "echo hi"} {
		b.Run("inproc/reused/"+cmd, func(b *testing.B) {
			benchExec(b, f.h.Addr(), f.config("ec2-user"), cmd, false, 0)
		})
		b.Run("subprocess/reused/"+cmd, func(b *testing.B) {
			benchExec(b, addr, cfg, cmd, false, pid)
		})
	}
	b.Run("subprocess/new-connection/true", func(b *testing.B) {
		benchExec(b, addr, cfg, "true", true, pid)
	})
}

func benchExec(b *testing.B, addr string, cfg *gossh.ClientConfig, cmd string, dialEach bool, serverPID int) {
	c, err := gossh.Dial("tcp", addr, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { c.Close() }()
	var srv0, sh0 procCPU
	if serverPID > 0 {
		srv0, sh0 = readProcCPU(b, serverPID)
	}
	children0 := childrenCPU()
	m := benchcpu.Start(b)
	for range b.N {
		if dialEach {
			c.Close()
			if c, err = gossh.Dial("tcp", addr, cfg); err != nil {
				b.Fatal(err)
			}
		}
		s, err := c.NewSession()
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Run(cmd); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	m.Report()
	n := float64(b.N)
	if serverPID > 0 {
		srv1, sh1 := readProcCPU(b, serverPID)
		b.ReportMetric(float64((srv1-srv0).Microseconds())/n, "srv-us/op")
		b.ReportMetric(float64((sh1-sh0).Microseconds())/n, "sh-us/op")
	} else {
		b.ReportMetric(float64((childrenCPU()-children0).Microseconds())/n, "sh-us/op")
	}
}

// BenchmarkForkExecFloor is what running `sh -c true` costs with no SSH at
// all: the floor under BenchmarkExec.
func BenchmarkForkExecFloor(b *testing.B) {
	children0 := childrenCPU()
	m := benchcpu.Start(b)
	for range b.N {
		cmd := osexec.Command("/bin/sh", "-c", "true")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
	}
	m.Report()
	b.ReportMetric(float64((childrenCPU()-children0).Microseconds())/float64(b.N), "sh-us/op")
}

func startSubprocess(b *testing.B) (string, *gossh.ClientConfig, int) {
	client := newKey(b)
	cmd := osexec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), envBenchServer+"=1", "EC2HOST_BENCH_DIR="+b.TempDir(),
		"EC2HOST_BENCH_KEY="+ec2host.AuthorizedKeyLine(client.PublicKey()))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	var lines []string
	for len(lines) < 2 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) < 2 {
		b.Fatalf("bench server said %q", lines)
	}
	pub, _, _, _, err := gossh.ParseAuthorizedKey([]byte(lines[1]))
	if err != nil {
		b.Fatal(err)
	}
	return lines[0], &gossh.ClientConfig{
		User: "ec2-user", Auth: []gossh.AuthMethod{gossh.PublicKeys(client)},
		HostKeyCallback: gossh.FixedHostKey(pub), Timeout: 10 * time.Second,
	}, cmd.Process.Pid
}

type procCPU = time.Duration

// readProcCPU is a process's own user+system CPU and that of its reaped
// children, from /proc/pid/stat (clock ticks of 10 ms).
func readProcCPU(b *testing.B, pid int) (self, children procCPU) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		b.Skipf("no /proc: %v", err)
	}
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	tick := func(i int) time.Duration { // field i of stat(5), 1-based
		v, _ := strconv.ParseInt(f[i-3], 10, 64)
		return time.Duration(v) * 10 * time.Millisecond
	}
	return tick(14) + tick(15), tick(16) + tick(17)
}

func childrenCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
