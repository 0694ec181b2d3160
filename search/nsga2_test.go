package search

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// problem is a discrete multi-objective test problem over a small space,
// whose optimal front is found by enumeration.
type problem struct {
	name   string
	cards  []int
	senses []Sense
	eval   func(g []int) Result // fills Objectives, Feasible, Violation
	ref    []float64
	budget int
	front  func() [][]float64 // the optimal front
}

// lotz is Leading Ones, Trailing Zeros (Laumanns et al. 2004): maximise the
// run of ones at the start and the run of zeros at the end of a bit string;
// the front is 1^i 0^(n−i).
func lotz(n int) problem {
	cards := make([]int, n)
	for i := range cards {
		cards[i] = 2
	}
	return problem{name: fmt.Sprintf("LOTZ-%d", n), cards: cards, senses: []Sense{Maximize, Maximize}, ref: []float64{-1, -1}, budget: 4000,
		front: func() [][]float64 {
			var f [][]float64
			for i := 0; i <= n; i++ {
				f = append(f, []float64{float64(i), float64(n - i)})
			}
			return f
		},
		eval: func(g []int) Result {
			lo, tz := 0, 0
			for lo < len(g) && g[lo] == 1 {
				lo++
			}
			for tz < len(g) && g[len(g)-1-tz] == 0 {
				tz++
			}
			return Result{Objectives: []float64{float64(lo), float64(tz)}, Feasible: true}
		}}
}

// knapsack: every gene picks one of 4 items with a random cost and value;
// minimise total cost, maximise total value, optionally under a cost cap
// (violators are infeasible with violation = cost − cap).
func knapsack(genes int, seed uint64, cap float64) problem {
	rng := rand.New(rand.NewPCG(seed, 1))
	cost := make([][4]float64, genes)
	val := make([][4]float64, genes)
	cards := make([]int, genes)
	for i := range genes {
		cards[i] = 4
		for k := range 4 {
			cost[i][k] = float64(1 + rng.IntN(20))
			val[i][k] = float64(1 + rng.IntN(20))
		}
	}
	name := fmt.Sprintf("knapsack-%dx4", genes)
	if cap > 0 {
		name += fmt.Sprintf("-cap%g", cap)
	}
	return problem{name: name, cards: cards, senses: []Sense{Minimize, Maximize}, ref: []float64{20 * float64(genes), 0}, budget: 2000,
		front: func() [][]float64 {
			// Dynamic programming over genes keeps the non-dominated (cost, value) pairs.
			f := [][]float64{{0, 0}}
			for i := range genes {
				var next [][]float64
				for _, p := range f {
					for k := range 4 {
						next = append(next, []float64{p[0] + cost[i][k], p[1] + val[i][k]})
					}
				}
				f = f[:0]
				for _, j := range NonDominated(next, []Sense{Minimize, Maximize}) {
					f = append(f, next[j])
				}
			}
			var feas [][]float64
			for _, p := range f {
				if cap == 0 || p[0] <= cap {
					feas = append(feas, p)
				}
			}
			return feas
		},
		eval: func(g []int) Result {
			c, v := 0.0, 0.0
			for i, k := range g {
				c += cost[i][k]
				v += val[i][k]
			}
			r := Result{Objectives: []float64{c, v}, Feasible: true}
			if cap > 0 && c > cap {
				r.Feasible, r.Violation = false, c-cap
			}
			return r
		}}
}

// optimalHV is the hypervolume of the true front.
func (p problem) optimalHV(t *testing.T) float64 {
	hv, err := Hypervolume(p.front(), p.ref, p.senses)
	if err != nil {
		t.Fatal(err)
	}
	return hv
}

func runProblem(t *testing.T, s Strategy, p problem, batch int) float64 {
	var pts [][]float64
	for done := 0; done < p.budget; {
		cs := s.Ask(min(batch, p.budget-done))
		if len(cs) == 0 {
			break // the space is exhausted
		}
		rs := make([]Result, len(cs))
		for i, c := range cs {
			rs[i] = p.eval(c.Genome)
			rs[i].ID = c.ID
			if rs[i].Feasible {
				pts = append(pts, rs[i].Objectives)
			}
		}
		for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 { // out of order
			rs[i], rs[j] = rs[j], rs[i]
		}
		s.Tell(rs)
		done += len(cs)
	}
	hv, err := Hypervolume(pts, p.ref, p.senses)
	if err != nil {
		t.Fatal(err)
	}
	return hv
}

// TestNSGA2KnownFronts: NSGA-II (population 50, default parameters) reaches
// at least 95% of the optimal hypervolume within each problem's budget
// (LOTZ-16: 4000 evaluations of 65,536 genomes; the knapsacks: 2000 of 16.8M),
// on every one of 5 seeds.
func TestNSGA2KnownFronts(t *testing.T) {
	for _, p := range []problem{lotz(16), knapsack(12, 7, 0), knapsack(12, 7, 90)} {
		opt := p.optimalHV(t)
		worst := math.Inf(1)
		for seed := range int64(5) {
			s, err := New("nsga2", Config{Cards: p.cards, Senses: p.senses, Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			hv := runProblem(t, s, p, 10)
			worst = math.Min(worst, hv/opt)
		}
		t.Logf("%s: worst of 5 seeds reaches %.1f%% of the optimal hypervolume %.0f in %d evaluations", p.name, 100*worst, opt, p.budget)
		if worst < 0.95 {
			t.Errorf("%s: %.1f%% of the optimal hypervolume, want ≥ 95%%", p.name, 100*worst)
		}
		// Random search with the same budget, for scale.
		r, _ := New("random", Config{Cards: p.cards, Senses: p.senses, Seed: 1})
		t.Logf("%s: random search reaches %.1f%%", p.name, 100*runProblem(t, r, p, 10)/opt)
	}
}

func TestConstrainedDomination(t *testing.T) {
	feas := &indiv{feasible: true, obj: []float64{5, 5}}
	feasBetter := &indiv{feasible: true, obj: []float64{4, 5}}
	inf1 := &indiv{violation: 1}
	inf2 := &indiv{violation: 2}
	cases := []struct {
		a, b *indiv
		want bool
	}{
		{feas, inf1, true}, {inf1, feas, false}, {inf1, inf2, true}, {inf2, inf1, false},
		{feasBetter, feas, true}, {feas, feasBetter, false}, {feas, feas, false},
	}
	for i, c := range cases {
		if got := cdominates(c.a, c.b); got != c.want {
			t.Errorf("case %d: cdominates = %v, want %v", i, got, c.want)
		}
	}
}

// TestKnapsackFrontByEnumeration checks the dynamic-programming front
// against brute force on a small instance.
func TestKnapsackFrontByEnumeration(t *testing.T) {
	for _, p := range []problem{knapsack(5, 3, 0), knapsack(5, 3, 40)} {
		var pts [][]float64
		for i := range SpaceSize(p.cards) {
			if r := p.eval(decodeIndex(i, p.cards)); r.Feasible {
				pts = append(pts, r.Objectives)
			}
		}
		brute, _ := Hypervolume(pts, p.ref, p.senses)
		if dp := p.optimalHV(t); math.Abs(dp-brute) > 1e-9 {
			t.Errorf("%s: DP front HV %v, enumeration %v", p.name, dp, brute)
		}
	}
}
