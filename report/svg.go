package report

import (
	"fmt"
	"html"
	"slices"
	"strings"
)

// writeSVG writes s as a standalone SVG document. Markers carry their
// hover text as a <title> child, which browsers and Jupyter show on hover.
// Attributes are in single quotes: a notebook stores the SVG as JSON,
// which would escape every double one. A picture wider than the page
// shrinks to fit it (max-width), keeping its proportions (the viewBox).
func writeSVG(b *strings.Builder, s *scene) {
	fmt.Fprintf(b, `<svg xmlns='http://www.w3.org/2000/svg' width='%s' height='%s' viewBox='0 0 %s %s' style='max-width:100%%;height:auto' font-family='sans-serif' font-size='%s'>`+"\n",
		num(s.w), num(s.h), num(s.w), num(s.h), num(fontSize))
	fmt.Fprintf(b, `<rect width='%s' height='%s' fill='white'/>`+"\n", num(s.w), num(s.h))
	group := "" // the style of the open group of markers, if any
	for _, it := range s.items {
		if it.kind != markerItem && group != "" {
			b.WriteString("</g>\n")
			group = ""
		}
		switch it.kind {
		case pathItem:
			svgPath(b, it)
		case markerItem:
			group = svgMarker(b, it, group)
		case textItem:
			svgText(b, it)
		}
	}
	if group != "" {
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>\n")
}

// num writes a coordinate with one decimal at most.
func num(v float64) string {
	s := fmt.Sprintf("%.1f", v)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		return "0"
	}
	return s
}

func svgPath(b *strings.Builder, it item) {
	var d strings.Builder
	for i, p := range it.pts {
		op := "L"
		if i == 0 || slices.Contains(it.breaks, i) {
			op = "M"
		}
		fmt.Fprintf(&d, "%s%s %s", op, num(p.x), num(p.y))
	}
	if it.closed {
		d.WriteString("Z")
	}
	attrs := `fill='none'`
	if it.fill != "" {
		attrs = `fill='` + it.fill + `'`
		if it.opacity > 0 {
			attrs += ` fill-opacity='` + num2(it.opacity) + `'`
		}
	}
	if it.stroke != "" {
		attrs += fmt.Sprintf(` stroke='%s' stroke-width='%s'`, it.stroke, num(it.width))
	}
	if it.dash {
		attrs += ` stroke-dasharray='6 4'`
	}
	fmt.Fprintf(b, `<path d='%s' %s/>`+"\n", d.String(), attrs)
}

func num2(v float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}

// svgMarker draws a marker; its shapes match the PNG writer's (markerPath).
// Markers of one style share a <g> that carries it, so that a plot of
// hundreds of trials stays small: group is the style of the open group,
// and svgMarker returns the style open after it.
func svgMarker(b *strings.Builder, it item, group string) string {
	p, r, c := it.pts[0], it.r, it.stroke
	var tag, geom, style string
	switch it.marker {
	case "ring":
		tag, geom = "circle", fmt.Sprintf(`cx='%s' cy='%s' r='%s'`, num(p.x), num(p.y), num(r))
		style = fmt.Sprintf(`fill='white' fill-opacity='0.6' stroke='%s' stroke-width='1.5'`, c)
	case "circle":
		tag, geom = "circle", fmt.Sprintf(`cx='%s' cy='%s' r='%s'`, num(p.x), num(p.y), num(r))
		style = fmt.Sprintf(`fill='%s' fill-opacity='0.8' stroke='%s' stroke-width='0.8'`, c, c)
	default:
		tag, geom, style = "path", svgMarkerPath(it.marker, p, r), fmt.Sprintf(`fill='%s' stroke='%s' stroke-width='0.8'`, c, c)
		if it.marker == "cross" || it.marker == "x" {
			style = fmt.Sprintf(`fill='none' stroke='%s' stroke-width='2'`, c)
		}
	}
	if it.opacity > 0 {
		style += ` opacity='` + num2(it.opacity) + `'` // a faint marker
	}
	if style != group {
		if group != "" {
			b.WriteString("</g>\n")
		}
		fmt.Fprintf(b, "<g %s>\n", style)
	}
	if it.title == "" {
		fmt.Fprintf(b, "<%s %s/>\n", tag, geom)
	} else {
		fmt.Fprintf(b, "<%s %s><title>%s</title></%s>\n", tag, geom, html.EscapeString(it.title), tag)
	}
	return style
}

// svgMarkerPath is the d attribute of a square, triangle, cross or x.
func svgMarkerPath(marker string, p pt, r float64) string {
	cross := marker == "cross" || marker == "x"
	var d strings.Builder
	for i, q := range markerPath(marker, p, r) {
		op := "L"
		if i == 0 || cross && i%2 == 0 {
			op = "M"
		}
		fmt.Fprintf(&d, "%s%s %s", op, num(q.x), num(q.y))
	}
	if !cross {
		d.WriteString("Z")
	}
	return `d='` + d.String() + `'`
}

// markerPath returns the outline of a square or triangle marker at p, or
// the two strokes (pairs of points) of a cross or an x.
func markerPath(marker string, p pt, r float64) []pt {
	switch marker {
	case "square":
		r *= 0.9
		return []pt{{p.x - r, p.y - r}, {p.x + r, p.y - r}, {p.x + r, p.y + r}, {p.x - r, p.y + r}}
	case "triangle":
		r *= 1.2
		return []pt{{p.x, p.y - r}, {p.x + r*0.866, p.y + r/2}, {p.x - r*0.866, p.y + r/2}}
	case "cross":
		return []pt{{p.x - r, p.y}, {p.x + r, p.y}, {p.x, p.y - r}, {p.x, p.y + r}}
	default: // x
		return []pt{{p.x - r, p.y - r}, {p.x + r, p.y + r}, {p.x - r, p.y + r}, {p.x + r, p.y - r}}
	}
}

func svgText(b *strings.Builder, it item) {
	p := it.pts[0]
	attrs := ""
	if it.anchor != "start" {
		attrs += ` text-anchor='` + it.anchor + `'`
	}
	if it.size != fontSize {
		attrs += ` font-size='` + num(it.size) + `'`
	}
	if it.bold {
		attrs += ` font-weight='bold'`
	}
	if it.halo {
		attrs += ` stroke='white' stroke-width='3' paint-order='stroke'`
	}
	if it.rotate {
		fmt.Fprintf(b, `<text transform='translate(%s %s) rotate(-90)'%s>%s</text>`+"\n", num(p.x), num(p.y), attrs, html.EscapeString(it.text))
		return
	}
	fmt.Fprintf(b, `<text x='%s' y='%s'%s>%s</text>`+"\n", num(p.x), num(p.y), attrs, html.EscapeString(it.text))
}
