package runtime

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"
)

// Memory is enforced by watching: an instance whose process uses more
// resident memory than its MemorySize is killed, and its invocation ends
// with AWS's Runtime.OutOfMemory. Not RLIMIT_AS: Go and Node reserve far
// more address space than they use and would not start under it.
const (
	memoryPollActive = 25 * time.Millisecond // starting or invoked
	memoryPollIdle   = time.Second           // parked in /next
)

var pageSize = int64(os.Getpagesize())

// guardMemory watches the instance until it exits.
func (inst *instance) guardMemory(limitMB int) {
	if limitMB <= 0 {
		return
	}
	limit := int64(limitMB) << 20
	statm := "/proc/" + strconv.Itoa(inst.pid) + "/statm"
	t := time.NewTimer(memoryPollActive)
	defer t.Stop()
	for {
		select {
		case <-inst.exited:
			return
		case <-inst.woken:
			t.Stop()
		case <-t.C:
		}
		if rss := residentBytes(statm); rss > limit {
			inst.oom.Store(true)
			_ = syscall.Kill(-inst.pid, syscall.SIGKILL)
			return
		}
		if inst.active.Load() {
			t.Reset(memoryPollActive)
		} else {
			t.Reset(memoryPollIdle) // or until deliver wakes us
		}
	}
}

// wakeMemoryGuard makes guardMemory look now and closely again.
func (inst *instance) wakeMemoryGuard() {
	inst.active.Store(true)
	select {
	case inst.woken <- struct{}{}:
	default:
	}
}

// residentBytes reads a process's resident set from /proc/<pid>/statm
// (its second field, in pages); 0 when it cannot.
func residentBytes(statm string) int64 {
	var buf [128]byte
	f, err := os.Open(statm)
	if err != nil {
		return 0
	}
	n, _ := f.Read(buf[:])
	f.Close()
	fields := bytes.Fields(buf[:n])
	if len(fields) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(string(fields[1]), 10, 64)
	if err != nil {
		return 0
	}
	return pages * pageSize
}
