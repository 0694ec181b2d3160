package search

import (
	"fmt"
	"math"
	"reflect"
	"testing"
)

// drive runs a strategy for budget evaluations of f in batches, telling each
// batch in reverse order, and returns every asked genome in order.
func drive(t *testing.T, s Strategy, budget, batch int, f func(g []int) Result) [][]int {
	t.Helper()
	var asked [][]int
	for len(asked) < budget {
		cs := s.Ask(min(batch, budget-len(asked)))
		if len(cs) == 0 {
			break
		}
		rs := make([]Result, len(cs))
		for i, c := range cs {
			asked = append(asked, c.Genome)
			rs[len(cs)-1-i] = f(c.Genome)
			rs[len(cs)-1-i].ID = c.ID
		}
		s.Tell(rs)
	}
	return asked
}

// bumpy is a single-objective test function with one optimum (all genes at
// their middle value), some failures and some pruned genomes.
func bumpy(cards []int) func(g []int) Result {
	return func(g []int) Result {
		v := 0.0
		for i, x := range g {
			d := float64(x - cards[i]/2)
			v -= d * d
		}
		switch {
		case g[0] == 0 && g[1] == 1:
			return Result{Failed: true}
		case g[0] == 1 && g[1] == 0:
			return Result{Pruned: true, Objectives: []float64{math.NaN()}}
		}
		return Result{Objectives: []float64{v}, Feasible: true}
	}
}

func allKinds(t *testing.T, seed int64, cards []int) map[string]Strategy {
	out := map[string]Strategy{}
	for _, k := range Kinds() {
		if k.Differentiable {
			continue // the engine runs it
		}
		cfg := Config{Cards: cards, Senses: []Sense{Maximize}, Seed: seed}
		if k.Name == "bananas" { // a lighter predictor: these tests ask hundreds of times
			cfg.Params = map[string]float64{"ensemble": 3, "hidden": 10, "layers": 2, "steps": 60}
		}
		if k.NeedsHardware {
			cfg.HardwareGenes = 1
			cfg.Hardware = func(g []int) bool { return g[len(g)-1] != 0 }
			// hw_penalty (−1) must be below every reward: map the objective into (0, 1].
			cfg.Reward = RewardFunc(func(r Result) float64 {
				if !r.usable() {
					return 0
				}
				return 1 / (1 - r.Objectives[0])
			})
		}
		s, err := New(k.Name, cfg)
		if err != nil {
			t.Fatalf("New(%s): %v", k.Name, err)
		}
		out[k.Name] = s
	}
	return out
}

func TestDeterministicAndValid(t *testing.T) {
	cards := []int{5, 4, 3, 6, 2, 5}
	a, b, c := allKinds(t, 11, cards), allKinds(t, 11, cards), allKinds(t, 12, cards)
	for name := range a {
		ga := drive(t, a[name], 300, 7, bumpy(cards))
		gb := drive(t, b[name], 300, 7, bumpy(cards))
		gc := drive(t, c[name], 300, 7, bumpy(cards))
		if !reflect.DeepEqual(ga, gb) {
			t.Errorf("%s: two runs with seed 11 differ", name)
		}
		if name != "grid" && reflect.DeepEqual(ga, gc) {
			t.Errorf("%s: seeds 11 and 12 ask the same genomes", name)
		}
		if len(ga) != 300 {
			t.Errorf("%s: asked %d genomes, want 300", name, len(ga))
		}
		for _, g := range ga {
			for i, v := range g {
				if v < 0 || v >= cards[i] {
					t.Fatalf("%s: genome %v gene %d out of range", name, g, i)
				}
			}
		}
		cnt := a[name].(Counter).Counts()
		if cnt.Told() != 300 || cnt.Asked != 300 || cnt.Failed == 0 || (cnt.Pruned == 0 && name != "grid") || cnt.Feasible == 0 {
			t.Errorf("%s: counts %+v", name, cnt)
		}
	}
}

// TestSingleObjectiveImproves: over 8 seeds and 400 evaluations, the
// learning strategies find better genomes of the bumpy function on average
// than random search, and their mean reward over the last 100 asks beats
// random's mean.
func TestSingleObjectiveImproves(t *testing.T) {
	cards := []int{7, 7, 7, 7, 7, 7}
	f := bumpy(cards)
	best := map[string]float64{}
	late := map[string]float64{}
	for seed := range int64(8) {
		for name, s := range allKinds(t, seed, cards) {
			if name == "grid" || name == "coexplore" {
				continue
			}
			asked := drive(t, s, 400, 5, f)
			b := math.Inf(-1)
			for i, g := range asked {
				if r := f(g); r.Feasible {
					b = math.Max(b, r.Objectives[0])
					if i >= 300 {
						late[name] += r.Objectives[0] / 800
					}
				}
			}
			best[name] += b / 8
		}
	}
	for name := range best {
		t.Logf("%-9s mean best %.2f, mean objective of the last 100 asks %.2f", name, best[name], late[name])
		if name != "random" && (best[name] <= best["random"] || late[name] <= late["random"]) {
			t.Errorf("%s does not beat random search", name)
		}
	}
}

func TestTellIgnoresUnknown(t *testing.T) {
	for name, s := range allKinds(t, 1, []int{3, 3}) {
		cs := s.Ask(2)
		s.Tell([]Result{{ID: 99, Feasible: true, Objectives: []float64{1}}, {ID: cs[0].ID, Feasible: true, Objectives: []float64{1}}})
		s.Tell([]Result{{ID: cs[0].ID, Feasible: true, Objectives: []float64{1}}})
		if c := s.(Counter).Counts(); c.Ignored != 2 || c.Told() != 1 {
			t.Errorf("%s: counts %+v, want 2 ignored and 1 told", name, c)
		}
	}
}

func TestGridAndRandomCoverSmallSpace(t *testing.T) {
	cards := []int{2, 3, 2}
	for _, kind := range []string{"grid", "random"} {
		s, _ := New(kind, Config{Cards: cards, Senses: []Sense{Minimize}, Seed: 4})
		asked := drive(t, s, 100, 5, func([]int) Result { return Result{Objectives: []float64{0}, Feasible: true} })
		if len(asked) != 12 {
			t.Fatalf("%s asked %d genomes of a 12-genome space", kind, len(asked))
		}
		seen := map[string]bool{}
		for _, g := range asked {
			seen[fmt.Sprint(g)] = true
		}
		if len(seen) != 12 {
			t.Errorf("%s repeated genomes: %d distinct of 12", kind, len(seen))
		}
		if kind == "grid" && (!reflect.DeepEqual(asked[0], []int{0, 0, 0}) || !reflect.DeepEqual(asked[1], []int{0, 0, 1}) || !reflect.DeepEqual(asked[11], []int{1, 2, 1})) {
			t.Errorf("grid order: %v", asked)
		}
	}
}

func TestEvolutionMutatesOneGene(t *testing.T) {
	cards := []int{4, 4, 4, 4, 4}
	s, _ := New("evolution", Config{Cards: cards, Senses: []Sense{Maximize}, Seed: 2, Params: map[string]float64{"population": 5, "sample": 5, "retries": 0}})
	asked := drive(t, s, 40, 1, func(g []int) Result { return Result{Objectives: []float64{float64(g[0])}, Feasible: true} })
	e := s.(*Evolution)
	if len(e.members) != 5 {
		t.Fatalf("population %d, want 5", len(e.members))
	}
	// With sample = population the parent is the best alive member; every
	// child after the first 5 differs from some earlier genome in exactly one gene.
	for _, g := range asked[5:] {
		ok := false
		for _, p := range asked {
			d := 0
			for i := range g {
				if g[i] != p[i] {
					d++
				}
			}
			ok = ok || d == 1
		}
		if !ok {
			t.Fatalf("child %v is not a one-gene mutation of any earlier genome", g)
		}
	}
}

func TestCoexplore(t *testing.T) {
	// Architecture genes 0..2, hardware genes 3..4. A design is feasible only
	// when hardware gene 3 is at least the sum of the architecture genes
	// (bigger networks need bigger devices) and gene 4 is 0.
	cards := []int{3, 3, 3, 7, 3}
	feasible := func(g []int) bool { return g[3] >= g[0]+g[1]+g[2] && g[4] == 0 }
	s, err := New("coexplore", Config{Cards: cards, Senses: []Sense{Maximize}, Seed: 1, HardwareGenes: 2, Hardware: feasible})
	if err != nil {
		t.Fatal(err)
	}
	checks := []int{}
	for range 20 {
		before := s.(Counter).Counts().HWChecks
		asked := drive(t, s, 10, 2, func(g []int) Result {
			if !feasible(g) {
				t.Fatalf("coexplore returned %v without a feasible design", g)
			}
			return Result{Objectives: []float64{float64(g[0]+g[1]+g[2]) / 6}, Feasible: true} // accuracy grows with size
		})
		if len(asked) != 10 {
			t.Fatalf("asked %d, want 10", len(asked))
		}
		checks = append(checks, s.(Counter).Counts().HWChecks-before)
	}
	c := s.(Counter).Counts()
	t.Logf("hardware checks per 10 candidates: %v; counts %+v", checks, c)
	if checks[len(checks)-1] >= checks[0] {
		t.Errorf("the controller did not learn the hardware: %d checks per 10 candidates at first, %d at the end", checks[0], checks[len(checks)-1])
	}
	// An impossible platform: Ask gives up.
	s2, _ := New("coexplore", Config{Cards: cards, Senses: []Sense{Maximize}, HardwareGenes: 2, Hardware: func([]int) bool { return false },
		Params: map[string]float64{"arch_tries": 5, "hw_tries": 3}})
	if cs := s2.Ask(3); len(cs) != 0 {
		t.Errorf("impossible hardware: got %d candidates", len(cs))
	}
	if c := s2.(Counter).Counts(); c.HWPruned != 5 || c.HWChecks != 15 {
		t.Errorf("impossible hardware: counts %+v, want 5 pruned, 15 checks", c)
	}
	for _, bad := range []Config{
		{Cards: cards, Senses: []Sense{Maximize}, HardwareGenes: 2},
		{Cards: cards, Senses: []Sense{Maximize}, HardwareGenes: 5, Hardware: feasible},
	} {
		if _, err := New("coexplore", bad); err == nil {
			t.Errorf("New(coexplore, %+v) succeeded", bad)
		}
	}
}
