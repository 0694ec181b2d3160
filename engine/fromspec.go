package engine

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hwnas/hwnas/dsl"
	"github.com/hwnas/hwnas/engine/data"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/fpga/lut"
	"github.com/hwnas/hwnas/metric"
)

// Selected returns the names of the experiments `hwnas run` runs from spec:
// name when given, else those named by run statements, else the only one.
func Selected(spec *dsl.Spec, name string) ([]string, error) {
	all := slices.Sorted(slices.Values(spec.Order))
	if name != "" {
		if _, ok := spec.Experiments[name]; !ok {
			if len(all) == 0 {
				return nil, fmt.Errorf("no experiment %q: the spec declares none", name)
			}
			return nil, fmt.Errorf("no experiment %q (declared: %s)", name, strings.Join(all, ", "))
		}
		return []string{name}, nil
	}
	if len(spec.Runs) > 0 {
		return spec.Runs, nil
	}
	switch len(spec.Order) {
	case 0:
		return nil, fmt.Errorf("the spec declares no experiment")
	case 1:
		return spec.Order, nil
	}
	return nil, fmt.Errorf("the spec declares %d experiments and runs none: pick one with -e (%s)", len(all), strings.Join(all, ", "))
}

// FromSpec builds the named experiment of a checked spec.
func FromSpec(spec *dsl.Spec, name string) (Experiment, error) {
	se, ok := spec.Experiments[name]
	if !ok {
		_, err := Selected(spec, name)
		return Experiment{}, err
	}
	e, err := fromSpec(name, se)
	if err != nil {
		return Experiment{}, fmt.Errorf("experiment %s (%s): %s", name, se.Pos, err)
	}
	if err := e.Validate(); err != nil {
		return Experiment{}, err
	}
	return e, nil
}

// fromSpec builds the experiment se; its errors leave out which experiment.
func fromSpec(name string, se *dsl.Experiment) (Experiment, error) {
	// Batch follows the spec's parallel, not a command-line override of it,
	// so that --parallel never changes the results.
	spec := se.Standalone // what the store keeps: it checks on its own
	if spec == "" {
		spec = se.Source
	}
	e := Experiment{Name: name, Spec: spec, Hash: se.Hash(), Parallel: se.Parallel, Batch: max(4, se.Parallel), Seed: se.Seed,
		Strategy: StrategySpec{Kind: se.Strategy.Kind, Params: se.Strategy.Params},
		Budget:   Budget{Trials: se.Trials, Time: time.Duration(se.TimeMs * float64(time.Millisecond))}, Quantize: se.Quantize, Retrain: se.Retrain}
	if se.Space == nil || se.Space.Space == nil {
		return e, errors.New("no search space")
	}
	e.Space = se.Space.Space
	e.Hardware = hardwareOf(se)
	if sw := se.Strategy.Sweep; sw != nil {
		e.Strategy.Sweep, e.Strategy.SweepValues = sw.Param, sw.Values
	}
	if e.differentiable() && se.Platform != nil {
		t, err := lut.Build(e.Space, se.Platform.Device, fpga.Options{Precision: se.Platform.Precision})
		if err != nil {
			return e, fmt.Errorf("strategy %s: %w", e.Strategy.Kind, err)
		}
		e.Table = t
	}
	if f := se.Fidelity; f != nil {
		e.ASHA = ASHA{MinEpochs: f.MinEpochs, MaxEpochs: f.MaxEpochs, Eta: f.Eta, Hyperband: f.Kind == "hyperband"}
	}
	var load func() (train, test *data.Set, err error)
	if d := se.Dataset; d != nil {
		src, l, err := DatasetLoader(d.Source, d.Builtin, d.Path)
		if err != nil {
			return e, fmt.Errorf("dataset %s: %v", d.Name, err)
		}
		load = l
		e.Fidelity = Fidelity{Dataset: src, Train: d.Train, Val: d.Val, Test: d.Test, Epochs: d.Epochs, Batch: d.Batch,
			LR: d.LR, Optimizer: d.Optimizer}
	}
	if err := e.setEvaluator(se.Evaluator, se.Dataset != nil, load); err != nil {
		return e, err
	}
	for _, o := range se.Objectives {
		e.Objectives = append(e.Objectives, Objective{Metric: metric.Key(o.Metric), Maximize: o.Maximize})
	}
	for _, c := range se.Constraints {
		e.Constraints = append(e.Constraints, Constraint{Metric: metric.Key(c.Metric), Op: c.Op, Value: c.Limit, Hard: true})
	}
	if r := se.Reward; r != nil {
		e.Reward = Reward{Kind: r.Kind, Metric: metric.Key(r.Metric), Target: r.Target, Below: r.Below, Above: r.Above}
	}
	for _, m := range append(objectiveMetrics(e.Objectives), constraintMetrics(e.Constraints)...) {
		if isHardwareMetric(m) && e.Hardware.Score == nil {
			return e, fmt.Errorf("%s needs the FPGA model: name a platform or a pool", m)
		}
	}
	return e, nil
}

// hardwareOf is the hardware model of se's platform, pool or hardware
// search, or none.
func hardwareOf(se *dsl.Experiment) Hardware {
	switch {
	case se.Platform != nil && se.Platform.Calibration != nil:
		return CalibratedHardware(se.Platform.Device, fpga.Options{Precision: se.Platform.Precision}, *se.Platform.Calibration)
	case se.Platform != nil:
		return PlatformHardware(se.Platform.Device, fpga.Options{Precision: se.Platform.Precision})
	case se.Pool != nil:
		return PoolHardware(se.Pool.Pool, fpga.Options{Precision: se.Pool.Precision, Mode: fpga.Multi})
	case se.HardwareSearch != nil:
		hs := se.HardwareSearch
		space := fpga.CoExploreSpace(fpga.Pool{Devices: hs.Devices, LinkGBs: hs.LinkGBs}, hs.Partition)
		space.OptimizeTiling = !hs.Tiling // tiling = false: no tile genes, the optimiser's tiling
		if len(hs.Precisions) > 0 {
			space.Precisions = hs.Precisions
		}
		return SpaceHardware(space)
	}
	return Hardware{}
}

// setEvaluator sets e's evaluator from the spec's (nil: train), which loads
// the dataset with load when it trains.
func (e *Experiment) setEvaluator(ev *dsl.Evaluator, hasDataset bool, load func() (train, test *data.Set, err error)) error {
	switch {
	case ev == nil || ev.Kind == "train":
		if !hasDataset {
			return errors.New("the train evaluator needs a dataset")
		}
		e.Evaluator = &TrainEvaluator{Source: e.Fidelity.Dataset, Load: load}
	case ev.Kind == "table":
		if ev.Benchmark != "" && ev.Benchmark != "nasbench201" {
			return fmt.Errorf("evaluator %s: no table for benchmark %q (have: nasbench201)", ev.Name, ev.Benchmark)
		}
		e.Evaluator = TableEvaluator{Split: ev.Split}
		e.Fidelity.Dataset = "nasbench201:" + TableEvaluator{Split: ev.Split}.split()
	case ev.Kind == "supernet":
		if !hasDataset {
			return errors.New("the supernet evaluator needs a dataset")
		}
		e.Evaluator = &SupernetEvaluator{Data: &TrainEvaluator{Source: e.Fidelity.Dataset, Load: load},
			SpaceKey: SpaceKey(e.Space), Epochs: ev.Epochs, BNBatches: ev.BNBatches}
	case ev.Kind == "command":
		e.Evaluator = CommandEvaluator{Argv: ev.Command, Timeout: time.Duration(ev.TimeoutMs * float64(time.Millisecond))}
	default:
		return fmt.Errorf("unknown evaluator kind %q", ev.Kind)
	}
	return nil
}

func objectiveMetrics(os []Objective) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.Metric)
	}
	return out
}

func constraintMetrics(cs []Constraint) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Metric)
	}
	return out
}

func isHardwareMetric(key string) bool {
	m, ok := metric.ByKey(key)
	return ok && m.HW
}
