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
	// PID is the process measured (its live children and the ones it has
	// waited for are included: Lambda instances are children of the emulator).
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
// started apart) and its children.
func ProcessCPU(pid int) *CPUMeter {
	return &CPUMeter{PID: pid, Scope: fmt.Sprintf("process %d and its children", pid)}
}

// Read returns the CPU time used so far.
func (m *CPUMeter) Read() (time.Duration, error) {
	if runtime.GOOS != "linux" {
		return 0, fmt.Errorf("CPU time is read from /proc (Linux only)")
	}
	own, _, err := procCPU(m.PID, true)
	if err != nil {
		return 0, err
	}
	total := own
	// live children: their time joins cutime only once waited for
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range dirs {
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(f)))
		if pid == m.PID {
			continue
		}
		t, ppid, err := procCPU(pid, true)
		if err == nil && ppid == m.PID {
			total += t
		}
	}
	return total, nil
}

// procCPU reads utime+stime (+cutime+cstime with children) and the parent
// of pid.
func procCPU(pid int, children bool) (time.Duration, int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	return parseStat(string(b), children)
}

// parseStat reads /proc/<pid>/stat: the command may hold spaces and
// parentheses, so fields are counted after the last ')'.
func parseStat(s string, children bool) (time.Duration, int, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("malformed /proc stat")
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state): ppid is field 4, utime 14 … cstime 17
	if len(f) < 15 {
		return 0, 0, fmt.Errorf("malformed /proc stat")
	}
	ppid, _ := strconv.Atoi(f[1])
	var ticks int64
	last := 13
	if children {
		last = 15
	}
	for k := 11; k < last; k++ {
		n, err := strconv.ParseInt(f[k], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("malformed /proc stat")
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, ppid, nil
}

// loadAverage is /proc/loadavg's first three figures ("" elsewhere).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
