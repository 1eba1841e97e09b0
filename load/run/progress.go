package run

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/groundstack/groundstack/load/report"
)

// startProgress shows a run's progress on w until the returned stop is
// called: a progress bar with rate, p99 and misses when terminal, else a
// plain line every few seconds (logs and CI keep one line per update).
func startProgress(w io.Writer, terminal bool, rec *report.Recorder, length, budget time.Duration, name string) (stop func()) {
	if w == nil {
		return func() {}
	}
	every := 5 * time.Second
	if length > 5*time.Minute {
		every = 15 * time.Second
	}
	var bar *progressbar.ProgressBar
	if terminal {
		every = 250 * time.Millisecond
		bar = progressbar.NewOptions64(int64(length/time.Second),
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetWidth(20),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionShowDescriptionAtLineEnd(),
			progressbar.OptionSetDescription(name),
			progressbar.OptionSetItsString("s"),
		)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	show := func() {
		l := rec.Live(time.Now(), budget)
		if bar != nil {
			_ = bar.Set64(int64(min(l.Elapsed, length) / time.Second))
			bar.Describe(liveShort(l))
			return
		}
		fmt.Fprintf(w, "load %s %3.0fs/%.0fs: %s\n", name, min(l.Elapsed, length).Seconds(), length.Seconds(), liveLong(l))
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			show()
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		// the last figures, all orders settled: the report's own
		show()
		if bar != nil {
			_ = bar.Finish()
			fmt.Fprintln(w)
		}
	}
}

// liveShort fits beside a progress bar.
func liveShort(l report.Live) string {
	s := fmt.Sprintf("%5.0f orders/s  p99 %s  fresh p99 %s  misses %d  lost %d", l.OrdersPerSec, dur(l.LatencyP99), dur(l.FreshnessP99), l.Misses, l.Lost)
	if l.Failed+l.Dropped > 0 {
		s += fmt.Sprintf("  failed %d  dropped %d", l.Failed, l.Dropped)
	}
	if l.RampRPS > 0 {
		s += fmt.Sprintf("  step %d (%.0f req/s)", l.RampStep, l.RampRPS)
	}
	return s
}

// liveLong is one log line.
func liveLong(l report.Live) string {
	s := fmt.Sprintf("orders %.1f/s (intended %.1f/s), latency p99 %s, freshness p99 %s, misses %d, lost %d, pending %d, failed %d, dropped %d",
		l.OrdersPerSec, l.IntendedOrderSec, dur(l.LatencyP99), dur(l.FreshnessP99), l.Misses, l.Lost, l.Pending, l.Failed, l.Dropped)
	if l.RampRPS > 0 {
		s += fmt.Sprintf(", ramp step %d at %.0f requests/s", l.RampStep, l.RampRPS)
	}
	return s
}

// dur writes a figure as the report does, so the last live line and the
// report agree to the digit.
func dur(d time.Duration) string { return report.FormatDuration(d) }
