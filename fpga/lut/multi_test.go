package lut

import (
	"math"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/search"
)

// pynqPair is the mobile space's multi-FPGA table on two PYNQ-Z1s joined
// by a 10 Gb/s link, at int16.
func pynqPair(t *testing.T) (*arch.ChainSpace, fpga.Pool, *Table) {
	t.Helper()
	pool, err := fpga.NewPool(1.25, "PYNQ-Z1", "PYNQ-Z1")
	if err != nil {
		t.Fatal(err)
	}
	sp := mobile()
	tb, err := BuildPool(sp, pool, fpga.Options{Precision: fpga.Int16})
	if err != nil {
		t.Fatal(err)
	}
	return sp, pool, tb
}

// TestMultiError measures the multi-FPGA table of the mobile space on two
// PYNQ-Z1s joined by a 10 Gb/s link over 200 random children: on the
// table's own partition a child's latency is the sum of its entries (in
// cycles exactly, in ms up to rounding); against the partition the
// optimiser picks for each child (an experiment's pool) the error stays
// within the bounds docs/lut.md gives, and the sums rank the children
// like the model.
func TestMultiError(t *testing.T) {
	sp, pool, tb := pynqPair(t)
	if want := "layer1–layer3 on PYNQ-Z1 <96,2,7,7>; layer4–fixed on PYNQ-Z1 <48,4,7,7>"; tb.Design != want || tb.Mode != fpga.Multi {
		t.Fatalf("%s table partitioned %q, want %q", tb.Mode, tb.Design, want)
	}
	e, err := tb.Measure(sp, pool.Devices[0], 200, 1) // an error if a child's cycles differ from its sum
	if err != nil {
		t.Fatal(err)
	}
	tau := search.KendallTau(e.sums, e.optimised)
	t.Logf("multi: own partition latency max %.2g, energy mean %.2f%% max %.2f%%; against each child's optimised partition mean %.2f%% max %.2f%%, Kendall tau %.3f over %d children",
		e.MaxLatency, 100*e.MeanEnergy, 100*e.MaxEnergy, 100*e.MeanOptimised, 100*e.MaxOptimised, tau, e.Children)
	for _, c := range []struct {
		what       string
		got, bound float64
	}{
		{"latency on the table's partition, max", e.MaxLatency, 1e-12},
		{"energy on the table's partition, mean", e.MeanEnergy, 0.22},
		{"energy on the table's partition, max", e.MaxEnergy, 0.38},
		{"latency against each child's optimised partition, mean", e.MeanOptimised, 0.16},
		{"latency against each child's optimised partition, max", e.MaxOptimised, 0.42},
		{"1 - Kendall tau of sums and optimised latencies", 1 - tau, 1 - 0.9},
	} {
		if !(c.got <= c.bound) || math.IsNaN(c.got) {
			t.Errorf("%s: %.4g, over the documented bound %.4g", c.what, c.got, c.bound)
		}
	}
	if e.Children != 200 || e.Unfit != 0 {
		t.Errorf("%d children measured, %d unfit; want 200 and 0", e.Children, e.Unfit)
	}
}

// TestMultiSumResources: a child's sum has every stage's DSP and, per stage,
// the largest buffer need, as the model reports for the table's partition.
func TestMultiSumResources(t *testing.T) {
	sp, pool, tb := pynqPair(t)
	ds := sp.Decisions()
	mixed := make([]int, len(ds))
	for i, d := range ds {
		mixed[i] = (7*i + 3) % len(d.Choices)
	}
	for _, g := range [][]int{make([]int, len(ds)), mixed} {
		n, err := sp.Decode(g)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := fpga.EstimatePool(n, pool, tb.plan.design(n))
		if fitOK(err) != nil {
			t.Fatal(err)
		}
		s, err := tb.Sum(g)
		if err != nil {
			t.Fatal(err)
		}
		if s.DSP != rep.DSP || s.BRAM18 != rep.BRAM18 || s.Cycles != rep.Cycles || math.Abs(s.LatencyMs-rep.LatencyMs) > 1e-12 {
			t.Errorf("genome %v: sum %d DSP %d BRAM18 %d cycles %g ms, model %d, %d, %d, %g", g, s.DSP, s.BRAM18, s.Cycles, s.LatencyMs, rep.DSP, rep.BRAM18, rep.Cycles, rep.LatencyMs)
		}
	}
}

// TestMultiErrors: a pool table adds latencies, so it refuses combine =
// slowest, and Build points a pool at BuildPool.
func TestMultiErrors(t *testing.T) {
	pool, err := fpga.NewPool(1.25, "PYNQ-Z1", "PYNQ-Z1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := BuildPool(mobile(), pool, fpga.Options{Combine: fpga.Slowest}); err == nil || !strings.Contains(err.Error(), "needs combine = sum") {
		t.Errorf("combine slowest: %v", err)
	}
	if _, err := Build(mobile(), pynq(t), fpga.Options{Mode: fpga.Multi}); err == nil || !strings.Contains(err.Error(), "BuildPool") {
		t.Errorf("Build in multi mode: %v", err)
	}
}
