package cloudwatch

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// GetMetricWidgetImage draws a metric widget (the JSON of a dashboard's
// metric widget) as a PNG line chart: a white canvas, a grey frame, and
// one coloured line per metric row through its datapoints, scaled to the
// values drawn. There is no text (title, axes' labels, legend):
// groundstack has no fonts.

type getMetricWidgetImageInput struct {
	MetricWidget *string `json:"MetricWidget" required:"true"`
	OutputFormat *string `json:"OutputFormat"`
}

// blob is a binary output member: bytes in CBOR, base64 in JSON and XML.
type blob []byte

func (b blob) MarshalText() ([]byte, error) {
	out := make([]byte, base64.StdEncoding.EncodedLen(len(b)))
	base64.StdEncoding.Encode(out, b)
	return out, nil
}

func (b blob) MarshalBinary() ([]byte, error) { return b, nil }

type getMetricWidgetImageOutput struct {
	MetricWidgetImage blob `json:"MetricWidgetImage,omitempty" xml:"MetricWidgetImage,omitempty"`
}

// Limits of a widget image (AWS's).
const (
	maxWidgetSide     = 2000
	defaultWidgetW    = 600
	defaultWidgetH    = 395
	maxWidgetMetrics  = 100
	defaultWidgetSpan = 3 * time.Hour
)

var palette = []color.RGBA{{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
	{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255}, {188, 189, 34, 255}, {23, 190, 207, 255}}

type metricWidget struct {
	Metrics [][]any `json:"metrics"`
	Period  *int    `json:"period"`
	Stat    string  `json:"stat"`
	Start   string  `json:"start"`
	End     string  `json:"end"`
	Width   *int    `json:"width"`
	Height  *int    `json:"height"`
	Region  string  `json:"region"`
}

// widgetTime reads a widget's start or end: an ISO 8601 duration before
// now (-PT3H) or a timestamp.
func widgetTime(s string, now time.Time, def time.Time) (time.Time, bool) {
	switch {
	case s == "":
		return def, true
	case strings.HasPrefix(s, "-P") || strings.HasPrefix(s, "P"):
		d, ok := parseISODuration(strings.TrimPrefix(s, "-"))
		if !ok && s != "P0D" && s != "-P0D" {
			return time.Time{}, false
		}
		return now.Add(-d), true
	}
	t, err := time.Parse(time.RFC3339, s)
	return t, err == nil
}

func (s *Service) getMetricWidgetImage(c *awsproto.Call, in *getMetricWidgetImageInput) (getMetricWidgetImageOutput, error) {
	if f := deref(in.OutputFormat); f != "" && f != "png" && f != "image/png" {
		return getMetricWidgetImageOutput{}, errValidation.Errorf("The value %s for parameter OutputFormat is not supported: use png.", f)
	}
	var w metricWidget
	if err := json.Unmarshal([]byte(*in.MetricWidget), &w); err != nil {
		return getMetricWidgetImageOutput{}, errValidation.New("The parameter MetricWidget is not a valid metric widget JSON object.")
	}
	width, height := defaultWidgetW, defaultWidgetH
	if w.Width != nil {
		width = *w.Width
	}
	if w.Height != nil {
		height = *w.Height
	}
	if width < 1 || width > maxWidgetSide || height < 1 || height > maxWidgetSide {
		return getMetricWidgetImageOutput{}, errValidation.Errorf("The widget's width and height must be from 1 to %d pixels.", maxWidgetSide)
	}
	if len(w.Metrics) > maxWidgetMetrics {
		return getMetricWidgetImageOutput{}, errValidation.Errorf("A widget holds at most %d metrics.", maxWidgetMetrics)
	}
	now := s.clock.Now()
	start, ok1 := widgetTime(w.Start, now, now.Add(-defaultWidgetSpan))
	end, ok2 := widgetTime(w.End, now, now)
	if !ok1 || !ok2 || !start.Before(end) {
		return getMetricWidgetImageOutput{}, errValidation.New("The widget's start must be before its end (ISO 8601 durations such as -PT3H, or timestamps).")
	}
	period := 300
	if w.Period != nil {
		period = *w.Period
	}
	if err := checkPeriod(period, "period"); err != nil {
		return getMetricWidgetImageOutput{}, err
	}
	region := c.Region
	if w.Region != "" {
		region = w.Region
	}
	// each row: namespace, name, dimension name/value pairs ("." repeats
	// the row above), and an optional object of options (stat, period)
	var series [][][2]float64
	var prev []string
	for _, row := range w.Metrics {
		var fields []string
		stat, p := w.Stat, period
		for _, x := range row {
			switch v := x.(type) {
			case string:
				if v == "." && len(fields) < len(prev) {
					v = prev[len(fields)]
				}
				fields = append(fields, v)
			case map[string]any:
				if st, ok := v["stat"].(string); ok {
					stat = st
				}
				if pp, ok := v["period"].(float64); ok && pp > 0 {
					p = int(pp)
				}
			}
		}
		prev = fields
		if stat == "" {
			stat = "Average"
		}
		if (end.Unix()-start.Unix())/int64(max(p, 1)) > maxDatapointsAll {
			return getMetricWidgetImageOutput{}, errValidation.Errorf("The widget asks for more than %d datapoints per metric: use a longer period.", maxDatapointsAll)
		}
		if len(fields) < 2 || len(fields)%2 != 0 {
			continue // an expression row, or not a metric
		}
		var ds []Dimension
		for i := 2; i+1 < len(fields); i += 2 {
			ds = append(ds, Dimension{fields[i], fields[i+1]})
		}
		var pts [][2]float64
		if m := s.metrics.Lookup(region, fields[0], fields[1], ds); m != nil && p > 0 {
			from := start.Unix() - mod(start.Unix(), int64(p))
			for _, per := range m.Periods(from, end.Unix(), int64(p), "") {
				if v, ok := per.Stat(stat); ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
					pts = append(pts, [2]float64{float64(per.Start), v})
				}
			}
		}
		series = append(series, pts)
	}
	img := drawChart(width, height, float64(start.Unix()), float64(end.Unix()), series)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return getMetricWidgetImageOutput{}, err
	}
	return getMetricWidgetImageOutput{MetricWidgetImage: buf.Bytes()}, nil
}

// drawChart draws the series (time, value points) over [t0, t1].
func drawChart(w, h int, t0, t1 float64, series [][][2]float64) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	margin := min(20, w/10, h/10)
	left, right, top, bottom := margin, w-1-margin, margin, h-1-margin
	frame := color.RGBA{200, 200, 200, 255}
	line(img, left, bottom, right, bottom, frame)
	line(img, left, top, left, bottom, frame)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for _, p := range s {
			lo, hi = min(lo, p[1]), max(hi, p[1])
		}
	}
	if math.IsInf(lo, 0) {
		return img
	}
	lo = min(lo, 0)
	if hi == lo {
		hi = lo + 1
	}
	x := func(t float64) int { return left + int(math.Round((t-t0)/(t1-t0)*float64(right-left))) }
	y := func(v float64) int { return bottom - int(math.Round((v-lo)/(hi-lo)*float64(bottom-top))) }
	for i, s := range series {
		col := palette[i%len(palette)]
		for j, p := range s {
			if j == 0 {
				img.SetRGBA(x(p[0]), y(p[1]), col)
				continue
			}
			q := s[j-1]
			line(img, x(q[0]), y(q[1]), x(p[0]), y(p[1]), col)
		}
	}
	return img
}

// line draws a line (Bresenham's).
func line(img *image.RGBA, x0, y0, x1, y1 int, c color.RGBA) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := 1, 1
	if x0 > x1 {
		sx = -1
	}
	if y0 > y1 {
		sy = -1
	}
	e := dx + dy
	for {
		img.SetRGBA(x0, y0, c)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
