package kernel

import (
	"context"
	"fmt"
	"html"
	"strings"
	"text/tabwriter"

	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/internal/suggest"
	"github.com/hwnas/hwnas/kernel/core"
)

// magic is one line magic: its usage line and its handler.
type magic struct {
	usage string
	run   func(s *Session, ctx context.Context, args string, out *core.Output) (*core.ExecResult, error)
}

var magicTable map[string]magic

func init() {
	magicTable = map[string]magic{
		"help":      {"%help — this list", (*Session).magicHelp},
		"platforms": {"%platforms [filter] — the FPGA platform catalog", (*Session).magicPlatforms},
		"estimate":  {estimateSyntax + " — FPGA estimate of a zoo network or NAS-Bench-201 cell (nb201:CELL)", (*Session).magicEstimate},
		"reset":     {"%reset — forget every declaration, result view and Go value", (*Session).magicReset},
		"cache":     {"%cache — what the result store and the caches hold", (*Session).magicCache},
		"export":    {exportSyntax + " — write a stored trial as ONNX and/or HLS C++", (*Session).magicExport},
		"lut":       {lutSyntax + " — the latency lookup table of an experiment's space on its platform", (*Session).magicLut},
	}
}

// magicNames lists the magics in help order.
var magicNames = []string{"help", "platforms", "estimate", "lut", "export", "cache", "reset"}

// magics runs a cell made of line magics, one per line.
func (s *Session) magics(ctx context.Context, body string, out *core.Output) (*core.ExecResult, error) {
	var res *core.ExecResult
	for n, line := range strings.Split(body, "\n") {
		t := strings.TrimSpace(line)
		if t == "" {
			continue
		}
		if !strings.HasPrefix(t, "%") || strings.HasPrefix(t, "%%") {
			return nil, &core.CellError{Name: "MagicError", Value: fmt.Sprintf("line %d: %q: a magic cell holds one %%magic per line (cell magics such as %%%%go must be the first line)", n+1, t)}
		}
		name, args, _ := strings.Cut(t[1:], " ")
		m, ok := magicTable[name]
		if !ok {
			return nil, &core.CellError{Name: "MagicError", Value: fmt.Sprintf("line %d: unknown magic %%%s%s; %%help lists the magics", n+1, name, didYouMean(name))}
		}
		r, err := m.run(s, ctx, strings.TrimSpace(args), out)
		if err != nil {
			return nil, err
		}
		if r != nil && r.Data != nil {
			res = r
		}
	}
	if res == nil {
		res = &core.ExecResult{}
	}
	return res, nil
}

// didYouMean returns ` (did you mean %x?)` for the magic nearest to name,
// or "".
func didYouMean(name string) string {
	if best, ok := suggest.Closest(name, magicNames); ok {
		return fmt.Sprintf(" (did you mean %%%s?)", best)
	}
	return ""
}

func helpText() string {
	var b strings.Builder
	b.WriteString("hwnas cells\n\n")
	b.WriteString("  DSL cell     declarations (platform, space, dataset, experiment, ...) accumulate in the session;\n")
	b.WriteString("               `run NAME` runs an experiment with live progress; cached trials are never re-evaluated\n")
	b.WriteString("  %%go cell    Go code run by yaegi; values persist between cells; the display package is imported\n")
	b.WriteString("  NAME?        show the documentation of a name\n\nmagics\n\n")
	for _, n := range magicNames {
		b.WriteString("  " + magicTable[n].usage + "\n")
	}
	b.WriteString("\n" + displayDoc + "\n")
	return b.String()
}

func (s *Session) magicHelp(_ context.Context, _ string, out *core.Output) (*core.ExecResult, error) {
	out.Display(map[string]any{"text/plain": helpText(), "text/markdown": "```\n" + helpText() + "```\n"}, nil, "")
	return nil, nil
}

func (s *Session) magicReset(_ context.Context, args string, out *core.Output) (*core.ExecResult, error) {
	if args != "" {
		return nil, &core.CellError{Name: "MagicError", Value: fmt.Sprintf("%%reset takes no arguments, got %q", args)}
	}
	if err := s.reset(); err != nil {
		return nil, fmt.Errorf("%%reset: %w", err)
	}
	out.Stream("stdout", "session reset: declarations, results and Go values forgotten (the store keeps every trial)\n")
	return nil, nil
}

func (s *Session) magicCache(ctx context.Context, args string, out *core.Output) (*core.ExecResult, error) {
	return s.dsl.cache(ctx, args, out)
}

func (s *Session) magicExport(ctx context.Context, args string, out *core.Output) (*core.ExecResult, error) {
	return s.dsl.export(ctx, args, out)
}

func (s *Session) magicLut(ctx context.Context, args string, out *core.Output) (*core.ExecResult, error) {
	return s.dsl.lut(ctx, args, out)
}

func (s *Session) magicEstimate(ctx context.Context, args string, out *core.Output) (*core.ExecResult, error) {
	return s.dsl.estimate(ctx, args, out)
}

// magicPlatforms lists the catalog, optionally filtered by a substring of
// the name, an alias, the device, its product line (zynq) or the family.
func (s *Session) magicPlatforms(_ context.Context, args string, _ *core.Output) (*core.ExecResult, error) {
	var ps []fpga.Platform
	f := strings.ToLower(args)
	for _, p := range fpga.Catalog() {
		if f == "" || strings.Contains(strings.ToLower(strings.Join(append([]string{p.Name, p.Device, p.Line(), string(p.Family)}, p.Aliases...), " ")), f) {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		return nil, &core.CellError{Name: "MagicError", Value: fmt.Sprintf("%%platforms: no platform matches %q; %%platforms lists them all", args)}
	}
	return &core.ExecResult{Data: map[string]any{"text/plain": platformsText(ps), "text/html": platformsHTML(ps)}}, nil
}

var platformCols = []string{"name", "device", "family", "DSP", "BRAM18", "URAM", "LUT", "GB/s", "MHz", "static W"}

func platformRow(p fpga.Platform) []string {
	return []string{p.Name, p.Device, string(p.Family), fmt.Sprint(p.DSP), fmt.Sprint(p.BRAM18), fmt.Sprint(p.URAM),
		fmt.Sprint(p.LUT), fmt.Sprintf("%.1f", p.BandwidthGBs), fmt.Sprintf("%.0f", p.ClockMHz), fmt.Sprintf("%.1f", p.StaticW)}
}

func platformsText(ps []fpga.Platform) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, strings.Join(platformCols, "\t")+"\t")
	for _, p := range ps {
		fmt.Fprintln(w, strings.Join(platformRow(p), "\t")+"\t")
	}
	w.Flush()
	return b.String()
}

func platformsHTML(ps []fpga.Platform) string {
	var b strings.Builder
	b.WriteString("<table class=\"hwnas-platforms\">\n<thead><tr>")
	for _, c := range platformCols {
		b.WriteString("<th>" + html.EscapeString(c) + "</th>")
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, p := range ps {
		b.WriteString("<tr>")
		for _, v := range platformRow(p) {
			b.WriteString("<td>" + html.EscapeString(v) + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
	return b.String()
}

// usageError is a magic's error that ends with its usage line.
func usageError(usage, format string, a ...any) error {
	return &core.CellError{Name: "MagicError", Value: fmt.Sprintf(format, a...) + "; usage: " + usage}
}
