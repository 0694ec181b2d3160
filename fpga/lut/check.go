package lut

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/fpga"
)

// Error is how far a table's sums are from the FPGA model's whole-network
// estimates over random children: relative errors |sum − model| / model.
type Error struct {
	Children int `json:"children"`
	// Latency against the model with the table's own design (Shared: the
	// shared engine; Pipeline: each child's optimised pipeline).
	MeanLatency float64 `json:"mean_latency"`
	MaxLatency  float64 `json:"max_latency"`
	MeanEnergy  float64 `json:"mean_energy"`
	MaxEnergy   float64 `json:"max_energy"`
	// Shared: latency against the design fpga.Optimize picks for each child
	// (the per-child engine an experiment's platform scores with); Multi:
	// against the partition fpga.OptimizePool picks for each child (an
	// experiment's pool).
	MeanOptimised float64 `json:"mean_optimised,omitempty"`
	MaxOptimised  float64 `json:"max_optimised,omitempty"`
	// Pipeline: random children no pipeline fits (an experiment prunes
	// them), drawn and left out of the figures.
	Unfit int `json:"unfit,omitempty"`

	sums, model []float64 // the latencies compared, for rank statistics in tests
	optimised   []float64 // Shared, Multi: the per-child optimised latencies, likewise
}

// Measure compares t's sums with the model on n random children of space
// (which t was built for by Build, or BuildPool: then p is not read, the
// table's pool is) drawn from seed.
func (t *Table) Measure(space arch.Space, p fpga.Platform, n int, seed uint64) (Error, error) {
	if t.Source != "model" {
		return Error{}, errors.New("lut: only a model table can be compared with the model")
	}
	r := rand.New(rand.NewPCG(seed, 0x6c7574)) // "lut"
	ds := space.Decisions()
	var e Error
	for tries := 0; e.Children < n; tries++ {
		if tries > 100*n {
			return e, fmt.Errorf("lut: %d of %d random children decode", e.Children, tries)
		}
		g := make([]int, len(ds))
		for i, d := range ds {
			g[i] = r.IntN(len(d.Choices))
		}
		net, err := space.Decode(g)
		if err != nil {
			continue
		}
		err = t.measureOne(&e, net, g, p)
		if _, ok := errors.AsType[*fpga.FitError](err); ok {
			e.Unfit++
			continue
		}
		if err != nil {
			return e, fmt.Errorf("lut: genome %v: %w", g, err)
		}
		e.Children++
	}
	k := float64(e.Children)
	e.MeanLatency, e.MeanEnergy, e.MeanOptimised = e.MeanLatency/k, e.MeanEnergy/k, e.MeanOptimised/k
	return e, nil
}

// measureOne adds one child's errors to e (means as sums until the end).
func (t *Table) measureOne(e *Error, net *arch.Network, g []int, p fpga.Platform) error {
	s, err := t.Sum(g)
	if err != nil {
		return err
	}
	add := func(mean, mx *float64, sum, model float64) {
		switch mean {
		case &e.MeanLatency:
			e.sums, e.model = append(e.sums, sum), append(e.model, model)
		case &e.MeanOptimised:
			e.optimised = append(e.optimised, model)
		}
		d := math.Abs(sum-model) / model
		*mean += d
		*mx = max(*mx, d)
	}
	o := t.opts
	if t.Mode == fpga.Multi {
		return t.measureMulti(e, net, s, add)
	}
	if t.Mode == fpga.Pipeline {
		_, rep, err := fpga.Optimize(net, p, o)
		if err != nil {
			return err
		}
		add(&e.MeanLatency, &e.MaxLatency, s.LatencyMs, rep.LatencyMs)
		add(&e.MeanEnergy, &e.MaxEnergy, s.EnergyMJ, rep.EnergyMJ)
		return nil
	}
	rep, err := fpga.Estimate(net, p, t.design)
	if err = fitOK(err); err != nil {
		return err
	}
	add(&e.MeanLatency, &e.MaxLatency, float64(s.Cycles), float64(rep.Cycles)) // in cycles: exact
	add(&e.MeanEnergy, &e.MaxEnergy, s.EnergyMJ, rep.EnergyMJ)
	o.Mode = fpga.Shared
	if _, opt, err := fpga.Optimize(net, p, o); err == nil {
		add(&e.MeanOptimised, &e.MaxOptimised, s.LatencyMs, opt.LatencyMs)
	}
	return nil
}

// measureMulti adds a child's errors against the table's own partition
// (exact in cycles; the latency in ms too, up to rounding) and against the
// partition fpga.OptimizePool picks for the child.
func (t *Table) measureMulti(e *Error, net *arch.Network, s Total, add func(mean, mx *float64, sum, model float64)) error {
	rep, err := fpga.EstimatePool(net, t.plan.pool, t.plan.design(net))
	if err = fitOK(err); err != nil {
		return err
	}
	if s.Cycles != rep.Cycles {
		return fmt.Errorf("the table's cycles %d, the model's on the table's partition %d", s.Cycles, rep.Cycles)
	}
	add(&e.MeanLatency, &e.MaxLatency, s.LatencyMs, rep.LatencyMs)
	add(&e.MeanEnergy, &e.MaxEnergy, s.EnergyMJ, rep.EnergyMJ)
	_, opt, err := fpga.OptimizePool(net, t.plan.pool, t.opts)
	if err != nil {
		return err
	}
	add(&e.MeanOptimised, &e.MaxOptimised, s.LatencyMs, opt.LatencyMs)
	return nil
}
