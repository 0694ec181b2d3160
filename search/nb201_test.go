package search_test

import (
	"math"
	"testing"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/search"
)

// runNB201 searches the NAS-Bench-201 table on c10valid_valid_acc (as a
// fraction) for budget evaluations, asking batch candidates at a time, and
// returns the c10_test_acc (%) of the candidate with the best validation
// accuracy.
func runNB201(t testing.TB, kind string, seed int64, budget, batch int, params map[string]float64) float64 {
	s, err := search.New(kind, search.Config{Cards: arch.Cardinalities(nb201.Space{}), Senses: []search.Sense{search.Maximize},
		Seed: seed, Params: params})
	if err != nil {
		t.Fatal(err)
	}
	bestValid, bestTest := math.Inf(-1), 0.0
	for done := 0; done < budget; {
		cs := s.Ask(min(batch, budget-done))
		if len(cs) == 0 {
			t.Fatalf("%s asked nothing after %d evaluations", kind, done)
		}
		rs := make([]search.Result, len(cs))
		for i := len(cs) - 1; i >= 0; i-- { // tell in reverse order: out of order on purpose
			r, err := nb201.LookupGenome(cs[i].Genome)
			if err != nil {
				t.Fatal(err)
			}
			v := r.C10ValidValidAcc / 100
			rs[len(cs)-1-i] = search.Result{ID: cs[i].ID, Objectives: []float64{v}, Feasible: true}
			if v > bestValid {
				bestValid, bestTest = v, r.C10TestAcc
			}
		}
		s.Tell(rs)
		done += len(cs)
	}
	return bestTest
}

// TestNB201BeatsRandom: over 30 seeds at a budget of 100 evaluations,
// regularized evolution and REINFORCE (default parameters) each end with a
// higher mean CIFAR-10 test accuracy than random search.
func TestNB201BeatsRandom(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 90 searches")
	}
	const seeds, budget, batch = 30, 100, 4
	means := map[string]float64{}
	for _, kind := range []string{"random", "evolution", "reinforce"} {
		var accs []float64
		for seed := range int64(seeds) {
			accs = append(accs, runNB201(t, kind, seed, budget, batch, nil))
		}
		m, sd := search.MeanSD(accs)
		means[kind] = m
		t.Logf("%-9s c10_test_acc over %d seeds, %d evaluations: mean %.3f%%, std %.3f", kind, seeds, budget, m, sd)
	}
	for _, kind := range []string{"evolution", "reinforce"} {
		if means[kind] <= means["random"] {
			t.Errorf("%s mean %.3f%% does not beat random %.3f%%", kind, means[kind], means["random"])
		}
	}
}

// TestNB201Pareto: maximise c10valid_valid_acc and minimise the FPGA
// latency of HW-NAS-Bench; over 10 seeds at 150 evaluations NSGA-II
// (population 20) covers more of the true front's hypervolume than random
// search. Reference point: accuracy 0, latency 12 ms (above the table's worst).
func TestNB201Pareto(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 20 searches")
	}
	senses := []search.Sense{search.Maximize, search.Minimize}
	ref := []float64{0, 12}
	var all [][]float64
	for _, r := range nb201.Rows() {
		all = append(all, []float64{r.C10ValidValidAcc / 100, r.FPGALatencyMs})
	}
	opt, err := search.Hypervolume(all, ref, senses)
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]map[string]float64{"nsga2": {"population": 20}}
	mean := map[string]float64{}
	for _, kind := range []string{"random", "nsga2"} {
		var fr []float64
		for seed := range int64(10) {
			s, err := search.New(kind, search.Config{Cards: arch.Cardinalities(nb201.Space{}), Senses: senses, Seed: seed, Params: params[kind]})
			if err != nil {
				t.Fatal(err)
			}
			var pts [][]float64
			for len(pts) < 150 {
				cs := s.Ask(10)
				rs := make([]search.Result, len(cs))
				for i, c := range cs {
					r, _ := nb201.LookupGenome(c.Genome)
					rs[i] = search.Result{ID: c.ID, Objectives: []float64{r.C10ValidValidAcc / 100, r.FPGALatencyMs}, Feasible: true}
					pts = append(pts, rs[i].Objectives)
				}
				s.Tell(rs)
			}
			hv, err := search.Hypervolume(pts, ref, senses)
			if err != nil {
				t.Fatal(err)
			}
			fr = append(fr, hv/opt)
		}
		m, sd := search.MeanSD(fr)
		mean[kind] = m
		t.Logf("%-6s share of the optimal hypervolume %.4f (ref %v) over 10 seeds, 150 evaluations: mean %.4f, std %.4f", kind, opt, ref, m, sd)
	}
	if mean["nsga2"] <= mean["random"] {
		t.Errorf("NSGA-II %.4f does not beat random %.4f", mean["nsga2"], mean["random"])
	}
}

// TestNB201Bananas: over 10 seeds at 100 evaluations, asked 10 at a time
// as in the BANANAS paper, bananas ends with a higher mean CIFAR-10 test
// accuracy than random search on the same seeds.
func TestNB201Bananas(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 20 searches")
	}
	const seeds, budget, batch = 10, 100, 10
	means := map[string]float64{}
	for _, kind := range []string{"random", "bananas"} {
		var accs []float64
		for seed := range int64(seeds) {
			accs = append(accs, runNB201(t, kind, seed, budget, batch, nil))
		}
		m, sd := search.MeanSD(accs)
		means[kind] = m
		t.Logf("%-7s c10_test_acc over %d seeds, %d evaluations: mean %.3f%%, std %.3f", kind, seeds, budget, m, sd)
	}
	if means["bananas"] <= means["random"] {
		t.Errorf("bananas mean %.3f%% does not beat random %.3f%%", means["bananas"], means["random"])
	}
}
