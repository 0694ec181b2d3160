package kernel

import (
	"context"
	"reflect"
	"sort"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/search"
	"github.com/traefik/yaegi/interp"
)

// hwnasExports is the "hwnas" package seen by %%go cells: the outcomes of
// the experiments run in this session (with their trials) as Go values, the
// platform catalog, and the FPGA model with the networks it takes (enough to
// draw a per-layer roofline). Written by hand rather than by `yaegi
// extract`, so that it needs no generated file tied to a Go version.
func hwnasExports(d *dslCells) interp.Exports {
	return interp.Exports{"hwnas/hwnas": {
		// Result returns the last outcome of an experiment run in this session.
		"Result": reflect.ValueOf(d.outcome),
		// Load reads the latest stored run of an experiment from the store,
		// from this session or an earlier one.
		"Load": reflect.ValueOf(d.load),
		// Experiments lists the experiments with results in this session.
		"Experiments": reflect.ValueOf(d.experiments),
		// Platforms returns the FPGA platform catalog.
		"Platforms": reflect.ValueOf(fpga.Catalog),
		// Pareto returns the Pareto-optimal trials of an outcome.
		"Pareto": reflect.ValueOf(paretoTrials),
		// Export writes trial id of an experiment's latest stored run as an
		// ONNX model (onnx, a file) and/or an HLS accelerator (hls, a
		// directory; "" for neither), like hwnas export, and says what it wrote.
		"Export": reflect.ValueOf(func(experiment string, id int, onnx, hls string) (string, error) {
			return d.exportFiles(context.Background(), experiment, id, onnx, hls)
		}),
		// StatusLabel is the word tables and plots show for a trial's
		// status: trained, looked up, cached, pruned or failed.
		"StatusLabel": reflect.ValueOf(engine.StatusLabel),
		// KendallTau is Kendall's rank correlation τ-b of paired values.
		"KendallTau": reflect.ValueOf(search.KendallTau),

		// Zoo returns a network of the model zoo by name; ZooNames lists them.
		"Zoo":      reflect.ValueOf(arch.Zoo),
		"ZooNames": reflect.ValueOf(arch.ZooNames),
		// NB201 returns the network of a NAS-Bench-201 cell ("|nor_conv_3x3~0|+|…|").
		"NB201": reflect.ValueOf(nb201.Network),
		// Lookup finds a platform by name or alias.
		"Lookup": reflect.ValueOf(fpga.Lookup),
		// Optimize searches the design (tiling) of a network on a platform.
		"Optimize": reflect.ValueOf(fpga.Optimize),
		// Estimate evaluates one given design of a network on a platform.
		"Estimate": reflect.ValueOf(fpga.Estimate),
		// ParsePrecision and ParseMode read the names the DSL uses
		// ("int8", "pipeline"), for Options.
		"ParsePrecision": reflect.ValueOf(fpga.ParsePrecision),
		"ParseMode":      reflect.ValueOf(fpga.ParseMode),
		// The goals of Options.Goal.
		"MinLatency":    reflect.ValueOf(fpga.MinLatency),
		"MaxThroughput": reflect.ValueOf(fpga.MaxThroughput),

		"Network":     reflect.ValueOf((*arch.Network)(nil)),
		"Options":     reflect.ValueOf((*fpga.Options)(nil)),
		"Design":      reflect.ValueOf((*fpga.Design)(nil)),
		"Report":      reflect.ValueOf((*fpga.Report)(nil)),
		"LayerReport": reflect.ValueOf((*fpga.LayerReport)(nil)),
		"Outcome":     reflect.ValueOf((*engine.Outcome)(nil)),
		"Trial":       reflect.ValueOf((*engine.Trial)(nil)),
		// An Outcome's ArchHistory: a differentiable search's epochs.
		"ArchEpoch":    reflect.ValueOf((*engine.ArchEpoch)(nil)),
		"ArchPosition": reflect.ValueOf((*engine.ArchPosition)(nil)),
		"Status":       reflect.ValueOf((*engine.Status)(nil)),
		"Metrics":      reflect.ValueOf((*engine.Metrics)(nil)),
		"Objective":    reflect.ValueOf((*engine.Objective)(nil)),
		"Platform":     reflect.ValueOf((*fpga.Platform)(nil)),
	}}
}

// paretoTrials returns the trials of o on its Pareto front.
func paretoTrials(o *engine.Outcome) []engine.Trial {
	if o == nil {
		return nil
	}
	on := map[int]bool{}
	for _, id := range o.Pareto {
		on[id] = true
	}
	var out []engine.Trial
	for _, t := range o.Trials {
		if on[t.ID] {
			out = append(out, t)
		}
	}
	return out
}

// experiments lists the experiments with results in this session.
func (d *dslCells) experiments() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for n := range d.results {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// load reads the latest stored run of an experiment.
func (d *dslCells) load(name string) (*engine.Outcome, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st, err := d.openStore()
	if err != nil {
		return nil, err
	}
	return engine.Load(st, name)
}
