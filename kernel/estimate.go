package kernel

import (
	"context"
	"fmt"
	"html"
	"strings"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/kernel/core"
)

// estimateSyntax is the one usage line of %estimate, shown by %help and in
// its errors.
const estimateSyntax = "%estimate MODEL on PLATFORM [precision P] [mode shared|pipeline] [clock MHZ]"

const estimateUsage = estimateSyntax + "; MODEL is a zoo network or nb201:CELL"

// estimate runs the FPGA model for a zoo network or a NAS-Bench-201 cell,
// searching the tiling, and shows the report.
func (d *dslCells) estimate(_ context.Context, args string, _ *core.Output) (*core.ExecResult, error) {
	f := strings.Fields(args)
	if len(f) < 3 || f[1] != "on" {
		return nil, badEstimate("%%estimate %q: want MODEL on PLATFORM", args)
	}
	n, err := estimateNetwork(f[0])
	if err != nil {
		return nil, err
	}
	p, err := fpga.Lookup(f[2])
	if err != nil {
		return nil, badEstimate("%%estimate: %v", err)
	}
	o, err := estimateOptions(f[3:])
	if err != nil {
		return nil, err
	}
	design, r, err := fpga.Optimize(n, p, o)
	if err != nil {
		return nil, &core.CellError{Name: "EstimateError", Value: fmt.Sprintf("%s on %s: %v", f[0], p.Name, err)}
	}
	return estimateResult(f[0], n, p, design, r), nil
}

// badEstimate is a usage error of %estimate.
func badEstimate(format string, a ...any) error {
	return usageError(estimateUsage, format, a...)
}

// estimateNetwork returns a zoo network, or the network of nb201:CELL.
func estimateNetwork(model string) (*arch.Network, error) {
	var n *arch.Network
	var err error
	if cell, ok := strings.CutPrefix(model, "nb201:"); ok {
		n, err = nb201.Network(cell)
	} else {
		n, err = arch.Zoo(model)
	}
	if err != nil {
		return nil, badEstimate("%%estimate: network %s: %v (zoo: %s)", model, err, strings.Join(arch.ZooNames(), ", "))
	}
	return n, nil
}

// estimateOptions reads the [precision P] [mode M] [clock MHZ] pairs.
func estimateOptions(f []string) (fpga.Options, error) {
	o := fpga.Options{Goal: fpga.MinLatency, Mode: fpga.Shared, Precision: fpga.Int16}
	var err error
	for i := 0; i < len(f); i += 2 {
		if i+1 >= len(f) {
			return o, badEstimate("%%estimate: %s needs a value", f[i])
		}
		v := f[i+1]
		switch f[i] {
		case "precision":
			if o.Precision, err = fpga.ParsePrecision(v); err != nil {
				return o, badEstimate("%%estimate: precision: %v", err)
			}
		case "mode":
			if o.Mode, err = fpga.ParseMode(v); err != nil || o.Mode == fpga.Multi {
				return o, badEstimate("%%estimate: mode %q: want shared or pipeline", v)
			}
		case "clock":
			if _, err := fmt.Sscanf(v, "%g", &o.ClockMHz); err != nil || o.ClockMHz <= 0 || o.ClockMHz > 2000 {
				return o, badEstimate("%%estimate: clock %q: want MHz between 0 and 2000", v)
			}
		default:
			return o, badEstimate("%%estimate: unknown option %q", f[i])
		}
	}
	return o, nil
}

// estimateResult is the report of one estimate as a text and an HTML table.
func estimateResult(model string, n *arch.Network, p fpga.Platform, design fpga.Design, r fpga.Report) *core.ExecResult {
	rows := [][2]string{
		{"network", fmt.Sprintf("%s (%s)", model, n.Summary())},
		{"platform", fmt.Sprintf("%s (%s: %d DSP, %d BRAM18, %d LUT, %g GB/s)", p.Name, p.Device, p.DSP, p.BRAM18, p.LUT, p.BandwidthGBs)},
		{"design", design.String()},
		{"latency", fmt.Sprintf("%.3f ms", r.LatencyMs)},
		{"throughput", fmt.Sprintf("%.2f fps, %.2f GOPS", r.ThroughputFPS, r.GOPS)},
		{"power", fmt.Sprintf("%.2f W, %.3f mJ per image", r.PowerW, r.EnergyMJ)},
		{"resources", fmt.Sprintf("DSP %d (%.1f%%), BRAM18 %d (%.1f%%), LUT %d (%.1f%%)", r.DSP, r.DSPPct, r.BRAM18, r.BRAMPct, r.LUT, r.LUTPct)},
		{"bound", string(r.Bound)},
	}
	var text, h strings.Builder
	h.WriteString("<table class=\"hwnas-estimate\">\n")
	for _, row := range rows {
		fmt.Fprintf(&text, "%-11s %s\n", row[0], row[1])
		fmt.Fprintf(&h, "<tr><th>%s</th><td>%s</td></tr>\n", row[0], html.EscapeString(row[1]))
	}
	h.WriteString("</table>\n")
	return &core.ExecResult{Data: map[string]any{"text/plain": text.String(), "text/html": h.String()}}
}
