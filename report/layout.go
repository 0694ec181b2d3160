package report

import (
	"math"
	"slices"
	"strings"
)

// A scene is a figure laid out in pixels (origin top left), ready for the
// SVG or the PNG writer: both draw the same items.
type scene struct {
	w, h   float64
	items  []item
	frames []*frame // the charts' data areas, for tests
}

// pt is a point of a scene, in pixels.
type pt struct{ x, y float64 }

// An item is one thing drawn: a path (pts), a marker (at pts[0]) or a text.
type item struct {
	kind    itemKind
	pts     []pt  // a path's points, a marker's or a text's place
	breaks  []int // where a path starts anew (a gap in a line)
	closed  bool
	stroke  string
	fill    string
	opacity float64 // of the fill, 0 for opaque
	width   float64
	dash    bool
	marker  string
	r       float64
	text    string
	size    float64
	anchor  string // start, middle, end
	rotate  bool   // text read bottom to top
	bold    bool
	halo    bool   // a white outline, for a text over lines
	title   string // hover text
	legend  bool   // a legend swatch, outside the data
}

type itemKind int

const (
	pathItem itemKind = iota
	markerItem
	textItem
)

// Sizes of a figure, in pixels.
const (
	panelW, panelH     = 520.0, 360.0 // one chart alone
	gridW, gridH       = 330.0, 280.0 // a chart among several
	fontSize           = 12.0
	charW              = 0.6 * fontSize // a generous average glyph width: labels are never cut
	legendSwatch       = 26.0
	figurePad          = 10.0
	defaultMarkerR     = 4.0
	defaultLineW       = 2.0
	titleH, captionH   = 24.0, 20.0
	legendLineH        = 18.0
	axisLabelH         = 18.0
	tickLen, tickTextH = 4.0, 16.0
)

// textW estimates the width of s at size px.
func textW(s string, size float64) float64 {
	return float64(len([]rune(s))) * size * 0.6
}

// layout places the figure's charts in a grid, the legend right of it, the
// title above and the caption below.
func (f *Figure) layout() *scene {
	cols := f.Columns
	if cols <= 0 {
		cols = min(max(len(f.Charts), 1), 3)
	}
	rows := max((len(f.Charts)+cols-1)/cols, 1)
	cw, ch := panelW, panelH
	if len(f.Charts) > 1 {
		cw, ch = gridW, gridH
	}
	cw, ch = cmpOrF(f.Width, cw), cmpOrF(f.Height, ch)
	entries := legendEntries(f.Charts)
	legW := 0.0
	for _, e := range entries {
		legW = max(legW, legendSwatch+8+textW(e.label, fontSize))
	}
	if legW > 0 {
		legW += 2 * figurePad
	}
	top := figurePad
	if f.Title != "" {
		top += titleH
	}
	s := &scene{w: 2*figurePad + float64(cols)*cw + legW, h: top + float64(rows)*ch + figurePad}
	caption := wrap(f.Caption, s.w-2*figurePad, fontSize-1)
	s.h += float64(len(caption)) * captionH
	s.text(figurePad, figurePad+15, f.Title, "start", 15, true)
	for i, c := range f.Charts {
		x0 := figurePad + float64(i%cols)*cw
		y0 := top + float64(i/cols)*ch
		s.frames = append(s.frames, drawChart(s, c, x0, y0, cw, ch))
	}
	drawLegend(s, entries, figurePad+float64(cols)*cw+figurePad, top+8)
	for i, l := range caption {
		s.text(figurePad, s.h-figurePad-float64(len(caption)-1-i)*captionH, l, "start", fontSize-1, false)
	}
	return s
}

// wrap cuts text into lines of at most width pixels at size, at spaces.
func wrap(text string, width, size float64) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && textW(line+" "+w, size) > width {
			lines, line = append(lines, line), ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// text adds a text item unless s is empty.
func (s *scene) text(x, y float64, text, anchor string, size float64, bold bool) *item {
	if text == "" {
		return nil
	}
	s.items = append(s.items, item{kind: textItem, pts: []pt{{x, y}}, text: text, anchor: anchor, size: size, bold: bold})
	return &s.items[len(s.items)-1]
}

// path adds a line through pts.
func (s *scene) path(pts []pt, stroke string, width float64, dash bool) {
	s.items = append(s.items, item{kind: pathItem, pts: pts, stroke: stroke, width: width, dash: dash})
}

// frame is where a chart's data is drawn, and the chart's two axes.
type frame struct {
	x0, y0, x1, y1 float64 // the data area, pixels
	xa, ya         axis
	stagger        bool // x tick labels on two rows, every other one lower
}

// px maps a data point to pixels; ok is false for a value a log axis cannot show.
func (fr *frame) px(x, y float64) (pt, bool) {
	fx, okx := fr.xa.frac(x)
	fy, oky := fr.ya.frac(y)
	return pt{fr.x0 + fx*(fr.x1-fr.x0), fr.y1 - fy*(fr.y1-fr.y0)}, okx && oky
}

// frac is where v lies along the axis, 0 at lo and 1 at hi.
func (a axis) frac(v float64) (float64, bool) {
	if a.log {
		if v <= 0 {
			return 0, false
		}
		v = math.Log10(v)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return (v - a.lo) / (a.hi - a.lo), true
}

// axes makes a chart's two axes from its series, bands and rules.
func axes(c *Chart) (xa, ya axis) {
	var xs, ys []float64
	for _, s := range c.Series {
		xs = append(xs, s.X...)
		ys = append(ys, s.Y...)
		ys = append(ys, s.Lo...)
		ys = append(ys, s.Hi...)
	}
	for _, r := range c.Rules {
		if r.Vertical {
			xs = append(xs, r.At)
		} else {
			ys = append(ys, r.At)
		}
	}
	for _, t := range c.XTicks {
		xs = append(xs, t.At)
	}
	xa, ya = linearAxis(xs), linearAxis(ys)
	if c.IntegerX {
		xa = integerAxis(xs)
	}
	if c.LogX {
		xa = logAxis(xs)
	}
	if c.LogY {
		ya = logAxis(ys)
	}
	if c.XTicks != nil {
		xa.ticks = slices.Clone(c.XTicks)
	}
	if c.YMin < c.YMax {
		ya = linearAxis([]float64{c.YMin, c.YMax}) // with the usual margin
	}
	if c.HideYTicks {
		ya.ticks = nil
	}
	return xa, ya
}
