package emutest

import (
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/logging"
)

// SDKLog is what an SDK client logged: its complaints about responses
// (checksums that do not match or are missing, bodies it could not close)
// go there and nowhere else, so tests read them here.
type SDKLog struct {
	mu    sync.Mutex
	lines []string
}

// CaptureSDKLog sends cfg's SDK log to the returned SDKLog.
func CaptureSDKLog(cfg *aws.Config) *SDKLog {
	l := &SDKLog{}
	cfg.Logger = logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
		l.mu.Lock()
		l.lines = append(l.lines, string(c)+" "+fmt.Sprintf(format, v...))
		l.mu.Unlock()
	})
	return l
}

// Lines are the messages logged so far, each prefixed by its level.
func (l *SDKLog) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}
