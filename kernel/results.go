package kernel

import (
	"fmt"
	"html"
	"sort"
	"strings"
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

// resultsText renders an outcome as a plain-text table (runtime's table).
func resultsText(o *runtime.Outcome) string {
	rows, _ := resultRows(o)
	var b strings.Builder
	b.WriteString(summaryLine(o) + "\n")
	if err := runtime.WriteTable(&b, o, rows); err != nil {
		fmt.Fprintf(&b, "(table: %v)\n", err)
	}
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
			cell := "—"
			if v, ok := t.Metrics[c]; ok {
				cell = runtime.FormatMetric(c, v)
			}
			b.WriteString("<td>" + cell + "</td>")
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

// paretoSVG renders the Pareto plot with runtime's renderer, so that the
// notebook shows the plot `hwnas plot` draws.
func paretoSVG(o *runtime.Outcome) (string, error) {
	var b strings.Builder
	if err := runtime.WritePlot(&b, o, "svg"); err != nil {
		return "", fmt.Errorf("pareto plot of %s: %w", o.Experiment, err)
	}
	return b.String(), nil
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
		best = fmt.Sprintf("best %s %s (trial %d)", ev.BestMetric, runtime.FormatMetric(ev.BestMetric, ev.Best), ev.BestTrial)
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
