package events

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of /proc/<pid>/stat's CPU times (USER_HZ, 100 on
// every Linux this runs on).
const clockTick = 10 * time.Millisecond

// CPUMeter reads a process tree's CPU time (user + system).
type CPUMeter struct {
	// PID is the process measured; its live descendants and the children
	// it has waited for are included (Lambda instances run under the emulator).
	PID int
	// Scope says in words what the figure covers, for the report.
	Scope string
}

// SelfCPU measures this process: with the embedded backend that is the
// emulator and the function instances, and also the harness's own SDK
// clients and consumers, so it overstates the server's share.
func SelfCPU() *CPUMeter {
	return &CPUMeter{PID: os.Getpid(), Scope: "this process (the embedded emulator, its function instances, and the harness's SDK clients)"}
}

// ProcessCPU measures another process on this machine (an emulator
// started apart) and its descendants.
func ProcessCPU(pid int) *CPUMeter {
	return &CPUMeter{PID: pid, Scope: fmt.Sprintf("process %d and its descendants", pid)}
}

// Read returns the CPU time used so far by the process and every live
// descendant (function instances may be grandchildren, forked by a
// zygote), each with the children it has reaped.
//
// A child reaped while the descendants are listed would be counted twice or
// not at all (its time moves into the parent's cutime), so the list is
// taken again until the process's reaped-children time held still across it.
func (m *CPUMeter) Read() (time.Duration, error) {
	if runtime.GOOS != "linux" {
		return 0, fmt.Errorf("CPU time is read from /proc (Linux only)")
	}
	var total time.Duration
	for range 5 {
		_, reapedBefore, _, err := procCPU(m.PID)
		if err != nil {
			return 0, err
		}
		desc := descendantsCPU(m.PID, listProcs(m.PID))
		own, reaped, _, err := procCPU(m.PID)
		if err != nil {
			return 0, err
		}
		total = own + reaped + desc
		if reaped == reapedBefore {
			break
		}
	}
	return total, nil
}

// listProcs lists every process but root with its parent and CPU (its
// own and its reaped children's).
func listProcs(root int) func(yield func(pid, ppid int, cpu time.Duration)) {
	return func(yield func(pid, ppid int, cpu time.Duration)) {
		files, _ := filepath.Glob("/proc/[0-9]*/stat")
		for _, f := range files {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(f)))
			if pid == root {
				continue
			}
			if own, reaped, ppid, err := procCPU(pid); err == nil {
				yield(pid, ppid, own+reaped)
			}
		}
	}
}

// descendantsCPU sums the CPU of root's descendants among the processes
// each lists (pid, parent, CPU).
func descendantsCPU(root int, each func(yield func(pid, ppid int, cpu time.Duration))) time.Duration {
	children := map[int][]int{}
	cpu := map[int]time.Duration{}
	each(func(pid, ppid int, c time.Duration) {
		children[ppid] = append(children[ppid], pid)
		cpu[pid] = c
	})
	var total time.Duration
	seen := map[int]bool{root: true}
	stack := []int{root}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range children[p] {
			if !seen[c] {
				seen[c] = true
				total += cpu[c]
				stack = append(stack, c)
			}
		}
	}
	return total
}

// procCPU reads pid's own CPU time (utime+stime), its reaped children's
// (cutime+cstime) and its parent.
func procCPU(pid int) (own, reaped time.Duration, ppid int, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, 0, err
	}
	return parseStat(string(b))
}

// parseStat reads /proc/<pid>/stat: the command may hold spaces and
// parentheses, so fields are counted after the last ')'.
func parseStat(s string) (own, reaped time.Duration, ppid int, err error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, 0, fmt.Errorf("malformed /proc stat")
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17
	if len(f) < 15 {
		return 0, 0, 0, fmt.Errorf("malformed /proc stat")
	}
	ppid, _ = strconv.Atoi(f[1])
	var t [4]int64
	for k := range t {
		if t[k], err = strconv.ParseInt(f[11+k], 10, 64); err != nil {
			return 0, 0, 0, fmt.Errorf("malformed /proc stat")
		}
	}
	return time.Duration(t[0]+t[1]) * clockTick, time.Duration(t[2]+t[3]) * clockTick, ppid, nil
}
