package report

import (
	"os"
	"strings"
)

// LoadAverage is /proc/loadavg's first three figures ("" elsewhere), for
// Machine's LoadStart and LoadEnd.
func LoadAverage() string {
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
