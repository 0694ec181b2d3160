package search_test

import (
	"fmt"
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

func meanStd(xs []float64) (float64, float64) {
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	v := 0.0
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	return m, math.Sqrt(v / float64(len(xs)-1))
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
		m, sd := meanStd(accs)
		means[kind] = m
		t.Logf("%-9s c10_test_acc over %d seeds, %d evaluations: mean %.3f%%, std %.3f", kind, seeds, budget, m, sd)
	}
	for _, kind := range []string{"evolution", "reinforce"} {
		if means[kind] <= means["random"] {
			t.Errorf("%s mean %.3f%% does not beat random %.3f%%", kind, means[kind], means["random"])
		}
	}
}

var _ = fmt.Sprint
