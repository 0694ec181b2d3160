package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/queue"
	"github.com/hwnas/hwnas/fpga"
)

// calibrateFlags are the options of `hwnas calibrate`.
type calibrateFlags struct {
	platform, measurements, test, out, precision string
	folds                                        int
}

func init() {
	var f calibrateFlags
	cmd := &cobra.Command{
		Use:   "calibrate --platform NAME --measurements FILE.csv [--out FILE.json]",
		Short: "Fit the FPGA model to a board's measured latencies",
		Long: `Fit the analytical model's calibration (docs/fpga-model.md §12) to latencies
measured on a board: an efficiency factor per bound, a time per MAC, per-layer
overheads and a fixed overhead. The CSV has a header row, network,latency_ms
and optionally energy_mj, then one network per row: a zoo name, a
NAS-Bench-201 cell string, or a .json file holding a network as a command
evaluator receives it. It prints the model's error before and after
calibration, the latter with each network predicted by a fit without it
(k-fold), and with --test on networks of another file.`,
		Example: `  hwnas calibrate --platform ZC706 --measurements board.csv --out zc706-cal.json
  hwnas calibrate --platform ZC706 --measurements train.csv --test held-out.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runCalibrate(cmd.OutOrStdout(), &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.platform, "platform", "", "platform name (see hwnas platforms)")
	fl.StringVar(&f.measurements, "measurements", "", "CSV of measured latencies: network,latency_ms[,energy_mj]")
	fl.StringVar(&f.test, "test", "", "CSV of other measurements to evaluate the calibration on")
	fl.StringVar(&f.out, "out", "", "write the calibration (JSON) to this file")
	fl.StringVar(&f.precision, "precision", "int16", "fp32, fp16, int16 or int8")
	fl.IntVar(&f.folds, "folds", 10, "folds of the leave-out error")
	rootCmd.AddCommand(cmd)
}

func calibrateErr(format string, a ...any) error {
	return &exitError{code: 2, msg: "hwnas calibrate: " + fmt.Sprintf(format, a...)}
}

func runCalibrate(w io.Writer, f *calibrateFlags) error {
	if f.platform == "" || f.measurements == "" {
		return calibrateErr("--platform and --measurements are required")
	}
	p, err := fpga.Lookup(f.platform)
	if err != nil {
		return calibrateErr("%v", err)
	}
	prec, err := fpga.ParsePrecision(f.precision)
	if err != nil {
		return calibrateErr("--precision: %v", err)
	}
	opt := fpga.Options{Mode: fpga.Shared, Precision: prec}
	train, err := measuredReports(f.measurements, p, opt)
	if err != nil {
		return err
	}
	c, err := fpga.Fit(train.reports, train.latency, f.folds)
	if err != nil {
		return &exitError{code: 1, msg: "hwnas calibrate: " + err.Error()}
	}
	fmt.Fprintf(w, "calibrated %s (%s) on %d networks of %s\n", p.Name, prec, len(train.reports), f.measurements)
	fmt.Fprintf(w, "latency, each network left out of the fit (%d folds):\n", c.Fit.Folds)
	fmt.Fprintf(w, "  before  %v\n  after   %v\n", c.Fit.Before, c.Fit.After)
	if f.test != "" {
		test, err := measuredReports(f.test, p, opt)
		if err != nil {
			return err
		}
		writeHeldOut(w, &c, test, f.test)
	}
	fmt.Fprintf(w, "terms: %s\nmodel version %s\n", calibrationTerms(&c), c.Version())
	if f.out == "" {
		return nil
	}
	b, _ := json.MarshalIndent(c, "", "  ")
	if err := os.WriteFile(f.out, append(b, '\n'), 0o644); err != nil {
		return &exitError{code: 1, msg: "hwnas calibrate: " + err.Error()}
	}
	fmt.Fprintf(w, "wrote %s\n", f.out)
	return nil
}

// writeHeldOut prints the calibration's latency (and, where measured,
// energy) errors on the networks of another file.
func writeHeldOut(w io.Writer, c *fpga.Calibration, m measured, file string) {
	var before, after, eBefore, eAfter, eMeas []float64
	for i, r := range m.reports {
		cal := c.Apply(r)
		before, after = append(before, r.LatencyMs), append(after, cal.LatencyMs)
		if m.energy[i] > 0 {
			eBefore, eAfter, eMeas = append(eBefore, r.EnergyMJ), append(eAfter, cal.EnergyMJ), append(eMeas, m.energy[i])
		}
	}
	fmt.Fprintf(w, "latency on the %d networks of %s:\n", len(m.reports), file)
	fmt.Fprintf(w, "  before  %v\n  after   %v\n", fpga.Compare(before, m.latency), fpga.Compare(after, m.latency))
	if len(eMeas) > 0 {
		fmt.Fprintf(w, "energy on the %d networks measured (the model's power times the calibrated time):\n", len(eMeas))
		fmt.Fprintf(w, "  before  %v\n  after   %v\n", fpga.Compare(eBefore, eMeas), fpga.Compare(eAfter, eMeas))
	}
}

// calibrationTerms lists a calibration's terms as its JSON names them.
func calibrationTerms(c *fpga.Calibration) string {
	b, _ := json.Marshal(c)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	var parts []string
	for _, k := range []string{"compute", "weight_load", "ifm_load", "ofm_store", "bandwidth", "pool", "eltwise", "gmac_ms", "layer_ms", "pool_layer_ms", "eltwise_layer_ms", "fixed_ms"} {
		parts = append(parts, fmt.Sprintf("%s %.4g", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// measured are the model's reports of the networks of a measurements file,
// with what was measured.
type measured struct {
	reports         []fpga.Report
	latency, energy []float64
}

// measuredReports reads a measurements file and estimates each network.
func measuredReports(path string, p fpga.Platform, opt fpga.Options) (measured, error) {
	file, err := os.Open(path)
	if err != nil {
		return measured{}, calibrateErr("%v", err)
	}
	defer file.Close()
	rows, err := fpga.ParseMeasurements(file)
	if err != nil {
		return measured{}, calibrateErr("%s: %v", path, err)
	}
	var m measured
	for _, r := range rows {
		n, err := measuredNetwork(r.Network)
		if err != nil {
			return measured{}, calibrateErr("%s line %d: %v", path, r.Line, err)
		}
		_, rep, err := fpga.Optimize(n, p, opt)
		if err != nil {
			return measured{}, calibrateErr("%s line %d: %v", path, r.Line, err)
		}
		m.reports = append(m.reports, rep)
		m.latency, m.energy = append(m.latency, r.LatencyMs), append(m.energy, r.EnergyMJ)
	}
	return m, nil
}

// measuredNetwork builds a network named in a measurements file.
func measuredNetwork(s string) (*arch.Network, error) {
	switch {
	case strings.HasPrefix(s, "|"):
		return nb201.Network(s)
	case strings.HasSuffix(s, ".json"):
		b, err := os.ReadFile(s)
		if err != nil {
			return nil, err
		}
		var j engine.NetworkJSON
		if err := json.Unmarshal(b, &j); err != nil {
			return nil, fmt.Errorf("%s: %w", s, err)
		}
		return queue.NetworkFromJSON(j)
	}
	return arch.Zoo(s)
}
