package report

// A legendEntry is one line of a figure's legend.
type legendEntry struct {
	label, color, marker string
	line, dash, band     bool
}

// legendEntries lists the named series and labelled rules of charts, each
// name once, in order of first appearance.
func legendEntries(charts []*Chart) []legendEntry {
	var out []legendEntry
	seen := map[string]bool{}
	add := func(e legendEntry) {
		if e.label != "" && !seen[e.label] {
			seen[e.label] = true
			out = append(out, e)
		}
	}
	for _, c := range charts {
		for _, s := range c.Series {
			add(legendEntry{label: s.Name, color: s.Color, marker: s.Marker, line: s.Line, dash: s.Dash, band: s.Lo != nil})
		}
		for _, r := range c.Rules {
			add(legendEntry{label: r.Label, color: cmpOr(r.Color, ruleColor), line: true, dash: r.Dash})
		}
	}
	return out
}

// drawLegend draws the entries in a column from (x, y) down.
func drawLegend(s *scene, entries []legendEntry, x, y float64) {
	for i, e := range entries {
		cy := y + float64(i)*legendLineH + legendLineH/2
		if e.band {
			s.items = append(s.items, item{kind: pathItem, closed: true, fill: e.color, opacity: 0.2,
				pts: []pt{{x, cy - 6}, {x + legendSwatch, cy - 6}, {x + legendSwatch, cy + 6}, {x, cy + 6}}})
		}
		if e.line {
			s.path([]pt{{x, cy}, {x + legendSwatch, cy}}, e.color, defaultLineW, e.dash)
		}
		if e.marker != "" {
			s.items = append(s.items, item{kind: markerItem, pts: []pt{{x + legendSwatch/2, cy}}, marker: e.marker, stroke: e.color, r: defaultMarkerR, legend: true})
		}
		s.text(x+legendSwatch+8, cy+4, e.label, "start", fontSize, false)
	}
}
