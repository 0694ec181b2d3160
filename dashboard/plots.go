package dashboard

import (
	"bytes"
	"html/template"
	"strings"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/report"
)

// plots are the figures of an experiment's page, as inline SVG. This is the
// one place the dashboard calls the report package's renderer: the CLI,
// the kernel and the dashboard draw the same plots.
func plots(out *engine.Outcome) []figure {
	var b bytes.Buffer
	f := figure{Title: "Pareto front"}
	if err := report.WritePlot(&b, out, "svg"); err != nil {
		f.Error = err.Error()
	} else {
		f.SVG = template.HTML(inlineSVG(b.String()))
	}
	return []figure{f}
}

// inlineSVG drops what precedes the <svg> element of an SVG document (the
// XML declaration, a doctype), which HTML does not take inline.
func inlineSVG(doc string) string {
	if i := strings.Index(doc, "<svg"); i > 0 {
		return doc[i:]
	}
	return doc
}
