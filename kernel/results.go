package kernel

import (
	"fmt"
	"html"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hwnas/hwnas/metric"
	"github.com/hwnas/hwnas/report"

	"github.com/hwnas/hwnas/engine"
)

// maxRows bounds the trials a results table lists (Pareto trials first).
const maxRows = 30

// resultRows orders trials: Pareto-optimal first, then feasible, then by the
// first objective, and keeps at most maxRows.
func resultRows(o *engine.Outcome) (rows []engine.Trial, pareto map[int]bool) {
	pareto = map[int]bool{}
	for _, id := range o.Pareto {
		pareto[id] = true
	}
	rows = append(rows, o.Trials...)
	var first engine.Objective
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

// summaryLine says what a run did, counted from its trials (so that it
// holds for outcomes read back from a store too).
func summaryLine(o *engine.Outcome) string {
	var now engine.Counts // trials evaluated by this run, by status
	for i := range o.Trials {
		now.Add(&o.Trials[i])
	}
	line := fmt.Sprintf("experiment %s: %d trials, %d evaluated in this run (%s), %d resumed from the store; %d on the Pareto front; %s",
		o.Experiment, len(o.Trials), len(o.Trials)-now.Resumed, now.String(), now.Resumed, len(o.Pareto), o.Wall.Round(time.Millisecond))
	for _, note := range o.Notes() {
		line += "; " + note
	}
	for _, m := range o.NearestMisses() {
		line += "; " + m
	}
	return line
}

// resultsText renders an outcome as a plain-text table (the engine's table).
func resultsText(o *engine.Outcome) string {
	rows, _ := resultRows(o)
	var b strings.Builder
	b.WriteString(summaryLine(o) + "\n")
	if err := report.WriteTable(&b, o, rows); err != nil {
		fmt.Fprintf(&b, "(table: %v)\n", err)
	}
	if len(o.Trials) > len(rows) {
		fmt.Fprintf(&b, "(%d more trials not shown)\n", len(o.Trials)-len(rows))
	}
	return b.String()
}

// resultsHTML renders an outcome as an HTML table (the engine's renderer, the
// same columns as the text table).
func resultsHTML(o *engine.Outcome) string {
	rows, _ := resultRows(o)
	var b strings.Builder
	b.WriteString(`<div class="hwnas-results"><p>` + html.EscapeString(summaryLine(o)) + "</p>\n")
	if err := report.WriteHTML(&b, o, rows); err != nil {
		fmt.Fprintf(&b, "<p>(table: %s)</p>\n", html.EscapeString(err.Error()))
	}
	if len(o.Trials) > len(rows) {
		fmt.Fprintf(&b, "<p>%d more trials not shown</p>\n", len(o.Trials)-len(rows))
	}
	b.WriteString("</div>\n")
	return b.String()
}

// paretoSVG renders the Pareto plot with the engine's renderer, so that the
// notebook shows the plot `hwnas plot` draws.
func paretoSVG(o *engine.Outcome) (string, error) {
	var b strings.Builder
	if err := report.WritePlot(&b, o, "svg"); err != nil {
		return "", fmt.Errorf("pareto plot of %s: %w", o.Experiment, err)
	}
	return b.String(), nil
}

// progressBundle renders one progress event of a run as text and HTML.
func progressBundle(name string, ev engine.Event, state string) map[string]any {
	frac := 0.0
	total := fmt.Sprint(ev.Total)
	if ev.Total > 0 {
		frac = min(float64(ev.Done)/float64(ev.Total), 1) // retrained trials come after the budget
	} else {
		total = "?"
	}
	best := "none feasible yet"
	if ev.BestTrial >= 0 && ev.BestMetric != "" {
		best = fmt.Sprintf("best %s %s (trial %d)", ev.BestMetric, metric.Format(ev.BestMetric, ev.Best), ev.BestTrial)
	}
	c := ev.Counts
	line := fmt.Sprintf("%s %s: %d/%s trials, %s, %d resumed; %s; %s elapsed",
		name, state, ev.Done, total, c, c.Resumed, best, ev.Elapsed.Round(100*time.Millisecond))
	if ev.Kind == engine.SupernetEpoch || ev.Kind == engine.DiffEpoch {
		line = fmt.Sprintf("%s %s: %s; %s elapsed", name, state, ev.Note, ev.Elapsed.Round(100*time.Millisecond))
	}
	if ev.ETA > 0 && state == "running" {
		line += fmt.Sprintf(", about %s left", ev.ETA.Round(time.Second))
	}
	bar := int(frac * 30)
	text := "[" + strings.Repeat("#", bar) + strings.Repeat(".", 30-bar) + "] " + line
	htmlBar := fmt.Sprintf(`<div class="hwnas-progress"><progress value="%d" max="%d" style="width:20em"></progress> <span>%s</span></div>`,
		ev.Done, max(ev.Total, ev.Done, 1), html.EscapeString(line))
	return map[string]any{"text/plain": text, "text/html": htmlBar}
}

// withArch adds the architecture distribution of a differentiable search's
// last epoch under a progress bundle: per position, every candidate's
// probability as text and as an HTML table of bars.
func withArch(b map[string]any, a *engine.ArchEpoch) map[string]any {
	if a == nil {
		return b
	}
	b["text/plain"] = b["text/plain"].(string) + "\n" + strings.Join(a.Distribution(), "\n")
	var h strings.Builder
	fmt.Fprintf(&h, `<table class="hwnas-arch"><caption>%s: p = softmax(θ) after epoch %d/%d, E[latency] %.4g ms</caption>`+"\n",
		html.EscapeString(a.Strategy+" "+a.Sweep), a.Epoch, a.Epochs, a.LatencyMs)
	for _, p := range a.Positions {
		fmt.Fprintf(&h, "<tr><th>%s</th>", html.EscapeString(p.Name))
		best := slices.Index(p.Probs, slices.Max(p.Probs))
		for k, c := range p.Candidates {
			weight := "normal"
			if k == best {
				weight = "bold"
			}
			fmt.Fprintf(&h, `<td style="font-weight:%s;background:linear-gradient(to right,#9ecae1 %.0f%%,transparent %.0f%%)">%s %.0f%%</td>`,
				weight, 100*p.Probs[k], 100*p.Probs[k], html.EscapeString(c), 100*p.Probs[k])
		}
		h.WriteString("</tr>\n")
	}
	h.WriteString("</table>")
	b["text/html"] = b["text/html"].(string) + h.String()
	return b
}
