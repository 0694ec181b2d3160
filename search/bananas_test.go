package search

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMLPGradient checks backward against central finite differences.
func TestMLPGradient(t *testing.T) {
	rng := newRand(3)
	p := newMLP(rng, 4, 5, 2)
	for i := range p.theta { // non-zero biases too
		p.theta[i] += 0.1 * rng.NormFloat64()
	}
	x, y := []float64{0.5, -1, 2, 0.25}, 0.7
	loss := func() float64 { d := p.predict(x) - y; return d * d / 2 }
	p.predict(x)
	p.backward(y)
	const h = 1e-6
	for i := range p.theta {
		old := p.theta[i]
		p.theta[i] = old + h
		up := loss()
		p.theta[i] = old - h
		down := loss()
		p.theta[i] = old
		if num := (up - down) / (2 * h); math.Abs(num-p.grad[i]) > 1e-5*math.Max(1, math.Abs(num)) {
			t.Errorf("parameter %d: backward %g, finite difference %g", i, p.grad[i], num)
		}
	}
}

// TestMLPFits: the predictor learns a smooth function of one-hot inputs.
func TestMLPFits(t *testing.T) {
	rng := newRand(1)
	cards := []int{4, 4, 4}
	var xs [][]float64
	var ys []float64
	for range 64 {
		g := randomGenome(rng, cards)
		xs = append(xs, OneHot(g, cards))
		ys = append(ys, float64(g[0])-0.5*float64(g[1]*g[2]))
	}
	m, s := meanStd(ys)
	zs := make([]float64, len(ys))
	for i, y := range ys {
		zs[i] = (y - m) / s
	}
	p := newMLP(rng, len(xs[0]), 20, 2)
	p.fit(rng, xs, zs, 300, 16, 1e9, 0.01)
	mse := 0.0
	for i, x := range xs {
		d := p.predict(x) - zs[i]
		mse += d * d / float64(len(xs))
	}
	if mse > 0.05 {
		t.Errorf("training error %.3f of standardised targets, want below 0.05", mse)
	}
}

func TestOneHot(t *testing.T) {
	got := OneHot([]int{1, 0, 2}, []int{2, 1, 3})
	want := []float64{0, 1, 1, 0, 0, 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("OneHot = %v, want %v", got, want)
		}
	}
}

// TestBananasHardware: genomes the hardware check rejects are never
// proposed once the predictor is used, and none is checked twice.
func TestBananasHardware(t *testing.T) {
	cards := []int{6, 6, 6, 6}
	checked := map[string]int{}
	hw := func(g []int) bool { checked[genomeKey(g)]++; return g[0]+g[1] <= 5 }
	s, err := New("bananas", Config{Cards: cards, Senses: []Sense{Maximize}, Seed: 2, Hardware: hw,
		Params: map[string]float64{"ensemble": 2, "steps": 50}})
	if err != nil {
		t.Fatal(err)
	}
	asked := drive(t, s, 120, 6, func(g []int) Result {
		return Result{Objectives: []float64{float64(g[0] + g[1] + g[2] - g[3])}, Feasible: true}
	})
	for _, g := range asked {
		if g[0]+g[1] > 5 {
			t.Errorf("proposed %v, which the hardware check rejects", g)
		}
	}
	for k, n := range checked {
		if n > 1 {
			t.Errorf("genome %s checked %d times", k, n)
		}
	}
}

// TestBananasExhausts: on a space smaller than the budget, every genome is
// asked once before any repeats.
func TestBananasExhausts(t *testing.T) {
	cards := []int{3, 3}
	s, err := New("bananas", Config{Cards: cards, Senses: []Sense{Minimize}, Seed: 5, Params: map[string]float64{"initial": 2, "ensemble": 2, "steps": 20}})
	if err != nil {
		t.Fatal(err)
	}
	asked := drive(t, s, 9, 2, func(g []int) Result {
		return Result{Objectives: []float64{float64(g[0] * g[1])}, Feasible: true}
	})
	seen := map[string]bool{}
	for _, g := range asked {
		if seen[genomeKey(g)] {
			t.Errorf("asked %v twice in %v", g, asked)
		}
		seen[genomeKey(g)] = true
	}
}

// BenchmarkBananasAsk times one Ask of 4 after 100 told results on a 6-gene
// space of 5 choices (NAS-Bench-201's size), default parameters: the
// strategy's overhead per round of evaluations.
func BenchmarkBananasAsk(b *testing.B) {
	cards := []int{5, 5, 5, 5, 5, 5}
	f := func(g []int) float64 { return float64(g[0]*g[1]) - float64(g[2]) + 0.1*float64(g[5]) }
	for b.Loop() {
		b.StopTimer()
		s := newBananas(mustResolve(b, cards))
		rng := rand.New(rand.NewPCG(1, 2))
		for range 100 {
			c := s.issue(randomGenome(rng, cards))
			s.issued++
			s.Tell([]Result{{ID: c.ID, Objectives: []float64{f(c.Genome)}, Feasible: true}})
		}
		b.StartTimer()
		s.Ask(4)
	}
}

func mustResolve(b *testing.B, cards []int) Config {
	k, _ := Kind("bananas")
	p, err := k.Resolve(nil)
	if err != nil {
		b.Fatal(err)
	}
	return Config{Cards: cards, Senses: []Sense{Maximize}, Params: p, Reward: DefaultReward(Maximize)}
}

// TestBananasPareto: with two objectives and no reward, bananas runs in its
// multi-objective mode: deterministic for a seed, no genome asked twice,
// pruned, failed and infeasible results taken in stride, and the ranking
// of parents puts feasible non-dominated results first.
func TestBananasPareto(t *testing.T) {
	cards := []int{4, 4, 4, 4}
	f := func(g []int) Result {
		r := Result{Objectives: []float64{float64(g[0] + g[1]), float64(g[1] + g[2] + g[3])}, Feasible: g[3] != 3}
		switch {
		case g[0] == 0 && g[1] == 0:
			r.Pruned, r.Objectives[0] = true, math.NaN()
		case g[2] == 3 && g[3] == 0:
			r.Failed = true
		}
		return r
	}
	run := func() [][]int {
		s, err := New("bananas", Config{Cards: cards, Senses: []Sense{Maximize, Minimize}, Seed: 4,
			Params: map[string]float64{"initial": 6, "ensemble": 2, "steps": 40}})
		if err != nil {
			t.Fatal(err)
		}
		if s.(*Bananas).pareto == nil {
			t.Fatal("no Pareto mode with two objectives and no reward")
		}
		return drive(t, s, 60, 4, f)
	}
	a, b := run(), run()
	seen := map[string]bool{}
	for i, g := range a {
		if genomeKey(g) != genomeKey(b[i]) {
			t.Fatalf("ask %d: %v, then %v with the same seed", i, g, b[i])
		}
		if seen[genomeKey(g)] {
			t.Errorf("asked %v twice", g)
		}
		seen[genomeKey(g)] = true
	}
	p := &paretoState{senses: []Sense{Maximize, Minimize}}
	for _, o := range [][]float64{{1, 5}, {3, 1}, {2, 2}, {9, 0}, {1, 6}} {
		p.tell(Result{Objectives: o, Feasible: o[0] != 9})
	}
	if d := p.dominators(); !slices.Equal(d, []int{2, 0, 1, 4, 3}) {
		t.Errorf("dominators %v, want [2 0 1 4 3]", d)
	}
}
