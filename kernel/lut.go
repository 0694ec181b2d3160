package kernel

import (
	"context"
	"fmt"
	"html"
	"strings"
	"text/tabwriter"

	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/fpga/lut"
	"github.com/hwnas/hwnas/kernel/core"
)

// lutSyntax is the usage line of %lut.
const lutSyntax = "%lut EXPERIMENT [mode shared|pipeline]"

// lut shows the latency lookup table of a declared experiment's space on
// its platform, or its pool's multi-FPGA table (docs/lut.md), as a text
// and an HTML table.
func (d *dslCells) lut(_ context.Context, args string, _ *core.Output) (*core.ExecResult, error) {
	f := strings.Fields(args)
	bad := func(format string, a ...any) error { return usageError(lutSyntax, format, a...) }
	mode := fpga.Shared
	if len(f) == 3 && f[1] == "mode" {
		m, err := fpga.ParseMode(f[2])
		if err != nil || m == fpga.Multi {
			return nil, bad("%%lut: mode %q: want shared or pipeline", f[2])
		}
		mode = m
	} else if len(f) != 1 {
		return nil, bad("%%lut %q", args)
	}
	d.mu.Lock()
	e := d.sess.Spec().Experiments[f[0]]
	d.mu.Unlock()
	switch {
	case e == nil:
		return nil, bad("%%lut: no experiment %s declared in this session", f[0])
	case (e.Platform == nil && e.Pool == nil) || e.Space == nil || e.Space.Space == nil:
		return nil, bad("%%lut: experiment %s needs a space and a platform or a pool", f[0])
	case e.Pool != nil && len(f) == 3:
		return nil, bad("%%lut: experiment %s runs on a pool, whose table is multi: no mode to give", f[0])
	}
	var t *lut.Table
	var err error
	if e.Pool != nil {
		t, err = lut.BuildPool(e.Space.Space, e.Pool.Pool, fpga.Options{Precision: e.Pool.Precision})
	} else {
		t, err = lut.Build(e.Space.Space, e.Platform.Device, fpga.Options{Precision: e.Platform.Precision, Mode: mode})
	}
	if err != nil {
		return nil, &core.CellError{Name: "LutError", Value: err.Error()}
	}
	return &core.ExecResult{Data: map[string]any{"text/plain": lutText(t), "text/html": lutHTML(t)}}, nil
}

func lutText(t *lut.Table) string {
	var b strings.Builder
	b.WriteString(t.Title() + "\n")
	if t.Mode == fpga.Multi {
		b.WriteString("partition: " + t.Design + "\n")
	}
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, strings.Join(lut.Header, "\t")+"\t")
	for _, r := range t.Rows() {
		fmt.Fprintln(w, strings.Join(r, "\t")+"\t")
	}
	w.Flush()
	return b.String()
}

func lutHTML(t *lut.Table) string {
	var b strings.Builder
	caption := t.Title()
	if t.Mode == fpga.Multi {
		caption += "; partition: " + t.Design
	}
	fmt.Fprintf(&b, "<table class=\"hwnas-lut\">\n<caption>%s</caption>\n<thead><tr>", html.EscapeString(caption))
	for _, c := range lut.Header {
		b.WriteString("<th>" + html.EscapeString(c) + "</th>")
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, r := range t.Rows() {
		b.WriteString("<tr>")
		for _, v := range r {
			b.WriteString("<td>" + html.EscapeString(v) + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
	return b.String()
}
