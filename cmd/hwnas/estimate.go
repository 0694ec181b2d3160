package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/fpga"
)

// estimateFlags are the options of `hwnas estimate`.
type estimateFlags struct {
	model, cell, platform, precision, mode, tiling, goal, template string
	calibration                                                    string
	spec, space, genome                                            string
	clock                                                          float64
	json                                                           bool
}

func init() {
	var f estimateFlags
	cmd := &cobra.Command{
		Use:   "estimate (--model NAME | --nb201 CELL | --spec FILE [--space NAME] [--genome G]) --platform NAME",
		Short: "Estimate a network's latency, throughput, power and resources on an FPGA",
		Long: `Run the analytical FPGA model (docs/fpga-model.md) for a zoo network, a
NAS-Bench-201 cell or a network of a spec's space (--spec, with the space's
--genome: one choice index per decision, 0 for each when left out) on a
platform. With --tiling the design is that tiling for
every layer; otherwise the optimiser searches every legal tiling.

Models: ` + strings.Join(arch.ZooNames(), ", ") + `.
Platforms: hwnas platforms.`,
		Example: `  hwnas estimate --model alexnet --platform ZCU102
  hwnas estimate --model vgg16 --platform zc706 --precision int16 --clock 150 --tiling 64,14,28,28
  hwnas estimate --spec examples/oneshot_mnist.hwnas --genome 0,2,1,0,0,2,1,1,0,0,0,1,0,0 --platform pynq
  hwnas estimate --nb201 '|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|' --platform pynq --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runEstimate(cmd.OutOrStdout(), &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "", "zoo network: "+strings.Join(arch.ZooNames(), ", "))
	fl.StringVar(&f.cell, "nb201", "", "NAS-Bench-201 cell string, e.g. |nor_conv_3x3~0|+|...")
	fl.StringVar(&f.platform, "platform", "", "platform name (see hwnas platforms)")
	fl.StringVar(&f.precision, "precision", "int16", "fp32, fp16, int16 or int8")
	fl.Float64Var(&f.clock, "clock", 0, "clock in MHz (default: the platform's)")
	fl.StringVar(&f.mode, "mode", "shared", "shared (one engine, latency = sum of layers) or pipeline (one engine per layer)")
	fl.StringVar(&f.tiling, "tiling", "", "fixed tiling Tm,Tn,Tr,Tc for every layer (default: search)")
	fl.StringVar(&f.goal, "goal", "latency", "what the search optimises: latency or throughput")
	fl.StringVar(&f.template, "template", "hwnas", "cycle model: hwnas or fnas (FNAS PARA.py, pipeline only)")
	fl.BoolVar(&f.json, "json", false, "print the report as JSON")
	fl.StringVar(&f.calibration, "calibration", "", "calibrate the latency with this file (hwnas calibrate --out)")
	fl.StringVar(&f.spec, "spec", "", "a spec file whose space gives the network")
	fl.StringVar(&f.space, "space", "", "with --spec: the space (default: the spec's only one)")
	fl.StringVar(&f.genome, "genome", "", "with --spec: comma-separated choice indices, one per decision (default: all 0)")
	rootCmd.AddCommand(cmd)
}

func usageErr(format string, a ...any) error {
	return &exitError{code: 2, msg: "hwnas estimate: " + fmt.Sprintf(format, a...)}
}

func runEstimate(w io.Writer, f *estimateFlags) error {
	n, label, err := estimateNetwork(f)
	if err != nil {
		return err
	}
	if f.platform == "" {
		return usageErr("--platform is required (see hwnas platforms)")
	}
	p, err := fpga.Lookup(f.platform)
	if err != nil {
		return usageErr("%v", err)
	}
	opt, err := estimateOptions(f)
	if err != nil {
		return err
	}
	d, r, err := estimateDesign(n, p, f.tiling, opt)
	if err != nil {
		return err
	}
	if f.calibration != "" {
		c, err := fpga.ReadCalibration(f.calibration)
		if err != nil {
			return usageErr("--calibration: %v", err)
		}
		r = c.Apply(r)
	}
	if f.json {
		out := struct {
			Network string `json:"network"`
			Design  string `json:"design"`
			fpga.Report
		}{label, d.String(), r}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	return writeReport(w, n, label, p, r)
}

// estimateOptions reads --precision, --mode, --clock, --goal and --template.
func estimateOptions(f *estimateFlags) (fpga.Options, error) {
	prec, err := fpga.ParsePrecision(f.precision)
	if err != nil {
		return fpga.Options{}, usageErr("--precision: %v", err)
	}
	mode, err := fpga.ParseMode(f.mode)
	if err != nil || mode == fpga.Multi {
		return fpga.Options{}, usageErr("--mode %q: want shared or pipeline (multi-FPGA pools are declared in a spec)", f.mode)
	}
	if !(f.clock >= 0 && f.clock <= 2000) { // NaN fails both
		return fpga.Options{}, usageErr("--clock %g MHz: want a clock between 0 and 2000 MHz", f.clock)
	}
	opt := fpga.Options{Mode: mode, Precision: prec, ClockMHz: f.clock}
	switch strings.ToLower(f.goal) {
	case "latency":
		opt.Goal = fpga.MinLatency
	case "throughput":
		opt.Goal = fpga.MaxThroughput
	default:
		return fpga.Options{}, usageErr("--goal %q: want latency or throughput", f.goal)
	}
	switch strings.ToLower(f.template) {
	case "hwnas":
	case "fnas":
		opt.Template = fpga.FNAS
		if mode != fpga.Pipeline {
			return fpga.Options{}, usageErr("--template fnas models FNAS's per-layer engines: use it with --mode pipeline")
		}
	default:
		return fpga.Options{}, usageErr("--template %q: want hwnas or fnas", f.template)
	}
	return opt, nil
}

// estimateDesign estimates n on p with the fixed tiling, when given, for
// every layer, or else with the design the optimiser finds.
func estimateDesign(n *arch.Network, p fpga.Platform, tiling string, opt fpga.Options) (fpga.Design, fpga.Report, error) {
	if tiling == "" {
		d, r, err := fpga.Optimize(n, p, opt)
		if err != nil {
			return d, r, &exitError{code: 1, msg: "hwnas estimate: " + err.Error()}
		}
		return d, r, nil
	}
	t, err := fpga.ParseTiling(tiling)
	if err != nil {
		return fpga.Design{}, fpga.Report{}, usageErr("--tiling: %v", err)
	}
	d := fpga.Design{Mode: opt.Mode, Template: opt.Template, Precision: opt.Precision, ClockMHz: opt.ClockMHz, Tilings: []fpga.Tiling{t}}
	if opt.Template == fpga.FNAS {
		d.Ports = fpga.Ports{W: 2, I: 2, O: 2}
	}
	r, err := fpga.Estimate(n, p, d)
	if err != nil {
		return d, r, &exitError{code: 1, msg: "hwnas estimate: " + err.Error()}
	}
	return d, r, nil
}

// estimateNetwork builds the network named by --model or --nb201.
func estimateNetwork(f *estimateFlags) (*arch.Network, string, error) {
	switch {
	case (f.model != "") && (f.cell != "") || (f.model != "" || f.cell != "") && f.spec != "":
		return nil, "", usageErr("give one of --model, --nb201 and --spec, not both")
	case f.spec != "":
		return specNetwork(f)
	case f.model != "":
		n, err := arch.Zoo(f.model)
		if err != nil {
			return nil, "", usageErr("--model: %v", err)
		}
		return n, strings.ToLower(f.model), nil
	case f.cell != "":
		n, err := nb201.Network(f.cell)
		if err != nil {
			return nil, "", usageErr("--nb201: %v", err)
		}
		return n, "nb201 " + f.cell, nil
	}
	return nil, "", usageErr("give a network: --model NAME (%s), --nb201 CELL or --spec FILE", strings.Join(arch.ZooNames(), ", "))
}

func writeReport(w io.Writer, n *arch.Network, label string, p fpga.Platform, r fpga.Report) error {
	comb := "sum of layers"
	if r.Mode == fpga.Pipeline {
		comb = "sum of stages; interval = slowest stage"
		if r.Combine == fpga.Slowest {
			comb = "slowest stage"
		}
	}
	fmt.Fprintf(w, "network     %s (%s)\n", label, n.Summary())
	fmt.Fprintf(w, "platform    %s (%s: %d DSP, %d BRAM18, %d LUT, %g GB/s)\n", p.Name, p.Device, p.DSP, p.BRAM18, p.LUT, p.BandwidthGBs)
	fmt.Fprintf(w, "design      %s engine, %s, %g MHz, template %s\n", r.Mode, r.Precision, r.ClockMHz, r.Template)
	fmt.Fprintf(w, "latency     %.3f ms (%s)\n", r.LatencyMs, comb)
	fmt.Fprintf(w, "throughput  %.2f fps, %.2f GOPS\n", r.ThroughputFPS, r.GOPS)
	fmt.Fprintf(w, "power       %.2f W, %.3f mJ per image\n", r.PowerW, r.EnergyMJ)
	fmt.Fprintf(w, "resources   DSP %d (%.1f%%), BRAM18 %d (%.1f%%), LUT %d (%.1f%%)\n", r.DSP, r.DSPPct, r.BRAM18, r.BRAMPct, r.LUT, r.LUTPct)
	if r.ModelVersion != fpga.ModelVersion {
		fmt.Fprintf(w, "model       %s (calibrated: the latency, throughput and energy; the layer rows are the model's)\n", r.ModelVersion)
	}
	fmt.Fprintf(w, "bound       %s\n\n", r.Bound)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "#\tLAYER\tOP\tTm,Tn,Tr,Tc\tMACs\tCYCLES\tms\tGOPS\tDSP\tBRAM18\tBOUND\t")
	for _, l := range r.Layers {
		name := l.Name
		if name == "" {
			name = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%.3f\t%.1f\t%d\t%d\t%s\t\n", l.Index, name, l.Op, l.Tiling, arch.Human(l.MACs), l.Cycles, l.LatencyMs, l.GOPS, l.DSP, l.BRAM18, l.Bound)
	}
	return tw.Flush()
}
