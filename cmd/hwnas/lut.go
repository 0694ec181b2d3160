package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/dsl"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/fpga/lut"
)

// lutFlags are the options of `hwnas lut`.
type lutFlags struct {
	json, csv bool
	mode      string
	measured  string
	// changedMode: --mode was given (a pool's table is multi whatever the default)
	changedMode bool
	check       int
}

func init() {
	var f lutFlags
	cmd := &cobra.Command{
		Use:   "lut SPEC [EXPERIMENT]",
		Short: "Print the latency lookup table of an experiment's space on its platform or pool",
		Long: `Build FBNet's latency lookup table (docs/lut.md) for the chain space and the
platform of an experiment: for every layer position and every candidate there,
its latency, energy, DSP and BRAM18 from the FPGA model. The shared engine
(--mode shared, the default) is the design the optimiser picks for the
largest child; a child's latency under it is exactly the sum of its entries.
--mode pipeline is a first-order table of the optimised layer pipeline
around the smallest child, an approximation. An experiment on a pool gets
the multi-FPGA table: the partition the optimiser picks for the largest
child, fixed, each stage one engine; a child's latency on that partition
is exactly the sum of its entries. --check N compares the table's sums with the model's
whole-network estimates on N random children. --measured FILE reads a CSV of
measured per-operation latencies (position,candidate,latency_ms[,energy_mj,
dsp,bram18]) and checks it against the space instead.`,
		Example: `  hwnas lut examples/oneshot_mnist.hwnas
  hwnas lut examples/oneshot_mnist.hwnas oneshot --csv > table.csv
  hwnas lut examples/oneshot_mnist.hwnas --check 200
  hwnas lut examples/oneshot_mnist.hwnas --measured table.csv`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.changedMode = cmd.Flags().Changed("mode")
			return runLut(cmd.OutOrStdout(), args, &f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.json, "json", false, "print JSON")
	fl.BoolVar(&f.csv, "csv", false, "print CSV (the format --measured reads)")
	fl.StringVar(&f.mode, "mode", "shared", "design on a platform: shared or pipeline (a pool's table is multi)")
	fl.StringVar(&f.measured, "measured", "", "read the table from a CSV of measured latencies")
	fl.IntVar(&f.check, "check", 0, "compare the sums with the model on N random children")
	rootCmd.AddCommand(cmd)
}

func lutUsage(format string, a ...any) error {
	return &exitError{code: 2, msg: "hwnas lut: " + fmt.Sprintf(format, a...)}
}

func runLut(w io.Writer, args []string, f *lutFlags) error {
	if f.json && f.csv {
		return lutUsage("--json and --csv exclude each other")
	}
	e, err := lutExperiment(args)
	if err != nil {
		return err
	}
	t, err := lutTable(e, f)
	if err != nil {
		return err
	}
	var chk *lut.Error
	if f.check > 0 {
		var p fpga.Platform // a pool's table measures on its pool
		if e.Platform != nil {
			p = e.Platform.Device
		}
		m, err := t.Measure(e.Space.Space, p, f.check, uint64(e.Seed))
		if err != nil {
			return err
		}
		chk = &m
	}
	switch {
	case f.json:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			*lut.Table
			Check *lut.Error `json:"check,omitempty"`
		}{t, chk})
	case f.csv:
		return t.WriteCSV(w)
	}
	return writeLut(w, t, chk)
}

// lutExperiment loads the spec and picks the experiment, which must run on
// one platform or a pool.
func lutExperiment(args []string) (*dsl.Experiment, error) {
	spec, err := loadSpec(args[0])
	if err != nil {
		return nil, err
	}
	name := ""
	if len(args) == 2 {
		name = args[1]
	}
	names, err := engine.Selected(spec, name)
	if err != nil {
		return nil, lutUsage("%s: %v", args[0], err)
	}
	if len(names) > 1 {
		return nil, lutUsage("%s runs %d experiments: name one", args[0], len(names))
	}
	e := spec.Experiments[names[0]]
	if e.Platform == nil && e.Pool == nil {
		return nil, lutUsage("experiment %s (%s) names no platform or pool: a latency table is for one FPGA (platform = …) or a pool (hardware = POOL)", e.Name, e.Pos)
	}
	if e.Space == nil || e.Space.Space == nil {
		return nil, lutUsage("experiment %s (%s) has no search space", e.Name, e.Pos)
	}
	return e, nil
}

// lutTable builds the table from the model or reads the measured CSV.
func lutTable(e *dsl.Experiment, f *lutFlags) (*lut.Table, error) {
	if f.measured != "" {
		if f.check > 0 {
			return nil, lutUsage("--check compares a model table with the model; it does not apply to --measured")
		}
		r, err := os.Open(f.measured)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		name := ""
		if e.Platform != nil {
			name = e.Platform.Device.Name
		} else {
			name = e.Pool.Pool.String()
		}
		t, err := lut.ReadCSV(r, e.Space.Space, name)
		if err != nil {
			return nil, fmt.Errorf("%s:%w", f.measured, err)
		}
		return t, nil
	}
	m, err := fpga.ParseMode(f.mode)
	if e.Pool != nil {
		if f.changedMode && m != fpga.Multi {
			return nil, lutUsage("--mode %q: experiment %s runs on a pool, whose table is multi", f.mode, e.Name)
		}
		return lut.BuildPool(e.Space.Space, e.Pool.Pool, fpga.Options{Precision: e.Pool.Precision})
	}
	if err != nil || m == fpga.Multi {
		return nil, lutUsage("--mode %q: want shared or pipeline (multi is a pool's)", f.mode)
	}
	return lut.Build(e.Space.Space, e.Platform.Device, fpga.Options{Precision: e.Platform.Precision, Mode: m})
}

func writeLut(w io.Writer, t *lut.Table, chk *lut.Error) error {
	fmt.Fprintln(w, t.Title())
	if t.Design != "" {
		fmt.Fprintf(w, "design: %s\n", t.Design)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(lut.Header, "\t")+"\t")
	for _, r := range t.Rows() {
		fmt.Fprintln(tw, strings.Join(r, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if chk != nil {
		fmt.Fprintf(w, "table sum against the model on %d random children: latency error mean %.2f%%, max %.2f%%; energy mean %.2f%%, max %.2f%%",
			chk.Children, 100*chk.MeanLatency, 100*chk.MaxLatency, 100*chk.MeanEnergy, 100*chk.MaxEnergy)
		switch t.Mode {
		case fpga.Shared:
			fmt.Fprintf(w, "; against each child's own optimised engine mean %.2f%%, max %.2f%%", 100*chk.MeanOptimised, 100*chk.MaxOptimised)
		case fpga.Multi:
			fmt.Fprintf(w, "; against each child's own optimised partition mean %.2f%%, max %.2f%%", 100*chk.MeanOptimised, 100*chk.MaxOptimised)
		}
		if chk.Unfit > 0 {
			fmt.Fprintf(w, " (%d children drawn fit no design, left out)", chk.Unfit)
		}
		fmt.Fprintln(w)
	}
	return nil
}
