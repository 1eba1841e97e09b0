package report

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/groundstack/groundstack/load/profile"
)

// Chart file names, in the output directory.
const (
	ChartFreshness = "freshness.png"
	ChartLatency   = "latency.png"
	ChartRate      = "rate.png"
)

var (
	colBlue   = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	colOrange = color.RGBA{R: 255, G: 127, B: 14, A: 255}
	colGreen  = color.RGBA{R: 44, G: 160, B: 44, A: 255}
	colRed    = color.RGBA{R: 214, G: 39, B: 40, A: 255}
	colPurple = color.RGBA{R: 148, G: 103, B: 189, A: 255}
	colGrey   = color.RGBA{R: 127, G: 127, B: 127, A: 255}
	colDark   = color.RGBA{R: 60, G: 60, B: 60, A: 255}
)

// WriteCharts draws the three PNG charts into dir and returns their paths.
func (r *Result) WriteCharts(dir string) ([]string, error) {
	charts := []struct {
		name string
		draw func() (*plot.Plot, error)
	}{
		{ChartFreshness, r.freshnessChart},
		{ChartLatency, r.latencyChart},
		{ChartRate, r.rateChart},
	}
	var out []string
	for _, c := range charts {
		p, err := c.draw()
		if err != nil {
			return out, fmt.Errorf("chart %s: %w", c.name, err)
		}
		path := filepath.Join(dir, c.name)
		if err := savePNG(p, 11*vg.Inch, 4.5*vg.Inch, path); err != nil {
			return out, fmt.Errorf("chart %s: %w", c.name, err)
		}
		out = append(out, path)
	}
	return out, nil
}

// savePNG draws p with its legend in a margin on the right, where it
// hides no line, and writes it as a PNG.
func savePNG(p *plot.Plot, w, h vg.Length, path string) error {
	img := vgimg.New(w, h)
	dc := draw.New(img)
	legend := p.Legend
	r := legend.Rectangle(dc)
	margin := r.Max.X - r.Min.X + vg.Points(24)
	p.Legend = plot.NewLegend()
	p.Draw(draw.Crop(dc, 0, -margin, 0, 0))
	p.Legend = legend
	legend.Left, legend.Top, legend.XOffs, legend.YOffs = true, true, 0, -vg.Points(34)
	legend.Draw(draw.Crop(dc, w-margin+vg.Points(12), 0, 0, 0))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// series is one line: a value per bucket, NaN where there is none. Lines
// that coincide (p50 = p99 = max when a bucket holds one order) stay told
// apart: wider ones are drawn first, and each has its own dashes and marker.
type series struct {
	label  string
	col    color.Color
	dash   bool
	dashes []vg.Length // overrides dash
	width  vg.Length
	shape  draw.GlyphDrawer
	radius vg.Length
	ys     []float64
}

// markAtMost is how many points a series may have and still get a marker
// on each: beyond it the line alone reads better.
const markAtMost = 120

func (r *Result) xs() []float64 {
	xs := make([]float64, len(r.Series.Buckets))
	for i := range xs {
		// the middle of each bucket
		xs[i] = (float64(i) + 0.5) * r.Series.BucketSeconds
	}
	return xs
}

func newPlot(title, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "time since start (s)"
	p.X.Tick.Marker = secondsAxis{}
	p.Y.Label.Text = ylabel
	p.Legend.Top = true
	p.Legend.Left = true
	p.Add(plotter.NewGrid())
	return p
}

// addLines draws each series (skipping buckets without a value) and
// returns the smallest and largest values drawn. On a log axis (floor > 0)
// a value under floor is drawn on it rather than lost below the axis.
func addLines(p *plot.Plot, xs []float64, ss []series, floor float64) (lo, hi float64, err error) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range ss {
		var pts plotter.XYs
		for i, y := range s.ys {
			if i < len(xs) && !math.IsNaN(y) {
				lo, hi = math.Min(lo, y), math.Max(hi, y)
				pts = append(pts, plotter.XY{X: xs[i], Y: math.Max(y, floor)})
			}
		}
		if len(pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return lo, hi, err
		}
		l.Color = s.col
		l.Width = vg.Points(1.5)
		if s.width > 0 {
			l.Width = s.width
		}
		switch {
		case s.dashes != nil:
			l.Dashes = s.dashes
		case s.dash:
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		p.Add(l)
		thumbs := []plot.Thumbnailer{l}
		if shape := s.shape; len(pts) <= markAtMost && (shape != nil || len(pts) == 1) {
			if shape == nil {
				shape = draw.CircleGlyph{}
			}
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return lo, hi, err
			}
			sc.Color, sc.Shape = s.col, shape
			sc.Radius = vg.Points(2.5)
			if s.radius > 0 {
				sc.Radius = s.radius
			}
			p.Add(sc)
			thumbs = append(thumbs, sc)
		}
		p.Legend.Add(s.label, thumbs...)
	}
	return lo, hi, nil
}

// hline draws a horizontal reference line across the run.
func hline(p *plot.Plot, y, xmax float64, label string, col color.Color) error {
	l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: y}, {X: xmax, Y: y}})
	if err != nil {
		return err
	}
	l.Color = col
	l.Width = vg.Points(2)
	l.Dashes = []vg.Length{vg.Points(8), vg.Points(4)}
	p.Add(l)
	p.Legend.Add(label, l)
	return nil
}

// logFloor is the smallest value a log axis of seconds shows: 10 µs,
// below what a request over loopback takes.
const logFloor = 10e-6

// logY sets a log scale (seconds) fitted to lo…hi, and readable ticks. Values under logFloor (0: seen at once) are
// drawn on it (addLines).
func logY(p *plot.Plot, lo, hi float64) {
	if math.IsInf(lo, 0) || lo < logFloor {
		lo = logFloor
	}
	if math.IsInf(hi, 0) || hi <= lo {
		hi = lo * 10
	}
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = secondTicks{}
	// down to the 1-2-5 step under lo, up to twice hi
	bottom := math.Pow(10, math.Floor(math.Log10(lo)))
	for _, m := range []float64{5, 2} {
		if bottom*m <= lo {
			bottom *= m
			break
		}
	}
	p.Y.Min, p.Y.Max = math.Max(bottom, logFloor), hi*2
}

// secondsAxis ticks a time axis at round numbers of seconds.
type secondsAxis struct{}

func (secondsAxis) Ticks(lo, hi float64) []plot.Tick {
	step := 1.0
	for _, s := range []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200} {
		step = s
		if (hi-lo)/s <= 12 {
			break
		}
	}
	var ts []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
		for m := 1; m < 5 && step >= 5; m++ {
			if minor := v + float64(m)*step/5; minor < hi {
				ts = append(ts, plot.Tick{Value: minor})
			}
		}
	}
	return ts
}

// secondTicks labels a log axis of seconds at 1-2-5 steps in ms or s.
type secondTicks struct{}

func (secondTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v < lo*0.999 || v > hi*1.001 {
				continue
			}
			label := ""
			if m == 1 || hi/lo < 1000 {
				label = tickLabel(v)
			}
			ts = append(ts, plot.Tick{Value: v, Label: label})
		}
	}
	return ts
}

// tickLabel is a log axis tick in seconds: µs under a millisecond.
func tickLabel(v float64) string {
	if v < 0.001 {
		return strconv.FormatFloat(math.Round(v*1e7)/10, 'f', -1, 64) + "µs"
	}
	return fmtMS(v * 1000)
}

func (r *Result) xmax() float64 {
	return math.Max(float64(len(r.Series.Buckets))*r.Series.BucketSeconds, r.Seconds)
}

func (r *Result) subtitle() string {
	s := fmt.Sprintf("profile %s, %s, %.0fs", r.Profile.Name, r.Status, r.Seconds)
	if r.Shard != "" {
		s += ", shard " + r.Shard
	}
	if len(r.MergedFrom) > 0 {
		s += fmt.Sprintf(", %d shards merged", len(r.MergedFrom))
	}
	return s
}

func (r *Result) freshnessChart() (*plot.Plot, error) {
	f := r.Freshness
	p := newPlot(fmt.Sprintf("Freshness of orders on GET /pedidos (accepted → visible): p50 %s, p99 %s, max %s, %d lost — %s",
		fmtMS(f.P50), fmtMS(f.P99), fmtMS(f.Max), f.Lost, r.subtitle()), "freshness (log scale)")
	p.X.Label.Text = "order's intended time since start (s)"
	n := len(r.Series.Buckets)
	p50, p99, mx := nanSlice(n), nanSlice(n), nanSlice(n)
	for i, b := range r.Series.Buckets {
		if b.Freshness.Count() > 0 {
			p50[i], p99[i], mx[i] = b.Freshness.Quantile(50).Seconds(), b.Freshness.Quantile(99).Seconds(), b.Freshness.Max().Seconds()
		}
	}
	lo, hi, err := addLines(p, r.xs(), []series{
		{label: "max", col: colDark, ys: mx, width: vg.Points(3.5), shape: draw.BoxGlyph{}, radius: vg.Points(4.5)},
		{label: "p99", col: colOrange, ys: p99, width: vg.Points(2.2), dashes: dashes(6, 3), shape: draw.TriangleGlyph{}, radius: vg.Points(3.5)},
		{label: "p50", col: colBlue, ys: p50, width: vg.Points(1.2), shape: draw.CircleGlyph{}, radius: vg.Points(2)},
	}, logFloor)
	if err != nil {
		return nil, err
	}
	budget := f.BudgetMS / 1000
	if budget <= 0 {
		budget = 10
	}
	if err := hline(p, budget, r.xmax(), fmt.Sprintf("budget %gs", budget), colRed); err != nil {
		return nil, err
	}
	if r.Ramp != nil && r.Ramp.P99LimitMS > 0 {
		if err := hline(p, r.Ramp.P99LimitMS/1000, r.xmax(), fmt.Sprintf("ramp p99 limit %s", fmtMS(r.Ramp.P99LimitMS)), colGrey); err != nil {
			return nil, err
		}
	}
	logY(p, lo, math.Max(hi, budget))
	p.X.Min, p.X.Max = 0, r.xmax()
	return p, nil
}

func (r *Result) latencyChart() (*plot.Plot, error) {
	o := kindOf(r, profile.Orders).Latency
	p := newPlot(fmt.Sprintf("Latency from intended time (open loop): orders p50 %s, p99 %s, max %s — %s",
		fmtMS(o.P50), fmtMS(o.P99), fmtMS(o.Max), r.subtitle()), "latency (log scale)")
	n := len(r.Series.Buckets)
	p50, p90, p99, mx, reads := nanSlice(n), nanSlice(n), nanSlice(n), nanSlice(n), nanSlice(n)
	for i, b := range r.Series.Buckets {
		if h := b.Latency[profile.Orders]; h.Count() > 0 {
			p50[i], p90[i], p99[i], mx[i] = h.Quantile(50).Seconds(), h.Quantile(90).Seconds(), h.Quantile(99).Seconds(), h.Max().Seconds()
		}
		rh := NewHist()
		rh.Merge(b.Latency[profile.Pedidos])
		rh.Merge(b.Latency[profile.Metrics])
		if rh.Count() > 0 {
			reads[i] = rh.Quantile(99).Seconds()
		}
	}
	lo, hi, err := addLines(p, r.xs(), []series{
		{label: "orders max", col: colDark, ys: mx, width: vg.Points(4), shape: draw.BoxGlyph{}, radius: vg.Points(5)},
		{label: "orders p99", col: colOrange, ys: p99, width: vg.Points(2.8), dashes: dashes(7, 3), shape: draw.TriangleGlyph{}, radius: vg.Points(4)},
		{label: "orders p90", col: colGreen, ys: p90, width: vg.Points(1.8), dashes: dashes(2, 2), shape: draw.PyramidGlyph{}, radius: vg.Points(3)},
		{label: "orders p50", col: colBlue, ys: p50, width: vg.Points(1.1), shape: draw.CircleGlyph{}, radius: vg.Points(2)},
		{label: "dashboard reads p99", col: colPurple, ys: reads, width: vg.Points(1.3), dashes: dashes(5, 2, 1, 2), shape: draw.CrossGlyph{}, radius: vg.Points(3)},
	}, logFloor)
	if err != nil {
		return nil, err
	}
	logY(p, lo, hi)
	p.X.Min, p.X.Max = 0, r.xmax()
	return p, nil
}

func (r *Result) rateChart() (*plot.Plot, error) {
	title := fmt.Sprintf("Orders per second: %.1f/s achieved of %.1f/s intended", r.Rates.AchievedOrders, r.Rates.IntendedOrders)
	if r.Ramp != nil {
		title = fmt.Sprintf("Ramp: capacity %.0f orders/s (%s)", r.Ramp.CapacityOrders, r.Ramp.StoppedBy)
		if len(title) > 150 {
			title = title[:150] + "…"
		}
	}
	p := newPlot(title+" — "+r.subtitle(), "orders/s")
	n := len(r.Series.Buckets)
	w := r.Series.BucketSeconds
	intended, achieved, failed, reads := nanSlice(n), nanSlice(n), nanSlice(n), nanSlice(n)
	anyFailed, anyReads := false, false
	for i, b := range r.Series.Buckets {
		intended[i] = float64(b.Intended[profile.Orders]) / w
		achieved[i] = float64(b.Achieved[profile.Orders]) / w
		failed[i] = float64(b.Failed[profile.Orders]+b.Dropped) / w
		reads[i] = float64(b.Achieved[profile.Pedidos]+b.Achieved[profile.Metrics]) / w
		anyFailed = anyFailed || failed[i] > 0
		anyReads = anyReads || reads[i] > 0
	}
	ss := []series{
		{label: "intended orders/s", col: colGrey, ys: intended, dash: true, width: vg.Points(3.5)},
		{label: "achieved orders/s (2xx, by answer time)", col: colBlue, ys: achieved, width: vg.Points(1.3)},
	}
	if anyReads {
		ss = append(ss, series{label: "dashboard reads/s (2xx)", col: colPurple, ys: reads, width: vg.Points(1)})
	}
	if anyFailed {
		ss = append(ss, series{label: "failed or dropped orders/s", col: colRed, ys: failed})
	}
	_, hi, err := addLines(p, r.xs(), ss, 0)
	if err != nil {
		return nil, err
	}
	if r.Ramp != nil && r.Ramp.CapacityOrders > 0 {
		if err := hline(p, r.Ramp.CapacityOrders, r.xmax(), fmt.Sprintf("capacity %.0f orders/s", r.Ramp.CapacityOrders), colGreen); err != nil {
			return nil, err
		}
	}
	p.Y.Min = 0
	if math.IsInf(hi, 0) || hi <= 0 {
		hi = 1
	}
	p.Y.Max = hi * 1.1
	p.X.Min, p.X.Max = 0, r.xmax()
	return p, nil
}

func dashes(on ...float64) []vg.Length {
	out := make([]vg.Length, len(on))
	for i, v := range on {
		out[i] = vg.Points(v)
	}
	return out
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

// BucketFor picks a time bucket width for a run of length d: one second,
// wider for long runs so a chart has at most about 300 points.
func BucketFor(d time.Duration) time.Duration {
	w := time.Second
	for d/w > 300 {
		w *= 2
	}
	return w
}
