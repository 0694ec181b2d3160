package report

import (
	"fmt"
	"html"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"

	"github.com/hwnas/hwnas/metric"
)

// WriteHTML writes trials as an HTML table with the columns of WriteTable:
// id, Pareto mark, status, the metric columns and the network. Rows on the
// Pareto front are bold (an inline style, so that notebooks without the
// table's CSS show it too) and of class "pareto"; unmeasured metrics are "-".
// A failed trial's reason is under its network, in red; a pruned or failed
// trial's status cell shows the reason on hover. Every text is escaped.
func WriteHTML(w io.Writer, out *engine.Outcome, trials []engine.Trial) error {
	cols := columns(out, trials)
	var b strings.Builder
	b.WriteString("<table class=\"hwnas-results\">\n<thead><tr><th>id</th><th>pareto</th><th>status</th>")
	for _, c := range cols {
		b.WriteString("<th>" + html.EscapeString(metric.Label(c)) + "</th>")
	}
	b.WriteString("<th>network</th></tr></thead>\n<tbody>\n")
	for _, t := range trials {
		onFront := slices.Contains(out.Pareto, t.ID)
		if onFront {
			b.WriteString(`<tr class="pareto" style="font-weight:bold"><td>` + strconv.Itoa(t.ID) + "</td><td>★</td>")
		} else {
			b.WriteString("<tr><td>" + strconv.Itoa(t.ID) + "</td><td></td>")
		}
		b.WriteString(statusCell(&t))
		for _, c := range cols {
			cell := "-"
			if v, ok := t.Metrics[c]; ok {
				cell = metric.Format(c, v)
			}
			b.WriteString(`<td style="text-align:right">` + html.EscapeString(cell) + "</td>")
		}
		b.WriteString("<td>" + html.EscapeString(t.Network) + failedReason(&t) + "</td></tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing the HTML table: %w", err)
	}
	return nil
}

// statusCell is a trial's status word (the engine's), with the reason a
// pruned or failed trial has as its hover text.
func statusCell(t *engine.Trial) string {
	label := html.EscapeString(engine.StatusLabel(t))
	if t.Error != "" && (t.Status == store.Failed || t.Status == store.Pruned) {
		return `<td title="` + html.EscapeString(t.Error) + `">` + label + "</td>"
	}
	return "<td>" + label + "</td>"
}

// failedReason is the reason a failed trial failed, as a line under its
// network, or "" for any other trial.
func failedReason(t *engine.Trial) string {
	if t.Status != store.Failed || t.Error == "" {
		return ""
	}
	return `<div class="hwnas-error" style="color:#b00000">error: ` + html.EscapeString(strings.ReplaceAll(t.Error, "\n", " ")) + "</div>"
}
