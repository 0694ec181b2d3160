package kernel

import (
	"fmt"
	"html"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hwnas/hwnas/runtime"
	"github.com/hwnas/hwnas/runtime/store"
)

// maxRows bounds the trials a results table lists (Pareto trials first).
const maxRows = 30

// resultColumns are the metrics a results table shows: the objectives, then
// the constrained metrics, then latency and accuracy when present.
func resultColumns(o *runtime.Outcome) []string {
	var cols []string
	add := func(m string) {
		for _, c := range cols {
			if c == m {
				return
			}
		}
		for _, t := range o.Trials {
			if _, ok := t.Metrics[m]; ok {
				cols = append(cols, m)
				return
			}
		}
	}
	for _, ob := range o.Objectives {
		add(ob.Metric)
	}
	for _, c := range o.Constraints {
		add(c.Metric)
	}
	add(runtime.Accuracy)
	add(runtime.LatencyMs)
	return cols
}

// resultRows orders trials: Pareto-optimal first, then feasible, then by the
// first objective, and keeps at most maxRows.
func resultRows(o *runtime.Outcome) (rows []runtime.Trial, pareto map[int]bool) {
	pareto = map[int]bool{}
	for _, id := range o.Pareto {
		pareto[id] = true
	}
	rows = append(rows, o.Trials...)
	var first runtime.Objective
	if len(o.Objectives) > 0 {
		first = o.Objectives[0]
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if pareto[a.ID] != pareto[b.ID] {
			return pareto[a.ID]
		}
		if a.Feasible != b.Feasible {
			return a.Feasible
		}
		x, y := a.Metrics[first.Metric], b.Metrics[first.Metric]
		if first.Maximize {
			return x > y
		}
		return x < y
	})
	if len(rows) > maxRows {
		rows = rows[:maxRows]
	}
	return rows, pareto
}

func formatMetric(v float64, ok bool) string {
	switch {
	case !ok:
		return "—"
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) < 1:
		return fmt.Sprintf("%.4f", v)
	}
	return fmt.Sprintf("%.3f", v)
}

func summaryLine(o *runtime.Outcome) string {
	var now runtime.Counts // trials evaluated by this run, by status
	resumed := 0
	for _, t := range o.Trials {
		if t.Resumed {
			resumed++
			continue
		}
		switch t.Status {
		case store.Trained:
			now.Trained++
		case store.Pruned:
			now.Pruned++
		case store.Cached:
			now.Cached++
		case store.Failed:
			now.Failed++
		}
	}
	return fmt.Sprintf("experiment %s: %d trials, %d evaluated in this run (%d trained, %d pruned, %d cached, %d failed), %d resumed from the store; %d on the Pareto front; %s",
		o.Experiment, len(o.Trials), len(o.Trials)-resumed, now.Trained, now.Pruned, now.Cached, now.Failed, resumed, len(o.Pareto), o.Wall.Round(time.Millisecond))
}

// resultsText renders an outcome as a plain-text table.
func resultsText(o *runtime.Outcome) string {
	cols := resultColumns(o)
	rows, pareto := resultRows(o)
	var b strings.Builder
	b.WriteString(summaryLine(o) + "\n")
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	head := []string{"trial", "pareto", "status"}
	for _, c := range cols {
		head = append(head, runtime.Label(c))
	}
	fmt.Fprintln(w, strings.Join(append(head, "network"), "\t"))
	for _, t := range rows {
		cells := []string{fmt.Sprint(t.ID), map[bool]string{true: "*", false: ""}[pareto[t.ID]], string(t.Status)}
		for _, c := range cols {
			v, ok := t.Metrics[c]
			cells = append(cells, formatMetric(v, ok))
		}
		fmt.Fprintln(w, strings.Join(append(cells, t.Network), "\t"))
	}
	w.Flush()
	if len(o.Trials) > len(rows) {
		fmt.Fprintf(&b, "(%d more trials not shown)\n", len(o.Trials)-len(rows))
	}
	return b.String()
}

// resultsHTML renders an outcome as an HTML table.
func resultsHTML(o *runtime.Outcome) string {
	cols := resultColumns(o)
	rows, pareto := resultRows(o)
	var b strings.Builder
	b.WriteString(`<div class="hwnas-results"><p>` + html.EscapeString(summaryLine(o)) + "</p>\n<table>\n<thead><tr><th>trial</th><th>pareto</th><th>status</th>")
	for _, c := range cols {
		b.WriteString("<th>" + html.EscapeString(runtime.Label(c)) + "</th>")
	}
	b.WriteString("<th>network</th></tr></thead>\n<tbody>\n")
	for _, t := range rows {
		style := ""
		if pareto[t.ID] {
			style = ` style="font-weight:bold"`
		}
		fmt.Fprintf(&b, "<tr%s><td>%d</td><td>%s</td><td>%s</td>", style, t.ID, map[bool]string{true: "★", false: ""}[pareto[t.ID]], html.EscapeString(string(t.Status)))
		for _, c := range cols {
			v, ok := t.Metrics[c]
			b.WriteString("<td>" + formatMetric(v, ok) + "</td>")
		}
		b.WriteString("<td>" + html.EscapeString(t.Network) + "</td></tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
	if len(o.Trials) > len(rows) {
		fmt.Fprintf(&b, "<p>%d more trials not shown</p>\n", len(o.Trials)-len(rows))
	}
	b.WriteString("</div>\n")
	return b.String()
}

// plotAxes picks the Pareto plot's axes: y is the first objective, x the
// second objective, else latency, else the trial number.
func plotAxes(o *runtime.Outcome) (x, y string) {
	y = runtime.Accuracy
	if len(o.Objectives) > 0 {
		y = o.Objectives[0].Metric
	}
	if len(o.Objectives) > 1 {
		return o.Objectives[1].Metric, y
	}
	if y != runtime.LatencyMs {
		for _, t := range o.Trials {
			if _, ok := t.Metrics[runtime.LatencyMs]; ok {
				return runtime.LatencyMs, y
			}
		}
	}
	return "", y
}

// paretoSVG plots every trial with both metrics on the two axes, feasible
// trials filled, and the Pareto front joined by a line.
func paretoSVG(o *runtime.Outcome) string {
	const W, H, L, R, T, B = 480.0, 320.0, 64.0, 16.0, 24.0, 48.0
	xm, ym := plotAxes(o)
	type pt struct {
		x, y            float64
		feasible, front bool
		id              int
	}
	pareto := map[int]bool{}
	for _, id := range o.Pareto {
		pareto[id] = true
	}
	var pts []pt
	for _, t := range o.Trials {
		yv, ok := t.Metrics[ym]
		if !ok {
			continue
		}
		xv := float64(t.ID)
		if xm != "" {
			v, ok := t.Metrics[xm]
			if !ok {
				continue
			}
			xv = v
		}
		pts = append(pts, pt{xv, yv, t.Feasible, pareto[t.ID], t.ID})
	}
	xLabel := "trial"
	if xm != "" {
		xLabel = runtime.Label(xm)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="11">`+"\n", W, H, W, H)
	fmt.Fprintf(&b, `<rect width="%.0f" height="%.0f" fill="white"/>`+"\n", W, H)
	fmt.Fprintf(&b, `<text x="%.0f" y="16" text-anchor="middle" font-size="13">%s: Pareto front</text>`+"\n", W/2, html.EscapeString(o.Experiment))
	if len(pts) == 0 {
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="middle">no trial has %s yet</text>`+"\n</svg>\n", W/2, H/2, html.EscapeString(ym))
		return b.String()
	}
	x0, x1, y0, y1 := pts[0].x, pts[0].x, pts[0].y, pts[0].y
	for _, p := range pts {
		x0, x1, y0, y1 = math.Min(x0, p.x), math.Max(x1, p.x), math.Min(y0, p.y), math.Max(y1, p.y)
	}
	if x1 == x0 {
		x0, x1 = x0-1, x1+1
	}
	if y1 == y0 {
		y0, y1 = y0-1, y1+1
	}
	px := func(v float64) float64 { return L + (v-x0)/(x1-x0)*(W-L-R) }
	py := func(v float64) float64 { return H - B - (v-y0)/(y1-y0)*(H-T-B) }
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="black"/>`+"\n", L, H-B, W-R, H-B)
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="black"/>`+"\n", L, T, L, H-B)
	for i := 0; i <= 4; i++ {
		xv, yv := x0+(x1-x0)*float64(i)/4, y0+(y1-y0)*float64(i)/4
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle">%s</text>`+"\n", px(xv), H-B+14, formatMetric(xv, true))
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end">%s</text>`+"\n", L-4, py(yv)+4, formatMetric(yv, true))
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="middle">%s</text>`+"\n", (L+W-R)/2, H-12, html.EscapeString(xLabel))
	fmt.Fprintf(&b, `<text x="14" y="%.0f" text-anchor="middle" transform="rotate(-90 14 %.0f)">%s</text>`+"\n", (T+H-B)/2, (T+H-B)/2, html.EscapeString(runtime.Label(ym)))
	var front []pt
	for _, p := range pts {
		if p.front {
			front = append(front, p)
		}
	}
	sort.Slice(front, func(i, j int) bool { return front[i].x < front[j].x })
	if len(front) > 1 {
		b.WriteString(`<polyline fill="none" stroke="#e63946" stroke-width="1.5" points="`)
		for i, p := range front {
			if i > 0 {
				b.WriteString(" ")
			}
			fmt.Fprintf(&b, "%.1f,%.1f", px(p.x), py(p.y))
		}
		b.WriteString("\"/>\n")
	}
	for _, p := range pts {
		fill, stroke := "white", "#457b9d"
		switch {
		case p.front:
			fill, stroke = "#e63946", "#e63946"
		case p.feasible:
			fill = "#457b9d"
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s" stroke="%s"><title>trial %d</title></circle>`+"\n", px(p.x), py(p.y), fill, stroke, p.id)
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// progressBundle renders one progress event of a run as text and HTML.
func progressBundle(name string, ev runtime.Event, state string) map[string]any {
	frac := 0.0
	total := fmt.Sprint(ev.Total)
	if ev.Total > 0 {
		frac = float64(ev.Done) / float64(ev.Total)
	} else {
		total = "?"
	}
	best := "none feasible yet"
	if ev.BestTrial >= 0 && ev.BestMetric != "" {
		best = fmt.Sprintf("best %s %s (trial %d)", ev.BestMetric, formatMetric(ev.Best, true), ev.BestTrial)
	}
	c := ev.Counts
	line := fmt.Sprintf("%s %s: %d/%s trials, %d trained, %d pruned, %d cached, %d resumed, %d failed; %s; %s elapsed",
		name, state, ev.Done, total, c.Trained, c.Pruned, c.Cached, c.Resumed, c.Failed, best, ev.Elapsed.Round(100*time.Millisecond))
	if ev.ETA > 0 && state == "running" {
		line += fmt.Sprintf(", about %s left", ev.ETA.Round(time.Second))
	}
	bar := int(frac * 30)
	text := "[" + strings.Repeat("#", bar) + strings.Repeat(".", 30-bar) + "] " + line
	htmlBar := fmt.Sprintf(`<div class="hwnas-progress"><progress value="%d" max="%d" style="width:20em"></progress> <span>%s</span></div>`,
		ev.Done, max(ev.Total, ev.Done, 1), html.EscapeString(line))
	return map[string]any{"text/plain": text, "text/html": htmlBar}
}
