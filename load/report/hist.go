package report

import (
	"encoding/json"
	"errors"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram geometry: 1 µs to 1 h at 3 significant digits.
const (
	histMin, histMax = 1, int64(time.Hour / time.Microsecond)
	histDigits       = 3
)

// Hist is an HDR histogram of durations (µs resolution, 3 significant
// digits), sparse so a run can keep one per second and kind. It is
// written to JSON as the standard V2 compressed base64 encoding.
type Hist struct{ h *hdrhistogram.PackedHistogram }

// NewHist returns an empty histogram.
func NewHist() *Hist { return &Hist{h: hdrhistogram.NewPacked(histMin, histMax, histDigits)} }

// Record adds one duration (clamped to the histogram's range).
func (h *Hist) Record(d time.Duration) {
	_ = h.h.RecordValue(min(max(int64(d/time.Microsecond), histMin), histMax))
}

// Merge adds every value of o.
func (h *Hist) Merge(o *Hist) {
	if o != nil && o.h != nil {
		h.h.Merge(o.h)
	}
}

// Count is the number of values.
func (h *Hist) Count() int64 {
	if h == nil || h.h == nil {
		return 0
	}
	return h.h.TotalCount()
}

// Quantile is the value at percentile q (0–100); 0 when empty.
func (h *Hist) Quantile(q float64) time.Duration {
	if h.Count() == 0 {
		return 0
	}
	return time.Duration(h.h.ValueAtPercentile(q)) * time.Microsecond
}

// Max is the largest value; 0 when empty.
func (h *Hist) Max() time.Duration {
	if h.Count() == 0 {
		return 0
	}
	return time.Duration(h.h.Max()) * time.Microsecond
}

// Mean is the mean value; 0 when empty.
func (h *Hist) Mean() time.Duration {
	if h.Count() == 0 {
		return 0
	}
	return time.Duration(h.h.Mean() * float64(time.Microsecond))
}

// Clone returns an independent copy.
func (h *Hist) Clone() *Hist {
	if h == nil || h.h == nil {
		return NewHist()
	}
	return &Hist{h: h.h.Clone()}
}

// Summary is the usual figures, in milliseconds.
func (h *Hist) Summary() Summary {
	return Summary{Count: h.Count(), P50: ms(h.Quantile(50)), P90: ms(h.Quantile(90)), P99: ms(h.Quantile(99)),
		Max: ms(h.Max()), Mean: ms(h.Mean())}
}

// MarshalJSON writes the V2 compressed base64 encoding.
func (h *Hist) MarshalJSON() ([]byte, error) {
	if h == nil || h.h == nil {
		return []byte("null"), nil
	}
	b, err := h.h.Encode()
	if err != nil {
		return nil, err
	}
	return json.Marshal(string(b))
}

// UnmarshalJSON reads the V2 compressed base64 encoding.
func (h *Hist) UnmarshalJSON(b []byte) (err error) {
	// a damaged file must give an error, whatever the decoder does with it
	defer func() {
		if recover() != nil {
			err = errors.New("histogram: malformed encoding")
		}
	}()
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("histogram: a base64 string is expected")
	}
	p, err := hdrhistogram.DecodePacked([]byte(s))
	if err != nil {
		return errors.New("histogram: " + err.Error())
	}
	h.h = p
	return nil
}

// Summary is a distribution's figures in milliseconds.
type Summary struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
	Mean  float64 `json:"mean_ms"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
