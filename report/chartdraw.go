package report

import "slices"

// Colours of the frame.
const (
	gridColor  = "#e6e6e6"
	frameColor = "#444444"
	ruleColor  = "#555555"
)

// drawChart draws c in the w×h panel at (x0, y0): axes, ticks, labels,
// then its series, rules and notes inside the data area.
func drawChart(s *scene, c *Chart, x0, y0, w, h float64) *frame {
	xa, ya := axes(c)
	yTickW := 0.0
	for _, t := range ya.ticks {
		yTickW = max(yTickW, textW(t.Label, fontSize))
	}
	fr := &frame{xa: xa, ya: ya, x0: x0 + yTickW + tickLen + 6, y0: y0 + 8, x1: x0 + w - 12, y1: y0 + h - tickLen - tickTextH - 6}
	if c.YLabel != "" {
		fr.x0 += axisLabelH
	}
	if c.Title != "" {
		fr.y0 += 20
	}
	if c.XLabel != "" {
		fr.y1 -= axisLabelH
	}
	if fr.stagger = crowded(xa.ticks, fr.x1-fr.x0, xa); fr.stagger {
		fr.y1 -= tickTextH
	}
	if n := len(xa.ticks); n > 0 {
		fr.x1 = min(fr.x1, x0+w-textW(xa.ticks[n-1].Label, fontSize)/2-4)
	}
	s.text((fr.x0+fr.x1)/2, y0+18, c.Title, "middle", 13, true)
	drawAxes(s, fr)
	s.text((fr.x0+fr.x1)/2, y0+h-6, c.XLabel, "middle", fontSize, false)
	if t := s.text(x0+14, (fr.y0+fr.y1)/2, c.YLabel, "middle", fontSize, false); t != nil {
		t.rotate = true
	}
	order := slices.Clone(c.Series)
	slices.SortStableFunc(order, func(a, b *Series) int { return boolRank(b.Faint) - boolRank(a.Faint) })
	for _, sr := range order {
		drawBand(s, fr, sr)
	}
	for _, sr := range order {
		drawLine(s, fr, sr)
	}
	for _, r := range c.Rules {
		drawRule(s, fr, r)
	}
	for _, sr := range order {
		drawMarkers(s, fr, sr)
	}
	for _, n := range c.Notes {
		if p, ok := fr.px(n.X, n.Y); ok {
			dy := -5.0
			if n.Below {
				dy = fontSize + 3
			}
			s.text(p.x, p.y+dy, n.Text, cmpOr(n.Anchor, "middle"), fontSize-1, false).halo = true
		}
	}
	return fr
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// drawAxes draws the grid at the ticks, the tick marks and labels, and the
// frame round the data area. The grid lines are one path, the tick marks
// another.
func drawAxes(s *scene, fr *frame) {
	grid := item{kind: pathItem, stroke: gridColor, width: 1}
	marks := item{kind: pathItem, stroke: frameColor, width: 1}
	segment := func(it *item, a, b pt) {
		if len(it.pts) > 0 {
			it.breaks = append(it.breaks, len(it.pts))
		}
		it.pts = append(it.pts, a, b)
	}
	for i, t := range fr.xa.ticks {
		x := fr.x0 + (t.At-fr.xa.lo)/(fr.xa.hi-fr.xa.lo)*(fr.x1-fr.x0)
		segment(&grid, pt{x, fr.y0}, pt{x, fr.y1})
		y := fr.y1 + tickLen + tickTextH - 3
		if fr.stagger && i%2 == 1 {
			y += tickTextH
		}
		segment(&marks, pt{x, fr.y1}, pt{x, y - tickTextH + 3})
		s.text(x, y, t.Label, "middle", fontSize, false)
	}
	for _, t := range fr.ya.ticks {
		y := fr.y1 - (t.At-fr.ya.lo)/(fr.ya.hi-fr.ya.lo)*(fr.y1-fr.y0)
		segment(&grid, pt{fr.x0, y}, pt{fr.x1, y})
		segment(&marks, pt{fr.x0 - tickLen, y}, pt{fr.x0, y})
		s.text(fr.x0-tickLen-3, y+4, t.Label, "end", fontSize, false)
	}
	for _, it := range []item{grid, marks} {
		if len(it.pts) > 0 {
			s.items = append(s.items, it)
		}
	}
	s.items = append(s.items, item{kind: pathItem, pts: []pt{{fr.x0, fr.y0}, {fr.x1, fr.y0}, {fr.x1, fr.y1}, {fr.x0, fr.y1}},
		closed: true, stroke: frameColor, width: 1})
}

// crowded reports whether two neighbouring x tick labels would overlap on
// an axis width pixels wide: their labels then go on two rows.
func crowded(ticks []Tick, width float64, a axis) bool {
	for i := 1; i < len(ticks); i++ {
		gap := (ticks[i].At - ticks[i-1].At) / (a.hi - a.lo) * width
		if (textW(ticks[i].Label, fontSize)+textW(ticks[i-1].Label, fontSize))/2+6 > gap {
			return true
		}
	}
	return false
}

// drawBand shades the band of sr between Lo and Hi, if it has one.
func drawBand(s *scene, fr *frame, sr *Series) {
	n := min(len(sr.X), len(sr.Lo), len(sr.Hi))
	var up, down []pt
	for i := range n {
		a, ok1 := fr.px(sr.X[i], sr.Hi[i])
		b, ok2 := fr.px(sr.X[i], sr.Lo[i])
		if ok1 && ok2 {
			up, down = append(up, a), append(down, b)
		}
	}
	if len(up) < 2 {
		return
	}
	slices.Reverse(down)
	s.items = append(s.items, item{kind: pathItem, pts: append(up, down...), closed: true, fill: sr.Color, opacity: 0.2})
}

// drawLine draws the line of sr, broken where a value cannot be shown.
func drawLine(s *scene, fr *frame, sr *Series) {
	if !sr.Line {
		return
	}
	it := item{kind: pathItem, stroke: sr.Color, width: cmpOrF(sr.Width, defaultLineW), dash: sr.Dash}
	if sr.Faint {
		it.width = 1
	}
	gap := true
	for i := range min(len(sr.X), len(sr.Y)) {
		p, ok := fr.px(sr.X[i], sr.Y[i])
		if !ok {
			gap = true
			continue
		}
		if gap && len(it.pts) > 0 {
			it.breaks = append(it.breaks, len(it.pts))
		}
		it.pts, gap = append(it.pts, p), false
	}
	if len(it.pts) > 0 {
		s.items = append(s.items, it)
	}
}

func cmpOrF(a, b float64) float64 {
	if a > 0 {
		return a
	}
	return b
}

// drawMarkers draws a marker at each point of sr, with its hover title.
func drawMarkers(s *scene, fr *frame, sr *Series) {
	if sr.Marker == "" {
		return
	}
	for i := range min(len(sr.X), len(sr.Y)) {
		p, ok := fr.px(sr.X[i], sr.Y[i])
		if !ok {
			continue
		}
		it := item{kind: markerItem, pts: []pt{p}, marker: sr.Marker, stroke: sr.Color, r: cmpOrF(sr.Size, defaultMarkerR)}
		if sr.Faint {
			it.opacity = 0.4
		}
		if i < len(sr.Titles) {
			it.title = sr.Titles[i]
		}
		s.items = append(s.items, it)
	}
}

// drawRule draws r across the data area, if its value is on the axis.
func drawRule(s *scene, fr *frame, r Rule) {
	var a, b pt
	if r.Vertical {
		f, ok := fr.xa.frac(r.At)
		if !ok {
			return
		}
		x := fr.x0 + f*(fr.x1-fr.x0)
		a, b = pt{x, fr.y0}, pt{x, fr.y1}
	} else {
		f, ok := fr.ya.frac(r.At)
		if !ok {
			return
		}
		y := fr.y1 - f*(fr.y1-fr.y0)
		a, b = pt{fr.x0, y}, pt{fr.x1, y}
	}
	s.path([]pt{a, b}, cmpOr(r.Color, ruleColor), 1.5, r.Dash)
}
