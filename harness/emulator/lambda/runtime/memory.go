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
	// treeEvery: the processes the runtime started are added up every
	// treeEvery-th look (a look at one process costs one read; at a tree,
	// one per thread and process).
	treeEvery    = 8
	maxTreeDepth = 8
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
	for tick := 0; ; tick++ {
		select {
		case <-inst.exited:
			return
		case <-inst.woken:
			t.Stop()
		case <-t.C:
		}
		var rss int64
		if tick%treeEvery == 0 || !inst.active.Load() {
			// What the handler started counts too (a subprocess).
			rss = treeResidentBytes(inst.pid, 0)
		} else {
			rss = residentBytes(statm)
		}
		if rss > limit {
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

// treeResidentBytes adds up the resident memory of pid and of the
// processes below it (through /proc/<pid>/task/<tid>/children).
func treeResidentBytes(pid, depth int) int64 {
	dir := "/proc/" + strconv.Itoa(pid)
	total := residentBytes(dir + "/statm")
	if depth >= maxTreeDepth {
		return total
	}
	tasks, err := os.ReadDir(dir + "/task")
	if err != nil {
		return total
	}
	for _, task := range tasks {
		b, err := os.ReadFile(dir + "/task/" + task.Name() + "/children")
		if err != nil {
			continue
		}
		for _, f := range bytes.Fields(b) {
			if child, err := strconv.Atoi(string(f)); err == nil {
				total += treeResidentBytes(child, depth+1)
			}
		}
	}
	return total
}
