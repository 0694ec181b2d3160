package search

import (
	"math"
	"strings"
	"testing"
)

func TestFNASReward(t *testing.T) {
	// Target 8 ms; objectives are (accuracy, latency ms).
	f := NewFNAS(0, 1, 8)
	steps := []struct {
		r       Result
		want, b float64 // reward, baseline after
	}{
		// Pruned: always −0.1, baseline untouched (never trained).
		{Result{Pruned: true, Objectives: []float64{math.NaN(), 12}}, -0.1, 0},
		// First trained child: old b = 0 → clip(0.9 + 0.5, ±0.1) = 0.1; b ← 0.9 (bias-corrected first update).
		{Result{Feasible: true, Objectives: []float64{0.9, 4}}, 0.1, 0.9},
		// 0.92 − 0.9 + 2/80 = 0.045; b ← 0.8·0.9 + 0.2·0.92 = 0.904.
		{Result{Feasible: true, Objectives: []float64{0.92, 2}}, 0.045, 0.904},
		// 0.70 − 0.904 + 8/80 = −0.104 → clipped to −0.1; b ← 0.8·0.904 + 0.2·0.7 = 0.8632.
		{Result{Feasible: true, Objectives: []float64{0.70, 8}}, -0.1, 0.8632},
		{Result{Failed: true}, -0.1, 0.8632},
	}
	for i, s := range steps {
		got := f.Reward(s.r)
		if math.Abs(got-s.want) > 1e-12 || math.Abs(f.Baseline()-s.b) > 1e-12 {
			t.Errorf("step %d: reward %v baseline %v, want %v %v", i, got, f.Baseline(), s.want, s.b)
		}
	}
	g := NewFNAS(0, 1, 8)
	g.LatencyTerm = false
	g.Reward(Result{Feasible: true, Objectives: []float64{0.9, 4}})
	if got := g.Reward(Result{Feasible: true, Objectives: []float64{0.92, 2}}); math.Abs(got-0.02) > 1e-12 {
		t.Errorf("without latency term: %v, want 0.02", got)
	}
}

func TestMnasNetReward(t *testing.T) {
	soft, hard := MnasNetSoft(0, 1, 10), MnasNetHard(0, 1, 10)
	cases := []struct {
		m    *MnasNet
		acc  float64
		lat  float64
		want float64
	}{
		{soft, 0.8, 10, 0.8},
		{soft, 0.8, 20, 0.8 * math.Pow(2, -0.07)}, // twice the target: ≈ −4.7% relative
		{soft, 0.8, 5, 0.8 * math.Pow(0.5, -0.07)},
		{hard, 0.8, 5, 0.8},
		{hard, 0.8, 20, 0.4},
	}
	for i, c := range cases {
		if got := c.m.Reward(Result{Feasible: true, Objectives: []float64{c.acc, c.lat}}); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("case %d: %v, want %v", i, got, c.want)
		}
	}
	if got := soft.Reward(Result{Pruned: true, Objectives: []float64{0.9, 30}}); got != 0 {
		t.Errorf("pruned: %v, want 0", got)
	}
}

func TestWeightedSum(t *testing.T) {
	w, err := NewWeightedSum([]float64{1, 0.01}, []Sense{Maximize, Minimize})
	if err != nil {
		t.Fatal(err)
	}
	if got := w.Reward(Result{Pruned: true}); got != 0 {
		t.Errorf("penalty before any result %v, want 0", got)
	}
	if got := w.Reward(Result{Feasible: true, Objectives: []float64{0.9, 10}}); math.Abs(got-0.8) > 1e-12 {
		t.Errorf("0.9 − 0.01·10 = %v, want 0.8", got)
	}
	w.Reward(Result{Feasible: true, Objectives: []float64{0.5, 20}}) // 0.3
	for _, r := range []Result{{Failed: true}, {Pruned: true}, {Objectives: []float64{0.99, 1}}, {Feasible: true, Objectives: []float64{math.NaN(), 1}}} {
		if got := w.Reward(r); math.Abs(got-0.3) > 1e-12 {
			t.Errorf("%s result: %v, want the worst reward so far 0.3", r.Status(), got)
		}
	}
	p := -5.0
	w.Penalty = &p
	if got := w.Reward(Result{Failed: true}); got != -5 {
		t.Errorf("explicit penalty: %v", got)
	}
	if _, err := NewWeightedSum([]float64{1}, []Sense{Maximize, Minimize}); err == nil {
		t.Error("mismatched weights accepted")
	}
	if s, err := ParseSense("maximise"); err != nil || s != Maximize {
		t.Errorf("ParseSense: %v %v", s, err)
	}
	if _, err := ParseSense("up"); err == nil {
		t.Error("ParseSense(up) succeeded")
	}
}

// TestReinforceUsesFNASAdvantage: with the FNAS reward the controller takes
// the reward as the advantage (no second baseline).
func TestReinforceUsesFNASAdvantage(t *testing.T) {
	s, err := New("reinforce", Config{Cards: []int{3, 3}, Senses: []Sense{Maximize, Minimize}, Reward: NewFNAS(0, 1, 5), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := s.Ask(1)
	s.Tell([]Result{{ID: c[0].ID, Feasible: true, Objectives: []float64{0.9, 4}}})
	if r := s.(*Reinforce); r.baseSet {
		t.Error("REINFORCE kept its own baseline for a baselined reward")
	}
}

func TestChebyshev(t *testing.T) {
	c := &Chebyshev{Weights: []float64{1, 0.1}, Ideal: []float64{1, 0}, Rho: 0.01}
	// d = (0.1, 0.4): −(0.4 + 0.01·0.5)
	if got := c.Reward(Result{Feasible: true, Objectives: []float64{0.9, 4}}); math.Abs(got+0.405) > 1e-12 {
		t.Errorf("got %v, want −0.405", got)
	}
	if got := c.Reward(Result{Pruned: true}); math.Abs(got+0.405) > 1e-12 {
		t.Errorf("pruned: %v, want the worst so far", got)
	}
}

func TestNewReward(t *testing.T) {
	two := []Sense{Maximize, Minimize}
	r, err := NewReward("fnas", RewardConfig{Senses: two, Acc: 0, Lat: 1, Params: map[string]float64{"target": 8, "latency_term": 0}})
	if err != nil {
		t.Fatal(err)
	}
	if f := r.(*FNAS); f.LatencyTerm || f.Target != 8 || f.Beta != 0.8 {
		t.Errorf("fnas = %+v", f)
	}
	r, _ = NewReward("coexplore", RewardConfig{Senses: two, Acc: 0, Lat: 1, Params: map[string]float64{"target": 10}})
	// 1·0.9 + 0.5·(10 − 4)/10 = 1.2
	if got := r.Reward(Result{Feasible: true, Objectives: []float64{0.9, 4}}); math.Abs(got-1.2) > 1e-12 {
		t.Errorf("coexplore reward %v, want 1.2", got)
	}
	if got := r.Reward(Result{Pruned: true}); got != -1 {
		t.Errorf("coexplore pruned %v, want -1", got)
	}
	r, _ = NewReward("weighted", RewardConfig{Senses: two})
	if got := r.Reward(Result{Feasible: true, Objectives: []float64{0.9, 4}}); math.Abs(got+3.1) > 1e-12 {
		t.Errorf("weighted %v, want -3.1", got)
	}
	errs := []struct {
		kind string
		c    RewardConfig
		want string
	}{
		{"mnas", RewardConfig{Senses: two}, `unknown reward "mnas" (valid: chebyshev, coexplore, fnas, mnasnet, weighted)`},
		{"mnasnet", RewardConfig{Senses: two, Acc: 0, Lat: 1}, "needs a positive target"},
		{"fnas", RewardConfig{Senses: two, Acc: 0, Lat: 0, Params: map[string]float64{"target": 1}}, "needs distinct accuracy and latency objectives"},
		{"fnas", RewardConfig{Senses: two, Params: map[string]float64{"tgt": 1}}, `unknown parameter "tgt" (valid: target, beta, latency_term)`},
		{"weighted", RewardConfig{}, "no objectives"},
	}
	for _, e := range errs {
		if _, err := NewReward(e.kind, e.c); err == nil || !strings.Contains(err.Error(), e.want) {
			t.Errorf("NewReward(%s) = %v, want %q", e.kind, err, e.want)
		}
	}
}
