package fpga

import (
	"math/rand/v2"
	"testing"

	"github.com/hwnas/hwnas/arch/nb201"
)

// nb201Sample is n reports of NAS-Bench-201 cells drawn at random (seeded),
// with the rows of the table. Dead cells (no path from input to output,
// which hwnas builds as the bare skeleton and HW-NAS-Bench measured as next
// to nothing on the phones) are left out; with live set, so are cells with
// any op the network leaves out (nb201.FullyLive).
func nb201Sample(t *testing.T, p Platform, n int, live bool) ([]Report, []nb201.Row) {
	t.Helper()
	var reps []Report
	var rows []nb201.Row
	for _, idx := range rand.New(rand.NewPCG(17, 1)).Perm(nb201.Len()) {
		row, _ := nb201.At(idx)
		if !nb201.Reachable(row.Genome) || live && !nb201.FullyLive(row.Genome) {
			continue
		}
		net, err := nb201.NetworkOf(row.Genome)
		if err != nil {
			t.Fatal(err)
		}
		_, rep, err := Optimize(net, p, Options{Mode: Shared})
		if err != nil {
			t.Fatal(err)
		}
		reps, rows = append(reps, rep), append(rows, row)
		if len(reps) == n {
			break
		}
	}
	return reps, rows
}

// TestCalibrateNB201 is the benchmark: calibrated on 100 random
// NAS-Bench-201 cells with HW-NAS-Bench's measured latency on a device,
// evaluated on 1,000 other cells. The model is ZC706's (HW-NAS-Bench's FPGA
// is a ZC706) at int16 for all three devices. HW-NAS-Bench's latencies
// count every op of a cell, also those no path connects to its output,
// which the network hwnas builds leaves out (arch/nb201: they cannot affect
// the result), so over all cells no calibration can reach them; over the
// cells that have no such op the goal (Spearman ≥ 0.9, MAPE ≤ 10 %) holds.
func TestCalibrateNB201(t *testing.T) {
	p, err := Lookup("ZC706")
	if err != nil {
		t.Fatal(err)
	}
	devices := []struct {
		name string
		ms   func(r *nb201.Row) float64
	}{
		{"fpga", func(r *nb201.Row) float64 { return r.FPGALatencyMs }},
		{"raspi4", func(r *nb201.Row) float64 { return r.Raspi4LatencyMs }},
		{"pixel3", func(r *nb201.Row) float64 { return r.Pixel3LatencyMs }},
	}
	for _, live := range []bool{false, true} {
		reps, rows := nb201Sample(t, p, 1100, live)
		for _, d := range devices {
			var y []float64
			for i := range rows {
				y = append(y, d.ms(&rows[i]))
			}
			c, err := Fit(reps[:100], y[:100], 10)
			if err != nil {
				t.Fatal(err)
			}
			var before, after []float64
			for _, r := range reps[100:] {
				before, after = append(before, r.LatencyMs), append(after, c.Apply(r).LatencyMs)
			}
			b, a := Compare(before, y[100:]), Compare(after, y[100:])
			t.Logf("%-6s live-only=%-5v before: %v | after: %v", d.name, live, b, a)
			if a.Spearman < b.Spearman-0.01 || a.MAPE > b.MAPE {
				t.Errorf("%s (live only %v): calibration made it worse: %v, before %v", d.name, live, a, b)
			}
			if live && (a.Spearman < 0.9 || a.MAPE > 10) {
				t.Errorf("%s on fully live cells: %v, want Spearman ≥ 0.9 and MAPE ≤ 10 %%", d.name, a)
			}
		}
	}
}
