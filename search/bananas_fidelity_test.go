package search

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/internal/golden"
)

// fidelityRun drives bananas (ensemble 3, 60 steps) for 60 asks in batches
// of 4 on six genes of five values, telling each child f's result.
func fidelityRun(t *testing.T, senses []Sense, seed int64, f func(id int, g []int) Result) [][]int {
	t.Helper()
	s, err := New("bananas", Config{Cards: []int{5, 5, 5, 5, 5, 5}, Senses: senses, Seed: seed,
		Params: map[string]float64{"ensemble": 3, "steps": 60}})
	if err != nil {
		t.Fatal(err)
	}
	var asked [][]int
	for len(asked) < 60 {
		cs := s.Ask(4)
		rs := make([]Result, len(cs))
		for i, c := range cs {
			asked = append(asked, c.Genome)
			rs[i] = f(c.ID, c.Genome)
			rs[i].ID = c.ID
		}
		s.Tell(rs)
	}
	return asked
}

// high is the synthetic high-fidelity accuracy, from 0.5 to 1: best with
// the first five genes at 4.
func high(g []int) float64 {
	v := 0.0
	for _, x := range g[:5] {
		v += float64(x)
	}
	return 0.5 + v/40
}

// low is the synthetic low-fidelity accuracy, in the same range as high's
// and anti-correlated with it.
func low(g []int) float64 { return 1.5 - high(g) }

// singleObjective and twoObjectives are the results fidelityRun tells in
// single-objective and Pareto mode, each at fidelity fid.
func singleObjective(fid int) func(int, []int) Result {
	return func(_ int, g []int) Result {
		return Result{Objectives: []float64{high(g)}, Feasible: true, Fidelity: fid}
	}
}

func twoObjectives(fid int) func(int, []int) Result {
	return func(_ int, g []int) Result {
		return Result{Objectives: []float64{high(g), float64(g[0] + g[5])}, Feasible: g[1] != 0, Fidelity: fid}
	}
}

// TestBananasOneFidelity: results that all carry one fidelity (0, as without
// a schedule, or any other) give the same asks, and these are the asks of
// bananas before it read fidelities (testdata/bananas_asks.golden was
// written by that version).
func TestBananasOneFidelity(t *testing.T) {
	var sb strings.Builder
	for _, mode := range []struct {
		name   string
		senses []Sense
		f      func(int) func(int, []int) Result
	}{{"single", []Sense{Maximize}, singleObjective}, {"pareto", []Sense{Maximize, Minimize}, twoObjectives}} {
		zero := fidelityRun(t, mode.senses, 7, mode.f(0))
		if nine := fidelityRun(t, mode.senses, 7, mode.f(9)); !slices.EqualFunc(zero, nine, slices.Equal) {
			t.Errorf("%s: every result at fidelity 9 asks\n%v\nat fidelity 0\n%v", mode.name, nine, zero)
		}
		fmt.Fprintf(&sb, "%s:\n", mode.name)
		for _, g := range zero {
			fmt.Fprintln(&sb, g)
		}
	}
	golden.Check(t, "bananas_asks.golden", sb.String())
}

// TestBananasFidelityFitSet: the model is fit on the highest fidelity with
// at least fidelityFloor observations (10 here), rungs counted, else the next
// one down, else on every result at its last fidelity; pruned results
// (anyFidelity) join any fidelity and do not count towards the floor.
func TestBananasFidelityFitSet(t *testing.T) {
	b := newBananas(Config{Cards: []int{5, 5, 5}, Params: map[string]float64{"initial": 10}})
	const every, finals = 0, -2 // want: every observation; every result at its last fidelity
	for _, c := range []struct {
		counts map[int]int // fidelity → results that ended there
		rungs  map[int]int // fidelity → rungs passed there
		want   int         // fidelity fitSet picks, every or finals
	}{
		{map[int]int{9: 30}, nil, every},
		{map[int]int{9: 30, anyFidelity: 3}, nil, every},
		{map[int]int{1: 12, 3: 4, 9: 2}, nil, 1},
		{map[int]int{1: 12, 3: 10, 9: 9}, nil, 3},
		{map[int]int{1: 30, 3: 10, 9: 10}, nil, 9},
		{map[int]int{1: 30, 3: 10, 9: 9, anyFidelity: 4}, nil, 3},
		{map[int]int{1: 9, 3: 9, 9: 9, anyFidelity: 9}, nil, every},
		{map[int]int{1: 20, 3: 7, 9: 3}, map[int]int{1: 10, 3: 3}, 3}, // ASHA: the 9-epoch children passed 3
		{map[int]int{1: 5, 9: 3, anyFidelity: 2}, map[int]int{1: 3}, finals},
	} {
		b.fids, b.rungs = nil, nil
		for _, f := range []int{1, anyFidelity, 3, 9} {
			for range c.counts[f] {
				b.fids, b.rungs = append(b.fids, f), append(b.rungs, false)
			}
			for range c.rungs[f] {
				b.fids, b.rungs = append(b.fids, f), append(b.rungs, true)
			}
		}
		slices.Reverse(b.fids[len(b.fids)/2:]) // interleaved, as a schedule tells them
		slices.Reverse(b.rungs[len(b.rungs)/2:])
		set := b.fitSet()
		if c.want == every {
			if set != nil {
				t.Errorf("%v: fit on %v, want every result", c.counts, set)
			}
			continue
		}
		n := 0
		for f, k := range c.counts {
			if c.want == finals || f == c.want || f == anyFidelity {
				n += k
			}
		}
		if c.want != finals {
			n += c.rungs[c.want]
		}
		if len(set) != n || !slices.IsSorted(set) {
			t.Errorf("%v, rungs %v: fit on observations %v, want %d, in order", c.counts, c.rungs, set, n)
		}
		for _, i := range set {
			if f := b.fids[i]; c.want == finals && b.rungs[i] || c.want != finals && f != c.want && f != anyFidelity {
				t.Errorf("%v, rungs %v: fit on observation %d at fidelity %d (a rung: %v), want %d", c.counts, c.rungs, i, f, b.rungs[i], c.want)
			}
		}
	}
}

// TestBananasFidelityAnticorrelated: a third of the children are told at
// fidelity 9, the rest at fidelity 1 (as Hyperband's brackets), where the
// accuracy is anti-correlated with fidelity 9's. Bananas fit on the highest
// fidelity with enough results proposes children that fidelity 9 rates well;
// fit on every result as one target (the fidelities told as 0), it is
// misled by the majority at fidelity 1. In Pareto mode the same.
func TestBananasFidelityAnticorrelated(t *testing.T) {
	schedule := func(aware bool, second func(g []int) float64) func(int, []int) Result {
		return func(id int, g []int) Result {
			r := Result{Objectives: []float64{high(g)}, Feasible: true, Fidelity: 9}
			if id%3 != 0 {
				r.Objectives[0], r.Fidelity = low(g), 1
			}
			if second != nil {
				r.Objectives = append(r.Objectives, second(g))
			}
			if !aware {
				r.Fidelity = 0
			}
			return r
		}
	}
	size := func(g []int) float64 { return float64(g[5]) } // a second objective, minimised, that high does not read
	for _, mode := range []struct {
		name   string
		senses []Sense
		second func(g []int) float64
	}{{"single", []Sense{Maximize}, nil}, {"pareto", []Sense{Maximize, Minimize}, size}} {
		var mean [2]float64 // naive, aware: fidelity 9's accuracy of the last 30 asks over 3 seeds
		for k, aware := range []bool{false, true} {
			for seed := range int64(3) {
				for _, g := range fidelityRun(t, mode.senses, seed, schedule(aware, mode.second))[30:] {
					mean[k] += high(g) / 90
				}
			}
		}
		// Random genomes average 0.75; the naive fit follows fidelity 1 below
		// it (single 0.665, Pareto 0.626 when written; fit on fidelity 9,
		// 0.882 and 0.796).
		if mean[1] < 0.75 || mean[0] > 0.75 || mean[1]-mean[0] < 0.1 {
			t.Errorf("%s: mean fidelity-9 accuracy of the later asks %.3f fit on fidelity 9, %.3f fit on every result; want above and below random's 0.75, 0.1 apart",
				mode.name, mean[1], mean[0])
		}
	}
}

// TestBananasRungs: a result's rungs are observations of their own
// fidelities, told before the result, in either mode; the result is
// counted once.
func TestBananasRungs(t *testing.T) {
	for _, senses := range [][]Sense{{Maximize}, {Maximize, Minimize}} {
		s, err := New("bananas", Config{Cards: []int{3, 3}, Senses: senses, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		b := s.(*Bananas)
		c := b.Ask(1)[0]
		objs := func(acc float64) []float64 { return []float64{acc, 2}[:len(senses)] }
		b.Tell([]Result{{ID: c.ID, Objectives: objs(0.9), Feasible: true, Fidelity: 9,
			Rungs: []Rung{{Fidelity: 1, Objectives: objs(0.5)}, {Fidelity: 3, Objectives: objs(0.7)}}}})
		if !slices.Equal(b.fids, []int{1, 3, 9}) || !slices.Equal(b.rungs, []bool{true, true, false}) || len(b.genomes) != 3 || b.Counts().Told() != 1 {
			t.Errorf("%d objectives: fidelities %v, rungs %v, %d observations, %d told", len(senses), b.fids, b.rungs, len(b.genomes), b.Counts().Told())
		}
		if len(senses) == 1 && !slices.Equal(b.ys, []float64{0.5, 0.7, 0.9}) {
			t.Errorf("rewards %v, want 0.5 0.7 0.9", b.ys)
		}
		if len(senses) == 2 && (b.pareto.objs[0][0] != 0.5 || b.pareto.objs[2][0] != 0.9) {
			t.Errorf("objectives %v", b.pareto.objs)
		}
	}
}

// TestBananasFidelityRewardState: under FNAS's reward, whose accuracy
// baseline moves with every result, a 9-epoch child told after many 1-epoch
// ones (here 0.1 to 0.35, anti-correlated) gets the clipped +0.1 whatever its
// accuracy. Bananas fit on fidelity 9 replays a fresh copy of the reward over
// the 9-epoch results alone, and so still tells good 9-epoch children from
// bad; with the same reward hidden behind a RewardFunc (its state unknown,
// the rewards kept as told) it cannot.
func TestBananasFidelityRewardState(t *testing.T) {
	run := func(seed int64, hide bool) float64 {
		var rw Reward = NewFNAS(0, -1, 1)
		if hide {
			rw = RewardFunc(rw.Reward)
		}
		s, err := New("bananas", Config{Cards: []int{5, 5, 5, 5, 5, 5}, Senses: []Sense{Maximize}, Seed: seed, Reward: rw,
			Params: map[string]float64{"ensemble": 3, "steps": 60}})
		if err != nil {
			t.Fatal(err)
		}
		mean := 0.0
		for asked := 0; asked < 60; {
			cs := s.Ask(4)
			rs := make([]Result, len(cs))
			for i, c := range cs {
				if asked++; asked > 30 {
					mean += high(c.Genome) / 30
				}
				rs[i] = Result{ID: c.ID, Objectives: []float64{high(c.Genome)}, Feasible: true, Fidelity: 9}
				if c.ID%3 != 0 {
					rs[i].Objectives[0], rs[i].Fidelity = 0.1+(1-high(c.Genome))/2, 1
				}
			}
			s.Tell(rs)
		}
		return mean
	}
	var replayed, told float64
	for seed := range int64(3) {
		replayed += run(seed, false) / 3
		told += run(seed, true) / 3
	}
	// 0.848 and 0.737 when written; random genomes average 0.75.
	if replayed < 0.8 || replayed < told+0.05 {
		t.Errorf("mean fidelity-9 accuracy of the later asks %.3f with the reward replayed on fidelity 9, %.3f with the rewards as told; want above 0.8 and 0.05 more", replayed, told)
	}
}

// freshReward copies a reward as before any result and leaves the original
// as it was; a reward of unknown state is refused.
func TestFreshReward(t *testing.T) {
	used := NewFNAS(0, -1, 1)
	for _, a := range []float64{0.5, 0.9} {
		used.Reward(Result{Objectives: []float64{a}, Feasible: true})
	}
	b := used.Baseline()
	r := Result{Objectives: []float64{0.95}, Feasible: true}
	f, ok := freshReward(used)
	if want := NewFNAS(0, -1, 1).Reward(r); !ok || f.Reward(r) != want || used.Baseline() != b {
		t.Errorf("fresh FNAS: %v, %v; want %v, the original's baseline %v kept (%v)", ok, f.Reward(r), want, b, used.Baseline())
	}
	ws := DefaultReward(Maximize)
	ws.Reward(Result{Objectives: []float64{0.2}, Feasible: true})
	f, _ = freshReward(ws)
	if got := f.Reward(Result{Pruned: true}); got != 0 || ws.Reward(Result{Pruned: true}) != 0.2 {
		t.Errorf("fresh weighted sum penalises %v, want 0 (no feasible result yet)", got)
	}
	if _, ok := freshReward(RewardFunc(func(Result) float64 { return 0 })); ok {
		t.Error("a RewardFunc's state is not known")
	}
}
